"""Trial specifications: validation with one-line errors, and the expression language."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from immunetwin._errors import SpecError
from immunetwin.trials import Expression, load_spec, parse_spec

SPECS = Path(__file__).resolve().parents[2] / "examples" / "trials"


def minimal() -> dict:
    return {
        "name": "t",
        "disease": "ra",
        "patients": 10,
        "arms": [{"name": "placebo", "control": True}, {"name": "drug", "regimens": []}],
        "visits": {"weeks": [0, 12, 24]},
        "endpoints": [{"id": "das", "kind": "continuous", "value": "das28_crp", "week": 24}],
    }


def test_every_builtin_spec_is_valid():
    paths = sorted(SPECS.glob("*.toml"))
    assert paths, "examples/trials holds the calibration trials"
    others = sorted(SPECS.parent.glob("*/*.toml"))
    assert {p.parent.name for p in others} >= {"validation", "designs"}
    for path in paths + others:
        spec = load_spec(path)
        assert spec.control.name in {a.name for a in spec.arms}
        assert any(e.primary for e in spec.endpoints), path.name


def test_visit_week_zero_is_added_and_visits_sorted():
    data = minimal()
    data["visits"] = {"weeks": [24, 12]}
    spec = parse_spec(data)
    assert spec.visits.weeks == [0.0, 12.0, 24.0]
    assert spec.visits.end_week == 24.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"patients": 1}, "patients: Input should be greater than or equal to 2"),
        ({"arms": [{"name": "a"}, {"name": "b"}]}, "exactly one arm must have control = true"),
        (
            {"arms": [{"name": "a", "control": True}, {"name": "a"}]},
            "arm names must be unique",
        ),
        ({"colour": "red"}, "colour: Extra inputs are not permitted (allowed: see docs/trials.md)"),
        (
            {"endpoints": [{"id": "x", "kind": "responder", "value": "acr20", "week": 13}]},
            "endpoint 'x' is at week 13, which is not a visit (visits: 0, 12, 24)",
        ),
        (
            {"endpoints": [{"id": "x", "kind": "odds", "value": "acr20"}]},
            "endpoints.0.kind: Input should be 'responder', 'continuous', 'rate', "
            "'time_to_event' or 'incidence'",
        ),
        (
            {"endpoints": [{"id": "x", "kind": "rate", "value": "relapses * 2"}]},
            "a rate endpoint's value must be one readout name",
        ),
        (
            {
                "endpoints": [
                    {"id": "x", "kind": "continuous", "value": "crp", "among": "open('f')"}
                ]
            },
            "is not allowed",
        ),
        (
            {"screening": {"criteria": ["__import__('os')"]}},
            "is not allowed",
        ),
        ({"population": {"age_range": [60, 20]}}, "need 0 <= low < high <= 120"),
        ({"published": {"drug": {"acr20": 40.0}}}, "name unknown endpoint 'acr20'"),
        (
            {"published_comparisons": {"placebo": {"das": -1.0}}},
            "published_comparisons name 'placebo', which is not a treated arm (treated arms: drug)",
        ),
        ({"published_comparisons": {"drug": {"ttd": 0.5}}}, "unknown endpoint 'ttd'"),
        (
            {
                "endpoints": [{"id": "tte", "kind": "time_to_event", "value": "stage3_day"}],
                "published_comparisons": {"drug": {"tte": 0.0}},
            },
            "a time_to_event comparison is a ratio and must be > 0, got 0",
        ),
        (
            {"randomisation": {"every_arm": True, "stratify": ["sex"]}},
            "randomisation.stratify does not apply with randomisation.every_arm = true",
        ),
        (
            {
                "randomisation": {"every_arm": True},
                "arms": [{"name": "placebo", "control": True}, {"name": "drug", "ratio": 2}],
            },
            "arm 'drug' has a ratio, which does not apply with randomisation.every_arm = true",
        ),
        (
            {
                "randomisation": {"every_arm": True},
                "endpoints": [{"id": "tte", "kind": "time_to_event", "value": "stage3_day"}],
                "enrolment": {"accrual_weeks": 10, "close_after_events": 3},
            },
            "enrolment.close_after_events does not apply with randomisation.every_arm = true",
        ),
    ],
)
def test_bad_specs_give_one_line_naming_the_field(change, message):
    data = {**minimal(), **change}
    with pytest.raises(SpecError) as err:
        parse_spec(data)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("trial spec: ")
    assert message in text


def test_overrides_replace_patients_and_seed():
    spec = parse_spec(minimal(), {"patients": 40, "seed": 7, "unused": None})
    assert (spec.patients, spec.seed) == (40, 7)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(SpecError, match="trial spec not found"):
        load_spec(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [unclosed\n")
    with pytest.raises(SpecError, match=r"bad\.toml: not valid TOML"):
        load_spec(bad)


def test_toml_round_trip_of_a_builtin_spec():
    path = SPECS / "bliss52.toml"
    data = tomllib.loads(path.read_text())
    assert parse_spec(data) == load_spec(path)


# -- expressions -----------------------------------------------------------------------


def test_expression_values():
    values = {"sledai_2k": 6, "baseline_sledai_2k": 12, "ana_positive": True, "x": -2.5}
    assert Expression("sledai_2k - baseline_sledai_2k <= -4")(values) == 1.0
    assert Expression("sledai_2k >= 6 and ana_positive")(values) == 1.0
    assert Expression("not ana_positive or x > 0")(values) == 0.0
    assert Expression("abs(x) * 2 + max(1, 3) ** 2")(values) == 14.0
    assert Expression("4 <= sledai_2k < 10")(values) == 1.0


def test_missing_value_makes_the_expression_missing_not_false():
    assert math.isnan(Expression("das28_crp < 2.6")({}))
    assert math.isnan(Expression("a and b")({"a": 1.0, "b": math.nan}))
    assert math.isnan(Expression("a / b")({"a": 1.0, "b": 0.0}))


@pytest.mark.parametrize("text", ["x.y", "x[0]", "f(x)", "lambda: 1", "'a' + 'b'", "x if y else z"])
def test_expression_rejects_anything_but_arithmetic_and_logic(text):
    with pytest.raises(SpecError, match=r"is not allowed|cannot parse"):
        Expression(text)


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(-1e6, 1e6, allow_nan=False),
)
def test_expression_agrees_with_python(a, b):
    values = {"a": a, "b": b}
    assert Expression("a - b")(values) == a - b
    assert Expression("a < b")(values) == float(a < b)
    assert Expression("min(a, b) <= max(a, b)")(values) == 1.0
