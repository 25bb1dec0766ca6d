"""Regimens as data: a small text language, a pydantic model, and dosing schedules.

A regimen reads like a prescription::

    belimumab 10 mg/kg IV on days 0, 14, 28 then every 28 days
    adalimumab 40 mg SC every 14 days
    methotrexate 15 mg weekly                          (route: the drug's first, oral)
    prednisone 30 mg daily tapering to 5 mg over 12 weeks
    ocrelizumab 300 mg IV on days 0, 14 then 600 mg every 24 weeks
    infliximab 5 mg/kg IV over 2 h at weeks 0, 2, 6 then every 8 weeks
    tofacitinib 5 mg twice daily, adherence 80%
    methotrexate 15 mg weekly, averaged

``then`` separates phases. A phase without a dose or schedule inherits them
from the phase before; ``then every N`` after explicit days starts N after the
last listed day. See ``docs/regimens.md`` for the full grammar.

:meth:`Regimen.parse` gives a validated :class:`Regimen`; :meth:`Regimen.text`
writes it back in canonical form (``parse(r.text()) == r``). With a patient's
covariates and a horizon, :meth:`Regimen.doses` lists the doses (weight- and
BSA-based amounts, adherence drawn from the patient's own generator) and
:func:`regimen_schedule` turns one or more regimens into an
:class:`immunetwin.Schedule` of exact jumps into the drugs' depot or central
species. IV infusions are zero-order inputs: the schedule sets
``<drug>_infusion_rate`` at the start of each infusion and back at its end.

An ``averaged`` regimen spreads each dose evenly over its dosing gap (a zero-order
input into the depot, or the central compartment for IV doses) instead of giving it
at once. Every dose still restarts the solver when given as a jump (weekly
methotrexate made an RA patient-year ~6x dearer, docs/trials.md); averaged, the input
only changes when the dose does. It keeps the drug's mean exposure and removes its
peaks, so it is allowed only for drugs whose effects follow an effect compartment at
least :data:`AVERAGING_MIN_HALF_LIVES` dosing gaps slow (methotrexate's polyglutamates:
21 days against a 7-day gap), and plasma concentrations then read as their mean; or,
without an effect compartment, whose plasma level swings at steady state by no more
than :data:`AVERAGING_MAX_SWING` of its mean (hydroxychloroquine daily).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from immunetwin._errors import ModelError, SpecError
from immunetwin.drugs._declarations import Drug, Route, RouteName
from immunetwin.drugs._pk import BODY_WEIGHT, SEX_FEMALE, species_names, steady_state_swing
from immunetwin.engine import Schedule, StateChange

__all__ = [
    "AVERAGING_MAX_SWING",
    "AVERAGING_MIN_HALF_LIVES",
    "Dose",
    "DoseEvent",
    "PatientCovariates",
    "Phase",
    "Regimen",
    "parse_regimen",
    "regimen_schedule",
]

DoseUnit = Literal[
    "mg",
    "g",
    "ug",
    "mg/kg",
    "g/kg",
    "ug/kg",
    "mg/m2",
    "ug/m2",
    "IU",
    "MIU",
    "IU/kg",
    "MIU/m2",
    "cells",
    "cells/kg",
]

# unit -> (mg per unit before scaling, scaled by: None, "kg" or "m2"); IU handled apart.
_MASS_UNITS: dict[str, tuple[float, str | None]] = {
    "mg": (1.0, None),
    "g": (1000.0, None),
    "ug": (1e-3, None),
    "mg/kg": (1.0, "kg"),
    "g/kg": (1000.0, "kg"),
    "ug/kg": (1e-3, "kg"),
    "mg/m2": (1.0, "m2"),
    "ug/m2": (1e-3, "m2"),
}
_IU_UNITS: dict[str, tuple[float, str | None]] = {
    "IU": (1.0, None),
    "MIU": (1e6, None),
    "IU/kg": (1.0, "kg"),
    "MIU/m2": (1e6, "m2"),
}

_FROZEN = ConfigDict(frozen=True, extra="forbid")

# An averaged regimen needs effects that follow an effect compartment whose half-life is
# at least this many dosing gaps. A short-lived plasma peak reaches the effect site as
# an impulse, after which it decays first-order: at 2 gaps the effect-site concentration
# swings from 16% below to 18% above its mean at steady state, which averaging removes;
# methotrexate (21 days, 7-day gap) swings from 11% below to 12% above.
AVERAGING_MIN_HALF_LIVES = 2.0
# A drug without an effect compartment acts on its plasma concentration: averaging is
# allowed where that swings no more at steady state than the effect site of the rule
# above. For first-order decay the swing (peak minus trough over the mean) is k times
# the gap, so the limit is ln 2 / AVERAGING_MIN_HALF_LIVES = 0.35 (the plasma level
# within ~16% below and ~18% above its mean). Hydroxychloroquine daily swings 1%
# (45-day half-life), adalimumab 40 mg every 14 days 28%; prednisone and mycophenolate
# swing several-fold (_pk.steady_state_swing).
AVERAGING_MAX_SWING = math.log(2.0) / AVERAGING_MIN_HALF_LIVES

# Cell products are infused as a bolus (over minutes; the model's days make it instant).
_CELL_INFUSION = Route("iv")


def _fmt(x: float) -> str:
    """A number as the shortest text that reads back to the same float."""
    return repr(float(x)).removesuffix(".0") if float(x).is_integer() else repr(float(x))


class PatientCovariates(BaseModel):
    """What dosing and PK need to know about a patient.

    Attributes:
        weight_kg: Body weight (kg).
        height_cm: Height (cm), for body-surface area.
        sex: ``female`` or ``male`` (the reference subject of most popPK models is male).
        bsa_m2: Body-surface area (m2); default from weight and height (Mosteller).
    """

    model_config = _FROZEN

    weight_kg: float = Field(default=70.0, gt=0, le=500, allow_inf_nan=False)
    height_cm: float = Field(default=170.0, gt=30, le=260, allow_inf_nan=False)
    sex: Literal["female", "male"] = "male"
    bsa_m2: float | None = Field(default=None, gt=0, le=5, allow_inf_nan=False)

    @property
    def body_surface_area_m2(self) -> float:
        """BSA (m2): given, or Mosteller's sqrt(height_cm * weight_kg / 3600)."""
        if self.bsa_m2 is not None:
            return self.bsa_m2
        return math.sqrt(self.height_cm * self.weight_kg / 3600.0)

    def model_parameters(self) -> dict[str, float]:
        """Parameter values for the covariate module (``body_weight``, ``sex_female``)."""
        return {BODY_WEIGHT: self.weight_kg, SEX_FEMALE: 1.0 if self.sex == "female" else 0.0}


class Dose(BaseModel):
    """An amount in a dosing unit (``10 mg/kg``, ``1000 mg``, ``1 MIU``).

    Attributes:
        amount: The number (>= 0; 0 only as a taper end).
        unit: One of the dosing units (mg, g, ug, mg/kg, mg/m2, IU, MIU, cells...).
    """

    model_config = _FROZEN

    amount: float = Field(ge=0, allow_inf_nan=False)
    unit: DoseUnit

    def text(self) -> str:
        """E.g. ``10 mg/kg``."""
        return f"{_fmt(self.amount)} {self.unit}"

    def in_mg(self, drug: Drug, covariates: PatientCovariates) -> float:
        """This dose in mg of the dosed compound for this patient.

        For a cell therapy the amount is a count of cells.

        Raises:
            SpecError: If the unit cannot be converted for this drug (IU without
                a declared activity, cells for a drug that is not a cell therapy, mass
                for one that is).
        """
        return self.amount * self.mg_per_unit(drug, covariates)

    def mg_per_unit(self, drug: Drug, covariates: PatientCovariates) -> float:
        """Mg (cells for a cell therapy) per unit of this dose for this patient."""
        if self.unit in _MASS_UNITS and drug.cells is not None:
            raise SpecError(f"{drug.name} is a cell therapy: give its dose in cells or cells/kg")
        if self.unit in _MASS_UNITS:
            factor, per = _MASS_UNITS[self.unit]
        elif self.unit in _IU_UNITS:
            factor, per = _IU_UNITS[self.unit]
            activity = drug.pk.units_per_mg if drug.pk else None
            if activity is None:
                raise SpecError(
                    f"{drug.name} has no declared activity in IU/mg: give its dose in mg"
                )
            factor /= activity.to("IU/mg")
        elif drug.cells is not None:
            factor, per = 1.0, ("kg" if self.unit == "cells/kg" else None)
        else:
            raise SpecError(
                f"{drug.name}: doses in {self.unit} are for cell therapies; give its dose in mg"
            )
        if per == "kg":
            factor *= covariates.weight_kg
        elif per == "m2":
            factor *= covariates.body_surface_area_m2
        return factor


class Phase(BaseModel):
    """One stretch of a regimen: a dose (or doses), a route, and when.

    Exactly one of ``days`` (explicit dose days) and ``every_days`` (a
    repeating interval) is set.

    Attributes:
        doses: One dose, or one per explicit day.
        route: ``iv``, ``sc``, ``oral`` or ``im``.
        infusion_hours: IV infusion duration (h); None uses the drug's label duration.
        bolus: IV bolus (no infusion).
        days: Explicit dose days, counted from the regimen start.
        every_days: Dosing interval (days) of a repeating phase.
        offsets_days: Dose times within each interval (three times weekly: 0, 2, 4).
        for_days: Length of a repeating phase (days).
        for_doses: Number of doses of a repeating phase.
        taper_to: Dose reached at the end of a linear taper.
        taper_days: Taper length (days); the dose then stays at ``taper_to``.
        taper_step: Round tapering doses to multiples of this.
        time_unit: Whether the text states times in days or weeks (display only).
    """

    model_config = _FROZEN

    doses: tuple[Dose, ...] = Field(min_length=1)
    route: RouteName
    infusion_hours: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    bolus: bool = False
    days: tuple[float, ...] | None = None
    every_days: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    offsets_days: tuple[float, ...] = (0.0,)
    for_days: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    for_doses: int | None = Field(default=None, gt=0)
    taper_to: Dose | None = None
    taper_days: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    taper_step: Dose | None = None
    time_unit: Literal["days", "weeks"] = "days"

    @model_validator(mode="after")
    def _consistent(self) -> Phase:
        if (self.days is None) == (self.every_days is None):
            raise ValueError("a phase needs either explicit days or an interval")
        if self.days is not None:
            if not self.days or any(d < 0 or not math.isfinite(d) for d in self.days):
                raise ValueError("dose days must be numbers >= 0")
            if list(self.days) != sorted(set(self.days)):
                raise ValueError("dose days must be increasing")
            if len({d.unit for d in self.doses}) > 1:
                raise ValueError("doses listed for several days must share one unit")
            if len(self.doses) not in (1, len(self.days)):
                raise ValueError(
                    f"{len(self.doses)} doses for {len(self.days)} days: "
                    "give one dose or one per day"
                )
            if self.taper_to or self.for_days or self.for_doses:
                raise ValueError("tapers and 'for' durations need a repeating schedule")
        elif len(self.doses) != 1:
            raise ValueError("a repeating schedule takes one dose")
        if self.every_days is not None and any(
            not 0 <= o < self.every_days for o in self.offsets_days
        ):
            raise ValueError("offsets must lie within the interval")
        if (self.taper_to is None) != (self.taper_days is None):
            raise ValueError("a taper needs a target dose and a duration")
        if self.taper_step is not None and self.taper_to is None:
            raise ValueError("'in steps of' needs a taper")
        if self.route != "iv" and (self.infusion_hours is not None or self.bolus):
            raise ValueError("infusion duration and bolus apply to IV doses only")
        if self.for_days is not None and self.for_doses is not None:
            raise ValueError("give 'for N days' or 'for N doses', not both")
        if self.time_unit == "weeks" and not self._weeks_expressible():
            object.__setattr__(self, "time_unit", "days")  # display only: normalise
        return self

    def _weeks_expressible(self) -> bool:
        """True when the text of this phase can state some time in weeks."""
        if self.days is not None:
            return True
        named = self.every_days in (0.5, 1.0, 7.0) or self.offsets_days != (0.0,)
        spans = [self.for_days, self.taper_days]
        if not named and self.every_days is not None:
            spans.append(self.every_days)
        return any(x is not None and x % 7.0 == 0.0 for x in spans)

    @property
    def dosing_gap(self) -> float | None:
        """Mean days between doses of a repeating phase (interval over doses in it)."""
        return None if self.every_days is None else self.every_days / len(self.offsets_days)

    @property
    def bounded(self) -> bool:
        """True when the phase has an end a following phase can start from."""
        return (
            self.days is not None
            or self.for_days is not None
            or self.for_doses is not None
            or self.taper_days is not None
        )

    def text(self) -> str:
        """Canonical text of the phase (without the drug name)."""
        unit = self.doses[0].unit
        parts = [", ".join(_fmt(d.amount) for d in self.doses) + f" {unit}"]
        parts.append(self.route.upper() if self.route != "oral" else "oral")
        if self.bolus:
            parts.append("bolus")
        elif self.infusion_hours is not None:
            parts.append(f"over {_fmt(self.infusion_hours)} h")
        weeks = self.time_unit == "weeks"
        scale = 7.0 if weeks else 1.0
        if self.days == (0.0,) and not weeks:
            parts.append("once")
        elif self.days is not None:
            word = "at weeks" if weeks else "on days"
            parts.append(f"{word} " + ", ".join(_fmt(d / scale) for d in self.days))
        else:
            assert self.every_days is not None
            parts.append(_interval_text(self.every_days, self.offsets_days, weeks))
        if self.for_days is not None:
            parts.append(f"for {_span(self.for_days, weeks)}")
        if self.for_doses is not None:
            parts.append(f"for {self.for_doses} doses")
        if self.taper_to is not None and self.taper_days is not None:
            parts.append(f"tapering to {self.taper_to.text()} over {_span(self.taper_days, weeks)}")
            if self.taper_step is not None:
                parts.append(f"in steps of {self.taper_step.text()}")
        return " ".join(parts)


