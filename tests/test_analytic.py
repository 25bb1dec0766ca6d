"""Analytic solutions: exponential decay, and repeated SC doses by superposition."""

from __future__ import annotations

import numpy as np
import pytest

from immunetwin import (
    Compartment,
    Model,
    Module,
    Parameter,
    Reaction,
    Schedule,
    SimulationOptions,
    Simulator,
    Species,
    StateChange,
)
from immunetwin.models.pk import adalimumab_pk
from immunetwin.reference import solve_scipy

SRC = "test fixture"


def decay_model(rate_per_day: float, initial: float) -> Model:
    return Model.compose(
        "decay",
        [
            Module(
                "decay",
                compartments=(Compartment("blood", 5.0, "L", source=SRC),),
                species=(Species("x", "blood", initial, "mg/L", source=SRC),),
                parameters=(Parameter("k", rate_per_day, "1/day", source=SRC),),
                reactions=(Reaction("loss", "k * x", reactants={"x": 1}),),
            )
        ],
    )


@pytest.mark.parametrize(("k", "x0"), [(0.01, 1.0), (0.5, 30.0), (20.0, 1e3)])
def test_exponential_decay(k: float, x0: float) -> None:
    model = decay_model(k, x0)
    until = 5.0 / k
    times = np.linspace(0, until, 41)
    exact = x0 * np.exp(-k * times)
    engine = Simulator(model, SimulationOptions(rtol=1e-10, atol=1e-14 * x0))
    got = engine.simulate(until, outputs=["x"], output_times=times)["x"].to_numpy()
    np.testing.assert_allclose(got, exact, rtol=1e-7)
    reference = solve_scipy(model, until, output_times=times, rtol=1e-10, atol=1e-14 * x0)
    np.testing.assert_allclose(reference["x"].to_numpy(), exact, rtol=1e-6)


def test_exponential_decay_with_default_options() -> None:
    model = decay_model(0.3, 10.0)
    times = np.linspace(0, 20, 81)
    got = Simulator(model).simulate(20, outputs=["x"], output_times=times)["x"].to_numpy()
    # Default rtol 1e-6 accumulates to a few 1e-5 over six half-lives.
    np.testing.assert_allclose(got, 10.0 * np.exp(-0.3 * times), rtol=1e-4)


def superposition(
    times: np.ndarray,
    doses: list[tuple[float, float]],
    clearance: float,
    volume: float,
    ka: float,
    bioavailability: float,
) -> np.ndarray:
    """Concentration (mg/L) after SC doses (time d, amount mg), one compartment, first order."""
    ke = clearance / volume
    conc = np.zeros_like(times)
    for dose_time, amount in doses:
        dt = np.clip(times - dose_time, 0.0, None)
        conc += (
            bioavailability
            * amount
            * ka
            / (volume * (ka - ke))
            * (np.exp(-ke * dt) - np.exp(-ka * dt))
        )
    return conc


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"adalimumab_ka": 1.5, "adalimumab_clearance": 0.6},
        {"adalimumab_ka": 0.05, "adalimumab_bioavailability": 0.9},
    ],
)
def test_repeated_sc_doses_match_superposition(changes: dict[str, float]) -> None:
    model = Model.compose("adalimumab_pk", [adalimumab_pk()])
    values = model.parameter_values() | changes
    # Every other week 40 mg for 12 weeks, one loading dose of 80 mg, and an irregular extra dose.
    doses = [(0.0, 80.0)] + [(14.0 * k, 40.0) for k in range(1, 7)] + [(50.5, 40.0)]
    schedule = Schedule(tuple(StateChange(t, "adalimumab_depot", "add", d) for t, d in doses))
    until = 120.0
    times = np.arange(0.0, until + 0.25, 0.25)  # includes each dose time: observed before the dose
    exact = superposition(
        times,
        doses,
        clearance=values["adalimumab_clearance"],
        volume=model.element("adalimumab_plasma").size,  # type: ignore[attr-defined]
        ka=values["adalimumab_ka"],
        bioavailability=values["adalimumab_bioavailability"],
    )
    options = SimulationOptions(rtol=1e-9, atol=1e-12)
    engine = Simulator(model, options).simulate(
        until,
        outputs=["adalimumab_central"],
        output_times=times,
        parameters=changes,
        schedule=schedule,
    )
    got = engine["adalimumab_central"].to_numpy()
    assert got[0] == 0.0
    positive = exact > 1e-3 * exact.max()
    np.testing.assert_allclose(got[positive], exact[positive], rtol=1e-5)
    np.testing.assert_allclose(got, exact, atol=1e-8 * exact.max())

    reference = solve_scipy(
        model,
        until,
        output_times=times,
        parameters=changes,
        schedule=schedule,
        outputs=["adalimumab_central"],
        rtol=1e-10,
        atol=1e-12,
    )["adalimumab_central"].to_numpy()
    np.testing.assert_allclose(reference[positive], exact[positive], rtol=1e-5)


