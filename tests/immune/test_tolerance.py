"""Behaviour 5: tolerance failures (IPEX, ALPS, APS-1, checkpoint blockade, slow clearance)."""

from __future__ import annotations

import numpy as np
import pytest

from immunetwin.immune import DEFECTS, ORGAN_SPECS, ORGANS
from immunetwin.population import run_population, sample_parameters

from .reference import reference_range

FUNCTIONS = [f"{o}_function" for o in ORGANS]


def _run(sim, defect, until, times=None):
    outputs = [
        *FUNCTIONS,
        "lab_lymphocytes",
        "lab_platelets",
        "lab_treg_percent",
        "lab_ana_titre",
        "lab_anti_dsdna",
        "lab_immune_complexes",
        "lab_c3",
        "lab_c4",
        "lab_ifn_alpha",
        "igg_auto",
        "kidney_ic_deposits",
        "skin_ic_deposits",
    ]
    changes = dict(DEFECTS[defect].changes) if defect else {}
    times = np.array([0.0, until]) if times is None else times
    return sim.simulate(until=until, outputs=outputs, output_times=times, parameters=changes)


@pytest.fixture(scope="module")
def healthy(sim):
    return _run(sim, None, 3 * 365.0).iloc[-1]


def test_ipex_early_multi_organ_autoimmunity(sim, physiology):
    frame = _run(sim, "ipex", 180.0, times=np.array([0.0, 90.0, 180.0]))
    at_six_months = frame.iloc[-1]
    affected = [o for o in ORGANS if at_six_months[f"{o}_function"] < 80.0]
    assert len(affected) >= 3, f"only {affected} affected"
    assert {"gut", "islets"} <= set(affected)  # enteropathy and diabetes: the IPEX hallmarks
    low, _ = reference_range(physiology, "treg_fraction_cd4")
    assert at_six_months["lab_treg_percent"] < low


def test_alps_lymphoproliferation_with_autoimmune_cytopenia(sim, healthy, physiology):
    alps = _run(sim, "alps", 2 * 365.0).iloc[-1]
    assert alps["lab_lymphocytes"] > 1.5 * healthy["lab_lymphocytes"]
    assert alps["igg_auto"] > 5.0 * healthy["igg_auto"]
    assert alps["lab_platelets"] < 150_000  # textbook thrombocytopenia threshold
    assert alps["lab_platelets"] < 0.6 * healthy["lab_platelets"]


def test_aps1_autoimmunity_against_several_aire_dependent_organs(sim):
    aps1 = _run(sim, "aps1", 3 * 365.0).iloc[-1]
    affected = {o for o in ORGANS if aps1[f"{o}_function"] < 90.0}
    assert len(affected) >= 2, affected
    # Only organs with substantial AIRE dependence (islets 0.45, calibrated to the ~10-20%
    # of APS-1 patients with diabetes: the median patient loses some beta cells).
    assert all(ORGAN_SPECS[o].aire_dependence >= 0.4 for o in affected)
    spared = {o for o in ORGANS if ORGAN_SPECS[o].aire_dependence < 0.2}
    assert all(aps1[f"{o}_function"] > 95.0 for o in spared)


@pytest.fixture(scope="module")
def checkpoint_population(model):
    parameters = sample_parameters(model, 100, seed=2024)
    outputs = FUNCTIONS
    results = {}
    for name, changes in {
        "control": {},
        "pd1": DEFECTS["pd1_blockade"].changes,
        "ctla4": DEFECTS["ctla4_blockade"].changes,
    }.items():
        frame = parameters.copy()
        for key, value in changes.items():
            frame[key] = value
        run = run_population(
            model,
            frame,
            until=365.0,
            outputs=outputs,
            output_times=np.array([0.0, 365.0]),
            workers=1,
        )
        assert run.n_failed == 0
        final = run.trajectories.sel(time=365.0)
        functions = np.stack([final[f].values for f in FUNCTIONS], axis=1)
        results[name] = (functions < 90.0).any(axis=1)
    return results


def test_checkpoint_blockade_autoimmunity_in_a_susceptible_fraction(checkpoint_population):
    control = checkpoint_population["control"].mean()
    for blockade in ("pd1", "ctla4"):
        fraction = checkpoint_population[blockade].mean()
        assert 0.05 <= fraction <= 0.8, f"{blockade}: {fraction:.2f} affected"
        assert fraction > control + 0.05
    assert control <= 0.02
    # Susceptibility is individual: whoever is affected without blockade is affected with it.
    assert not np.any(checkpoint_population["control"] & ~checkpoint_population["pd1"])


def test_slow_apoptotic_clearance_gives_the_lupus_picture(sim, healthy, physiology, ana_positive):
    lupus = _run(sim, "slow_apoptotic_clearance", 3 * 365.0).iloc[-1]
    # Antinuclear antibodies.
    assert lupus["lab_ana_titre"] >= ana_positive > healthy["lab_ana_titre"]
    assert lupus["lab_anti_dsdna"] > 5.0 * healthy["lab_anti_dsdna"]
    # Immune complexes and complement consumption.
    assert lupus["lab_immune_complexes"] > 10.0 * healthy["lab_immune_complexes"]
    c4_low, _ = reference_range(physiology, "c4_serum")
    assert 100.0 * lupus["lab_c4"] < c4_low
    assert lupus["lab_c3"] < 0.8 * healthy["lab_c3"]
    # Deposition in distant organs (kidney, skin).
    assert lupus["kidney_ic_deposits"] > 10.0 * healthy["kidney_ic_deposits"]
    assert lupus["skin_ic_deposits"] > 10.0 * healthy["skin_ic_deposits"]
    # Interferon signature.
    _, ifn_high = reference_range(physiology, "ifna_normal")
    assert lupus["lab_ifn_alpha"] > ifn_high


def test_c1q_deficiency_also_gives_antinuclear_antibodies(sim, healthy, ana_positive):
    # C1q deficiency is the strongest genetic risk for SLE (apoptotic-cell clearance).
    c1q = _run(sim, "c1q_deficiency", 3 * 365.0).iloc[-1]
    assert c1q["lab_ana_titre"] > healthy["lab_ana_titre"]
