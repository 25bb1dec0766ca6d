"""A small text language for timed changes, used by the CLI and specs.

``"adalimumab_depot += 40 at 0 every 14 until 364"`` adds 40 (in the target's
unit) at day 0 and every 14 days up to day 364; ``"il6_production *= 0.5 at 30"``
halves a parameter from day 30; ``"bacteria = 1000 at 5"`` sets a species.
"""

from __future__ import annotations

import math
import re

from immunetwin._errors import SpecError
from immunetwin.engine import Schedule, StateChange

__all__ = ["parse_change", "parse_changes", "parse_setting"]

_CHANGE = re.compile(
    r"^\s*(?P<target>[A-Za-z_]\w*)\s*(?P<op>\+=|\*=|=)\s*(?P<value>[-+0-9.eE]+)"
    r"\s+at\s+(?P<at>[0-9.eE+]+)"
    r"(?:\s+every\s+(?P<every>[0-9.eE+]+))?"
    r"(?:\s+until\s+(?P<until>[0-9.eE+]+))?\s*$"
)
_OPS = {"+=": "add", "*=": "multiply", "=": "set"}
_FORMAT = "'TARGET += VALUE at DAY [every DAYS] [until DAY]' (ops: +=, *=, =)"


def _number(text: str, what: str, source: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SpecError(f"{what} in {source!r} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise SpecError(f"{what} in {source!r} must be finite")
    return value


def parse_change(text: str, horizon: float) -> Schedule:
    """Parse one change (possibly repeating) into a schedule ending by ``horizon`` days.

    Raises:
        SpecError: If the text does not follow the format.
    """
    match = _CHANGE.match(text)
    if not match:
        raise SpecError(f"cannot read change {text!r}: expected {_FORMAT}")
    value = _number(match["value"], "value", text)
    start = _number(match["at"], "start day", text)
    every = _number(match["every"], "interval", text) if match["every"] else None
    stop = _number(match["until"], "end day", text) if match["until"] else horizon
    if every is not None and every <= 0:
        raise SpecError(f"interval in {text!r} must be > 0 days")
    op = _OPS[match["op"]]
    times = [start]
    if every is not None:
        count = math.floor((min(stop, horizon) - start) / every + 1e-9) + 1
        times = [start + k * every for k in range(max(count, 1))]
    return Schedule(
        tuple(StateChange(t, match["target"], op, value) for t in times if t <= horizon)  # type: ignore[arg-type]
    )


def parse_changes(texts: list[str], horizon: float) -> Schedule:
    """Parse several changes into one schedule."""
    schedule = Schedule()
    for text in texts:
        schedule = schedule + parse_change(text, horizon)
    return schedule


def parse_setting(text: str) -> tuple[str, float]:
    """Parse ``NAME=VALUE`` (a parameter setting).

    Raises:
        SpecError: If the text is not NAME=VALUE with a finite number.
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise SpecError(f"cannot read setting {text!r}: expected NAME=VALUE, e.g. ke=0.2")
    return name.strip(), _number(value.strip(), "value", text)
