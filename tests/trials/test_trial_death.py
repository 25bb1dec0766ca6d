"""Death in trials: the disease's death model read at the visits (lupus)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin.diseases import LUPUS_NEPHRITIS, SLE
from immunetwin.diseases.mortality import LUPUS_DEATHS
from immunetwin.population import patient_rng
from immunetwin.trials.run import DEATH_STREAM, _add_death

WEEKS = [0.0, 12.0, 24.0, 52.0, 104.0]
ENROLMENT_DAY = 1000.0


def visits(sledai: float, egfr: float) -> list[dict[str, float]]:
    return [{"sledai_2k": sledai, "egfr": egfr, "renal_event_day": math.nan} for _ in WEEKS]


def test_lupus_diseases_declare_the_competing_risk_death_model():
    assert SLE.mortality is LUPUS_DEATHS
    assert LUPUS_NEPHRITIS.mortality is LUPUS_DEATHS


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    sledai=st.floats(0.0, 30.0),
    egfr=st.floats(3.0, 120.0),
    renal_week=st.one_of(st.none(), st.floats(1.0, 100.0)),
)
def test_death_day_and_composites_are_consistent(seed, sledai, egfr, renal_week):
    observed = visits(sledai, egfr)
    renal_day = math.nan if renal_week is None else ENROLMENT_DAY + 7.0 * renal_week
    for readouts in observed:
        readouts["renal_event_day"] = renal_day
    patient = {"age": 35.0, "sex": "female"}
    death_week = _add_death(SLE, observed, WEEKS, patient, ENROLMENT_DAY, seed, 3)
    # The draw is the lupus model's on the patient's own death stream.
    since, cause = LUPUS_DEATHS.sample(
        pd.DataFrame(
            [{"sledai_2k": sledai, "egfr": egfr}] * len(WEEKS),
            index=7.0 * np.asarray(WEEKS),
        ),
        35.0,
        "female",
        patient_rng(seed, 3, DEATH_STREAM),
    )
    final = observed[-1]
    if math.isfinite(since):
        assert final["death_day"] == pytest.approx(ENROLMENT_DAY + since)
        assert death_week == pytest.approx(since / 7.0)
        assert final["death_cause"] == cause
    else:
        assert math.isnan(final["death_day"]) and death_week == math.inf
        assert final["death_cause"] == ""
    for week, readouts in zip(WEEKS, observed, strict=True):
        # A visit knows only its history: no death before it happens.
        if week < death_week:
            assert math.isnan(readouts["death_day"]) and readouts["death_cause"] == ""
        else:
            assert readouts["death_day"] == final["death_day"]
        candidates = [d for d in (renal_day, readouts["death_day"]) if math.isfinite(d)]
        composite = readouts["renal_event_or_death_day"]
        if candidates:
            assert composite == pytest.approx(min(candidates))
        else:
            assert math.isnan(composite)


def test_a_sicker_patient_dies_more_often():
    def deaths(sledai: float, egfr: float) -> int:
        count = 0
        for seed in range(400):
            observed = visits(sledai, egfr)
            week = _add_death(SLE, observed, WEEKS, {"age": 40.0, "sex": "female"}, 0.0, seed, 1)
            count += math.isfinite(week)
        return count

    # eGFR 10 (CKD stage 5) and SLEDAI 20 against quiescent lupus with normal kidneys.
    assert deaths(20.0, 10.0) > 3 * max(1, deaths(0.0, 100.0))
