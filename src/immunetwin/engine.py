"""The solver engine: SBML compiled once by libRoadRunner (CVODE, LLVM JIT), reused per patient.

Per patient the engine resets the model, sets that patient's parameters and
integrates segment by segment between the times of its schedule (doses,
infections, life events), applying each change as an exact jump of state or
parameters. Observations that fall on a change time are taken before the
change (the pharmacometric trough convention).

``benchmarks/population.py`` measures this against dosing written as SBML
events; segment-wise integration was faster and is exact, so it is the default.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import math
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from xml.etree import ElementTree

import numpy as np
import roadrunner

from immunetwin._errors import ModelError, SimulationError
from immunetwin._model_cache import load_or_compile
from immunetwin.declaration import Model

if TYPE_CHECKING:
    import pandas as pd

# Worker processes import this module: pandas and libSBML (~200 MB between them) are
# imported only where needed, so a worker holds little beyond libRoadRunner.

__all__ = [
    "Schedule",
    "SimulationOptions",
    "Simulator",
    "StateChange",
    "compiled",
    "with_declared_tolerances",
]

# Solver failures are reported per patient; the C++ log would only repeat them on stderr.
roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)
# libRoadRunner 2.10 drops piecewise root-finding triggers from models it loads from its
# in-process cache, so a second instance of one SBML integrates differently: always compile.
roadrunner.Config.setValue(roadrunner.Config.LOADSBMLOPTIONS_RECOMPILE, True)

LOGGER = logging.getLogger(__name__)
# What SUNDIALS prints itself, e.g. "[WARNING][rank 0][.../cvodes.c:3528][CVode] ...".
_SUNDIALS_LINE = "[rank "


def _c_flush() -> Callable[[], object]:
    """``fflush(NULL)`` of the C library: empties every C stdio buffer into its fd."""
    try:
        fflush = ctypes.CDLL(None).fflush
    except (OSError, AttributeError):  # no C library handle (Windows): nothing to flush
        return lambda: None
    fflush.argtypes = [ctypes.c_void_p]
    return lambda: fflush(None)


class _NativeOutput:
    """Holds back what SUNDIALS prints on the process's standard output (fd 1).

    CVODE prints "t + h = t on the next step" up to ten times per restart when a
    jump (an infusion start, a flare trigger) makes its first step estimate tiny; it
    then carries on correctly. libRoadRunner's logger does not govern these lines
    and exposes no setting for them, and SUNDIALS writes them on C ``stdout``, so a
    trial of a thousand patients buried its own table under them. During
    integration fd 1 goes to a scratch file (C buffers flushed on both sides); its
    SUNDIALS lines go to this module's logger at DEBUG level (solver failures are
    recorded per patient anyway), anything else is written to ``sys.stderr``.
    Re-entrant across threads: the first to enter redirects, the last to leave restores.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None
        self._sink: Any = None
        self._flush = _c_flush()

    def __enter__(self) -> None:
        with self._lock:
            self._depth += 1
            if self._depth > 1:
                return
            saved = None
            try:
                if self._sink is None:
                    self._sink = tempfile.TemporaryFile()
                if sys.stdout is not None:
                    sys.stdout.flush()
                self._flush()
                saved = os.dup(1)
                os.dup2(self._sink.fileno(), 1)
                self._saved = saved
            except (OSError, ValueError):  # no usable fd 1 (some embedded interpreters)
                if saved is not None:
                    os.close(saved)
                self._saved = None

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth > 0 or self._saved is None:
                return
            self._flush()
            os.dup2(self._saved, 1)
            os.close(self._saved)
            self._saved = None
            sink = self._sink
            sink.seek(0)
            text = sink.read().decode(errors="replace")
            sink.seek(0)
            sink.truncate()
        for line in text.splitlines():
            if _SUNDIALS_LINE in line:
                LOGGER.debug("%s", line)
            elif line:
                print(line, file=sys.stderr)


_NATIVE_OUTPUT = _NativeOutput()

Operation = Literal["add", "set", "multiply"]
# A resolved state change: (kind, index, selection, op, operand).
_Jump = tuple[str, int, str, Operation, float]


def _operate(op: Operation, current: float, operand: float) -> float:
    if op == "add":
        return current + operand
    if op == "set":
        return operand
    return current * operand


