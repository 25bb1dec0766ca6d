"""Getting a compiled model: compiling it, loading it from the cache, and other JIT backends.

Every worker process solves with its own compiled copy of each model, and a test run or
a day of trials asks for hundreds. ``immunetwin._model_cache`` compiles each model once
per machine and loads it afterwards. This benchmark measures, each in a fresh process,
on the ARMADA trial model (RA on the shared immune model, adalimumab + methotrexate):

(a) compiling with libRoadRunner's default JIT (MCJIT), as the engine does the first
    time, and saving it to an empty cache;
(b) loading that compiled model from the cache, as every later process does;
(c) compiling with LLJIT at optimisation levels 0 and 2 (other ways to compile faster).

Each solves the same screening candidates with their weekly methotrexate doses; the
table gives time to a usable model and solve time as ratios against (a) and whether
the outputs are bit-identical to (a)'s.

Run ``python benchmarks/compile.py`` (about two minutes).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import roadrunner

from immunetwin._model_cache import CACHE_ENV
from immunetwin.diseases import DISEASES
from immunetwin.diseases.population import sample_disease_patients
from immunetwin.engine import Simulator
from immunetwin.trials import load_spec
from immunetwin.trials.calibration import SPECS
from immunetwin.trials.run import _output_times, _schedules, _weights, trial_model

# label: (JIT backend, LLJIT optimisation level, use the cache)
BACKENDS = {
    "(a) MCJIT compile + save": (roadrunner.Config.MCJIT, 0, True),
    "(b) load from the cache": (roadrunner.Config.MCJIT, 0, True),
    "(c) LLJIT -O0 compile": (roadrunner.Config.LLJIT, 0, False),
    "(c) LLJIT -O2 compile": (roadrunner.Config.LLJIT, 2, False),
}


def solve_with(
    backend: int, level: int, patients: int, repeats: int
) -> tuple[float, float, np.ndarray]:
    """Compile and solve under one backend (in a fresh process: the JIT is set up once)."""
    config = roadrunner.Config
    config.setValue(config.LLVM_BACKEND, backend)
    config.setValue(config.LLJIT_OPTIMIZATION_LEVEL, level)
    spec = load_spec(SPECS / "armada.toml", {"seed": 3, "patients": patients})
    disease = DISEASES[spec.disease]
    model = trial_model(spec)
    enrolment_day = spec.screening.history_days or disease.enrolment_day
    table, parameters = sample_disease_patients(disease, patients, spec.seed, model=model)
    table["weight_kg"] = _weights(spec, table, spec.seed)
    parameters["body_weight"] = table["weight_kg"]
    parameters["sex_female"] = (table["sex"] == "female").astype(float)
    parameters = parameters[[c for c in parameters.columns if model.kind_of(c) is not None]]
    schedules = _schedules(spec, disease, table, enrolment_day, None, spec.seed)
    times = _output_times(disease, enrolment_day)
    outputs = list(disease.outputs)
    start = time.perf_counter()
    simulator = Simulator(model)
    model_s = time.perf_counter() - start
    indices = simulator.parameter_indices(list(parameters.columns))
    solve_s = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        result = np.stack(
            [
                simulator.run(times, outputs, indices, parameters.iloc[i].to_numpy(float), s)
                for i, s in enumerate(schedules)
            ]
        )
        solve_s = min(solve_s, time.perf_counter() - start)
    return model_s, solve_s, result


def _worker(label: str, patients: int, repeats: int, folder: str) -> None:
    backend, level, cached = BACKENDS[label]
    os.environ[CACHE_ENV] = str(Path(folder) / "models") if cached else "off"
    model_s, solve_s, result = solve_with(backend, level, patients, repeats)
    np.save(Path(folder) / f"{list(BACKENDS).index(label)}.npy", result)
    (Path(folder) / f"{list(BACKENDS).index(label)}.json").write_text(
        json.dumps({"model_s": model_s, "solve_s": solve_s})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=6, help="candidates solved per backend")
    parser.add_argument("--repeats", type=int, default=2, help="solves per backend (best kept)")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for i, label in enumerate(BACKENDS):
            process = context.Process(
                target=_worker, args=(label, args.patients, args.repeats, folder)
            )
            process.start()
            process.join()
            if process.exitcode != 0:
                raise SystemExit(f"{label}: the benchmark process failed (exit {process.exitcode})")
            timing = json.loads((Path(folder) / f"{i}.json").read_text())
            rows.append(
                (label, timing["model_s"], timing["solve_s"], np.load(Path(folder) / f"{i}.npy"))
            )

    print(f"{platform.processor() or platform.machine()}, libRoadRunner {roadrunner.__version__}")
    print(f"ARMADA trial model; {args.patients} RA candidates with their doses, 182 days")
    reference, base_model, base_solve = rows[0][3], rows[0][1], rows[0][2]
    print(f"{'backend':32} {'model s':>10} {'ratio':>6} {'solve s':>8} {'ratio':>6}  identical")
    for label, model_s, solve_s, result in rows:
        deviation = float(np.max(np.abs(result - reference) / (np.abs(reference) + 1e-300)))
        same = "yes" if np.array_equal(result, reference) else f"no (max rel. diff {deviation:.1e})"
        print(
            f"{label:32} {model_s:10.2f} {model_s / base_model:6.2f} "
            f"{solve_s:8.2f} {solve_s / base_solve:6.2f}  {same}"
        )


if __name__ == "__main__":
    main()
