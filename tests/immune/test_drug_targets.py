"""Drug target hooks: a drug acts on a named target of the immune model."""

from __future__ import annotations

import numpy as np

from immunetwin.immune import DRUG_TARGETS
from immunetwin.immune.scenarios import infection


def test_hooks_are_neutral_by_default(model):
    # Factor hooks (dimensionless) are 1 without drug; additive hooks (rates, infused
    # IgG) are 0.
    values = model.parameter_values()
    for target in DRUG_TARGETS:
        unit = model.element(target).unit
        assert values[target] == (1.0 if unit == "dimensionless" else 0.0), target
        assert target.endswith("_rate") or unit in ("dimensionless", "g/L"), target


def test_cd20_depletion_removes_b_cells_and_raises_baff(sim, healthy_state):
    frame = sim.simulate(
        until=180.0,
        outputs=["lab_b_cells", "lab_baff", "lab_igg"],
        output_times=[0.0, 180.0],
        parameters={"cd20_depletion_rate": 0.5},
    )
    end = frame.iloc[-1]
    assert end["lab_b_cells"] < 0.05 * healthy_state["lab_b_cells"]
    assert end["lab_baff"] > 1.5 * healthy_state["lab_baff"]  # BAFF rises after rituximab
    # Plasma cells are CD20-negative and spared, but the model's polyclonal plasma-cell pool
    # (t1/2 60 d) is renewed from memory B cells, so IgG falls faster than observed.
    assert end["lab_igg"] > 0.25 * healthy_state["lab_igg"]


def test_il6_receptor_blockade_blunts_crp_but_not_il6(sim):
    times = np.arange(0.0, 6.0 + 1e-9, 0.25)
    normal = sim.simulate(
        until=6.0,
        outputs=["lab_crp", "lab_il6"],
        output_times=times,
        schedule=infection("bacterial", 0.0),
    )
    blocked = sim.simulate(
        until=6.0,
        outputs=["lab_crp", "lab_il6"],
        output_times=times,
        parameters={"il6_receptor_signalling": 0.1},
        schedule=infection("bacterial", 0.0),
    )
    assert blocked["lab_crp"].max() < 0.3 * normal["lab_crp"].max()
    assert blocked["lab_il6"].max() > 0.5 * normal["lab_il6"].max()
