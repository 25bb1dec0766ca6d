"""Population runs: deterministic, failure-isolating, streaming, resumable, and cluster-ready."""

from __future__ import annotations

import warnings
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from immunetwin import Model, ModelError, Module, Parameter, Schedule, SpecError, StateChange
from immunetwin.declaration import LogitNormal, LogNormal, Variability
from immunetwin.models.benchmark import stiff_benchmark_model
from immunetwin.population import (
    parameter_normals,
    patient_rng,
    run_population,
    sample_parameters,
)

UNTIL = 56.0
OUTPUTS = ["cell_0", "cytokine_3", "cell_24", "adalimumab_central"]
N = 12


@pytest.fixture(scope="module")
def model() -> Model:
    return stiff_benchmark_model()


@pytest.fixture(scope="module")
def parameters(model: Model) -> pd.DataFrame:
    return sample_parameters(model, N, seed=11)


def dosing(patient_id: int, rng: np.random.Generator) -> Schedule:
    """Every other week 40 mg, each dose missed with probability 0.2, from the patient's rng."""
    return Schedule(
        tuple(
            StateChange(t, "adalimumab_depot", "add", 40.0)
            for t in np.arange(0.0, UNTIL, 14.0)
            if rng.random() > 0.2
        )
    )


def run(model: Model, parameters: pd.DataFrame, **kwargs: Any) -> Any:
    return run_population(
        model,
        parameters,
        until=UNTIL,
        outputs=OUTPUTS,
        output_times=np.arange(0.0, UNTIL, 3.5),
        schedules=kwargs.pop("schedules", dosing),
        seed=kwargs.pop("seed", 5),
        **kwargs,
    )


def assert_identical(a: xr.Dataset, b: xr.Dataset) -> None:
    assert list(a.data_vars) == list(b.data_vars)
    np.testing.assert_array_equal(a.patient_id, b.patient_id)
    np.testing.assert_array_equal(a.time, b.time)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name


@pytest.fixture(scope="module")
def baseline(model: Model, parameters: pd.DataFrame) -> Any:
    return run(model, parameters, workers=1)


# -- sampling ----------------------------------------------------------------------------


def test_sampling_is_reproducible_and_independent_of_n(model: Model) -> None:
    ten = sample_parameters(model, 10, seed=3)
    pd.testing.assert_frame_equal(sample_parameters(model, 10, seed=3), ten)
    pd.testing.assert_frame_equal(sample_parameters(model, 4, seed=3), ten.iloc[:4])
    later = sample_parameters(model, 6, seed=3, first_patient=4)
    pd.testing.assert_frame_equal(later, ten.iloc[4:])
    assert not sample_parameters(model, 10, seed=4).equals(ten)
    assert list(ten.columns) == [p.name for p in model.parameters if p.variability is not None]
    assert ten.index.name == "patient_id"


def test_sampling_follows_the_declared_variability(model: Model) -> None:
    draws = sample_parameters(model, 3000, seed=1, names=["adalimumab_clearance"])
    values = draws["adalimumab_clearance"].to_numpy()
    declared = model.parameter_values()["adalimumab_clearance"]
    assert np.median(values) == pytest.approx(declared, rel=0.03)  # the value is the median
    omega = np.sqrt(np.log1p(0.3**2))
    assert np.std(np.log(values)) == pytest.approx(omega, rel=0.05)


def with_extra_parameter(model: Model, name: str, value: float, variability: Variability) -> Model:
    """The model with one more variable parameter, in a module inserted after the first."""
    extra = Module(
        name="extra",
        description="one more variable parameter (test only)",
        parameters=[
            Parameter(name, value, "dimensionless", source="test", variability=variability)
        ],
    )
    return Model.compose("grown", [*model.modules[:1], extra, *model.modules[1:]])


def test_a_logit_normal_share_keeps_its_median_and_stays_inside_0_and_1(model: Model) -> None:
    grown = with_extra_parameter(model, "extra_share", 0.2, LogitNormal(sd=1.5))
    values = sample_parameters(grown, 4000, seed=2, names=["extra_share"])["extra_share"]
    assert ((values > 0.0) & (values < 1.0)).all()
    assert np.median(values) == pytest.approx(0.2, rel=0.05)
    log_odds = np.log(values / (1.0 - values))
    assert np.std(log_odds) == pytest.approx(1.5, rel=0.05)
    # The draw is the patient's standard normal on the log-odds scale.
    z = parameter_normals(2, "extra_share", 0, 4000)
    np.testing.assert_allclose(log_odds, np.log(0.2 / 0.8) + 1.5 * z, rtol=1e-9)


