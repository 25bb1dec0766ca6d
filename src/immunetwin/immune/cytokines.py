"""Cytokines: TNF, IL-6, IL-1beta, IL-2, IL-10, IL-17, IFN-gamma, type I IFN, BAFF, TGF-beta.

Plasma half-lives are minutes to hours while the cells that make them change over
days, so each cytokine is an assignment rule at quasi-steady state:
``level = production / (ln2/half_life + receptor-mediated consumption)``. Any of them
can be declared as a dynamic species instead (``build_immune_model(dynamic_cytokines=...)``);
``tests/immune/test_qss.py`` shows that this changes CRP and cell trajectories by < 1%.

Levels are plasma (serum) concentrations. Production terms add the spill-over from
cells in blood, lymphoid tissue, the periphery and the organs; volumes convert local
cell densities into blood-equivalent densities.
"""

from __future__ import annotations

from collections.abc import Iterable

from immunetwin import Module, Parameter
from immunetwin.immune._common import Cytokine, hill, knob, par, rule

_BLOOD_EQ_PERIPHERY = "periphery/blood"
_BLOOD_EQ_LYMPHOID = "lymphoid/blood"


def cytokine_declarations() -> list[Cytokine]:
    """The ten cytokines, with production and elimination expressions."""
    p, lym = _BLOOD_EQ_PERIPHERY, _BLOOD_EQ_LYMPHOID
    il10_brake = "1 / (1 + il10/il10_myeloid_ic50)"
    return [
        Cytokine(
            "ifn_type1",
            "pg/mL",
            "pdc_blood * tlr7_9_signalling * (ifn_pdc_basal + ifn_pdc_virus_max * "
            + hill("virus", "ifn_virus_k")
            + " + ifn_pdc_ic_max * "
            + hill("immune_complexes", "ifn_ic_k", "2")
            + f") + ifn_per_virus * virus * {p}",
            "ifn_half_life",
            None,
            "Type I interferon (IFN-alpha/beta): pDC sense viral RNA and nucleic-acid immune "
            "complexes through TLR7/9; infected cells add IFN-beta.",
        ),
        Cytokine(
            "il10",
            "pg/mL",
            f"treg_il10_secretion * foxp3_function * il10_per_treg * (treg + treg_self) * {lym} + "
            f"il10_per_m2 * macrophages_m2 * {p} + il10_per_m1 * macrophages_m1 * {p} + "
            "il10_per_infiltrate * organ_infiltrate",
            "il10_half_life",
            None,
            "IL-10 from Tregs, resolving and inflammatory macrophages.",
        ),
        Cytokine(
            "tgfb",
            "ng/mL",
            f"tgfb_per_platelet * platelets + tgfb_per_treg * foxp3_function * (treg + treg_self) "
            f"* {lym} + tgfb_per_m2 * macrophages_m2 * {p}",
            "tgfb_half_life",
            None,
            "Active plasma TGF-beta1 from platelets, Tregs and resolving macrophages.",
        ),
        Cytokine(
            "tnf",
            "pg/mL",
            "cytokine_production_factor * "
            f"(tnf_constitutive + tnf_per_m1 * macrophages_m1 * {p} + tnf_per_neutrophil * "
            f"neutrophils_tissue * {p} + tnf_per_t_effector * (th1_cells + ctl_cells) * {lym} + "
            "tnf_per_nk * nk_blood * nk_activation + tnf_per_infiltrate * organ_infiltrate) * "
            + il10_brake,
            "tnf_half_life",
            None,
            "TNF-alpha from M1 macrophages, neutrophils, Th1/CTL, NK and organ infiltrates; "
            "IL-10 restrains myeloid production.",
        ),
        Cytokine(
            "il1b",
            "pg/mL",
            "cytokine_production_factor * "
            f"(il1b_constitutive + il1b_per_m1 * macrophages_m1 * {p} + il1b_per_neutrophil * "
            f"neutrophils_tissue * {p} + il1b_per_infiltrate * organ_infiltrate) * " + il10_brake,
            "il1b_half_life",
            None,
            "IL-1beta (inflammasome) from M1 macrophages, neutrophils and organ infiltrates.",
        ),
        Cytokine(
            "il6",
            "pg/mL",
            "cytokine_production_factor * "
            "(il6_constitutive + cell_therapy_il6_release_rate + "
            f"(il6_per_m1 * macrophages_m1 * {p} + il6_per_neutrophil * neutrophils_tissue * {p} + "
            "il6_per_infiltrate * organ_infiltrate * "
            "(1 - infiltrate_il6_tnf_share * (1 - tnf_free_fraction))) * "
            "(1 + il1b/il1b_il6_ec50 + tnf/tnf_il6_ec50 + il17/il17_il6_ec50))",
            "il6_half_life",
            None,
            "IL-6 from macrophages, neutrophils and stromal cells amplified by IL-1beta, TNF and "
            "IL-17; drives hepatic CRP.",
        ),
        Cytokine(
            "il2",
            "pg/mL",
            f"cytokine_production_factor * (il2_per_memory_cd4 * cd4_memory * {lym} + "
            f"il2_per_t_effector * (th1_cells + th17_cells) * {lym})",
            "il2_half_life",
            f"(treg_il2_consumption * il2_uptake_per_treg * (treg + treg_self) + "
            f"il2_uptake_per_effector * (th1_cells + th17_cells + ctl_cells)) * {lym}",
            "IL-2 from activated CD4 T cells; consumed by CD25-high Tregs (a suppression "
            "mechanism) and by effectors.",
        ),
        Cytokine(
            "ifng",
            "pg/mL",
            f"cytokine_production_factor * (ifng_constitutive + ifng_per_t_effector * "
            f"(th1_cells + ctl_cells) * {lym} + ifng_per_nk * nk_blood * nk_activation)",
            "ifng_half_life",
            None,
            "IFN-gamma from Th1, CTL and activated NK cells.",
        ),
        Cytokine(
            "il17",
            "pg/mL",
            f"il17_constitutive + il17_per_th17 * th17_cells * {lym}",
            "il17_half_life",
            None,
            "IL-17A from Th17 cells (and innate lymphocytes, constitutive part).",
        ),
        Cytokine(
            "baff",
            "ng/mL",
            "baff_production_factor * (baff_constitutive + baff_per_myeloid * (monocytes_blood + "
            f"macrophages_m1 * {p}) * (1 + ifn_signal/ifn_baff_ec50 + ifng/ifng_baff_ec50))",
            "baff_half_life",
            f"baff_uptake_per_b_cell * b_cells_total * {lym}",
            "BAFF/BLyS from stromal and myeloid cells (induced by IFNs); consumed by B cells "
            "through BAFF-R (rises when B cells are depleted).",
        ),
    ]


