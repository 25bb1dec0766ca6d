"""Shared form of a disease's natural-course triggers: bursts at Poisson times."""

from __future__ import annotations

import numpy as np

from immunetwin.engine import Schedule, StateChange

__all__ = ["poisson_bursts"]


def poisson_bursts(
    rng: np.random.Generator,
    start_day: float,
    days: float,
    *,
    target: str,
    rate_per_year: float,
    rate_shape: float,
    size_median: float,
    size_sigma: float,
) -> Schedule:
    """``add`` changes to ``target`` at Poisson times, with log-normal sizes.

    The patient's rate is ``rate_per_year`` times a gamma draw of mean 1 and shape
    ``rate_shape`` (overdispersed counts between patients); events fall uniformly in
    ``[start_day, start_day + days)``; sizes are ``size_median * exp(size_sigma * z)``.
    Draw order (rate, count, times, sizes) is fixed, so one generator state gives one
    schedule.
    """
    rate = rate_per_year * rng.gamma(rate_shape, 1.0 / rate_shape)
    n = int(rng.poisson(rate * days / 365.0))
    times = np.sort(rng.uniform(start_day, start_day + days, n))
    sizes = size_median * np.exp(size_sigma * rng.standard_normal(n))
    return Schedule(
        tuple(
            StateChange(time=float(t), target=target, op="add", value=float(s))
            for t, s in zip(times, sizes, strict=True)
        )
    )
