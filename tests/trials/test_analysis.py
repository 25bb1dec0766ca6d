"""Endpoint analysis on constructed trial data, against immunetwin.statistics directly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from immunetwin import statistics as stats
from immunetwin.trials import parse_spec
from immunetwin.trials.analysis import analyse, baseline_table, endpoint_values

ENROLMENT_DAY = 100.0


def spec_with(endpoints: list[dict]) -> object:
    return parse_spec(
        {
            "name": "t",
            "disease": "ra",
            "patients": 10,
            "arms": [{"name": "placebo", "control": True}, {"name": "drug"}],
            "visits": {"weeks": [0, 12, 52]},
            "endpoints": endpoints,
        }
    )


def trial_data(n_per_arm: int = 40, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patients with a score that falls more on drug, a count, and an event day."""
    rng = np.random.default_rng(seed)
    patients, visits = [], []
    for k in range(2 * n_per_arm):
        arm = "drug" if k % 2 else "placebo"
        base = rng.normal(6.0, 1.0)
        drop = rng.normal(2.0 if arm == "drug" else 1.0, 1.0)
        event_day = ENROLMENT_DAY + rng.exponential(400.0 if arm == "drug" else 200.0)
        relapses = rng.poisson(0.3 if arm == "drug" else 0.8)
        dropout_week = 30.0 if k % 10 == 0 else math.inf
        patients.append(
            {
                "patient_id": k,
                "arm": arm,
                "ok": k != 5,
                "dropout_week": dropout_week,
                "sex": "female",
                "age": 40.0,
            }
        )
        for week in (0.0, 12.0, 52.0):
            score = base - drop * week / 52.0
            visits.append(
                {
                    "patient_id": k,
                    "arm": arm,
                    "week": week,
                    "seen": week < dropout_week,
                    "rescued": False,
                    "score": score,
                    "relapses": 2 + relapses * week / 52.0,
                    "event_day": event_day if event_day <= ENROLMENT_DAY + 7 * week else math.nan,
                }
            )
    return pd.DataFrame(patients).set_index("patient_id"), pd.DataFrame(visits)


def test_responder_endpoint_equals_wilson_and_newcombe_on_the_same_counts():
    spec = spec_with(
        [{"id": "r", "kind": "responder", "value": "score - baseline_score <= -1.5", "week": 52}]
    )
    patients, visits = trial_data()
    endpoints, comparisons = analyse(spec, patients, visits, ENROLMENT_DAY)
    # Count by hand: seen at week 52 (dropouts at week 30 are non-responders), ok only.
    counts = {}
    for arm in ("placebo", "drug"):
        ids = patients.index[(patients["arm"] == arm) & patients["ok"]]
        final = visits[(visits["week"] == 52) & visits["patient_id"].isin(ids)].set_index(
            "patient_id"
        )
        start = visits[(visits["week"] == 0) & visits["patient_id"].isin(ids)].set_index(
            "patient_id"
        )
        responders = ((final["score"] - start["score"] <= -1.5) & final["seen"]).sum()
        counts[arm] = (int(responders), len(ids))
        expected = stats.proportion(*counts[arm])
        got = endpoints[arm]["r"]
        assert got["value"] == pytest.approx(100 * expected.value)
        assert got["ci_low"] == pytest.approx(100 * expected.ci_low)
        assert got["n"] == len(ids)
    assert endpoints["drug"]["r"]["n_failed"] == 1  # patient 5 failed: excluded, counted
    assert endpoints["placebo"]["r"]["n_failed"] == 0
    difference = stats.proportion_difference(*counts["drug"], *counts["placebo"])
    (comparison,) = comparisons
    assert comparison["difference"] == pytest.approx(100 * difference.value)
    assert comparison["p_value"] == pytest.approx(difference.p_value)


def test_continuous_endpoint_uses_observed_cases_and_welch():
    spec = spec_with(
        [{"id": "c", "kind": "continuous", "value": "score - baseline_score", "week": 52}]
    )
    patients, visits = trial_data()
    endpoints, comparisons = analyse(spec, patients, visits, ENROLMENT_DAY)
    data = endpoint_values(spec, spec.endpoints[0], patients, visits, ENROLMENT_DAY)
    assert len(data) == 80 - 1 - 8  # failed patient and the 8 drop-outs have no week 52
    drug, placebo = (data.loc[data["arm"] == a, "value"] for a in ("drug", "placebo"))
    expected = stats.mean_difference(drug.to_numpy(), placebo.to_numpy())
    assert comparisons[0]["difference"] == pytest.approx(expected.value)
    assert comparisons[0]["difference"] < 0  # the drug lowers the score more
    assert endpoints["drug"]["c"]["value"] == pytest.approx(drug.mean())


