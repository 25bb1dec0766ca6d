"""Behaviour 4: immune deficiencies fail to clear what the healthy adult clears.

Each defect is given three years to reach its own steady state before the infection.
"""

from __future__ import annotations

import numpy as np
import pytest

from immunetwin.immune import DEFECTS
from immunetwin.immune.scenarios import CLEARED_LEVEL, igg_replacement, infection

from .reference import in_table_units, reference_range

ONSET = 3 * 365.0
LOAD = {"bacterial": "bacteria", "viral": "virus"}

CASES = [
    # defect, infection, reference id of the lab the defect lowers
    ("severe_lymphopenia", "viral", "lymphocytes_blood"),
    ("cvid", "bacterial", "igg_serum"),
    ("c4_deficiency", "bacterial", "c4_serum"),
    ("c1q_deficiency", "bacterial", None),
    ("neutropenia", "bacterial", "neutrophils_blood"),
]


def _course(sim, kind, parameters):
    times = np.concatenate([[ONSET - 1.0], ONSET + np.arange(0.0, 30.0 + 1e-9, 0.5)])
    outputs = [LOAD[kind], "lab_lymphocytes", "lab_igg", "lab_c4", "lab_neutrophils"]
    frame = sim.simulate(
        until=ONSET + 30.0,
        outputs=outputs,
        output_times=times,
        parameters=parameters,
        schedule=infection(kind, ONSET),
    )
    frame.index = frame.index - ONSET
    return frame


@pytest.mark.parametrize("kind", ["bacterial", "viral"])
def test_healthy_adult_clears_the_infection(sim, kind):
    frame = _course(sim, kind, {})
    assert frame.loc[14.0:, LOAD[kind]].max() < CLEARED_LEVEL


@pytest.mark.parametrize(("defect", "kind", "rid"), CASES)
def test_deficiency_fails_to_clear(sim, physiology, defect, kind, rid):
    frame = _course(sim, kind, dict(DEFECTS[defect].changes))
    before = frame.iloc[0]
    if rid is not None:
        low, _ = reference_range(physiology, rid)
        assert in_table_units(frame.iloc[[0]], rid)[0] < low, f"{defect} should lower {rid}"
    load = frame[LOAD[kind]]
    assert before[LOAD[kind]] == pytest.approx(0.0, abs=CLEARED_LEVEL)
    assert load.loc[14.0] > 1e3 * CLEARED_LEVEL, f"{defect} cleared the {kind} infection"
    assert load.loc[14.0:].min() > CLEARED_LEVEL


def test_igg_replacement_restores_igg_in_cvid(sim, physiology):
    cvid = dict(DEFECTS["cvid"].changes)
    # drugs.csv ivig: 0.4-0.6 g/kg every 3-4 weeks (replacement); 0.6 g/kg every 3 weeks.
    schedule = igg_replacement(
        dose_g_per_kg=0.6, interval_days=21.0, start=ONSET, until=ONSET + 365.0
    )
    troughs = ONSET + np.arange(21.0, 365.0, 21.0) - 1e-6
    times = np.concatenate([[ONSET - 1.0], troughs])
    frame = sim.simulate(
        until=times[-1], outputs=["lab_igg"], output_times=times, parameters=cvid, schedule=schedule
    )
    low, high = reference_range(physiology, "igg_serum")
    igg = in_table_units(frame, "igg_serum")
    assert igg[0] < low, "CVID starts hypogammaglobulinaemic"
    steady_troughs = igg[4:]  # after ~4 doses
    assert np.all(steady_troughs >= low) and np.all(steady_troughs <= high), steady_troughs
