"""Lupus nephritis: renal readouts, BLISS-LN responses, renal events, a population."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from immunetwin.diseases import DISEASES, LUPUS_NEPHRITIS, disease_model
from immunetwin.diseases.lupus_nephritis import (
    CREATININE_DOUBLING_EGFR,
    ESKD_EGFR,
    lupus_nephritis_readouts,
    renal_event_day,
    renal_response,
)

from ._courses import untreated_courses

ENROL = LUPUS_NEPHRITIS.enrolment_day


def _kidney(function: list[float], times: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"kidney_function": function}, index=pd.Index(times, name="time"))


def test_registered_and_valid():
    assert DISEASES["lupus_nephritis"] is LUPUS_NEPHRITIS
    LUPUS_NEPHRITIS.validate(disease_model(LUPUS_NEPHRITIS))
    assert LUPUS_NEPHRITIS.target_organs[0] == "kidney"


def test_renal_responses_follow_bliss_ln():
    baseline = {"egfr_pre_flare": 100.0}
    assert renal_response(baseline, {"upcr": 0.7, "egfr": 80.0}, complete=False)  # edges
    assert not renal_response(baseline, {"upcr": 0.71, "egfr": 80.0}, complete=False)
    assert not renal_response(baseline, {"upcr": 0.7, "egfr": 59.0}, complete=False)
    low = {"egfr_pre_flare": 50.0}
    assert renal_response(low, {"upcr": 0.3, "egfr": 40.0}, complete=False)  # >= 80% of 50
    assert renal_response(baseline, {"upcr": 0.49, "egfr": 90.0}, complete=True)
    assert not renal_response(baseline, {"upcr": 0.5, "egfr": 95.0}, complete=True)
    assert not renal_response(baseline, {"upcr": 0.3, "egfr": 85.0}, complete=True)


@given(st.floats(0, 10), st.floats(1, 150), st.floats(10, 130))
def test_complete_response_implies_primary_efficacy_response(upcr, egfr, pre_flare):
    baseline, visit = {"egfr_pre_flare": pre_flare}, {"upcr": upcr, "egfr": egfr}
    assert renal_response(baseline, visit, complete=True) <= renal_response(
        baseline, visit, complete=False
    )


def test_renal_event_day():
    times = [0.0, ENROL, ENROL + 28, ENROL + 56, ENROL + 84]
    # eGFR 80 at enrolment; doubling of creatinine at <= 0.43 x 80 = 34.6.
    falling = _kidney([100.0, 80.0, 50.0, 34.0, 20.0], times)
    assert pytest.approx(0.4326, abs=1e-4) == CREATININE_DOUBLING_EGFR
    assert renal_event_day(falling, ENROL) == ENROL + 56
    eskd = _kidney([100.0, 16.0, 15.5, 14.0, 14.0], times)
    assert renal_event_day(eskd, ENROL) == ENROL + 56
    stable = _kidney([100.0, 80.0, 79.0, 81.0, 80.0], times)
    assert math.isnan(renal_event_day(stable, ENROL))
    assert math.isnan(renal_event_day(falling.iloc[:2], ENROL))  # at enrolment: none yet


def test_readouts_draw_like_sle_and_add_renal_items():
    from immunetwin.diseases.sle import sle_readouts

    times = np.append(np.arange(0.0, ENROL, 28.0), [ENROL, ENROL + 28])
    frame = pd.DataFrame(
        {name: 1.0 for name in LUPUS_NEPHRITIS.outputs}, index=pd.Index(times, name="time")
    )
    frame["kidney_function"] = np.linspace(100.0, 60.0, len(times))
    frame["kidney_inflammation"] = 100.0
    a, b = np.random.default_rng(2), np.random.default_rng(2)
    ln = lupus_nephritis_readouts(frame, a)
    sle = sle_readouts(frame, b)
    assert a.bit_generator.state == b.bit_generator.state
    assert ln["upcr"] == sle["upcr"] and ln["egfr"] == sle["egfr"]
    assert ln["egfr_pre_flare"] == pytest.approx(100.0)
    assert math.isnan(ln["renal_event_day"])


@pytest.fixture(scope="module")
def ln_course() -> pd.DataFrame:
    # Candidates with active nephritis at enrolment (BLISS-LN: biopsy-proven active LN,
    # UPCR >= 1 g/g; here >= 0.5, the SLEDAI proteinuria item, to keep the test small);
    # untreated thereafter (no induction therapy in this test).
    # Yearly visits for ten years: ESRD is read as eGFR < 15 at any of them.
    weeks = [0.0] + [52.0 * year for year in range(1, 11)]
    return untreated_courses(
        LUPUS_NEPHRITIS, 120, seed=47, weeks=weeks, eligible=lambda r: r["upcr"] >= 0.5
    )


def test_untreated_nephritis_population(ln_course, diseases_csv, trials_csv):
    baseline = ln_course[ln_course["week"] == 0]
    week104 = ln_course[ln_course["week"] == 104.0]
    note = diseases_csv.loc["ln_esrd_10y", "note"]
    reference = float(re.search(r"eGFR<60 in (\d+)%", note).group(1))
    below_60 = 100.0 * (baseline["egfr"] < 60).mean()
    row = trials_csv[(trials_csv["trial"] == "BLISS-LN") & (trials_csv["arm"] == "placebo")]
    perr_placebo, crr_placebo = (float(x) for x in row["result"].iloc[0].split("/"))
    perr = 100.0 * week104["perr"].mean()
    crr = 100.0 * week104["crr"].mean()
    events = 100.0 * week104["renal_event"].mean()
    print(
        f"\nLN (n={len(baseline)} with UPCR >= 0.5 of 120): UPCR median "
        f"{baseline['upcr'].median():.2f} g/g, eGFR median {baseline['egfr'].median():.0f}; "
        f"eGFR<60 {below_60:.0f}% (diseases.csv: {reference:g}% at biopsy)\n"
        f"untreated week 104: PERR {perr:.0f}% CRR {crr:.0f}% (BLISS-LN placebo + induction "
        f"{perr_placebo:g}/{crr_placebo:g}%), renal events {events:.0f}%"
    )
    assert len(baseline) >= 15
    # The model couples proteinuria to kidney destruction more tightly than patients
    # (see lupus_nephritis.py): accept up to twice the reference share.
    assert reference / 2 <= below_60 <= 2 * reference
    # Without induction therapy fewer reach complete response than on standard therapy.
    # (Untreated PERR is not checked: the lupus visit fluctuation, calibrated to
    # BLISS-52 SRI-4, gives untreated PERR near the placebo + induction arm's 32%.)
    assert crr < crr_placebo and crr <= perr


def test_end_stage_kidney_disease_within_ten_years(ln_course, diseases_csv):
    low, high = (float(x) for x in str(diseases_csv.loc["ln_esrd_10y", "value"]).split("-"))
    # ESKD: true kidney function below 15% of normal (eGFR < 15 without the assay noise)
    # at any yearly visit.
    lowest = ln_course.groupby("patient_id")["kidney_function"].min()
    esrd = 100.0 * (lowest < ESKD_EGFR).mean()
    print(
        f"\nLN ESRD within 10 years untreated: {esrd:.0f}% of {len(lowest)} "
        f"(diseases.csv {low:g}-{high:g}% on treatment)"
    )
    # Untreated courses should not do better than treated cohorts; sampling at n ~ 50
    # (SE ~5 points) and the untreated excess allow up to twice the upper bound. Below,
    # the reference's 6% less two binomial SEs, and at least one patient: a kidney that
    # never fails is what this rejects (5.5% at one draw of patients, 11% at another).
    n = len(lowest)
    se = 100.0 * math.sqrt(low / 100.0 * (1 - low / 100.0) / n)
    assert max(low - 2 * se, 100.0 / n) <= esrd <= 2 * high
