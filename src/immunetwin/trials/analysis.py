"""Endpoint estimates by arm and comparisons against control (:mod:`immunetwin.statistics`).

Conventions, as in the pivotal trials:

- responder endpoints: non-responder imputation. A patient who dropped out or died
  before the endpoint visit, was rescued, or whose simulation failed... is a
  non-responder (failed simulations are counted in ``n_failed`` and excluded from
  every estimate instead: they are not patients, they are a solver problem to
  report);
- continuous endpoints: patients seen at the visit and not rescued (observed cases);
- rates: events between baseline and the last visit seen, over that time;
- time to event: time from randomisation, censored at drop-out, death (when the
  disease models death and the event does not include it), the trial's close
  (``[enrolment]``: staggered entry) or the end;
  an event before randomisation is excluded (such a patient is counted in
  ``n_prior_event``);
- incidence: share of analysed patients with the event seen by the endpoint week
  (a crude share: an event after the patient's drop-out, death or the trial's
  close is not seen).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from immunetwin import statistics as stats
from immunetwin.trials.spec import Endpoint, Expression, TrialSpec

__all__ = ["analyse", "covariate_values", "endpoint_values"]

WEEKS_PER_YEAR = 52.1775
DAYS_PER = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}


def _unit(endpoint: Endpoint) -> str:
    if endpoint.kind in ("responder", "incidence"):
        return "%"
    if endpoint.kind == "rate":
        return "per patient-year" if endpoint.per == 1 else f"per {endpoint.per:g} patient-years"
    if endpoint.kind == "time_to_event":
        return endpoint.time_unit
    return "as the readout"


def endpoint_values(
    spec: TrialSpec,
    endpoint: Endpoint,
    patients: pd.DataFrame,
    visits: pd.DataFrame,
    enrolment_day: float,
) -> pd.DataFrame:
    """Per-patient data of one endpoint (analysed patients only).

    Returns:
        Index ``patient_id``; columns ``arm`` and, by kind: ``value`` (responder 0/1,
        continuous, incidence 0/1), ``events`` and ``years`` (rate), ``duration``
        (days) and ``event`` (time to event).
    """
    ok = patients[patients["ok"].astype(bool)]
    week = spec.endpoint_week(endpoint)
    rows: dict[int, dict[str, Any]] = {}
    by_patient: dict[int, dict[float, dict[str, Any]]] = {}
    for record in visits.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        by_patient.setdefault(int(row["patient_id"]), {})[float(row["week"])] = row
    expression = Expression(endpoint.value)
    among = Expression(endpoint.among) if endpoint.among is not None else None
    end_day = 7.0 * spec.visits.end_week
    skip = ("patient_id", "arm", "seen", "rescued", "week")
    for pid_value, patient in zip(ok.index.tolist(), ok.to_dict("records"), strict=True):
        pid = int(pid_value)
        group = by_patient[pid]
        arm = patient["arm"]
        if among is not None and among(_entry_values(patient, group[0.0], skip)) != 1.0:
            continue
        baseline = {f"baseline_{k}": v for k, v in group[0.0].items() if k not in skip}
        if endpoint.kind in ("responder", "continuous"):
            visit = group[week]
            values = {**covariate_values(patient), **baseline, **visit}
            value = expression(values)
            observed = bool(visit["seen"]) and not bool(visit["rescued"])
            if endpoint.kind == "responder":
                rows[pid] = {"arm": arm, "value": float(observed and value == 1.0)}
            elif observed and math.isfinite(value):
                rows[pid] = {"arm": arm, "value": value}
            continue
        seen_weeks = [w for w, v in group.items() if bool(v["seen"])]
        last_week = max(seen_weeks) if seen_weeks else 0.0
        if endpoint.kind == "rate":
            start = float(group[0.0][endpoint.value])
            stop = float(group[last_week][endpoint.value])
            years = last_week / WEEKS_PER_YEAR
            if years > 0:
                rows[pid] = {"arm": arm, "events": max(0.0, stop - start), "years": years}
            continue
        # time_to_event and incidence: the day the event first happened, on the model's
        # timeline, read at the last visit (readouts carry the history).
        final = group[max(group)]
        event_day = float(final.get(endpoint.value, math.nan))
        since = event_day - enrolment_day
        if math.isfinite(since) and since <= 0:
            rows[pid] = {"arm": arm, "prior_event": True}
            continue
        # Follow-up ends at drop-out, at the trial's close for this patient (staggered
        # entry: ``admin_censor_week``) or at the end of the visit schedule.
        last = min(
            float(patient["dropout_week"]),
            float(patient.get("admin_censor_week", math.inf)),
            spec.visits.end_week,
        )
        follow_up = min(end_day, 7.0 * last)
        # Death ends follow-up: a competing event censors other events there (an event
        # that counts death, such as ``renal_event_or_death_day``, happens at it).
        death_week = float(patient.get("death_week", math.inf))
        if math.isfinite(death_week):
            follow_up = min(follow_up, 7.0 * death_week)
        if endpoint.kind == "time_to_event":
            event = math.isfinite(since) and since <= follow_up
            rows[pid] = {"arm": arm, "duration": since if event else follow_up, "event": event}
        else:
            # Crude share: events seen during the patient's follow-up, by the week.
            by = min(7.0 * week, follow_up)
            rows[pid] = {"arm": arm, "value": float(math.isfinite(since) and since <= by)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "patient_id"
    if "prior_event" not in frame:
        frame["prior_event"] = False
    # Patients without an event before randomisation have no row entry (NaN): not prior.
    frame["prior_event"] = frame["prior_event"].eq(True)
    return frame


def _estimate(spec: TrialSpec, endpoint: Endpoint, data: pd.DataFrame) -> dict[str, Any]:
    if endpoint.kind in ("responder", "incidence"):
        x = data["value"].to_numpy(dtype=float)
        e = stats.proportion(int(x.sum()), len(x))
        return {**_scaled(e, 100.0), "responders": int(x.sum())}
    if endpoint.kind == "continuous":
        return stats.mean(data["value"].to_numpy(dtype=float)).as_dict()
    if endpoint.kind == "rate":
        events, years = float(data["events"].sum()), float(data["years"].sum())
        if years <= 0:
            return {"value": None, "ci_low": None, "ci_high": None, "n": len(data)}
        e = stats.event_rate(round(events), years)
        return {
            **_scaled(e, endpoint.per / 100.0),
            "n": len(data),
            "events": round(events),
            "patient_years": years,
        }
    scale = 1.0 / DAYS_PER[endpoint.time_unit]
    e = stats.kaplan_meier_median(
        data["duration"].to_numpy(dtype=float), data["event"].to_numpy(dtype=bool)
    )
    return {**_scaled(e, scale), "events": int(data["event"].sum())}


def _scaled(e: stats.Estimate, factor: float) -> dict[str, Any]:
    d = e.as_dict()
    for key in ("value", "ci_low", "ci_high"):
        if d[key] is not None:
            d[key] = float(d[key]) * factor  # type: ignore[arg-type]
    return d


def _compare(endpoint: Endpoint, arm: pd.DataFrame, control: pd.DataFrame) -> dict[str, Any] | None:
    if len(arm) == 0 or len(control) == 0:
        return None
    if endpoint.kind in ("responder", "incidence"):
        x, y = arm["value"].to_numpy(dtype=float), control["value"].to_numpy(dtype=float)
        e = stats.proportion_difference(int(x.sum()), len(x), int(y.sum()), len(y))
        return {"difference": _pct(e.value), **_ci(e, 100.0)}
    if endpoint.kind == "continuous":
        e = stats.mean_difference(arm["value"].to_numpy(), control["value"].to_numpy())
        return {"difference": _num(e.value), **_ci(e, 1.0)}
    if endpoint.kind == "rate":
        if arm["years"].sum() <= 0 or control["years"].sum() <= 0:
            return None
        e = stats.rate_ratio(
            round(arm["events"].sum()),
            float(arm["years"].sum()),
            round(control["events"].sum()),
            float(control["years"].sum()),
        )
        return {"rate_ratio": _num(e.value), **_ci(e, 1.0)}
    both = pd.concat([arm.assign(treated=True), control.assign(treated=False)])
    e = stats.hazard_ratio(
        both["duration"].to_numpy(dtype=float),
        both["event"].to_numpy(dtype=bool),
        both["treated"].to_numpy(dtype=bool),
    )
    return {"hazard_ratio": _num(e.value), **_ci(e, 1.0)}


def _compare_paired(
    endpoint: Endpoint, arm: pd.DataFrame, control: pd.DataFrame
) -> dict[str, Any] | None:
    """Compare twins within pairs: one patient in two arms.

    ``arm`` and ``control`` are indexed by the source patient; only pairs analysed in
    both arms count.
    """
    pairs = arm.index.intersection(control.index)
    arm, control = arm.loc[pairs], control.loc[pairs]
    if len(pairs) == 0:
        return None
    if endpoint.kind in ("responder", "incidence"):
        e = stats.paired_proportion_difference(arm["value"].to_numpy(), control["value"].to_numpy())
        return {"difference": _pct(e.value), **_ci(e, 100.0), "pairs": e.n}
    if endpoint.kind == "continuous":
        e = stats.paired_mean_difference(arm["value"].to_numpy(), control["value"].to_numpy())
        return {"difference": _num(e.value), **_ci(e, 1.0), "pairs": e.n}
    if endpoint.kind == "rate":
        e = stats.paired_rate_ratio(
            arm["events"].round().to_numpy(),
            arm["years"].to_numpy(),
            control["events"].round().to_numpy(),
            control["years"].to_numpy(),
        )
        return {"rate_ratio": _num(e.value), **_ci(e, 1.0), "pairs": e.n}
    e = stats.paired_hazard_ratio(
        arm["duration"].to_numpy(dtype=float),
        arm["event"].to_numpy(dtype=bool),
        control["duration"].to_numpy(dtype=float),
        control["event"].to_numpy(dtype=bool),
    )
    return {"hazard_ratio": _num(e.value), **_ci(e, 1.0), "pairs": e.n}


def _by_source(data: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """An arm's endpoint data indexed by the twins' source patient."""
    return data.set_axis(patients.loc[data.index, "source_patient"].astype(int).to_numpy())


def _num(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _pct(x: float) -> float | None:
    return 100.0 * x if math.isfinite(x) else None


def _ci(e: stats.Estimate, factor: float) -> dict[str, Any]:
    return {
        "ci_low": _num(e.ci_low * factor),
        "ci_high": _num(e.ci_high * factor),
        "p_value": _num(e.p_value) if e.p_value is not None else None,
    }


def covariate_values(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A patient's numeric covariates and ``female``, as trial expressions read them.

    Screening criteria, strata, rescue and adjustment criteria and endpoints see these
    names (:mod:`immunetwin.trials.names` lists what each reads).
    """
    values = {str(k): v for k, v in row.items() if isinstance(v, (int, float, bool, np.number))}
    values["female"] = row.get("sex") == "female"
    return values


