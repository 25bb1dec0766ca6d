"""The ``immunetwin`` command line.

User errors print one line, ``error: <what is wrong and what is allowed>``, and
exit with status 2; no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from concurrent.futures import Executor
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from typer.exceptions import TyperException

from immunetwin._errors import ImmuneTwinError, SpecError
from immunetwin._io import atomic_write_text
from immunetwin.changes import parse_changes, parse_setting
from immunetwin.declaration import Model, Variability
from immunetwin.diseases.declaration import Disease
from immunetwin.engine import Schedule, Simulator, output_grid
from immunetwin.models import BuiltinModel, builtin_models, get_entry, get_model

app = typer.Typer(
    name="immunetwin",
    help="ImmuneTwin: an in-silico human immune system for autoimmune disease.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

OutputOpt = Annotated[
    list[str] | None,
    typer.Option("--output", "-o", help="Output to record (repeatable); default: all species."),
]
ChangeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--change",
        "-c",
        help="Timed change, repeatable: 'TARGET += VALUE at DAY [every DAYS] [until DAY]'.",
    ),
]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", "-s", help="Parameter value NAME=VALUE (repeatable).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print data as JSON instead of a table.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a figure (PNG) here.")]
InfectionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--infection",
        help="Infection KIND[@DAY] (repeatable), e.g. bacterial or viral@30 (immune models).",
    ),
]
DefectOpt = Annotated[
    list[str] | None,
    typer.Option("--defect", help="Named defect (repeatable); see `immunetwin list defects`."),
]
TherapyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--therapy",
        help="Regimen (repeatable), e.g. 'adalimumab 40 mg SC every 14 days' (docs/regimens.md).",
    ),
]
BackgroundOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--background", help="Background regimen (repeatable), e.g. 'methotrexate 15 mg weekly'."
    ),
]
WeightOpt = Annotated[float, typer.Option(help="Body weight (kg), for mg/kg doses and PK.")]
SexOpt = Annotated[str, typer.Option(help="female or male.")]
SaveOpt = Annotated[
    Path | None, typer.Option("--save", help="Write the time courses (.csv or .parquet) here.")
]


def _horizon(days: float | None, weeks: float | None, years: float | None, default: float) -> float:
    given = [(v, f) for v, f in ((days, 1.0), (weeks, 7.0), (years, 365.25)) if v is not None]
    if len(given) > 1:
        raise SpecError("give only one of --days, --weeks, --years")
    if not given:
        return default
    value, factor = given[0]
    if not value > 0:
        raise SpecError("the simulated duration must be > 0")
    return value * factor


def _emit(frame: pd.DataFrame, as_json: bool, title: str, max_rows: int = 15) -> None:
    if as_json:
        records = {
            "times_day": frame.index.tolist(),
            "outputs": {c: frame[c].tolist() for c in frame.columns},
        }
        typer.echo(json.dumps(records))
        return
    typer.echo(title)
    step = max(1, len(frame) // max_rows)
    shown = frame.iloc[::step]
    if shown.index[-1] != frame.index[-1]:
        shown = pd.concat([shown, frame.iloc[[-1]]])
    with pd.option_context("display.width", 160, "display.max_columns", 12):
        typer.echo(shown.to_string(float_format=lambda v: f"{v:.4g}"))


def _save(frame: pd.DataFrame, path: Path | None) -> None:
    if path is None:
        return
    from immunetwin._io import atomic_write

    if path.suffix == ".parquet":
        atomic_write(path, lambda tmp: frame.to_parquet(tmp))
    elif path.suffix == ".csv":
        atomic_write_text(path, frame.to_csv())
    else:
        raise SpecError(f"--save {path}: use a .csv or .parquet file name")


def _units_of(model: Model | None, names: list[str]) -> dict[str, str]:
    if model is None:
        return {}
    units = {}
    for name in names:
        element = model.element(name)
        units[name] = str(getattr(element, "unit", ""))
    return units


def _prepare(entry: BuiltinModel, defects: list[str] | None) -> tuple[Model, str]:
    """Build a built-in model with named defects applied; return it and a title."""
    model = entry.build()
    changes: dict[str, float] = {}
    for defect in defects or []:
        if defect not in entry.defects:
            allowed = ", ".join(sorted(entry.defects)) or "none for this model"
            raise SpecError(f"unknown defect {defect!r} for {entry.name}: choose {allowed}")
        changes.update(entry.defects[defect])
    title = entry.name + "".join(f" + {d}" for d in defects or [])
    return (model.with_changes(changes) if changes else model), title


def _infections(entry: BuiltinModel, infections: list[str] | None, horizon: float) -> Schedule:
    """Schedules for ``KIND[@DAY]`` infections."""
    schedule = Schedule()
    for text in infections or []:
        kind, _, day_text = text.partition("@")
        if entry.infection is None:
            raise SpecError(f"model {entry.name} has no pathogens: --infection is not available")
        if kind not in entry.infection_kinds:
            raise SpecError(
                f"unknown infection {kind!r}: choose {', '.join(entry.infection_kinds)}"
            )
        try:
            day = float(day_text) if day_text else 0.0
        except ValueError:
            raise SpecError(f"cannot read infection {text!r}: expected KIND[@DAY]") from None
        if not 0.0 <= day < horizon:
            raise SpecError(f"infection day {day:g} must be in [0, {horizon:g})")
        schedule = schedule + entry.infection(kind, day)
    return schedule


def _with_regimens(
    model: Model,
    regimens: list[str],
    weight: float,
    sex: str,
    horizon: float,
) -> tuple[Model, Schedule, dict[str, float], list[str]]:
    """Add the drugs of ``regimens``; return model, dosing, covariate values, drug outputs."""
    if not regimens:
        return model, Schedule(), {}, []
    from immunetwin.drugs import PatientCovariates, parse_regimen, regimen_schedule, with_drugs
    from immunetwin.drugs.pd import with_drug_effects

    if sex not in ("female", "male"):
        raise SpecError(f"--sex must be female or male, got {sex!r}")
    if not 0 < weight <= 500:
        raise SpecError(f"--weight must be in (0, 500] kg, got {weight:g}")
    parsed = [parse_regimen(text) for text in regimens]
    covariates = PatientCovariates(weight_kg=weight, sex=sex)  # type: ignore[arg-type]
    # Drugs act on the immune model's hooks; a model without them (a PK-only
    # model) gets the drugs' pharmacokinetics alone.
    has_hooks = model.kind_of("cd20_depletion_rate") is not None
    treated = with_drug_effects(model, parsed) if has_hooks else with_drugs(model, parsed)
    schedule = regimen_schedule(parsed, covariates, horizon)
    drug_outputs = list(dict.fromkeys(f"{r.drug}_concentration" for r in parsed))
    return treated, schedule, covariates.model_parameters(), drug_outputs


def _run_one(
    simulator: Simulator,
    model: Model | None,
    horizon: float,
    outputs: list[str] | None,
    changes: list[str] | None,
    settings: list[str] | None,
    points_per_day: float,
    extra: Schedule | None = None,
    covariates: dict[str, float] | None = None,
) -> pd.DataFrame:
    schedule = parse_changes(changes or [], horizon) + (extra or Schedule())
    parameters = {**(covariates or {}), **dict(parse_setting(s) for s in settings or [])}
    return simulator.simulate(
        horizon,
        outputs=outputs or None,
        parameters=parameters,
        schedule=schedule,
        points_per_day=points_per_day,
    )


@app.command()
def simulate(
    model: Annotated[
        str,
        typer.Argument(
            help="Built-in model (`immunetwin list models`) or disease "
            "(`immunetwin list diseases`)."
        ),
    ],
    days: Annotated[float | None, typer.Option(help="Simulated days.")] = None,
    weeks: Annotated[float | None, typer.Option(help="Simulated weeks.")] = None,
    years: Annotated[float | None, typer.Option(help="Simulated years.")] = None,
    output: OutputOpt = None,
    change: ChangeOpt = None,
    set_: SetOpt = None,
    infection: InfectionOpt = None,
    defect: DefectOpt = None,
    therapy: TherapyOpt = None,
    background: BackgroundOpt = None,
    weight: WeightOpt = 70.0,
    sex: SexOpt = "female",
    age: Annotated[
        float | None, typer.Option(help="Diseases: age in years (default the disease's mean).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Diseases: which virtual patient (default 1).")
    ] = None,
    points_per_day: Annotated[float, typer.Option(help="Output density.")] = 4.0,
    json_: JsonOpt = False,
    plot: PlotOpt = None,
    save: SaveOpt = None,
) -> None:
    """Simulate one virtual patient of a built-in model or of a disease.

    A disease patient starts healthy and runs its course (onset, flares, relapses),
    with labs, scores and symptoms from the disease's observation model every 4 weeks.
    With --therapy or --background, the disease is first established (as trial
    patients are at enrolment) and day 0 is the first dose.
    """
    from immunetwin.diseases import DISEASES

    if model in DISEASES:
        unsupported = {
            "--output": output,
            "--change": change,
            "--set": set_,
            "--infection": infection,
            "--defect": defect,
        }
        given = [name for name, value in unsupported.items() if value]
        if given:
            raise SpecError(
                f"{', '.join(given)} cannot be used with a disease; allowed: --years/--weeks/"
                "--days, --sex, --age, --seed, --therapy, --background, --weight, --json, "
                "--plot, --save"
            )
        _simulate_disease(
            model,
            _horizon(days, weeks, years, default=5 * 365.25),
            sex,
            age,
            1 if seed is None else seed,
            [*(therapy or []), *(background or [])],
            weight,
            json_,
            plot,
            save,
        )
        return
    if age is not None or seed is not None:
        raise SpecError(
            f"--age and --seed apply to diseases only; {model!r} is a model "
            "(see `immunetwin list diseases`)"
        )
    entry = get_entry(model)
    horizon = _horizon(days, weeks, years, default=365.0)
    built, title = _prepare(entry, defect)
    regimens = [*(therapy or []), *(background or [])]
    built, dosing, covariates, drug_outputs = _with_regimens(built, regimens, weight, sex, horizon)
    infections = _infections(entry, infection, horizon) + dosing
    outputs = output or [*drug_outputs, *entry.key_outputs] or None
    frame = _run_one(
        Simulator(built),
        built,
        horizon,
        outputs,
        change,
        set_,
        points_per_day,
        infections,
        covariates,
    )
    if infection:
        title += "".join(f", {i} infection" for i in infection)
    title += "".join(f", {r}" for r in regimens)
    _emit(frame, json_, f"{title}: {horizon:g} days")
    _save(frame, save)
    if plot is not None:
        from immunetwin.plotting import plot_time_courses

        plot_time_courses(frame, plot, title, _units_of(built, list(frame.columns)))


def _simulate_disease(
    name: str,
    horizon: float,
    sex: str,
    age: float | None,
    seed: int,
    regimens: list[str],
    weight: float,
    as_json: bool,
    plot: Path | None,
    save: Path | None,
) -> None:
    from immunetwin.diseases import DISEASES
    from immunetwin.diseases.population import simulate_disease_patient

    disease = DISEASES[name]
    if not 0 < weight <= 500:
        raise SpecError(f"--weight must be in (0, 500] kg, got {weight:g}")
    trajectory, readouts = simulate_disease_patient(
        disease,
        sex=sex,
        age=age,
        days=horizon,
        seed=seed,
        regimens=regimens,
        weight_kg=weight,
    )
    numeric = readouts.select_dtypes("number")
    shown_age = disease.demographics.age_mean if age is None else age
    numeric = _with_survival(disease, numeric, shown_age, sex)
    title = f"{name}: {sex}, {shown_age:g} years, patient {seed}"
    title += "".join(f", {r}" for r in regimens)
    span = (
        f"from the first dose (day 0) at established disease, {horizon:g} days"
        if regimens
        else f"from health, {horizon:g} days"
    )
    _emit(numeric, as_json, f"{title}: readouts every 4 weeks {span}")
    _save(numeric, save)
    if plot is not None:
        from immunetwin.plotting import plot_time_courses

        varying = [c for c in numeric.columns if numeric[c].nunique(dropna=True) > 1]
        drugs = [c for c in trajectory.columns if c.endswith("_concentration")]
        trajectory = trajectory.loc[0.0:]
        panels = numeric[varying[:MAX_DISEASE_PANELS]]
        if drugs:
            # Concentrations on the simulation grid, readouts joined by straight lines
            # between visits (as a line plot of visits alone would draw them).
            panels = pd.concat([panels, trajectory[drugs]], axis=1).sort_index()
            panels[varying[:MAX_DISEASE_PANELS]] = panels[varying[:MAX_DISEASE_PANELS]].interpolate(
                method="index", limit_area="inside"
            )
        plot_time_courses(panels, plot, title)


MAX_DISEASE_PANELS = 16  # readouts that change over the course; more panels are unreadable


def _with_survival(disease: Disease, readouts: pd.DataFrame, age: float, sex: str) -> pd.DataFrame:
    """The readouts plus ``survival`` from the disease's death model, summarised on stderr.

    Unchanged for a disease without a competing-risk death model.
    """
    from immunetwin.diseases.mortality import CompetingRisks

    model = disease.mortality
    if not isinstance(model, CompetingRisks) or len(readouts) < 2:
        return readouts
    survival = model.survival(readouts, age, sex)
    outcome = model.expected(readouts, age, sex)
    causes = ", ".join(f"{cause} {100 * p:.2g}%" for cause, p in outcome.by_cause.items())
    years = (readouts.index[-1] - readouts.index[0]) / 365.25
    typer.echo(
        f"death model ({model.name}): survival over {years:.3g} years {100 * outcome.survival:.3g}%"
        f"; risk by cause {causes}",
        err=True,
    )
    return readouts.assign(survival=survival)


@app.command("simulate-sbml")
def simulate_sbml(
    file: Annotated[Path, typer.Argument(help="An SBML file (any level/version).")],
    until: Annotated[float, typer.Option(help="End time, in the model's time unit.")],
    points: Annotated[int, typer.Option(help="Number of output points.")] = 101,
    output: OutputOpt = None,
    change: ChangeOpt = None,
    set_: SetOpt = None,
    json_: JsonOpt = False,
    plot: PlotOpt = None,
    save: SaveOpt = None,
) -> None:
    """Simulate an external SBML file (e.g. a BioModels model) with the same engine."""
    if points < 2:
        raise SpecError("--points must be >= 2")
    simulator = Simulator(file)
    times = np.linspace(0.0, until, points) if until > 0 else None
    output_grid(until, times)
    schedule = parse_changes(change or [], until)
    parameters = dict(parse_setting(s) for s in set_ or [])
    frame = simulator.simulate(
        until, outputs=output or None, output_times=times, parameters=parameters, schedule=schedule
    )
    _emit(frame, json_, f"{file.name}: t = 0..{until:g}")
    _save(frame, save)
    if plot is not None:
        from immunetwin.plotting import plot_time_courses

        plot_time_courses(frame, plot, file.name)


@app.command("export-sbml")
def export_sbml(
    model: Annotated[str, typer.Argument(help="Built-in model (see `immunetwin list models`).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write; default stdout.")
    ] = None,
) -> None:
    """Write a built-in model as SBML Level 3 Version 2 (opens in COPASI, Tellurium)."""
    from immunetwin.sbml import check_sbml, to_sbml

    text = to_sbml(get_model(model))
    errors = check_sbml(text)
    if errors:
        raise SpecError(f"SBML consistency check failed: {errors[0]}")
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
        typer.echo(f"wrote {out}")


def _readout_rows(disease: str | None) -> list[dict[str, object]]:
    """A disease's readout and response names, and those a trial adds, with their kind."""
    from immunetwin.drugs.harms import harm_readout_names
    from immunetwin.trials.names import death_readout_names
    from immunetwin.trials.run import get_disease

    if disease is None:
        raise SpecError("list readouts needs --disease: choose one of " + _disease_choices())
    found = get_disease(disease)
    readouts, responses = found.observation_names()
    kinds = [
        ("readout", readouts, "every visit"),
        ("response", responses, "every visit, against baseline"),
        ("harm", harm_readout_names(), "trials with harms.infections = true"),
    ]
    if found.mortality is not None:
        kinds.append(("death", death_readout_names(readouts), "trials (death model)"))
    return [
        {"name": name, "kind": kind, "available": where}
        for kind, names, where in kinds
        for name in sorted(names)
    ]


