"""Observation models: clinical readouts computed from the mechanistic state.

Every readout is a function of model outputs (labs, organ states) plus stated
measurement noise, visit-to-visit fluctuation of disease activity that the ODE does
not carry, and an explicit placebo (expectation) effect on the subjective items.
Healthy reference levels are the stored healthy steady state of the immune model.

Random numbers. Each readout function draws a fixed number of standard normals in
one call (:func:`visit_normals`), whatever the state, and turns them into the
distributions it needs by inversion (binomial counts through their quantile
function), so arms of a trial see common random numbers. Patient-level traits (the
expectation that carries the placebo response, a patient's own offset in pain and
function) must be the same at every visit: :func:`patient_traits` draws them from a
generator derived from the seed sequence of the generator passed in (its spawn key
extended by :data:`TRAIT_KEY`), so a trial that passes one generator per patient
(``patient_rng(seed, patient, OBSERVATION_STREAM)``) sees the same traits at
baseline and at every visit, without consuming the visit stream. The visit stream
moves on from visit to visit, so a readout that re-reads the past (the worst grade
since enrolment, an assessment that later confirms progression) must not draw the
past's noise from it: it reads keyed generators (:func:`patient_normals` for offsets
fixed for the patient, :func:`reading_normal` for a reading on a given day), so every
visit reads a past day as the visit on that day did.

Time on study. The placebo effect grows from enrolment: the day of enrolment is read
from ``trajectory.attrs["enrolment_day"]`` when the caller sets it, otherwise the
disease's default enrolment day is used.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE
from immunetwin.immune.tissue import ORGAN_SPECS
from immunetwin.population import keyed_generator

__all__ = [
    "ANA_POSITIVE",
    "ANTI_DSDNA_POSITIVE",
    "BILAG_GRADES",
    "C3_LOW",
    "C4_LOW",
    "DAS28_HIGH",
    "DAS28_LOW",
    "DAS28_REMISSION",
    "PROTEINURIA_POSITIVE",
    "TRAIT_KEY",
    "bilag_letter",
    "bilag_mucocutaneous",
    "bilag_musculoskeletal",
    "bilag_numeric",
    "bilag_renal",
    "binomial_quantile",
    "das28_crp",
    "das28_esr",
    "egfr",
    "facit_fatigue",
    "fatigue_normals",
    "haq_di",
    "joint_counts",
    "lognormal",
    "measured_crp",
    "organ_fluctuation",
    "patient_normals",
    "patient_traits",
    "placebo_fraction",
    "proteinuria",
    "sharp_progression",
    "sle_pga",
    "sledai_2k",
    "synovitis_burden",
    "time_on_study",
    "visit_normals",
]

# Seed-sequence spawn-key element of the patient-trait generator (any value no
# caller uses as a child index: patient_rng keys are (stream, patient)).
TRAIT_KEY = 0x7A17

# EULAR DAS28 cut points (Prevoo et al. Arthritis Rheum 1995; Fransen & van Riel 2005).
DAS28_REMISSION = 2.6
DAS28_LOW = 3.2
DAS28_HIGH = 5.1

# Joint observation model (calibrated: the inflamed synovial branch of the model, drive
# 4-7, gives 10-16 swollen and 13-20 tender of 28 joints as in active-RA trial entry
# criteria of >=6 swollen and >=8 tender joints, ARMADA/OPTION).
SYNOVITIS_HALF_CELLS = 300.0  # cells/uL of synovial infiltrate above health for half burden
SWOLLEN_SHARE = 0.7  # share of the 28 joints swollen at full burden
TENDER_SHARE = 0.95  # tenderness is more widespread than swelling (pain sensitisation)
JOINT_OBSERVER_SD = 1.5  # joints: inter-observer SD of 28-joint counts (Scott et al. 1996)
PGA_BASE = 5.0  # mm VAS in health
PGA_SLOPE = 80.0  # mm VAS at full synovitis burden
PGA_SD = 12.0  # mm: within-patient VAS noise (test-retest SD ~10-15 mm)
CRP_ASSAY_CV = 0.1  # analytical plus biological within-day CV of CRP
ESR_ASSAY_CV = 0.1  # Westergren ESR repeatability CV (ICSH 2011: ~10% at raised values)
# The ESR rises with age and is higher in women: physiology.csv esr_normal gives the upper
# limit as ~(age [+10 if female]) / 2 mm/h (Miller et al. BMJ 1983). The model's ESR
# (esr_reference, immune/complement.py) is that of a 30-year-old man (upper limit 15); an
# observed ESR scales with the patient's upper limit (assumption: the whole distribution
# moves with its upper limit). Factor 0.5 at the least (adolescents).
ESR_REFERENCE_UPPER_LIMIT = 15.0  # mm/h, a 30-year-old man
ESR_FEMALE_YEARS = 10.0
ESR_MIN_FACTOR = 0.5
# Haemoglobin: the model's reference (14 g/dL, immune/complement.py) is the midpoint of the
# women's range 12-16 g/dL; men's 13.5-17.5 g/dL has midpoint 15.5 (textbook, as that
# parameter's source). An observed haemoglobin scales with the patient's sex.
HAEMOGLOBIN_MALE_FACTOR = 15.5 / 14.0
# Haematocrit (%) = 100 x haemoglobin / MCHC, MCHC ~33 g/dL (textbook 32-36; the "rule of
# three", Hct ~ 3 x Hb), for indices that score the haematocrit (CDAI).
MCHC_G_PER_DL = 33.0

# Visit-to-visit fluctuation of RA activity (log-normal SD of the synovitis burden seen
# at a visit; calibrated: with the binomial and examiner noise, placebo+MTX ACR20
# 14.5-26% in ARMADA/OPTION, trials_calibration.csv; RA activity fluctuates between
# visits without treatment change, e.g. flares in ~30% of 3-monthly intervals, Bykerk
# et al. Ann Rheum Dis 2014).
RA_ACTIVITY_SD = 0.3
# The fluctuation has two parts with the total SD above. A fast one, drawn afresh at
# every visit (day-to-day variation of joints and examiners): its SD is fitted to the
# one-week test-retest of DAS28 in stable patients (smallest detectable difference 1.32,
# Uhlig et al. Ann Rheum Dis 2009;68:972). A slow one with memory (flares and quieter
# spells over weeks to months; :func:`persistent_normal`) carries the rest: visits a
# week apart share it, visits months apart (a trial's baseline and its week-24 endpoint)
# do not, so the placebo arms calibrated with a memoryless SD 0.3 keep their responses.
RA_ACTIVITY_FAST_SD = 0.16
# Spacing of the slow part's knots: two visits more than twice this apart are
# independent, a week apart correlated 0.98. Assumption, bounded below by the one-week
# test-retest and above by the 24-week placebo responses (docs/diseases/ra.md).
RA_ACTIVITY_SLOW_DAYS = 56.0
RA_ACTIVITY_KEY = 0x2A57  # seed-sequence key of the slow part's knots

# Physician global (0-100 mm VAS): tracks the examined synovitis.
PHYSICIAN_GLOBAL_BASE = 3.0  # mm in health (calibrated: healthy adults read ~0-5 mm)
PHYSICIAN_GLOBAL_SLOPE = 85.0  # mm at full burden (calibrated: trial baselines ~55-65 mm)
PHYSICIAN_GLOBAL_SD = 10.0  # mm: within-rater VAS noise (calibrated: SD 8-12 mm)
# Pain VAS (0-100 mm).
PAIN_BASE = 5.0  # mm in health (calibrated: general population median ~0-10 mm)
PAIN_SLOPE = 85.0  # mm at full burden (calibrated: active-RA trial baselines ~55-65 mm)
PAIN_SD = 12.0  # mm: within-patient test-retest SD (VAS pain SDC ~ 15-25 mm)
PAIN_PATIENT_SD = 10.0  # mm: patient-level offset (pain sensitisation, fibromyalgia)
# HAQ-DI (0-3 in steps of 1/8).
HAQ_BASE = 0.1  # HAQ-DI in health (calibrated: general population mean ~0.1-0.25)
HAQ_SYNOVITIS = 2.2  # HAQ-DI at full burden (calibrated: trial baselines HAQ-DI ~1.5-1.6)
HAQ_PER_SHARP = 0.01  # HAQ-DI per modified Sharp unit of damage (calibrated: the
# irreversible HAQ component ~0.1 per 10 Sharp units; Welsing et al. Arthritis Rheum 2001)
HAQ_SD = 0.2  # within-patient test-retest SD (HAQ-DI SDC ~0.2-0.25)
HAQ_PATIENT_SD = 0.2  # patient-level offset (age, comorbidity, coping)
# FACIT-Fatigue (13 items, 0-52, higher = less fatigue; Yellen et al. J Pain Symptom
# Manage 1997;13:63). In RA fatigue follows pain and mood more than inflammation
# (Pollard et al. Rheumatology 2006;45:885), so it is read from the visit's pain (which
# carries the synovitis, the placebo relief and the patient's pain offset) plus a
# patient trait (mood, sleep, coping) and the visit's noise.
FACIT_F_MAX = 52.0
# 1,010 US adults: mean 43.6, SD 9.4 (Cella et al. Cancer 2002;94:528).
FACIT_F_GENERAL_POPULATION = 43.6
FACIT_F_GENERAL_POPULATION_SD = 9.4
# Test-retest r of the fatigue subscale 0.84-0.90 (Yellen et al. 1997): the visit's noise
# is the general population's SD times sqrt(1 - r) at r = 0.87.
FACIT_F_RETEST = 0.87
FACIT_F_VISIT_SD = round(FACIT_F_GENERAL_POPULATION_SD * math.sqrt(1.0 - FACIT_F_RETEST), 1)
# The patient trait (mood, sleep, coping): calibrated so that, with the pain's spread and
# the ceiling at 52, healthy adults read an SD near the general population's (the
# model's healthy population reads 8.4-8.5 against 9.4; tests/diseases/
# test_ra_fatigue.py).
FACIT_F_PATIENT_SD = 9.0
# Calibrated together (two conditions): OPTION's baseline 27.1 (26.7-27.7 by arm, Smolen
# et al. Lancet 2008;371:987) at the model's entry pain (~55 mm, tests/diseases/
# test_ra_fatigue.py) and the general population's mean 43.6 at healthy pain (~9 mm,
# with the ceiling at 52).
FACIT_F_PAIN_FREE = 48.8  # FACIT-F at 0 mm pain
FACIT_F_PER_PAIN_MM = 0.40
# A change of 4 points or more is important to patients (3-4 in RA: Cella et al.
# J Rheumatol 2005;32:811).
FACIT_F_MCID = 4.0

# Concomitant fibromyalgia in RA: 21% of patients (pooled prevalence, 40 studies;
# Duffield et al. Rheumatology 2018;57:1453), with DAS28 1.24 higher (95% CI 1.10-1.37)
# through the self-reported components (tender joints, pain, global), not swollen joints
# or acute-phase reactants. In a cohort of 202 RA inpatients the 21% with fibromyalgia had
# 16.5 against 4.5 tender joints and HAQ-DI 1.24 against 0.66, with the same swollen
# joints, ESR and CRP (Peking University People's Hospital; Research Square rs-661343,
# 2021). Central sensitisation is not inflammation: no anti-inflammatory drug moves it.
FIBROMYALGIA_SHARE = 0.21
# Without RA: 2.0% of US adults (Wolfe et al. Arthritis Rheum 1995;38:19), for people
# read with the RA observation model who never had synovitis (healthy controls).
FIBROMYALGIA_SHARE_GENERAL = 0.02
# Share of the joints not tender from synovitis that are tender from sensitisation:
# 0.5 turns 4.5 tender joints into ~16 (the inpatient cohort above).
FIBROMYALGIA_TENDER_SHARE = 0.5
# Pain and patient global (mm) added (calibrated: with the tender joints above they make
# DAS28 ~1.2 higher, Duffield et al.); HAQ-DI added: 1.24 - 0.66 (the cohort above).
FIBROMYALGIA_PAIN_MM = 25.0
FIBROMYALGIA_GLOBAL_MM = 25.0
FIBROMYALGIA_HAQ = 0.58
# Seed-sequence spawn-key elements of the fibromyalgia trait and of its visit draw.
FIBROMYALGIA_TRAIT_KEY = 0x7F1B
FIBROMYALGIA_KEY = 0x7F1A
# Seed-sequence spawn-key elements of the fatigue trait and reading generators (see
# TRAIT_KEY): their draws move no other readout.
FATIGUE_TRAIT_KEY = 0x7FA8
FATIGUE_KEY = 0x7FA7
# Radiographic progression: van der Heijde modified total Sharp score (0-448 units).
SHARP_PER_LOSS_YEAR = 0.0375  # units per (% synovium function lost x year) (calibrated:
# an untreated established patient at the model's ~72% loss progresses ~2.7 units/year
# as placebo+MTX in DE019, Keystone et al. Arthritis Rheum 2004)
SHARP_READER_SD = 1.0  # units per reading (calibrated: smallest detectable change of
# paired readings ~2-3 units, Bruynesteyn et al. Ann Rheum Dis 2002)

# Placebo (expectation) effect on the subjective items: a share of the disease-related
# part of patient global, pain, HAQ-DI and tenderness, growing from enrolment
# (calibrated: placebo+MTX ACR20 14.5-26% (ARMADA, OPTION), ACR50 8-11%, HAQ-DI change
# -0.27 in ARMADA placebo+MTX (Weinblatt et al. 2003); onset within weeks as in the
# placebo arms' week-2/4 curves).
PLACEBO_MAX = 0.15  # mean share of the subjective disease burden relieved
PLACEBO_PATIENT_SD = 1.0  # patient-level spread of the expectation (multiplier SD)
PLACEBO_ONSET_DAYS = 14.0  # time constant of onset after enrolment
PLACEBO_TENDER_WEIGHT = 0.5  # tenderness is half pain perception, half synovitis
# Swollen joints improve in placebo arms too (examiner expectation, background therapy
# still building up, regression beyond the modelled fluctuation): a smaller weight.
PLACEBO_SWOLLEN_WEIGHT = 0.3
PLACEBO_PHYSICIAN_WEIGHT = 0.3  # blinded physicians partly follow what patients report


def visit_normals(rng: np.random.Generator, n: int) -> np.ndarray:
    """The ``n`` standard normals of one readout call (always exactly ``n`` draws)."""
    return rng.standard_normal(n)


def patient_traits(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` standard normals fixed for the patient (the same at every call).

    Drawn from a generator whose seed sequence is the one of ``rng`` with its spawn
    key extended by :data:`TRAIT_KEY`; ``rng`` itself is not advanced. A generator
    without a seed sequence gives zeros (every patient at the population mean).

    Args:
        rng: The patient's observation generator.
        n: Number of traits.
    """
    return patient_normals(rng, TRAIT_KEY, n)


