"""Drug declarations as data: values with units and sources, PK structure, mechanism.

Nothing here integrates anything. A :class:`Drug` holds its pharmacokinetic
structure (:class:`PKModel`), its mechanism as a list of typed :class:`Effect`
objects on named immune targets, and its label regimens in the regimen
language of :mod:`immunetwin.drugs.regimen`. :mod:`immunetwin.drugs._pk`
turns a :class:`PKModel` into an immunetwin :class:`~immunetwin.Module`.

Values are declared in the unit of their source (``Quantity(12, "mL/h", ...)``)
and converted to the model's units (L, L/day, 1/day, mg) when the module is
built, so a declaration reads like the paper it comes from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from immunetwin._errors import ModelError
from immunetwin._units import parse_unit

__all__ = [
    "CellProduct",
    "Drug",
    "Effect",
    "EffectKind",
    "PKModel",
    "Quantity",
    "Route",
    "RouteName",
    "TimeVaryingClearance",
]

RouteName = Literal["iv", "sc", "oral", "im"]

EffectKind = Literal[
    "neutralise",
    "block_receptor",
    "deplete",
    "inhibit_signalling",
    "inhibit_proliferation",
    "agonise",
    "partial_agonise",
    "saturate",
    "replace",
    "block_migration",
    "expand",
    "suppress_production",
]


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, its source and, optionally, its variability across people.

    Attributes:
        value: The typical (median) value, in ``unit``.
        unit: Unit as the source states it, e.g. ``"mL/h"``, ``"L/kg"``, ``"1/h"``.
        source: Citation (label, paper), ``calibrated: <to what>``, or a
            statement that the value is unconfirmed.
        cv: Inter-individual coefficient of variation (log-normal), or None.
        cv_source: Where the CV comes from.
    """

    value: float
    unit: str
    source: str
    cv: float | None = None
    cv_source: str = ""

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ModelError(f"quantity value must be finite, got {self.value!r}")
        if not self.source.strip():
            raise ModelError(f"quantity {self.value} {self.unit} has no source")
        parse_unit(self.unit)  # fail early on a unit typo

    def to(self, unit: str, reference_weight_kg: float | None = None) -> float:
        """This value in ``unit``.

        A per-kilogram value (``L/kg``) converts to a total (``L``) when a
        reference body weight is given.

        Args:
            unit: Target unit.
            reference_weight_kg: Body weight (kg) that multiplies per-kg values.

        Raises:
            ModelError: If the units measure different things.
        """
        source, target = parse_unit(self.unit), parse_unit(unit)
        if source.same_dimension(target):
            return self.value * source.scale / target.scale
        per_kg = source * parse_unit("kg")
        if reference_weight_kg is not None and per_kg.same_dimension(target):
            return self.value * reference_weight_kg * per_kg.scale / target.scale
        raise ModelError(f"cannot convert {self.value} {self.unit} to {unit}")

    def text(self) -> str:
        """Human-readable value and unit, e.g. ``12 mL/h``."""
        return f"{self.value:g} {self.unit}"


@dataclass(frozen=True)
class Route:
    """One way of giving the drug.

    Attributes:
        name: ``iv``, ``sc``, ``oral`` or ``im``.
        bioavailability: Fraction of the dose reaching the circulation
            (dimensionless); None for IV (complete).
        absorption_rate: First-order absorption rate constant (1/time); None for IV.
        lag_time: Absorption lag (time): doses enter the depot this much later.
            Applied to the schedule with its typical value (no variability).
        infusion_duration: Usual IV infusion duration (time); None means an IV bolus.
    """

    name: RouteName
    bioavailability: Quantity | None = None
    absorption_rate: Quantity | None = None
    lag_time: Quantity | None = None
    infusion_duration: Quantity | None = None

    def __post_init__(self) -> None:
        if self.name == "iv":
            if self.bioavailability is not None or self.absorption_rate is not None:
                raise ModelError("an IV route has no bioavailability or absorption rate")
        elif self.bioavailability is None or self.absorption_rate is None:
            raise ModelError(f"route {self.name!r} needs a bioavailability and absorption rate")


@dataclass(frozen=True)
class TimeVaryingClearance:
    """Clearance that changes with time since the first dose (sigmoid Emax of time).

    ``CL(t) = CL * exp(max_log_change * t**hill / (t50**hill + t**hill))``, the
    form of Bajaj et al. 2017 (nivolumab) and Almquist et al. 2022 (anifrolumab).
    Time is the model's time, so treatment is assumed to start at day 0.

    Attributes:
        max_log_change: Maximal change in log(CL) (dimensionless; negative = falls).
        time_to_half: Time at which half the change has happened.
        hill: Sigmoidicity (dimensionless).
    """

    max_log_change: Quantity
    time_to_half: Quantity
    hill: Quantity


