"""Rate-law and rule expressions: parsing, symbols, units, SBML and Python output.

Expressions are written in Python syntax (``k * A / (K + A)``, ``x**2``,
``exp(-t/tau)``, ``a if time > 7 else b``) and parsed with :mod:`ast`, so the
same tree yields the SBML formula, the unit check and generated Python code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from immunetwin._errors import ModelError
from immunetwin._units import DIMENSIONLESS, Unit

TIME_SYMBOL = "time"
FUNCTIONS = ("exp", "log", "log10", "sqrt", "abs", "min", "max")
_SBML_FUNCTION = {"log": "ln", "log10": "log10", "exp": "exp", "sqrt": "sqrt", "abs": "abs"}
_BIN_SBML = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_BIN_PY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMP_SBML = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_CMP_PY = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


@dataclass(frozen=True)
class Expression:
    """A parsed expression.

    Attributes:
        text: The source text as declared.
        tree: The validated Python AST of ``text``.
        symbols: Names the expression reads (``time`` included when used).
    """

    text: str
    tree: ast.expr
    symbols: frozenset[str]


@lru_cache(maxsize=4096)
def parse_expression(text: str, where: str = "expression") -> Expression:
    """Parse and validate an expression.

    Args:
        text: Expression in Python syntax.
        where: What the expression belongs to, named in error messages.

    Raises:
        ModelError: On a syntax error or an unsupported construct.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as err:
        raise ModelError(f"{where}: cannot parse {text!r}: {err.msg}") from None
    symbols: set[str] = set()
    _validate(tree, text, where, symbols)
    return Expression(text=text, tree=tree, symbols=frozenset(symbols))


def _validate(node: ast.AST, text: str, where: str, symbols: set[str]) -> None:
    allowed = (
        ast.BinOp,
        ast.UnaryOp,
        ast.Constant,
        ast.Name,
        ast.Call,
        ast.Compare,
        ast.BoolOp,
        ast.IfExp,
        ast.Load,
        ast.operator,
        ast.unaryop,
        ast.cmpop,
        ast.boolop,
    )
    if not isinstance(node, allowed) or isinstance(node, ast.MatMult | ast.Mod | ast.FloorDiv):
        raise ModelError(f"{where}: unsupported construct {type(node).__name__} in {text!r}")
    if isinstance(node, ast.BinOp) and type(node.op) not in _BIN_SBML:
        raise ModelError(f"{where}: unsupported operator in {text!r}")
    if isinstance(node, ast.Constant) and (
        isinstance(node.value, bool) or not isinstance(node.value, int | float)
    ):
        raise ModelError(f"{where}: only numbers are allowed as constants in {text!r}")
    if isinstance(node, ast.Compare) and len(node.ops) != 1:
        raise ModelError(f"{where}: write chained comparisons with 'and' in {text!r}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise ModelError(
                f"{where}: unknown function in {text!r}; allowed: {', '.join(FUNCTIONS)}"
            )
        if node.keywords:
            raise ModelError(f"{where}: keyword arguments are not allowed in {text!r}")
        for arg in node.args:
            _validate(arg, text, where, symbols)
        return
    if isinstance(node, ast.Name):
        symbols.add(node.id)
        return
    for child in ast.iter_child_nodes(node):
        _validate(child, text, where, symbols)


def to_sbml_formula(expr: Expression) -> str:
    """Render as an SBML Level 3 infix formula (``libsbml.parseL3Formula`` syntax)."""
    return _sbml(expr.tree)


def _sbml(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return repr(float(node.value))  # type: ignore[arg-type]
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.BinOp):
        return f"({_sbml(node.left)} {_BIN_SBML[type(node.op)]} {_sbml(node.right)})"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return f"!({_sbml(node.operand)})"
        sign = "-" if isinstance(node.op, ast.USub) else ""
        return f"({sign}{_sbml(node.operand)})"
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        args = [_sbml(a) for a in node.args]
        if name in ("min", "max"):
            # Nested binary form: supported by every SBML Level 3 reader.
            out = args[0]
            for arg in args[1:]:
                out = f"piecewise({out}, {out} {'<' if name == 'min' else '>'} {arg}, {arg})"
            return out
        return f"{_SBML_FUNCTION[name]}({', '.join(args)})"
    if isinstance(node, ast.Compare):
        op = _CMP_SBML[type(node.ops[0])]
        return f"({_sbml(node.left)} {op} {_sbml(node.comparators[0])})"
    if isinstance(node, ast.BoolOp):
        joiner = " && " if isinstance(node.op, ast.And) else " || "
        return "(" + joiner.join(_sbml(v) for v in node.values) + ")"
    if isinstance(node, ast.IfExp):
        return f"piecewise({_sbml(node.body)}, {_sbml(node.test)}, {_sbml(node.orelse)})"
    raise AssertionError(f"unvalidated node {node!r}")  # pragma: no cover


def to_python(expr: Expression, name_of: Callable[[str], str]) -> str:
    """Render as Python source over scalars; ``name_of`` maps each symbol to code."""
    return _py(expr.tree, name_of)


