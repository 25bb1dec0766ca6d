"""Staggered entry and the trial's calendar close (spec ``[enrolment]``).

Entry times change no simulation: only who is seen when. So the reference for every
censored result is the same trial without ``[enrolment]``, censored here by hand.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

from immunetwin._errors import SpecError
from immunetwin.trials import parse_spec, run_trial
from immunetwin.trials.analysis import endpoint_values
from immunetwin.trials.output import enrolment_summary

from .test_trial_run import _toml, run_cli

# TN-10 at 16 patients over two years: type 1 diabetes simulates fast, and stage 3
# comes within months to years, so a close censors some events and not others.
BASE = {
    "name": "staggered prevention trial",
    "disease": "t1d",
    "patients": 16,
    "seed": 31,
    "population": {"female_fraction": 0.45, "age_mean": 18.0, "age_sd": 10.0},
    "screening": {"criteria": ["multiple_autoantibodies", "dysglycaemia", "stage < 3"]},
    "arms": [
        {"name": "placebo", "control": True},
        {"name": "teplizumab", "regimens": ["teplizumab 0.65 mg/m2 IV daily for 14 days"]},
    ],
    "visits": {"weeks": [0, 13, 26, 39, 52, 65, 78, 91, 104]},
    "dropout": {"rate_per_year": 0.1},
    "endpoints": [
        {"id": "t1d", "kind": "time_to_event", "value": "stage3_day", "primary": True},
        {"id": "diagnosed", "kind": "incidence", "value": "stage3_day"},
        {"id": "c_peptide", "kind": "continuous", "value": "c_peptide_auc", "week": 52},
    ],
}
ACCRUAL = 52.0
CLOSE = 78.0


def spec_with(enrolment: dict | None, **changes) -> dict:
    data = copy.deepcopy(BASE)
    if enrolment is not None:
        data["enrolment"] = enrolment
    data.update(changes)
    return data


def values(result, endpoint_id: str) -> pd.DataFrame:
    endpoint = next(e for e in result.spec.endpoints if e.id == endpoint_id)
    enrolment_day = result.screening["enrolment_day"]
    return endpoint_values(result.spec, endpoint, result.patients, result.visits, enrolment_day)


@pytest.fixture(scope="module")
def plain():
    return run_trial(parse_spec(spec_with(None)), workers=1)


@pytest.fixture(scope="module")
def dated():
    return run_trial(
        parse_spec(spec_with({"accrual_weeks": ACCRUAL, "close_week": CLOSE})), workers=1
    )


def test_entries_spread_over_the_accrual_and_change_no_simulation(plain, dated):
    entries = dated.patients["entry_week"]
    assert ((entries >= 0) & (entries <= ACCRUAL)).all() and entries.nunique() == len(entries)
    assert (plain.patients["entry_week"] == 0).all()
    assert np.isinf(plain.patients["admin_censor_week"]).all()
    np.testing.assert_allclose(dated.patients["admin_censor_week"], CLOSE - entries)
    # The same patients, arms and trajectories: every readout at every visit agrees.
    columns = ["patient_id", "week", "arm", "c_peptide_auc", "glucose_2h", "stage3_day"]
    pd.testing.assert_frame_equal(plain.visits[columns], dated.visits[columns])


def test_accrual_without_a_close_changes_no_result(plain):
    spread = run_trial(parse_spec(spec_with({"accrual_weeks": ACCRUAL})), workers=1)
    assert spread.endpoints == plain.endpoints
    assert spread.screening["close"]["closed_by"] == "schedule"


def test_a_patient_is_seen_only_until_the_close(plain, dated):
    visits = dated.visits.merge(
        dated.patients[["admin_censor_week"]], left_on="patient_id", right_index=True
    )
    after = visits["week"] > visits["admin_censor_week"]
    assert after.any() and not visits.loc[after, "seen"].any()
    before = ~after
    pd.testing.assert_series_equal(
        visits.loc[before, "seen"], plain.visits.loc[before[before].index, "seen"]
    )


def test_time_to_event_is_censored_at_the_close_by_hand(plain, dated):
    reference = values(plain, "t1d")
    censor_days = 7.0 * dated.patients["admin_censor_week"].reindex(reference.index)
    event = reference["event"] & (reference["duration"] <= censor_days)
    duration = np.where(
        event, reference["duration"], np.minimum(reference["duration"], censor_days)
    )
    got = values(dated, "t1d")
    np.testing.assert_array_equal(got["event"].to_numpy(), event.to_numpy())
    np.testing.assert_allclose(got["duration"].to_numpy(), duration)
    assert event.sum() < reference["event"].sum()  # the close censored some events


def test_crude_incidence_counts_only_events_seen(plain, dated):
    for result in (plain, dated):
        infected = values(result, "diagnosed")["value"]
        timed = values(result, "t1d")
        pd.testing.assert_series_equal(infected, timed["event"].astype(float), check_names=False)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_event_driven_close_falls_on_the_nth_event(plain, workers, monkeypatch):
    reference = values(plain, "t1d")
    accrual = {"accrual_weeks": ACCRUAL, "close_after_events": 3}
    if workers == 2:
        monkeypatch.setattr("immunetwin.trials.run.OBSERVE_IN_PROCESS_BELOW", 0)
    result = run_trial(parse_spec(spec_with(accrual)), workers=workers)
    entries = result.patients["entry_week"].reindex(reference.index)
    events = reference[reference["event"]]
    calendar = np.sort(7.0 * entries[events.index] + events["duration"])
    close = result.screening["close"]
    # The data cut-off: the end of the day of the third event.
    assert close["closed_by"] == "events"
    assert 7.0 * close["close_week"] == pytest.approx(math.floor(calendar[2]) + 1.0)
    by_close = int((calendar <= 7.0 * close["close_week"]).sum())
    assert close["events_at_close"] == by_close >= 3
    got = values(result, "t1d")
    assert got["event"].sum() == by_close
    np.testing.assert_allclose(
        result.patients["admin_censor_week"], close["close_week"] - result.patients["entry_week"]
    )
    summary = enrolment_summary(result)
    assert summary is not None and "at event 3 of t1d" in summary


def test_entries_after_an_early_event_close_get_no_follow_up(plain):
    # The first event comes long before the last of 520 weeks of entries.
    result = run_trial(
        parse_spec(spec_with({"accrual_weeks": 520.0, "close_after_events": 1})), workers=1
    )
    close = result.screening["close"]["close_week"]
    late = result.patients["entry_week"] >= close
    assert late.any() and (result.patients.loc[late, "admin_censor_week"] == 0).all()
    timed = values(result, "t1d")
    assert (timed["duration"] >= 0).all()
    seen = result.visits[result.visits["seen"]]
    assert set(seen[seen["patient_id"].isin(late[late].index)]["week"]) == {0.0}


def test_a_close_never_reached_leaves_the_schedule(plain):
    events = int(values(plain, "t1d")["event"].sum())
    result = run_trial(parse_spec(spec_with({"close_after_events": events + 1})), workers=1)
    assert result.screening["close"]["closed_by"] == "schedule"
    assert result.screening["close"]["events_at_close"] == events
    assert result.endpoints == plain.endpoints


def test_the_event_count_scales_with_the_trial_size():
    data = spec_with({"close_after_events": 6})
    assert parse_spec(data).enrolment.close_after_events == 6
    assert parse_spec(data, {"patients": 8}).enrolment.close_after_events == 3
    assert parse_spec(data, {"patients": 2}).enrolment.close_after_events == 1


@pytest.mark.parametrize(
    ("enrolment", "endpoints", "message"),
    [
        ({"close_week": 10, "close_after_events": 3}, None, "not both"),
        ({"close_endpoint": "t1d"}, None, "close_endpoint needs close_after_events"),
        ({"close_after_events": 3, "close_endpoint": "c_peptide"}, None, "'c_peptide' is not"),
        ({"close_after_events": 17}, None, "more than the 16 patients"),
        (
            {"close_after_events": 3},
            [{"id": "c_peptide", "kind": "continuous", "value": "c_peptide_auc"}],
            "needs a time_to_event endpoint",
        ),
        ({"accrual_weeks": -1}, None, "enrolment.accrual_weeks"),
        ({"close_week": 0}, None, "enrolment.close_week"),
        ({"accrual_weeks": 52, "close_week": 20}, None, "must come after the last entry"),
        ({"accrual": 3}, None, "enrolment.accrual"),
    ],
)
def test_bad_enrolment_is_one_clear_line(enrolment, endpoints, message):
    data = spec_with(enrolment)
    if endpoints is not None:
        data["endpoints"] = endpoints
    with pytest.raises(SpecError, match=message) as err:
        parse_spec(data)
    assert "\n" not in str(err.value)


def test_cli_prints_the_close(tmp_path):
    spec = spec_with({"accrual_weeks": ACCRUAL, "close_week": CLOSE}, patients=4)
    path = tmp_path / "staggered.toml"
    path.write_text(_toml(spec))
    done = run_cli("trial", str(path), "--workers", "1", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("Enrolment:"))
    assert f"closed at week {CLOSE:g} after the first entry" in line
    assert math.isfinite(float(line.split("median ")[1].split()[0]))