def _entry_values(
    patient: Mapping[Any, Any], baseline_visit: Mapping[str, Any], skip: tuple[str, ...]
) -> dict[str, Any]:
    """The names an endpoint's ``among`` reads: covariates and baseline readouts."""
    return {
        **covariate_values(patient),
        **{k: v for k, v in baseline_visit.items() if k not in skip},
    }


def analyse(
    spec: TrialSpec, patients: pd.DataFrame, visits: pd.DataFrame, enrolment_day: float
) -> tuple[dict[str, dict[str, dict[str, Any]]], list[dict[str, Any]]]:
    """Estimates per arm and endpoint, and each arm compared with the control arm."""
    control = spec.control.name
    endpoints: dict[str, dict[str, dict[str, Any]]] = {a.name: {} for a in spec.arms}
    comparisons: list[dict[str, Any]] = []
    for endpoint in spec.endpoints:
        data = endpoint_values(spec, endpoint, patients, visits, enrolment_day)
        analysed = data[~data["prior_event"]] if len(data) else data
        for arm in spec.arms:
            in_arm = patients["arm"] == arm.name
            subset = analysed[analysed["arm"] == arm.name] if len(analysed) else analysed
            estimate: dict[str, Any] = (
                _estimate(spec, endpoint, subset) if len(subset) else {"value": None}
            )
            estimate.update(
                {
                    "unit": _unit(endpoint),
                    "n_arm": int(in_arm.sum()),
                    "n_failed": int((in_arm & ~patients["ok"].astype(bool)).sum()),
                    "n_prior_event": int(
                        data.loc[data["arm"] == arm.name, "prior_event"].sum() if len(data) else 0
                    ),
                }
            )
            estimate.setdefault("ci_low", None)
            estimate.setdefault("ci_high", None)
            estimate.setdefault("n", len(subset))
            endpoints[arm.name][endpoint.id] = estimate
        paired = spec.randomisation.every_arm
        for arm in spec.arms:
            if arm.name == control or not len(analysed):
                continue
            treated = analysed[analysed["arm"] == arm.name]
            untreated = analysed[analysed["arm"] == control]
            if paired:
                # Virtual twins are not independent samples: compare within pairs.
                comparison = _compare_paired(
                    endpoint, _by_source(treated, patients), _by_source(untreated, patients)
                )
            else:
                comparison = _compare(endpoint, treated, untreated)
            if comparison is None:
                comparison = {"ci_low": None, "ci_high": None, "p_value": None}
            published = spec.published_comparisons.get(arm.name, {}).get(endpoint.id)
            if published is not None:
                comparison["published"] = published
            comparisons.append(
                {
                    "arm": arm.name,
                    "control": control,
                    "endpoint": endpoint.id,
                    "paired": paired,
                    **comparison,
                }
            )
    return endpoints, comparisons


