"""Rheumatoid arthritis on the shared immune model."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange

__all__ = ["RA", "das28_readouts"]

OUTPUTS = (
    "synovium_inflammation",
    "synovium_effector_t",
    "synovium_function",
    "lab_crp",
    "lab_esr",
    "lab_il6",
    "lab_tnf",
)


def das28_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """TJC28, SJC28, CRP, patient global and DAS28-CRP at the last output time.

    Args:
        trajectory: One patient's outputs (rows: times).
        rng: The patient's observation generator.
    """
    last = trajectory.iloc[-1]
    tjc, sjc, pga = obs.joint_counts(float(last["synovium_inflammation"]), rng)
    crp = obs.measured_crp(float(last["lab_crp"]), rng)
    das28 = obs.das28_crp(tjc, sjc, crp, pga)
    return {
        "tjc28": tjc,
        "sjc28": sjc,
        "crp": crp,
        "esr": float(last["lab_esr"]),
        "patient_global": pga,
        "das28_crp": das28,
        "synovium_function": float(last["synovium_function"]),
        "has_disease": bool(das28 >= obs.DAS28_REMISSION),
    }


RA = Disease(
    name="ra",
    description="Rheumatoid arthritis: chronic synovitis driven by TNF/IL-6/IL-17 loops.",
    mechanism=(
        "Synovial myeloid inflammation self-amplifies through TNF, IL-1 and IL-6 "
        "(bistable: once inflamed, the synovium stays inflamed inside a range of drive), "
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
    outputs=OUTPUTS,
    readouts=das28_readouts,
    initial_state=MappingProxyType(
        {
            "synovium_inflammation": (
                500.0,
                "calibrated: established synovitis at enrolment (inflamed branch)",
            )
        }
    ),
    follow_up_days=182.0,
)
