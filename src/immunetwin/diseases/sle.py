"""Systemic lupus erythematosus on the shared immune model."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = ["SLE"]

OUTPUTS = (
    "lab_ana_titre",
    "lab_anti_dsdna",
    "lab_c3",
    "lab_c4",
    "lab_crp",
    "lab_ifn_alpha",
    "lab_immune_complexes",
    "kidney_inflammation",
    "kidney_ic_deposits",
    "kidney_function",
    "synovium_inflammation",
    "skin_ic_deposits",
    "skin_function",
)


def sle_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """SLE readouts at the last output time: serology, SLEDAI-2K items, nephritis.

    Args:
        trajectory: One patient's outputs (rows: times).
        rng: The patient's observation generator.
    """
    last = trajectory.iloc[-1]
    tjc, sjc, _ = obs.joint_counts(float(last["synovium_inflammation"]), rng)
    protein = obs.proteinuria(float(last["kidney_inflammation"]), rng)
    healthy_skin = HEALTHY_STEADY_STATE["skin_ic_deposits"]
    rash = bool(last["skin_ic_deposits"] > obs.RASH_DEPOSIT_MULTIPLE * healthy_skin)
    arthritis = sjc >= 2  # SLEDAI-2K: >=2 joints with pain and signs of inflammation
    low_complement = bool(last["lab_c3"] < obs.C3_LOW or last["lab_c4"] < obs.C4_LOW)
    dsdna = bool(last["lab_anti_dsdna"] > obs.ANTI_DSDNA_POSITIVE)
    nephritis = protein > obs.PROTEINURIA_POSITIVE
    sledai = obs.sledai_2k(
        arthritis=arthritis,
        rash=rash,
        proteinuria_g_per_day=protein,
        low_complement=low_complement,
        anti_dsdna_positive=dsdna,
    )
    clinical = arthritis or rash or nephritis
    return {
        "ana_titre": float(last["lab_ana_titre"]),
        "ana_positive": bool(last["lab_ana_titre"] >= obs.ANA_POSITIVE),
        "anti_dsdna": float(last["lab_anti_dsdna"]),
        "anti_dsdna_positive": dsdna,
        "c3": float(last["lab_c3"]),
        "c4": float(last["lab_c4"]),
        "low_complement": low_complement,
        "ifn_alpha": float(last["lab_ifn_alpha"]),
        "tjc28": tjc,
        "sjc28": sjc,
        "arthritis": arthritis,
        "rash": rash,
        "proteinuria": protein,
        "nephritis": nephritis,
        "kidney_function": float(last["kidney_function"]),
        "sledai_2k": sledai,
        # Active SLE: SLEDAI-2K >= 4 with at least one clinical item (serology alone is
        # not disease).
        "has_disease": bool(clinical and sledai >= 4),
    }


SLE = Disease(
    name="sle",
    description="Systemic lupus erythematosus: antinuclear autoimmunity with immune-complex "
    "disease of kidney, joints and skin.",
    mechanism=(
        "Slow clearance of apoptotic cells (C1q, MerTK, DNase1L3 pathways) leaves nuclear "
        "antigen available; TLR7/9 sensing of nucleic-acid immune complexes drives "
        "plasmacytoid-DC type I interferon and self-reactive B cells, giving ANA and "
        "anti-dsDNA, immune complexes that consume complement (low C3/C4) and deposit in "
        "kidney, synovium and skin. Disease is a threshold: above a critical clearance "
        "the autoantibody loop stays off, below it the loop self-sustains. Women's higher "
        "TLR7 signalling moves the threshold, which yields the female excess."
    ),
    changes=(
        ParameterChange(
            "apoptotic_clearance_factor",
            0.74,
            LogNormal(0.15),
            "calibrated: at-risk population (clearance variants, Gaipl et al. Autoimmunity "
            "2007) whose tail below the model's threshold (~0.48 in men, ~0.8 in women, "
            "blurred by the other patient parameters) gives the female:male ratio of "
            "diseases.csv sle_sex_ratio",
            "Impaired apoptotic-cell clearance, the initiating lupus defect.",
        ),
        ParameterChange(
            "kidney_ic_deposition_rate",
            0.01,
            LogNormal(0.8),
            "calibrated: glomerular trapping of complexes varies (FcgR and complex size); "
            "median and spread give nephritis in the 20-60% of diseases.csv sle_ln",
            "Glomerular immune-complex deposition.",
        ),
        ParameterChange(
            "skin_ic_deposition_rate",
            0.005,
            LogNormal(1.0),
            "calibrated: dermal deposition half the model's default so that rash is "
            "present in a majority but not all (mucocutaneous disease in ~60-80% of SLE, "
            "textbook)",
            "Dermal-epidermal junction immune-complex deposition (lupus band).",
        ),
        ParameterChange(
            "anti_dsdna_iu_per_mg",
            0.25,
            LogNormal(1.0),
            "calibrated: the dsDNA share of antinuclear IgG differs between patients "
            "(anti-Sm/Ro/La- versus dsDNA-dominant); median and spread give anti-dsDNA "
            "positivity in the 30-70% of diseases.csv sle_anti_dsdna",
            "Anti-dsDNA IU per mg of autoantibody (specificity of the ANA response).",
        ),
    ),
    target_organs=("kidney", "synovium", "skin"),
    covariates=(
        Covariate(
            "sex",
            MappingProxyType({"female": 2.0, "male": 1.0}),
            "tlr7_9_signalling",
            "women higher risk",
            "TLR7 signalling x2 in women (biallelic TLR7 in ~30% of B cells and pDC; "
            "higher pDC IFN-alpha to TLR7 ligands): direction from the sources, size "
            "calibrated with the clearance spread to female:male ~9:1",
            "Souyris et al. Sci Immunol 2018; Berghofer et al. J Immunol 2006; diseases.csv "
            "sle_sex_ratio",
        ),
        Covariate(
            "age",
            MappingProxyType({}),
            None,
            "onset peaks in childbearing years",
            "not modelled: no mechanism in the model (oestrogen effects lumped into sex)",
            "textbook",
            modelled=False,
        ),
        Covariate(
            "uv_infection_stress",
            MappingProxyType({}),
            None,
            "trigger flares",
            "not modelled yet (flare triggers need schedules of apoptotic load)",
            "issue 4",
            modelled=False,
        ),
        Covariate(
            "smoking",
            MappingProxyType({}),
            None,
            "modestly raises risk",
            "not modelled: OR ~1.5 for current smoking (Costenbader et al. 2004) without a "
            "mechanism in the model",
            "Costenbader et al. Arthritis Rheum 2004",
            modelled=False,
        ),
    ),
    demographics=Demographics(
        female_fraction=0.9,
        age_mean=35.0,
        age_sd=12.0,
        age_range=(16.0, 70.0),
        source="diseases.csv sle_sex_ratio (9:1); textbook onset 15-45 years",
    ),
    outputs=OUTPUTS,
    readouts=sle_readouts,
    follow_up_days=3 * 365.0,
)
