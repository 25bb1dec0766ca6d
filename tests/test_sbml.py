"""SBML export: consistent, complete, and it simulates exactly like the declared model."""

from __future__ import annotations

from pathlib import Path

import libsbml
import numpy as np
import pytest
import roadrunner

from _models import event_model, small_model
from immunetwin import (
    Model,
    Schedule,
    Simulator,
    StateChange,
    check_sbml,
    to_sbml,
    write_sbml,
)
from immunetwin.models.benchmark import stiff_benchmark_model
from immunetwin.models.pk import adalimumab_pk

MODELS = {
    "small": small_model,
    "events": event_model,
    "adalimumab": lambda: Model.compose("adalimumab_pk", [adalimumab_pk()]),
    "stiff": stiff_benchmark_model,
}


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request: pytest.FixtureRequest) -> Model:
    return MODELS[request.param]()


def test_export_is_consistent(model: Model) -> None:
    text = to_sbml(model)
    assert check_sbml(text) == []
    document = libsbml.readSBMLFromString(text)
    assert (document.getLevel(), document.getVersion()) == (3, 2)
    # libSBML checks units too. It may only warn that it cannot check everything: undeclared
    # extent units (99507), unitless literal numbers (99505), and kinetic laws in different
    # substance units (10503: cells and mg in one model). No other unit complaint is allowed:
    # libSBML agrees with the declaration layer's unit algebra.
    document.checkConsistency()
    unit_problems = [
        f"{error.getErrorId()}: {error.getMessage()}"
        for error in (document.getError(i) for i in range(document.getNumErrors()))
        if error.getCategory() == libsbml.LIBSBML_CAT_UNITS_CONSISTENCY
        and error.getErrorId() not in (99505, 99507, 10503)
    ]
    assert unit_problems == []


def test_export_carries_every_element_with_units_and_sources(model: Model) -> None:
    sbml = libsbml.readSBMLFromString(to_sbml(model)).getModel()
    assert sbml.getNumSpecies() == len(model.species)
    assert sbml.getNumReactions() == len(model.reactions)
    assert sbml.getNumParameters() == len(model.parameters) + len(model.rules)
    assert sbml.getNumEvents() == len(model.events)
    day = sbml.getUnitDefinition(sbml.getTimeUnits())
    assert day.getNumUnits() == 1
    assert day.getUnit(0).getKind() == libsbml.UNIT_KIND_SECOND
    assert day.getUnit(0).getMultiplier() == 86400.0
    for parameter in model.parameters:
        exported = sbml.getParameter(parameter.name)
        # libSBML writes 15 significant digits.
        assert exported.getValue() == pytest.approx(parameter.value, rel=1e-14)
        assert exported.isSetUnits()
        assert parameter.source in libsbml.XMLNode.convertXMLNodeToString(exported.getNotes())
    for species in model.species:
        assert sbml.getSpecies(species.name).isSetSubstanceUnits()


def trajectories(simulator: Simulator) -> np.ndarray:
    schedule = None
    if "adalimumab_depot" in simulator.species:
        schedule = Schedule(
            tuple(StateChange(14.0 * k, "adalimumab_depot", "add", 40.0) for k in range(3))
        )
    frame = simulator.simulate(40.0, output_times=np.arange(0.0, 40.5, 0.5), schedule=schedule)
    return frame.to_numpy()


def test_reloaded_sbml_gives_identical_trajectories(model: Model, tmp_path: Path) -> None:
    original = Simulator(model)
    from_text = Simulator(to_sbml(model))
    path = write_sbml(model, tmp_path / f"{model.name}.xml")
    from_file = Simulator(path)
    expected = trajectories(original)
    assert np.all(np.isfinite(expected))
    np.testing.assert_array_equal(trajectories(from_text), expected)
    np.testing.assert_array_equal(trajectories(from_file), expected)
    # A round trip through libSBML (what COPASI or Tellurium would read) changes nothing.
    reread = libsbml.writeSBMLToString(libsbml.readSBMLFromString(path.read_text()))
    np.testing.assert_array_equal(trajectories(Simulator(reread)), expected)


def test_plain_roadrunner_reads_the_export() -> None:
    rr = roadrunner.RoadRunner(to_sbml(small_model()))
    result = rr.simulate(0, 10, 11, ["time", "[T_blood]"])
    assert result.shape == (11, 2)
    assert np.all(result[:, 1] > 0)


def test_export_is_deterministic() -> None:
    assert to_sbml(small_model()) == to_sbml(small_model())


def test_write_sbml_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.xml"
    write_sbml(small_model(), target)
    before = target.read_text()
    assert check_sbml(before) == []

    def fail_halfway(self: Path, text: str, *args: object, **kwargs: object) -> int:
        with open(self, "w", encoding="utf-8") as handle:
            handle.write(text[: len(text) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", fail_halfway)
    with pytest.raises(OSError, match="disk full"):
        write_sbml(event_model(), target)
    monkeypatch.undo()
    assert target.read_text() == before  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.xml"]  # no temporary left


def test_write_sbml_creates_folders(tmp_path: Path) -> None:
    path = write_sbml(small_model(), tmp_path / "a" / "b" / "small.xml")
    assert path.is_file()
    assert Simulator(path).species == Simulator(small_model()).species


def test_two_instances_with_a_time_conditional_integrate_identically() -> None:
    """libRoadRunner 2.10 drops piecewise root-finding triggers from cached compilations.

    The engine therefore always recompiles; otherwise the first and second Simulator of one
    model in a process would differ at the solver tolerance, breaking bitwise determinism
    across worker counts.
    """
    first, second = Simulator(small_model()), Simulator(small_model())
    assert first._rr.model.getNumPiecewiseTriggers() == second._rr.model.getNumPiecewiseTriggers()
    np.testing.assert_array_equal(trajectories(first), trajectories(second))


def test_written_files_get_the_users_default_mode(tmp_path: Path) -> None:
    """Atomic writes go through a private temporary file; the result is not private."""
    import os

    mask = os.umask(0o027)
    try:
        path = write_sbml(small_model(), tmp_path / "model.xml")
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o640
