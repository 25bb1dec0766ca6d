"""Lupus flare triggers: the schedule, the mechanism they act through, and their calibration.

Calibration statement (immunetwin.diseases.sle): triggers come at the Hopkins Lupus Cohort
flare incidence, 0.65 per patient-year, and one of median size raises the noise-free
SLEDAI-2K of established lupus by 3.0 at its peak on average (Petri et al. Arthritis
Rheum 1991: mean SLEDAI rise at a flare).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin.diseases import SLE
from immunetwin.diseases.population import disease_model, sample_disease_patients
from immunetwin.diseases.sle import (
    FLARE_BURST_MEDIAN,
    FLARE_TRIGGER_RATE_PER_YEAR,
    sle_flare_triggers,
)
from immunetwin.engine import Schedule, Simulator, StateChange

TRIGGER_DAY = 1500.0  # well after onset (SLE.enrolment_day is 3 years)


class _NoiseFree:
    """An observation generator whose normals are all zero (no seed sequence: no traits)."""

    class _BitGenerator:
        seed_seq = None

    bit_generator = _BitGenerator()

    def standard_normal(self, n: int) -> np.ndarray:
        return np.zeros(n)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    start=st.floats(0.0, 2000.0),
    days=st.floats(1.0, 3650.0),
)
def test_triggers_fall_in_the_window_and_add_positive_activation(seed, start, days):
    schedule = sle_flare_triggers(0, np.random.default_rng(seed), start, days)
    times = [c.time for c in schedule.changes]
    assert times == sorted(times)
    assert all(start <= t < start + days for t in times)
    assert all(c.target == "self_flare_activation" and c.op == "add" for c in schedule.changes)
    assert all(c.value > 0 and math.isfinite(c.value) for c in schedule.changes)
    again = sle_flare_triggers(0, np.random.default_rng(seed), start, days)
    assert again == schedule  # one generator state, one schedule


def test_trigger_rate_is_the_cohort_flare_incidence():
    years = 10.0
    counts = [
        len(sle_flare_triggers(0, np.random.default_rng(seed), 0.0, 365.0 * years).changes)
        for seed in range(2000)
    ]
    rate = np.mean(counts) / years
    # Gamma(1.5)-mixed Poisson: count variance mean * (1 + mean/1.5); 4 SE of the mean.
    mean_count = FLARE_TRIGGER_RATE_PER_YEAR * years
    se = math.sqrt(mean_count * (1 + mean_count / 1.5) / len(counts)) / years
    print(f"\nflare triggers {rate:.3f}/patient-year (Petri 1991 flares 0.65)")
    assert abs(rate - FLARE_TRIGGER_RATE_PER_YEAR) < 4 * se
    # Overdispersed: more patients without any trigger than a plain Poisson gives.
    none_share = np.mean(np.asarray(counts) == 0)
    assert none_share > math.exp(-mean_count)


@pytest.fixture(scope="module")
def established():
    """Patients of an SLE population with active disease before the trigger day."""
    model = disease_model(SLE)
    _, parameters = sample_disease_patients(SLE, 160, 3, model=model)
    simulator = Simulator(model)
    indices = simulator.parameter_indices(list(parameters.columns))
    times = np.union1d(np.arange(0.0, TRIGGER_DAY, 91.0), np.arange(TRIGGER_DAY, 1700.0, 7.0))
    outputs = list(SLE.outputs)
    rows = []
    for pid in parameters.index:
        values = parameters.loc[pid].to_numpy(dtype=float)
        base = pd.DataFrame(
            simulator.run(times, outputs, indices, values, Schedule()), index=times, columns=outputs
        )
        before = SLE.readouts(base.loc[:TRIGGER_DAY], _NoiseFree())
        if before["has_disease"]:
            rows.append((values, base, before))
        if len(rows) == 30:
            break
    return simulator, indices, times, outputs, rows


def test_a_median_trigger_flares_established_lupus_by_three_sledai_points(established):
    simulator, indices, times, outputs, rows = established
    assert len(rows) == 30
    trigger = Schedule(
        (StateChange(TRIGGER_DAY, "self_flare_activation", "add", FLARE_BURST_MEDIAN),)
    )
    rises, c3_ratio, dsdna_ratio, recovered = [], [], [], []
    for values, base, before in rows:
        flare = pd.DataFrame(
            simulator.run(times, outputs, indices, values, trigger), index=times, columns=outputs
        )
        after = [SLE.readouts(flare.loc[:t], _NoiseFree()) for t in times[times > TRIGGER_DAY]]
        peak = max(after, key=lambda r: r["sledai_2k"])
        rises.append(peak["sledai_2k"] - before["sledai_2k"])
        c3_ratio.append(
            flare["lab_c3"].loc[TRIGGER_DAY + 14] / base["lab_c3"].loc[TRIGGER_DAY + 14]
        )
        dsdna_ratio.append(
            flare["lab_anti_dsdna"].loc[TRIGGER_DAY + 14]
            / base["lab_anti_dsdna"].loc[TRIGGER_DAY + 14]
        )
        # The flare subsides: back within 5% of the untriggered course after ~6 months.
        last = times[-1]
        recovered.append(
            abs(flare["lab_anti_dsdna"].loc[last] / base["lab_anti_dsdna"].loc[last] - 1) < 0.05
        )
    rises_arr = np.asarray(rises, dtype=float)
    print(
        f"\nmedian trigger: peak SLEDAI-2K rise {rises_arr.mean():.2f} (Petri 1991: 3.0); "
        f"C3 x{np.median(c3_ratio):.2f}, anti-dsDNA x{np.median(dsdna_ratio):.2f} at 2 weeks"
    )
    # Tolerance: 2 standard errors of the mean over the 30 patients.
    se = rises_arr.std(ddof=1) / math.sqrt(len(rises_arr))
    assert abs(rises_arr.mean() - 3.0) <= 2 * se
    # The flare's signature (Petri 1991): complement falls, anti-dsDNA rises.
    assert np.median(c3_ratio) < 0.95 and np.median(dsdna_ratio) > 1.2
    assert all(recovered)


def test_a_trigger_in_health_passes_without_onset():
    """Health is stable: even a large trigger's rise of natural autoantibody subsides."""
    from immunetwin.immune import build_immune_model

    simulator = Simulator(build_immune_model())
    times = np.array([0.0, 14.0, 365.0])
    outputs = ["igg_auto", "c3", "plasmablasts_self"]
    trigger = Schedule((StateChange(0.0, "self_flare_activation", "add", 10.0),))
    with_trigger = simulator.simulate(
        until=365.0, outputs=outputs, output_times=times, schedule=trigger
    )
    without = simulator.simulate(until=365.0, outputs=outputs, output_times=times)
    assert with_trigger["plasmablasts_self"].iloc[1] > 2 * without["plasmablasts_self"].iloc[1]
    np.testing.assert_allclose(with_trigger[outputs].iloc[-1], without[outputs].iloc[-1], rtol=0.01)
