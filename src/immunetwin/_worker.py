"""What a worker process runs: solve one chunk of patients.

Kept apart from :mod:`immunetwin.population` so that worker processes import
only NumPy and the engine (libRoadRunner), not pandas, xarray or pyarrow: a
worker then holds ~100 MB instead of ~300 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from immunetwin._errors import ImmuneTwinError
from immunetwin.engine import Schedule, SimulationOptions, compiled

__all__ = ["Chunk", "ChunkResult", "solve_chunk"]


@dataclass(frozen=True)
class Chunk:
    """A batch of patients shipped to a worker.

    Attributes:
        index: Position of the chunk in the run (names its output files).
        sbml: The model, as SBML text (compiled once per worker process).
        key: Digest of ``sbml``, the compiled-model cache key.
        options: Solver settings.
        parameter_names: Parameters set per patient, in column order of ``values``.
        patient_ids: Patient ids, one per row of ``values``.
        values: Parameter values, shape (patients, parameters), in declared units.
        schedules: One schedule (or None) per patient.
        times: Output times in days.
        outputs: Output names.
    """

    index: int
    sbml: str
    key: str
    options: SimulationOptions
    parameter_names: tuple[str, ...]
    patient_ids: np.ndarray
    values: np.ndarray
    schedules: tuple[Schedule | None, ...]
    times: np.ndarray
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class ChunkResult:
    """A solved chunk.

    Attributes:
        index: The chunk's position.
        patient_ids: Patient ids.
        values: Shape (patients, times, outputs); NaN rows for failed patients.
        ok: Whether each patient's solve succeeded.
        reasons: Failure reason per patient ("" when ok).
    """

    index: int
    patient_ids: np.ndarray
    values: np.ndarray
    ok: np.ndarray
    reasons: tuple[str, ...]


def solve_chunk(chunk: Chunk) -> ChunkResult:
    """Solve every patient of a chunk; a failure is recorded, never raised."""
    simulator = compiled(chunk.sbml, chunk.options, chunk.key)
    indices = simulator.parameter_indices(chunk.parameter_names)
    n = len(chunk.patient_ids)
    out = np.full((n, len(chunk.times), len(chunk.outputs)), np.nan)
    ok = np.zeros(n, dtype=bool)
    reasons = []
    for row in range(n):
        try:
            out[row] = simulator.run(
                chunk.times, chunk.outputs, indices, chunk.values[row], chunk.schedules[row]
            )
            ok[row] = True
            reasons.append("")
        except ImmuneTwinError as err:
            reasons.append(str(err))
        except Exception as err:  # a solver crash must not take the run down
            reasons.append(f"{type(err).__name__}: {err}")
    return ChunkResult(chunk.index, chunk.patient_ids, out, ok, tuple(reasons))
