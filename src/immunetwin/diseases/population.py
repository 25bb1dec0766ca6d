"""Virtual patients of a disease: sample, simulate on the shared model, read out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from immunetwin.declaration import Model
from immunetwin.diseases.declaration import Disease
from immunetwin.population import patient_rng, run_population, sample_parameters

__all__ = ["COVARIATE_STREAM", "OBSERVATION_STREAM", "disease_model", "virtual_population"]

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
    disease: Disease, patient: int, seed: int, female_fraction: float
) -> tuple[dict[str, object], np.ndarray]:
    """Sex, age, covariate levels and standard normals of one patient (own generator)."""
    rng = patient_rng(seed, patient, COVARIATE_STREAM)
    d = disease.demographics
    row: dict[str, object] = {"sex": "female" if rng.random() < female_fraction else "male"}
    low, high = d.age_range
    age = rng.normal(d.age_mean, d.age_sd)
    for _ in range(1000):
        if low <= age <= high:
            break
        age = rng.normal(d.age_mean, d.age_sd)
    row["age"] = float(np.clip(age, low, high))
    for covariate in disease.covariates:
        if covariate.name == "sex" or not covariate.modelled or not covariate.prevalence:
            continue
        levels = list(covariate.prevalence)
        probabilities = np.array([covariate.prevalence[x] for x in levels])
        row[covariate.name] = levels[int(rng.choice(len(levels), p=probabilities))]
    z = rng.standard_normal(len(disease.changes))
    return row, z


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

    Each patient's sex and age come from the disease's demographics, its covariate
    levels from their prevalence, its healthy parameters from the model's declared
    variability (:func:`immunetwin.population.sample_parameters`) and its disease
    parameters from each change's variability times the covariate multipliers. All
    draws use :func:`immunetwin.population.patient_rng`, so a patient does not depend
    on ``n`` or on the workers.

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
    ff = disease.demographics.female_fraction if female_fraction is None else female_fraction
    parameters = sample_parameters(model, n, seed)
    defaults = model.parameter_values()
    changed = {c.parameter for c in disease.changes}
    covariate_parameters = {
        c.parameter for c in disease.covariates if c.modelled and c.parameter is not None
    }
    covariate_rows = []
    for pid in parameters.index:
        row, z = _patient_covariates(disease, int(pid), seed, ff)
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
            sampled = parameters.at[pid, name] if name in parameters.columns else defaults[name]
            base = float(row[name]) if name in row else float(sampled)  # type: ignore[arg-type]
            row[name] = base * covariate.levels.get(str(row.get(covariate.name)), 1.0)
        covariate_rows.append(row)
    patients = pd.DataFrame(covariate_rows, index=parameters.index)
    for name in changed | covariate_parameters:
        parameters[name] = patients[name]
    run = run_population(
        model,
        parameters,
        until=until,
        outputs=list(disease.outputs),
        output_times=np.array([0.0, until]),
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
