"""Trial specifications: a TOML file validated by pydantic, errors as one line.

A specification says who is screened (disease, demographics, inclusion criteria
and baseline targets), what each arm receives (regimens on top of background
therapy), when patients are seen, who drops out or is rescued, and which
endpoints are analysed. ``docs/trials.md`` documents every field; every trial of
``../shared/reference/trials_calibration.csv`` is written in it under
``examples/trials/``.

Criteria and endpoint values are small expressions over a patient's readouts
(``sledai_2k >= 6``, ``anti_dsdna_positive or low_complement``,
``das28_crp - baseline_das28_crp``): names are readouts at the visit, readouts at
baseline prefixed ``baseline_``, responses (``acr20``, ``sri4``) and covariates
(``age``, ``female``); operators are arithmetic, comparisons, ``and``/``or``/``not``
and the functions ``abs``, ``min``, ``max``.
"""

from __future__ import annotations

import ast
import math
import operator
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from immunetwin._errors import SpecError

__all__ = [
    "Adjustment",
    "Arm",
    "Background",
    "Dropout",
    "Endpoint",
    "Enrolment",
    "Expression",
    "Harms",
    "Population",
    "Randomisation",
    "Rescue",
    "Screening",
    "Target",
    "TrialSpec",
    "Visits",
    "load_spec",
    "parse_spec",
]

_STRICT = ConfigDict(extra="forbid", frozen=True)

# -- expressions -------------------------------------------------------------------------

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {"abs": abs, "min": min, "max": max}


class Expression:
    """A validated expression over readouts; evaluates to a number (booleans are 0/1).

    A missing or NaN name makes the whole value NaN (a missed visit is missing,
    not a zero).
    """

    def __init__(self, text: str):
        self.text = text.strip()
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError:
            raise SpecError(f"cannot parse expression {text!r}") from None
        self.names: set[str] = set()
        self._check(tree.body)
        self._tree = tree.body

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            self.names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float, bool)):
            pass
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            self._check(node.operand)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._check(value)
        elif isinstance(node, ast.Compare) and all(type(o) in _COMPARE for o in node.ops):
            self._check(node.left)
            for value in node.comparators:
                self._check(value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and not node.keywords
        ):
            for arg in node.args:
                self._check(arg)
        else:
            raise SpecError(
                f"expression {self.text!r}: {ast.unparse(node)!r} is not allowed (use readout "
                "names, numbers, + - * / **, comparisons, and/or/not, abs/min/max)"
            )

    def __call__(self, values: Mapping[str, object]) -> float:
        """The value for one patient's ``values`` (1.0/0.0 for true/false, NaN if missing)."""
        return _evaluate(self._tree, values)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _number(value: object) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _evaluate(node: ast.AST, values: Mapping[str, object]) -> float:
    if isinstance(node, ast.Name):
        return _number(values.get(node.id))
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        if isinstance(node.op, ast.Div) and right == 0:
            return math.nan
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        if isinstance(node.op, ast.USub):
            return -operand
        return math.nan if math.isnan(operand) else float(not operand)
    if isinstance(node, ast.BoolOp):
        parts = [_evaluate(v, values) for v in node.values]
        if any(math.isnan(p) for p in parts):
            return math.nan
        if isinstance(node.op, ast.And):
            return float(all(parts))
        return float(any(parts))
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, values)
        result = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, values)
            if math.isnan(left) or math.isnan(right):
                return math.nan
            result = result and _COMPARE[type(op)](left, right)
            left = right
        return float(result)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = [_evaluate(a, values) for a in node.args]
        if any(math.isnan(a) for a in args):
            return math.nan
        return float(_FUNCTIONS[node.func.id](*args))
    raise SpecError(f"cannot evaluate {ast.unparse(node)!r}")  # pragma: no cover - checked


def _expression(text: str) -> str:
    """Validate expression text inside a pydantic validator (errors as ValueError)."""
    try:
        Expression(text)
    except SpecError as err:
        raise ValueError(str(err)) from None
    return text


ExpressionText = Annotated[str, Field(min_length=1)]

# -- the specification -------------------------------------------------------------------