def _disease_choices() -> str:
    from immunetwin.diseases import DISEASES

    return ", ".join(sorted(DISEASES))


@app.command("list")
def list_(
    what: Annotated[
        str,
        typer.Argument(
            help="models, modules, parameters, species, defects, drugs, diseases, trials or "
            "readouts."
        ),
    ] = "models",
    model: Annotated[str | None, typer.Option(help="Model for modules/parameters.")] = None,
    disease: Annotated[
        str | None, typer.Option(help="Disease for readouts (the names trial specs can use).")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List built-in models, or a model's modules or parameters with units and sources."""
    choices = (
        "models",
        "modules",
        "parameters",
        "species",
        "defects",
        "drugs",
        "diseases",
        "trials",
        "readouts",
    )
    if what not in choices:
        raise SpecError(f"cannot list {what!r}: choose one of {', '.join(choices)}")
    if disease is not None and what != "readouts":
        raise SpecError(f"--disease applies to list readouts only, not to list {what}")
    rows: list[dict[str, object]]
    if what == "models":
        rows = [{"name": m.name, "description": m.description} for m in builtin_models().values()]
    elif what == "diseases":
        from immunetwin.diseases.docs import disease_rows

        rows = disease_rows()
    elif what == "trials":
        from immunetwin.trials import load_spec

        rows = []
        for path in sorted(BUILTIN_SPECS.glob("*.toml")):
            spec = load_spec(path)
            rows.append(
                {
                    "name": path.stem,
                    "trial": spec.name,
                    "disease": spec.disease,
                    "arms": "; ".join(a.name for a in spec.arms),
                    "primary": ", ".join(e.id for e in spec.endpoints if e.primary),
                }
            )
    elif what == "readouts":
        rows = _readout_rows(disease)
    elif what == "drugs":
        from immunetwin.drugs import drug_table

        table = drug_table()
        rows = [
            {"drug": str(name), **{str(k): v for k, v in row.items()}}
            for name, row in table.iterrows()
        ]
    elif what == "defects":
        entry = get_entry(model or _default_model_name())
        rows = [
            {"defect": name, "changes": ", ".join(f"{k}={v:g}" for k, v in changes.items())}
            for name, changes in entry.defects.items()
        ]
    else:
        built = get_model(model or _default_model_name())
        if what == "modules":
            rows = [
                {
                    "module": m.name,
                    "description": m.description,
                    "species": len(m.species),
                    "parameters": len(m.parameters),
                    "reactions": len(m.reactions),
                }
                for m in built.modules
            ]
        elif what == "species":
            rows = [
                {
                    "name": s.name,
                    "compartment": s.compartment,
                    "initial": s.initial,
                    "unit": s.unit,
                    "module": built.module_of(s.name),
                    "source": s.source,
                }
                for s in built.species
            ]
        else:
            rows = [
                {
                    "name": p.name,
                    "value": p.value,
                    "unit": p.unit,
                    "variability": _variability_text(p.variability),
                    "module": built.module_of(p.name),
                    "source": p.source,
                }
                for p in built.parameters
            ]
    if json_:
        typer.echo(json.dumps(rows))
        return
    frame = pd.DataFrame(rows)
    with pd.option_context(
        "display.width", 200, "display.max_colwidth", 70, "display.max_rows", None
    ):
        typer.echo(frame.to_string(index=False))


def _variability_text(variability: Variability | None) -> str:
    return "fixed" if variability is None else variability.describe()


def _default_model_name() -> str:
    models = builtin_models()
    return "healthy" if "healthy" in models else "adalimumab_pk"


@app.command()
def population(
    model: Annotated[str, typer.Argument(help="Built-in model (see `immunetwin list models`).")],
    patients: Annotated[int, typer.Option(help="Number of virtual patients.")] = 100,
    seed: Annotated[int, typer.Option(help="Run seed (same seed, same results).")] = 0,
    days: Annotated[float | None, typer.Option(help="Simulated days.")] = None,
    weeks: Annotated[float | None, typer.Option(help="Simulated weeks.")] = None,
    years: Annotated[float | None, typer.Option(help="Simulated years.")] = None,
    output: OutputOpt = None,
    change: ChangeOpt = None,
    infection: InfectionOpt = None,
    defect: DefectOpt = None,
    every: Annotated[float, typer.Option(help="Days between recorded outputs.")] = 7.0,
    workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
    chunk_size: Annotated[int | None, typer.Option(help="Patients per task.")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler ADDRESS: run on that cluster.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Stream results to Parquet here.")] = None,
    json_: JsonOpt = False,
    plot: PlotOpt = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Simulate a virtual population sampled from the parameters' variability."""
    from immunetwin.population import run_population, sample_parameters

    if patients < 1:
        raise SpecError("--patients must be >= 1")
    if not every > 0:
        raise SpecError("--every must be > 0 days")
    entry = get_entry(model)
    built, title = _prepare(entry, defect)
    horizon = _horizon(days, weeks, years, default=365.0)
    parameters = sample_parameters(built, patients, seed)
    schedule = parse_changes(change or [], horizon) + _infections(entry, infection, horizon)
    outputs = output or list(entry.key_outputs)[:6] or [s.name for s in built.species][:6]
    executor: Executor | None = None
    client: Any = None
    if scheduler is not None:
        executor, client = _dask_executor(scheduler)
    try:
        result = run_population(
            built,
            parameters,
            until=horizon,
            outputs=outputs,
            output_times=np.arange(0.0, horizon, every),
            schedules=[schedule] * patients,
            seed=seed,
            executor=executor,
            workers=workers,
            chunk_size=chunk_size,
            out_dir=out,
            progress=progress and sys.stderr.isatty(),
        )
    finally:
        if client is not None:
            client.close()
    labels = {0.05: "p5", 0.5: "median", 0.95: "p95"}
    summary = pd.concat(
        [
            result.quantiles(name, list(labels)).set_axis(
                [f"{name} {label}" for label in labels.values()], axis=1
            )
            for name in outputs
        ],
        axis=1,
    )
    if json_:
        typer.echo(
            json.dumps(
                {
                    "model": model,
                    "patients": patients,
                    "seed": seed,
                    "n_failed": result.n_failed,
                    "failures": result.status.loc[~result.status["ok"], "reason"].to_dict(),
                    "summary": {c: summary[c].tolist() for c in summary.columns},
                    "times_day": summary.index.tolist(),
                }
            )
        )
    else:
        _emit(
            summary,
            False,
            f"{title}: {patients} patients, seed {seed}, {result.n_failed} failed "
            "(5th percentile, median, 95th percentile)",
        )
        if out is not None:
            typer.echo(f"results in {out}")
    if plot is not None:
        from immunetwin.plotting import plot_time_courses

        median = summary[[f"{n} median" for n in outputs]].set_axis(outputs, axis=1)
        low = summary[[f"{n} p5" for n in outputs]].set_axis(outputs, axis=1)
        high = summary[[f"{n} p95" for n in outputs]].set_axis(outputs, axis=1)
        plot_time_courses(
            median,
            plot,
            f"{title}: median and 5-95% of {patients} patients",
            _units_of(built, outputs),
            band=(low, high),
        )


def _dask_executor(address: str) -> tuple[Executor, Any]:
    try:
        from distributed import Client
    except ImportError:
        raise SpecError(
            "--scheduler needs dask.distributed: pip install 'immunetwin[dask]'"
        ) from None
    try:
        client = Client(address, timeout="10s")
    except OSError as err:
        raise SpecError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    return client.get_executor(), client


@app.command()
def trial(
    spec: Annotated[
        Path,
        typer.Argument(
            help="Trial specification (TOML, docs/trials.md), or the name of a built-in one "
            "(`immunetwin list trials`)."
        ),
    ],
    patients: Annotated[int | None, typer.Option(help="Patients to enrol (all arms).")] = None,
    seed: Annotated[int | None, typer.Option(help="Run seed (same seed, same trial).")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler ADDRESS: run on that cluster.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write results.json, Parquet tables and report.html here (resumable)."),
    ] = None,
    json_: JsonOpt = False,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only check the spec (fields, regimens, every expression's names) and "
            "simulate nothing.",
        ),
    ] = False,
) -> None:
    """Run a randomised in-silico clinical trial and report it by arm and endpoint."""
    from immunetwin.trials import check_trial, load_spec, results_dict, run_trial, write_trial

    trial_spec = load_spec(_spec_path(spec), {"patients": patients, "seed": seed})
    if workers is not None and workers < 1:
        raise SpecError(f"--workers must be >= 1, got {workers}")
    if check:
        check_trial(trial_spec)
        typer.echo(
            f"{trial_spec.name}: spec OK ({trial_spec.disease}, {len(trial_spec.arms)} arms, "
            f"{len(trial_spec.endpoints)} endpoints, {trial_spec.patients} patients); "
            "nothing simulated"
        )
        return
    executor: Executor | None = None
    client: Any = None
    if scheduler is not None:
        executor, client = _dask_executor(scheduler)
    try:
        result = run_trial(
            trial_spec,
            workers=workers,
            executor=executor,
            out_dir=out,
            progress=progress and sys.stderr.isatty(),
        )
    finally:
        if client is not None:
            client.close()
    if out is not None:
        write_trial(result, out)
    if json_:
        typer.echo(json.dumps(results_dict(result)))
        return
    _print_trial(result)
    if out is not None:
        typer.echo(f"wrote {out / 'results.json'}, {out / 'report.html'} and Parquet tables")


def _print_trial(result: Any) -> None:
    from immunetwin.trials.output import enrolment_summary

    spec = result.spec
    screening = result.screening
    typer.echo(
        f"{spec.name} ({spec.disease}): {screening['enrolled']} enrolled of "
        f"{screening['candidates']} screened, seed {spec.seed}, "
        f"{result.seconds['total']:.0f} s"
    )
    if screening["enrolled"] < screening["requested"]:
        typer.echo(
            f"warning: only {screening['enrolled']} of {screening['requested']} requested "
            "patients met the criteria",
            err=True,
        )
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        typer.echo("\nEndpoints by arm, value [95% CI] (published value where known):")
        typer.echo(result.summary_table().to_string())
        if result.comparisons:
            within = " (virtual twins: within pairs)" if spec.randomisation.every_arm else ""
            typer.echo(f"\nComparisons with the control arm{within}:")
            frame = pd.DataFrame(result.comparisons)
            typer.echo(frame.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
        enrolment = enrolment_summary(result)
        if enrolment is not None:
            typer.echo(f"\nEnrolment: {enrolment}")
        if result.spec.adjustments:
            by_arm = result.patients.groupby("arm", sort=False)["adjustments"]
            counts = ", ".join(f"{arm} {int((n > 0).sum())} of {len(n)}" for arm, n in by_arm)
            typer.echo(f"\nPatients with a background-therapy adjustment: {counts}")
        for target in screening.get("targets", []):
            typer.echo(
                f"baseline {target['readout']}: target {target['target_mean']:.3g} "
                f"({target['target_sd']:.2g}), enrolled {target['enrolled_mean']:.3g} "
                f"({target['enrolled_sd'] or 0:.2g}), eligible before matching "
                f"{target['eligible_mean']:.3g}"
            )


NOTES_MARKER = "## Misses and why"


@app.command()
def calibrate(
    drug: Annotated[
        list[str] | None, typer.Option(help="Drug to calibrate (repeat; default all).")
    ] = None,
    patients: Annotated[int, typer.Option(help="Patients per calibration trial.")] = 120,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seed of every trial [default: 7 to calibrate; 11 with --report, so the "
            "report's patients are not those the potencies were fitted to].",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Instead: rerun every built-in trial and write this Markdown table."),
    ] = None,
    trials: Annotated[
        list[str] | None,
        typer.Option(
            "--trial",
            help="--report: only these trials (repeat); into an existing report, their rows "
            "replace theirs (same --patients and --seed).",
        ),
    ] = None,
    parallel: Annotated[
        bool,
        typer.Option(
            "--parallel",
            help="Run calibration trials randomised as published, not as virtual twins "
            "(every patient in every arm). --report always runs trials as published.",
        ),
    ] = False,
) -> None:
    """Calibrate drug potencies to the published trials (or report published vs simulated)."""
    from immunetwin.trials.calibration import (
        CALIBRATION_SEED,
        EVERY_ARM,
        PARALLEL,
        REPORT_SEED,
        REPORT_TABLE_HEADER,
        calibration_report,
        check_report_settings,
        merge_report,
        write_calibration,
    )
    from immunetwin.trials.calibration import calibrate as run_calibration

    if patients < 2:
        raise SpecError(f"--patients must be >= 2, got {patients}")

    def log(line: str) -> None:
        typer.echo(line, err=True)

    if trials and report is None:
        raise SpecError("--trial selects trials of a report: give --report FILE as well")
    if report is not None:
        old = report.read_text(encoding="utf-8") if report.exists() else ""
        merge = bool(trials) and REPORT_TABLE_HEADER in old
        report_seed = REPORT_SEED if seed is None else seed
        if merge:
            # Fail on mismatched settings before simulating anything.
            check_report_settings(old, patients, report_seed, str(report))
        text = calibration_report(patients, report_seed, workers, trials, log)
        if merge:
            # --trial: those trials' rows replace theirs in the existing table.
            text = merge_report(old, text, str(report))
        elif NOTES_MARKER in old:
            # Hand-written interpretation below NOTES_MARKER survives regeneration.
            text = text.rstrip("\n") + "\n\n" + old[old.index(NOTES_MARKER) :]
        atomic_write_text(report, text)
        typer.echo(f"wrote {report}")
        return
    record = run_calibration(
        drug,
        patients,
        CALIBRATION_SEED if seed is None else seed,
        workers,
        log,
        design=PARALLEL if parallel else EVERY_ARM,
    )
    path = write_calibration(record)
    for name, entry in record["drugs"].items():
        typer.echo(f"{name}: EC50 x {entry['multiplier']:.3g} (misfit {entry['misfit']:.1f})")
    typer.echo(f"wrote {path}")


BUILTIN_SPECS = Path(__file__).parent / "trials" / "specs"
DEMO_SPEC = BUILTIN_SPECS / "bliss52.toml"


def _spec_path(spec: Path) -> Path:
    """A file as given, else the built-in specification of that name."""
    builtin = BUILTIN_SPECS / f"{spec.name.removesuffix('.toml')}.toml"
    if not spec.exists() and spec.parent == Path(".") and builtin.exists():
        return builtin
    return spec


@app.command()
def cache(
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove every cached compiled model.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Show (or clear) the on-disk cache of compiled models.

    Each model is compiled once per machine (~10 s for a disease model) and loaded from
    here afterwards (~0.4 s). IMMUNETWIN_MODEL_CACHE names another folder, or 'off'.
    """
    from immunetwin._model_cache import (
        CACHE_ENV,
        MAX_ENTRIES,
        cache_dir,
        cache_entries,
        clear_cache,
    )

    folder = cache_dir()
    removed = clear_cache() if clear else 0
    entries = cache_entries()
    size = 0
    for entry in entries:
        with contextlib.suppress(FileNotFoundError):
            size += entry.stat().st_size
    summary = {
        "folder": None if folder is None else str(folder),
        "enabled": folder is not None,
        "entries": len(entries),
        "bytes": size,
        "max_entries": MAX_ENTRIES,
        "removed": removed,
    }
    if json_:
        typer.echo(json.dumps(summary))
        return
    if folder is None:
        typer.echo(f"compiled-model cache: off ({CACHE_ENV}={os.environ.get(CACHE_ENV)})")
        return
    if clear:
        typer.echo(f"removed {removed} compiled models")
    typer.echo(
        f"compiled-model cache: {folder}: {len(entries)} models, {size / 1e6:.1f} MB "
        f"(the {MAX_ENTRIES} most recently used are kept)"
    )


@app.command()
def demo(
    # 80 per arm: lupus flares make single patients' courses vary more, and at 50 per
    # arm the table's arms often read out of their true order.
    patients: Annotated[int, typer.Option(help="Patients to enrol.")] = 240,
    seed: Annotated[int, typer.Option(help="Run seed.")] = 52,
    workers: Annotated[int | None, typer.Option(help="Local worker processes.")] = None,
) -> None:
    """Run the main job: a BLISS-52-like belimumab trial in SLE, at a size of about a minute."""
    trial(
        DEMO_SPEC,
        patients=patients,
        seed=seed,
        workers=workers,
        scheduler=None,
        out=None,
        json_=False,
        progress=False,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning user errors into one line and exit status 2."""
    try:
        app(args=argv, standalone_mode=False)
    except typer.Exit as exit_:
        return int(exit_.exit_code or 0)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        return 130
    except (ImmuneTwinError, TyperException) as err:
        # Usage errors from the parser carry format_message(); ours carry the message.
        format_message = getattr(err, "format_message", None)
        message = format_message() if callable(format_message) else str(err)
        typer.echo(f"error: {' '.join(str(message).split())}", err=True)
        return 2
    return 0


def console() -> None:
    """Console-script entry point.

    SUNDIALS (inside libRoadRunner) prints solver warnings on the process's
    standard output, which would corrupt ``--json`` data. C-level writes to
    file descriptor 1 are sent to standard error; Python's ``sys.stdout`` keeps
    a private copy of the real standard output for ImmuneTwin's own data.
    """
    sys.stdout.flush()
    data_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = os.fdopen(data_fd, "w", encoding="utf-8", closefd=True)
    raise SystemExit(main())


if __name__ == "__main__":
    console()
