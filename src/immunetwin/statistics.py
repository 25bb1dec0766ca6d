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
    from lifelines import CoxPHFitter

    frame = pd.DataFrame(
        {
            "duration": np.asarray(durations, dtype=float),
            "event": np.asarray(observed, dtype=bool).astype(int),
            "treated": np.asarray(treated, dtype=bool).astype(int),
        }
    )
    events_by_group = frame.groupby("treated")["event"].sum()
    if frame["treated"].nunique() < 2 or (events_by_group == 0).any():
        # No events in one group: the partial likelihood is monotone and the ratio's
        # estimate diverges (Heinze & Schemper, Biometrics 2001;57:114); lifelines would
        # report a huge, meaningless ratio. Not estimable.
        return Estimate(math.nan, math.nan, math.nan, None, len(frame))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines warns on convergence details it handles
        fitter = CoxPHFitter().fit(frame, "duration", "event")
    summary = fitter.summary.loc["treated"]
    return Estimate(
        float(summary["exp(coef)"]),
        float(summary["exp(coef) lower 95%"]),
        float(summary["exp(coef) upper 95%"]),
        float(summary["p"]),
        len(frame),
    )
