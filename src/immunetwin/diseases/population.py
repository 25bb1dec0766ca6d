"""Virtual patients of a disease: sample, simulate on the shared model, read out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from immunetwin.declaration import Model
from immunetwin.diseases.declaration import Disease
from immunetwin.population import patient_rng, run_population, sample_parameters

__all__ = [
    "COVARIATE_STREAM",
    "OBSERVATION_STREAM",
    "disease_model",
    "sample_disease_patients",
    "virtual_population",
]

# Random streams of patient_rng (0 and 1 are parameters and schedules in population.py).
COVARIATE_STREAM = 2
OBSERVATION_STREAM = 3

_MODELS: dict[str, Model] = {}


def disease_model(disease: Disease) -> Model:
    """The shared immune model with the disease's median changes (cached per disease).

    Args:
        disease: The disease.
    """
    if disease.name not in _MODELS:
        from immunetwin.immune import build_immune_model

        changes = disease.medians()
        changes.update({k: v for k, (v, _) in disease.initial_state.items()})
        model = build_immune_model(name=disease.name, changes=changes)
        disease.validate(model)
        _MODELS[disease.name] = model
    return _MODELS[disease.name]


def _patient_covariates(
    disease: Disease,
    patient: int,
    seed: int,
    female_fraction: float,
    age: tuple[float, float, tuple[float, float]] | None = None,
) -> tuple[dict[str, object], np.ndarray]:
    """Sex, age, covariate levels and standard normals of one patient (own generator)."""
    rng = patient_rng(seed, patient, COVARIATE_STREAM)
    d = disease.demographics
    row: dict[str, object] = {"sex": "female" if rng.random() < female_fraction else "male"}
    age_mean, age_sd, (low, high) = age or (d.age_mean, d.age_sd, d.age_range)
    value = rng.normal(age_mean, age_sd)
    for _ in range(1000):
        if low <= value <= high:
            break
        value = rng.normal(age_mean, age_sd)
    row["age"] = float(np.clip(value, low, high))
    for covariate in disease.covariates:
        if covariate.name == "sex" or not covariate.modelled or not covariate.prevalence:
            continue
        levels = list(covariate.prevalence)
        probabilities = np.array([covariate.prevalence[x] for x in levels])
        row[covariate.name] = levels[int(rng.choice(len(levels), p=probabilities))]
    z = rng.standard_normal(len(disease.changes))
    return row, z


def sample_disease_patients(
    disease: Disease,
    n: int,
    seed: int,
    *,
    female_fraction: float | None = None,
    age: tuple[float, float, tuple[float, float]] | None = None,
    first_patient: int = 0,
    model: Model | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw patients of a disease: who they are, and their model parameters.

    Each patient's sex and age come from the disease's demographics (or the given
    overrides), its covariate levels from their prevalence, its healthy parameters
    from the model's declared variability and its disease parameters from each
    change's variability times the covariate multipliers. All draws use
    :func:`immunetwin.population.patient_rng`, so patient ``i`` is the same whatever
    ``n``, ``first_patient`` or the workers.

    Args:
        disease: The disease.
        n: Number of patients.
        seed: Run seed.
        female_fraction: Override the demographics' share of women.
        age: Override of the age distribution: ``(mean, sd, (low, high))`` in years.
        first_patient: Id of the first patient.
        model: The model the parameters are for (default :func:`disease_model`);
            a model with drugs added samples their PK variability too.

    Returns:
        ``(patients, parameters)``: sex, age, covariates and the disease parameters
        per patient, and the table of parameters to set per patient
        (for :func:`immunetwin.population.run_population`), both indexed by
        ``patient_id``.
    """
    model = model or disease_model(disease)
    ff = disease.demographics.female_fraction if female_fraction is None else female_fraction
    parameters = sample_parameters(model, n, seed, first_patient=first_patient)
    defaults = model.parameter_values()
    changed = {c.parameter for c in disease.changes}
    covariate_parameters = {
        c.parameter for c in disease.covariates if c.modelled and c.parameter is not None
    }
    # A drug acting on an immune hook turns the hook into a rule of ``<hook>_baseline``
    # (immunetwin.drugs.pd): disease and covariate values then set the baseline.
    settable = {name: _settable(model, name) for name in changed | covariate_parameters}
    covariate_rows = []
    for pid in parameters.index:
        row, z = _patient_covariates(disease, int(pid), seed, ff, age)
        for change, zi in zip(disease.changes, z, strict=True):
            value = change.value
            if change.variability is not None:
                value *= math.exp(change.variability.omega * zi)
            for covariate in disease.covariates:
                if not covariate.modelled or covariate.parameter != change.parameter:
                    continue
                value *= covariate.levels.get(str(row.get(covariate.name)), 1.0)
            row[change.parameter] = value
        # Covariates on parameters the disease does not change multiply the model value.
        for covariate in disease.covariates:
            if not covariate.modelled or covariate.parameter in changed:
                continue
            assert covariate.parameter is not None
            name = covariate.parameter
            column = settable[name]
            sampled = (
                parameters.at[pid, column] if column in parameters.columns else defaults[column]
            )
            base = float(row[name]) if name in row else float(sampled)  # type: ignore[arg-type]
            row[name] = base * covariate.levels.get(str(row.get(covariate.name)), 1.0)
        covariate_rows.append(row)
    patients = pd.DataFrame(covariate_rows, index=parameters.index)
    for name in changed | covariate_parameters:
        parameters[settable[name]] = patients[name]
    return patients, parameters


def _settable(model: Model, name: str) -> str:
    if model.kind_of(name) == "rule" and model.kind_of(f"{name}_baseline") == "parameter":
        return f"{name}_baseline"
    return name


def virtual_population(
    disease: Disease,
    n: int,
    seed: int,
    *,
    until: float | None = None,
    female_fraction: float | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """Sample, simulate and read out ``n`` virtual patients of a disease.

    Patients come from :func:`sample_disease_patients`; the readouts are taken at
    ``until`` from each patient's own observation generator.

    Args:
        disease: The disease.
        n: Number of patients.
        seed: Run seed.
        until: Days simulated before the readouts (default the disease's follow-up).
        female_fraction: Override the demographics' share of women (e.g. 0.5 for an
            equal at-risk population of men and women).
        workers: Worker processes for :func:`immunetwin.population.run_population`.

    Returns:
        One row per patient (index ``patient_id``): sex, age, covariates, the disease
        parameters used, ``ok`` (solver success) and the disease's readouts at ``until``.
    """
    model = disease_model(disease)
    until = disease.follow_up_days if until is None else until
    patients, parameters = sample_disease_patients(
        disease, n, seed, female_fraction=female_fraction, model=model
    )
    step = disease.output_step_days
    times = (
        np.array([0.0, until]) if step is None else np.append(np.arange(0.0, until, step), until)
    )
    triggers = disease.triggers
    run = run_population(
        model,
        parameters,
        until=until,
        outputs=list(disease.outputs),
        output_times=times,
        schedules=None if triggers is None else (lambda pid, rng: triggers(pid, rng, 0.0, until)),
        seed=seed,
        workers=workers,
    )
    patients["ok"] = run.status["ok"].reindex(patients.index).to_numpy()
    assert run.trajectories is not None
    readouts = []
    for pid in patients.index:
        trajectory = run.trajectories.sel(patient_id=pid).to_dataframe()[list(disease.outputs)]
        rng = patient_rng(seed, int(pid), OBSERVATION_STREAM)
        readouts.append(disease.readouts(trajectory, rng))
    return patients.join(pd.DataFrame(readouts, index=patients.index))
