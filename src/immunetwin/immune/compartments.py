"""Compartments: blood, secondary lymphoid tissue, bone marrow and thymus, periphery.

Organs (synovium, kidney, ...) are added by :func:`immunetwin.immune.tissue.tissue_module`.
"""

from __future__ import annotations

from immunetwin import Compartment, Module
from immunetwin.immune._common import BLOOD_L, LYMPHOID_L, MARROW_L, PERIPHERY_L, par, rule


def compartments_module() -> Module:
    """Body compartments and the blood/lymphoid distribution of lymphocytes."""
    return Module(
        name="compartments",
        description=(
            "Blood, secondary lymphoid tissue (lymph nodes, spleen, mucosa-associated lymphoid "
            "tissue, lumped), bone marrow and thymus (production sources) and a generic "
            "peripheral tissue where infections take place."
        ),
        compartments=(
            Compartment(
                name="blood",
                size=BLOOD_L,
                unit="L",
                source="ICRP Publication 89 reference adult (blood volume 5.3 L male, 3.9 L "
                "female; 5.0 L used)",
                description="Circulating blood. Plasma-protein concentrations are read as serum "
                "levels.",
            ),
            Compartment(
                name="lymphoid",
                size=LYMPHOID_L,
                unit="L",
                source="calibrated: ~5e11 body lymphocytes (Westermann & Pabst 1992) at "
                "lymph-node cell density ~1e9 cells/mL",
                description="Secondary lymphoid tissue, lumped; holds ~98% of lymphocytes.",
            ),
            Compartment(
                name="bone_marrow",
                size=MARROW_L,
                unit="L",
                source="ICRP Publication 89: active (red) marrow ~1.2 kg in the adult",
                description="Red bone marrow: granulopoiesis, monopoiesis, B lymphopoiesis, "
                "plasma-cell niches.",
            ),
            Compartment(
                name="thymus",
                size=0.02,
                unit="L",
                source="textbook: adult thymus ~20 g",
                description="Thymus: source of naive T cells and thymic Tregs; its output is a "
                "parameter (central tolerance decides which autoreactive precursors escape).",
            ),
            Compartment(
                name="periphery",
                size=PERIPHERY_L,
                unit="L",
                source="calibrated: modelling choice, a 1 L generic barrier tissue (lung, skin, "
                "gut interstitium) where infections are inoculated",
                description="Generic peripheral tissue: infection site with resident and "
                "recruited myeloid cells.",
            ),
        ),
        parameters=(
            par(
                "lymphocyte_blood_share",
                0.02,
                "dimensionless",
                "physiology.csv lymphocytes_blood_share (1.5-2.5%)",
                "Fraction of the body's lymphocytes that is in blood at any moment. Lymphocytes "
                "recirculate in ~30 min per pass (5e11/day), so the split is at quasi-steady "
                "state.",
                cv=0.18,
            ),
            par(
                "percent_per_fraction",
                100.0,
                "%",
                "unit conversion",
                "Converts a fraction to percent.",
            ),
        ),
        rules=(
            rule(
                "blood_per_lymphoid",
                "lymphocyte_blood_share / (1 - lymphocyte_blood_share) * lymphoid / blood",
                "dimensionless",
                "Blood lymphocyte concentration per lymphoid-tissue concentration (fast "
                "recirculation at quasi-steady state).",
            ),
        ),
    )
