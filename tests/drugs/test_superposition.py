"""Reference-result tests: repeated doses of a linear one-compartment drug against the analytic
superposition of single-dose solutions (IV bolus, zero-order infusion, first-order absorption)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from immunetwin.drugs import Drug, PKModel, Quantity, Route, simulate_regimens
from immunetwin.drugs._pk import steady_state_swing
from immunetwin.drugs.library import DRUGS
from immunetwin.drugs.regimen import AVERAGING_MAX_SWING

CL, V, KA, F = 2.0, 10.0, 3.0, 0.6  # L/day, L, 1/day, dimensionless
K = CL / V
TEST_DRUG = Drug(
    name="testdrug",
    display_name="test drug",
    drug_class="test",
    pk=PKModel(
        clearance=Quantity(CL, "L/day", "test value"),
        central_volume=Quantity(V, "L", "test value"),
        routes=(
            Route("iv", infusion_duration=Quantity(6.0, "h", "test value")),
            Route(
                "oral",
                bioavailability=Quantity(F, "dimensionless", "test value"),
                absorption_rate=Quantity(KA, "1/day", "test value"),
            ),
        ),
    ),
    mechanism=(),
    label_regimens=(),
    label_half_life="ln2 V / CL",
)
LIBRARY = {"testdrug": TEST_DRUG}
TIMES = np.linspace(0.0, 10.0, 241)[1:]


def simulate(text: str) -> np.ndarray:
    frame = simulate_regimens([text], 10.0, output_times=TIMES, library=LIBRARY)
    return frame["testdrug_concentration"].to_numpy()


def test_repeated_iv_bolus_is_a_sum_of_exponentials() -> None:
    doses = np.arange(0.0, 10.0, 0.5)
    expected = [sum(100 / V * math.exp(-K * (t - d)) for d in doses if d < t) for t in TIMES]
    # At a dose time the engine records the value before the dose (trough convention).
    np.testing.assert_allclose(
        simulate("testdrug 100 mg IV bolus twice daily"), expected, rtol=1e-6
    )


def test_repeated_oral_doses_superpose_bateman_functions() -> None:
    def bateman(dt: float) -> float:
        return F * 50 * KA / (V * (KA - K)) * (math.exp(-K * dt) - math.exp(-KA * dt))

    expected = [sum(bateman(t - d) for d in range(0, 10) if d < t) for t in TIMES]
    np.testing.assert_allclose(
        simulate("testdrug 50 mg oral daily"), expected, rtol=1e-6, atol=1e-12
    )


def test_repeated_infusions_superpose_zero_order_inputs() -> None:
    duration, rate = 0.25, 200 / 0.25  # days, mg/day

    def one(dt: float) -> float:
        if dt <= 0:
            return 0.0
        if dt <= duration:
            return rate / CL * (1 - math.exp(-K * dt))
        return rate / CL * (1 - math.exp(-K * duration)) * math.exp(-K * (dt - duration))

    expected = [sum(one(t - d) for d in (0.0, 3.0, 6.0, 9.0)) for t in TIMES]
    np.testing.assert_allclose(simulate("testdrug 200 mg IV every 3 days"), expected, rtol=1e-6)


def test_steady_state_trough_matches_the_accumulation_formula() -> None:
    tau, dose = 1.0, 100.0
    frame = simulate_regimens(
        ["testdrug 100 mg IV bolus daily"], 40.0, output_times=[39.0], library=LIBRARY
    )
    n = 39  # doses before day 39 (the one at day 39 is given after the observation)
    trough = dose / V * math.exp(-K * tau) * (1 - math.exp(-n * K * tau)) / (1 - math.exp(-K * tau))
    assert frame["testdrug_concentration"].iloc[0] == pytest.approx(trough, rel=1e-5)


# -- averaged dosing: each dose a constant input over its gap --------------------------------

assert TEST_DRUG.pk is not None
SLOW_EFFECT_DRUG = dataclasses.replace(
    TEST_DRUG,
    name="slowdrug",
    pk=dataclasses.replace(TEST_DRUG.pk, effect_half_life=Quantity(30.0, "day", "test value")),
)
SLOW_LIBRARY = {"slowdrug": SLOW_EFFECT_DRUG}


def test_averaged_oral_dosing_is_a_constant_input_through_the_depot() -> None:
    rate = 70.0 / 7.0  # mg/day: 70 mg weekly spread over each week

    def central(t: float) -> float:
        # Depot fed at R and emptied at KA; the bioavailable fraction enters the central
        # compartment, which clears at K.
        amount = (
            F
            * rate
            * ((1 - math.exp(-K * t)) / K - (math.exp(-KA * t) - math.exp(-K * t)) / (K - KA))
        )
        return amount / V

    frame = simulate_regimens(
        ["slowdrug 70 mg oral weekly, averaged"], 10.0, output_times=TIMES, library=SLOW_LIBRARY
    )
    expected = [central(t) for t in TIMES]
    np.testing.assert_allclose(frame["slowdrug_concentration"], expected, rtol=1e-6)


def test_averaged_dosing_keeps_the_steady_state_mean_of_the_doses() -> None:
    # Linear PK: at steady state a week of weekly doses averages F * R / CL, the level
    # the averaged input holds; averaging removes the swing around it, nothing else.
    week = np.linspace(70.0, 77.0, 7 * 96 + 1)
    level = F * 10.0 / CL
    weekly = simulate_regimens(
        ["slowdrug 70 mg oral weekly"], 77.0, output_times=week, library=SLOW_LIBRARY
    )["slowdrug_concentration"].to_numpy()
    averaged = simulate_regimens(
        ["slowdrug 70 mg oral weekly, averaged"], 77.0, output_times=week, library=SLOW_LIBRARY
    )["slowdrug_concentration"].to_numpy()
    mean_of_week = np.trapezoid(weekly, week) / 7.0
    assert mean_of_week == pytest.approx(level, rel=2e-3)
    np.testing.assert_allclose(averaged, level, rtol=1e-5)
    assert weekly.max() > 1.5 * level > 2 * weekly.min()  # the swing averaging removes


# -- the steady-state swing that decides whether a drug may be averaged ---------------------


def test_swing_of_a_one_compartment_iv_bolus_is_k_times_the_gap() -> None:
    # Peak P = 1 / (1 - exp(-k tau)), trough P exp(-k tau), mean 1 / (k tau) per unit dose.
    for gap in (0.5, 1.0, 3.0):
        assert steady_state_swing(TEST_DRUG, "iv", gap, points=2000) == pytest.approx(
            K * gap, rel=1e-5
        )


@pytest.mark.parametrize(
    ("drug", "route", "gap"),
    [
        ("hydroxychloroquine", "oral", 1.0),
        ("adalimumab", "sc", 14.0),
        ("mycophenolate", "oral", 0.5),
    ],
)
def test_swing_matches_the_simulated_steady_state_cycle(drug: str, route: str, gap: float) -> None:
    # Independent of the linear algebra: the engine's own doses, run to steady state.
    library = {drug: DRUGS[drug]}
    half_life = math.log(2) / (
        DRUGS[drug].pk.clearance.to("L/day", 70.0) / DRUGS[drug].pk.central_volume.to("L", 70.0)
    )
    cycles = max(40, math.ceil(8 * max(half_life, 1.0) / gap))
    end = cycles * gap
    times = np.linspace(end - gap, end, 801)
    text = f"{drug} 100 mg {route.upper()} every {gap * 24:g} hours"
    frame = simulate_regimens([text], end, output_times=times, library=library)
    level = frame[f"{drug}_concentration"].to_numpy()
    times = frame.index.to_numpy()
    simulated = (level.max() - level.min()) / (np.trapezoid(level, times) / gap)
    assert steady_state_swing(DRUGS[drug], route, gap) == pytest.approx(simulated, rel=0.02)


def test_averaged_hydroxychloroquine_keeps_the_daily_doses_mean_within_their_swing() -> None:
    library = {"hydroxychloroquine": DRUGS["hydroxychloroquine"]}
    times = np.arange(0.0, 360.25, 0.25)
    daily, averaged = (
        simulate_regimens([text], 360.0, output_times=times, library=library)[
            "hydroxychloroquine_concentration"
        ].to_numpy()
        for text in ("hydroxychloroquine 400 mg daily", "hydroxychloroquine 400 mg daily, averaged")
    )
    late = times >= 300.0
    swing = steady_state_swing(DRUGS["hydroxychloroquine"], "oral", 1.0)
    assert swing < AVERAGING_MAX_SWING
    # Over the last two months the means agree and no reading is further off than the swing.
    assert averaged[late].mean() == pytest.approx(daily[late].mean(), rel=2e-3)
    assert np.max(np.abs(averaged[late] / daily[late] - 1.0)) < swing
