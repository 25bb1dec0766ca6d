"""Monogenic immune dysregulation: ALPS, APS-1, IPEX and CVID on the shared immune model.

Each syndrome is the immune model's named defect (:data:`immunetwin.immune.DEFECTS`,
the same changes as the CLI's ``--defect``) given inter-patient variability, plus the
further parameter changes its biology needs. One observation model reads autoimmunity
and immune deficiency together: cytopenias, lymphoproliferation, organ autoimmunity,
IgG, and infections. Infections need exposures: :func:`exposure_schedule` draws a
patient's bacterial and viral exposures as an :class:`immunetwin.engine.Schedule`; the
readouts count the infection episodes they cause in the trajectory's history.
"""

from __future__ import annotations

import math
from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.diseases.thyroiditis import FT4_LOW, TSH_HIGH, thyroid_labs
from immunetwin.engine import Schedule, StateChange
from immunetwin.immune import DEFECTS

__all__ = [
    "ALPS",
    "APS1",
    "CVID",
    "HEALTHY_LYMPHOCYTES",
    "IPEX",
    "exposure_schedule",
    "infection_episodes",
    "monogenic_readouts",
]

ORGANS_READ = ("gut", "islets", "thyroid", "skin", "synovium", "kidney", "cns")
OUTPUTS = (
    "lab_igg",
    "lab_lymphocytes",
    "lab_platelets",
    "lab_neutrophils",
    "lab_ana_titre",
    "lab_crp",
    "lab_bacterial_load",
    "lab_viral_load",
    *(f"{o}_function" for o in ORGANS_READ),
)

# Laboratory limits (physiology.csv) and measurement CVs.
IGG_LOW = 7.0  # g/L: lower reference limit (physiology.csv igg_serum 700 mg/dL)
LYMPHOCYTES_LOW = 1000.0  # /uL (physiology.csv lymphocytes_blood)
NEUTROPENIA = 1500.0  # /uL: textbook neutropenia (physiology.csv neutrophils_blood 1800)
THROMBOCYTOPENIA = 150_000.0  # /uL: textbook platelet threshold
LAB_CV = 0.05  # analytical plus within-day CV of IgG and blood counts (textbook 3-8%)
# Lymphoproliferation (lymphadenopathy/splenomegaly): the model has one lymphoid pool,
# whose excess shows in the blood count; > 1.5x the healthy count (the ALPS test of
# tests/immune/test_tolerance.py) counts as lymphoproliferation.
LYMPHOPROLIFERATION_RATIO = 1.5
# Organ autoimmunity: function below 90% of normal parenchyma (as tests/immune).
ORGAN_AUTOIMMUNITY_FUNCTION = 90.0
# Diabetes: >= 40% of beta-cell mass lost (physiology.csv beta_cell_loss_dx: 40-90%).
DIABETES_FUNCTION = 60.0
# Infection episode: pathogen above 1e6 CFU/mL or copies/mL at the infection site. A
# healthy adult's default inoculum (3e5 CFU/mL) stays below it and is cleared in ~1.5
# days; CVID lets it grow to ~1e8 (tests/immune/test_deficiency.py).
INFECTION_LOAD = 1e6
# Recurrent infections: >= 2 serious infections a year (ESID/JMF warning signs).
RECURRENT_PER_YEAR = 2.0

# Exposure schedule (calibrated: adults catch 2-4 colds a year, Heikkinen & Jarvinen
# Lancet 2003; bacterial exposures that need an intact humoral defence, e.g. otitis,
# sinusitis, pneumonia, are assumed at 2 a year).
VIRAL_EXPOSURES_PER_YEAR = 3.0
BACTERIAL_EXPOSURES_PER_YEAR = 2.0
INOCULUM_SD = 0.5  # log-normal SD of the inoculum around the model's default
BACTERIAL_INOCULUM = 300.0  # CFU/uL (immune.scenarios DEFAULT_INOCULUM)
VIRAL_INOCULUM = 1.0  # copies/uL (immune.scenarios DEFAULT_INOCULUM)
# Standard care: an antibiotic course started at symptoms, ANTIBIOTIC_DELAY days after a
# bacterial exposure, kills 1 - ANTIBIOTIC_SURVIVAL of the bacteria (a multiply, so it
# changes nothing in a patient who has already cleared them).
ANTIBIOTIC_DELAY = 5.0  # days
ANTIBIOTIC_SURVIVAL = 1e-6


