"""Type 1 diabetes (stages 1-3) on the shared immune model.

Islet-reactive effector T cells destroy beta cells (the model's ``islets`` organ);
the beta-cell mass falls towards a low equilibrium set by destruction against
the very slow renewal of human beta cells. The observation model reads islet
autoantibodies (spreading from one to four specificities as the islet response
grows), 2-hour OGTT glucose and C-peptide from the beta-cell mass, and the
stages of Insel et al. (Diabetes Care 2015): stage 1 (>=2 autoantibodies,
normoglycaemia), stage 2 (>=2 autoantibodies, dysglycaemia), stage 3 (clinical
diabetes). Day 0 of the model timeline is the onset of islet autoimmunity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.diseases.mortality import T1D_DEATHS
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = [
    "AUTOANTIBODY_THRESHOLDS",
    "DYSGLYCAEMIA_MG_DL",
    "ENROLMENT_DAY",
    "STAGE3_MG_DL",
    "T1D",
    "autoantibody_count",
    "c_peptide_auc_nmol_l",
    "c_peptide_ng_ml",
    "glucose_2h_mg_dl",
    "t1d_readouts",
    "t1d_responses",
]

OUTPUTS = ("islets_parenchyma", "islets_function", "islets_effector_t", "islets_inflammation")

_HEALTHY_BETA = HEALTHY_STEADY_STATE["islets_parenchyma"]
_HEALTHY_EFFECTORS = HEALTHY_STEADY_STATE["islets_effector_t"]

# Autoantibodies (IAA, GADA, IA-2A, ZnT8A) appear one after another as the islet response
# grows (epitope spreading: Ziegler et al. JAMA 2013; IA-2A and ZnT8A come late). Each
# is positive once the peak islet effector pool has exceeded its multiple of health
# (calibrated: >=2 autoantibodies in ~90% of the at-risk population, as in relatives
# followed to stage 2).
AUTOANTIBODY_THRESHOLDS = (3.0, 6.0, 12.0, 24.0)  # multiples of healthy islet effectors

# 2-hour OGTT glucose from the beta-cell mass f (fraction of normal): G = G0 * f**-p
# (calibrated: ADA cut points, dysglycaemia 140 mg/dL at ~45% of the mass lost and
# clinical diabetes 200 mg/dL at ~65% lost, inside physiology.csv beta_cell_loss_dx
# 40-90%; G0 ~87 mg/dL is a normal 2-h value).
DYSGLYCAEMIA_MG_DL = 140.0
STAGE3_MG_DL = 200.0
_LOSS_AT_DYSGLYCAEMIA = 0.45
_LOSS_AT_STAGE3 = 0.65
GLUCOSE_EXPONENT = math.log(STAGE3_MG_DL / DYSGLYCAEMIA_MG_DL) / math.log(
    (1 - _LOSS_AT_DYSGLYCAEMIA) / (1 - _LOSS_AT_STAGE3)
)
GLUCOSE_HEALTHY_MG_DL = DYSGLYCAEMIA_MG_DL * (1 - _LOSS_AT_DYSGLYCAEMIA) ** GLUCOSE_EXPONENT
GLUCOSE_2H_CV = 0.167  # within-person CV of 2-h OGTT glucose (Mooy et al. Diabetologia 1996)
# C-peptide proportional to beta-cell mass (calibrated: fasting 1.2 ng/mL in health, in the
# 0.8-3.1 ng/mL lab range, ~0.4 ng/mL at diagnosis; MMTT 2-h mean AUC 2.1 nmol/L in
# health, ~0.7 nmol/L at diagnosis as in new-onset trials, e.g. Pescovitz et al. NEJM 2009).
C_PEPTIDE_HEALTHY_NG_ML = 1.2
C_PEPTIDE_AUC_HEALTHY_NMOL_L = 2.1
C_PEPTIDE_CV = 0.1  # assay plus day-to-day CV (textbook)
ENROLMENT_DAY = 4 * 365.0  # stage-2 relatives screened ~4 years after seroconversion
TN10_FOLLOW_UP_DAYS = 51 * 30.44  # TN-10 median follow-up, 51 months


def _times(trajectory: pd.DataFrame) -> np.ndarray:
    if "time" in trajectory.columns:
        return trajectory["time"].to_numpy(dtype=float)
    return trajectory.index.to_numpy(dtype=float)


def beta_cell_fraction(islets_parenchyma: float | np.ndarray) -> np.ndarray:
    """Beta-cell mass as a fraction of the healthy steady state (clipped to 1e-4..1)."""
    return np.clip(np.asarray(islets_parenchyma, dtype=float) / _HEALTHY_BETA, 1e-4, 1.0)


def glucose_2h_mg_dl(islets_parenchyma: float | np.ndarray) -> np.ndarray:
    """Latent 2-hour OGTT glucose (mg/dL) from the beta-cell mass."""
    return GLUCOSE_HEALTHY_MG_DL * beta_cell_fraction(islets_parenchyma) ** -GLUCOSE_EXPONENT


def c_peptide_ng_ml(islets_parenchyma: float) -> float:
    """Latent fasting C-peptide (ng/mL), proportional to the beta-cell mass."""
    return float(C_PEPTIDE_HEALTHY_NG_ML * beta_cell_fraction(islets_parenchyma))


def c_peptide_auc_nmol_l(islets_parenchyma: float) -> float:
    """Latent 2-hour MMTT C-peptide AUC mean (nmol/L), proportional to the beta-cell mass."""
    return float(C_PEPTIDE_AUC_HEALTHY_NMOL_L * beta_cell_fraction(islets_parenchyma))


def autoantibody_count(peak_islet_effectors: float) -> int:
    """Positive islet autoantibodies (0-4) from the peak islet effector pool (cells/uL)."""
    multiple = peak_islet_effectors / _HEALTHY_EFFECTORS
    return int(sum(multiple >= t for t in AUTOANTIBODY_THRESHOLDS))


def _first_crossing(t: np.ndarray, values: np.ndarray, level: float) -> float:
    """First time ``values`` reach ``level`` (linear interpolation), NaN if never."""
    above = np.nonzero(values >= level)[0]
    if not len(above):
        return math.nan
    i = int(above[0])
    if i == 0:
        return float(t[0])
    v0, v1 = values[i - 1], values[i]
    return float(t[i - 1] + (t[i] - t[i - 1]) * (level - v0) / (v1 - v0))


def _lognormal(mean: float, cv: float, z: float) -> float:
    sigma = math.sqrt(math.log1p(cv**2))
    return float(mean * math.exp(sigma * z - 0.5 * sigma**2))


def t1d_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """T1D readouts at the last output time; history gives antibodies and stage days.

    ``stage2_day`` is the first day at stage 2 or beyond on the latent scale (>=2
    autoantibodies and latent 2-h glucose >= 140 mg/dL, or stage 3); ``stage3_day``
    the first day latent 2-h glucose reaches 200 mg/dL (clinical diagnosis). Both are
    days of the model timeline, NaN when not reached. The current ``stage`` uses the
    measured OGTT (noisy), as a screening visit does. Random draws: three standard
    normals per call (OGTT glucose, fasting C-peptide, C-peptide AUC).

    Args:
        trajectory: One patient's outputs (index or ``time`` column in days).
        rng: The patient's observation generator.
    """
    z = rng.standard_normal(3)
    t = _times(trajectory)
    beta = trajectory["islets_parenchyma"].to_numpy(dtype=float)
    effectors = trajectory["islets_effector_t"].to_numpy(dtype=float)
    latent_glucose = glucose_2h_mg_dl(beta)
    antibodies_over_time = np.array(
        [autoantibody_count(e) for e in np.maximum.accumulate(effectors)]
    )
    stage3_day = _first_crossing(t, latent_glucose, STAGE3_MG_DL)
    stage2_levels = np.where(antibodies_over_time >= 2, latent_glucose, 0.0)
    stage2_day = _first_crossing(t, stage2_levels, DYSGLYCAEMIA_MG_DL)
    if not math.isnan(stage3_day) and (math.isnan(stage2_day) or stage2_day > stage3_day):
        stage2_day = stage3_day  # diagnosis is stage 2 or beyond
    last = float(beta[-1])
    antibodies = int(antibodies_over_time[-1])
    glucose = _lognormal(float(latent_glucose[-1]), GLUCOSE_2H_CV, float(z[0]))
    dysglycaemia = glucose >= DYSGLYCAEMIA_MG_DL
    if not math.isnan(stage3_day):
        stage = 3
    elif antibodies >= 2:
        stage = 2 if dysglycaemia else 1
    else:
        stage = 0
    return {
        "autoantibodies": float(antibodies),
        "multiple_autoantibodies": bool(antibodies >= 2),
        "glucose_2h": glucose,
        "glucose_2h_latent": float(latent_glucose[-1]),
        "dysglycaemia": bool(dysglycaemia),
        "stage": float(stage),
        "stage2_day": stage2_day,
        "stage3_day": stage3_day,
        "beta_cell_mass": 100.0 * float(beta_cell_fraction(last)),
        "c_peptide": _lognormal(c_peptide_ng_ml(last), C_PEPTIDE_CV, float(z[1])),
        "c_peptide_auc": _lognormal(c_peptide_auc_nmol_l(last), C_PEPTIDE_CV, float(z[2])),
        "has_disease": bool(stage >= 1),
    }


def t1d_responses(baseline: Mapping[str, float], visit: Mapping[str, float]) -> dict[str, float]:
    """C-peptide AUC change from baseline (nmol/L and %) and progression to stage 3.

    Args:
        baseline: Readouts at enrolment.
        visit: Readouts at the visit.
    """
    change = visit["c_peptide_auc"] - baseline["c_peptide_auc"]
    return {
        "c_peptide_auc_change": change,
        "c_peptide_auc_percent_change": 100.0 * change / baseline["c_peptide_auc"],
        "diagnosed_on_study": float(
            not math.isnan(visit["stage3_day"]) and math.isnan(baseline["stage3_day"])
        ),
    }


T1D = Disease(
    name="t1d",
    description="Type 1 diabetes: T-cell-mediated beta-cell destruction through stages 1-3.",
    mechanism=(
        "Islet-reactive CD4 and CD8 T cells (more of them with HLA-DR3/DR4-DQ8, whose "
        "class II molecules present insulin and GAD peptides) are primed by islet antigen "
        "and destroy beta cells; destruction releases more antigen. Human beta cells renew "
        "very slowly, so the mass falls over years towards an equilibrium set by the "
        "patient's islet response. Autoantibodies mark the response (1 to 4 as it "
        "spreads); dysglycaemia appears at ~45% of the mass lost (stage 2) and clinical "
        "diabetes at ~65% (stage 3); C-peptide keeps falling after diagnosis."
    ),
    changes=(
        ParameterChange(
            "islets_precursor_frequency",
            3.5e-5,
            LogNormal(1.0),
            "calibrated: TN-10 placebo (stage-2 relatives: median 24 months to stage 3, "
            "72% diagnosed by ~51 months; Herold et al. NEJM 2019) with the HLA covariate; "
            "~18x the healthy islet-reactive share, as islet-reactive T cells of at-risk "
            "people are more frequent and activated",
            "Islet-reactive naive T cells escaping tolerance (HLA, INS VNTR, PTPN22).",
        ),
        ParameterChange(
            "islets_regeneration_rate",
            5e-5,
            None,
            "calibrated: years-long decline through stages 2-3 and C-peptide loss after "
            "diagnosis (diseases.csv t1d_cpeptide); human beta cells renew very slowly after "
            "childhood (Perl et al. J Clin Endocrinol Metab 2010; Cnop et al. Diabetes 2010), "
            "far below the model's generic islet repair of 0.003/day",
            "Beta-cell renewal (replication, neogenesis).",
        ),
    ),
    target_organs=("islets",),
    covariates=(
        Covariate(
            "hla",
            MappingProxyType({"dr3_dr4": 1.5, "dr3_or_dr4": 1.2, "other": 1.0}),
            "islets_precursor_frequency",
            "DR3/DR4-DQ8 raises risk most",
            "population risk OR ~16 for DR3/DR4-DQ8 heterozygotes (Erlich et al. Diabetes "
            "2008), mostly acting on who develops islet autoimmunity; among antibody-positive "
            "relatives a smaller effect on progression: x1.5 (DR3/DR4) and x1.2 (one) islet "
            "precursors, direction documented, size not calibrated",
            "Erlich et al. Diabetes 2008; prevalence among at-risk relatives approximate",
            prevalence=MappingProxyType({"dr3_dr4": 0.3, "dr3_or_dr4": 0.5, "other": 0.2}),
        ),
        Covariate(
            "relative_of_patient",
            MappingProxyType({}),
            None,
            "first-degree relatives have ~15x the population risk",
            "not modelled: the virtual population is already relatives with islet "
            "autoimmunity (sibling risk ~6% vs 0.4%, lambda_s ~15)",
            "textbook; TrialNet Pathway to Prevention",
            modelled=False,
        ),
        Covariate(
            "age",
            MappingProxyType({}),
            None,
            "younger children progress faster",
            "not modelled: no age effect on beta-cell renewal or islet immunity in the model",
            "Ziegler et al. JAMA 2013",
            modelled=False,
        ),
    ),
    demographics=Demographics(
        female_fraction=0.45,
        age_mean=18.0,
        age_sd=10.0,
        age_range=(8.0, 49.0),
        source="TN-10 (Herold et al. NEJM 2019): median age 14, range 8-49; sex share "
        "approximate (slightly more boys)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(t1d_readouts),
    follow_up_days=ENROLMENT_DAY + TN10_FOLLOW_UP_DAYS,
    responses=t1d_responses,
    history_days=ENROLMENT_DAY,
    mortality=T1D_DEATHS,
)
