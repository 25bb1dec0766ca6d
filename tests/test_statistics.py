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
    paired_hazard_ratio,
    paired_mean_difference,
    paired_proportion_difference,
    paired_rate_ratio,
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


def pairs(both: int, arm_only: int, control_only: int, neither: int) -> tuple[np.ndarray, ...]:
    """Responder outcomes of paired patients from the cells of the paired 2x2 table."""
    arm = np.r_[np.ones(both + arm_only), np.zeros(control_only + neither)]
    control = np.r_[np.ones(both), np.zeros(arm_only), np.ones(control_only), np.zeros(neither)]
    return arm, control


@pytest.mark.parametrize(
    ("cells", "low", "high"),
    [
        # Newcombe, Stat Med 1998;17:2635, Table II, method 10: examples (a), (b), (d).
        ((36, 12, 2, 0), 0.0569, 0.3404),
        ((18, 12, 2, 18), 0.0562, 0.3290),
        ((53, 0, 0, 1), -0.0729, 0.0729),
    ],
)
def test_paired_difference_matches_newcombe_published_intervals(
    cells: tuple[int, int, int, int], low: float, high: float
) -> None:
    estimate = paired_proportion_difference(*pairs(*cells))
    _, arm_only, control_only, _ = cells
    assert estimate.value == pytest.approx((arm_only - control_only) / sum(cells))
    assert estimate.ci_low == pytest.approx(low, abs=5e-5)
    assert estimate.ci_high == pytest.approx(high, abs=5e-5)
    assert estimate.n == sum(cells)


def test_paired_difference_p_value_is_the_exact_mcnemar_test() -> None:
    from scipy.stats import binomtest

    # 12 vs 2 discordant pairs: two-sided binomial test of 2 in 14 at 1/2.
    estimate = paired_proportion_difference(*pairs(36, 12, 2, 0))
    assert estimate.p_value == pytest.approx(binomtest(2, 14, 0.5).pvalue)
    assert paired_proportion_difference(*pairs(10, 0, 0, 10)).p_value == 1.0


@given(
    st.tuples(
        st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)
    ).filter(lambda c: sum(c) > 0)
)
def test_paired_difference_interval_holds_its_estimate_within_bounds(
    cells: tuple[int, int, int, int],
) -> None:
    estimate = paired_proportion_difference(*pairs(*cells))
    assert -1.0 - 1e-12 <= estimate.ci_low <= estimate.value <= estimate.ci_high <= 1.0 + 1e-12
    # Swapping the arms mirrors the interval.
    both, arm_only, control_only, neither = cells
    mirrored = paired_proportion_difference(*pairs(both, control_only, arm_only, neither))
    assert mirrored.ci_low == pytest.approx(-estimate.ci_high)
    assert mirrored.ci_high == pytest.approx(-estimate.ci_low)


def test_paired_difference_refuses_mismatched_or_non_binary_input() -> None:
    with pytest.raises(SpecError, match="one control per patient"):
        paired_proportion_difference(np.ones(3), np.ones(4))
    with pytest.raises(SpecError, match="0 or 1"):
        paired_proportion_difference(np.array([0.5, 1.0]), np.array([0.0, 1.0]))


def test_paired_mean_difference_is_scipys_paired_t_test() -> None:
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(5)
    patient = rng.normal(0.0, 3.0, 60)  # shared between twins: cancels in the difference
    arm, control = patient + 0.5 + rng.normal(0, 0.5, 60), patient + rng.normal(0, 0.5, 60)
    arm[3] = np.nan  # an unobserved twin drops its pair
    estimate = paired_mean_difference(arm, control)
    keep = np.isfinite(arm)
    reference = ttest_rel(arm[keep], control[keep])
    interval = reference.confidence_interval(0.95)
    assert estimate.n == 59
    assert estimate.value == pytest.approx(np.mean(arm[keep] - control[keep]))
    assert estimate.p_value == pytest.approx(reference.pvalue)
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx((interval.low, interval.high))
    # The pairing removes the between-patient spread that Welch's test has to carry.
    unpaired = mean_difference(arm[keep], control[keep])
    assert estimate.ci_high - estimate.ci_low < 0.2 * (unpaired.ci_high - unpaired.ci_low)


def test_paired_rate_ratio_is_the_pooled_ratio_with_a_pair_robust_interval() -> None:
    rng = np.random.default_rng(8)
    n = 300
    frailty = rng.gamma(2.0, 0.5, n)  # a patient's own event proneness, shared by twins
    years = rng.uniform(0.5, 2.0, n)
    control = rng.poisson(frailty * 2.0 * years)
    arm = rng.poisson(frailty * 1.0 * years)
    estimate = paired_rate_ratio(arm, years, control, years)
    pooled = (arm.sum() / years.sum()) / (control.sum() / years.sum())
    assert estimate.value == pytest.approx(pooled, rel=1e-6)
    assert estimate.ci_low < 0.5 < estimate.ci_high
    assert estimate.p_value is not None and estimate.p_value < 1e-6
    assert math.isnan(paired_rate_ratio(np.zeros(3), np.ones(3), np.ones(3), np.ones(3)).value)
    with pytest.raises(SpecError, match="exposure"):
        paired_rate_ratio(np.ones(2), np.zeros(2), np.ones(2), np.ones(2))


def test_paired_hazard_ratio_keeps_the_cox_estimate_and_recovers_the_truth() -> None:
    rng = np.random.default_rng(13)
    n = 2000
    frailty = rng.gamma(4.0, 0.25, n)  # shared by the twins
    control = rng.exponential(100.0 / frailty)
    arm = rng.exponential(200.0 / frailty)  # hazard ratio 0.5 given the patient
    censor = 300.0
    estimate = paired_hazard_ratio(
        np.minimum(arm, censor), arm < censor, np.minimum(control, censor), control < censor
    )
    unpaired = hazard_ratio(
        np.minimum(np.r_[arm, control], censor),
        np.r_[arm, control] < censor,
        np.r_[np.ones(n, bool), np.zeros(n, bool)],
    )
    assert estimate.value == pytest.approx(unpaired.value, rel=1e-6)
    assert estimate.n == n
    # Marginal hazards are not proportional under frailty; the ratio stays near 0.5.
    assert 0.4 < estimate.value < 0.6
    assert estimate.p_value is not None and estimate.p_value < 1e-10
    no_events = paired_hazard_ratio(np.ones(4), np.zeros(4, bool), np.ones(4), np.ones(4, bool))
    assert math.isnan(no_events.value)
