"""Hashimoto's thyroiditis: HPT-axis observation model and a virtual population."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin.diseases import THYROIDITIS, virtual_population
from immunetwin.diseases.thyroiditis import (
    ANTI_TPO_POSITIVE,
    FT4_SET_POINT,
    TSH_HIGH,
    TSH_SET_POINT,
    anti_tpo,
    hpt_equilibrium,
    thyroid_labs,
)
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE


def test_normal_thyroid_sits_at_the_set_point():
    tsh, ft4 = hpt_equilibrium(1.0)
    assert tsh == pytest.approx(TSH_SET_POINT, rel=1e-6)
    assert ft4 == pytest.approx(FT4_SET_POINT, rel=1e-6)


def test_log_linear_tsh_ft4_relation():
    # Spencer et al. 1990: halving free T4 raises TSH ~100-fold along the feedback line.
    tsh_full, ft4_full = hpt_equilibrium(1.0)
    for fraction in (0.5, 0.3, 0.2):
        tsh, ft4 = hpt_equilibrium(fraction)
        slope = math.log(tsh / tsh_full) / (ft4_full - ft4)
        assert slope == pytest.approx(math.log(100.0) / 8.0, rel=1e-6)


def test_compensation_then_overt_hypothyroidism():
    # Half the thyroid: TSH rises above the reference with free T4 still normal
    # (subclinical); 20% left: free T4 low (overt).
    tsh, ft4 = hpt_equilibrium(0.5)
    print(f"\n50% thyroid: TSH {tsh:.1f} mIU/L, fT4 {ft4:.1f} pmol/L")
    assert tsh > TSH_HIGH and ft4 >= 12.0
    tsh, ft4 = hpt_equilibrium(0.2)
    print(f"20% thyroid: TSH {tsh:.1f} mIU/L, fT4 {ft4:.1f} pmol/L")
    assert tsh > 10.0 and ft4 < 12.0


@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.0, 1.0), b=st.floats(0.0, 1.0))
def test_less_thyroid_means_higher_tsh_and_lower_ft4(a, b):
    low, high = sorted((a, b))
    tsh_low, ft4_low = hpt_equilibrium(low)
    tsh_high, ft4_high = hpt_equilibrium(high)
    assert tsh_low >= tsh_high - 1e-9 and ft4_low <= ft4_high + 1e-9


def test_healthy_reference_interval_of_tsh():
    # Set-point spread plus within-person noise: the 2.5-97.5th centiles of healthy people
    # fall inside the 0.4-4.0 mIU/L reference interval (Baloch et al. Thyroid 2003).
    rng = np.random.default_rng(0)
    healthy = 100.0 * HEALTHY_STEADY_STATE["thyroid_parenchyma"]
    values = [thyroid_labs(healthy, *rng.standard_normal(3))[0] for _ in range(2000)]
    low, high = np.percentile(values, [2.5, 97.5])
    print(f"\nhealthy TSH 2.5-97.5th centile {low:.2f}-{high:.2f} mIU/L (reference 0.4-4.0)")
    assert 0.3 <= low <= 0.8 and 3.0 <= high <= 4.5


def test_anti_tpo_in_health_is_mostly_negative():
    rng = np.random.default_rng(1)
    healthy = HEALTHY_STEADY_STATE["thyroid_effector_t"]
    positive = np.mean(
        [anti_tpo(healthy, z) > ANTI_TPO_POSITIVE for z in rng.standard_normal(2000)]
    )
    print(f"\nanti-TPO positive in health {positive:.1%} (NHANES III all adults ~11%)")
    assert positive <= 0.11


@pytest.fixture(scope="module")
def population():
    frame = virtual_population(THYROIDITIS, 40, seed=31)
    assert frame["ok"].all()
    return frame


def test_virtual_hashimoto_population(population):
    tpo = population["anti_tpo_positive"].mean()
    raised = population["hypothyroidism"].mean()
    overt = population["overt_hypothyroidism"].mean()
    print(
        f"\nanti-TPO positive {tpo:.0%} (published ~90-95%, Caturegli et al. 2014); raised TSH "
        f"{raised:.0%}, overt {overt:.0%} (calibration target ~25% raised TSH)"
    )
    assert tpo >= 0.85
    assert 0.1 <= raised <= 0.6
    assert overt <= raised
    # Hypothyroid patients have lost more thyroid than euthyroid ones.
    hypo = population[population["hypothyroidism"]]["thyroid_function"]
    eu = population[~population["hypothyroidism"]]["thyroid_function"]
    assert hypo.median() < eu.median()


def test_iodine_covariate_is_sampled_and_raises_precursors(population):
    iodine = next(c for c in THYROIDITIS.covariates if c.name == "iodine")
    assert iodine.modelled and iodine.levels["excess"] > iodine.levels["adequate"]
    assert set(population["iodine"]) == {"excess", "adequate"}