@dataclass(frozen=True, order=True)
class StateChange:
    """A jump applied at ``time``: a dose, an infection inoculum, a parameter switch.

    Attributes:
        time: When, in days.
        target: Species (its concentration, or amount for amount species) or parameter.
        op: ``add``, ``set`` or ``multiply``.
        value: Operand, in the target's unit (dimensionless for ``multiply``).
    """

    time: float
    target: str
    op: Operation = "add"
    value: float = 0.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.time) or self.time < 0:
            raise ModelError(f"state change time must be a finite number >= 0, got {self.time!r}")
        if self.op not in ("add", "set", "multiply"):
            raise ModelError(f"state change op must be add, set or multiply, got {self.op!r}")
        if not math.isfinite(self.value):
            raise ModelError(f"state change value must be finite, got {self.value!r}")


@dataclass(frozen=True)
class Schedule:
    """A patient's timed changes, kept sorted by time (stable for equal times)."""

    changes: tuple[StateChange, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(sorted(self.changes, key=lambda c: c.time)))

    def __add__(self, other: Schedule) -> Schedule:
        return Schedule((*self.changes, *other.changes))

    @property
    def times(self) -> list[float]:
        """Distinct change times, ascending."""
        return sorted({c.time for c in self.changes})


@dataclass(frozen=True)
class SimulationOptions:
    """Solver settings shared by every patient of a run.

    Attributes:
        rtol: CVODE relative tolerance.
        atol: CVODE absolute tolerance, in each state's unit.
        max_steps: CVODE step limit per output interval.
        negative_tolerance: A species below ``-negative_tolerance * (1 + its peak so far)``
            marks the solve as failed (populations cannot be negative).
        underflow_floor: A species whose magnitude falls below this (in its unit, and
            not zero) is set to exactly zero at the next output or change time, and the
            solver restarts. A cleared infection decays towards double-precision
            underflow (1e-299 bacteria after months); there CVODE's corrector failed
            (CV_CONV_FAILURE) in 15 of 18 patients on daily prednisone. 1e-100 of any
            unit is nothing physically. 0 disables it.
        species_atol: ``(species, absolute tolerance)`` pairs that replace ``atol`` for
            those states, in each state's unit. (libRoadRunner applies ``atol`` to
            amounts and scales it by each state's initial amount where that is not
            zero; a tolerance given here is the state's own, not scaled.) A
            :class:`Simulator` built from a declared
            :class:`~immunetwin.declaration.Model` adds the tolerances its species
            declare (:func:`with_declared_tolerances`); pairs given here win.
    """

    rtol: float = 1e-6
    atol: float = 1e-12
    max_steps: int = 200_000
    negative_tolerance: float = 1e-6
    underflow_floor: float = 1e-100
    species_atol: tuple[tuple[str, float], ...] = ()


def with_declared_tolerances(model: Model, options: SimulationOptions) -> SimulationOptions:
    """``options`` plus the absolute tolerances ``model``'s species declare.

    Pairs already in ``options.species_atol`` win over declarations. The result is
    sorted by species, so the same model and options always give equal (and equally
    hashed) options: compiled simulators are shared by options.
    """
    declared = {
        s.name: float(s.absolute_tolerance)
        for s in model.species
        if s.absolute_tolerance is not None
    }
    declared.update(dict(options.species_atol))
    return replace(options, species_atol=tuple(sorted(declared.items())))


