"""Relapsing-remitting multiple sclerosis on the shared immune model.

The immune model is deterministic; relapses need a stochastic trigger. Each patient
has a schedule of peripheral activation events (:func:`ms_trigger_schedule`): at
Poisson times, a burst of activated myelin-reactive T cells joins the model's
``cns_effector_t`` pool (bystander activation by infections, molecular mimicry).
The model turns each burst into CNS injury (effector T-cell damage, infiltrate
recruitment, antigen release); the observation model reads a clinical relapse
where the injury of 28 days crosses a threshold, and EDSS from the CNS tissue lost
(chronic) plus recent lesions (acute, resolving over weeks). Tissue is also lost
without relapses, at a steady per-patient rate (``cns_degeneration_rate``:
neurodegeneration behind a closed blood-brain barrier), which the relapse readout
leaves out and no entry-blocking drug reaches; ``pira_day`` marks a confirmed
progression with no relapse near it.

Relapse and disability readouts use the trajectory's history, so the trajectory
needs outputs at least every :data:`MAX_OUTPUT_STEP_DAYS` days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from immunetwin.declaration import LogNormal
from immunetwin.diseases import readouts as obs
from immunetwin.diseases._triggers import poisson_bursts
from immunetwin.diseases.declaration import Covariate, Demographics, Disease, ParameterChange
from immunetwin.engine import Schedule
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

__all__ = [
    "CDP_CONFIRMATION_DAYS",
    "ENROLMENT_DAY",
    "MAX_OUTPUT_STEP_DAYS",
    "MS",
    "edss_from_state",
    "make_ms_readouts",
    "ms_responses",
    "ms_trigger_schedule",
    "relapse_onsets",
]

OUTPUTS = (
    "cns_parenchyma",
    "cns_scar",
    "cns_function",
    "cns_inflammation",
    "cns_effector_t",
    "cns_regeneration_rate",
    "cns_degeneration_rate",
)

# -- trigger schedule (calibrated: AFFIRM placebo ARR 0.67 among patients with >=1
# relapse in the year before entry, and 2-year confirmed progression 29%) -------------
# Rate, median, RELAPSE_LOSS_THRESHOLD and EDSS_PER_LOSS were chosen together from a grid
# (2026-12-06; 400 untreated candidates, seed 31, AFFIRM's entry rule): ARR 0.70, CDP 30%,
# baseline EDSS 2.1 (published 2.3), 1.3 relapses in the year before entry. On 2026-12-07
# relapse-independent degeneration was added and the threshold and EDSS_PER_LOSS refitted
# (same candidates, 4 observation seeds): ARR 0.66, CDP 28%, EDSS 2.3, 49% of
# progressions relapse-independent, 1.36 relapses in the prior year, 36% eligible.
TRIGGER_RATE_PER_YEAR = 1.6  # mean activation bursts per patient-year (clinical + silent)
# Between-patient spread of the burst rate: gamma with shape 1.5 (relapse counts are
# overdispersed, negative-binomial shape ~1-2: e.g. Sormani et al. Neurology 2001).
TRIGGER_RATE_SHAPE = 1.5
TRIGGER_SIZE_MEDIAN = 0.1  # cells/uL of activated CNS-reactive effectors added per burst
# Log-normal sigma of the burst size: a wide spread, from silent MRI lesions (most bursts)
# to disabling relapses. Chosen (2026-12-06) with natalizumab: a relapse is a burst whose
# 4-week injury crosses the threshold, and entry blockade scales every burst down. With
# a narrow spread (0.8, until 2026-12-06) few bursts stayed above the threshold once entry
# fell, so AFFIRM's relapse rate moved fourfold with a threefold change of potency and
# the fit needed an EC50 10x above receptor occupancy; at 2.0 the dose response is flat
# enough for the declared potency (docs/calibration.md, natalizumab).
TRIGGER_SIZE_SIGMA = 2.0

# -- observation model --------------------------------------------------------------
MAX_OUTPUT_STEP_DAYS = 7.0  # relapse detection needs at least weekly outputs
RELAPSE_WINDOW_DAYS = 28.0  # injury summed over 4 weeks: one clinical episode
# Relapse threshold (calibrated with the burst rate and sizes to AFFIRM placebo, above;
# 0.5% until degeneration, which leaves less tissue for each burst to injure, was added;
# most bursts stay silent, as new MRI lesions outnumber relapses several-fold; mean
# residual EDSS ~0.3 after a relapse, Lublin et al. Neurology 2003).
RELAPSE_LOSS_THRESHOLD = 0.0045  # fraction of CNS parenchyma lost within the window
RELAPSE_MIN_SEPARATION_DAYS = 30.0  # McDonald: attacks >=30 days apart are separate
# EDSS points per fraction of CNS parenchyma lost (1 point per ~18%; calibrated with the
# relapse-independent degeneration rate, below: AFFIRM baseline EDSS mean 2.3 after ~6
# years, placebo 2-year confirmed progression 29%).
EDSS_PER_LOSS = 5.5
# Acute deficit of a new lesion (oedema, conduction block) resolving over weeks to months
# (relapse recovery mostly within 2-3 months: Lublin et al. 2003).
ACUTE_GAIN = 4.0  # acute EDSS per chronic EDSS of a new lesion, at onset
ACUTE_RECOVERY_DAYS = 30.0  # time constant of recovery from the acute deficit
EDSS_RATER_SD = 0.5  # points: inter-rater SD of EDSS (Noseworthy et al. Neurology 1990)
# Seed-sequence key of the EDSS rater's noise, one reading per assessment day (keyed
# generators: every visit re-scores a past assessment as it was scored then).
EDSS_KEY = 0xED55
# 12-week confirmed disability progression (AFFIRM, Polman et al. NEJM 2006): >=1.0
# point from a baseline >=1.0, or >=1.5 from 0, sustained for 12 weeks; EDSS assessed
# every 12 weeks from enrolment.
CDP_CONFIRMATION_DAYS = 84.0
CDP_STEP = 1.0
CDP_STEP_FROM_ZERO = 1.5
# Progression independent of relapse activity (PIRA): a confirmed progression with no
# relapse onset from 90 days before the worsening assessment to its confirmation
# (Lublin et al. Brain 2022: worsening separated by >=90 days from a relapse; the
# other definitions differ in the windows, Kappos et al. JAMA Neurol 2020).
PIRA_RELAPSE_FREE_DAYS = 90.0
ENROLMENT_DAY = 6 * 365.0  # AFFIRM: mean disease duration ~5-6 years at entry

_HEALTHY_CNS = HEALTHY_STEADY_STATE["cns_parenchyma"]


def ms_trigger_schedule(
    patient_id: int, rng: np.random.Generator, start_day: float, days: float
) -> Schedule:
    """A patient's peripheral activation bursts of myelin-reactive T cells.

    The patient's burst rate is gamma-distributed around :data:`TRIGGER_RATE_PER_YEAR`
    (shape :data:`TRIGGER_RATE_SHAPE`); bursts come at Poisson times in
    ``[start_day, start_day + days)`` and add a log-normal number of activated effectors
    (cells/uL) to ``cns_effector_t``. Call it once per patient for the whole simulated
    time (history and trial) with the patient's schedule generator: the rate is drawn
    first, so two calls give two different patients. Both arms of a trial see the
    same bursts (common random numbers).

    Args:
        patient_id: The patient (kept for the engine's ``(patient_id, rng)`` signature).
        rng: The patient's schedule generator.
        start_day: First day of the window (model timeline, days).
        days: Length of the window (days).

    Returns:
        The schedule of ``add`` changes to ``cns_effector_t``.
    """
    del patient_id  # the generator already belongs to the patient
    return poisson_bursts(
        rng,
        start_day,
        days,
        target="cns_effector_t",
        rate_per_year=TRIGGER_RATE_PER_YEAR,
        rate_shape=TRIGGER_RATE_SHAPE,
        size_median=TRIGGER_SIZE_MEDIAN,
        size_sigma=TRIGGER_SIZE_SIGMA,
    )


def _times(trajectory: pd.DataFrame) -> np.ndarray:
    if "time" in trajectory.columns:
        return trajectory["time"].to_numpy(dtype=float)
    return trajectory.index.to_numpy(dtype=float)


def _injury(trajectory: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Output times and CNS parenchyma lost in each output interval (first: 0).

    The loss of an interval is the fall of the parenchyma plus what regeneration
    restored meanwhile (it restores what was lost, less the tissue lost for good to
    degeneration, ``cns_scar``), less what relapse-independent degeneration took
    (trapezoid rule): the immune damage flux integrated. Degeneration is slow and
    steady; counted as injury it would add to every 4-week window and read as relapses.
    """
    t = _times(trajectory)
    if len(t) > 1 and np.max(np.diff(t)) > MAX_OUTPUT_STEP_DAYS + 1e-9:
        raise ValueError(
            f"MS readouts need outputs at least every {MAX_OUTPUT_STEP_DAYS:g} days "
            f"(largest step here {np.max(np.diff(t)):g} days)"
        )
    p = trajectory["cns_parenchyma"].to_numpy(dtype=float)
    lost = 1.0 - p - trajectory["cns_scar"].to_numpy(dtype=float)  # what can regenerate
    r = trajectory["cns_regeneration_rate"].to_numpy(dtype=float)
    d = trajectory["cns_degeneration_rate"].to_numpy(dtype=float)
    loss = np.zeros_like(p)
    if len(t) > 1:
        dt = np.diff(t)
        regrowth = 0.5 * dt * (r[1:] * lost[1:] + r[:-1] * lost[:-1])
        degeneration = 0.5 * dt * (d[1:] * p[1:] + d[:-1] * p[:-1])
        loss[1:] = np.maximum(0.0, p[:-1] - p[1:] + regrowth - degeneration)
    return t, loss


def relapse_onsets(trajectory: pd.DataFrame) -> np.ndarray:
    """Days (model timeline) of clinical relapse onsets in a trajectory.

    An onset is an output time where the CNS injury of the last
    :data:`RELAPSE_WINDOW_DAYS` reaches :data:`RELAPSE_LOSS_THRESHOLD`, at least
    :data:`RELAPSE_MIN_SEPARATION_DAYS` after the previous onset and after the injury
    had fallen below the threshold (one episode, one relapse).

    Args:
        trajectory: One patient's outputs (index or ``time`` column in days).
    """
    t, loss = _injury(trajectory)
    cumulative = np.cumsum(loss)
    before = np.interp(t - RELAPSE_WINDOW_DAYS, t, cumulative, left=0.0)
    window = cumulative - before
    onsets: list[float] = []
    armed = True
    for day, injury in zip(t, window, strict=True):
        if injury < RELAPSE_LOSS_THRESHOLD:
            armed = True
            continue
        if armed and (not onsets or day - onsets[-1] >= RELAPSE_MIN_SEPARATION_DAYS):
            onsets.append(float(day))
            armed = False
    return np.array(onsets)


def edss_from_state(chronic_loss: float, acute_loss: float) -> float:
    """Latent EDSS (0-10) from chronic CNS loss and recent, still acute, injury.

    Args:
        chronic_loss: Fraction of CNS parenchyma lost (relative to health).
        acute_loss: Recent injury weighted by its recovery (fraction of parenchyma).
    """
    return float(min(10.0, EDSS_PER_LOSS * (max(0.0, chronic_loss) + ACUTE_GAIN * acute_loss)))


def _latent_edss(trajectory: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Output times and latent EDSS at each."""
    t, loss = _injury(trajectory)
    chronic = 1.0 - trajectory["cns_parenchyma"].to_numpy(dtype=float) / _HEALTHY_CNS
    acute = np.zeros_like(loss)
    decay = np.exp(-np.diff(t, prepend=t[0]) / ACUTE_RECOVERY_DAYS)
    for i in range(1, len(t)):
        acute[i] = acute[i - 1] * decay[i] + loss[i]
    edss = np.array([edss_from_state(c, a) for c, a in zip(chronic, acute, strict=True)])
    return t, edss


def _measured(latent: float, z: float) -> float:
    """EDSS as scored: latent plus rater noise, on the 0, 1.0, 1.5 ... 10 scale."""
    x = float(np.clip(latent + EDSS_RATER_SD * z, 0.0, 10.0))
    if x < 0.5:
        return 0.0
    return max(1.0, round(2.0 * x) / 2.0)


def make_ms_readouts(enrolment_day: float = ENROLMENT_DAY):
    """The MS observation model, with confirmed progression counted from ``enrolment_day``.

    Args:
        enrolment_day: Day of the model timeline of trial entry (baseline EDSS).

    Returns:
        ``readouts(trajectory, rng) -> dict`` for :class:`Disease`.
    """

    def ms_readouts(trajectory: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
        """MS readouts at the last output time (see the module docstring).

        Random draws: one standard normal per 12-weekly assessment from
        ``enrolment_day`` up to the visit, and one for the visit itself, each from a
        generator keyed by its day (:func:`readouts.reading_normal`; ``rng`` is not
        advanced). The trial engine passes one generator through all of a patient's
        visits, and every visit scores a past assessment as the visit on its day did:
        the EDSS a visit reports is the one that later confirms, or does not confirm,
        progression, and a confirmed progression day never changes.
        """
        t, latent = _latent_edss(trajectory)
        visit = float(t[-1])
        onsets = relapse_onsets(trajectory)
        n_assess = (
            math.floor((visit - enrolment_day) / CDP_CONFIRMATION_DAYS + 1e-9) + 1
            if visit >= enrolment_day
            else 0
        )
        assess_days = enrolment_day + CDP_CONFIRMATION_DAYS * np.arange(n_assess)
        scored = [
            _measured(float(np.interp(d, t, latent)), obs.reading_normal(rng, EDSS_KEY, d))
            for d in assess_days
        ]
        on_assessment = n_assess > 0 and abs(assess_days[-1] - visit) < 1e-6
        edss = (
            scored[-1]
            if on_assessment
            else _measured(float(latent[-1]), obs.reading_normal(rng, EDSS_KEY, visit))
        )
        cdp_day = pira_day = math.nan
        if scored:
            step = CDP_STEP_FROM_ZERO if scored[0] == 0.0 else CDP_STEP
            worse = [s >= scored[0] + step for s in scored]
            for k in range(1, len(scored) - 1):
                if worse[k] and worse[k + 1]:
                    cdp_day = float(assess_days[k])
                    near = (onsets >= cdp_day - PIRA_RELAPSE_FREE_DAYS) & (
                        onsets <= assess_days[k + 1]
                    )
                    if not near.any():
                        pira_day = cdp_day
                    break
        last = trajectory.iloc[-1]
        in_relapse = bool(len(onsets) and visit - onsets[-1] < RELAPSE_MIN_SEPARATION_DAYS)
        return {
            "relapses": float(len(onsets)),
            "relapses_past_year": float(np.sum(onsets > visit - 365.0)),
            "in_relapse": in_relapse,
            "edss": edss,
            "edss_latent": float(latent[-1]),
            "cdp_day": cdp_day,
            "pira_day": pira_day,
            "cns_function": float(last["cns_function"]),
            "cns_inflammation": float(last["cns_inflammation"]),
            "has_disease": bool(len(onsets) > 0),
        }

    return ms_readouts


def ms_responses(baseline: Mapping[str, float], visit: Mapping[str, float]) -> dict[str, float]:
    """Change from baseline: EDSS change, relapses on study and relapse-free status.

    Args:
        baseline: Readouts at enrolment.
        visit: Readouts at the visit.
    """
    on_study = visit["relapses"] - baseline["relapses"]
    return {
        "edss_change": visit["edss"] - baseline["edss"],
        "relapses_on_study": on_study,
        "relapse_free": float(on_study == 0),
    }


MS = Disease(
    name="ms",
    description="Relapsing-remitting multiple sclerosis: T-cell-mediated CNS inflammation "
    "with relapses and accumulating disability.",
    mechanism=(
        "Myelin-reactive CD4 T cells (more of them with HLA-DRB1*15:01) escape tolerance; "
        "peripheral activation bursts (infections, molecular mimicry; the per-patient "
        "trigger schedule) make effectors that enter the CNS through alpha4-integrin "
        "(VLA-4)/VCAM-1 and injure it directly and by recruiting myeloid cells. Injury "
        "above a threshold within 4 weeks is a clinical relapse; smaller bursts are silent "
        "lesions. Remyelination and axonal repair are poor in MS, so lost tissue "
        "accumulates: EDSS rises with chronic loss, and transiently with each lesion's "
        "oedema and conduction block. Behind a closed blood-brain barrier the CNS also "
        "degenerates steadily (microglia, meningeal follicles, neuroaxonal loss), without "
        "relapses and out of reach of entry blockade: about half of confirmed progression "
        "in relapsing MS is relapse-independent."
    ),
    changes=(
        ParameterChange(
            "cns_precursor_frequency",
            3e-6,
            LogNormal(0.8),
            "calibrated: 3x the model's healthy CNS-reactive share (myelin-reactive T cells "
            "are found in healthy people too, but are more often activated/memory in MS: "
            "Bielekova et al. J Immunol 2004); gives slow relapse-independent loss",
            "CNS (myelin)-reactive naive CD4 T cells escaping tolerance.",
        ),
        ParameterChange(
            "cns_degeneration_rate",
            1e-4,
            LogNormal(0.5),
            "calibrated (2026-12-07, a grid of rate x EDSS_PER_LOSS on 400 untreated "
            "candidates, AFFIRM's entry rule): with it 47% of placebo 12-week confirmed "
            "progressions have no relapse within 90 days, as 47% of worsening events in "
            "adult relapsing MS (Lublin et al. Brain 2022; most confirmed disability "
            "accumulation is relapse-independent: Kappos et al. JAMA Neurol 2020). Without "
            "it natalizumab suppressed progression as fully as relapses (CDP 5% vs 17%)",
            "Relapse-independent neurodegeneration: compartmentalised inflammation behind a "
            "closed blood-brain barrier (microglia at chronic active lesion rims, meningeal "
            "follicles) and neuroaxonal loss (Absinta et al. Nature 2021; Lassmann, Front "
            "Immunol 2019), which no drug acting on lymphocyte entry reaches. The tissue it "
            "takes does not regenerate.",
        ),
        ParameterChange(
            "cns_regeneration_rate",
            3e-4,
            LogNormal(0.3),
            "calibrated: EDSS accrual of RRMS (AFFIRM placebo 12-week progression 29% in 2 "
            "years); remyelination fails in chronic MS lesions (Franklin & ffrench-Constant "
            "Nat Rev Neurosci 2008), so the model's generic CNS repair (0.002/day) is cut",
            "Repair of lost CNS tissue (remyelination, plasticity).",
        ),
    ),
    target_organs=("cns",),
    covariates=(
        Covariate(
            "hla_drb1_1501",
            MappingProxyType({"carrier": 1.5, "non_carrier": 1.0}),
            "cns_precursor_frequency",
            "raises risk",
            "risk OR ~3 per allele (IMSGC); in the model x1.5 CNS-reactive precursors in "
            "carriers: direction documented, size not calibrated",
            "International MS Genetics Consortium, Science 2019; Patsopoulos et al. PLoS "
            "Genet 2013; carrier share ~50% of northern-European MS patients",
            prevalence=MappingProxyType({"carrier": 0.5, "non_carrier": 0.5}),
        ),
        Covariate(
            "ebv",
            MappingProxyType({}),
            None,
            "EBV infection precedes and is nearly required for MS",
            "not modelled: hazard ratio 32 for MS after EBV seroconversion (Bjornevik et al. "
            "Science 2022); the model has no EBV and virtually all MS patients are "
            "seropositive",
            "Bjornevik et al. Science 2022",
            modelled=False,
        ),
        Covariate(
            "vitamin_d_latitude",
            MappingProxyType({}),
            None,
            "higher 25(OH)D (lower latitude) lowers risk",
            "not modelled: 25(OH)D >=99 vs <63 nmol/L OR 0.38 for MS (Munger et al. JAMA "
            "2006); no vitamin D pathway in the model",
            "Munger et al. JAMA 2006",
            modelled=False,
        ),
        Covariate(
            "smoking",
            MappingProxyType({}),
            None,
            "raises risk and speeds progression",
            "not modelled: risk OR ~1.5 (Hedstrom et al. Neurology 2009); no mechanism in "
            "the model",
            "Hedstrom et al. Neurology 2009",
            modelled=False,
        ),
        Covariate(
            "sex",
            MappingProxyType({}),
            None,
            "women ~2-3x risk",
            "not modelled as a parameter shift: only in the demographics",
            "textbook",
            modelled=False,
        ),
    ),
    demographics=Demographics(
        female_fraction=0.7,
        age_mean=36.0,
        age_sd=8.0,
        age_range=(18.0, 50.0),
        source="AFFIRM baseline (Polman et al. NEJM 2006): ages 18-50, mean ~36, ~70% women",
    ),
    outputs=obs.with_symptom_outputs(OUTPUTS),
    readouts=obs.with_symptoms(make_ms_readouts()),
    follow_up_days=ENROLMENT_DAY + 2 * 365.0,
    responses=ms_responses,
    history_days=ENROLMENT_DAY,
    triggers=ms_trigger_schedule,
    output_step_days=MAX_OUTPUT_STEP_DAYS,
)
