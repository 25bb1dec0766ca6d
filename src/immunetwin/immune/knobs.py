"""Named knobs: the dimensionless mechanism strengths that diseases, defects and drugs change.

Every knob is a parameter with value 1 in the healthy adult (0 abolishes the mechanism).
:data:`DEFECTS` lists the monogenic and acquired defects used in the tests as parameter
changes; a disease or drug is data of the same kind (a list of changes, extra modules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Defect:
    """A named defect: a description and parameter changes.

    Attributes:
        description: What it models.
        changes: Parameter name -> value.
    """

    description: str
    changes: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


def _defect(description: str, **changes: float) -> Defect:
    return Defect(description, MappingProxyType(changes))


DEFECTS: MappingProxyType = MappingProxyType(
    {
        "severe_lymphopenia": _defect(
            "SCID-like: common-gamma-chain/IL-7R failure, no T/B lymphopoiesis",
            lymphopoiesis_factor=0.02,
        ),
        "cvid": _defect(
            "CVID-like: failure of B -> plasma-cell differentiation (hypogammaglobulinaemia)",
            b_cell_differentiation_factor=0.08,
        ),
        "c4_deficiency": _defect("Complete C4 deficiency", c4_synthesis_factor=0.02),
        "c1q_deficiency": _defect("C1q deficiency", c1q_level=0.0),
        "neutropenia": _defect("Severe congenital neutropenia", neutropoiesis_factor=0.05),
        "fcrn_deficiency": _defect("FcRn (beta2-microglobulin) deficiency", fcrn_level=0.0),
        "ipex": _defect("IPEX-like: loss of FOXP3 function (Tregs)", foxp3_function=0.02),
        "alps": _defect("ALPS-like: FAS defect (no Fas-mediated AICD)", fas_aicd_strength=0.1),
        "aps1": _defect("APS-1-like: AIRE deficiency", aire_efficiency=0.0),
        "pd1_blockade": _defect("PD-1 blockade (nivolumab/pembrolizumab-like)", pd1_strength=0.1),
        "ctla4_blockade": _defect(
            "CTLA-4 blockade (ipilimumab-like, partial at clinical doses)", ctla4_strength=0.3
        ),
        "slow_apoptotic_clearance": _defect(
            "Slow apoptotic-cell clearance (the lupus mechanism)", apoptotic_clearance_factor=0.1
        ),
        "baff_excess": _defect("BAFF excess (BAFF-transgenic-like)", baff_production_factor=3.0),
    }
)


def knob_table() -> dict[str, str]:
    """Knob name -> description, read from the declarations."""
    from immunetwin.immune.model import immune_modules

    table = {}
    for module in immune_modules():
        for p in module.parameters:
            if p.source.startswith("definition:"):
                table[p.name] = p.description
    return table


KNOBS: tuple[str, ...] = (
    # tolerance
    "aire_efficiency",
    "foxp3_function",
    "treg_suppression_strength",
    "treg_il2_consumption",
    "treg_il10_secretion",
    "ctla4_strength",
    "pd1_strength",
    "fas_aicd_strength",
    "anergy_strength",
    "costimulation_strength",
    "baff_production_factor",
    "apoptotic_clearance_factor",
    "c1q_level",
    "tlr7_9_signalling",
    # production and effector capacity
    "lymphopoiesis_factor",
    "neutropoiesis_factor",
    "nk_production_factor",
    "b_cell_differentiation_factor",
    "c3_synthesis_factor",
    "c4_synthesis_factor",
    "fcrn_level",
)

# Drug target hooks: 1 (or 0 for rates) without drug; drug PK/PD modules lower or raise them.
DRUG_TARGETS: tuple[str, ...] = (
    "tnf_free_fraction",
    "il6_free_fraction",
    "il1b_free_fraction",
    "il17_free_fraction",
    "il2_free_fraction",
    "il10_free_fraction",
    "ifng_free_fraction",
    "ifn_type1_free_fraction",
    "baff_free_fraction",
    "tgfb_free_fraction",
    "il6_receptor_signalling",
    "tissue_il6_receptor_signalling",
    "ifnar_signalling",
    "cytokine_production_factor",
    "lymphocyte_proliferation_factor",
    "cd20_depletion_rate",
    "plasmablast_depletion_rate",
    "effector_t_depletion_rate",
    "effector_t_exhaustion_rate",
    "exogenous_igg",
    "fc_gamma_receptor_function",
    "cell_therapy_il6_release_rate",
    "neutrophil_adhesion_factor",
    "myeloid_activation_factor",
    "treg_proliferation_factor",
    "nk_il2_proliferation_rate",
    "lymphocyte_cns_entry",
    "lymphocyte_gut_entry",
)
