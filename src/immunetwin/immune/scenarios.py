"""Scenario helpers: infections, IgG replacement, equilibration to a steady state.

These build :class:`immunetwin.Schedule` objects and changed models; they hold no numerics
beyond calling the engine for equilibration.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from immunetwin import Model, Schedule, Simulator, StateChange

INFECTION_TARGETS: Mapping[str, str] = {"bacterial": "bacteria", "viral": "virus"}
DEFAULT_INOCULUM: Mapping[str, float] = {"bacterial": 300.0, "viral": 1.0}
CLEARED_LEVEL = 1e-6  # CFU/uL or copies/uL: the extinction level of the pathogen modules


def infection(kind: str = "bacterial", time: float = 0.0, dose: float | None = None) -> Schedule:
    """An inoculum of ``dose`` (CFU/uL or copies/uL of the periphery) at ``time`` (days).

    Args:
        kind: ``bacterial`` or ``viral``.
        time: Day of infection.
        dose: Inoculum; default 300 CFU/uL (3e5 CFU/mL, bacterial) or 1 copy/uL (viral).
    """
    if kind not in INFECTION_TARGETS:
        raise ValueError(f"unknown infection {kind!r}: choose {sorted(INFECTION_TARGETS)}")
    value = DEFAULT_INOCULUM[kind] if dose is None else float(dose)
    return Schedule(
        (StateChange(time=time, target=INFECTION_TARGETS[kind], op="add", value=value),)
    )


def igg_replacement(
    dose_g_per_kg: float = 0.5,
    weight_kg: float = 70.0,
    interval_days: float = 28.0,
    start: float = 0.0,
    until: float = 365.0,
    distribution_volume_L: float = 6.36,
) -> Schedule:
    """Intravenous IgG replacement: ``dose_g_per_kg`` every ``interval_days``.

    Each dose raises serum IgG by dose / volume of distribution (default Vc + Vp of a
    human IgG1, physiology.csv mab_terminal_halflife note).
    """
    increment = dose_g_per_kg * weight_kg / distribution_volume_L
    times = np.arange(start, until, interval_days)
    return Schedule(
        tuple(
            StateChange(time=float(t), target="igg_bulk", op="add", value=increment) for t in times
        )
    )


def equilibrate(
    model: Model,
    days: float = 3650.0,
    parameters: Mapping[str, float] | None = None,
    name: str | None = None,
) -> Model:
    """Return ``model`` with its initial state replaced by the state after ``days``.

    Use it to start a defect (CVID, lymphopenia...) from its own steady state.
    """
    simulator = Simulator(model)
    species = simulator.species
    frame = simulator.simulate(
        until=days, outputs=species, output_times=[days], parameters=parameters
    )
    state = {s: max(0.0, float(frame[s].iloc[-1])) for s in species}
    changed = model.with_changes({**state, **dict(parameters or {})}, name=name)
    return changed
