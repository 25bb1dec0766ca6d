"""Antigen-specific adaptive responses to a pathogen, built by a factory per pathogen.

``pathogen_response_module("bacterial", load="bacteria", helper="th17")`` declares the
antigen depot on dendritic/follicular dendritic cells, the specific effector and
memory CD4 (and, with ``cd8=True``, CD8) T cells, germinal-centre and memory B cells,
short-lived IgM and IgG plasmablasts, long-lived plasma cells and the specific IgM and
IgG. Naive precursors are a fixed frequency of the polyclonal naive pools.

Shared kinetic parameters (proliferation, death, memory formation...) are declared
once in :func:`adaptive_shared_module`.
"""

from __future__ import annotations

from immunetwin import Module
from immunetwin.immune._common import LN2, cells, flow, hill, par, rule, state


def adaptive_shared_module() -> Module:
    """Kinetic parameters common to every antigen-specific response."""
    parameters = [
        par(
            "antigen_depot_half_life",
            1.2,
            "day",
            "calibrated: antigen presentation lasts a few days after clearance; primary IgG "
            "peaks on days 7-14 (physiology.csv primary_ab_peak)",
            "Half-life of pathogen antigen retained on dendritic and follicular dendritic cells.",
        ),
        par(
            "antigen_presentation_k",
            0.5,
            "dimensionless",
            "calibrated: a small depot suffices to stimulate specific lymphocytes",
            "Depot giving half-maximal antigen presentation.",
        ),
        par(
            "t_priming_rate",
            1.0,
            "1/day",
            "calibrated: specific T cells expand ~1e4-fold within ~8 days (physiology.csv "
            "t_expansion)",
            "Rate at which a naive precursor is primed at full presentation and co-stimulation.",
        ),
        par(
            "effector_proliferation_max",
            3.0,
            "1/day",
            "physiology.csv t_expansion note: division time ~8 h (ln2/8 h = 2.1/day); 3/day "
            "at full presentation and IL-2 gives >=1e4-fold expansion in ~8 days",
            "Maximal proliferation of effector T cells.",
        ),
        par(
            "il2_effector_ec50",
            0.3,
            "pg/mL",
            "calibrated: effector expansion is IL-2 limited; Tregs restrain it by consuming IL-2",
            "IL-2 level giving half-maximal effector proliferation.",
        ),
        par(
            "effector_capacity",
            1e4,
            "cells/uL",
            "calibrated: specific effectors reach ~1e4 cells/uL of lymphoid tissue (~1e10 "
            "cells) at the peak of an acute response",
            "Effector density at which clonal competition halves proliferation.",
        ),
        par(
            "effector_death_rate",
            0.25,
            "1/day",
            "calibrated: effector contraction over ~1-2 weeks (90-95% die)",
            "Death rate of effector T cells.",
        ),
        par(
            "effector_aicd_rate",
            0.1,
            "1/day",
            "calibrated: Fas-mediated AICD contributes to contraction during persistent antigen",
            "Fas-mediated activation-induced death of antigen-stimulated effectors.",
        ),
        par(
            "memory_formation_rate",
            0.03,
            "1/day",
            "calibrated: ~5-10% of effectors become memory cells",
            "Effector -> memory transition.",
        ),
        par(
            "memory_reactivation_rate",
            1.0,
            "1/day",
            "calibrated: secondary responses start within 1-3 days (physiology.csv "
            "secondary_ab 3-7 d)",
            "Reactivation of memory T cells on antigen.",
        ),
        par(
            "specific_memory_t_death_rate",
            LN2 / (8 * 365.0),
            "1/day",
            "Hammarlund et al. Nat Med 2003: antiviral T-cell memory half-life ~8-15 years",
            "Net loss of antigen-specific memory T cells.",
        ),
        par(
            "tfh_help_k",
            30.0,
            "cells/uL",
            "calibrated: T-cell help becomes available a few days into a primary response",
            "Specific CD4 effector density giving half-maximal B-cell help (Tfh proxy).",
        ),
        par(
            "extrafollicular_rate",
            30.0,
            "1/day",
            "calibrated: IgM plasmablasts appear from day ~3-4 (physiology.csv primary_ab_peak "
            "lag 3-5 d, IgM first)",
            "Activation of naive B cells into extrafollicular IgM plasmablasts, including the "
            "clonal burst.",
        ),
        par(
            "gc_seeding_rate",
            1.0,
            "1/day",
            "calibrated: germinal centres form from ~day 4-7",
            "Entry of helped naive B cells into germinal centres.",
        ),
        par(
            "gc_proliferation_max",
            2.0,
            "1/day",
            "textbook: germinal-centre B cells divide every ~6-12 h",
            "Maximal germinal-centre B proliferation.",
        ),
        par(
            "gc_capacity",
            5e3,
            "cells/uL",
            "calibrated: germinal centres stay below ~5e3 cells/uL per specificity",
            "Germinal-centre density at which proliferation halves (follicle space, FDC).",
        ),
        par(
            "gc_death_rate",
            0.4,
            "1/day",
            "calibrated: germinal centres wane ~2-3 weeks after antigen clearance",
            "Apoptosis of germinal-centre B cells (selection).",
        ),
        par(
            "gc_memory_rate",
            0.05,
            "1/day",
            "calibrated: memory B output of germinal centres",
            "Germinal-centre -> memory B differentiation.",
        ),
        par(
            "gc_plasmablast_rate",
            0.05,
            "1/day",
            "calibrated: germinal centres mainly make memory B and long-lived plasma cells; "
            "serum IgG falls after its day 7-14 peak",
            "Germinal-centre -> IgG plasmablast differentiation.",
        ),
        par(
            "extrafollicular_memory_share",
            0.2,
            "dimensionless",
            "calibrated: germinal-centre-independent memory B cells (Taylor et al. J Exp Med "
            "2012) make the secondary IgG response faster and larger (physiology.csv "
            "secondary_ab)",
            "Memory B cells made per extrafollicular IgM plasmablast.",
        ),
        par(
            "class_switch_share",
            1.0,
            "dimensionless",
            "calibrated: helped extrafollicular B cells switch to IgG; primary IgG peaks on "
            "days 7-14 after IgM (physiology.csv primary_ab_peak)",
            "Switched IgG plasmablasts per IgM plasmablast from helped extrafollicular B cells.",
        ),
        par(
            "gc_llpc_rate",
            0.01,
            "1/day",
            "calibrated: long-lived plasma cells keep specific IgG detectable for years",
            "Germinal-centre -> long-lived plasma-cell differentiation.",
        ),
        par(
            "memory_b_burst",
            30.0,
            "dimensionless",
            "calibrated: secondary IgG response larger than the primary (physiology.csv "
            "secondary_ab)",
            "Plasmablasts produced per memory-B reactivation.",
        ),
        par(
            "memory_b_reactivation_rate",
            2.0,
            "1/day",
            "calibrated: secondary IgG rises within 3-7 days (physiology.csv secondary_ab)",
            "Reactivation of memory B cells on antigen.",
        ),
        par(
            "specific_memory_b_death_rate",
            LN2 / (10 * 365.0),
            "1/day",
            "Amanna et al. NEJM 2007: memory B cells persist for decades (t1/2 ~10 y used)",
            "Net loss of antigen-specific memory B cells.",
        ),
        par(
            "plasmablast_half_life",
            2.0,
            "day",
            "calibrated: short-lived plasmablasts survive ~2-5 days; primary IgG peaks by day "
            "14 (physiology.csv primary_ab_peak)",
            "Half-life of short-lived plasmablasts.",
        ),
        par(
            "llpc_half_life",
            20 * 365.0,
            "day",
            "Amanna et al. NEJM 2007: antibody titres decline with half-lives of decades",
            "Half-life of long-lived plasma cells.",
        ),
        par(
            "igm_secretion_per_cell",
            4e-3,
            "(mg/L/day)/(cells/uL)",
            "calibrated: ~4e-11 g/day per plasmablast (~2000 Ig/s) in 5 L of blood per "
            "cell/uL of 0.5 L lymphoid tissue",
            "Specific IgM secretion per plasmablast.",
        ),
        par(
            "igg_secretion_per_cell",
            4e-3,
            "(mg/L/day)/(cells/uL)",
            "calibrated: as igm_secretion_per_cell",
            "Specific IgG secretion per plasmablast or long-lived plasma cell.",
        ),
        par(
            "treg_pathogen_suppression_weight",
            0.1,
            "dimensionless",
            "calibrated: co-stimulation and inflammation largely override Treg suppression of "
            "pathogen-specific responses",
            "Weight of Treg suppression on pathogen-specific effectors (self-reactive: 1).",
        ),
    ]
    rules = [
        rule(
            "il2_signal",
            "il2 / (il2 + il2_effector_ec50)",
            "dimensionless",
            "IL-2 availability for effector T-cell proliferation.",
        ),
        rule(
            "pathogen_response_suppression",
            "1 / (1 + treg_pathogen_suppression_weight * (treg_suppression_index - 1) * "
            "(1 - dc_costimulation))",
            "dimensionless",
            "Residual Treg suppression of pathogen-specific effectors.",
        ),
    ]
    return Module(
        name="adaptive_shared",
        description="Kinetic parameters shared by antigen-specific responses.",
        parameters=tuple(parameters),
        rules=tuple(rules),
    )


