"""Background-therapy changes by rule at visits (spec ``[[adjustments]]``)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from immunetwin._errors import SpecError
from immunetwin.trials import parse_spec, run_trial

from .test_trial_run import SMALL_RA, _toml, run_cli

# The small RA trial of test_trial_run, without drop-out (every patient is seen) and
# with a visit at week 8 (so that a rule can fire twice).
BASE = {
    **{k: v for k, v in copy.deepcopy(SMALL_RA).items() if k != "dropout"},
    "name": "adjusted RA trial",
    "seed": 23,
    "visits": {"weeks": [0, 4, 8, 12]},
    "endpoints": [{"id": "das28", "kind": "continuous", "value": "das28_crp"}],
}
# Always true at a seen visit: every placebo patient is adjusted at the first allowed one.
ALWAYS = "tjc28 >= 0"
ADALIMUMAB_FROM_WEEK_4 = {
    "label": "anti-TNF from week 4",
    "criteria": ALWAYS,
    "regimens": ["adalimumab 40 mg SC every 14 days"],
    "arms": ["placebo"],
    "from_week": 4,
}
READOUTS = ["das28_crp", "crp", "tjc28", "sjc28", "haq_di"]


def spec_with(adjustments: list[dict], **changes) -> dict:
    data = copy.deepcopy(BASE)
    data["adjustments"] = adjustments
    data.update(changes)
    return data


def visits_of(result) -> pd.DataFrame:
    v = result.visits
    return v[v["seen"]].set_index(["patient_id", "week"])[READOUTS].sort_index()


@pytest.fixture(scope="module")
def plain():
    return run_trial(parse_spec(spec_with([])), workers=1)


@pytest.fixture(scope="module")
def adjusted():
    return run_trial(parse_spec(spec_with([ADALIMUMAB_FROM_WEEK_4])), workers=1)


def written_into_arm(arm: int, regimens: list[str]):
    """The base trial with ``regimens`` as arm ``arm``'s own (same patients and draws)."""
    data = copy.deepcopy(BASE)
    data["arms"][arm]["regimens"] = regimens
    return run_trial(parse_spec(data), workers=1)


def test_an_adjustment_equals_the_same_doses_written_into_the_arm(adjusted):
    # Reference: the placebo arm given adalimumab from day 28 as its own regimen (same
    # patients, randomisation and draws): every readout at every visit must agree.
    written = written_into_arm(0, ["adalimumab 40 mg SC on days 28, 42, 56, 70"])
    pd.testing.assert_frame_equal(visits_of(adjusted), visits_of(written))
    placebo = adjusted.patients[adjusted.patients["arm"] == "placebo"]
    assert len(placebo) and (placebo["adjustments"] == 1).all()
    assert (placebo["first_adjustment_week"] == 4.0).all()
    treated = adjusted.patients[adjusted.patients["arm"] == "adalimumab"]
    assert (treated["adjustments"] == 0).all() and treated["first_adjustment_week"].isna().all()


def test_visits_before_the_adjustment_are_unchanged_and_later_ones_move(plain, adjusted):
    before, after = visits_of(plain), visits_of(adjusted)
    pd.testing.assert_frame_equal(
        before.xs(4.0, level="week", drop_level=False),
        after.xs(4.0, level="week", drop_level=False),
    )
    placebo = adjusted.patients.index[adjusted.patients["arm"] == "placebo"]
    crp_plain = before.loc[(placebo, 12.0), "crp"].to_numpy()
    crp_adjusted = after.loc[(placebo, 12.0), "crp"].to_numpy()
    assert np.all(crp_adjusted < crp_plain)  # anti-TNF lowers CRP in every adjusted patient
    treated = adjusted.patients.index[adjusted.patients["arm"] == "adalimumab"]
    pd.testing.assert_frame_equal(before.loc[list(treated)], after.loc[list(treated)])
    v = adjusted.visits
    counts = v[v["arm"] == "placebo"].groupby("week")["adjustments"].max()
    assert counts.to_dict() == {0.0: 0, 4.0: 1, 8.0: 1, 12.0: 1}


def test_a_rule_that_never_fires_changes_nothing(plain):
    never = {**ADALIMUMAB_FROM_WEEK_4, "criteria": "tjc28 < 0"}
    result = run_trial(parse_spec(spec_with([never])), workers=1)
    pd.testing.assert_frame_equal(visits_of(plain), visits_of(result))
    assert (result.patients["adjustments"] == 0).all()


