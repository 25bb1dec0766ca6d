"""Trial statistics against textbook formulas and known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from immunetwin import SpecError
from immunetwin.statistics import (
    event_rate,
    hazard_ratio,
    kaplan_meier_median,
    mean,
    mean_difference,
    proportion,
    proportion_difference,
    rate_ratio,
)

Z = 1.959963984540054


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson score interval written out (Wilson 1927; Newcombe 1998 method 3)."""
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_proportion_matches_wilson_formula(xn: tuple[int, int]) -> None:
    x, n = xn
    estimate = proportion(x, n)
    low, high = wilson(x, n)
    assert estimate.value == pytest.approx(x / n)
    assert estimate.ci_low == pytest.approx(low, abs=1e-9)
    assert estimate.ci_high == pytest.approx(high, abs=1e-9)
    assert estimate.ci_low <= estimate.value <= estimate.ci_high


def test_newcombe_difference_matches_published_example() -> None:
    # Newcombe, Stat Med 1998;17:873, Table II example (a): 56/70 vs 48/80,
    # method 10 (score-based hybrid): difference 0.2000, 95% CI 0.0524 to 0.3339.
    estimate = proportion_difference(56, 70, 48, 80)
    assert estimate.value == pytest.approx(0.2, abs=1e-12)
    assert estimate.ci_low == pytest.approx(0.0524, abs=5e-4)
    assert estimate.ci_high == pytest.approx(0.3339, abs=5e-4)
    assert 0 < estimate.p_value < 0.05  # type: ignore[operator]


def test_difference_of_identical_arms_is_not_significant() -> None:
    estimate = proportion_difference(30, 100, 30, 100)
    assert estimate.value == 0
    assert estimate.ci_low < 0 < estimate.ci_high
    assert estimate.p_value == pytest.approx(1.0)


def test_mean_and_welch_difference() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(1.0, 1.0, 400), rng.normal(0.0, 2.0, 300)
    m = mean(a)
    assert m.ci_low < 1.0 < m.ci_high
    d = mean_difference(a, b)
    assert d.value == pytest.approx(a.mean() - b.mean())
    assert d.ci_low < 1.0 < d.ci_high
    assert d.p_value is not None and d.p_value < 1e-6
    # Welch's standard error, written out.
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert (d.ci_high - d.ci_low) / 2 == pytest.approx(Z * se, rel=0.01)


def test_event_rate_exact_poisson_limits() -> None:
    # Garwood limits for 10 events: 4.795 to 18.39 (Ulm 1990 table).
    estimate = event_rate(10, 100.0)
    assert estimate.value == pytest.approx(10.0)
    assert estimate.ci_low == pytest.approx(4.795, abs=2e-3)
    assert estimate.ci_high == pytest.approx(18.39, abs=1e-2)
    assert event_rate(0, 50.0).ci_low == 0.0
    with pytest.raises(SpecError):
        event_rate(-1, 10.0)


def test_rate_ratio_detects_a_doubling() -> None:
    estimate = rate_ratio(200, 1000.0, 100, 1000.0)
    assert estimate.value == pytest.approx(2.0)
    assert estimate.ci_low < 2.0 < estimate.ci_high
    assert estimate.p_value is not None and estimate.p_value < 1e-6


def test_survival_recovers_known_exponential_truth() -> None:
    rng = np.random.default_rng(11)
    n = 4000
    control = rng.exponential(100.0, n)  # median 100 ln 2 = 69.3 days
    treated = rng.exponential(200.0, n)  # hazard ratio 0.5
    censor = 300.0
    durations = np.minimum(np.concatenate([control, treated]), censor)
    observed = np.concatenate([control, treated]) < censor
    arm = np.r_[np.zeros(n, bool), np.ones(n, bool)]
    km = kaplan_meier_median(durations[:n], observed[:n])
    assert km.ci_low < 100 * math.log(2) < km.ci_high
    hr = hazard_ratio(durations, observed, arm)
    assert hr.ci_low < 0.5 < hr.ci_high
    assert hr.p_value is not None and hr.p_value < 1e-10


def test_hazard_ratio_with_no_events_in_one_arm_is_not_estimable() -> None:
    # Two events, both on control: the Cox likelihood has no maximum (lifelines would
    # report a ratio near 0 or 1e7 depending on the side).
    durations = np.array([100.0, 200.0, 300.0, 400.0, 150.0, 250.0, 350.0, 450.0])
    observed = np.array([True, True, False, False, False, False, False, False])
    treated = np.array([False, False, False, False, True, True, True, True])
    for arm in (treated, ~treated):
        hr = hazard_ratio(durations, observed, arm)
        assert math.isnan(hr.value) and math.isnan(hr.ci_low) and hr.p_value is None


def test_as_dict_is_json_ready() -> None:
    assert proportion(0, 0).as_dict()["value"] is None
