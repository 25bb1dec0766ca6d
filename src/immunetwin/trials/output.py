"""Trial outputs: ``results.json`` (schema in docs/trials.md), Parquet tables, HTML report."""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from immunetwin import __version__
from immunetwin._io import atomic_write, atomic_write_text
from immunetwin.trials.analysis import baseline_table, endpoint_values
from immunetwin.trials.run import TrialResult

__all__ = ["results_dict", "write_report", "write_trial"]

SCHEMA_VERSION = 1


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, NumPy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(float(value)) else None
    return value


def results_dict(result: TrialResult) -> dict[str, Any]:
    """The ``results.json`` content (see docs/trials.md for the schema)."""
    spec = result.spec
    arms = []
    for arm in spec.arms:
        in_arm = result.patients["arm"] == arm.name
        arms.append(
            {
                "name": arm.name,
                "regimens": arm.regimens,
                "control": arm.control,
                "n": int(in_arm.sum()),
                "n_failed": int((in_arm & ~result.patients["ok"].astype(bool)).sum()),
                "endpoints": result.endpoints[arm.name],
                "published": spec.published.get(arm.name, {}),
            }
        )
    return _clean(
        {
            "schema_version": SCHEMA_VERSION,
            "immunetwin_version": __version__,
            "trial": spec.name,
            "disease": spec.disease,
            "seed": spec.seed,
            "patients": spec.patients,
            "background": spec.background.regimens,
            "endpoints": [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "label": e.label or e.id,
                    "value": e.value,
                    "week": spec.endpoint_week(e),
                    "primary": e.primary,
                }
                for e in spec.endpoints
            ],
            "arms": arms,
            "comparisons": result.comparisons,
            "screening": result.screening,
            "seconds": result.seconds,
            "source": spec.source,
        }
    )


def write_trial(result: TrialResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.json``, ``patients.parquet``, ``visits.parquet`` and ``report.html``.

    Every file is written atomically. Returns the paths by name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "results": out / "results.json",
        "patients": out / "patients.parquet",
        "visits": out / "visits.parquet",
        "report": out / "report.html",
    }
    atomic_write_text(paths["results"], json.dumps(results_dict(result), indent=2) + "\n")
    patients = result.patients.copy()
    patients.index.name = "patient_id"
    atomic_write(paths["patients"], lambda tmp: _parquet(patients, tmp))
    atomic_write(paths["visits"], lambda tmp: _parquet(result.visits, tmp))
    atomic_write_text(paths["report"], report_html(result))
    return paths


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    # Object columns of mixed types (e.g. readouts that are bool or NaN) become text.
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    frame.to_parquet(path, engine="pyarrow", index=True)


# -- the HTML report -----------------------------------------------------------------------


def _figure_png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _numeric_readouts(result: TrialResult) -> list[str]:
    if result.spec.report_readouts:
        return result.spec.report_readouts
    skip = {"patient_id", "arm", "week", "seen", "rescued"}
    numeric = [
        c
        for c in result.visits.columns
        if c not in skip
        and pd.api.types.is_numeric_dtype(result.visits[c])
        and result.visits[c].dtype != bool
        and result.visits[c].nunique() > 2
    ]
    return numeric[:4]


def _labs_figure(result: TrialResult, readouts: list[str]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    visits = result.visits[result.visits["seen"].astype(bool)]
    fig, axes = plt.subplots(1, len(readouts), figsize=(4.2 * len(readouts), 3.2), squeeze=False)
    for ax, readout in zip(axes[0], readouts, strict=True):
        for arm in result.spec.arms:
            data = visits[visits["arm"] == arm.name].groupby("week")[readout]
            mean = data.mean().to_numpy(dtype=float)
            sd = data.std().to_numpy(dtype=float)
            sem = sd / np.sqrt(np.maximum(data.count().to_numpy(dtype=float), 1.0))
            weeks = data.mean().index.to_numpy(dtype=float)
            ax.errorbar(weeks, mean, yerr=1.96 * sem, label=arm.name, capsize=2)
        ax.set_xlabel("week")
        ax.set_title(readout)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    return _figure_png(fig)


def _responder_figure(result: TrialResult) -> str | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    responders = [e for e in result.spec.endpoints if e.kind in ("responder", "incidence")]
    if not responders:
        return None
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(responders) * len(result.spec.arms) / 2, 3.4))
    width = 0.8 / len(result.spec.arms)
    for k, arm in enumerate(result.spec.arms):
        values, low, high = [], [], []
        for endpoint in responders:
            e = result.endpoints[arm.name][endpoint.id]
            v = e.get("value") or 0.0
            values.append(v)
            low.append(v - (e.get("ci_low") or v))
            high.append((e.get("ci_high") or v) - v)
        x = np.arange(len(responders)) + k * width
        ax.bar(x, values, width, yerr=[low, high], capsize=3, label=arm.name)
        for j, endpoint in enumerate(responders):
            published = result.spec.published.get(arm.name, {}).get(endpoint.id)
            if published is not None:
                ax.plot(x[j], published, "k_", markersize=14, mew=2)
    ax.set_xticks(np.arange(len(responders)) + 0.4 - width / 2)
    ax.set_xticklabels([e.id for e in responders])
    ax.set_ylabel("% of patients (95% CI); black: published")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _figure_png(fig)