def patient_normals(rng: np.random.Generator, key: int, n: int) -> np.ndarray:
    """``n`` standard normals fixed for the patient under ``key``; ``rng`` unmoved.

    As :func:`patient_traits`, for a reading's own key: its draws move no other
    readout's, and every call (every visit) reads the same values.

    Args:
        rng: The patient's observation generator.
        key: Seed-sequence spawn-key element of the reading (unique per reading).
        n: Number of normals.
    """
    child = keyed_generator(rng, key)
    return np.zeros(n) if child is None else child.standard_normal(n)


def binomial_quantile(z: float, n: int, p: float) -> int:
    """Binomial(n, p) count from one standard normal ``z`` by inversion of the CDF.

    One draw per count whatever ``p`` (numpy's samplers consume a state-dependent
    number of draws, and none when ``p`` is 0).
    """
    if p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    u = float(ndtr(z))
    cdf = 0.0
    for k in range(n + 1):
        cdf += math.comb(n, k) * p**k * (1.0 - p) ** (n - k)
        if u <= cdf:
            return k
    return n


def lognormal(median: float, cv: float, z: float) -> float:
    """``median`` times log-normal noise of coefficient of variation ``cv`` from ``z``."""
    return float(median * math.exp(math.sqrt(math.log1p(cv**2)) * z))