def pathogen_response_module(
    pathogen: str,
    load: str,
    load_unit: str,
    capture_k: float,
    helper: str,
    cd8: bool,
    t_independent: float,
) -> Module:
    """The specific adaptive response to one pathogen.

    Args:
        pathogen: Short name used in every declared name (``bacterial``, ``viral``).
        load: Name of the pathogen-load species driving antigen capture.
        load_unit: Its unit.
        capture_k: Load giving half-maximal antigen capture (in ``load_unit``).
        helper: ``th1`` or ``th17``: the effector CD4 lineage of this response.
        cd8: Whether a cytotoxic CD8 response is declared.
        t_independent: Share of extrafollicular B activation that needs no T-cell help.
    """
    p = pathogen
    depot = f"{p}_antigen_depot"
    pres = f"{p}_presentation"
    eff4 = f"{helper}_{p}"
    mem4 = f"cd4_memory_{p}"
    gc, bmem = f"gc_b_{p}", f"b_memory_{p}"
    pbm, pbg, llpc = f"plasmablasts_igm_{p}", f"plasmablasts_igg_{p}", f"llpc_{p}"
    igm, igg = f"igm_{p}", f"igg_{p}"
    help_ = f"tfh_help_{p}"
    parameters = [
        par(
            f"{p}_antigen_capture_rate",
            2.0,
            "1/day",
            "calibrated: depot saturates within a day of a high load",
            f"Capture of {p} antigen by dendritic cells at high load.",
        ),
        par(
            f"{p}_antigen_capture_k",
            capture_k,
            load_unit,
            "calibrated: antigen capture becomes substantial well below peak loads",
            f"{p.capitalize()} load of half-maximal antigen capture.",
        ),
        par(
            f"{p}_cd4_precursor_frequency",
            5e-5,
            "dimensionless",
            "textbook: ~1e-5 to 1e-4 naive CD4 T cells recognise a pathogen's epitopes",
            f"Share of naive CD4 T cells specific for the {p} pathogen.",
            cv=0.3,
        ),
        par(
            f"{p}_b_precursor_frequency",
            1e-4,
            "dimensionless",
            "textbook: ~1e-4 naive B cells bind a given pathogen",
            f"Share of naive B cells specific for the {p} pathogen.",
            cv=0.3,
        ),
        par(
            f"{p}_t_independent_share",
            t_independent,
            "dimensionless",
            "textbook: bacterial polysaccharides activate B cells partly without T-cell help"
            if t_independent > 0.1
            else "textbook: protein antigens need T-cell help",
            "Extrafollicular B activation without T-cell help (relative to full help).",
        ),
    ]
    species = [
        state(
            depot, "lymphoid", 0.0, "dimensionless", f"{p.capitalize()} antigen retained on DC/FDC."
        ),
        cells(eff4, "lymphoid", 0.0, f"{p.capitalize()}-specific effector CD4 ({helper}) T cells."),
        cells(mem4, "lymphoid", 0.0, f"{p.capitalize()}-specific memory CD4 T cells."),
        cells(gc, "lymphoid", 0.0, f"{p.capitalize()}-specific germinal-centre B cells."),
        cells(bmem, "lymphoid", 0.0, f"{p.capitalize()}-specific memory B cells."),
        cells(pbm, "lymphoid", 0.0, f"{p.capitalize()}-specific short-lived IgM plasmablasts."),
        cells(pbg, "lymphoid", 0.0, f"{p.capitalize()}-specific short-lived IgG plasmablasts."),
        cells(llpc, "lymphoid", 0.0, f"{p.capitalize()}-specific long-lived plasma cells."),
        state(igm, "blood", 0.0, "mg/L", f"{p.capitalize()}-specific IgM."),
        state(igg, "blood", 0.0, "mg/L", f"{p.capitalize()}-specific IgG."),
    ]
    rules = [
        rule(
            pres,
            f"{depot} / ({depot} + antigen_presentation_k)",
            "dimensionless",
            f"Presentation of {p} antigen in lymphoid tissue.",
        ),
        rule(
            help_,
            hill(f"{eff4} + {mem4}", "tfh_help_k"),
            "dimensionless",
            f"T follicular help available to {p}-specific B cells.",
        ),
    ]
    expansion = (
        f"effector_proliferation_max * lymphocyte_proliferation_factor * {pres} * il2_signal * "
        "pathogen_response_suppression * "
        "effector_capacity / (effector_capacity + {x})"
    )
    reactions = [
        flow(
            f"{p}_antigen_capture",
            f"{p}_antigen_capture_rate * " + hill(load, f"{p}_antigen_capture_k"),
            "Antigen capture and transport to lymphoid tissue.",
            products=[depot],
        ),
        flow(
            f"{p}_antigen_decay",
            f"log(2)/antigen_depot_half_life * {depot}",
            "Loss of retained antigen.",
            reactants=[depot],
        ),
        # CD4
        flow(
            f"priming_{eff4}",
            f"t_priming_rate * {p}_cd4_precursor_frequency * cd4_naive * {pres} * dc_costimulation",
            "Priming of naive precursors (the naive pool is not measurably depleted).",
            products=[eff4],
        ),
        flow(
            f"expansion_{eff4}",
            expansion.format(x=eff4) + f" * {eff4}",
            "Antigen- and IL-2-driven clonal expansion.",
            products=[eff4],
        ),
        flow(
            f"reactivation_{mem4}",
            f"memory_reactivation_rate * {pres} * {mem4}",
            "Memory T cells re-enter the effector pool.",
            reactants=[mem4],
            products=[eff4],
        ),
        flow(
            f"death_{eff4}",
            f"(effector_death_rate + fas_aicd_strength * effector_aicd_rate * {pres}) * {eff4}",
            "Contraction: death and Fas-mediated AICD.",
            reactants=[eff4],
        ),
        flow(
            f"memory_{eff4}",
            f"memory_formation_rate * {eff4}",
            "Memory formation.",
            reactants=[eff4],
            products=[mem4],
        ),
        flow(
            f"death_{mem4}",
            f"specific_memory_t_death_rate * {mem4}",
            "Slow loss of memory.",
            reactants=[mem4],
        ),
        # B cells
        flow(
            f"extrafollicular_{p}",
            f"extrafollicular_rate * b_cell_differentiation_factor * "
            f"{p}_b_precursor_frequency * b_naive * {pres} * "
            f"({p}_t_independent_share + {help_})",
            "Extrafollicular activation into short-lived IgM plasmablasts.",
            products=[pbm],
        ),
        flow(
            f"early_memory_{p}",
            f"extrafollicular_memory_share * extrafollicular_rate * {p}_b_precursor_frequency * "
            f"b_naive * {pres} * ({p}_t_independent_share + {help_})",
            "Germinal-centre-independent early memory B cells.",
            products=[bmem],
        ),
        flow(
            f"extrafollicular_switched_{p}",
            f"extrafollicular_rate * b_cell_differentiation_factor * class_switch_share * "
            f"{p}_b_precursor_frequency * b_naive * {pres} * {help_}",
            "Helped extrafollicular B cells switch to IgG plasmablasts.",
            products=[pbg],
        ),
        flow(
            f"gc_seeding_{p}",
            f"gc_seeding_rate * {p}_b_precursor_frequency * b_naive * {pres} * {help_}",
            "Helped B cells seed germinal centres.",
            products=[gc],
        ),
        flow(
            f"gc_proliferation_{p}",
            f"gc_proliferation_max * lymphocyte_proliferation_factor * {pres} * {help_} * "
            f"gc_capacity / (gc_capacity + {gc}) * {gc}",
            "Germinal-centre proliferation (needs antigen on FDC and Tfh help).",
            products=[gc],
        ),
        flow(
            f"gc_death_{p}",
            f"(gc_death_rate + cd20_depletion_rate) * {gc}",
            "Germinal-centre apoptosis.",
            reactants=[gc],
        ),
        flow(
            f"gc_to_memory_{p}",
            f"gc_memory_rate * {gc}",
            "Memory B output.",
            reactants=[gc],
            products=[bmem],
        ),
        flow(
            f"gc_to_plasmablast_{p}",
            f"gc_plasmablast_rate * b_cell_differentiation_factor * {gc}",
            "Class-switched IgG plasmablast output.",
            reactants=[gc],
            products=[pbg],
        ),
        flow(
            f"gc_to_llpc_{p}",
            f"gc_llpc_rate * b_cell_differentiation_factor * {gc}",
            "Long-lived plasma-cell output.",
            reactants=[gc],
            products=[llpc],
        ),
        flow(
            f"memory_b_reactivation_{p}",
            f"memory_b_burst * memory_b_reactivation_rate * b_cell_differentiation_factor * "
            f"{pres} * {bmem}",
            "Memory B cells burst into IgG plasmablasts (the memory pool persists).",
            products=[pbg],
        ),
        flow(
            f"death_{bmem}",
            f"(specific_memory_b_death_rate + cd20_depletion_rate) * {bmem}",
            "Slow loss of memory B (and anti-CD20 depletion).",
            reactants=[bmem],
        ),
        flow(
            f"death_{pbm}",
            f"(log(2)/plasmablast_half_life * plasmablast_death_factor + "
            f"plasmablast_depletion_rate) * {pbm}",
            "Plasmablast death (BAFF-dependent).",
            reactants=[pbm],
        ),
        flow(
            f"death_{pbg}",
            f"(log(2)/plasmablast_half_life * plasmablast_death_factor + "
            f"plasmablast_depletion_rate) * {pbg}",
            "Plasmablast death (BAFF-dependent).",
            reactants=[pbg],
        ),
        flow(
            f"death_{llpc}",
            f"log(2)/llpc_half_life * {llpc}",
            "Long-lived plasma-cell death.",
            reactants=[llpc],
        ),
        flow(
            f"secretion_{igm}",
            f"igm_secretion_per_cell * {pbm}",
            "Specific IgM secretion.",
            products=[igm],
        ),
        flow(
            f"catabolism_{igm}", f"log(2)/igm_half_life * {igm}", "IgM catabolism.", reactants=[igm]
        ),
        flow(
            f"secretion_{igg}",
            f"igg_secretion_per_cell * ({pbg} + {llpc})",
            "Specific IgG secretion.",
            products=[igg],
        ),
        flow(
            f"catabolism_{igg}",
            f"igg_elimination_rate * {igg}",
            "IgG catabolism (FcRn).",
            reactants=[igg],
        ),
    ]
    if cd8:
        eff8, mem8 = f"cd8_effector_{p}", f"cd8_memory_{p}"
        parameters.append(
            par(
                f"{p}_cd8_precursor_frequency",
                2e-5,
                "dimensionless",
                "textbook: ~1e-5 to 1e-4 naive CD8 T cells per pathogen",
                f"Share of naive CD8 T cells specific for the {p} pathogen.",
                cv=0.3,
            )
        )
        species += [
            cells(eff8, "lymphoid", 0.0, f"{p.capitalize()}-specific cytotoxic CD8 T cells."),
            cells(mem8, "lymphoid", 0.0, f"{p.capitalize()}-specific memory CD8 T cells."),
        ]
        reactions += [
            flow(
                f"priming_{eff8}",
                f"t_priming_rate * {p}_cd8_precursor_frequency * cd8_naive * {pres} * "
                "dc_costimulation",
                "Priming of naive CD8 precursors.",
                products=[eff8],
            ),
            flow(
                f"expansion_{eff8}",
                expansion.format(x=eff8) + f" * {eff8}",
                "Clonal expansion of CTL.",
                products=[eff8],
            ),
            flow(
                f"reactivation_{mem8}",
                f"memory_reactivation_rate * {pres} * {mem8}",
                "Memory CD8 re-enter the effector pool.",
                reactants=[mem8],
                products=[eff8],
            ),
            flow(
                f"death_{eff8}",
                f"(effector_death_rate + fas_aicd_strength * effector_aicd_rate * {pres}) * {eff8}",
                "Contraction.",
                reactants=[eff8],
            ),
            flow(
                f"memory_{eff8}",
                f"memory_formation_rate * {eff8}",
                "Memory formation.",
                reactants=[eff8],
                products=[mem8],
            ),
            flow(
                f"death_{mem8}",
                f"specific_memory_t_death_rate * {mem8}",
                "Loss of memory.",
                reactants=[mem8],
            ),
        ]
    return Module(
        name=f"{p}_response",
        description=f"Adaptive response specific for the {p} pathogen.",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )
