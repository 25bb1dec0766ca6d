"""Crohn's disease on the shared immune model: gut Th1/Th17 inflammation and the CDAI.

The observation model turns the gut's myeloid infiltrate into the three patient-diary
items of the Crohn's Disease Activity Index (Best et al. Gastroenterology 1976): liquid
stools, abdominal pain and general well-being over seven days. The haematocrit item
comes from the model's haemoglobin (anaemia of inflammation: IL-6 and hepcidin), for the
patient's sex. The other four CDAI items (complications, antidiarrhoeal use, abdominal
mass, body weight) have no state in the model and score 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr

from immunetwin.declaration import LogitNormal, LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.diseases.mortality import CROHNS_DEATHS
from immunetwin.diseases.ra import CYTOKINE_SHARE_LOGIT_SD
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = [
    "CDAI_REMISSION",
    "CDAI_RESPONSE_DROP",
    "CROHNS",
    "cdai",
    "crohns_readouts",
    "crohns_responses",
    "gut_burden",
    "gut_diary",
    "poisson_quantile",
]

OUTPUTS = (
    "gut_inflammation",
    "gut_effector_t",
    "gut_function",
    "th1_cells",
    "th17_cells",
    "lab_tnf",
    "lab_il6",
    "lab_crp",
    "lab_haemoglobin",
)

# CDAI cut points (Best et al. 1976; Sandborn et al. Gastroenterology 2002 review of
# endpoints): remission < 150, response = fall of >= 100 (or >= 70, "CR-70") points.
CDAI_REMISSION = 150.0
CDAI_RESPONSE_DROP = 100.0
CDAI_RESPONSE_70_DROP = 70.0
# CDAI haematocrit standards (Best et al. 1976): 6 points per percentage point below them.
HAEMATOCRIT_STANDARD_MALE = 47.0
HAEMATOCRIT_STANDARD_FEMALE = 42.0

# Gut observation model. The burden is the share (0-1) of maximal mucosal inflammation.
# calibrated: the model's inflamed gut branch (infiltrate ~200-400 cells/uL at drive 2.5-4)
# gives a burden of 0.55-0.7, i.e. the diary of active Crohn's disease at trial entry
# (~5-7 liquid stools/day, pain ~1.5-2 of 3, well-being ~2 of 4: CDAI 220-450 trials).
GUT_HALF_CELLS = 150.0  # cells/uL of gut infiltrate above health for half burden
STOOLS_MAX = 10.0  # liquid or very soft stools/day at full burden
PAIN_MAX = 3.0  # CDAI daily pain rating 0 (none) - 3 (severe)
WELLBEING_MAX = 4.0  # CDAI daily well-being 0 (generally well) - 4 (terrible)
# Subjective component: the patient's own reading of the symptom burden (placebo,
# mood, IBS overlap) shifts it by N(0, SD) for the week; calibrated to the CDAI's
# within-patient variability (test-retest SD ~40-50 points, Best et al. 1976;
# Sandborn et al. 2002).
SYMPTOM_SUBJECTIVE_SD = 0.1
ENROLMENT_DAY = 90.0  # default day of trial enrolment on the model's timeline


def gut_burden(gut_inflammation: float) -> float:
    """Share (0-1) of maximal mucosal inflammation from the gut infiltrate (cells/uL).

    Args:
        gut_inflammation: The model state ``gut_inflammation``.
    """
    excess = max(0.0, gut_inflammation - HEALTHY_STEADY_STATE["gut_inflammation"])
    return excess / (excess + GUT_HALF_CELLS)


def poisson_quantile(z: float, mean: float) -> int:
    """Poisson(mean) count from one standard normal ``z`` by inversion of the CDF."""
    if mean <= 0.0:
        return 0
    u = min(max(float(ndtr(z)), 1e-12), 1.0 - 1e-12)
    return int(stats.poisson.ppf(u, mean))


def gut_diary(gut_inflammation: float, z: np.ndarray, relief: float = 0.0) -> tuple[int, int, int]:
    """Seven-day CDAI diary sums from the gut infiltrate and four standard normals.

    The perceived burden is the gut burden times ``1 - relief`` (placebo expectation;
    half of it for stools, which are counted rather than rated) plus a normal
    subjective shift ``SYMPTOM_SUBJECTIVE_SD * z[0]``, clipped to 0-1. Liquid stools over
    7 days are Poisson with mean ``7 * STOOLS_MAX * burden``; the 7 daily pain ratings
    (0-3) sum to a binomial of 21 trials and the 7 well-being ratings (0-4) to a binomial
    of 28, each with probability ``burden``. Counts are inverse CDFs of ``z[1:4]``.

    Args:
        gut_inflammation: The model state ``gut_inflammation`` (cells/uL).
        z: Four standard normals (subjective shift, stools, pain, well-being).
        relief: Share of the subjective burden relieved by expectation (0-1).

    Returns:
        ``(liquid_stools_7d, pain_sum_7d, wellbeing_sum_7d)``.
    """
    burden = gut_burden(gut_inflammation)
    shift = SYMPTOM_SUBJECTIVE_SD * float(z[0])
    rated = float(np.clip(burden * (1.0 - relief) + shift, 0.0, 1.0))
    counted = float(np.clip(burden * (1.0 - 0.5 * relief) + shift, 0.0, 1.0))
    stools = poisson_quantile(float(z[1]), 7.0 * STOOLS_MAX * counted)
    pain = obs.binomial_quantile(float(z[2]), int(7 * PAIN_MAX), rated)
    wellbeing = obs.binomial_quantile(float(z[3]), int(7 * WELLBEING_MAX), rated)
    return stools, pain, wellbeing


def cdai(
    liquid_stools_7d: float,
    pain_sum_7d: float,
    wellbeing_sum_7d: float,
    *,
    complications: int = 0,
    antidiarrhoeal: bool = False,
    abdominal_mass: float = 0.0,
    haematocrit_deficit: float = 0.0,
    weight_deficit_percent: float = 0.0,
) -> float:
    """Crohn's Disease Activity Index (Best et al. Gastroenterology 1976).

    ``2 x stools + 5 x pain + 7 x well-being + 20 x complications + 30 x antidiarrhoeal
    + 10 x mass + 6 x haematocrit deficit + 1 x percent below standard weight``.

    Args:
        liquid_stools_7d: Liquid or very soft stools, sum over 7 days.
        pain_sum_7d: Abdominal pain ratings (0-3 a day), sum over 7 days.
        wellbeing_sum_7d: General well-being ratings (0-4 a day), sum over 7 days.
        complications: Number of the six complication categories present (0-6).
        antidiarrhoeal: Opiate or diphenoxylate use for diarrhoea.
        abdominal_mass: 0 none, 2 questionable, 5 definite.
        haematocrit_deficit: 47 - Hct (men) or 42 - Hct (women), in percentage points.
        weight_deficit_percent: 100 x (1 - weight / standard weight).
    """
    return (
        2.0 * liquid_stools_7d
        + 5.0 * pain_sum_7d
        + 7.0 * wellbeing_sum_7d
        + 20.0 * complications
        + 30.0 * float(antidiarrhoeal)
        + 10.0 * abdominal_mass
        + 6.0 * haematocrit_deficit
        + 1.0 * weight_deficit_percent
    )


def haematocrit_deficit(haematocrit_percent: float, trajectory: pd.DataFrame) -> float:
    """CDAI haematocrit item: points below 47% (men) or 42% (women), 0 at or above.

    Best et al. 1976 standards; a haematocrit above the standard scores 0 here (some
    calculators let it subtract). A trajectory without demographics scores as a woman's
    (the model's haemoglobin reference is a woman's).
    """
    male = trajectory.attrs.get("female") is False
    standard = HAEMATOCRIT_STANDARD_MALE if male else HAEMATOCRIT_STANDARD_FEMALE
    return max(0.0, standard - haematocrit_percent)


def crohns_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """Crohn's readouts at the last output time: CDAI diary items, CDAI, CRP, cytokines.

    Args:
        trajectory: One patient's outputs (rows: times).
        rng: The patient's observation generator: five standard normals per call,
            plus the patient's placebo-expectation trait
            (:func:`immunetwin.diseases.readouts.patient_traits`).
    """
    last = trajectory.iloc[-1]
    z = obs.visit_normals(rng, 5)
    (expectation,) = obs.patient_traits(rng, 1)
    days = obs.time_on_study(trajectory, ENROLMENT_DAY)
    relief = obs.placebo_fraction(days, float(expectation))
    stools, pain, wellbeing = gut_diary(float(last["gut_inflammation"]), z[:4], relief)
    crp = obs.measured_crp(float(last["lab_crp"]), float(z[4]))
    haemoglobin = float(last["lab_haemoglobin"]) * obs.haemoglobin_demographic_factor(trajectory)
    hct = obs.haematocrit(haemoglobin)
    score = cdai(stools, pain, wellbeing, haematocrit_deficit=haematocrit_deficit(hct, trajectory))
    return {
        "liquid_stools_7d": stools,
        "pain_sum_7d": pain,
        "wellbeing_sum_7d": wellbeing,
        "cdai": score,
        "haemoglobin": haemoglobin,
        "haematocrit": hct,
        "crp": crp,
        "tnf": float(last["lab_tnf"]),
        "il6": float(last["lab_il6"]),
        "th1_cells": float(last["th1_cells"]),
        "th17_cells": float(last["th17_cells"]),
        "gut_effector_t": float(last["gut_effector_t"]),
        "gut_burden": gut_burden(float(last["gut_inflammation"])),
        "gut_function": float(last["gut_function"]),
        "placebo_relief": relief,
        # Active Crohn's disease: CDAI >= 150 (Best et al. 1976).
        "has_disease": bool(score >= CDAI_REMISSION),
    }


def crohns_responses(baseline: Mapping[str, float], visit: Mapping[str, float]) -> dict[str, float]:
    """CDAI remission (< 150), response (fall >= 100), CR-70 and the change from baseline.

    Args:
        baseline: Readouts at enrolment.
        visit: Readouts at the visit.
    """
    change = float(visit["cdai"]) - float(baseline["cdai"])
    return {
        "cdai_remission": float(visit["cdai"] < CDAI_REMISSION),
        "cdai_response": float(-change >= CDAI_RESPONSE_DROP),
        "cdai_response_70": float(-change >= CDAI_RESPONSE_70_DROP),
        "cdai_change": change,
    }


# Segmental disease: only part of the model's 1 kg gut mucosa is inflamed, so only that
# share of the infiltrate's cytokines reaches plasma. The four per-infiltrate secretion
# rates are shared by all organs, but in these patients only the gut is inflamed.
INVOLVED_MUCOSA_SHARE = 0.05
_INVOLVED_SOURCE = (
    "calibrated: ileal or ileocolonic disease of ~30-60 cm involves ~5-10% of the mucosa "
    "(Montreal classification L1-L3); share 0.05 puts the CRP of the inflamed branch at "
    "~10-40 mg/L, the CRP of active Crohn's disease at trial entry (Vermeire et al. Gut "
    "2006;55:426)"
)


def _involved(parameter: str, healthy_value: float, cytokine: str) -> ParameterChange:
    return ParameterChange(
        parameter,
        healthy_value * INVOLVED_MUCOSA_SHARE,
        None,
        _INVOLVED_SOURCE + f" (model default {healthy_value:g} x {INVOLVED_MUCOSA_SHARE:g})",
        f"{cytokine} reaching plasma from the inflamed (segmental) gut infiltrate.",
    )


# Mucosal inflammation differs between patients in what sustains it, as the synovium's
# does: primary non-response to a TNF inhibitor in Crohn's disease is 11-18% in
# clinical cohorts and up to ~40% in induction trials read at weeks 2-4
# (Gastroenterol Hepatol (N Y) 2019;15:656, Table 1, PMC6935028), and an oncostatin-M
# rich mucosa predicts it (West et al. Nat Med 2017;23:579). The shares of
# self-amplification that need TNF and IL-6 take RA's between-patient spread
# (ra.CYTOKINE_SHARE_LOGIT_SD, chosen, not fitted): no Crohn's trial was fitted to set
# it. Untreated, the shares do nothing (every pathway is free), so the natural course
# and the placebo calibration do not depend on them.
_SHARE_SOURCE = (
    "median: the shared model's literature judgment (immune/tissue.py). Variability: "
    "primary non-response to anti-TNF in Crohn's disease 11-18% in cohorts, up to ~40% in "
    "induction trials (Gastroenterol Hepatol (N Y) 2019;15:656, Table 1); oncostatin-M "
    "rich mucosa resists anti-TNF (West et al. Nat Med 2017;23:579). Size: RA's spread "
    "(CYTOKINE_SHARE_LOGIT_SD), chosen, not fitted to a Crohn's trial"
)


def _cytokine_share(parameter: str, cytokine: str) -> ParameterChange:
    return ParameterChange(
        parameter,
        0.5,
        LogitNormal(CYTOKINE_SHARE_LOGIT_SD),
        _SHARE_SOURCE,
        f"How much of a patient's mucosal self-amplification needs {cytokine}.",
    )


CROHNS = Disease(
    name="crohns",
    description="Crohn's disease: transmural Th1/Th17 and TNF-driven inflammation of "
    "segments of the gut.",
    mechanism=(
        "Loss of tolerance to the commensal flora: commensal-reactive Th1/Th17 cells "
        "(IFN-gamma, IL-17) are primed in the gut's lymph nodes, and the mucosal myeloid "
        "infiltrate amplifies itself through TNF, IL-1beta and IL-6 (NOD2/ATG16L1 variants "
        "weaken bacterial handling by macrophages and Paneth cells). In the model the gut "
        "infiltrate is bistable: established disease sits on the inflamed branch, which "
        "persists untreated inside the bistable range of drive; patients with a drive "
        "below it remit spontaneously. The infiltrate spills TNF and IL-6 into plasma "
        "(raising CRP), destroys mucosa (gut function) and gives the diarrhoea, pain and "
        "malaise of the CDAI diary. The gut compartment stands for the whole mucosa; the "
        "involved share of it only scales the cytokines reaching plasma."
    ),
    changes=(
        ParameterChange(
            "gut_inflammatory_drive",
            3.0,
            LogNormal(0.3),
            "calibrated: inside the model's bistable range (~1.9-5; Baker et al. 2013 alpha2) "
            "so established inflammation persists untreated; ~6% of patients (drive < 1.9) "
            "remit spontaneously, as in placebo arms (placebo remission ~10-20% in "
            "induction trials, Su et al. Gastroenterology 2004)",
            "Mucosal cytokine self-amplification (TNF/IL-1/IL-6; NOD2/ATG16L1 innate defects).",
        ),
        ParameterChange(
            "gut_precursor_frequency",
            4e-5,
            LogNormal(0.5),
            "calibrated: 10x the model's healthy gut-reactive naive CD4 share, for lost "
            "tolerance to the own flora (Duchmann et al. Clin Exp Immunol 1995)",
            "Commensal-reactive (gut-reactive) Th1/Th17 precursors.",
        ),
        _cytokine_share("amplification_tnf_share", "TNF"),
        _cytokine_share("amplification_il6_share", "IL-6 receptor signalling"),
        _involved("tnf_per_infiltrate", 5.0, "TNF"),
        _involved("il6_per_infiltrate", 50.0, "IL-6"),
        _involved("il1b_per_infiltrate", 1.0, "IL-1beta"),
        _involved("il10_per_infiltrate", 0.5, "IL-10"),
    ),
    target_organs=("gut",),
    covariates=(
        Covariate(
            "smoking",
            MappingProxyType({"current": 1.15, "never_or_former": 1.0}),
            "gut_inflammatory_drive",
            "raises risk, activity and relapse",
            "risk OR 1.76 for current smoking (meta-analysis); in the model x1.15 mucosal "
            "drive in current smokers: direction documented, size not calibrated",
            "Mahid et al. Mayo Clin Proc 2006;81:1462",
            prevalence=MappingProxyType({"current": 0.3, "never_or_former": 0.7}),
        ),
        Covariate(
            "sex",
            MappingProxyType({}),
            None,
            "slight female excess in adults",
            "not modelled as a parameter shift: F:M ~1.1-1.3 in adult Western cohorts, "
            "only in the demographics",
            "Ng et al. Lancet 2017 (incidence review)",
            modelled=False,
        ),
        Covariate(
            "age",
            MappingProxyType({}),
            None,
            "onset peaks at 20-30 years",
            "not modelled: no age mechanism in the model",
            "Ng et al. Lancet 2017",
            modelled=False,
        ),
        Covariate(
            "nod2_hla",
            MappingProxyType({}),
            None,
            "NOD2 variants raise risk (ileal disease); HLA associations weak",
            "not modelled: NOD2 OR ~2.4 heterozygous, ~17 homozygous or compound "
            "heterozygous, without a bacterial-sensing state in the gut model",
            "Economou et al. Am J Gastroenterol 2004;99:2393",
            modelled=False,
        ),
    ),
    demographics=Demographics(
        female_fraction=0.55,
        age_mean=37.0,
        age_sd=12.0,
        age_range=(18.0, 80.0),
        source="moderate-to-severe Crohn's trial baselines (ACCENT I, CHARM: mean age ~37, "
        "~55-60% women; approximate)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(crohns_readouts),
    initial_state=MappingProxyType(
        {
            "gut_inflammation": (
                300.0,
                "calibrated: established mucosal inflammation at the model's start "
                "(inflamed branch)",
            )
        }
    ),
    follow_up_days=365.0,
    responses=crohns_responses,
    history_days=ENROLMENT_DAY,
    mortality=CROHNS_DEATHS,
)
