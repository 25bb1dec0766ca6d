"""Target tissues: one generic module, instantiated per organ by :func:`tissue_module`.

Each organ has four states:

- ``{organ}_parenchyma``: functional tissue as a fraction of normal (organ-function readout
  ``{organ}_function`` in %), lost by damage and restored by regeneration;
- ``{organ}_inflammation``: local activated myeloid infiltrate (cells/uL of organ) with
  cytokine self-amplification (bistable over a range of ``{organ}_inflammatory_drive``, as
  in Baker et al. 2013). An organ of several sites (the synovium: 7 joint groups) has one
  infiltrate state per site, ``{organ}_site{j}_inflammation``, each with its own gain,
  and ``{organ}_inflammation`` is their mean: the sites switch one by one, so the
  organ's response to a drug is graded;
- ``{organ}_effector_t``: organ-specific self-reactive effector T cells (Th1/Th17/CD8 mix),
  body pool in lymphoid tissue, primed by organ antigen released from turnover and damage;
- ``{organ}_ic_deposits``: immune complexes deposited from blood, which fix complement and
  recruit inflammatory cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

from immunetwin import Compartment, Module, Parameter, Reaction, Rule
from immunetwin._errors import ModelError
from immunetwin.immune._common import flow, par, rule, state


@dataclass(frozen=True)
class OrganSpec:
    """Organ-specific numbers for the generic tissue module.

    Attributes:
        name: Organ identifier.
        volume_litres: Tissue volume (L).
        volume_source: Where the volume comes from.
        description: What the compartment is.
        regeneration: Regeneration rate of lost parenchyma (1/day).
        aire_dependence: Share of the organ's T-cell antigens whose thymic expression needs
            AIRE (0-1).
        precursor_frequency: Organ-reactive share of naive CD4 T cells with normal AIRE.
        deposition: Fraction of circulating immune complexes depositing per day (1/day).
        pdl1: Relative PD-L1 expression (protection by PD-1).
        t_damage: Parenchymal loss per organ-specific effector (1/(day*cells/uL)).
        infiltrate_sensitivity: Parenchymal loss by a myeloid infiltrate relative to the
            shared ``infiltrate_damage`` (1 for most organs).
        sensitivity_source: Where ``infiltrate_sensitivity`` comes from.
        scarring: Share of lost parenchyma replaced by scar, which never regenerates
            (0: all loss is recoverable; above 0 the organ gets a ``{organ}_scar`` state).
        scarring_source: Where ``scarring`` comes from.
        degeneration: Whether the organ has a ``{organ}_degeneration_rate`` (1/day, 0 in
            health): loss of parenchyma not carried by the modelled immune cells, for a
            disease to set (MS: neurodegeneration behind a closed blood-brain barrier, which
            no drug acting on lymphocyte entry reaches). Its flux is kept out of
            ``{organ}_damage_rate``, so it releases no antigen and a readout can tell it
            from immune injury; the tissue it takes goes to ``{organ}_scar`` and never
            regenerates (axons and neurons do not).
        sites: Independent inflammatory sites of the organ (joints, say). Above 1 the
            infiltrate is one state per site, ``{organ}_site{j}_inflammation``, each with
            its own self-amplification gain, and ``{organ}_inflammation`` is their mean:
            sites cross their bistable thresholds one by one, so the organ's response to a
            drug is graded instead of all-or-none.
        site_spread: SD of the log self-amplification gain across sites (the gains sit at
            the normal quantiles (j - 0.5)/sites, so their median is the organ's drive).
        site_source: Where ``site_spread`` comes from.
        aire_source: Where ``aire_dependence`` comes from, when the organ's value was
            calibrated on its own (else the shared judgment).
    """

    name: str
    volume_litres: float
    volume_source: str
    description: str
    regeneration: float
    aire_dependence: float
    precursor_frequency: float
    deposition: float
    pdl1: float
    t_damage: float
    infiltrate_sensitivity: float = 1.0
    sensitivity_source: str = (
        "calibrated: the shared infiltrate damage (florid inflammation destroys tissue "
        "over weeks to months)"
    )
    scarring: float = 0.0
    scarring_source: str = ""
    degeneration: bool = False
    sites: int = 1
    site_spread: float = 0.0
    site_source: str = ""
    aire_source: str = ""


# Organ-reactive precursor frequencies of the optional organs, calibrated to their
# incidence on PD-1 blockade (1,200 virtual patients of diseases/irae.py, a year each,
# seeds 51, 7 and 3; the other organs' 2e-6 gave 3.8% destroyed livers and 3.8%
# pneumonitis):
# - liver, together with irae.ALT_RELEASE_SHARE: ALT increased on anti-PD-1 in 6.0% any
#   grade (95% CI 5.0-7.2) and 1.5% grade >= 3 (meta-analysis of 117 checkpoint-inhibitor
#   trials, Front Oncol 2021;11:650292); simulated 6.1% and 1.8%;
# - lung, together with irae.LUNG_INJURY_HALF: pneumonitis on PD-1 inhibitors 2.7% any
#   grade, 0.8% grade 3-4 (Nishino et al. JAMA Oncol 2016;2:1607: 20 trials, 4,496
#   patients); simulated 2.75% and 0.83% (grade 1 or grade 4: the few whose loop takes
#   off lose the lung). Read from the infiltrate alone, 1.4e-6 gave 2.3%, all grade 4.
# Since the checkpoint-inhibitor population draws each organ's repertoire avidity
# and adds organ exhaustion (diseases/irae.py), the avidity medians carry these
# incidences (ALT 6.4%, pneumonitis 3.0% on 1,200 patients); the precursor frequencies
# were kept.
# The reference organ-reactive repertoire's avidity as a share of the thymic deletion
# threshold (clones above 1 are deleted): organ expansion scales with a person's avidity
# over this value, so a repertoire at the threshold expands 1/0.87 = 1.15-fold more.
REPERTOIRE_AVIDITY_REFERENCE = 0.87
PRECURSOR_FREQUENCY_LIVER = 1e-6
PRECURSOR_FREQUENCY_LUNG = 0.55e-6

ORGAN_SPECS: dict[str, OrganSpec] = {
    s.name: s
    for s in (
        OrganSpec(
            "synovium",
            0.05,
            "textbook: synovial lining and fluid of large joints, lumped",
            "Joint synovium.",
            0.02,
            0.1,
            2e-6,
            0.01,
            1.0,
            2e-2,
            sites=7,
            site_spread=0.4,
            site_source=(
                "chosen, not fitted: joints of one patient are unequally active; the 7 sites "
                "stand for the 28 DAS28 joints in groups of 4. Gains x0.65-1.5 across the "
                "sites keep every site of a median patient (drive 4) inflamed untreated, and "
                "let methotrexate and biologics resolve some sites and not others: trials "
                "see graded ACR20/50/70 (ARMADA, OPTION), where one bistable synovium gave "
                "all-or-none remission. The first value tried, not tuned"
            ),
        ),
        OrganSpec(
            "kidney",
            0.3,
            "ICRP 89: kidneys ~310 g",
            "Kidney (glomeruli and tubules).",
            0.01,
            0.1,
            1.5e-6,
            0.05,
            1.0,
            2e-2,
            infiltrate_sensitivity=0.1,
            sensitivity_source=(
                "calibrated: eGFR < 60 in 37% of patients at lupus-nephritis biopsy "
                "(diseases.csv ln_esrd_10y, Lupus 2020 PMID 32571142); simulated 40% of 135 "
                "untreated candidates with proteinuria >= 0.5 g/day. At the shared rate a "
                "flare halved eGFR within weeks and the median patient sat at eGFR ~30"
            ),
            scarring=0.1,
            scarring_source=(
                "calibrated: end-stage kidney disease within 10 years in 6-19% of lupus "
                "nephritis (diseases.csv ln_esrd_10y); simulated 14% of 135 untreated "
                "candidates. Necrotising and crescentic glomerular lesions heal by sclerosis, "
                "and the chronicity index predicts kidney failure (Austin et al. Kidney Int "
                "1984;25:689). Without scar the kidney regenerated fully and no one reached ESRD"
            ),
        ),
        OrganSpec(
            "cns",
            1.4,
            "ICRP 89: brain ~1.45 kg",
            "Central nervous system.",
            0.002,
            0.1,
            1e-6,
            0.001,
            1.0,
            5e-3,
            degeneration=True,
        ),
        OrganSpec(
            "islets",
            0.0015,
            "physiology.csv beta_cell_mass (0.6-2.1 g)",
            "Pancreatic islets (beta cells).",
            0.003,
            0.45,
            2e-6,
            0.001,
            0.8,
            2e-2,
            aire_source=(
                "calibrated: type 1 diabetes in ~10-20% of APS-1 patients, far fewer than "
                "hypoparathyroidism (86%) or Addison's (77%) (Garelli et al. J Endocrinol "
                "Invest 2021;44:2493, 158 patients); simulated 15% of 48 (seed 43). At 0.9 "
                "(the first judgment) 75-79% of virtual APS-1 patients became diabetic"
            ),
        ),
        OrganSpec(
            "gut",
            1.0,
            "textbook: intestinal mucosa ~1 kg",
            "Intestinal mucosa.",
            0.25,
            0.6,
            4e-6,
            0.002,
            1.0,
            2e-2,
            aire_source=(
                "calibrated: autoimmune intestinal dysfunction in 29.7% of 158 APS-1 patients "
                "(Garelli et al. J Endocrinol Invest 2021;44:2493); simulated 29% of 48 "
                "(seed 43); 17% at 0.5"
            ),
        ),
        OrganSpec(
            "thyroid", 0.02, "ICRP 89: thyroid ~20 g", "Thyroid.", 0.01, 0.8, 2e-6, 0.005, 1.0, 2e-2
        ),
        OrganSpec(
            "skin",
            3.0,
            "ICRP 89: skin ~3.3 kg",
            "Skin (epidermis and dermis).",
            0.04,
            0.6,
            3e-6,
            0.01,
            1.0,
            2e-2,
        ),
        OrganSpec(
            "liver",
            1.6,
            "ICRP 89: liver ~1.8 kg (men), ~1.4 kg (women)",
            "Liver (hepatocytes).",
            0.05,
            0.3,
            PRECURSOR_FREQUENCY_LIVER,
            0.001,
            1.0,
            2e-2,
            aire_source=(
                "literature judgment, not fitted: autoimmune hepatitis in ~10-20% of APS-1 "
                "patients, fewer than the endocrine targets (Garelli et al. J Endocrinol "
                "Invest 2021;44:2493); no disease that lowers AIRE adds the liver"
            ),
        ),
        OrganSpec(
            "lung",
            1.0,
            "ICRP 89: lungs ~1.2 kg (men), ~0.95 kg (women), with their blood",
            "Lung (alveolar epithelium and interstitium).",
            0.02,
            0.1,
            PRECURSOR_FREQUENCY_LUNG,
            0.001,
            1.0,
            2e-2,
        ),
    )
}
# The organs of the default model. Liver and lung are optional: a disease adds them
# (``Disease.extra_organs``) when it reads them (checkpoint-inhibitor hepatitis and
# pneumonitis), so no other disease pays for their states or sees its calibration move.
OPTIONAL_ORGANS: tuple[str, ...] = ("liver", "lung")
ORGANS: tuple[str, ...] = tuple(o for o in ORGAN_SPECS if o not in OPTIONAL_ORGANS)


def tissue_shared_module() -> Module:
    """Parameters shared by every organ instance."""
    parameters = [
        par(
            "inflammation_half_life",
            1.0,
            "day",
            "textbook: inflammatory myeloid cells turn over in ~1-2 days",
            "Half-life of the organ myeloid infiltrate.",
        ),
        par(
            "inflammation_k",
            100.0,
            "cells/uL",
            "calibrated: scale of a florid myeloid infiltrate",
            "Infiltrate density of half-maximal cytokine self-amplification.",
        ),
        par(
            "inflammation_basal",
            5.0,
            "cells/uL",
            "calibrated: resident inflammatory cells in healthy tissue",
            "Infiltrate density maintained without self-amplification.",
        ),
        par(
            "systemic_cytokine_k",
            50.0,
            "pg/mL",
            "calibrated: systemic TNF/IL-1beta raise recruitment into every organ",
            "TNF+IL-1beta level doubling basal recruitment.",
        ),
        par(
            "t_cell_infiltrate_gain",
            0.05,
            "dimensionless",
            "calibrated: organ-specific effector T cells recruit myeloid cells (IFN-gamma, "
            "IL-17, GM-CSF)",
            "Myeloid infiltrate recruited per organ-specific effector T cell.",
        ),
        par(
            "ic_infiltrate_gain",
            0.02,
            "dimensionless",
            "calibrated: deposited complexes recruit neutrophils and macrophages through C5a "
            "(lupus nephritis)",
            "Myeloid infiltrate recruited per mg/L of deposited complexes (with C1q).",
        ),
        par(
            "infiltrate_damage",
            0.05,
            "1/day",
            "calibrated: florid inflammation destroys tissue over weeks to months",
            "Parenchymal loss rate at a florid infiltrate.",
        ),
        par(
            "infiltrate_damage_hill",
            4.0,
            "dimensionless",
            "calibrated: resident and mildly raised infiltrates cause no measurable damage",
            "Steepness of damage with infiltrate density.",
        ),
        par(
            "deposit_half_life",
            7.0,
            "day",
            "calibrated: deposits are cleared over days to weeks",
            "Half-life of deposited immune complexes.",
        ),
        par(
            "organ_presentation_k",
            1.5,
            "dimensionless",
            "calibrated: basal organ antigen gives ~40% of maximal presentation",
            "Organ-antigen signal of half-maximal presentation.",
        ),
        par(
            "organ_antigen_reference",
            0.005,
            "1/day",
            "calibrated: losing 0.5%/day of an organ doubles the antigen reaching its lymph nodes",
            "Parenchymal loss rate that releases as much antigen as basal turnover.",
        ),
        par(
            "aire_treg_share",
            0.6,
            "dimensionless",
            "calibrated: AIRE also drives thymic generation of organ-specific Tregs (Malchow "
            "et al. Science 2013); APS-1-like loss leaves AIRE-dependent organs less protected",
            "Share of organ-specific Treg suppression that depends on AIRE (for fully "
            "AIRE-dependent antigens).",
        ),
        par(
            "local_costimulation_gain",
            2.0,
            "dimensionless",
            "calibrated: local inflammation matures organ DC",
            "Extra mature DC per unit of relative local infiltrate.",
        ),
        par(
            "repertoire_avidity_reference",
            REPERTOIRE_AVIDITY_REFERENCE,
            "dimensionless",
            "calibrated: the organ modules' expansion parameters describe this repertoire; "
            "one in 1/0.87 = 1.15 above it (the deletion threshold) is the most an escaped "
            "repertoire can gain: no untreated organ loop of the checkpoint-inhibitor "
            "population tips within a year (diseases/irae.py)",
            "Avidity of the reference organ-reactive repertoire (share of the thymic "
            "deletion threshold).",
        ),
        par(
            "organ_t_death_rate",
            0.2,
            "1/day",
            "calibrated: tissue-infiltrating effectors persist longer than circulating ones; "
            "IPEX-like Treg loss makes the healthy state unstable, PD-1 blockade only in a "
            "susceptible fraction",
            "Death rate of organ-specific effectors.",
        ),
    ]
    parameters += [
        par(
            "amplification_tnf_share",
            0.5,
            "dimensionless",
            "literature judgment, not fitted: TNF sits at the apex of the synovial cytokine "
            "cascade; neutralising it cut IL-1, IL-6 and GM-CSF production of RA synovial "
            "cells (Brennan et al. Lancet 1989;2:244; Feldmann & Maini Annu Rev Immunol "
            "2001;19:163); half of the self-amplification is given to TNF",
            "Share of local inflammatory self-amplification that needs free TNF.",
        ),
        par(
            "amplification_il6_share",
            0.5,
            "dimensionless",
            "literature judgment, not fitted: IL-6 trans-signalling sustains synovial "
            "leukocyte recruitment (Hurst et al. Immunity 2001;14:705); IL-6R blockade is at "
            "least as effective as anti-TNF in RA (ADACTA, Gabay et al. Lancet 2013;381:1541: "
            "DAS28 change -3.3 vs -1.8 as monotherapy), so the same share as TNF. Was 0.3 "
            "until 2026-11-30, when OPTION's tocilizumab arms fell far short with it",
            "Share of local inflammatory self-amplification that needs IL-6 receptor signalling.",
        ),
        par(
            "amplification_il1_share",
            0.1,
            "dimensionless",
            "literature judgment, not fitted: IL-1 blockade (anakinra) is weakly effective in "
            "RA (Mertens & Singh J Rheumatol 2009: ACR20 difference ~10%)",
            "Share of local inflammatory self-amplification that needs free IL-1beta.",
        ),
    ]
    parameters.append(
        par(
            "myeloid_activation_factor",
            1.0,
            "dimensionless",
            "definition: drug target hook, 1 without drug (a drug module lowers it)",
            "Activation of the myeloid cells that amplify local inflammation: scales "
            "self-amplification as a whole (methotrexate's adenosine lowers it).",
        )
    )
    rules = (
        rule(
            "local_amplification",
            "myeloid_activation_factor * "
            "(1 - amplification_tnf_share * (1 - tnf_free_fraction)) * "
            "(1 - amplification_il6_share * (1 - tissue_il6_receptor_signalling)) * "
            "(1 - amplification_il1_share * (1 - il1b_free_fraction))",
            "dimensionless",
            "Cytokine dependence of local self-amplification: 1 without drugs; "
            "anti-TNF, IL-6R and IL-1 blockade each remove their share of what is left "
            "(parallel pathways acting together, so combined blockade never goes below 0), "
            "and damped myeloid activation scales the whole.",
        ),
    )
    return Module(
        name="tissue_shared",
        description="Parameters shared by organ modules.",
        parameters=tuple(parameters),
        rules=rules,
    )


def organ_exhaustion_module() -> Module:
    """Parameters of organ-reactive effector exhaustion (optional, with ``exhaustion``).

    Chronic stimulation by organ antigen drives the organ-reactive effectors into
    exhaustion, which caps their expansion: an attacked organ's response is then graded
    and self-limited instead of growing until the organ is lost. A model carries it
    only when a disease opts in (``Disease.organ_exhaustion``), so the diseases
    calibrated without it keep their models unchanged.
    """
    parameters = [
        par(
            "organ_exhaustion_rate",
            0.0,
            "1/day",
            "disease hook: the disease that adds the module sets it (chronic organ "
            "antigen drives effectors into exhaustion over weeks, Wherry & Kurachi Nat "
            "Rev Immunol 2015; an exhaustion signature predicts milder autoimmune "
            "disease, McKinney et al. Nature 2015)",
            "Exhaustion of organ-reactive effectors per day at full presentation and "
            "saturating effector density.",
        ),
        par(
            "organ_exhaustion_k",
            10.0,
            "cells/uL",
            "calibrated with organ_exhaustion_rate (diseases/irae.py)",
            "Organ-reactive effector density giving half-maximal exhaustion.",
        ),
        par(
            "organ_exhaustion_half_life",
            60.0,
            "day",
            "assumption: exhaustion is epigenetically stable and outlasts its antigen by "
            "weeks to months (Pauken et al. Science 2016)",
            "Half-life of organ-reactive effector exhaustion once stimulation stops.",
        ),
    ]
    return Module(
        name="organ_exhaustion",
        description="Exhaustion of organ-reactive effector T cells under chronic organ antigen.",
        parameters=tuple(parameters),
    )


def _sites(spec: OrganSpec) -> tuple[list[str], list[str], list[Parameter], list[Rule]]:
    """Infiltrate states, their self-amplification gains, and the declarations joining them.

    One site: the state ``{organ}_inflammation`` with the organ's drive. Several: one
    state per site with gain ``drive * exp(spread * q_j)`` at the normal quantiles
    ``q_j`` of ``(j - 0.5)/sites``, and ``{organ}_inflammation`` the mean of the sites
    (a rule, so every reader of the organ's infiltrate sees the organ as a whole). The
    parameters are the spread's (none for one site).
    """
    o = spec.name
    drive = f"{o}_inflammatory_drive"
    if spec.sites < 1:
        raise ModelError(f"organ {o}: sites must be at least 1, got {spec.sites}")
    if spec.sites == 1:
        return [f"{o}_inflammation"], [drive], [], []
    spread = par(
        f"{o}_site_drive_spread",
        spec.site_spread,
        "dimensionless",
        spec.site_source,
        f"SD of the log self-amplification gain across the {spec.sites} {o} sites.",
    )
    states = [f"{o}_site{j + 1}_inflammation" for j in range(spec.sites)]
    quantiles = [NormalDist().inv_cdf((j + 0.5) / spec.sites) for j in range(spec.sites)]
    drives = [f"{o}_site{j + 1}_drive" for j in range(spec.sites)]
    rules = [
        rule(
            f"{o}_inflammation",
            f"({' + '.join(states)}) / {spec.sites}",
            "cells/uL",
            f"Activated myeloid infiltrate of the {o}: mean of its {spec.sites} sites.",
        ),
        *(
            rule(
                name,
                f"{drive} * exp({o}_site_drive_spread * {q:.6f})",
                "dimensionless",
                f"Self-amplification gain of {o} site {j + 1} (normal quantile {q:+.3f}).",
            )
            for j, (name, q) in enumerate(zip(drives, quantiles, strict=True))
        ),
    ]
    return states, drives, [spread], rules


def _exhaustion_flows(o: str, eff: str) -> list[Reaction]:
    return [
        flow(
            f"{o}_exhaustion_induction",
            f"organ_exhaustion_rate * {o}_exhaustion_factor * {o}_presentation * {eff} / "
            f"({eff} + organ_exhaustion_k)"
            f" * (1 - {o}_exhaustion)",
            "Chronic stimulation by organ antigen exhausts the organ-reactive effectors "
            "(a PD-1-independent programme: blockade does not undo it).",
            products=[f"{o}_exhaustion"],
        ),
        flow(
            f"{o}_exhaustion_recovery",
            f"log(2)/organ_exhaustion_half_life * {o}_exhaustion",
            "Slow loss of exhaustion as exhausted cells are replaced.",
            reactants=[f"{o}_exhaustion"],
        ),
    ]


def tissue_module(organ: str | OrganSpec, exhaustion: bool = False) -> Module:
    """The generic target-tissue module instantiated for one organ.

    Args:
        organ: An organ name from :data:`ORGANS` or a custom :class:`OrganSpec`.
        exhaustion: Give the organ-reactive effectors an exhaustion state that caps
            their expansion (needs :func:`organ_exhaustion_module` in the model).
    """
    spec = ORGAN_SPECS[organ] if isinstance(organ, str) else organ
    o = spec.name
    par_, infl, eff, dep = (
        f"{o}_parenchyma",
        f"{o}_inflammation",
        f"{o}_effector_t",
        f"{o}_ic_deposits",
    )
    cal = "calibrated: "
    scars = spec.scarring > 0  # immune damage heals partly by scar
    # Lost tissue that never regenerates: scar, and tissue lost by degeneration.
    scar = f"{o}_scar" if scars or spec.degeneration else ""
    parameters = [
        par(
            f"lymphocyte_{o}_entry",
            1.0,
            "dimensionless",
            "drug hook: 1 without drug; integrin blockade lowers it (natalizumab: alpha4 "
            "integrin/VCAM-1, entry into the CNS; Tysabri label)",
            f"Share of circulating {o}-reactive effectors able to enter the {o}.",
        ),
        par(
            f"{o}_regeneration_rate",
            spec.regeneration,
            "1/day",
            cal + "regenerative capacity of the tissue (gut epithelium days, beta cells years)",
            f"Regeneration of lost {o} parenchyma.",
        ),
        par(
            f"{o}_aire_dependence",
            spec.aire_dependence,
            "dimensionless",
            spec.aire_source
            or cal
            + "AIRE dependence of the organ's tissue-restricted antigens (APS-1 targets "
            "endocrine organs, skin, gut)",
            f"Share of {o} antigens whose thymic expression needs AIRE.",
        ),
        par(
            f"{o}_precursor_frequency",
            spec.precursor_frequency,
            "dimensionless",
            cal + "organ-reactive naive T cells escaping normal central tolerance",
            f"{o.capitalize()}-reactive share of naive CD4 T cells.",
            cv=0.8,
        ),
        par(
            f"{o}_ic_deposition_rate",
            spec.deposition,
            "1/day",
            cal + "glomeruli, skin and synovium trap circulating complexes (lupus nephritis, "
            "rash, arthritis)",
            f"Fraction of circulating immune complexes depositing in the {o} per day.",
        ),
        par(
            f"{o}_repertoire_avidity",
            REPERTOIRE_AVIDITY_REFERENCE,
            "dimensionless",
            "disease hook: the reference repertoire; a population with a spread of "
            "susceptibility draws it below the thymic deletion threshold (1: clones above it "
            "are deleted, Kappler et al. Cell 1987; Palmer Nat Rev Immunol 2003)",
            f"Avidity of the person's {o}-reactive T-cell repertoire (share of the thymic "
            "deletion threshold); expansion scales with it.",
        ),
        par(
            f"{o}_pdl1_expression",
            spec.pdl1,
            "dimensionless",
            cal + "tissue PD-L1 (immune-related adverse events under PD-1 blockade)",
            f"PD-L1 expression of the {o}.",
            cv=0.4,
        ),
        par(
            f"{o}_t_cell_damage",
            spec.t_damage,
            "1/(day*cells/uL)",
            cal + "organ destruction by effector T cells over months (T1D-like)",
            f"{o.capitalize()} loss per organ-specific effector T cell.",
        ),
        par(
            f"{o}_infiltrate_sensitivity",
            spec.infiltrate_sensitivity,
            "dimensionless",
            spec.sensitivity_source,
            f"Loss of {o} parenchyma by a myeloid infiltrate, relative to infiltrate_damage.",
        ),
        par(
            f"{o}_inflammatory_drive",
            1.0,
            "dimensionless",
            cal + "cytokine self-amplification gain (Baker et al. 2013 alpha2); bistable "
            "between ~1.9 and ~5",
            f"Self-amplification of {o} inflammation.",
            cv=0.3,
        ),
    ]
    site_states, site_drives, site_parameters, site_rules = _sites(spec)
    parameters += site_parameters
    # Each site's infiltrate damages its own share of the parenchyma (mean of the sites'
    # damage, not the damage of the mean infiltrate).
    infiltrate_damage = (
        "("
        + " + ".join(
            f"({x}/inflammation_k)**infiltrate_damage_hill / "
            f"(1 + ({x}/inflammation_k)**infiltrate_damage_hill)"
            for x in site_states
        )
        + f") / {len(site_states)}"
    )
    rules = [
        *site_rules,
        rule(
            f"{o}_damage_rate",
            f"{o}_t_cell_damage * lymphocyte_{o}_entry * (1 - effector_t_exhaustion) * {eff} + "
            f"{o}_infiltrate_sensitivity * infiltrate_damage * {infiltrate_damage}",
            "1/day",
            f"Per-capita loss rate of {o} parenchyma.",
        ),
        rule(
            f"{o}_antigen",
            f"1 + {o}_damage_rate * {par_} / organ_antigen_reference",
            "dimensionless",
            f"{o.capitalize()} self antigen released (basal turnover = 1).",
        ),
        rule(
            f"{o}_presentation",
            f"{o}_antigen / ({o}_antigen + organ_presentation_k)",
            "dimensionless",
            f"Presentation of {o} antigen in draining lymph nodes.",
        ),
        rule(
            f"{o}_costimulation",
            f"costimulation_strength * cdc_mature * (1 + local_costimulation_gain * {infl}/"
            f"inflammation_k) / (costimulation_strength * cdc_mature * (1 + "
            f"local_costimulation_gain * {infl}/inflammation_k) + dc_costimulation_k_effective)",
            "dimensionless",
            f"Co-stimulation of {o}-reactive T cells.",
        ),
        rule(
            f"{o}_naive_precursors",
            f"cd4_naive * {o}_precursor_frequency * (1 + aire_escape_gain * {o}_aire_dependence"
            f" * max(0, 1 - aire_efficiency)) * naive_t_death_rate / (naive_t_death_rate + "
            f"anergy_induction_rate * anergy_strength * {o}_presentation * (1 - "
            f"{o}_costimulation))",
            "cells/uL",
            f"Functional (non-anergic) naive {o}-reactive T cells.",
        ),
        rule(
            f"{o}_suppression",
            f"1 / (1 + (treg_suppression_index - 1) * (1 - aire_treg_share * "
            f"{o}_aire_dependence * max(0, 1 - aire_efficiency)))",
            "dimensionless",
            f"Treg suppression left on {o}-reactive T cells.",
        ),
        rule(
            f"{o}_pd1_inhibition",
            f"1 / (1 + pd1_strength * {o}_pdl1_expression * (1 + ifng/ifng_pdl1_ec50))",
            "dimensionless",
            f"Fraction of {o}-reactive expansion left by PD-1.",
        ),
        rule(
            f"{o}_function",
            f"{par_} * percent_per_fraction",
            "%",
            f"{o.capitalize()} function (% of normal parenchyma).",
        ),
    ]
    species = [
        state(par_, o, 0.995, "dimensionless", f"Functional {o} parenchyma (fraction of normal)."),
        *(
            [state(scar, o, 0.0, "dimensionless", f"Scarred {o} (fraction of normal mass).")]
            if scar
            else []
        ),
        *(
            state(
                x,
                o,
                5.3,
                "cells/uL",
                f"Activated myeloid infiltrate of the {o}"
                + (f", site {j + 1} of {spec.sites}." if spec.sites > 1 else "."),
            )
            for j, x in enumerate(site_states)
        ),
        state(eff, "lymphoid", 0.0, "cells/uL", f"{o.capitalize()}-specific effector T cells."),
        *(
            [
                state(
                    f"{o}_exhaustion",
                    "lymphoid",
                    0.0,
                    "dimensionless",
                    f"Exhausted share of the {o}-specific effectors' expansion (0-1).",
                )
            ]
            if exhaustion
            else []
        ),
        state(dep, o, 0.0, "mg/L", f"Immune complexes deposited in the {o}."),
    ]
    k_infl = "log(2)/inflammation_half_life"
    if scars:
        parameters.append(
            par(
                f"{o}_scarring",
                spec.scarring,
                "dimensionless",
                spec.scarring_source,
                f"Share of lost {o} parenchyma replaced by scar (never regenerates).",
            )
        )
    if exhaustion:
        parameters.append(
            par(
                f"{o}_exhaustion_factor",
                1.0,
                "dimensionless",
                "disease hook: 1 (the shared organ_exhaustion_rate); the disease that adds "
                "exhaustion may set an organ's own (checkpoint-inhibitor irAEs: the "
                "thyroid's, diseases/irae.py)",
                f"Exhaustion of {o}-reactive effectors relative to the shared rate.",
            )
        )
    if spec.degeneration:
        parameters.append(
            par(
                f"{o}_degeneration_rate",
                0.0,
                "1/day",
                "disease hook: 0 in health; a disease sets it (multiple sclerosis: "
                "relapse-independent neurodegeneration)",
                f"Loss of {o} parenchyma not carried by the modelled immune cells.",
            )
        )
    reactions = [
        flow(
            f"{o}_regeneration",
            f"{o}_regeneration_rate * (1 - {par_}{f' - {scar}' if scar else ''})",
            "Regeneration towards normal mass"
            + (" (scarred tissue does not regenerate)." if scar else "."),
            products=[par_],
        ),
        flow(
            f"{o}_damage",
            f"{f'(1 - {o}_scarring) * ' if scars else ''}{o}_damage_rate * {par_}",
            "Immune-mediated tissue damage" + (" that can heal." if scars else "."),
            reactants=[par_],
        ),
        *(
            [
                flow(
                    f"{o}_degeneration",
                    f"{o}_degeneration_rate * {par_}",
                    "Degeneration not carried by the modelled immune cells; the tissue it "
                    "takes does not regenerate (neuroaxonal loss).",
                    reactants=[par_],
                    products=[scar],
                )
            ]
            if spec.degeneration
            else []
        ),
        *(
            [
                flow(
                    f"{o}_scarring_loss",
                    f"{o}_scarring * {o}_damage_rate * {par_}",
                    "Immune-mediated tissue damage that heals by scarring.",
                    reactants=[par_],
                    products=[scar],
                )
            ]
            if scars
            else []
        ),
        *(
            flow_
            for x, drive in zip(site_states, site_drives, strict=True)
            for flow_ in (
                flow(
                    f"{x}_recruitment",
                    f"{k_infl} * (inflammation_basal * (1 + (tnf + il1b)/systemic_cytokine_k) + "
                    f"local_amplification * {drive} * inflammation_k * "
                    f"({x}/inflammation_k)**2 / "
                    f"(1 + ({x}/inflammation_k)**2) + t_cell_infiltrate_gain * "
                    f"lymphocyte_{o}_entry * (1 - effector_t_exhaustion) * {eff} + "
                    f"ic_infiltrate_gain * c1q_level * {dep} * inflammation_k / ic_classical_k)",
                    "Recruitment and local amplification of inflammatory cells.",
                    products=[x],
                ),
                flow(f"{x}_resolution", f"{k_infl} * {x}", "Resolution.", reactants=[x]),
            )
        ),
        flow(
            f"{o}_effector_priming",
            f"t_priming_rate * {o}_naive_precursors * {o}_presentation * {o}_costimulation * "
            f"{o}_suppression",
            "Priming of organ-reactive T cells.",
            products=[eff],
        ),
        flow(
            f"{o}_effector_expansion",
            f"{o}_repertoire_avidity / repertoire_avidity_reference * "
            f"effector_proliferation_max * lymphocyte_proliferation_factor * {o}_presentation * "
            f"il2_signal * (1 - effector_t_exhaustion) * "
            + (f"(1 - {o}_exhaustion) * " if exhaustion else "")
            + f"{o}_suppression * {o}_pd1_inhibition * effector_capacity / "
            f"(effector_capacity + {eff}) * {eff}",
            "Clonal expansion (IL-2, Tregs, PD-1 and exhaustion restrain it).",
            products=[eff],
        ),
        flow(
            f"{o}_effector_death",
            f"(organ_t_death_rate + fas_aicd_strength * effector_aicd_rate * {o}_presentation"
            f" + effector_t_depletion_rate) * {eff}",
            "Death, Fas-mediated AICD (and anti-CD3 depletion).",
            reactants=[eff],
        ),
        *(_exhaustion_flows(o, eff) if exhaustion else []),
        flow(
            f"{o}_ic_deposition",
            f"{o}_ic_deposition_rate * immune_complexes",
            "Deposition of circulating immune complexes.",
            reactants=["immune_complexes"],
            products=[dep],
            compartment="blood",
        ),
        flow(
            f"{o}_ic_deposit_clearance",
            f"log(2)/deposit_half_life * {dep}",
            "Local clearance of deposits.",
            reactants=[dep],
        ),
    ]
    return Module(
        name=f"tissue_{o}",
        description=f"Target tissue: {spec.description}",
        compartments=(
            Compartment(
                name=o,
                size=spec.volume_litres,
                unit="L",
                source=spec.volume_source,
                description=spec.description,
            ),
        ),
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )
