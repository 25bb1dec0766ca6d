"""Immune-related adverse events of checkpoint inhibitors, graded by CTCAE v5.0.

The patient has advanced cancer and starts nivolumab at enrolment, after a year of
untreated history from the model's healthy start (so that a patient with thyroid
autoimmunity enters with the gland their smouldering thyroiditis has left). The tumour
is not in the model; the drug's effect is the saturated PD-1 blockade of the immune
model's
``pd1_blockade`` defect (``pd1_strength`` 0.1, which is nivolumab's Emax in
:mod:`immunetwin.drugs.pd`). Whether an organ is attacked depends on the patient's
own organ-reactive repertoire (its avidity, bounded by thymic deletion and widely
spread between people; its precursor frequency) and PD-L1 protection; how far an
attack goes, on the exhaustion that chronic organ antigen drives in the attacking
effectors (a module these diseases add) against the organ's regeneration.

Organs graded (explicit observation models, worst treatment-emergent grade since
enrolment: a grade counts where it is above the organ's at enrolment):

- colitis/diarrhoea from the gut infiltrate and the T cells' epithelial injury (stool
  excess over baseline, CTCAE diarrhoea: G1 < 4, G2 4-6, G3 >= 7 a day; G4
  life-threatening, read as mucosal function below 50%);
- hypothyroidism from the thyroid mass through the HPT axis of
  :mod:`immunetwin.diseases.thyroiditis` (G1 TSH above the reference with normal
  free T4 and TSH <= 10; G2 replacement indicated: TSH > 10 or free T4 low; G3 severe:
  free T4 < 5 pmol/L, counted only when a visit first finds it there, as replacement
  starts at G2; G4 myxoedema coma is not modelled);
- dermatitis (maculopapular rash) from the skin infiltrate and epithelial injury as
  body surface area (G1 < 10%, G2 10-30%, G3 > 30%; G4 is SJS/TEN, not modelled);
- hepatitis (ALT increased) from the hepatocyte loss the liver's immune damage causes:
  ALT above the patient's own baseline from the released enzyme (G1 > ULN-3 x ULN,
  G2 3-5 x, G3 5-20 x, G4 > 20 x ULN);
- pneumonitis from the lung infiltrate and epithelial injury as the share of lung
  parenchyma involved (ASCO 2018 grading: G1 < 25%, G2 25-50%, G3 > 50%; G4
  life-threatening respiratory compromise, read as lung function below 50%).

The liver and lung are optional organs of the shared model (``extra_organs``), and
organ exhaustion an optional module (``organ_exhaustion``): only these diseases add
them.

Not modelled: hypophysitis, myocarditis,
nephritis, arthritis and diabetes grading; grade 5 (death) for every organ (the model
has no death); the hyperthyroid (destructive) phase of thyroiditis; fatigue, pruritus
and other treatment-related events that are not immune-mediated organ injury.
"""

from __future__ import annotations

import dataclasses
import math
from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogitNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases.crohns import STOOLS_MAX, gut_burden
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.diseases.thyroiditis import FT4_LOW, TSH_HIGH, TSH_OVERT, thyroid_labs
from immunetwin.engine import Schedule, StateChange
from immunetwin.immune import DEFECTS, ORGAN_SPECS
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = [
    "IRAE",
    "MELANOMA_ICI",
    "colitis_grade",
    "dermatitis_grade",
    "hepatitis_grade",
    "hypothyroidism_grade",
    "irae_readouts",
    "lung_involvement_percent",
    "pneumonitis_grade",
    "rash_bsa_percent",
    "serum_alt",
]

OUTPUTS = (
    "gut_inflammation",
    "gut_function",
    "gut_damage_rate",
    "thyroid_function",
    "skin_inflammation",
    "skin_function",
    "skin_damage_rate",
    "liver_damage_rate",
    "liver_function",
    "lung_inflammation",
    "lung_function",
    "lung_damage_rate",
    "lab_crp",
)

