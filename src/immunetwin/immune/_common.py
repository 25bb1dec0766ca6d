"""Small helpers shared by the immune-model modules: terse declarations, cytokines.

Nothing here integrates anything; every helper returns declaration objects.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from immunetwin import LogNormal, Parameter, Reaction, Rule, Species

LN2 = math.log(2.0)

# Volumes (L) used to turn body totals into concentrations inside declarations.
BLOOD_L = 5.0
LYMPHOID_L = 0.5
MARROW_L = 1.2
PERIPHERY_L = 1.0

PHYSIOLOGY = "physiology.csv"


def par(
    name: str,
    value: float,
    unit: str,
    source: str,
    description: str = "",
    cv: float | None = None,
) -> Parameter:
    """A parameter; ``cv`` adds log-normal inter-individual variability."""
    return Parameter(
        name=name,
        value=float(value),
        unit=unit,
        source=source,
        variability=LogNormal(cv=cv) if cv else None,
        description=description,
    )


def knob(name: str, description: str, value: float = 1.0, cv: float | None = None) -> Parameter:
    """A dimensionless mechanism knob: 1 is the healthy adult, 0 abolishes the mechanism."""
    return par(
        name,
        value,
        "dimensionless",
        "definition: relative strength of the mechanism, 1 = healthy adult",
        description,
        cv,
    )


def cells(
    name: str, compartment: str, initial: float, description: str, unit: str = "cells/uL"
) -> Species:
    """A cell population (a concentration in its compartment)."""
    return Species(
        name=name,
        compartment=compartment,
        initial=float(initial),
        unit=unit,
        source="calibrated: healthy-adult steady state of this model (see docs/model.md)",
        description=description,
    )


def state(name: str, compartment: str, initial: float, unit: str, description: str) -> Species:
    """A non-cellular state (molecule, antigen, pathogen, organ mass)."""
    return Species(
        name=name,
        compartment=compartment,
        initial=float(initial),
        unit=unit,
        source="calibrated: healthy-adult steady state of this model (see docs/model.md)",
        description=description,
    )


def flow(
    name: str,
    rate: str,
    description: str,
    reactants: Iterable[str] = (),
    products: Iterable[str] = (),
    compartment: str | None = None,
) -> Reaction:
    """A reaction with unit stoichiometry."""
    return Reaction(
        name=name,
        rate=rate,
        reactants={s: 1 for s in reactants},
        products={s: 1 for s in products},
        compartment=compartment,
        description=description,
    )


def rule(name: str, expression: str, unit: str, description: str) -> Rule:
    """An assignment rule."""
    return Rule(name=name, expression=expression, unit=unit, description=description)


def hill(x: str, k: str, n: str | None = None) -> str:
    """Saturating Hill term ``x^n/(k^n + x^n)`` written with a dimensionless base."""
    if n is None:
        return f"(({x})/({k}) / (1 + ({x})/({k})))"
    return f"((({x})/({k}))**{n} / (1 + (({x})/({k}))**{n}))"


def total(names: Sequence[str]) -> str:
    """The sum of names as an expression."""
    return "(" + " + ".join(names) + ")"


@dataclass(frozen=True)
class Cytokine:
    """A cytokine: production (concentration per day) and first-order elimination.

    At quasi-steady state the level is ``production / (ln2/half_life + consumption)``;
    the dynamic form is a species with the same production and elimination.

    Attributes:
        name: Level in blood (serum), e.g. ``tnf``.
        unit: Concentration unit, e.g. ``pg/mL``.
        production: Expression in ``unit``/day.
        half_life: Name of the half-life parameter (unit ``day``).
        consumption: Optional expression in 1/day for receptor-mediated uptake.
        description: What it is and who makes it.
    """

    name: str
    unit: str
    production: str
    half_life: str
    consumption: str | None
    description: str

    def secretion(self) -> str:
        """Production expression times the drug hook ``{name}_free_fraction``."""
        return f"{self.name}_free_fraction * ({self.production})"

    def elimination(self) -> str:
        """Elimination rate constant expression (1/day)."""
        base = f"log(2)/{self.half_life}"
        return f"({base} + {self.consumption})" if self.consumption else f"({base})"

    def as_rule(self) -> list[Rule]:
        """Quasi-steady-state assignment rule."""
        return [
            rule(
                self.name,
                f"{self.secretion()} / {self.elimination()}",
                self.unit,
                self.description + " Quasi-steady state: production / elimination.",
            )
        ]

    def as_dynamic(self) -> tuple[list[Species], list[Reaction]]:
        """Dynamic species with secretion and elimination reactions."""
        species = Species(
            name=self.name,
            compartment="blood",
            initial=0.0,
            unit=self.unit,
            source="calibrated: starts at zero and reaches its quasi-steady state within hours",
            description=self.description + " Dynamic (not quasi-steady-state) form.",
        )
        reactions = [
            flow(f"{self.name}_secretion", self.secretion(), "Secretion.", products=[self.name]),
            flow(
                f"{self.name}_elimination",
                f"{self.elimination()} * {self.name}",
                "Elimination (renal/receptor-mediated).",
                reactants=[self.name],
            ),
        ]
        return [species], reactions