def _span(days: float, weeks: bool) -> str:
    """A duration as text, in weeks when the phase speaks in weeks and it is whole weeks."""
    if weeks and days % 7.0 == 0.0:
        return f"{_fmt(days / 7)} weeks"
    return f"{_fmt(days)} days"


def _interval_text(every: float, offsets: tuple[float, ...], weeks: bool) -> str:
    if every == 7.0 and offsets == (0.0, 2.0, 4.0):
        return "three times weekly"
    if every == 7.0 and offsets == (0.0, 3.5):
        return "twice weekly"
    if offsets != (0.0,):
        raise SpecError(f"cannot write offsets {offsets} in the regimen language")
    named = {0.5: "twice daily", 1.0: "daily", 7.0: "weekly"}
    if every in named:
        return named[every]
    if every < 1.0:
        return f"every {_fmt(every * 24)} hours"
    if weeks and every % 7.0 == 0.0:
        return f"every {_fmt(every / 7)} weeks"
    return f"every {_fmt(every)} days"


@dataclass(frozen=True)
class DoseEvent:
    """One dose of a patient's regimen.

    Attributes:
        time: When it is given (days from the simulation start).
        drug: Drug name.
        route: ``iv``, ``sc``, ``oral`` or ``im``.
        amount_mg: Amount of the dosed compound (mg; cells for a cell therapy).
        infusion_days: IV infusion duration (days); 0 for a bolus or extravascular dose.
        taken: False for a dose missed (adherence or an explicit skip).
        spread_days: For an averaged regimen, the dosing gap over which the dose is
            given as a constant input (days); 0 otherwise.
    """

    time: float
    drug: str
    route: RouteName
    amount_mg: float
    infusion_days: float
    taken: bool
    spread_days: float = 0.0


