"""Antigens: replicating pathogens, apoptotic cells, nuclear self antigen, immune complexes.

Infections are inoculated by the runner (a ``StateChange`` adding to ``bacteria`` or
``virus``); see :func:`immunetwin.immune.scenarios.infection`.
"""

from __future__ import annotations

from immunetwin import Module
from immunetwin.immune._common import flow, hill, knob, par, rule, state


def pathogens_module() -> Module:
    """Extracellular bacteria and a cytopathic virus in the periphery."""
    parameters = [
        par(
            "bacterial_growth_rate",
            4.0,
            "1/day",
            "textbook: extracellular bacteria double every ~1-4 h in vivo (4/day: ~4 h)",
            "Maximal bacterial replication rate.",
        ),
        par(
            "bacterial_capacity",
            1e5,
            "CFU/uL",
            "calibrated: overwhelming tissue infection ~1e8 CFU/mL (1e5 CFU/uL)",
            "Bacterial carrying capacity of the infected tissue.",
        ),
        par(
            "bacterial_extinction_level",
            1e-6,
            "CFU/uL",
            "calibrated: ~1e3 organisms in the 1 L tissue cannot sustain the infection "
            "(stochastic extinction)",
            "Load below which the population collapses (makes clearance absolute).",
        ),
        par(
            "pathogen_extinction_rate",
            10.0,
            "1/day",
            "calibrated: faster than replication, so populations below the extinction level die "
            "out",
            "Loss rate of a pathogen population far below its extinction level.",
        ),
        par(
            "neutrophil_killing_rate",
            2e-3,
            "1/(day*cells/uL)",
            "calibrated: healthy clearance of a 1e5 CFU/mL inoculum within ~2-3 days",
            "Killing of opsonised bacteria per tissue neutrophil.",
        ),
        par(
            "macrophage_killing_rate",
            4e-3,
            "1/(day*cells/uL)",
            "calibrated: macrophages alone cannot clear the inoculum (neutropenia fails)",
            "Killing of opsonised bacteria per macrophage.",
        ),
        par(
            "m2_killing_weight",
            0.3,
            "dimensionless",
            "calibrated: resident macrophages kill less than activated M1",
            "Relative bacterial killing by M2 macrophages.",
        ),
        par(
            "ifng_macrophage_ec50",
            10.0,
            "pg/mL",
            "calibrated: IFN-gamma activation of macrophages",
            "IFN-gamma level doubling macrophage killing.",
        ),
        par(
            "phagocytosis_saturation",
            200.0,
            "CFU/uL",
            "calibrated: phagocyte capacity saturates above ~2e5 CFU/mL; the healthy adult "
            "clears a 3e5 CFU/mL inoculum while opsonin or neutrophil deficiency does not",
            "Bacterial load at which phagocytic killing per cell halves.",
        ),
        par(
            "opsonisation_basal",
            0.05,
            "dimensionless",
            "calibrated: non-opsonic phagocytosis of encapsulated bacteria is inefficient",
            "Phagocytosis without opsonins (relative).",
        ),
        par(
            "alternative_pathway_weight",
            0.15,
            "dimensionless",
            "calibrated: alternative pathway alone opsonises encapsulated bacteria poorly",
            "Opsonisation by alternative-pathway C3b.",
        ),
        par(
            "classical_pathway_weight",
            0.5,
            "dimensionless",
            "calibrated: C1q/C4 deficiency fails to clear encapsulated bacteria",
            "Opsonisation by classical-pathway C3b (natural and specific antibody triggered).",
        ),
        par(
            "fc_opsonisation_weight",
            0.3,
            "dimensionless",
            "calibrated: IgG Fc-receptor opsonisation; CVID fails to clear",
            "Opsonisation by IgG through Fc-gamma receptors.",
        ),
        par(
            "natural_antibody_k",
            12.0,
            "g/L",
            "calibrated: cross-reactive natural IgG/IgM opsonise common bacteria at normal "
            "serum levels",
            "Serum IgG+IgM giving half-maximal natural-antibody opsonisation.",
        ),
        par(
            "specific_antibody_k",
            5.0,
            "mg/L",
            "calibrated: a few mg/L of specific antibody opsonises efficiently",
            "Specific IgG+IgM giving half-maximal specific opsonisation.",
        ),
        par(
            "viral_replication_rate",
            3.0,
            "1/day",
            "calibrated: viral load rises ~1e4-fold over 3-4 days (Hancioglu 2007 influenza "
            "model peaks day ~5.7)",
            "Maximal viral replication rate.",
        ),
        par(
            "viral_capacity",
            1e5,
            "copies/uL",
            "calibrated: peak viral loads ~1e6-1e8 copies/mL",
            "Carrying capacity (target-cell limitation).",
        ),
        par(
            "viral_extinction_level",
            1e-6,
            "copies/uL",
            "calibrated: as bacterial_extinction_level",
            "Load below which replication fails.",
        ),
        par(
            "ifn_antiviral_ec50",
            15.0,
            "pg/mL",
            "calibrated: type I IFN slows but does not stop replication",
            "Type I IFN level halving viral replication.",
        ),
        par(
            "viral_clearance_rate",
            0.2,
            "1/day",
            "calibrated: innate non-specific clearance",
            "Basal viral clearance.",
        ),
        par(
            "nk_killing_rate",
            2e-3,
            "1/(day*cells/uL)",
            "calibrated: NK cells slow but cannot clear the infection alone (lymphopenia fails)",
            "Killing of infected cells per activated blood NK cell.",
        ),
        par(
            "ctl_killing_rate",
            3e-3,
            "1/(day*cells/uL)",
            "calibrated: viral clearance by day ~8-10 (Hancioglu 2007: cleared ~7.5 d)",
            "Killing of infected cells per virus-specific CTL (lymphoid cells/uL).",
        ),
        par(
            "antibody_neutralisation_rate",
            0.05,
            "1/(day*mg/L)",
            "calibrated: neutralising antibody prevents reinfection",
            "Neutralisation per mg/L of virus-specific IgG (IgM weighted by "
            "igm_neutralisation_weight).",
        ),
        par(
            "igm_neutralisation_weight",
            0.5,
            "dimensionless",
            "calibrated: IgM neutralises less per mg than IgG",
            "Relative IgM neutralisation.",
        ),
    ]
    rules = [
        rule(
            "classical_pathway_bacteria",
            "c1q_level * c4 / c4_reference * "
            + hill(
                "(igm_bulk + igg_polyclonal)/natural_antibody_k + (igm_bacterial + igg_bacterial)"
                "/specific_antibody_k",
                "1",
            )
            + " * 2",
            "dimensionless",
            "Classical-pathway deposition on bacteria: needs C1q, C4 and bound antibody "
            "(1 at normal natural-antibody levels).",
        ),
        rule(
            "bacterial_opsonisation",
            "opsonisation_basal + c3 / c3_reference * (alternative_pathway_weight + "
            "classical_pathway_weight * min(classical_pathway_bacteria, 1.5)) + "
            "fc_opsonisation_weight * 2 * "
            + hill("igg_polyclonal/natural_antibody_k + igg_bacterial/specific_antibody_k", "1"),
            "dimensionless",
            "Opsonisation of bacteria (~1 in a healthy adult).",
        ),
        rule(
            "phagocytic_killing_rate",
            "(neutrophil_killing_rate * neutrophils_tissue + macrophage_killing_rate * "
            "(macrophages_m1 * (1 + ifng/ifng_macrophage_ec50) + m2_killing_weight * "
            "macrophages_m2)) * bacterial_opsonisation / (1 + bacteria/phagocytosis_saturation)",
            "1/day",
            "Per-bacterium killing rate by phagocytes.",
        ),
        rule(
            "viral_killing_rate",
            "viral_clearance_rate + nk_killing_rate * nk_blood * nk_activation + "
            "ctl_killing_rate * cd8_effector_viral + antibody_neutralisation_rate * "
            "(igg_viral + igm_neutralisation_weight * igm_viral)",
            "1/day",
            "Per-virion removal rate (innate, NK, CTL, antibody).",
        ),
    ]
    species = [
        state("bacteria", "periphery", 0.0, "CFU/uL", "Extracellular bacteria (infection site)."),
        state("virus", "periphery", 0.0, "copies/uL", "Virus (infection site)."),
    ]
    reactions = [
        flow(
            "bacterial_replication",
            "bacterial_growth_rate * bacteria * max(0, 1 - bacteria/bacterial_capacity)",
            "Logistic replication.",
            products=["bacteria"],
        ),
        flow(
            "bacterial_extinction",
            "pathogen_extinction_rate * bacteria * bacterial_extinction_level / "
            "(bacterial_extinction_level + abs(bacteria))",
            "Stochastic extinction of very small populations.",
            reactants=["bacteria"],
        ),
        flow(
            "bacterial_killing",
            "phagocytic_killing_rate * bacteria",
            "Phagocytic killing (opsonin-dependent).",
            reactants=["bacteria"],
        ),
        flow(
            "viral_replication",
            "viral_replication_rate / (1 + ifn_signal/ifn_antiviral_ec50) * virus * "
            "max(0, 1 - virus/viral_capacity)",
            "Replication, inhibited by type I IFN.",
            products=["virus"],
        ),
        flow(
            "viral_extinction",
            "pathogen_extinction_rate * virus * viral_extinction_level / "
            "(viral_extinction_level + abs(virus))",
            "Stochastic extinction of very small populations.",
            reactants=["virus"],
        ),
        flow(
            "viral_removal",
            "viral_killing_rate * virus",
            "Removal by innate clearance, NK, CTL and neutralising antibody.",
            reactants=["virus"],
        ),
    ]
    return Module(
        name="pathogens",
        description="Replicating extracellular bacteria and virus at the infection site.",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )


def self_antigen_module(organs: tuple[str, ...]) -> Module:
    """Apoptotic cells, nuclear self antigen and circulating immune complexes.

    Args:
        organs: Organ names (their deposits fix complement and their damage releases antigen).
    """
    parameters = [
        knob(
            "apoptotic_clearance_factor",
            "Efferocytosis by macrophages (0.1: slow apoptotic-cell clearance, the lupus "
            "mechanism).",
        ),
        par(
            "efferocytosis_rate",
            24.0,
            "1/day",
            "textbook: apoptotic cells are engulfed within ~1 h and are rarely seen in healthy "
            "tissue",
            "Clearance rate of apoptotic cells at the healthy macrophage density.",
        ),
        par(
            "macrophage_reference",
            200.0,
            "cells/uL",
            "calibrated: resident macrophage density of the healthy model",
            "Macrophage density of the healthy adult (efferocytosis scaling).",
        ),
        par(
            "efferocyte_saturation_k",
            100.0,
            "cells/uL",
            "calibrated: efferocytosis varies less than macrophage counts between people",
            "Macrophage density of half-maximal efferocytic capacity.",
        ),
        par(
            "m1_efferocytosis_weight",
            0.5,
            "dimensionless",
            "calibrated: inflammatory macrophages engulf apoptotic cells less efficiently",
            "Relative efferocytosis by M1 macrophages.",
        ),
        par(
            "c1q_efferocytosis_share",
            0.5,
            "dimensionless",
            "calibrated: C1q opsonises apoptotic cells (C1q deficiency -> lupus, Botto 1998)",
            "Share of efferocytosis that depends on C1q.",
        ),
        par(
            "secondary_necrosis_rate",
            0.08,
            "1/day",
            "calibrated: cell-free DNA ~10 ng/mL in health",
            "Rate at which uncleared apoptotic cells become secondarily necrotic.",
        ),
        par(
            "lymphocyte_apoptosis_rate",
            2e4,
            "cells/uL/day",
            "calibrated: ~1e9-1e10 lymphocytes die daily; lumped into the periphery",
            "Apoptosis of lymphocytes (and other short-lived cells) per uL of the periphery.",
        ),
        par(
            "dna_per_cell",
            6.6e-3,
            "ng/cells",
            "textbook: a diploid human nucleus holds ~6.6 pg DNA",
            "Nuclear antigen (chromatin) released per necrotic cell.",
        ),
        par("ul_per_ml", 1000.0, "uL/mL", "unit conversion", "Microlitres per millilitre."),
        par(
            "cfdna_clearance_rate",
            24 * 0.69,
            "1/day",
            "textbook: cell-free DNA half-life in plasma ~15 min - 2 h (1 h used)",
            "Clearance of circulating nucleosomes/cfDNA (DNase, liver).",
        ),
        par(
            "nuclear_antigen_binding_rate",
            0.05,
            "1/(day*mg/L)",
            "calibrated: antinuclear IgG sequesters nuclear antigen into immune complexes",
            "Removal of nuclear antigen per mg/L of autoantibody IgG.",
        ),
        par(
            "ic_formation_rate",
            0.2,
            "1/day",
            "calibrated: immune complexes in SLE-like states reach tens of mg/L",
            "Maximal fraction of autoantibody IgG entering complexes per day.",
        ),
        par(
            "nuclear_antigen_ic_k",
            20.0,
            "ng/mL",
            "calibrated: complex formation is antigen-limited at healthy cfDNA levels",
            "Nuclear antigen giving half-maximal complex formation.",
        ),
        par(
            "ic_clearance_basal",
            1.0,
            "1/day",
            "calibrated: Fc-receptor clearance of immune complexes by liver and spleen",
            "Complement-independent immune-complex clearance.",
        ),
        par(
            "ic_clearance_complement",
            3.0,
            "1/day",
            "calibrated: erythrocyte CR1 transport of C3b-coated complexes (complement "
            "deficiency slows clearance)",
            "Complement-dependent immune-complex clearance.",
        ),
        par(
            "nuclear_antigen_reference",
            10.0,
            "ng/mL",
            "calibrated: healthy cell-free DNA ~10 ng/mL",
            "Healthy nuclear-antigen level (normalises self-antigen presentation).",
        ),
        par(
            "ic_reference",
            1.0,
            "mg/L",
            "calibrated: immune complexes below ~1 mg/L are physiological",
            "Scale of immune complexes in presentation and TLR signalling.",
        ),
    ]
    rules = [
        rule(
            "apoptotic_cell_generation",
            "log(2)/neutrophil_half_life_blood * neutrophils_blood * blood / periphery + "
            "log(2)/neutrophil_half_life_tissue * neutrophils_tissue + lymphocyte_apoptosis_rate",
            "cells/uL/day",
            "Apoptotic cells generated (neutrophil turnover dominates).",
        ),
        rule(
            "efferocytosis_clearance",
            "efferocytosis_rate * apoptotic_clearance_factor * efferocyte_capacity * "
            "(1 - c1q_efferocytosis_share * (1 - c1q_level))",
            "1/day",
            "Per-cell clearance rate of apoptotic cells by macrophages (C1q-assisted).",
        ),
        rule(
            "efferocyte_capacity",
            "(macrophages_m2 + m1_efferocytosis_weight * macrophages_m1) / (macrophages_m2 + "
            "m1_efferocytosis_weight * macrophages_m1 + efferocyte_saturation_k) * "
            "(macrophage_reference + efferocyte_saturation_k) / macrophage_reference",
            "dimensionless",
            "Efferocytic capacity relative to the healthy adult (saturates with macrophage "
            "numbers: liver and spleen macrophages have spare capacity).",
        ),
        rule(
            "apoptotic_cells",
            "apoptotic_cell_generation / (efferocytosis_clearance + secondary_necrosis_rate)",
            "cells/uL",
            "Apoptotic cells awaiting clearance (quasi-steady state: minutes-hours).",
        ),
        rule(
            "nuclear_antigen",
            "secondary_necrosis_rate * apoptotic_cells * dna_per_cell * periphery / blood * "
            "ul_per_ml / (cfdna_clearance_rate + nuclear_antigen_binding_rate * igg_auto)",
            "ng/mL",
            "Circulating nuclear self antigen (nucleosomes, cell-free DNA); quasi-steady state.",
        ),
        rule(
            "self_antigen_signal",
            "nuclear_antigen / nuclear_antigen_reference + immune_complexes / ic_reference",
            "dimensionless",
            "Nuclear self antigen available to lymphocytes (free and in complexes).",
        ),
    ]
    deposit_terms = " + ".join(f"{o}_ic_deposits * {o} / blood" for o in organs) or "0"
    rules.append(
        rule(
            "immune_complex_burden",
            f"immune_complexes + {deposit_terms}",
            "mg/L",
            "Circulating plus deposited immune complexes (per litre of blood).",
        )
    )
    species = [
        state(
            "immune_complexes",
            "blood",
            0.02,
            "mg/L",
            "Circulating immune complexes (autoantibody IgG bound to nuclear antigen).",
        ),
    ]
    reactions = [
        flow(
            "immune_complex_formation",
            "ic_formation_rate * igg_auto * " + hill("nuclear_antigen", "nuclear_antigen_ic_k"),
            "Autoantibody IgG binds nuclear antigen.",
            reactants=["igg_auto"],
            products=["immune_complexes"],
        ),
        flow(
            "immune_complex_clearance",
            "(ic_clearance_basal + ic_clearance_complement * c1q_level * c3 / c3_reference) * "
            "immune_complexes",
            "Clearance by liver and spleen (complement/CR1-assisted).",
            reactants=["immune_complexes"],
        ),
    ]
    return Module(
        name="self_antigen",
        description="Apoptotic cells, nuclear self antigen and immune complexes.",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )
