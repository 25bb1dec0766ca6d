"""Declarations: units, sources, knobs, generated docs, SBML validity, invariants."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immunetwin import check_sbml, to_sbml
from immunetwin.immune import DEFECTS, KNOBS, ORGANS, build_immune_model, knob_table, tissue_module
from immunetwin.immune.docs import parameter_table_markdown

from .reference import REPO, load_table


def test_model_size_and_organs(model):
    # ~95 states plus the synovium's 7 sites (6 more than one): growth past this is a
    # decision about speed (every patient of every disease carries every state).
    assert 40 <= len(model.species) <= 105
    for organ in ORGANS:
        assert model.kind_of(organ) == "compartment"
        assert model.kind_of(f"{organ}_function") == "rule"


def test_every_parameter_has_a_unit_and_a_source(model):
    for parameter in model.parameters:
        assert parameter.unit.strip(), parameter.name
        assert parameter.source.strip(), parameter.name
        assert parameter.description.strip(), parameter.name


def test_cited_reference_rows_exist(model):
    physiology = load_table("physiology.csv")
    cited = set()
    for parameter in model.parameters:
        cited |= set(re.findall(r"physiology\.csv ([a-z0-9_]+)", parameter.source))
    assert cited, "the model should cite the reference table"
    missing = cited - set(physiology.index)
    assert not missing, f"sources cite unknown physiology.csv ids: {sorted(missing)}"


def test_knobs_and_defects_name_real_parameters(model):
    values = model.parameter_values()
    for knob in KNOBS:
        assert values[knob] == 1.0, knob
    assert set(KNOBS) <= set(knob_table())
    for name, defect in DEFECTS.items():
        for target in defect.changes:
            assert model.kind_of(target) == "parameter", (name, target)


def test_tissue_module_is_a_factory():
    module = tissue_module("kidney")
    names = {s.name for s in module.species}
    assert names == {
        "kidney_parenchyma",
        "kidney_scar",
        "kidney_inflammation",
        "kidney_effector_t",
        "kidney_ic_deposits",
    }
    small = build_immune_model(organs=("islets",), steady_state=False)
    assert small.kind_of("kidney_parenchyma") is None
    assert small.kind_of("islets_parenchyma") == "species"


def test_scar_only_grows_and_blocks_regeneration():
    kidney = tissue_module("kidney")
    # Scar is made from damaged parenchyma and never removed; it caps regeneration.
    assert not any("kidney_scar" in r.reactants for r in kidney.reactions)
    makers = [r for r in kidney.reactions if "kidney_scar" in r.products]
    assert [r.reactants for r in makers] == [{"kidney_parenchyma": 1}]
    regeneration = next(r for r in kidney.reactions if r.name == "kidney_regeneration")
    assert "- kidney_scar" in regeneration.rate
    # Organs without scarring keep the four states and fully recoverable loss.
    islets = tissue_module("islets")
    assert not any(s.name.endswith("_scar") for s in islets.species)
    assert all("scarring" not in r.rate for r in islets.reactions)


def test_sbml_is_valid(model):
    assert check_sbml(to_sbml(model)) == []


def test_parameter_docs_are_generated_and_current(model):
    table = parameter_table_markdown()
    for parameter in model.parameters:
        assert f"`{parameter.name}`" in table
    path = REPO / "docs" / "parameters.md"
    assert path.read_text() == table + "\n", (
        "docs/parameters.md is stale: run python -m immunetwin.immune.docs"
    )


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.floats(min_value=0.05, max_value=3.0), min_size=len(KNOBS), max_size=len(KNOBS)))
def test_any_knob_setting_keeps_populations_finite_and_non_negative(sim, values):
    parameters = dict(zip(KNOBS, values, strict=True))
    frame = sim.simulate(
        until=365.0, outputs=sim.species, output_times=[0.0, 180.0, 365.0], parameters=parameters
    )
    data = frame.to_numpy()
    assert np.all(np.isfinite(data))
    assert np.all(data >= -1e-6 * (1 + np.abs(data)))


def test_simulation_is_deterministic(sim):
    a = sim.simulate(
        until=30.0,
        outputs=["lab_crp", "lab_cd4"],
        output_times=[0.0, 30.0],
        parameters={"foxp3_function": 0.3},
    )
    b = sim.simulate(
        until=30.0,
        outputs=["lab_crp", "lab_cd4"],
        output_times=[0.0, 30.0],
        parameters={"foxp3_function": 0.3},
    )
    assert a.equals(b)
