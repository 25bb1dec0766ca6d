"""Behaviour 2: infections are cleared; CRP kinetics; IgM then IgG; faster, larger secondary IgG."""

from __future__ import annotations

import numpy as np
import pytest

from immunetwin.immune.scenarios import CLEARED_LEVEL, infection

from .reference import reference_range

HOURLY = np.arange(0.0, 60.0 + 1e-9, 1.0 / 24.0)


@pytest.fixture(scope="module")
def bacterial(sim):
    outputs = [
        "bacteria",
        "lab_crp",
        "lab_neutrophils",
        "lab_il6",
        "igm_bacterial",
        "igg_bacterial",
    ]
    return sim.simulate(
        until=60.0, outputs=outputs, output_times=HOURLY, schedule=infection("bacterial", 0.0)
    )


@pytest.fixture(scope="module")
def viral(sim):
    outputs = [
        "virus",
        "cd8_effector_viral",
        "lab_ifn_alpha",
        "igm_viral",
        "igg_viral",
        "cd8_naive",
        "viral_cd8_precursor_frequency",
    ]
    return sim.simulate(
        until=60.0,
        outputs=outputs,
        output_times=np.arange(0, 60.01, 0.25),
        schedule=infection("viral", 0.0),
    )


def _first_time(frame, column, condition):
    hits = frame.index[condition(frame[column].to_numpy())]
    return float(hits.min()) if len(hits) else np.inf


def test_bacterial_infection_is_cleared(bacterial):
    assert bacterial["bacteria"].max() > 100 * CLEARED_LEVEL
    assert bacterial.loc[5.0:, "bacteria"].max() < CLEARED_LEVEL


def test_viral_infection_is_cleared(viral):
    assert viral["virus"].max() > 1e3 * viral["virus"].iloc[0]
    assert viral.loc[21.0:, "virus"].max() < CLEARED_LEVEL


def test_crp_rises_within_a_day_and_peaks_36_to_50_h(bacterial, physiology):
    _, normal_high = reference_range(physiology, "crp_normal")
    crp = bacterial["lab_crp"]
    assert crp.loc[1.0] > normal_high, "CRP must rise above normal within 24 h"
    peak_h = 24.0 * float(crp.idxmax())
    low, high = reference_range(physiology, "crp_peak_time")
    assert low <= peak_h <= high, f"CRP peaks at {peak_h:.0f} h"
    low, high = reference_range(physiology, "crp_bacterial")
    assert low <= crp.max() <= high


def test_crp_doubles_roughly_every_8_hours_early(bacterial):
    # physiology.csv crp_bacterial note: "doubles every ~8 h"
    crp = bacterial["lab_crp"]
    doubling = 8.0 / np.log2(crp.loc[16 / 24] / crp.loc[8 / 24])
    assert 4.0 <= doubling <= 12.0


def test_bacterial_infection_causes_neutrophilia(bacterial, physiology):
    _, high = reference_range(physiology, "neutrophils_blood")
    assert bacterial["lab_neutrophils"].max() > high


def test_cd8_clonal_expansion(viral, physiology):
    naive = (viral["viral_cd8_precursor_frequency"] * viral["cd8_naive"]).iloc[0]
    fold = viral["cd8_effector_viral"].max() / naive
    low, high = reference_range(physiology, "t_expansion")
    assert low <= fold <= high, f"expansion {fold:.3g}-fold"


def test_viral_infection_raises_type_one_interferon(viral, physiology):
    _, high = reference_range(physiology, "ifna_normal")
    assert viral["lab_ifn_alpha"].max() > 100 * high
    assert viral["lab_ifn_alpha"].iloc[-1] < high


def test_primary_response_igm_then_igg_peaking_days_7_to_14(bacterial, physiology):
    igm_peak = float(bacterial["igm_bacterial"].idxmax())
    igg_peak = float(bacterial["igg_bacterial"].idxmax())
    low, high = reference_range(physiology, "primary_ab_peak")
    assert igm_peak < igg_peak
    assert low <= igg_peak <= high, f"IgG peaks on day {igg_peak:.1f}"
    # IgM is detectable first (10% of its own peak) and the lag is a few days.
    igm_rise = _first_time(bacterial, "igm_bacterial", lambda v: v > 0.1 * v.max())
    igg_rise = _first_time(bacterial, "igg_bacterial", lambda v: v > 0.1 * v.max())
    assert igm_rise < igg_rise


def test_second_exposure_gives_faster_larger_igg(sim, physiology):
    kind = "bacterial"
    second = 120.0
    schedule = infection(kind, 0.0) + infection(kind, second)
    times = np.arange(0.0, second + 60.0 + 1e-9, 0.25)
    frame = sim.simulate(
        until=second + 60.0, outputs=[f"igg_{kind}"], output_times=times, schedule=schedule
    )
    igg = frame[f"igg_{kind}"]
    primary = igg.loc[: second - 0.25]
    secondary = igg.loc[second:] - igg.loc[second]
    secondary.index = secondary.index - second
    assert secondary.max() > 2.0 * primary.max(), "secondary IgG must be larger"
    half = 0.5 * primary.max()
    t_primary = float(primary.index[primary.to_numpy() > half].min())
    t_secondary = float(secondary.index[secondary.to_numpy() > half].min())
    assert t_secondary < t_primary, "secondary IgG must rise faster"
    _, high = reference_range(physiology, "secondary_ab")
    assert t_secondary <= high


def test_memory_protects_against_viral_reinfection(sim):
    second = 120.0
    schedule = infection("viral", 0.0) + infection("viral", second)
    times = np.arange(0.0, second + 60.0 + 1e-9, 0.25)
    frame = sim.simulate(
        until=second + 60.0, outputs=["virus"], output_times=times, schedule=schedule
    )
    primary = frame["virus"].loc[: second - 0.25]
    secondary = frame["virus"].loc[second:]
    assert secondary.max() < 0.1 * primary.max()
    t_primary = float(primary.index[(primary < CLEARED_LEVEL) & (primary.index > 1)].min())
    cleared = secondary.index[(secondary < CLEARED_LEVEL) & (secondary.index > second + 0.5)]
    assert float(cleared.min()) - second < t_primary


def test_a_bacterial_infection_brings_fever_that_resolves(bacterial):
    """The symptom readout on the infection's IL-6: febrile at the peak, afebrile after."""
    from immunetwin.diseases.readouts import FEVER_C, body_temperature

    temperature = np.array([body_temperature(x) for x in bacterial["lab_il6"]])
    assert temperature[0] < 37.0
    assert temperature.max() > FEVER_C
    febrile_hours = int((temperature > FEVER_C).sum())
    # Fever lasts hours to a few days in a cleared infection, not the whole course.
    assert 1 <= febrile_hours <= 4 * 24
    assert temperature[-1] < 37.0
