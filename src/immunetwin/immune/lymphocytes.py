"""Polyclonal lymphocytes and immunoglobulins: the bulk pools that the CBC and serum Igs measure.

Antigen-specific pools (pathogen-specific and self-reactive) are small and live in
:mod:`immunetwin.immune.adaptive` and :mod:`immunetwin.immune.autoimmunity`.
Lymphocytes are body pools in lymphoid tissue; the blood count is the fraction
``blood_per_lymphoid`` of the lymphoid concentration (recirculation at quasi-steady state).
"""

from __future__ import annotations

from collections.abc import Sequence

from immunetwin import Module
from immunetwin.immune._common import (
    BLOOD_L,
    LN2,
    LYMPHOID_L,
    MARROW_L,
    PHYSIOLOGY,
    cells,
    flow,
    knob,
    par,
    rule,
    state,
)
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE

_SHARE = 0.02
BLOOD_PER_LYMPHOID = _SHARE / (1 - _SHARE) * LYMPHOID_L / BLOOD_L

# Healthy blood targets (cells/uL) -> lymphoid concentrations.
CD4_BLOOD = 880.0
TREG_SHARE = 0.075
CD8_BLOOD = 540.0
B_BLOOD = 280.0
CD4_NAIVE = CD4_BLOOD * 0.50 / BLOOD_PER_LYMPHOID
CD4_MEMORY = CD4_BLOOD * (1 - 0.50 - TREG_SHARE) / BLOOD_PER_LYMPHOID
TREG = CD4_BLOOD * TREG_SHARE / BLOOD_PER_LYMPHOID
CD8_NAIVE = CD8_BLOOD * 0.45 / BLOOD_PER_LYMPHOID
CD8_MEMORY = CD8_BLOOD * 0.55 / BLOOD_PER_LYMPHOID
B_NAIVE = B_BLOOD * 0.65 / BLOOD_PER_LYMPHOID
B_MEMORY = B_BLOOD * 0.35 / BLOOD_PER_LYMPHOID

NAIVE_TURNOVER = LN2 / 199.0  # per day; physiology.csv treg_doubling note: naive CD4 ~199 d
MEMORY_DIVISION = 0.035  # per day; physiology.csv memory_t_division 3-6%/day (EM), CM ~1.5%
TREG_DIVISION = LN2 / 8.0  # per day; physiology.csv treg_doubling 6-10 d
PLASMA_CELLS = 1700.0  # cells/uL of marrow (~2e9 plasma cells)
# Share of bulk plasma cells (and of serum IgG) in the long-lived, CD19-/CD20- pool.
LONG_LIVED_SHARE = 0.85
# The model's healthy memory-B pool settles above the set point B_MEMORY; the long-lived
# plasma cells are anchored to where it settles, so health starts at steady state.
B_MEMORY_STEADY = HEALTHY_STEADY_STATE["b_memory"]
IGG_BULK = 10.0  # g/L
IGA = 2.2
IGM = 1.1
IGG_HALF_LIFE = 21.0


