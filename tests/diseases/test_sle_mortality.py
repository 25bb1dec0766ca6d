"""SLE survival and causes of death: the hazard model on untreated 10-year courses.

diseases.csv: 10-year survival 80-90% (sle_survival_10y) and causes of death infection
33%, renal 19%, CNS 14%, cardiovascular 12% (sle_death_causes, Wang et al. Medicine 2015).
The infection and CNS rates are calibrated to these figures (diseases/mortality.py); the
renal (eGFR stages, Go et al. 2004) and cardiovascular (SMR) parts are not.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin._errors import SpecError
from immunetwin.diseases import SLE
from immunetwin.diseases.mortality import LUPUS_DEATHS

from ._courses import untreated_courses

CAUSES = LUPUS_DEATHS.causes
cause_hazards = LUPUS_DEATHS.hazards
expected_mortality = LUPUS_DEATHS.expected
sample_death = LUPUS_DEATHS.sample

YEARS = 10


@pytest.fixture(scope="module")
def ten_years() -> pd.DataFrame:
    weeks = [52.0 * year for year in range(YEARS + 1)]
    return untreated_courses(SLE, 260, seed=5, weeks=weeks, eligible=lambda r: r["has_disease"])


@pytest.fixture(scope="module")
def outcomes(ten_years) -> pd.DataFrame:
    rows = []
    for pid, visits in ten_years.groupby("patient_id"):
        visits = visits.set_index(visits["week"] * 7.0)
        first = visits.iloc[0]
        result = expected_mortality(visits, float(first["age"]), str(first["sex"]))
        rows.append({"patient_id": pid, "survival": result.survival, **result.by_cause})
    return pd.DataFrame(rows).set_index("patient_id")


def _published_causes(diseases_csv: pd.DataFrame) -> dict[str, float]:
    text = str(diseases_csv.loc["sle_death_causes", "value"])
    pairs = re.findall(r"([A-Za-z]+) (\d+)%", text)
    names = {"infection": "infection", "renal": "renal", "CNS": "cns"}
    names["cardiovascular"] = "cardiovascular"
    return {names[k]: float(v) for k, v in pairs}


def test_ten_year_survival_of_untreated_lupus(outcomes, diseases_csv):
    low, high = (float(x) for x in str(diseases_csv.loc["sle_survival_10y", "value"]).split("-"))
    survival = 100.0 * outcomes["survival"].mean()
    print(
        f"\nSLE 10-year survival {survival:.1f}% (n={len(outcomes)}; "
        f"diseases.csv {low:g}-{high:g}%)"
    )
    assert len(outcomes) >= 50
    assert low <= survival <= high


def test_causes_of_death(outcomes, diseases_csv):
    published = _published_causes(diseases_csv)
    deaths = outcomes[list(CAUSES)].sum()
    share = 100.0 * deaths / deaths.sum()
    print("\nSLE causes of death, simulated % (published %):")
    for cause in CAUSES:
        print(f"  {cause:15s} {share[cause]:5.1f} ({published.get(cause, float('nan')):g})")
    # Infection and kidney failure are the most common causes (seed 003, Wang 2015).
    assert set(share.nlargest(2).index) == {"infection", "renal"}
    assert share["cns"] > 0 and share["cardiovascular"] > 0


BOOTSTRAP_SAMPLES = 400
STRUCTURAL_POINTS = 10.0


def test_cause_shares_match_the_published_ones(outcomes, diseases_csv):
    """Each share within 2 bootstrap SEs (sampling) plus 10 points (structure).

    The shares come from few patients: most renal risk is carried by the ~10% whose
    kidney fails, so one seed's share moves by ~6 points with the sample (renal 25-39%
    over seeds 5-8 at this size). The SE is the spread of the share over patients
    resampled with replacement. The 10 points are the model's structural error, as in
    the calibration tests. Until kidney scarring (2026-11-30) renal deaths took ~45%,
    which this test rejects.
    """
    published = _published_causes(diseases_csv)
    causes = outcomes[list(CAUSES)].to_numpy()
    share = 100.0 * causes.sum(axis=0) / causes.sum()
    rng = np.random.default_rng(0)
    resampled = []
    for _ in range(BOOTSTRAP_SAMPLES):
        rows = causes[rng.integers(0, len(causes), len(causes))]
        resampled.append(100.0 * rows.sum(axis=0) / rows.sum())
    se = np.std(resampled, axis=0, ddof=1)
    for cause, value in published.items():
        k = list(CAUSES).index(cause)
        tolerance = 2.0 * se[k] + STRUCTURAL_POINTS
        print(
            f"\n{cause}: {share[k]:.1f}% vs {value:g}% (SE {se[k]:.1f}, tolerance {tolerance:.1f})"
        )
        assert abs(share[k] - value) <= tolerance, cause


def _visits(sledai: list[float], egfr: list[float], step_days: float = 365.25) -> pd.DataFrame:
    days = step_days * np.arange(len(sledai))
    return pd.DataFrame({"sledai_2k": sledai, "egfr": egfr}, index=days)


def test_constant_hazards_give_the_exponential_survival():
    visits = _visits([8.0] * 11, [100.0] * 11)
    hazards = cause_hazards(visits, 30.0, "female")
    result = expected_mortality(visits, 30.0, "female")
    # Background mortality rises with age: integrate each year's hazard.
    expected = math.exp(-hazards.iloc[:-1].sum(axis=1).sum())
    assert result.survival == pytest.approx(expected, rel=1e-12)
    assert result.survival + sum(result.by_cause.values()) == pytest.approx(1.0, abs=1e-12)


def test_kidney_failure_kills_through_the_renal_cause():
    healthy = expected_mortality(_visits([4.0] * 11, [95.0] * 11), 35.0, "female")
    failing = expected_mortality(_visits([4.0] * 11, [12.0] * 11), 35.0, "female")
    assert healthy.by_cause["renal"] == 0.0
    assert failing.by_cause["renal"] > 0.6  # 13.4%/year excess for 10 years
    assert failing.survival < healthy.survival


def test_men_and_older_patients_die_more_of_background_causes():
    visits = _visits([6.0] * 11, [90.0] * 11)
    woman = expected_mortality(visits, 35.0, "female").by_cause
    man = expected_mortality(visits, 35.0, "male").by_cause
    older = expected_mortality(visits, 65.0, "female").by_cause
    assert man["cardiovascular"] > woman["cardiovascular"]
    assert older["other"] > 5 * woman["other"]
    # Same infection hazard; men's cumulative risk is lower as other causes compete.
    hazards = {sex: cause_hazards(visits, 35.0, sex) for sex in ("female", "male")}
    assert hazards["male"]["infection"].equals(hazards["female"]["infection"])
    assert man["infection"] < woman["infection"]


@settings(max_examples=40, deadline=None)
@given(
    sledai=st.lists(st.floats(0.0, 30.0), min_size=2, max_size=12),
    egfr=st.floats(5.0, 120.0),
    age=st.floats(16.0, 90.0),
    female=st.booleans(),
)
def test_probabilities_are_a_partition(sledai, egfr, age, female):
    visits = _visits(sledai, [egfr] * len(sledai))
    result = expected_mortality(visits, age, "female" if female else "male")
    assert 0.0 < result.survival <= 1.0
    assert all(p >= 0.0 for p in result.by_cause.values())
    assert result.survival + sum(result.by_cause.values()) == pytest.approx(1.0, abs=1e-9)


def test_sampled_deaths_match_the_expected_risk():
    visits = _visits([10.0] * 11, [25.0] * 11)
    expected = expected_mortality(visits, 40.0, "female")
    rng = np.random.default_rng(7)
    draws = [sample_death(visits, 40.0, "female", rng) for _ in range(4000)]
    dead = [cause for day, cause in draws if not math.isnan(day)]
    assert len(dead) / 4000 == pytest.approx(1.0 - expected.survival, abs=0.03)
    renal = dead.count("renal") / 4000
    assert renal == pytest.approx(expected.by_cause["renal"], abs=0.03)
    assert all(0.0 <= day <= visits.index[-1] for day, _ in draws if not math.isnan(day))


def test_bad_input_is_one_clear_error():
    with pytest.raises(SpecError, match="sex must be female or male"):
        cause_hazards(_visits([1.0, 1.0], [90.0, 90.0]), 30.0, "other")
    with pytest.raises(SpecError, match="lupus mortality needs the readouts egfr"):
        cause_hazards(pd.DataFrame({"sledai_2k": [1.0, 2.0]}, index=[0.0, 1.0]), 30.0, "male")