def _py(node: ast.AST, name_of: Callable[[str], str]) -> str:
    if isinstance(node, ast.Constant):
        return repr(float(node.value))  # type: ignore[arg-type]
    if isinstance(node, ast.Name):
        return name_of(node.id)
    if isinstance(node, ast.BinOp):
        left, right = _py(node.left, name_of), _py(node.right, name_of)
        return f"({left} {_BIN_PY[type(node.op)]} {right})"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return f"(not {_py(node.operand, name_of)})"
        return f"({'-' if isinstance(node.op, ast.USub) else '+'}{_py(node.operand, name_of)})"
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        args = ", ".join(_py(a, name_of) for a in node.args)
        return f"{name}({args})" if name in ("min", "max", "abs") else f"_math.{name}({args})"
    if isinstance(node, ast.Compare):
        op = _CMP_PY[type(node.ops[0])]
        return f"({_py(node.left, name_of)} {op} {_py(node.comparators[0], name_of)})"
    if isinstance(node, ast.BoolOp):
        joiner = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + joiner.join(_py(v, name_of) for v in node.values) + ")"
    if isinstance(node, ast.IfExp):
        body, test = _py(node.body, name_of), _py(node.test, name_of)
        return f"({body} if {test} else {_py(node.orelse, name_of)})"
    raise AssertionError(f"unvalidated node {node!r}")  # pragma: no cover


class _Free:
    """A bare number literal: adopts the unit of what it is added to or compared with."""


_FREE = _Free()
_UnitOrFree = Unit | _Free


def infer_unit(expr: Expression, units: Mapping[str, Unit], where: str) -> Unit:
    """Compute the unit of an expression from the units of its symbols.

    Raises:
        ModelError: On a sum of unlike units, a transcendental function of a
            dimensional argument, or a power with a symbolic exponent of a
            dimensional base.
    """
    result = _unit(expr.tree, units, expr.text, where)
    return DIMENSIONLESS if isinstance(result, _Free) else result


def _unit(node: ast.AST, units: Mapping[str, Unit], text: str, where: str) -> _UnitOrFree:
    def fail(message: str) -> ModelError:
        return ModelError(f"{where}: inconsistent units in {text!r}: {message}")

    def same(a: _UnitOrFree, b: _UnitOrFree, what: str) -> _UnitOrFree:
        if isinstance(a, _Free):
            return b
        if isinstance(b, _Free) or a == b:
            return a
        raise fail(f"{what} of [{a}] and [{b}]")

    def literal_value(n: ast.AST) -> float | None:
        if isinstance(n, ast.Constant):
            return float(n.value)  # type: ignore[arg-type]
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub | ast.UAdd):
            inner = literal_value(n.operand)
            if inner is None:
                return None
            return -inner if isinstance(n.op, ast.USub) else inner
        return None

    if isinstance(node, ast.Constant):
        return _FREE
    if isinstance(node, ast.Name):
        return Unit.of(1.0, {"day": Fraction(1)}) if node.id == TIME_SYMBOL else units[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _unit(node.operand, units, text, where)
        return DIMENSIONLESS if isinstance(node.op, ast.Not) else inner
    if isinstance(node, ast.BinOp):
        left = _unit(node.left, units, text, where)
        if isinstance(node.op, ast.Pow):
            exponent = literal_value(node.right)
            if exponent is not None:
                if isinstance(left, _Free):
                    return _FREE
                return left ** Fraction(exponent).limit_denominator(1000)
            right = _unit(node.right, units, text, where)
            if isinstance(right, Unit) and not right.is_dimensionless:
                raise fail(f"exponent has unit [{right}]")
            if isinstance(left, Unit) and not left.is_dimensionless:
                raise fail(
                    f"a symbolic power of [{left}]; write (x/K)**n with a dimensionless base"
                )
            return DIMENSIONLESS
        right = _unit(node.right, units, text, where)
        if isinstance(node.op, ast.Add | ast.Sub):
            return same(left, right, "sum")
        if isinstance(node.op, ast.Mult):
            if isinstance(left, _Free):
                return right
            return left if isinstance(right, _Free) else left * right
        # Division
        if isinstance(right, _Free):
            return left
        return (DIMENSIONLESS if isinstance(left, _Free) else left) / right
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        args = [_unit(a, units, text, where) for a in node.args]
        if name in ("exp", "log", "log10"):
            if len(args) != 1:
                raise fail(f"{name} takes one argument")
            if isinstance(args[0], Unit) and not args[0].is_dimensionless:
                raise fail(f"{name} of a quantity with unit [{args[0]}]")
            return args[0] if isinstance(args[0], _Free) else DIMENSIONLESS
        if name == "sqrt":
            return args[0] if isinstance(args[0], _Free) else args[0] ** Fraction(1, 2)
        if name == "abs":
            return args[0]
        result: _UnitOrFree = args[0]
        for arg in args[1:]:
            result = same(result, arg, name)
        return result
    if isinstance(node, ast.Compare):
        same(
            _unit(node.left, units, text, where),
            _unit(node.comparators[0], units, text, where),
            "comparison",
        )
        return DIMENSIONLESS
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _unit(value, units, text, where)
        return DIMENSIONLESS
    if isinstance(node, ast.IfExp):
        _unit(node.test, units, text, where)
        return same(
            _unit(node.body, units, text, where),
            _unit(node.orelse, units, text, where),
            "conditional",
        )
    raise AssertionError(f"unvalidated node {node!r}")  # pragma: no cover