class Regimen(BaseModel):
    """A drug's dosing over time; build with :meth:`parse` or directly.

    Attributes:
        drug: Drug name (see :func:`immunetwin.drugs.drug_names`).
        phases: Phases in order.
        start_day: Day of the first dose relative to the simulation start.
        adherence: Probability that each dose is taken (0-1).
        skip_days: Regimen days on which doses are missed (every dose in [day, day + 1)).
        max_dose: Cap on a single dose (e.g. tocilizumab 800 mg).
        averaged: Give each dose as a constant input over its dosing gap (the
            phase's interval divided by its doses per interval) instead of at once.
    """

    model_config = _FROZEN

    drug: str
    phases: tuple[Phase, ...] = Field(min_length=1)
    start_day: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    adherence: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    skip_days: tuple[float, ...] = ()
    max_dose: Dose | None = None
    averaged: bool = False

    @model_validator(mode="after")
    def _phases_chain(self) -> Regimen:
        for i, phase in enumerate(self.phases[:-1]):
            if not phase.bounded:
                raise ValueError(
                    f"phase {i + 1} repeats without an end: add 'for N days/weeks/doses' "
                    "before 'then'"
                )
        if self.averaged and any(phase.every_days is None for phase in self.phases):
            raise ValueError(
                "an averaged regimen spreads each dose over its dosing interval: every "
                "phase needs a repeating schedule ('weekly', 'every N days'), not explicit days"
            )
        return self

    def dosing_gaps(self) -> tuple[float, ...]:
        """Each phase's mean gap between doses (days): its interval over its doses in it."""
        return tuple(p.dosing_gap for p in self.phases if p.dosing_gap is not None)

    # -- text ---------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Regimen:
        """Read a regimen from text (see the module docstring and docs/regimens.md).

        Raises:
            SpecError: One line naming what is wrong and what is allowed.
        """
        return parse_regimen(text)

    def text(self) -> str:
        """Canonical text; ``Regimen.parse(r.text()) == r``."""
        out = self.drug + " " + " then ".join(p.text() for p in self.phases)
        if self.start_day:
            out += f", starting day {_fmt(self.start_day)}"
        if self.max_dose is not None:
            out += f", max {self.max_dose.text()}"
        if self.adherence != 1.0:
            out += f", adherence {_fmt(self.adherence * 100)}%"
        if self.skip_days:
            out += ", skipping days " + ", ".join(_fmt(d) for d in self.skip_days)
        if self.averaged:
            out += ", averaged"
        return out

    def __str__(self) -> str:
        return self.text()

    # -- doses --------------------------------------------------------------------------
    def nominal_doses(self, until_day: float) -> list[tuple[float, Dose | TaperPoint, Phase]]:
        """Planned (time from regimen start, dose, phase) before ``until_day``, in order.

        Doses inside a taper are :class:`TaperPoint` objects, resolved to mg per
        patient (the two ends of a taper may be in different units, 1 mg/kg to 5 mg).
        """
        out: list[tuple[float, Dose | TaperPoint, Phase]] = []
        previous_end: float | None = None
        previous_last: float | None = None
        for index, phase in enumerate(self.phases):
            if phase.days is not None:
                doses = phase.doses if len(phase.doses) > 1 else phase.doses * len(phase.days)
                out.extend((t, d, phase) for t, d in zip(phase.days, doses, strict=True))
                previous_last = phase.days[-1]
                previous_end = None
                continue
            assert phase.every_days is not None
            every = phase.every_days
            if index == 0:
                start = 0.0
            elif previous_end is not None:
                start = previous_end
            else:
                assert previous_last is not None
                start = previous_last + every
            end = math.inf
            if phase.for_days is not None:
                end = start + phase.for_days
            elif phase.taper_days is not None and index < len(self.phases) - 1:
                end = start + phase.taper_days
            count = 0
            k = 0
            stop = False
            while not stop:
                for offset in phase.offsets_days:
                    t = start + k * every + offset
                    if t >= min(end, until_day) - 1e-9 or (
                        phase.for_doses is not None and count >= phase.for_doses
                    ):
                        stop = True
                        break
                    dose = _taper_dose(phase, t - start)
                    if dose is None:
                        stop = True
                        break
                    out.append((t, dose, phase))
                    count += 1
                k += 1
            if phase.for_doses is not None:
                per = len(phase.offsets_days)
                end = start + math.ceil(phase.for_doses / per) * every
            previous_end = end
            previous_last = None
        out.sort(key=lambda x: x[0])
        return [x for x in out if x[0] < until_day - 1e-9]

    def doses(
        self,
        drug: Drug,
        covariates: PatientCovariates,
        horizon_days: float,
        rng: np.random.Generator | None = None,
    ) -> list[DoseEvent]:
        """The patient's doses before ``horizon_days`` (simulation days).

        Args:
            drug: The drug's declaration (for routes, infusion durations, IU activity).
            covariates: Weight, BSA and sex of the patient.
            horizon_days: End of the simulation (days).
            rng: The patient's generator (``immunetwin.population.patient_rng``);
                needed when adherence < 1. One uniform number is drawn per
                planned dose, in time order, whether or not an earlier dose was
                missed, so the same seed gives the same missed doses.

        Raises:
            SpecError: If the drug does not match, a route is not declared, a
                unit cannot be converted, or adherence < 1 without a generator.
        """
        if drug.name != self.drug:
            raise SpecError(f"regimen is for {self.drug}, not {drug.name}")
        if drug.pk is None and drug.cells is None:
            raise SpecError(f"{drug.name}: PK not modelled ({drug.pk_note})")
        if self.adherence < 1.0 and rng is None:
            raise SpecError(
                "adherence below 100% needs the patient's random generator "
                "(immunetwin.population.patient_rng)"
            )
        planned = self.nominal_doses(horizon_days - self.start_day)
        draws = rng.random(len(planned)) if self.adherence < 1.0 and rng is not None else None
        cap = self.max_dose.in_mg(drug, covariates) if self.max_dose is not None else math.inf
        events = []
        for i, (t, dose, phase) in enumerate(planned):
            try:
                route = drug.pk.route(phase.route) if drug.pk is not None else _CELL_INFUSION
            except ModelError as err:
                raise SpecError(f"{self.drug}: {err}") from None
            if drug.pk is None and phase.route != "iv":
                raise SpecError(f"{self.drug}: cell therapies are given IV, not {phase.route}")
            amount = min(dose.in_mg(drug, covariates), cap)
            if amount <= 0.0:
                continue
            infusion = 0.0
            if phase.route == "iv" and not phase.bolus:
                if phase.infusion_hours is not None:
                    infusion = phase.infusion_hours / 24.0
                elif route.infusion_duration is not None:
                    infusion = route.infusion_duration.to("day")
            skipped = any(s <= t < s + 1.0 for s in self.skip_days)
            missed = draws is not None and draws[i] >= self.adherence
            spread = 0.0
            if self.averaged:
                assert phase.dosing_gap is not None  # the validator allows no explicit days
                spread = phase.dosing_gap
                infusion = 0.0
            events.append(
                DoseEvent(
                    time=self.start_day + t,
                    drug=self.drug,
                    route=phase.route,
                    amount_mg=amount,
                    infusion_days=infusion,
                    taken=not (skipped or missed),
                    spread_days=spread,
                )
            )
        return events