def lymphocytes_module() -> Module:
    """Naive and memory CD4 and CD8 T cells, Tregs, naive and memory B cells."""
    thymic_cd4 = 0.2 * NAIVE_TURNOVER * CD4_NAIVE
    thymic_cd8 = 0.2 * NAIVE_TURNOVER * CD8_NAIVE
    parameters = [
        knob(
            "lymphopoiesis_factor",
            "Lymphocyte production: thymic output, marrow B output and common-gamma-chain "
            "(IL-7/IL-15) driven homeostatic proliferation (0.02: SCID-like severe lymphopenia).",
        ),
        par(
            "thymic_cd4_output",
            thymic_cd4,
            "cells/uL/day",
            "calibrated: adult thymus supplies ~20% of naive CD4 renewal (~8e7 cells/day); "
            "naive turnover ~199 d (physiology.csv treg_doubling note)",
            "Recent thymic emigrant CD4 T cells per uL of lymphoid tissue per day.",
            cv=0.3,
        ),
        par(
            "thymic_cd8_output",
            thymic_cd8,
            "cells/uL/day",
            "calibrated: as thymic_cd4_output, for CD8",
            "Recent thymic emigrant CD8 T cells.",
            cv=0.3,
        ),
        par(
            "naive_t_death_rate",
            NAIVE_TURNOVER * 0.86,
            "1/day",
            "physiology.csv treg_doubling note: naive CD4 turnover ~199 d",
            "Death rate of naive T cells.",
        ),
        par(
            "naive_to_memory_rate",
            NAIVE_TURNOVER * 0.14,
            "1/day",
            "calibrated: small naive -> memory conversion by environmental antigens",
            "Conversion of naive into memory-phenotype T cells (environmental antigens).",
        ),
        par(
            "naive_homeostatic_max",
            0.02,
            "1/day",
            "calibrated: lymphopenia-induced proliferation up to ~2%/day",
            "Maximal IL-7-driven homeostatic proliferation of naive T cells.",
        ),
        par(
            "cd4_naive_homeostatic_k",
            CD4_NAIVE * 0.163,
            "cells/uL",
            "calibrated: homeostatic proliferation ~0.3%/day at normal naive counts",
            "Naive CD4 density at which homeostatic proliferation is half-maximal (IL-7 "
            "competition).",
            cv=0.25,
        ),
        par(
            "cd8_naive_homeostatic_k",
            CD8_NAIVE * 0.163,
            "cells/uL",
            "calibrated: as cd4_naive_homeostatic_k, for naive CD8",
            "Naive CD8 density at which homeostatic proliferation is half-maximal.",
            cv=0.25,
        ),
        par(
            "memory_homeostatic_max",
            2 * MEMORY_DIVISION,
            "1/day",
            "calibrated: memory T division ~3.5%/day at normal counts (physiology.csv "
            "memory_t_division 3-6%/day EM, 1.5% CM)",
            "Maximal IL-15/IL-7-driven proliferation of memory T cells.",
        ),
        par(
            "cd4_memory_homeostatic_k",
            CD4_MEMORY,
            "cells/uL",
            "calibrated: memory CD4 set point",
            "Memory CD4 density of half-maximal homeostatic proliferation.",
            cv=0.25,
        ),
        par(
            "cd8_memory_homeostatic_k",
            CD8_MEMORY,
            "cells/uL",
            "calibrated: memory CD8 set point",
            "Memory CD8 density of half-maximal homeostatic proliferation.",
            cv=0.25,
        ),
        par(
            "memory_t_death_basal",
            0.016,
            "1/day",
            "calibrated: memory T turnover balance (division 3.5%/day) with Fas-AICD removing "
            "the rest",
            "Fas-independent death of memory T cells.",
        ),
        par(
            "memory_t_aicd_rate",
            0.02,
            "1/day",
            "calibrated: ALPS-like lymphoproliferation (several-fold memory/double-negative "
            "T-cell expansion) when Fas fails",
            "Fas-mediated activation-induced death of memory T cells on re-stimulation.",
        ),
        par(
            "cd20_depletion_rate",
            0.0,
            "1/day",
            "definition: drug target hook, 0 without drug (anti-CD20 antibodies, CD19 CAR-T "
            "raise it)",
            "Extra removal rate of CD20+ B cells (naive, memory, germinal-centre; not plasma "
            "cells).",
        ),
        par(
            "effector_t_depletion_rate",
            0.0,
            "1/day",
            "definition: drug target hook, 0 without drug (anti-CD3 teplizumab raises it)",
            "Extra removal rate of activated self-reactive effector T cells (organ-specific "
            "and systemic Th1/Th17).",
        ),
        par(
            "effector_t_exhaustion_rate",
            0.0,
            "1/day",
            "definition: drug target hook, 0 without drug (anti-CD3 teplizumab raises it)",
            "Induction of the exhausted-like state of self-reactive effector T cells.",
        ),
        par(
            "effector_t_exhaustion_half_life",
            365.0,
            "day",
            "calibrated: TN-10, teplizumab delays stage-3 type 1 diabetes by ~2 years (Herold "
            "et al. NEJM 2019;381:603); the KLRG1+TIGIT+ exhausted-like CD8 T cells expanded "
            "by teplizumab and the C-peptide benefit wane over 1-2 years (Long et al. Sci "
            "Immunol 2016;1:eaai7793; Sims et al. Sci Transl Med 2021;13:eabc8980)",
            "Half-life of the drug-induced exhausted-like state.",
        ),
        par(
            "plasmablast_depletion_rate",
            0.0,
            "1/day",
            "definition: drug target hook, 0 without drug (CD19 CAR-T raise it: plasmablasts "
            "keep CD19, long-lived plasma cells lose it)",
            "Extra removal rate of short-lived plasmablasts.",
        ),
        par(
            "lymphocyte_proliferation_factor",
            1.0,
            "dimensionless",
            "definition: drug target hook, 1 without drug (methotrexate, azathioprine, "
            "mycophenolate lower it)",
            "Antigen-driven proliferation of effector T cells and germinal-centre B cells.",
        ),
        knob(
            "fas_aicd_strength",
            "Fas-FasL activation-induced cell death (0.1: ALPS-like FAS defect).",
        ),
        # -- Tregs ------------------------------------------------------------------------
        knob(
            "foxp3_function",
            "FOXP3-dependent Treg generation, stability and suppression (0.02: IPEX-like).",
        ),
        par(
            "thymic_treg_output",
            thymic_cd4 * 0.1,
            "cells/uL/day",
            "textbook: thymic Tregs ~5-10% of CD4 single-positive thymocytes",
            "Thymic (natural) Treg output.",
        ),
        par(
            "treg_proliferation_max",
            TREG_DIVISION * 5.2,
            "1/day",
            "calibrated: Treg doubling ~8 d at the healthy IL-2 level (physiology.csv "
            "treg_doubling 6-10 d)",
            "Maximal IL-2-driven Treg proliferation.",
        ),
        par(
            "treg_homeostatic_k",
            TREG,
            "cells/uL",
            "calibrated: Tregs 7.5% of CD4 T cells (physiology.csv treg_fraction_cd4 5-10%)",
            "Treg density of half-maximal proliferation (niche competition).",
            cv=0.15,
        ),
        par(
            "il2_treg_ec50",
            0.8,
            "pg/mL",
            "calibrated: Tregs respond to low IL-2 through high-affinity CD25",
            "IL-2 level giving half-maximal Treg proliferation.",
        ),
        par(
            "treg_proliferation_factor",
            1.0,
            "dimensionless",
            "definition: drug target hook, 1 without drug (exogenous IL-2 raises it)",
            "Treg proliferation relative to the endogenous IL-2 drive (drug IL-2 on the "
            "high-affinity CD25 receptor raises it).",
        ),
        par(
            "treg_death_rate",
            TREG_DIVISION,
            "1/day",
            "calibrated: Treg turnover balance (physiology.csv treg_doubling)",
            "Treg death rate.",
        ),
        # -- B cells --------------------------------------------------------------------
        par(
            "marrow_b_output",
            0.0066 * B_NAIVE,
            "cells/uL/day",
            "calibrated: naive B cells ~65% of blood B cells (physiology.csv b_cells_blood "
            "140-476), naive B turnover ~0.5%/day (Macallan et al. Blood 2005)",
            "Transitional B-cell output from marrow (per uL of lymphoid tissue).",
            cv=0.3,
        ),
        par(
            "b_naive_death_max",
            0.018,
            "1/day",
            "calibrated: naive B turnover ~0.5%/day at the healthy BAFF level (Macallan 2005)",
            "Death rate of naive B cells without BAFF survival signal.",
        ),
        par(
            "baff_b_ec50",
            0.5,
            "ng/mL",
            "calibrated: BAFF-R occupancy; B-cell survival is BAFF-limited (Mackay & Schneider "
            "2009)",
            "BAFF level giving half-maximal survival of naive B cells.",
        ),
        par(
            "baff_reference",
            1.3,
            "ng/mL",
            "physiology.csv baff_normal: median serum BAFF 1.30 ng/mL in health (Mercado et al. "
            "2016, PMID 27100979)",
            "Healthy serum BAFF: plasmablast survival is normalised to it.",
        ),
        par(
            "plasmablast_baff_share",
            0.4,
            "dimensionless",
            "calibrated: belimumab lowers circulating plasma cells and anti-dsDNA by ~30-40% "
            "within a year while memory B cells do not fall (Stohl et al. Arthritis Rheum "
            "2012;64:2328; BAFF/APRIL signalling through BCMA and TACI sustains short-lived "
            "plasma cells, Benson et al. J Immunol 2008;180:3655); the rest of their survival "
            "is APRIL- and BAFF-independent",
            "Share of plasmablast survival signalling that BAFF provides.",
        ),
        par(
            "baff_plasmablast_ec50",
            0.15,
            "ng/mL",
            "calibrated: support near saturation at the healthy BAFF level (physiology.csv "
            "baff_normal), so the raised BAFF of SLE (median 1.9 ng/mL) adds ~2% plasmablast "
            "survival while neutralisation removes most of it; keeps the untreated lupus "
            "nephritis eGFR figures (diseases.csv); unconfirmed",
            "BAFF level of half-maximal plasmablast survival support.",
        ),
        par(
            "b_naive_to_memory_rate",
            0.0012,
            "1/day",
            "calibrated: memory B ~35% of blood B cells",
            "Activation of naive B cells by environmental antigens into memory.",
        ),
        par(
            "b_memory_homeostatic_max",
            0.053,
            "1/day",
            "calibrated: memory B turnover ~2.7%/day (Macallan et al. Blood 2005)",
            "Maximal homeostatic proliferation of memory B cells.",
        ),
        par(
            "b_memory_homeostatic_k",
            B_MEMORY,
            "cells/uL",
            "calibrated: memory B set point",
            "Memory B density of half-maximal proliferation.",
            cv=0.15,
        ),
        par(
            "b_memory_death_rate",
            0.0270,
            "1/day",
            "Macallan et al. Blood 2005: memory B turnover ~2.7%/day",
            "Memory B death rate.",
        ),
    ]
    species = [
        cells("cd4_naive", "lymphoid", CD4_NAIVE, "Naive CD4 T cells (body pool)."),
        cells("cd4_memory", "lymphoid", CD4_MEMORY, "Memory/effector-memory CD4 T cells."),
        cells("treg", "lymphoid", TREG, "Polyclonal FOXP3+ regulatory T cells."),
        cells("cd8_naive", "lymphoid", CD8_NAIVE, "Naive CD8 T cells."),
        cells("cd8_memory", "lymphoid", CD8_MEMORY, "Memory/effector-memory CD8 T cells."),
        cells("b_naive", "lymphoid", B_NAIVE, "Naive B cells."),
        cells("b_memory", "lymphoid", B_MEMORY, "Memory B cells."),
        state(
            "effector_t_exhaustion",
            "lymphoid",
            0.0,
            "dimensionless",
            "Share of self-reactive effector T cells in a drug-induced exhausted-like state "
            "(0 without drug): they expand, damage tissue and recruit infiltrate that much "
            "less.",
        ),
    ]
    reactions = [
        flow(
            "effector_t_exhaustion_induction",
            "effector_t_exhaustion_rate * (1 - effector_t_exhaustion)",
            "Partial CD3 agonism drives self-reactive CD8 T cells into an exhausted-like, "
            "poorly expanding state (teplizumab).",
            products=["effector_t_exhaustion"],
        ),
        flow(
            "effector_t_exhaustion_recovery",
            "log(2)/effector_t_exhaustion_half_life * effector_t_exhaustion",
            "The exhausted-like cells wane and expanding effectors return.",
            reactants=["effector_t_exhaustion"],
        ),
    ]
    for t in ("cd4", "cd8"):
        naive, memory = f"{t}_naive", f"{t}_memory"
        reactions += [
            flow(
                f"thymic_output_{t}",
                f"thymic_{t}_output * lymphopoiesis_factor",
                f"Thymic output of naive {t.upper()} T cells.",
                products=[naive],
            ),
            flow(
                f"homeostatic_proliferation_{naive}",
                f"naive_homeostatic_max * lymphopoiesis_factor * {naive} * {t}_naive_homeostatic_k "
                f"/ ({t}_naive_homeostatic_k + {naive})",
                "IL-7-driven homeostatic proliferation (faster in lymphopenia).",
                products=[naive],
            ),
            flow(
                f"death_{naive}",
                f"naive_t_death_rate * {naive}",
                "Death of naive T cells.",
                reactants=[naive],
            ),
            flow(
                f"conversion_{naive}",
                f"naive_to_memory_rate * {naive}",
                "Conversion to memory phenotype by environmental antigens.",
                reactants=[naive],
                products=[memory],
            ),
            flow(
                f"homeostatic_proliferation_{memory}",
                f"memory_homeostatic_max * lymphopoiesis_factor**0.5 * {memory} * "
                f"{t}_memory_homeostatic_k / ({t}_memory_homeostatic_k + {memory})",
                "IL-15/IL-7 and tonic-antigen driven proliferation of memory T cells.",
                products=[memory],
            ),
            flow(
                f"death_{memory}",
                f"(memory_t_death_basal + fas_aicd_strength * memory_t_aicd_rate) * {memory}",
                "Fas-independent death plus Fas-mediated AICD.",
                reactants=[memory],
            ),
        ]
    reactions += [
        flow(
            "thymic_output_treg",
            "thymic_treg_output * foxp3_function * lymphopoiesis_factor",
            "Thymic Treg output.",
            products=["treg"],
        ),
        flow(
            "treg_proliferation",
            "treg_proliferation_rate * treg",
            "IL-2-driven Treg proliferation.",
            products=["treg"],
        ),
        flow("treg_death", "treg_death_rate * treg", "Treg death.", reactants=["treg"]),
        flow(
            "marrow_output_b",
            "marrow_b_output * lymphopoiesis_factor",
            "Transitional B cells from marrow.",
            products=["b_naive"],
        ),
        flow(
            "death_b_naive",
            "b_naive_death_max * (1 - baff_survival) * b_naive",
            "BAFF-dependent death of naive B cells.",
            reactants=["b_naive"],
        ),
        flow(
            "conversion_b_naive",
            "b_naive_to_memory_rate * b_naive",
            "Activation of naive B cells into memory by environmental antigens.",
            reactants=["b_naive"],
            products=["b_memory"],
        ),
        flow(
            "homeostatic_proliferation_b_memory",
            "b_memory_homeostatic_max * b_memory * b_memory_homeostatic_k / "
            "(b_memory_homeostatic_k + b_memory)",
            "Homeostatic proliferation of memory B cells.",
            products=["b_memory"],
        ),
        flow(
            "depletion_b_naive",
            "cd20_depletion_rate * b_naive",
            "Anti-CD20 depletion.",
            reactants=["b_naive"],
        ),
        flow(
            "depletion_b_memory",
            "cd20_depletion_rate * b_memory",
            "Anti-CD20 depletion.",
            reactants=["b_memory"],
        ),
        flow(
            "death_b_memory",
            "b_memory_death_rate * b_memory",
            "Death of memory B cells.",
            reactants=["b_memory"],
        ),
    ]
    rules = [
        rule(
            "treg_proliferation_rate",
            "treg_proliferation_max * treg_proliferation_factor * foxp3_function * "
            "lymphopoiesis_factor**0.5 * il2 / (il2 + il2_treg_ec50) * "
            "treg_homeostatic_k / (treg_homeostatic_k + treg)",
            "1/day",
            "Per-capita Treg division rate (turnover readout).",
        ),
        rule(
            "cd4_memory_division_rate",
            "memory_homeostatic_max * lymphopoiesis_factor**0.5 * cd4_memory_homeostatic_k / "
            "(cd4_memory_homeostatic_k + cd4_memory)",
            "1/day",
            "Per-capita division rate of memory CD4 T cells (turnover readout).",
        ),
        rule(
            "plasmablast_death_factor",
            "(1 - plasmablast_baff_share * baff / (baff + baff_plasmablast_ec50)) / "
            "(1 - plasmablast_baff_share * baff_reference / (baff_reference + "
            "baff_plasmablast_ec50))",
            "dimensionless",
            "Plasmablast death relative to the healthy BAFF level (BAFF supports short-lived "
            "plasma cells; neutralising it shortens their lives).",
        ),
        rule(
            "baff_survival",
            "baff / (baff + baff_b_ec50)",
            "dimensionless",
            "BAFF-R survival signal of naive B cells.",
        ),
    ]
    return Module(
        name="lymphocytes",
        description="Polyclonal naive/memory T and B cells and Tregs (body pools).",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )


def antibodies_module(specific_igg: Sequence[str]) -> Module:
    """Plasma cells, serum IgG/IgA/IgM and FcRn recycling of IgG.

    Bulk plasma cells are two pools. Short-lived ones (``plasma_cells``, t1/2 60 d) are
    renewed from memory B cells and follow them within months. Long-lived ones survive
    B-cell depletion for decades; their pool is ``long_lived_plasma_cell_pool *
    b_cell_differentiation_factor * long_lived_plasma_cell_retention``: a patient's
    differentiation capacity is a lifelong trait (CVID from birth), so the pool starts at
    its steady state for it, and the retention state (1 in health) follows the memory-B
    pool with the long-lived half-life. For constant capacity this is exactly the
    first-order pool fed by memory B cells.

    Args:
        specific_igg: Names of antigen-specific IgG species (mg/L) that share FcRn.
    """
    k_up = 0.12
    rescue = 1 - LN2 / IGG_HALF_LIFE / k_up
    saturation = 50.0
    rescue_max = rescue * (1 + (IGG_BULK + 0.3) / saturation)
    pc_half_life = 60.0
    parameters = [
        knob(
            "b_cell_differentiation_factor",
            "B -> plasma-cell differentiation (0.1: CVID-like hypogammaglobulinaemia).",
        ),
        par(
            "plasma_cell_differentiation_rate",
            PLASMA_CELLS
            * (1 - LONG_LIVED_SHARE)
            * LN2
            / pc_half_life
            / B_MEMORY
            * MARROW_L
            / LYMPHOID_L,
            "1/day",
            "calibrated: serum IgG ~10 g/L (physiology.csv igg_serum 700-1600 mg/dL), "
            f"{1 - LONG_LIVED_SHARE:.0%} of it from short-lived plasma cells",
            "Differentiation of memory B cells into short-lived marrow plasma cells (per "
            "memory B cell, cells per uL of marrow).",
            cv=0.12,
        ),
        par(
            "plasma_cell_half_life",
            pc_half_life,
            "day",
            "calibrated: short-lived marrow plasma cells live weeks to months; IgM and part "
            "of IgG fall within months of B-cell depletion (van Vollenhoven et al. J "
            "Rheumatol 2013)",
            "Half-life of short-lived bulk plasma cells.",
        ),
        par(
            "long_lived_plasma_cell_pool",
            PLASMA_CELLS * LONG_LIVED_SHARE * B_MEMORY_STEADY / B_MEMORY,
            "cells/uL",
            f"calibrated: {LONG_LIVED_SHARE:.0%} of serum IgG from long-lived, CD19-/CD20- "
            "plasma cells that survive B-cell depletion, so mean IgG falls ~10% per rituximab "
            "course (van Vollenhoven et al. J Rheumatol 2013) and vaccine titres persist "
            "after CD19 CAR-T (Bhoj et al. Nature 2016;540:137); unconfirmed share",
            "Long-lived bulk plasma cells at full differentiation capacity (cells per uL of "
            "marrow).",
        ),
        par(
            "long_lived_plasma_cell_half_life",
            20 * 365.0,
            "day",
            "Amanna et al. NEJM 2007: antibody titres decline with half-lives of decades; "
            "Landsverk et al. J Exp Med 2017: gut plasma cells persist for decades",
            "Half-life of long-lived bulk plasma cells.",
        ),
        par(
            "b_memory_reference",
            B_MEMORY_STEADY,
            "cells/uL",
            "calibrated: healthy steady memory-B pool of this model (memory ~35% of blood B cells)",
            "Memory-B pool that keeps the long-lived plasma cells at their set point.",
        ),
        par(
            "igg_secretion_per_plasma_cell",
            IGG_BULK * LN2 / IGG_HALF_LIFE / PLASMA_CELLS,
            "(g/L/day)/(cells/uL)",
            "calibrated: serum IgG ~10 g/L with a 21 d half-life",
            "IgG secretion per marrow plasma cell.",
            cv=0.15,
        ),
        par(
            "iga_secretion_per_plasma_cell",
            IGA * LN2 / 6.0 / PLASMA_CELLS,
            "(g/L/day)/(cells/uL)",
            "calibrated: serum IgA ~2.2 g/L (physiology.csv iga_serum 70-400 mg/dL)",
            "IgA secretion per plasma cell (serum IgA only).",
            cv=0.15,
        ),
        par(
            "igm_secretion_per_plasma_cell",
            IGM * LN2 / 5.0 / PLASMA_CELLS,
            "(g/L/day)/(cells/uL)",
            "calibrated: serum IgM ~1.1 g/L (physiology.csv igm_serum 40-230 mg/dL)",
            "IgM secretion per plasma cell.",
            cv=0.25,
        ),
        par(
            "iga_half_life",
            6.0,
            "day",
            "textbook: serum IgA1 half-life ~5-6 days",
            "Half-life of serum IgA.",
        ),
        par(
            "igm_half_life",
            5.0,
            "day",
            "textbook: serum IgM half-life ~5 days",
            "Half-life of serum IgM.",
        ),
        par(
            "igg_endocytosis_rate",
            k_up,
            "1/day",
            "calibrated: IgG half-life ~5.8 d without FcRn rescue (FcRn-/- mice: IgG t1/2 2-3x "
            "shorter, physiology.csv igg_halflife note)",
            "Fluid-phase pinocytosis of IgG by endothelium (catabolism if not rescued).",
        ),
        par(
            "fcrn_max_rescue",
            rescue_max,
            "dimensionless",
            "calibrated: IgG half-life 21 d at ~10 g/L (physiology.csv igg_halflife 19-23 d)",
            "Fraction of endocytosed IgG recycled by FcRn at low IgG.",
        ),
        par(
            "fcrn_saturation_igg",
            saturation,
            "g/L",
            "calibrated: high-dose IVIG (2 g/kg) shortens IgG half-life (FcRn saturation)",
            "Total IgG at which FcRn rescue halves.",
        ),
        knob("fcrn_level", "FcRn expression (0: FcRn/beta2m deficiency; FcRn blockers lower it)."),
        par(
            "exogenous_igg",
            0.0,
            "g/L",
            "definition: drug target hook, 0 without drug (IVIG and subcutaneous IgG raise it)",
            "Infused polyclonal IgG in serum: protects like the patient's own, reads in serum "
            "IgG and competes for FcRn.",
        ),
        par(
            "grams_per_milligram",
            1e-3,
            "g/mg",
            "unit conversion",
            "Converts mg to g.",
        ),
        par(
            "igg_distribution_volume",
            6.36,
            "L",
            "physiology.csv mab_terminal_halflife note: Vc 3.61 L + Vp 2.75 L (Davda 2014)",
            "Volume of distribution of IgG (to convert IgG doses in g to serum g/L).",
        ),
    ]
    specific = " + ".join(specific_igg) if specific_igg else "0"
    rules = [
        rule(
            "plasma_cells_long_lived",
            "long_lived_plasma_cell_pool * b_cell_differentiation_factor * "
            "long_lived_plasma_cell_retention",
            "cells/uL",
            "Long-lived bulk plasma cells (marrow).",
        ),
        rule(
            "plasma_cells_total",
            "plasma_cells + plasma_cells_long_lived",
            "cells/uL",
            "All bulk marrow plasma cells.",
        ),
        rule(
            "igg_specific_total",
            specific,
            "mg/L",
            "Antigen-specific IgG (pathogen-specific and autoantibody).",
        ),
        rule(
            "igg_polyclonal",
            "igg_bulk + exogenous_igg",
            "g/L",
            "Polyclonal serum IgG: the patient's own and any infused.",
        ),
        rule(
            "igg_total",
            "igg_polyclonal + igg_specific_total * grams_per_milligram",
            "g/L",
            "Total serum IgG (shares FcRn).",
        ),
        rule(
            "fcrn_rescue_fraction",
            "fcrn_level * fcrn_max_rescue / (1 + igg_total/fcrn_saturation_igg)",
            "dimensionless",
            "Fraction of endocytosed IgG returned to plasma by FcRn.",
        ),
        rule(
            "igg_elimination_rate",
            "igg_endocytosis_rate * (1 - fcrn_rescue_fraction)",
            "1/day",
            "First-order catabolic rate of IgG (and of IgG-based drugs).",
        ),
    ]
    species = [
        cells(
            "plasma_cells",
            "bone_marrow",
            PLASMA_CELLS * (1 - LONG_LIVED_SHARE),
            "Short-lived polyclonal marrow plasma cells.",
        ),
        state(
            "long_lived_plasma_cell_retention",
            "bone_marrow",
            1.0,
            "dimensionless",
            "Long-lived bulk plasma cells relative to their lifelong set point (1 in health; "
            "falls over years without memory B cells).",
        ),
        state("igg_bulk", "blood", IGG_BULK, "g/L", "Polyclonal serum IgG."),
        state("iga", "blood", IGA, "g/L", "Serum IgA."),
        state("igm_bulk", "blood", IGM, "g/L", "Polyclonal serum IgM (incl. natural IgM)."),
    ]
    reactions = [
        flow(
            "plasma_cell_differentiation",
            "plasma_cell_differentiation_rate * b_cell_differentiation_factor * b_memory * "
            "lymphoid / bone_marrow",
            "Memory B cells differentiate into marrow plasma cells.",
            products=["plasma_cells"],
        ),
        flow(
            "plasma_cell_death",
            "log(2)/plasma_cell_half_life * plasma_cells",
            "Plasma-cell death.",
            reactants=["plasma_cells"],
        ),
        flow(
            "long_lived_plasma_cell_renewal",
            "log(2)/long_lived_plasma_cell_half_life * b_memory / b_memory_reference",
            "Memory B cells renew the long-lived pool (relative to the healthy set point).",
            products=["long_lived_plasma_cell_retention"],
        ),
        flow(
            "long_lived_plasma_cell_loss",
            "log(2)/long_lived_plasma_cell_half_life * long_lived_plasma_cell_retention",
            "Death of long-lived plasma cells.",
            reactants=["long_lived_plasma_cell_retention"],
        ),
        flow(
            "igg_secretion",
            "igg_secretion_per_plasma_cell * plasma_cells_total",
            "IgG secretion.",
            products=["igg_bulk"],
        ),
        flow(
            "igg_catabolism",
            "igg_elimination_rate * igg_bulk",
            "IgG catabolism (FcRn-limited).",
            reactants=["igg_bulk"],
        ),
        flow(
            "iga_secretion",
            "iga_secretion_per_plasma_cell * plasma_cells_total",
            "IgA secretion.",
            products=["iga"],
        ),
        flow("iga_catabolism", "log(2)/iga_half_life * iga", "IgA catabolism.", reactants=["iga"]),
        flow(
            "igm_secretion",
            "igm_secretion_per_plasma_cell * plasma_cells_total",
            "IgM secretion.",
            products=["igm_bulk"],
        ),
        flow(
            "igm_catabolism",
            "log(2)/igm_half_life * igm_bulk",
            "IgM catabolism.",
            reactants=["igm_bulk"],
        ),
    ]
    return Module(
        name="antibodies",
        description="Plasma cells, serum immunoglobulins, FcRn recycling of IgG.",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )


__all__ = ["BLOOD_PER_LYMPHOID", "PHYSIOLOGY", "antibodies_module", "lymphocytes_module"]