# Colitis: stool excess over the patient's baseline from the gut burden (the Crohn's
# diary model, crohns.STOOLS_MAX stools/day at full burden).
COLITIS_G4_FUNCTION = 50.0  # % gut function below which colitis is life-threatening
# (assumption: loss of half the mucosa stands for perforation/toxic megacolon risk)
STOOL_OBSERVER_SD = 1.0  # stools/day: day-to-day variation of the patient's count
# Dermatitis: BSA involved = 100 * skin burden (excess infiltrate / (excess + half)).
SKIN_HALF_CELLS = 300.0  # cells/uL (calibrated: the model's florid skin infiltrate of
# ~200 cells/uL above health reads ~40% BSA, a grade-3 rash)
BSA_OBSERVER_SD = 3.0  # percentage points: examiners' BSA estimates differ by a few %
# Epithelial injury by organ-reactive T cells (CD8 cytotoxicity of colonocytes and
# keratinocytes, the lesion of checkpoint-inhibitor colitis and lichenoid/interface
# dermatitis) makes diarrhoea and rash before any myeloid infiltrate: the burden of an
# organ is 1 - (1 - infiltrate burden) * (1 - injury burden), the injury burden
# loss / (loss + half), with loss the immune loss of parenchyma (fraction of the organ
# per day). The halves are calibrated to nivolumab's treatment-related diarrhoea and
# rash, 13% each in 576 patients (Weber et al. J Clin Oncol 2017;35:785): 1,200 virtual
# patients a year on PD-1 blockade (seeds 51, 7, 3) read colitis 12.7% and rash 13.0% any
# grade (infiltrate alone: 8.6% and 6.6%, every colitis grade 4). Grade >= 3 stays far
# above the published 1-2% (8.7% and 6.8%): the organs that are attacked are destroyed.
GUT_INJURY_HALF = 0.006  # fraction of the mucosa lost per day at half-maximal diarrhoea
SKIN_INJURY_HALF = 0.045  # fraction of the skin lost per day at half-maximal rash
# Pneumonitis on checkpoint inhibitors is a lymphocytic interstitial pneumonitis: the lung
# reads the same combination (half calibrated with the lung's precursor frequency,
# immune/tissue.py: 2.75% any grade, 0.83% grade >= 3 vs 2.7% and 0.8%).
LUNG_INJURY_HALF = 0.009  # fraction of the lung lost per day at half-maximal involvement
FT4_SEVERE = 5.0  # pmol/L: severe hypothyroidism (grade 3; assumption)
# Monitored care: thyroid tests at every visit, and levothyroxine once replacement is
# indicated (CTCAE grade 2; Brahmer et al. J Clin Oncol 2018;36:1714, ASCO irAE
# guideline), so a destroyed gland reads grade 3 only if a visit first finds it there.
# Grade >= 3 hypothyroidism is rare on checkpoint inhibitors (Barroso-Sousa et al. JAMA
# Oncol 2018;4:173). The model gives no levothyroxine: TSH and free T4 stay the gland's.
REPLACEMENT_GRADE = 2
# Pre-existing thyroid autoimmunity (anti-TPO or anti-thyroglobulin antibodies): the
# thyroid-reactive precursor frequency it multiplies. Calibrated to the smouldering
# thyroiditis of antibody-positive adults: after the history, TSH is raised in 28% of
# them at entry (60 patients, seed 52; about a quarter, Hollowell et al. JCEM 2002, as
# the thyroiditis disease's calibration). Precursors act through priming, which PD-1
# does not brake in the model, so they set prevalent disease rather than the risk
# under blockade (see IRAE's covariates for what that misses).
THYROID_ANTIBODY_PRECURSOR_FACTOR = 300.0
# Susceptibility of each organ in a cancer population: the avidity of the person's
# organ-reactive repertoire as a share of the thymic deletion threshold, logit-normal
# (bounded by the threshold: clones above it are deleted, so no one's repertoire can
# exceed it). The model's reference repertoire sits at 0.87 (immune/tissue.py); an
# unselected population mostly below it. With one value for everyone, each drug's shift
# was large against the spread and the organ loops tipped all or none: nivolumab plus
# ipilimumab destroyed livers and lungs in tens of per cent (docs/diseases/irae.md).
# Medians calibrated per organ to the PD-1 incidences below; the log-odds SD to
# CheckMate-067's nivolumab and combination arms' grade >= 3 shares together with no
# untreated organ tipping.
REPERTOIRE_AVIDITY_MEDIAN = MappingProxyType(
    {"gut": 0.93, "thyroid": 0.95, "skin": 0.9, "liver": 0.8, "lung": 0.77}
)
REPERTOIRE_AVIDITY_LOGIT_SD = 1.5
# Exhaustion of organ-reactive effectors under chronic organ antigen (immune/tissue.py):
# without it every organ loop that tipped destroyed its organ (70% of patients with an
# irAE on PD-1 blockade had grade >= 3). Calibrated with the shared half-saturation
# (10 cells/uL: 5 left too few thyroids failing, 20 brought severe colitis back) to the
# grade split of nivolumab's organ events (grade 3-4 a small share
# of each: diarrhoea/colitis ~1-2% of 13%, rash < 1% of 13%, ALT 1.5% of 6%,
# pneumonitis 0.8% of 2.7%); 0.05 /day left it as before, 1 /day (half-saturation 3
# cells/uL) left no grade >= 3 at all.
ORGAN_EXHAUSTION_RATE = 0.6
# The thyroid's effectors exhaust at a share of the shared rate: with the shared rate
# a gland under attack was contained like the fast-regenerating gut and skin, and
# hypothyroidism on PD-1 blockade read 3.3% (published ~8%: CheckMate-067 nivolumab
# 8.6%, Larkin et al. NEJM 2015; anti-PD-1 7.0%, Barroso-Sousa et al. JAMA Oncol 2018),
# antibody-positive patients 12.7% against 1.8% (Kimbara: 40 vs 7%). Checkpoint-
# inhibitor thyroiditis is destructive, running from thyrotoxicosis to hypothyroidism
# within 4-6 weeks of onset (Iyer et al. J Immunother Cancer 2018;6:67), faster than
# exhaustion curbs the attack. Calibrated on 1,200 patients (seed 51): 1 gave 3.3%,
# 0.7 7.1%, 0.6 9.2% (antibodies 23.1 vs 6.8%), 0.5 11.1%, 0.25 16.8%; untreated
# antibody-positive glands at 0.6: 1.7% hypothyroid in a year (2-4% published). 0.65
# reads 8.2% and 7.2% (seeds 51 and 7) and 8.0% on the held-out cohort (seed 19).
THYROID_EXHAUSTION_FACTOR = 0.65

