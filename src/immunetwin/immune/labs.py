"""Cross-module signals and clinical laboratory readouts (assignment rules).

Labs are named ``lab_*`` and are in clinical units: cell counts per uL, immunoglobulins
and complement in g/L, CRP in mg/L, ESR in mm/h, cytokines in pg/mL (BAFF, TGF-beta in
ng/mL; IFN-alpha in pg/L, which is numerically fg/mL), ANA as a reciprocal titre,
anti-dsDNA in IU/mL. Organ function readouts are ``{organ}_function`` (%), declared with
each organ.
"""

from __future__ import annotations

from collections.abc import Sequence

from immunetwin import Module
from immunetwin.immune._common import hill, par, rule

PATHOGENS = ("bacterial", "viral")


def signals_module(organs: Sequence[str]) -> Module:
    """Sums across modules that other rules read (effector pools, infiltrates, danger)."""
    organ_eff = " + ".join(f"{o}_effector_t" for o in organs) or "0"
    infiltrate = (
        " + ".join(
            f"max(0, {o}_inflammation - infiltrate_spillover_threshold) * {o} / blood"
            for o in organs
        )
        or "0"
    )
    parameters = [
        par(
            "infiltrate_spillover_threshold",
            10.0,
            "cells/uL",
            "calibrated: resident and mildly raised infiltrates do not raise plasma cytokines",
            "Organ infiltrate density above which cytokines spill over into plasma.",
        ),
        par(
            "organ_th1_share",
            0.35,
            "dimensionless",
            "calibrated: organ-specific infiltrates are Th1-, Th17- and CD8-rich",
            "Th1 share of organ-specific effector T cells.",
        ),
        par(
            "organ_th17_share",
            0.25,
            "dimensionless",
            "calibrated: as organ_th1_share",
            "Th17 share of organ-specific effector T cells.",
        ),
        par(
            "organ_cd8_share",
            0.4,
            "dimensionless",
            "calibrated: as organ_th1_share",
            "CD8 share of organ-specific effector T cells.",
        ),
    ]
    rules = [
        rule(
            "organ_effectors_total",
            organ_eff,
            "cells/uL",
            "All organ-specific effector T cells (lymphoid pool).",
        ),
        rule(
            "organ_infiltrate",
            infiltrate,
            "cells/uL",
            "Inflamed organ myeloid infiltrates (above the resident level) as a "
            "blood-equivalent density: their cytokines spill over into plasma.",
        ),
        rule(
            "th1_cells",
            "th1_viral + th1_self + organ_th1_share * organ_effectors_total",
            "cells/uL",
            "Th1 effector cells (lymphoid pool).",
        ),
        rule(
            "th17_cells",
            "th17_bacterial + th17_self + organ_th17_share * organ_effectors_total",
            "cells/uL",
            "Th17 effector cells (lymphoid pool).",
        ),
        rule(
            "ctl_cells",
            "cd8_effector_viral + organ_cd8_share * organ_effectors_total",
            "cells/uL",
            "Cytotoxic CD8 effector cells (lymphoid pool).",
        ),
        rule(
            "b_cells_total",
            "b_naive + b_memory + b_naive_self + gc_b_self + b_memory_self + "
            + " + ".join(f"gc_b_{p} + b_memory_{p}" for p in PATHOGENS),
            "cells/uL",
            "All B cells (lymphoid pool, excluding plasma cells).",
        ),
        rule(
            "dc_danger_signal",
            "danger_pamp_weight * ("
            + hill("bacteria", "danger_bacteria_k")
            + " + "
            + hill("virus", "danger_virus_k")
            + ") + danger_ifn_weight * "
            + hill("ifn_signal", "danger_ifn_ec50")
            + " + tnf/danger_tnf_ec50",
            "dimensionless",
            "Danger signals maturing dendritic cells (PAMPs, IFN, TNF).",
        ),
    ]
    return Module(
        name="signals",
        description="Sums across modules read by other rules.",
        parameters=tuple(parameters),
        rules=tuple(rules),
    )


