"""Averaged against discrete doses of a background drug, on a trial's arms: time and accuracy.

Default (``make bench-averaged``): ARMADA with methotrexate. ``--case sle-hcq``:
BLISS-52's placebo and belimumab 10 mg/kg arms with hydroxychloroquine 400 mg daily as
background from 90 days before enrolment (a drug without an effect compartment,
allowed by its steady-state plasma swing of ~1%; the BLISS-52 spec itself keeps
standard therapy in the disease state), compared on the lupus outputs.

ARMADA's patients take methotrexate 15 mg weekly from 180 days before enrolment to the
end of the trial (24 weeks on study). Given as weekly doses, every dose restarts the
solver; ``averaged`` gives each dose as a constant input over its week
(``docs/regimens.md``), so the input changes only when the dose does. Both runs use the
same ``--patients`` RA candidates, the same arm schedules otherwise and the same engine
(one process): placebo + MTX and adalimumab 40 mg + MTX, every patient's whole
timeline. Prints both times, their ratio, and how far the averaged run moves the
disease's outputs that the readouts are scored from (synovitis, synovial function,
CRP, IL-6) at the trial's visits, the baseline being the weekly doses (what patients
take).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import roadrunner

from immunetwin.diseases import RA, SLE, Disease
from immunetwin.population import run_population
from immunetwin.trials import load_spec, trial_model
from immunetwin.trials.run import _output_times, _schedules, trial_candidates

TRIALS = Path(__file__).resolve().parents[1] / "examples" / "trials"


@dataclass(frozen=True)
class Case:
    """A trial, two of its arms, the background given both ways, and what to compare."""

    spec: Path
    disease: Disease
    arms: tuple[str, str]
    doses: str
    compared: tuple[str, ...]
    effect_site: str | None  # the drug's effect compartment, whose swing averaging removes
    lead_days: float | None = None  # background start before enrolment (default: the spec's)


CASES = {
    "ra-mtx": Case(
        TRIALS / "armada.toml",
        RA,
        ("placebo + MTX", "adalimumab 40 mg + MTX"),
        "methotrexate 15 mg oral weekly",
        ("synovium_inflammation", "synovium_function", "lab_crp", "lab_il6"),
        "methotrexate_effect_site",
    ),
    "sle-hcq": Case(
        TRIALS / "bliss52.toml",
        SLE,
        ("placebo", "belimumab 10 mg/kg"),
        "hydroxychloroquine 400 mg daily",
        ("lab_anti_dsdna", "lab_c3", "lab_ifn_alpha", "kidney_inflammation"),
        None,
        lead_days=90.0,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), default="ra-mtx")
    parser.add_argument("--patients", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2003)
    parser.add_argument("--repeats", type=int, default=2, help="timed runs of each (best)")
    args = parser.parse_args()
    case = CASES[args.case]
    spec = load_spec(case.spec, {"seed": args.seed})
    lead = spec.background.lead_days if case.lead_days is None else case.lead_days
    discrete, averaged = (
        spec.model_copy(
            update={
                "background": spec.background.model_copy(
                    update={"regimens": [regimen], "lead_days": lead}
                )
            }
        )
        for regimen in (case.doses, f"{case.doses}, averaged")
    )
    disease = case.disease
    model = trial_model(discrete)
    enrolment_day = float(disease.enrolment_day)
    patients, parameters = trial_candidates(discrete, disease, model, args.patients)
    end = enrolment_day + 7.0 * discrete.visits.end_week
    visits = enrolment_day + 7.0 * np.array(discrete.visits.weeks)
    times = _output_times(disease, end, visits)
    print(
        f"{spec.name} arms {', '.join(case.arms)}: {args.patients} patients each, {end:.0f} "
        f"days, {case.doses} from {lead:.0f} days before enrolment to the end, 1 process"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"libRoadRunner {roadrunner.__version__}; load average before "
        f"{os.getloadavg()[0]:.2f}"
    )
    baseline = "discrete doses (baseline)"
    runs = {}
    for name, version in ((baseline, discrete), ("averaged", averaged)):
        schedules = []
        for arm in case.arms:
            arm_of = dict.fromkeys((int(p) for p in patients.index), arm)
            schedules += _schedules(version, disease, patients, enrolment_day, arm_of, args.seed)
        runs[name] = schedules
    both = parameters.iloc[np.tile(np.arange(len(parameters)), len(case.arms))]
    both = both.reset_index(drop=True)
    outputs = [*disease.outputs, *([case.effect_site] if case.effect_site else [])]
    # Compile (or load) the model once before timing.
    run_population(
        model,
        both.iloc[:1],
        until=end,
        outputs=outputs,
        output_times=times,
        schedules=runs["averaged"][:1],
        workers=1,
    )
    walls: dict[str, float] = {}
    results = {}
    for repeat in range(args.repeats):
        for name in runs if repeat % 2 == 0 else reversed(list(runs)):
            start = time.perf_counter()
            result = run_population(
                model,
                both,
                until=end,
                outputs=outputs,
                output_times=times,
                schedules=runs[name],
                workers=1,
            )
            wall = time.perf_counter() - start
            walls[name] = min(walls.get(name, np.inf), wall)
            results[name] = result
            print(f"  run {repeat + 1}, {name}: {wall:.2f} s, {result.n_failed} failed")
    base, new = results[baseline], results["averaged"]
    baseline_wall, averaged_wall = walls[baseline], walls["averaged"]
    print(
        f"baseline (discrete doses): {baseline_wall:.2f} s; averaged: {averaged_wall:.2f} s (best)"
    )
    print(f"averaged / baseline time: {averaged_wall / baseline_wall:.2f}")
    print(f"speed-up (baseline / averaged): {baseline_wall / averaged_wall:.2f}x")
    assert base.trajectories is not None and new.trajectories is not None
    at_visits = np.isin(np.round(base.times, 6), np.round(visits, 6))
    for output in case.compared:
        old = base.trajectories[output].to_numpy()[:, at_visits]
        changed = new.trajectories[output].to_numpy()[:, at_visits]
        relative = np.abs(changed - old) / np.maximum(np.abs(old), 1e-12)
        print(
            f"{output} at the visits: median relative change {np.median(relative):.2g}, "
            f"95th percentile {np.quantile(relative, 0.95):.2g}, largest {relative.max():.2g}"
        )
    if case.effect_site is None:
        return
    # The effect site swings with each weekly dose (11% below to 12% above its mean at
    # steady state, docs/regimens.md), which averaging removes by design.
    old = base.trajectories[case.effect_site].to_numpy()[:, at_visits]
    changed = new.trajectories[case.effect_site].to_numpy()[:, at_visits]
    ratio = changed / old
    print(
        f"{case.effect_site} at the visits, averaged / discrete: {ratio.min():.3f} to "
        f"{ratio.max():.3f} (mean {ratio.mean():.3f}; the visits fall 5 days after a "
        "weekly dose, low in its swing)"
    )


if __name__ == "__main__":
    main()
