"""Crohn's disease: CDAI observation model and an untreated virtual population."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin.diseases import CROHNS
from immunetwin.diseases.crohns import (
    CDAI_REMISSION,
    cdai,
    crohns_readouts,
    crohns_responses,
    gut_diary,
)
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

from ._courses import untreated_courses


def test_cdai_formula_on_a_worked_example():
    # Best et al. 1976 weights, by hand: 2*30 + 5*10 + 7*14 + 20*2 + 30*1 + 10*2 + 6*5 + 8.
    score = cdai(
        30,
        10,
        14,
        complications=2,
        antidiarrhoeal=True,
        abdominal_mass=2,
        haematocrit_deficit=5.0,
        weight_deficit_percent=8.0,
    )
    assert score == pytest.approx(60 + 50 + 98 + 40 + 30 + 20 + 30 + 8)
    assert cdai(0, 0, 0) == 0.0


def test_remission_and_response_definitions():
    baseline = {"cdai": 300.0}
    assert crohns_responses(baseline, {"cdai": 149.0})["cdai_remission"] == 1.0
    assert crohns_responses(baseline, {"cdai": 150.0})["cdai_remission"] == 0.0
    assert crohns_responses(baseline, {"cdai": 200.0})["cdai_response"] == 1.0
    assert crohns_responses(baseline, {"cdai": 201.0})["cdai_response"] == 0.0
    assert crohns_responses(baseline, {"cdai": 230.0})["cdai_response_70"] == 1.0
    assert crohns_responses(baseline, {"cdai": 250.0})["cdai_change"] == -50.0


def test_healthy_gut_gives_an_empty_diary():
    healthy = HEALTHY_STEADY_STATE["gut_inflammation"]
    assert gut_diary(healthy, np.zeros(4)) == (0, 0, 0)


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(0.0, 1000.0),
    extra=st.floats(0.0, 1000.0),
    z=st.lists(st.floats(-3.0, 3.0), min_size=4, max_size=4),
)
def test_diary_is_bounded_and_monotone_in_inflammation(low, extra, z):
    z = np.array(z)
    a = gut_diary(low, z)
    b = gut_diary(low + extra, z)
    for diary in (a, b):
        assert diary[0] >= 0 and 0 <= diary[1] <= 21 and 0 <= diary[2] <= 28
    assert all(x <= y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("inflammation", [5.0, 300.0])
def test_readouts_draw_the_same_number_of_randoms_whatever_the_state(inflammation):
    import pandas as pd

    row = {name: 1.0 for name in CROHNS.outputs}
    row["gut_inflammation"] = inflammation
    frame = pd.DataFrame([row], index=[120.0])
    rng = np.random.default_rng(1)
    crohns_readouts(frame, rng)
    reference = np.random.default_rng(1)
    reference.standard_normal(5)
    assert rng.random() == reference.random()


@pytest.fixture(scope="module")
def courses():
    return untreated_courses(CROHNS, 40, seed=21, weeks=[0, 12])


def test_active_disease_at_enrolment(courses):
    base = courses[courses["week"] == 0]
    print(
        f"\nCrohn's baseline CDAI mean {base['cdai'].mean():.0f} (trial entry 220-450, "
        f"typical mean ~300); CRP median {base['crp'].median():.1f} mg/L (active CD ~10-40); "
        f"TNF median {base['tnf'].median():.2f} pg/mL (health 1.57)"
    )
    assert 220.0 <= base["cdai"].mean() <= 400.0
    assert 5.0 <= base["crp"].median() <= 50.0
    healthy_tnf = 1.565  # pg/mL: the healthy model (tests/immune)
    assert base["tnf"].median() > healthy_tnf
    assert (base["th1_cells"] > 0).all() and (base["th17_cells"] > 0).all()
    assert base["has_disease"].mean() >= 0.8


def test_untreated_course_remission_rate(courses):
    week12 = courses[courses["week"] == 12]
    remission = week12["cdai_remission"].mean()
    response = week12["cdai_response"].mean()
    print(
        f"\nuntreated week-12 CDAI remission {remission:.0%}, response {response:.0%} "
        "(placebo arms of induction trials: remission ~10-20%, Su et al. Gastroenterology "
        "2004)"
    )
    # 40 patients: binomial SE ~6 points; accept 0-40%.
    assert remission <= 0.4
    assert (week12["cdai"] < CDAI_REMISSION).mean() == remission


def test_cdai_haematocrit_item_follows_the_sex_standard():
    import pandas as pd

    from immunetwin.diseases import readouts as obs
    from immunetwin.diseases.crohns import haematocrit_deficit

    frame = pd.DataFrame({"x": [0.0]})
    woman = obs.with_demographics(frame.copy(), 35.0, "female")
    man = obs.with_demographics(frame.copy(), 35.0, "male")
    assert haematocrit_deficit(38.0, woman) == pytest.approx(4.0)  # 42 - 38
    assert haematocrit_deficit(38.0, man) == pytest.approx(9.0)  # 47 - 38
    assert haematocrit_deficit(50.0, man) == 0.0  # above the standard scores nothing
    # Healthy haemoglobin (model reference 14 g/dL, a woman's) scores ~0 for either sex.
    healthy = 14.0
    assert haematocrit_deficit(obs.haematocrit(healthy), woman) < 1.0
    male_hb = healthy * obs.haemoglobin_demographic_factor(man)
    assert haematocrit_deficit(obs.haematocrit(male_hb), man) < 1.0


def test_cdai_adds_the_haematocrit_item_to_the_diary(courses):
    week0 = courses[courses["week"] == 0]
    diary = (
        2.0 * week0["liquid_stools_7d"]
        + 5.0 * week0["pain_sum_7d"]
        + 7.0 * week0["wellbeing_sum_7d"]
    )
    haematocrit_points = week0["cdai"] - diary
    print(
        f"\nCrohn's baseline haemoglobin median {week0['haemoglobin'].median():.1f} g/dL, "
        f"haematocrit {week0['haematocrit'].median():.1f}%; CDAI haematocrit item mean "
        f"{haematocrit_points.mean():.0f} points"
    )
    assert (haematocrit_points >= -1e-9).all()
    # Anaemia of inflammation in active disease: some patients score the item.
    assert haematocrit_points.mean() > 0.0
    assert week0["haemoglobin"].median() < 14.0


def test_each_patient_has_own_cytokine_shares_of_mucosal_amplification():
    """TNF and IL-6 shares are logit-normal per patient (RA's spread), median 0.5."""
    from immunetwin.diseases.population import sample_disease_patients
    from immunetwin.diseases.ra import CYTOKINE_SHARE_LOGIT_SD

    _, parameters = sample_disease_patients(CROHNS, 3000, seed=4)
    shares = parameters[["amplification_tnf_share", "amplification_il6_share"]]
    log_odds = np.log(shares / (1.0 - shares))
    assert np.allclose(log_odds.median(), 0.0, atol=0.08)
    assert np.allclose(log_odds.std(), CYTOKINE_SHARE_LOGIT_SD, rtol=0.05)
    assert abs(np.corrcoef(log_odds.T)[0, 1]) < 0.06  # drawn independently


def test_mucosa_that_needs_little_tnf_resists_full_tnf_blockade():
    """Primary non-response: at the median drive, 12 weeks of saturating TNF blockade
    (free fraction 0.02) resolve the infiltrate by the patient's TNF share; untreated,
    the share changes nothing (every pathway is free)."""
    from immunetwin import Simulator
    from immunetwin.diseases import disease_model

    simulator = Simulator(disease_model(CROHNS))
    healthy = HEALTHY_STEADY_STATE["gut_inflammation"]

    def infiltrate(share: float, free_tnf: float) -> float:
        run = simulator.simulate(
            until=84.0,
            outputs=["gut_inflammation"],
            output_times=[0.0, 84.0],
            parameters={
                "gut_inflammatory_drive": 3.0,
                "amplification_tnf_share": share,
                "tnf_free_fraction": free_tnf,
            },
        )
        return float(run["gut_inflammation"].iloc[-1])

    shares = [0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
    untreated = [infiltrate(s, 1.0) for s in shares]
    blocked = [infiltrate(s, 0.02) for s in shares]
    print(
        f"\nCrohn's gut infiltrate after 12 weeks, untreated {untreated[0]:.0f}; blocked by "
        f"TNF share: {dict(zip(shares, [round(b) for b in blocked], strict=True))}"
    )
    assert np.allclose(untreated, untreated[0])
    assert untreated[0] > 20 * healthy  # established inflammation persists untreated
    assert blocked == sorted(blocked, reverse=True)  # more TNF dependence, less left
    assert all(b > 10 * healthy for b in blocked[:3])  # share <= 0.3: non-responders
    assert all(b < 2 * healthy for b in blocked[3:])  # share >= 0.5: the infiltrate resolves
