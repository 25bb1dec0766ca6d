"""Small declared models shared by several test files."""

from __future__ import annotations

from immunetwin import (
    Compartment,
    Event,
    Model,
    Module,
    Parameter,
    Reaction,
    Rule,
    Species,
)

SRC = "test fixture"
BLOOD_L, TISSUE_L = 5.0, 2.0


def small_model() -> Model:
    module = Module(
        "small",
        compartments=(
            Compartment("blood", BLOOD_L, "L", source=SRC),
            Compartment("tissue", TISSUE_L, "L", source=SRC),
        ),
        species=(
            Species("T_blood", "blood", 100.0, "cells/uL", source=SRC),
            Species("T_tissue", "tissue", 10.0, "cells/uL", source=SRC),
            Species("drug_depot", "blood", 40.0, "mg", source=SRC),
            Species("drug", "blood", 0.0, "mg/L", source=SRC),
            Species("il", "tissue", 1.0, "pg/mL", source=SRC),
        ),
        parameters=(
            Parameter("T_source", 10.0, "cells/uL/day", source=SRC),
            Parameter("homing", 0.3, "1/day", source=SRC),
            Parameter("egress", 0.1, "1/day", source=SRC),
            Parameter("T_death", 0.05, "1/day", source=SRC),
            Parameter("T_division", 0.2, "1/day", source=SRC),
            Parameter("ka", 0.28, "1/day", source=SRC),
            Parameter("clearance", 0.29, "L/day", source=SRC),
            Parameter("ic50", 2.0, "mg/L", source=SRC),
            Parameter("il_secretion", 5.0, "pg/mL/day/(cells/uL)", source=SRC),
            Parameter("il_clearance", 50.0, "1/day", source=SRC),
            Parameter("il_ec50", 3.0, "pg/mL", source=SRC),
        ),
        rules=(
            # Declared out of dependency order on purpose.
            Rule("division_drive", "T_division * il_effect", "1/day"),
            Rule("il_effect", "il / (il + il_ec50) * inhibition", "dimensionless"),
            Rule("inhibition", "1 / (1 + drug / ic50)", "dimensionless"),
        ),
        reactions=(
            Reaction(
                "production",
                "T_source * (2.0 if time > 10 else 1.0)",
                products={"T_blood": 1},
            ),
            Reaction(
                "homing_to_tissue",
                "homing * T_blood",
                reactants={"T_blood": 1},
                products={"T_tissue": 1},
                compartment="blood",
            ),
            # A flux in amount per day: no compartment.
            Reaction(
                "egress_to_blood",
                "egress * T_tissue * tissue",
                reactants={"T_tissue": 1},
                products={"T_blood": 1},
            ),
            Reaction("division", "division_drive * T_tissue", {"T_tissue": 1}, {"T_tissue": 2}),
            Reaction("death", "T_death * T_tissue", reactants={"T_tissue": 1}),
            Reaction(
                "absorption", "ka * drug_depot", reactants={"drug_depot": 1}, products={"drug": 1}
            ),
            Reaction("elimination", "clearance * drug", reactants={"drug": 1}),
            Reaction("il_release", "il_secretion * T_tissue", products={"il": 1}),
            Reaction("il_decay", "il_clearance * il", reactants={"il": 1}),
        ),
    )
    return Model.compose("small", [module])


def event_model() -> Model:
    src = SRC
    return Model.compose(
        "switching",
        [
            Module(
                "switching",
                compartments=(Compartment("blood", 1.0, "L", source=src),),
                species=(
                    Species("x", "blood", 10.0, "mg/L", source=src),
                    Species("y", "blood", 0.0, "mg/L", source=src),
                ),
                parameters=(
                    Parameter("k", 0.3, "1/day", source=src),
                    Parameter("refill", 5.0, "mg/L", source=src),
                ),
                reactions=(
                    Reaction("conversion", "k * x", reactants={"x": 1}, products={"y": 1}),
                    Reaction("y_loss", "k * y", reactants={"y": 1}),
                ),
                events=(
                    # State-triggered: refill x whenever it falls below 2 mg/L.
                    Event("refill_x", "x < 2", {"x": "x + refill"}),
                    # Time-triggered parameter switch.
                    Event("slow_down", "time >= 20", {"k": "0.1"}),
                ),
            )
        ],
    )