def exposure_schedule(
    patient_id: int, rng: np.random.Generator, start_day: float, days: float
) -> Schedule:
    """A patient's bacterial and viral exposures (Poisson in time) with antibiotic care.

    Exposures arrive as Poisson processes (``BACTERIAL_EXPOSURES_PER_YEAR``,
    ``VIRAL_EXPOSURES_PER_YEAR``) from ``start_day`` for ``days``; each adds a log-normal
    inoculum (median the model's default, SD ``INOCULUM_SD``) to ``bacteria`` or
    ``virus``. Every bacterial exposure is followed ``ANTIBIOTIC_DELAY`` days later by
    an antibiotic course (``bacteria`` multiplied by ``ANTIBIOTIC_SURVIVAL``). Use it
    with :func:`immunetwin.population.run_population` (``schedules=``) and output times
    at most a day apart from ``start_day``, so that the readouts see each episode.

    Args:
        patient_id: The patient (unused by the draws, which come from ``rng``; kept for
            the ``(patient_id, rng)`` schedule-factory signature).
        rng: The patient's schedule generator.
        start_day: First day of exposure (days on the model's timeline).
        days: Length of the exposure period (days).
    """
    del patient_id
    changes: list[StateChange] = []
    years = days / 365.0
    for target, rate, inoculum in (
        ("bacteria", BACTERIAL_EXPOSURES_PER_YEAR, BACTERIAL_INOCULUM),
        ("virus", VIRAL_EXPOSURES_PER_YEAR, VIRAL_INOCULUM),
    ):
        count = int(rng.poisson(rate * years))
        times = np.sort(start_day + days * rng.random(count))
        doses = inoculum * np.exp(INOCULUM_SD * rng.standard_normal(count))
        for time, dose in zip(times, doses, strict=True):
            changes.append(StateChange(float(time), target, "add", float(dose)))
            if target == "bacteria":
                changes.append(
                    StateChange(
                        float(time + ANTIBIOTIC_DELAY), target, "multiply", ANTIBIOTIC_SURVIVAL
                    )
                )
    return Schedule(tuple(changes))


def infection_episodes(trajectory: pd.DataFrame) -> tuple[int, float]:
    """Infection episodes in the history and the day the first began (NaN if none).

    An episode is a run of consecutive rows with bacterial load or viral load above
    ``INFECTION_LOAD``; rows must be at most a day apart to see every episode.

    Args:
        trajectory: One patient's outputs with ``lab_bacterial_load`` and
            ``lab_viral_load`` (per mL), indexed by day.
    """
    infected = (
        (trajectory["lab_bacterial_load"].to_numpy() > INFECTION_LOAD)
        | (trajectory["lab_viral_load"].to_numpy() > INFECTION_LOAD)
    ).astype(int)
    starts = np.flatnonzero(np.diff(np.concatenate([[0], infected])) == 1)
    times = np.asarray(trajectory.index, dtype=float)
    first = float(times[starts[0]]) if len(starts) else math.nan
    return len(starts), first


def monogenic_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """Autoimmunity and immune deficiency at the last row, infections over the history.

    Args:
        trajectory: One patient's outputs (rows: days from 0 up to the visit).
        rng: The patient's observation generator: six standard normals per call (IgG,
            lymphocytes, platelets, neutrophils, TSH, free T4) and one patient trait
            (TSH set point).
    """
    last = trajectory.iloc[-1]
    z = obs.visit_normals(rng, 6)
    (z_set,) = obs.patient_traits(rng, 1)
    igg = obs.lognormal(float(last["lab_igg"]), LAB_CV, float(z[0]))
    lymphocytes = obs.lognormal(float(last["lab_lymphocytes"]), LAB_CV, float(z[1]))
    platelets = obs.lognormal(float(last["lab_platelets"]), LAB_CV, float(z[2]))
    neutrophils = obs.lognormal(float(last["lab_neutrophils"]), LAB_CV, float(z[3]))
    tsh, ft4 = thyroid_labs(float(last["thyroid_function"]), float(z_set), z[4], z[5])
    functions = {o: float(last[f"{o}_function"]) for o in ORGANS_READ}
    affected = [o for o, f in functions.items() if f < ORGAN_AUTOIMMUNITY_FUNCTION]
    episodes, first = infection_episodes(trajectory)
    times = np.asarray(trajectory.index, dtype=float)
    years = max((times[-1] - times[0]) / 365.0, 1.0 / 365.0)
    thrombocytopenia = platelets < THROMBOCYTOPENIA
    neutropenia = neutrophils < NEUTROPENIA
    lymphopenia = lymphocytes < LYMPHOCYTES_LOW
    lymphoproliferation = lymphocytes > LYMPHOPROLIFERATION_RATIO * HEALTHY_LYMPHOCYTES
    row: dict[str, float] = {
        "igg": igg,
        "igg_low": bool(igg < IGG_LOW),
        "lymphocytes": lymphocytes,
        "platelets": platelets,
        "neutrophils": neutrophils,
        "thrombocytopenia": bool(thrombocytopenia),
        "neutropenia": bool(neutropenia),
        "lymphopenia": bool(lymphopenia),
        "cytopenia": bool(thrombocytopenia or neutropenia or lymphopenia),
        "lymphoproliferation": bool(lymphoproliferation),
        "ana_titre": float(last["lab_ana_titre"]),
        "ana_positive": bool(last["lab_ana_titre"] >= obs.ANA_POSITIVE),
        "crp": float(last["lab_crp"]),
        "tsh": tsh,
        "ft4": ft4,
        "hypothyroidism": bool(tsh > TSH_HIGH),
        "overt_hypothyroidism": bool(tsh > TSH_HIGH and ft4 < FT4_LOW),
        "diabetes": bool(functions["islets"] < DIABETES_FUNCTION),
        "enteropathy": bool(functions["gut"] < ORGAN_AUTOIMMUNITY_FUNCTION),
        "organs_affected": len(affected),
        "infection_episodes": episodes,
        "first_infection_day": first,
        "recurrent_infections": bool(episodes / years >= RECURRENT_PER_YEAR),
    }
    for organ, value in functions.items():
        row[f"{organ}_function"] = value
    autoimmunity = bool(affected) or thrombocytopenia or bool(row["ana_positive"])
    deficiency = bool(row["igg_low"]) or bool(row["recurrent_infections"]) or neutropenia
    row["autoimmunity"] = autoimmunity
    row["immune_deficiency"] = deficiency
    row["has_disease"] = autoimmunity or deficiency or bool(lymphoproliferation)
    return row


# /uL: lab_lymphocytes of the healthy model at its stored steady state (checked by
# tests/diseases/test_monogenic.py).
HEALTHY_LYMPHOCYTES = 1994.0


def _defect_change(
    defect: str, parameter: str, omega: float, source: str, rationale: str
) -> ParameterChange:
    """The DEFECTS value of ``parameter`` as a change with log-normal variability."""
    value = float(DEFECTS[defect].changes[parameter])
    return ParameterChange(
        parameter,
        value,
        LogNormal(omega) if omega > 0 else None,
        f"immune.DEFECTS[{defect!r}] ({parameter} {value:g}); {source}",
        rationale,
    )


def _not_modelled(name: str, direction: str, size: str, source: str) -> Covariate:
    return Covariate(name, MappingProxyType({}), None, direction, size, source, modelled=False)


_NO_COVARIATES = (
    _not_modelled(
        "sex",
        "none for autosomal syndromes",
        "not modelled: no sex effect on penetrance documented",
        "textbook",
    ),
    _not_modelled(
        "age",
        "onset in childhood (CVID: any age, peak 20-40 years)",
        "not modelled: the model has no development or ageing",
        "textbook",
    ),
)

ALPS = Disease(
    name="alps",
    description="Autoimmune lymphoproliferative syndrome: FAS-pathway defect with "
    "lymphoproliferation and autoimmune cytopenias.",
    mechanism=(
        "Germline or somatic FAS (or FASLG, CASP10) mutations abolish Fas-mediated "
        "activation-induced death: activated and self-reactive lymphocytes accumulate "
        "(lymphadenopathy, splenomegaly, raised lymphocyte counts) and self-reactive B "
        "cells escape deletion, giving anti-platelet and antinuclear autoantibodies "
        "(autoimmune thrombocytopenia, ANA). Penetrance of heterozygous FAS mutations is "
        "incomplete: the residual Fas function varies between patients."
    ),
    changes=(
        _defect_change(
            "alps",
            "fas_aicd_strength",
            0.5,
            "variability calibrated: incomplete penetrance of FAS mutations (Price et al. "
            "Blood 2014;123:1989)",
            "Residual Fas-mediated activation-induced cell death.",
        ),
    ),
    target_organs=(),
    covariates=_NO_COVARIATES,
    demographics=Demographics(
        female_fraction=0.4,
        age_mean=8.0,
        age_sd=6.0,
        age_range=(1.0, 40.0),
        source="NIH ALPS cohort: median onset ~2-3 years, slight male excess (Price et al. "
        "Blood 2014)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(monogenic_readouts),
    follow_up_days=2 * 365.0,
    history_days=365.0,
)

APS1 = Disease(
    name="aps1",
    description="Autoimmune polyendocrine syndrome type 1 (APECED): AIRE deficiency with "
    "endocrine autoimmunity and cytokine autoantibodies.",
    mechanism=(
        "Without AIRE the thymus expresses no tissue-restricted antigens: organ-reactive "
        "T cells escape and AIRE-dependent organ-specific Tregs are missing, so endocrine "
        "organs, skin and gut are attacked. Neutralising autoantibodies against IL-17A/F "
        "and IL-22 (chronic mucocutaneous candidiasis) and against type I interferons "
        "(severe viral disease) are near universal. Adrenal and parathyroid glands and "
        "Candida are not in the model."
    ),
    changes=(
        _defect_change(
            "aps1",
            "aire_efficiency",
            0.0,
            "biallelic loss-of-function AIRE mutations (Nagamine et al. Nat Genet 1997)",
            "Thymic AIRE function.",
        ),
        ParameterChange(
            "il17_free_fraction",
            0.3,
            LogNormal(0.5),
            "assumption: neutralising anti-IL-17F/IL-22 (and anti-IL-17A in ~40%) "
            "autoantibodies in most APS-1 patients (Puel et al. J Exp Med 2010; Kisand et "
            "al. J Exp Med 2010); 70% neutralisation, uncalibrated",
            "IL-17 left free by anti-cytokine autoantibodies.",
        ),
        ParameterChange(
            "ifn_type1_free_fraction",
            0.1,
            LogNormal(0.5),
            "assumption: anti-IFN-omega/alpha autoantibodies in ~100% of APS-1 (Meager et "
            "al. PLoS Med 2006), which neutralise 10 ng/mL of IFN in vitro and predispose "
            "to severe viral pneumonia (Bastard et al. J Exp Med 2021); 90% neutralisation, "
            "uncalibrated",
            "Type I IFN left free by anti-interferon autoantibodies.",
        ),
    ),
    target_organs=("islets", "thyroid", "gut", "skin"),
    covariates=_NO_COVARIATES,
    demographics=Demographics(
        female_fraction=0.5,
        age_mean=12.0,
        age_sd=8.0,
        age_range=(1.0, 50.0),
        source="autosomal recessive; first manifestation usually in childhood (Ferre et "
        "al. JCI Insight 2016)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(monogenic_readouts),
    follow_up_days=3 * 365.0,
    history_days=365.0,
)

IPEX = Disease(
    name="ipex",
    description="Immune dysregulation, polyendocrinopathy, enteropathy, X-linked: FOXP3 "
    "loss with early multi-organ autoimmunity.",
    mechanism=(
        "Loss-of-function FOXP3 mutations leave regulatory T cells unable to suppress: "
        "organ-reactive effector T cells expand within months of birth, giving "
        "autoimmune enteropathy, type 1 diabetes, eczematous dermatitis and thyroiditis. "
        "Residual FOXP3 function differs between mutations (hypomorphic alleles give "
        "later, milder disease). Infections in IPEX follow barrier loss (gut, skin) and "
        "immunosuppression, neither of which is in the model."
    ),
    changes=(
        _defect_change(
            "ipex",
            "foxp3_function",
            0.5,
            "variability calibrated: hypomorphic FOXP3 alleles give milder, later disease "
            "(Barzaghi et al. J Allergy Clin Immunol 2018)",
            "Residual FOXP3 (Treg) function.",
        ),
    ),
    target_organs=("gut", "islets", "skin", "thyroid"),
    covariates=(
        Covariate(
            "sex",
            MappingProxyType({}),
            None,
            "X-linked: boys",
            "not modelled as a parameter: all patients male (demographics)",
            "Bennett et al. Nat Genet 2001",
            modelled=False,
        ),
        _NO_COVARIATES[1],
    ),
    demographics=Demographics(
        female_fraction=0.0,
        age_mean=0.5,
        age_sd=0.3,
        age_range=(0.05, 2.0),
        source="X-linked; onset in the first months of life (Barzaghi et al. 2018)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(monogenic_readouts),
    follow_up_days=180.0,
    history_days=30.0,
)

CVID = Disease(
    name="cvid",
    description="Common variable immunodeficiency: failure of B-cell differentiation "
    "with hypogammaglobulinaemia and recurrent bacterial infections.",
    mechanism=(
        "B cells fail to become plasma cells (TACI, ICOS, NFKB1/2, CTLA4 and mostly "
        "unknown defects): IgG (and IgA) fall below the reference range and the "
        "antibody defence against encapsulated bacteria fails, so bacterial exposures "
        "become infections that need antibiotics. The residual antibody production "
        "varies widely. The autoimmune and granulomatous complications of CVID (cytopenias "
        "in ~25%) come from immune dysregulation that the one defect does not carry."
    ),
    changes=(
        _defect_change(
            "cvid",
            "b_cell_differentiation_factor",
            0.5,
            "variability calibrated: diagnostic IgG ranges ~1-5 g/L between patients "
            "(Cunningham-Rundles & Bodian Clin Immunol 1999)",
            "Residual B -> plasma-cell differentiation.",
        ),
    ),
    target_organs=(),
    covariates=_NO_COVARIATES,
    demographics=Demographics(
        female_fraction=0.5,
        age_mean=30.0,
        age_sd=14.0,
        age_range=(4.0, 80.0),
        source="diagnosis at any age, peaks in childhood and at 20-40 years; no sex "
        "difference (Cunningham-Rundles & Bodian 1999)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(monogenic_readouts),
    follow_up_days=2 * 365.0,
    history_days=365.0,
)
