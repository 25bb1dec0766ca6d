"""Property tests (hypothesis): unit algebra, non-negativity, conservation, determinism."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from immunetwin._units import DIMENSIONLESS, Unit, parse_unit
from immunetwin.population import run_population
from immunetwin.reference import compile_reference

SRC = "property-test fixture"
SOLVES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- unit algebra ------------------------------------------------------------------------

UNIT_TEXTS = [
    "1/day",
    "cells/uL",
    "mg/L",
    "pg/mL",
    "nM",
    "L",
    "mL",
    "h",
    "mg",
    "IU/mL",
    "L/(day*kg)",
    "cells/uL/day",
    "dimensionless",
    "%",
    "mol",
    "week",
]

DIMENSIONS = ("day", "L", "g", "mol", "cell")
units = st.builds(
    lambda scale, exponents: Unit.of(
        scale, {dim: Fraction(e) for dim, e in zip(DIMENSIONS, exponents, strict=True)}
    ),
    st.floats(min_value=1e-6, max_value=1e6),
    st.lists(st.integers(min_value=-3, max_value=3), min_size=5, max_size=5),
)


@given(units, units, units)
def test_unit_algebra_is_a_group(a: Unit, b: Unit, c: Unit) -> None:
    assert (a * b) / b == a
    assert a * b == b * a
    assert (a * b) * c == a * (b * c)
    assert a / a == DIMENSIONLESS
    assert a * DIMENSIONLESS == a
    assert a**2 == a * a
    assert (a**2) ** Fraction(1, 2) == a
    assert (a * b).same_dimension(b * a)
    assert hash(a * b) == hash(b * a)


@given(st.sampled_from(UNIT_TEXTS), st.sampled_from(UNIT_TEXTS))
def test_parsed_products_and_quotients_match_the_algebra(x: str, y: str) -> None:
    assert parse_unit(f"({x})*({y})") == parse_unit(x) * parse_unit(y)
    assert parse_unit(f"({x})/({y})") == parse_unit(x) / parse_unit(y)
    assert parse_unit(f"1/({x})") == DIMENSIONLESS / parse_unit(x)


# -- a mass-action network stays non-negative --------------------------------------------


def mass_action_model() -> Model:
    rates = {
        "k_bind": "1/((cells/uL)*day)",
        "k_unbind": "1/day",
        "k_activate": "1/day",
        "k_decay": "1/day",
        "k_clear": "1/day",
        "source_rate": "cells/uL/day",
    }
    module = Module(
        "mass_action",
        compartments=(Compartment("blood", 5.0, "L", source=SRC),),
        species=tuple(
            Species(name, "blood", value, "cells/uL", source=SRC)
            for name, value in (("A", 10.0), ("B", 5.0), ("C", 0.0), ("D", 0.0))
        ),
        parameters=tuple(Parameter(n, 1.0, u, source=SRC) for n, u in rates.items()),
        reactions=(
            Reaction("bind", "k_bind * A * B", {"A": 1, "B": 1}, {"C": 1}),
            Reaction("unbind", "k_unbind * C", {"C": 1}, {"A": 1, "B": 1}),
            Reaction("activate", "k_activate * C", {"C": 1}, {"D": 1, "B": 1}),
            Reaction("decay", "k_decay * D", reactants={"D": 1}),
            Reaction("clear_A", "k_clear * A", reactants={"A": 1}),
            Reaction("supply_A", "source_rate", products={"A": 1}),
        ),
    )
    return Model.compose("mass_action", [module])


MASS_ACTION = Simulator(mass_action_model())
rate_constant = st.floats(min_value=1e-3, max_value=1e3)


@SOLVES
@given(st.fixed_dictionaries({p: rate_constant for p in MASS_ACTION.parameters}))
def test_mass_action_solutions_stay_non_negative(rates: dict[str, float]) -> None:
    frame = MASS_ACTION.simulate(20.0, parameters=rates, points_per_day=5)
    values = frame.to_numpy()
    assert np.all(np.isfinite(values))
    assert values.min() >= -1e-6 * (1.0 + np.abs(values).max())


# -- a closed transport model conserves mass ---------------------------------------------

VOLUMES = {"blood": 5.0, "lymph": 2.0, "spleen": 0.2}


def transport_model() -> Model:
    names = list(VOLUMES)
    reactions, parameters = [], []
    for source in names:
        for target in names:
            if source != target:
                k = f"k_{source}_to_{target}"
                parameters.append(Parameter(k, 1.0, "1/day", source=SRC))
                reactions.append(
                    Reaction(
                        f"move_{source}_to_{target}",
                        f"{k} * T_{source}",
                        {f"T_{source}": 1},
                        {f"T_{target}": 1},
                        compartment=source,
                    )
                )
    # Binding inside the spleen: cells are conserved as free + bound.
    parameters += [
        Parameter("k_on", 1.0, "1/day", source=SRC),
        Parameter("k_off", 1.0, "1/day", source=SRC),
    ]
    reactions += [
        Reaction("bind", "k_on * T_spleen", {"T_spleen": 1}, {"T_bound": 1}),
        Reaction("release", "k_off * T_bound", {"T_bound": 1}, {"T_spleen": 1}),
    ]
    module = Module(
        "transport",
        compartments=tuple(Compartment(n, v, "L", source=SRC) for n, v in VOLUMES.items()),
        species=(
            *(Species(f"T_{n}", n, 100.0, "cells/uL", source=SRC) for n in names),
            Species("T_bound", "spleen", 0.0, "cells/uL", source=SRC),
        ),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
    )
    return Model.compose("transport", [module])


TRANSPORT = transport_model()
TRANSPORT_SIM = Simulator(TRANSPORT, SimulationOptions(rtol=1e-9, atol=1e-9))
TRANSPORT_REFERENCE = compile_reference(TRANSPORT)


def total_cells(frame: pd.DataFrame) -> np.ndarray:
    total = sum(frame[f"T_{n}"] * v for n, v in VOLUMES.items())
    return np.asarray(total + frame["T_bound"] * VOLUMES["spleen"])


@SOLVES
@given(
    st.fixed_dictionaries({p.name: st.floats(0.0, 50.0) for p in TRANSPORT.parameters}),
    st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e4)), min_size=3, max_size=3),
)
def test_closed_transport_conserves_cells(rates: dict[str, float], initial: list[float]) -> None:
    start = Schedule(
        tuple(
            StateChange(0.0, f"T_{n}", "set", value)
            for n, value in zip(VOLUMES, initial, strict=True)
        )
    )
    frame = TRANSPORT_SIM.simulate(10.0, parameters=rates, schedule=start, points_per_day=2)
    total = total_cells(frame)
    expected = sum(value * v for value, v in zip(initial, VOLUMES.values(), strict=True))
    # Row 0 is observed before the changes at time 0 (the declared initial values).
    np.testing.assert_allclose(total[1:], expected, rtol=1e-6, atol=1e-6)
    # The generated right-hand side conserves it exactly, at any state.
    y = np.array([*initial, 7.0])
    d = TRANSPORT_REFERENCE.rhs(0.0, y, TRANSPORT_REFERENCE.parameter_vector(rates))
    flux_sum = sum(d[i] * v for i, v in enumerate(VOLUMES.values())) + d[3] * VOLUMES["spleen"]
    assert abs(flux_sum) <= 1e-9 * (1.0 + np.abs(d).max() * max(VOLUMES.values()))


# -- determinism -------------------------------------------------------------------------


@SOLVES
@given(
    st.fixed_dictionaries({p: rate_constant for p in MASS_ACTION.parameters}),
    st.floats(0.5, 30.0),
)
def test_a_solve_is_bitwise_repeatable(rates: dict[str, float], dose: float) -> None:
    schedule = Schedule((StateChange(3.0, "A", "add", dose), StateChange(7.5, "B", "add", dose)))
    first = MASS_ACTION.simulate(12.0, parameters=rates, schedule=schedule)
    # Another patient in between must leave no trace (reset before every patient).
    MASS_ACTION.simulate(12.0, parameters={p: 1.0 for p in rates})
    second = MASS_ACTION.simulate(12.0, parameters=rates, schedule=schedule)
    pd.testing.assert_frame_equal(first, second, check_exact=True)


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=0, max_value=2**32 - 1))
def test_population_is_independent_of_chunk_size(chunk_size: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    parameters = pd.DataFrame(
        {p: rng.lognormal(0.0, 0.5, 9) for p in ("k_bind", "k_decay")},
        index=pd.RangeIndex(9, name="patient_id"),
    )
    model = mass_action_model()
    outputs = ["A", "D"]
    whole = run_population(model, parameters, 10.0, outputs, workers=1, chunk_size=9)
    chunked = run_population(model, parameters, 10.0, outputs, workers=1, chunk_size=chunk_size)
    for name in outputs:
        np.testing.assert_array_equal(chunked.trajectories[name], whole.trajectories[name])
