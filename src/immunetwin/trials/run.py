"""Run an in-silico randomised trial: screen, enrol, randomise, treat, observe, analyse.

The timeline of every patient starts in health at day 0 with the patient's
disease parameters; the disease develops on the shared immune model. Background
therapy starts ``background.lead_days`` before the screening visit at day
``E`` (``screening.history_days``). Candidates are simulated to ``E`` and read out
through the disease's observation model; those who meet the criteria (and, with
baseline targets, pass acceptance-rejection) are enrolled in id order,
randomised in permuted blocks within strata and simulated again from day 0 with
their arm's regimens from ``E`` on. The second simulation repeats the first
exactly up to ``E`` (same parameters, same background doses), so each patient's
baseline is the screening visit: selecting on a noisy screening score and
measuring again later is what produces regression to the mean.

Every random draw comes from :func:`immunetwin.population.patient_rng` with a
stream of its own, so one seed gives the same trial whatever the workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from immunetwin._errors import SpecError
from immunetwin.declaration import Model
from immunetwin.diseases import DISEASES, Disease, disease_model
from immunetwin.diseases.population import (
    OBSERVATION_STREAM,
    TRIGGER_STREAM,
    sample_disease_patients,
)
from immunetwin.diseases.readouts import with_demographics
from immunetwin.engine import Schedule, StateChange
from immunetwin.population import patient_rng, run_population
from immunetwin.trials.analysis import covariate_values
from immunetwin.trials.names import check_names, event_days, or_death_name
from immunetwin.trials.spec import Endpoint, Expression, TrialSpec

__all__ = ["TrialResult", "check_trial", "get_disease", "run_trial", "trial_model"]

# Random streams of patient_rng (0-3: parameters, schedules, covariates, observations).
WEIGHT_STREAM = 4
ADHERENCE_STREAM = 5
DROPOUT_STREAM = 6
MATCH_STREAM = 7
RANDOMISATION_STREAM = 8
# 9: a disease's natural-course triggers (TRIGGER_STREAM, immunetwin.diseases.population)
HARM_STREAM = 10
HARM_READOUT_STREAM = 11
DEATH_STREAM = 12
ADJUSTMENT_STREAM = 13
ENTRY_STREAM = 14
# Virtual twins (randomisation.every_arm): the twin of patient p in arm k has id
# p + k * TWIN_STRIDE and draws every random number from p's streams.
TWIN_STRIDE = 10**8

HISTORY_GRID_DAYS = 28.0  # outputs every 4 weeks before enrolment (readouts use history)


@dataclass
class TrialResult:
    """A simulated trial.

    Attributes:
        spec: The specification run.
        patients: One row per enrolled patient: ``arm``, demographics, ``ok``,
            ``reason``, ``dropout_week``, ``rescue_week`` and the baseline readouts
            (prefixed ``baseline_``).
        visits: One row per enrolled patient and visit: ``patient_id``, ``arm``,
            ``week``, ``seen`` and that visit's readouts and responses.
        endpoints: Arm -> endpoint id -> estimate (``value``, ``ci_low``, ``ci_high``,
            ``n``, ``unit``).
        comparisons: One dict per (arm, endpoint) against the control arm.
        screening: Candidates screened, eligible, accepted and enrolled, the
            screen-failure reasons, and the baseline-target match.
        seconds: Wall time of each stage.
    """

    spec: TrialSpec
    patients: pd.DataFrame
    visits: pd.DataFrame
    endpoints: dict[str, dict[str, dict[str, Any]]]
    comparisons: list[dict[str, Any]]
    screening: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)

    def summary_table(self) -> pd.DataFrame:
        """Arms x endpoints: ``value [ci_low, ci_high]`` strings, published values beside."""
        rows = {}
        for arm in self.spec.arms:
            row = {}
            for endpoint in self.spec.endpoints:
                e = self.endpoints[arm.name][endpoint.id]
                row[endpoint.id] = _format_estimate(e)
                published = self.spec.published.get(arm.name, {}).get(endpoint.id)
                if published is not None:
                    row[f"{endpoint.id} (published)"] = f"{published:g}"
            row["n"] = str(self.endpoints[arm.name][self.spec.endpoints[0].id]["n_arm"])
            rows[arm.name] = row
        return pd.DataFrame.from_dict(rows, orient="index")


def _format_estimate(e: Mapping[str, Any]) -> str:
    value, low, high = e.get("value"), e.get("ci_low"), e.get("ci_high")
    if value is None:
        return "NA"
    if low is None or high is None:
        return f"{value:.3g}"
    return f"{value:.3g} [{low:.3g}, {high:.3g}]"


def get_disease(name: str) -> Disease:
    """The disease called ``name``.

    Raises:
        SpecError: Naming the diseases that exist.
    """
    if name not in DISEASES:
        raise SpecError(f"unknown disease {name!r}: choose one of {', '.join(sorted(DISEASES))}")
    return DISEASES[name]


def _all_regimens(spec: TrialSpec) -> list[str]:
    regimens = list(spec.background.regimens)
    for arm in spec.arms:
        regimens.extend(arm.regimens)
    for adjustment in spec.adjustments:
        regimens.extend(adjustment.regimens)
    return regimens


def _check_regimens(spec: TrialSpec) -> None:
    from immunetwin.drugs import get_drug, parse_regimen

    given: set[str] = set()
    for where, texts in (
        [("background", spec.background.regimens)]
        + [(f"arm {a.name!r}", a.regimens) for a in spec.arms]
        + [(f"adjustment {a.label!r}", a.regimens) for a in spec.adjustments]
    ):
        for text in texts:
            try:
                given.add(parse_regimen(text).drug)
            except SpecError as err:
                raise SpecError(f"{where}: {err}") from None
    for adjustment in spec.adjustments:
        for name in adjustment.stop:
            try:
                drug = get_drug(name).name
            except SpecError as err:
                raise SpecError(f"adjustment {adjustment.label!r}: stop: {err}") from None
            if drug not in given:
                raise SpecError(
                    f"adjustment {adjustment.label!r}: stop: no regimen of the trial gives "
                    f"{drug!r} (given: {', '.join(sorted(given)) or 'none'})"
                )


_MODELS: dict[tuple[str, tuple[str, ...]], Model] = {}


def trial_model(spec: TrialSpec) -> Model:
    """The disease model with the PK and mechanisms of every drug of the trial.

    One structure for all arms: an arm that does not receive a drug simply has no
    doses of it, so every arm runs on one compiled model.
    """
    disease = get_disease(spec.disease)
    regimens = _all_regimens(spec)
    key = (disease.name, tuple(regimens))
    if key not in _MODELS:
        base = disease_model(disease)
        if regimens:
            from immunetwin.drugs import with_drug_effects

            _MODELS[key] = with_drug_effects(base, regimens, name=f"{disease.name}_trial")
        else:
            _MODELS[key] = base
    return _MODELS[key]


def _shift(schedule: Schedule, days: float) -> Schedule:
    return Schedule(
        tuple(StateChange(c.time + days, c.target, c.op, c.value) for c in schedule.changes)
    )


def _source_id(patient_id: int) -> int:
    """The screened patient a (twin) id stands for: its random streams' key."""
    return int(patient_id) % TWIN_STRIDE


def _twins(
    spec: TrialSpec, enrolled: pd.DataFrame, parameters: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every enrolled patient once per arm (``randomisation.every_arm``).

    The twin in the k-th arm has id ``patient_id + k * TWIN_STRIDE`` (the first arm's
    twin keeps the patient's id) and the column ``source_patient``.
    """
    if len(enrolled) and int(enrolled.index.max()) >= TWIN_STRIDE:
        raise SpecError(f"randomisation.every_arm supports patient ids below {TWIN_STRIDE}")
    people, values = [], []
    for k, arm in enumerate(spec.arms):
        twin = enrolled.copy()
        twin["source_patient"] = enrolled.index.astype(int)
        twin["arm"] = arm.name
        twin.index = enrolled.index + k * TWIN_STRIDE
        people.append(twin)
        table = parameters.loc[enrolled.index].copy()
        table.index = enrolled.index + k * TWIN_STRIDE
        values.append(table)
    return pd.concat(people), pd.concat(values)


def _weights(spec: TrialSpec, patients: pd.DataFrame, seed: int) -> pd.Series:
    """Body weight (kg) per patient: log-normal around the sex's mean."""
    sigma = math.sqrt(math.log1p(spec.population.weight_cv**2))
    values = {}
    for pid, sex in zip(patients.index.tolist(), patients["sex"].tolist(), strict=True):
        rng = patient_rng(seed, int(pid), WEIGHT_STREAM)
        mean = spec.population.weight_kg_mean[sex]
        # Median below the mean so the mean is the stated one.
        values[pid] = float(np.clip(mean * math.exp(rng.normal(-0.5 * sigma**2, sigma)), 35, 200))
    return pd.Series(values, name="weight_kg")


def _output_times(
    disease: Disease, until: float, extra: Sequence[float] | np.ndarray = ()
) -> np.ndarray:
    """Outputs every 4 weeks (or the disease's finer step) up to ``until``, plus ``extra``."""
    step = min(HISTORY_GRID_DAYS, disease.output_step_days or HISTORY_GRID_DAYS)
    return np.union1d(np.append(np.arange(0.0, until, step), until), np.asarray(extra, float))


def _schedules(
    spec: TrialSpec,
    disease: Disease,
    patients: pd.DataFrame,
    enrolment_day: float,
    arm_of: Mapping[int, str] | None,
    seed: int,
) -> list[Schedule]:
    """Each patient's doses and the disease's stochastic triggers.

    Background starts at ``E - lead``, the arm's regimens at ``E``; triggers cover
    the whole timeline and are the same in every arm.
    """
    from immunetwin.drugs import PatientCovariates, regimen_schedule

    lead = min(spec.background.lead_days, enrolment_day)
    trial_days = 7.0 * spec.visits.end_week
    arms = {a.name: a for a in spec.arms}
    schedules = []
    for pid, row in _records(patients):
        covariates = PatientCovariates(weight_kg=float(row["weight_kg"]), sex=row["sex"])
        source = _source_id(pid)
        rng = patient_rng(seed, source, ADHERENCE_STREAM)
        changes: list[StateChange] = []
        horizon = lead + (trial_days if arm_of is not None else 0.0)
        if spec.background.regimens and horizon > 0:
            background = regimen_schedule(spec.background.regimens, covariates, horizon, rng)
            changes.extend(_shift(background, enrolment_day - lead).changes)
        if arm_of is not None:
            arm = arms[arm_of[int(pid)]]
            if arm.regimens:
                therapy = regimen_schedule(arm.regimens, covariates, trial_days, rng)
                changes.extend(_shift(therapy, enrolment_day).changes)
        if arm_of is not None and spec.harms.infections:
            from immunetwin.drugs.harms import exposure_schedule

            exposures = exposure_schedule(
                source,
                patient_rng(seed, source, HARM_STREAM),
                enrolment_day,
                trial_days,
                rate_per_year=spec.harms.exposures_per_year,
            )
            changes.extend(exposures.changes)
        if disease.triggers is not None:
            days = enrolment_day + trial_days
            trigger_rng = patient_rng(seed, source, TRIGGER_STREAM)
            changes.extend(disease.triggers(source, trigger_rng, 0.0, days).changes)
        schedules.append(Schedule(tuple(changes)))
    return schedules


# A patient's adjustments so far: (index into spec.adjustments, visit week), in order.
Applied = Sequence[tuple[int, float]]


def _stopped(changes: Sequence[StateChange], drugs: Sequence[str], day: float) -> list[StateChange]:
    """``changes`` without the doses of ``drugs`` from ``day`` on (drug names or aliases).

    A drug's doses are the changes of its own species and parameters (named
    ``{drug}_...``). A rate it set before ``day`` and left running (an infusion, a
    conditioning course) is set to 0 at ``day``; the drug already given stays.
    """
    from immunetwin.drugs import get_drug

    prefixes = tuple(f"{get_drug(name).name}_" for name in drugs)
    kept = [c for c in changes if c.time < day or not c.target.startswith(prefixes)]
    running: dict[str, float] = {}
    for change in sorted(kept, key=lambda c: c.time):
        if change.op == "set" and change.target.startswith(prefixes):
            running[change.target] = change.value
    kept += [
        StateChange(day, target, "set", 0.0)
        for target, value in running.items()
        if value != 0.0 and target.endswith("_rate")
    ]
    return kept


def _adjusted_changes(
    spec: TrialSpec,
    base: Sequence[StateChange],
    patient: Mapping[str, Any],
    patient_id: int,
    applied: Applied,
    enrolment_day: float,
) -> tuple[StateChange, ...]:
    """A patient's schedule after its adjustments: stops, then new doses, visit by visit.

    Each adjustment first stops its drugs from its visit's day (whoever's doses they
    were, an earlier adjustment's included), then adds its regimens from that day to
    the end. The adherence draws come from the patient's own stream, regenerated in
    order, so an adjustment's doses do not depend on when it was found.
    """
    from immunetwin.drugs import PatientCovariates, regimen_schedule

    covariates = PatientCovariates(weight_kg=float(patient["weight_kg"]), sex=patient["sex"])
    rng = patient_rng(spec.seed, _source_id(patient_id), ADJUSTMENT_STREAM)
    trial_days = 7.0 * spec.visits.end_week
    changes = list(base)
    for index, week in applied:
        adjustment = spec.adjustments[index]
        start = 7.0 * week
        if adjustment.stop:
            changes = _stopped(changes, adjustment.stop, enrolment_day + start)
        if adjustment.regimens:
            doses = regimen_schedule(adjustment.regimens, covariates, trial_days - start, rng)
            changes.extend(_shift(doses, enrolment_day + start).changes)
    return tuple(changes)


def _trajectory_frames(
    result: Any, outputs: Sequence[str], enrolment_day: float
) -> dict[int, pd.DataFrame]:
    """Patient id -> trajectory DataFrame (time index, one column per output).

    ``attrs["enrolment_day"]`` tells the observation model when the trial started
    (placebo response and on-study changes are timed from it).
    """
    data = result.trajectories if result.trajectories is not None else result.to_xarray()
    stacked = np.stack([data[o].values for o in outputs], axis=-1)
    times = pd.Index(np.asarray(data["time"].values, dtype=float), name="time")
    ids = data["patient_id"].values
    frames = {}
    for k, pid in enumerate(ids):
        frame = pd.DataFrame(stacked[k], index=times, columns=list(outputs))
        frame.attrs["enrolment_day"] = enrolment_day
        frames[int(pid)] = frame
    return frames


def _records(frame: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """(patient id, row as a dict) for each row of a patient-indexed table."""
    return [
        (int(pid), {str(k): v for k, v in row.items()})
        for pid, row in zip(frame.index.tolist(), frame.to_dict("records"), strict=True)
    ]


def _trial_outputs(spec: TrialSpec, disease: Disease) -> list[str]:
    outputs = list(disease.outputs)
    if spec.harms.infections:
        from immunetwin.drugs.harms import HARM_OUTPUTS

        outputs += [o for o in HARM_OUTPUTS if o not in outputs]
    return outputs


_SCREENING_CACHE: dict[str, tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]] = {}
_SCREENING_CACHE_SIZE = 8


def _screening_key(spec: TrialSpec, overrides: Mapping[str, float]) -> str:
    """What screening depends on: not the arms' doses, endpoints or visits.

    The arms' regimens enter through the model structure (every drug of the trial is
    in the model, and its PK variability is sampled). Overrides enter only for the
    background drugs' parameters, the only drugs given before enrolment.
    """
    import json

    background = {t.split()[0].lower() for t in spec.background.regimens}
    relevant = {k: v for k, v in overrides.items() if k.split("_")[0] in background}
    return json.dumps(
        {
            "screening": spec.screening.model_dump(),
            "population": spec.population.model_dump(),
            "background": spec.background.model_dump(),
            "regimens": _all_regimens(spec),
            "disease": spec.disease,
            "patients": spec.patients,
            "seed": spec.seed,
            "visits_end": spec.visits.end_week,
            "overrides": relevant,
        },
        sort_keys=True,
        default=str,
    )


def _screen(
    spec: TrialSpec,
    disease: Disease,
    model: Model,
    enrolment_day: float,
    run_options: dict[str, Any],
    out_dir: Path | None,
    overrides: Mapping[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Screen candidates in batches until enough are enrolled (or the cap is reached).

    Results are kept in memory per screening setup (:func:`_screening_key`), so
    repeated runs that change only the arms' drug parameters (calibration) screen once.
    """
    key = _screening_key(spec, overrides)
    if out_dir is None and key in _SCREENING_CACHE:
        enrolled, parameters, info = _SCREENING_CACHE[key]
        return enrolled.copy(), parameters.copy(), dict(info)
    result = _screen_candidates(
        spec, disease, model, enrolment_day, run_options, out_dir, overrides
    )
    if out_dir is None:
        while len(_SCREENING_CACHE) >= _SCREENING_CACHE_SIZE:
            _SCREENING_CACHE.pop(next(iter(_SCREENING_CACHE)))
        _SCREENING_CACHE[key] = (result[0].copy(), result[1].copy(), dict(result[2]))
    return result


def trial_candidates(
    spec: TrialSpec, disease: Disease, model: Model, n: int, first_patient: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidates ``first_patient`` to ``first_patient + n - 1`` of the trial.

    Returns the patients (with body weight) and their model parameters (weight and sex
    included, only names ``model`` has). The spec's population fills in the disease's
    demographics where it is silent.
    """
    population, d = spec.population, disease.demographics
    age = (
        population.age_mean if population.age_mean is not None else d.age_mean,
        population.age_sd if population.age_sd is not None else d.age_sd,
        population.age_range if population.age_range is not None else d.age_range,
    )
    patients, parameters = sample_disease_patients(
        disease,
        n,
        spec.seed,
        female_fraction=population.female_fraction,
        age=age,
        first_patient=first_patient,
        model=model,
    )
    patients["weight_kg"] = _weights(spec, patients, spec.seed)
    parameters["body_weight"] = patients["weight_kg"]
    parameters["sex_female"] = (patients["sex"] == "female").astype(float)
    parameters = parameters[[c for c in parameters.columns if model.kind_of(c) is not None]]
    return patients, parameters


def _screen_candidates(
    spec: TrialSpec,
    disease: Disease,
    model: Model,
    enrolment_day: float,
    run_options: dict[str, Any],
    out_dir: Path | None,
    overrides: Mapping[str, float],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    seed = spec.seed
    need = spec.patients
    cap = math.ceil(spec.screening.max_candidates_per_patient * need)
    # A trial may enrol at day 0 (e.g. treatment-emergent disease): the engine still
    # needs an interval, and readouts use the rows up to the enrolment day only.
    horizon = max(enrolment_day, 1.0)
    times = _output_times(disease, horizon)
    screened: list[pd.DataFrame] = []
    parameter_tables: list[pd.DataFrame] = []
    reasons: dict[str, int] = {}
    next_id, batch = 0, max(2 * need, 20)
    while next_id < cap:
        n = min(batch, cap - next_id)
        patients, parameters = trial_candidates(spec, disease, model, n, first_patient=next_id)
        for name, value in overrides.items():
            parameters[name] = value
        schedules = _schedules(spec, disease, patients, enrolment_day, None, seed)
        sub = None if out_dir is None else out_dir / "screening" / f"batch_{next_id}"
        result = run_population(
            model,
            parameters,
            until=horizon,
            outputs=list(disease.outputs),
            output_times=times,
            schedules=schedules,
            seed=seed,
            out_dir=sub,
            **run_options,
        )
        frames = _trajectory_frames(result, disease.outputs, enrolment_day)
        rows = _screening_rows_all(
            spec, patients, frames, result.status, enrolment_day, run_options
        )
        for row in rows:
            if row["reason"]:
                reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
        screened.append(patients.join(pd.DataFrame(rows, index=patients.index)))
        parameter_tables.append(parameters)
        next_id += n
        candidates = pd.concat(screened)
        accepted = _accept(spec, candidates, seed)
        if int(accepted.sum()) >= need:
            break
        # Size the next batch from the acceptance rate so far (at least 10 candidates).
        rate = max(accepted.mean(), 0.5 / len(candidates))
        batch = max(10, math.ceil(1.2 * (need - int(accepted.sum())) / rate))
    candidates = pd.concat(screened)
    accepted = _accept(spec, candidates, seed)
    enrolled_ids = candidates.index[accepted.to_numpy()][:need]
    enrolled = candidates.loc[enrolled_ids].drop(columns=["eligible", "reason"])
    parameters = pd.concat(parameter_tables).loc[enrolled_ids]
    info: dict[str, Any] = {
        "candidates": len(candidates),
        "eligible": int(candidates["eligible"].sum()),
        "accepted": int(accepted.sum()),
        "enrolled": len(enrolled),
        "requested": need,
        "screen_failures": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        "targets": _match_report(spec, candidates[candidates["eligible"]], enrolled),
    }
    return enrolled, parameters, info


def _screening_rows_all(
    spec: TrialSpec,
    patients: pd.DataFrame,
    frames: Mapping[int, pd.DataFrame],
    status: pd.DataFrame,
    enrolment_day: float,
    run_options: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Each candidate's screening visit and verdict, in chunks over the pool when it pays."""
    pool: Executor | None = run_options.get("executor")
    if pool is None or len(patients) < OBSERVE_IN_PROCESS_BELOW:
        return _screening_rows(spec, patients, frames, status, enrolment_day)
    futures = [
        pool.submit(
            _screening_rows,
            spec,
            chunk,
            {int(pid): frames[int(pid)] for pid in chunk.index if int(pid) in frames},
            status.loc[chunk.index],
            enrolment_day,
        )
        for chunk in _chunks(patients, int(run_options.get("workers") or 1))
    ]
    return [row for future in futures for row in future.result()]


def _chunks(table: pd.DataFrame, workers: int) -> list[pd.DataFrame]:
    """About four chunks of rows per worker (balance against shipping cost)."""
    size = math.ceil(len(table) / (4 * max(1, workers)))
    return [table.iloc[start : start + size] for start in range(0, len(table), size)]


def _screening_rows(
    spec: TrialSpec,
    patients: pd.DataFrame,
    frames: Mapping[int, pd.DataFrame],
    status: pd.DataFrame,
    enrolment_day: float,
) -> list[dict[str, Any]]:
    """Screening readouts (as baseline_*) and eligibility with the first failed criterion."""
    disease = get_disease(spec.disease)
    criteria = [Expression(c) for c in spec.screening.criteria]
    exclusions = [Expression(c) for c in spec.screening.exclusion]
    rows = []
    for pid, patient in _records(patients):
        row: dict[str, Any] = {"eligible": False, "reason": ""}
        if not bool(status.loc[pid, "ok"]):
            row["reason"] = "solver failure: " + str(status.loc[pid, "reason"])
        else:
            rng = patient_rng(spec.seed, int(pid), OBSERVATION_STREAM)
            history = frames[int(pid)].loc[:enrolment_day]
            with_demographics(history, float(patient["age"]), str(patient["sex"]))
            readouts = disease.readouts(history, rng)
            row.update({f"baseline_{k}": v for k, v in readouts.items()})
            values = {**covariate_values(patient), **readouts}
            failed = [c.text for c in criteria if c(values) != 1.0]
            excluded = [c.text for c in exclusions if c(values) == 1.0]
            if failed:
                row["reason"] = f"not {failed[0]}"
            elif excluded:
                row["reason"] = f"excluded: {excluded[0]}"
            else:
                row["eligible"] = True
        rows.append(row)
    return rows


def _accept(spec: TrialSpec, candidates: pd.DataFrame, seed: int) -> pd.Series:
    """Eligible candidates accepted by acceptance-rejection towards the baseline targets.

    Allen, Rieger & Musante (CPT Pharmacometrics Syst Pharmacol 2016): accept a
    plausible patient with probability proportional to target density over the
    density of plausible patients (a Gaussian kernel estimate), one readout at a
    time multiplied (the targets are treated as independent). The scale is set so
    the 95th percentile of the ratio accepts with certainty; each patient's uniform
    comes from its own stream, so acceptance does not depend on the batches.
    """
    eligible = candidates["eligible"].astype(bool)
    if not spec.screening.targets or eligible.sum() < 5:
        return eligible
    from scipy.stats import gaussian_kde, norm

    pool = candidates[eligible]
    ratio = pd.Series(1.0, index=pool.index)
    for target in spec.screening.targets:
        # check_names made sure the column exists.
        column = f"baseline_{target.readout}"
        x = pool[column].astype(float).to_numpy()
        spread = float(np.std(x))
        if spread == 0:
            continue
        density = gaussian_kde(x)(x)
        ratio *= norm.pdf(x, target.mean, target.sd) / np.maximum(density, 1e-12)
    scale = float(np.quantile(ratio, 0.95)) or 1.0
    probability = np.minimum(1.0, ratio / scale)
    uniforms = np.array([patient_rng(seed, int(pid), MATCH_STREAM).random() for pid in pool.index])
    accepted = pd.Series(False, index=candidates.index)
    accepted.loc[pool.index] = uniforms < probability
    return accepted


def _match_report(
    spec: TrialSpec, eligible: pd.DataFrame, enrolled: pd.DataFrame
) -> list[dict[str, Any]]:
    report = []
    for target in spec.screening.targets:
        column = f"baseline_{target.readout}"
        x = enrolled[column].astype(float) if column in enrolled else pd.Series(dtype=float)
        e = eligible[column].astype(float) if column in eligible else pd.Series(dtype=float)
        report.append(
            {
                "readout": target.readout,
                "target_mean": target.mean,
                "target_sd": target.sd,
                "eligible_mean": float(e.mean()) if len(e) else None,
                "eligible_sd": float(e.std()) if len(e) > 1 else None,
                "enrolled_mean": float(x.mean()) if len(x) else None,
                "enrolled_sd": float(x.std()) if len(x) > 1 else None,
            }
        )
    return report


def _randomise(spec: TrialSpec, enrolled: pd.DataFrame) -> pd.Series:
    """Permuted blocks within strata, in enrolment (id) order."""
    rng = np.random.default_rng(
        np.random.SeedSequence(spec.seed, spawn_key=(RANDOMISATION_STREAM,))
    )
    block: list[str] = []
    for arm in spec.arms:
        block.extend([arm.name] * arm.ratio)
    block = block * spec.randomisation.blocks
    strata_expressions = [
        None if s == "sex" else Expression(s) for s in spec.randomisation.stratify
    ]
    queues: dict[tuple, list[str]] = {}
    arms = {}
    for pid, row in _records(enrolled):
        values = {
            **covariate_values(row),
            **{k.removeprefix("baseline_"): v for k, v in row.items() if k.startswith("baseline_")},
        }
        key = tuple(row["sex"] if e is None else e(values) for e in strata_expressions)
        queue = queues.setdefault(key, [])
        if not queue:
            queue.extend(rng.permutation(block).tolist())
        arms[pid] = queue.pop(0)
    return pd.Series(arms, name="arm")


def _observe(
    spec: TrialSpec,
    disease: Disease,
    enrolled: pd.DataFrame,
    frames: Mapping[int, pd.DataFrame],
    ok: pd.Series,
    enrolment_day: float,
    applied: Mapping[int, Applied] | None = None,
    close_week: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Readouts at every visit, drop-out, rescue and adjustments; returns (patients, visits).

    ``applied`` holds each patient's adjustments already simulated; the patient's
    ``next_adjustment`` is the first later visit where a rule fires (None if none).
    ``close_week`` is the trial's close in weeks after the first entry: a patient
    who entered at ``entry_week`` is seen at visits up to ``close_week - entry_week``.
    """
    seed = spec.seed
    applied = applied or {}
    rescue = Expression(spec.rescue.criteria) if spec.rescue else None
    rules = [(a, Expression(a.criteria)) for a in spec.adjustments]
    rate = spec.dropout.rate_per_year
    rows = []
    patient_rows = []
    for pid, patient in _records(enrolled):
        pid = int(pid)
        source = _source_id(pid)
        dropout_rng = patient_rng(seed, source, DROPOUT_STREAM)
        draw = dropout_rng.exponential()  # always drawn: common random numbers across arms
        dropout_week = draw / rate * 52.1775 if rate > 0 else math.inf
        entry_week = _entry_week(spec, pid)
        # An entry at or after an event-driven close gets no follow-up, not a negative one.
        censor_week = math.inf if close_week is None else max(0.0, close_week - entry_week)
        done = list(applied.get(pid, ()))
        # Adjustments simulated after the trial closed for this patient are unseen.
        seen_done = [w for _, w in done if w <= censor_week]
        info: dict[str, Any] = {
            "dropout_week": dropout_week,
            "entry_week": entry_week,
            "admin_censor_week": censor_week,
            "rescue_week": math.nan,
            "adjustments": len(seen_done),
            "first_adjustment_week": seen_done[0] if seen_done else math.nan,
            "next_adjustment": None,
        }
        covariates = covariate_values(patient)
        if not bool(ok.loc[pid]):
            patient_rows.append(info)
            for week in spec.visits.weeks:
                rows.append({"patient_id": pid, "arm": patient["arm"], "week": week, "seen": False})
            continue
        demographics = (float(patient["age"]), str(patient["sex"]))
        frame = frames[pid]
        times = frame.index.to_numpy()
        rng = patient_rng(seed, source, OBSERVATION_STREAM)
        harm_rng = patient_rng(seed, source, HARM_READOUT_STREAM)
        observed: list[dict[str, Any]] = []
        for week in spec.visits.weeks:
            day = enrolment_day + 7.0 * week
            last = int(np.searchsorted(times, day + 1e-9))
            readouts = disease.readouts(with_demographics(frame.iloc[:last], *demographics), rng)
            if spec.harms.infections:
                from immunetwin.drugs.harms import harm_readouts

                # From the last output before randomisation: the harm readouts need an
                # interval even at week 0 (no exposures come before randomisation).
                first = max(0, int(np.searchsorted(times, enrolment_day - 1e-9)) - 1)
                readouts.update(harm_readouts(frame.iloc[first:last], harm_rng))
            observed.append(readouts)
        death_week = math.inf
        if disease.mortality is not None:
            death_week = _add_death(
                disease, observed, spec.visits.weeks, patient, enrolment_day, seed, source
            )
            info["death_week"] = death_week
        baseline: dict[str, Any] = {}
        rescued = False
        last_adjusted = done[-1][1] if done else 0.0
        counts = [sum(1 for i, _ in done if i == k) for k in range(len(rules))]
        for week, readouts in zip(spec.visits.weeks, observed, strict=True):
            if week == 0:
                baseline = readouts
            responses = disease.responses(baseline, readouts) if disease.responses else {}
            values = {
                **covariates,
                **{f"baseline_{k}": v for k, v in baseline.items()},
                **readouts,
                **responses,
            }
            # A visit after death is not seen (responders: non-response; time to event:
            # follow-up ends at death unless the endpoint counts it).
            seen = week < dropout_week and week <= death_week and week <= censor_week
            if (
                rescue is not None
                and seen
                and not rescued
                and week > 0
                and week >= spec.rescue.from_week  # type: ignore[union-attr]
                and rescue(values) == 1.0
            ):
                rescued = True
                info["rescue_week"] = week
            if seen and not rescued and info["next_adjustment"] is None and week > last_adjusted:
                for k, (rule, criteria) in enumerate(rules):
                    if (
                        counts[k] < rule.max_per_patient
                        and rule.applies(str(patient["arm"]), week)
                        and criteria(values) == 1.0
                    ):
                        info["next_adjustment"] = (k, float(week))
                        break
            rows.append(
                {
                    "patient_id": pid,
                    "arm": patient["arm"],
                    "week": week,
                    "seen": seen,
                    "rescued": rescued,
                    "adjustments": sum(1 for _, w in done if w <= week),
                    **readouts,
                    **responses,
                }
            )
        patient_rows.append(info)
    patients = enrolled.join(pd.DataFrame(patient_rows, index=enrolled.index))
    visits = pd.DataFrame(rows)
    return patients, visits


def _entry_week(spec: TrialSpec, patient_id: int) -> float:
    """The patient's entry, in weeks after the first entry (uniform over the accrual)."""
    draw = patient_rng(spec.seed, _source_id(patient_id), ENTRY_STREAM).uniform()
    return float(draw * spec.enrolment.accrual_weeks)


def _event_close_week(
    spec: TrialSpec, patients: pd.DataFrame, visits: pd.DataFrame, enrolment_day: float
) -> tuple[float | None, int]:
    """The end of the day of the ``close_after_events``-th event, in weeks after the first entry.

    Events count as the analysis sees them (before drop-out or death, after
    randomisation), placed on the calendar at the patient's entry plus the time to
    event. Returns (close week, events by then); (None, all events) when the trial
    never reaches the count and closes with the last patient's last visit. The count
    by the close can exceed the target when events share the day.
    """
    from immunetwin.trials.analysis import endpoint_values

    endpoint = spec.close_endpoint
    target = spec.enrolment.close_after_events
    assert endpoint is not None and target is not None
    data = endpoint_values(spec, endpoint, patients, visits, enrolment_day)
    data = data[~data["prior_event"] & data["event"].eq(True)]
    entries = patients["entry_week"].reindex(data.index).to_numpy(dtype=float)
    calendar_days = np.sort(7.0 * entries + data["duration"].to_numpy(dtype=float))
    if len(calendar_days) < target:
        return None, len(calendar_days)
    # The data cut-off is the end of the day of that event: events on the same day count.
    close_day = math.floor(calendar_days[target - 1]) + 1.0
    return close_day / 7.0, int(np.sum(calendar_days <= close_day))


def _add_death(
    disease: Disease,
    observed: list[dict[str, Any]],
    weeks: Sequence[float],
    patient: Mapping[str, Any],
    enrolment_day: float,
    seed: int,
    patient_id: int,
) -> float:
    """Draw the patient's death from the disease's model; returns the death week (inf).

    Adds to every visit's readouts ``death_day`` (model timeline), ``death_cause`` and,
    for each event readout ``X_day``, the composite ``X_or_death_day`` (the earlier of
    the two). As the other event days, they are NaN (cause "") at visits before the
    death: a visit knows only the history up to it.
    """
    assert disease.mortality is not None
    days = 7.0 * np.asarray(weeks, dtype=float)
    visits = pd.DataFrame(observed, index=pd.Index(days, name="day"))
    since, cause = disease.mortality(
        visits,
        float(patient["age"]),
        str(patient["sex"]),
        patient_rng(seed, patient_id, DEATH_STREAM),
    )
    death_day = enrolment_day + since if math.isfinite(since) else math.nan
    events = event_days(observed[0])
    for day, readouts in zip(enrolment_day + days, observed, strict=True):
        died = death_day <= day  # False for NaN
        readouts["death_day"] = death_day if died else math.nan
        readouts["death_cause"] = cause if died else ""
        for name in events:
            times = [t for t in (float(readouts[name]), readouts["death_day"]) if math.isfinite(t)]
            readouts[or_death_name(name)] = min(times, default=math.nan)
    return since / 7.0 if math.isfinite(since) else math.inf


OBSERVE_IN_PROCESS_BELOW = 400  # patients: fewer are observed faster than shipped to workers


def _observe_all(
    spec: TrialSpec,
    disease: Disease,
    enrolled: pd.DataFrame,
    frames: Mapping[int, pd.DataFrame],
    enrolment_day: float,
    pool: Executor | None,
    workers: int,
    applied: Mapping[int, Applied],
    close_week: float | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Readouts of every enrolled patient, in chunks over the pool when it pays.

    Observation is pure per patient (its random streams are keyed by patient id), so
    chunking changes nothing in the result. At 10,000 patients on 16 workers it was
    15% of the trial's wall time when done in the main process alone.
    """
    if pool is None or len(enrolled) < OBSERVE_IN_PROCESS_BELOW:
        return _observe(
            spec, disease, enrolled, frames, enrolled["ok"], enrolment_day, applied, close_week
        )
    futures = [
        pool.submit(
            _observe_chunk,
            spec,
            chunk,
            {int(pid): frames[int(pid)] for pid in chunk.index if int(pid) in frames},
            enrolment_day,
            {int(pid): applied[int(pid)] for pid in chunk.index if int(pid) in applied},
            close_week,
        )
        for chunk in _chunks(enrolled, workers)
    ]
    parts = [f.result() for f in futures]
    patients = pd.concat([p for p, _ in parts])
    visits = pd.concat([v for _, v in parts], ignore_index=True)
    return patients, visits


def _observe_chunk(
    spec: TrialSpec,
    enrolled: pd.DataFrame,
    frames: Mapping[int, pd.DataFrame],
    enrolment_day: float,
    applied: Mapping[int, Applied],
    close_week: float | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One chunk's observation in a worker (the disease is looked up there by name)."""
    disease = get_disease(spec.disease)
    return _observe(
        spec, disease, enrolled, frames, enrolled["ok"], enrolment_day, applied, close_week
    )


def check_trial(
    spec: TrialSpec, parameters: Mapping[str, float] | None = None
) -> tuple[Model, dict[str, float]]:
    """Everything :func:`run_trial` checks before it simulates anything.

    Returns:
        The trial's model and the parameters set in every patient: the calibrated
        potencies (one parameter set per drug in every trial), then ``parameters``.

    Raises:
        SpecError: For an unknown disease, regimen, parameter, or an expression that
            reads a name it cannot (:mod:`immunetwin.trials.names`).
    """
    disease = get_disease(spec.disease)
    _check_regimens(spec)
    model = trial_model(spec)
    check_names(spec, disease, model)
    from immunetwin.trials.calibration import calibrated_parameters

    # The calibrated potencies, unless the caller sets them (as the calibration does).
    overrides = {**calibrated_parameters(spec), **(parameters or {})}
    for name in overrides:
        if model.kind_of(name) != "parameter":
            raise SpecError(f"unknown parameter {name!r}: not a parameter of the trial's model")
    return model, overrides


def run_trial(
    spec: TrialSpec,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    out_dir: str | Path | None = None,
    progress: bool = False,
    parameters: Mapping[str, float] | None = None,
) -> TrialResult:
    """Simulate and analyse a trial.

    Args:
        spec: The validated specification (:func:`immunetwin.trials.load_spec`).
        workers: Local worker processes (default all cores).
        executor: Any ``concurrent.futures.Executor`` instead (e.g. Dask's).
        out_dir: Stream simulations here (resumable); :func:`write_trial` writes
            the results there too.
        progress: Show progress bars.
        parameters: Values set in every patient (e.g. a drug's potency while
            calibrating), overriding the declared ones.

    Raises:
        SpecError: For an unknown disease, drug, readout or parameter, or an
            expression that reads a name it cannot (:mod:`immunetwin.trials.names`).
    """
    clock = {"start": time.perf_counter()}
    disease = get_disease(spec.disease)
    model, overrides = check_trial(spec, parameters)
    out_path = Path(out_dir) if out_dir is not None else None
    # One local pool for screening and treatment: each worker compiles the model once.
    from immunetwin.population import _default_workers, local_executor

    n_workers = workers or _default_workers()
    own_pool = executor is None and n_workers > 1
    pool = local_executor(n_workers) if own_pool else executor
    try:
        return _run(spec, disease, model, pool, n_workers, out_path, progress, clock, overrides)
    finally:
        if own_pool and pool is not None:
            pool.shutdown()


def _run(
    spec: TrialSpec,
    disease: Disease,
    model: Model,
    pool: Executor | None,
    workers: int,
    out_path: Path | None,
    progress: bool,
    clock: dict[str, float],
    overrides: Mapping[str, float],
) -> TrialResult:
    from immunetwin.trials.analysis import analyse

    enrolment_day = spec.screening.history_days or disease.enrolment_day
    run_options: dict[str, Any] = {"workers": workers, "executor": pool, "progress": progress}
    enrolled, parameters, screening = _screen(
        spec, disease, model, enrolment_day, run_options, out_path, overrides
    )
    for name, value in overrides.items():
        parameters[name] = value
    clock["screening"] = time.perf_counter()
    if len(enrolled) < 2:
        raise SpecError(
            f"only {len(enrolled)} of {screening['candidates']} candidates met the criteria: "
            "relax screening.criteria or raise screening.max_candidates_per_patient"
        )
    if spec.randomisation.every_arm:
        enrolled, parameters = _twins(spec, enrolled, parameters)
    else:
        enrolled["arm"] = _randomise(spec, enrolled)
    screening["design"] = "every arm" if spec.randomisation.every_arm else "parallel"
    arm_of = dict(zip(enrolled.index.tolist(), enrolled["arm"].astype(str).tolist(), strict=True))
    end_day = enrolment_day + 7.0 * spec.visits.end_week
    visit_days = enrolment_day + 7.0 * np.array(spec.visits.weeks)
    outputs = _trial_outputs(spec, disease)
    extra = visit_days
    if spec.harms.infections:
        # Infection episodes last days: the harm readouts need daily outputs on study.
        extra = np.union1d(visit_days, np.arange(enrolment_day, end_day, 1.0))
    times = _output_times(disease, end_day, extra)
    schedules = _schedules(spec, disease, enrolled, enrolment_day, arm_of, spec.seed)
    result = run_population(
        model,
        parameters,
        until=end_day,
        outputs=outputs,
        output_times=times,
        schedules=schedules,
        seed=spec.seed,
        out_dir=None if out_path is None else out_path / "treatment",
        **run_options,
    )
    clock["treatment"] = time.perf_counter()
    enrolled["ok"] = result.status["ok"].reindex(enrolled.index).to_numpy()
    enrolled["reason"] = result.status["reason"].reindex(enrolled.index).to_numpy()
    frames = _trajectory_frames(result, outputs, enrolment_day)
    applied: dict[int, list[tuple[int, float]]] = {}
    close_week = spec.enrolment.close_week
    patients, visits = _observe_all(
        spec, disease, enrolled, frames, enrolment_day, pool, workers, applied, close_week
    )
    # Adjustments: each round re-simulates the patients whose next visit-triggered
    # therapy change was found; their history up to that visit is unchanged (same
    # parameters, triggers and doses), so only what follows moves. A round adds at
    # most one change per patient.
    base_schedules = dict(zip(enrolled.index.astype(int), schedules, strict=True))
    for round_number in range(1, sum(a.max_per_patient for a in spec.adjustments) + 1):
        due = patients["next_adjustment"].dropna()
        if due.empty:
            break
        ids = [int(pid) for pid in due.index]
        for pid, adjustment in zip(ids, due.tolist(), strict=True):
            applied.setdefault(pid, []).append(adjustment)
        rows = dict(_records(enrolled.loc[ids]))
        rerun = run_population(
            model,
            parameters.loc[ids],
            until=end_day,
            outputs=outputs,
            output_times=times,
            schedules=[
                Schedule(
                    _adjusted_changes(
                        spec,
                        base_schedules[pid].changes,
                        rows[pid],
                        pid,
                        applied[pid],
                        enrolment_day,
                    )
                )
                for pid in ids
            ],
            seed=spec.seed,
            out_dir=None if out_path is None else out_path / "adjustments" / str(round_number),
            **run_options,
        )
        frames.update(_trajectory_frames(rerun, outputs, enrolment_day))
        for column in ("ok", "reason"):
            enrolled.loc[ids, column] = rerun.status[column].reindex(ids).to_numpy()
        patients, visits = _observe_all(
            spec, disease, enrolled, frames, enrolment_day, pool, workers, applied, close_week
        )
    close: dict[str, Any] = {"accrual_weeks": spec.enrolment.accrual_weeks}
    if spec.enrolment.close_after_events is not None:
        # An event-driven close is known only once every patient's events are: observe
        # again with it (observation is pure; adjustments after the close are unseen).
        close_week, events = _event_close_week(spec, patients, visits, enrolment_day)
        close["events_at_close"] = events
        close["closed_by"] = "schedule" if close_week is None else "events"
        patients, visits = _observe_all(
            spec, disease, enrolled, frames, enrolment_day, pool, workers, applied, close_week
        )
    elif close_week is not None:
        close["closed_by"] = "date"
    else:
        close["closed_by"] = "schedule"
    close["close_week"] = close_week
    patients = patients.drop(columns="next_adjustment")
    clock["observation"] = time.perf_counter()  # with any adjustment rounds
    endpoints, comparisons = analyse(spec, patients, visits, enrolment_day)
    clock["analysis"] = time.perf_counter()
    seconds = {
        "screening": clock["screening"] - clock["start"],
        "treatment": clock["treatment"] - clock["screening"],
        "observation": clock["observation"] - clock["treatment"],
        "analysis": clock["analysis"] - clock["observation"],
        "total": clock["analysis"] - clock["start"],
    }
    screening["enrolment_day"] = enrolment_day
    if spec.enrolment.staggered:
        screening["close"] = close
    return TrialResult(spec, patients, visits, endpoints, comparisons, screening, seconds)


def endpoint_week(spec: TrialSpec, endpoint: Endpoint) -> float:
    """The endpoint's week (default the end of the randomised period)."""
    return spec.endpoint_week(endpoint)