def cytokine_parameters() -> list[Parameter]:
    """Half-lives and per-cell secretion rates (spill-over into plasma)."""
    cal = "calibrated: "
    pg = "(pg/mL/day)/(cells/uL)"
    ng = "(ng/mL/day)/(cells/uL)"
    return [
        # half-lives
        par(
            "ifn_half_life",
            3 / 24,
            "day",
            "Wills 1990 (IFN-alpha pharmacokinetics): elimination half-life ~2-5 h",
            "Plasma half-life of type I IFN.",
        ),
        par(
            "il10_half_life",
            3 / 24,
            "day",
            "physiology.csv il10_halflife (2.3-3.7 h)",
            "Plasma half-life of IL-10.",
        ),
        par(
            "tgfb_half_life",
            2 / 24,
            "day",
            cal + "active TGF-beta is cleared within minutes, latent complexes in ~1-2 h",
            "Plasma half-life of TGF-beta1.",
        ),
        par(
            "tnf_half_life",
            0.5 / 24,
            "day",
            "physiology.csv tnf_halflife (biphasic 5 min then 49 min)",
            "Plasma half-life of TNF-alpha.",
        ),
        par(
            "il1b_half_life",
            1 / 24,
            "day",
            cal + "IL-1beta plasma half-life of minutes to ~2 h (1 h used)",
            "Plasma half-life of IL-1beta.",
        ),
        par(
            "il6_half_life",
            1 / 24,
            "day",
            cal + "IL-6 plasma half-life of minutes to a few hours (1 h used)",
            "Plasma half-life of IL-6.",
        ),
        par(
            "il2_half_life",
            0.5 / 24,
            "day",
            "physiology.csv il2_halflife (6.9-12.9 min then ~85 min)",
            "Renal/non-receptor half-life of IL-2.",
        ),
        par(
            "ifng_half_life",
            1 / 24,
            "day",
            cal + "IFN-gamma plasma half-life ~0.5-1.5 h (1 h used)",
            "Plasma half-life of IFN-gamma.",
        ),
        par(
            "il17_half_life",
            1 / 24,
            "day",
            cal + "IL-17A plasma half-life of ~1 h assumed (fast cytokine)",
            "Plasma half-life of IL-17A.",
        ),
        par(
            "baff_half_life",
            6 / 24,
            "day",
            cal + "soluble BAFF non-receptor clearance of hours assumed; receptor-mediated "
            "uptake by B cells added separately",
            "Non-receptor half-life of soluble BAFF.",
        ),
        # type I IFN
        par(
            "ifn_pdc_basal",
            1.1e-3,
            pg,
            cal + "plasma IFN-alpha ~2 fg/mL in health (physiology.csv ifna_normal 0-5 fg/mL)",
            "Basal IFN secretion per pDC (plasma spill-over).",
        ),
        par(
            "ifn_pdc_virus_max",
            15.0,
            pg,
            cal + "plasma type I IFN tens of pg/mL at the peak of acute viral infection",
            "Maximal virus-induced IFN secretion per pDC.",
        ),
        par(
            "ifn_virus_k",
            100.0,
            "copies/uL",
            cal + "pDC sense virus from early in infection",
            "Viral load of half-maximal pDC activation.",
        ),
        par(
            "ifn_pdc_ic_max",
            0.35,
            pg,
            cal + "IFN-alpha ~300 fg/mL in SLE (physiology.csv ifna_normal note: SLE median "
            "313 fg/mL)",
            "Maximal immune-complex (TLR7/9) induced IFN secretion per pDC.",
        ),
        par(
            "ifn_ic_k",
            2.0,
            "mg/L",
            cal + "only SLE-like immune-complex burdens stimulate pDC",
            "Immune-complex level of half-maximal pDC activation (Hill 2).",
        ),
        par(
            "ifn_per_virus",
            2e-3,
            "(pg/mL/day)/(copies/uL)",
            cal + "infected-cell IFN-beta adds to pDC IFN",
            "IFN-beta from infected cells.",
        ),
        knob(
            "tlr7_9_signalling",
            "TLR7/9 nucleic-acid sensing in pDC and B cells (hydroxychloroquine lowers it).",
        ),
        # IL-10
        knob("treg_il10_secretion", "IL-10 secretion by Tregs (a Treg suppression mechanism)."),
        par(
            "il10_per_treg",
            2.15e-3,
            pg,
            cal + "plasma IL-10 ~2 pg/mL in health, ~60% from Tregs",
            "IL-10 secretion per Treg.",
        ),
        par(
            "il10_per_m2",
            0.111,
            pg,
            cal + "plasma IL-10 ~2 pg/mL, ~40% from macrophages",
            "IL-10 secretion per M2 macrophage.",
        ),
        par(
            "il10_per_m1",
            1.0,
            pg,
            cal + "IL-10 tens of pg/mL in acute infection",
            "IL-10 secretion per M1 macrophage (negative feedback).",
        ),
        par(
            "il10_per_infiltrate",
            0.5,
            pg,
            cal + "organ infiltrates add IL-10",
            "IL-10 per organ-infiltrating myeloid cell.",
        ),
        par(
            "il10_myeloid_ic50",
            8.0,
            "pg/mL",
            cal + "IL-10 restrains TNF/IL-1beta by ~20% at rest",
            "IL-10 level halving myeloid TNF and IL-1beta secretion.",
        ),
        # TGF-beta
        par(
            "tgfb_per_platelet",
            5e-5,
            ng,
            cal + "active plasma TGF-beta1 ~3 ng/mL, half platelet-derived",
            "TGF-beta release per platelet.",
        ),
        par("tgfb_per_treg", 2e-3, ng, cal + "a quarter of TGF-beta from Tregs", "Per Treg."),
        par(
            "tgfb_per_m2",
            0.156,
            ng,
            cal + "a quarter of TGF-beta from M2 macrophages",
            "Per M2 macrophage.",
        ),
        # TNF
        par(
            "tnf_constitutive",
            50.0,
            "pg/mL/day",
            cal + "plasma TNF ~2 pg/mL in health (normal < ~8 pg/mL)",
            "Constitutive TNF production.",
        ),
        par(
            "tnf_per_m1",
            30.0,
            pg,
            cal + "plasma TNF tens of pg/mL in acute bacterial infection",
            "TNF per M1 macrophage.",
        ),
        par(
            "tnf_per_neutrophil",
            0.05,
            pg,
            cal + "neutrophils add a small share of TNF",
            "TNF per tissue neutrophil.",
        ),
        par(
            "tnf_per_t_effector",
            0.02,
            pg,
            cal + "Th1/CTL-derived TNF in viral infection",
            "TNF per Th1 or CTL.",
        ),
        par("tnf_per_nk", 0.1, pg, cal + "activated NK cells secrete TNF", "TNF per activated NK."),
        par(
            "tnf_per_infiltrate",
            5.0,
            pg,
            cal + "organ-infiltrating myeloid cells raise TNF in RA-like inflammation",
            "TNF per organ-infiltrating myeloid cell.",
        ),
        # IL-1beta
        par(
            "il1b_constitutive",
            1.0,
            "pg/mL/day",
            cal + "plasma IL-1beta ~0.5 pg/mL in health",
            "Constitutive IL-1beta production.",
        ),
        par(
            "il1b_per_m1",
            10.0,
            pg,
            cal + "plasma IL-1beta 5-20 pg/mL in acute infection",
            "IL-1beta per M1 macrophage.",
        ),
        par(
            "il1b_per_neutrophil",
            0.02,
            pg,
            cal + "neutrophil inflammasome IL-1beta",
            "IL-1beta per tissue neutrophil.",
        ),
        par(
            "il1b_per_infiltrate",
            1.0,
            pg,
            cal + "organ infiltrates add IL-1beta",
            "IL-1beta per organ-infiltrating myeloid cell.",
        ),
        # IL-6
        par(
            "il6_constitutive",
            5.0,
            "pg/mL/day",
            cal + "plasma IL-6 ~1.5 pg/mL in health (< 7)",
            "Constitutive IL-6 production.",
        ),
        par(
            "cell_therapy_il6_release_rate",
            0.0,
            "pg/mL/day",
            "definition: drug target hook, 0 without drug (CAR-T expansion raises it: "
            "cytokine release syndrome)",
            "IL-6 released by activated engineered T cells and the macrophages they activate.",
        ),
        par(
            "il6_per_m1",
            12.0,
            pg,
            cal + "plasma IL-6 ~100-400 pg/mL in acute bacterial "
            "infection; CRP 50-300 mg/L (physiology.csv crp_bacterial)",
            "IL-6 per M1 macrophage.",
        ),
        par(
            "il6_per_neutrophil",
            0.02,
            pg,
            cal + "neutrophils add a small share of IL-6",
            "IL-6 per tissue neutrophil.",
        ),
        par(
            "il6_per_infiltrate",
            50.0,
            pg,
            cal + "RA-like synovitis raises CRP to ~10-50 mg/L",
            "IL-6 per organ-infiltrating myeloid cell.",
        ),
        par(
            "infiltrate_il6_tnf_share",
            0.75,
            "dimensionless",
            "calibrated: serum IL-6 falls within 1-3 days and CRP by ~60-80% within 1-2 weeks "
            "of anti-TNF in active RA (Charles et al. J Immunol 1999;163:1521; Elliott et al. "
            "Lancet 1994;344:1105; recalled magnitudes, unconfirmed); synovial IL-6 is largely "
            "TNF-dependent in culture (Brennan et al. Lancet 1989;2:244, TNF cytokine cascade)",
            "Share of organ-infiltrate IL-6 secretion driven by local (tissue) TNF; "
            "neutralising TNF (tnf_free_fraction < 1) removes that share.",
        ),
        par(
            "il1b_il6_ec50",
            5.0,
            "pg/mL",
            cal + "IL-1beta is a strong inducer of stromal IL-6",
            "IL-1beta level doubling IL-6 secretion.",
        ),
        par(
            "tnf_il6_ec50",
            20.0,
            "pg/mL",
            cal + "TNF induces stromal IL-6",
            "TNF level doubling IL-6 secretion.",
        ),
        par(
            "il17_il6_ec50",
            20.0,
            "pg/mL",
            cal + "IL-17 induces stromal IL-6",
            "IL-17 level doubling IL-6 secretion.",
        ),
        # IL-2
        knob(
            "treg_il2_consumption", "IL-2 consumption by CD25-high Tregs (a suppression mechanism)."
        ),
        par(
            "il2_per_memory_cd4",
            1.75e-3,
            pg,
            cal + "plasma IL-2 ~0.5 pg/mL in health (mostly below detection)",
            "Tonic IL-2 secretion per memory CD4 T cell.",
        ),
        par(
            "il2_per_t_effector",
            0.2,
            pg,
            cal + "IL-2 rises a few-fold in acute responses",
            "IL-2 secretion per effector CD4 T cell.",
        ),
        par(
            "il2_uptake_per_treg",
            0.0107,
            "1/(day*cells/uL)",
            cal + "Tregs consume about half of IL-2 at rest (IL-2 doubles without Tregs)",
            "IL-2 uptake per Treg (blood-equivalent density).",
        ),
        par(
            "il2_uptake_per_effector",
            0.002,
            "1/(day*cells/uL)",
            cal + "activated effectors express CD25 and consume IL-2",
            "IL-2 uptake per effector T cell.",
        ),
        # IFN-gamma
        par(
            "ifng_constitutive",
            10.0,
            "pg/mL/day",
            cal + "plasma IFN-gamma ~1 pg/mL in health",
            "Constitutive IFN-gamma production.",
        ),
        par(
            "ifng_per_t_effector",
            0.3,
            pg,
            cal + "IFN-gamma tens of pg/mL in acute viral infection",
            "IFN-gamma per Th1 or CTL.",
        ),
        par(
            "ifng_per_nk",
            0.2,
            pg,
            cal + "NK-derived IFN-gamma early in viral infection",
            "IFN-gamma per activated NK cell.",
        ),
        # IL-17
        par(
            "il17_constitutive",
            7.0,
            "pg/mL/day",
            cal + "plasma IL-17A ~0.5 pg/mL in health",
            "Constitutive IL-17 production (innate lymphocytes).",
        ),
        par(
            "il17_per_th17",
            0.1,
            pg,
            cal + "IL-17 a few pg/mL during Th17 responses",
            "IL-17 per Th17 cell.",
        ),
        # BAFF
        knob(
            "baff_production_factor",
            "BAFF production (>1: BAFF excess, autoreactive B cells survive).",
        ),
        par(
            "baff_constitutive",
            4.5,
            "ng/mL/day",
            cal + "serum BAFF ~1.3 ng/mL (physiology.csv baff_normal 0.8-2.0 ng/mL)",
            "Stromal BAFF production.",
        ),
        par(
            "baff_per_myeloid",
            9.7e-3,
            ng,
            cal + "half of BAFF from myeloid cells",
            "BAFF per monocyte/macrophage.",
        ),
        par(
            "ifn_baff_ec50",
            0.3,
            "pg/mL",
            cal + "BAFF elevated in IFN-high SLE (physiology.csv baff_normal note: SLE median 1.9)",
            "Type I IFN level doubling myeloid BAFF.",
        ),
        par(
            "ifng_baff_ec50",
            20.0,
            "pg/mL",
            cal + "IFN-gamma induces BAFF",
            "IFN-gamma level doubling myeloid BAFF.",
        ),
        par(
            "baff_uptake_per_b_cell",
            3.0e-4,
            "1/(day*cells/uL)",
            cal + "BAFF rises ~2-3-fold after B-cell depletion (rituximab)",
            "BAFF uptake per B cell (blood-equivalent density).",
        ),
    ]