class Population(BaseModel):
    """Who is screened: sex ratio, age and body weight.

    Attributes:
        female_fraction: Share of women among candidates (default: the disease's).
        age_mean: Mean age in years (default: the disease's).
        age_sd: Age standard deviation in years.
        age_range: Ages are truncated to this range (inclusion criterion).
        weight_kg_mean: Mean body weight by sex (kg) for weight-based doses.
        weight_cv: Coefficient of variation of body weight.
    """

    model_config = _STRICT

    female_fraction: float | None = Field(default=None, ge=0, le=1)
    age_mean: float | None = Field(default=None, gt=0, lt=120)
    age_sd: float | None = Field(default=None, gt=0, lt=60)
    age_range: tuple[float, float] | None = None
    # NHANES 2015-2018 adult means (Fryar et al., NCHS Vital Health Stat 3(46), 2021):
    # men 90.6 kg, women 77.5 kg; CV ~0.22 from the same tables' standard deviations.
    weight_kg_mean: dict[Literal["female", "male"], float] = Field(
        default_factory=lambda: {"female": 77.5, "male": 90.6}  # type: ignore[arg-type]
    )
    weight_cv: float = Field(default=0.22, ge=0, lt=1)

    @field_validator("age_range")
    @classmethod
    def _ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not 0 <= value[0] < value[1] <= 120:
            raise ValueError(f"need 0 <= low < high <= 120, got {list(value)}")
        return value


class Target(BaseModel):
    """A baseline distribution the enrolled population should match (Allen et al. 2016).

    Attributes:
        readout: Baseline readout (e.g. ``das28_crp``).
        mean: Target mean.
        sd: Target standard deviation.
    """

    model_config = _STRICT

    readout: str
    mean: float
    sd: float = Field(gt=0)


class Screening(BaseModel):
    """How candidates are screened and enrolled.

    Attributes:
        history_days: Days of simulated history from health to the screening visit
            (default: the disease's ``enrolment_day``).
        criteria: Inclusion criteria, all of which must hold at screening.
        exclusion: Exclusion criteria, any of which excludes.
        targets: Baseline distributions to match by acceptance-rejection.
        max_candidates_per_patient: Give up after screening this many candidates per
            patient to enrol.
    """

    model_config = _STRICT

    history_days: float | None = Field(default=None, gt=0)
    criteria: list[ExpressionText] = Field(default_factory=list)
    exclusion: list[ExpressionText] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    max_candidates_per_patient: float = Field(default=20.0, ge=1)

    @field_validator("criteria", "exclusion")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        return [_expression(v) for v in value]


class Background(BaseModel):
    """Therapy every arm receives, started before screening.

    Attributes:
        regimens: Regimen text (``docs/regimens.md``).
        lead_days: Days before the screening visit the background starts (trials
            require stable background therapy).
    """

    model_config = _STRICT

    regimens: list[str] = Field(default_factory=list)
    lead_days: float = Field(default=90.0, ge=0)


class Arm(BaseModel):
    """A randomised arm.

    Attributes:
        name: Arm name (unique).
        regimens: Regimen text added to background from day 0 of the trial; empty
            for placebo.
        ratio: Randomisation weight (integer).
        control: The comparator of the other arms (exactly one arm).
    """

    model_config = _STRICT

    name: str = Field(min_length=1)
    regimens: list[str] = Field(default_factory=list)
    ratio: int = Field(default=1, ge=1, le=10)
    control: bool = False


class Randomisation(BaseModel):
    """Permuted blocks within strata, or every patient in every arm.

    Attributes:
        stratify: Baseline expressions or covariates whose values define strata
            (e.g. ``sex``, ``sledai_2k >= 10``).
        blocks: Blocks hold ``blocks`` times the sum of ratios patients.
        every_arm: Instead of randomising, simulate each enrolled patient in every
            arm ("virtual twins": an in-silico crossover without carry-over). Each arm
            then holds all enrolled patients, and arms differ only by treatment: every
            random draw of a twin (adherence, triggers, infections, drop-out,
            measurement noise, death) is its source patient's. For estimating each
            arm's expected outcome (calibration, dose finding), not for reproducing a
            trial's sampling error: arms are not independent, so comparisons are
            paired (within each patient's twins, :mod:`immunetwin.statistics`).
            Ratios, strata and an event-driven close do not apply.
    """

    model_config = _STRICT

    stratify: list[ExpressionText] = Field(default_factory=list)
    blocks: int = Field(default=2, ge=1, le=10)
    every_arm: bool = False

    @field_validator("stratify")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        return [v if v == "sex" else _expression(v) for v in value]


