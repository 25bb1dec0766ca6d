"""Monogenic syndromes: defects as diseases, autoimmunity and deficiency read together."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin.diseases import ALPS, APS1, CVID, IPEX, disease_model
from immunetwin.diseases.monogenic import (
    HEALTHY_LYMPHOCYTES,
    INFECTION_LOAD,
    OUTPUTS,
    exposure_schedule,
    infection_episodes,
    monogenic_readouts,
)
from immunetwin.diseases.population import OBSERVATION_STREAM, sample_disease_patients
from immunetwin.immune import DEFECTS
from immunetwin.population import patient_rng, run_population

N = 12  # patients per syndrome: each simulates a daily grid over a year of exposures


def _population(disease, seed):
    model = disease_model(disease)
    patients, parameters = sample_disease_patients(disease, N, seed, model=model)
    start, days = disease.history_days, 365.0
    times = np.union1d(np.arange(0.0, start, 28.0), np.arange(start, start + days + 1, 1.0))
    run = run_population(
        model,
        parameters,
        until=float(times[-1]),
        outputs=list(disease.outputs),
        output_times=times,
        schedules=lambda pid, rng: exposure_schedule(pid, rng, start, days),
        seed=seed,
        workers=1,
    )
    assert run.n_failed == 0
    rows = []
    for pid in patients.index:
        frame = run.trajectories.sel(patient_id=pid).to_dataframe()[list(disease.outputs)]
        rows.append(disease.readouts(frame, patient_rng(seed, int(pid), OBSERVATION_STREAM)))
    return patients.join(pd.DataFrame(rows, index=patients.index))


@pytest.mark.parametrize(
    ("disease", "defect"), [(ALPS, "alps"), (APS1, "aps1"), (IPEX, "ipex"), (CVID, "cvid")]
)
def test_each_syndrome_uses_its_named_defect(disease, defect):
    medians = disease.medians()
    for parameter, value in DEFECTS[defect].changes.items():
        assert medians[parameter] == value


def test_exposure_schedule_is_reproducible_and_inside_the_window():
    a = exposure_schedule(3, np.random.default_rng(5), 100.0, 730.0)
    b = exposure_schedule(3, np.random.default_rng(5), 100.0, 730.0)
    assert a == b
    adds = [c for c in a.changes if c.op == "add"]
    assert adds and all(100.0 <= c.time <= 830.0 for c in adds)
    bacterial = [c for c in adds if c.target == "bacteria"]
    antibiotics = [c for c in a.changes if c.op == "multiply"]
    assert len(antibiotics) == len(bacterial)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=40))
def test_episode_count_is_the_number_of_infected_runs(flags):
    load = np.where(flags, 10 * INFECTION_LOAD, 0.0)
    frame = pd.DataFrame(
        {"lab_bacterial_load": load, "lab_viral_load": np.zeros(len(flags))},
        index=np.arange(len(flags), dtype=float),
    )
    count, first = infection_episodes(frame)
    runs = sum(1 for i, f in enumerate(flags) if f and (i == 0 or not flags[i - 1]))
    assert count == runs
    assert (math.isnan(first) and runs == 0) or first == float(flags.index(True))


def test_readouts_draw_a_fixed_number_of_randoms():
    row = {name: 1.0 for name in OUTPUTS}
    row.update({f: 100.0 for f in OUTPUTS if f.endswith("_function")})
    frames = [pd.DataFrame([row], index=[0.0]), pd.DataFrame([row, row], index=[0.0, 1.0])]
    frames[1].loc[1.0, "lab_bacterial_load"] = 1e8
    states = []
    for frame in frames:
        rng = np.random.default_rng(9)
        monogenic_readouts(frame, rng)
        states.append(rng.random())
    assert states[0] == states[1]


@pytest.fixture(scope="module")
def alps():
    return _population(ALPS, 41)


@pytest.fixture(scope="module")
def cvid():
    return _population(CVID, 42)


@pytest.fixture(scope="module")
def aps1():
    return _population(APS1, 43)


@pytest.fixture(scope="module")
def ipex():
    return _population(IPEX, 44)


def test_alps_lymphoproliferation_and_cytopenia(alps):
    print(
        f"\nALPS: lymphoproliferation {alps['lymphoproliferation'].mean():.0%} (defining, "
        f"~100%), thrombocytopenia {alps['thrombocytopenia'].mean():.0%}, ANA+ "
        f"{alps['ana_positive'].mean():.0%}; autoimmune cytopenias in ~70% (Price et al. "
        f"Blood 2014); median lymphocytes {alps['lymphocytes'].median():.0f}/uL "
        f"(healthy model {HEALTHY_LYMPHOCYTES:.0f})"
    )
    assert alps["lymphoproliferation"].mean() >= 0.5
    assert alps["cytopenia"].mean() >= 0.5
    assert not alps["igg_low"].any()


def test_cvid_low_igg_and_infections(cvid, alps):
    print(
        f"\nCVID: median IgG {cvid['igg'].median():.1f} g/L (diagnostic < 4.5-7), IgG low "
        f"{cvid['igg_low'].mean():.0%}; infection episodes/year mean "
        f"{cvid['infection_episodes'].mean():.1f} vs ALPS {alps['infection_episodes'].mean():.1f}"
    )
    assert cvid["igg_low"].all()
    assert cvid["igg"].median() < 4.5
    assert cvid["immune_deficiency"].all()
    assert cvid["infection_episodes"].mean() > alps["infection_episodes"].mean()


def test_aps1_endocrine_autoimmunity_and_viral_susceptibility(aps1, cvid):
    print(
        f"\nAPS-1: organs affected median {aps1['organs_affected'].median():.0f}, diabetes "
        f"{aps1['diabetes'].mean():.0%} (published ~10-20%), hypothyroidism "
        f"{aps1['hypothyroidism'].mean():.0%} (~10-35%), enteropathy "
        f"{aps1['enteropathy'].mean():.0%} (29.7%, Garelli et al. 2021); adrenal and "
        "parathyroid not modelled"
    )
    assert (aps1["organs_affected"] >= 1).mean() >= 0.8
    # Diabetes is a minor APS-1 manifestation (~10-20%): at 12 patients two binomial SEs
    # above 20% allow up to ~43%. With the first judgment of the islets' AIRE dependence
    # (0.9) three quarters of the patients became diabetic.
    assert aps1["diabetes"].mean() <= 0.43
    assert not aps1["igg_low"].any()
    # Spared organs with little AIRE dependence.
    assert (aps1["cns_function"] > 90.0).all()


def test_ipex_early_enteropathy(ipex):
    print(
        f"\nIPEX: enteropathy {ipex['enteropathy'].mean():.0%} (~100% published), diabetes "
        f"{ipex['diabetes'].mean():.0%} (~50-70%), organs affected median "
        f"{ipex['organs_affected'].median():.0f}"
    )
    assert ipex["enteropathy"].mean() >= 0.8
    assert (ipex["organs_affected"] >= 2).mean() >= 0.8


def test_healthy_lymphocyte_reference_matches_the_model():
    from immunetwin import Simulator
    from immunetwin.immune import build_immune_model

    frame = Simulator(build_immune_model()).simulate(
        until=30.0, outputs=["lab_lymphocytes"], output_times=[30.0]
    )
    assert frame["lab_lymphocytes"].iloc[-1] == pytest.approx(HEALTHY_LYMPHOCYTES, rel=0.01)
