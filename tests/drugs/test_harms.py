"""Harms: exposures, serious infections against George 2020, zoster, labs, infusion reactions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin import Schedule, Simulator, StateChange
from immunetwin.drugs import regimen_schedule
from immunetwin.drugs.harms import (
    ANTIBIOTIC_COURSE_DAYS,
    INFUSION_REACTIONS,
    crs_grade,
    cytopenias,
    exposure_schedule,
    exposure_times,
    harm_output_times,
    hypogammaglobulinaemia,
    infusion_reactions,
    per_100_patient_years,
    serious_infections,
    zoster_readouts,
)
from immunetwin.drugs.pd import with_drug_effects
from immunetwin.population import patient_rng

# George et al. Ann Intern Med 2020 (trials_calibration.csv George2020): hospitalised
# infection within 1 year, % of RA patients, by prednisone dose (representative doses).
GEORGE_2020 = {0.0: 8.6, 5.0: 11.0, 7.5: 14.4, 15.0: 17.7}
LEAD_IN_DAYS = 3.0  # glucocorticoid effects on neutrophils reach ~90% in 3 days


# -- exposures (no simulation) --------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    start=st.floats(0, 500),
    days=st.floats(0, 2000),
    rate=st.floats(0, 20),
)
def test_exposures_lie_in_the_window_and_each_has_an_antibiotic_course(
    seed: int, start: float, days: float, rate: float
) -> None:
    a = exposure_schedule(0, np.random.default_rng(seed), start, days, rate_per_year=rate)
    b = exposure_schedule(0, np.random.default_rng(seed), start, days, rate_per_year=rate)
    assert a == b  # deterministic given the generator
    times = exposure_times(a)
    assert all(start <= t <= start + days for t in times)
    courses = [c for c in a.changes if c.op == "multiply"]
    assert len(courses) == len(times) * int(ANTIBIOTIC_COURSE_DAYS.value)
    assert all(c.value > 0 for c in a.changes)


def test_exposure_count_is_poisson_with_the_stated_rate() -> None:
    counts = [
        len(exposure_times(exposure_schedule(i, patient_rng(7, i), 0.0, 365.25, 2.0)))
        for i in range(2000)
    ]
    assert np.mean(counts) == pytest.approx(2.0, abs=0.1)
    assert np.var(counts) == pytest.approx(2.0, rel=0.15)


def test_serious_infection_readout_counts_episodes() -> None:
    t = np.arange(0.0, 10.0, 1.0)
    load = np.array([0, 5e4, 9e4, 0, 0, 0, 2e4, 0, 0, 0])
    frame = pd.DataFrame({"bacteria": load, "lab_crp": 100 + load / 1e3}, index=t)
    out = serious_infections(frame)
    assert out["serious_infections"] == 2
    assert out["first_serious_infection_day"] == 1.0
    assert out["peak_crp_in_serious_infection"] == pytest.approx(190.0)
    none = serious_infections(frame.assign(bacteria=load / 100))
    assert none["serious_infections"] == 0 and math.isnan(none["first_serious_infection_day"])
    assert per_100_patient_years(2, 365.25) == pytest.approx(200.0)


# -- the immune model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ra_state() -> Simulator:
    """The RA model with prednisone, started from its own inflamed steady state."""
    from immunetwin.diseases import RA, disease_model
    from immunetwin.immune.scenarios import equilibrate

    model = equilibrate(with_drug_effects(disease_model(RA), ["prednisone"]), days=200)
    return Simulator(model)


def test_escaped_infection_is_serious_and_antibiotics_end_it(ra_state: Simulator) -> None:
    """A small inoculum is cleared (not serious); a large one escapes, is counted once and
    is ended by the antibiotic course, after which CRP returns toward baseline."""
    rng = np.random.default_rng(1)
    base = exposure_schedule(0, rng, 0.0, 0.0)  # no exposures: only for the structure
    assert base.changes == ()
    outputs = ["bacteria", "lab_crp"]
    for inoculum, serious in [(100.0, 0), (3000.0, 1)]:
        schedule = Schedule((StateChange(1.0, "bacteria", "add", inoculum),)) + Schedule(
            tuple(StateChange(4.0 + k, "bacteria", "multiply", 1e-3) for k in range(7))
        )
        times = harm_output_times(40.0, schedule)
        f = ra_state.simulate(40.0, outputs=outputs, output_times=times, schedule=schedule)
        out = serious_infections(f)
        assert out["serious_infections"] == serious
        assert f["bacteria"].iloc[-1] < 1e-3
        assert f["lab_crp"].iloc[-1] < 2 * f["lab_crp"].iloc[0]


def _serious_within_a_year(sim: Simulator, dose: float, patients: int, seed: int) -> float:
    """% of patients with >= 1 serious infection in a year on ``dose`` mg prednisone daily.

    Each exposure is simulated in its own window (lead-in on the drug, then 3 days to
    antibiotics): the RA state under daily prednisone is stationary, so a window from the
    steady state stands for that day of the year. Patients share exposures across doses
    (common random numbers).
    """
    affected = 0
    for patient in range(patients):
        year = exposure_schedule(patient, patient_rng(seed, patient, 5), 0.0, 365.25)
        hit = False
        for t, change in [(c.time, c) for c in year.changes if c.op == "add"]:
            start = LEAD_IN_DAYS + (t % 1.0)  # keep the time of day of the exposure
            window = Schedule((StateChange(start, "bacteria", "add", change.value),))
            if dose:
                window += regimen_schedule([f"prednisone {dose} mg daily"], horizon_days=start + 3)
            times = harm_output_times(start + 3.0, window, step_days=0.5)
            f = sim.simulate(start + 3.0, outputs=["bacteria"], output_times=times, schedule=window)
            hit = hit or serious_infections(f)["serious_infections"] > 0
        affected += hit
    return 100.0 * affected / patients


def test_glucocorticoid_dose_dependence_of_serious_infection_reproduces_george_2020(
    ra_state: Simulator,
) -> None:
    patients = 60
    simulated = {d: _serious_within_a_year(ra_state, d, patients, 2020) for d in GEORGE_2020}
    table = pd.DataFrame({"simulated_%": simulated, "George 2020 %": GEORGE_2020})
    table.index.name = "prednisone mg/day"
    print(f"\nhospitalised infection within 1 year, {patients} RA patients per group:\n{table}")
    for dose, published in GEORGE_2020.items():
        assert abs(simulated[dose] - published) < 9.0, dose  # ~2 binomial SE at n=60
    assert simulated[15.0] >= simulated[0.0] + 3.0
    values = [simulated[d] for d in sorted(simulated)]
    assert all(b >= a for a, b in itertools.pairwise(values))  # shared exposures


def test_zoster_rises_with_jak_inhibition() -> None:
    """Zoster per 100 PY: ~1 in RA without JAK inhibitors (Smitten 2007), tofacitinib
    ~4 (Winthrop 2014: 4.4), baricitinib ~3.2 (Winthrop et al. RMD Open 2020; recalled)."""
    immune = pytest.importorskip("immunetwin.immune")
    drugs = ["tofacitinib", "baricitinib", "upadacitinib", "methotrexate", "prednisone"]
    sim = Simulator(with_drug_effects(immune.build_immune_model(), drugs))
    hooks = ["ifnar_signalling", "lymphocyte_proliferation_factor", "cytokine_production_factor"]
    published = {
        "none": 1.0,
        "tofacitinib 5 mg twice daily": 4.4,
        "baricitinib 4 mg daily": 3.2,
        "upadacitinib 15 mg daily": 3.7,
        "methotrexate 15 mg weekly": math.nan,
        "prednisone 10 mg daily": math.nan,
    }
    times = np.arange(0.0, 56.0 + 1e-9, 1.0 / 24)
    rates = {}
    for regimen in published:
        schedule = None if regimen == "none" else regimen_schedule([regimen], horizon_days=56)
        f = sim.simulate(56, outputs=hooks, output_times=times, schedule=schedule)
        steady = f.loc[28.0:]
        rates[regimen] = zoster_readouts(steady, np.random.default_rng(0))["zoster_rate_per_100py"]
    table = pd.DataFrame({"simulated /100 PY": rates, "published /100 PY": published})
    print(f"\nherpes zoster:\n{table.round(2)}")
    assert rates["none"] == pytest.approx(1.0)
    assert 3.0 < rates["tofacitinib 5 mg twice daily"] < 5.5
    assert 2.0 < rates["baricitinib 4 mg daily"] < 5.0
    assert rates["methotrexate 15 mg weekly"] < rates["tofacitinib 5 mg twice daily"]
    assert rates["prednisone 10 mg daily"] < rates["tofacitinib 5 mg twice daily"]


@settings(max_examples=30, deadline=None)
@given(level=st.floats(0.0, 1.0), days=st.floats(10.0, 2000.0), seed=st.integers(0, 1000))
def test_zoster_hazard_never_falls_with_more_suppression(
    level: float, days: float, seed: int
) -> None:
    t = np.linspace(0.0, days, 11)
    low = pd.DataFrame({"ifnar_signalling": level, "lymphocyte_proliferation_factor": 1.0}, index=t)
    high = low.assign(ifnar_signalling=level / 2)
    a = zoster_readouts(low, np.random.default_rng(seed))
    b = zoster_readouts(high, np.random.default_rng(seed))
    assert b["zoster_expected"] >= a["zoster_expected"]
    assert a["zoster_expected"] == pytest.approx(a["zoster_rate_per_100py"] / 100 * days / 365.25)


@settings(max_examples=30, deadline=None)
@given(
    ifn=st.floats(0.05, 1.0),
    days=st.floats(200.0, 3000.0),
    seed=st.integers(0, 10_000),
    visits=st.integers(2, 12),
)
def test_zoster_found_at_a_visit_stays_found(ifn: float, days: float, seed: int, visits: int):
    """A trial passes one generator through a patient's visits, each reading the history
    from randomisation up to it: a later visit keeps every event and the first day."""
    t = np.linspace(0.0, days, 60)
    history = pd.DataFrame({"ifnar_signalling": ifn}, index=t)
    rng = np.random.default_rng(seed)
    ends = np.linspace(2, len(t), visits).astype(int)
    readings = [zoster_readouts(history.iloc[:end], rng) for end in ends]
    counts = [r["zoster_events"] for r in readings]
    assert all(b >= a for a, b in itertools.pairwise(counts))
    firsts = [r["first_zoster_day"] for r in readings if r["zoster_events"] > 0]
    assert all(f == firsts[0] for f in firsts)
    # The full history reads the same however many visits came before.
    again = zoster_readouts(history, np.random.default_rng(seed))
    assert again["zoster_events"] == counts[-1]


def test_zoster_events_are_poisson_with_the_expected_mean() -> None:
    """Over many patients the event count has the integrated hazard as mean and variance,
    and on a constant hazard the first event's day follows the exponential truncated at
    the end of follow-up (given at least one event)."""
    days = 3650.0
    t = np.linspace(0.0, days, 11)
    history = pd.DataFrame({"ifnar_signalling": 0.2}, index=t)
    readings = [zoster_readouts(history, np.random.default_rng(s)) for s in range(4000)]
    expected = readings[0]["zoster_expected"]
    counts = np.array([r["zoster_events"] for r in readings])
    se = math.sqrt(expected / len(counts))
    print(f"\nzoster: expected {expected:.3f}, mean {counts.mean():.3f}, var {counts.var():.3f}")
    assert abs(counts.mean() - expected) < 4 * se
    assert counts.var() == pytest.approx(expected, rel=0.15)
    firsts = np.array([r["first_zoster_day"] for r in readings if r["zoster_events"] > 0])
    # P(first event before day d | any event), constant hazard h over D days:
    # (1 - exp(-h d)) / (1 - exp(-h D)).
    h = expected / days
    share = (1 - math.exp(-h * days / 2)) / (1 - math.exp(-h * days))
    assert np.mean(firsts < days / 2) == pytest.approx(share, abs=0.05)


def test_rituximab_lowers_igg_and_neutropenia_is_graded() -> None:
    """IgG after rituximab 1 g x2 (published: mean IgG falls ~10% per course; < 7 g/L in
    ~3.5% after the first course, van Vollenhoven et al. J Rheumatol 2013): only the
    short-lived plasma cells, renewed from B cells, are lost."""
    immune = pytest.importorskip("immunetwin.immune")
    sim = Simulator(with_drug_effects(immune.build_immune_model(), ["rituximab"]))
    out = ["lab_igg", "lab_neutrophils", "lab_lymphocytes"]
    times = np.arange(0.0, 365.0 + 1e-9, 7.0)
    base = sim.simulate(365, outputs=out, output_times=times)
    treated = sim.simulate(
        365,
        outputs=out,
        output_times=times,
        schedule=regimen_schedule(["rituximab 1000 mg IV on days 0, 14"], horizon_days=365),
    )
    b, r = hypogammaglobulinaemia(base), hypogammaglobulinaemia(treated)
    print(
        f"\nIgG nadir over 1 year: untreated {b['igg_nadir_g_per_l']:.1f}, rituximab "
        f"{r['igg_nadir_g_per_l']:.1f} g/L (published: ~-10%)"
    )
    assert b["hypogammaglobulinaemia"] == 0
    fall = 1.0 - r["igg_nadir_g_per_l"] / b["igg_nadir_g_per_l"]
    assert 0.05 < fall < 0.2  # published ~10% per course
    healthy = cytopenias(base)
    assert healthy["neutropenia_grade"] == 0 and healthy["lymphopenia_grade"] == 0
    defect = dict(immune.DEFECTS["neutropenia"].changes)
    neutropenic = sim.simulate(60, outputs=out, output_times=[0.0, 60.0], parameters=defect)
    graded = cytopenias(neutropenic)
    assert graded["neutropenia"] == 1 and graded["neutropenia_grade"] >= 3


def test_infusion_reactions_follow_the_label_frequencies() -> None:
    """Rituxan label (RA): 32% at the first and 11% at the second infusion."""
    draws = [
        infusion_reactions(["rituximab 1000 mg IV on days 0, 14"], np.random.default_rng(i))
        for i in range(3000)
    ]
    first = np.mean([d["first_infusion_reaction_day"] == 0.0 for d in draws])
    total = np.mean([d["infusion_reactions"] for d in draws])
    risk = INFUSION_REACTIONS["rituximab"]
    print(
        f"\nrituximab infusion reactions: first {first:.3f} (label {risk.first}), "
        f"per course {total:.3f} (label {risk.first + risk.later:.2f})"
    )
    assert first == pytest.approx(risk.first, abs=0.03)
    assert total == pytest.approx(risk.first + risk.later, abs=0.04)
    assert all(d["infusions"] == 2 for d in draws)
    oral = infusion_reactions(["prednisone 5 mg daily"], np.random.default_rng(0))
    assert oral["infusions"] == 0 and oral["infusion_reactions"] == 0


@settings(max_examples=50, deadline=None)
@given(il6=st.floats(0.0, 1e5), crp=st.floats(0.0, 500.0))
def test_crs_grade_rises_with_il6(il6: float, crp: float) -> None:
    frame = pd.DataFrame({"lab_il6": [1.0, il6], "lab_crp": [1.0, crp]}, index=[0.0, 1.0])
    more = frame.assign(lab_il6=[1.0, il6 * 2])
    grade, higher = crs_grade(frame)["crs_grade"], crs_grade(more)["crs_grade"]
    assert 0 <= grade <= higher <= 4
    if crp < 50:
        assert grade == 0
