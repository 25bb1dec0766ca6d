"""Declared PK tolerances against the uniform default, on an RA trial arm.

The arm is ARMADA's adalimumab 40 mg SC every 14 days on methotrexate 15 mg weekly
(from 180 days before enrolment), 24 weeks on study, for ``--patients`` RA patients
from health to the end of the trial: every patient's whole timeline, with the
disease's outputs at the trial's grid and visits. Both runs use the same patients,
schedules and engine (one process); they differ only in the absolute tolerance of
the drug PK states: ``PK_ABSOLUTE_TOLERANCE`` (1e-9 mg) as the states declare,
against the run's default 1e-12 for every state (the baseline, as before the states
declared their own). Prints both times, their ratio and the largest relative change
of any output.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import roadrunner

from immunetwin import SimulationOptions
from immunetwin.diseases import RA
from immunetwin.population import run_population
from immunetwin.trials import load_spec, trial_model
from immunetwin.trials.run import _output_times, _schedules, trial_candidates

SPEC = Path(__file__).resolve().parents[1] / "examples" / "trials" / "armada.toml"
ARM = "adalimumab 40 mg + MTX"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=16)
    parser.add_argument("--seed", type=int, default=2003)
    parser.add_argument("--repeats", type=int, default=2, help="timed runs of each (best)")
    args = parser.parse_args()
    spec = load_spec(SPEC, {"seed": args.seed})
    model = trial_model(spec)
    enrolment_day = float(RA.enrolment_day)
    patients, parameters = trial_candidates(spec, RA, model, args.patients)
    arms = dict.fromkeys((int(p) for p in patients.index), ARM)
    schedules = _schedules(spec, RA, patients, enrolment_day, arms, spec.seed)
    end = enrolment_day + 7.0 * spec.visits.end_week
    times = _output_times(RA, end, enrolment_day + 7.0 * np.array(spec.visits.weeks))
    declared = [s.name for s in model.species if s.absolute_tolerance is not None]
    runs = {
        "declared PK tolerances": SimulationOptions(),
        "uniform 1e-12 (baseline)": SimulationOptions(
            species_atol=tuple((name, SimulationOptions().atol) for name in declared)
        ),
    }
    print(
        f"ARMADA arm '{ARM}': {args.patients} patients, {end:.0f} days each "
        f"(history and 24 weeks on study), 1 process; PK states: {', '.join(declared)}"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"libRoadRunner {roadrunner.__version__}; load average before "
        f"{os.getloadavg()[0]:.2f}"
    )
    # Compile (or load) the model once before timing.
    run_population(
        model,
        parameters.iloc[:1],
        until=end,
        outputs=list(RA.outputs),
        output_times=times,
        schedules=schedules[:1],
        workers=1,
    )
    walls: dict[str, float] = {}
    values: dict[str, np.ndarray] = {}
    for repeat in range(args.repeats):
        # Alternate the order, so a warming machine favours neither.
        for name in runs if repeat % 2 == 0 else reversed(list(runs)):
            start = time.perf_counter()
            result = run_population(
                model,
                parameters,
                until=end,
                outputs=list(RA.outputs),
                output_times=times,
                schedules=schedules,
                workers=1,
                options=runs[name],
            )
            wall = time.perf_counter() - start
            walls[name] = min(walls.get(name, np.inf), wall)
            values[name] = np.stack([result.trajectories[o].to_numpy() for o in RA.outputs])
            failed = result.n_failed
            print(f"  run {repeat + 1}, {name}: {wall:.2f} s, {failed} failed")
    new, old = values["declared PK tolerances"], values["uniform 1e-12 (baseline)"]
    scale = np.maximum(np.abs(old), 1e-9 * np.nanmax(np.abs(old), axis=(1, 2), keepdims=True))
    change = np.nanmax(np.abs(new - old) / scale, axis=(1, 2))
    worst = int(np.argmax(change))
    baseline, declared_wall = walls["uniform 1e-12 (baseline)"], walls["declared PK tolerances"]
    print(f"baseline (uniform 1e-12): {baseline:.2f} s; declared: {declared_wall:.2f} s (best)")
    print(f"declared / baseline time: {declared_wall / baseline:.2f}")
    print(f"speed-up (baseline / declared): {baseline / declared_wall:.2f}x")
    print(f"largest relative change of an output: {change[worst]:.2g} ({list(RA.outputs)[worst]})")


if __name__ == "__main__":
    main()
