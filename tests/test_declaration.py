"""The declaration layer: composition, queries and validation messages that name the culprit."""

from __future__ import annotations

import dataclasses

import pytest

from immunetwin import (
    Compartment,
    Event,
    LogNormal,
    Model,
    ModelError,
    Module,
    Normal,
    Parameter,
    Reaction,
    Rule,
    Species,
)

SRC = "test fixture"


def blood() -> Compartment:
    return Compartment("blood", 5.0, "L", source=SRC)


def base_module(**changes: object) -> Module:
    module = Module(
        "core",
        compartments=(blood(),),
        species=(Species("T", "blood", 100.0, "cells/uL", source=SRC),),
        parameters=(
            Parameter("T_death", 0.1, "1/day", source=SRC),
            Parameter("T_source", 10.0, "cells/uL/day", source=SRC),
        ),
        reactions=(
            Reaction("T_production", "T_source", products={"T": 1}),
            Reaction("T_loss", "T_death * T", reactants={"T": 1}),
        ),
        rules=(Rule("T_turnover", "T_death * T", "cells/uL/day"),),
    )
    return dataclasses.replace(module, **changes)  # type: ignore[arg-type]


def compose(*modules: Module) -> Model:
    return Model.compose("m", modules)


def test_valid_model_composes_and_answers_queries() -> None:
    model = compose(base_module())
    assert [s.name for s in model.species] == ["T"]
    assert model.kind_of("T_death") == "parameter"
    assert model.kind_of("nothing") is None
    assert model.module_of("T_loss") == "core"
    assert model.parameter_values() == {"T_death": 0.1, "T_source": 10.0}
    assert model.stoichiometry() == {"T_production": {"T": 1}, "T_loss": {"T": -1}}
    assert model.reaction_compartment(model.reactions[0]) == "blood"
    with pytest.raises(ModelError, match="'nothing'"):
        model.element("nothing")


def test_with_changes_and_with_modules() -> None:
    model = compose(base_module())
    changed = model.with_changes({"T_death": 0.2, "T": 50.0, "blood": 4.0})
    assert changed.parameter_values()["T_death"] == 0.2
    assert changed.species[0].initial == 50.0
    assert changed.compartments[0].size == 4.0
    assert model.parameter_values()["T_death"] == 0.1  # the original is untouched
    with pytest.raises(ModelError, match="'T_loss'"):
        model.with_changes({"T_loss": 1.0})
    with pytest.raises(ModelError, match="'nope'"):
        model.with_changes({"nope": 1.0})
    extra = Module("drug", parameters=(Parameter("dose", 40.0, "mg", source=SRC),))
    assert model.with_modules([extra]).kind_of("dose") == "parameter"


def test_unknown_symbol_in_rate_is_named() -> None:
    module = base_module(
        reactions=(Reaction("T_loss", "T_death * T * il2_level", reactants={"T": 1}),)
    )
    with pytest.raises(ModelError, match=r"reaction 'T_loss'.*unknown symbol 'il2_level'"):
        compose(module)


def test_unknown_symbol_in_rule_is_named() -> None:
    module = base_module(rules=(Rule("ratio", "T / T_missing", "dimensionless"),))
    with pytest.raises(ModelError, match=r"rule 'ratio'.*unknown symbol 'T_missing'"):
        compose(module)


def test_unknown_species_in_reaction_is_named() -> None:
    module = base_module(reactions=(Reaction("flow", "T_death * T", reactants={"B": 1}),))
    with pytest.raises(ModelError, match=r"reaction 'flow'.*'B' is not a species"):
        compose(module)


def test_duplicate_name_names_both_modules() -> None:
    other = Module("extra", parameters=(Parameter("T_death", 0.3, "1/day", source=SRC),))
    with pytest.raises(ModelError, match=r"duplicate name 'T_death'.*'extra'.*'core'"):
        compose(base_module(), other)


def test_missing_unit_is_named() -> None:
    module = base_module(
        parameters=(
            Parameter("T_death", 0.1, "", source=SRC),
            Parameter("T_source", 10.0, "cells/uL/day", source=SRC),
        )
    )
    with pytest.raises(ModelError, match=r"parameter 'T_death'.*empty unit"):
        compose(module)


def test_unknown_unit_is_named() -> None:
    module = base_module(
        parameters=(
            Parameter("T_death", 0.1, "1/fortnight", source=SRC),
            Parameter("T_source", 10.0, "cells/uL/day", source=SRC),
        )
    )
    with pytest.raises(ModelError, match=r"parameter 'T_death'.*unknown unit 'fortnight'"):
        compose(module)


@pytest.mark.parametrize(
    "module",
    [
        Module("p", parameters=(Parameter("k_unsourced", 1.0, "1/day"),)),
        Module("p", compartments=(Compartment("gut", 1.0, "L"),)),
    ],
)
def test_missing_source_is_named(module: Module) -> None:
    name = (module.parameters or module.compartments)[0].name
    with pytest.raises(ModelError, match=rf"'{name}' in module 'p' has no source"):
        compose(base_module(), module)


def test_missing_source_for_species_is_named() -> None:
    module = base_module(species=(Species("T", "blood", 100.0, "cells/uL"),))
    with pytest.raises(ModelError, match=r"species 'T' in module 'core' has no source"):
        compose(module)


def test_inconsistent_rate_units_are_named() -> None:
    # T_source is per day but T is a concentration: the loss rate would be in cells/uL.
    module = base_module(reactions=(Reaction("T_loss", "T_death", reactants={"T": 1}),))
    with pytest.raises(ModelError, match=r"reaction 'T_loss'.*\[1/day\].*'T' needs"):
        compose(module)


def test_sum_of_unlike_units_is_named() -> None:
    module = base_module(
        reactions=(Reaction("T_loss", "T_death * T + T_death", reactants={"T": 1}),)
    )
    with pytest.raises(ModelError, match=r"reaction 'T_loss'.*inconsistent units.*sum"):
        compose(module)


def test_rule_with_wrong_declared_unit_is_named() -> None:
    # A bare number carries no unit: T * 1000 is still in cells/uL, not cells/mL.
    module = base_module(rules=(Rule("T_per_mL", "T * 1000", "cells/mL"),))
    with pytest.raises(ModelError, match=r"rule 'T_per_mL'.*declares \[cells/mL\]"):
        compose(module)


def test_time_has_the_unit_day() -> None:
    module = base_module(rules=(Rule("age", "time", "day"), Rule("weeks", "time / 7", "day")))
    assert [r.name for r in compose(module).rules] == ["age", "weeks"]
    with pytest.raises(ModelError, match=r"rule 'wrong'.*declares \[1/day\]"):
        compose(base_module(rules=(Rule("wrong", "time", "1/day"),)))


def test_exp_of_a_dimensional_quantity_is_refused() -> None:
    module = base_module(rules=(Rule("odd", "exp(T)", "dimensionless"),))
    with pytest.raises(ModelError, match=r"rule 'odd'.*exp of a quantity"):
        compose(module)


def test_cyclic_rules_are_named() -> None:
    module = base_module(
        rules=(
            Rule("a_level", "b_level * 2", "cells/uL"),
            Rule("b_level", "a_level / 2", "cells/uL"),
        )
    )
    with pytest.raises(ModelError, match=r"cycle: a_level -> b_level -> a_level"):
        compose(module)


def test_rules_are_ordered_by_dependency() -> None:
    module = base_module(
        rules=(
            Rule("late", "early * 2", "cells/uL"),
            Rule("early", "T / 2", "cells/uL"),
        )
    )
    assert [r.name for r in compose(module).rules] == ["early", "late"]


def test_species_in_unknown_compartment_is_named() -> None:
    module = base_module(species=(Species("T", "spleen", 1.0, "cells/uL", source=SRC),))
    with pytest.raises(ModelError, match=r"species 'T'.*unknown compartment 'spleen'"):
        compose(module)


def test_reaction_across_compartments_needs_a_compartment() -> None:
    lymph = Compartment("lymph", 2.0, "L", source=SRC)
    module = base_module(
        compartments=(blood(), lymph),
        species=(
            Species("T", "blood", 100.0, "cells/uL", source=SRC),
            Species("T_lymph", "lymph", 0.0, "cells/uL", source=SRC),
        ),
        reactions=(Reaction("homing", "T_death * T", reactants={"T": 1}, products={"T_lymph": 1}),),
    )
    with pytest.raises(ModelError, match=r"reaction 'homing' spans compartments"):
        compose(module)
    fixed = dataclasses.replace(
        module,
        reactions=(
            Reaction(
                "homing",
                "T_death * T",
                reactants={"T": 1},
                products={"T_lymph": 1},
                compartment="blood",
            ),
        ),
    )
    assert compose(fixed).reaction_compartment(compose(fixed).reactions[0]) == "blood"


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        (Parameter("time", 1.0, "1/day", source=SRC), "parameter name 'time'"),
        (Parameter("lambda", 1.0, "1/day", source=SRC), "parameter name 'lambda'"),
        (Parameter("bad_value", float("nan"), "1/day", source=SRC), "'bad_value'.*non-finite"),
    ],
)
def test_bad_names_and_values_are_named(bad: Parameter, pattern: str) -> None:
    with pytest.raises(ModelError, match=pattern):
        compose(base_module(), Module("x", parameters=(bad,)))


def test_negative_initial_value_and_size_are_named() -> None:
    with pytest.raises(ModelError, match=r"species 'T'.*negative initial"):
        compose(base_module(species=(Species("T", "blood", -1.0, "cells/uL", source=SRC),)))
    with pytest.raises(ModelError, match=r"compartment 'blood'.*positive size"):
        compose(base_module(compartments=(Compartment("blood", 0.0, "L", source=SRC),)))


def test_compartment_needs_a_volume_unit() -> None:
    with pytest.raises(ModelError, match=r"compartment 'blood'.*volume unit"):
        compose(base_module(compartments=(Compartment("blood", 5.0, "mg", source=SRC),)))


def test_event_checks_name_the_event() -> None:
    bad_target = Event("switch", "time >= 10", {"T_loss": "1"})
    with pytest.raises(ModelError, match=r"event 'switch'.*'T_loss' is not a species"):
        compose(base_module(events=(bad_target,)))
    not_boolean = Event("switch", "time", {"T_death": "0.2"})
    with pytest.raises(ModelError, match=r"event 'switch'.*must be a comparison"):
        compose(base_module(events=(not_boolean,)))
    wrong_unit = Event("switch", "time >= 10", {"T_death": "T"})
    with pytest.raises(ModelError, match=r"event 'switch'.*assignment to 'T_death'"):
        compose(base_module(events=(wrong_unit,)))
    ok = Event("switch", "time >= 10", {"T_death": "0.2"})
    assert compose(base_module(events=(ok,))).events[0].name == "switch"


def test_unsupported_expression_is_named() -> None:
    module = base_module(reactions=(Reaction("T_loss", "T_death * T % 2", reactants={"T": 1}),))
    with pytest.raises(ModelError, match=r"reaction 'T_loss'.*unsupported"):
        compose(module)
    module = base_module(rules=(Rule("odd", "sin(T)", "dimensionless"),))
    with pytest.raises(ModelError, match=r"rule 'odd'.*unknown function"):
        compose(module)


def test_several_problems_are_counted() -> None:
    module = Module(
        "p",
        parameters=(Parameter("k_a", 1.0, "1/day"), Parameter("k_b", 1.0, "1/day")),
    )
    with pytest.raises(ModelError, match=r"'k_a'.*and 1 more problem"):
        compose(base_module(), module)


def test_variability_is_validated() -> None:
    with pytest.raises(ModelError, match="cv must be a positive number"):
        LogNormal(0.0)
    with pytest.raises(ModelError, match="sd must be a positive number"):
        Normal(-1.0)
    with pytest.raises(ModelError, match="low < high"):
        Normal(1.0, low=2.0, high=1.0)
    assert LogNormal(0.3).omega == pytest.approx((__import__("math").log1p(0.09)) ** 0.5)


def test_model_name_must_be_an_identifier() -> None:
    with pytest.raises(ModelError, match="'my model'"):
        Model.compose("my model", [base_module()])
