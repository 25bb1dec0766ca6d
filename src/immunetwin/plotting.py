"""Figures for people: time courses of chosen outputs, one panel each."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from immunetwin._io import atomic_write


def plot_time_courses(
    frame: pd.DataFrame,
    path: str | Path,
    title: str,
    units: dict[str, str] | None = None,
    band: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> Path:
    """Plot each column of ``frame`` (indexed by time in days) in its own panel.

    Args:
        frame: Values by time (days); one panel per column.
        path: PNG (or any matplotlib format) to write, atomically.
        title: Figure title.
        units: Column -> unit, shown on the y axes.
        band: Optional (low, high) frames of the same shape, drawn as a shaded band
            (e.g. the 5th-95th percentile of a population).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = list(frame.columns)
    ncols = 2 if len(columns) > 1 else 1
    nrows = (len(columns) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.5 * ncols, 2.6 * nrows), squeeze=False)
    units = units or {}
    for ax, column in zip(axes.flat, columns, strict=False):
        ax.plot(frame.index, frame[column], color="tab:blue", lw=1.6)
        if band is not None:
            ax.fill_between(
                frame.index, band[0][column], band[1][column], color="tab:blue", alpha=0.2, lw=0
            )
        ax.set_title(column, fontsize=9)
        ax.set_xlabel("day")
        ax.set_ylabel(units.get(column, ""))
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(columns) :]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    suffix = Path(path).suffix.lstrip(".") or "png"
    out = atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=110, format=suffix))
    plt.close(fig)
    return out