def with_demographics(trajectory: pd.DataFrame, age: float, sex: str) -> pd.DataFrame:
    """Attach the patient's age (years) and sex to ``trajectory.attrs`` for the readouts."""
    trajectory.attrs["age"] = float(age)
    trajectory.attrs["female"] = sex == "female"
    return trajectory


def esr_demographic_factor(trajectory: pd.DataFrame) -> float:
    """How much the patient's ESR exceeds a 30-year-old man's at the same plasma proteins.

    From ``trajectory.attrs`` (``age``, ``female``; :func:`with_demographics`): the
    ratio of the patient's upper limit of normal, (age + 10 if female) / 2, to 15 mm/h.
    1 when the trajectory carries no demographics.
    """
    age, female = trajectory.attrs.get("age"), trajectory.attrs.get("female")
    if age is None or female is None:
        return 1.0
    upper = (float(age) + (ESR_FEMALE_YEARS if female else 0.0)) / 2.0
    return max(ESR_MIN_FACTOR, upper / ESR_REFERENCE_UPPER_LIMIT)


def haemoglobin_demographic_factor(trajectory: pd.DataFrame) -> float:
    """Observed over model haemoglobin for the patient's sex: 15.5/14 in men, else 1.

    The model's haemoglobin reference is a woman's; a trajectory without demographics
    (:func:`with_demographics`) reads as one.
    """
    return HAEMOGLOBIN_MALE_FACTOR if trajectory.attrs.get("female") is False else 1.0


