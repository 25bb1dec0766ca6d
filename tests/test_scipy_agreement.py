"""The engine (libRoadRunner, CVODE) agrees with SciPy Radau on a stiff model, tight tolerances."""

from __future__ import annotations

import numpy as np
import pytest

from _models import event_model
from immunetwin import (
    Model,
    Schedule,
    SimulationOptions,
    Simulator,
    StateChange,
)
from immunetwin.models.benchmark import stiff_benchmark_model
from immunetwin.population import sample_parameters
from immunetwin.reference import compile_reference

UNTIL = 60.0
TIGHT = SimulationOptions(rtol=1e-8, atol=1e-10)


@pytest.fixture(scope="module")
def stiff() -> Model:
    return stiff_benchmark_model()


def biweekly(amount_mg: float = 40.0) -> Schedule:
    return Schedule(
        tuple(StateChange(14.0 * k, "adalimumab_depot", "add", amount_mg) for k in range(5))
    )


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    scale = np.maximum(np.abs(b), 1e-6 * np.abs(b).max(axis=0))
    return float(np.max(np.abs(a - b) / scale))


def test_stiff_model_engine_equals_radau(stiff: Model) -> None:
    times = np.arange(0.0, UNTIL + 0.5, 0.5)
    engine = Simulator(stiff, TIGHT).simulate(UNTIL, output_times=times, schedule=biweekly())
    scipy = compile_reference(stiff).solve(
        UNTIL, output_times=times, schedule=biweekly(), method="Radau", rtol=1e-8, atol=1e-10
    )
    assert list(engine.columns) == list(scipy.columns)
    assert len(engine.columns) == 52
    np.testing.assert_array_equal(engine.index, scipy.index)
    # The drug actually moves the cytokines: the comparison is not of flat lines.
    assert scipy["adalimumab_central"].max() > 5.0
    assert relative_difference(engine.to_numpy(), scipy.to_numpy()) < 1e-4


def test_sampled_patients_agree_with_bdf(stiff: Model) -> None:
    patients = sample_parameters(stiff, 2, seed=7)
    simulator = Simulator(stiff, TIGHT)
    reference = compile_reference(stiff)
    times = np.arange(0.0, UNTIL + 1.0, 1.0)
    for _, row in patients.iterrows():
        params = row.to_dict()
        engine = simulator.simulate(
            UNTIL, output_times=times, parameters=params, schedule=biweekly(80.0)
        )
        scipy = reference.solve(
            UNTIL,
            output_times=times,
            parameters=params,
            schedule=biweekly(80.0),
            method="BDF",
            rtol=1e-8,
            atol=1e-10,
            sparse_jacobian=True,
        )
        assert relative_difference(engine.to_numpy(), scipy.to_numpy()) < 1e-4


def test_events_agree() -> None:
    model = event_model()
    times = np.arange(0.0, 40.0 + 0.25, 0.25)
    engine = Simulator(model, TIGHT).simulate(40.0, output_times=times)
    scipy = compile_reference(model).solve(40.0, output_times=times, rtol=1e-10, atol=1e-12)
    x = scipy["x"].to_numpy()
    assert x.min() > 1.9  # refilled every time it reached 2
    assert np.sum(np.diff(x) > 1.0) >= 3  # several refills happened
    # Away from the event instants (where a grid point may fall either side) the two agree.
    jumps = np.abs(np.diff(engine["x"].to_numpy())) > 1.0
    near = np.zeros_like(x, dtype=bool)
    near[1:] |= jumps
    near[:-1] |= jumps
    np.testing.assert_allclose(engine.to_numpy()[~near], scipy.to_numpy()[~near], rtol=1e-5)
