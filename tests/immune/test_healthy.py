"""Behaviour 1: a healthy adult holds a steady state for 10 years with every lab in range."""

from __future__ import annotations

import numpy as np
import pytest

from immunetwin.immune import ORGANS

from .reference import LAB_FOR_REFERENCE, in_table_units, reference_range

TEN_YEARS = 3652.5


@pytest.fixture(scope="module")
def decade(sim):
    times = np.linspace(0.0, TEN_YEARS, 121)  # monthly
    outputs = sorted(
        {lab for lab, _ in LAB_FOR_REFERENCE.values()}
        | {
            "lab_platelets",
            "lab_ana_titre",
            "lab_anti_dsdna",
            "nuclear_antigen",
            "apoptotic_cells",
            "immune_complexes",
            *(f"{o}_function" for o in ORGANS),
            *(f"{o}_effector_t" for o in ORGANS),
            *(f"{o}_antigen" for o in ORGANS),
        }
        | set(sim.species)
    )
    return sim.simulate(until=TEN_YEARS, outputs=outputs, output_times=times)


@pytest.mark.parametrize("rid", sorted(LAB_FOR_REFERENCE))
def test_every_lab_stays_in_its_normal_range_for_ten_years(decade, physiology, rid):
    low, high = reference_range(physiology, rid)
    values = in_table_units(decade, rid)
    assert np.all(values >= low) and np.all(values <= high), (
        f"{rid}: {values.min():.4g}-{values.max():.4g} outside [{low}, {high}]"
    )


@pytest.mark.parametrize("rid", sorted(LAB_FOR_REFERENCE))
def test_steady_state_does_not_drift(decade, rid):
    values = in_table_units(decade, rid)
    assert abs(values[-1] / values[0] - 1) < 0.03, (
        f"{rid} drifts {values[0]:.4g} -> {values[-1]:.4g}"
    )


def test_populations_never_negative(decade, sim):
    assert (decade[sim.species].to_numpy() >= -1e-9).all()


def test_self_antigen_is_present_but_no_autoimmunity(decade, ana_positive):
    # Self antigen: nuclear antigen from apoptotic cells and organ antigen from turnover.
    assert decade["nuclear_antigen"].min() > 1.0  # ng/mL of cell-free chromatin
    assert decade["apoptotic_cells"].min() > 0.0
    for organ in ORGANS:
        assert decade[f"{organ}_antigen"].min() >= 1.0
        assert decade[f"{organ}_function"].min() > 95.0, organ
        assert decade[f"{organ}_effector_t"].max() < 0.1, organ
    assert decade["lab_ana_titre"].max() < ana_positive
    assert decade["lab_platelets"].min() > 150_000  # textbook lower limit (not in the table)


def test_the_optional_organs_start_at_their_healthy_steady_state():
    """Liver and lung (added by a disease) hold their stored state for a year, and adding
    them moves the shared species by less than 0.1% against the default model."""
    from immunetwin import Simulator
    from immunetwin.immune import OPTIONAL_ORGANS, build_immune_model

    shared = ["crp", "c3", "cd4_naive", "treg", "igg_auto", "immune_complexes", "tnf", "il6"]
    frames = []
    for organs in (ORGANS, (*ORGANS, *OPTIONAL_ORGANS)):
        simulator = Simulator(build_immune_model(organs=organs))
        outputs = [*shared, *(s for s in simulator.species if s.startswith(OPTIONAL_ORGANS))]
        frames.append(simulator.simulate(until=365.0, outputs=outputs, output_times=[0.0, 365.0]))
    default, with_optional = frames
    start, end = with_optional.iloc[0], with_optional.iloc[-1]
    for organ in OPTIONAL_ORGANS:
        for state in ("parenchyma", "inflammation", "effector_t"):
            name = f"{organ}_{state}"
            assert end[name] == pytest.approx(start[name], rel=0.01), name
    for name in shared:
        assert end[name] == pytest.approx(default[name].iloc[-1], rel=1e-3), name
