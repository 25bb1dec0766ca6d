"""Systemic lupus erythematosus on the shared immune model."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases._triggers import poisson_bursts
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.diseases.mortality import LUPUS_DEATHS
from immunetwin.engine import Schedule
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = [
    "ENROLMENT_DAY",
    "SLE",
    "bicla_response",
    "lupus_readouts",
    "new_bilag",
    "sle_flare_triggers",
    "sle_readouts",
    "sle_responses",
    "sledai_flare",
    "sri_response",
]

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

# Days from the model's start (health, at-risk parameters) to trial enrolment: the
# autoantibody loop switches on within ~1 year and the organ states settle by ~2.
ENROLMENT_DAY = 3 * 365.0

BILAG_ORGANS = ("renal", "musculoskeletal", "mucocutaneous")
# BILAG-2004 domains the model does not carry (graded E, never involved).
BILAG_NOT_MODELLED = (
    "constitutional",
    "neuropsychiatric",
    "cardiorespiratory",
    "gastrointestinal",
    "ophthalmic",
    "haematological",
)
# -- flare triggers -------------------------------------------------------------------------
# A flare starts when a trigger (a viral infection's TLR7/IFN drive, UV-damaged skin, and
# the hormonal and stress changes that accompany flares) enlarges the plasmablast burst
# of the patient's reactivated self-reactive memory B cells (TLR7, IFN-alpha and IL-21
# drive their extrafollicular expansion; model state self_flare_activation, a multiple
# of the patient's own burst that subsides with flare_activation_half_life). Activated
# memory-like (DN2) B cells and plasmablasts expand with flares and anti-dsDNA (Jenks et
# al. Immunity 2018; Jacobi et al. Arthritis Rheum 2003). Acting on the memory
# repertoire, a trigger scales with the established response: it does little before
# onset (it tips only patients already near the threshold) and nothing once B cells are
# depleted.
# Rate: the Hopkins Lupus Cohort flare incidence, 0.65 per patient-year (Petri et al.
# Arthritis Rheum 1991), one trigger per flare. Size (calibrated): a trigger of median
# size raises the noise-free SLEDAI-2K by 3.0 at its peak on average, the mean rise at a
# flare in the same cohort. The sources' separate shares (infection, UV, stress,
# hormones) have no sizes in the reference data, so the triggers are one lumped stream.
FLARE_TRIGGER_RATE_PER_YEAR = 0.65
# Between-patient spread of the trigger rate: gamma with shape 1.5 (flare counts are
# overdispersed: ~half of cohort patients never flare in 1-2 years, Petri 1991).
FLARE_TRIGGER_RATE_SHAPE = 1.5
FLARE_BURST_MEDIAN = 3.5  # median extra burst, a multiple of the patient's own
FLARE_BURST_SIGMA = 0.8  # log-normal sigma of the extra burst (minor to severe flares)

_N_VISIT_NORMALS = 13
_N_TRAITS = 1


def _mean_proteinuria(kidney_inflammation: np.ndarray) -> np.ndarray:
    """Noise-free 24-h protein (g/day) of each row, for history judgements."""
    healthy = HEALTHY_STEADY_STATE["kidney_inflammation"]
    multiple = np.maximum(0.0, kidney_inflammation / healthy - 1.0)
    return obs.PROTEINURIA_BASE + obs.PROTEINURIA_SLOPE * multiple


def lupus_readouts(
    trajectory: pd.DataFrame, rng: np.random.Generator, enrolment_day: float
) -> dict[str, float]:
    """Lupus readouts at the last output time: serology, SLEDAI-2K, BILAG, PGA, renal.

    Per call: 13 standard normals from ``rng`` (5 joints and patient global, one
    systemic and three organ fluctuations, proteinuria, PGA, spot UPCR, eGFR) and
    one patient trait (expectation). Past organ involvement (BILAG D) is judged without noise on the
    rows before the last.

    Args:
        trajectory: One patient's outputs (rows: times in days from the model's start).
        rng: The patient's observation generator.
        enrolment_day: Default enrolment day (``trajectory.attrs`` may override it).
    """
    last = trajectory.iloc[-1]
    z = obs.visit_normals(rng, _N_VISIT_NORMALS)
    (expectation,) = obs.patient_traits(rng, _N_TRAITS)
    relief = obs.placebo_fraction(obs.time_on_study(trajectory, enrolment_day), expectation)
    msk = obs.organ_fluctuation(z[5], z[6])
    renal = obs.organ_fluctuation(z[5], z[7])
    skin = obs.organ_fluctuation(z[5], z[8])

    synovitis = obs.synovitis_burden(float(last["synovium_inflammation"]))
    tjc, sjc, _ = obs.joint_counts(
        obs.SLE_JOINT_SCALE * synovitis * msk, z[0:5], tender_relief=relief
    )
    protein = obs.proteinuria(float(last["kidney_inflammation"]), z[9], activity=renal)
    healthy_skin = HEALTHY_STEADY_STATE["skin_ic_deposits"]
    skin_multiple = float(last["skin_ic_deposits"]) / healthy_skin * skin
    rash = skin_multiple > obs.RASH_DEPOSIT_MULTIPLE
    # SLEDAI-2K: >= 2 joints with pain and signs of inflammation (tender and swollen).
    arthritis = min(tjc, sjc) >= 2
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

    past = trajectory.iloc[:-1]
    past_nephritis = bool(
        (_mean_proteinuria(past["kidney_inflammation"].to_numpy()) > obs.PROTEINURIA_POSITIVE).any()
    )
    past_burden = [obs.synovitis_burden(float(x)) for x in past["synovium_inflammation"]]
    past_arthritis = bool(any(b > obs.HISTORY_BURDEN for b in past_burden))
    past_rash = bool(
        (past["skin_ic_deposits"].to_numpy() > obs.RASH_DEPOSIT_MULTIPLE * healthy_skin).any()
    )
    grades = [
        obs.bilag_renal(protein, past_nephritis),
        obs.bilag_musculoskeletal(tjc, sjc, past_arthritis),
        obs.bilag_mucocutaneous(skin_multiple, past_rash),
    ]
    pga = obs.sle_pga(grades, low_complement or dsdna, relief, z[10])
    upcr = obs.lognormal(protein / obs.CREATININE_EXCRETION, obs.SPOT_UPCR_CV, z[11])
    egfr = obs.egfr(float(last["kidney_function"]), z[12])

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
        "upcr": upcr,
        "egfr": egfr,
        "nephritis": nephritis,
        "kidney_function": float(last["kidney_function"]),
        "sledai_2k": sledai,
        "pga": pga,
        "bilag_renal": grades[0],
        "bilag_musculoskeletal": grades[1],
        "bilag_mucocutaneous": grades[2],
        "bilag_numeric": obs.bilag_numeric(grades),
        # Active SLE: SLEDAI-2K >= 4 with at least one clinical item (serology alone is
        # not disease).
        "has_disease": bool(clinical and sledai >= 4),
    }


def sle_flare_triggers(
    patient_id: int, rng: np.random.Generator, start_day: float, days: float
) -> Schedule:
    """A patient's lupus flare triggers: episodes of larger self-reactive plasmablast bursts.

    The patient's trigger rate is gamma-distributed around
    :data:`FLARE_TRIGGER_RATE_PER_YEAR` (shape :data:`FLARE_TRIGGER_RATE_SHAPE`);
    triggers come at Poisson times in ``[start_day, start_day + days)`` and add a
    log-normal extra activation (median :data:`FLARE_BURST_MEDIAN`) to
    ``self_flare_activation``. The model turns it into a plasmablast, autoantibody and
    immune-complex surge: complement falls, deposits and organ inflammation rise for
    weeks. Call it once per patient for the whole timeline with the patient's schedule
    generator; both arms of a trial see the same triggers.

    Args:
        patient_id: The patient (kept for the engine's ``(patient_id, rng)`` signature).
        rng: The patient's schedule generator.
        start_day: First day of the window (model timeline, days).
        days: Length of the window (days).

    Returns:
        The schedule of ``add`` changes to ``self_flare_activation``.
    """
    del patient_id  # the generator already belongs to the patient
    return poisson_bursts(
        rng,
        start_day,
        days,
        target="self_flare_activation",
        rate_per_year=FLARE_TRIGGER_RATE_PER_YEAR,
        rate_shape=FLARE_TRIGGER_RATE_SHAPE,
        size_median=FLARE_BURST_MEDIAN,
        size_sigma=FLARE_BURST_SIGMA,
    )


def sle_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """SLE readouts (:func:`lupus_readouts`) with enrolment at :data:`ENROLMENT_DAY`."""
    return lupus_readouts(trajectory, rng, ENROLMENT_DAY)


def new_bilag(baseline: Mapping[str, float], visit: Mapping[str, float]) -> tuple[int, int]:
    """Number of new BILAG A and new BILAG B organ grades at the visit.

    New A: an A in an organ not A at baseline. New B: a B in an organ graded C, D or E
    at baseline (Furie et al. Arthritis Rheum 2009, the SRI's BILAG criterion).
    """
    new_a = new_b = 0
    for organ in BILAG_ORGANS:
        before, after = int(baseline[f"bilag_{organ}"]), int(visit[f"bilag_{organ}"])
        new_a += after == 1 and before != 1
        new_b += after == 2 and before >= 3
    return new_a, new_b


def sri_response(
    baseline: Mapping[str, float], visit: Mapping[str, float], reduction: int = 4
) -> bool:
    """SLE Responder Index (SRI-``reduction``; Furie et al. Arthritis Rheum 2009).

    SLEDAI reduction >= ``reduction``, no new BILAG A and fewer than two new BILAG B,
    and no PGA worsening of 0.3 or more (10% of the 3-point scale).
    """
    new_a, new_b = new_bilag(baseline, visit)
    return (
        float(baseline["sledai_2k"]) - float(visit["sledai_2k"]) >= reduction
        and new_a == 0
        and new_b < 2
        and float(visit["pga"]) - float(baseline["pga"]) < 0.3 - 1e-9
    )


def bicla_response(baseline: Mapping[str, float], visit: Mapping[str, float]) -> bool:
    """BICLA (Wallace et al. Ann Rheum Dis 2014), without its treatment-failure item.

    Every baseline BILAG A improved to B/C/D and every B to C/D, no new A and at most
    one new B, no SLEDAI-2K increase, PGA worsening < 0.3; at least one A or B at
    baseline (the trials' entry condition; otherwise no response).
    """
    grades = [(int(baseline[f"bilag_{o}"]), int(visit[f"bilag_{o}"])) for o in BILAG_ORGANS]
    if not any(before <= 2 for before, _ in grades):
        return False
    improved = all(
        (before != 1 or after >= 2) and (before != 2 or after >= 3) for before, after in grades
    )
    new_a, new_b = new_bilag(baseline, visit)
    return (
        improved
        and new_a == 0
        and new_b <= 1
        and float(visit["sledai_2k"]) <= float(baseline["sledai_2k"])
        and float(visit["pga"]) - float(baseline["pga"]) < 0.3 - 1e-9
    )


def sledai_flare(baseline: Mapping[str, float], visit: Mapping[str, float]) -> tuple[bool, bool]:
    """SELENA-SLEDAI Flare Index (Petri et al. NEJM 2005): (any flare, severe flare).

    Severe: SLEDAI rise to > 12, PGA rise to > 2.5, or new/worse nephritis (renal
    BILAG worsening to A or B). Mild/moderate: SLEDAI rise >= 3, PGA rise >= 1.0, or new
    rash. Treatment items (new prednisone, hospitalisation) are not modelled.
    """
    sledai_rise = float(visit["sledai_2k"]) - float(baseline["sledai_2k"])
    pga_rise = float(visit["pga"]) - float(baseline["pga"])
    renal_before, renal_after = int(baseline["bilag_renal"]), int(visit["bilag_renal"])
    severe = (
        (sledai_rise >= 3 and float(visit["sledai_2k"]) > 12)
        or (pga_rise >= 1.0 and float(visit["pga"]) > 2.5)
        or (renal_after <= 2 and renal_after < renal_before)
    )
    mild = sledai_rise >= 3 or pga_rise >= 1.0 or (bool(visit["rash"]) and not baseline["rash"])
    return bool(severe or mild), bool(severe)


def sle_responses(baseline: Mapping[str, float], visit: Mapping[str, float]) -> dict[str, float]:
    """SLE composite endpoints of a visit against baseline.

    Keys: ``sri4``, ``sri6``, ``bicla`` (1.0/0.0); ``sledai_change`` and ``pga_change``
    (visit minus baseline); ``new_bilag_a``, ``new_bilag_b`` (counts); ``sfi_flare`` and
    ``sfi_severe_flare`` (1.0/0.0, against baseline).

    Args:
        baseline: Readouts at enrolment.
        visit: Readouts at the visit.
    """
    new_a, new_b = new_bilag(baseline, visit)
    flare, severe = sledai_flare(baseline, visit)
    return {
        "sri4": float(sri_response(baseline, visit, 4)),
        "sri6": float(sri_response(baseline, visit, 6)),
        "bicla": float(bicla_response(baseline, visit)),
        "sledai_change": float(visit["sledai_2k"]) - float(baseline["sledai_2k"]),
        "pga_change": float(visit["pga"]) - float(baseline["pga"]),
        "new_bilag_a": float(new_a),
        "new_bilag_b": float(new_b),
        "sfi_flare": float(flare),
        "sfi_severe_flare": float(severe),
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
        "TLR7 signalling moves the threshold, which yields the female excess. Flares: "
        "triggers (infection, UV, stress, hormones; one lumped stream at 0.65 per "
        "patient-year) enlarge the plasmablast burst of self-reactive memory B cells for "
        "weeks, so anti-dsDNA rises, complement falls and organ activity follows."
    ),
    changes=(
        ParameterChange(
            "apoptotic_clearance_factor",
            1.0,
            LogNormal(0.15),
            "calibrated: at-risk population (clearance variants, Gaipl et al. Autoimmunity "
            "2007) whose tail below the model's threshold gives the female:male ratio of "
            "diseases.csv sle_sex_ratio; the threshold is higher in women (TLR7) and with "
            "the flare triggers, which tip patients near it into disease (0.74 before the "
            "triggers were modelled)",
            "Impaired apoptotic-cell clearance, the initiating lupus defect.",
        ),
        ParameterChange(
            "kidney_ic_deposition_rate",
            0.008,
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
            0.2,
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
            MappingProxyType({"female": 2.2, "male": 1.0}),
            "tlr7_9_signalling",
            "women higher risk",
            "TLR7 signalling x2.2 in women (biallelic TLR7 in ~30% of B cells and pDC; "
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
            "trigger flares (and onset in patients near the threshold)",
            "modelled as one lumped Poisson stream of flare triggers (sle_flare_triggers: "
            "0.65 per patient-year, each enlarging the self-reactive memory B-cell "
            "plasmablast burst); the separate shares of UV, infection, stress and "
            "hormones are not modelled (no sizes in the reference data)",
            "Petri et al. Arthritis Rheum 1991 (flare incidence); Jacobi et al. Arthritis "
            "Rheum 2003 (plasmablasts at flares)",
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
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(sle_readouts),
    follow_up_days=ENROLMENT_DAY,
    responses=sle_responses,
    history_days=ENROLMENT_DAY,
    triggers=sle_flare_triggers,
    mortality=LUPUS_DEATHS,
)
