"""Observation models: clinical readouts computed from the mechanistic state.

Every readout is a function of model outputs (labs, organ states) plus stated
measurement noise drawn from the patient's own generator. Healthy reference levels
are the stored healthy steady state of the immune model.
"""

from __future__ import annotations

import math

import numpy as np

from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = [
    "DAS28_HIGH",
    "DAS28_LOW",
    "DAS28_REMISSION",
    "das28_crp",
    "joint_counts",
    "measured_crp",
    "proteinuria",
    "sledai_2k",
    "synovitis_burden",
]

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


def synovitis_burden(synovium_inflammation: float) -> float:
    """Share (0-1) of maximal synovitis from the synovial infiltrate (cells/uL).

    Args:
        synovium_inflammation: The model state ``synovium_inflammation``.
    """
    excess = max(0.0, synovium_inflammation - HEALTHY_STEADY_STATE["synovium_inflammation"])
    return excess / (excess + SYNOVITIS_HALF_CELLS)


def joint_counts(synovium_inflammation: float, rng: np.random.Generator) -> tuple[int, int, float]:
    """Tender and swollen 28-joint counts and patient global (0-100 mm).

    Each joint is involved with probability given by the synovitis burden (binomial),
    then the examiner adds normal noise (``JOINT_OBSERVER_SD`` times the square root of
    the burden: no disagreement about uninflamed joints), rounded and clipped to
    0-28; the patient global is linear in the burden with VAS noise, clipped to 0-100.

    Args:
        synovium_inflammation: The model state ``synovium_inflammation`` (cells/uL).
        rng: The patient's observation generator.

    Returns:
        ``(tjc28, sjc28, patient_global_mm)``.
    """
    burden = synovitis_burden(synovium_inflammation)
    # Examiners disagree on inflamed joints, not on normal ones: noise scales with burden.
    observer_sd = JOINT_OBSERVER_SD * math.sqrt(burden)
    swollen = rng.binomial(28, SWOLLEN_SHARE * burden) + rng.normal(0.0, observer_sd)
    tender = rng.binomial(28, TENDER_SHARE * burden) + rng.normal(0.0, observer_sd)
    sjc = int(np.clip(round(swollen), 0, 28))
    tjc = int(np.clip(round(tender), 0, 28))
    pga = float(np.clip(PGA_BASE + PGA_SLOPE * burden + rng.normal(0.0, PGA_SD), 0.0, 100.0))
    return tjc, sjc, pga


def measured_crp(crp: float, rng: np.random.Generator) -> float:
    """Measured CRP (mg/L): the model's CRP with log-normal assay noise."""
    sigma = math.sqrt(math.log1p(CRP_ASSAY_CV**2))
    return float(crp * math.exp(rng.normal(0.0, sigma)))


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


def proteinuria(kidney_inflammation: float, rng: np.random.Generator) -> float:
    """24-hour urine protein (g/day) from the kidney infiltrate, with CV noise."""
    healthy = HEALTHY_STEADY_STATE["kidney_inflammation"]
    multiple = max(0.0, kidney_inflammation / healthy - 1.0)
    sigma = math.sqrt(math.log1p(PROTEINURIA_CV**2))
    mean = PROTEINURIA_BASE + PROTEINURIA_SLOPE * multiple
    return float(mean * math.exp(rng.normal(0.0, sigma)))


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
    pyuria, alopecia, mucosal ulcers, serositis, fever, cytopenias, myositis.
    """
    return (
        4 * bool(arthritis)
        + 4 * bool(proteinuria_g_per_day > PROTEINURIA_POSITIVE)
        + 2 * bool(rash)
        + 2 * bool(low_complement)
        + 2 * bool(anti_dsdna_positive)
    )