def test_repeats_window_and_limits():
    twice_until_8 = {
        **ADALIMUMAB_FROM_WEEK_4,
        "regimens": ["prednisone 10 mg daily for 7 days"],
        "arms": [],
        "max_per_patient": 3,
        "until_week": 8,
    }
    result = run_trial(parse_spec(spec_with([twice_until_8])), workers=1)
    # Weeks 4 and 8 are allowed, 12 is after until_week: two per seen patient.
    seen_at_8 = result.visits[(result.visits["week"] == 8) & result.visits["seen"]]
    adjusted = result.patients.loc[seen_at_8["patient_id"].unique()]
    assert (adjusted["adjustments"] == 2).all()
    assert (adjusted["first_adjustment_week"] == 4.0).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"arms": ["nobody"]}, "adjustment 'anti-TNF from week 4' names unknown arm 'nobody'"),
        ({"regimens": []}, "give regimens to start, drugs to stop, or both"),
        ({"stop": ["nodrug"]}, "adjustment 'anti-TNF from week 4': stop: unknown drug 'nodrug'"),
        ({"stop": ["rituximab"]}, "stop: no regimen of the trial gives 'rituximab'"),
        ({"max_per_patient": 0}, "adjustments.0.max_per_patient"),
        ({"criteria": "__import__('os')"}, "is not allowed"),
    ],
)
def test_bad_adjustments_are_one_clear_line(change, message):
    with pytest.raises(SpecError) as err:
        run_trial(parse_spec(spec_with([{**ADALIMUMAB_FROM_WEEK_4, **change}])), workers=1)
    assert message in str(err.value) and "\n" not in str(err.value)


STOP_ADALIMUMAB_AT_WEEK_4 = {
    "label": "adalimumab withheld",
    "criteria": ALWAYS,
    "stop": ["Humira"],  # an alias: stops resolve drug names as regimens do
    "arms": ["adalimumab"],
    "from_week": 4,
}


def test_stopping_a_drug_equals_the_doses_before_the_visit_written_into_the_arm():
    # Reference: adalimumab every 14 days stopped at week 4 (day 28) is the arm given
    # only its doses of days 0 and 14.
    stopped = run_trial(parse_spec(spec_with([STOP_ADALIMUMAB_AT_WEEK_4])), workers=1)
    reference = written_into_arm(1, ["adalimumab 40 mg SC on days 0, 14"])
    pd.testing.assert_frame_equal(visits_of(stopped), visits_of(reference))
    treated = stopped.patients[stopped.patients["arm"] == "adalimumab"]
    assert len(treated) and (treated["first_adjustment_week"] == 4.0).all()


def test_a_stop_ends_running_infusions_and_leaves_other_drugs_and_flags_alone():
    from immunetwin.engine import StateChange
    from immunetwin.trials.run import _stopped

    changes = [
        StateChange(0.0, "infliximab_infusion_rate", "set", 100.0),
        StateChange(10.0, "infliximab_infusion_rate", "set", 0.0),
        StateChange(20.0, "infliximab_infusion_rate", "set", 100.0),  # running at day 20.05
        StateChange(20.1, "infliximab_infusion_rate", "set", 0.0),
        StateChange(30.0, "infliximab_infusion_rate", "set", 100.0),
        StateChange(0.0, "cd19_car_t_programme", "set", 1.0),
        StateChange(21.0, "methotrexate_depot_oral", "add", 15.0),
    ]
    kept = _stopped(changes, ["infliximab", "cd19_car_t"], 20.05)
    infusion = [(c.time, c.value) for c in kept if c.target == "infliximab_infusion_rate"]
    assert infusion == [(0.0, 100.0), (10.0, 0.0), (20.0, 100.0), (20.05, 0.0)]
    assert StateChange(0.0, "cd19_car_t_programme", "set", 1.0) in kept
    assert StateChange(21.0, "methotrexate_depot_oral", "add", 15.0) in kept
    # Nothing running at the stop: no change added.
    assert _stopped(changes[:2], ["infliximab"], 15.0) == changes[:2]


def test_cli_trial_with_adjustments_reports_them(tmp_path):
    path = tmp_path / "adjusted.toml"
    path.write_text(_toml(spec_with([ADALIMUMAB_FROM_WEEK_4])))
    done = run_cli("trial", str(path), "--workers", "1", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if "background-therapy adjustment" in x)
    placebo = int(line.split("placebo ")[1].split(" of ")[0])
    assert placebo > 0 and "adalimumab 0 of" in line
    patients = pd.read_parquet(tmp_path / "out" / "patients.parquet")
    assert {"adjustments", "first_adjustment_week"} <= set(patients.columns)


def test_same_adjustments_with_two_workers_and_chunked_observation(adjusted, monkeypatch):
    monkeypatch.setattr("immunetwin.trials.run.OBSERVE_IN_PROCESS_BELOW", 0)
    monkeypatch.setattr("immunetwin.trials.run._SCREENING_CACHE", {})
    two = run_trial(parse_spec(spec_with([ADALIMUMAB_FROM_WEEK_4])), workers=2)
    pd.testing.assert_frame_equal(visits_of(adjusted), visits_of(two))
    columns = ["arm", "adjustments", "first_adjustment_week"]
    pd.testing.assert_frame_equal(adjusted.patients[columns], two.patients[columns])
