"""Cell therapies as modules: infused cells, their expansion, contraction and persistence.

Naming, for a cell product ``d`` with kinetics of its own (CD19 CAR-T):
    - species ``d_effector`` and ``d_memory`` (cells/uL of lymphoid tissue, the body
      pools of the immune model) and ``d_programme`` (dimensionless: 1 at the
      infusion, then fading);
    - rules ``d_antigen_engagement`` (share of maximal expansion), ``d_concentration``
      (effector + memory, what mechanism rules read, cells/uL of lymphoid tissue) and
      ``d_blood_count`` (cells/uL of blood, the flow-cytometry readout);
    - parameter ``d_conditioning_rate`` (1/day): removal of every lymphocyte pool,
      switched on by the schedule for the conditioning window.

Effector cells proliferate while their programme runs and they meet their antigen
(``expansion_rate * programme * antigen / (antigen + K)``), die
(``effector_death_rate``: contraction) or become memory cells
(``memory_formation_rate``), which persist (``memory_death_rate``). Expansion needs
both: without antigen (a patient already B-cell depleted) the cells barely expand,
and once the programme fades they contract even while B cells are still made, so
they do not settle into a predator-prey equilibrium with the marrow's B-cell output.
Products that join a pool of the model (adoptive Tregs) have only the dose.
"""

from __future__ import annotations

import math

from immunetwin._errors import ModelError
from immunetwin.declaration import Model, Module, Parameter, Reaction, Rule, Species
from immunetwin.drugs._declarations import Drug, Quantity
from immunetwin.engine import StateChange
from immunetwin.immune._common import LYMPHOID_L

__all__ = [
    "LYMPHOID_UL",
    "cell_module",
    "conditioning_rate",
    "infusion_changes",
    "lymphocyte_pools",
]

# Microlitres of the immune model's lymphoid compartment: infused lymphocytes
# distribute like the body's own, 98% in lymphoid tissue.
LYMPHOID_UL = LYMPHOID_L * 1e6

# Lymphoid-compartment cells that conditioning spares: non-dividing long-lived plasma
# cells (fludarabine/cyclophosphamide leave vaccine titres intact; Mackensen et al. Nat
# Med 2022) and dendritic cells (myeloid).
_SPARED_PREFIXES = ("llpc_", "cdc_")


def lymphocyte_pools(model: Model) -> list[str]:
    """Species that lymphodepleting conditioning removes.

    Every cell species (cells/uL) of the lymphoid compartment (naive, memory and
    regulatory T cells, B cells, germinal-centre B cells, plasmablasts, organ-homing
    effector T cells) and blood NK cells; long-lived plasma cells, dendritic cells and
    other compartments are spared.
    """
    pools = []
    for species in model.species:
        if species.unit != "cells/uL" or species.name.startswith(_SPARED_PREFIXES):
            continue
        if species.compartment == "lymphoid" or species.name == "nk_blood":
            pools.append(species.name)
    return pools


def conditioning_rate(drug: Drug) -> float:
    """Removal rate (1/day) that leaves the declared share of lymphocytes after conditioning."""
    cells = drug.cells
    if cells is None or cells.conditioning_survival is None or cells.conditioning_days is None:
        return 0.0
    survival = cells.conditioning_survival.to("dimensionless")
    return -math.log(survival) / cells.conditioning_days.to("day")


def infusion_changes(
    drug: Drug, time: float, cells_given: float, horizon_days: float
) -> list[StateChange]:
    """Schedule changes of one infusion of ``cells_given`` cells at ``time`` (days).

    Conditioning (when declared) switches on at the infusion and off after its
    duration: it is given over days -5 to -3 before the infusion in practice, and its
    nadir lands a few days after the infusion here instead of at it. The CAR-T peak
    comes a week later, so the shift changes little; it is stated in the drug's notes.
    """
    cells = drug.cells
    if cells is None:
        raise ModelError(f"drug {drug.name!r} is not a cell therapy")
    target = cells.pool or f"{drug.name}_effector"
    changes = []
    rate = conditioning_rate(drug)
    if rate > 0.0 and cells.conditioning_days is not None:
        changes.append(StateChange(time, f"{drug.name}_conditioning_rate", "set", rate))
        end = time + cells.conditioning_days.to("day")
        if end < horizon_days:
            changes.append(StateChange(end, f"{drug.name}_conditioning_rate", "set", 0.0))
    changes.append(StateChange(time, target, "add", cells_given / LYMPHOID_UL))
    if cells.pool is None:
        changes.append(StateChange(time, f"{drug.name}_programme", "set", 1.0))
    return changes


def _par(name: str, q: Quantity, unit: str, description: str) -> Parameter:
    return Parameter(name, q.to(unit), unit, source=q.source, description=description)