# Untreated history before the first dose (the model starts in health): a year. A
# patient with thyroid autoimmunity carries a smouldering thyroiditis whose gland
# settles within the first year from health (hypothyroidism, mostly subclinical, in 30%
# of antibody-positive patients in year 1, then 0.7% a year in years 2 and 3; 200
# patients, seed 19); entering at day 0 counted that settling as irAEs of the first
# year on treatment, and without blockade as 26% of them hypothyroid within a year.
HISTORY_DAYS = 365.0

# Hepatitis: serum ALT (U/L) from hepatocyte loss. ALT = the patient's baseline +
# ALT_RELEASE_SHARE * ALT_PER_LIVER_LOSS * (fraction of the liver lost per day), the
# steady state of release into plasma against first-order clearance (ALT's half-life is
# ~2 days, so it follows the loss within days: faster than the weekly grading sees).
ALT_ULN = 40.0  # U/L: upper limit of normal (common laboratory reference)
ALT_HEALTHY_MEDIAN = 20.0  # U/L (healthy adults ~10-40 U/L; Dufour et al. Clin Chem
# 2000;46:2027)
ALT_BETWEEN_PERSON_SD = 0.3  # log-scale SD of baseline ALT between persons (healthy
# reference interval ~2.5-fold wide: 10-40 U/L)
ALT_WITHIN_PERSON_CV = 0.2  # day-to-day biological variation of ALT (~20%, Ricos et al.
# Scand J Clin Lab Invest 1999;59:491, desirable-specification database)
ALT_LIVER_TO_SERUM = 3000.0  # liver ALT activity ~3000 times serum (Dufour et al. 2000)
ALT_HALF_LIFE_DAYS = 47.0 / 24.0  # 47 +- 10 h (Dufour et al. 2000)
PLASMA_LITRES = 3.0  # plasma volume of a ~70 kg adult (ICRP 89: blood 3.9-5.3 L, haematocrit ~0.42)
# U/L of serum ALT per unit fraction of the liver lost per day, if every lost hepatocyte
# released all its ALT into plasma: the liver's content over the plasma's clearance.
ALT_PER_LIVER_LOSS = (
    ALT_LIVER_TO_SERUM
    * ALT_HEALTHY_MEDIAN
    * ORGAN_SPECS["liver"].volume_litres
    / (math.log(2.0) / ALT_HALF_LIFE_DAYS * PLASMA_LITRES)
)
# Share of a lost hepatocyte's ALT that reaches the plasma (calibrated with the liver's
# precursor frequency, immune/tissue.py: any-grade ALT increase 6.1% vs 6.0% on anti-PD-1,
# Front Oncol 2021;11:650292; 1.0 gave 8.7%, 0.5 5.1%). Below 1 is expected: cells
# killed by apoptosis release less of their enzyme than necrotic ones.
ALT_RELEASE_SHARE = 0.6
# Pneumonitis: share of the lung involved (CT), from the infiltrate as for the skin.
LUNG_HALF_CELLS = SKIN_HALF_CELLS  # cells/uL (assumption: the skin's florid scale)
LUNG_READER_SD = 3.0  # percentage points between radiologists (assumption, as BSA)
# Smallest involvement a CT reads as pneumonitis: about one of the 19 bronchopulmonary
# segments (5%; assumption).
PNEUMONITIS_DETECTABLE_PERCENT = 5.0
PNEUMONITIS_G4_FUNCTION = 50.0  # % lung function below which it is life-threatening
# (assumption, as colitis)
# Seed-sequence keys of the patient's baseline ALT and of the observer offsets (stools,
# BSA, TSH, free T4, ALT's day-to-day factor, the CT reader): keyed generators, fixed
# for the patient, so every visit re-reads the history with the same offsets and a
# grade recorded at one visit is never lost at a later one (trials record an adverse
# event when it happens).
ALT_TRAIT_KEY = 0x11B7
OBSERVER_KEY = 0x11B8


