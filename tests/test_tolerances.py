"""Per-state absolute tolerances: declared by species, carried to workers, applied by CVODE."""

from __future__ import annotations

import numpy as np
import pytest

from immunetwin import (
    Compartment,
    Model,
    Module,
    Parameter,
    Reaction,
    SimulationOptions,
    Simulator,
    Species,
)
from immunetwin._errors import ModelError
from immunetwin.engine import with_declared_tolerances
from immunetwin.population import run_population, sample_parameters

SRC = "test fixture"


def two_decays(tolerance: float | None) -> Model:
    """Two identical decays over 12 decades; only ``x`` may declare a tolerance."""
    return Model.compose(
        "two_decays",
        [
            Module(
                "decay",
                compartments=(Compartment("blood", 5.0, "L", source=SRC),),
                species=(
                    Species("x", "blood", 1.0, "mg/L", source=SRC, absolute_tolerance=tolerance),
                    Species("y", "blood", 1.0, "mg/L", source=SRC),
                ),
                parameters=(Parameter("k", 1.0, "1/day", source=SRC, variability=None),),
                reactions=(
                    Reaction("x_loss", "k * x", reactants={"x": 1}),
                    Reaction("y_loss", "k * y", reactants={"y": 1}),
                ),
            )
        ],
    )


def one_decay(tolerance: float | None) -> Model:
    """``x`` alone."""
    module = two_decays(tolerance).modules[0]
    return Model.compose(
        "one_decay",
        [
            Module(
                "decay",
                compartments=module.compartments,
                species=module.species[:1],
                parameters=module.parameters,
                reactions=module.reactions[:1],
            )
        ],
    )


TIMES = np.linspace(0.0, 28.0, 29)  # e^-28 ~ 7e-13


def _solve(model: Model, options: SimulationOptions | None = None) -> np.ndarray:
    frame = Simulator(model, options).simulate(28.0, outputs=["x", "y"], output_times=TIMES)
    return frame[["x", "y"]].to_numpy()


def test_a_declared_tolerance_reaches_the_solver_and_only_its_state() -> None:
    simulator = Simulator(two_decays(1e-9))
    assert simulator.options.species_atol == (("x", 1e-9),)
    # CVODE's states are amounts (5 L of blood); libRoadRunner scales its default
    # atol by the initial amount (5 mg here) too.
    vector = simulator._rr.getIntegrator().getAbsoluteToleranceVector()
    np.testing.assert_allclose(list(vector), [5 * 1e-9, 5 * SimulationOptions().atol])
    # Alone in a model (nothing else sets the steps), x is resolved to about its own
    # tolerance: close to the decay, and further from it than with the default.
    exact = np.exp(-TIMES)
    only_x = {"outputs": ["x"], "output_times": TIMES}
    loose = Simulator(one_decay(1e-9)).simulate(28.0, **only_x)["x"].to_numpy()
    strict = Simulator(one_decay(None)).simulate(28.0, **only_x)["x"].to_numpy()
    np.testing.assert_allclose(loose, exact, rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(strict, exact, rtol=1e-4, atol=1e-11)
    tiny = exact < 1e-9
    assert np.abs(loose - exact)[tiny].max() > 10 * np.abs(strict - exact)[tiny].max()


def test_options_win_over_declarations_and_the_result_is_canonical() -> None:
    model = two_decays(1e-9)
    options = with_declared_tolerances(model, SimulationOptions(species_atol=(("x", 1e-12),)))
    assert options.species_atol == (("x", 1e-12),)
    # x's default in libRoadRunner: atol times its initial amount, 1 mg/L x 5 L.
    default = SimulationOptions().atol * 5.0
    strict = _solve(model, SimulationOptions(species_atol=(("x", default / 5.0),)))
    np.testing.assert_array_equal(strict, _solve(two_decays(None)))
    both = with_declared_tolerances(model, SimulationOptions(species_atol=(("y", 1e-6),)))
    assert both.species_atol == (("x", 1e-9), ("y", 1e-6))  # sorted: equal options hash equal
    # The same pairs in another order give equal, equally hashed options (one simulator).
    reordered = with_declared_tolerances(
        model, SimulationOptions(species_atol=(("y", 1e-6), ("x", 1e-9)))
    )
    assert reordered == both and hash(reordered) == hash(both)


def test_workers_solve_with_the_declared_tolerances() -> None:
    model = two_decays(1e-3)
    parameters = sample_parameters(model, n=4, seed=1)
    parameters["k"] = [0.5, 1.0, 1.5, 2.0]
    kwargs = {"until": 28.0, "outputs": ["x", "y"], "output_times": TIMES}
    in_process = run_population(model, parameters, workers=1, **kwargs)
    pooled = run_population(model, parameters, workers=2, chunk_size=2, **kwargs)
    np.testing.assert_array_equal(
        in_process.trajectories["x"].to_numpy(), pooled.trajectories["x"].to_numpy()
    )
    strict = SimulationOptions(species_atol=(("x", 1e-12),))
    reference = run_population(model, parameters, workers=1, options=strict, **kwargs)
    # The loose tolerance was applied: x differs from the strict solve where it is tiny.
    assert not np.array_equal(
        in_process.trajectories["x"].to_numpy(), reference.trajectories["x"].to_numpy()
    )
    np.testing.assert_allclose(
        in_process.trajectories["y"].to_numpy(),
        reference.trajectories["y"].to_numpy(),
        rtol=1e-4,
        atol=1e-10,
    )


@pytest.mark.parametrize("bad", [0.0, -1e-9, float("nan"), float("inf")])
def test_a_tolerance_must_be_positive(bad: float) -> None:
    with pytest.raises(ModelError, match=r"species 'x': absolute_tolerance must be a positive"):
        Species("x", "blood", 1.0, "mg/L", absolute_tolerance=bad)


def test_an_unknown_state_in_the_options_is_refused() -> None:
    with pytest.raises(ModelError, match=r"species_atol names 'z', which is not a state"):
        Simulator(two_decays(None), SimulationOptions(species_atol=(("z", 1e-9),)))