def _km_figures(result: TrialResult) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from lifelines import KaplanMeierFitter
    from lifelines.plotting import add_at_risk_counts

    figures = []
    enrolment_day = float(result.screening.get("enrolment_day", 0.0))
    for endpoint in result.spec.endpoints:
        if endpoint.kind != "time_to_event":
            continue
        data = endpoint_values(result.spec, endpoint, result.patients, result.visits, enrolment_day)
        if not len(data):
            continue
        data = data[~data["prior_event"]]
        fig, ax = plt.subplots(figsize=(5.5, 4.2))
        fitters = []
        for arm in result.spec.arms:
            subset = data[data["arm"] == arm.name]
            if len(subset):
                fitter = KaplanMeierFitter().fit(
                    subset["duration"] / 7.0, subset["event"].astype(bool), label=arm.name
                )
                fitter.plot_survival_function(ax=ax, ci_show=True)
                fitters.append(fitter)
        # Numbers at risk under the axis, as published curves show them: with staggered
        # entry (``[enrolment]``) they fall through administrative censoring too.
        add_at_risk_counts(*fitters, ax=ax, rows_to_show=["At risk"])
        ax.set_xlabel("weeks since randomisation")
        ax.set_ylabel("event-free")
        ax.set_title(endpoint.label or endpoint.id)
        fig.tight_layout()
        figures.append((endpoint.id, _figure_png(fig)))
    return figures


def enrolment_summary(result: TrialResult) -> str | None:
    """One line on staggered entry and the trial's close (None without ``[enrolment]``)."""
    close = result.screening.get("close")
    if close is None:
        return None
    spec = result.spec
    parts = [f"entries over {close['accrual_weeks']:g} weeks"]
    week = close.get("close_week")
    if close["closed_by"] == "events":
        endpoint = spec.close_endpoint
        name = endpoint.id if endpoint is not None else "events"
        parts.append(
            f"closed at week {week:.0f} after the first entry, at event "
            f"{close['events_at_close']} of {name}"
        )
    elif close["closed_by"] == "date":
        parts.append(f"closed at week {week:g} after the first entry")
    else:
        events = close.get("events_at_close")
        reached = f" (only {events} events)" if events is not None else ""
        parts.append(f"closed when the last patient finished the schedule{reached}")
    censor = result.patients["admin_censor_week"].to_numpy(dtype=float)
    possible = np.clip(np.minimum(censor, spec.visits.end_week), 0.0, None)
    parts.append(
        f"possible follow-up median {np.median(possible):.0f} weeks "
        f"(range {possible.min():.0f}-{possible.max():.0f})"
    )
    return "; ".join(parts)


def report_html(result: TrialResult) -> str:
    """A self-contained HTML report: tables and figures inline."""
    spec = result.spec
    readouts = _numeric_readouts(result)
    table1 = baseline_table(result.patients, readouts)
    summary = result.summary_table()
    comparisons = pd.DataFrame(result.comparisons)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(spec.name)}: ImmuneTwin in-silico trial</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
        "padding:3px 6px;text-align:right}th{background:#f3f3f3}</style></head><body>",
        f"<h1>{html.escape(spec.name)}</h1>",
        f"<p>{html.escape(spec.description)}</p>",
        f"<p>Disease <b>{html.escape(spec.disease)}</b>; seed {spec.seed}; "
        f"{result.screening['enrolled']} enrolled of {result.screening['candidates']} "
        f"screened; background: {html.escape('; '.join(spec.background.regimens) or 'none')}. "
        f"Source: {html.escape(spec.source)}</p>",
        f"<p>Enrolment: {html.escape(enrolment_summary(result) or '')}</p>"
        if result.screening.get("close")
        else "",
        "<h2>Endpoints by arm (95% CI)</h2>",
        summary.to_html(escape=True),
        "<h2>Comparisons with control (virtual twins: within pairs)</h2>"
        if spec.randomisation.every_arm
        else "<h2>Comparisons with control</h2>",
        comparisons.to_html(index=False, escape=True, float_format=lambda x: f"{x:.4g}")
        if len(comparisons)
        else "<p>none</p>",
        "<h2>Table 1: baseline characteristics</h2>",
        table1.to_html(escape=True),
    ]
    if result.screening.get("targets"):
        parts += [
            "<h2>Baseline targets: match</h2>",
            pd.DataFrame(result.screening["targets"]).to_html(
                index=False, float_format=lambda x: f"{x:.3g}"
            ),
        ]
    failures = result.screening.get("screen_failures", {})
    if failures:
        parts += [
            "<h2>Screen failures</h2>",
            pd.Series(failures, name="candidates").to_frame().head(10).to_html(),
        ]
    if readouts:
        parts += [
            "<h2>Readouts over time by arm (mean, 95% CI)</h2>",
            f"<img src='data:image/png;base64,{_labs_figure(result, readouts)}'>",
        ]
    bars = _responder_figure(result)
    if bars:
        parts += ["<h2>Responders</h2>", f"<img src='data:image/png;base64,{bars}'>"]
    for endpoint_id, png in _km_figures(result):
        parts += [
            f"<h2>Kaplan-Meier: {html.escape(endpoint_id)}</h2>",
            f"<img src='data:image/png;base64,{png}'>",
        ]
    seconds = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    parts += [f"<p><small>ImmuneTwin {__version__}; {seconds}</small></p>", "</body></html>"]
    return "\n".join(parts)


def write_report(result: TrialResult, path: str | Path) -> Path:
    """Write only the HTML report."""
    return atomic_write_text(Path(path), report_html(result))
