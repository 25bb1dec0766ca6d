"""Check, before anything is simulated, that a trial's expressions read names that exist.

An expression evaluates a name it does not find to NaN, the rule for a missed
visit. A misspelt name would therefore pass silently: a screening criterion would
fail every candidate, an endpoint's ``among`` would leave an empty subgroup, a
rescue rule would never fire. Every place a trial reads names is listed here with
the names it sees, so a typo is one error line naming the field, the name and what
that field can read.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from immunetwin._errors import SpecError
from immunetwin.declaration import Model
from immunetwin.diseases import Disease
from immunetwin.diseases.population import sample_disease_patients
from immunetwin.trials.analysis import covariate_values
from immunetwin.trials.spec import Expression, TrialSpec

__all__ = ["TrialNames", "check_names", "death_readout_names", "trial_names"]

DEATH_READOUTS = frozenset({"death_day", "death_cause"})
# What a visit row holds besides readouts and responses (immunetwin.trials.run._observe).
VISIT_BOOKKEEPING = frozenset({"week", "seen", "rescued", "adjustments"})


@dataclass(frozen=True)
class TrialNames:
    """The names each kind of trial expression can read.

    Attributes:
        covariates: The patient's numeric covariates, ``female`` and ``weight_kg``.
        screening: The disease's readouts (all the screening visit has).
        observed: A visit's readouts: the disease's, the harm readouts
            (``harms.infections``) and the death readouts (a disease with a death model).
        responses: The disease's responses (a visit against baseline).
    """

    covariates: frozenset[str]
    screening: frozenset[str]
    observed: frozenset[str]
    responses: frozenset[str]

    @property
    def at_screening(self) -> frozenset[str]:
        """Screening criteria, exclusions and strata: covariates and screening readouts."""
        return self.covariates | self.screening

    @property
    def at_visit(self) -> frozenset[str]:
        """Rescue and adjustment criteria: covariates, the visit and its baseline readouts."""
        return self.covariates | self.observed | self.responses | _baseline(self.observed)

    @property
    def endpoint_value(self) -> frozenset[str]:
        """A responder or continuous endpoint's value: more than :attr:`at_visit`.

        It also sees the visit row's bookkeeping and the baseline visit's responses
        and adjustments.
        """
        baseline_row = self.observed | self.responses | {"adjustments"}
        return self.at_visit | VISIT_BOOKKEEPING | _baseline(baseline_row)

    @property
    def event(self) -> frozenset[str]:
        """A rate, time-to-event or incidence endpoint: one visit readout or response."""
        return self.observed | self.responses

    @property
    def at_entry(self) -> frozenset[str]:
        """An endpoint's ``among``: covariates and the baseline visit (names unprefixed)."""
        return self.covariates | self.observed | self.responses | {"adjustments"}


def _baseline(names: Iterable[str]) -> frozenset[str]:
    return frozenset(f"baseline_{name}" for name in names)


def event_days(readouts: Iterable[str]) -> list[str]:
    """The event-day readouts (``X_day``) that get a composite with death."""
    return [name for name in readouts if name.endswith("_day") and name not in DEATH_READOUTS]


def or_death_name(event_day: str) -> str:
    """The composite of an event day and death: ``X_day`` -> ``X_or_death_day``."""
    return f"{event_day.removesuffix('_day')}_or_death_day"


def death_readout_names(readouts: Iterable[str]) -> frozenset[str]:
    """The readouts a death model adds to a trial's visits.

    ``death_day``, ``death_cause`` and, for each event day ``X_day`` of ``readouts``
    (the harm readouts' too, when the trial has them), ``X_or_death_day``
    (:func:`immunetwin.trials.run._add_death`).
    """
    return DEATH_READOUTS | {or_death_name(name) for name in event_days(readouts)}


def trial_names(spec: TrialSpec, disease: Disease, model: Model) -> TrialNames:
    """The names the trial's expressions can read, from the disease and the spec."""
    readouts, responses = disease.observation_names()
    observed = set(readouts)
    if spec.harms.infections:
        from immunetwin.drugs.harms import harm_readout_names

        observed |= harm_readout_names()
    if disease.mortality is not None:
        # After the harm readouts: their event days get composites with death too.
        observed |= death_readout_names(observed)
    # One sampled patient shows the covariate columns every patient has.
    patients, _ = sample_disease_patients(disease, 1, spec.seed, model=model)
    covariates = frozenset(covariate_values(patients.iloc[0].to_dict())) | {"weight_kg"}
    return TrialNames(covariates, readouts, frozenset(observed), responses)


def _require(where: str, text: str, allowed: frozenset[str]) -> None:
    unknown = sorted(Expression(text).names - allowed)
    if not unknown:
        return
    name = unknown[0]
    close = difflib.get_close_matches(name, allowed, n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise SpecError(
        f"{where}: {name!r} in {text!r} is not a name it can read; {hint}"
        f"it can read: {', '.join(sorted(allowed))}"
    )


def check_names(spec: TrialSpec, disease: Disease, model: Model) -> None:
    """Raise one :class:`SpecError` line for the first expression with an unknown name.

    Raises:
        SpecError: Naming the field, the unknown name and the names it can read.
    """
    names = trial_names(spec, disease, model)
    for text in spec.screening.criteria:
        _require("screening.criteria", text, names.at_screening)
    for text in spec.screening.exclusion:
        _require("screening.exclusion", text, names.at_screening)
    for target in spec.screening.targets:
        _require("screening.targets readout", target.readout, names.screening)
    for readout in spec.report_readouts:
        _require("report_readouts", readout, names.screening)
    for text in spec.randomisation.stratify:
        if text != "sex":
            _require("randomisation.stratify", text, names.at_screening)
    if spec.rescue is not None:
        _require("rescue.criteria", spec.rescue.criteria, names.at_visit)
    for adjustment in spec.adjustments:
        _require(f"adjustment {adjustment.label!r} criteria", adjustment.criteria, names.at_visit)
    for endpoint in spec.endpoints:
        where = f"endpoint {endpoint.id!r}"
        if endpoint.kind in ("responder", "continuous"):
            _require(f"{where} value", endpoint.value, names.endpoint_value)
        else:
            _require(f"{where} value", endpoint.value, names.event)
        if endpoint.among is not None:
            _require(f"{where} among", endpoint.among, names.at_entry)