class Visits(BaseModel):
    """When patients are seen after randomisation.

    Attributes:
        weeks: Visit weeks (week 0 is baseline, added if missing).
        duration_weeks: Length of the randomised period (default the last visit).
    """

    model_config = _STRICT

    weeks: list[float] = Field(min_length=1)
    duration_weeks: float | None = Field(default=None, gt=0)

    @field_validator("weeks")
    @classmethod
    def _sorted(cls, value: list[float]) -> list[float]:
        if any(w < 0 for w in value):
            raise ValueError("visit weeks must be >= 0")
        return sorted({0.0, *(float(w) for w in value)})

    @property
    def end_week(self) -> float:
        """Last week of the randomised period."""
        return self.duration_weeks if self.duration_weeks is not None else self.weeks[-1]


class Dropout(BaseModel):
    """Discontinuation: a constant hazard (patients are missing from their drop-out on).

    Attributes:
        rate_per_year: Drop-out hazard per patient-year (e.g. 0.2 for ~18% in a year).
    """

    model_config = _STRICT

    rate_per_year: float = Field(default=0.0, ge=0, le=10)


class Enrolment(BaseModel):
    """Staggered entry and the trial's calendar close (administrative censoring).

    Every patient is randomised at its own entry, drawn uniformly over the accrual
    period (a stream of its own, so the same patient enters at the same time in
    every arm and whatever the workers). The trial closes on one calendar date for
    all: each patient is followed from entry until the close (or the end of the
    visit schedule, whichever comes first), so early entrants are followed longer.
    This is how event-driven prevention trials such as TN-10 report their crude
    shares and Kaplan-Meier curves.

    Attributes:
        accrual_weeks: Entries spread uniformly over this many weeks from the first.
        close_week: The trial closes this many weeks after the first entry.
        close_after_events: The trial closes when this many patients (all arms)
            have had the event of ``close_endpoint``. When ``--patients`` runs the
            trial at another size, the number is scaled in proportion. A patient
            whose entry falls at or after such a close is followed for no time (seen
            at baseline only).
        close_endpoint: The time-to-event endpoint whose events close the trial
            (default the primary one, else the first).
    """

    model_config = _STRICT

    accrual_weeks: float = Field(default=0.0, ge=0, le=5200)
    close_week: float | None = Field(default=None, gt=0)
    close_after_events: int | None = Field(default=None, ge=1)
    close_endpoint: str | None = None

    @model_validator(mode="after")
    def _one_close(self) -> Enrolment:
        if self.close_week is not None and self.close_after_events is not None:
            raise ValueError("set close_week or close_after_events, not both")
        if self.close_endpoint is not None and self.close_after_events is None:
            raise ValueError("close_endpoint needs close_after_events")
        if self.close_week is not None and self.close_week <= self.accrual_weeks:
            raise ValueError(
                f"close_week ({self.close_week:g}) must come after the last entry "
                f"(accrual_weeks {self.accrual_weeks:g})"
            )
        return self

    @property
    def staggered(self) -> bool:
        """Whether entries or the close make follow-up differ between patients."""
        return (
            self.accrual_weeks > 0
            or self.close_week is not None
            or self.close_after_events is not None
        )


class Rescue(BaseModel):
    """Rescue therapy: from the first visit meeting ``criteria``, a patient is a non-responder.

    Attributes:
        criteria: Expression over visit readouts (e.g. ``das28_crp - baseline_das28_crp > 1``).
        from_week: Rescue is allowed from this week on.
    """

    model_config = _STRICT

    criteria: ExpressionText
    from_week: float = Field(default=0.0, ge=0)

    @field_validator("criteria")
    @classmethod
    def _valid(cls, value: str) -> str:
        return _expression(value)