def haematocrit(haemoglobin: float) -> float:
    """Haematocrit (%) from haemoglobin (g/dL) at a normal MCHC (33 g/dL)."""
    return 100.0 * haemoglobin / MCHC_G_PER_DL


def time_on_study(trajectory: pd.DataFrame, default_enrolment_day: float) -> float:
    """Days from enrolment to the trajectory's last row (<= 0 at or before enrolment).

    Args:
        trajectory: One patient's outputs, indexed by time in days (or with a
            ``time`` column).
        default_enrolment_day: Enrolment day when ``trajectory.attrs`` has none.
    """
    enrolment = float(trajectory.attrs.get("enrolment_day", default_enrolment_day))
    return _times(trajectory)[-1] - enrolment


def _times(trajectory: pd.DataFrame) -> np.ndarray:
    if "time" in trajectory.columns:
        return trajectory["time"].to_numpy(dtype=float)
    return np.asarray(trajectory.index, dtype=float)


def placebo_fraction(days_on_study: float, expectation: float) -> float:
    """Share (0-0.9) of the subjective disease burden relieved by expectation.

    Args:
        days_on_study: Days since enrolment (no effect at or before enrolment).
        expectation: The patient's standard-normal expectation trait.
    """
    if days_on_study <= 0.0:
        return 0.0
    onset = 1.0 - math.exp(-days_on_study / PLACEBO_ONSET_DAYS)
    scale = max(0.0, 1.0 + PLACEBO_PATIENT_SD * expectation)
    return float(min(0.9, PLACEBO_MAX * scale * onset))


def healthy_infiltrate(organ: str) -> float:
    """An organ's myeloid infiltrate in health (cells/uL): its state, or its sites' mean."""
    sites = ORGAN_SPECS[organ].sites
    if sites == 1:
        return HEALTHY_STEADY_STATE[f"{organ}_inflammation"]
    return (
        sum(HEALTHY_STEADY_STATE[f"{organ}_site{j + 1}_inflammation"] for j in range(sites)) / sites
    )


def synovitis_burden(synovium_inflammation: float) -> float:
    """Share (0-1) of maximal synovitis from the synovial infiltrate (cells/uL).

    Args:
        synovium_inflammation: The model state ``synovium_inflammation``.
    """
    excess = max(0.0, synovium_inflammation - healthy_infiltrate("synovium"))
    return excess / (excess + SYNOVITIS_HALF_CELLS)


def joint_counts(
    burden: float, z: np.ndarray, *, tender_relief: float = 0.0
) -> tuple[int, int, float]:
    """Tender and swollen 28-joint counts and patient global (0-100 mm).

    Each joint is involved with probability given by the burden (binomial by
    inversion), then the examiner adds normal noise (``JOINT_OBSERVER_SD`` times the
    square root of the burden: no disagreement about uninflamed joints), rounded
    and clipped to 0-28; the patient global is linear in the burden with VAS noise,
    clipped to 0-100.

    Args:
        burden: Synovitis burden seen at the visit (0-1).
        z: Five standard normals (swollen, tender, two examiner errors, VAS).
        tender_relief: Share of the tenderness and of the patient global relieved
            by the placebo effect (0-1).

    Returns:
        ``(tjc28, sjc28, patient_global_mm)``.
    """
    burden = min(1.0, max(0.0, burden))
    observer_sd = JOINT_OBSERVER_SD * math.sqrt(burden)
    tender_p = TENDER_SHARE * burden * (1.0 - PLACEBO_TENDER_WEIGHT * tender_relief)
    swollen_p = SWOLLEN_SHARE * burden * (1.0 - PLACEBO_SWOLLEN_WEIGHT * tender_relief)
    swollen = binomial_quantile(z[0], 28, swollen_p) + observer_sd * z[2]
    tender = binomial_quantile(z[1], 28, tender_p) + observer_sd * z[3]
    sjc = int(np.clip(round(swollen), 0, 28))
    tjc = int(np.clip(round(tender), 0, 28))
    vas = PGA_BASE + PGA_SLOPE * burden * (1.0 - tender_relief) + PGA_SD * z[4]
    return tjc, sjc, float(np.clip(vas, 0.0, 100.0))