def injury_burden(loss_per_day: float, half: float) -> float:
    """Share (0-1) of maximal symptoms from epithelial loss (fraction of the organ a day)."""
    loss = max(0.0, loss_per_day)
    return loss / (loss + half)


def combined_burden(infiltrate: float, injury: float) -> float:
    """Burden of an organ from its infiltrate and its epithelial injury (each 0-1)."""
    return 1.0 - (1.0 - infiltrate) * (1.0 - injury)


def colitis_grade(
    gut_inflammation: float, gut_function: float, z: float, gut_loss: float = 0.0
) -> int:
    """CTCAE v5.0 diarrhoea/colitis grade (0-4) from the gut state.

    Args:
        gut_inflammation: The model state ``gut_inflammation`` (cells/uL).
        gut_function: The model output ``gut_function`` (%).
        z: Standard normal of the stool count.
        gut_loss: Immune loss of mucosa (fraction of the gut per day).
    """
    if gut_function < COLITIS_G4_FUNCTION:
        return 4
    burden = combined_burden(gut_burden(gut_inflammation), injury_burden(gut_loss, GUT_INJURY_HALF))
    excess = STOOLS_MAX * burden
    stools = excess + STOOL_OBSERVER_SD * math.sqrt(burden) * z
    if stools >= 7.0:
        return 3
    if stools >= 4.0:
        return 2
    if stools >= 1.0:
        return 1
    return 0


def hypothyroidism_grade(tsh: float, ft4: float) -> int:
    """CTCAE v5.0 hypothyroidism grade (0-3) from TSH (mIU/L) and free T4 (pmol/L)."""
    if ft4 < FT4_SEVERE:
        return 3
    if tsh > TSH_OVERT or ft4 < FT4_LOW:
        return 2
    if tsh > TSH_HIGH:
        return 1
    return 0


def rash_bsa_percent(skin_inflammation: float, z: float, skin_loss: float = 0.0) -> float:
    """Body surface area (%) with rash from the skin infiltrate (cells/uL) and injury.

    ``skin_loss`` is the immune loss of skin (fraction of the skin per day).
    """
    excess = max(0.0, skin_inflammation - HEALTHY_STEADY_STATE["skin_inflammation"])
    burden = combined_burden(
        excess / (excess + SKIN_HALF_CELLS), injury_burden(skin_loss, SKIN_INJURY_HALF)
    )
    return float(np.clip(100.0 * burden + BSA_OBSERVER_SD * math.sqrt(burden) * z, 0.0, 100.0))


def dermatitis_grade(bsa_percent: float) -> int:
    """CTCAE v5.0 maculopapular rash grade (0-3) from the involved BSA (%)."""
    if bsa_percent > 30.0:
        return 3
    if bsa_percent >= 10.0:
        return 2
    if bsa_percent >= 1.0:
        return 1
    return 0


def serum_alt(liver_loss_per_day: float, baseline: float, z: float) -> float:
    """Serum ALT (U/L): the patient's baseline plus the enzyme released by hepatocyte loss.

    Args:
        liver_loss_per_day: Immune loss of liver parenchyma (fraction of the normal liver
            per day: ``liver_damage_rate * liver_function / 100``).
        baseline: The patient's healthy ALT (U/L).
        z: Standard normal of the day-to-day variation.
    """
    released = ALT_RELEASE_SHARE * ALT_PER_LIVER_LOSS * max(0.0, liver_loss_per_day)
    return float((baseline + released) * math.exp(ALT_WITHIN_PERSON_CV * z))


def hepatitis_grade(alt: float, baseline: float) -> int:
    """CTCAE v5.0 ALT-increased grade (0-4) from ALT and the patient's baseline (U/L).

    A normal baseline is graded against the ULN (G1 > ULN-3 x, G2 > 3-5 x, G3 > 5-20 x,
    G4 > 20 x ULN); an abnormal one against itself (G1 1.5-3 x baseline, then as above).
    """
    if baseline > ALT_ULN:
        fold = alt / baseline
        if fold <= 1.5:
            return 0
    else:
        fold = alt / ALT_ULN
        if fold <= 1.0:
            return 0
    if fold > 20.0:
        return 4
    if fold > 5.0:
        return 3
    if fold > 3.0:
        return 2
    return 1


def lung_involvement_percent(lung_inflammation: float, z: float, lung_loss: float = 0.0) -> float:
    """Share of lung parenchyma involved (%) from the lung infiltrate (cells/uL) and injury.

    ``lung_loss`` is the immune loss of lung (fraction of the lung per day), combined
    with the infiltrate as for the gut and skin.
    """
    excess = max(0.0, lung_inflammation - HEALTHY_STEADY_STATE["lung_inflammation"])
    burden = combined_burden(
        excess / (excess + LUNG_HALF_CELLS), injury_burden(lung_loss, LUNG_INJURY_HALF)
    )
    return float(np.clip(100.0 * burden + LUNG_READER_SD * math.sqrt(burden) * z, 0.0, 100.0))


def pneumonitis_grade(involved_percent: float, lung_function: float) -> int:
    """Pneumonitis grade (0-4): ASCO 2018 extent of lung involved, G4 lung function < 50%."""
    if lung_function < PNEUMONITIS_G4_FUNCTION:
        return 4
    if involved_percent > 50.0:
        return 3
    if involved_percent >= 25.0:
        return 2
    if involved_percent >= PNEUMONITIS_DETECTABLE_PERCENT:
        return 1
    return 0


def irae_readouts(
    trajectory: pd.DataFrame, rng: np.random.Generator, enrolment_day: float = 0.0
) -> dict[str, float]:
    """Worst CTCAE grade per organ since enrolment, any-grade and grade >= 3, first day.

    Events are treatment-emergent, as trials count adverse events: the rows from the
    enrolment day (the first dose) on are graded, and an organ's grade counts only
    where it is above the organ's grade at enrolment (a gland already failing before
    the first dose, as in some patients with thyroid autoimmunity, is not an irAE
    until it fails further). Every output row is graded with the patient's observer
    offsets (one standard normal each for stools, BSA, TSH, free T4, ALT's day-to-day
    factor and the CT reader, and the TSH set-point and baseline-ALT traits). They
    come from keyed generators fixed for the patient, not from ``rng`` (which is not
    advanced): every visit re-reads the history with the same offsets, so the worst
    grade never falls from one visit to the next, and the draws do not depend on the
    history's length.

    Args:
        trajectory: One patient's outputs (rows: days on the model's timeline, up to
            the visit). ``trajectory.attrs["enrolment_day"]``, where set (the trial
            engine sets it), overrides ``enrolment_day``.
        rng: The patient's observation generator.
        enrolment_day: Day of the first dose on the model's timeline; a visit before
            it reads no events.
    """
    z = obs.patient_normals(rng, OBSERVER_KEY, 6)
    (z_set,) = obs.patient_traits(rng, 1)
    enrolment = float(trajectory.attrs.get("enrolment_day", enrolment_day))
    every_time = np.asarray(trajectory.index, dtype=float)
    # The enrolment row (the first at or after the enrolment day; the last row for a
    # visit before it, which then reads nothing new) and the rows after it.
    first_row = int(np.searchsorted(every_time, enrolment - 1e-9))
    trajectory = trajectory.iloc[min(first_row, len(every_time) - 1) :]
    times = np.asarray(trajectory.index, dtype=float)
    alt_baseline = ALT_HEALTHY_MEDIAN * math.exp(
        ALT_BETWEEN_PERSON_SD * obs.reading_normal(rng, ALT_TRAIT_KEY, 0.0)
    )
    z_alt, z_lung = float(z[4]), float(z[5])
    worst = {
        "colitis": 0,
        "hypothyroidism": 0,
        "dermatitis": 0,
        "hepatitis": 0,
        "pneumonitis": 0,
    }
    first: dict[str, float] = {k: math.nan for k in worst}
    current = dict.fromkeys(worst, 0)
    bsa_last = lung_last = 0.0
    tsh_last = ft4_last = alt_last = math.nan
    columns = {
        name: trajectory[name].to_numpy(dtype=float) for name in OUTPUTS if name != "lab_crp"
    }
    liver_loss = columns["liver_damage_rate"] * columns["liver_function"] / 100.0
    gut_loss = columns["gut_damage_rate"] * columns["gut_function"] / 100.0
    skin_loss = columns["skin_damage_rate"] * columns["skin_function"] / 100.0
    lung_loss = columns["lung_damage_rate"] * columns["lung_function"] / 100.0
    # Graded against the first (pre-treatment) reading: an ALT above the ULN before the
    # first dose is the patient's abnormal baseline, not an adverse event.
    alt_first = serum_alt(float(liver_loss[0]), alt_baseline, z_alt)
    at_enrolment: dict[str, int] | None = None
    for i, time in enumerate(times):
        tsh, ft4 = thyroid_labs(float(columns["thyroid_function"][i]), float(z_set), z[2], z[3])
        bsa = rash_bsa_percent(
            float(columns["skin_inflammation"][i]), float(z[1]), float(skin_loss[i])
        )
        alt = serum_alt(float(liver_loss[i]), alt_baseline, z_alt)
        lung = lung_involvement_percent(
            float(columns["lung_inflammation"][i]), z_lung, float(lung_loss[i])
        )
        grades = {
            "colitis": colitis_grade(
                float(columns["gut_inflammation"][i]),
                float(columns["gut_function"][i]),
                float(z[0]),
                float(gut_loss[i]),
            ),
            "hypothyroidism": hypothyroidism_grade(tsh, ft4),
            "dermatitis": dermatitis_grade(bsa),
            "hepatitis": hepatitis_grade(alt, alt_first),
            "pneumonitis": pneumonitis_grade(lung, float(columns["lung_function"][i])),
        }
        if at_enrolment is None:
            at_enrolment = dict(grades)
        # Treatment-emergent: a grade counts where it is above the organ's at enrolment.
        grades = {o: g if g > at_enrolment[o] else 0 for o, g in grades.items()}
        if worst["hypothyroidism"] >= REPLACEMENT_GRADE:
            # On levothyroxine since a visit found replacement indicated: the hormone
            # deficiency is corrected, whatever the gland does next.
            grades["hypothyroidism"] = min(grades["hypothyroidism"], REPLACEMENT_GRADE)
        for organ, grade in grades.items():
            worst[organ] = max(worst[organ], grade)
            if grade >= 1 and math.isnan(first[organ]):
                first[organ] = float(time)
        bsa_last, tsh_last, ft4_last, alt_last, lung_last = bsa, tsh, ft4, alt, lung
        current = grades
    firsts = [d for d in first.values() if not math.isnan(d)]
    out: dict[str, float] = {f"{organ}_grade": grade for organ, grade in worst.items()}
    # The grade at the visit itself (the last row), for rules that act on what a visit
    # shows now (a recurrence after a steroid course) rather than on the worst so far.
    out.update({f"{organ}_grade_now": grade for organ, grade in current.items()})
    out.update({f"{organ}_first_day": day for organ, day in first.items()})
    out.update(
        {
            "rash_bsa_percent": bsa_last,
            "tsh": tsh_last,
            "ft4": ft4_last,
            "alt": alt_last,
            "lung_involved_percent": lung_last,
            "liver_function": float(trajectory["liver_function"].iloc[-1]),
            "lung_function": float(trajectory["lung_function"].iloc[-1]),
            "gut_function": float(trajectory["gut_function"].iloc[-1]),
            "irae_any_grade": bool(max(worst.values()) >= 1),
            "irae_grade3plus": bool(max(worst.values()) >= 3),
            "first_irae_day": min(firsts) if firsts else math.nan,
            "irae_max_grade": max(worst.values()),
            "has_disease": bool(max(worst.values()) >= 1),
        }
    )
    return out


_PD1 = float(DEFECTS["pd1_blockade"].changes["pd1_strength"])
_AVIDITY = tuple(
    ParameterChange(
        f"{organ}_repertoire_avidity",
        median,
        LogitNormal(REPERTOIRE_AVIDITY_LOGIT_SD),
        "calibrated: median to the organ's incidence on anti-PD-1 (diarrhoea and rash 13%, "
        "Weber et al. J Clin Oncol 2017; ALT 6.0%, Front Oncol 2021;11:650292; "
        "pneumonitis 2.7%, Nishino et al. JAMA Oncol 2016); spread to CheckMate-067 "
        "(Larkin et al. NEJM 2015) with no severe irAE without blockade",
        f"An unselected population's {organ}-reactive repertoires, bounded by the thymic "
        "deletion threshold: susceptibility differs widely between people.",
    )
    for organ, median in REPERTOIRE_AVIDITY_MEDIAN.items()
)
_EXHAUSTION = ParameterChange(
    "organ_exhaustion_rate",
    ORGAN_EXHAUSTION_RATE,
    None,
    "calibrated: the grade split of nivolumab's organ events (grade 3-4 a small share of "
    "each: Weber et al. J Clin Oncol 2017; Front Oncol 2021;11:650292; Nishino et al. "
    "JAMA Oncol 2016)",
    "Chronic stimulation by organ antigen exhausts organ-reactive effectors, a "
    "programme PD-1 blockade does not undo (Pauken et al. Science 2016): most irAEs "
    "stay grade 1-2.",
)
_THYROID_EXHAUSTION = ParameterChange(
    "thyroid_exhaustion_factor",
    THYROID_EXHAUSTION_FACTOR,
    None,
    "calibrated: hypothyroidism on PD-1 blockade ~8% (CheckMate-067 nivolumab 8.6%, "
    "Larkin et al. NEJM 2015; anti-PD-1 7.0%, Barroso-Sousa et al. JAMA Oncol 2018)",
    "Thyroid-reactive effectors exhaust more slowly than the shared rate: "
    "checkpoint-inhibitor thyroiditis destroys the gland within weeks of onset (Iyer "
    "et al. J Immunother Cancer 2018), before exhaustion curbs the attack.",
)
_SUSCEPTIBILITY = (*_AVIDITY, _EXHAUSTION, _THYROID_EXHAUSTION)


def _nivolumab_from_enrolment(
    patient: int, rng: np.random.Generator, start: float, days: float
) -> Schedule:
    """IRAE's built-in PD-1 blockade: pd1_strength at nivolumab's level from enrolment on.

    Continuous, as nivolumab 3 mg/kg every 2 weeks saturates PD-1 between doses; a
    window that starts after the enrolment day starts blocked. The day is the
    disease's own (:data:`HISTORY_DAYS`): a trial that screens after a different
    history should use ``melanoma_ici`` with a nivolumab regimen, which starts at its
    enrolment day.
    """
    at = max(start, HISTORY_DAYS)
    if at > start + days:
        return Schedule(())
    return Schedule((StateChange(at, "pd1_strength", "set", _PD1),))


def _readouts_from_enrolment(
    trajectory: pd.DataFrame, rng: np.random.Generator
) -> dict[str, float]:
    """:func:`irae_readouts` with these diseases' enrolment day (after the history)."""
    return irae_readouts(trajectory, rng, HISTORY_DAYS)


IRAE = Disease(
    name="irae",
    description="Immune-related adverse events in a cancer patient on nivolumab (anti-PD-1): "
    "colitis, thyroiditis, dermatitis, hepatitis and pneumonitis graded by CTCAE.",
    mechanism=(
        "PD-1 on organ-reactive T cells normally brakes their expansion where the tissue "
        "expresses PD-L1. Blocking it lets the organ-reactive T cells that each person "
        "carries expand; in the susceptible fraction (many precursors, little PD-L1) the "
        "loop of damage, antigen release and expansion takes off within weeks to months "
        "and an organ is inflamed or destroyed: colitis, thyroiditis (then "
        "hypothyroidism), dermatitis, hepatitis, pneumonitis (the liver and lung are "
        "optional organs of the shared model, added by this disease). Susceptibility "
        "is individual: the avidity of each person's organ-reactive repertoire (bounded "
        "by thymic deletion, widely spread in an unselected population), the sampled "
        "precursor frequencies and PD-L1 expression."
    ),
    changes=_SUSCEPTIBILITY,
    target_organs=("gut", "thyroid", "skin", "liver", "lung"),
    extra_organs=("liver", "lung"),
    organ_exhaustion=True,
    covariates=(
        Covariate(
            "thyroid_autoimmunity",
            MappingProxyType({"antibodies": THYROID_ANTIBODY_PRECURSOR_FACTOR, "none": 1.0}),
            "thyroid_precursor_frequency",
            "anti-thyroid antibodies before treatment raise the risk of checkpoint-inhibitor "
            "thyroiditis several-fold",
            "thyroid dysfunction on nivolumab in 40% of patients with anti-thyroid "
            "antibodies at baseline against 7% without (Kimbara et al.: 168 patients, 21% "
            "antibody-positive, about three quarters of the dysfunction hypothyroid); "
            "destructive thyroiditis 50% against 1.7% (Kobayashi et al.); prevalence: "
            "TPO antibodies in 13% of US adults (Hollowell et al.). In the model x300 "
            "thyroid-reactive precursors (above the thyroiditis disease's 150x), "
            "calibrated to the raised TSH of about a quarter of antibody-positive adults "
            "(28% at entry after the history). Treatment-emergent hypothyroidism in a "
            "year on PD-1 blockade: 20% against 6.7% without antibodies (60 patients "
            "each, seed 52; 1,200 patients, seeds 51 and 7: 17.6% of the antibody-"
            "positive against 6.1%) since the thyroid's own exhaustion factor "
            "(2026-12-08; 6.7% against 1.7% before); without blockade 0-1.7% (2-4% a "
            "year published, Vanderpump et al.). The effect's direction holds, its size "
            "is a miss (Kimbara's 40% vs 7%): until 2026-12-07 patients entered at day "
            "0 in health and the "
            "antibody-positive glands' first-year settling (30%, untreated too) was "
            "counted as irAEs, which read 32.5% against 7.5%",
            "Kimbara et al. Cancer Sci 2018;109:3583; Kobayashi et al. J Endocr Soc "
            "2018;2:241; Hollowell et al. JCEM 2002;87:489; Vanderpump et al. Clin "
            "Endocrinol 1995;43:55",
            prevalence=MappingProxyType({"antibodies": 0.13, "none": 0.87}),
        ),
        Covariate(
            "sex",
            MappingProxyType({}),
            None,
            "no consistent difference in irAE risk",
            "not modelled: meta-analyses find no consistent sex effect",
            "Jing et al. Nat Commun 2022 (pooled analyses)",
            modelled=False,
        ),
        Covariate(
            "age",
            MappingProxyType({}),
            None,
            "no consistent difference",
            "not modelled: irAE rates similar in older patients",
            "Jing et al. Nat Commun 2022",
            modelled=False,
        ),
        Covariate(
            "preexisting_autoimmunity",
            MappingProxyType({}),
            None,
            "flares and more irAEs",
            "not modelled: flare or new irAE in ~40-70% of patients with pre-existing "
            "autoimmune disease (trials excluded them)",
            "Abdel-Wahab et al. Ann Intern Med 2018;168:121",
            modelled=False,
        ),
    ),
    demographics=Demographics(
        female_fraction=0.35,
        age_mean=60.0,
        age_sd=13.0,
        age_range=(18.0, 90.0),
        source="CheckMate-067 baseline: median age ~60 years, ~35-40% women (Larkin et al. "
        "NEJM 2015; approximate)",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(_readouts_from_enrolment),
    # Nivolumab from the enrolment day: pd1_strength 0.1 = immune.DEFECTS['pd1_blockade']
    # = nivolumab Emax 0.9 in drugs/pd.py, saturated at 3 mg/kg every 2 weeks (PD-1
    # occupancy plateaus at >= 0.3 mg/kg, Brahmer et al. J Clin Oncol 2010;28:3167).
    triggers=_nivolumab_from_enrolment,
    # Symptomatic events are reported when they happen, not only at visits: the trial
    # engine's outputs every 4 weeks missed attacks that rose and settled between them.
    # Weekly, as the calibration populations (diseases.population) are graded.
    output_step_days=7.0,
    # The history and a year of treatment.
    follow_up_days=HISTORY_DAYS + 365.0,
    history_days=HISTORY_DAYS,
    course_from_enrolment=True,
)


# The same patient without built-in blockade: checkpoint inhibitors come from the trial's
# regimens (nivolumab on pd1_strength, ipilimumab on ctla4_strength, drugs/pd.py), so a
# trial can compare drugs, doses and combinations.
MELANOMA_ICI = dataclasses.replace(
    IRAE,
    name="melanoma_ici",
    description="A patient with advanced melanoma starting checkpoint-inhibitor therapy: "
    "immune-related adverse events come from the regimens given (no blockade built in).",
    triggers=None,
)