@dataclass(frozen=True)
class TaperPoint:
    """A dose inside a linear taper, resolved to mg for each patient.

    Attributes:
        start: Dose at the start of the taper.
        end: Dose at its end.
        fraction: How far along the taper (0-1).
        step: Round the resolved dose to multiples of this, or None.
    """

    start: Dose
    end: Dose
    fraction: float
    step: Dose | None

    def in_mg(self, drug: Drug, covariates: PatientCovariates) -> float:
        """The dose (mg) for this patient."""
        a, b = self.start.in_mg(drug, covariates), self.end.in_mg(drug, covariates)
        amount = a + (b - a) * self.fraction
        if self.step is not None and self.step.amount > 0:
            step = self.step.in_mg(drug, covariates)
            amount = math.floor(amount / step + 0.5 + 1e-9) * step
        return max(amount, 0.0)


def _taper_dose(phase: Phase, since_start: float) -> Dose | TaperPoint | None:
    """The dose ``since_start`` days into a phase; None once a taper to 0 has ended."""
    dose = phase.doses[0]
    if phase.taper_to is None or phase.taper_days is None:
        return dose
    fraction = min(since_start / phase.taper_days, 1.0)
    if fraction >= 1.0 and phase.taper_to.amount == 0.0:
        return None
    return TaperPoint(dose, phase.taper_to, fraction, phase.taper_step)


# -- parsing ------------------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_NUMLIST = rf"{_NUM}(?:\s*(?:,|and)\s*{_NUM})*"
_UNIT = (
    r"(?:million\s+iu|miu|iu|mg|mcg|ug|g|cells)"
    r"(?:\s*/\s*(?:kg|m2))?"
)
_DOSE = rf"(?P<amounts>{_NUMLIST})\s*(?P<unit>{_UNIT})\b"
_ROUTES = {
    "iv": "iv",
    "intravenous": "iv",
    "intravenously": "iv",
    "sc": "sc",
    "s.c.": "sc",
    "subcutaneous": "sc",
    "subcutaneously": "sc",
    "oral": "oral",
    "orally": "oral",
    "po": "oral",
    "by mouth": "oral",
    "im": "im",
    "intramuscular": "im",
    "intramuscularly": "im",
}
_ALLOWED_SCHEDULES = (
    "'on days 0, 14', 'at weeks 0, 2, 6', 'once', 'daily', 'twice daily', 'weekly', "
    "'three times weekly', 'every other day', 'every other week', 'every N hours/days/weeks'"
)
_EXPECTED = (
    "a dose (e.g. '10 mg/kg', '40 mg', '1 MIU'), a route (IV, SC, oral, IM), 'over N h', "
    f"'bolus', a schedule ({_ALLOWED_SCHEDULES}), 'for N days/weeks/doses', or "
    "'tapering to DOSE over N weeks [in steps of DOSE]'"
)

_FREQUENCIES: list[tuple[re.Pattern[str], float, tuple[float, ...]]] = [
    (re.compile(r"(?:twice daily|twice a day|bid|b\.i\.d\.)\b"), 0.5, (0.0,)),
    (re.compile(r"(?:three times daily|three times a day|tid)\b"), 1 / 3, (0.0,)),
    (
        re.compile(r"(?:three|3) times (?:a |per )?week(?:ly)?\b|tiw\b"),
        7.0,
        (0.0, 2.0, 4.0),
    ),
    (re.compile(r"(?:twice weekly|twice a week|twice per week|biw)\b"), 7.0, (0.0, 3.5)),
    (re.compile(r"(?:once daily|once a day|daily|every day|qd|od)\b"), 1.0, (0.0,)),
    (re.compile(r"(?:once weekly|once a week|weekly|every week)\b"), 7.0, (0.0,)),
    (re.compile(r"(?:every other day|on alternate days|alternate days)\b"), 2.0, (0.0,)),
    (re.compile(r"(?:every other week|fortnightly)\b"), 14.0, (0.0,)),
]
_EVERY = re.compile(
    rf"every\s+(?P<n>{_NUM})\s*(?P<unit>hours?|hrs?|h|days?|d|weeks?|wks?|months?)\b"
)
_EXPLICIT = re.compile(rf"(?:on|at)\s+(?P<unit>days?|weeks?)\s+(?P<list>{_NUMLIST})\b")
_ONCE = re.compile(r"(?:once|as a single dose|single dose)\b")
_FOR = re.compile(rf"for\s+(?P<n>{_NUM})\s*(?P<unit>days?|weeks?|doses?|months?)\b")
_TAPER = re.compile(
    rf"(?:tapering|tapered|taper)\s+(?:down\s+)?to\s+(?P<to>{_NUM})\s*(?P<to_unit>{_UNIT})?"
    rf"\s+over\s+(?P<n>{_NUM})\s*(?P<unit>days?|weeks?)\b"
    rf"(?:\s+in\s+steps\s+of\s+(?P<step>{_NUM})\s*(?P<step_unit>{_UNIT})?)?"
)
_INFUSION = re.compile(
    rf"(?:infused\s+)?over\s+(?P<n>{_NUM})\s*(?P<unit>minutes?|mins?|hours?|hrs?|h)\b"
)
_BOLUS = re.compile(r"(?:as\s+an?\s+)?(?:iv\s+)?(?:bolus|push)\b")
_ROUTE = re.compile(
    r"(?:" + "|".join(re.escape(k) for k in sorted(_ROUTES, key=len, reverse=True)) + r")(?![\w.])"
)
_DOSE_RE = re.compile(_DOSE)

_OPTION_ADHERENCE = re.compile(rf"(?:,\s*|\s+)(?:with\s+)?adherence\s+(?P<n>{_NUM})\s*(?P<pct>%)?")
_OPTION_SKIP = re.compile(
    rf"(?:,\s*|\s+)(?:skipping|skip|missing|missed)\s+(?:doses?\s+)?(?:on\s+)?"
    rf"(?P<unit>days?|weeks?)\s+(?P<list>{_NUMLIST})"
)
_OPTION_MAX = re.compile(
    rf"(?:,\s*|\s+)(?:max(?:imum)?|capped\s+at|cap)\s+(?P<n>{_NUM})\s*(?P<unit>{_UNIT})(?:\s+per\s+dose)?"
)
_OPTION_START = re.compile(
    rf"(?:,\s*|\s+)(?:starting|from|start)\s+(?:on\s+|at\s+)?(?P<unit>day|week)\s+(?P<n>{_NUM})"
)
_OPTION_AVERAGED = re.compile(r"(?:,\s*|\s+)(?:averaged|as\s+a\s+constant\s+input)\b")
_THEN = re.compile(r"\s*,?\s*\bthen\b\s*")