def measured_crp(crp: float, z: float) -> float:
    """Measured CRP (mg/L): the model's CRP with log-normal assay noise."""
    return lognormal(crp, CRP_ASSAY_CV, z)


def das28_crp(tjc28: float, sjc28: float, crp_mg_per_l: float, patient_global: float) -> float:
    """DAS28-CRP (Wells et al. 2009; the standard four-variable formula).

    Args:
        tjc28: Tender joint count (0-28).
        sjc28: Swollen joint count (0-28).
        crp_mg_per_l: CRP in mg/L.
        patient_global: Patient global assessment, 0-100 mm VAS.
    """
    return (
        0.56 * math.sqrt(tjc28)
        + 0.28 * math.sqrt(sjc28)
        + 0.36 * math.log(crp_mg_per_l + 1.0)
        + 0.014 * patient_global
        + 0.96
    )


def das28_esr(tjc28: float, sjc28: float, esr_mm_per_h: float, patient_global: float) -> float:
    """DAS28-ESR (Prevoo et al. Arthritis Rheum 1995; four-variable formula).

    Args:
        tjc28: Tender joint count (0-28).
        sjc28: Swollen joint count (0-28).
        esr_mm_per_h: Westergren ESR in mm/h (values below 1 count as 1).
        patient_global: Patient global assessment, 0-100 mm VAS.
    """
    return (
        0.56 * math.sqrt(tjc28)
        + 0.28 * math.sqrt(sjc28)
        + 0.70 * math.log(max(esr_mm_per_h, 1.0))
        + 0.014 * patient_global
    )


def haq_di(burden: float, relief: float, sharp_units: float, offset: float, z: float) -> float:
    """HAQ-DI (0-3, steps of 1/8) from synovitis burden and joint damage.

    Args:
        burden: Synovitis burden seen at the visit (0-1).
        relief: Placebo share of the disease-related disability relieved (0-1).
        sharp_units: Modelled joint damage (modified Sharp units).
        offset: The patient's own offset (HAQ-DI units).
        z: Within-patient standard normal.
    """
    value = (
        HAQ_BASE
        + HAQ_SYNOVITIS * burden * (1.0 - relief)
        + HAQ_PER_SHARP * max(0.0, sharp_units)
        + offset
        + HAQ_SD * z
    )
    return float(np.clip(round(8.0 * value) / 8.0, 0.0, 3.0))


def sharp_progression(trajectory: pd.DataFrame) -> float:
    """Modelled modified total Sharp score accrued since the trajectory's start (units).

    Erosion and joint-space narrowing are irreversible while the synovium the model
    loses is renewed: the damage is proportional to the area under the loss of
    ``synovium_function`` (100 minus the percentage, trapezoid rule over the output
    times), ``SHARP_PER_LOSS_YEAR`` units per %-year. The accuracy depends on the
    output grid (the trial engine records every 4 weeks before enrolment).
    """
    times = _times(trajectory)
    loss = 100.0 - trajectory["synovium_function"].to_numpy(dtype=float)
    if len(times) < 2:
        return 0.0
    area = float(np.sum(0.5 * (loss[1:] + loss[:-1]) * np.diff(times)))
    return SHARP_PER_LOSS_YEAR * max(0.0, area) / 365.25


# SLEDAI-2K thresholds (Gladman et al. J Rheumatol 2002) and lab cut-offs.
ANTI_DSDNA_POSITIVE = 30.0  # IU/mL: the model's healthy ceiling (labs.py anti_dsdna_iu_per_mg)
ANA_POSITIVE = 80.0  # reciprocal titre (diseases.csv sle_ana: >=1:80)
C3_LOW = 0.81  # g/L: physiology.csv c3_serum note ("SLE studies use <81" mg/dL)
C4_LOW = 0.129  # g/L: physiology.csv c4_serum note ("SLE studies use <12.9" mg/dL)
PROTEINURIA_POSITIVE = 0.5  # g/day: SLEDAI-2K proteinuria item
# Proteinuria observation model (calibrated: kidney infiltrate 7x health, the model's
# active glomerular inflammation with 15% function lost, gives ~0.65 g/day).
PROTEINURIA_BASE = 0.05  # g/day in health
PROTEINURIA_SLOPE = 0.1  # g/day per multiple of the healthy kidney infiltrate above health
PROTEINURIA_CV = 0.3  # day-to-day and assay CV of 24-h urine protein
# Rash: skin immune-complex deposits 20x health (calibrated: deposits that recruit a
# visible dermal infiltrate; the model's full lupus picture gives >100x).
RASH_DEPOSIT_MULTIPLE = 20.0


def proteinuria(kidney_inflammation: float, z: float, activity: float = 1.0) -> float:
    """24-hour urine protein (g/day) from the kidney infiltrate, with CV noise.

    Args:
        kidney_inflammation: The model state ``kidney_inflammation`` (cells/uL).
        z: Standard normal of the day-to-day and assay noise.
        activity: Visit fluctuation multiplying the infiltrate's excess over health.
    """
    healthy = HEALTHY_STEADY_STATE["kidney_inflammation"]
    multiple = max(0.0, kidney_inflammation / healthy - 1.0) * activity
    return lognormal(PROTEINURIA_BASE + PROTEINURIA_SLOPE * multiple, PROTEINURIA_CV, z)


