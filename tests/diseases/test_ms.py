"""Relapsing-remitting MS: AFFIRM placebo relapses and progression in 60 virtual patients.

Figures (simulated vs published) are printed; run with ``-s`` to see them.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin import Simulator
from immunetwin.diseases import DISEASES, MS, disease_model
from immunetwin.diseases.ms import (
    CDP_CONFIRMATION_DAYS,
    ENROLMENT_DAY,
    RELAPSE_LOSS_THRESHOLD,
    make_ms_readouts,
    ms_responses,
    ms_trigger_schedule,
    relapse_onsets,
)
from immunetwin.diseases.population import OBSERVATION_STREAM, sample_disease_patients
from immunetwin.population import SCHEDULE_STREAM, patient_rng

N = 60
SEED = 31
END = ENROLMENT_DAY + 2 * 365.0
TIMES = np.arange(0.0, END + 1.0, 7.0)


def _simulate(changes: dict[str, float] | None = None, n: int = N) -> dict[int, pd.DataFrame]:
    model = disease_model(MS)
    simulator = Simulator(model)
    _, parameters = sample_disease_patients(MS, n, SEED, model=model)
    out = {}
    for pid in parameters.index:
        values = {k: float(v) for k, v in parameters.loc[pid].items()}
        for name, factor in (changes or {}).items():
            values[name] = factor * values.get(name, model.parameter_values()[name])
        schedule = ms_trigger_schedule(
            int(pid), patient_rng(SEED, int(pid), SCHEDULE_STREAM), 0.0, END
        )
        out[int(pid)] = simulator.simulate(
            until=END,
            outputs=list(MS.outputs),
            output_times=TIMES,
            parameters=values,
            schedule=schedule,
        )
    return out


def _visit(trajectory: pd.DataFrame, pid: int, day: float) -> dict[str, float]:
    # The generator is recreated per visit, as the trial engine does for a patient.
    return MS.readouts(trajectory.loc[:day], patient_rng(SEED, pid, OBSERVATION_STREAM))


def _affirm(trajectories: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """AFFIRM entry (>=1 relapse in the prior year, EDSS 0-5) and 2-year outcomes."""
    rows = {}
    for pid, trajectory in trajectories.items():
        baseline = _visit(trajectory, pid, ENROLMENT_DAY)
        end = _visit(trajectory, pid, END)
        rows[pid] = {
            "eligible": baseline["relapses_past_year"] >= 1 and baseline["edss"] <= 5.0,
            "baseline_edss": baseline["edss"],
            **ms_responses(baseline, end),
            "progressed": not math.isnan(end["cdp_day"]),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


@pytest.fixture(scope="module")
def placebo() -> dict[int, pd.DataFrame]:
    return _simulate()


def test_ms_is_registered_and_validates():
    assert DISEASES["ms"] is MS
    MS.validate(disease_model(MS))
    assert MS.enrolment_day == ENROLMENT_DAY < MS.follow_up_days


def test_affirm_placebo_relapse_rate_and_progression(placebo, trials_csv):
    row = trials_csv[(trials_csv["trial"] == "AFFIRM") & (trials_csv["arm"] == "placebo")].iloc[0]
    arr_published, cdp_published = (float(x) for x in row["result"].split("/"))
    trial = _affirm(placebo)
    enrolled = trial[trial["eligible"]]
    n = len(enrolled)
    rates = enrolled["relapses_on_study"] / 2.0
    arr = float(rates.mean())
    cdp = float(enrolled["progressed"].mean())
    print(
        f"\nAFFIRM placebo, {n} of {len(trial)} eligible: ARR {arr:.2f} (published "
        f"{arr_published:g}); 12-week CDP at 2 years {cdp:.0%} (published {cdp_published:g}%); "
        f"baseline EDSS {enrolled['baseline_edss'].mean():.1f} (published 2.3)"
    )
    assert n >= 15
    # Tolerances: 2.5 standard errors of the simulated mean (overdispersed relapse
    # counts: the sample SD of per-patient rates) and of the simulated proportion.
    arr_se = float(rates.std(ddof=1)) / math.sqrt(n)
    assert abs(arr - arr_published) <= 2.5 * arr_se
    cdp_se = math.sqrt(cdp_published / 100 * (1 - cdp_published / 100) / n)
    assert abs(cdp - cdp_published / 100) <= 2.5 * cdp_se
    # AFFIRM entry EDSS 0-5 with mean 2.3: the simulated mean within one EDSS point.
    assert abs(enrolled["baseline_edss"].mean() - 2.3) <= 1.0


def test_relapses_regress_to_the_mean_after_selection(placebo):
    """Entry after a relapse selects active patients; they relapse less on study."""
    trial = _affirm(placebo)
    enrolled = trial[trial["eligible"]]
    before = np.mean(
        [_visit(placebo[p], p, ENROLMENT_DAY)["relapses_past_year"] for p in enrolled.index]
    )
    after = enrolled["relapses_on_study"].mean() / 2.0
    print(f"\nrelapses per year: year before entry {before:.2f}, on study {after:.2f}")
    assert before >= 1.0 and after < before


def test_less_cns_injury_per_effector_means_fewer_relapses(placebo):
    """Stand-in for natalizumab's missing CNS-entry hook: 90% less injury per effector."""
    n = 30
    blocked = _simulate({"cns_t_cell_damage": 0.1}, n=n)
    count = {
        name: sum(
            _visit(tr, p, END)["relapses"] - _visit(tr, p, ENROLMENT_DAY)["relapses"]
            for p, tr in list(trajectories.items())[:n]
        )
        for name, trajectories in (("placebo", placebo), ("blocked", blocked))
    }
    print(f"\nrelapses on study in {n} patients: {count}")
    assert count["blocked"] <= 0.5 * count["placebo"]


# -- properties of the observation model on arbitrary trajectories -----------------------


def _trajectory(losses: list[float], step: float) -> pd.DataFrame:
    parenchyma = np.clip(1.0 - np.cumsum(losses), 0.0, 1.0)
    t = np.arange(len(losses)) * step
    return pd.DataFrame(
        {
            "cns_parenchyma": parenchyma,
            "cns_function": 100 * parenchyma,
            "cns_inflammation": 5.5,
            "cns_effector_t": 0.001,
            "cns_regeneration_rate": 3e-4,
        },
        index=pd.Index(t, name="time"),
    )


paths = st.tuples(
    st.lists(
        st.one_of(st.just(0.0), st.floats(0.0, 3 * RELAPSE_LOSS_THRESHOLD)),
        min_size=2,
        max_size=200,
    ),
    st.sampled_from([1.0, 3.5, 7.0]),
)


@settings(max_examples=200, deadline=None)
@given(paths)
def test_relapse_counts_never_decrease_with_time(path):
    losses, step = path
    trajectory = _trajectory(losses, step)
    counts = [len(relapse_onsets(trajectory.iloc[:end])) for end in range(1, len(losses) + 1)]
    assert all(b >= a for a, b in itertools.pairwise(counts))
    onsets = relapse_onsets(trajectory)
    assert np.all(np.diff(onsets) >= 30.0)


@settings(max_examples=60, deadline=None)
@given(paths, paths)
def test_readouts_draw_the_same_random_numbers_at_the_same_visit_day(a, b):
    states = []
    length = min(len(a[0]), len(b[0]))
    readouts = make_ms_readouts(enrolment_day=0.0)
    for losses, _ in (a, b):
        rng = np.random.default_rng(5)
        readouts(_trajectory(losses[:length], 7.0), rng)
        states.append(rng.bit_generator.state["state"]["state"])
    assert states[0] == states[1]


@settings(max_examples=60, deadline=None)
@given(paths)
def test_confirmed_progression_day_is_stable_once_confirmed(path):
    losses, _ = path
    trajectory = _trajectory(losses * 3, 7.0)
    readouts = make_ms_readouts(enrolment_day=0.0)
    first = math.nan
    for end in range(1, len(trajectory) + 1):
        r = readouts(trajectory.iloc[:end], np.random.default_rng(9))
        if not math.isnan(first):
            assert r["cdp_day"] == first
        first = r["cdp_day"]
        if not math.isnan(first):
            assert first % CDP_CONFIRMATION_DAYS == 0


def test_coarse_outputs_are_refused():
    trajectory = _trajectory([0.0, 0.0, 0.0], 30.0)
    with pytest.raises(ValueError, match="at least every 7 days"):
        MS.readouts(trajectory, np.random.default_rng(0))