def labs_module(organs: Sequence[str]) -> Module:
    """Clinical laboratory values as assignment rules."""
    bpl = "blood_per_lymphoid"
    cd4_pools = [
        "cd4_naive",
        "cd4_memory",
        "treg",
        "cd4_naive_self",
        "th1_self",
        "th17_self",
        "cd4_memory_self",
        "treg_self",
        "th17_bacterial",
        "cd4_memory_bacterial",
        "th1_viral",
        "cd4_memory_viral",
    ]
    cd8_pools = ["cd8_naive", "cd8_memory", "cd8_effector_viral", "cd8_memory_viral"]
    parameters = [
        par(
            "granulocytes_other_blood",
            250.0,
            "cells/uL",
            "textbook: eosinophils ~150-200/uL and basophils ~50/uL (not modelled)",
            "Eosinophils and basophils, held constant (part of WBC).",
            cv=0.3,
        ),
        par(
            "ana_igg_per_dilution",
            0.1,
            "mg/L",
            "calibrated: ANA titre ~1:20 in health, >=1:80 in SLE (diseases.csv sle_ana)",
            "Autoantibody IgG detectable at one reciprocal dilution (titre = IgG / this).",
        ),
        par(
            "anti_dsdna_iu_per_mg",
            2.0,
            "(IU/mL)/(mg/L)",
            "calibrated: anti-dsDNA < 30 IU/mL in health; positive in 30-70% of SLE "
            "(diseases.csv sle_anti_dsdna)",
            "anti-dsDNA IU/mL per mg/L of autoantibody IgG.",
        ),
        par("ml_per_l", 1000.0, "mL/L", "unit conversion", "Millilitres per litre."),
    ]
    cd4 = f"({' + '.join(cd4_pools)} + (1 - organ_cd8_share) * organ_effectors_total) * {bpl}"
    cd8 = f"({' + '.join(cd8_pools)} + organ_cd8_share * organ_effectors_total) * {bpl}"
    rules = [
        rule("lab_neutrophils", "neutrophils_blood", "cells/uL", "Absolute neutrophil count."),
        rule("lab_monocytes", "monocytes_blood", "cells/uL", "Absolute monocyte count."),
        rule("lab_cd4", cd4, "cells/uL", "CD4 T-cell count (blood)."),
        rule("lab_cd8", cd8, "cells/uL", "CD8 T-cell count (blood)."),
        rule("lab_b_cells", f"b_cells_total * {bpl}", "cells/uL", "CD19 B-cell count (blood)."),
        rule("lab_nk", "nk_blood", "cells/uL", "NK-cell count (blood)."),
        rule(
            "lab_lymphocytes",
            "lab_cd4 + lab_cd8 + lab_b_cells + lab_nk",
            "cells/uL",
            "Absolute lymphocyte count.",
        ),
        rule(
            "lab_wbc",
            "lab_neutrophils + lab_lymphocytes + lab_monocytes + granulocytes_other_blood",
            "cells/uL",
            "White blood cell count.",
        ),
        rule(
            "lab_monocytes_percent",
            "lab_monocytes / lab_wbc * percent_per_fraction",
            "%",
            "Monocytes as % of WBC.",
        ),
        rule(
            "lab_lymphocytes_percent",
            "lab_lymphocytes / lab_wbc * percent_per_fraction",
            "%",
            "Lymphocytes as % of WBC.",
        ),
        rule("lab_platelets", "platelets", "cells/uL", "Platelet count."),
        rule(
            "lab_treg_percent",
            f"(treg + treg_self) * {bpl} / lab_cd4 * percent_per_fraction",
            "%",
            "Tregs (CD4+CD25+FOXP3+) as % of CD4 T cells.",
        ),
        rule("lab_igg", "igg_total", "g/L", "Serum IgG."),
        rule("lab_iga", "iga", "g/L", "Serum IgA."),
        rule(
            "lab_igm",
            "igm_bulk + (igm_bacterial + igm_viral + igm_auto) * grams_per_milligram",
            "g/L",
            "Serum IgM.",
        ),
        rule("lab_c3", "c3", "g/L", "Serum complement C3."),
        rule("lab_c4", "c4", "g/L", "Serum complement C4."),
        rule("lab_crp", "crp", "mg/L", "C-reactive protein."),
        rule("lab_esr", "esr", "mm/h", "Erythrocyte sedimentation rate."),
        rule("lab_haemoglobin", "haemoglobin", "g/dL", "Blood haemoglobin."),
        rule(
            "lab_ana_titre",
            "igg_auto / ana_igg_per_dilution",
            "dimensionless",
            "Antinuclear antibody reciprocal titre (80 means 1:80).",
        ),
        rule("lab_anti_dsdna", "igg_auto * anti_dsdna_iu_per_mg", "IU/mL", "anti-dsDNA IgG."),
        rule("lab_immune_complexes", "immune_complexes", "mg/L", "Circulating immune complexes."),
        rule(
            "lab_bacterial_load",
            "bacteria * ul_per_ml",
            "CFU/mL",
            "Bacterial load at the infection site (culture).",
        ),
        rule(
            "lab_viral_load",
            "virus * ul_per_ml",
            "copies/mL",
            "Viral load at the infection site (PCR).",
        ),
        rule("lab_tnf", "tnf", "pg/mL", "Plasma TNF-alpha."),
        rule("lab_il6", "il6", "pg/mL", "Plasma IL-6."),
        rule("lab_il1b", "il1b", "pg/mL", "Plasma IL-1beta."),
        rule("lab_il2", "il2", "pg/mL", "Plasma IL-2."),
        rule("lab_il10", "il10", "pg/mL", "Plasma IL-10."),
        rule("lab_il17", "il17", "pg/mL", "Plasma IL-17A."),
        rule("lab_ifng", "ifng", "pg/mL", "Plasma IFN-gamma."),
        rule(
            "lab_ifn_alpha",
            "ifn_type1 * ml_per_l",
            "pg/L",
            "Plasma type I IFN (pg/L = fg/mL, the unit of Simoa IFN-alpha assays).",
        ),
        rule("lab_baff", "baff", "ng/mL", "Serum BAFF/BLyS."),
        rule("lab_tgfb", "tgfb", "ng/mL", "Plasma TGF-beta1."),
    ]
    return Module(
        name="labs",
        description="Clinical laboratory readouts.",
        parameters=tuple(parameters),
        rules=tuple(rules),
    )
