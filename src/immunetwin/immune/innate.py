"""Innate immunity: neutrophils, monocytes and macrophages (M1/M2), NK cells, dendritic cells.

Also platelets (counted in the CBC; destroyed by autoantibodies in autoimmune cytopenias).
"""

from __future__ import annotations

from immunetwin import Module
from immunetwin.immune._common import (
    BLOOD_L,
    LN2,
    MARROW_L,
    cells,
    flow,
    hill,
    knob,
    par,
    rule,
)

# Healthy set points used to derive production rates (cells/uL in their compartment).
NEUTROPHILS_BLOOD = 4000.0
MONOCYTES_BLOOD = 370.0
NK_BLOOD = 300.0
PLATELETS_BLOOD = 250_000.0
NEUTROPHIL_HALF_LIFE_D = 19.0 / 24.0
MARROW_TRANSIT_D = 5.8


def innate_module() -> Module:
    """Neutrophils (marrow reserve, blood, tissue), monocytes, macrophages, NK, cDC, pDC."""
    k_blood = LN2 / NEUTROPHIL_HALF_LIFE_D
    # Marrow release must replace blood losses: flux per marrow volume.
    release_flux = NEUTROPHILS_BLOOD * k_blood * BLOOD_L / MARROW_L
    marrow_pool = release_flux * MARROW_TRANSIT_D
    parameters = [
        # -- neutrophils ------------------------------------------------------------------
        par(
            "neutrophil_production_rate",
            release_flux / 1.22,
            "cells/uL/day",
            "calibrated: blood neutrophils ~4000/uL (physiology.csv neutrophils_blood "
            "1800-7500) with a 19 h blood half-life",
            "Basal granulopoiesis into the marrow reserve (per litre of marrow).",
            cv=0.2,
        ),
        knob(
            "neutropoiesis_factor", "Granulopoiesis capacity (0.05: severe congenital neutropenia)."
        ),
        par(
            "granulopoiesis_max_fold",
            4.0,
            "dimensionless",
            "calibrated: emergency granulopoiesis (G-CSF) raises output several-fold; blood "
            "neutrophils 10-20e3/uL in bacterial infection",
            "Extra marrow output at full stimulation (fold over basal).",
        ),
        par(
            "il6_myelopoiesis_ec50",
            150.0,
            "pg/mL",
            "calibrated: emergency granulopoiesis in bacterial infection (IL-6 tens to hundreds "
            "of pg/mL)",
            "IL-6 level giving half of the extra granulopoiesis.",
        ),
        par(
            "il17_myelopoiesis_ec50",
            10.0,
            "pg/mL",
            "calibrated: IL-17 -> G-CSF axis, with neutrophilia when Th17 responses are active",
            "IL-17 level giving half of the extra granulopoiesis.",
        ),
        par(
            "neutrophil_marrow_transit",
            MARROW_TRANSIT_D,
            "day",
            "physiology.csv neutrophil_blood_halflife note: marrow transit ~5.8 d "
            "(Lahoz-Beneytez 2016)",
            "Mean time a post-mitotic neutrophil spends in the marrow reserve.",
        ),
        par(
            "neutrophil_release_max_fold",
            4.0,
            "dimensionless",
            "calibrated: neutrophilia within hours of an acute bacterial stimulus (marrow "
            "reserve mobilisation)",
            "Extra release from the marrow reserve at full mobilisation (fold).",
        ),
        par(
            "tnf_mobilisation_ec50",
            50.0,
            "pg/mL",
            "calibrated: mobilisation in acute infection",
            "TNF level giving half-maximal reserve mobilisation.",
        ),
        par(
            "il1b_mobilisation_ec50",
            10.0,
            "pg/mL",
            "calibrated: mobilisation in acute infection",
            "IL-1beta level giving half-maximal reserve mobilisation.",
        ),
        par(
            "neutrophil_half_life_blood",
            NEUTROPHIL_HALF_LIFE_D,
            "day",
            "physiology.csv neutrophil_blood_halflife (~19 h; 0.6-1.0 d)",
            "Half-life of neutrophils in blood (margination, tissue homing and death).",
            cv=0.12,
        ),
        par(
            "neutrophil_half_life_tissue",
            1.0,
            "day",
            "textbook: neutrophils survive ~1-2 d in inflamed tissue before apoptosis",
            "Half-life of neutrophils recruited to the periphery.",
        ),
        par(
            "neutrophil_adhesion_factor",
            1.0,
            "dimensionless",
            "definition: drug target hook, 1 without drug (a drug module lowers it)",
            "Neutrophil adhesion to endothelium: scales removal from blood (margination, "
            "homing) and extravasation into tissue (glucocorticoids lower it: demargination).",
        ),
        par(
            "neutrophil_extravasation_rate",
            1.0,
            "1/day",
            "calibrated: bacterial clearance within ~3 days and tissue neutrophil influx in "
            "acute infection",
            "Rate at which blood neutrophils enter the periphery at full chemoattraction.",
        ),
        par(
            "chemoattraction_basal",
            0.001,
            "dimensionless",
            "calibrated: few neutrophils in healthy tissue",
            "Chemoattraction of the periphery without infection (patrolling).",
        ),
        par(
            "bacteria_chemoattraction_k",
            10.0,
            "CFU/uL",
            "calibrated: neutrophil influx rises over the first hours of a 1e4-1e6 CFU/mL "
            "infection",
            "Bacterial load giving half-maximal chemoattraction (formyl peptides, CXCL8).",
        ),
        par(
            "virus_chemoattraction_k",
            1e3,
            "copies/uL",
            "calibrated: modest neutrophil influx in viral infection",
            "Viral load giving half of the (weaker) viral chemoattraction.",
        ),
        par(
            "viral_chemoattraction_weight",
            0.2,
            "dimensionless",
            "calibrated: viral infections recruit fewer neutrophils than bacterial ones",
            "Maximal chemoattraction by virus relative to bacteria.",
        ),
        par(
            "il17_chemoattraction_ec50",
            200.0,
            "pg/mL",
            "calibrated: Th17-driven neutrophil recruitment",
            "IL-17 level giving chemoattraction 1 (CXCL1/CXCL8 induction).",
        ),
        # -- monocytes and macrophages --------------------------------------------------------
        par(
            "monocyte_production_rate",
            MONOCYTES_BLOOD * LN2 / 1.0 / 1.11,
            "cells/uL/day",
            "calibrated: blood monocytes ~420/uL, 2-8% of WBC (physiology.csv monocytes_fraction)",
            "Basal monocyte output into blood.",
            cv=0.15,
        ),
        par(
            "monopoiesis_max_fold",
            2.0,
            "dimensionless",
            "calibrated: monocytosis in infection (~2-3 fold)",
            "Extra monocyte output at full stimulation.",
        ),
        par(
            "monocyte_half_life_blood",
            1.0,
            "day",
            "Patel et al. J Exp Med 2017: classical monocytes circulate ~1 day",
            "Half-life of blood monocytes.",
        ),
        par(
            "monocyte_recruitment_rate",
            0.5,
            "1/day",
            "calibrated: inflammatory macrophages accumulate over 1-3 days of infection",
            "Rate at which blood monocytes enter the periphery at full chemoattraction (they "
            "become inflammatory M1 macrophages).",
        ),
        par(
            "m2_renewal_rate",
            0.01,
            "1/day",
            "calibrated: resident (M2-like) macrophages ~200/uL of tissue",
            "Homeostatic replenishment of resident macrophages from blood monocytes.",
        ),
        par(
            "macrophage_switch_rate",
            0.5,
            "1/day",
            "calibrated: resolution of inflammatory macrophages within ~1 week",
            "Basal M1 -> M2 (resolving) switch rate, raised by IL-10 and efferocytosis.",
        ),
        par(
            "il10_switch_ec50",
            10.0,
            "pg/mL",
            "calibrated: IL-10 promotes resolution",
            "IL-10 level that doubles the M1 -> M2 switch rate.",
        ),
        par(
            "m1_half_life",
            1.0,
            "day",
            "calibrated: inflammatory macrophages are short-lived (days)",
            "Half-life of M1 macrophages.",
        ),
        par(
            "m2_half_life",
            20.0,
            "day",
            "calibrated: tissue-resident macrophages turn over in weeks",
            "Half-life of M2 macrophages.",
        ),
        # -- NK cells -------------------------------------------------------------------------
        par(
            "nk_production_rate",
            NK_BLOOD * LN2 / 10.0,
            "cells/uL/day",
            "calibrated: blood NK ~300/uL (physiology.csv nk_blood 160-544)",
            "NK-cell output from marrow.",
            cv=0.22,
        ),
        knob("nk_production_factor", "NK-cell production (0: NK deficiency)."),
        par(
            "nk_half_life",
            10.0,
            "day",
            "deuterium labelling: NK cells turn over ~2-7%/day (Zhang et al. 2007; Lutz 2011)",
            "Half-life of NK cells.",
        ),
        par(
            "nk_proliferation_max",
            0.4,
            "1/day",
            "calibrated: NK expansion ~2-fold during acute viral infection",
            "Maximal IFN/IL-15-driven NK proliferation.",
        ),
        par(
            "nk_il2_proliferation_rate",
            0.0,
            "1/day",
            "definition: drug target hook, 0 without drug (exogenous IL-2 raises it)",
            "Extra NK proliferation from drug IL-2 on the intermediate-affinity IL-2 receptor "
            "(CD122/CD132).",
        ),
        par(
            "nk_capacity",
            1500.0,
            "cells/uL",
            "calibrated: NK counts stay below ~1500/uL in infection",
            "NK count at which proliferation stops (IL-15 limitation).",
        ),
        par(
            "ifn_nk_ec50",
            5.0,
            "pg/mL",
            "calibrated: type I IFN activates NK cells in viral infection",
            "Type I IFN level giving half-maximal NK activation and proliferation.",
        ),
        # -- dendritic cells ------------------------------------------------------------------
        par(
            "cdc_migration_rate",
            100.0 * LN2 / 2.0,
            "cells/uL/day",
            "calibrated: ~100 migratory (semi-mature) cDC per uL of lymphoid tissue at rest",
            "Basal arrival of antigen-carrying cDC in lymphoid tissue.",
        ),
        par(
            "cdc_half_life",
            2.0,
            "day",
            "textbook: mature DC survive ~2-3 days in the lymph node",
            "Half-life of mature cDC in lymphoid tissue.",
        ),
        par(
            "dc_costimulation_k",
            300.0,
            "cells/uL",
            "calibrated: ~15% of self-antigen presentation is co-stimulatory at rest",
            "Mature-cDC density giving half-maximal CD80/86 co-stimulation without CTLA-4.",
        ),
        par(
            "pdc_blood",
            10.0,
            "cells/uL",
            "textbook: pDC 0.1-0.5% of PBMC (~5-15 cells/uL)",
            "Plasmacytoid dendritic cells in blood (held constant).",
            cv=0.3,
        ),
        # -- platelets ------------------------------------------------------------------------
        par(
            "platelet_production_rate",
            PLATELETS_BLOOD * LN2 / 4.0 * 1.17,
            "cells/uL/day",
            "calibrated: platelets ~250e3/uL (textbook range 150-450e3/uL)",
            "Thrombopoiesis.",
            cv=0.2,
        ),
        par(
            "platelet_half_life",
            4.0,
            "day",
            "textbook: platelet lifespan 8-10 days (exponential approximation)",
            "Half-life of circulating platelets.",
        ),
        par(
            "platelet_autoantibody_clearance",
            0.025,
            "1/(day*mg/L)",
            "calibrated: platelets < 100e3/uL when autoantibody IgG reaches ~50 mg/L",
            "Fc-receptor (splenic) clearance of platelets per mg/L of autoantibody IgG.",
        ),
        par(
            "fc_gamma_receptor_function",
            1.0,
            "dimensionless",
            "definition: drug target hook, 1 without drug (high-dose IVIG blocks activating "
            "Fc-gamma receptors)",
            "Share of splenic Fc-gamma-receptor capacity free to clear antibody-coated cells.",
        ),
    ]
    species = [
        cells("neutrophils_marrow", "bone_marrow", marrow_pool, "Post-mitotic neutrophil reserve."),
        cells("neutrophils_blood", "blood", NEUTROPHILS_BLOOD, "Circulating neutrophils."),
        cells("neutrophils_tissue", "periphery", 1.0, "Neutrophils in the peripheral tissue."),
        cells("monocytes_blood", "blood", MONOCYTES_BLOOD, "Circulating monocytes."),
        cells("macrophages_m1", "periphery", 1.0, "Inflammatory (M1) macrophages."),
        cells("macrophages_m2", "periphery", 200.0, "Resident/resolving (M2) macrophages."),
        cells("nk_blood", "blood", NK_BLOOD, "NK cells (blood)."),
        cells("cdc_mature", "lymphoid", 100.0, "Mature conventional DC in lymphoid tissue."),
        cells("platelets", "blood", PLATELETS_BLOOD, "Platelets (counted items per uL)."),
    ]
    rules = [
        rule(
            "myelopoiesis_stimulus",
            "il6_signal/il6_myelopoiesis_ec50 + il17/il17_myelopoiesis_ec50",
            "dimensionless",
            "G-CSF/GM-CSF drive of emergency myelopoiesis (IL-6, IL-17 -> G-CSF).",
        ),
        rule(
            "neutrophil_mobilisation",
            "(tnf/tnf_mobilisation_ec50 + il1b/il1b_mobilisation_ec50)**2 / "
            "(1 + (tnf/tnf_mobilisation_ec50 + il1b/il1b_mobilisation_ec50)**2)",
            "dimensionless",
            "Fraction of maximal release of the marrow reserve.",
        ),
        rule(
            "periphery_chemoattraction",
            "chemoattraction_basal + "
            + hill("bacteria", "bacteria_chemoattraction_k")
            + " + viral_chemoattraction_weight * "
            + hill("virus", "virus_chemoattraction_k")
            + " + il17/il17_chemoattraction_ec50",
            "dimensionless",
            "Chemoattraction of the periphery for neutrophils and monocytes (PAMPs, CXCL8, "
            "IL-17-induced chemokines).",
        ),
        rule(
            "nk_activation",
            hill("ifn_signal", "ifn_nk_ec50"),
            "dimensionless",
            "Fraction of NK cells activated by type I IFN (and IL-12/IL-15).",
        ),
    ]
    reactions = [
        flow(
            "granulopoiesis",
            "neutrophil_production_rate * neutropoiesis_factor * "
            "(1 + granulopoiesis_max_fold * myelopoiesis_stimulus / (1 + myelopoiesis_stimulus))",
            "Neutrophil production into the marrow reserve.",
            products=["neutrophils_marrow"],
        ),
        flow(
            "neutrophil_release",
            "neutrophils_marrow / neutrophil_marrow_transit * "
            "(1 + neutrophil_release_max_fold * neutrophil_mobilisation)",
            "Release from the marrow reserve into blood.",
            reactants=["neutrophils_marrow"],
            products=["neutrophils_blood"],
            compartment="bone_marrow",
        ),
        flow(
            "neutrophil_loss_blood",
            "neutrophil_adhesion_factor * log(2)/neutrophil_half_life_blood * neutrophils_blood",
            "Removal from blood (margination, homing to marrow/spleen/liver, apoptosis).",
            reactants=["neutrophils_blood"],
        ),
        flow(
            "neutrophil_extravasation",
            "neutrophil_adhesion_factor * neutrophil_extravasation_rate * "
            "periphery_chemoattraction * neutrophils_blood",
            "Recruitment from blood into the periphery.",
            reactants=["neutrophils_blood"],
            products=["neutrophils_tissue"],
            compartment="blood",
        ),
        flow(
            "neutrophil_death_tissue",
            "log(2)/neutrophil_half_life_tissue * neutrophils_tissue",
            "Apoptosis of tissue neutrophils (feeds the apoptotic-cell pool).",
            reactants=["neutrophils_tissue"],
        ),
        flow(
            "monopoiesis",
            "monocyte_production_rate * neutropoiesis_factor**0.5 * "
            "(1 + monopoiesis_max_fold * myelopoiesis_stimulus / (1 + myelopoiesis_stimulus))",
            "Monocyte output into blood (congenital neutropenia spares monocytes partly).",
            products=["monocytes_blood"],
        ),
        flow(
            "monocyte_loss_blood",
            "log(2)/monocyte_half_life_blood * monocytes_blood",
            "Monocyte death and homing to tissues other than the periphery.",
            reactants=["monocytes_blood"],
        ),
        flow(
            "monocyte_recruitment",
            "monocyte_recruitment_rate * periphery_chemoattraction * monocytes_blood",
            "Inflammatory recruitment of monocytes; they differentiate into M1 macrophages.",
            reactants=["monocytes_blood"],
            products=["macrophages_m1"],
            compartment="blood",
        ),
        flow(
            "m2_renewal",
            "m2_renewal_rate * monocytes_blood",
            "Homeostatic renewal of resident macrophages from monocytes.",
            products=["macrophages_m2"],
        ),
        flow(
            "macrophage_m1_to_m2",
            "macrophage_switch_rate * (1 + il10/il10_switch_ec50) * macrophages_m1",
            "Switch of inflammatory to resolving macrophages (IL-10, efferocytosis).",
            reactants=["macrophages_m1"],
            products=["macrophages_m2"],
        ),
        flow(
            "m1_death",
            "log(2)/m1_half_life * macrophages_m1",
            "Death of M1 macrophages.",
            reactants=["macrophages_m1"],
        ),
        flow(
            "m2_death",
            "log(2)/m2_half_life * macrophages_m2",
            "Death of M2 macrophages.",
            reactants=["macrophages_m2"],
        ),
        flow(
            "nk_production",
            "nk_production_rate * nk_production_factor",
            "NK-cell output.",
            products=["nk_blood"],
        ),
        flow(
            "nk_proliferation",
            "(nk_proliferation_max * nk_activation + nk_il2_proliferation_rate) * nk_blood * "
            "max(0, 1 - nk_blood/nk_capacity)",
            "IFN/IL-15-driven NK proliferation in viral infection (plus any drug IL-2 acting "
            "on the intermediate-affinity IL-2 receptor).",
            products=["nk_blood"],
        ),
        flow(
            "nk_death",
            "log(2)/nk_half_life * nk_blood",
            "NK-cell death.",
            reactants=["nk_blood"],
        ),
        flow(
            "cdc_arrival",
            "cdc_migration_rate * (1 + dc_danger_signal)",
            "Antigen-carrying cDC migrate to lymphoid tissue; danger signals raise maturation "
            "and migration.",
            products=["cdc_mature"],
        ),
        flow(
            "cdc_death",
            "log(2)/cdc_half_life * cdc_mature",
            "Death of mature cDC.",
            reactants=["cdc_mature"],
        ),
        flow(
            "thrombopoiesis",
            "platelet_production_rate",
            "Platelet production.",
            products=["platelets"],
        ),
        flow(
            "platelet_clearance",
            "log(2)/platelet_half_life * platelets",
            "Senescent platelet clearance.",
            reactants=["platelets"],
        ),
        flow(
            "platelet_immune_destruction",
            "platelet_autoantibody_clearance * fc_gamma_receptor_function * igg_auto * platelets",
            "Autoantibody-mediated platelet destruction (immune thrombocytopenia).",
            reactants=["platelets"],
        ),
    ]
    return Module(
        name="innate",
        description=(
            "Neutrophils (marrow reserve -> blood -> tissue), monocytes -> M1 -> M2 macrophages, "
            "NK cells, conventional and plasmacytoid dendritic cells, platelets."
        ),
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )
