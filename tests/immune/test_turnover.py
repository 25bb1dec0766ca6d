"""Behaviour 3: turnover matches the reference table (IgG via FcRn, neutrophils, CRP, Tregs...).

Half-lives are measured the way they are measured in people: a labelled tracer (IgG),
or the decay after production stops (neutrophils, CRP), fitted on the simulated course.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from immunetwin import Module, Reaction, Schedule, Simulator, Species, StateChange
from immunetwin.immune import build_immune_model
from immunetwin.immune.scenarios import infection

from .reference import reference_range


def _half_life(times: np.ndarray, values: np.ndarray) -> float:
    slope = np.polyfit(times, np.log(values), 1)[0]
    return math.log(2) / -slope


@pytest.fixture(scope="module")
def tracer_sim():
    """The immune model plus a trace dose of labelled IgG sharing FcRn (like a mAb)."""
    tracer = Module(
        name="igg_tracer",
        description="Labelled human IgG at trace dose (test only).",
        species=[
            Species(
                name="igg_tracer",
                compartment="blood",
                initial=1.0,
                unit="mg/L",
                source="test: trace dose",
                description="Labelled IgG.",
            )
        ],
        reactions=[
            Reaction(
                name="igg_tracer_catabolism",
                rate="igg_elimination_rate * igg_tracer",
                reactants={"igg_tracer": 1},
                description="FcRn-limited catabolism.",
            )
        ],
    )
    return Simulator(build_immune_model(extra_modules=[tracer]))


def test_igg_half_life_through_fcrn(tracer_sim, physiology):
    times = np.arange(5.0, 60.0 + 1e-9, 1.0)
    frame = tracer_sim.simulate(until=60.0, outputs=["igg_tracer"], output_times=times)
    t_half = _half_life(times, frame["igg_tracer"].to_numpy())
    low, high = reference_range(physiology, "igg_halflife")
    assert low <= t_half <= high, f"IgG t1/2 {t_half:.1f} d"
    low, high = reference_range(physiology, "mab_terminal_halflife")
    assert low <= t_half <= high


def test_without_fcrn_igg_is_catabolised_much_faster(tracer_sim):
    times = np.arange(1.0, 10.0 + 1e-9, 0.5)
    normal = tracer_sim.simulate(until=10.0, outputs=["igg_tracer"], output_times=times)
    knockout = tracer_sim.simulate(
        until=10.0, outputs=["igg_tracer"], output_times=times, parameters={"fcrn_level": 0.0}
    )
    ratio = _half_life(times, normal["igg_tracer"].to_numpy()) / _half_life(
        times, knockout["igg_tracer"].to_numpy()
    )
    # physiology.csv igg_halflife note: FcRn-/- mice IgG t1/2 29.5 h vs 66 h (2.2-fold).
    assert ratio > 2.2


def test_high_dose_igg_saturates_fcrn(tracer_sim):
    # High-dose IVIG (2 g/kg ~ +20 g/L) saturates FcRn: every IgG is catabolised faster.
    times = np.arange(1.0, 14.0 + 1e-9, 1.0)
    ivig = Schedule((StateChange(time=0.0, target="igg_bulk", op="add", value=20.0),))
    normal = tracer_sim.simulate(until=14.0, outputs=["igg_tracer"], output_times=times)
    high = tracer_sim.simulate(
        until=14.0, outputs=["igg_tracer"], output_times=times, schedule=ivig
    )
    assert _half_life(times, high["igg_tracer"].to_numpy()) < 0.75 * _half_life(
        times, normal["igg_tracer"].to_numpy()
    )


def test_neutrophil_half_life_in_blood(sim, physiology):
    # Stop marrow release (empty the reserve and production), then watch blood neutrophils.
    stop = Schedule(
        (
            StateChange(time=0.0, target="neutrophils_marrow", op="set", value=0.0),
            StateChange(time=0.0, target="neutrophil_production_rate", op="set", value=0.0),
        )
    )
    times = np.linspace(0.0, 1.5, 37)
    frame = sim.simulate(until=1.5, outputs=["lab_neutrophils"], output_times=times, schedule=stop)
    t_half = _half_life(times[1:], frame["lab_neutrophils"].to_numpy()[1:])
    low, high = reference_range(physiology, "neutrophil_blood_halflife")
    assert low <= t_half <= high, f"neutrophil t1/2 {t_half:.2f} d"


def test_crp_half_life(sim, physiology):
    # After the acute-phase peak, stop hepatic synthesis and fit the decay.
    schedule = infection("bacterial", 0.0) + Schedule(
        (
            StateChange(time=3.0, target="crp_basal_synthesis", op="set", value=0.0),
            StateChange(time=3.0, target="crp_max_synthesis", op="set", value=0.0),
        )
    )
    times = np.linspace(3.0, 6.0, 25)
    frame = sim.simulate(until=6.0, outputs=["lab_crp"], output_times=times, schedule=schedule)
    t_half_h = 24.0 * _half_life(times[1:], frame["lab_crp"].to_numpy()[1:])
    low, high = reference_range(physiology, "crp_halflife")
    assert low <= t_half_h <= high, f"CRP t1/2 {t_half_h:.1f} h"


def test_treg_doubling_time(healthy_state, physiology):
    doubling = math.log(2) / healthy_state["treg_proliferation_rate"]
    low, high = reference_range(physiology, "treg_doubling")
    assert low <= doubling <= high, f"Treg doubling {doubling:.1f} d"


def test_memory_t_cell_division(healthy_state, physiology):
    percent_per_day = 100.0 * healthy_state["cd4_memory_division_rate"]
    low, high = reference_range(physiology, "memory_t_division")
    assert low <= percent_per_day <= high
