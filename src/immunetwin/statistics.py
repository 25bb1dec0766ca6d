"""Trial statistics, reported the way trials report them.

Thin, explicit wrappers over well-kept libraries (statsmodels, lifelines,
SciPy): nothing here re-derives a test. Every function returns an
:class:`Estimate` whose fields match ``results.json`` (``value``, ``ci_low``,
``ci_high``, and for comparisons ``p_value``).

- Responder endpoints: proportion with a Wilson 95% CI; difference of
  proportions with a Newcombe (hybrid score) CI and a two-sided score test.
- Continuous endpoints: mean with a t CI; difference of means with Welch's t test.
- Event rates: events per 100 patient-years with an exact (Garwood) Poisson CI;
  rate ratio with a two-sided exact-conditional test.
- Time to event: Kaplan-Meier median with its CI; Cox hazard ratio with a Wald
  CI and p-value (lifelines).

Paired comparisons (virtual twins: the same patient in two arms) keep the pairing
instead of treating the arms as independent samples:

- responders: difference of paired proportions with Newcombe's (1998) method 10
  interval, built on statsmodels' Wilson limits, and the exact McNemar test;
- continuous: mean of the within-pair differences, paired t test;
- event rates: rate ratio from a Poisson GEE with the pair as cluster (robust
  sandwich CI and Wald test, statsmodels);
- time to event: Cox hazard ratio with the pair as cluster (Lin & Wei 1989 robust
  variance, lifelines).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from immunetwin._errors import SpecError

__all__ = [
    "Estimate",
    "event_rate",
    "hazard_ratio",
    "kaplan_meier_median",
    "mean",
    "mean_difference",
    "paired_hazard_ratio",
    "paired_mean_difference",
    "paired_proportion_difference",
    "paired_rate_ratio",
    "proportion",
    "proportion_difference",
    "rate_ratio",
]

ALPHA = 0.05


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% confidence interval (and p-value for comparisons).

    Attributes:
        value: The estimate (a proportion in [0, 1], a mean, a rate per 100
            patient-years, a median in days, or a ratio).
        ci_low: Lower 95% confidence limit (NaN when not estimable).
        ci_high: Upper 95% confidence limit (NaN when not estimable).
        p_value: Two-sided p-value of the comparison, or None for one arm.
        n: Patients contributing.
    """

    value: float
    ci_low: float
    ci_high: float
    p_value: float | None = None
    n: int = 0

    def as_dict(self) -> dict[str, float | int | None]:
        """Plain dict for JSON (NaN becomes None)."""
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def _counts(successes: int, n: int) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise SpecError(f"need 0 <= responders <= n, got {successes} of {n}")


def proportion(successes: int, n: int) -> Estimate:
    """Responder rate with a Wilson score 95% CI."""
    from statsmodels.stats.proportion import proportion_confint

    _counts(successes, n)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, n=0)
    low, high = proportion_confint(successes, n, alpha=ALPHA, method="wilson")
    # The limits are exactly 0 and 1 at 0/n and n/n; clip the rounding error there.
    low = 0.0 if successes == 0 else float(low)
    high = 1.0 if successes == n else float(high)
    return Estimate(successes / n, low, high, n=n)


def proportion_difference(
    successes: int, n: int, control_successes: int, control_n: int
) -> Estimate:
    """Difference in responder rates (arm minus control), Newcombe CI, score-test p-value."""
    from statsmodels.stats.proportion import (
        confint_proportions_2indep,
        test_proportions_2indep,
    )

    _counts(successes, n)
    _counts(control_successes, control_n)
    if n == 0 or control_n == 0:
        return Estimate(math.nan, math.nan, math.nan, None, n + control_n)
    difference = successes / n - control_successes / control_n
    # statsmodels also computes the ratio p1/p2, which divides by zero when the control
    # arm has no responders; the difference and its test are unaffected.
    with np.errstate(divide="ignore", invalid="ignore"):
        low, high = confint_proportions_2indep(
            successes,
            n,
            control_successes,
            control_n,
            method="newcomb",
            compare="diff",
            alpha=ALPHA,
        )
        if successes + control_successes in (0, n + control_n):
            p_value = 1.0  # no variability: identical all-or-none outcomes in both arms
        else:
            result = test_proportions_2indep(
                successes, n, control_successes, control_n, method="score", compare="diff"
            )
            p_value = float(result.pvalue)
    return Estimate(difference, float(low), float(high), p_value, n + control_n)