class Simulator:
    """One compiled model; simulate many patients by resetting and reusing it.

    Args:
        model: A declared model, SBML text, or a path to an SBML file.
        options: Solver settings.
    """

    def __init__(self, model: Model | str | Path, options: SimulationOptions | None = None):
        self.options = options or SimulationOptions()
        self.model = model if isinstance(model, Model) else None
        if self.model is not None:
            self.options = with_declared_tolerances(self.model, self.options)
        self.sbml = _sbml_text(model)
        try:
            # Compiled once per machine: later processes load the compiled model.
            self._rr = load_or_compile(self.sbml, roadrunner.RoadRunner)
        except RuntimeError as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else "unknown error"
            raise ModelError(f"libRoadRunner cannot load the model: {first}") from None
        integrator = self._rr.getIntegrator()
        integrator.setValue("relative_tolerance", self.options.rtol)
        integrator.setValue("absolute_tolerance", self.options.atol)
        integrator.setValue("maximum_num_steps", self.options.max_steps)
        integrator.setValue("stiff", True)
        m = self._rr.model
        self.species = list(m.getFloatingSpeciesIds())
        self._species_index = {s: i for i, s in enumerate(self.species)}
        # Boundary species changed by rate rules are state variables in many COPASI exports.
        self.boundary_species = list(m.getBoundarySpeciesIds())
        self._amount_species, self._compartment_of = _species_layout(self.sbml)
        self._set_species_tolerances()
        all_params = list(m.getGlobalParameterIds())
        rule_targets = set(self._rr.getAssignmentRuleIds())
        self.parameters = [p for p in all_params if p not in rule_targets]
        self._parameter_index = {p: all_params.index(p) for p in self.parameters}
        self.observables = [p for p in all_params if p in rule_targets]
        self._default_parameters = np.array(m.getGlobalParameterValues(), dtype=float)
        self._readers: dict[tuple[str, ...], Callable[[Any], np.ndarray]] = {}
        self._change_targets: dict[str, tuple[str, int, str]] = {}

    def _set_species_tolerances(self) -> None:
        """Apply ``options.species_atol``, given in each state's unit.

        CVODE integrates amounts: a concentration's tolerance is multiplied by its
        compartment's size (libRoadRunner does the same with ``atol``, which it also
        scales by each state's initial amount where that is not zero).
        """
        if not self.options.species_atol:
            return
        m = self._rr.model
        sizes = dict(zip(m.getCompartmentIds(), m.getCompartmentVolumes(), strict=True))
        integrator = self._rr.getIntegrator()
        for name, tolerance in self.options.species_atol:
            if name not in self._species_index:
                raise ModelError(
                    f"species_atol names {name!r}, which is not a state of the model "
                    f"(states: {', '.join(self.species[:5])}...)"
                )
            scale = 1.0 if name in self._amount_species else sizes[self._compartment_of[name]]
            integrator.setIndividualTolerance(name, tolerance * scale)

    # -- names ------------------------------------------------------------------------
    @property
    def outputs_available(self) -> list[str]:
        """Names that can be requested as outputs: species, then rules and parameters."""
        return [*self.species, *self.boundary_species, *self.observables, *self.parameters]

    def _selection(self, name: str) -> str:
        if name in self._species_index or name in self.boundary_species:
            return name if name in self._amount_species else f"[{name}]"
        if name in self._parameter_index or name in self.observables:
            return name
        raise ModelError(
            f"unknown output {name!r}: choose species, rules or parameters of the model "
            f"(e.g. {', '.join(self.outputs_available[:5])})"
        )

    def parameter_indices(self, names: Sequence[str]) -> np.ndarray:
        """Indices of named parameters, for :meth:`run`.

        Raises:
            ModelError: For a name that is not a settable parameter.
        """
        try:
            return np.array([self._parameter_index[n] for n in names], dtype=np.int32)
        except KeyError as err:
            raise ModelError(
                f"unknown parameter {err.args[0]!r}: the model's parameters are "
                f"{', '.join(self.parameters[:8])}{'...' if len(self.parameters) > 8 else ''}"
            ) from None

    # -- solving ----------------------------------------------------------------------
    def run(
        self,
        output_times: np.ndarray,
        outputs: Sequence[str],
        parameter_indices: np.ndarray | None = None,
        parameter_values: np.ndarray | None = None,
        schedule: Schedule | None = None,
    ) -> np.ndarray:
        """Simulate one patient and return an array of shape (times, outputs).

        Raises:
            SimulationError: If the solver fails, a value is not finite, or a
                species goes negative beyond tolerance.
        """
        rr = self._rr
        rr.resetAll()
        if parameter_indices is not None and len(parameter_indices):
            rr.model.setGlobalParameterValues(parameter_indices, parameter_values)
            # Recomputes species initial assignments. Initial assignments of *parameters*
            # that read a per-patient parameter are not re-evaluated (a full reset
            # would recompile per patient); tests/test_biomodels.py records the gap.
            rr.reset()
        # One lookup per patient: rr.model is a new wrapper object on every access.
        model = rr.model
        read = self._reader(tuple(outputs))
        times = np.asarray(output_times, dtype=float)
        result = np.empty((len(times), len(outputs)))
        end = float(times[-1])
        plan = self._plan(schedule.changes if schedule else ())
        outputs_at = {float(t): i for i, t in enumerate(times)}
        breakpoints = {t for t in plan if 0.0 < t < end}
        peak = np.abs(np.asarray(model.getFloatingSpeciesConcentrations()))
        # Outputs at time 0 are taken before changes at time 0.
        if 0.0 in outputs_at:
            result[outputs_at[0.0]] = read(model)
        if 0.0 in plan:
            self._apply(model, plan[0.0])
        now, restart = 0.0, True
        try:
            with _NATIVE_OUTPUT:
                for target in sorted(breakpoints | set(outputs_at) - {0.0}):
                    # oneStep integrates exactly to now + step; a restart re-initialises
                    # CVODE after a jump, otherwise the integrator carries on smoothly.
                    now = rr.oneStep(now, target - now, restart)
                    now, restart = target, False
                    if self._check_state(model, target, peak):
                        restart = True
                    if target in outputs_at:
                        result[outputs_at[target]] = read(model)
                    if target in breakpoints:
                        self._apply(model, plan[target])
                        restart = True
        except RuntimeError as err:
            message = str(err).strip().splitlines()
            raise SimulationError(
                f"solver failed after t={now:.6g} d: {message[0] if message else 'unknown'}"
            ) from None
        if not np.all(np.isfinite(result)):
            raise SimulationError("non-finite value in the outputs")
        return result

    def _plan(self, changes: Sequence[StateChange]) -> dict[float, list[_Jump]]:
        """Changes grouped by time, each with its target resolved to an index."""
        plan: dict[float, list[_Jump]] = {}
        for change in changes:
            target = self._change_targets.get(change.target)
            if target is None:
                target = self._change_targets[change.target] = self._resolve(change.target)
            plan.setdefault(change.time, []).append((*target, change.op, change.value))
        return plan

    def _resolve(self, name: str) -> tuple[str, int, str]:
        """Where a change lands: (kind, index, selection) for species and parameters."""
        if name in self.observables:
            raise ModelError(f"cannot change {name!r}: it is computed by a rule")
        selection = self._selection(name)
        if name in self._species_index:
            kind = "amount" if name in self._amount_species else "concentration"
            return kind, self._species_index[name], selection
        if name in self._parameter_index:
            return "parameter", self._parameter_index[name], selection
        return "selection", -1, selection

    def _reader(self, outputs: tuple[str, ...]) -> Callable[[Any], np.ndarray]:
        """A function returning the current values of ``outputs`` in their units."""
        if outputs in self._readers:
            return self._readers[outputs]
        selections = [self._selection(o) for o in outputs]
        read: Callable[[Any], np.ndarray]
        if all(o in self._species_index and o not in self._amount_species for o in outputs):
            index = np.array([self._species_index[o] for o in outputs], dtype=np.int32)

            def read_species(model: Any) -> np.ndarray:
                # The caller passes rr.model looked up after its reset (a full reset replaces it).
                return np.asarray(model.getFloatingSpeciesConcentrations(index))

            read = read_species
        else:
            read = self._mixed_reader(outputs, selections)
        self._readers[outputs] = read
        return read

    def _mixed_reader(
        self, outputs: tuple[str, ...], selections: list[str]
    ) -> Callable[[Any], np.ndarray]:
        """Species, rules and parameters read in one vectorised call per kind.

        ``rr.getValue`` per output costs ~7 us of Python (name parsing) each time: on a
        13-output trial model read at 41 times, 15% of a patient's solve. Assignment-rule
        values come from the compiled model's parameter getter, which evaluates the rule
        on the current state (checked against libRoadRunner's own values in tests/test_outputs.py).
        """
        rr = self._rr
        all_params = list(rr.model.getGlobalParameterIds())
        groups: dict[str, list[tuple[int, int]]] = {"conc": [], "amount": [], "param": []}
        others: list[tuple[int, str]] = []
        for position, (name, selection) in enumerate(zip(outputs, selections, strict=True)):
            if name in self._species_index:
                kind = "amount" if name in self._amount_species else "conc"
                groups[kind].append((position, self._species_index[name]))
            elif name in self._parameter_index or name in self.observables:
                groups["param"].append((position, all_params.index(name)))
            else:
                others.append((position, selection))
        plan = [
            (
                kind,
                np.array([p for p, _ in pairs], dtype=np.intp),
                np.array([i for _, i in pairs], dtype=np.int32),
            )
            for kind, pairs in groups.items()
            if pairs
        ]
        size = len(outputs)

        def read(model: Any) -> np.ndarray:
            values = np.empty(size)
            for kind, positions, index in plan:
                if kind == "conc":
                    values[positions] = model.getFloatingSpeciesConcentrations(index)
                elif kind == "amount":
                    values[positions] = model.getFloatingSpeciesAmounts(index)
                else:
                    values[positions] = model.getGlobalParameterValues(index)
            for position, selection in others:
                values[position] = rr.getValue(selection)
            return values

        return read

    def _apply(self, model: Any, jumps: list[_Jump]) -> None:
        for kind, index, selection, op, operand in jumps:
            if kind == "concentration":
                get, put = (
                    model.getFloatingSpeciesConcentrations,
                    model.setFloatingSpeciesConcentrations,
                )
            elif kind == "amount":
                get, put = model.getFloatingSpeciesAmounts, model.setFloatingSpeciesAmounts
            elif kind == "parameter":
                get, put = model.getGlobalParameterValues, model.setGlobalParameterValues
            else:
                current = self._rr.getValue(selection)
                self._rr.setValue(selection, _operate(op, current, operand))
                continue
            where = [index]
            put(where, [_operate(op, float(get(where)[0]), operand)])

    def _check_state(self, model: Any, at: float, peak: np.ndarray) -> bool:
        """Fail on a non-finite or negative species; update the peak magnitudes in place.

        Negative means below ``-negative_tolerance * (1 + peak)``: solver noise around
        zero after a population of 1e8 is cleared is not a failure, a real sign error is.

        Returns:
            Whether species near underflow were set to zero (the solver must restart).
        """
        state = model.getFloatingSpeciesConcentrations()
        if not len(state):
            return False
        floored = self._floor_underflow(model, state)
        # One reduction on the common path: no NaN or inf, nothing below -tolerance.
        lowest = state.min()
        tol = self.options.negative_tolerance
        if math.isfinite(lowest) and math.isfinite(state.max()) and lowest >= -tol:
            np.maximum(peak, state, out=peak)
            return floored
        if not np.all(np.isfinite(state)):
            bad = self.species[int(np.flatnonzero(~np.isfinite(state))[0])]
            raise SimulationError(f"{bad} is not finite at t={at:.6g} d")
        np.maximum(peak, np.abs(state), out=peak)
        negative = state < -tol * (1.0 + peak)
        if negative.any():
            i = int(np.flatnonzero(negative)[0])
            raise SimulationError(f"{self.species[i]} is negative ({state[i]:.3g}) at t={at:.6g} d")
        return floored

    def _floor_underflow(self, model: Any, state: np.ndarray) -> bool:
        """Set species with 0 < |value| < underflow_floor to zero (in ``state`` too)."""
        floor = self.options.underflow_floor
        if floor <= 0.0:
            return False
        tiny = np.abs(state) < floor
        tiny &= state != 0.0
        if not tiny.any():
            return False
        index = np.flatnonzero(tiny).astype(np.int32)
        state[index] = 0.0
        model.setFloatingSpeciesConcentrations(index, np.zeros(len(index)))
        return True

    def simulate(
        self,
        until: float,
        outputs: Sequence[str] | None = None,
        output_times: Sequence[float] | np.ndarray | None = None,
        parameters: Mapping[str, float] | None = None,
        schedule: Schedule | None = None,
        points_per_day: float = 4.0,
    ) -> pd.DataFrame:
        """Simulate one patient and return a DataFrame indexed by time (days).

        Args:
            until: End time in days.
            outputs: Names to record; default all species and rules.
            output_times: Times to record; default ``points_per_day`` a day.
            parameters: Parameter name -> value for this patient.
            schedule: Timed changes (doses, infections).
            points_per_day: Output density when ``output_times`` is not given.
        """
        times = output_grid(until, output_times, points_per_day)
        names = list(outputs) if outputs else [*self.species, *self.observables]
        parameters = dict(parameters or {})
        idx = self.parameter_indices(list(parameters))
        values = np.array(list(parameters.values()), dtype=float)
        data = self.run(times, names, idx, values, schedule)
        import pandas as pd

        frame = pd.DataFrame(data, index=pd.Index(times, name="time"), columns=names)
        return frame