class Adjustment(BaseModel):
    """A background-therapy change by rule: the standard of care's response at a visit.

    From the first visit after baseline where ``criteria`` holds (within ``from_week``
    to ``until_week``), the patient stops the drugs of ``stop`` and starts ``regimens``
    on that visit's day. The visit itself is read before; later visits see the change.
    Unlike rescue, the patient stays evaluable (BLISS-52 allowed steroid increases until
    week 24). It may recur, each time at a later visit, up to ``max_per_patient`` times.

    Attributes:
        label: What it stands for (e.g. ``glucocorticoid burst for a flare``).
        criteria: Expression over the visit's readouts, baseline values and responses.
        regimens: Regimens started at the visit (day 0 is the visit's day).
        stop: Drugs discontinued at the visit: none of their doses from that day on is
            given (the arm's, the background's or an earlier adjustment's), and a
            running infusion ends; what is already in the body stays (e.g. nivolumab
            withheld for a grade >= 2 immune-related adverse event). At least one of
            ``regimens`` and ``stop`` is needed.
        arms: Arms it applies to (default every arm).
        from_week: First visit week at which it may start (visits after baseline).
        until_week: Last visit week at which it may start (default the end).
        max_per_patient: How many times one patient may get it.
    """

    model_config = _STRICT

    label: str = Field(min_length=1)
    criteria: ExpressionText
    regimens: list[str] = Field(default_factory=list)
    stop: list[str] = Field(default_factory=list)
    arms: list[str] = Field(default_factory=list)
    from_week: float = Field(default=0.0, ge=0)
    until_week: float | None = Field(default=None, ge=0)
    max_per_patient: int = Field(default=1, ge=1, le=20)

    @field_validator("criteria")
    @classmethod
    def _valid(cls, value: str) -> str:
        return _expression(value)

    @model_validator(mode="after")
    def _does_something(self) -> Adjustment:
        if not self.regimens and not self.stop:
            raise ValueError("give regimens to start, drugs to stop, or both")
        return self

    def applies(self, arm: str, week: float) -> bool:
        """Whether a patient of ``arm`` may start it at the visit of ``week``."""
        return (
            week > 0
            and week >= self.from_week
            and (self.until_week is None or week <= self.until_week)
            and (not self.arms or arm in self.arms)
        )


class Harms(BaseModel):
    """Harms simulated during the randomised period (``immunetwin.drugs.harms``).

    Attributes:
        infections: Stochastic bacterial exposures from randomisation on (Poisson,
            each followed by an antibiotic course), outputs every day, and the harm
            readouts (``serious_infections``, ``first_serious_infection_day``, zoster,
            IgG, cytopenias, CRS grade) at every visit over the on-study period.
        exposures_per_year: Exposure rate per patient-year.
    """

    model_config = _STRICT

    infections: bool = False
    exposures_per_year: float = Field(default=2.0, ge=0, le=50)


EndpointKind = Literal["responder", "continuous", "rate", "time_to_event", "incidence"]


class Endpoint(BaseModel):
    """An analysed endpoint.

    Attributes:
        id: Identifier (keys ``results.json``).
        kind: ``responder`` (share with ``value`` true at ``week``; drop-outs, rescued
            and failed patients count as non-responders), ``continuous`` (mean of
            ``value`` at ``week`` among patients seen), ``rate`` (increase of the
            cumulative count ``value`` over the time on trial, per ``per``
            patient-years), ``time_to_event`` (``value`` is the day an event first
            happened; Kaplan-Meier median and Cox hazard ratio), ``incidence``
            (share with the event of ``value`` by ``week``).
        value: Expression (responder, continuous) or readout name (rate,
            time_to_event, incidence).
        week: Visit week of the endpoint (default the end of the trial).
        label: Human-readable name.
        per: Rate unit in patient-years (1 for an annualised rate, 100 for harms).
        time_unit: Unit of time-to-event medians.
        primary: The trial's primary endpoint.
        among: Baseline expression choosing the patients the endpoint analyses
            (readouts of the baseline visit by their names, numeric covariates and
            ``female``; e.g. ``anti_dsdna_positive`` for a change in anti-dsDNA among
            patients positive at entry). The others are left out of its ``n``.
    """

    model_config = _STRICT

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    kind: EndpointKind
    value: ExpressionText
    week: float | None = Field(default=None, ge=0)
    label: str = ""
    per: float = Field(default=1.0, gt=0)
    time_unit: Literal["days", "weeks", "months", "years"] = "months"
    primary: bool = False
    among: ExpressionText | None = None

    @model_validator(mode="after")
    def _value(self) -> Endpoint:
        _expression(self.value)
        if self.among is not None:
            _expression(self.among)
        expression = Expression(self.value)
        if self.kind in ("rate", "time_to_event", "incidence") and not (
            expression.names == {self.value} and self.value.isidentifier()
        ):
            raise ValueError(f"a {self.kind} endpoint's value must be one readout name")
        return self