def mean(values: np.ndarray | pd.Series) -> Estimate:
    """Mean with a t-distribution 95% CI (NaNs dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return Estimate(math.nan, math.nan, math.nan, n=0)
    centre = float(x.mean())
    if len(x) == 1:
        return Estimate(centre, math.nan, math.nan, n=1)
    half = float(_scipy_stats.t.ppf(1 - ALPHA / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return Estimate(centre, centre - half, centre + half, n=len(x))


def mean_difference(values: np.ndarray | pd.Series, control: np.ndarray | pd.Series) -> Estimate:
    """Difference of means (arm minus control), Welch t-test CI and p-value."""
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    x = np.asarray(values, dtype=float)
    y = np.asarray(control, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if len(x) < 2 or len(y) < 2:
        return Estimate(math.nan, math.nan, math.nan, None, len(x) + len(y))
    compare = CompareMeans(DescrStatsW(x), DescrStatsW(y))
    low, high = compare.tconfint_diff(alpha=ALPHA, usevar="unequal")
    _, p_value, _ = compare.ttest_ind(usevar="unequal")
    return Estimate(
        float(x.mean() - y.mean()), float(low), float(high), float(p_value), len(x) + len(y)
    )


def event_rate(events: int, patient_years: float) -> Estimate:
    """Events per 100 patient-years with an exact (Garwood, chi-square) Poisson 95% CI."""
    if events < 0 or not patient_years > 0:
        raise SpecError(f"need events >= 0 and exposure > 0, got {events} in {patient_years}")
    low = 0.0 if events == 0 else _scipy_stats.chi2.ppf(ALPHA / 2, 2 * events) / 2
    high = _scipy_stats.chi2.ppf(1 - ALPHA / 2, 2 * events + 2) / 2
    scale = 100.0 / patient_years
    return Estimate(events * scale, float(low * scale), float(high * scale))


def rate_ratio(
    events: int, patient_years: float, control_events: int, control_patient_years: float
) -> Estimate:
    """Ratio of event rates (arm over control) with an exact-conditional test and CI."""
    from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

    if min(patient_years, control_patient_years) <= 0:
        raise SpecError("exposure must be > 0 patient-years in both arms")
    if control_events == 0 and events == 0:
        return Estimate(math.nan, math.nan, math.nan, 1.0)
    ratio = (
        (events / patient_years) / (control_events / control_patient_years)
        if control_events
        else math.inf
    )
    result = test_poisson_2indep(
        events, patient_years, control_events, control_patient_years, method="exact-cond"
    )
    low, high = confint_poisson_2indep(
        events,
        patient_years,
        control_events,
        control_patient_years,
        method="score",
        compare="ratio",
        alpha=ALPHA,
    )
    return Estimate(float(ratio), float(low), float(high), float(result.pvalue))


def kaplan_meier_median(durations: np.ndarray, observed: np.ndarray) -> Estimate:
    """Kaplan-Meier median time to event with its 95% CI (NaN/inf when not reached)."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    t, e = np.asarray(durations, dtype=float), np.asarray(observed, dtype=bool)
    if len(t) == 0:
        return Estimate(math.nan, math.nan, math.nan, n=0)
    fitter = KaplanMeierFitter(alpha=ALPHA).fit(t, e)
    ci = median_survival_times(fitter.confidence_interval_)
    return Estimate(
        float(fitter.median_survival_time_), float(ci.iloc[0, 0]), float(ci.iloc[0, 1]), n=len(t)
    )


