"""Outputs of every kind (species, amounts, rules, parameters) read as libRoadRunner reads them."""

from __future__ import annotations

import numpy as np
import roadrunner

from _models import small_model
from immunetwin import Schedule, SimulationOptions, Simulator, StateChange, to_sbml

# A rule, a concentration species, an amount species, a parameter, a nested rule.
OUTPUTS = ["division_drive", "T_tissue", "drug_depot", "il_ec50", "inhibition", "drug"]
TIGHT = SimulationOptions(rtol=1e-10, atol=1e-14)


def test_mixed_outputs_equal_roadrunner_values_before_and_after_a_jump() -> None:
    times = np.array([0.0, 2.0, 5.0, 7.5, 20.0])
    dose_day, dose_mg = 5.0, 80.0
    simulator = Simulator(small_model(), TIGHT)
    schedule = Schedule((StateChange(dose_day, "drug_depot", "add", dose_mg),))
    result = simulator.run(times, OUTPUTS, schedule=schedule)

    # Reference: a plain RoadRunner, one simulate call per dose-free segment, reading
    # each output through its selection string.
    rr = roadrunner.RoadRunner(to_sbml(small_model()))
    rr.integrator.relative_tolerance = TIGHT.rtol
    rr.integrator.absolute_tolerance = TIGHT.atol
    selections = [simulator._selection(o) for o in OUTPUTS]
    before = np.asarray(rr.simulate(times=[0.0, 2.0, dose_day], selections=selections))
    rr.setValue("drug_depot", rr.getValue("drug_depot") + dose_mg)
    after = np.asarray(rr.simulate(times=[dose_day, 7.5, 20.0], selections=selections))
    expected = np.vstack([before, after[1:]])

    np.testing.assert_allclose(result, expected, rtol=1e-7, atol=1e-12)
    # Outputs at a dose time are taken before the dose; the amount rises after it.
    assert result[2, 2] < 40.0 < result[3, 2]
