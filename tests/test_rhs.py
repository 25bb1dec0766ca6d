"""The generated right-hand side equals a hand-written one.

A small model with two compartments, transport between them, an amount species
(an SC depot), a flux given in amount per day, a reaction with stoichiometry 2,
assignment rules and a time-dependent rate. Both the reference solver's
generated Python and libRoadRunner's compiled SBML must give the hand-written
derivatives at random states and parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

from _models import BLOOD_L, TISSUE_L, small_model
from immunetwin import Simulator
from immunetwin.reference import compile_reference

SPECIES = ["T_blood", "T_tissue", "drug_depot", "drug", "il"]


def hand_written_rhs(t: float, y: dict[str, float], p: dict[str, float]) -> dict[str, float]:
    """Derivatives: concentrations per day for concentration species, mg/day for the depot."""
    inhibition = 1 / (1 + y["drug"] / p["ic50"])
    il_effect = y["il"] / (y["il"] + p["il_ec50"]) * inhibition
    division_drive = p["T_division"] * il_effect
    production = p["T_source"] * (2.0 if t > 10 else 1.0)  # cells/uL/day in blood
    homing_flux = p["homing"] * y["T_blood"] * BLOOD_L  # cells/uL * L / day
    egress_flux = p["egress"] * y["T_tissue"] * TISSUE_L
    absorption = p["ka"] * y["drug_depot"]  # mg/day
    return {
        "T_blood": production - homing_flux / BLOOD_L + egress_flux / BLOOD_L,
        "T_tissue": homing_flux / TISSUE_L
        - egress_flux / TISSUE_L
        + division_drive * y["T_tissue"]
        - p["T_death"] * y["T_tissue"],
        "drug_depot": -absorption,
        "drug": absorption / BLOOD_L - p["clearance"] * y["drug"] / BLOOD_L,
        "il": p["il_secretion"] * y["T_tissue"] - p["il_clearance"] * y["il"],
    }


def random_points(n: int) -> list[tuple[float, dict[str, float], dict[str, float]]]:
    model = small_model()
    rng = np.random.default_rng(20240601)
    points = []
    for _ in range(n):
        t = float(rng.uniform(0, 20))
        y = {s: float(rng.uniform(0.1, 200.0)) for s in SPECIES}
        p = {k: v * float(rng.lognormal(0, 0.5)) for k, v in model.parameter_values().items()}
        points.append((t, y, p))
    return points


def test_reference_rhs_equals_hand_written() -> None:
    reference = compile_reference(small_model())
    assert reference.species == SPECIES
    for t, y, p in random_points(25):
        state = np.array([y[s] for s in SPECIES])
        got = reference.rhs(t, state, reference.parameter_vector(p))
        want = hand_written_rhs(t, y, p)
        np.testing.assert_allclose(got, [want[s] for s in SPECIES], rtol=1e-12, atol=1e-12)


def test_reference_rules_equal_hand_written() -> None:
    reference = compile_reference(small_model())
    assert reference.rules == ["inhibition", "il_effect", "division_drive"]
    t, y, p = random_points(1)[0]
    values = reference.rule_values(
        t, np.array([y[s] for s in SPECIES]), reference.parameter_vector(p)
    )
    inhibition = 1 / (1 + y["drug"] / p["ic50"])
    il_effect = y["il"] / (y["il"] + p["il_ec50"]) * inhibition
    np.testing.assert_allclose(values, [inhibition, il_effect, p["T_division"] * il_effect])


def test_roadrunner_rates_equal_hand_written() -> None:
    sim = Simulator(small_model())
    assert sim.species == SPECIES
    assert sim.observables == ["inhibition", "il_effect", "division_drive"]
    rr = sim._rr
    for t, y, p in random_points(10):
        rr.resetAll()
        for name, value in p.items():
            rr.setValue(name, value)
        for name, value in y.items():
            rr.setValue(name if name == "drug_depot" else f"[{name}]", value)
        rr.model.setTime(t)
        rates = np.asarray(rr.model.getFloatingSpeciesConcentrationRates())
        want = hand_written_rhs(t, y, p)
        # libRoadRunner reports every rate as a concentration: the depot's mg/day / volume.
        expected = [want[s] / (BLOOD_L if s == "drug_depot" else 1.0) for s in SPECIES]
        np.testing.assert_allclose(rates, expected, rtol=1e-10, atol=1e-10)


def test_transport_conserves_cells() -> None:
    """Homing and egress alone move cells without creating any (counts, not concentrations)."""
    reference = compile_reference(small_model())
    p = small_model().parameter_values() | {
        "T_source": 0.0,
        "T_death": 0.0,
        "T_division": 0.0,
    }
    state = np.array([120.0, 30.0, 0.0, 0.0, 1.0])
    d = reference.rhs(5.0, state, reference.parameter_vector(p))
    assert d[0] * BLOOD_L + d[1] * TISSUE_L == pytest.approx(0.0, abs=1e-12)
