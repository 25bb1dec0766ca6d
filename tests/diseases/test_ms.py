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

from _scripts import load_example
from immunetwin import Simulator
from immunetwin.diseases import DISEASES, MS, disease_model
from immunetwin.diseases.ms import (
    CDP_CONFIRMATION_DAYS,
    ENROLMENT_DAY,
    PIRA_RELAPSE_FREE_DAYS,
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
            "relapse_independent": not math.isnan(end["pira_day"]),
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
    pira = int(enrolled["relapse_independent"].sum())
    print(
        f"\nAFFIRM placebo, {n} of {len(trial)} eligible: ARR {arr:.2f} (published "
        f"{arr_published:g}); 12-week CDP at 2 years {cdp:.0%} (published {cdp_published:g}%), "
        f"{pira} of {int(enrolled['progressed'].sum())} relapse-independent (~half: Lublin et "
        f"al. Brain 2022); baseline EDSS {enrolled['baseline_edss'].mean():.1f} (published 2.3)"
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


def test_degeneration_goes_on_without_cns_entry_and_never_regenerates():
    """The model's relapse-independent loss: scar = integral of rate x parenchyma."""
    model = disease_model(MS)
    simulator = Simulator(model)
    times = np.arange(0.0, 2 * 365.0 + 1.0, 7.0)
    outputs = ["cns_parenchyma", "cns_scar", "cns_effector_t"]
    blocked = {"lymphocyte_cns_entry": 0.0, "cns_degeneration_rate": 2e-4}
    run = simulator.simulate(
        until=times[-1], outputs=outputs, output_times=times, parameters=blocked
    )
    p, scar = run["cns_parenchyma"].to_numpy(), run["cns_scar"].to_numpy()
    integral = np.concatenate([[0.0], np.cumsum(0.5 * np.diff(times) * 2e-4 * (p[1:] + p[:-1]))])
    print(f"\nno CNS entry, 2 years: scar {scar[-1]:.4f}, integral of d*p {integral[-1]:.4f}")
    np.testing.assert_allclose(scar, integral, rtol=1e-4, atol=1e-9)
    assert np.all(np.diff(scar) > 0) and p[-1] < p[0] - 0.1
    healthy = simulator.simulate(
        until=times[-1],
        outputs=outputs,
        output_times=times,
        parameters={"cns_degeneration_rate": 0},
    )
    assert np.all(healthy["cns_scar"].to_numpy() == 0.0)


# -- properties of the observation model on arbitrary trajectories -----------------------


def _trajectory(losses: list[float], step: float, degeneration: float = 0.0) -> pd.DataFrame:
    """Immune losses per output step on top of steady degeneration (no regeneration).

    Degeneration takes ``exp(-rate * step)`` of the parenchyma per step, exactly, into scar.
    """
    t = np.arange(len(losses)) * step
    keep = math.exp(-degeneration * step)
    parenchyma, scar = np.empty(len(losses)), np.empty(len(losses))
    p, s = 1.0, 0.0
    for i, loss in enumerate(losses):
        if i:
            p, s = p * keep, s + p * (1 - keep)
        p = max(0.0, p - loss)
        parenchyma[i], scar[i] = p, s
    return pd.DataFrame(
        {
            "cns_parenchyma": parenchyma,
            "cns_scar": scar,
            "cns_function": 100 * parenchyma,
            "cns_inflammation": 5.5,
            "cns_effector_t": 0.001,
            "cns_regeneration_rate": 0.0,
            "cns_degeneration_rate": degeneration,
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
    # One generator through every visit, as the trial engine passes a patient's.
    rng = np.random.default_rng(9)
    scored_at: dict[float, float] = {}
    for end in range(1, len(trajectory) + 1):
        r = readouts(trajectory.iloc[:end], rng)
        day = float(trajectory.index[end - 1])
        if day % CDP_CONFIRMATION_DAYS == 0:
            scored_at[day] = r["edss"]
        if not math.isnan(first):
            assert r["cdp_day"] == first
        first = r["cdp_day"]
        if not math.isnan(first):
            assert first % CDP_CONFIRMATION_DAYS == 0
    # After all the visits, a past assessment still scores as its own visit scored it.
    for past, edss in scored_at.items():
        assert readouts(trajectory.loc[:past], rng)["edss"] == edss


# Immune losses in steps of 0.3 thresholds: 4-week sums stay >= 0.1 threshold away from it,
# beyond the trapezoid rule's error on the degeneration flux.
stepped = st.lists(
    st.integers(0, 8).map(lambda k: 0.3 * k * RELAPSE_LOSS_THRESHOLD), min_size=2, max_size=150
)


@settings(max_examples=100, deadline=None)
@given(stepped, st.sampled_from([1.0, 3.5, 7.0]), st.floats(1e-6, 2e-4))
def test_degeneration_adds_no_relapses(losses, step, rate):
    """Steady degeneration (4-week loss up to 1.2x the threshold) is not a relapse."""
    with_degeneration = relapse_onsets(_trajectory(losses, step, rate))
    np.testing.assert_array_equal(with_degeneration, relapse_onsets(_trajectory(losses, step)))


def test_degeneration_alone_progresses_independently_of_relapses():
    trajectory = _trajectory([0.0] * 105, 7.0, degeneration=1e-3)  # 2 years
    assert len(relapse_onsets(trajectory)) == 0
    r = make_ms_readouts(enrolment_day=0.0)(trajectory, np.random.default_rng(3))
    assert r["edss_latent"] > 2.0
    assert not math.isnan(r["cdp_day"]) and r["pira_day"] == r["cdp_day"]


@settings(max_examples=60, deadline=None)
@given(paths)
def test_relapse_independent_progression_has_no_relapse_near_it(path):
    losses, _ = path
    trajectory = _trajectory(losses * 3, 7.0, degeneration=3e-4)
    r = make_ms_readouts(enrolment_day=0.0)(trajectory, np.random.default_rng(4))
    if math.isnan(r["cdp_day"]):
        assert math.isnan(r["pira_day"])
        return
    onsets = relapse_onsets(trajectory)
    confirmed = r["cdp_day"] + CDP_CONFIRMATION_DAYS
    near = (onsets >= r["cdp_day"] - PIRA_RELAPSE_FREE_DAYS) & (onsets <= confirmed)
    assert math.isnan(r["pira_day"]) == bool(near.any())
    if not near.any():
        assert r["pira_day"] == r["cdp_day"]


def test_coarse_outputs_are_refused():
    trajectory = _trajectory([0.0, 0.0, 0.0], 30.0)
    with pytest.raises(ValueError, match="at least every 7 days"):
        MS.readouts(trajectory, np.random.default_rng(0))


def _natural_history_script():
    return load_example("examples/validation/ms_natural_history.py")


def test_natural_history_script_reproduces_the_placebo_figures(placebo):
    """examples/validation/ms_natural_history.py (the MS fit's tool) agrees with this file."""
    script = _natural_history_script()
    trial = _affirm(placebo)
    enrolled = trial[trial["eligible"]]
    figures = script.affirm_placebo(placebo, [SEED])
    assert figures["enrolled"] == len(enrolled)
    assert figures["arr"] == pytest.approx(enrolled["relapses_on_study"].mean() / 2.0)
    assert figures["cdp12"] == pytest.approx(enrolled["progressed"].mean())
    with script.observation_constants(0.5, 1.0):
        assert script.affirm_placebo(placebo, [SEED])["arr"] == 0.0  # no relapse that large
    assert figures == script.affirm_placebo(placebo, [SEED])  # constants restored
    simulated = script.simulate(2, SEED, workers=1)
    for pid, trajectory in simulated.items():
        pd.testing.assert_frame_equal(
            trajectory[list(MS.outputs)],
            placebo[pid][list(MS.outputs)],
            check_names=False,
            rtol=1e-6,
            check_index_type=False,
        )
