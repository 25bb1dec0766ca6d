"""Red cells: haemoglobin recovery (analytic), anaemia of inflammation, ESR and IL-6 blockade."""

from __future__ import annotations

import math

import numpy as np
import pytest

from immunetwin import Schedule, StateChange
from immunetwin.diseases import DISEASES
from immunetwin.diseases.population import simulate_disease_patient

BLED_TO = 8.0  # g/dL


def test_recovery_after_a_bleed_follows_the_analytic_solution(model, sim, healthy_state):
    """With erythropoietin gain 1 and constant IL-6, d(H^2)/dt = 2 (H_inf^2 - H^2) / L.

    So H(t)^2 = H_inf^2 + (H0^2 - H_inf^2) exp(-2 t / L): recovery with a time constant
    of half the red-cell lifespan L. A bleed changes nothing upstream (no feedback on
    IL-6), so H_inf is the healthy steady state.
    """
    assert model.element("erythropoietin_gain").value == 1.0
    lifespan = float(model.element("red_cell_lifespan").value)
    steady = float(healthy_state["haemoglobin"])
    bleed = Schedule((StateChange(time=0.0, target="haemoglobin", op="set", value=BLED_TO),))
    times = np.array([0.0, 15.0, 30.0, 60.0, 120.0, 240.0])
    frame = sim.simulate(
        until=240.0, outputs=["lab_haemoglobin"], output_times=times, schedule=bleed
    )
    exact = np.sqrt(steady**2 + (BLED_TO**2 - steady**2) * np.exp(-2.0 * times[1:] / lifespan))
    np.testing.assert_allclose(frame["lab_haemoglobin"].to_numpy()[1:], exact, rtol=1e-4)


def test_healthy_haemoglobin_and_esr(healthy_state):
    # Textbook adult range 12-17.5 g/dL; ESR in health 0-20 mm/h (physiology.csv).
    assert 12.0 <= healthy_state["lab_haemoglobin"] <= 17.5
    assert 0.0 < healthy_state["lab_esr"] <= 20.0


@pytest.fixture(scope="module")
def ra_on_tocilizumab():
    return simulate_disease_patient(
        DISEASES["ra"], days=168.0, seed=4, regimens=["tocilizumab 8 mg/kg IV every 28 days"]
    )


def test_active_ra_is_mildly_anaemic_and_il6_blockade_lifts_haemoglobin(
    ra_on_tocilizumab, healthy_state
):
    trajectory, readouts = ra_on_tocilizumab
    baseline, week24 = readouts.loc[0.0], readouts.loc[168.0]
    print(
        f"\nRA haemoglobin {baseline['haemoglobin']:.1f} g/dL at the first tocilizumab dose, "
        f"{week24['haemoglobin']:.1f} at week 24 (healthy {healthy_state['haemoglobin']:.1f}); "
        f"ESR {baseline['esr']:.0f} -> {week24['esr']:.0f} mm/h"
    )
    # Anaemia of inflammation is mild to moderate (Weiss & Goodnough NEJM 2005).
    assert 10.0 <= baseline["haemoglobin"] < healthy_state["haemoglobin"] - 0.5
    # Blocking IL-6 releases hepcidin's hold on iron: haemoglobin rises within months,
    # no faster than red cells turn over (at most ~1/2 of the deficit per lifespan/2).
    assert week24["haemoglobin"] > baseline["haemoglobin"] + 0.5
    assert week24["haemoglobin"] <= healthy_state["haemoglobin"] + 0.5
    before = trajectory.loc[:0.0, "lab_haemoglobin"].iloc[-1]
    after_a_week = trajectory.loc[7.0:, "lab_haemoglobin"].iloc[0]
    assert after_a_week - before < 0.3
    assert math.isfinite(week24["esr"])
