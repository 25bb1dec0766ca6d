"""Lupus nephritis: SLE with kidney-predominant immune-complex disease.

The same mechanism and observation model as :mod:`immunetwin.diseases.sle` on the
shared immune model, with a population chosen for active nephritis (more glomerular
immune-complex trapping, lower apoptotic-cell clearance so that most candidates have
lupus), plus the renal readouts and responses of lupus-nephritis trials (BLISS-LN,
Furie et al. NEJM 2020): UPCR, eGFR, primary efficacy and complete renal response and
the day of the first renal-related event.

The model has no proteinuria or creatinine state: UPCR comes from the kidney
infiltrate (``readouts.proteinuria``) and eGFR from the functioning parenchyma
(``kidney_function``), both through the observation model. Lost parenchyma partly
heals and partly scars (``kidney_scar``, which never regenerates): flares dent eGFR
for months, and repeated or persistent nephritis accrues kidney failure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Demographics, ParameterChange
from immunetwin.diseases.sle import SLE, lupus_readouts, sle_responses

__all__ = [
    "ENROLMENT_DAY",
    "LUPUS_NEPHRITIS",
    "lupus_nephritis_readouts",
    "lupus_nephritis_responses",
    "renal_event_day",
    "renal_response",
]

# Days from the model's start to enrolment (as SLE: nephritis is established by then).
ENROLMENT_DAY = 3 * 365.0

# BLISS-LN renal response definitions (Furie et al. NEJM 2020).
PERR_UPCR = 0.7  # g/g: primary efficacy renal response, UPCR <= 0.7
PERR_EGFR_DROP = 0.2  # eGFR no worse than 20% below the pre-flare value ...
PERR_EGFR_FLOOR = 60.0  # ... or >= 60 mL/min/1.73m2
CRR_UPCR = 0.5  # g/g: complete renal response, UPCR < 0.5
CRR_EGFR_DROP = 0.1  # eGFR no worse than 10% below the pre-flare value ...
CRR_EGFR_FLOOR = 90.0  # ... or in the normal range (>= 90 mL/min/1.73m2)
# Renal-related events: doubling of serum creatinine, which lowers creatinine-based
# eGFR to 2^-1.209 = 0.43 of its value (CKD-EPI 2009 exponent above the knot, Levey et
# al. Ann Intern Med 2009), or end-stage kidney disease (eGFR < 15, KDIGO G5).
CREATININE_DOUBLING_EGFR = 2.0**-1.209
ESKD_EGFR = 15.0  # mL/min/1.73m2


def _times(trajectory: pd.DataFrame) -> np.ndarray:
    if "time" in trajectory.columns:
        return trajectory["time"].to_numpy(dtype=float)
    return np.asarray(trajectory.index, dtype=float)


def _true_egfr(trajectory: pd.DataFrame) -> np.ndarray:
    """Noise-free eGFR (mL/min/1.73m2) of each row."""
    function = trajectory["kidney_function"].to_numpy(dtype=float)
    return obs.EGFR_HEALTHY * np.maximum(0.0, function) / 100.0


def renal_event_day(trajectory: pd.DataFrame, enrolment_day: float) -> float:
    """Day (model timeline) of the first renal-related event after enrolment, or NaN.

    Events: eGFR falls to 0.43 of its enrolment value (doubling of creatinine) or below
    15 mL/min/1.73m2 (end-stage kidney disease), judged on the noise-free eGFR at the
    output times (trials confirm such events on a repeat sample). Deaths, renal
    worsening by proteinuria and treatment failure are not modelled.

    Args:
        trajectory: One patient's outputs up to the visit.
        enrolment_day: Day of enrolment on the model's timeline.
    """
    times = _times(trajectory)
    egfr = _true_egfr(trajectory)
    if times[-1] <= enrolment_day:
        return math.nan
    at_enrolment = float(np.interp(enrolment_day, times, egfr))
    after = times > enrolment_day
    event = after & ((egfr <= CREATININE_DOUBLING_EGFR * at_enrolment) | (egfr < ESKD_EGFR))
    return float(times[event][0]) if event.any() else math.nan


def lupus_nephritis_readouts(
    trajectory: pd.DataFrame, rng: np.random.Generator
) -> dict[str, float]:
    """Lupus readouts (:func:`sle.lupus_readouts`) plus renal-trial items.

    Adds ``egfr_pre_flare`` (noise-free eGFR before the nephritis: the highest value up
    to enrolment, mL/min/1.73m2) and ``renal_event_day`` (NaN when none). Draws the
    same random numbers as the SLE readouts.

    Args:
        trajectory: One patient's outputs (rows: times in days from the model's start).
        rng: The patient's observation generator.
    """
    enrolment = float(trajectory.attrs.get("enrolment_day", ENROLMENT_DAY))
    readouts = lupus_readouts(trajectory, rng, ENROLMENT_DAY)
    times = _times(trajectory)
    before = times <= enrolment + 1e-9
    egfr = _true_egfr(trajectory)
    readouts["egfr_pre_flare"] = float(egfr[before].max()) if before.any() else float(egfr[0])
    readouts["renal_event_day"] = renal_event_day(trajectory, enrolment)
    return readouts


def renal_response(
    baseline: Mapping[str, float], visit: Mapping[str, float], *, complete: bool
) -> bool:
    """BLISS-LN primary efficacy (``complete=False``) or complete renal response.

    PERR: UPCR <= 0.7 g/g and eGFR no worse than 20% below the pre-flare value or
    >= 60. CRR: UPCR < 0.5 g/g and eGFR no worse than 10% below pre-flare or >= 90.
    "No rescue therapy" is the trial engine's (its rescue records).
    """
    pre_flare = float(baseline["egfr_pre_flare"])
    egfr, upcr = float(visit["egfr"]), float(visit["upcr"])
    if complete:
        kidney = egfr >= (1.0 - CRR_EGFR_DROP) * pre_flare or egfr >= CRR_EGFR_FLOOR
        return upcr < CRR_UPCR and kidney
    kidney = egfr >= (1.0 - PERR_EGFR_DROP) * pre_flare or egfr >= PERR_EGFR_FLOOR
    return upcr <= PERR_UPCR and kidney


def lupus_nephritis_responses(
    baseline: Mapping[str, float], visit: Mapping[str, float]
) -> dict[str, float]:
    """Renal and SLE endpoints of a visit against baseline.

    Keys: ``perr`` and ``crr`` (1.0/0.0, BLISS-LN definitions), ``upcr_change``
    (g/g) and ``egfr_change`` (mL/min/1.73m2, visit minus baseline), ``renal_event``
    (1.0 when a renal-related event happened by the visit), plus every key of
    :func:`sle.sle_responses`.

    Args:
        baseline: Readouts at enrolment.
        visit: Readouts at the visit.
    """
    return {
        "perr": float(renal_response(baseline, visit, complete=False)),
        "crr": float(renal_response(baseline, visit, complete=True)),
        "upcr_change": float(visit["upcr"]) - float(baseline["upcr"]),
        "egfr_change": float(visit["egfr"]) - float(baseline["egfr"]),
        "renal_event": float(not math.isnan(float(visit["renal_event_day"]))),
        **sle_responses(baseline, visit),
    }


def _changes() -> tuple[ParameterChange, ...]:
    kept = [
        c
        for c in SLE.changes
        if c.parameter not in ("apoptotic_clearance_factor", "kidney_ic_deposition_rate")
    ]
    return (
        ParameterChange(
            "apoptotic_clearance_factor",
            0.6,
            LogNormal(0.15),
            "calibrated: below the model's lupus threshold in most women (~0.8) so that "
            "most candidates have lupus, as in a population referred with nephritis",
            "Impaired apoptotic-cell clearance, the initiating lupus defect.",
        ),
        ParameterChange(
            "kidney_ic_deposition_rate",
            0.016,
            LogNormal(0.6),
            "calibrated: twice SLE's median glomerular trapping so that most candidates "
            "have proteinuria > 0.5 g/day (baseline UPCR median ~1.1 g/g); the eGFR share "
            "< 60 (diseases.csv ln_esrd_10y note: 37% at biopsy) is set by the kidney's "
            "infiltrate sensitivity and scarring (immune/tissue.py)",
            "Glomerular immune-complex deposition (FcgR, complex size, local antigen).",
        ),
        *kept,
    )


LUPUS_NEPHRITIS = dataclasses.replace(
    SLE,
    name="lupus_nephritis",
    description="Lupus nephritis: SLE whose immune complexes predominantly inflame the "
    "glomeruli (proteinuria, loss of filtration).",
    mechanism=SLE.mechanism
    + " In lupus nephritis glomerular trapping of complexes is high: the kidney "
    "infiltrate raises proteinuria and destroys filtering parenchyma (eGFR falls).",
    changes=_changes(),
    target_organs=("kidney", "skin", "synovium"),
    demographics=Demographics(
        female_fraction=0.88,
        age_mean=33.0,
        age_sd=10.0,
        age_range=(18.0, 70.0),
        source="BLISS-LN baseline (Furie et al. NEJM 2020: mean age ~33 years, ~88% women)",
    ),
    readouts=obs.with_symptoms(lupus_nephritis_readouts),
    responses=lupus_nephritis_responses,
    follow_up_days=ENROLMENT_DAY,
    history_days=ENROLMENT_DAY,
)
