"""Trial expressions are checked for unknown names before anything is simulated.

An unknown name evaluates to NaN (the missed-visit rule), so without this check a
typo would pass silently: an empty subgroup, a criterion no one meets.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin._errors import SpecError
from immunetwin.diseases import DISEASES
from immunetwin.diseases.readouts import with_demographics
from immunetwin.trials import load_spec, parse_spec, run_trial
from immunetwin.trials.names import check_names, trial_names
from immunetwin.trials.run import get_disease, trial_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SPEC = {
    "name": "names",
    "disease": "ra",
    "patients": 10,
    "screening": {
        "criteria": ["tjc28 >= 6", "age >= 18"],
        "exclusion": ["weight_kg > 150"],
        "targets": [{"readout": "das28_crp", "mean": 6.0, "sd": 1.0}],
    },
    "randomisation": {"stratify": ["sex", "crp > 10"]},
    "report_readouts": ["haq_di", "crp"],
    "rescue": {"criteria": "das28_crp > baseline_das28_crp + 1", "from_week": 4},
    "arms": [{"name": "placebo", "control": True}, {"name": "drug", "regimens": []}],
    "visits": {"weeks": [0, 12, 24]},
    "endpoints": [
        {"id": "acr20", "kind": "responder", "value": "acr20 and not rescued", "week": 24},
        {
            "id": "das",
            "kind": "continuous",
            "value": "das28_crp - baseline_das28_crp",
            "among": "crp > 10 and female",
            "week": 24,
        },
    ],
}


def _check(data: dict) -> None:
    spec = parse_spec(data)
    check_names(spec, get_disease(spec.disease), trial_model(spec))


def test_every_example_spec_reads_only_names_it_has():
    paths = sorted(EXAMPLES.glob("*/*.toml"))
    assert len(paths) >= 10
    for path in paths:
        spec = load_spec(path)
        check_names(spec, get_disease(spec.disease), trial_model(spec))


def test_a_spec_with_every_kind_of_expression_passes():
    _check(SPEC)


def _with(path: tuple, value) -> dict:
    data = copy.deepcopy(SPEC)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "where", "name", "suggestion"),
    [
        (("screening", "criteria", 0), "tjc_28 >= 6", "screening.criteria", "tjc_28", "tjc28"),
        (("screening", "exclusion", 0), "weight > 150", "screening.exclusion", "weight", None),
        (
            ("screening", "targets", 0, "readout"),
            "das28crp",
            "screening.targets readout",
            "das28crp",
            "das28_crp",
        ),
        (("randomisation", "stratify", 1), "cpr > 10", "randomisation.stratify", "cpr", "crp"),
        # The baseline table's readouts: a typo was a silently missing row.
        (("report_readouts", 0), "haq", "report_readouts", "haq", "haq_di"),
        (
            ("rescue", "criteria"),
            "das28_crp > baseline_das28 + 1",
            "rescue.criteria",
            "baseline_das28",
            "baseline_das28_crp",
        ),
        (("endpoints", 0, "value"), "acr_20", "endpoint 'acr20' value", "acr_20", "acr20"),
        (
            ("endpoints", 1, "among"),
            "crp > 10 and women",
            "endpoint 'das' among",
            "women",
            None,
        ),
        # A screening criterion cannot read a response (there is no baseline to compare).
        (("screening", "criteria", 1), "acr20", "screening.criteria", "acr20", None),
        # An endpoint's subgroup reads baseline values unprefixed.
        (
            ("endpoints", 1, "among"),
            "baseline_crp > 10",
            "endpoint 'das' among",
            "baseline_crp",
            None,
        ),
    ],
)
def test_an_unknown_name_is_one_error_line_naming_field_name_and_alternatives(
    path, value, where, name, suggestion
):
    with pytest.raises(SpecError) as raised:
        _check(_with(path, value))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{where}: {name!r} in ")
    assert "it can read: " in message
    if suggestion is not None:
        assert "did you mean " in message
        assert repr(suggestion) in message.split("did you mean ")[1].split("?")[0]


def test_event_endpoints_and_adjustments_are_checked():
    data = copy.deepcopy(SPEC)
    data["disease"] = "ms"
    del data["report_readouts"]
    data["screening"] = {"criteria": ["relapses_past_year >= 1"]}
    data["randomisation"] = {}
    del data["rescue"]
    data["endpoints"] = [
        {"id": "arr", "kind": "rate", "value": "relapses", "primary": True},
        {"id": "cdp", "kind": "time_to_event", "value": "cdp_day"},
    ]
    _check(data)
    data["endpoints"][1]["value"] = "cdp_days"
    with pytest.raises(SpecError, match=r"endpoint 'cdp' value: 'cdp_days' .*'cdp_day'"):
        _check(data)
    data["endpoints"][1]["value"] = "cdp_day"
    data["adjustments"] = [
        {
            "label": "escalate",
            "criteria": "relapse > 0",
            "from_week": 4,
            "regimens": ["prednisone 30 mg daily for 28 days"],
        }
    ]
    with pytest.raises(SpecError, match=r"adjustment 'escalate' criteria: 'relapse'"):
        _check(data)


def test_death_and_harm_readouts_are_known_only_where_the_trial_has_them():
    sle = copy.deepcopy(SPEC)
    sle.update(disease="sle", screening={}, randomisation={}, report_readouts=[])
    del sle["rescue"]
    sle["endpoints"] = [{"id": "death", "kind": "time_to_event", "value": "death_day"}]
    _check(sle)  # SLE has a death model
    # A harm's event day gets its composite with death as the disease's own do.
    sle["harms"] = {"infections": True}
    sle["endpoints"] = [
        {"id": "si", "kind": "time_to_event", "value": "first_serious_infection_or_death_day"}
    ]
    _check(sle)
    ms = copy.deepcopy(sle)
    del ms["harms"]
    ms.update(disease="ms")
    ms["endpoints"] = [{"id": "death", "kind": "time_to_event", "value": "death_day"}]
    with pytest.raises(SpecError, match="'death_day'"):
        _check(ms)  # MS has none
    ra = copy.deepcopy(SPEC)
    ra["endpoints"] = [{"id": "death", "kind": "time_to_event", "value": "death_day"}]
    _check(ra)  # RA's death model (cardiovascular, by DAS28-ESR)
    ra["endpoints"] = [{"id": "si", "kind": "incidence", "value": "first_serious_infection_day"}]
    with pytest.raises(SpecError, match="'first_serious_infection_day'"):
        _check(ra)
    ra["harms"] = {"infections": True}
    _check(ra)


def test_run_trial_rejects_a_typo_before_simulating(monkeypatch):
    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before checking the names")

    monkeypatch.setattr("immunetwin.trials.run.run_population", no_simulation)
    with pytest.raises(SpecError, match=r"screening\.criteria: 'sjc_28'"):
        run_trial(parse_spec(_with(("screening", "criteria", 0), "sjc_28 >= 4")), workers=1)


@pytest.mark.parametrize("disease", sorted(DISEASES))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_readout_names_do_not_depend_on_the_state(disease, data):
    """The contract observation_names relies on: same names whatever the trajectory."""
    model = DISEASES[disease]
    expected = model.observation_names()
    days = np.arange(0.0, data.draw(st.integers(2, 80)) * 7.0, 7.0)
    log_values = data.draw(
        st.lists(
            st.floats(-6, 6),
            min_size=len(days) * len(model.outputs),
            max_size=len(days) * len(model.outputs),
        )
    )
    values = np.exp(np.reshape(log_values, (len(days), len(model.outputs))))
    trajectory = pd.DataFrame(values, index=pd.Index(days, name="time"), columns=model.outputs)
    with_demographics(
        trajectory, data.draw(st.floats(18, 80)), data.draw(st.sampled_from(["female", "male"]))
    )
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    baseline = model.readouts(trajectory.iloc[: max(1, len(days) // 2)], rng)
    readouts = model.readouts(trajectory, rng)
    responses = model.responses(baseline, readouts) if model.responses else {}
    assert (frozenset(readouts), frozenset(responses)) == expected


def test_the_names_checked_are_the_names_a_trial_run_has(ra_trial):
    """What the check allows, a real run holds (else a name would still read NaN)."""
    spec, result = ra_trial
    names = trial_names(spec, get_disease(spec.disease), trial_model(spec))
    assert names.event <= set(result.visits.columns)
    assert {f"baseline_{n}" for n in names.screening} <= set(result.patients.columns)
    from immunetwin.trials.analysis import covariate_values

    row = result.patients.iloc[0].to_dict()
    assert names.covariates <= set(covariate_values(row))


@pytest.fixture(scope="module")
def ra_trial():
    data = copy.deepcopy(SPEC)
    data.update(patients=4, seed=5)
    data["screening"] = {"criteria": ["tjc28 >= 6"]}
    data["visits"] = {"weeks": [0, 4]}
    data["endpoints"] = [{"id": "acr20", "kind": "responder", "value": "acr20", "week": 4}]
    spec = parse_spec(data)
    return spec, run_trial(spec, workers=1)
