"""Hashimoto's (chronic autoimmune) thyroiditis on the shared immune model.

Thyroid-reactive effector T cells destroy thyroid parenchyma (``thyroid_function``).
The observation model adds what the model has no state for:

- the hypothalamic-pituitary-thyroid (HPT) axis, as an explicit equilibrium of two
  relations: the thyroid's free-T4 secretion rises with TSH and with the remaining
  thyroid mass (SPINA-GT form, Dietrich et al. Front Endocrinol 2016), and TSH falls
  log-linearly with free T4 around the patient's set point (a 2-fold change of free
  T4 gives a ~100-fold change of TSH, Spencer et al. JCEM 1990;70:453);
- anti-TPO antibodies, from the thyroid-reactive T-cell response (the model has no
  organ-specific B-cell response; see :func:`anti_tpo`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = [
    "ANTI_TPO_POSITIVE",
    "FT4_LOW",
    "THYROIDITIS",
    "TSH_HIGH",
    "anti_tpo",
    "hpt_equilibrium",
    "thyroid_labs",
    "thyroiditis_readouts",
    "thyroiditis_responses",
]

OUTPUTS = ("thyroid_function", "thyroid_effector_t", "thyroid_inflammation", "lab_crp")

# HPT axis (population set point and feedback).
TSH_SET_POINT = 1.4  # mIU/L: median TSH of the disease-free US population (NHANES III,
# Hollowell et al. JCEM 2002;87:489)
FT4_SET_POINT = 16.0  # pmol/L: middle of the 12-22 pmol/L adult reference interval
TSH_FT4_SLOPE = math.log(100.0) / 8.0  # per pmol/L: halving free T4 (16 -> 8 pmol/L)
# raises TSH ~100-fold (log-linear relation; Spencer et al. JCEM 1990;70:453)
TSH_EC50 = 2.75  # mIU/L: TSH of half-maximal thyroid secretion (SPINA-GT damping
# constant D_T; Dietrich et al. Front Endocrinol 2016;7:57)
TSH_MAX = 150.0  # mIU/L: pituitary ceiling (severe primary hypothyroidism rarely exceeds it)
# Individual set points differ more between people than within one person
# (Andersen et al. JCEM 2002;87:1068): log-normal SD 0.45 of the TSH set point
# (calibrated: healthy TSH 2.5-97.5th centiles ~0.5-3.7 mIU/L, within 0.4-4.0).
TSH_SET_POINT_SD = 0.45
TSH_WITHIN_CV = 0.2  # within-person (day-to-day, assay) CV of TSH (Andersen et al. 2002)
FT4_WITHIN_CV = 0.05  # within-person CV of free T4 (Andersen et al. 2002)

# Reference limits.
TSH_HIGH = 4.0  # mIU/L: upper reference limit (NACB guidelines, Baloch et al. Thyroid 2003)
TSH_OVERT = 10.0  # mIU/L: TSH above which replacement is recommended in subclinical disease
FT4_LOW = 12.0  # pmol/L: lower reference limit of free T4 (immunoassay)

# Anti-TPO observation model: the model has no organ-specific B cells, so the titre is
# read from the thyroid-reactive T-cell response (TPO-specific B cells need that help).
ANTI_TPO_POSITIVE = 34.0  # IU/mL: manufacturer cut-off (Roche Elecsys anti-TPO)
ANTI_TPO_HEALTHY = 8.0  # IU/mL: median titre in health (most healthy people < 34)
ANTI_TPO_SD = 0.6  # log-normal SD of the titre between people (calibrated: ~5% of
# healthy people above the cut-off from background alone; NHANES III finds 11% positive,
# the rest being subclinical thyroiditis)
ANTI_TPO_EFFECTOR_K = 0.005  # cells/uL of thyroid effector T cells above health that
# double the titre (calibrated: the model's thyroiditis, 0.02-0.5 cells/uL, gives titres
# of ~50-1,000 IU/mL as in Hashimoto's thyroiditis)


def hpt_equilibrium(
    thyroid_fraction: float, tsh_set_point: float = TSH_SET_POINT
) -> tuple[float, float]:
    """Steady-state TSH (mIU/L) and free T4 (pmol/L) for the remaining thyroid mass.

    Solves ``fT4 = FT4_SET_POINT * f * h(TSH) / h(TSH_set)`` with ``h(T) = T/(T + 2.75)``
    and ``TSH = min(TSH_MAX, TSH_set * exp(-slope * (fT4 - FT4_SET_POINT)))``. The right
    side falls as fT4 rises, so the root is unique (bisection).

    Args:
        thyroid_fraction: Functional thyroid mass as a fraction of normal (0-1).
        tsh_set_point: The patient's TSH at a normal thyroid (mIU/L).
    """
    f = max(0.0, float(thyroid_fraction))
    reference = tsh_set_point / (tsh_set_point + TSH_EC50)

    def tsh_of(ft4: float) -> float:
        exponent = -TSH_FT4_SLOPE * (ft4 - FT4_SET_POINT)
        return min(TSH_MAX, tsh_set_point * math.exp(min(exponent, 50.0)))

    def gap(ft4: float) -> float:
        tsh = tsh_of(ft4)
        return ft4 - FT4_SET_POINT * f * (tsh / (tsh + TSH_EC50)) / reference

    if f == 0.0:
        return TSH_MAX, 0.0
    ft4 = brentq(gap, 0.0, 4.0 * FT4_SET_POINT * max(1.0, f), xtol=1e-9)
    return tsh_of(ft4), ft4


def thyroid_labs(
    thyroid_function: float, z_set: float, z_tsh: float, z_ft4: float
) -> tuple[float, float]:
    """Measured TSH (mIU/L) and free T4 (pmol/L) from ``thyroid_function`` (%).

    The patient's set point is ``TSH_SET_POINT * exp(TSH_SET_POINT_SD * z_set)`` (the
    thyroid fraction is normalised to the healthy model thyroid), the HPT equilibrium
    is solved, and each lab gets its within-person log-normal noise.

    Args:
        thyroid_function: The model output ``thyroid_function`` (% of normal parenchyma).
        z_set: The patient's set-point trait (standard normal, fixed per patient).
        z_tsh: Standard normal of the TSH measurement.
        z_ft4: Standard normal of the free-T4 measurement.
    """
    healthy = HEALTHY_STEADY_STATE["thyroid_parenchyma"]
    set_point = TSH_SET_POINT * math.exp(TSH_SET_POINT_SD * z_set)
    tsh, ft4 = hpt_equilibrium(thyroid_function / 100.0 / healthy, set_point)
    tsh *= math.exp(math.sqrt(math.log1p(TSH_WITHIN_CV**2)) * z_tsh)
    ft4 *= math.exp(math.sqrt(math.log1p(FT4_WITHIN_CV**2)) * z_ft4)
    return float(tsh), float(ft4)


def anti_tpo(thyroid_effector_t: float, z: float) -> float:
    """Anti-TPO titre (IU/mL) from thyroid-reactive effector T cells (cells/uL).

    ``ANTI_TPO_HEALTHY * (1 + excess / ANTI_TPO_EFFECTOR_K) * exp(ANTI_TPO_SD * z)``,
    with ``excess`` the effector T cells above the healthy steady state and ``z`` the
    patient's standard-normal titre trait.
    """
    excess = max(0.0, thyroid_effector_t - HEALTHY_STEADY_STATE["thyroid_effector_t"])
    return float(
        ANTI_TPO_HEALTHY * (1.0 + excess / ANTI_TPO_EFFECTOR_K) * math.exp(ANTI_TPO_SD * z)
    )


def thyroiditis_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """Thyroid readouts at the last output time: anti-TPO, TSH, free T4, hypothyroidism.

    Args:
        trajectory: One patient's outputs (rows: times).
        rng: The patient's observation generator: two standard normals per call
            (TSH and free-T4 measurement) plus two patient traits (TSH set point,
            anti-TPO titre; :func:`immunetwin.diseases.readouts.patient_traits`).
    """
    last = trajectory.iloc[-1]
    z_tsh, z_ft4 = obs.visit_normals(rng, 2)
    z_set, z_tpo = obs.patient_traits(rng, 2)
    tsh, ft4 = thyroid_labs(float(last["thyroid_function"]), z_set, z_tsh, z_ft4)
    tpo = anti_tpo(float(last["thyroid_effector_t"]), float(z_tpo))
    overt = bool(tsh > TSH_HIGH and ft4 < FT4_LOW)
    subclinical = bool(tsh > TSH_HIGH and ft4 >= FT4_LOW)
    return {
        "anti_tpo": tpo,
        "anti_tpo_positive": bool(tpo > ANTI_TPO_POSITIVE),
        "tsh": tsh,
        "ft4": ft4,
        "thyroid_function": float(last["thyroid_function"]),
        "overt_hypothyroidism": overt,
        "subclinical_hypothyroidism": subclinical,
        "hypothyroidism": bool(overt or subclinical),
        # Replacement indicated: overt disease or TSH > 10 mIU/L (ATA/AACE 2012).
        "replacement_indicated": bool(overt or tsh > TSH_OVERT),
        # Autoimmune thyroiditis: anti-TPO positive.
        "has_disease": bool(tpo > ANTI_TPO_POSITIVE),
    }


def thyroiditis_responses(
    baseline: Mapping[str, float], visit: Mapping[str, float]
) -> dict[str, float]:
    """Change of TSH and anti-TPO, incident hypothyroidism and TSH normalisation.

    Args:
        baseline: Readouts at enrolment.
        visit: Readouts at the visit.
    """
    return {
        "tsh_change": float(visit["tsh"]) - float(baseline["tsh"]),
        "anti_tpo_change_percent": 100.0
        * (float(visit["anti_tpo"]) / float(baseline["anti_tpo"]) - 1.0),
        "incident_hypothyroidism": float(
            bool(visit["hypothyroidism"]) and not bool(baseline["hypothyroidism"])
        ),
        "incident_overt_hypothyroidism": float(
            bool(visit["overt_hypothyroidism"]) and not bool(baseline["overt_hypothyroidism"])
        ),
        "tsh_normalised": float(
            bool(baseline["hypothyroidism"]) and float(visit["tsh"]) <= TSH_HIGH
        ),
    }


THYROIDITIS = Disease(
    name="thyroiditis",
    description="Hashimoto's thyroiditis: T-cell destruction of the thyroid with anti-TPO "
    "antibodies and primary hypothyroidism.",
    mechanism=(
        "Thyroid-reactive CD4 Th1 and CD8 T cells (HLA-DR3/DR5 presentation of "
        "thyroglobulin and TPO peptides, CTLA4 and PTPN22 variants, iodine-rich "
        "thyroglobulin) escape tolerance and destroy thyrocytes; the released antigen "
        "sustains them. In the model this is a chronic thyroid-specific effector T-cell "
        "pool whose size sets the thyroid mass that remains. The pituitary compensates "
        "lost mass with TSH (subclinical hypothyroidism) until free T4 falls (overt). "
        "Anti-TPO, which B cells make with the help of the same T-cell response, is read "
        "from that response."
    ),
    changes=(
        ParameterChange(
            "thyroid_precursor_frequency",
            3e-4,
            LogNormal(1.0),
            "calibrated: 150x the model's healthy thyroid-reactive naive CD4 share, spread "
            "so that about a quarter of patients have a raised TSH (subclinical or overt), "
            "as among anti-TPO-positive adults (Hollowell et al. JCEM 2002; Vanderpump et "
            "al. Clin Endocrinol 1995)",
            "Thyroid-reactive T-cell precursors (HLA-DR3/DR5, CTLA4 variants).",
        ),
    ),
    target_organs=("thyroid",),
    covariates=(
        Covariate(
            "iodine",
            MappingProxyType({"excess": 1.3, "adequate": 1.0}),
            "thyroid_precursor_frequency",
            "more-than-adequate or excessive iodine intake raises incidence",
            "5-year incidence of autoimmune thyroiditis 0.2% (mild deficiency), 1.0% (more "
            "than adequate), 1.3% (excessive); in the model x1.3 thyroid-reactive precursors "
            "with excess intake (iodinated thyroglobulin is more immunogenic): direction "
            "documented, size not calibrated",
            "Teng et al. NEJM 2006;354:2783",
            prevalence=MappingProxyType({"excess": 0.2, "adequate": 0.8}),
        ),
        Covariate(
            "sex",
            MappingProxyType({}),
            None,
            "women 5-10x risk",
            "not modelled as a parameter shift: only in the demographics",
            "Vanderpump et al. Clin Endocrinol 1995;43:55",
            modelled=False,
        ),
        Covariate(
            "age",
            MappingProxyType({}),
            None,
            "anti-TPO and hypothyroidism become more common with age",
            "not modelled: no age mechanism in the model",
            "Hollowell et al. JCEM 2002;87:489",
            modelled=False,
        ),
        Covariate(
            "hla",
            MappingProxyType({}),
            None,
            "HLA-DR3/DR5 and CTLA4 variants raise risk",
            "not modelled: weak and population-dependent associations (OR ~1.5-3); the "
            "precursor spread stands for them",
            "Tomer & Huber Endocr Rev 2009;30:582",
            modelled=False,
        ),
        Covariate(
            "smoking",
            MappingProxyType({}),
            None,
            "current smoking lowers anti-TPO and hypothyroidism",
            "not modelled: no mechanism in the model",
            "Belin et al. JCEM 2004;89:6077",
            modelled=False,
        ),
    ),
    demographics=Demographics(
        female_fraction=0.88,
        age_mean=45.0,
        age_sd=14.0,
        age_range=(18.0, 85.0),
        source="female:male ~7:1 and diagnosis mostly at 30-60 years (Vanderpump et al. "
        "Clin Endocrinol 1995; Caturegli et al. Autoimmun Rev 2014)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(thyroiditis_readouts),
    responses=thyroiditis_responses,
    follow_up_days=3 * 365.0,
    history_days=2 * 365.0,
)
