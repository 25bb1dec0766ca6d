"""One virtual patient of every disease, from the library and from the command line."""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from immunetwin._errors import SpecError
from immunetwin.diseases import DISEASES
from immunetwin.diseases.population import simulate_disease_patient

EXE = shutil.which("immunetwin", path=str(Path(sys.executable).parent)) or "immunetwin"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize("name", sorted(DISEASES))
def test_every_disease_runs_one_patient_with_readouts(name: str) -> None:
    disease = DISEASES[name]
    trajectory, readouts = simulate_disease_patient(disease, days=120.0, seed=3)
    if disease.course_from_enrolment:
        # Shown from enrolment, as with regimens: day 0 is the baseline visit and the
        # history lies before it.
        assert list(readouts.index) == [0.0, 28.0, 56.0, 84.0, 112.0, 120.0]
        assert trajectory.index[0] == -disease.enrolment_day
    else:
        assert list(readouts.index) == [28.0, 56.0, 84.0, 112.0, 120.0]
        assert trajectory.index[0] == 0.0
    assert trajectory.index[-1] == 120.0
    numeric = readouts.select_dtypes("number")
    assert len(numeric.columns) >= 2
    # Event days (e.g. stage3_day) are NaN until the event; nothing else is.
    values = numeric.drop(columns=[c for c in numeric.columns if c.endswith("_day")])
    assert all(math.isfinite(v) for v in values.to_numpy().ravel()), values


def test_therapy_starts_at_established_disease_and_lowers_crp() -> None:
    """Day 0 is the first dose, after the disease's history: RA with adalimumab."""
    ra = DISEASES["ra"]
    trajectory, readouts = simulate_disease_patient(
        ra, days=84.0, seed=2, regimens=["adalimumab 40 mg SC every 14 days"]
    )
    assert readouts.index[0] == 0.0 and trajectory.index[0] == -ra.enrolment_day
    baseline, week12 = readouts.loc[0.0], readouts.loc[84.0]
    assert baseline["das28_crp"] > 3.2  # active at the first dose
    assert week12["crp"] < 0.5 * baseline["crp"]
    assert trajectory.loc[0.0:, "adalimumab_concentration"].max() > 1.0  # mg/L


def test_sex_age_and_duration_are_checked() -> None:
    sle = DISEASES["sle"]
    with pytest.raises(SpecError, match="sex must be female or male"):
        simulate_disease_patient(sle, sex="x")
    with pytest.raises(SpecError, match="age must be in"):
        simulate_disease_patient(sle, age=-3)
    with pytest.raises(SpecError, match="duration must be > 0"):
        simulate_disease_patient(sle, days=0)


def test_cli_simulates_a_lupus_patient_with_a_figure(tmp_path: Path) -> None:
    # The command of the disease library's issue.
    fig = tmp_path / "fig.png"
    result = run(
        "simulate", "sle", "--sex", "female", "--age", "30", "--years", "2", "--plot", str(fig),
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["times_day"][0] == 28.0 and data["times_day"][-1] == pytest.approx(730.5)
    assert {"sledai_2k", "anti_dsdna", "c3", "upcr", "egfr"} <= set(data["outputs"])
    assert fig.read_bytes()[:4] == b"\x89PNG"
    # The death model's survival over the course: 1 at the first visit, never rising,
    # summarised on stderr (stdout stays the JSON).
    survival = data["outputs"]["survival"]
    assert survival[0] == 1.0 and 0.0 < survival[-1] < 1.0
    assert all(b <= a for a, b in itertools.pairwise(survival))
    assert "death model (lupus): survival over" in result.stderr


def test_cli_disease_without_a_death_model_has_no_survival() -> None:
    result = run("simulate", "thyroiditis", "--years", "1", "--json")
    assert result.returncode == 0, result.stderr
    assert "survival" not in json.loads(result.stdout)["outputs"]
    assert "death model" not in result.stderr


def test_cli_disease_with_an_option_it_does_not_take_is_one_line_and_exit_2() -> None:
    result = run("simulate", "sle", "--defect", "ipex")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 1 and "--defect cannot be used with a disease" in lines[0]


def test_cli_age_on_a_model_is_one_line_and_exit_2() -> None:
    result = run("simulate", "healthy", "--age", "30")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 1 and "--age and --seed apply to diseases only" in lines[0]
