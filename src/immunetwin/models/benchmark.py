"""A stiff 52-state test model for engine benchmarks and solver cross-checks.

Not a physiological model: a ring of 25 cell populations, each driven by the
cytokine of its neighbour, and 25 cytokines secreted by the cells, plus an SC
drug (one-compartment PK) that inhibits secretion. It has the structure that
makes the real immune model hard to integrate: cell turnover over days next to
cytokines that turn over in minutes (stiffness ratio ~10^4), saturating
(Michaelis-Menten) couplings, and weekly dosing jumps. ``benchmarks/`` and the
SciPy cross-check in ``tests/`` use it; DESIGN.md's engine table was measured on
a model of this shape.
"""

from __future__ import annotations

import math

from immunetwin.declaration import (
    Compartment,
    LogNormal,
    Model,
    Module,
    Parameter,
    Reaction,
    Species,
)
from immunetwin.models.pk import adalimumab_pk

N_CELL_TYPES = 25
_SOURCE = "benchmark model: time scales from physiology.csv ({})"


def stiff_benchmark_model(n_cell_types: int = N_CELL_TYPES) -> Model:
    """Build the benchmark model: ``2 * n_cell_types`` immune states plus 2 drug states."""
    blood = Compartment("blood", 5.0, "L", source="ICRP 89 reference man blood volume ~5 L")
    species, parameters, reactions = [], [], []
    parameters.append(
        Parameter(
            "secretion_ic50",
            2.0,
            "mg/L",
            source=_SOURCE.format("adalimumab trough ~5 mg/L"),
            description="drug concentration halving cytokine secretion",
        )
    )
    for i in range(n_cell_types):
        cell, cytokine, upstream = (
            f"cell_{i}",
            f"cytokine_{i}",
            f"cytokine_{(i - 1) % n_cell_types}",
        )
        # Spread the time scales: cell half-lives 0.5-20 days, cytokine half-lives 5-60 min.
        cell_half_life = 0.5 * (40.0 ** (i / max(1, n_cell_types - 1)))
        cytokine_half_life_min = 5.0 + 55.0 * ((i * 7) % n_cell_types) / n_cell_types
        species += [
            Species(
                cell,
                "blood",
                100.0,
                "cells/uL",
                source=_SOURCE.format("lymphocyte subsets 10^2 cells/uL"),
            ),
            Species(
                cytokine, "blood", 1.0, "pg/mL", source=_SOURCE.format("resting cytokines ~1 pg/mL")
            ),
        ]
        parameters += [
            Parameter(
                f"{cell}_death",
                math.log(2) / cell_half_life,
                "1/day",
                source=_SOURCE.format("cell half-lives 0.5-20 d"),
                variability=LogNormal(0.2),
            ),
            Parameter(
                f"{cell}_source",
                100.0 * 0.5 * math.log(2) / cell_half_life,
                "cells/uL/day",
                source=_SOURCE.format("half of turnover from production"),
                variability=LogNormal(0.2),
            ),
            Parameter(
                f"{cell}_proliferation",
                1.2 * math.log(2) / cell_half_life,
                "1/day",
                source=_SOURCE.format("cytokine-driven expansion"),
                variability=LogNormal(0.2),
            ),
            Parameter(f"{cell}_capacity", 400.0, "cells/uL", source=_SOURCE.format("niche limit")),
            Parameter(f"{cytokine}_ec50", 1.0, "pg/mL", source=_SOURCE.format("pg/mL potency")),
            Parameter(
                f"{cytokine}_clearance",
                math.log(2) / (cytokine_half_life_min / 1440.0),
                "1/day",
                source=_SOURCE.format("tnf_halflife, il2_halflife: minutes"),
            ),
            Parameter(
                f"{cytokine}_secretion",
                math.log(2) / (cytokine_half_life_min / 1440.0) / 100.0,
                "pg/mL/day/(cells/uL)",
                source=_SOURCE.format("1 pg/mL at 100 cells/uL"),
                variability=LogNormal(0.3),
            ),
        ]
        reactions += [
            Reaction(f"{cell}_production", f"{cell}_source", products={cell: 1}),
            Reaction(
                f"{cell}_expansion",
                f"{cell}_proliferation * {cell} * {upstream} / ({upstream} + {cytokine}_ec50)"
                f" * (1 - {cell} / {cell}_capacity)",
                products={cell: 1},
            ),
            Reaction(f"{cell}_loss", f"{cell}_death * {cell}", reactants={cell: 1}),
            Reaction(
                f"{cytokine}_release",
                f"{cytokine}_secretion * {cell} / (1 + adalimumab_central / secretion_ic50)",
                products={cytokine: 1},
                compartment="blood",
            ),
            Reaction(
                f"{cytokine}_decay", f"{cytokine}_clearance * {cytokine}", reactants={cytokine: 1}
            ),
        ]
    immune = Module(
        "benchmark_immune",
        description="ring of cytokine-coupled cell populations (benchmark only)",
        compartments=(blood,),
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
    )
    return Model.compose("stiff_benchmark", [immune, adalimumab_pk()])