@given(
    median=st.floats(1e-6, 1.0 - 1e-6),
    sd=st.floats(0.01, 5.0),
    z=st.floats(-8.0, 8.0),
    dz=st.floats(0.01, 4.0),
)
def test_logit_normal_draws_are_shares_increasing_in_z(median, sd, z, dz) -> None:
    variability = LogitNormal(sd)
    low, high = variability.draw(median, z), variability.draw(median, z + dz)
    assert 0.0 <= low <= high <= 1.0
    assert variability.draw(median, 0.0) == pytest.approx(median, rel=1e-9)


@pytest.mark.parametrize("median", [0.0, 1.0, -0.1, 1.5])
def test_logit_normal_refuses_a_median_that_is_not_a_share(median) -> None:
    with pytest.raises(ModelError, match="strictly between 0 and 1"):
        LogitNormal(1.0).draw(median, 0.0)


@pytest.mark.parametrize("sd", [0.0, -1.0, float("nan"), float("inf")])
def test_logit_normal_needs_a_positive_spread(sd) -> None:
    with pytest.raises(ModelError, match="LogitNormal sd"):
        LogitNormal(sd)


def test_adding_a_variable_parameter_leaves_every_other_draw_unchanged(model: Model) -> None:
    """A model grows: a new variable parameter must not redraw the existing patients."""
    grown = with_extra_parameter(model, "extra_gain", 2.0, LogNormal(cv=0.5))
    before = sample_parameters(model, 8, seed=5)
    after = sample_parameters(grown, 8, seed=5)
    assert "extra_gain" in after.columns
    pd.testing.assert_frame_equal(after[before.columns], before)
    # The same parameters in another order (names=) read the same values.
    reordered = sample_parameters(model, 8, seed=5, names=list(before.columns)[::-1])
    pd.testing.assert_frame_equal(reordered[before.columns], before)


@given(seed=st.integers(0, 2**32 - 1), first=st.integers(0, 500), n=st.integers(1, 50))
@settings(max_examples=30, deadline=None)
def test_parameter_normals_of_a_chunk_equal_those_of_the_whole_run(seed, first, n) -> None:
    whole = parameter_normals(seed, "cytokine_3_half_life", 0, first + n)
    np.testing.assert_array_equal(
        parameter_normals(seed, "cytokine_3_half_life", first, n), whole[first:]
    )
    assert np.isfinite(whole).all()


def test_parameter_normals_are_standard_normal() -> None:
    z = parameter_normals(2, "any", 0, 20_000)
    assert stats.kstest(z, "norm").pvalue > 0.001
    other = parameter_normals(2, "other", 0, 20_000)
    assert abs(np.corrcoef(z, other)[0, 1]) < 0.03  # names give independent streams


def test_patient_rng_matches_seed_sequence_spawn() -> None:
    children = np.random.SeedSequence(9).spawn(1)[0].spawn(4)  # stream 0, patients 0..3
    for patient, child in enumerate(children):
        expected = np.random.default_rng(child).random(3)
        np.testing.assert_array_equal(patient_rng(9, patient).random(3), expected)


# -- determinism -------------------------------------------------------------------------


def test_result_shape_and_status(baseline: Any, parameters: pd.DataFrame) -> None:
    data = baseline.trajectories
    assert set(data.data_vars) == set(OUTPUTS)
    assert data["cell_0"].shape == (N, len(baseline.times))
    assert baseline.n_failed == 0
    assert baseline.status["ok"].all()
    np.testing.assert_array_equal(baseline.status.index, parameters.index)
    # Patients differ from one another (parameters and missed doses both matter).
    assert np.unique(data["adalimumab_central"].values[:, -1]).size == N


@pytest.mark.parametrize(("workers", "chunk_size"), [(1, 1), (1, 5), (2, None), (2, 5), (3, 2)])
def test_bitwise_identical_across_workers_and_chunks(
    model: Model,
    parameters: pd.DataFrame,
    baseline: Any,
    workers: int,
    chunk_size: int | None,
) -> None:
    result = run(model, parameters, workers=workers, chunk_size=chunk_size)
    assert_identical(result.trajectories, baseline.trajectories)


def test_another_seed_changes_the_schedules(
    model: Model, parameters: pd.DataFrame, baseline: Any
) -> None:
    other = run(model, parameters, workers=1, seed=6)
    assert not np.array_equal(
        other.trajectories["adalimumab_central"].values,
        baseline.trajectories["adalimumab_central"].values,
    )


# -- failures ----------------------------------------------------------------------------


def test_failing_patients_are_recorded_and_the_others_succeed(
    model: Model, parameters: pd.DataFrame, baseline: Any
) -> None:
    broken = parameters.copy()
    # A negative production rate drives the population below zero...
    broken.loc[3, "cell_0_source"] = -5.0
    # ...and a strongly negative one crashes it within days (negative, or CVODE gives up first).
    broken.loc[8, "cell_0_source"] = -500.0
    result = run(model, broken, workers=2, chunk_size=4)
    assert result.n_failed == 2
    assert list(result.status.index[~result.status["ok"]]) == [3, 8]
    assert "cell_0 is negative" in result.status.loc[3, "reason"]
    reason = result.status.loc[8, "reason"]
    assert "cell_0 is negative" in reason or "solver failed" in reason
    assert (result.status.loc[result.status["ok"], "reason"] == "").all()
    for failed in (3, 8):
        assert np.isnan(result.trajectories["cell_0"].sel(patient_id=failed).values).all()
    others = [i for i in parameters.index if i not in (3, 8)]
    assert_identical(
        result.trajectories.sel(patient_id=others), baseline.trajectories.sel(patient_id=others)
    )


def test_unknown_names_fail_once_up_front(model: Model, parameters: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match="no_such_output"):
        run_population(model, parameters, until=UNTIL, outputs=["no_such_output"], workers=1)
    with pytest.raises(ModelError, match="no_such_parameter"):
        run_population(
            model, parameters.assign(no_such_parameter=1.0), until=UNTIL, outputs=OUTPUTS
        )


# -- streaming and resuming --------------------------------------------------------------


def streamed_frame(result: Any) -> pd.DataFrame:
    return result.to_dataframe().sort_values(["patient_id", "time"]).reset_index(drop=True)


def test_stream_to_parquet_and_resume_after_a_crash(
    model: Model, parameters: pd.DataFrame, baseline: Any, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    first = run(model, parameters, workers=1, chunk_size=3, out_dir=out)
    assert first.trajectories is None
    assert first.metadata["chunks"] == 4
    chunk_files = sorted((out / "trajectories").glob("chunk-*.parquet"))
    assert len(chunk_files) == 4
    assert len(list((out / "patients").glob("chunk-*.parquet"))) == 4
    expected = baseline.to_dataframe().sort_values(["patient_id", "time"]).reset_index(drop=True)
    streamed = streamed_frame(first)
    pd.testing.assert_frame_equal(streamed[expected.columns], expected, check_dtype=False)
    assert_identical(first.to_xarray()[OUTPUTS], baseline.trajectories)

    # Simulate a crash while chunk 2 was being written: its completion marker is missing.
    stamps = {p.name: p.stat().st_mtime_ns for p in chunk_files}
    (out / "patients" / "chunk-000002.parquet").unlink()
    resumed = run(model, parameters, workers=2, out_dir=out)  # chunk size comes from run.json
    assert resumed.resumed_chunks == 3
    after = {p.name: p.stat().st_mtime_ns for p in (out / "trajectories").glob("chunk-*")}
    recomputed = sorted(name for name in after if after[name] != stamps[name])
    assert recomputed == ["chunk-000002.parquet"]
    pd.testing.assert_frame_equal(streamed_frame(resumed), streamed)
    pd.testing.assert_frame_equal(resumed.status, first.status)
    assert not list(out.rglob("*.tmp"))

    # A finished run resumes to a no-op.
    again = run(model, parameters, workers=1, out_dir=out)
    assert again.resumed_chunks == 4


def test_a_different_run_into_the_same_folder_is_refused(
    model: Model, parameters: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    small = parameters.iloc[:4]
    run(model, small, workers=1, out_dir=out)
    with pytest.raises(SpecError, match="different run"):
        run(model, small * 1.01, workers=1, out_dir=out)
    with pytest.raises(SpecError, match="different run"):
        run(model, small, workers=1, out_dir=out, seed=99)


# -- executors ---------------------------------------------------------------------------


class RecordingExecutor(Executor):
    """A thread executor that records how many chunks it was given."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        self.submitted += 1
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, **kwargs: Any) -> None:
        self.pool.shutdown(wait=wait)


def test_any_executor_works(model: Model, parameters: pd.DataFrame, baseline: Any) -> None:
    executor = RecordingExecutor()
    try:
        result = run(model, parameters, executor=executor, chunk_size=4)
    finally:
        executor.shutdown()
    assert executor.submitted == 3
    assert_identical(result.trajectories, baseline.trajectories)


@pytest.mark.slow
def test_dask_local_cluster_equals_local_run(
    model: Model, parameters: pd.DataFrame, baseline: Any
) -> None:
    import distributed  # a dev dependency: a missing install fails here rather than skips

    with warnings.catch_warnings():
        # Cluster start-up may warn about ports or resources; the results are what we test.
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    try:
        result = run(model, parameters, executor=client.get_executor(), chunk_size=4)
        workers_used = len(client.scheduler_info()["workers"])
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client.close()
            cluster.close()
    assert workers_used == 2
    assert_identical(result.trajectories, baseline.trajectories)
