"""Virtual patients of a disease: sample, simulate on the shared model, read out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from immunetwin.declaration import Model
from immunetwin.diseases.declaration import Disease
from immunetwin.diseases.readouts import with_demographics
from immunetwin.population import patient_rng, run_population, sample_parameters

__all__ = [
    "COVARIATE_STREAM",
    "OBSERVATION_STREAM",
    "TRIGGER_STREAM",
    "disease_model",
    "sample_disease_patients",
    "simulate_disease_patient",
    "virtual_population",
]

# Random streams of patient_rng (0 and 1 are parameters and schedules in population.py).
COVARIATE_STREAM = 2
OBSERVATION_STREAM = 3
TRIGGER_STREAM = 9  # a disease's natural-course triggers (the trial engine's streams: 0-11)

_MODELS: dict[str, Model] = {}


def disease_model(disease: Disease) -> Model:
    """The shared immune model with the disease's median changes (cached per disease).

    Args:
        disease: The disease.
    """
    if disease.name not in _MODELS:
        from immunetwin.immune import ORGANS, build_immune_model

        changes = disease.medians()
        changes.update({k: v for k, (v, _) in disease.initial_state.items()})
        model = build_immune_model(
            name=disease.name,
            organs=(*ORGANS, *disease.extra_organs),
            changes=changes,
            organ_exhaustion=disease.organ_exhaustion,
        )
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
    # In declaration order, not a set's: the parameter table's columns must come out in the
    # same order in every process (string hashing differs between processes), or a resumed
    # run's fingerprint would not match the interrupted one's.
    set_parameters = list(
        dict.fromkeys(
            [c.parameter for c in disease.changes]
            + [c.parameter for c in disease.covariates if c.modelled and c.parameter is not None]
        )
    )
    # A drug acting on an immune hook turns the hook into a rule of ``<hook>_baseline``
    # (immunetwin.drugs.pd): disease and covariate values then set the baseline.
    settable = {name: _settable(model, name) for name in set_parameters}
    covariate_rows = []
    for pid in parameters.index:
        row, z = _patient_covariates(disease, int(pid), seed, ff, age)
        for change, zi in zip(disease.changes, z, strict=True):
            value = change.value
            if change.variability is not None:
                value = float(change.variability.draw(value, zi))
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
    for name in set_parameters:
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
        patient = patients.loc[pid]
        with_demographics(trajectory, float(patient["age"]), str(patient["sex"]))
        rng = patient_rng(seed, int(pid), OBSERVATION_STREAM)
        readouts.append(disease.readouts(trajectory, rng))
    return patients.join(pd.DataFrame(readouts, index=patients.index))


def simulate_disease_patient(
    disease: Disease,
    *,
    sex: str = "female",
    age: float | None = None,
    days: float = 5 * 365.25,
    seed: int = 1,
    visit_days: float = 28.0,
    regimens: Sequence[str] = (),
    weight_kg: float = 70.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One virtual patient of a disease: states and clinical readouts.

    The patient is drawn as in a virtual population (:func:`sample_disease_patients`,
    patient 0 of ``seed``) with its sex and age fixed, so its covariates act through
    their declared effects. The disease's natural-course triggers (flares, relapse
    triggers, exposures) are drawn from the same stream as in trials.

    Without regimens the course starts in health (day 0) and shows onset and flares.
    With regimens the disease first runs its history to the disease's enrolment day
    (established disease, as trial patients are enrolled), and day 0 of the results
    is the first dose: readouts at day 0 are the pre-treatment baseline, and
    trajectory days before 0 are the history. A disease whose course matters from
    enrolment (``Disease.course_from_enrolment``: the checkpoint-inhibitor patient,
    whose blockade starts there) is shown the same way without regimens.

    Args:
        disease: The disease.
        sex: ``female`` or ``male``.
        age: Age in years (default the disease's mean age at diagnosis).
        days: Days simulated: from the model's start (health), or with regimens from
            the first dose (after the disease's history).
        seed: Which virtual patient (its parameters and its course).
        visit_days: Spacing of the clinical readouts.
        regimens: Drug regimens from day 0 (docs/regimens.md), e.g.
            ``"belimumab 10 mg/kg IV on days 0, 14, 28 then every 28 days"``.
        weight_kg: Body weight for mg/kg doses and PK.

    Returns:
        ``(trajectory, readouts)``: model outputs by day, and the observation model's
        readouts (labs, scores, symptoms) at every visit (index: day; see above for
        where day 0 is).

    Raises:
        SpecError: For a sex, age, duration or regimen outside what is allowed.
    """
    from immunetwin._errors import SpecError
    from immunetwin.engine import Schedule, Simulator

    if sex not in ("female", "male"):
        raise SpecError(f"sex must be female or male, got {sex!r}")
    low, high = disease.demographics.age_range
    age = disease.demographics.age_mean if age is None else age
    if not 0 < age <= 110:
        raise SpecError(f"age must be in (0, 110] years, got {age:g}")
    if not days > 0:
        raise SpecError("the simulated duration must be > 0")
    model = disease_model(disease)
    dosing = Schedule()
    drug_outputs: list[str] = []
    if regimens:
        from immunetwin.drugs import PatientCovariates, parse_regimen, regimen_schedule
        from immunetwin.drugs.pd import with_drug_effects

        parsed = [parse_regimen(text) for text in regimens]
        model = with_drug_effects(model, parsed)
        covariates = PatientCovariates(weight_kg=weight_kg, sex=sex)  # type: ignore[arg-type]
        dosing = regimen_schedule(parsed, covariates, days)
        drug_outputs = list(dict.fromkeys(f"{r.drug}_concentration" for r in parsed))
    _, parameters = sample_disease_patients(
        disease,
        1,
        seed,
        female_fraction=1.0 if sex == "female" else 0.0,
        age=(age, 0.0, (min(age, low), max(age, high))),
        model=model,
    )
    if "body_weight" in model.parameter_values():
        parameters["body_weight"] = weight_kg
    if "sex_female" in model.parameter_values():
        parameters["sex_female"] = 1.0 if sex == "female" else 0.0
    from_enrolment = bool(regimens) or disease.course_from_enrolment
    start = disease.enrolment_day if from_enrolment else 0.0
    end = start + days
    dosing = Schedule(tuple(replace(c, time=c.time + start) for c in dosing.changes))
    step = min(disease.output_step_days or 7.0, 7.0, visit_days)
    times = np.union1d(np.arange(0.0, end, step), [end])
    first_visit = start if from_enrolment else visit_days
    visits = np.union1d(np.arange(first_visit, end, visit_days), [end])
    schedule = dosing
    if disease.triggers is not None:
        schedule = disease.triggers(0, patient_rng(seed, 0, TRIGGER_STREAM), 0.0, end) + dosing
    outputs = list(dict.fromkeys([*disease.outputs, *drug_outputs]))
    simulator = Simulator(model)
    values = simulator.run(
        np.union1d(times, visits),
        outputs,
        simulator.parameter_indices(list(parameters.columns)),
        parameters.iloc[0].to_numpy(dtype=float),
        schedule,
    )
    trajectory = pd.DataFrame(
        values, index=pd.Index(np.union1d(times, visits), name="day"), columns=outputs
    )
    rng = patient_rng(seed, 0, OBSERVATION_STREAM)
    rows = []
    for day in visits:
        history = with_demographics(trajectory.loc[:day, list(disease.outputs)], age, sex)
        rows.append(disease.readouts(history, rng))
    readouts = pd.DataFrame(rows, index=pd.Index(visits - start, name="day"))
    trajectory.index = pd.Index(trajectory.index - start, name="day")
    return trajectory, readouts
