"""Virtual populations: sample parameters, then simulate patients in chunks over an Executor.

Reproducibility: patient ``i`` of a run with seed ``s`` draws its random numbers
from ``numpy.random.SeedSequence(s, spawn_key=(stream, i))`` (what
``SeedSequence(s).spawn`` yields), and every patient is solved from a fresh
reset of the compiled model, so results are identical whatever the number of
workers or the chunk size.

Scale: chunks are submitted a few at a time and, when ``out_dir`` is given,
written to Parquet as they finish (one file per chunk, atomically), so a
million-patient run never holds all trajectories in memory. A rerun with the
same ``out_dir`` resumes: finished chunks are kept, the rest are solved.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xarray as xr
from scipy.special import ndtri

from immunetwin._errors import ModelError, SpecError
from immunetwin._io import atomic_write, atomic_write_text
from immunetwin._worker import Chunk, ChunkResult, solve_chunk
from immunetwin.declaration import Model, Normal
from immunetwin.engine import (
    Schedule,
    SimulationOptions,
    check_names,
    output_grid,
    sbml_key,
    with_declared_tolerances,
)
from immunetwin.sbml import to_sbml

__all__ = [
    "PopulationResult",
    "keyed_generator",
    "parameter_normals",
    "patient_rng",
    "run_population",
    "sample_parameters",
]

PARAMETER_STREAM = 0
SCHEDULE_STREAM = 1

ScheduleSource = Sequence[Schedule] | Callable[[int, np.random.Generator], Schedule] | None


def patient_rng(seed: int, patient: int, stream: int = PARAMETER_STREAM) -> np.random.Generator:
    """The random generator of one patient for one purpose (parameters, schedules...).

    Equal to ``SeedSequence(seed).spawn`` children, addressed directly so any
    worker can build patient ``patient``'s generator without the others.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream, patient)))


def keyed_generator(rng: np.random.Generator, *key: int) -> np.random.Generator | None:
    """A generator whose seed sequence is ``rng``'s with ``key`` appended to its spawn key.

    ``rng`` is not advanced, and the same ``rng`` (the same patient and stream) and key
    always give the same draws: a readout drawn from it reads the same at every call.
    None when ``rng`` has no seed sequence to derive from.
    """
    seed_seq = rng.bit_generator.seed_seq
    if not isinstance(seed_seq, np.random.SeedSequence):
        return None
    child = np.random.SeedSequence(
        seed_seq.entropy, spawn_key=(*seed_seq.spawn_key, *key), pool_size=seed_seq.pool_size
    )
    return np.random.default_rng(child)


def _name_key(name: str) -> int:
    """A stable 64-bit integer for a parameter name (the same on every machine and run)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def parameter_normals(seed: int, name: str, first_patient: int, n: int) -> np.ndarray:
    """Standard normals of patients ``first_patient .. first_patient + n - 1`` for ``name``.

    One generator per (seed, parameter name); patient i gets its i-th 53-bit draw,
    mapped through the normal quantile function (so one draw per patient, whatever
    the value, and a chunk of patients reads the same values as the whole run).
    """
    sequence = np.random.SeedSequence(seed, spawn_key=(PARAMETER_STREAM, _name_key(name)))
    bits = np.random.PCG64(sequence)
    bits.advance(first_patient)  # one 64-bit output per step: a jump, not a loop
    raw = bits.random_raw(n)
    uniform = ((raw >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
    return np.asarray(ndtri(uniform), dtype=float)


def sample_parameters(
    model: Model,
    n: int,
    seed: int,
    names: Sequence[str] | None = None,
    first_patient: int = 0,
) -> pd.DataFrame:
    """Draw each patient's parameters from the declared inter-individual variability.

    Args:
        model: The model whose parameters carry ``variability``.
        n: Number of patients.
        seed: Run seed.
        names: Parameters to sample; default all that declare variability.
        first_patient: Id of the first patient (patient ids are first_patient..+n-1).

    Returns:
        A DataFrame indexed by ``patient_id`` with one column per parameter, in
        the parameters' units.
    """
    if n < 0:
        raise SpecError(f"number of patients must be >= 0, got {n}")
    chosen = [p for p in model.parameters if p.variability is not None]
    if names is not None:
        by_name = {p.name: p for p in model.parameters}
        unknown = [x for x in names if x not in by_name]
        if unknown:
            raise ModelError(f"unknown parameter {unknown[0]!r} in model {model.name!r}")
        chosen = [by_name[x] for x in names]
    # Each parameter's standard normals come from a generator keyed by its name, and
    # patient i reads the i-th: so a patient's value of a parameter depends neither on
    # n, nor on which other parameters vary, nor on their order. Adding a variable
    # parameter to the model leaves every other draw of every patient unchanged.
    z = np.empty((n, len(chosen)))
    for col, parameter in enumerate(chosen):
        z[:, col] = parameter_normals(seed, parameter.name, first_patient, n)
    values = np.empty_like(z)
    for col, parameter in enumerate(chosen):
        variability = parameter.variability
        if variability is None:
            values[:, col] = parameter.value
        else:
            values[:, col] = variability.draw(parameter.value, z[:, col])
    for col, parameter in enumerate(chosen):
        variability = parameter.variability
        if not isinstance(variability, Normal):
            continue
        outside = ~((values[:, col] >= variability.low) & (values[:, col] <= variability.high))
        for row in np.flatnonzero(outside).tolist():
            # Redraw from a generator of this patient and parameter.
            rng = np.random.default_rng(
                np.random.SeedSequence(
                    seed,
                    spawn_key=(PARAMETER_STREAM, first_patient + row, _name_key(parameter.name)),
                )
            )
            for _ in range(1000):
                draw = parameter.value + variability.sd * rng.standard_normal()
                if variability.low <= draw <= variability.high:
                    values[row, col] = draw
                    break
            else:
                raise ModelError(f"cannot sample {parameter.name!r} inside its bounds")
    index = pd.RangeIndex(first_patient, first_patient + n, name="patient_id")
    return pd.DataFrame(values, index=index, columns=[p.name for p in chosen])


# -- results -----------------------------------------------------------------------------


@dataclass
class PopulationResult:
    """The outcome of a population run.

    Attributes:
        status: One row per patient (index ``patient_id``): ``ok`` and the failure ``reason``.
        times: Output times in days.
        outputs: Output names.
        trajectories: In-memory results (dims ``patient_id``, ``time``) when no
            ``out_dir`` was given; None when results were streamed to disk.
        out_dir: Where results were written, if anywhere.
    """

    status: pd.DataFrame
    times: np.ndarray
    outputs: list[str]
    trajectories: xr.Dataset | None = None
    out_dir: Path | None = None
    resumed_chunks: int = 0
    metadata: dict = field(default_factory=dict)

    @property
    def n_failed(self) -> int:
        """Number of patients whose solve failed."""
        return int((~self.status["ok"]).sum())

    def to_dataframe(self) -> pd.DataFrame:
        """Long-wide table: one row per (patient, time), one column per output."""
        if self.trajectories is not None:
            frame = self.trajectories.to_dataframe()
            return frame.reset_index()
        assert self.out_dir is not None
        return pd.read_parquet(self.out_dir / "trajectories")

    def quantiles(self, output: str, levels: Sequence[float]) -> pd.DataFrame:
        """Quantiles of one output across patients at each time (failed patients excluded).

        Streamed runs read only that output's column from disk, so the summary of a
        large run needs memory for one column, not for every trajectory.

        Returns:
            A DataFrame indexed by time, one column per level.
        """
        if self.trajectories is not None:
            values = self.trajectories[output]
            frame = values.quantile(list(levels), dim="patient_id", skipna=True).to_pandas()
            return pd.DataFrame(frame).T.rename_axis("time").rename_axis(None, axis=1)
        assert self.out_dir is not None
        column = pd.read_parquet(self.out_dir / "trajectories", columns=["time", output])
        grouped = column.groupby("time")[output].quantile(np.asarray(levels)).unstack()
        return pd.DataFrame(grouped).rename_axis("time").rename_axis(None, axis=1)

    def to_xarray(self) -> xr.Dataset:
        """Results as an xarray Dataset (loads from disk when streamed)."""
        if self.trajectories is not None:
            return self.trajectories
        frame = self.to_dataframe().set_index(["patient_id", "time"]).sort_index()
        return frame.to_xarray()


# -- the runner --------------------------------------------------------------------------


def _default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def local_executor(workers: int) -> Executor:
    """A process pool whose workers fork from a server that has ImmuneTwin imported."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["immunetwin._worker"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


CHUNK_RESULT_BYTES = 4_000_000


def _default_chunk_size(n: int, values_per_patient: int) -> int:
    """Patients per chunk when the user sets none.

    About 64 chunks (enough to balance 16 workers), each at most 2,000 patients and
    ~4 MB of results, so the chunks in flight stay small whatever the outputs.
    """
    by_memory = CHUNK_RESULT_BYTES // (8 * max(1, values_per_patient))
    return max(1, min(2000, by_memory, math.ceil(n / 64)))


def _stored_chunk_size(out: Path | None) -> int | None:
    manifest = out / "run.json" if out is not None else None
    if manifest is None or not manifest.exists():
        return None
    return int(json.loads(manifest.read_text())["chunk_size"])


def _fingerprint(parts: dict) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def run_population(
    model: Model | str,
    parameters: pd.DataFrame,
    until: float,
    outputs: Sequence[str],
    output_times: Sequence[float] | np.ndarray | None = None,
    schedules: ScheduleSource = None,
    seed: int = 0,
    executor: Executor | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    out_dir: str | Path | None = None,
    options: SimulationOptions | None = None,
    progress: bool = False,
) -> PopulationResult:
    """Simulate a virtual population.

    Args:
        model: A declared model or SBML text.
        parameters: One row per patient (index = patient id), one column per
            parameter to set; other parameters keep their declared values.
        until: End time in days.
        outputs: Species, rules or parameters to record.
        output_times: Record times in days (default: weekly).
        schedules: Per-patient schedules: a sequence aligned with ``parameters``
            rows, or a function ``(patient_id, rng) -> Schedule`` called with the
            patient's own schedule generator, or None.
        seed: Seed for schedule generators.
        executor: Any ``concurrent.futures.Executor`` (e.g. a Dask client's
            ``get_executor()``); default a local process pool.
        workers: Local worker processes when no executor is given (default all
            cores; 1 runs in this process). With an executor, chunks in flight
            are ``2 * workers + 2`` (default 32).
        chunk_size: Patients per task (default: about 64 tasks of at most 2,000
            patients and ~4 MB of results; a resumed run keeps its stored size).
        out_dir: Stream results to Parquet here (resumable); default in memory.
        options: Solver settings.
        progress: Show a progress bar.
    """
    options = options or SimulationOptions()
    if isinstance(model, Model):
        # Workers get SBML text: the tolerances the species declare travel in the options.
        options = with_declared_tolerances(model, options)
    sbml = to_sbml(model) if isinstance(model, Model) else model
    key = sbml_key(sbml)
    times = output_grid(
        until, output_times if output_times is not None else np.arange(0, until, 7.0)
    )
    outputs = tuple(outputs)
    n = len(parameters)
    if schedules is not None and not callable(schedules) and len(schedules) != n:
        raise SpecError(f"got {len(schedules)} schedules for {n} patients")
    # Validate names once, here, so a typo is one clear error rather than N failed patients.
    check_names(sbml, list(parameters.columns), outputs)
    n_workers = workers or _default_workers()
    if executor is None and n_workers < 1:
        raise SpecError(f"workers must be >= 1, got {workers}")
    if chunk_size is not None and chunk_size < 1:
        raise SpecError(f"chunk size must be >= 1, got {chunk_size}")
    out_path = Path(out_dir) if out_dir is not None else None
    # The default depends on n only (never on the workers), so a run resumed
    # with other workers, or on a cluster, cuts the same chunks.
    size = (
        chunk_size
        or _stored_chunk_size(out_path)
        or _default_chunk_size(n, len(times) * len(outputs))
    )
    n_chunks = math.ceil(n / size) if n else 0
    values = parameters.to_numpy(dtype=float)
    ids = parameters.index.to_numpy()
    done: set[int] = set()
    if out_path is not None:
        done = _prepare_out_dir(
            out_path,
            {
                "sbml": key,
                "parameters": _frame_digest(parameters),
                "times": times.tolist(),
                "outputs": list(outputs),
                "chunk_size": size,
                "seed": seed,
                "schedules": "callable" if callable(schedules) else _schedules_digest(schedules),
            },
        )

    def chunks() -> Iterator[Chunk]:
        for c in range(n_chunks):
            if c in done:
                continue
            rows = slice(c * size, min(n, (c + 1) * size))
            chunk_ids = ids[rows]
            chunk_schedules: tuple[Schedule | None, ...]
            if callable(schedules):
                chunk_schedules = tuple(
                    schedules(int(pid), patient_rng(seed, int(pid), SCHEDULE_STREAM))
                    for pid in chunk_ids
                )
            elif schedules is not None:
                chunk_schedules = tuple(schedules[rows])
            else:
                chunk_schedules = (None,) * len(chunk_ids)
            yield Chunk(
                c,
                sbml,
                key,
                options,
                tuple(parameters.columns),
                chunk_ids,
                values[rows],
                chunk_schedules,
                times,
                outputs,
            )

    results: dict[int, ChunkResult] = {}
    bar = _progress_bar(n, progress)
    if done:
        bar.update(sum(min(size, n - c * size) for c in done))

    def collect(result: ChunkResult) -> None:
        if out_path is not None:
            _write_chunk(out_path, result, times, outputs, list(parameters.columns), values, size)
            results[result.index] = ChunkResult(
                result.index, result.patient_ids, np.empty((0, 0, 0)), result.ok, result.reasons
            )
        else:
            results[result.index] = result
        bar.update(len(result.patient_ids))

    try:
        if executor is None and n_workers == 1:
            for chunk in chunks():
                collect(solve_chunk(chunk))
        else:
            own = executor is None
            pool = local_executor(n_workers) if own else executor
            assert pool is not None
            try:
                # A cluster gets more chunks in flight than two local processes need.
                in_flight = 2 * n_workers + 2 if own or workers else 32
                _drain(pool, chunks(), collect, max_in_flight=in_flight)
            finally:
                if own:
                    pool.shutdown()
    finally:
        bar.close()

    status = _status(results, out_path, done, ids)
    trajectories = None
    if out_path is None:
        ordered = [results[c] for c in range(n_chunks)]
        data = (
            np.concatenate([r.values for r in ordered])
            if ordered
            else np.empty((0, len(times), len(outputs)))
        )
        trajectories = xr.Dataset(
            {name: (("patient_id", "time"), data[:, :, k]) for k, name in enumerate(outputs)},
            coords={"patient_id": ids, "time": times},
        )
    return PopulationResult(
        status=status,
        times=times,
        outputs=list(outputs),
        trajectories=trajectories,
        out_dir=out_path,
        resumed_chunks=len(done),
        metadata={"seed": seed, "chunk_size": size, "chunks": n_chunks},
    )


def _drain(
    pool: Executor,
    chunks: Iterator[Chunk],
    collect: Callable[[ChunkResult], None],
    max_in_flight: int,
) -> None:
    """Keep a bounded number of chunks in flight; collect each as it finishes."""
    pending: set[Future] = set()
    for chunk in chunks:
        pending.add(pool.submit(solve_chunk, chunk))
        if len(pending) >= max_in_flight:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                collect(future.result())
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            collect(future.result())


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="patient", desc="simulating", leave=False)


# -- streaming to disk -------------------------------------------------------------------


def _frame_digest(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(np.ascontiguousarray(frame.index.to_numpy(dtype=np.int64)).tobytes())
    digest.update(np.ascontiguousarray(frame.to_numpy(dtype=float)).tobytes())
    return digest.hexdigest()[:16]


def _schedules_digest(schedules: Sequence[Schedule] | None) -> str:
    if schedules is None:
        return "none"
    return hashlib.sha256(repr(list(schedules)).encode()).hexdigest()[:16]


def _prepare_out_dir(out: Path, identity: dict) -> set[int]:
    """Create or reopen an output folder; return the chunks already finished."""
    manifest = out / "run.json"
    fingerprint = _fingerprint(identity)
    if manifest.exists():
        previous = json.loads(manifest.read_text())
        if previous.get("fingerprint") != fingerprint:
            raise SpecError(
                f"output folder {out} holds a different run: use another --out, or delete it"
            )
    else:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(manifest, json.dumps({"fingerprint": fingerprint, **identity}, indent=1))
    finished = set()
    for path in (out / "patients").glob("chunk-*.parquet"):
        c = int(path.stem.split("-")[1])
        if (out / "trajectories" / path.name).exists():
            finished.add(c)
    return finished


def _write_chunk(
    out: Path,
    result: ChunkResult,
    times: np.ndarray,
    outputs: Sequence[str],
    parameter_names: Sequence[str],
    values: np.ndarray,
    size: int,
) -> None:
    n, t = len(result.patient_ids), len(times)
    columns: dict[str, np.ndarray] = {
        "patient_id": np.repeat(result.patient_ids.astype(np.int64), t),
        "time": np.tile(times, n),
    }
    for k, name in enumerate(outputs):
        columns[name] = result.values[:, :, k].reshape(-1)
    name = f"chunk-{result.index:06d}.parquet"
    table = pa.table(columns)
    atomic_write(out / "trajectories" / name, lambda tmp: pq.write_table(table, tmp))
    rows = slice(result.index * size, result.index * size + n)
    patients: dict[str, object] = {
        "patient_id": result.patient_ids.astype(np.int64),
        "ok": result.ok,
        "reason": list(result.reasons),
    }
    for k, parameter in enumerate(parameter_names):
        patients[str(parameter)] = values[rows, k]
    patient_table = pa.table(patients)
    # Written last: its presence marks the chunk complete for a resumed run.
    atomic_write(out / "patients" / name, lambda tmp: pq.write_table(patient_table, tmp))


def _status(
    results: dict[int, ChunkResult], out: Path | None, done: set[int], ids: np.ndarray
) -> pd.DataFrame:
    frames = [
        pd.DataFrame({"patient_id": r.patient_ids, "ok": r.ok, "reason": list(r.reasons)})
        for r in results.values()
    ]
    if out is not None:
        for c in done:
            frame = pd.read_parquet(out / "patients" / f"chunk-{c:06d}.parquet")
            frames.append(frame[["patient_id", "ok", "reason"]])
    if not frames:
        return pd.DataFrame(
            {"ok": pd.Series(dtype=bool), "reason": pd.Series(dtype=str)},
            index=pd.Index(ids[:0], name="patient_id"),
        )
    status = pd.concat(frames).set_index("patient_id").sort_index()
    return status