@dataclass(frozen=True)
class PKModel:
    """Pharmacokinetic structure and parameters of a drug (or its active moiety).

    One or two compartments with linear clearance, optional saturable
    (Michaelis-Menten, target-mediated) elimination, any number of routes, and
    covariates: allometric body weight, sex, and an effect compartment for
    drugs whose action lags their plasma concentration.

    Attributes:
        clearance: Linear clearance CL at the reference covariates (volume/time,
            or volume/time/kg).
        central_volume: Central volume Vc (volume, or volume/kg).
        routes: Routes the drug is given by; the first is the default.
        peripheral_volume: Peripheral volume Vp for a two-compartment model.
        intercompartmental_clearance: Q between central and peripheral (volume/time).
        saturable_vmax: Maximal rate of saturable elimination (mass/time).
        saturable_km: Concentration of half-maximal saturable elimination (mass/volume).
        reference_weight: Body weight at which the typical values hold (kg).
        clearance_weight_exponent: Allometric exponent of weight on CL and Q.
        volume_weight_exponent: Allometric exponent of weight on Vc and Vp.
        female_clearance_factor: CL in women relative to men (dimensionless).
        female_volume_factor: Vc in women relative to men (dimensionless).
        time_varying_clearance: Change of CL with time on treatment, or None.
        effect_half_life: Half-life of an effect compartment (time) linking
            plasma concentration to a delayed effect (polyglutamates, 6-TGN).
        active_moiety: What the model's concentration measures, when it is not
            the dosed compound (e.g. ``"prednisolone"`` for prednisone).
        dose_to_active: Mass of active moiety per mass dosed (molecular-weight
            ratio of a prodrug or salt, times the fraction converted).
        molecular_weight: Molar mass of the active moiety (g/mol), to convert
            potencies given in molar units.
        units_per_mg: Biological activity per mg (IU/mg) for drugs dosed in IU.
        concentration_unit: Unit in which documentation reports concentrations.
        notes: What the model leaves out.
    """

    clearance: Quantity
    central_volume: Quantity
    routes: tuple[Route, ...]
    peripheral_volume: Quantity | None = None
    intercompartmental_clearance: Quantity | None = None
    saturable_vmax: Quantity | None = None
    saturable_km: Quantity | None = None
    reference_weight: Quantity = field(
        default_factory=lambda: Quantity(70.0, "kg", "conventional reference adult (70 kg)")
    )
    clearance_weight_exponent: Quantity | None = None
    volume_weight_exponent: Quantity | None = None
    female_clearance_factor: Quantity | None = None
    female_volume_factor: Quantity | None = None
    time_varying_clearance: TimeVaryingClearance | None = None
    effect_half_life: Quantity | None = None
    active_moiety: str = ""
    dose_to_active: Quantity | None = None
    molecular_weight: Quantity | None = None
    units_per_mg: Quantity | None = None
    concentration_unit: str = "mg/L"
    notes: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "routes", tuple(self.routes))
        if not self.routes:
            raise ModelError("a PK model needs at least one route")
        names = [r.name for r in self.routes]
        if len(set(names)) != len(names):
            raise ModelError(f"routes must be distinct, got {names}")
        if (self.peripheral_volume is None) != (self.intercompartmental_clearance is None):
            raise ModelError("a two-compartment model needs both peripheral_volume and Q")
        if (self.saturable_vmax is None) != (self.saturable_km is None):
            raise ModelError("saturable elimination needs both vmax and km")

    @property
    def compartments(self) -> int:
        """1 or 2."""
        return 1 if self.peripheral_volume is None else 2

    def route(self, name: str) -> Route:
        """The route called ``name``.

        Raises:
            ModelError: If the drug is not given that way.
        """
        for route in self.routes:
            if route.name == name:
                return route
        allowed = ", ".join(r.name.upper() for r in self.routes)
        raise ModelError(f"route {name.upper()} is not declared for this drug (allowed: {allowed})")


@dataclass(frozen=True)
class Effect:
    """One mechanism of action: what the drug does to a named immune target.

    Attributes:
        target: Name of the immune-model quantity or process acted on (a
            cytokine such as ``tnf``, a cell population, a receptor, a pathway).
        kind: What happens to it (neutralise, block_receptor, deplete...).
        potency: Concentration of half-maximal effect (EC50/IC50/Kd), with unit
            and source, or None when not established.
        knob: The immune-model parameter this effect would modulate, when one
            exists: a knob (``immunetwin.immune.KNOBS``, 1 in health) or a drug-target
            hook (``immunetwin.immune.DRUG_TARGETS``: ``tnf_free_fraction``,
            ``cd20_depletion_rate``...). The mechanism half redefines it as a rule of
            the drug's concentration through ``Model.with_modules(..., replace=[knob])``.
        description: The mechanism in words.
        source: Where the mechanism comes from.
    """

    target: str
    kind: EffectKind
    description: str
    source: str
    potency: Quantity | None = None
    knob: str | None = None


@dataclass(frozen=True)
class CellProduct:
    """Cellular kinetics of an infused cell therapy (doses in cells or cells/kg).

    Either the infused cells join a pool of the immune model (``pool``: adoptive Tregs
    become part of ``treg`` and share its turnover), or they have kinetics of their
    own: activated by the infusion, effector cells run a proliferation programme that
    fades (``programme_half_life``; T-cell expansion continues as a programme once
    triggered, Kaech & Ahmed Nat Immunol 2001;2:415) and proliferate only while they
    meet their antigen; they then contract (die or become memory), and memory cells
    persist. Infused cells distribute like
    lymphocytes: 98% in the lymphoid compartment, whose cell densities are the model's
    body pools (a dose of N cells adds N / lymphoid volume).

    ``conditioning_survival`` declares a lymphodepleting conditioning (fludarabine and
    cyclophosphamide before CAR-T): over ``conditioning_days`` from the infusion, every
    lymphocyte pool of the model is removed at the rate that leaves this fraction.

    Attributes:
        pool: Model species the cells join (cells/uL of lymphoid tissue), or None.
        expansion_rate: Maximal proliferation of effector cells meeting antigen (1/time).
        programme_half_life: Half-life of the proliferation programme started by the
            infusion (time).
        antigen: Model quantity (cells/uL of lymphoid tissue) whose cells drive expansion.
        antigen_half_saturation: Antigen level of half-maximal expansion.
        effector_death_rate: Death of effector cells (1/time; contraction).
        memory_formation_rate: Effector-to-memory conversion (1/time).
        memory_death_rate: Loss of memory cells (1/time; persistence).
        conditioning_survival: Share of lymphocytes surviving conditioning, or None.
        conditioning_days: Duration over which conditioning acts (time).
        notes: What the model leaves out.
    """

    pool: str | None = None
    expansion_rate: Quantity | None = None
    programme_half_life: Quantity | None = None
    antigen: str = ""
    antigen_half_saturation: Quantity | None = None
    effector_death_rate: Quantity | None = None
    memory_formation_rate: Quantity | None = None
    memory_death_rate: Quantity | None = None
    conditioning_survival: Quantity | None = None
    conditioning_days: Quantity | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        kinetics = (
            self.expansion_rate,
            self.programme_half_life,
            self.antigen_half_saturation,
            self.effector_death_rate,
            self.memory_formation_rate,
            self.memory_death_rate,
        )
        if self.pool is None and (any(q is None for q in kinetics) or not self.antigen):
            raise ModelError(
                "a cell product without a pool needs expansion_rate, programme_half_life, "
                "antigen, "
                "antigen_half_saturation, effector_death_rate, memory_formation_rate and "
                "memory_death_rate"
            )
        if self.pool is not None and any(q is not None for q in kinetics):
            raise ModelError("a cell product that joins a pool has no kinetics of its own")
        if (self.conditioning_survival is None) != (self.conditioning_days is None):
            raise ModelError("conditioning needs both a surviving share and a duration")
        if self.conditioning_survival is not None:
            share = self.conditioning_survival.to("dimensionless")
            if not 0.0 < share < 1.0:
                raise ModelError(f"conditioning survival must be in (0, 1), got {share}")


@dataclass(frozen=True)
class Drug:
    """A drug as data: PK, mechanism, label regimens and sources.

    Attributes:
        name: Identifier used in regimens and model names (``interferon_beta_1a``).
        display_name: Name for people.
        drug_class: Pharmacological class.
        pk: Pharmacokinetic model, or None for a cell therapy or when not modelled yet.
        mechanism: Typed effects on immune targets.
        label_regimens: Label dosing in the regimen language.
        label_half_life: The half-life the label (or reference table) states, for docs.
        aliases: Other names accepted in regimens (``prednisolone``, ``mtx``).
        pk_note: Why PK is missing, when it is.
        sources: Main references.
        cells: Cellular kinetics of a cell therapy (its doses are in cells).
    """

    name: str
    display_name: str
    drug_class: str
    pk: PKModel | None
    mechanism: tuple[Effect, ...]
    label_regimens: tuple[str, ...]
    label_half_life: str
    aliases: tuple[str, ...] = ()
    pk_note: str = ""
    sources: tuple[str, ...] = ()
    cells: CellProduct | None = None

    def __post_init__(self) -> None:
        for attr in ("mechanism", "label_regimens", "aliases", "sources"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        if not self.name.isidentifier():
            raise ModelError(f"drug name {self.name!r} must be an identifier")
        if self.pk is not None and self.cells is not None:
            raise ModelError(f"drug {self.name!r}: a cell therapy has cell kinetics, not PK")
        if self.pk is None and self.cells is None and not self.pk_note:
            raise ModelError(f"drug {self.name!r} has no PK model: say why in pk_note")