def test_observation_at_a_dose_time_is_the_trough() -> None:
    model = Model.compose("adalimumab_pk", [adalimumab_pk()])
    schedule = Schedule(
        (
            StateChange(0.0, "adalimumab_depot", "add", 40.0),
            StateChange(7.0, "adalimumab_depot", "add", 40.0),
        )
    )
    out = Simulator(model).simulate(
        14.0, outputs=["adalimumab_depot"], output_times=[0.0, 7.0, 14.0], schedule=schedule
    )["adalimumab_depot"]
    ka = model.parameter_values()["adalimumab_ka"]
    assert out[0.0] == 0.0  # before the first dose
    assert out[7.0] == pytest.approx(40.0 * np.exp(-7 * ka), rel=1e-5)  # before the second
    assert out[14.0] == pytest.approx(40.0 * (np.exp(-14 * ka) + np.exp(-7 * ka)), rel=1e-5)


def test_clearance_to_noise_level_is_not_a_failure() -> None:
    """A virus cleared from 1e8 copies/mL: CVODE noise of ~1e-6 around zero is not negative."""
    src = "test fixture"
    model = Model.compose(
        "clearance",
        [
            Module(
                "clearance",
                compartments=(Compartment("blood", 5.0, "L", source=src),),
                species=(Species("virus", "blood", 1e8, "copies/mL", source=src),),
                parameters=(Parameter("k", 1.0, "1/day", source=src),),
                reactions=(Reaction("clear", "k * virus", reactants={"virus": 1}),),
            )
        ],
    )
    # Day 40 happens to land where the solver's noise is about -3e-6 copies/mL (1e-14 of the peak).
    frame = Simulator(model).simulate(40.0, points_per_day=1)
    assert abs(frame["virus"].iloc[-1]) < 1e-4


@pytest.mark.parametrize("floor", [1e-100, 0.0])
def test_values_near_underflow_become_zero(floor: float) -> None:
    """A cleared population is set to exactly zero below the floor; above it, untouched.

    x0 = 1 decaying at 5/day crosses 1e-100 between day 46 (1.3e-100) and day 47
    (8.7e-103). Values that near double-precision underflow made CVODE fail after
    cleared infections (SimulationOptions.underflow_floor).
    """
    model = decay_model(5.0, 1.0)
    times = np.arange(0.0, 61.0)
    options = SimulationOptions(rtol=1e-9, atol=1e-300, underflow_floor=floor)
    got = Simulator(model, options).simulate(60, outputs=["x"], output_times=times)["x"]
    exact = np.exp(-5.0 * times)
    above = times <= 46
    np.testing.assert_allclose(got.to_numpy()[above], exact[above], rtol=1e-5)
    if floor:
        assert (got.to_numpy()[~above] == 0.0).all()
    else:
        np.testing.assert_allclose(got.to_numpy()[~above], exact[~above], rtol=1e-5)
