"""Untreated courses of virtual patients read out at enrolment and at later visits.

Stands for the placebo arm of a trial whose background therapy is stable before
enrolment (as in ARMADA, OPTION and BLISS-52): the mechanistic state carries on
unchanged and the observation model alone (noise, visit fluctuation, regression to
the mean through entry criteria, placebo expectation) moves the readouts. The trial
engine (immunetwin.trials) does the same with arms, drugs, drop-out and rescue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from immunetwin.diseases import Disease, disease_model
from immunetwin.diseases.population import OBSERVATION_STREAM, sample_disease_patients
from immunetwin.diseases.readouts import with_demographics
from immunetwin.population import patient_rng, run_population

HISTORY_GRID_DAYS = 28.0  # as the trial engine: outputs every 4 weeks before enrolment


def untreated_courses(
    disease: Disease,
    n: int,
    seed: int,
    weeks: Sequence[float],
    *,
    eligible: Callable[[Mapping[str, float]], bool] = lambda r: True,
    female_fraction: float | None = None,
) -> pd.DataFrame:
    """Readouts and responses of ``n`` candidates at each visit week (0 = enrolment).

    Returns one row per (eligible patient, week) with the readouts, the responses
    against week 0 (when the disease declares them), ``eligible`` for the patient and
    the patient's sex.
    """
    model = disease_model(disease)
    enrolment = disease.enrolment_day
    patients, parameters = sample_disease_patients(
        disease, n, seed, female_fraction=female_fraction, model=model
    )
    visit_days = enrolment + 7.0 * np.asarray(weeks, dtype=float)
    times = np.union1d(np.arange(0.0, enrolment, HISTORY_GRID_DAYS), visit_days)
    until = float(times[-1])
    triggers = disease.triggers
    run = run_population(
        model,
        parameters,
        until=until,
        outputs=list(disease.outputs),
        output_times=times,
        # The disease's natural course includes its triggers (lupus flares), as in trials.
        schedules=None if triggers is None else (lambda pid, rng: triggers(pid, rng, 0.0, until)),
        seed=seed,
        workers=1,
    )
    assert run.status["ok"].all()
    assert run.trajectories is not None
    rows = []
    for pid in patients.index:
        frame = run.trajectories.sel(patient_id=pid).to_dataframe()[list(disease.outputs)]
        # As trials do: the readouts know the patient's age and sex (the ESR reads them).
        with_demographics(frame, float(patients.at[pid, "age"]), str(patients.at[pid, "sex"]))
        rng = patient_rng(seed, int(pid), OBSERVATION_STREAM)
        baseline: dict[str, float] = {}
        for week, day in zip(weeks, visit_days, strict=True):
            readouts = disease.readouts(frame.loc[: day + 1e-9], rng)
            if week == 0:
                baseline = readouts
                if not eligible(baseline):
                    break
            responses = disease.responses(baseline, readouts) if disease.responses else {}
            rows.append(
                {
                    "patient_id": int(pid),
                    "sex": patients.at[pid, "sex"],
                    "age": float(patients.at[pid, "age"]),
                    "week": week,
                    **readouts,
                    **responses,
                }
            )
    return pd.DataFrame(rows)