def _normalise_unit(text: str) -> str:
    """``"mcg/kg"`` -> ``"ug/kg"``, ``"million iu"`` -> ``"MIU"``, ``"iu"`` -> ``"IU"``."""
    unit = re.sub(r"\s+", "", text.lower()).replace("mcg", "ug").replace("millioniu", "MIU")
    return unit.replace("miu", "MIU").replace("iu", "IU")


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(_NUM, text)]


def _time_in_days(n: float, unit: str, source: str) -> float:
    unit = unit.lower()
    if unit.startswith("month"):
        raise SpecError(
            f"months are ambiguous in {source!r}: use weeks or days (e.g. 'every 24 weeks')"
        )
    if unit.startswith("w"):
        return n * 7.0
    if unit.startswith("h"):
        return n / 24.0
    if unit.startswith("min"):
        return n / 1440.0
    return n


def _drug_lookup(library: dict[str, Drug]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for drug in library.values():
        for name in (drug.name, *drug.aliases):
            lookup[_key(name)] = drug.name
    return lookup


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _resolve_drug(text: str, library: dict[str, Drug]) -> tuple[str, str]:
    words = text.split()
    lookup = _drug_lookup(library)
    for n in range(min(5, len(words)), 0, -1):
        candidate = _key(" ".join(words[:n]))
        if candidate in lookup:
            return lookup[candidate], " ".join(words[n:])
    raise SpecError(
        f"unknown drug {words[0] if words else ''!r} in regimen {text!r}: choose one of "
        + ", ".join(sorted(library))
    )


def _dose_unit(raw: str, source: str) -> DoseUnit:
    unit = _normalise_unit(raw)
    allowed = [*_MASS_UNITS, *_IU_UNITS, "cells", "cells/kg"]
    if unit not in allowed:
        raise SpecError(
            f"dose unit {raw!r} in {source!r} is not allowed: use one of {', '.join(allowed)}"
        )
    return unit  # type: ignore[return-value]


def parse_regimen(text: str, library: dict[str, Drug] | None = None) -> Regimen:
    """Read a regimen from text.

    Args:
        text: E.g. ``"belimumab 10 mg/kg IV on days 0, 14, 28 then every 28 days"``.
        library: Drugs by name (default: :data:`immunetwin.drugs.DRUGS`).

    Raises:
        SpecError: One line naming what is wrong and what is allowed.
    """
    if library is None:
        from immunetwin.drugs.library import DRUGS

        library = dict(DRUGS)
    if not isinstance(text, str) or not text.strip():
        raise SpecError("a regimen needs text, e.g. 'adalimumab 40 mg SC every 14 days'")
    source = " ".join(text.split())
    drug_name, rest = _resolve_drug(source, library)
    drug = library[drug_name]
    rest = rest.lower().replace("µ", "u").replace("²", "2")
    options: dict[str, object] = {}
    rest = _take_options(rest, options, source)
    if not rest.strip():
        raise SpecError(f"regimen {source!r} has no dose: write e.g. '{drug_name} 10 mg daily'")
    default_route = drug.pk.routes[0].name if drug.pk is not None else "iv"
    phases: list[Phase] = []
    previous: dict[str, object] | None = None
    for part in _THEN.split(rest):
        if not part.strip():
            raise SpecError(f"empty phase around 'then' in {source!r}")
        fields = _parse_phase(part.strip(), source)
        fields = _inherit(fields, previous, default_route, source)
        if drug.pk is not None and fields["route"] not in {r.name for r in drug.pk.routes}:
            allowed = ", ".join(r.name.upper() for r in drug.pk.routes)
            raise SpecError(
                f"route {str(fields['route']).upper()} is not declared for {drug_name} in "
                f"{source!r} (allowed: {allowed})"
            )
        try:
            phases.append(Phase(**fields))  # type: ignore[arg-type]
        except ValidationError as err:
            raise SpecError(f"in {source!r}: {_first_error(err)}") from None
        previous = fields
    try:
        return Regimen(drug=drug_name, phases=tuple(phases), **options)  # type: ignore[arg-type]
    except ValidationError as err:
        raise SpecError(f"in {source!r}: {_first_error(err)}") from None


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(x) for x in first.get("loc", ()) if x != "__root__")
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _take_options(rest: str, options: dict[str, object], source: str) -> str:
    m = _OPTION_ADHERENCE.search(rest)
    if m:
        value = float(m["n"])
        value = value / 100.0 if m["pct"] or value > 1 else value
        if not 0 <= value <= 1:
            raise SpecError(f"adherence in {source!r} must be between 0% and 100%")
        options["adherence"] = value
        rest = rest[: m.start()] + rest[m.end() :]
    m = _OPTION_SKIP.search(rest)
    if m:
        scale = 7.0 if m["unit"].startswith("w") else 1.0
        options["skip_days"] = tuple(x * scale for x in _numbers(m["list"]))
        rest = rest[: m.start()] + rest[m.end() :]
    m = _OPTION_MAX.search(rest)
    if m:
        options["max_dose"] = Dose(amount=float(m["n"]), unit=_dose_unit(m["unit"], source))
        rest = rest[: m.start()] + rest[m.end() :]
    m = _OPTION_START.search(rest)
    if m:
        options["start_day"] = float(m["n"]) * (7.0 if m["unit"] == "week" else 1.0)
        rest = rest[: m.start()] + rest[m.end() :]
    m = _OPTION_AVERAGED.search(rest)
    if m:
        options["averaged"] = True
        rest = rest[: m.start()] + rest[m.end() :]
    return rest.strip(" ,")


