"""The declaration layer: a model as pure data, grouped in named modules.

Nothing here integrates anything. A :class:`Model` is composed from
:class:`Module` objects and validated on construction by a list of small named
checks (unknown symbol, duplicate name, missing unit or source, unit mismatch,
cyclic rules). Diseases and therapies add modules or change parameter values;
they never edit the core modules.

Conventions:
    - Time is in days; the symbol ``time`` reads it.
    - A species whose unit has a volume in its denominator (``cells/uL``,
      ``mg/L``) is a concentration in its compartment; otherwise an amount.
    - A reaction's ``rate`` is a concentration per day in the reaction's
      compartment (or an amount per day when its species are amounts). The flux
      is ``rate * size(compartment)``; each participant changes by
      ``stoichiometry * flux / size(its compartment)``. This is SBML's
      semantics, so transport between compartments conserves mass.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import replace as replace_
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from immunetwin._errors import ModelError
from immunetwin._expressions import FUNCTIONS, TIME_SYMBOL, Expression, infer_unit, parse_expression
from immunetwin._units import DAY, DIMENSIONLESS, Unit, parse_unit

__all__ = [
    "Compartment",
    "Event",
    "LogNormal",
    "LogitNormal",
    "Model",
    "Module",
    "Normal",
    "Parameter",
    "Reaction",
    "Rule",
    "Species",
]

_RESERVED = {TIME_SYMBOL, *FUNCTIONS, "pi", "inf", "nan", "true", "false"}


def _frozen_map(mapping: Mapping[str, float] | Mapping[str, str]) -> MappingProxyType:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class LogNormal:
    """Log-normal inter-individual variability around the declared value.

    The declared value is the population median (the pharmacometric
    ``theta * exp(eta)`` convention), with ``eta ~ N(0, omega^2)`` and
    ``omega^2 = ln(1 + cv^2)``.

    Attributes:
        cv: Coefficient of variation of the parameter across people (fraction, e.g. 0.3).
    """

    cv: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cv) and self.cv > 0):
            raise ModelError(f"LogNormal cv must be a positive number, got {self.cv!r}")

    @property
    def omega(self) -> float:
        """Standard deviation of the log of the parameter."""
        return math.sqrt(math.log1p(self.cv**2))

    def draw(self, value: float, z: Any) -> Any:
        """Patient values for standard normal(s) ``z`` around the median ``value``."""
        return value * np.exp(self.omega * z)

    def describe(self) -> str:
        """One line for tables: ``log-normal CV 0.3``."""
        return f"log-normal CV {self.cv:g}"


@dataclass(frozen=True)
class Normal:
    """Normal inter-individual variability, truncated to ``[low, high]``.

    Attributes:
        sd: Standard deviation, in the parameter's unit.
        low: Smallest allowed value (resampled below it), in the parameter's unit.
        high: Largest allowed value, in the parameter's unit.
    """

    sd: float
    low: float = -math.inf
    high: float = math.inf

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sd) and self.sd > 0):
            raise ModelError(f"Normal sd must be a positive number, got {self.sd!r}")
        if not self.low < self.high:
            raise ModelError(f"Normal bounds must satisfy low < high, got {self.low}, {self.high}")

    def draw(self, value: float, z: Any) -> Any:
        """Patient values for standard normal(s) ``z`` around ``value`` (bounds not applied)."""
        return value + self.sd * z

    def describe(self) -> str:
        """One line for tables: ``normal SD 2``."""
        return f"normal SD {self.sd:g}"


@dataclass(frozen=True)
class LogitNormal:
    """Logit-normal inter-individual variability of a share (a value strictly in (0, 1)).

    The declared value is the population median; a patient's log-odds are the
    median's plus ``sd * z``, so every patient's value stays inside (0, 1) with no
    clipping or redrawing.

    Attributes:
        sd: Standard deviation of the log-odds (e.g. 1.0: the middle two thirds of
            patients lie between odds / e and odds x e).
    """

    sd: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sd) and self.sd > 0):
            raise ModelError(f"LogitNormal sd must be a positive number, got {self.sd!r}")

    def draw(self, value: float, z: Any) -> Any:
        """Patient values for standard normal(s) ``z`` around the median share ``value``.

        Raises:
            ModelError: If ``value`` is not strictly between 0 and 1.
        """
        if not 0.0 < value < 1.0:
            raise ModelError(
                f"a logit-normal variability needs a median strictly between 0 and 1, got {value!r}"
            )
        log_odds = math.log(value / (1.0 - value)) + self.sd * np.asarray(z, dtype=float)
        return 1.0 / (1.0 + np.exp(-log_odds))

    def describe(self) -> str:
        """One line for tables: ``logit-normal SD 1 (log-odds)``."""
        return f"logit-normal SD {self.sd:g} (log-odds)"


Variability = LogNormal | Normal | LogitNormal


@dataclass(frozen=True)
class Compartment:
    """A well-mixed volume (blood, lymphoid tissue, an organ).

    Attributes:
        name: Identifier.
        size: Volume in ``unit``.
        unit: A volume unit, e.g. ``"L"``.
        source: Where the size comes from.
        description: What the compartment represents.
    """

    name: str
    size: float
    unit: str = "L"
    source: str = ""
    description: str = ""


@dataclass(frozen=True)
class Species:
    """A state variable: a cell population, molecule or pathogen load.

    Attributes:
        name: Identifier.
        compartment: Name of the compartment it lives in.
        initial: Initial value in ``unit``.
        unit: E.g. ``"cells/uL"`` (a concentration) or ``"mg"`` (an amount).
        source: Where the initial value comes from.
        description: What it is.
        constant: A fixed input that no reaction changes (SBML boundary species).
        absolute_tolerance: The solver's absolute tolerance for this state, in ``unit``
            (None: the run's ``SimulationOptions.atol``). A state whose values live on
            another scale than the default's (a drug amount in mg decaying towards zero
            between doses) declares its own, so the solver stops resolving it long
            after it stopped mattering.
    """

    name: str
    compartment: str
    initial: float
    unit: str
    source: str = ""
    description: str = ""
    constant: bool = False
    absolute_tolerance: float | None = None

    def __post_init__(self) -> None:
        tolerance = self.absolute_tolerance
        if tolerance is not None and not (math.isfinite(tolerance) and tolerance > 0):
            raise ModelError(
                f"species {self.name!r}: absolute_tolerance must be a positive number "
                f"(in {self.unit}) or None, got {tolerance!r}"
            )


@dataclass(frozen=True)
class Parameter:
    """A constant with a unit, a source and, optionally, variability across people.

    Attributes:
        name: Identifier, e.g. ``treg_suppression_ic50``.
        value: Typical (median) value in ``unit``.
        unit: E.g. ``"1/day"``.
        source: Citation, label, textbook, ``physiology.csv <id>``, or
            ``calibrated: <to which reference value>``.
        variability: Inter-individual variability, or None when fixed.
        description: What the number means.
    """

    name: str
    value: float
    unit: str
    source: str = ""
    variability: Variability | None = None
    description: str = ""


@dataclass(frozen=True)
class Reaction:
    """A process that moves, creates or removes species at a rate.

    Attributes:
        name: Identifier.
        rate: Expression; concentration per day in ``compartment`` (see module doc).
        reactants: Species consumed, with stoichiometry.
        products: Species produced, with stoichiometry.
        compartment: Where the rate is per volume; inferred when all
            participants are concentrations in one compartment.
        description: What the process is.
    """

    name: str
    rate: str
    reactants: Mapping[str, float] = field(default_factory=dict)
    products: Mapping[str, float] = field(default_factory=dict)
    compartment: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reactants", _frozen_map(self.reactants))
        object.__setattr__(self, "products", _frozen_map(self.products))


@dataclass(frozen=True)
class Rule:
    """An assignment rule: a named quantity computed from the state at every instant.

    Used for quasi-steady-state fast variables (cytokines with minute half-lives)
    and for observables such as lab values in clinical units.

    Attributes:
        name: Identifier.
        expression: Expression giving its value.
        unit: Unit of the value; checked against the expression.
        description: What it is.
    """

    name: str
    expression: str
    unit: str
    description: str = ""


@dataclass(frozen=True)
class Event:
    """A discontinuity triggered inside the model: when ``trigger`` becomes true, assign.

    Time-based dosing and life events are per-patient schedules applied by the
    engine instead; events are for state-triggered switches.

    Attributes:
        name: Identifier.
        trigger: Boolean expression, e.g. ``"time >= 10"``.
        assignments: Target species or parameter -> expression evaluated at the trigger.
        description: What happens.
    """

    name: str
    trigger: str
    assignments: Mapping[str, str]
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "assignments", _frozen_map(self.assignments))


@dataclass(frozen=True)
class Module:
    """A named group of declarations (``innate``, ``t_cells``, one PK module per drug).

    Lists or tuples are accepted; they are stored as tuples so a module is immutable.
    """

    name: str
    description: str = ""
    compartments: Sequence[Compartment] = ()
    species: Sequence[Species] = ()
    parameters: Sequence[Parameter] = ()
    reactions: Sequence[Reaction] = ()
    rules: Sequence[Rule] = ()
    events: Sequence[Event] = ()

    def __post_init__(self) -> None:
        for attr in ("compartments", "species", "parameters", "reactions", "rules", "events"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))


ElementKind = Literal["compartment", "species", "parameter", "reaction", "rule", "event"]


@dataclass(frozen=True)
class Model:
    """A validated composition of modules; build with :meth:`Model.compose`.

    Attributes:
        name: Identifier, used as the SBML model id.
        modules: The modules, in order.
    """

    name: str
    modules: tuple[Module, ...]
    _index: Mapping[str, tuple[ElementKind, object, str]] = field(repr=False, compare=False)
    _units: Mapping[str, Unit] = field(repr=False, compare=False)
    _rule_order: tuple[str, ...] = field(repr=False, compare=False)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def compose(cls, name: str, modules: Iterable[Module]) -> Model:
        """Compose modules into one model and validate it.

        Raises:
            ModelError: Naming the first problem found (and how many more there are).
        """
        modules = tuple(modules)
        if not name.isidentifier():
            raise ModelError(f"model name {name!r} must be an identifier (letters, digits, _)")
        index: dict[str, tuple[ElementKind, object, str]] = {}
        problems: list[str] = []
        for module in modules:
            for kind, items in _elements(module):
                for item in items:
                    item_name = item.name
                    if item_name in index:
                        other = index[item_name]
                        problems.append(
                            f"duplicate name {item_name!r}: {kind} in module {module.name!r} "
                            f"and {other[0]} in module {other[2]!r}"
                        )
                        continue
                    index[item_name] = (kind, item, module.name)
        if problems:
            raise _combined(problems)
        units: dict[str, Unit] = {}
        for check in _CHECKS:
            problems.extend(check(index, units))
            if problems:
                raise _combined(problems)
        order = _rule_order(index)
        return cls(name=name, modules=modules, _index=index, _units=units, _rule_order=order)

    def with_modules(
        self, modules: Iterable[Module], name: str | None = None, replace: Iterable[str] = ()
    ) -> Model:
        """Return a new model with extra modules appended (a disease, a drug's PK).

        Args:
            modules: Modules to add.
            name: Name of the new model (defaults to this one's).
            replace: Parameters of this model that the new modules redefine,
                typically as rules (a drug turning a constant mechanism strength
                into a function of its concentration). They are removed from the
                existing modules first; the new modules must declare them again.

        Raises:
            ModelError: If a name in ``replace`` is not a parameter of this model.
        """
        removed = set(replace)
        for target in sorted(removed):
            if self.kind_of(target) != "parameter":
                raise ModelError(
                    f"cannot replace {target!r}: not a parameter of model {self.name!r}"
                )
        kept = tuple(
            replace_(m, parameters=tuple(p for p in m.parameters if p.name not in removed))
            if removed
            else m
            for m in self.modules
        )
        return Model.compose(name or self.name, (*kept, *modules))

    def with_changes(self, changes: Mapping[str, float], name: str | None = None) -> Model:
        """Return a new model with values changed.

        Args:
            changes: Parameter name -> new value, species name -> new initial
                value, or compartment name -> new size, each in its declared unit.
            name: Name of the new model (defaults to this one's).

        Raises:
            ModelError: If a name is unknown or is not a parameter, species or compartment.
        """
        pending = dict(changes)
        for target, value in pending.items():
            kind = self._index.get(target, (None,))[0]
            if kind not in ("parameter", "species", "compartment"):
                raise ModelError(
                    f"cannot change {target!r}: not a parameter, species or compartment of "
                    f"model {self.name!r}"
                )
            if not math.isfinite(float(value)):
                raise ModelError(f"cannot change {target!r}: value must be finite, got {value!r}")
        new_modules = []
        for module in self.modules:
            new_modules.append(
                replace(
                    module,
                    parameters=tuple(
                        replace(p, value=float(pending[p.name])) if p.name in pending else p
                        for p in module.parameters
                    ),
                    species=tuple(
                        replace(s, initial=float(pending[s.name])) if s.name in pending else s
                        for s in module.species
                    ),
                    compartments=tuple(
                        replace(c, size=float(pending[c.name])) if c.name in pending else c
                        for c in module.compartments
                    ),
                )
            )
        return Model.compose(name or self.name, new_modules)

    # -- queries ------------------------------------------------------------------------
    def _of_kind(self, kind: ElementKind) -> list:
        return [item for k, item, _ in self._index.values() if k == kind]

    @property
    def compartments(self) -> list[Compartment]:
        """All compartments, in declaration order."""
        return self._of_kind("compartment")

    @property
    def species(self) -> list[Species]:
        """All species, in declaration order."""
        return self._of_kind("species")

    @property
    def parameters(self) -> list[Parameter]:
        """All parameters, in declaration order."""
        return self._of_kind("parameter")

    @property
    def reactions(self) -> list[Reaction]:
        """All reactions, in declaration order."""
        return self._of_kind("reaction")

    @property
    def rules(self) -> list[Rule]:
        """All assignment rules, in evaluation (dependency) order."""
        return [self._index[n][1] for n in self._rule_order]  # type: ignore[misc]

    @property
    def events(self) -> list[Event]:
        """All events, in declaration order."""
        return self._of_kind("event")

    def kind_of(self, name: str) -> ElementKind | None:
        """What ``name`` is (``"species"``, ``"parameter"``...), or None if unknown."""
        entry = self._index.get(name)
        return entry[0] if entry else None

    def module_of(self, name: str) -> str:
        """The module that declares ``name``."""
        return self._index[name][2]

    def element(self, name: str) -> object:
        """The declaration named ``name``."""
        try:
            return self._index[name][1]
        except KeyError:
            raise ModelError(f"model {self.name!r} has nothing named {name!r}") from None

    def unit_of(self, name: str) -> Unit:
        """The parsed unit of a compartment, species, parameter or rule."""
        return self._units[name]

    def reaction_compartment(self, reaction: Reaction) -> str | None:
        """The compartment whose volume scales the reaction's rate, or None for a flux."""
        return _reaction_compartment(reaction, self._index, self._units)

    def stoichiometry(self) -> dict[str, dict[str, float]]:
        """Net stoichiometry: reaction name -> {species name: net coefficient}."""
        table: dict[str, dict[str, float]] = {}
        for reaction in self.reactions:
            net: dict[str, float] = {}
            for s, n in reaction.reactants.items():
                net[s] = net.get(s, 0.0) - n
            for s, n in reaction.products.items():
                net[s] = net.get(s, 0.0) + n
            table[reaction.name] = {s: n for s, n in net.items() if n != 0}
        return table

    def parameter_values(self) -> dict[str, float]:
        """Parameter name -> declared (typical) value."""
        return {p.name: p.value for p in self.parameters}

    def expression(self, text: str, where: str) -> Expression:
        """Parse an expression and check that it reads only this model's symbols."""
        expr = parse_expression(text, where)
        unknown = sorted(s for s in expr.symbols if s != TIME_SYMBOL and s not in self._index)
        if unknown:
            raise ModelError(f"{where}: unknown symbol {unknown[0]!r} in {text!r}")
        return expr


# -- validation: one function per rule, each yields messages ------------------------------

Index = Mapping[str, tuple[ElementKind, object, str]]


def _elements(module: Module) -> list[tuple[ElementKind, Sequence[Any]]]:
    return [
        ("compartment", module.compartments),
        ("species", module.species),
        ("parameter", module.parameters),
        ("reaction", module.reactions),
        ("rule", module.rules),
        ("event", module.events),
    ]


def _combined(problems: list[str]) -> ModelError:
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return ModelError(problems[0] + more)


def _check_names(index: Index, units: dict[str, Unit]) -> Iterable[str]:
    for name, (kind, _, module) in index.items():
        if not name.isidentifier() or keyword.iskeyword(name) or name in _RESERVED:
            yield (
                f"{kind} name {name!r} in module {module!r} is not allowed: use letters, digits "
                f"and _ and avoid reserved words ({', '.join(sorted(_RESERVED))})"
            )


def _check_numbers(index: Index, units: dict[str, Unit]) -> Iterable[str]:
    for name, (kind, item, module) in index.items():
        value = {
            "compartment": getattr(item, "size", None),
            "species": getattr(item, "initial", None),
            "parameter": getattr(item, "value", None),
        }.get(kind)
        if value is None:
            continue
        if not isinstance(value, int | float) or not math.isfinite(value):
            yield f"{kind} {name!r} in module {module!r} has a non-finite value {value!r}"
        elif kind == "compartment" and value <= 0:
            yield f"compartment {name!r} in module {module!r} must have a positive size"
        elif kind == "species" and value < 0:
            yield f"species {name!r} in module {module!r} has a negative initial value"


def _check_sources(index: Index, units: dict[str, Unit]) -> Iterable[str]:
    for name, (kind, item, module) in index.items():
        if (
            kind in ("compartment", "species", "parameter")
            and not str(getattr(item, "source", "")).strip()
        ):
            yield (
                f"{kind} {name!r} in module {module!r} has no source: give a citation, label, "
                "textbook, reference-table id, or 'calibrated: <to what>'"
            )


def _check_units(index: Index, units: dict[str, Unit]) -> Iterable[str]:
    for name, (kind, item, module) in index.items():
        if kind not in ("compartment", "species", "parameter", "rule"):
            continue
        text = str(getattr(item, "unit", ""))
        try:
            units[name] = parse_unit(text)
        except ModelError as err:
            yield f"{kind} {name!r} in module {module!r}: {err}"
            continue
        if kind == "compartment" and units[name].dims != {"L": 1}:
            yield f"compartment {name!r} in module {module!r} needs a volume unit, got {text!r}"
        if kind == "species":
            species = item
            assert isinstance(species, Species)
            if index.get(species.compartment, ("",))[0] != "compartment":
                yield (
                    f"species {name!r} in module {module!r} names unknown compartment "
                    f"{species.compartment!r}"
                )
            elif units[name].volume_exponent not in (0, -1):
                yield f"species {name!r} has unit {text!r}: use an amount or an amount per volume"


def _symbol_problems(
    index: Index, text: str, where: str, readable: set[ElementKind]
) -> tuple[Expression | None, list[str]]:
    try:
        expr = parse_expression(text, where)
    except ModelError as err:
        return None, [str(err)]
    problems = []
    for symbol in sorted(expr.symbols):
        if symbol == TIME_SYMBOL:
            continue
        kind = index.get(symbol, (None,))[0]
        if kind is None:
            problems.append(f"{where}: unknown symbol {symbol!r} in {text!r}")
        elif kind not in readable:
            problems.append(f"{where}: {symbol!r} is a {kind} and cannot be read in {text!r}")
    return expr, problems


_READABLE: set[ElementKind] = {"compartment", "species", "parameter", "rule"}


def _check_symbols(index: Index, units: dict[str, Unit]) -> Iterable[str]:
    for name, (kind, item, module) in index.items():
        where = f"{kind} {name!r} in module {module!r}"
        if isinstance(item, Reaction):
            yield from _symbol_problems(index, item.rate, where, _READABLE)[1]
            for species in (*item.reactants, *item.products):
                if index.get(species, ("",))[0] != "species":
                    yield f"{where}: {species!r} is not a species"
                elif getattr(index[species][1], "constant", False):
                    yield f"{where}: {species!r} is a constant species and cannot react"
            for s, n in (*item.reactants.items(), *item.products.items()):
                if not (isinstance(n, int | float) and math.isfinite(n) and n > 0):
                    yield f"{where}: stoichiometry of {s!r} must be a positive number, got {n!r}"
            if item.compartment is not None and (
                index.get(item.compartment, ("",))[0] != "compartment"
            ):
                yield f"{where}: compartment {item.compartment!r} is not a compartment"
        elif isinstance(item, Rule):
            yield from _symbol_problems(index, item.expression, where, _READABLE)[1]
        elif isinstance(item, Event):
            yield from _symbol_problems(index, item.trigger, where, _READABLE)[1]
            for target, text in item.assignments.items():
                if index.get(target, ("",))[0] not in ("species", "parameter"):
                    yield f"{where}: assignment target {target!r} is not a species or parameter"
                yield from _symbol_problems(index, text, where, _READABLE)[1]


def _reaction_compartment(
    reaction: Reaction, index: Index, units: Mapping[str, Unit]
) -> str | None:
    """The compartment whose size turns the rate into a flux, or None for amount rates.

    An explicit ``compartment`` wins. Otherwise a rate already in substance per
    day (for every participant) is a flux; else the participants must share one
    compartment, in which the rate is a concentration per day.
    """
    if reaction.compartment is not None:
        return reaction.compartment
    participants = [*reaction.reactants, *reaction.products]
    if not participants:
        raise ModelError(f"reaction {reaction.name!r} has no reactants or products")
    where = f"reaction {reaction.name!r}"
    rate_unit = infer_unit(parse_expression(reaction.rate, where), units, where)
    species = [index[s][1] for s in participants]
    if all(rate_unit == _substance_unit(s, units) / DAY for s in species):  # type: ignore[arg-type]
        return None
    compartments = {s.compartment for s in species}  # type: ignore[attr-defined]
    if len(compartments) > 1:
        raise ModelError(
            f"{where} spans compartments {sorted(compartments)}: set compartment= to say in "
            "which volume its rate is a concentration per day, or give the rate in amount per day"
        )
    return compartments.pop()


def _substance_unit(species: Species, units: Mapping[str, Unit]) -> Unit:
    unit = units[species.name]
    return unit * units[species.compartment] if unit.volume_exponent == -1 else unit


def _check_unit_consistency(index: Index, units: dict[str, Unit]) -> Iterable[str]:
    for name, (kind, item, module) in index.items():
        where = f"{kind} {name!r} in module {module!r}"
        try:
            if isinstance(item, Rule):
                got = infer_unit(parse_expression(item.expression, where), units, where)
                if got != units[name]:
                    yield f"{where}: expression has unit [{got}], the rule declares [{item.unit}]"
            elif isinstance(item, Reaction):
                rate_unit = infer_unit(parse_expression(item.rate, where), units, where)
                compartment = _reaction_compartment(item, index, units)
                volume = DIMENSIONLESS if compartment is None else units[compartment]
                flux = rate_unit * volume
                for s in (*item.reactants, *item.products):
                    species = index[s][1]
                    assert isinstance(species, Species)
                    expected = _substance_unit(species, units) / DAY
                    if flux != expected:
                        want = expected / volume
                        yield (
                            f"{where}: rate {item.rate!r} has unit [{rate_unit}] but species "
                            f"{s!r} needs [{want}]"
                        )
                        break
            elif isinstance(item, Event):
                trigger = parse_expression(item.trigger, where)
                infer_unit(trigger, units, where)
                if not _is_boolean(trigger):
                    yield f"{where}: trigger {item.trigger!r} must be a comparison"
                for target, text in item.assignments.items():
                    got = infer_unit(parse_expression(text, where), units, where)
                    if got != units[target] and not _is_bare_number(text):
                        yield (
                            f"{where}: assignment to {target!r} has unit [{got}], "
                            f"needs [{units[target]}]"
                        )
        except ModelError as err:
            yield str(err)


def _is_boolean(expr: Expression) -> bool:
    import ast

    return isinstance(expr.tree, ast.Compare | ast.BoolOp) or (
        isinstance(expr.tree, ast.UnaryOp) and isinstance(expr.tree.op, ast.Not)
    )


def _is_bare_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_rule_targets(index: Index, units: dict[str, Unit]) -> Iterable[str]:
    try:
        _rule_order(index)
    except ModelError as err:
        yield str(err)


def _rule_order(index: Index) -> tuple[str, ...]:
    rules = {n: item for n, (k, item, _) in index.items() if k == "rule"}
    deps = {
        n: {s for s in parse_expression(r.expression).symbols if s in rules}  # type: ignore[attr-defined]
        for n, r in rules.items()
    }
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> None:
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            cycle = " -> ".join([*path[path.index(n) :], n])
            raise ModelError(f"rules depend on each other in a cycle: {cycle}")
        state[n] = 1
        for d in sorted(deps[n]):
            visit(d, [*path, n])
        state[n] = 2
        order.append(n)

    for n in rules:
        visit(n, [])
    return tuple(order)


_CHECKS: tuple[Callable[[Index, dict[str, Unit]], Iterable[str]], ...] = (
    _check_names,
    _check_numbers,
    _check_sources,
    _check_units,
    _check_symbols,
    _check_rule_targets,
    _check_unit_consistency,
)
