"""Harms: stochastic infectious exposures and observation models for adverse events.

The ODE stays deterministic; what happens to a patient by chance is drawn up front
from the patient's own generator and given to the engine as a
:class:`~immunetwin.engine.Schedule` (see :func:`exposure_schedule`). Adverse events are
then read from the trajectory by explicit observation models with sources:

- **serious infection** (:func:`serious_infections`): a bacterial inoculum that escapes
  phagocytic control. The immune model is bistable here (phagocytic saturation): an
  inoculum is either cleared within ~2 days (peak < ~1e3 CFU/uL) or grows to ~1e5 CFU/uL
  and stays there until treated. An escape is the model's hospitalised infection; every
  exposure is followed by an antibiotic course that ends escaped infections (and does
  nothing to cleared ones). Exposure rate and inoculum size are calibrated to the
  no-glucocorticoid group of George et al. 2020; glucocorticoid dose dependence
  comes from the drug's mechanism (less neutrophil adhesion and cytokine production).
- **herpes zoster** (:func:`zoster_readouts`): a reactivation hazard that rises with
  loss of type I interferon and T-cell signalling (hooks read from the trajectory);
  events are a Poisson process on its cumulative hazard, with a clock keyed to the
  patient so every visit of a trial keeps the events an earlier one found.
- **hypogammaglobulinaemia**, **cytopenias** (CTCAE v5 grades), **cytokine release
  syndrome** (biomarker surrogate of ASTCT grade) from labs;
- **infusion reactions** (:func:`infusion_reactions`): per-infusion probabilities from
  the labels, drawn per IV dose.

Malignancy is not modelled (:data:`NOT_MODELLED`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin._errors import SpecError
from immunetwin.drugs._declarations import Drug, Quantity
from immunetwin.drugs.regimen import PatientCovariates, Regimen, parse_regimen
from immunetwin.engine import Schedule, StateChange
from immunetwin.population import keyed_generator

__all__ = [
    "ANTIBIOTIC_COURSE_DAYS",
    "ANTIBIOTIC_DAILY_SURVIVAL",
    "BACTERIAL_EXPOSURES_PER_YEAR",
    "HARM_OUTPUTS",
    "INFUSION_REACTIONS",
    "INOCULUM_MEDIAN",
    "INOCULUM_SIGMA",
    "NOT_MODELLED",
    "SERIOUS_LOAD",
    "TREATMENT_DELAY_DAYS",
    "ZOSTER_BACKGROUND",
    "ZOSTER_LOG_HR_IFN",
    "ZOSTER_LOG_HR_T_CELL",
    "InfusionReactionRisk",
    "crs_grade",
    "cytopenias",
    "exposure_schedule",
    "harm_output_times",
    "harm_readouts",
    "hypogammaglobulinaemia",
    "infusion_reactions",
    "per_100_patient_years",
    "serious_infections",
    "zoster_hazard",
    "zoster_readouts",
]

# -- exposures ------------------------------------------------------------------------------

BACTERIAL_EXPOSURES_PER_YEAR = Quantity(
    2.0,
    "1/year",
    "assumption: tissue-invading bacterial exposures per person-year (order of the rate "
    "of antibiotic-treated infections in older adults; unconfirmed). Only its product with "
    "the per-exposure escape probability is identified, by George 2020 (no-GC group).",
)
INOCULUM_MEDIAN = Quantity(
    182.0,
    "CFU/uL",
    "calibrated: with INOCULUM_SIGMA, 8.6% hospitalised infection within 1 year without "
    "glucocorticoids and 17.7% at >10 mg/day prednisone in RA (George et al. Ann Intern Med "
    "2020, trials_calibration.csv George2020; median RA patient of the model)",
)
INOCULUM_SIGMA = Quantity(
    0.69,
    "dimensionless",
    "calibrated with INOCULUM_MEDIAN (log-normal SD of the inoculum, natural log)",
)
TREATMENT_DELAY_DAYS = Quantity(
    3.0,
    "day",
    "assumption: antibiotics start ~3 days after inoculation (symptom onset to admission "
    "for community-acquired infection; unconfirmed)",
)
ANTIBIOTIC_DAILY_SURVIVAL = Quantity(
    1e-3,
    "dimensionless",
    "bactericidal antibiotics kill ~2-4 log10 CFU per 24 h in vivo (Craig, Clin Infect Dis "
    "1998;26:1); 3 log10 per day",
)
ANTIBIOTIC_COURSE_DAYS = Quantity(
    7.0, "day", "usual course for community-acquired pneumonia or cellulitis (IDSA guidance)"
)
SERIOUS_LOAD = Quantity(
    1e4,
    "CFU/uL",
    "definition: escape from phagocytic control. The model's loads are bimodal (cleared "
    "inocula peak < ~1e3 CFU/uL; escaped ones reach ~1e5 CFU/uL = 1e8 CFU/mL, CRP ~300 mg/L), "
    "so any threshold between gives the same counts",
)

NOT_MODELLED: Mapping[str, str] = MappingProxyType(
    {
        "malignancy": "not modelled: no tumour or EBV-lymphoproliferation module; label "
        "warnings (lymphoma with anti-TNF, NMSC with JAK inhibitors, secondary T-cell "
        "malignancy after CAR-T) are not simulated",
        "viral_serious_infection": "not counted: exposures are bacterial; viral "
        "reactivation is represented by the herpes zoster hazard only",
        "opportunistic_infection": "not modelled (tuberculosis reactivation, PML, PJP)",
        "cardiovascular_and_thrombosis": "not modelled (MACE/VTE with JAK inhibitors)",
    }
)


def exposure_schedule(
    patient_id: int,
    rng: np.random.Generator,
    start_day: float,
    days: float,
    rate_per_year: float = BACTERIAL_EXPOSURES_PER_YEAR.value,
    inoculum_median: float = INOCULUM_MEDIAN.value,
    inoculum_sigma: float = INOCULUM_SIGMA.value,
    treatment: bool = True,
) -> Schedule:
    """Bacterial inoculations of one patient (Poisson process), each with an antibiotic course.

    An exposure at ``t`` adds a log-normal inoculum (CFU/uL of the periphery) to
    ``bacteria``; if ``treatment``, antibiotics then multiply ``bacteria`` by
    :data:`ANTIBIOTIC_DAILY_SURVIVAL` once a day from ``t + TREATMENT_DELAY_DAYS`` for
    :data:`ANTIBIOTIC_COURSE_DAYS` days. A cleared inoculum is already at zero, so the
    course changes nothing for it; an escaped one (a serious infection) is ended. Use
    outputs at least daily (:func:`harm_output_times`) for :func:`serious_infections`.

    Args:
        patient_id: The patient (accepted so the function fits a runner's per-patient
            ``schedules`` callback with :func:`functools.partial`; draws come from ``rng``
            only).
        rng: The patient's exposure generator.
        start_day: First day exposures can happen (days).
        days: Length of the exposure window (days).
        rate_per_year: Exposures per person-year.
        inoculum_median: Median inoculum (CFU/uL).
        inoculum_sigma: Log-normal SD of the inoculum (natural log).
        treatment: Whether each exposure is followed by an antibiotic course.

    Raises:
        SpecError: For a negative window, rate or inoculum.
    """
    if patient_id < 0:
        raise SpecError(f"patient_id must be >= 0, got {patient_id}")
    if start_day < 0 or days < 0 or rate_per_year < 0:
        raise SpecError("start_day, days and rate_per_year must be >= 0")
    if inoculum_median <= 0 or inoculum_sigma < 0:
        raise SpecError("inoculum_median must be > 0 and inoculum_sigma >= 0")
    n = int(rng.poisson(rate_per_year * days / 365.25))
    times = np.sort(start_day + rng.random(n) * days)
    doses = inoculum_median * np.exp(inoculum_sigma * rng.standard_normal(n))
    changes: list[StateChange] = []
    delay = TREATMENT_DELAY_DAYS.to("day")
    survival = ANTIBIOTIC_DAILY_SURVIVAL.value
    for t, dose in zip(times, doses, strict=True):
        changes.append(StateChange(float(t), "bacteria", "add", float(dose)))
        if treatment:
            for k in range(int(ANTIBIOTIC_COURSE_DAYS.to("day"))):
                changes.append(StateChange(float(t + delay + k), "bacteria", "multiply", survival))
    return Schedule(tuple(changes))


def exposure_times(schedule: Schedule) -> list[float]:
    """Days of the bacterial inoculations in ``schedule``."""
    return [c.time for c in schedule.changes if c.target == "bacteria" and c.op == "add"]


def harm_output_times(
    until: float, schedule: Schedule | None = None, step_days: float = 1.0
) -> np.ndarray:
    """Output times for harm readouts: a grid plus points after every inoculation.

    ``step_days`` apart, plus 0.5-day points after every inoculation until antibiotics
    start (so no escape is missed).

    Args:
        until: Simulation end (days).
        schedule: The patient's schedule (its inoculations add points).
        step_days: Grid step (days); at most 1 for :func:`serious_infections`.
    """
    grid = set(np.arange(0.0, until, step_days).tolist()) | {float(until)}
    delay = TREATMENT_DELAY_DAYS.to("day")
    for t in exposure_times(schedule) if schedule else []:
        grid |= {t + d for d in np.arange(0.5, delay + 1e-9, 0.5) if t + d <= until}
    return np.array(sorted(grid))


# -- readouts -------------------------------------------------------------------------------

HARM_OUTPUTS: tuple[str, ...] = (
    "bacteria",
    "lab_crp",
    "lab_il6",
    "lab_igg",
    "lab_neutrophils",
    "lab_lymphocytes",
    "ifnar_signalling",
    "lymphocyte_proliferation_factor",
    "cytokine_production_factor",
)
"""Outputs the harm readouts read (hooks are parameters or drug rules: both can be output)."""


def _episodes(values: np.ndarray, above: float) -> list[int]:
    """Start indices of runs where ``values >= above``."""
    flag = values >= above
    starts = np.flatnonzero(flag & ~np.concatenate(([False], flag[:-1])))
    return [int(i) for i in starts]


def serious_infections(
    trajectory: pd.DataFrame, load_threshold: float = SERIOUS_LOAD.value
) -> dict[str, float]:
    """Serious (hospitalised) bacterial infections: episodes of load >= ``load_threshold``.

    Args:
        trajectory: One patient's outputs indexed by time (days) with ``bacteria``
            (CFU/uL) or ``lab_bacterial_load`` (CFU/mL); outputs at least daily.
        load_threshold: Load defining escape (CFU/uL), :data:`SERIOUS_LOAD`.

    Returns:
        ``serious_infections`` (count), ``first_serious_infection_day`` (nan if none),
        ``peak_crp_in_serious_infection`` (mg/L; nan if none or no ``lab_crp``).
    """
    if "bacteria" in trajectory:
        load = trajectory["bacteria"].to_numpy(dtype=float)
    elif "lab_bacterial_load" in trajectory:
        load = trajectory["lab_bacterial_load"].to_numpy(dtype=float) / 1e3  # CFU/mL -> /uL
    else:
        raise SpecError("serious_infections needs a 'bacteria' or 'lab_bacterial_load' output")
    starts = _episodes(load, load_threshold)
    times = trajectory.index.to_numpy(dtype=float)
    peak_crp = math.nan
    if starts and "lab_crp" in trajectory:
        peak_crp = float(trajectory["lab_crp"].to_numpy()[load >= load_threshold].max())
    return {
        "serious_infections": float(len(starts)),
        "first_serious_infection_day": float(times[starts[0]]) if starts else math.nan,
        "peak_crp_in_serious_infection": peak_crp,
    }


def per_100_patient_years(events: float, follow_up_days: float) -> float:
    """Event rate per 100 patient-years."""
    if follow_up_days <= 0:
        raise SpecError("follow-up must be > 0 days")
    return 100.0 * events / (follow_up_days / 365.25)


ZOSTER_BACKGROUND = Quantity(
    0.01,
    "1/year",
    "herpes zoster in RA without JAK inhibitors ~1 per 100 patient-years (Smitten et al. "
    "Arthritis Res Ther 2007;9:R48: ~1.0/100 PY; Winthrop et al. Arthritis Rheumatol "
    "2014;66:2675)",
)
ZOSTER_LOG_HR_IFN = Quantity(
    2.2,
    "dimensionless",
    "calibrated: tofacitinib 5 mg twice daily ~4 per 100 PY (Winthrop et al. Arthritis "
    "Rheumatol 2014;66:2675: 4.4 crude) given ZOSTER_LOG_HR_T_CELL",
)
ZOSTER_LOG_HR_T_CELL = Quantity(
    0.5,
    "dimensionless",
    "assumption: conventional immunosuppression (methotrexate, glucocorticoids) raises "
    "zoster risk ~1.2-1.5-fold (Smitten et al. 2007; unconfirmed)",
)


# Seed-sequence key of the zoster event clock (keyed_generator): the patient's events
# are the same at every visit.
ZOSTER_KEY = 0x2057


def zoster_hazard(trajectory: pd.DataFrame) -> pd.Series:
    """Herpes zoster hazard (per 100 patient-years) at each output time.

    ``h = h0 exp(b_ifn (1 - ifnar_signalling) + b_T (1 - lymphocyte_proliferation_factor
    * cytokine_production_factor))``: VZV stays latent under type I IFN and T-cell
    (IL-2-driven) surveillance; missing hook columns count as 1 (no drug on that hook).
    """
    n = len(trajectory)
    ones = pd.Series(np.ones(n), index=trajectory.index)
    ifn = trajectory.get("ifnar_signalling", ones)
    t_cell = (trajectory.get("lymphocyte_proliferation_factor", ones)) * (
        trajectory.get("cytokine_production_factor", ones)
    )
    log_hr = ZOSTER_LOG_HR_IFN.value * (1 - ifn.clip(0, 1)) + ZOSTER_LOG_HR_T_CELL.value * (
        1 - t_cell.clip(0, 1)
    )
    per_100py = 100.0 * ZOSTER_BACKGROUND.to("1/year") * np.exp(log_hr.to_numpy(dtype=float))
    return pd.Series(per_100py, index=trajectory.index, name="zoster_hazard")


def zoster_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """Expected and sampled herpes zoster events over the trajectory.

    The hazard is integrated by the trapezoidal rule over the output times. Events are
    a Poisson process on that cumulative-hazard clock: unit-exponential gaps from a
    generator keyed to the patient (``rng`` itself is not advanced), each event placed
    by inverting the cumulative hazard. The count is Poisson with the expected number
    as mean, and a trial's later visit, which reads the same history and more, keeps
    every event an earlier visit found (and its day). A generator without a seed
    sequence draws the gaps from ``rng``.

    Returns:
        ``zoster_expected`` (events), ``zoster_rate_per_100py`` (mean hazard),
        ``zoster_events`` (sampled count), ``first_zoster_day`` (nan if none).
    """
    hazard = zoster_hazard(trajectory)
    t = trajectory.index.to_numpy(dtype=float)
    per_day = hazard.to_numpy() / 100.0 / 365.25
    if len(t) < 2:
        raise SpecError("zoster_readouts needs at least two output times")
    steps = np.diff(t) * 0.5 * (per_day[1:] + per_day[:-1])
    cumulative = np.concatenate(([0.0], np.cumsum(steps)))
    expected = float(cumulative[-1])
    clock = keyed_generator(rng, ZOSTER_KEY) or rng
    arrivals = []
    arrival = clock.exponential()
    while arrival <= expected:
        arrivals.append(arrival)
        arrival += clock.exponential()
    first = float(np.interp(arrivals[0], cumulative, t)) if arrivals else math.nan
    return {
        "zoster_expected": expected,
        "zoster_rate_per_100py": per_100_patient_years(expected, t[-1] - t[0]),
        "zoster_events": float(len(arrivals)),
        "first_zoster_day": first,
    }


IGG_LOW = Quantity(
    7.0, "g/L", "physiology.csv igg_serum lower limit 700 mg/dL (hypogammaglobulinaemia)"
)
IGG_SEVERE = Quantity(
    4.0,
    "g/L",
    "severe hypogammaglobulinaemia < 4 g/L, the level at which IgG replacement is usually "
    "considered after rituximab (Wijetilleka et al. Rheumatology 2021;60:1822; unconfirmed)",
)


def hypogammaglobulinaemia(trajectory: pd.DataFrame) -> dict[str, float]:
    """IgG nadir and days below 7 g/L (and below 4 g/L) from ``lab_igg`` (g/L)."""
    igg = trajectory["lab_igg"]
    t = trajectory.index.to_numpy(dtype=float)
    below = igg.to_numpy() < IGG_LOW.value
    first = float(t[below][0]) if below.any() else math.nan
    return {
        "igg_nadir_g_per_l": float(igg.min()),
        "hypogammaglobulinaemia": float(below.any()),
        "severe_hypogammaglobulinaemia": float((igg.to_numpy() < IGG_SEVERE.value).any()),
        "first_low_igg_day": first,
    }


# CTCAE v5 lower bounds of grades 1-4 (cells/uL); grade 1 starts below the lower normal.
CTCAE_NEUTROPHILS: tuple[float, ...] = (1800.0, 1500.0, 1000.0, 500.0)
CTCAE_LYMPHOCYTES: tuple[float, ...] = (1000.0, 800.0, 500.0, 200.0)
_CTCAE = (
    "CTCAE v5.0 (NCI 2017): neutrophil count decreased <LLN/1500/1000/500 per uL; "
    "lymphocyte count decreased <LLN/800/500/200 per uL; LLN from physiology.csv"
)


def _grade(nadir: float, bounds: Sequence[float]) -> int:
    return sum(1 for b in bounds if nadir < b)


def cytopenias(trajectory: pd.DataFrame) -> dict[str, float]:
    """Worst neutropenia and lymphopenia grade (CTCAE v5) and nadirs (cells/uL).

    ``neutropenia`` is a nadir below 1500/uL (1.5e9/L, grade >= 2); ``lymphopenia`` below
    800/uL (grade >= 2). Source: CTCAE v5.0.
    """
    neut = float(trajectory["lab_neutrophils"].min())
    lym = float(trajectory["lab_lymphocytes"].min())
    return {
        "neutrophil_nadir": neut,
        "neutropenia_grade": float(_grade(neut, CTCAE_NEUTROPHILS)),
        "neutropenia": float(neut < CTCAE_NEUTROPHILS[1]),
        "lymphocyte_nadir": lym,
        "lymphopenia_grade": float(_grade(lym, CTCAE_LYMPHOCYTES)),
        "lymphopenia": float(lym < CTCAE_LYMPHOCYTES[1]),
    }


# Peak IL-6 (pg/mL) lower bounds of surrogate CRS grades 1-4 with CRP >= CRS_CRP.
CRS_IL6_BOUNDS: tuple[float, ...] = (40.0, 200.0, 1000.0, 5000.0)
CRS_CRP = Quantity(
    50.0,
    "mg/L",
    "assumption: CRS with fever has CRP well above 50 mg/L (Teachey et al. Cancer Discov "
    "2016;6:664; unconfirmed)",
)
_CRS_SOURCE = (
    "ASTCT grading (Lee et al. Biol Blood Marrow Transplant 2019;25:625) uses fever, "
    "hypotension and hypoxia, which the model does not have; the grade here is a surrogate "
    "from peak IL-6 (bounds 40/200/1000/5000 pg/mL: assumption ordered as peak IL-6 rises "
    "with CRS grade, Teachey et al. 2016 and Hay et al. Blood 2017;130:2295; unconfirmed)"
)


def crs_grade(trajectory: pd.DataFrame) -> dict[str, float]:
    """Cytokine release syndrome surrogate grade (0-4) from peak IL-6 and CRP.

    Grade k when peak ``lab_il6`` >= ``CRS_IL6_BOUNDS[k-1]`` and peak ``lab_crp`` >=
    :data:`CRS_CRP`; 0 otherwise. A biomarker surrogate of the ASTCT grade (see
    ``_CRS_SOURCE``), meant for cell therapies; an infection can also meet it.
    """
    il6 = float(trajectory["lab_il6"].max())
    crp = float(trajectory["lab_crp"].max())
    grade = _grade(-il6, [-b for b in CRS_IL6_BOUNDS]) if crp >= CRS_CRP.value else 0
    return {"crs_grade": float(grade), "peak_il6": il6, "peak_crp": crp}


# -- infusion reactions ---------------------------------------------------------------------


@dataclass(frozen=True)
class InfusionReactionRisk:
    """Probability of an infusion reaction per IV dose.

    Attributes:
        first: Probability at the first infusion (dimensionless).
        later: Probability at each later infusion (dimensionless).
        source: Label or paper.
    """

    first: float
    later: float
    source: str

    def __post_init__(self) -> None:
        if not (0 <= self.first <= 1 and 0 <= self.later <= 1):
            raise SpecError("infusion reaction probabilities must be in [0, 1]")


INFUSION_REACTIONS: Mapping[str, InfusionReactionRisk] = MappingProxyType(
    {
        "rituximab": InfusionReactionRisk(
            0.32,
            0.11,
            "Rituxan US label (RA): acute infusion reactions 32% with the first and 11% with "
            "the second infusion (with methylprednisolone premedication)",
        ),
        "ocrelizumab": InfusionReactionRisk(
            0.34, 0.15, "Ocrevus US label: IRR 34-40% (first infusion highest; later unconfirmed)"
        ),
        "obinutuzumab": InfusionReactionRisk(
            0.65,
            0.10,
            "Gazyva US label (CLL): IRR 65% with the first 1000 mg, rare later (unconfirmed "
            "for lupus nephritis)",
        ),
        "infliximab": InfusionReactionRisk(
            0.20 / 4,
            0.20 / 4,
            "Remicade US label: ~20% of patients had an infusion reaction over ~4 "
            "infusions (10% placebo); per infusion ~5% (unconfirmed split)",
        ),
        "tocilizumab": InfusionReactionRisk(
            0.08 / 6,
            0.08 / 6,
            "Actemra US label: infusion reactions 7-8% of patients over 24 weeks (~6 "
            "infusions); per infusion ~1.3% (unconfirmed split)",
        ),
        "abatacept": InfusionReactionRisk(
            0.09 / 7,
            0.09 / 7,
            "Orencia US label: acute infusional events 9% (placebo 6%) over ~7 infusions in "
            "6 months; per infusion ~1.3% (unconfirmed split)",
        ),
        "belimumab": InfusionReactionRisk(
            0.17 / 14,
            0.17 / 14,
            "Benlysta US label: infusion reactions 17% (placebo 15%) over 52 weeks (~14 "
            "infusions); per infusion ~1.2% (unconfirmed split)",
        ),
        "natalizumab": InfusionReactionRisk(
            0.24 / 26,
            0.24 / 26,
            "Tysabri US label: infusion-related reactions 24% (placebo 18%) over 2 years "
            "(~26 infusions); per infusion ~0.9%",
        ),
        "anifrolumab": InfusionReactionRisk(
            0.094 / 13,
            0.094 / 13,
            "Saphnelo US label: infusion-related reactions 9.4% (placebo 7.1%) over 52 "
            "weeks (13 infusions)",
        ),
    }
)


def infusion_reactions(
    regimens: Iterable[Regimen | str],
    rng: np.random.Generator,
    covariates: PatientCovariates | None = None,
    horizon_days: float = 365.0,
    library: Mapping[str, Drug] | None = None,
) -> dict[str, float]:
    """Draw an infusion reaction for every IV dose taken.

    The first infusion of each drug reacts with its ``first`` probability, later ones
    with ``later``. Dose draws (adherence) use ``rng`` too: pass a generator of its own
    stream, not the one that built the dosing schedule.

    Drugs without an entry in :data:`INFUSION_REACTIONS` contribute no reactions.

    Returns:
        ``infusions`` (IV doses taken), ``infusion_reactions`` (count),
        ``first_infusion_reaction_day`` (nan if none).
    """
    from immunetwin.drugs.library import DRUGS

    lib = dict(library or DRUGS)
    covariates = covariates or PatientCovariates()
    infusions = 0
    reaction_days: list[float] = []
    for item in regimens:
        regimen = item if isinstance(item, Regimen) else parse_regimen(item, lib)
        drug = lib[regimen.drug]
        risk = INFUSION_REACTIONS.get(drug.name)
        given = [
            e
            for e in regimen.doses(drug, covariates, horizon_days, rng)
            if e.taken and e.route == "iv"
        ]
        for k, event in enumerate(given):
            infusions += 1
            if risk is None:
                continue
            if rng.random() < (risk.first if k == 0 else risk.later):
                reaction_days.append(event.time)
    return {
        "infusions": float(infusions),
        "infusion_reactions": float(len(reaction_days)),
        "first_infusion_reaction_day": min(reaction_days) if reaction_days else math.nan,
    }


def harm_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """Every trajectory-based harm readout of one patient (outputs :data:`HARM_OUTPUTS`).

    Keys: those of :func:`serious_infections`, :func:`zoster_readouts`,
    :func:`hypogammaglobulinaemia`, :func:`cytopenias` and :func:`crs_grade`.
    """
    out: dict[str, float] = {}
    out.update(serious_infections(trajectory))
    out.update(zoster_readouts(trajectory, rng))
    out.update(hypogammaglobulinaemia(trajectory))
    out.update(cytopenias(trajectory))
    out.update(crs_grade(trajectory))
    return out


def harm_readout_names() -> frozenset[str]:
    """The names :func:`harm_readouts` returns (read from a steady synthetic trajectory).

    A trial specification is checked against them before anything is simulated; the
    names do not depend on the state.
    """
    days = pd.Index(np.arange(0.0, 29.0, 1.0), name="time")
    trajectory = pd.DataFrame(1.0, index=days, columns=list(HARM_OUTPUTS))
    return frozenset(harm_readouts(trajectory, np.random.default_rng(0)))


SOURCES: Mapping[str, str] = MappingProxyType({"ctcae": _CTCAE, "crs": _CRS_SOURCE})


def harms_markdown() -> str:
    """The harms page (``docs/drugs/harms.md``), generated from the declarations here."""
    rows = [
        ("exposure rate", BACTERIAL_EXPOSURES_PER_YEAR),
        ("inoculum median", INOCULUM_MEDIAN),
        ("inoculum log-SD", INOCULUM_SIGMA),
        ("antibiotics start after inoculation", TREATMENT_DELAY_DAYS),
        ("antibiotic daily survival", ANTIBIOTIC_DAILY_SURVIVAL),
        ("antibiotic course", ANTIBIOTIC_COURSE_DAYS),
        ("serious infection load", SERIOUS_LOAD),
        ("zoster background hazard", ZOSTER_BACKGROUND),
        ("zoster log-HR per unit IFN signalling lost", ZOSTER_LOG_HR_IFN),
        ("zoster log-HR per unit T-cell signalling lost", ZOSTER_LOG_HR_T_CELL),
        ("IgG low", IGG_LOW),
        ("IgG severely low", IGG_SEVERE),
        ("CRS CRP floor", CRS_CRP),
    ]
    lines = [
        "# Harms: exposures and adverse-event readouts",
        "",
        "Generated from `immunetwin.drugs.harms` by `write_drug_docs('docs/drugs')`.",
        "",
        (__doc__ or "").strip().split("\n\n", 1)[1],
        "",
        "## Parameters",
        "",
        "| quantity | value | source |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {q.text()} | {q.source} |" for name, q in rows]
    lines += [
        "",
        "## Readouts",
        "",
        "`harm_readouts(trajectory, rng)` needs the outputs "
        + ", ".join(f"`{o}`" for o in HARM_OUTPUTS)
        + " at least daily (`harm_output_times`). Keys:",
        "",
        "- serious infections: `serious_infections`, `first_serious_infection_day`, "
        "`peak_crp_in_serious_infection`",
        "- herpes zoster: `zoster_expected`, `zoster_rate_per_100py`, `zoster_events`, "
        "`first_zoster_day`",
        "- hypogammaglobulinaemia: `igg_nadir_g_per_l`, `hypogammaglobulinaemia` (< 7 g/L), "
        "`severe_hypogammaglobulinaemia` (< 4 g/L), `first_low_igg_day`",
        "- cytopenias: `neutrophil_nadir`, `neutropenia_grade`, `neutropenia` (< 1500/uL), "
        "`lymphocyte_nadir`, `lymphopenia_grade`, `lymphopenia` (< 800/uL). " + _CTCAE,
        "- cytokine release syndrome: `crs_grade`, `peak_il6`, `peak_crp`. " + _CRS_SOURCE,
        "",
        "`infusion_reactions(regimens, rng, covariates, horizon_days)` draws one reaction per "
        "IV dose: `infusions`, `infusion_reactions`, `first_infusion_reaction_day`.",
        "",
        "| drug | first infusion | later infusions | source |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {r.first:.3g} | {r.later:.3g} | {r.source} |"
        for name, r in sorted(INFUSION_REACTIONS.items())
    ]
    lines += ["", "## Not modelled", ""]
    lines += [f"- {name}: {text}" for name, text in NOT_MODELLED.items()]
    return "\n".join(lines) + "\n"
