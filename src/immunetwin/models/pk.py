"""Pharmacokinetic building blocks: one-compartment model with first-order SC absorption.

Doses are amounts added to the ``<drug>_depot`` species (mg) by a schedule;
the central concentration ``<drug>_central`` is in mg/L.
"""

from __future__ import annotations

from immunetwin.declaration import Compartment, LogNormal, Module, Parameter, Reaction, Species

ADALIMUMAB_SOURCE = "Humira (adalimumab) US label: CL ~12 mL/h, Vss 4.7-6 L, F 64%, t1/2 ~14 d"


def one_compartment_sc(
    drug: str,
    clearance_L_per_day: float,
    volume_L: float,
    absorption_per_day: float,
    bioavailability: float,
    source: str,
    absorption_source: str,
) -> Module:
    """A linear one-compartment PK module with first-order absorption from an SC depot.

    Args:
        drug: Name prefix for the module's species and parameters.
        clearance_L_per_day: Linear clearance CL (L/day).
        volume_L: Volume of distribution V (L).
        absorption_per_day: First-order absorption rate constant ka (1/day).
        bioavailability: Fraction of an SC dose reaching the circulation.
        source: Where CL, V and F come from.
        absorption_source: Where ka comes from.
    """
    central = f"{drug}_plasma"
    return Module(
        name=f"{drug}_pk",
        description=f"{drug}: one-compartment PK with first-order SC absorption",
        compartments=(
            Compartment(
                central, volume_L, "L", source=source, description=f"{drug} distribution volume"
            ),
        ),
        species=(
            Species(
                f"{drug}_depot",
                central,
                0.0,
                "mg",
                source="no drug before the first dose",
                description="drug amount at the SC injection site",
            ),
            Species(
                f"{drug}_central",
                central,
                0.0,
                "mg/L",
                source="no drug before the first dose",
                description="plasma concentration",
            ),
        ),
        parameters=(
            Parameter(
                f"{drug}_clearance",
                clearance_L_per_day,
                "L/day",
                source=source,
                variability=LogNormal(0.3),
                description="linear clearance CL",
            ),
            Parameter(
                f"{drug}_ka",
                absorption_per_day,
                "1/day",
                source=absorption_source,
                variability=LogNormal(0.3),
                description="first-order SC absorption rate ka",
            ),
            Parameter(
                f"{drug}_bioavailability",
                bioavailability,
                "dimensionless",
                source=source,
                description="fraction of the SC dose absorbed (F)",
            ),
        ),
        reactions=(
            Reaction(
                f"{drug}_absorption",
                f"{drug}_ka * {drug}_bioavailability * {drug}_depot",
                reactants={f"{drug}_depot": 1},
                products={f"{drug}_central": 1},
                description="bioavailable fraction absorbed at rate ka",
            ),
            Reaction(
                f"{drug}_presystemic_loss",
                f"{drug}_ka * (1 - {drug}_bioavailability) * {drug}_depot",
                reactants={f"{drug}_depot": 1},
                description="the non-bioavailable fraction leaves the depot at the same rate",
            ),
            Reaction(
                f"{drug}_elimination",
                f"{drug}_clearance * {drug}_central",
                reactants={f"{drug}_central": 1},
                description="linear elimination, CL * C (mg/day)",
            ),
        ),
    )


def adalimumab_pk() -> Module:
    """Adalimumab SC, label values (CL 12 mL/h = 0.288 L/day, V 5.3 L, F 0.64)."""
    return one_compartment_sc(
        "adalimumab",
        clearance_L_per_day=0.288,
        volume_L=5.3,
        absorption_per_day=0.282,
        bioavailability=0.64,
        source=ADALIMUMAB_SOURCE + " (V: middle of 4.7-6 L)",
        absorption_source="Davda et al. mAbs 2014;6:1094 (typical IgG1 mAb SC ka 0.282/day)",
    )