def sledai_2k(
    *,
    arthritis: bool,
    rash: bool,
    proteinuria_g_per_day: float,
    low_complement: bool,
    anti_dsdna_positive: bool,
) -> int:
    """SLEDAI-2K from the components the model supports (others score 0).

    Supported: arthritis (4), proteinuria > 0.5 g/day (4), rash (2), low complement (2),
    increased DNA binding (2). Not modelled: CNS items, vasculitis, casts, haematuria,
    pyuria, alopecia, mucosal ulcers, serositis, fever, cytopenias, myositis. Fever is
    read out (:func:`symptom_readouts`) but not scored: scoring it would move the
    calibrated lupus trials.
    """
    return (
        4 * bool(arthritis)
        + 4 * bool(proteinuria_g_per_day > PROTEINURIA_POSITIVE)
        + 2 * bool(rash)
        + 2 * bool(low_complement)
        + 2 * bool(anti_dsdna_positive)
    )


# BILAG-2004 grades, coded 1 (A, severe) to 5 (E, never involved), and the numerical
# conversion A=12, B=8, C=1, D=E=0 (Yee et al. Arthritis Rheum 2009).
BILAG_GRADES = "ABCDE"
_BILAG_NUMERIC = {1: 12, 2: 8, 3: 1, 4: 0, 5: 0}


def bilag_letter(code: float) -> str:
    """The BILAG letter (A-E) of a grade code 1-5."""
    return BILAG_GRADES[int(code) - 1]


def bilag_numeric(codes: Sequence[float]) -> int:
    """BILAG-2004 numerical score of a set of organ grade codes (A=12, B=8, C=1)."""
    return sum(_BILAG_NUMERIC[int(c)] for c in codes)


# eGFR observation model: eGFR in proportion to the functioning kidney parenchyma.
EGFR_HEALTHY = 100.0  # mL/min/1.73m2 at full function (textbook: normal GFR ~90-120 in
# young adults; KDIGO 2012 G1 >= 90)
EGFR_CV = 0.06  # within-person CV of creatinine-based eGFR (creatinine biological plus
# analytical CV ~5-7%, Ricos biological-variation database)


def egfr(kidney_function_percent: float, z: float) -> float:
    """Measured eGFR (mL/min/1.73m2) from ``kidney_function`` (%), with CV noise.

    Linear in the functioning parenchyma: hyperfiltration of remaining nephrons is not
    modelled, so early loss lowers eGFR more than it does in patients.
    """
    return lognormal(EGFR_HEALTHY * max(0.0, kidney_function_percent) / 100.0, EGFR_CV, z)


# Visit-to-visit fluctuation of lupus activity that the ODE does not carry (flares and
# remissions: relapsing-remitting course in ~70% of patients, Barr et al. Arthritis
# Rheum 1999): log-normal multipliers of each organ's activity, one systemic and one
# per organ (calibrated: BLISS-52 placebo + standard therapy SRI-4 43.6% at week 52,
# trials_calibration.csv, with enrolment at SELENA-SLEDAI >= 6).
SLE_SHARED_SD = 0.4
SLE_ORGAN_SD = 0.6
# Lupus arthritis is oligoarticular and non-erosive: a smaller share of the 28 joints
# is involved at the same synovial infiltrate than in RA (calibrated: SLEDAI arthritis,
# >= 2 swollen joints, in ~60% of trial patients with the model's SLE synovitis).
SLE_JOINT_SCALE = 0.5
# Physician global assessment (0-3): contributions of each organ's BILAG grade and of
# active serology (calibrated: BLISS-52/76 baseline PGA mean ~1.4 at SLEDAI ~10).
PGA_SLE_BASE = 0.1  # PGA with no active organ
PGA_SLE_BY_GRADE = {1: 0.9, 2: 0.5, 3: 0.2, 4: 0.0, 5: 0.0}  # A, B, C, D, E
PGA_SLE_SEROLOGY = 0.2  # low complement or anti-dsDNA positive
PGA_SLE_SD = 0.2  # within-rater noise (calibrated: PGA test-retest SD ~0.2-0.3)
PLACEBO_SLE_PGA_WEIGHT = 0.5  # share of the expectation effect reaching the PGA
# BILAG-2004 organ grades from the modelled organs (Isenberg et al. Rheumatology 2005;
# simplified to the quantities the model carries).
BILAG_RENAL_A = 2.0  # g/day proteinuria: severe (calibrated: BILAG-2004 renal A needs
# heavy or rising proteinuria with other features; a level of 1 g/day alone overstates it)
BILAG_RENAL_B = 0.5  # g/day: moderate (SLEDAI proteinuria item)
BILAG_RENAL_C = 0.25  # g/day: mild persistent proteinuria
BILAG_MSK_A = 10  # swollen joints: severe polyarthritis with loss of function (calibrated)
RASH_SEVERE_MULTIPLE = 200.0  # skin deposits x health: extensive rash (calibrated: the
# top few percent of the model's lupus patients, as severe skin BILAG A in trials)
RASH_MILD_MULTIPLE = 10.0  # skin deposits x health: mild (C) skin disease
HISTORY_BURDEN = 0.05  # synovitis burden that counts as past joint involvement (D)
SPOT_UPCR_CV = 0.2  # spot UPCR versus 24-h protein: extra CV (Price et al. Clin Chem 2005)
CREATININE_EXCRETION = 1.0  # g/day: UPCR (g/g) = 24-h protein / creatinine excretion
# (textbook: ~0.8-1.2 g/day in adults)


def organ_fluctuation(shared: float, organ: float) -> float:
    """Visit multiplier (mean 1) of one organ's lupus activity from two standard normals."""
    variance = SLE_SHARED_SD**2 + SLE_ORGAN_SD**2
    return math.exp(SLE_SHARED_SD * shared + SLE_ORGAN_SD * organ - 0.5 * variance)