def output_grid(
    until: float,
    output_times: Sequence[float] | np.ndarray | None = None,
    points_per_day: float = 4.0,
) -> np.ndarray:
    """Validated, ascending output times ending at ``until``."""
    if not (math.isfinite(until) and until > 0):
        raise ModelError(f"simulation end must be a positive number of days, got {until!r}")
    if output_times is None:
        n = max(2, round(until * points_per_day) + 1)
        return np.linspace(0.0, until, n)
    times = np.asarray(output_times, dtype=float)
    if times.ndim != 1 or len(times) == 0:
        raise ModelError("output times must be a non-empty list of numbers")
    if not np.all(np.isfinite(times)) or np.any(times < 0) or np.any(np.diff(times) <= 0):
        raise ModelError("output times must be finite, >= 0 and strictly increasing")
    if times[-1] > until + 1e-12:
        raise ModelError(f"output time {times[-1]} is after the end {until}")
    if times[-1] < until:
        times = np.append(times, until)
    return times


def _sbml_text(model: Model | str | Path) -> str:
    if isinstance(model, Model):
        from immunetwin.sbml import to_sbml

        return to_sbml(model)
    if isinstance(model, Path) or (isinstance(model, str) and not model.lstrip().startswith("<")):
        path = Path(model)
        if not path.is_file():
            raise ModelError(f"SBML file not found: {path}")
        return path.read_text(encoding="utf-8")
    return model


def check_names(sbml: str, parameters: Sequence[str], outputs: Sequence[str]) -> None:
    """Check parameter and output names against SBML text without compiling it.

    Raises:
        ModelError: For a name that is not a settable parameter, or not an output.
    """
    try:
        root = ElementTree.fromstring(sbml.encode())
    except ElementTree.ParseError as err:
        raise ModelError(f"SBML is not well-formed XML: {err}") from None
    ids: dict[str, set[str]] = {"species": set(), "parameter": set(), "assignmentRule": set()}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("species", "parameter"):
            ids[tag].add(element.get("id", ""))
        elif tag == "assignmentRule":
            ids[tag].add(element.get("variable", ""))
    settable = ids["parameter"] - ids["assignmentRule"]
    for name in parameters:
        if name not in settable:
            raise ModelError(f"unknown parameter {name!r}: not a settable parameter of the model")
    for name in outputs:
        if name not in ids["species"] | ids["parameter"]:
            raise ModelError(
                f"unknown output {name!r}: choose species, rules or parameters of the model"
            )


def _species_layout(sbml: str) -> tuple[set[str], dict[str, str]]:
    """Amount species and each species' compartment, from one parse of the SBML.

    Amount species are those declared with hasOnlySubstanceUnits (their values are amounts).
    """
    try:
        root = ElementTree.fromstring(sbml.encode())
    except ElementTree.ParseError as err:
        raise ModelError(f"SBML is not well-formed XML: {err}") from None
    species = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "species"]
    amounts = {
        e.get("id", "")
        for e in species
        if e.get("hasOnlySubstanceUnits", "false").lower() == "true"
    }
    return amounts, {e.get("id", ""): e.get("compartment", "") for e in species}


# -- a per-process (and per-thread) cache of compiled simulators --------------------------

_CACHE: dict[tuple[str, int, SimulationOptions], Simulator] = {}
_CACHE_LOCK = threading.Lock()


def sbml_key(sbml: str) -> str:
    """A stable digest of SBML text, used to share compiled models."""
    return hashlib.sha256(sbml.encode()).hexdigest()


def compiled(sbml: str, options: SimulationOptions, key: str | None = None) -> Simulator:
    """The simulator for ``sbml`` in this process and thread, compiled on first use.

    libRoadRunner instances are not thread-safe, so threads get their own.
    """
    cache_key = (key or sbml_key(sbml), threading.get_ident(), options)
    with _CACHE_LOCK:
        simulator = _CACHE.get(cache_key)
    if simulator is None:
        simulator = Simulator(sbml, options)
        with _CACHE_LOCK:
            _CACHE[cache_key] = simulator
    return simulator
