"""MS natural history against AFFIRM's placebo arm: the figures the MS constants were fit to.

Simulates untreated MS candidates from health (day 0) for the 6-year history and the
2-year trial, applies AFFIRM's entry rule (>= 1 relapse in the year before entry, EDSS
<= 5.0) and prints the placebo figures: annualised relapse rate (published 0.67),
12-week confirmed progression at 2 years (29%), the share of it independent of relapses
(~47% of worsening events in adult relapsing MS: Lublin et al. Brain 2022), baseline
EDSS (2.3) and relapses in the year before entry (~1.5). Each candidate is scored with
several observation seeds (the EDSS rater noise dominates progression at this size).

``--grid`` rescores the same trajectories for other values of the two observation
constants (relapse threshold, EDSS points per tissue lost), the search that chose them
(docs/diseases/ms.md)::

    .venv/bin/python examples/validation/ms_natural_history.py --candidates 400 \\
        --grid 0.004,0.0045,0.005 5,5.5,6

The ``__main__`` guard is needed: worker processes re-import this file.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
from collections.abc import Iterator

import numpy as np
import pandas as pd

import immunetwin.diseases.ms as ms
from immunetwin.diseases import MS, disease_model
from immunetwin.diseases.population import OBSERVATION_STREAM, sample_disease_patients
from immunetwin.population import SCHEDULE_STREAM, patient_rng, run_population

TRIAL_END = ms.ENROLMENT_DAY + 2 * 365.0


def simulate(candidates: int, seed: int, workers: int) -> dict[int, pd.DataFrame]:
    """Untreated trajectories of ``candidates`` MS patients, weekly, to the trial's end."""
    model = disease_model(MS)
    _, parameters = sample_disease_patients(MS, candidates, seed, model=model)
    schedules = [
        ms.ms_trigger_schedule(int(p), patient_rng(seed, int(p), SCHEDULE_STREAM), 0.0, TRIAL_END)
        for p in parameters.index
    ]
    result = run_population(
        model,
        parameters,
        until=TRIAL_END,
        outputs=list(MS.outputs),
        output_times=np.arange(0.0, TRIAL_END + 1.0, ms.MAX_OUTPUT_STEP_DAYS),
        schedules=schedules,
        seed=seed,
        workers=workers,
    )
    return {int(p): result.trajectories.sel(patient_id=p).to_pandas() for p in parameters.index}


@contextlib.contextmanager
def observation_constants(threshold: float, edss_per_loss: float) -> Iterator[None]:
    """Temporarily score with other observation constants (the readouts read them)."""
    saved = ms.RELAPSE_LOSS_THRESHOLD, ms.EDSS_PER_LOSS
    ms.RELAPSE_LOSS_THRESHOLD, ms.EDSS_PER_LOSS = threshold, edss_per_loss
    try:
        yield
    finally:
        ms.RELAPSE_LOSS_THRESHOLD, ms.EDSS_PER_LOSS = saved


def affirm_placebo(
    trajectories: dict[int, pd.DataFrame], observation_seeds: list[int]
) -> dict[str, float]:
    """AFFIRM placebo figures of the eligible candidates, pooled over observation seeds."""
    readouts = ms.make_ms_readouts()
    rows = []
    for obs_seed, (pid, trajectory) in itertools.product(observation_seeds, trajectories.items()):
        base = readouts(
            trajectory.loc[: ms.ENROLMENT_DAY], patient_rng(obs_seed, pid, OBSERVATION_STREAM)
        )
        end = readouts(trajectory.loc[:TRIAL_END], patient_rng(obs_seed, pid, OBSERVATION_STREAM))
        rows.append(
            {
                "eligible": base["relapses_past_year"] >= 1 and base["edss"] <= 5.0,
                "prior_year_relapses": base["relapses_past_year"],
                "baseline_edss": base["edss"],
                "relapses_on_study": end["relapses"] - base["relapses"],
                "progressed": not math.isnan(end["cdp_day"]),
                "relapse_independent": not math.isnan(end["pira_day"]),
            }
        )
    scored = pd.DataFrame(rows)
    enrolled = scored[scored["eligible"]]
    progressed = int(enrolled["progressed"].sum())
    return {
        "eligible_share": float(scored["eligible"].mean()),
        "enrolled": float(len(enrolled)),
        "arr": float(enrolled["relapses_on_study"].mean() / 2.0),
        "cdp12": float(enrolled["progressed"].mean()),
        "relapse_independent_share": float(enrolled["relapse_independent"].sum())
        / max(1, progressed),
        "baseline_edss": float(enrolled["baseline_edss"].mean()),
        "prior_year_relapses": float(enrolled["prior_year_relapses"].mean()),
    }


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=400)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--observation-seeds", type=_floats, default=[31, 32, 33, 34])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--grid", nargs=2, type=_floats, metavar=("THRESHOLDS", "EDSS_PER_LOSS"), default=None
    )
    args = parser.parse_args()
    trajectories = simulate(args.candidates, args.seed, args.workers)
    seeds = [int(s) for s in args.observation_seeds]
    grid = (
        list(itertools.product(*args.grid))
        if args.grid
        else [(ms.RELAPSE_LOSS_THRESHOLD, ms.EDSS_PER_LOSS)]
    )
    print("published (AFFIRM placebo): arr 0.67, cdp12 0.29, baseline_edss 2.3")
    for threshold, edss_per_loss in grid:
        with observation_constants(threshold, edss_per_loss):
            figures = affirm_placebo(trajectories, seeds)
        shown = " ".join(f"{k} {v:.3g}" for k, v in figures.items())
        print(f"threshold {threshold:g} edss_per_loss {edss_per_loss:g}: {shown}")


if __name__ == "__main__":
    main()
