"""Fit the RA visit fluctuation to the placebo + MTX arms of the RA calibration trials.

The visit fluctuation (``readouts.RA_ACTIVITY_SD``: a log-normal factor on the
synovitis seen at each visit, shared by the joint counts, globals, pain, HAQ-DI and
CRP) is an observation-model parameter. It is the total SD: the fast part stays at
``readouts.RA_ACTIVITY_FAST_SD`` (the one-week test-retest) and the slow part with
memory carries the rest. Regression to the mean from trial entry makes
it the main source of placebo responses, so it is fitted to the published placebo
arms: ARMADA and OPTION (placebo + methotrexate; ACR20/50/70, OPTION's DAS28
remission) and Strand 1999 (placebo without methotrexate; ACR20). Each value given
with ``--sd`` is set in this process (one worker, so the patched constant reaches the
readouts) and the three control arms run at ``--patients`` and ``--seed``; the trial
engine's in-memory screening cache, which is keyed by the spec and not by observation
constants, is cleared first, so every value screens its own candidates. It prints
each arm's endpoints
against the published ones with z = (simulated - published) / SE, SE the binomial
standard error of the published proportion at the simulated size (as the drug
calibration's misfit), and the sum of z^2.

    python examples/calibration/ra_placebo_fluctuation.py --sd 0.2 --sd 0.3

Values run one after the other; run several processes side by side to use more cores.
"""

from __future__ import annotations

import argparse
import math
import time

from immunetwin.diseases import readouts
from immunetwin.trials import TrialSpec, load_spec, run_trial
from immunetwin.trials.calibration import SPECS
from immunetwin.trials.run import _SCREENING_CACHE

TRIALS = ("armada", "option", "strand1999")


def placebo_misfit(sd: float, patients: int, seed: int, trials: tuple[str, ...]) -> float:
    """Run each trial's control arm with visit fluctuation ``sd``; print and sum z^2.

    The module's value is restored afterwards.
    """
    saved = readouts.RA_ACTIVITY_SD
    readouts.RA_ACTIVITY_SD = sd
    # Screening readouts depend on the fluctuation: none may come from the cache.
    _SCREENING_CACHE.clear()
    try:
        return _misfit(sd, patients, seed, trials)
    finally:
        readouts.RA_ACTIVITY_SD = saved
        _SCREENING_CACHE.clear()


def control_arm_spec(name: str, patients: int, seed: int) -> TrialSpec:
    """A calibration trial's spec with its control arm only, at ``patients`` and ``seed``."""
    spec = load_spec(SPECS / f"{name}.toml", {"seed": seed, "patients": patients})
    control = next(arm for arm in spec.arms if arm.control)
    return spec.model_copy(update={"arms": [control]})


def _misfit(sd: float, patients: int, seed: int, trials: tuple[str, ...]) -> float:
    total = 0.0
    for name in trials:
        spec = control_arm_spec(name, patients, seed)
        control = spec.arms[0]
        published = spec.published.get(control.name, {})
        start = time.perf_counter()
        result = run_trial(spec, workers=1)
        estimates = result.endpoints[control.name]
        parts = []
        for endpoint, value in published.items():
            simulated = float(estimates[endpoint]["value"])
            n = int(estimates[endpoint]["n"])
            p = value / 100.0
            se = 100.0 * math.sqrt(max(p * (1.0 - p), 0.01 * 0.99) / n)
            z = (simulated - value) / se
            total += z * z
            parts.append(f"{endpoint} {simulated:.1f} vs {value:g} (z {z:+.1f})")
        screened = result.screening.get("candidates", "?")
        seconds = time.perf_counter() - start
        print(
            f"  sd {sd:g} {spec.name} {control.name}: {'; '.join(parts)} "
            f"[{screened} screened, {seconds:.0f} s]",
            flush=True,
        )
    print(f"sd {sd:g}: sum of z^2 {total:.1f}", flush=True)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sd", type=float, action="append", required=True)
    parser.add_argument("--patients", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7, help="the drug calibration's seed")
    parser.add_argument("--trial", action="append", choices=TRIALS)
    args = parser.parse_args()
    for sd in args.sd:
        placebo_misfit(sd, args.patients, args.seed, tuple(args.trial or TRIALS))


if __name__ == "__main__":
    main()