class TrialSpec(BaseModel):
    """A whole trial.

    Attributes:
        name: Trial name.
        disease: Disease (``immunetwin list diseases``).
        description: Free text.
        patients: Patients to enrol (all arms).
        seed: Run seed.
        population: Demographics of candidates.
        screening: Screening and enrolment.
        background: Background therapy of every arm.
        arms: The randomised arms.
        randomisation: Stratified permuted blocks.
        visits: Visit weeks.
        dropout: Drop-out hazard.
        enrolment: Staggered entry and the calendar close (administrative censoring).
        rescue: Rescue rule.
        adjustments: Background-therapy changes by rule (standard of care at visits).
        harms: Harms simulated on study (serious infections, zoster...).
        endpoints: Analysed endpoints.
        report_readouts: Readouts plotted over time by arm in the report.
        published: Published results, ``{arm: {endpoint: value}}``, shown next to the
            simulated ones (proportions in %, as published).
        published_comparisons: Published effects of an arm against the control arm,
            ``{arm: {endpoint: value}}``, in the comparison's own measure: the hazard
            ratio of a time-to-event endpoint, the rate ratio of a rate, otherwise the
            difference (percentage points for proportions).
        source: Where the published trial is described.
    """

    model_config = _STRICT

    name: str = Field(min_length=1)
    disease: str
    description: str = ""
    patients: int = Field(ge=2, le=10_000_000)
    seed: int = Field(default=0, ge=0)
    population: Population = Field(default_factory=Population)
    screening: Screening = Field(default_factory=Screening)
    background: Background = Field(default_factory=Background)
    arms: list[Arm] = Field(min_length=2)
    randomisation: Randomisation = Field(default_factory=Randomisation)
    visits: Visits
    dropout: Dropout = Field(default_factory=Dropout)
    enrolment: Enrolment = Field(default_factory=Enrolment)
    rescue: Rescue | None = None
    adjustments: list[Adjustment] = Field(default_factory=list)
    harms: Harms = Field(default_factory=Harms)
    endpoints: list[Endpoint] = Field(min_length=1)
    report_readouts: list[str] = Field(default_factory=list)
    published: dict[str, dict[str, float]] = Field(default_factory=dict)
    published_comparisons: dict[str, dict[str, float]] = Field(default_factory=dict)
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> TrialSpec:
        names = [a.name for a in self.arms]
        if len(set(names)) != len(names):
            raise ValueError(f"arm names must be unique, got {names}")
        controls = [a.name for a in self.arms if a.control]
        if len(controls) != 1:
            raise ValueError(f"exactly one arm must have control = true, got {len(controls)}")
        ids = [e.id for e in self.endpoints]
        if len(set(ids)) != len(ids):
            raise ValueError(f"endpoint ids must be unique, got {ids}")
        end = self.visits.end_week
        for endpoint in self.endpoints:
            week = endpoint.week if endpoint.week is not None else end
            if endpoint.kind in ("responder", "continuous") and week not in self.visits.weeks:
                raise ValueError(
                    f"endpoint {endpoint.id!r} is at week {week:g}, which is not a visit "
                    f"(visits: {', '.join(f'{w:g}' for w in self.visits.weeks)})"
                )
            if week > end:
                raise ValueError(f"endpoint {endpoint.id!r} is after the end (week {end:g})")
        if self.enrolment.close_after_events is not None:
            closing = self.close_endpoint
            if closing is None:
                raise ValueError(
                    "enrolment.close_after_events needs a time_to_event endpoint"
                    + (
                        f" (enrolment.close_endpoint {self.enrolment.close_endpoint!r} is not "
                        "one of them)"
                        if self.enrolment.close_endpoint
                        else ""
                    )
                )
            if self.enrolment.close_after_events > self.patients:
                raise ValueError(
                    f"enrolment.close_after_events ({self.enrolment.close_after_events}) is "
                    f"more than the {self.patients} patients"
                )
        if self.randomisation.every_arm:
            if self.randomisation.stratify:
                raise ValueError(
                    "randomisation.stratify does not apply with randomisation.every_arm = true "
                    "(every patient is in every arm): remove one"
                )
            weighted = [a.name for a in self.arms if a.ratio != 1]
            if weighted:
                raise ValueError(
                    f"arm {weighted[0]!r} has a ratio, which does not apply with "
                    "randomisation.every_arm = true (every patient is in every arm)"
                )
            if self.enrolment.close_after_events is not None:
                raise ValueError(
                    "enrolment.close_after_events does not apply with randomisation.every_arm "
                    "= true (twins would count each event once per arm)"
                )
        for arm, values in self.published.items():
            if arm not in names:
                raise ValueError(f"published results name unknown arm {arm!r}")
            for endpoint_id in values:
                if endpoint_id not in ids:
                    raise ValueError(
                        f"published results of {arm!r} name unknown endpoint {endpoint_id!r} "
                        f"(endpoints: {', '.join(ids)})"
                    )
        for adjustment in self.adjustments:
            unknown = [a for a in adjustment.arms if a not in names]
            if unknown:
                raise ValueError(
                    f"adjustment {adjustment.label!r} names unknown arm {unknown[0]!r} "
                    f"(arms: {', '.join(names)})"
                )
        for arm, values in self.published_comparisons.items():
            if arm not in names or arm in controls:
                others = [n for n in names if n not in controls]
                raise ValueError(
                    f"published_comparisons name {arm!r}, which is not a treated arm "
                    f"(treated arms: {', '.join(others)})"
                )
            for endpoint_id, value in values.items():
                if endpoint_id not in ids:
                    raise ValueError(
                        f"published_comparisons of {arm!r} name unknown endpoint {endpoint_id!r} "
                        f"(endpoints: {', '.join(ids)})"
                    )
                kind = next(e.kind for e in self.endpoints if e.id == endpoint_id)
                if kind in ("time_to_event", "rate") and not value > 0:
                    raise ValueError(
                        f"published_comparisons {arm!r} {endpoint_id!r}: a {kind} comparison is "
                        f"a ratio and must be > 0, got {value:g}"
                    )
        return self

    @property
    def close_endpoint(self) -> Endpoint | None:
        """The time-to-event endpoint whose events close the trial (None if none fits)."""
        timed = [e for e in self.endpoints if e.kind == "time_to_event"]
        wanted = self.enrolment.close_endpoint
        if wanted is not None:
            return next((e for e in timed if e.id == wanted), None)
        return next((e for e in timed if e.primary), timed[0] if timed else None)

    @property
    def control(self) -> Arm:
        """The control arm."""
        return next(a for a in self.arms if a.control)

    def endpoint_week(self, endpoint: Endpoint) -> float:
        """The endpoint's week (default the end of the randomised period)."""
        return endpoint.week if endpoint.week is not None else self.visits.end_week


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "spec"
    message = first["msg"].removeprefix("Value error, ")
    extra = " (allowed: see docs/trials.md)" if first["type"] == "extra_forbidden" else ""
    return f"{where}: {message}{extra}"