def bilag_renal(protein_g_per_day: float, past_nephritis: bool) -> int:
    """BILAG renal grade code (1 A - 5 E) from proteinuria and history."""
    if protein_g_per_day > BILAG_RENAL_A:
        return 1
    if protein_g_per_day > BILAG_RENAL_B:
        return 2
    if protein_g_per_day > BILAG_RENAL_C:
        return 3
    return 4 if past_nephritis else 5


def bilag_musculoskeletal(tjc28: int, sjc28: int, past_arthritis: bool) -> int:
    """BILAG musculoskeletal grade code (1 A - 5 E) from joint counts and history."""
    if sjc28 >= BILAG_MSK_A:
        return 1
    if sjc28 >= 1:
        return 2
    if tjc28 >= 1:
        return 3
    return 4 if past_arthritis else 5


def bilag_mucocutaneous(deposit_multiple: float, past_rash: bool) -> int:
    """BILAG mucocutaneous grade code (1 A - 5 E) from skin deposits (x health)."""
    if deposit_multiple > RASH_SEVERE_MULTIPLE:
        return 1
    if deposit_multiple > RASH_DEPOSIT_MULTIPLE:
        return 2
    if deposit_multiple > RASH_MILD_MULTIPLE:
        return 3
    return 4 if past_rash else 5


def sle_pga(grades: list[int], serology_active: bool, relief: float, z: float) -> float:
    """Physician global assessment (0-3) from organ grades, serology and noise."""
    disease = sum(PGA_SLE_BY_GRADE[g] for g in grades) + PGA_SLE_SEROLOGY * serology_active
    value = PGA_SLE_BASE + disease * (1.0 - PLACEBO_SLE_PGA_WEIGHT * relief) + PGA_SLE_SD * z
    return float(np.clip(value, 0.0, 3.0))


# -- symptoms -------------------------------------------------------------------------------

# Fever. IL-6 is the circulating pyrogen that fever needs (IL-6-deficient mice do not
# raise their temperature after LPS or IL-1: Chai et al. J Exp Med 1996;183:311), and
# the one the model carries in plasma; IL-1beta and TNF act through it.
BODY_TEMPERATURE_C = (
    36.8  # mean oral temperature of healthy adults (Mackowiak et al. JAMA 1992;268:1578)
)
# A single oral reading of a healthy adult: 36.8 +- 0.4 C (SD over 700 readings of 148
# people: between-person, diurnal and thermometer variation together; Mackowiak et al.
# JAMA 1992;268:1578). Applied as visit-to-visit noise around the IL-6-driven set point.
TEMPERATURE_READING_SD_C = 0.4
# Seed-sequence spawn-key element of the temperature-reading generator (see TRAIT_KEY).
TEMPERATURE_KEY = 0x7E3B
FEVER_C = 38.0  # CTCAE v5.0 fever (grade 1 > 38.0 C); SLEDAI-2K's fever is > 38 C
# Fever is regulated below ~41 C (Mackowiak, Arch Intern Med 1998;158:1870): the largest
# rise of the set point.
FEVER_CEILING_RISE_C = 4.0
# Plasma IL-6 (pg/mL) at which the temperature reaches FEVER_C: the geometric midpoint of
# the median IL-6 of afebrile (15 pg/mL) and newly febrile (171 pg/mL) episodes in
# leukocytopenic adults, whose ranges overlap between 53 and 123 pg/mL (Steinmetz et al.
# J Infect Dis 1995;171:225).
FEVER_IL6 = 50.0
# Half-maximal rise, so that the rise reaches FEVER_C - BODY_TEMPERATURE_C at FEVER_IL6.
FEVER_HALF_IL6 = FEVER_IL6 * (FEVER_CEILING_RISE_C / (FEVER_C - BODY_TEMPERATURE_C) - 1.0)
SYMPTOM_OUTPUTS = ("lab_il6",)


def body_temperature(il6: float) -> float:
    """Core temperature (C) from plasma IL-6 (pg/mL): the set point rises saturably.

    The rise is ``FEVER_CEILING_RISE_C * il6 / (il6 + FEVER_HALF_IL6)``: 36.82 C at the
    model's healthy 0.7 pg/mL, 38.0 C at 50 pg/mL, at most 40.8 C. This is the set
    point; :func:`temperature_reading` adds the spread of a single reading.
    """
    il6 = max(0.0, il6)
    return BODY_TEMPERATURE_C + FEVER_CEILING_RISE_C * il6 / (il6 + FEVER_HALF_IL6)


