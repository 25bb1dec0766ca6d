"""Tolerance and systemic autoreactivity.

``tolerance_module`` declares the tolerance knobs and the signals every self-reactive
pool reads: Treg suppression (IL-2 consumption, IL-10, CTLA-4), CTLA-4 competition for
CD80/86 on dendritic cells, PD-1 inhibition, Fas-mediated AICD (declared with the
lymphocytes), anergy without co-stimulation, thymic escape set by AIRE.

``systemic_autoimmunity_module`` declares the self-reactive pools against ubiquitous
nuclear self antigen (the lupus axis): naive, Th1, Th17 and memory CD4 T cells,
self-specific Tregs, naive, germinal-centre and memory B cells, short- and long-lived
plasma cells, IgM and IgG autoantibodies. Organ-specific T cells live in the tissue
modules.
"""

from __future__ import annotations

from immunetwin import Module
from immunetwin.immune._common import cells, flow, hill, knob, par, rule, state
from immunetwin.immune.lymphocytes import CD4_NAIVE, TREG

NATURAL_IGG_AUTO = 2.0  # mg/L
NATURAL_IGM_AUTO = 5.0  # mg/L


def tolerance_module() -> Module:
    """Knobs and signals of central and peripheral tolerance."""
    parameters = [
        knob(
            "aire_efficiency",
            "AIRE-driven thymic expression of tissue-restricted antigens; "
            "sets how many organ-reactive precursors escape (0: APS-1-like).",
        ),
        knob("treg_suppression_strength", "Contact-dependent Treg suppression (with CTLA-4)."),
        knob(
            "ctla4_strength",
            "CTLA-4: transendocytosis of CD80/86 by Tregs and cell-intrinsic "
            "inhibition (0.1: CTLA-4 blockade or haploinsufficiency).",
            cv=0.15,
        ),
        knob(
            "pd1_strength",
            "PD-1/PD-L1 inhibition of self-reactive effectors (0.1: PD-1 blockade).",
            cv=0.3,
        ),
        knob(
            "anergy_strength", "Anergy induction when antigen is seen without CD28 co-stimulation."
        ),
        knob("costimulation_strength", "CD80/86-CD28 co-stimulation (abatacept lowers it)."),
        par(
            "treg_reference",
            TREG,
            "cells/uL",
            "calibrated: healthy Treg level of this model (7.5% of CD4)",
            "Treg level of the healthy adult (normalises Treg function).",
        ),
        par(
            "treg_contact_suppression",
            3.0,
            "dimensionless",
            "calibrated: healthy Tregs hold self-reactive expansion ~4-fold below its "
            "unrestrained rate; the Treg-threshold sweep (Alexander & Wahl 2010)",
            "Contact-dependent (CTLA-4-dependent) suppression at the healthy Treg level.",
            cv=0.3,
        ),
        par(
            "il10_suppression_ec50",
            8.0,
            "pg/mL",
            "calibrated: IL-10 contributes a minor share of suppression at rest",
            "IL-10 level giving one unit of suppression.",
        ),
        par(
            "treg_self_weight",
            20.0,
            "dimensionless",
            "calibrated: antigen-specific Tregs suppress ~20x more per cell than polyclonal "
            "ones at the site of their antigen",
            "Weight of self-specific Tregs in Treg function.",
        ),
        par(
            "ctla4_costimulation_gain",
            1.0,
            "dimensionless",
            "calibrated: Treg CTLA-4 removes about half of CD80/86 from resting DC",
            "CTLA-4-mediated reduction of DC co-stimulation at the healthy Treg level.",
        ),
        par(
            "danger_pamp_weight",
            30.0,
            "dimensionless",
            "calibrated: infections raise mature cDC ~5-10-fold",
            "DC maturation by microbial products.",
        ),
        par(
            "danger_bacteria_k",
            10.0,
            "CFU/uL",
            "calibrated: DC maturation in bacterial infection",
            "Bacterial load of half-maximal DC maturation.",
        ),
        par(
            "danger_virus_k",
            100.0,
            "copies/uL",
            "calibrated: DC maturation in viral infection",
            "Viral load of half-maximal DC maturation.",
        ),
        par(
            "danger_ifn_ec50",
            0.3,
            "pg/mL",
            "calibrated: type I IFN licenses DC; SLE-like plasma IFN-alpha (~300 fg/mL, "
            "physiology.csv ifna_normal note) raises co-stimulation",
            "Type I IFN level of half-maximal DC licensing.",
        ),
        par(
            "danger_ifn_weight",
            10.0,
            "dimensionless",
            "calibrated: IFN-licensed DC maturation comparable to microbial products",
            "Maximal DC maturation by type I IFN.",
        ),
        par(
            "danger_tnf_ec50",
            40.0,
            "pg/mL",
            "calibrated: TNF matures DC",
            "TNF level giving one unit of DC maturation.",
        ),
        par(
            "ifng_pdl1_ec50",
            50.0,
            "pg/mL",
            "calibrated: IFN-gamma induces PD-L1 (adaptive resistance)",
            "IFN-gamma level doubling tissue PD-L1.",
        ),
        par(
            "pdl1_systemic",
            1.0,
            "dimensionless",
            "calibrated: PD-1 halves self-reactive expansion at rest",
            "PD-L1 expression met by systemic self-reactive effectors.",
        ),
        par(
            "anergy_induction_rate",
            0.5,
            "1/day",
            "calibrated: most naive self-reactive T cells meeting antigen without co-stimulation "
            "become anergic within days",
            "Anergy induction at full presentation without co-stimulation.",
        ),
        par(
            "aire_escape_gain",
            50.0,
            "dimensionless",
            "calibrated: AIRE deficiency lets many more tissue-restricted-antigen-reactive "
            "precursors escape (Anderson et al. Science 2002); APS-1-like autoimmunity in "
            "several AIRE-dependent organs",
            "Fold increase in escape of fully AIRE-dependent specificities without AIRE.",
        ),
    ]
    rules = [
        rule(
            "treg_function",
            "foxp3_function * (treg + treg_self_weight * treg_self) / treg_reference",
            "dimensionless",
            "Treg suppressive capacity relative to the healthy adult.",
        ),
        rule(
            "treg_suppression_index",
            "1 + treg_suppression_strength * treg_contact_suppression * treg_function * "
            "ctla4_strength + il10/il10_suppression_ec50",
            "dimensionless",
            "Fold reduction of self-reactive expansion by Tregs (contact/CTLA-4 and IL-10; "
            "IL-2 consumption acts through il2_signal).",
        ),
        rule(
            "self_response_suppression",
            "1 / treg_suppression_index",
            "dimensionless",
            "Fraction of self-reactive expansion left by Treg suppression.",
        ),
        rule(
            "dc_costimulation_k_effective",
            "dc_costimulation_k * (1 + ctla4_costimulation_gain * ctla4_strength * treg_function)",
            "cells/uL",
            "Mature-cDC density of half-maximal co-stimulation after CTLA-4 removal of CD80/86.",
        ),
        rule(
            "dc_costimulation",
            "costimulation_strength * cdc_mature / (costimulation_strength * cdc_mature + "
            "dc_costimulation_k_effective)",
            "dimensionless",
            "Fraction of antigen encounters with CD28 co-stimulation.",
        ),
        rule(
            "pd1_inhibition_systemic",
            "1 / (1 + pd1_strength * pdl1_systemic * (1 + ifng/ifng_pdl1_ec50))",
            "dimensionless",
            "Fraction of effector expansion left by PD-1 signalling (systemic self).",
        ),
    ]
    return Module(
        name="tolerance",
        description="Central and peripheral tolerance mechanisms (knobs and signals).",
        parameters=tuple(parameters),
        rules=tuple(rules),
    )


def systemic_autoimmunity_module() -> Module:
    """Self-reactive T and B cells against nuclear self antigen; autoantibodies."""
    parameters = [
        par(
            "systemic_precursor_frequency",
            1e-4,
            "dimensionless",
            "calibrated: ~1e-4 of thymic emigrants recognise ubiquitous nuclear self antigen "
            "(AIRE-independent, imperfect negative selection)",
            "Share of thymic CD4 output that is reactive to nuclear self antigen.",
            cv=0.3,
        ),
        par(
            "self_presentation_k",
            4.0,
            "dimensionless",
            "calibrated: ~20% of maximal presentation of nuclear self antigen in health",
            "Self-antigen signal of half-maximal presentation.",
        ),
        par(
            "th17_share_basal",
            0.3,
            "dimensionless",
            "calibrated: self-reactive effectors are mostly Th1 without IL-6",
            "Share of primed self-reactive CD4 cells becoming Th17 at rest.",
        ),
        par(
            "il6_th17_ec50",
            20.0,
            "pg/mL",
            "calibrated: IL-6 (with TGF-beta, IL-1beta) skews priming towards Th17",
            "IL-6 level of half-maximal Th17 skewing.",
        ),
        par(
            "treg_induction_rate",
            0.05,
            "1/day",
            "calibrated: peripheral Treg induction by TGF-beta and antigen without co-stimulation",
            "Conversion of naive self-reactive CD4 into pTregs.",
        ),
        par(
            "tgfb_treg_ec50",
            2.0,
            "ng/mL",
            "calibrated: TGF-beta drives FOXP3 induction",
            "TGF-beta level of half-maximal pTreg induction.",
        ),
        par(
            "self_treg_thymic_share",
            3e-3,
            "dimensionless",
            "calibrated: thymic Tregs are enriched for self-reactivity",
            "Share of thymic Treg output specific for nuclear self antigen.",
        ),
        par(
            "treg_self_proliferation_max",
            1.0,
            "1/day",
            "calibrated: self-specific Tregs expand with their antigen (Alexander & Wahl 2010)",
            "Maximal antigen- and IL-2-driven proliferation of self-specific Tregs.",
        ),
        par(
            "treg_self_capacity",
            200.0,
            "cells/uL",
            "calibrated: self-specific Treg expansion is niche-limited",
            "Self-specific Treg density of half-maximal proliferation.",
        ),
        par(
            "b_autoreactive_escape",
            0.05,
            "dimensionless",
            "calibrated: receptor editing and deletion leave ~5% of new B cells reactive to "
            "nuclear or blood-cell self antigen (Wardemann et al. Science 2003: ~20% of mature "
            "naive B cells are self-reactive)",
            "Share of marrow B output that is reactive to nuclear self antigen.",
        ),
        par(
            "baff_autoreactive_ec50",
            1.5,
            "ng/mL",
            "calibrated: autoreactive B cells need more BAFF (Thien et al. Immunity 2004; "
            "Lesley et al. Immunity 2004)",
            "BAFF level of half-maximal survival of autoreactive naive B cells.",
        ),
        par(
            "b_anergy_rate",
            0.2,
            "1/day",
            "calibrated: self-reactive B cells without T-cell help are silenced in days",
            "Anergy/deletion of self-reactive naive B cells meeting antigen without help.",
        ),
        par(
            "b_self_tlr_k",
            3.0,
            "mg/L",
            "calibrated: TLR7/9 engagement by nucleic-acid immune complexes",
            "Immune-complex level of half-maximal TLR co-activation of autoreactive B cells "
            "(Hill 2).",
        ),
        par(
            "b_self_tlr_nuclear_k",
            10.0,
            "dimensionless",
            "calibrated: TLR7/9 in self-reactive B cells sense necrotic-cell nucleic acid when "
            "it exceeds ~10x the healthy level (slow apoptotic-cell clearance)",
            "Relative nuclear-antigen level of half-maximal TLR co-activation (Hill 3).",
        ),
        par(
            "fas_b_deletion_share",
            0.9,
            "dimensionless",
            "calibrated: Fas-dependent deletion of self-reactive B cells by CD4 T cells (Rathmell "
            "et al. Nature 1995); ALPS-like autoantibodies and cytopenias",
            "Share of peripheral deletion of self-reactive B cells that needs Fas.",
        ),
        par(
            "b_memory_self_fas_death",
            0.05,
            "1/day",
            "calibrated: Fas-mediated death keeps activated self-reactive B cells few; FAS "
            "defect (ALPS) lets them accumulate (autoimmune cytopenias)",
            "Fas-mediated death of activated (memory) self-reactive B cells.",
        ),
        par(
            "memory_b_self_tonic_activation",
            0.01,
            "dimensionless",
            "calibrated: antigen-experienced self-reactive B cells respond to self antigen "
            "without TLR or T-cell help at a low rate (ALPS-like accumulation gives "
            "autoantibodies)",
            "Activation of self-reactive memory B cells by self antigen alone.",
        ),
        par(
            "flare_activation_half_life",
            21.0,
            "day",
            "assumption: untreated lupus activity flares subside over weeks to months (Petri "
            "et al. Arthritis Rheum 1991 assess them at visits ~3 months apart); 3 weeks gives "
            "autoantibody and complement excursions of ~2 months",
            "Half-life of the larger memory B-cell plasmablast burst after a flare trigger.",
        ),
        par(
            "plasmablast_burst_self",
            8.0,
            "dimensionless",
            "calibrated: extrafollicular clonal burst of self-reactive B cells",
            "Plasmablasts per activated self-reactive naive B cell.",
        ),
        par(
            "gc_fas_deletion_rate",
            0.5,
            "1/day",
            "calibrated: Fas eliminates self-reactive germinal-centre B cells (ALPS: "
            "autoantibodies and cytopenias)",
            "Fas-mediated deletion of self-reactive germinal-centre B cells.",
        ),
        par(
            "igm_auto_natural",
            NATURAL_IGM_AUTO * 0.1386,
            "mg/L/day",
            "calibrated: natural IgM autoantibodies from B-1 cells (~5 mg/L)",
            "Natural IgM autoantibody production.",
        ),
        par(
            "igg_auto_natural",
            NATURAL_IGG_AUTO * 0.05,
            "mg/L/day",
            "calibrated: healthy ANA titre ~1:20 (below 1:80 in ~95% of healthy adults)",
            "Natural IgG autoantibody production.",
            cv=0.4,
        ),
        par(
            "self_igm_share",
            0.3,
            "dimensionless",
            "calibrated: self-reactive plasmablasts secrete partly IgM",
            "Share of plasmablast autoantibody secretion that is IgM.",
        ),
    ]
    naive, th1, th17, mem = "cd4_naive_self", "th1_self", "th17_self", "cd4_memory_self"
    tregs, bn, gc, bm, pb, ll = (
        "treg_self",
        "b_naive_self",
        "gc_b_self",
        "b_memory_self",
        "plasmablasts_self",
        "llpc_self",
    )
    pres = "self_presentation"
    rules = [
        rule(
            pres,
            "tlr7_9_signalling**0.5 * self_antigen_signal / (self_antigen_signal + "
            "self_presentation_k)",
            "dimensionless",
            "Presentation of nuclear self antigen (TLR-assisted uptake).",
        ),
        rule(
            "th17_share",
            "th17_share_basal + (1 - th17_share_basal) * 0.7 * "
            + hill("il6_signal", "il6_th17_ec50"),
            "dimensionless",
            "Share of primed self-reactive CD4 T cells becoming Th17.",
        ),
        rule(
            "tfh_help_self",
            hill(f"{th1} + {th17} + {mem}", "tfh_help_k"),
            "dimensionless",
            "T-cell help available to self-reactive B cells.",
        ),
        rule(
            "self_b_tlr_activation",
            "tlr7_9_signalling * ("
            + hill("nuclear_antigen/nuclear_antigen_reference", "b_self_tlr_nuclear_k", "3")
            + " + "
            + hill("immune_complexes", "b_self_tlr_k", "2")
            + ") * (1 + "
            + hill("ifn_signal", "danger_ifn_ec50")
            + ")",
            "dimensionless",
            "TLR7/9 and IFN co-activation of self-reactive B cells.",
        ),
        rule(
            "baff_survival_autoreactive",
            "baff / (baff + baff_autoreactive_ec50)",
            "dimensionless",
            "BAFF survival signal of autoreactive naive B cells.",
        ),
        rule(
            "self_effector_expansion",
            f"effector_proliferation_max * lymphocyte_proliferation_factor * {pres} * il2_signal * "
            "self_response_suppression * pd1_inhibition_systemic * (1 - effector_t_exhaustion)",
            "1/day",
            "Per-capita expansion rate of self-reactive effectors (before clonal competition).",
        ),
    ]
    expand = "self_effector_expansion * effector_capacity / (effector_capacity + {x}) * {x}"
    priming = f"t_priming_rate * {naive} * {pres} * dc_costimulation * self_response_suppression"
    reactions = [
        flow(
            f"thymic_escape_{naive}",
            "thymic_cd4_output * lymphopoiesis_factor * systemic_precursor_frequency",
            "Self-reactive CD4 T cells escaping negative selection.",
            products=[naive],
        ),
        flow(
            f"homeostatic_proliferation_{naive}",
            f"naive_homeostatic_max * lymphopoiesis_factor * {naive} * cd4_naive_homeostatic_k / "
            "(cd4_naive_homeostatic_k + cd4_naive)",
            "Homeostatic proliferation (shares IL-7 with the naive pool).",
            products=[naive],
        ),
        flow(f"death_{naive}", f"naive_t_death_rate * {naive}", "Death.", reactants=[naive]),
        flow(
            f"anergy_{naive}",
            f"anergy_induction_rate * anergy_strength * {pres} * (1 - dc_costimulation) * {naive}",
            "Anergy (functional removal) after antigen without co-stimulation.",
            reactants=[naive],
        ),
        flow(
            f"ptreg_{naive}",
            f"treg_induction_rate * foxp3_function * {pres} * (1 - dc_costimulation) * "
            f"tgfb / (tgfb + tgfb_treg_ec50) * {naive}",
            "Peripheral Treg induction.",
            reactants=[naive],
            products=[tregs],
        ),
        flow(
            f"priming_{th1}",
            priming + " * (1 - th17_share)",
            "Priming into Th1.",
            reactants=[naive],
            products=[th1],
        ),
        flow(
            f"priming_{th17}",
            priming + " * th17_share",
            "Priming into Th17.",
            reactants=[naive],
            products=[th17],
        ),
    ]
    for eff in (th1, th17):
        reactions += [
            flow(f"expansion_{eff}", expand.format(x=eff), "Clonal expansion.", products=[eff]),
            flow(
                f"death_{eff}",
                f"(effector_death_rate + fas_aicd_strength * effector_aicd_rate * {pres} + "
                f"effector_t_depletion_rate) * {eff}",
                "Death, Fas-mediated AICD (and anti-CD3 depletion).",
                reactants=[eff],
            ),
            flow(
                f"memory_{eff}",
                f"memory_formation_rate * {eff}",
                "Memory formation.",
                reactants=[eff],
                products=[mem],
            ),
        ]
    reactions += [
        flow(
            f"reactivation_{mem}",
            f"memory_reactivation_rate * {pres} * self_response_suppression * {mem}",
            "Memory reactivation (Th1).",
            reactants=[mem],
            products=[th1],
        ),
        flow(
            f"death_{mem}",
            f"(specific_memory_t_death_rate + fas_aicd_strength * memory_t_aicd_rate) * {mem}",
            "Loss of self-reactive memory.",
            reactants=[mem],
        ),
        flow(
            f"thymic_{tregs}",
            "thymic_treg_output * foxp3_function * lymphopoiesis_factor * self_treg_thymic_share",
            "Thymic self-specific Tregs.",
            products=[tregs],
        ),
        flow(
            f"proliferation_{tregs}",
            f"treg_self_proliferation_max * foxp3_function * {pres} * il2 / (il2 + il2_treg_ec50)"
            f" * treg_self_capacity / (treg_self_capacity + {tregs}) * {tregs}",
            "Antigen- and IL-2-driven expansion of self-specific Tregs.",
            products=[tregs],
        ),
        flow(f"death_{tregs}", f"treg_death_rate * {tregs}", "Death.", reactants=[tregs]),
        # B cells
        flow(
            f"marrow_escape_{bn}",
            "marrow_b_output * lymphopoiesis_factor * b_autoreactive_escape",
            "Self-reactive B cells escaping central tolerance.",
            products=[bn],
        ),
        flow(
            f"death_{bn}",
            f"(b_naive_death_max * (1 - baff_survival_autoreactive) + cd20_depletion_rate) * {bn}",
            "BAFF-dependent death (and anti-CD20 depletion).",
            reactants=[bn],
        ),
        flow(
            f"anergy_{bn}",
            f"b_anergy_rate * anergy_strength * (1 - fas_b_deletion_share * "
            f"(1 - fas_aicd_strength)) * {pres} * (1 - tfh_help_self) * "
            f"(1 - self_b_tlr_activation/(1 + self_b_tlr_activation)) * {bn}",
            "Anergy/deletion without T-cell help or TLR signals.",
            reactants=[bn],
        ),
        flow(
            f"activation_{bn}",
            f"extrafollicular_rate / plasmablast_burst_self * {pres} * (self_b_tlr_activation + "
            f"tfh_help_self) * {bn}",
            "Extrafollicular activation (TLR7/9 or T help).",
            reactants=[bn],
        ),
        flow(
            f"extrafollicular_{pb}",
            f"extrafollicular_rate * b_cell_differentiation_factor * {pres} * "
            f"(self_b_tlr_activation + tfh_help_self) * {bn}",
            "Plasmablasts from the extrafollicular burst.",
            products=[pb],
        ),
        flow(
            f"early_memory_{bm}",
            f"extrafollicular_memory_share * extrafollicular_rate * {pres} * "
            f"(self_b_tlr_activation + tfh_help_self) * {bn}",
            "Activated (germinal-centre-independent) memory B cells, e.g. age-associated/DN2 "
            "B cells.",
            products=[bm],
        ),
        flow(
            f"gc_seeding_{gc}",
            f"gc_seeding_rate * {pres} * tfh_help_self * {bn}",
            "Germinal-centre entry.",
            reactants=[bn],
            products=[gc],
        ),
        flow(
            f"gc_proliferation_{gc}",
            f"gc_proliferation_max * lymphocyte_proliferation_factor * {pres} * tfh_help_self * "
            f"gc_capacity / (gc_capacity + {gc})"
            f" * {gc}",
            "Germinal-centre proliferation.",
            products=[gc],
        ),
        flow(
            f"gc_death_{gc}",
            f"(gc_death_rate + fas_aicd_strength * gc_fas_deletion_rate + cd20_depletion_rate) * "
            f"{gc}",
            "Apoptosis and Fas-mediated deletion.",
            reactants=[gc],
        ),
        flow(
            f"gc_to_memory_{gc}",
            f"gc_memory_rate * {gc}",
            "Memory output.",
            reactants=[gc],
            products=[bm],
        ),
        flow(
            f"gc_to_plasmablast_{gc}",
            f"gc_plasmablast_rate * {gc}",
            "Plasmablast output.",
            reactants=[gc],
            products=[pb],
        ),
        flow(
            f"gc_to_llpc_{gc}",
            f"gc_llpc_rate * {gc}",
            "Long-lived plasma-cell output.",
            reactants=[gc],
            products=[ll],
        ),
        flow(
            f"reactivation_{bm}",
            f"memory_b_reactivation_rate * {pres} * "
            f"(memory_b_self_tonic_activation + self_b_tlr_activation + tfh_help_self) * {bm}",
            "Self-reactive memory B cells differentiate on chronic self antigen (consumed).",
            reactants=[bm],
        ),
        flow(
            f"reactivation_burst_{bm}",
            f"memory_b_burst * b_cell_differentiation_factor * "
            f"memory_b_reactivation_rate * {pres} * (memory_b_self_tonic_activation + "
            f"self_b_tlr_activation + tfh_help_self) * (1 + self_flare_activation) * {bm}",
            "Plasmablasts from memory reactivation (larger during a flare).",
            products=[pb],
        ),
        flow(
            f"death_{bm}",
            f"(specific_memory_b_death_rate + fas_aicd_strength * b_memory_self_fas_death + "
            f"cd20_depletion_rate) * {bm}",
            "Loss, mostly Fas-mediated.",
            reactants=[bm],
        ),
        flow(
            f"death_{pb}",
            f"(log(2)/plasmablast_half_life * plasmablast_death_factor + "
            "plasmablast_depletion_rate) "
            f"* {pb}",
            "Death (BAFF-dependent).",
            reactants=[pb],
        ),
        flow(f"death_{ll}", f"log(2)/llpc_half_life * {ll}", "Death.", reactants=[ll]),
        flow(
            "secretion_igm_auto",
            f"igm_auto_natural + igm_secretion_per_cell * self_igm_share * {pb}",
            "Natural and induced IgM autoantibody.",
            products=["igm_auto"],
        ),
        flow(
            "catabolism_igm_auto",
            "log(2)/igm_half_life * igm_auto",
            "IgM catabolism.",
            reactants=["igm_auto"],
        ),
        flow(
            "secretion_igg_auto",
            f"igg_auto_natural + igg_secretion_per_cell * ((1 - self_igm_share) * {pb} + {ll})",
            "Natural and induced IgG autoantibody.",
            products=["igg_auto"],
        ),
        flow(
            "catabolism_igg_auto",
            "igg_elimination_rate * igg_auto",
            "IgG catabolism (FcRn).",
            reactants=["igg_auto"],
        ),
        flow(
            "resolution_self_flare_activation",
            "log(2) / flare_activation_half_life * self_flare_activation",
            "A trigger's extra activation subsides.",
            reactants=["self_flare_activation"],
        ),
    ]
    species = [
        cells(naive, "lymphoid", 0.2, "Naive CD4 T cells reactive to nuclear self antigen."),
        cells(th1, "lymphoid", 0.0, "Self-reactive Th1 effectors."),
        cells(th17, "lymphoid", 0.0, "Self-reactive Th17 effectors."),
        cells(mem, "lymphoid", 0.0, "Self-reactive memory CD4 T cells."),
        cells(tregs, "lymphoid", 5.0, "Tregs specific for nuclear self antigen."),
        cells(bn, "lymphoid", 50.0, "Naive B cells reactive to nuclear self antigen."),
        cells(gc, "lymphoid", 0.0, "Self-reactive germinal-centre B cells."),
        cells(bm, "lymphoid", 0.0, "Self-reactive memory B cells."),
        cells(pb, "lymphoid", 0.0, "Self-reactive short-lived plasmablasts."),
        cells(ll, "lymphoid", 0.0, "Self-reactive long-lived plasma cells."),
        state(
            "self_flare_activation",
            "lymphoid",
            0.0,
            "dimensionless",
            "Extra plasmablasts per reactivated self-reactive memory B cell after a flare "
            "trigger (a viral infection's TLR7 ligands and interferon, UV-released nuclear "
            "antigen), as a multiple of the patient's own burst; zero without triggers.",
        ),
        state(
            "igm_auto", "blood", NATURAL_IGM_AUTO, "mg/L", "IgM autoantibody (natural + induced)."
        ),
        state(
            "igg_auto",
            "blood",
            NATURAL_IGG_AUTO,
            "mg/L",
            "IgG autoantibody against nuclear (and blood-cell) self antigen.",
        ),
    ]
    return Module(
        name="systemic_autoimmunity",
        description="Self-reactive lymphocytes against ubiquitous nuclear self antigen; "
        "autoantibodies.",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )


__all__ = ["CD4_NAIVE", "systemic_autoimmunity_module", "tolerance_module"]