DRUG_HOOK = "definition: drug target hook, 1 without drug (a drug module lowers it)"


def drug_hook_parameters() -> list[Parameter]:
    """Dimensionless targets that drugs act on (1 = no drug)."""
    hooks = [
        par(
            f"{c.name}_free_fraction",
            1.0,
            "dimensionless",
            DRUG_HOOK,
            f"Fraction of secreted {c.name} not neutralised (anti-cytokine antibodies, decoy "
            "receptors).",
        )
        for c in cytokine_declarations()
    ]
    hooks += [
        par(
            "il6_receptor_signalling",
            1.0,
            "dimensionless",
            DRUG_HOOK,
            "IL-6 receptor signalling (IL-6R antibodies, JAK inhibitors lower it).",
        ),
        par(
            "tissue_il6_receptor_signalling",
            1.0,
            "dimensionless",
            DRUG_HOOK,
            "IL-6 receptor signalling of the infiltrate in inflamed tissue (synovium, gut): "
            "a hook of its own because a receptor antibody reaches it at a fraction of its "
            "plasma level and competes there with local IL-6 (JAK inhibitors, small "
            "molecules acting inside the cell, lower it as they lower il6_receptor_signalling).",
        ),
        par(
            "ifnar_signalling",
            1.0,
            "dimensionless",
            DRUG_HOOK,
            "Type I IFN receptor signalling (anti-IFNAR1, JAK inhibitors lower it).",
        ),
        par(
            "cytokine_production_factor",
            1.0,
            "dimensionless",
            DRUG_HOOK,
            "NF-kB/AP-1-driven production of TNF, IL-1beta, IL-6, IL-2 and IFN-gamma "
            "(glucocorticoids, calcineurin inhibitors lower it).",
        ),
    ]
    return hooks


def cytokines_module(dynamic: Iterable[str] = ()) -> Module:
    """All cytokines; names in ``dynamic`` become species instead of QSS rules."""
    dynamic = set(dynamic)
    declared = cytokine_declarations()
    unknown = dynamic - {c.name for c in declared}
    if unknown:
        raise ValueError(
            f"unknown cytokine(s) {sorted(unknown)}: choose from {[c.name for c in declared]}"
        )
    rules, species, reactions = [], [], []
    for c in declared:
        if c.name in dynamic:
            s, r = c.as_dynamic()
            species += s
            reactions += r
        else:
            rules += c.as_rule()
    rules += [
        rule(
            "il6_signal",
            "il6 * il6_receptor_signalling",
            "pg/mL",
            "IL-6 acting on its receptor (what hepatocytes, marrow and T cells sense).",
        ),
        rule("ifn_signal", "ifn_type1 * ifnar_signalling", "pg/mL", "Type I IFN acting on IFNAR."),
    ]
    return Module(
        name="cytokines",
        description="Ten cytokines at quasi-steady state (or dynamic on request).",
        species=tuple(species),
        parameters=tuple(cytokine_parameters() + drug_hook_parameters()),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )
