"""An independent reference solver: plain-Python right-hand side plus SciPy ``solve_ivp``.

It shares nothing with the engine beyond the declaration: no SBML, no
libRoadRunner. The right-hand side is generated from the declared
:class:`~immunetwin.declaration.Model` as Python source, compiled once with
``exec``, and integrated segment-wise between the schedule's change times with
SciPy (Radau or BDF). Tests use it to check the engine at tight tolerances, and
``benchmarks/population.py`` uses it as the SciPy baseline.

Semantics (the same as SBML's, see :mod:`immunetwin.declaration`):
    - Rules are evaluated in ``model.rules`` order (dependency order).
    - A reaction's flux is ``rate * size(model.reaction_compartment(r))``, or
      ``rate`` when that compartment is None.
    - A concentration species changes by ``stoichiometry * flux / size(its
      compartment)``; an amount species by ``stoichiometry * flux``.
    - Observations at a change time are taken before the change.
    - Events fire when their trigger goes from false to true (the trigger is
      false before time 0); assignments use the values at the trigger time.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp
from scipy.sparse import csr_matrix

from immunetwin._errors import ModelError, SimulationError
from immunetwin._expressions import TIME_SYMBOL, parse_expression, to_python
from immunetwin.declaration import Model, Species
from immunetwin.engine import Schedule, StateChange, output_grid

__all__ = ["ReferenceModel", "compile_reference", "solve_scipy"]

Method = Literal["Radau", "BDF"]
RHS = Callable[[float, np.ndarray, np.ndarray], np.ndarray]

_CMP_SIGN = {ast.Gt: 1.0, ast.GtE: 1.0, ast.Lt: -1.0, ast.LtE: -1.0}


@dataclass(frozen=True)
class _EventCode:
    name: str
    trigger: Callable[[float, np.ndarray, np.ndarray], bool]
    sides: Callable[[float, np.ndarray, np.ndarray], tuple[float, float]]
    sign: float
    assign: Callable[[float, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class ReferenceModel:
    """A declared model compiled to plain-Python functions of ``(t, y, p)``.

    Attributes:
        model: The declared model.
        species: State names, in the order of ``y`` (non-constant species in
            declaration order); concentration species hold concentrations,
            amount species amounts, each in its declared unit.
        parameters: Parameter names, in the order of ``p``.
        rules: Rule names, in evaluation order.
        y0: Initial state.
        p0: Declared parameter values.
        source: The generated Python source, for inspection.
    """

    def __init__(self, model: Model):
        self.model = model
        self.species = [s.name for s in model.species if not s.constant]
        self.parameters = [p.name for p in model.parameters]
        self.rules = [r.name for r in model.rules]
        self.y0 = np.array([s.initial for s in model.species if not s.constant], dtype=float)
        self.p0 = np.array([p.value for p in model.parameters], dtype=float)
        self._species_index = {name: i for i, name in enumerate(self.species)}
        self._parameter_index = {name: i for i, name in enumerate(self.parameters)}
        self._rule_index = {name: i for i, name in enumerate(self.rules)}
        self.source = _generate(model, self._species_index, self._parameter_index)
        namespace: dict[str, object] = {"_math": math, "_np": np}
        exec(compile(self.source, f"<reference rhs of {model.name}>", "exec"), namespace)
        self.rhs: RHS = namespace["rhs"]  # type: ignore[assignment]
        self._rule_values: RHS = namespace["rule_values"]  # type: ignore[assignment]
        self._events = [
            _EventCode(
                event.name,
                namespace[f"event_{k}_trigger"],  # type: ignore[arg-type]
                namespace[f"event_{k}_sides"],  # type: ignore[arg-type]
                sign,
                namespace[f"event_{k}_assign"],  # type: ignore[arg-type]
            )
            for k, (event, sign) in enumerate(zip(model.events, _trigger_signs(model), strict=True))
        ]
        self._sparsity = _jacobian_sparsity(model, self._species_index)

    # -- names ------------------------------------------------------------------------
    @property
    def outputs_available(self) -> list[str]:
        """Names that can be requested as outputs: species, then rules and parameters."""
        return [*self.species, *self.rules, *self.parameters]

    def parameter_vector(self, parameters: Mapping[str, float] | None = None) -> np.ndarray:
        """Declared parameter values with ``parameters`` (name -> value) applied.

        Raises:
            ModelError: For a name that is not a parameter of the model.
        """
        p = self.p0.copy()
        for name, value in (parameters or {}).items():
            if name not in self._parameter_index:
                raise ModelError(
                    f"unknown parameter {name!r}: the model's parameters are "
                    f"{', '.join(self.parameters[:8])}{'...' if len(self.parameters) > 8 else ''}"
                )
            p[self._parameter_index[name]] = float(value)
        return p

    def rule_values(self, t: float, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Values of the rules (in ``rules`` order) at one state."""
        return np.asarray(self._rule_values(t, y, p), dtype=float)

    def _reader(self, outputs: Sequence[str]) -> Callable[[float, np.ndarray, np.ndarray], list]:
        """A function ``(t, y, p) -> values of outputs``."""
        where: list[tuple[int, int]] = []  # (0 state, 1 rule, 2 parameter), index
        for name in outputs:
            if name in self._species_index:
                where.append((0, self._species_index[name]))
            elif name in self._rule_index:
                where.append((1, self._rule_index[name]))
            elif name in self._parameter_index:
                where.append((2, self._parameter_index[name]))
            else:
                raise ModelError(
                    f"unknown output {name!r}: choose species, rules or parameters of the model "
                    f"(e.g. {', '.join(self.outputs_available[:5])})"
                )
        needs_rules = any(kind == 1 for kind, _ in where)
        empty = np.empty(0)

        def read(t: float, y: np.ndarray, p: np.ndarray) -> list:
            sources = (y, self.rule_values(t, y, p) if needs_rules else empty, p)
            return [float(sources[kind][i]) for kind, i in where]

        return read

    # -- solving ----------------------------------------------------------------------
    def solve(
        self,
        until: float,
        output_times: Sequence[float] | np.ndarray | None = None,
        parameters: Mapping[str, float] | None = None,
        schedule: Schedule | None = None,
        method: Method = "Radau",
        rtol: float = 1e-8,
        atol: float = 1e-10,
        outputs: Sequence[str] | None = None,
        points_per_day: float = 4.0,
        sparse_jacobian: bool = False,
    ) -> pd.DataFrame:
        """Integrate one patient; same arguments and result as ``Simulator.simulate``.

        Args:
            until: End time in days.
            output_times: Times to record (days); default ``points_per_day`` a day.
            parameters: Parameter name -> value for this patient.
            schedule: Timed changes (doses, infections), applied as exact jumps.
            method: SciPy implicit method, ``"Radau"`` or ``"BDF"``.
            rtol: Relative tolerance.
            atol: Absolute tolerance, in each state's unit.
            outputs: Names to record; default all species and rules.
            points_per_day: Output density when ``output_times`` is not given.
            sparse_jacobian: Give SciPy the Jacobian's sparsity pattern (derived
                from which species each rate reads); off by default, as a plain
                user of ``solve_ivp`` would call it.

        Returns:
            A DataFrame indexed by ``time`` (days), one column per output.

        Raises:
            ModelError: For an unknown parameter, output or change target.
            SimulationError: If SciPy fails or a value is not finite.
        """
        if method not in ("Radau", "BDF"):
            raise ModelError(f"method must be 'Radau' or 'BDF', got {method!r}")
        times = output_grid(until, output_times, points_per_day)
        names = list(outputs) if outputs else [*self.species, *self.rules]
        read = self._reader(names)
        p = self.parameter_vector(parameters)
        y = self.y0.copy()
        changes = schedule.changes if schedule else ()
        for change in changes:
            self._check_target(change)
        end = float(times[-1])
        result = np.full((len(times), len(names)), np.nan)
        # Observations at time 0 come before the changes at time 0.
        if times[0] == 0.0:
            result[0] = read(0.0, y, p)
        y, p = self._apply(changes, 0.0, y, p)
        # Trigger state: false before time 0, so a trigger true at t=0 fires at t=0.
        active = [False] * len(self._events)
        y, p = self._settle_events(0.0, y, p, active, hit=None)
        breakpoints = sorted({c.time for c in changes if 0.0 < c.time < end})
        kwargs: dict[str, object] = {"method": method, "rtol": rtol, "atol": atol}
        if sparse_jacobian:
            kwargs["jac_sparsity"] = self._sparsity
        start = 0.0
        for stop in [*breakpoints, end]:
            y, p = self._integrate(start, stop, y, p, times, result, read, active, kwargs)
            if stop < end:
                y, p = self._apply(changes, stop, y, p)
                y, p = self._settle_events(stop, y, p, active, hit=None)
            start = stop
        if not np.all(np.isfinite(result)):
            raise SimulationError("non-finite value in the outputs")
        return pd.DataFrame(result, index=pd.Index(times, name="time"), columns=names)

    def _integrate(
        self,
        start: float,
        stop: float,
        y: np.ndarray,
        p: np.ndarray,
        times: np.ndarray,
        result: np.ndarray,
        read: Callable[[float, np.ndarray, np.ndarray], list],
        active: list[bool],
        kwargs: Mapping[str, object],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Integrate from ``start`` to ``stop``, recording outputs in ``(start, stop]``."""
        now = start
        while True:
            wanted = times[(times > now) & (times < stop)]
            watchers = self._watchers(active)
            solution = solve_ivp(
                self.rhs,
                (now, stop),
                y,
                t_eval=np.append(wanted, stop),
                args=(p,),
                events=watchers or None,
                **kwargs,
            )
            if solution.status == -1:
                raise SimulationError(f"SciPy failed after t={now:.6g} d: {solution.message}")
            for k, t in enumerate(solution.t):
                row = int(np.searchsorted(times, t))
                if row < len(times) and times[row] == t:
                    result[row] = read(float(t), solution.y[:, k], p)
            if solution.status == 0:
                return np.asarray(solution.y[:, -1], dtype=float), p
            # A trigger changed its truth value: find the first, update, go on from there.
            now, k = min(
                (float(solution.t_events[k][0]), k)
                for k in range(len(watchers))
                if len(solution.t_events[k])
            )
            y = np.asarray(solution.y_events[k][0], dtype=float)
            y, p = self._settle_events(now, y, p, active, hit=k)

    def _watchers(self, active: list[bool]) -> list[Callable[..., float]]:
        """Terminal event functions: each trigger's next change of truth value."""
        watchers = []
        for event, is_true in zip(self._events, active, strict=True):

            def watch(t: float, y: np.ndarray, p: np.ndarray, e: _EventCode = event) -> float:
                left, right = e.sides(t, y, p)
                return e.sign * (left - right)

            watch.terminal = True  # type: ignore[attr-defined]
            watch.direction = -1.0 if is_true else 1.0  # type: ignore[attr-defined]
            watchers.append(watch)
        return watchers

    def _settle_events(
        self, t: float, y: np.ndarray, p: np.ndarray, active: list[bool], hit: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fire every event whose trigger went from false to true; update trigger states.

        ``hit`` is the event whose watcher stopped the solve at ``t``: its trigger
        changed there by definition, although at the located root the two sides
        of its comparison are equal to rounding. So it switches without being
        re-evaluated, and afterwards switches back only when its comparison is
        clearly (beyond rounding) the other way, as CVODE's root finding would.
        """
        sticky = hit
        for _ in range(100):
            fired = False
            for k, event in enumerate(self._events):
                if k == hit:
                    now_true, hit = not active[k], None
                else:
                    now_true = self._truth(event, t, y, p, active[k], sticky=k == sticky)
                if now_true and not active[k]:
                    y, p = event.assign(t, y, p)
                    fired = True
                active[k] = now_true
            if not fired:
                return y, p
        raise SimulationError(f"events keep firing at t={t:.6g} d")

    @staticmethod
    def _truth(
        event: _EventCode, t: float, y: np.ndarray, p: np.ndarray, was: bool, sticky: bool
    ) -> bool:
        if not sticky:
            return bool(event.trigger(t, y, p))
        left, right = event.sides(t, y, p)
        distance = event.sign * (left - right)
        tolerance = 1e-9 * (abs(left) + abs(right))
        return distance > tolerance if not was else distance >= -tolerance

    def _check_target(self, change: StateChange) -> None:
        if change.target in self._rule_index:
            raise ModelError(f"cannot change {change.target!r}: it is computed by a rule")
        if change.target not in self._species_index and change.target not in self._parameter_index:
            raise ModelError(
                f"unknown change target {change.target!r}: choose a species or parameter"
            )

    def _apply(
        self, changes: Sequence[StateChange], at: float, y: np.ndarray, p: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        y, p = y.copy(), p.copy()
        for change in changes:
            if change.time != at:
                continue
            if change.target in self._species_index:
                values, i = y, self._species_index[change.target]
            else:
                values, i = p, self._parameter_index[change.target]
            values[i] = {
                "add": values[i] + change.value,
                "set": change.value,
                "multiply": values[i] * change.value,
            }[change.op]
        return y, p


def compile_reference(model: Model) -> ReferenceModel:
    """Generate and compile the plain-Python right-hand side of ``model``."""
    return ReferenceModel(model)


def solve_scipy(
    model: Model | ReferenceModel,
    until: float,
    output_times: Sequence[float] | np.ndarray | None = None,
    parameters: Mapping[str, float] | None = None,
    schedule: Schedule | None = None,
    method: Method = "Radau",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    outputs: Sequence[str] | None = None,
    points_per_day: float = 4.0,
    sparse_jacobian: bool = False,
) -> pd.DataFrame:
    """Simulate one patient with SciPy ``solve_ivp``; the result matches ``Simulator.simulate``.

    Args:
        model: A declared model, or one already compiled with :func:`compile_reference`
            (reuse it to solve many patients).
        until: End time in days.
        output_times: Times to record (days); default ``points_per_day`` a day.
        parameters: Parameter name -> value.
        schedule: Timed changes applied as exact jumps; observations at a change
            time are taken before the change.
        method: ``"Radau"`` or ``"BDF"``.
        rtol: Relative tolerance.
        atol: Absolute tolerance, in each state's unit.
        outputs: Names to record; default all species and rules.
        points_per_day: Output density when ``output_times`` is not given.
        sparse_jacobian: Pass the Jacobian's sparsity pattern to SciPy.

    Returns:
        A DataFrame indexed by ``time`` (days), one column per output.
    """
    reference = model if isinstance(model, ReferenceModel) else ReferenceModel(model)
    return reference.solve(
        until,
        output_times=output_times,
        parameters=parameters,
        schedule=schedule,
        method=method,
        rtol=rtol,
        atol=atol,
        outputs=outputs,
        points_per_day=points_per_day,
        sparse_jacobian=sparse_jacobian,
    )


# -- code generation ---------------------------------------------------------------------


def _generate(
    model: Model, species_index: Mapping[str, int], parameter_index: Mapping[str, int]
) -> str:
    """Python source of ``rhs``, ``rule_values`` and the event functions."""
    sizes = {c.name: c.size for c in model.compartments}
    constants = {s.name: s.initial for s in model.species if s.constant}
    rule_index = {r.name: i for i, r in enumerate(model.rules)}

    def name_of(symbol: str) -> str:
        if symbol == TIME_SYMBOL:
            return "t"
        if symbol in species_index:
            return f"y[{species_index[symbol]}]"
        if symbol in parameter_index:
            return f"p[{parameter_index[symbol]}]"
        if symbol in rule_index:
            return f"rule_{rule_index[symbol]}"
        if symbol in sizes:
            return repr(float(sizes[symbol]))
        if symbol in constants:
            return repr(float(constants[symbol]))
        raise ModelError(f"reference solver: cannot read {symbol!r}")  # pragma: no cover

    def py(text: str, where: str) -> str:
        return to_python(parse_expression(text, where), name_of)

    rule_lines = [
        f"    rule_{i} = {py(rule.expression, f'rule {rule.name!r}')}  # {rule.name}"
        for i, rule in enumerate(model.rules)
    ]
    flux_lines = []
    terms: dict[str, list[str]] = {name: [] for name in species_index}
    stoichiometry = model.stoichiometry()
    for k, reaction in enumerate(model.reactions):
        rate = py(reaction.rate, f"reaction {reaction.name!r}")
        compartment = model.reaction_compartment(reaction)
        scale = "" if compartment is None else f" * {float(sizes[compartment])!r}"
        flux_lines.append(f"    flux_{k} = {rate}{scale}  # {reaction.name}")
        for name, n in stoichiometry[reaction.name].items():
            species = model.element(name)
            assert isinstance(species, Species)
            volume = (
                f" / {float(sizes[species.compartment])!r}"
                if model.unit_of(name).volume_exponent == -1
                else ""
            )
            terms[name].append(f"({float(n)!r} * flux_{k}{volume})")
    derivatives = [" + ".join(terms[name]) if terms[name] else "0.0" for name in species_index]
    lines = [
        "def rhs(t, y, p):",
        *rule_lines,
        *flux_lines,
        "    return _np.array([",
        *(
            f"        {d},  # d{name}/dt"
            for name, d in zip(species_index, derivatives, strict=True)
        ),
        "    ])",
        "",
        "",
        "def rule_values(t, y, p):",
        *rule_lines,
        "    return (" + "".join(f"rule_{i}, " for i in range(len(rule_lines))) + ")",
        "",
    ]
    for k, event in enumerate(model.events):
        where = f"event {event.name!r}"
        tree = _trigger_tree(event.trigger, where)
        left = to_python(parse_expression(ast.unparse(tree.left), where), name_of)
        right = to_python(parse_expression(ast.unparse(tree.comparators[0]), where), name_of)
        new_values = []
        for target, text in event.assignments.items():
            store = (
                f"y_new[{species_index[target]}]"
                if target in species_index
                else f"p_new[{parameter_index[target]}]"
            )
            new_values.append((store, py(text, where)))
        lines += [
            "",
            f"def event_{k}_trigger(t, y, p):  # {event.name}",
            *rule_lines,
            f"    return {py(event.trigger, where)}",
            "",
            f"def event_{k}_sides(t, y, p):",
            *rule_lines,
            f"    return ({left}), ({right})",
            "",
            f"def event_{k}_assign(t, y, p):",
            *rule_lines,
            # Every assignment reads the values at the trigger time.
            *(f"    value_{j} = {value}" for j, (_, value) in enumerate(new_values)),
            "    y_new = _np.array(y, dtype=float)",
            "    p_new = _np.array(p, dtype=float)",
            *(f"    {store} = value_{j}" for j, (store, _) in enumerate(new_values)),
            "    return y_new, p_new",
        ]
    return "\n".join(lines) + "\n"


def _trigger_tree(trigger: str, where: str) -> ast.Compare:
    tree = parse_expression(trigger, where).tree
    if not (isinstance(tree, ast.Compare) and type(tree.ops[0]) in _CMP_SIGN):
        raise ModelError(
            f"{where}: the reference solver supports triggers of the form a > b, a >= b, "
            f"a < b or a <= b, got {trigger!r}"
        )
    return tree


def _trigger_signs(model: Model) -> list[float]:
    """+1 when a trigger is true above its threshold (``a > b``), -1 when below."""
    return [
        _CMP_SIGN[type(_trigger_tree(e.trigger, f"event {e.name!r}").ops[0])] for e in model.events
    ]


def _jacobian_sparsity(model: Model, species_index: Mapping[str, int]) -> csr_matrix:
    """Which state each derivative can depend on, from the symbols each rate reads."""
    rule_reads: dict[str, set[str]] = {}
    for rule in model.rules:  # dependency order, so earlier rules are already resolved
        reads: set[str] = set()
        for symbol in parse_expression(rule.expression).symbols:
            reads |= rule_reads.get(symbol, {symbol})
        rule_reads[rule.name] = reads
    n = len(species_index)
    pattern = np.zeros((n, n), dtype=bool)
    stoichiometry = model.stoichiometry()
    for reaction in model.reactions:
        reads = set()
        for symbol in parse_expression(reaction.rate).symbols:
            reads |= rule_reads.get(symbol, {symbol})
        columns = [species_index[s] for s in reads if s in species_index]
        for name in stoichiometry[reaction.name]:
            pattern[species_index[name], columns] = True
    return csr_matrix(pattern)