def hazard_ratio(
    durations: np.ndarray,
    observed: np.ndarray,
    treated: np.ndarray,
) -> Estimate:
    """Cox proportional-hazards ratio (treated vs control) with Wald CI and p-value."""
    frame = pd.DataFrame(
        {
            "duration": np.asarray(durations, dtype=float),
            "event": np.asarray(observed, dtype=bool).astype(int),
            "treated": np.asarray(treated, dtype=bool).astype(int),
        }
    )
    return _cox_treated(frame, len(frame))


def _cox_treated(frame: pd.DataFrame, n: int, cluster_col: str | None = None) -> Estimate:
    """The ``treated`` coefficient of a Cox fit of ``frame`` as a hazard ratio.

    Args:
        frame: Columns ``duration``, ``event`` (0/1), ``treated`` (0/1) and, with
            ``cluster_col``, the cluster of each row.
        n: The count reported with the estimate.
        cluster_col: Column whose clusters get a robust (sandwich) variance.
    """
    from lifelines import CoxPHFitter

    events_by_group = frame.groupby("treated")["event"].sum()
    if frame["treated"].nunique() < 2 or (events_by_group == 0).any():
        # No events in one group: the partial likelihood is monotone and the ratio's
        # estimate diverges (Heinze & Schemper, Biometrics 2001;57:114); lifelines would
        # report a huge, meaningless ratio. Not estimable.
        return Estimate(math.nan, math.nan, math.nan, None, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines warns on convergence details it handles
        fitter = CoxPHFitter().fit(frame, "duration", "event", cluster_col=cluster_col)
    summary = fitter.summary.loc["treated"]
    return Estimate(
        float(summary["exp(coef)"]),
        float(summary["exp(coef) lower 95%"]),
        float(summary["exp(coef) upper 95%"]),
        float(summary["p"]),
        n,
    )


def _binary(values: np.ndarray | pd.Series, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if not np.isin(x, (0.0, 1.0)).all():
        raise SpecError(f"{name} must hold responder outcomes 0 or 1")
    return x.astype(bool)


def _same_length(x: np.ndarray, y: np.ndarray) -> None:
    if len(x) != len(y):
        raise SpecError(f"paired samples need one control per patient, got {len(x)} and {len(y)}")


def paired_proportion_difference(
    responders: np.ndarray | pd.Series, control_responders: np.ndarray | pd.Series
) -> Estimate:
    """Difference of paired responder rates (arm minus control).

    The i-th entries of the two arrays are one pair (a patient and its twin).
    Newcombe's method 10 (square-and-add of the two Wilson intervals, corrected for
    the pairs' correlation: Newcombe, Stat Med 1998;17:2635) with statsmodels'
    Wilson limits, and the exact McNemar test (binomial on the discordant pairs).
    """
    from statsmodels.stats.contingency_tables import mcnemar
    from statsmodels.stats.proportion import proportion_confint

    x = _binary(responders, "responders")
    y = _binary(control_responders, "control responders")
    _same_length(x, y)
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, None, 0)
    both = int(np.sum(x & y))
    arm_only = int(np.sum(x & ~y))
    control_only = int(np.sum(~x & y))
    neither = n - both - arm_only - control_only
    p1, p2 = (both + arm_only) / n, (both + control_only) / n
    l1, u1 = proportion_confint(both + arm_only, n, alpha=ALPHA, method="wilson")
    l2, u2 = proportion_confint(both + control_only, n, alpha=ALPHA, method="wilson")
    product = float(
        (both + arm_only) * (control_only + neither) * (both + control_only) * (arm_only + neither)
    )
    cross = both * neither - arm_only * control_only
    # Newcombe's continuity-corrected phi: positive association below n/2 counts as none.
    corrected = cross - n / 2 if cross > n / 2 else (float(cross) if cross < 0 else 0.0)
    phi = corrected / math.sqrt(product) if product > 0 else 0.0
    difference = p1 - p2
    low = difference - math.sqrt(
        max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    )
    high = difference + math.sqrt(
        max(0.0, (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    )
    table = [[both, arm_only], [control_only, neither]]
    p_value = float(mcnemar(table, exact=True).pvalue) if arm_only + control_only else 1.0
    return Estimate(difference, float(low), float(high), p_value, n)


def paired_mean_difference(
    values: np.ndarray | pd.Series, control: np.ndarray | pd.Series
) -> Estimate:
    """Mean within-pair difference (arm minus control), paired t CI and p-value.

    Pairs with a missing value on either side are dropped.
    """
    from statsmodels.stats.weightstats import DescrStatsW

    x = np.asarray(values, dtype=float)
    y = np.asarray(control, dtype=float)
    _same_length(x, y)
    keep = np.isfinite(x) & np.isfinite(y)
    d = x[keep] - y[keep]
    if len(d) < 2:
        return Estimate(math.nan, math.nan, math.nan, None, len(d))
    described = DescrStatsW(d)
    low, high = described.tconfint_mean(alpha=ALPHA)
    if described.std == 0:
        # Identical differences: no spread to test against (statsmodels would divide by 0).
        p_value = 1.0 if d[0] == 0 else 0.0
        return Estimate(float(d.mean()), float(d.mean()), float(d.mean()), p_value, len(d))
    _, p_value, _ = described.ttest_mean(0.0)
    return Estimate(float(d.mean()), float(low), float(high), float(p_value), len(d))


def paired_rate_ratio(
    events: np.ndarray,
    years: np.ndarray,
    control_events: np.ndarray,
    control_years: np.ndarray,
) -> Estimate:
    """Ratio of event rates (arm over control) for paired patients.

    A Poisson GEE (log link, log exposure offset, independence working correlation)
    with each pair as a cluster: its estimate is the ratio of the arms' pooled rates,
    and its robust sandwich variance accounts for the pairing (statsmodels).
    """
    import statsmodels.api as sm

    counts = np.r_[np.asarray(events, float), np.asarray(control_events, float)]
    exposure = np.r_[np.asarray(years, float), np.asarray(control_years, float)]
    n = len(np.asarray(events))
    _same_length(np.asarray(events), np.asarray(control_events))
    if np.any(exposure <= 0) or np.any(counts < 0):
        raise SpecError("paired rates need events >= 0 and exposure > 0 patient-years")
    treated_events, control_total = counts[:n].sum(), counts[n:].sum()
    if n < 2 or treated_events == 0 or control_total == 0:
        # A zero-event arm puts the estimate on the boundary (ratio 0 or infinite):
        # the Wald interval is not defined there.
        return Estimate(math.nan, math.nan, math.nan, None, n)
    treated = np.r_[np.ones(n), np.zeros(n)]
    pairs = np.r_[np.arange(n), np.arange(n)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns on the GEE's iteration details
        fit = sm.GEE(
            counts,
            sm.add_constant(treated),
            groups=pairs,
            family=sm.families.Poisson(),
            offset=np.log(exposure),
            cov_struct=sm.cov_struct.Independence(),
        ).fit()
    low, high = np.exp(np.asarray(fit.conf_int(alpha=ALPHA))[1])
    return Estimate(float(np.exp(fit.params[1])), float(low), float(high), float(fit.pvalues[1]), n)


def paired_hazard_ratio(
    durations: np.ndarray,
    observed: np.ndarray,
    control_durations: np.ndarray,
    control_observed: np.ndarray,
) -> Estimate:
    """Cox hazard ratio (arm vs control) for paired patients, pair as cluster.

    The estimate is the ordinary Cox estimate; its variance is the robust sandwich
    (Lin & Wei, JASA 1989;84:1074) over pairs, as lifelines computes with
    ``cluster_col``.
    """
    _same_length(np.asarray(durations), np.asarray(control_durations))
    n = len(np.asarray(durations))
    frame = pd.DataFrame(
        {
            "duration": np.r_[np.asarray(durations, float), np.asarray(control_durations, float)],
            "event": np.r_[np.asarray(observed, bool), np.asarray(control_observed, bool)].astype(
                int
            ),
            "treated": np.r_[np.ones(n, int), np.zeros(n, int)],
            "pair": np.r_[np.arange(n), np.arange(n)],
        }
    )
    return _cox_treated(frame, n, cluster_col="pair")