def reading_normal(rng: np.random.Generator, key: int, day: float) -> float:
    """One standard normal for the reading ``key`` on ``day``, without advancing ``rng``.

    Drawn from a generator whose seed sequence is the one of ``rng`` with its spawn key
    extended by ``key`` and the minute of ``day``: the same patient and day always read
    the same, different days independently, and the visit stream that every other
    readout draws from is untouched (adding a reading moves no other readout). A
    generator without a seed sequence gives 0 (the reading is the set point).
    """
    minute = round(day * 1440.0)
    child = keyed_generator(rng, key, minute % 2**32, minute // 2**32 % 2**32)
    return 0.0 if child is None else float(child.standard_normal())


def persistent_normal(rng: np.random.Generator, key: int, day: float, period: float) -> float:
    """A standard normal on ``day`` that drifts over ``period`` days; ``rng`` unmoved.

    Knots every ``period`` days carry independent standard normals (keyed generators
    of ``rng``'s seed sequence, as :func:`reading_normal`); between knots ``a`` and
    ``b`` the value is ``cos(pi u / 2) a + sin(pi u / 2) b`` at the fraction ``u`` of
    the way, so it has unit variance on every day, moves continuously, and days more
    than two periods apart are independent. The same patient and day always read the
    same. A generator without a seed sequence gives 0.
    """
    position = day / period
    knot = math.floor(position)
    phase = 0.5 * math.pi * (position - knot)
    values = []
    for index in (knot, knot + 1):
        shifted = index + 2**31  # knots before day 0 keep a non-negative key
        child = keyed_generator(rng, key, shifted % 2**32, shifted // 2**32 % 2**32)
        if child is None:
            return 0.0
        values.append(float(child.standard_normal()))
    return math.cos(phase) * values[0] + math.sin(phase) * values[1]


def has_fibromyalgia(rng: np.random.Generator, arthritis: bool = True) -> bool:
    """Whether the patient has fibromyalgia: :data:`FIBROMYALGIA_SHARE` with arthritis.

    ``arthritis`` False (no synovitis ever) gives the general population's
    :data:`FIBROMYALGIA_SHARE_GENERAL`. One uniform from a keyed generator (the
    patient's own, every visit alike; ``rng`` unmoved), so a patient with fibromyalgia
    without arthritis has it with arthritis too. False for a generator without a seed
    sequence.
    """
    child = keyed_generator(rng, FIBROMYALGIA_TRAIT_KEY)
    share = FIBROMYALGIA_SHARE if arthritis else FIBROMYALGIA_SHARE_GENERAL
    return child is not None and float(child.random()) < share


def sensitised_tender_joints(
    rng: np.random.Generator, day: float, inflamed_tender: int, relief: float
) -> int:
    """Tender joints added by fibromyalgia: a share of the joints not tender from synovitis.

    Binomial (by inversion of one keyed normal for the visit, ``rng`` unmoved) over the
    ``28 - inflamed_tender`` other joints with probability
    :data:`FIBROMYALGIA_TENDER_SHARE` reduced by the placebo relief.
    """
    z = reading_normal(rng, FIBROMYALGIA_KEY, day)
    p = FIBROMYALGIA_TENDER_SHARE * (1.0 - relief)
    return binomial_quantile(z, 28 - inflamed_tender, p)


def facit_fatigue(pain: float, trait: float, z: float) -> float:
    """FACIT-Fatigue (0-52, higher = less fatigue) from the visit's pain (0-100 mm).

    Args:
        pain: The visit's pain reading (mm).
        trait: The patient's fatigue trait (a standard normal, :func:`fatigue_normals`).
        z: The visit's standard normal.
    """
    score = (
        FACIT_F_PAIN_FREE
        - FACIT_F_PER_PAIN_MM * pain
        + FACIT_F_PATIENT_SD * trait
        + FACIT_F_VISIT_SD * z
    )
    return float(np.clip(score, 0.0, FACIT_F_MAX))


def fatigue_normals(rng: np.random.Generator, day: float) -> tuple[float, float]:
    """The patient's fatigue trait and the reading's normal on ``day``; ``rng`` unmoved.

    Both come from keyed generators (:func:`reading_normal`), so adding fatigue moved
    no other readout's draws. Zeros for a generator without a seed sequence.
    """
    child = keyed_generator(rng, FATIGUE_TRAIT_KEY)
    trait = 0.0 if child is None else float(child.standard_normal())
    return trait, reading_normal(rng, FATIGUE_KEY, day)


def temperature_reading(il6: float, z: float) -> float:
    """An oral temperature reading (C): the IL-6 set point plus ``z`` reading SDs."""
    return body_temperature(il6) + TEMPERATURE_READING_SD_C * z


def symptom_readouts(
    trajectory: pd.DataFrame, rng: np.random.Generator | None = None
) -> dict[str, float]:
    """Symptoms every disease shares, at the trajectory's last row.

    ``temperature_c`` (a reading: the set point of :func:`body_temperature` plus
    :data:`TEMPERATURE_READING_SD_C` noise from :func:`reading_normal`, none without
    ``rng``) and ``fever`` (1.0 when it is above :data:`FEVER_C`). Joint pain, rash and
    swollen lymph nodes are each disease's own readouts (``pain``/``tjc28``, ``rash``,
    ``lymphoproliferation``). Fatigue is RA's own readout (``facit_fatigue``, from the
    visit's pain: in RA it follows pain and mood more than inflammation, Pollard et al.
    Rheumatology 2006;45:885); other diseases do not model it (no driver with a
    documented size).
    """
    z = 0.0 if rng is None else reading_normal(rng, TEMPERATURE_KEY, float(trajectory.index[-1]))
    temperature = temperature_reading(float(trajectory["lab_il6"].iloc[-1]), z)
    return {"temperature_c": temperature, "fever": float(temperature > FEVER_C)}


def with_symptoms(readouts: Callable[[pd.DataFrame, np.random.Generator], dict[str, Any]]):
    """A disease's readouts plus :func:`symptom_readouts` (which do not advance ``rng``)."""

    @functools.wraps(readouts)
    def observe(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, Any]:
        return {**readouts(trajectory, rng), **symptom_readouts(trajectory, rng)}

    return observe


def with_symptom_outputs(outputs: Sequence[str]) -> tuple[str, ...]:
    """A disease's outputs plus those :func:`symptom_readouts` reads (no duplicates)."""
    return tuple(dict.fromkeys((*outputs, *SYMPTOM_OUTPUTS)))