def _scale_event_close(data: Mapping[str, object], merged: dict[str, object]) -> dict[str, object]:
    """Scale ``enrolment.close_after_events`` when the trial runs at another size.

    A trial run with fewer patients than designed closes at the same share of
    patients with an event, not at the design's count (which it might never reach).
    """
    enrolment = data.get("enrolment")
    designed, patients = data.get("patients"), merged.get("patients")
    if not isinstance(enrolment, Mapping) or "close_after_events" not in enrolment:
        return merged
    events = enrolment["close_after_events"]
    valid = (int, float)
    if (
        not isinstance(events, valid)
        or not isinstance(designed, valid)
        or not isinstance(patients, valid)
        or designed <= 0
        or patients == designed
    ):
        return merged
    scaled = max(1, round(events * patients / designed))
    return {**merged, "enrolment": {**enrolment, "close_after_events": scaled}}


def parse_spec(
    data: Mapping[str, object], overrides: Mapping[str, object] | None = None
) -> TrialSpec:
    """Validate a trial given as a mapping (e.g. parsed TOML).

    Args:
        data: The specification.
        overrides: Top-level fields replaced before validation (``patients``, ``seed``).

    Raises:
        SpecError: One line naming the first invalid field and what is allowed.
    """
    merged = {**data, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    merged = _scale_event_close(data, merged)
    try:
        spec = TrialSpec.model_validate(merged)
    except ValidationError as err:
        raise SpecError(f"trial spec: {_first_error(err)}") from None
    except SpecError as err:
        raise SpecError(f"trial spec: {err}") from None
    return spec


def load_spec(path: str | Path, overrides: Mapping[str, object] | None = None) -> TrialSpec:
    """Read and validate a TOML trial specification.

    Raises:
        SpecError: For a missing file, bad TOML, or an invalid field.
    """
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"trial spec not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{path}: not valid TOML: {err}") from None
    try:
        return parse_spec(data, overrides)
    except SpecError as err:
        raise SpecError(f"{path.name}: {err}") from None
