"""Python API walk-through: a virtual population on adalimumab 40 mg SC every 14 days.

Run with ``.venv/bin/python examples/population_pk.py``. The ``__main__`` guard is
needed: worker processes re-import this file.
"""

from __future__ import annotations

import numpy as np

from immunetwin import Schedule, Simulator, StateChange
from immunetwin.models import get_model
from immunetwin.population import run_population, sample_parameters


def main() -> None:
    model = get_model("adalimumab_pk")
    doses = Schedule(
        tuple(StateChange(14.0 * k, "adalimumab_depot", "add", 40.0) for k in range(13))
    )

    # One patient: a DataFrame indexed by day.
    one = Simulator(model).simulate(182, outputs=["adalimumab_central"], schedule=doses)
    print(
        "typical patient, trough at week 24:",
        round(one.loc[168.0, "adalimumab_central"], 2),
        "mg/L",
    )

    # A population: parameters drawn from each parameter's declared variability.
    parameters = sample_parameters(model, n=500, seed=1)
    result = run_population(
        model,
        parameters,
        until=182,
        outputs=["adalimumab_central"],
        output_times=np.arange(0.0, 182.0, 14.0),
        schedules=[doses] * len(parameters),
        workers=2,
    )
    troughs = result.trajectories["adalimumab_central"].sel(time=168.0)
    print(f"{len(parameters)} patients, {result.n_failed} failed")
    print(
        "week-24 trough, median and 90% range (mg/L):",
        np.round(np.percentile(troughs, [50, 5, 95]), 2),
    )


if __name__ == "__main__":
    main()
