"""Patient-years per second: the population runner against a plain libRoadRunner loop and SciPy.

The model is ``stiff_benchmark`` (52 states: 25 cell populations, 25 cytokines with
minute half-lives, an SC drug depot and plasma concentration), one simulated year
with a 40 mg SC dose every week and weekly outputs, each patient with its own
parameters sampled from the declared variability. All engines use the same
tolerances (``SimulationOptions()`` defaults).

Side by side, in one run:

(a) a plain single-process libRoadRunner loop, the way one would write it by hand:
    the SBML with the 52 doses as SBML events; per patient ``resetAll``, set
    parameters, ``simulate``;
(b) SciPy ``solve_ivp(method="BDF")`` on the generated right-hand side
    (:mod:`immunetwin.reference`), on a handful of patients;
(c) :func:`immunetwin.population.run_population` with 1 and with N worker
    processes (segment-wise integration, doses as exact jumps);
(d) the same runner on the SBML with dose events instead of a schedule;
(e) as many independent plain loops as workers, side by side in separate processes:
    what the machine itself gives parallel CPU-bound work, the ceiling against which
    the runner's parallel overhead is measured.

Run ``python benchmarks/population.py`` (about 4 minutes on 2 cores);
``--memory`` streams 100,000 patients to disk instead and reports peak memory.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import libsbml
import numpy as np
import pandas as pd
import roadrunner

from immunetwin import Schedule, SimulationOptions, StateChange, to_sbml
from immunetwin.models.benchmark import stiff_benchmark_model
from immunetwin.population import run_population, sample_parameters
from immunetwin.reference import compile_reference

YEAR_D = 365.0
DOSE_MG = 40.0
DOSE_TIMES = np.arange(0.0, YEAR_D, 7.0)  # weekly, 53 doses in 365 days
OUTPUT_TIMES = np.append(np.arange(0.0, YEAR_D, 7.0), YEAR_D)  # weekly, and the last day
OUTPUTS = ["cell_0", "cell_12", "cell_24", "cytokine_0", "cytokine_12", "adalimumab_central"]
DEPOT = "adalimumab_depot"


@dataclass
class Row:
    engine: str
    patients: int
    seconds: float
    cpu_seconds: float | None = None  # this process only: meaningful for one-process engines

    @property
    def patient_years_per_s(self) -> float:
        return self.patients * (YEAR_D / 365.25) / self.seconds

    @property
    def cpu_ms_per_patient_year(self) -> float | None:
        if self.cpu_seconds is None:
            return None
        return 1e3 * self.cpu_seconds / (self.patients * YEAR_D / 365.25)


class Timer:
    """Wall-clock and this process's CPU time of a block."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def weekly_schedule() -> Schedule:
    return Schedule(tuple(StateChange(float(t), DEPOT, "add", DOSE_MG) for t in DOSE_TIMES))


def with_dose_events(sbml: str) -> str:
    """The same model with each dose as an SBML event (what a COPASI or Tellurium user writes)."""
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    for k, t in enumerate(DOSE_TIMES):
        event = model.createEvent()
        event.setId(f"dose_{k}")
        event.setUseValuesFromTriggerTime(True)
        trigger = event.createTrigger()
        trigger.setInitialValue(False)  # so the dose at time 0 fires at time 0
        trigger.setPersistent(True)
        trigger.setMath(libsbml.parseL3Formula(f"time >= {float(t)!r}"))
        assignment = event.createEventAssignment()
        assignment.setVariable(DEPOT)
        assignment.setMath(libsbml.parseL3Formula(f"{DEPOT} + {DOSE_MG!r}"))
    text = libsbml.writeSBMLToString(document)
    assert text.count("<event ") == len(DOSE_TIMES)
    return text


def plain_loop(sbml_with_events: str, parameters: pd.DataFrame, options: SimulationOptions):
    """(a): one RoadRunner, reset / set parameters / simulate per patient."""
    rr = roadrunner.RoadRunner(sbml_with_events)
    integrator = rr.getIntegrator()
    integrator.setValue("relative_tolerance", options.rtol)
    integrator.setValue("absolute_tolerance", options.atol)
    integrator.setValue("maximum_num_steps", options.max_steps)
    integrator.setValue("stiff", True)
    ids = list(rr.model.getGlobalParameterIds())
    index = np.array([ids.index(c) for c in parameters.columns], dtype=np.int32)
    values = parameters.to_numpy(dtype=float)
    selections = ["time", *(f"[{o}]" for o in OUTPUTS)]
    results = np.empty((len(values), len(OUTPUT_TIMES), len(OUTPUTS)))
    with Timer() as timer:
        for row in range(len(values)):
            rr.resetAll()
            rr.model.setGlobalParameterValues(index, values[row])
            output = rr.simulate(times=OUTPUT_TIMES, selections=selections)
            results[row] = np.asarray(output)[:, 1:]
    return timer, results


def _plain_loop_wall(args: tuple[str, pd.DataFrame, SimulationOptions]) -> float:
    timer, _ = plain_loop(*args)
    return timer.wall


def side_by_side_plain_loops(
    sbml_with_events: str, parameters: pd.DataFrame, options: SimulationOptions, copies: int
) -> float:
    """(e): ``copies`` independent plain loops at once, one per process; the slowest's wall time.

    No coordination at all, so their combined rate is what this machine gives
    ``copies`` CPU-bound processes (shared caches, memory bandwidth, a host that may
    not give every virtual core a full physical one): the runner's ceiling.
    """
    context = multiprocessing.get_context("forkserver")
    with context.Pool(copies) as pool:
        walls = pool.map(_plain_loop_wall, [(sbml_with_events, parameters, options)] * copies)
    return max(walls)


def scipy_bdf(parameters: pd.DataFrame, options: SimulationOptions):
    """(b): SciPy BDF on the generated Python right-hand side, patient by patient."""
    reference = compile_reference(stiff_benchmark_model())
    schedule = weekly_schedule()
    results = np.empty((len(parameters), len(OUTPUT_TIMES), len(OUTPUTS)))
    # BDF's trial steps can overshoot into NaN and be rejected; SciPy recovers, so stay quiet.
    warnings.simplefilter("ignore", RuntimeWarning)
    with Timer() as timer:
        for row, (_, values) in enumerate(parameters.iterrows()):
            frame = reference.solve(
                YEAR_D,
                output_times=OUTPUT_TIMES,
                parameters=values.to_dict(),
                schedule=schedule,
                method="BDF",
                rtol=options.rtol,
                atol=options.atol,
                outputs=OUTPUTS,
            )
            results[row] = frame.to_numpy()
    return timer, results


def runner(model, parameters: pd.DataFrame, workers: int, schedules, options: SimulationOptions):
    """(c), (d): the runner, timed end to end (pool start-up and compilation included)."""
    with Timer() as timer:
        result = run_population(
            model,
            parameters,
            until=YEAR_D,
            outputs=OUTPUTS,
            output_times=OUTPUT_TIMES,
            schedules=schedules,
            workers=workers,
            options=options,
        )
    assert result.n_failed == 0, result.status[~result.status["ok"]].head()
    data = np.stack([result.trajectories[o].values for o in OUTPUTS], axis=-1)
    return timer, data


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest difference relative to each output's range, after time 0."""
    scale = np.abs(b[:, 1:, :]).max(axis=(0, 1))
    return float((np.abs(a[:, 1:, :] - b[:, 1:, :]) / scale).max())


def speed(args: argparse.Namespace) -> None:
    options = SimulationOptions()
    model = stiff_benchmark_model()
    sbml = to_sbml(model)
    events_sbml = with_dose_events(sbml)
    parameters = sample_parameters(model, args.patients, seed=2024)
    schedules = [weekly_schedule()] * args.patients
    print(
        f"model: stiff_benchmark, {len(model.species)} states; one year, {len(DOSE_TIMES)} weekly "
        f"SC doses, {len(OUTPUT_TIMES)} weekly outputs of {len(OUTPUTS)} variables; "
        f"rtol {options.rtol:g}, atol {options.atol:g}"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, libRoadRunner {roadrunner.__version__}"
    )
    # Other work on the machine slows every engine and hides the parallel speed-up: say so.
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min)")
    rows: list[Row] = []

    plain_n = min(args.plain_patients, args.patients)
    timer, plain = plain_loop(events_sbml, parameters.iloc[:plain_n], options)
    rows.append(Row("(a) plain libRoadRunner loop, SBML events", plain_n, timer.wall, timer.cpu))

    wall = side_by_side_plain_loops(events_sbml, parameters.iloc[:plain_n], options, args.workers)
    ceiling = Row(
        f"(e) {args.workers} independent plain loops side by side", args.workers * plain_n, wall
    )

    timer, scipy = scipy_bdf(parameters.iloc[: args.scipy_patients], options)
    rows.append(Row("(b) SciPy solve_ivp BDF", args.scipy_patients, timer.wall, timer.cpu))

    timer, one = runner(model, parameters, 1, schedules, options)
    rows.append(Row("(c) run_population, workers=1", args.patients, timer.wall, timer.cpu))
    timer, many = runner(model, parameters, args.workers, schedules, options)
    rows.append(Row(f"(c) run_population, workers={args.workers}", args.patients, timer.wall))
    timer, _ = runner(events_sbml, parameters, 1, None, options)
    rows.append(
        Row("(d) run_population, SBML events, workers=1", args.patients, timer.wall, timer.cpu)
    )

    rows.append(ceiling)
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min, including this benchmark)")
    print()
    width = max(len(r.engine) for r in rows)
    header = "patients   wall s   pt-yr/s  ms/pt-yr  CPU ms/pt-yr"
    print(f"{'engine (1 process unless workers>1)':<{width}}  {header}")
    for r in rows:
        ms = 1e3 / r.patient_years_per_s
        cpu = "-" if r.cpu_ms_per_patient_year is None else f"{r.cpu_ms_per_patient_year:.2f}"
        print(
            f"{r.engine:<{width}}  {r.patients:>8}  {r.seconds:>7.2f}  "
            f"{r.patient_years_per_s:>8.1f}  {ms:>8.2f}  {cpu:>12}"
        )
    plain_rate = rows[0].patient_years_per_s
    scipy_rate = rows[1].patient_years_per_s
    one_rate, many_rate = rows[2].patient_years_per_s, rows[3].patient_years_per_s
    print()
    w = args.workers
    print(f"runner (workers={w}) / plain loop: {many_rate / plain_rate:6.2f}x  (target >= 1.8x)")
    print(f"runner (workers={w}) / SciPy BDF:  {many_rate / scipy_rate:6.1f}x  (target >= 50x)")
    print(f"runner (workers=1) / plain loop:  {one_rate / plain_rate:6.2f}x")
    print(
        f"parallel efficiency, workers={args.workers} vs 1: "
        f"{many_rate / (args.workers * one_rate):6.1%}"
    )
    machine = ceiling.patient_years_per_s / plain_rate
    print(f"machine scaling, {w} independent plain loops / one: {machine:6.2f}x (the ceiling)")
    print(
        f"runner parallel efficiency against that ceiling: "
        f"{many_rate / (one_rate * machine):6.1%}  (target >= 90%, i.e. overhead <= 10%)"
    )
    print(
        "runner CPU cost, schedule jumps / SBML events: "
        f"{rows[2].cpu_seconds / rows[4].cpu_seconds:6.2f}x (lower is better)"  # type: ignore[operator]
    )
    print(
        "plain loop CPU / runner (workers=1) CPU per patient: "
        f"{rows[0].cpu_ms_per_patient_year / rows[2].cpu_ms_per_patient_year:6.2f}x"  # type: ignore[operator]
    )
    print()
    print("agreement (max |difference| / output range, weekly outputs after time 0):")
    print(f"  runner workers=1 vs workers={args.workers}: {relative_difference(one, many):.1e}")
    print(f"  runner vs plain loop:  {relative_difference(many[:plain_n], plain):.1e}")
    n = args.scipy_patients
    print(f"  runner vs SciPy BDF:   {relative_difference(many[:n], scipy):.1e}")


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest waited-for child, MB.

    Pool workers are children of the forkserver, which is only waited for at exit, so
    they do not show up here: :class:`TreeMemory` samples the whole process tree.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree += frontier
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; PSS splits shared pages among their users."""
    values = {"Rss:": 0, "Pss:": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key = line.split()[0]
            if key in values:
                values[key] = int(line.split()[1])
    except OSError:
        pass
    return values["Rss:"], values["Pss:"]


class TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of this process and all its descendants."""

    def __init__(self, interval_s: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval_s = interval_s
        self.peak_rss_mb = self.peak_pss_mb = 0.0
        self.processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            pids = _descendants(os.getpid())
            rss, pss = map(sum, zip(*(_memory_kb(pid) for pid in pids), strict=True))
            self.peak_rss_mb = max(self.peak_rss_mb, rss / 1024)
            self.peak_pss_mb = max(self.peak_pss_mb, pss / 1024)
            self.processes = max(self.processes, len(pids))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def memory(args: argparse.Namespace) -> None:
    """Stream ``--patients`` patient-years with weekly outputs of every state to Parquet."""
    model = stiff_benchmark_model()
    n = args.patients
    # Every state held as a concentration (51 of 52; the SC depot is an amount). The engine reads
    # amount species one getValue call at a time (~20 ms more per patient with this output
    # grid), which would only slow this run down; memory is about the data volume.
    outputs = [s.name for s in model.species if model.unit_of(s.name).volume_exponent == -1]
    out_dir = Path(args.out_dir) if args.out_dir else Path(tempfile.mkdtemp(prefix="it-memory-"))
    if not args.resume:
        shutil.rmtree(out_dir, ignore_errors=True)
    print(
        f"{n} patients x 1 year, {len(OUTPUT_TIMES)} weekly outputs of {len(outputs)} states, "
        f"weekly doses, workers={args.workers}, streamed to {out_dir}"
    )
    sampler = TreeMemory()
    sampler.start()
    start = time.perf_counter()
    parameters = sample_parameters(model, n, seed=7)
    result = run_population(
        model,
        parameters,
        until=YEAR_D,
        outputs=outputs,
        output_times=OUTPUT_TIMES,
        schedules=lambda patient, rng: weekly_schedule(),
        workers=args.workers,
        out_dir=out_dir,
        progress=sys.stderr.isatty(),
    )
    seconds = time.perf_counter() - start
    sampler.stop()
    own, children = peak_rss_mb()
    size = sum(p.stat().st_size for p in out_dir.rglob("*.parquet")) / 2**20
    print(f"finished in {seconds:.0f} s ({n * YEAR_D / 365.25 / seconds:.0f} patient-years/s)")
    print(
        f"failed patients: {result.n_failed}; chunks: {result.metadata['chunks']}, "
        f"of which {result.resumed_chunks} were already on disk (resumed)"
    )
    print(f"values written: {n * len(OUTPUT_TIMES) * len(outputs):,} ({size:.0f} MiB of Parquet)")
    print(f"peak RSS of the main process (getrusage): {own:.0f} MB")
    print(f"peak RSS of waited-for children (getrusage): {children:.0f} MB")
    print(
        f"peak of the whole process tree ({sampler.processes} processes: main, forkserver, "
        f"resource tracker, {args.workers} workers), sampled every {sampler.interval_s} s: "
        f"RSS sum {sampler.peak_rss_mb:.0f} MB, PSS sum {sampler.peak_pss_mb:.0f} MB"
    )
    print("(RSS counts pages shared with the forkserver once per process; PSS splits them)")
    if not args.keep:
        shutil.rmtree(out_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=None, help="patients for the runner")
    parser.add_argument("--plain-patients", type=int, default=400, help="patients, plain loop")
    parser.add_argument("--scipy-patients", type=int, default=3, help="patients for SciPy")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--memory", action="store_true", help="peak-memory run (100,000 patients)")
    parser.add_argument("--out-dir", default=None, help="--memory: where to stream results")
    parser.add_argument("--keep", action="store_true", help="--memory: keep the results")
    parser.add_argument(
        "--resume", action="store_true", help="--memory: continue the run already in --out-dir"
    )
    args = parser.parse_args()
    if args.memory:
        args.patients = args.patients or 100_000
        memory(args)
    else:
        args.patients = args.patients or 2000
        speed(args)


if __name__ == "__main__":
    main()
