"""An in-silico trial end to end, against a plain single-process libRoadRunner loop.

The trial is BLISS-52 reduced to two arms (placebo and belimumab 10 mg/kg IV on
days 0, 14, 28 then every 28 days), 52 weeks, ``--patients`` enrolled (default
10,000). ImmuneTwin runs it end to end: sampling, screening (each candidate's three
years of SLE history), acceptance-rejection to the baseline target, randomisation,
the treatment simulation, readouts at 14 visits, endpoints with statistics, and the
written outputs (results.json, Parquet tables, the HTML report).

The baseline is what one would write by hand on the same patients: one RoadRunner
in one process; per patient ``resetAll``, set parameters, then one ``simulate`` call
per dose-free segment with the output times inside it (``setValue`` for each dose
or infusion switch between segments). It runs on the
first ``--plain-patients`` candidates (screening) and enrolled patients (treatment),
and its time is extrapolated per patient to the trial's counts: said so in the
output. Run ``python benchmarks/trial.py --patients 1000`` for a quicker check.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import roadrunner

from immunetwin import SimulationOptions, to_sbml
from immunetwin.diseases import SLE
from immunetwin.engine import Schedule, with_declared_tolerances
from immunetwin.trials import load_spec, parse_spec, run_trial, trial_model, write_trial
from immunetwin.trials.run import _output_times, _schedules, trial_candidates

SPEC = Path(__file__).resolve().parents[1] / "examples" / "trials" / "bliss52.toml"


def two_arm_spec(patients: int, seed: int):
    spec = load_spec(SPEC)
    data = spec.model_dump()
    data["arms"] = [a for a in data["arms"] if a["name"] != "belimumab 1 mg/kg"]
    data["published"] = {k: v for k, v in data["published"].items() if k != "belimumab 1 mg/kg"}
    data.update(name="BLISS-52, two arms (benchmark)", patients=patients, seed=seed)
    return parse_spec(data)


def plain_runner(sbml: str, options: SimulationOptions) -> roadrunner.RoadRunner:
    rr = roadrunner.RoadRunner(sbml)
    integrator = rr.getIntegrator()
    integrator.setValue("relative_tolerance", options.rtol)
    integrator.setValue("absolute_tolerance", options.atol)
    integrator.setValue("maximum_num_steps", options.max_steps)
    integrator.setValue("stiff", True)
    for name, tolerance in options.species_atol:  # the PK states' own (declared) tolerances
        integrator.setIndividualTolerance(name, tolerance)
    return rr


def plain_loop(
    rr: roadrunner.RoadRunner,
    parameters,
    schedules: list[Schedule],
    times: np.ndarray,
    outputs: list[str],
) -> tuple[float, int]:
    """Wall seconds and failures of the hand-written loop over these patients."""
    ids = list(rr.model.getGlobalParameterIds())
    index = np.array([ids.index(c) for c in parameters.columns], dtype=np.int32)
    values = parameters.to_numpy(dtype=float)
    selections = [f"[{o}]" if o in rr.model.getFloatingSpeciesIds() else o for o in outputs]
    failures = 0
    start = time.perf_counter()
    end = float(times[-1])
    for row, schedule in enumerate(schedules):
        rr.resetAll()
        rr.model.setGlobalParameterValues(index, values[row])
        rr.reset()
        changes = sorted(schedule.changes, key=lambda c: c.time)
        # One simulate call per dose-free segment, with every output time inside it.
        boundaries = sorted({0.0, end, *(c.time for c in changes if 0.0 < c.time < end)})
        try:
            for change in (c for c in changes if c.time == 0.0):
                rr.setValue(change.target, _value(rr, change))
            for a, b in itertools.pairwise(boundaries):
                inside = times[(times > a) & (times < b)].tolist()
                rr.simulate(times=[a, *inside, b], selections=["time", *selections])
                for change in (c for c in changes if c.time == b):
                    rr.setValue(change.target, _value(rr, change))
        except RuntimeError:
            failures += 1
    return time.perf_counter() - start, failures


def _value(rr: roadrunner.RoadRunner, change) -> float:
    current = rr.getValue(change.target)
    return {"add": current + change.value, "set": change.value, "multiply": current * change.value}[
        change.op
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000, help="patients to enrol")
    parser.add_argument("--plain-patients", type=int, default=200, help="baseline sample")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--seed", type=int, default=2011)
    args = parser.parse_args()
    spec = two_arm_spec(args.patients, args.seed)
    print(
        f"trial: {spec.name}; {spec.patients} patients, 52 weeks, "
        f"{len(spec.visits.weeks)} visits; workers {args.workers}"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"libRoadRunner {roadrunner.__version__}; load average before "
        f"{os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = run_trial(spec, workers=args.workers)
        write_trial(result, Path(tmp))
        trial_wall = time.perf_counter() - start
    screening = result.screening
    print(
        f"ImmuneTwin end to end: {trial_wall:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in result.seconds.items())}; "
        f"outputs {trial_wall - result.seconds['total']:.1f} s); "
        f"{screening['candidates']} screened, {screening['enrolled']} enrolled"
    )

    # The plain loop on the same patients: candidates 0.. for screening, the first
    # enrolled patients (with their arms) for treatment.
    model = trial_model(spec)
    # The same solver settings as ImmuneTwin's run, the states' declared tolerances included.
    options = with_declared_tolerances(model, SimulationOptions())
    rr = plain_runner(to_sbml(model), options)
    enrolment_day = screening["enrolment_day"]
    m = min(args.plain_patients, screening["candidates"])
    patients, parameters = trial_candidates(spec, SLE, model, m)
    schedules = _schedules(spec, SLE, patients, enrolment_day, None, spec.seed)
    times = _output_times(SLE, enrolment_day)
    screen_wall, screen_failed = plain_loop(rr, parameters, schedules, times, list(SLE.outputs))

    enrolled = result.patients.iloc[: min(args.plain_patients, len(result.patients))]
    patients, parameters = trial_candidates(spec, SLE, model, int(enrolled.index.max()) + 1)
    patients = patients.loc[enrolled.index]
    parameters = parameters.loc[enrolled.index]
    patients["weight_kg"] = enrolled["weight_kg"]
    parameters["body_weight"] = patients["weight_kg"]
    parameters["sex_female"] = (patients["sex"] == "female").astype(float)
    arms = {int(k): str(v) for k, v in enrolled["arm"].items()}
    schedules = _schedules(spec, SLE, patients, enrolment_day, arms, spec.seed)
    end = enrolment_day + 7.0 * spec.visits.end_week
    times = _output_times(SLE, end, enrolment_day + 7.0 * np.array(spec.visits.weeks))
    treat_wall, treat_failed = plain_loop(rr, parameters, schedules, times, list(SLE.outputs))

    per_screen = screen_wall / m
    per_treat = treat_wall / len(enrolled)
    plain_total = per_screen * screening["candidates"] + per_treat * screening["enrolled"]
    print(
        f"plain loop, 1 process: {per_screen * 1e3:.1f} ms per screened candidate "
        f"({m} measured, {screen_failed} failed), {per_treat * 1e3:.1f} ms per enrolled patient "
        f"({len(enrolled)} measured, {treat_failed} failed)"
    )
    print(
        f"plain loop over the trial's patients (extrapolated per patient): {plain_total:.1f} s; "
        "simulation only, no readouts, statistics or report"
    )
    print(f"ImmuneTwin end to end / plain loop time: {trial_wall / plain_total:.2f}")
    print(f"speed-up (plain loop / ImmuneTwin end to end): {plain_total / trial_wall:.2f}x")


if __name__ == "__main__":
    main()
