"""Rheumatoid arthritis on the shared immune model."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogitNormal, LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.diseases.mortality import RA_DEATHS
from immunetwin.immune.tissue import ORGAN_SPECS

__all__ = [
    "ACR_CORE_SET",
    "ENROLMENT_DAY",
    "RA",
    "acr_response",
    "das28_readouts",
    "eular_response",
    "ra_readouts",
    "ra_responses",
]

OUTPUTS = (
    "synovium_inflammation",
    "synovium_effector_t",
    "synovium_function",
    "lab_crp",
    "lab_esr",
    "lab_haemoglobin",
    "lab_il6",
    "lab_tnf",
)

# Days from the model's start (healthy state, synovium set on the inflamed branch) to
# trial enrolment: the infiltrate and synovial function settle within ~3 months, so
# 26 weeks give established, stable disease (as in "active RA despite stable MTX").
ENROLMENT_DAY = 182.0

# The ACR core set besides the joint counts (Felson et al. Arthritis Rheum 1995).
ACR_CORE_SET = ("patient_global", "physician_global", "pain", "haq_di", "crp")

# Between-patient spread of the cytokine shares of synovial self-amplification, as
# the SD of their log-odds: the middle two thirds of patients lie between shares of
# 0.18 and 0.82 around the median 0.5. Chosen, not fitted. What a share does
# (synovium-only model, drive 6 on methotrexate's maximal damping: 6 of 7 sites
# inflamed; a year of free TNF at 2%): sites left inflamed at TNF share 0.1, 0.2,
# 0.3, 0.4, 0.5, 0.7 are 6, 5, 4, 3, 2, 0 (tests/immune/test_synovial_sites.py).
# So a share below ~0.2 is a primary non-responder: 18% of patients at this spread
# (P(z < -0.92)), below the ~30% of patients with primary non-response to a TNF
# inhibitor (Rubbert-Roth & Finckh 2009), of whom some are observed, not mechanistic
# non-responders. At SD > 1.4 the logit-normal has two modes, which matches
# pathotypes that are discrete rather than graded (Humby et al. 2019).
CYTOKINE_SHARE_LOGIT_SD = 1.5

_N_VISIT_NORMALS = 12
_N_TRAITS = 3


def ra_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """RA readouts at the last output time: joints, globals, pain, fatigue, HAQ-DI, labs, DAS28.

    Per call: 12 standard normals from ``rng`` (5 for the joint counts and patient
    global, one each for the visit's fast activity fluctuation, CRP, ESR, physician
    global, pain, HAQ-DI and the Sharp reading) and three patient traits
    (expectation, pain offset, HAQ-DI offset) from :func:`readouts.patient_traits`.
    The slow part of the activity fluctuation drifts with the day
    (:func:`readouts.persistent_normal`, keyed generators that leave ``rng`` where it
    was), so visits close together share it.
    FACIT-Fatigue (``facit_fatigue``) follows the pain reading, with its own trait and
    noise from keyed generators (:func:`readouts.fatigue_normals`) that leave ``rng``
    where it was.

    Args:
        trajectory: One patient's outputs (rows: times in days from the model's start).
        rng: The patient's observation generator.
    """
    last = trajectory.iloc[-1]
    z = obs.visit_normals(rng, _N_VISIT_NORMALS)
    expectation, pain_trait, haq_trait = obs.patient_traits(rng, _N_TRAITS)
    relief = obs.placebo_fraction(obs.time_on_study(trajectory, ENROLMENT_DAY), expectation)
    day = float(trajectory.index[-1])
    sd = obs.RA_ACTIVITY_SD
    fast = min(obs.RA_ACTIVITY_FAST_SD, sd)
    slow = math.sqrt(sd**2 - fast**2)
    drift = obs.persistent_normal(rng, obs.RA_ACTIVITY_KEY, day, obs.RA_ACTIVITY_SLOW_DAYS)
    seen = obs.synovitis_burden(float(last["synovium_inflammation"]))
    # The visit's fluctuation of synovitis moves the acute phase with it (CRP follows
    # the infiltrate's IL-6 within days; the ODE carries the mean level).
    fluctuation = math.exp(fast * z[5] + slow * drift - 0.5 * sd**2)
    burden = min(1.0, seen * fluctuation)
    tjc, sjc, patient_global = obs.joint_counts(burden, z[0:5], tender_relief=relief)
    # Arthritis: synovitis at any output so far (a patient who never had it reads the
    # general population's fibromyalgia).
    peak = obs.synovitis_burden(float(trajectory["synovium_inflammation"].max()))
    fibromyalgia = obs.has_fibromyalgia(rng, arthritis=peak > obs.HISTORY_BURDEN)
    if fibromyalgia:
        # Central sensitisation: tenderness, pain, global and disability that no
        # anti-inflammatory drug moves (placebo relief does, as for the rest).
        tjc += obs.sensitised_tender_joints(rng, day, tjc, relief)
        patient_global = min(100.0, patient_global + obs.FIBROMYALGIA_GLOBAL_MM * (1 - relief))
    crp = obs.measured_crp(float(last["lab_crp"]) * fluctuation, z[6])
    esr_model = float(last["lab_esr"]) * obs.esr_demographic_factor(trajectory)
    esr = obs.lognormal(esr_model, obs.ESR_ASSAY_CV, z[7])
    physician = (
        obs.PHYSICIAN_GLOBAL_BASE
        + obs.PHYSICIAN_GLOBAL_SLOPE * burden * (1.0 - obs.PLACEBO_PHYSICIAN_WEIGHT * relief)
        + obs.PHYSICIAN_GLOBAL_SD * z[8]
    )
    pain = (
        obs.PAIN_BASE
        + obs.PAIN_SLOPE * burden * (1.0 - relief)
        + obs.FIBROMYALGIA_PAIN_MM * fibromyalgia * (1.0 - relief)
        + obs.PAIN_PATIENT_SD * pain_trait
        + obs.PAIN_SD * z[9]
    )
    pain = float(np.clip(pain, 0.0, 100.0))
    fatigue_trait, fatigue_z = obs.fatigue_normals(rng, day)
    damage = obs.sharp_progression(trajectory)
    haq_offset = obs.HAQ_PATIENT_SD * haq_trait + obs.FIBROMYALGIA_HAQ * fibromyalgia * (1 - relief)
    haq = obs.haq_di(burden, relief, damage, haq_offset, z[11])
    das28 = obs.das28_crp(tjc, sjc, crp, patient_global)
    return {
        "tjc28": tjc,
        "sjc28": sjc,
        "crp": crp,
        "esr": esr,
        # Haemoglobin: the model value for the patient's sex (assay CV ~1%, below what
        # the model resolves).
        "haemoglobin": float(last["lab_haemoglobin"])
        * obs.haemoglobin_demographic_factor(trajectory),
        "patient_global": patient_global,
        "physician_global": float(np.clip(physician, 0.0, 100.0)),
        "pain": pain,
        "facit_fatigue": obs.facit_fatigue(pain, fatigue_trait, fatigue_z),
        "haq_di": haq,
        "das28_crp": das28,
        "das28_esr": obs.das28_esr(tjc, sjc, esr, patient_global),
        "sharp_score": damage + obs.SHARP_READER_SD * float(z[10]),
        "synovium_function": float(last["synovium_function"]),
        "has_disease": bool(das28 >= obs.DAS28_REMISSION),
        "fibromyalgia": fibromyalgia,
    }


das28_readouts = ra_readouts  # the earlier name


def _improved(baseline: Mapping[str, float], visit: Mapping[str, float], key: str, share: float):
    """Whether ``key`` improved by at least ``share`` of its baseline (lower is better).

    A baseline of 0 (or below) cannot improve by a share of itself: not improved.
    """
    before, after = float(baseline[key]), float(visit[key])
    return before > 0.0 and (before - after) >= share * before - 1e-9


def acr_response(baseline: Mapping[str, float], visit: Mapping[str, float], level: float) -> bool:
    """ACR20/50/70 (Felson et al. Arthritis Rheum 1995) at ``level`` percent.

    At least ``level``% improvement in tender and swollen joint counts and in at least
    3 of patient global, physician global, pain, HAQ-DI and CRP.
    """
    share = level / 100.0
    if not (
        _improved(baseline, visit, "tjc28", share) and _improved(baseline, visit, "sjc28", share)
    ):
        return False
    return sum(_improved(baseline, visit, k, share) for k in ACR_CORE_SET) >= 3


def eular_response(das28_baseline: float, das28_visit: float) -> str:
    """EULAR response (van Gestel et al. Arthritis Rheum 1996): good, moderate or none."""
    improvement = das28_baseline - das28_visit
    if improvement > 1.2:
        return "good" if das28_visit <= obs.DAS28_LOW else "moderate"
    if improvement > 0.6 and das28_visit <= obs.DAS28_HIGH:
        return "moderate"
    return "none"


def ra_responses(baseline: Mapping[str, float], visit: Mapping[str, float]) -> dict[str, float]:
    """RA composite endpoints of a visit against baseline.

    Keys: ``acr20``, ``acr50``, ``acr70`` (1.0/0.0); ``das28_crp_change`` and
    ``das28_esr_change`` (visit minus baseline); ``das28_remission`` (DAS28-CRP < 2.6
    at the visit); ``das28_low_activity`` (DAS28-CRP <= 3.2); ``eular_good`` and
    ``eular_response`` (good or moderate, on DAS28-CRP); ``haq_di_change`` and
    ``haq_mcid`` (improvement >= 0.22, Wells et al. J Rheumatol 1993);
    ``facit_fatigue_change`` and ``facit_fatigue_mcid`` (improvement >= 4 points);
    ``sharp_change`` (modified total Sharp units) and ``radiographic_progression``
    (change > 0.5 units, the usual "no progression" cut-off).

    Args:
        baseline: Readouts at enrolment.
        visit: Readouts at the visit.
    """
    eular = eular_response(float(baseline["das28_crp"]), float(visit["das28_crp"]))
    haq_change = float(visit["haq_di"]) - float(baseline["haq_di"])
    sharp_change = float(visit["sharp_score"]) - float(baseline["sharp_score"])
    facit_change = float(visit["facit_fatigue"]) - float(baseline["facit_fatigue"])
    return {
        "acr20": float(acr_response(baseline, visit, 20.0)),
        "acr50": float(acr_response(baseline, visit, 50.0)),
        "acr70": float(acr_response(baseline, visit, 70.0)),
        "das28_crp_change": float(visit["das28_crp"]) - float(baseline["das28_crp"]),
        "das28_esr_change": float(visit["das28_esr"]) - float(baseline["das28_esr"]),
        "das28_remission": float(float(visit["das28_crp"]) < obs.DAS28_REMISSION),
        "das28_low_activity": float(float(visit["das28_crp"]) <= obs.DAS28_LOW),
        "eular_good": float(eular == "good"),
        "eular_response": float(eular != "none"),
        "haq_di_change": haq_change,
        "facit_fatigue_change": facit_change,
        "facit_fatigue_mcid": float(facit_change >= obs.FACIT_F_MCID - 1e-9),
        "haq_mcid": float(haq_change <= -0.22 + 1e-9),
        "sharp_change": sharp_change,
        "radiographic_progression": float(sharp_change > 0.5),
    }


RA = Disease(
    name="ra",
    description="Rheumatoid arthritis: chronic synovitis driven by TNF/IL-6/IL-17 loops.",
    mechanism=(
        "Synovial myeloid inflammation self-amplifies through TNF, IL-1 and IL-6 "
        "(bistable: once inflamed, a joint stays inflamed inside a range of drive; 7 "
        "synovial sites with unequal gains resolve one by one under treatment), "
        "sustained by synovium-reactive Th17/Th1 cells (HLA-DRB1 shared epitope); the "
        "infiltrate raises CRP, destroys synovium and cartilage, and gives tender and "
        "swollen joints. The virtual patients have established RA: they start on the "
        "inflamed branch."
    ),
    changes=(
        ParameterChange(
            "synovium_inflammatory_drive",
            4.0,
            LogNormal(0.3),
            "calibrated: inside the model's bistable range (~1.9-5; Baker et al. 2013 "
            "alpha2) so established synovitis persists untreated, as in placebo arms "
            "(OPTION placebo+MTX DAS28<2.6 in 1%, trials_calibration.csv)",
            "Synovial cytokine self-amplification (TNF/IL-1/IL-6 feed-forward).",
        ),
        ParameterChange(
            "synovium_precursor_frequency",
            1e-5,
            LogNormal(0.8),
            "calibrated: 5x the healthy synovium-reactive naive CD4 share, for HLA-DRB1 "
            "shared-epitope presentation of citrullinated peptides (Gregersen et al. 1987)",
            "Synovium-reactive T-cell precursors.",
        ),
        ParameterChange(
            "amplification_tnf_share",
            0.5,
            LogitNormal(CYTOKINE_SHARE_LOGIT_SD),
            "median: the shared model's literature judgment (Brennan et al. Lancet 1989; "
            "Feldmann & Maini 2001). Variability: synovial pathotypes differ between "
            "patients (myeloid, lymphoid, pauci-immune; Humby et al. Ann Rheum Dis "
            "2019;78:761) and predict which cytokine blockade works (myeloid synovitis "
            "responds better to anti-TNF, lymphoid to tocilizumab: Dennis et al. Arthritis "
            "Res Ther 2014;16:R90); about a third of patients do not respond to a TNF "
            "inhibitor (Rubbert-Roth & Finckh Arthritis Res Ther 2009;11 Suppl 1:S1). "
            "Its size is chosen, not fitted (see CYTOKINE_SHARE_LOGIT_SD)",
            "How much of a patient's synovial self-amplification needs TNF.",
        ),
        ParameterChange(
            "amplification_il6_share",
            0.5,
            LogitNormal(CYTOKINE_SHARE_LOGIT_SD),
            "median: the shared model's literature judgment (Hurst et al. Immunity 2001; "
            "ADACTA, Gabay et al. Lancet 2013). Variability as for TNF (Dennis et al. 2014), "
            "drawn independently of it; size chosen, not fitted",
            "How much of a patient's synovial self-amplification needs IL-6 signalling.",
        ),
    ),
    target_organs=("synovium",),
    covariates=(
        Covariate(
            "smoking",
            MappingProxyType({"current": 1.1, "never_or_former": 1.0}),
            "synovium_inflammatory_drive",
            "raises risk and activity",
            "risk RR 1.40 for ever-smoking (1.89 in men); in the model x1.1 synovial drive "
            "in current smokers: direction documented, size not calibrated",
            "Sugiyama et al. Ann Rheum Dis 2010 (meta-analysis)",
            prevalence=MappingProxyType({"current": 0.2, "never_or_former": 0.8}),
        ),
        Covariate(
            "sex",
            MappingProxyType({}),
            None,
            "women ~3x risk",
            "not modelled as a parameter shift: only in the demographics",
            "textbook",
            modelled=False,
        ),
        Covariate(
            "age",
            MappingProxyType({}),
            None,
            "incidence rises to 60-70 years",
            "not modelled",
            "textbook",
            modelled=False,
        ),
    ),
    demographics=Demographics(
        female_fraction=0.8,
        age_mean=52.0,
        age_sd=12.0,
        age_range=(18.0, 85.0),
        source="active-RA trial baselines (ARMADA, OPTION: mean age ~51-57, ~75-85% women)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(ra_readouts),
    initial_state=MappingProxyType(
        {
            f"synovium_site{j + 1}_inflammation": (
                500.0,
                "calibrated: established synovitis at enrolment (inflamed branch); sites "
                "below the bistable range resolve during the history",
            )
            for j in range(ORGAN_SPECS["synovium"].sites)
        }
    ),
    follow_up_days=ENROLMENT_DAY,
    responses=ra_responses,
    history_days=ENROLMENT_DAY,
    mortality=RA_DEATHS,
)
