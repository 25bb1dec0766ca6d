"""End-to-end trials: determinism across workers, screening, randomisation, outputs, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest

from immunetwin.trials import parse_spec, results_dict, run_trial, write_trial
from immunetwin.trials.run import _randomise

SMALL_RA = {
    "name": "small RA trial",
    "disease": "ra",
    "patients": 12,
    "seed": 11,
    "population": {"female_fraction": 0.75, "age_mean": 55.0, "age_sd": 10.0},
    "screening": {"criteria": ["tjc28 >= 6", "sjc28 >= 4"]},
    "arms": [
        {"name": "placebo", "control": True},
        {"name": "adalimumab", "regimens": ["adalimumab 40 mg SC every 14 days"]},
    ],
    "visits": {"weeks": [0, 4, 12]},
    "dropout": {"rate_per_year": 0.3},
    "endpoints": [
        {"id": "acr20", "kind": "responder", "value": "acr20", "primary": True},
        {"id": "das28", "kind": "continuous", "value": "das28_crp - baseline_das28_crp"},
        {"id": "crp", "kind": "continuous", "value": "crp", "week": 4},
    ],
}


@pytest.fixture(scope="module")
def trials():
    spec = parse_spec(SMALL_RA)
    one = run_trial(spec, workers=1)
    with pytest.MonkeyPatch.context() as patch:
        # Screening and observation in chunks on the workers, as large trials do (and
        # no screening reused from the first run).
        patch.setattr("immunetwin.trials.run.OBSERVE_IN_PROCESS_BELOW", 0)
        patch.setattr("immunetwin.trials.run._SCREENING_CACHE", {})
        two = run_trial(spec, workers=2)
    return spec, one, two


def test_one_seed_gives_the_same_trial_with_one_or_two_workers(trials):
    """Also with screening and readouts taken in chunks on the workers."""
    _, one, two = trials
    pd.testing.assert_frame_equal(one.visits, two.visits)
    pd.testing.assert_frame_equal(one.patients, two.patients)
    assert one.endpoints == two.endpoints
    assert one.comparisons == two.comparisons


def test_enrolled_patients_meet_the_criteria_and_arms_are_balanced(trials):
    spec, result, _ = trials
    patients = result.patients
    assert len(patients) == spec.patients == result.screening["enrolled"]
    assert (patients["baseline_tjc28"] >= 6).all()
    assert (patients["baseline_sjc28"] >= 4).all()
    counts = patients["arm"].value_counts()
    # Permuted blocks of 4 (2 x ratio 1:1): at most 2 apart after any number of patients.
    assert abs(counts["placebo"] - counts["adalimumab"]) <= 2
    assert result.screening["candidates"] >= spec.patients
    failures = sum(result.screening["screen_failures"].values())
    assert result.screening["candidates"] - failures == result.screening["eligible"]


def test_baseline_visit_repeats_the_screening_visit_exactly(trials):
    """The treatment run repeats the screening history to enrolment, draw for draw."""
    _, result, _ = trials
    week0 = result.visits[result.visits["week"] == 0].set_index("patient_id")
    for readout in ("tjc28", "sjc28", "crp", "das28_crp"):
        np.testing.assert_array_equal(
            week0.loc[result.patients.index, readout].to_numpy(),
            result.patients[f"baseline_{readout}"].to_numpy(),
        )


def test_visits_after_dropout_are_missing(trials):
    _, result, _ = trials
    visits = result.visits.merge(result.patients[["dropout_week"]], on="patient_id")
    assert (visits["seen"] == (visits["week"] < visits["dropout_week"])).all()


def test_adalimumab_arm_has_drug_and_placebo_does_not(trials):
    """Common structure: the placebo arm runs the same model with no doses."""
    _, result, _ = trials
    by_arm = result.endpoints
    assert by_arm["placebo"]["crp"]["n"] + by_arm["adalimumab"]["crp"]["n"] <= 12
    assert set(result.patients["arm"]) == {"placebo", "adalimumab"}


def test_results_json_has_the_documented_schema(trials, tmp_path):
    _, result, _ = trials
    paths = write_trial(result, tmp_path)
    data = json.loads(paths["results"].read_text())
    assert data == json.loads(json.dumps(results_dict(result)))
    for key in ("trial", "disease", "seed", "arms", "comparisons"):
        assert key in data
    for arm in data["arms"]:
        assert {"name", "n", "n_failed", "endpoints"} <= set(arm)
        for estimate in arm["endpoints"].values():
            assert {"value", "ci_low", "ci_high"} <= set(estimate)
    for comparison in data["comparisons"]:
        assert {"arm", "control", "endpoint", "ci_low", "ci_high", "p_value"} <= set(comparison)
        assert ("difference" in comparison) or ("hazard_ratio" in comparison)
    visits = pd.read_parquet(paths["visits"])
    assert len(visits) == 12 * 3
    report = paths["report"].read_text()
    assert "Table 1" in report and "data:image/png;base64," in report


def test_randomisation_is_stratified_permuted_blocks():
    spec = parse_spec({**SMALL_RA, "randomisation": {"stratify": ["sex"], "blocks": 1}})
    n = 41
    enrolled = pd.DataFrame(
        {"sex": ["female" if k % 3 else "male" for k in range(n)], "baseline_tjc28": 10},
        index=pd.Index(range(100, 100 + n), name="patient_id"),
    )
    arms = _randomise(spec, enrolled)
    for _, group in enrolled.groupby("sex"):
        assigned = arms.loc[group.index].tolist()
        for start in range(0, len(assigned) - 1, 2):  # every full block of 2 holds both arms
            assert sorted(assigned[start : start + 2]) == ["adalimumab", "placebo"]
    assert arms.equals(_randomise(spec, enrolled))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from immunetwin.cli import console; console()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def test_cli_trial_writes_results_and_prints_json(tmp_path):
    spec_path = tmp_path / "small.toml"
    spec_path.write_text(_toml(SMALL_RA))
    out = tmp_path / "out"
    done = run_cli(
        "trial", str(spec_path), "--patients", "6", "--workers", "1", "--out", str(out), "--json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["trial"] == "small RA trial"
    assert sum(arm["n"] for arm in data["arms"]) == 6
    assert (out / "results.json").exists() and (out / "report.html").exists()


def test_cli_trial_bad_spec_is_one_line_and_exit_2(tmp_path):
    bad = dict(SMALL_RA)
    bad["arms"] = [{"name": "a"}, {"name": "b"}]
    spec_path = tmp_path / "bad.toml"
    spec_path.write_text(_toml(bad))
    done = run_cli("trial", str(spec_path))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "exactly one arm must have control = true" in done.stderr
    unknown = run_cli("trial", str(tmp_path / "missing.toml"))
    assert unknown.returncode == 2 and "trial spec not found" in unknown.stderr
    # A misspelt readout is caught before anything is simulated, not read as NaN, and
    # --check finds it too (and otherwise says the spec is fine).
    typo = dict(SMALL_RA, endpoints=[{"id": "a", "kind": "responder", "value": "acr_20"}])
    spec_path.write_text(_toml(typo))
    for extra in ((), ("--check",)):
        done = run_cli("trial", str(spec_path), "--workers", "1", *extra)
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0
        assert "endpoint 'a' value: 'acr_20'" in done.stderr
        assert "did you mean 'acr20'" in done.stderr
    spec_path.write_text(_toml(SMALL_RA))
    done = run_cli("trial", str(spec_path), "--check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "small RA trial: spec OK (ra, 2 arms, 3 endpoints, 12 patients); nothing simulated"
    )


def _toml(data: dict) -> str:
    """A small TOML writer for the test specs (strings, numbers, lists, tables)."""
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    arrays: list[tuple[str, list[dict]]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            arrays.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    for key, table in tables:
        lines.append(f"[{key}]")
        lines.extend(f"{k} = {_value(v)}" for k, v in table.items())
    for key, items in arrays:
        for item in items:
            lines.append(f"[[{key}]]")
            lines.extend(f"{k} = {_value(v)}" for k, v in item.items())
    text = "\n".join(lines) + "\n"
    assert tomllib.loads(text) == json.loads(json.dumps(data))
    return text


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return repr(value)


def test_builtin_spec_names_resolve(tmp_path):
    done = run_cli("list", "trials", "--json")
    assert done.returncode == 0, done.stderr
    names = {row["name"] for row in json.loads(done.stdout)}
    assert {"bliss52", "armada"} <= names


def test_harms_count_serious_infections_on_study_only():
    """Exposures start at randomisation; without exposures there are no infections."""
    base = {
        **SMALL_RA,
        "patients": 6,
        "screening": {},
        "arms": [
            {"name": "placebo", "control": True},
            {"name": "prednisone", "regimens": ["prednisone 15 mg oral daily"]},
        ],
        "visits": {"weeks": [0, 6]},
        "endpoints": [
            {
                "id": "infection",
                "kind": "incidence",
                "value": "first_serious_infection_day",
                "week": 6,
            },
            {"id": "rate", "kind": "rate", "value": "serious_infections", "per": 100},
        ],
    }
    none = run_trial(parse_spec({**base, "harms": {"infections": True, "exposures_per_year": 0}}))
    assert (none.visits["serious_infections"] == 0).all()
    many = run_trial(parse_spec({**base, "harms": {"infections": True, "exposures_per_year": 40}}))
    week0 = many.visits[many.visits["week"] == 0]
    assert (week0["serious_infections"] == 0).all()  # nothing before randomisation
    first = many.visits["first_serious_infection_day"].dropna()
    assert (first >= many.screening["enrolment_day"]).all()
    assert many.visits["serious_infections"].max() >= 1


def test_daily_prednisone_for_a_year_solves_for_every_patient():
    """George 2020 at 2 per arm: daily doses after a cleared infection solve.

    Before SimulationOptions.underflow_floor, 15 of 18 prednisone patients of this
    trial (seed 5, 24 patients) failed in CVODE once cleared bacteria decayed to 1e-299.
    """
    from immunetwin.trials import load_spec
    from immunetwin.trials.calibration import SPECS

    spec = load_spec(SPECS / "george2020.toml", {"patients": 8, "seed": 5})
    result = run_trial(spec, workers=2)
    assert result.patients["ok"].astype(bool).all(), result.patients["reason"].dropna().tolist()
    for arm in result.endpoints.values():
        assert arm["serious_infection"]["n_failed"] == 0