def baseline_table(patients: pd.DataFrame, readouts: list[str]) -> pd.DataFrame:
    """'Table 1': baseline characteristics by arm (mean (SD) or n (%))."""
    rows: dict[str, dict[str, str]] = {}
    arms = list(dict.fromkeys(patients["arm"]))
    columns = ["age", "weight_kg", *(f"baseline_{r}" for r in readouts)]
    rows["n"] = {arm: str(int((patients["arm"] == arm).sum())) for arm in arms}
    rows["female, n (%)"] = {
        arm: _count((patients.loc[patients["arm"] == arm, "sex"] == "female").to_numpy())
        for arm in arms
    }
    for column in columns:
        if column not in patients:
            continue
        label = column.removeprefix("baseline_")
        series = patients[column]
        if series.dtype == bool or set(pd.unique(series.dropna())) <= {0, 1}:
            rows[f"{label}, n (%)"] = {
                arm: _count(series[patients["arm"] == arm].astype(bool).to_numpy()) for arm in arms
            }
        else:
            rows[f"{label}, mean (SD)"] = {
                arm: _mean_sd(series[patients["arm"] == arm].astype(float).to_numpy())
                for arm in arms
            }
    return pd.DataFrame.from_dict(rows, orient="index")[arms]


def _count(x: np.ndarray) -> str:
    n = len(x)
    k = int(np.sum(x))
    return f"{k} ({100.0 * k / n:.0f}%)" if n else "0"


def _mean_sd(x: np.ndarray) -> str:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return "NA"
    return f"{x.mean():.3g} ({x.std(ddof=1) if len(x) > 1 else 0.0:.2g})"