def test_rate_endpoint_counts_events_over_time_seen():
    spec = spec_with([{"id": "arr", "kind": "rate", "value": "relapses", "per": 1}])
    patients, visits = trial_data()
    endpoints, comparisons = analyse(spec, patients, visits, ENROLMENT_DAY)
    data = endpoint_values(spec, spec.endpoints[0], patients, visits, ENROLMENT_DAY)
    placebo = data[data["arm"] == "placebo"]
    rate = placebo["events"].sum() / placebo["years"].sum()
    assert endpoints["placebo"]["arr"]["value"] == pytest.approx(rate, rel=0.02)
    assert endpoints["placebo"]["arr"]["unit"] == "per patient-year"
    assert comparisons[0]["rate_ratio"] < 1.0


def test_time_to_event_matches_lifelines_and_censors_at_dropout():
    spec = spec_with([{"id": "tte", "kind": "time_to_event", "value": "event_day"}])
    patients, visits = trial_data(n_per_arm=60)
    endpoints, comparisons = analyse(spec, patients, visits, ENROLMENT_DAY)
    data = endpoint_values(spec, spec.endpoints[0], patients, visits, ENROLMENT_DAY)
    assert data["duration"].max() <= 7 * 52 + 1e-9
    dropped = patients.index[patients["dropout_week"] == 30.0].intersection(data.index)
    assert (data.loc[dropped, "duration"] <= 7 * 30 + 1e-9).all()
    expected = stats.hazard_ratio(
        data["duration"].to_numpy(), data["event"].to_numpy(), (data["arm"] == "drug").to_numpy()
    )
    assert comparisons[0]["hazard_ratio"] == pytest.approx(expected.value)
    assert comparisons[0]["hazard_ratio"] < 1.0
    assert endpoints["placebo"]["tte"]["unit"] == "months"


def test_baseline_table_reports_counts_and_means_by_arm():
    patients, visits = trial_data()
    patients["baseline_score"] = visits[visits["week"] == 0].set_index("patient_id")["score"]
    table = baseline_table(patients, ["score"])
    assert list(table.columns) == ["placebo", "drug"]
    assert table.loc["n", "drug"] == "40"
    assert table.loc["female, n (%)", "placebo"] == "40 (100%)"
    assert "score, mean (SD)" in table.index


def test_death_censors_a_time_to_event_endpoint_that_does_not_count_it():
    spec = spec_with([{"id": "e", "kind": "time_to_event", "value": "event_day"}])
    patients, visits = trial_data()
    patients["death_week"] = math.inf
    # Patient 2 dies at week 10 before any event: censored there, not at the end.
    patients.loc[2, "death_week"] = 10.0
    visits.loc[visits["patient_id"] == 2, "event_day"] = math.nan
    data = endpoint_values(spec, spec.endpoints[0], patients, visits, ENROLMENT_DAY)
    assert data.loc[2, "duration"] == pytest.approx(70.0)
    assert not data.loc[2, "event"]
    # Without a death week (no death model) the old follow-up holds.
    alive = endpoint_values(
        spec, spec.endpoints[0], patients.drop(columns="death_week"), visits, ENROLMENT_DAY
    )
    assert alive.loc[2, "duration"] == pytest.approx(364.0)


def test_an_endpoint_among_a_baseline_subgroup_analyses_only_that_subgroup():
    spec = spec_with(
        [
            {
                "id": "c",
                "kind": "continuous",
                "value": "score - baseline_score",
                "week": 52,
                "among": "score >= 6 and female",
            }
        ]
    )
    patients, visits = trial_data()
    unfiltered = spec_with(
        [{"id": "c", "kind": "continuous", "value": "score - baseline_score", "week": 52}]
    )
    everyone = endpoint_values(unfiltered, unfiltered.endpoints[0], patients, visits, ENROLMENT_DAY)
    data = endpoint_values(spec, spec.endpoints[0], patients, visits, ENROLMENT_DAY)
    entry = visits[visits["week"] == 0].set_index("patient_id")["score"]
    expected = [pid for pid in everyone.index if entry[pid] >= 6]
    assert 0 < len(data) < len(everyone)
    assert sorted(data.index) == sorted(expected)
    endpoints, _ = analyse(spec, patients, visits, ENROLMENT_DAY)
    assert sum(endpoints[arm]["c"]["n"] for arm in ("placebo", "drug")) == len(expected)
    # Nobody is a man here: a subgroup of men is empty, and says so.
    men = spec_with(
        [{"id": "c", "kind": "continuous", "value": "score", "week": 52, "among": "not female"}]
    )
    assert len(endpoint_values(men, men.endpoints[0], patients, visits, ENROLMENT_DAY)) == 0
    none, _ = analyse(men, patients, visits, ENROLMENT_DAY)
    assert none["drug"]["c"]["value"] is None and none["drug"]["c"]["n"] == 0