def _parse_phase(part: str, source: str) -> dict[str, object]:
    fields: dict[str, object] = {}
    s = part
    while s:
        s = s.lstrip(" ,")
        if not s:
            break
        m = _DOSE_RE.match(s)
        if m and "doses" not in fields:
            unit = _dose_unit(m["unit"], source)
            fields["doses"] = tuple(Dose(amount=a, unit=unit) for a in _numbers(m["amounts"]))
            s = s[m.end() :]
            continue
        m = _ROUTE.match(s)
        if m:
            _once(fields, "route", source, "route")
            fields["route"] = _ROUTES[m.group(0)]
            s = s[m.end() :]
            continue
        m = _INFUSION.match(s)
        if m:
            _once(fields, "infusion_hours", source, "infusion duration")
            fields["infusion_hours"] = _time_in_days(float(m["n"]), m["unit"], source) * 24.0
            s = s[m.end() :]
            continue
        m = _BOLUS.match(s)
        if m:
            fields["bolus"] = True
            s = s[m.end() :]
            continue
        m = _EXPLICIT.match(s)
        if m:
            _schedule_once(fields, source)
            weeks = m["unit"].startswith("w")
            fields["days"] = tuple(x * (7.0 if weeks else 1.0) for x in _numbers(m["list"]))
            fields["time_unit"] = "weeks" if weeks else "days"
            s = s[m.end() :]
            continue
        matched = False
        for pattern, every, offsets in _FREQUENCIES:
            m = pattern.match(s)
            if m:
                _schedule_once(fields, source)
                fields["every_days"], fields["offsets_days"] = every, offsets
                s = s[m.end() :]
                matched = True
                break
        if matched:
            continue
        m = _EVERY.match(s)
        if m:
            _schedule_once(fields, source)
            fields["every_days"] = _time_in_days(float(m["n"]), m["unit"], source)
            if m["unit"].startswith("w"):
                fields["time_unit"] = "weeks"
            s = s[m.end() :]
            continue
        m = _ONCE.match(s)
        if m:
            _schedule_once(fields, source)
            fields["days"] = (0.0,)
            s = s[m.end() :]
            continue
        m = _FOR.match(s)
        if m:
            _once(fields, "for", source, "'for' duration")
            if m["unit"].startswith("dose"):
                n = float(m["n"])
                if not n.is_integer():
                    raise SpecError(f"number of doses in {source!r} must be a whole number")
                fields["for_doses"] = int(n)
            else:
                fields["for_days"] = _time_in_days(float(m["n"]), m["unit"], source)
                if m["unit"].startswith("w"):
                    fields["time_unit"] = "weeks"
            s = s[m.end() :]
            continue
        m = _TAPER.match(s)
        if m:
            _once(fields, "taper", source, "taper")
            fields["taper_raw"] = m
            fields["taper_days"] = _time_in_days(float(m["n"]), m["unit"], source)
            s = s[m.end() :]
            continue
        if s.startswith("monthly"):
            raise SpecError(f"'monthly' is ambiguous in {source!r}: write 'every 4 weeks'")
        raise SpecError(
            f"cannot read {s.split(' then ')[0]!r} in regimen {source!r}: expected {_EXPECTED}"
        )
    fields.pop("for", None)
    fields.pop("taper", None)
    return fields


def _once(fields: dict[str, object], key: str, source: str, what: str) -> None:
    if key in fields:
        raise SpecError(f"{what} given twice in one phase of {source!r}")
    fields[key] = True


def _schedule_once(fields: dict[str, object], source: str) -> None:
    if "days" in fields or "every_days" in fields:
        raise SpecError(f"two schedules in one phase of {source!r}: separate phases with 'then'")


def _inherit(
    fields: dict[str, object],
    previous: dict[str, object] | None,
    default_route: str,
    source: str,
) -> dict[str, object]:
    out = dict(fields)
    taper = cast("re.Match[str] | None", out.pop("taper_raw", None))
    if "doses" not in out:
        if previous is None:
            raise SpecError(f"regimen {source!r} has no dose: write e.g. '10 mg' after the drug")
        last = previous.get("taper_to") or previous["doses"][-1]  # type: ignore[index]
        out["doses"] = (last,)
    if "route" not in out:
        out["route"] = previous["route"] if previous is not None else default_route
    if "days" not in out and "every_days" not in out:
        if previous is None or previous.get("every_days") is None:
            raise SpecError(f"no schedule in {source!r}: add one of {_ALLOWED_SCHEDULES}")
        out["every_days"] = previous["every_days"]
        out["offsets_days"] = previous.get("offsets_days", (0.0,))
    if taper is not None:
        unit = out["doses"][0].unit  # type: ignore[index]
        to_unit = _dose_unit(taper["to_unit"], source) if taper["to_unit"] else unit
        out["taper_to"] = Dose(amount=float(taper["to"]), unit=to_unit)
        if taper["step"]:
            step_unit = _dose_unit(taper["step_unit"], source) if taper["step_unit"] else unit
            out["taper_step"] = Dose(amount=float(taper["step"]), unit=step_unit)
        if taper["unit"].startswith("w"):
            out["time_unit"] = "weeks"
    return out


# -- schedules ----------------------------------------------------------------------------