def cell_module(drug: Drug, model: Model) -> Module:
    """The module of a cell therapy, built against ``model`` (its lymphocyte pools).

    Raises:
        ModelError: If the drug is not a cell therapy, or the model lacks the pool the
            cells join or the antigen that drives their expansion.
    """
    cells = drug.cells
    if cells is None:
        raise ModelError(f"drug {drug.name!r} is not a cell therapy")
    d = drug.name
    parameters: list[Parameter] = []
    species: list[Species] = []
    reactions: list[Reaction] = []
    rules: list[Rule] = []
    if cells.pool is not None and model.kind_of(cells.pool) != "species":
        raise ModelError(f"{d}: the model has no species {cells.pool!r} for the cells to join")
    if cells.conditioning_survival is not None:
        parameters.append(
            Parameter(
                f"{d}_conditioning_rate",
                0.0,
                "1/day",
                source="definition: switched on by the dosing schedule for the conditioning "
                f"window ({cells.conditioning_survival.text()} of lymphocytes survive: "
                f"{cells.conditioning_survival.source})",
                description="removal rate of lymphocytes by lymphodepleting conditioning",
            )
        )
        for pool in lymphocyte_pools(model):
            reactions.append(
                Reaction(
                    f"{d}_conditioning_{pool}",
                    f"{d}_conditioning_rate * {pool}",
                    reactants={pool: 1},
                    description=f"lymphodepleting conditioning removes {pool}",
                )
            )
    if cells.pool is None:
        if model.kind_of(cells.antigen) is None:
            raise ModelError(f"{d}: the model has no {cells.antigen!r} to drive expansion")
        assert cells.expansion_rate is not None and cells.antigen_half_saturation is not None
        assert cells.programme_half_life is not None
        assert cells.effector_death_rate is not None and cells.memory_formation_rate is not None
        assert cells.memory_death_rate is not None
        parameters += [
            _par(f"{d}_expansion_rate", cells.expansion_rate, "1/day", "maximal expansion"),
            _par(
                f"{d}_programme_half_life",
                cells.programme_half_life,
                "day",
                "half-life of the proliferation programme started by the infusion",
            ),
            _par(
                f"{d}_antigen_half_saturation",
                cells.antigen_half_saturation,
                "cells/uL",
                f"{cells.antigen} level of half-maximal expansion",
            ),
            _par(
                f"{d}_effector_death_rate",
                cells.effector_death_rate,
                "1/day",
                "death of effector cells (contraction)",
            ),
            _par(
                f"{d}_memory_formation_rate",
                cells.memory_formation_rate,
                "1/day",
                "effector-to-memory conversion",
            ),
            _par(
                f"{d}_memory_death_rate",
                cells.memory_death_rate,
                "1/day",
                "loss of memory cells (persistence)",
            ),
        ]
        effector, memory = f"{d}_effector", f"{d}_memory"
        for name, what in ((effector, "effector"), (memory, "memory")):
            species.append(
                Species(
                    name,
                    "lymphoid",
                    0.0,
                    "cells/uL",
                    source="no cells before the infusion",
                    description=f"{drug.display_name}: {what} cells (body pool)",
                )
            )
        species.append(
            Species(
                f"{d}_programme",
                "lymphoid",
                0.0,
                "dimensionless",
                source="definition: set to 1 by each infusion",
                description=f"{drug.display_name}: proliferation programme (fades)",
            )
        )
        rules += [
            Rule(
                f"{d}_antigen_engagement",
                f"{cells.antigen} / ({cells.antigen} + {d}_antigen_half_saturation)",
                "dimensionless",
                "share of maximal antigen-driven expansion",
            ),
            Rule(
                f"{d}_concentration",
                f"{effector} + {memory}",
                "cells/uL",
                "cells of the product (body pool, cells/uL of lymphoid tissue)",
            ),
        ]
        if model.kind_of("blood_per_lymphoid") is not None:
            rules.append(
                Rule(
                    f"{d}_blood_count",
                    f"{d}_concentration * blood_per_lymphoid",
                    "cells/uL",
                    "cells of the product per uL of blood",
                )
            )
        reactions += [
            Reaction(
                f"{d}_expansion",
                f"{d}_expansion_rate * {d}_programme * {d}_antigen_engagement * {effector}",
                products={effector: 1},
                description="antigen-driven proliferation of effector cells",
            ),
            Reaction(
                f"{d}_programme_decay",
                f"log(2) / {d}_programme_half_life * {d}_programme",
                reactants={f"{d}_programme": 1},
                description="the proliferation programme fades",
            ),
            Reaction(
                f"{d}_effector_death",
                f"{d}_effector_death_rate * {effector}",
                reactants={effector: 1},
                description="death of effector cells",
            ),
            Reaction(
                f"{d}_memory_formation",
                f"{d}_memory_formation_rate * {effector}",
                reactants={effector: 1},
                products={memory: 1},
                description="effector cells become memory cells",
            ),
            Reaction(
                f"{d}_memory_death",
                f"{d}_memory_death_rate * {memory}",
                reactants={memory: 1},
                description="loss of memory cells",
            ),
        ]
    return Module(
        name=f"{d}_pk",
        description=f"{drug.display_name}: cellular kinetics",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )
