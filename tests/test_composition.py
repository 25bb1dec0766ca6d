"""Composition: diseases and drugs add modules or change values, never edit the core."""

from __future__ import annotations

import pytest

from immunetwin import (
    Compartment,
    Model,
    ModelError,
    Module,
    Parameter,
    Reaction,
    Rule,
    Simulator,
    Species,
)


def core() -> Model:
    blood = Compartment("blood", 5.0, "L", source="ICRP 89")
    module = Module(
        "core",
        compartments=[blood],
        species=[Species("cells", "blood", 100.0, "cells/uL", source="test value")],
        parameters=[
            Parameter("death_rate", 0.1, "1/day", source="test value"),
            Parameter("death_strength", 1.0, "dimensionless", source="definition: 1 = healthy"),
        ],
        reactions=[Reaction("death", "death_rate * death_strength * cells", {"cells": 1})],
    )
    return Model.compose("core", [module])


def test_with_changes_keeps_core_and_revalidates() -> None:
    model = core()
    changed = model.with_changes({"death_rate": 0.2, "cells": 50.0})
    assert model.element("death_rate").value == 0.1  # type: ignore[attr-defined]
    assert changed.element("death_rate").value == 0.2  # type: ignore[attr-defined]
    assert changed.element("cells").initial == 50.0  # type: ignore[attr-defined]
    with pytest.raises(ModelError, match="cannot change 'death'"):
        model.with_changes({"death": 1.0})
    with pytest.raises(ModelError, match="must be finite"):
        model.with_changes({"death_rate": float("nan")})


def test_replace_turns_a_constant_strength_into_a_rule() -> None:
    model = core()
    drug = Module(
        "drug_pd",
        parameters=[
            Parameter("death_strength_baseline", 1.0, "dimensionless", source="copied from core"),
            Parameter("drug_effect_start", 10.0, "day", source="test value"),
        ],
        rules=[
            Rule(
                "death_strength",
                "death_strength_baseline * (3 if time >= drug_effect_start else 1)",
                "dimensionless",
            )
        ],
    )
    treated = model.with_modules([drug], replace=["death_strength"])
    assert treated.kind_of("death_strength") == "rule"
    assert model.kind_of("death_strength") == "parameter"
    before = Simulator(model).simulate(20, outputs=["cells"], output_times=[0, 10, 20])
    after = Simulator(treated).simulate(20, outputs=["cells"], output_times=[0, 10, 20])
    assert after.loc[10.0, "cells"] == pytest.approx(before.loc[10.0, "cells"], rel=1e-5)
    # From day 10 the rate triples: cells(20) = cells(10) * exp(-0.3 * 10).
    assert after.loc[20.0, "cells"] == pytest.approx(
        after.loc[10.0, "cells"] * 2.718281828459045**-3.0, rel=1e-4
    )


def test_replace_errors_name_the_problem() -> None:
    model = core()
    rule_only = Module("pd", rules=[Rule("death_strength", "0.5", "dimensionless")])
    with pytest.raises(ModelError, match="duplicate name 'death_strength'"):
        model.with_modules([rule_only])
    with pytest.raises(ModelError, match="cannot replace 'cells'"):
        model.with_modules([rule_only], replace=["cells"])
