"""Behaviour 7: a sampled population of healthy adults stays in range with realistic spread."""

from __future__ import annotations

import numpy as np
import pytest

from immunetwin.population import run_population, sample_parameters

from .reference import LAB_FOR_REFERENCE, reference_range

N = 200
YEARS = 3.0


@pytest.fixture(scope="module")
def population(model):
    parameters = sample_parameters(model, N, seed=11)
    until = 365.0 * YEARS
    outputs = sorted({lab for lab, _ in LAB_FOR_REFERENCE.values()})
    run = run_population(
        model,
        parameters,
        until=until,
        outputs=outputs,
        output_times=np.array([0.0, until - 365.0, until]),
        workers=1,
    )
    assert run.n_failed == 0, run.status[~run.status["ok"]]
    return run.trajectories.sel(time=until), parameters


@pytest.mark.parametrize("rid", sorted(LAB_FOR_REFERENCE))
def test_at_least_90_percent_inside_each_normal_range(population, physiology, rid):
    final, _ = population
    lab, factor = LAB_FOR_REFERENCE[rid]
    values = final[lab].values * factor
    low, high = reference_range(physiology, rid)
    inside = np.mean((values >= low) & (values <= high))
    assert inside >= 0.90, f"{rid}: {inside:.0%} inside [{low}, {high}]"


@pytest.mark.parametrize(
    "rid",
    [
        "neutrophils_blood",
        "lymphocytes_blood",
        "cd4_blood",
        "cd8_blood",
        "b_cells_blood",
        "nk_blood",
        "igg_serum",
        "iga_serum",
        "igm_serum",
        "c3_serum",
        "c4_serum",
        "treg_fraction_cd4",
    ],
)
def test_spread_is_realistic(population, physiology, rid):
    """People differ: the 5-95% span covers a good part of the normal range, not a point."""
    final, _ = population
    lab, factor = LAB_FOR_REFERENCE[rid]
    values = final[lab].values * factor
    low, high = reference_range(physiology, rid)
    p5, p95 = np.percentile(values, [5, 95])
    assert (p95 - p5) >= 0.25 * (high - low), f"{rid}: 5-95% span {p5:.3g}-{p95:.3g}"
    assert np.std(np.log(values)) > 0.08


def test_population_is_reproducible(model):
    a = sample_parameters(model, 5, seed=3)
    b = sample_parameters(model, 5, seed=3)
    assert a.equals(b)
    assert len(a.columns) >= 40  # variability is declared on many parameters
