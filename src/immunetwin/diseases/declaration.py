"""Diseases as data: parameter changes with variability, covariates, demographics.

A :class:`Disease` never forks the core immune model: it is a set of
:class:`ParameterChange` on :func:`immunetwin.immune.build_immune_model` (plus
optional initial-state changes), the organs it targets, the covariates that shift
its parameters and an observation model that turns the mechanistic state into
clinical readouts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from immunetwin._errors import ModelError
from immunetwin.declaration import Variability

if TYPE_CHECKING:
    from immunetwin.engine import Schedule

__all__ = ["Covariate", "Demographics", "Disease", "ParameterChange"]


@dataclass(frozen=True)
class ParameterChange:
    """A disease's change of one parameter of the shared immune model.

    Attributes:
        parameter: Parameter name in the immune model.
        value: Population median in the disease, in the parameter's declared unit.
        variability: Inter-patient variability around ``value`` (None: the same in everyone).
        source: Literature source, or ``calibrated: <to what>``.
        rationale: The mechanism the change stands for.
    """

    parameter: str
    value: float
    variability: Variability | None
    source: str
    rationale: str = ""


@dataclass(frozen=True)
class Covariate:
    """A patient characteristic that multiplies one parameter, or a stated "not modelled".

    Attributes:
        name: Covariate name (``sex``, ``smoking``, ``age``...).
        levels: Level -> multiplier on ``parameter`` (empty when not modelled).
        parameter: The parameter it multiplies (None when not modelled).
        direction: Documented direction of the effect on the disease.
        size: Documented size of the effect (e.g. a ratio or odds ratio).
        source: Where direction and size come from.
        modelled: False for a stated "not modelled" (evidence missing or no mechanism).
        prevalence: Level -> share of patients (used to sample the covariate).
    """

    name: str
    levels: Mapping[str, float]
    parameter: str | None
    direction: str
    size: str
    source: str
    modelled: bool = True
    prevalence: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Demographics:
    """Sex and age of the disease's patients.

    Attributes:
        female_fraction: Share of women among patients.
        age_mean: Mean age in years.
        age_sd: Standard deviation of age in years.
        age_range: Ages are truncated to this range.
        source: Where the numbers come from.
    """

    female_fraction: float
    age_mean: float
    age_sd: float
    age_range: tuple[float, float]
    source: str


Readouts = Callable[[pd.DataFrame, np.random.Generator], dict[str, float]]
# (readouts at baseline, readouts at a later visit) -> responder flags and changes.
Responses = Callable[[Mapping[str, float], Mapping[str, float]], dict[str, float]]
# (patient id, the patient's generator, start day, days) -> timed changes (relapse
# triggers, exposures) that are part of the disease's natural course.
Triggers = Callable[[int, np.random.Generator, float, float], "Schedule"]
# (one patient's visit readouts indexed by day, age at the first visit, sex, rng) ->
# (death day on the same axis or NaN if alive at the last visit, cause or "").
DeathModel = Callable[[pd.DataFrame, float, str, np.random.Generator], tuple[float, str]]

# Days of the synthetic trajectory that reveals the readouts' names: a year, so that
# readouts over a past year (MS relapses) see a full one.
OBSERVATION_PROBE_DAYS = 365.0


@dataclass(frozen=True)
class Disease:
    """A disease as data on the shared immune model.

    Attributes:
        name: Identifier (``sle``, ``ra``).
        description: One-line description.
        mechanism: The mechanism in words.
        changes: Parameter changes with variability and sources.
        target_organs: Organs it damages: of :data:`immunetwin.immune.ORGANS` or of
            its ``extra_organs``.
        covariates: Covariate effects (or stated "not modelled").
        demographics: Sex and age of patients.
        outputs: Model outputs the readouts need.
        readouts: Observation model: ``(trajectory of one patient, rng) -> readouts``;
            the trajectory has one row per output time (from time 0 up to the visit)
            and one column per output. Readouts describe the last row, and may use
            the history: cumulative event counts (e.g. ``relapses``) or the day an
            event first happened (e.g. ``stage3_day``, NaN when it has not). Each call
            draws the same number of random numbers whatever the state, so arms of a
            trial see common random numbers, and returns the same names whatever the
            state (:meth:`observation_names` relies on it).
        initial_state: Species initial values (e.g. established disease), with sources.
        follow_up_days: Default simulated time before readouts are taken.
        responses: ``(baseline readouts, visit readouts) -> responses`` such as
            ``acr20``, ``sri4`` (1.0 or 0.0) or ``das28_crp_change``: the composite
            endpoints of trials, which compare a visit with baseline.
        history_days: Default days from the model's start (health) to trial
            enrolment: long enough for the disease to be established.
        triggers: Stochastic events of the natural course (e.g. MS relapse
            triggers): ``(patient id, rng, start day, days) -> Schedule``; the trial
            engine adds them to every patient's schedule over the whole timeline,
            the same in every arm.
        output_step_days: Longest spacing of outputs the readouts need (e.g. 7 for
            relapse detection); None for no requirement.
        extra_organs: Organs of :data:`immunetwin.immune.OPTIONAL_ORGANS` the disease
            adds to the shared model (module additions: the liver and lung of
            checkpoint-inhibitor hepatitis and pneumonitis).
        organ_exhaustion: Add exhaustion of organ-reactive effectors to the model
            (:func:`immunetwin.immune.tissue.organ_exhaustion_module`; a module addition
            for the diseases calibrated with it).
        mortality: Death model on the visit readouts (e.g.
            :data:`immunetwin.diseases.mortality.LUPUS_DEATHS`, a competing-risk model
            whose call draws one death); the trial engine draws each patient's death
            from it (``death_day``, ``death_cause``).
            None: the disease does not model death.
        course_from_enrolment: A single simulated patient is shown from the enrolment
            day on, as with regimens (the history only brings the patient to their own
            steady state, and what matters starts at enrolment: the checkpoint
            inhibitor that :data:`IRAE` starts there); False shows the course from
            health (onset).
    """

    name: str
    description: str
    mechanism: str
    changes: tuple[ParameterChange, ...]
    target_organs: tuple[str, ...]
    covariates: tuple[Covariate, ...]
    demographics: Demographics
    outputs: tuple[str, ...]
    readouts: Readouts
    initial_state: Mapping[str, tuple[float, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    follow_up_days: float = 3 * 365.0
    responses: Responses | None = None
    history_days: float | None = None
    triggers: Triggers | None = None
    output_step_days: float | None = None
    mortality: DeathModel | None = None
    extra_organs: tuple[str, ...] = ()
    organ_exhaustion: bool = False
    course_from_enrolment: bool = False

    @property
    def enrolment_day(self) -> float:
        """Day of the model's timeline at which trial patients are screened and enrolled."""
        return self.follow_up_days if self.history_days is None else self.history_days

    def medians(self) -> dict[str, float]:
        """Parameter name -> median value in the disease."""
        return {c.parameter: c.value for c in self.changes}

    def observation_names(self) -> tuple[frozenset[str], frozenset[str]]:
        """The names the readouts and the responses return: ``(readouts, responses)``.

        Read from a steady synthetic trajectory (every output 1.0 on a weekly grid
        over a year), so a trial specification can be checked against them before
        anything is simulated. That is sound because the names do not depend on the
        state (the :class:`Disease` contract, tested on random trajectories).
        """
        from immunetwin.diseases.readouts import with_demographics

        days = np.arange(0.0, OBSERVATION_PROBE_DAYS, 7.0)
        trajectory = pd.DataFrame(1.0, index=pd.Index(days, name="time"), columns=self.outputs)
        with_demographics(trajectory, 40.0, "female")
        readouts = self.readouts(trajectory, np.random.default_rng(0))
        responses = self.responses(readouts, readouts) if self.responses else {}
        return frozenset(readouts), frozenset(responses)

    def validate(self, model) -> None:
        """Check every change names a real parameter and has a source.

        Args:
            model: The immune model the disease applies to.

        Raises:
            ModelError: Listing every problem found.
        """
        from immunetwin.immune import OPTIONAL_ORGANS, ORGANS

        parameters = {p.name for p in model.parameters}
        species = {s.name for s in model.species}
        problems = []
        for change in self.changes:
            if change.parameter not in parameters:
                problems.append(f"{change.parameter!r} is not a parameter of the model")
            if not change.source.strip():
                problems.append(f"change of {change.parameter!r} has no source")
            if not (np.isfinite(change.value) and change.value >= 0):
                problems.append(f"change of {change.parameter!r} has value {change.value!r}")
        for name, (_, source) in self.initial_state.items():
            if name not in species:
                problems.append(f"initial state {name!r} is not a species of the model")
            if not source.strip():
                problems.append(f"initial state {name!r} has no source")
        for organ in self.extra_organs:
            if organ not in OPTIONAL_ORGANS:
                problems.append(
                    f"extra organ {organ!r} is not optional (allowed: {', '.join(OPTIONAL_ORGANS)})"
                )
        for organ in self.target_organs:
            if organ not in (*ORGANS, *self.extra_organs):
                problems.append(f"target organ {organ!r} is not in the model")
        for covariate in self.covariates:
            if not covariate.source.strip():
                problems.append(f"covariate {covariate.name!r} has no source")
            if covariate.modelled and covariate.parameter not in parameters:
                problems.append(
                    f"covariate {covariate.name!r} acts on unknown parameter "
                    f"{covariate.parameter!r}"
                )
            if covariate.modelled and covariate.prevalence:
                if set(covariate.prevalence) != set(covariate.levels):
                    problems.append(f"covariate {covariate.name!r}: prevalence levels differ")
                elif not np.isclose(sum(covariate.prevalence.values()), 1.0):
                    problems.append(f"covariate {covariate.name!r}: prevalence does not sum to 1")
        d = self.demographics
        if not 0.0 <= d.female_fraction <= 1.0:
            problems.append(f"female fraction {d.female_fraction} outside [0, 1]")
        if problems:
            raise ModelError(f"disease {self.name!r}: " + "; ".join(problems))