def regimen_schedule(
    regimens: Iterable[Regimen | str],
    covariates: PatientCovariates | None = None,
    horizon_days: float = 365.0,
    rng: np.random.Generator | None = None,
    library: dict[str, Drug] | None = None,
) -> Schedule:
    """One patient's dosing schedule for several regimens (therapy plus background).

    Extravascular doses add mg (times the drug's ``dose_to_active``) to the
    route's depot species, after the route's lag time; IV boluses add to the
    central species; IV infusions set ``<drug>_infusion_rate`` (mg/day) for
    their duration, overlapping infusions of one drug adding up. Cell therapies
    add cells to their own effector pool (or the model pool they join) and switch
    their conditioning on (:func:`immunetwin.drugs._cells.infusion_changes`).

    Args:
        regimens: Regimens or their text.
        covariates: The patient (default: 70 kg, 170 cm, male).
        horizon_days: Simulation end (days); doses at or after it are left out.
        rng: The patient's generator, drawn from in regimen order; needed when
            any adherence is below 100%.
        library: Drugs by name (default: the built-in library).

    Raises:
        SpecError: For an unknown drug, a bad regimen, or a missing generator.
    """
    if library is None:
        from immunetwin.drugs.library import DRUGS

        library = dict(DRUGS)
    covariates = covariates or PatientCovariates()
    parsed = [r if isinstance(r, Regimen) else parse_regimen(r, library) for r in regimens]
    changes: list[StateChange] = []
    # Zero-order inputs by target parameter: IV infusions and averaged doses.
    infusions: dict[str, list[tuple[float, float, float]]] = {}
    for regimen in parsed:
        if regimen.drug not in library:
            raise SpecError(f"unknown drug {regimen.drug!r}: choose one of {', '.join(library)}")
        drug = library[regimen.drug]
        if regimen.averaged:
            _check_averaging(regimen, drug)
        names = species_names(drug)
        active = (
            drug.pk.dose_to_active.to("dimensionless")
            if drug.pk and drug.pk.dose_to_active
            else 1.0
        )
        for event in regimen.doses(drug, covariates, horizon_days, rng):
            if not event.taken:
                continue
            if drug.cells is not None:
                from immunetwin.drugs._cells import infusion_changes

                changes.extend(infusion_changes(drug, event.time, event.amount_mg, horizon_days))
                continue
            amount = event.amount_mg * active
            assert drug.pk is not None
            route = drug.pk.route(event.route)
            lag = route.lag_time.to("day") if route.lag_time is not None else 0.0
            if event.spread_days > 0:
                target = names["infusion_rate" if event.route == "iv" else f"input_{event.route}"]
                start = event.time + lag
                infusions.setdefault(target, []).append(
                    (start, start + event.spread_days, amount / event.spread_days)
                )
                continue
            if event.route == "iv":
                if event.infusion_days > 0:
                    rate = amount / event.infusion_days
                    infusions.setdefault(names["infusion_rate"], []).append(
                        (event.time, event.time + event.infusion_days, rate)
                    )
                else:
                    changes.append(StateChange(event.time, names["central"], "add", amount))
                continue
            t = event.time + lag
            if t < horizon_days:
                changes.append(StateChange(t, names[f"depot_{event.route}"], "add", amount))
    for target, intervals in infusions.items():
        changes.extend(_infusion_changes(target, intervals, horizon_days))
    return Schedule(tuple(changes))


def _check_averaging(regimen: Regimen, drug: Drug) -> None:
    """Refuse an averaged regimen whose drug acts on its plasma peaks.

    A drug with an effect compartment qualifies when its half-life is at least
    :data:`AVERAGING_MIN_HALF_LIVES` dosing gaps; one without, when its plasma
    concentration swings at steady state by at most :data:`AVERAGING_MAX_SWING` of its
    mean (:func:`immunetwin.drugs._pk.steady_state_swing`, each phase's route and gap).

    Raises:
        SpecError: For a cell therapy, a drug whose effect half-life is shorter than
            :data:`AVERAGING_MIN_HALF_LIVES` dosing gaps, or one without an effect
            compartment whose plasma level swings more (or has nonlinear PK).
    """
    if drug.pk is None:
        raise SpecError(f"{drug.name}: a cell therapy cannot be averaged; remove 'averaged'")
    gap = max(regimen.dosing_gaps())
    effect = drug.pk.effect_half_life
    if effect is None:
        _check_plasma_swing(regimen, drug)
        return
    half_life = effect.to("day")
    if half_life < AVERAGING_MIN_HALF_LIVES * gap:
        raise SpecError(
            f"{drug.name} cannot be averaged every {gap:.3g} days: its effect half-life "
            f"({half_life:.3g} days) must be at least {AVERAGING_MIN_HALF_LIVES:g} dosing "
            f"gaps ({AVERAGING_MIN_HALF_LIVES * gap:.3g} days)"
        )


def _check_plasma_swing(regimen: Regimen, drug: Drug) -> None:
    """Refuse averaging a drug whose effects read a plasma level that swings too much."""
    allowed = (
        f"allowed: a steady-state swing of at most {AVERAGING_MAX_SWING:.0%} of the mean, "
        f"or an effect compartment at least {AVERAGING_MIN_HALF_LIVES:g} dosing gaps slow"
    )
    for phase in regimen.phases:
        gap = phase.dosing_gap
        if gap is None:
            continue
        try:
            swing = steady_state_swing(drug, phase.route, gap)
        except ModelError as err:
            raise SpecError(f"{drug.name} cannot be averaged: {err} ({allowed})") from None
        if swing > AVERAGING_MAX_SWING:
            raise SpecError(
                f"{drug.name} cannot be averaged every {gap:.3g} days: its plasma level "
                f"swings by {swing:.0%} of its mean at steady state, and its effects follow "
                f"it ({allowed})"
            )


def _infusion_changes(
    target: str, intervals: Sequence[tuple[float, float, float]], horizon_days: float
) -> list[StateChange]:
    """Piecewise-constant total infusion rate as ``set`` changes at each breakpoint."""
    points = sorted({t for a, b, _ in intervals for t in (a, b) if t < horizon_days})
    changes = []
    current = 0.0
    for t in points:
        rate = sum(r for a, b, r in intervals if a <= t < b)
        if not math.isclose(rate, current, rel_tol=1e-12, abs_tol=0.0) or t == points[0]:
            changes.append(StateChange(t, target, "set", rate))
            current = rate
    return changes
