"""Virtual twins (``randomisation.every_arm``): every enrolled patient in every arm.

The parallel trial with the same seed is a subset of the every-arm trial: a patient's
twin in the arm the patient was randomised to is that patient, draw for draw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from immunetwin.trials import parse_spec, run_trial
from immunetwin.trials.run import TWIN_STRIDE

# Type 1 diabetes simulates fast; three arms check twin ids beyond the first stride.
SMALL_T1D = {
    "name": "small teplizumab dose finding",
    "disease": "t1d",
    "patients": 8,
    "seed": 5,
    "population": {"age_mean": 18.0, "age_sd": 8.0, "age_range": [8.0, 45.0]},
    "screening": {"criteria": ["multiple_autoantibodies", "stage < 3"]},
    "arms": [
        {"name": "placebo", "control": True},
        {"name": "half dose", "regimens": ["teplizumab 0.325 mg/m2 IV daily for 14 days"]},
        {"name": "full dose", "regimens": ["teplizumab 0.65 mg/m2 IV daily for 14 days"]},
    ],
    "visits": {"weeks": [0, 26, 52]},
    "dropout": {"rate_per_year": 0.3},
    "endpoints": [
        {"id": "time_to_t1d", "kind": "time_to_event", "value": "stage3_day", "primary": True},
        {"id": "c_peptide", "kind": "continuous", "value": "c_peptide_auc", "week": 52},
    ],
}


@pytest.fixture(scope="module")
def trials():
    parallel = run_trial(parse_spec(SMALL_T1D), workers=2)
    spec = parse_spec({**SMALL_T1D, "randomisation": {"every_arm": True}})
    return parallel, run_trial(spec, workers=2)


def test_every_arm_holds_every_enrolled_patient(trials):
    parallel, twins = trials
    patients = twins.patients
    sources = set(parallel.patients.index)
    assert len(patients) == 3 * len(sources)
    for k, arm in enumerate(twins.spec.arms):
        in_arm = patients[patients["arm"] == arm.name]
        assert set(in_arm["source_patient"]) == sources
        np.testing.assert_array_equal(in_arm.index, in_arm["source_patient"] + k * TWIN_STRIDE)
        assert twins.endpoints[arm.name]["c_peptide"]["n_arm"] == len(sources)
    assert twins.screening["design"] == "every arm"
    assert parallel.screening["design"] == "parallel"


def test_a_twin_in_its_randomised_arm_is_that_patient_of_the_parallel_trial(trials):
    parallel, twins = trials
    arm_index = {arm.name: k for k, arm in enumerate(parallel.spec.arms)}
    readouts = [c for c in parallel.visits.columns if c not in ("patient_id", "arm")]
    for pid, arm in parallel.patients["arm"].items():
        twin = int(pid) + arm_index[arm] * TWIN_STRIDE
        mine = parallel.visits[parallel.visits["patient_id"] == pid].reset_index(drop=True)
        theirs = twins.visits[twins.visits["patient_id"] == twin].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[readouts], theirs[readouts])
        assert (theirs["arm"] == arm).all()


def test_twins_share_baseline_dropout_and_measurement_noise(trials):
    _, twins = trials
    patients, visits = twins.patients, twins.visits
    for column in ("dropout_week", "baseline_c_peptide_auc", "age", "sex"):
        per_source = patients.groupby("source_patient")[column].nunique()
        assert (per_source == 1).all(), column
    # Before any dose (week 0) the twins' visit readouts are identical.
    week0 = visits[visits["week"] == 0].copy()
    week0["source"] = week0["patient_id"] % TWIN_STRIDE
    readouts = [c for c in week0.columns if c not in ("patient_id", "arm", "source")]
    spread = week0.groupby("source")[readouts].nunique(dropna=False)
    assert (spread == 1).all().all()


def test_every_arm_compares_each_arm_with_control_within_pairs(trials):
    parallel, twins = trials
    assert parallel.comparisons and not any(c["paired"] for c in parallel.comparisons)
    found = {(c["arm"], c["endpoint"]): c for c in twins.comparisons}
    assert set(found) == {
        (arm, endpoint)
        for arm in ("half dose", "full dose")
        for endpoint in ("time_to_t1d", "c_peptide")
    }
    assert all(c["paired"] for c in twins.comparisons)
    # The continuous comparison is the mean within-pair difference at week 52, over
    # pairs seen (not rescued) in both arms.
    visits = twins.visits[twins.visits["week"] == 52].set_index("patient_id")
    seen = visits[visits["seen"].astype(bool) & ~visits["rescued"].astype(bool)]
    source = twins.patients["source_patient"]
    by_arm = {
        arm: seen.loc[seen["arm"] == arm, "c_peptide_auc"].set_axis(
            source.loc[seen.index[seen["arm"] == arm]].to_numpy()
        )
        for arm in ("placebo", "full dose")
    }
    both = by_arm["full dose"].index.intersection(by_arm["placebo"].index)
    full = found[("full dose", "c_peptide")]
    assert full["pairs"] == len(both) > 0
    expected = (by_arm["full dose"].loc[both] - by_arm["placebo"].loc[both]).mean()
    assert full["difference"] == pytest.approx(expected)
    hazard = found[("full dose", "time_to_t1d")]
    assert hazard["pairs"] == len(twins.patients) // 3


def test_every_arm_trial_writes_its_design_and_report(trials, tmp_path):
    import json

    from immunetwin.trials import write_trial

    _, twins = trials
    paths = write_trial(twins, tmp_path)
    data = json.loads(paths["results"].read_text())
    assert data["screening"]["design"] == "every arm"
    assert data["comparisons"] and all(c["paired"] for c in data["comparisons"])
    assert {arm["n"] for arm in data["arms"]} == {len(twins.patients) // 3}
    patients = pd.read_parquet(paths["patients"])
    assert "source_patient" in patients.columns
    assert "Table 1" in paths["report"].read_text()
