"""End-to-end runs of the ``immunetwin`` command as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import libsbml
import pandas as pd
import pytest

BIOMODELS = Path(__file__).parent / "data" / "biomodels"
CALIBRATION_REPORT = str(Path(__file__).parents[1] / "docs" / "calibration.md")
EXE = shutil.which("immunetwin", path=str(Path(sys.executable).parent)) or "immunetwin"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"immunetwin {' '.join(args)} failed:\n{result.stderr}")
    return result


def test_help_lists_every_command() -> None:
    out = run("--help").stdout
    for command in ("simulate", "simulate-sbml", "export-sbml", "list", "population", "demo"):
        assert command in out
    for command in ("simulate", "simulate-sbml", "export-sbml", "list", "population", "demo"):
        assert "Usage" in run(command, "--help").stdout


def test_simulate_json_reaches_label_trough() -> None:
    result = run(
        "simulate",
        "adalimumab_pk",
        "--weeks",
        "24",
        "--json",
        "-o",
        "adalimumab_central",
        "-c",
        "adalimumab_depot += 40 at 0 every 14",
    )
    data = json.loads(result.stdout)
    times = data["times_day"]
    conc = data["outputs"]["adalimumab_central"]
    trough = conc[times.index(168.0)]
    # Humira label: steady-state trough ~5 ug/mL on 40 mg every other week.
    assert 4.0 < trough < 6.5


def test_simulate_writes_plot_and_table(tmp_path: Path) -> None:
    fig, table = tmp_path / "fig.png", tmp_path / "traj.parquet"
    run(
        "simulate",
        "adalimumab_pk",
        "--days",
        "30",
        "--plot",
        str(fig),
        "--save",
        str(table),
        "-c",
        "adalimumab_depot += 40 at 0",
    )
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    frame = pd.read_parquet(table)
    assert frame["adalimumab_central"].max() > 1.0
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_export_sbml_is_consistent(tmp_path: Path) -> None:
    out = tmp_path / "model.xml"
    run("export-sbml", "stiff_benchmark", "--out", str(out))
    document = libsbml.readSBMLFromFile(str(out))
    document.checkConsistency()
    errors = [
        document.getError(i)
        for i in range(document.getNumErrors())
        if document.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    assert errors == []
    assert document.getModel().getNumSpecies() == 52


def test_simulate_sbml_runs_external_model() -> None:
    model = BIOMODELS / "BIOMD0000000711.xml"
    if not model.exists():  # copied in by the BioModels tests' fixture set
        model = Path(__file__).parents[2] / "shared/reference/biomodels/BIOMD0000000711.xml"
    data = json.loads(
        run("simulate-sbml", str(model), "--until", "20", "--points", "201", "--json").stdout
    )
    virus = pd.Series(data["outputs"]["Viral_Load__V"], index=data["times_day"])
    # Hancioglu 2007 (BioModels README): virus peaks on day ~5.7.
    assert 5.0 <= virus.idxmax() <= 6.5


def test_list_parameters_has_units_and_sources() -> None:
    rows = json.loads(run("list", "parameters", "--model", "stiff_benchmark", "--json").stdout)
    assert len(rows) > 100
    assert all(row["unit"] and row["source"] for row in rows)
    models = json.loads(run("list", "models", "--json").stdout)
    assert {"adalimumab_pk", "stiff_benchmark"} <= {m["name"] for m in models}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("simulate", "no_such_model"), "unknown model 'no_such_model'"),
        (("simulate", "adalimumab_pk", "--dayz", "3"), "No such option: --dayz"),
        (("simulate", "adalimumab_pk", "--days", "-1"), "must be > 0"),
        (("simulate", "adalimumab_pk", "-o", "nothing"), "unknown output 'nothing'"),
        (("simulate", "adalimumab_pk", "-c", "dose 40"), "cannot read change"),
        (("simulate", "adalimumab_pk", "-s", "nope=1"), "unknown parameter 'nope'"),
        (("simulate-sbml", "/no/such.xml", "--until", "1"), "SBML file not found"),
        (("list", "drugz"), "cannot list 'drugz'"),
        (("list", "readouts"), "list readouts needs --disease: choose one of alps"),
        (("list", "readouts", "--disease", "lupus"), "unknown disease 'lupus'"),
        (("list", "drugs", "--disease", "ra"), "--disease applies to list readouts only"),
        (("population", "adalimumab_pk", "--patients", "0"), "--patients must be >= 1"),
        (("calibrate", "--trial", "armada"), "give --report FILE as well"),
        (
            ("calibrate", "--report", "/tmp/immunetwin-nowhere.md", "--trial", "ARMADA"),
            "unknown calibration trial 'ARMADA': choose from affirm, armada",
        ),
        # Rows at other settings must not join the table (checked before simulating).
        (
            ("calibrate", "--report", CALIBRATION_REPORT, "--trial", "armada", "--patients", "6"),
            "cannot join",
        ),
    ],
)
def test_user_errors_are_one_line(args: tuple[str, ...], fragment: str) -> None:
    result = run(*args, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_population_streams_resumes_and_matches_dask(tmp_path: Path) -> None:
    args = (
        "population",
        "adalimumab_pk",
        "--patients",
        "24",
        "--seed",
        "7",
        "--weeks",
        "8",
        "-o",
        "adalimumab_central",
        "-c",
        "adalimumab_depot += 40 at 0 every 14",
        "--json",
    )
    local = json.loads(run(*args, "--workers", "2", "--out", str(tmp_path / "run")).stdout)
    assert local["n_failed"] == 0
    assert len(list((tmp_path / "run" / "trajectories").glob("chunk-*.parquet"))) >= 1
    again = json.loads(run(*args, "--workers", "1", "--out", str(tmp_path / "run")).stdout)
    assert again["summary"] == local["summary"]

    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = json.loads(run(*args, "--scheduler", cluster.scheduler_address).stdout)
    assert on_dask["summary"] == local["summary"]


def test_simulate_healthy_bacterial_infection_draws_key_labs(tmp_path: Path) -> None:
    # The command from issue 3.
    fig = tmp_path / "fig.png"
    result = run(
        "simulate",
        "healthy",
        "--infection",
        "bacterial",
        "--days",
        "60",
        "--plot",
        str(fig),
        "--json",
    )
    data = json.loads(result.stdout)
    times = pd.Index(data["times_day"])
    crp = pd.Series(data["outputs"]["lab_crp"], index=times)
    bacteria = pd.Series(data["outputs"]["lab_bacterial_load"], index=times)
    assert 1.0 <= crp.idxmax() <= 3.0  # CRP peaks 36-50 h after the stimulus
    assert crp.max() > 10 * crp.iloc[0]
    assert bacteria.iloc[-1] < 1e-3 * bacteria.max()  # cleared
    assert fig.read_bytes()[:4] == b"\x89PNG"


def test_defects_and_infections_are_validated() -> None:
    bad_defect = run("simulate", "healthy", "--defect", "nope", check=False)
    assert bad_defect.returncode == 2 and "choose alps" in bad_defect.stderr
    no_pathogen = run("simulate", "adalimumab_pk", "--infection", "viral", check=False)
    assert no_pathogen.returncode == 2 and "has no pathogens" in no_pathogen.stderr


def test_simulate_with_therapy_and_background_doses_by_weight() -> None:
    result = run(
        "simulate",
        "adalimumab_pk",
        "--weeks",
        "8",
        "--json",
        "--weight",
        "90",
        "--therapy",
        "infliximab 5 mg/kg IV at weeks 0, 2, 6",
        "--background",
        "methotrexate 15 mg weekly",
    )
    data = json.loads(result.stdout)
    infliximab = pd.Series(data["outputs"]["infliximab_concentration"], index=data["times_day"])
    assert "methotrexate_concentration" in data["outputs"]
    # 450 mg into a ~3 L central volume: a Cmax near the label's ~118 mg/L at 5 mg/kg.
    assert 80 < infliximab.max() < 200
    bad = run("simulate", "adalimumab_pk", "--therapy", "adalimumab 40 mg IV", check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")


def test_list_readouts_gives_the_names_a_trial_spec_can_use() -> None:
    rows = json.loads(run("list", "readouts", "--disease", "sle", "--json").stdout)
    kinds = {row["name"]: row["kind"] for row in rows}
    assert kinds["sledai_2k"] == "readout" and kinds["sri4"] == "response"
    assert kinds["first_serious_infection_day"] == "harm"
    # SLE has a death model: the trial adds death_day and each event's composite.
    assert kinds["death_day"] == "death"
    ra = {
        row["name"]
        for row in json.loads(run("list", "readouts", "--disease", "ra", "--json").stdout)
    }
    assert "acr20" in ra and "death_day" in ra
    # MS has no death model (stated in diseases/mortality.py): no death readouts.
    ms = {
        row["name"]
        for row in json.loads(run("list", "readouts", "--disease", "ms", "--json").stdout)
    }
    assert "edss" in ms and "death_day" not in ms


def test_list_drugs_has_every_label_drug() -> None:
    rows = json.loads(run("list", "drugs", "--json").stdout)
    names = {row["drug"] for row in rows}
    assert {"rituximab", "belimumab", "adalimumab", "tofacitinib", "ivig"} <= names
    assert all(row["sources"] for row in rows)


def test_calibration_report_draws_patients_apart_from_the_calibration(tmp_path: Path) -> None:
    """Without --seed the report uses seed 11, not the calibration's 7 (out of sample)."""
    from immunetwin.trials.calibration import CALIBRATION_SEED, REPORT_SEED, REPORT_TABLE_HEADER

    assert REPORT_SEED != CALIBRATION_SEED
    report = tmp_path / "report.md"
    run("calibrate", "--report", str(report), "--trial", "checkmate067", "--patients", "6")
    assert f"each trial at 6 patients, seed {REPORT_SEED};" in report.read_text()

    # --trial into the existing report: its rows replace theirs, the other trials' rows
    # and the notes stay, and the tally is recounted.
    text = report.read_text()
    other = "| OTHER | placebo | acr20 | 10 | 50 [40, 60] | 6 | **miss** |"
    table = text.index(REPORT_TABLE_HEADER)
    header_end = text.index("\n", text.index("\n", table) + 1)  # after the separator
    text = text[:header_end] + "\n" + other + text[header_end:] + "\n## Misses and why\n\nkept\n"
    report.write_text(text)
    run("calibrate", "--report", str(report), "--trial", "checkmate067", "--patients", "6")
    merged = report.read_text()
    rows = [line for line in merged.splitlines() if line.startswith("| CheckMate")]
    assert rows and len(rows) == len([r for r in text.splitlines() if r.startswith("| CheckMate")])
    assert other in merged and merged.endswith("## Misses and why\n\nkept\n")
    hits = sum(row.endswith("| yes |") for row in rows)
    assert f"{hits} of {len(rows) + 1} published values inside" in merged
