"""The drug library: every drug as data, with units and sources.

Each entry gives a PK model (values in the units of their source), the
mechanism as typed effects on named immune targets, and label regimens in the
regimen language. Where a number could not be confirmed against the label or
the cited paper, its source says so ("unconfirmed"); where a number was chosen
so the model reproduces a published half-life, Cmax or trough, its source says
``calibrated: <to what>``. ``tests/drugs/pk_reference.csv`` checks the
simulated PK against the published values.

Immune targets are named after the immune model's quantities (``tnf``,
``il6``, ``ifn_type1``, ``baff``, ``b_cells``...) and, where one exists, the
knob of :mod:`immunetwin.immune.knobs` an effect would modulate.
"""

from __future__ import annotations

from types import MappingProxyType

from immunetwin.drugs._declarations import (
    CellProduct,
    Drug,
    Effect,
    PKModel,
    Quantity,
    Route,
    TimeVaryingClearance,
)

__all__ = ["DRUGS", "library"]

Q = Quantity

# -- shared sources -------------------------------------------------------------------------
MAB_KA = "Davda et al. mAbs 2014;6:1094 (typical SC IgG1 ka ~0.28/day)"
UNCONFIRMED_IIV = "assumed typical small-molecule IIV (unconfirmed)"
MAB_IIV = "assumed typical mAb IIV (unconfirmed)"
MOSTELLER = "BSA-based dosing uses Mosteller BSA from weight and height"

# Glucocorticoid mechanism, shared by prednisone and methylprednisolone.
_GLUCOCORTICOID_EFFECTS = (
    Effect(
        "cytokine_production",
        "suppress_production",
        "glucocorticoid-receptor transrepression of NF-kB/AP-1: less TNF, IL-1b, IL-6, "
        "IL-2 and IFN-g from myeloid and T cells",
        "Rhen & Cidlowski NEJM 2005;353:1711",
        potency=Q(
            20.0,
            "ng/mL",
            "assumption: same order as the prednisolone IC50 for lymphocyte trafficking in "
            "Jusko-group PK/PD studies (unconfirmed; to be calibrated to cytokine data)",
        ),
        knob="cytokine_production_factor",
    ),
    Effect(
        "t_cell_activation",
        "inhibit_proliferation",
        "blocks IL-2 production and T-cell proliferation; redistributes lymphocytes out of blood",
        "Rhen & Cidlowski NEJM 2005",
        potency=Q(
            20.0,
            "ng/mL",
            "order of magnitude of prednisolone IC50 for lymphocyte trafficking in PK/PD "
            "studies of the Jusko group (unconfirmed; to be calibrated)",
        ),
        knob="lymphocyte_proliferation_factor",
    ),
    Effect(
        "neutrophil_adhesion",
        "block_migration",
        "less neutrophil adhesion to endothelium (L-selectin shedding, fewer endothelial "
        "ICAM-1/E-selectin): demargination raises blood neutrophils while fewer neutrophils "
        "reach infected tissue",
        "Cronstein et al. PNAS 1992;89:9991; Dale et al. J Clin Invest 1975;56:808; drugs.csv "
        "prednisone row (neutrophilia)",
        potency=Q(
            20.0,
            "ng/mL",
            "assumption: as the other glucocorticoid effects (prednisolone IC50 for lymphocyte "
            "trafficking, Jusko group; unconfirmed); Emax calibrated separately",
        ),
        knob="neutrophil_adhesion_factor",
    ),
)

_JAK_IC50_NOTE = (
    "calibrated: half-maximal at the mean steady-state concentration of the label dose; "
    "no in vivo EC50 found (unconfirmed)"
)


def _jak_il6_effects(description: str, source: str, potency: Quantity) -> tuple[Effect, Effect]:
    """A JAK inhibitor's block of IL-6 signalling, on the plasma and the tissue hook alike.

    A small molecule acts inside the cell at its plasma level and does not compete with
    local IL-6, so the tissue infiltrate's receptors (``tissue_il6_receptor_signalling``)
    see the plasma potency, unlike an antibody's (tocilizumab).
    """
    return (
        Effect(
            "il6",
            "inhibit_signalling",
            description,
            source,
            potency=potency,
            knob="il6_receptor_signalling",
        ),
        Effect(
            "il6",
            "inhibit_signalling",
            "IL-6 signalling of the tissue infiltrate: a small molecule acts inside the "
            "cell at its plasma level and does not compete with local IL-6",
            source,
            potency=potency,
            knob="tissue_il6_receptor_signalling",
        ),
    )


_ANTI_TNF = "tnf"


def _prednisone() -> Drug:
    return Drug(
        name="prednisone",
        display_name="prednisone/prednisolone",
        drug_class="glucocorticoid",
        aliases=("prednisolone", "pred"),
        pk=PKModel(
            clearance=Q(
                11.5,
                "L/h",
                "drugs.csv prednisone row (Frey & Frey Clin Pharmacokinet 1990;19:126): "
                "prednisolone CL ~11-12 L/h; linear approximation of dose-dependent binding",
                cv=0.3,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(
                50.0,
                "L",
                "Frey & Frey 1990: prednisolone Vd ~0.5-1 L/kg (total drug); 50 L within the "
                "range (unconfirmed); gives t1/2 3.0 h with the CL above",
                cv=0.25,
                cv_source=UNCONFIRMED_IIV,
            ),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(
                        0.62,
                        "dimensionless",
                        "drugs.csv: prednisone -> prednisolone ~62% (Frey 1990); to confirm",
                    ),
                    absorption_rate=Q(
                        1.5, "1/h", "unconfirmed: gives tmax ~1.5 h (typical tmax 1-2 h)"
                    ),
                ),
            ),
            active_moiety="prednisolone",
            molecular_weight=Q(360.4, "g/mol", "prednisolone molar mass"),
            concentration_unit="ng/mL",
            notes="Nonlinear protein binding (total CL rises with dose) is not modelled. "
            "Prednisolone doses are taken as equal to prednisone doses (clinical 1:1 "
            "equivalence).",
        ),
        mechanism=_GLUCOCORTICOID_EFFECTS,
        label_regimens=(
            "prednisone 30 mg daily tapering to 5 mg over 12 weeks",
            "prednisone 5 mg daily",
            "prednisone 1 mg/kg daily for 4 weeks then tapering to 5 mg over 20 weeks "
            "in steps of 2.5 mg",
        ),
        label_half_life="prednisolone 2-4 h",
        sources=("Frey & Frey Clin Pharmacokinet 1990;19:126", "drugs.csv"),
    )


def _methylprednisolone() -> Drug:
    return Drug(
        name="methylprednisolone",
        display_name="methylprednisolone",
        drug_class="glucocorticoid (IV pulses)",
        aliases=("solumedrol", "ivmp"),
        pk=PKModel(
            clearance=Q(
                0.336,
                "L/h/kg",
                "IV methylprednisolone CL ~0.34 L/h/kg (Derendorf et al. 1985-1991 reports; "
                "unconfirmed), consistent with label t1/2 ~2.3 h",
                cv=0.3,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(
                1.17,
                "L/kg",
                "Vss ~1.2-1.4 L/kg (Solu-Medrol/Medrol labels; unconfirmed)",
                cv=0.2,
                cv_source=UNCONFIRMED_IIV,
            ),
            clearance_weight_exponent=Q(1.0, "dimensionless", "per-kg values scale with weight"),
            volume_weight_exponent=Q(1.0, "dimensionless", "per-kg values scale with weight"),
            routes=(
                Route(
                    "iv",
                    infusion_duration=Q(
                        1.0, "h", "Solu-Medrol label: pulses infused over at least 30 min"
                    ),
                ),
                Route(
                    "oral",
                    bioavailability=Q(0.88, "dimensionless", "Medrol oral F ~82-89% (unconfirmed)"),
                    absorption_rate=Q(2.0, "1/h", "unconfirmed: tmax ~1-2 h"),
                ),
            ),
            molecular_weight=Q(374.5, "g/mol", "methylprednisolone molar mass"),
            concentration_unit="ng/mL",
        ),
        mechanism=_GLUCOCORTICOID_EFFECTS,
        label_regimens=(
            "methylprednisolone 1000 mg IV over 1 h daily for 3 days",
            "methylprednisolone 500 mg IV daily for 3 days",
        ),
        label_half_life="~2.3 h (1.8-2.6 h)",
        sources=("Solu-Medrol and Medrol labels",),
    )


def _methotrexate() -> Drug:
    return Drug(
        name="methotrexate",
        display_name="methotrexate",
        drug_class="csDMARD antimetabolite",
        aliases=("mtx",),
        pk=PKModel(
            clearance=Q(
                9.18,
                "L/h",
                "drugs.csv (Herman et al. 1989): CL 85 mL/min/m2 x 1.8 m2",
                cv=0.3,
                cv_source="Hoekstra et al. J Rheumatol 2004 (variability of exposure; unconfirmed)",
            ),
            central_volume=Q(
                18.0,
                "L",
                "assumption: Vss 22 L/m2 x 1.8 m2 = 40 L (drugs.csv) split 18 L central + 22 L "
                "peripheral (unconfirmed)",
            ),
            peripheral_volume=Q(22.0, "L", "see central volume (unconfirmed split)"),
            intercompartmental_clearance=Q(
                3.96, "L/h", "calibrated: terminal t1/2 6 h (drugs.csv; label 3-10 h)"
            ),
            clearance_weight_exponent=Q(
                0.75,
                "dimensionless",
                "allometric theory, standing in for the BSA scaling of CL (unconfirmed)",
            ),
            volume_weight_exponent=Q(1.0, "dimensionless", "allometric theory"),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(
                        0.70,
                        "dimensionless",
                        "drugs.csv 0.70-0.85 at <=15 mg; Hoekstra et al. J Rheumatol 2004: lower "
                        "(~0.64) at >=25 mg",
                    ),
                    absorption_rate=Q(1.2, "1/h", "unconfirmed: tmax 1-2 h"),
                ),
                Route(
                    "sc",
                    bioavailability=Q(
                        1.0,
                        "dimensionless",
                        "Hoekstra et al. 2004: SC absorption near complete (taken as 1)",
                    ),
                    absorption_rate=Q(3.0, "1/h", "unconfirmed: SC tmax ~0.5-1 h"),
                ),
            ),
            effect_half_life=Q(
                21.0,
                "day",
                "drugs.csv: red-cell polyglutamates accumulate over weeks to months (Dalrymple "
                "et al. Arthritis Rheum 2008); 3-week effect half-life is an assumption",
            ),
            molecular_weight=Q(454.4, "g/mol", "methotrexate molar mass"),
            concentration_unit="ng/mL",
            notes="Polyglutamate accumulation is an effect compartment, not a metabolite model.",
        ),
        mechanism=(
            Effect(
                "lymphocyte_proliferation",
                "inhibit_proliferation",
                "antifolate (DHFR, AICAR transformylase): fewer proliferating T and B cells",
                "drugs.csv (Cronstein; Chan & Cronstein Nat Rev Rheumatol 2010)",
                potency=Q(
                    0.0065,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state effect-site concentration "
                    "of 15 mg weekly (~0.0065 mg/L); no in vivo EC50 found (unconfirmed)",
                ),
                knob="lymphocyte_proliferation_factor",
            ),
            Effect(
                "myeloid_activation",
                "inhibit_signalling",
                "AICAR accumulation releases adenosine, whose A2A receptors on macrophages "
                "and neutrophils damp their activation: less of the myeloid self-"
                "amplification that sustains synovitis",
                "Chan & Cronstein Nat Rev Rheumatol 2010;6:175; Cronstein et al. J Clin "
                "Invest 1993;92:2675 (adenosine antagonists abolish methotrexate's "
                "anti-inflammatory effect)",
                potency=Q(
                    0.0065,
                    "mg/L",
                    "calibrated: as the antifolate effect, half-maximal at the mean steady-"
                    "state effect-site concentration of 15 mg weekly (unconfirmed)",
                ),
                knob="myeloid_activation_factor",
            ),
        ),
        label_regimens=(
            "methotrexate 15 mg weekly",
            "methotrexate 7.5 mg weekly for 4 weeks then 15 mg weekly",
            "methotrexate 25 mg SC weekly",
        ),
        label_half_life="3-10 h at low doses (label); ~6 h (drugs.csv)",
        sources=("Herman et al. 1989", "Hoekstra et al. J Rheumatol 2004", "drugs.csv"),
    )


def _azathioprine() -> Drug:
    return Drug(
        name="azathioprine",
        display_name="azathioprine",
        drug_class="immunosuppressant antimetabolite (prodrug of 6-mercaptopurine)",
        aliases=("aza", "imuran"),
        pk=PKModel(
            clearance=Q(
                23.0,
                "L/h",
                "derived: V below x ln2 / 6-MP t1/2 1.9 h (drugs.csv, Chan et al. J Clin "
                "Pharmacol 1990)",
                cv=0.4,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(0.9, "L/kg", "6-MP Vd ~0.9 L/kg (unconfirmed)"),
            volume_weight_exponent=Q(1.0, "dimensionless", "per-kg volume"),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(
                        0.47,
                        "dimensionless",
                        "6-MP bioavailability from oral AZA ~47% (drugs.csv range 30-90%; "
                        "unconfirmed)",
                    ),
                    absorption_rate=Q(2.0, "1/h", "unconfirmed: tmax 1-2 h"),
                ),
            ),
            active_moiety="6-mercaptopurine",
            dose_to_active=Q(
                0.483,
                "dimensionless",
                "AZA -> 6-MP: ~88% converted (unconfirmed) x molar-mass ratio 152.2/277.3",
            ),
            effect_half_life=Q(
                5.0,
                "day",
                "active 6-thioguanine nucleotides persist in red cells (half-life ~3-13 days; "
                "drugs.csv 'active 6-TGN persists'; value unconfirmed)",
            ),
            molecular_weight=Q(152.2, "g/mol", "6-mercaptopurine molar mass"),
            concentration_unit="ng/mL",
            notes="TPMT genotype (which sets 6-TGN exposure) is not modelled.",
        ),
        mechanism=(
            Effect(
                "lymphocyte_proliferation",
                "inhibit_proliferation",
                "6-thioguanine nucleotides block purine synthesis and Rac1 in activated "
                "lymphocytes (TPMT-dependent)",
                "drugs.csv azathioprine row",
                potency=Q(
                    0.054,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state effect-site concentration "
                    "of 2 mg/kg daily (~0.054 mg/L); no in vivo EC50 found (unconfirmed)",
                ),
                knob="lymphocyte_proliferation_factor",
            ),
        ),
        label_regimens=("azathioprine 2 mg/kg daily", "azathioprine 150 mg daily"),
        label_half_life="azathioprine 26-80 min; 6-mercaptopurine 1.9 h",
        sources=("Chan et al. J Clin Pharmacol 1990", "drugs.csv"),
    )


def _mycophenolate() -> Drug:
    return Drug(
        name="mycophenolate",
        display_name="mycophenolate mofetil (MPA)",
        drug_class="antimetabolite (IMPDH inhibitor)",
        aliases=("mmf", "mycophenolate mofetil", "cellcept"),
        pk=PKModel(
            clearance=Q(
                193.0,
                "mL/min",
                "CellCept label: MPA plasma clearance 193 mL/min after IV",
                cv=0.35,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(
                11.0, "L", "calibrated: label Cmax 24.5 ug/mL after 1 g MMF (healthy)"
            ),
            peripheral_volume=Q(
                200.0, "L", "calibrated with Q: label t1/2 17.9 h; Vss ~3 L/kg (label 3.6-4 L/kg)"
            ),
            intercompartmental_clearance=Q(
                600.0, "L/day", "calibrated: label mean apparent t1/2 17.9 h"
            ),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(0.94, "dimensionless", "CellCept label: MPA F 94% from MMF"),
                    absorption_rate=Q(4.0, "1/h", "unconfirmed: label tmax ~0.8 h"),
                ),
            ),
            active_moiety="mycophenolic acid",
            dose_to_active=Q(
                0.739, "dimensionless", "molar-mass ratio MPA/MMF 320.3/433.5 (full hydrolysis)"
            ),
            molecular_weight=Q(320.3, "g/mol", "mycophenolic acid molar mass"),
            notes="Enterohepatic recirculation (second peak at 6-12 h) is not modelled.",
        ),
        mechanism=(
            Effect(
                "lymphocyte_proliferation",
                "inhibit_proliferation",
                "IMPDH inhibition depletes guanosine nucleotides in T and B lymphocytes",
                "CellCept label; drugs.csv",
                potency=Q(
                    4.0,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state total MPA concentration of "
                    "1 g twice daily (~4 mg/L; label target AUC12 30-60 mg*h/L); no in vivo EC50 "
                    "found (unconfirmed)",
                ),
                knob="lymphocyte_proliferation_factor",
            ),
        ),
        label_regimens=(
            "mycophenolate 1000 mg twice daily",
            "mycophenolate 1500 mg twice daily",
        ),
        label_half_life="MPA 17.9 h",
        sources=("CellCept (mycophenolate mofetil) US label",),
    )


def _hydroxychloroquine() -> Drug:
    return Drug(
        name="hydroxychloroquine",
        display_name="hydroxychloroquine",
        drug_class="antimalarial",
        aliases=("hcq", "plaquenil"),
        pk=PKModel(
            clearance=Q(
                96.0,
                "mL/min",
                "Tett et al. Br J Clin Pharmacol 1989 (drugs.csv): blood clearance 96 mL/min",
                cv=0.4,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(
                8975.0,
                "L",
                "derived: blood CL x t1/2 45 days / ln 2 - a one-compartment stand-in for the "
                "multi-compartment blood Vss ~5500 L (Tett 1989)",
            ),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(0.74, "dimensionless", "Tett et al. 1989 (drugs.csv)"),
                    absorption_rate=Q(0.6, "1/h", "unconfirmed: tmax ~3-4 h"),
                ),
            ),
            molecular_weight=Q(335.9, "g/mol", "hydroxychloroquine molar mass"),
            concentration_unit="ng/mL",
            notes="Concentration is whole blood. Steady state takes months (t1/2 40-50 days).",
        ),
        mechanism=(
            Effect(
                "tlr7_9_signalling",
                "inhibit_signalling",
                "raises endosomal pH and blocks TLR7/9 sensing of nucleic acids, lowering pDC "
                "type I interferon",
                "drugs.csv hydroxychloroquine row",
                potency=Q(
                    2.0,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state concentration of 400 mg "
                    "daily (~2 mg/L); no in vivo EC50 found (unconfirmed)",
                ),
                knob="tlr7_9_signalling",
            ),
        ),
        label_regimens=(
            "hydroxychloroquine 400 mg daily",
            "hydroxychloroquine 200 mg twice daily",
            "hydroxychloroquine 5 mg/kg daily",
        ),
        label_half_life="40-50 days",
        sources=("Tett et al. Br J Clin Pharmacol 1989", "drugs.csv"),
    )


def _voclosporin() -> Drug:
    return Drug(
        name="voclosporin",
        display_name="voclosporin",
        drug_class="calcineurin inhibitor",
        aliases=("lupkynis",),
        pk=PKModel(
            clearance=Q(
                63.6,
                "L/h",
                "Lupkynis label: apparent clearance CL/F 63.6 L/h (values recalled; unconfirmed)",
                cv=0.4,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(
                300.0, "L", "assumption: central part of apparent Vss 2154 L (Lupkynis label)"
            ),
            peripheral_volume=Q(1854.0, "L", "apparent Vss 2154 L (label) minus central volume"),
            intercompartmental_clearance=Q(175.5, "L/h", "calibrated: label terminal t1/2 ~30 h"),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(
                        1.0,
                        "dimensionless",
                        "apparent (CL/F, V/F) parameters: absolute F not identifiable (set to 1)",
                    ),
                    absorption_rate=Q(1.2, "1/h", "unconfirmed: label tmax 1-4 h"),
                ),
            ),
            molecular_weight=Q(1214.6, "g/mol", "voclosporin molar mass"),
            concentration_unit="ng/mL",
            notes="Whole-blood PK is more than dose-proportional; modelled as linear.",
        ),
        mechanism=(
            Effect(
                "il2",
                "suppress_production",
                "calcineurin inhibition blocks NFAT: less IL-2 and T-cell activation; also "
                "stabilises podocytes",
                "drugs.csv voclosporin row",
                potency=Q(
                    0.03,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state concentration of 23.7 mg "
                    "twice daily (~0.03 mg/L); no in vivo EC50 found (unconfirmed)",
                ),
                knob="cytokine_production_factor",
            ),
        ),
        label_regimens=("voclosporin 23.7 mg twice daily",),
        label_half_life="~30 h",
        sources=("Lupkynis (voclosporin) US label",),
    )


def _infliximab() -> Drug:
    return Drug(
        name="infliximab",
        display_name="infliximab",
        drug_class="anti-TNF chimeric IgG1 mAb",
        aliases=("remicade",),
        pk=PKModel(
            clearance=Q(
                0.30,
                "L/day",
                "Remicade label/drugs.csv: CL 11-15 mL/h (12.5 mL/h)",
                cv=0.377,
                cv_source="Fasanmade et al. Eur J Clin Pharmacol 2009;65:1211",
            ),
            central_volume=Q(
                3.0,
                "L",
                "label V 3-6 L; Fasanmade 2009 Vc 3.29 L",
                cv=0.221,
                cv_source="Fasanmade 2009",
            ),
            peripheral_volume=Q(1.0, "L", "calibrated with Q: label t1/2 7.7-9.5 days"),
            intercompartmental_clearance=Q(
                0.5, "L/day", "calibrated: label terminal t1/2 7.7-9.5 days (unconfirmed split)"
            ),
            volume_weight_exponent=Q(0.538, "dimensionless", "Fasanmade 2009 (weight on Vc)"),
            reference_weight=Q(77.0, "kg", "Fasanmade 2009 reference weight"),
            female_clearance_factor=Q(0.764, "dimensionless", "Fasanmade 2009: CL -23.6% women"),
            female_volume_factor=Q(0.863, "dimensionless", "Fasanmade 2009: Vc -13.7% women"),
            routes=(Route("iv", infusion_duration=Q(2.0, "h", "Remicade label: over >= 2 h")),),
            molecular_weight=Q(149.1, "kg/mol", "Remicade label: ~149.1 kDa"),
            notes="MTX lowers infliximab CL ~30% (drugs.csv) and anti-drug antibodies raise it; "
            "neither is modelled.",
        ),
        mechanism=(
            Effect(
                _ANTI_TNF,
                "neutralise",
                "binds soluble and membrane TNF-alpha",
                "Remicade label",
                potency=Q(
                    0.3,
                    "mg/L",
                    "calibrated: >90% TNF neutralisation at troughs >3 mg/L, the level "
                    "linked to response (St Clair et al. Arthritis Rheum 2002;46:1451)",
                ),
                knob="tnf_free_fraction",
            ),
        ),
        label_regimens=(
            "infliximab 3 mg/kg IV at weeks 0, 2, 6 then every 8 weeks",
            "infliximab 5 mg/kg IV at weeks 0, 2, 6 then every 8 weeks",
        ),
        label_half_life="7.7-9.5 days",
        sources=("Remicade US label", "Fasanmade et al. Eur J Clin Pharmacol 2009;65:1211"),
    )


def _adalimumab() -> Drug:
    return Drug(
        name="adalimumab",
        display_name="adalimumab",
        drug_class="anti-TNF human IgG1 mAb",
        aliases=("humira",),
        pk=PKModel(
            clearance=Q(
                12.0,
                "mL/h",
                "Humira label: CL ~12 mL/h",
                cv=0.35,
                cv_source="Ternant et al. 2015 popPK in RA (unconfirmed)",
            ),
            central_volume=Q(5.8, "L", "Humira label: Vss 4.7-6 L (upper part; gives t1/2 14 d)"),
            routes=(
                Route(
                    "sc",
                    bioavailability=Q(0.64, "dimensionless", "Humira label: F 64%"),
                    absorption_rate=Q(0.282, "1/day", MAB_KA + "; Ternant 2015 ka 0.28/day"),
                ),
            ),
            molecular_weight=Q(148.0, "kg/mol", "Humira label: ~148 kDa"),
            notes="Single-dose Cmax (label 4.7 ug/mL) is underpredicted by this one-compartment "
            "model; troughs match.",
        ),
        mechanism=(
            Effect(
                _ANTI_TNF,
                "neutralise",
                "binds soluble and membrane TNF-alpha",
                "Humira label",
                potency=Q(
                    0.5,
                    "mg/L",
                    "calibrated: ~90% TNF neutralisation at the 40 mg q2w trough (~5 mg/L); "
                    "5-8 mg/L suffices for good response (Pouw et al. Ann Rheum Dis "
                    "2015;74:513)",
                ),
                knob="tnf_free_fraction",
            ),
        ),
        label_regimens=(
            "adalimumab 40 mg SC every 14 days",
            "adalimumab 40 mg SC weekly",
        ),
        label_half_life="~14 days (10-20 days)",
        sources=("Humira (adalimumab) US label",),
    )


def _etanercept() -> Drug:
    return Drug(
        name="etanercept",
        display_name="etanercept",
        drug_class="TNF receptor-Fc fusion protein",
        aliases=("enbrel",),
        pk=PKModel(
            clearance=Q(
                2.0,
                "L/day",
                "calibrated: Enbrel label steady-state Cmin 1.2 / Cmax 2.4 mg/L at 50 mg weekly; "
                "apparent CL/F 144 mL/h, inside drugs.csv 132-160 mL/h (Zhou J Clin Pharmacol "
                "2005)",
                cv=0.35,
                cv_source="Zhou 2005 (unconfirmed)",
            ),
            central_volume=Q(
                9.0, "L", "calibrated with CL: label t1/2 70-102 h (V/F 15.5 L; drugs.csv ~12 L)"
            ),
            routes=(
                Route(
                    "sc",
                    bioavailability=Q(0.58, "dimensionless", "drugs.csv (Zhou 2005): F 58%"),
                    absorption_rate=Q(0.5, "1/day", "calibrated: label tmax 69 h after 25 mg SC"),
                ),
            ),
            molecular_weight=Q(150.0, "kg/mol", "Enbrel label: ~150 kDa"),
            notes="Single-dose Cmax (label 1.65 mg/L after 25 mg) is underpredicted; "
            "steady-state troughs match.",
        ),
        mechanism=(
            Effect(
                _ANTI_TNF,
                "neutralise",
                "soluble TNF receptor: binds TNF-alpha and lymphotoxin-alpha",
                "Enbrel label",
                potency=Q(
                    0.3,
                    "mg/L",
                    "calibrated: ~90% TNF neutralisation at the 50 mg weekly steady-state "
                    "trough (~2-3 mg/L, Enbrel label; unconfirmed)",
                ),
                knob="tnf_free_fraction",
            ),
        ),
        label_regimens=(
            "etanercept 50 mg SC weekly",
            "etanercept 25 mg SC twice weekly",
        ),
        label_half_life="70-102 h",
        sources=("Enbrel (etanercept) US label", "Zhou J Clin Pharmacol 2005"),
    )


def _tocilizumab() -> Drug:
    frey = "Frey et al. J Clin Pharmacol 2010;50:754 (Table II)"
    return Drug(
        name="tocilizumab",
        display_name="tocilizumab",
        drug_class="anti-IL-6 receptor humanised IgG1 mAb",
        aliases=("actemra", "roactemra"),
        pk=PKModel(
            clearance=Q(0.3, "L/day", frey, cv=0.39, cv_source=frey),
            central_volume=Q(3.5, "L", frey, cv=0.37, cv_source=frey),
            peripheral_volume=Q(2.9, "L", frey),
            intercompartmental_clearance=Q(0.2, "L/day", frey),
            saturable_vmax=Q(7.5, "mg/day", frey + ": IL-6 receptor-mediated elimination"),
            saturable_km=Q(2.7, "ug/mL", frey),
            clearance_weight_exponent=Q(
                0.30,
                "dimensionless",
                "Frey 2010: CL ~ (BSA/1.8)^0.7, written as weight^(0.7 x 0.425) via DuBois BSA "
                "~ W^0.425 at fixed height (approximation)",
            ),
            female_clearance_factor=Q(0.84, "dimensionless", frey + ": CL 16% lower in women"),
            routes=(
                Route("iv", infusion_duration=Q(1.0, "h", "Actemra label: 60-min infusion")),
                Route(
                    "sc",
                    bioavailability=Q(0.49, "dimensionless", "drugs.csv: SC 49% (to confirm)"),
                    absorption_rate=Q(0.2, "1/day", "unconfirmed: SC tmax ~3 days"),
                ),
            ),
            molecular_weight=Q(148.0, "kg/mol", "Actemra label: ~148 kDa"),
            notes="HDL, rheumatoid factor, protein, albumin and creatinine-clearance covariates "
            "of Frey 2010 are left at their reference values.",
        ),
        mechanism=(
            Effect(
                "il6",
                "block_receptor",
                "binds soluble and membrane IL-6 receptor: blocks classic and trans signalling "
                "(hepatic CRP, Th17 differentiation)",
                "Actemra label",
                potency=Q(
                    0.1,
                    "mg/L",
                    "calibrated: CRP stays normal while serum tocilizumab exceeds 1 ug/mL "
                    "(Nishimoto et al. Blood 2008;112:3959), i.e. >90% IL-6R blockade",
                ),
                knob="il6_receptor_signalling",
            ),
            Effect(
                "il6",
                "block_receptor",
                "IL-6 receptor of the infiltrate in inflamed tissue (synovium, gut): reached at "
                "a fraction of the plasma level and contested by local IL-6",
                "Actemra label",
                potency=Q(
                    1.0,
                    "mg/L",
                    "literature judgment (order of magnitude), not fitted: the plasma potency "
                    "(0.1 mg/L) times ~2-3 for an antibody's tissue:plasma ratio of ~0.3-0.5 "
                    "(interstitial antibody, Shah & Betts MAbs 2013;5:297; assumed for inflamed "
                    "synovium) times 1 + [IL-6]/Kd ~2-5 for a "
                    "competitive antagonist facing synovial-fluid IL-6 of ~10-100 ng/mL "
                    "(Houssiau et al. Arthritis Rheum 1988;31:784) at IL-6R Kd ~1 nM "
                    "(~21 ng/mL; Yamasaki et al. Science 1988;241:825): ~10x",
                ),
                knob="tissue_il6_receptor_signalling",
            ),
        ),
        label_regimens=(
            "tocilizumab 8 mg/kg IV every 28 days, max 800 mg",
            "tocilizumab 4 mg/kg IV every 28 days",
            "tocilizumab 162 mg SC weekly",
        ),
        label_half_life="concentration-dependent: up to 11 d (4 mg/kg) and 13 d (8 mg/kg) at "
        "steady state",
        sources=(frey, "Actemra US label"),
    )


def _abatacept() -> Drug:
    zhong = "Zhong et al. J Clin Pharmacol 2026 (Table 2)"
    label = "Orencia US label 12.3 (RA, 10 mg/kg)"
    return Drug(
        name="abatacept",
        display_name="abatacept",
        drug_class="CTLA4-Ig Fc-fusion protein",
        aliases=("orencia",),
        pk=PKModel(
            clearance=Q(0.22, "mL/h/kg", label + ": CL 0.22 mL/h/kg", cv=0.267, cv_source=zhong),
            central_volume=Q(
                2.4,
                "L",
                "calibrated: " + label + " steady-state Cmax 295 ug/mL",
                cv=0.25,
                cv_source=MAB_IIV,
            ),
            peripheral_volume=Q(2.5, "L", label + ": Vss 0.07 L/kg (4.9 L) minus central volume"),
            intercompartmental_clearance=Q(
                0.29, "L/day", "calibrated: " + label + " terminal t1/2 13.1 days"
            ),
            clearance_weight_exponent=Q(0.876, "dimensionless", zhong),
            volume_weight_exponent=Q(0.712, "dimensionless", zhong + " (Vc; Vp 0.839 not used)"),
            routes=(
                Route("iv", infusion_duration=Q(30.0, "min", "Orencia label: 30-min infusion")),
                Route(
                    "sc",
                    bioavailability=Q(0.77, "dimensionless", zhong + ": F 0.77 (logit 1.21)"),
                    absorption_rate=Q(
                        0.34, "1/day", zhong + ": KA 0.169/day added to kel (~0.17/day)"
                    ),
                ),
            ),
            molecular_weight=Q(92.0, "kg/mol", "Orencia label: ~92 kDa"),
            notes="Label RA values (CL, Vss) are used rather than Zhong 2026, whose pooled "
            "RA/JIA/HSCT typical CL (0.55 L/day) is 50% higher than the RA label; the small sex "
            "effects of Zhong 2026 (CL -6%, Vc -9% in women) are left out.",
        ),
        mechanism=(
            Effect(
                "cd80_cd86",
                "block_receptor",
                "binds CD80/CD86 on antigen-presenting cells: blocks CD28 costimulation of T cells",
                "Orencia label; drugs.csv",
                potency=Q(
                    1.0,
                    "mg/L",
                    "calibrated: ~90% CD80/86 blockade at troughs >=10 ug/mL, the exposure linked "
                    "to response (Orencia label, clinical pharmacology; unconfirmed)",
                ),
                knob="costimulation_strength",
            ),
        ),
        label_regimens=(
            "abatacept 10 mg/kg IV at weeks 0, 2, 4 then every 4 weeks",
            "abatacept 125 mg SC weekly",
        ),
        label_half_life="13.1 days (8-25 days)",
        sources=(label, zhong),
    )


def _rituximab() -> Drug:
    ng = (
        "Ng et al. J Clin Pharmacol 2005;45:792 (RA; as tabulated in "
        "Br J Clin Pharmacol 2019;85:2002)"
    )
    return Drug(
        name="rituximab",
        display_name="rituximab",
        drug_class="anti-CD20 chimeric IgG1 mAb",
        aliases=("rituxan", "mabthera"),
        pk=PKModel(
            clearance=Q(
                0.358,
                "L/day",
                "calibrated: population CL 0.257 L/day (" + ng + ", ~80% women) with women 35% "
                "lower; this is the male value",
                cv=0.28,
                cv_source="Lioger et al. Br J Clin Pharmacol 2017;83:1773 (omega k10 0.24)",
            ),
            central_volume=Q(2.98, "L", ng, cv=0.22, cv_source="Lioger 2017 (omega V1 0.22)"),
            peripheral_volume=Q(2.5, "L", "assumption (unconfirmed)"),
            intercompartmental_clearance=Q(
                0.253, "L/day", "calibrated: terminal t1/2 20.2 days in women (" + ng + ")"
            ),
            female_clearance_factor=Q(
                0.647,
                "dimensionless",
                "Mueller et al. Blood 2012;119:3276: CL 8.21 vs 12.68 mL/h in women vs men "
                "(drugs.csv: ~37% lower in women)",
            ),
            routes=(
                Route(
                    "iv",
                    infusion_duration=Q(
                        4.0, "h", "Rituxan label: rate escalation to 400 mg/h (~4 h for 1 g)"
                    ),
                ),
            ),
            molecular_weight=Q(145.0, "kg/mol", "Rituxan label: ~145 kDa"),
            notes="CD20 target-mediated clearance is not included: in RA the antigen burden "
            "barely changes rituximab elimination (Lioger 2017: CD19 exponent 0.035 on k10).",
        ),
        mechanism=(
            Effect(
                "b_cells",
                "deplete",
                "binds CD20 on pre-B and mature B cells: complement- and antibody-dependent "
                "killing; plasma cells (CD20-negative) are spared",
                "Rituxan label; drugs.csv",
                potency=Q(
                    0.5,
                    "mg/L",
                    "calibrated: B cells stay depleted at 6 months after 1 g on days 0 "
                    "and 14 and return as rituximab falls below ~0.1 mg/L (RA label "
                    "course; Breedveld et al. J Clin Pharmacol 2007;47:1119)",
                ),
                knob="cd20_depletion_rate",
            ),
        ),
        label_regimens=(
            "rituximab 1000 mg IV on days 0, 14",
            "rituximab 375 mg/m2 IV weekly for 4 doses",
        ),
        label_half_life="18 days in RA (range 5.2-77.5)",
        sources=(ng, "Rituxan US label", "Mueller et al. Blood 2012"),
    )


def _ocrelizumab() -> Drug:
    gib = "Gibiansky et al. Br J Clin Pharmacol 2021 / Ocrevus label"
    return Drug(
        name="ocrelizumab",
        display_name="ocrelizumab",
        drug_class="anti-CD20 humanised IgG1 mAb",
        aliases=("ocrevus",),
        pk=PKModel(
            clearance=Q(0.17, "L/day", gib + ": constant CL 0.17 L/day", cv=0.3, cv_source=MAB_IIV),
            central_volume=Q(2.78, "L", gib),
            peripheral_volume=Q(2.68, "L", gib),
            intercompartmental_clearance=Q(
                0.29, "L/day", gib + " (Q recalled, unconfirmed); reproduces label t1/2 26 d"
            ),
            routes=(
                Route("iv", infusion_duration=Q(3.5, "h", "Ocrevus label: 600 mg over 3.5 h")),
            ),
            molecular_weight=Q(145.0, "kg/mol", "Ocrevus label: ~145 kDa"),
            notes="The initial time-dependent CL (0.05 L/day, declining with B-cell depletion) "
            "is not modelled.",
        ),
        mechanism=(
            Effect(
                "b_cells",
                "deplete",
                "binds CD20: depletes CD20+ B cells (mainly ADCC)",
                "Ocrevus label",
                potency=Q(
                    0.5,
                    "mg/L",
                    "assumption: as rituximab (type I anti-CD20 IgG1; unconfirmed)",
                ),
                knob="cd20_depletion_rate",
            ),
        ),
        label_regimens=("ocrelizumab 300 mg IV on days 0, 14 then 600 mg every 24 weeks",),
        label_half_life="26 days",
        sources=(gib,),
    )


def _obinutuzumab() -> Drug:
    return Drug(
        name="obinutuzumab",
        display_name="obinutuzumab",
        drug_class="anti-CD20 glyco-engineered type II IgG1 mAb",
        aliases=("gazyva", "gazyvaro"),
        pk=PKModel(
            clearance=Q(
                0.09,
                "L/day",
                "Gazyva label (CLL): steady-state CL ~0.09 L/day (unconfirmed)",
                cv=0.3,
                cv_source=MAB_IIV,
            ),
            central_volume=Q(2.7, "L", "Gazyva label: Vss ~3.8 L (split unconfirmed)"),
            peripheral_volume=Q(1.1, "L", "Vss 3.8 L minus central volume (unconfirmed)"),
            intercompartmental_clearance=Q(1.0, "L/day", "assumption (unconfirmed)"),
            routes=(Route("iv", infusion_duration=Q(4.0, "h", "Gazyva label: ~4 h infusions")),),
            molecular_weight=Q(150.0, "kg/mol", "Gazyva label: ~150 kDa"),
            notes="Time-dependent (target-mediated) CL early in treatment is not modelled.",
        ),
        mechanism=(
            Effect(
                "b_cells",
                "deplete",
                "type II anti-CD20: direct cell death and enhanced ADCC; deeper B-cell depletion "
                "than rituximab",
                "drugs.csv; Furie et al. Ann Rheum Dis 2022 (NOBILITY)",
                potency=Q(
                    0.5,
                    "mg/L",
                    "assumption: as rituximab (unconfirmed); deeper depletion is in its Emax",
                ),
                knob="cd20_depletion_rate",
            ),
        ),
        label_regimens=("obinutuzumab 1000 mg IV at weeks 0, 2, 24, 26, 50 then every 26 weeks",),
        label_half_life="~28 days (unconfirmed)",
        sources=("Gazyva US label",),
    )


def _belimumab() -> Drug:
    st = "Struemper et al. Clin Pharmacokinet 2018;57:717 (Table 3)"
    return Drug(
        name="belimumab",
        display_name="belimumab",
        drug_class="anti-BLyS/BAFF human IgG1 mAb",
        aliases=("benlysta",),
        pk=PKModel(
            clearance=Q(204.0, "mL/day", st, cv=0.31, cv_source=st + " (omega^2 0.091)"),
            central_volume=Q(2300.0, "mL", st, cv=0.5, cv_source=st + " (omega^2 0.497, capped)"),
            peripheral_volume=Q(2650.0, "mL", st),
            intercompartmental_clearance=Q(698.0, "mL/day", st),
            reference_weight=Q(67.0, "kg", st + ": reference weight"),
            clearance_weight_exponent=Q(0.75, "dimensionless", st + " (fixed; CL and Q)"),
            volume_weight_exponent=Q(1.0, "dimensionless", st + " (fixed; Vc, Vp 0.8 not used)"),
            routes=(
                Route("iv", infusion_duration=Q(1.0, "h", "Benlysta label: over 1 h")),
                Route(
                    "sc",
                    bioavailability=Q(0.742, "dimensionless", st),
                    absorption_rate=Q(0.235, "1/day", st),
                    lag_time=Q(0.179, "day", st),
                ),
            ),
            molecular_weight=Q(147.0, "kg/mol", "Benlysta label: ~147 kDa"),
        ),
        mechanism=(
            Effect(
                "baff",
                "neutralise",
                "binds soluble BLyS/BAFF: lowers B-cell survival signals",
                "Benlysta label",
                potency=Q(
                    1.0,
                    "mg/L",
                    "calibrated: >95% soluble-BAFF neutralisation at the 10 mg/kg trough (~60 "
                    "mg/L; unconfirmed)",
                ),
                knob="baff_free_fraction",
            ),
        ),
        label_regimens=(
            "belimumab 10 mg/kg IV on days 0, 14, 28 then every 28 days",
            "belimumab 200 mg SC weekly",
        ),
        label_half_life="19.4 days",
        sources=(st, "Struemper et al. J Clin Pharmacol 2013;53:711", "Benlysta US label"),
    )


def _anifrolumab() -> Drug:
    alm = "Almquist et al. J Clin Pharmacol 2022;62:1106 (Table 1)"
    return Drug(
        name="anifrolumab",
        display_name="anifrolumab",
        drug_class="anti-IFNAR1 human IgG1 mAb",
        aliases=("saphnelo",),
        pk=PKModel(
            clearance=Q(0.193, "L/day", alm + " (IFNGS-high)", cv=0.33, cv_source=alm),
            central_volume=Q(2.93, "L", alm, cv=0.269, cv_source=alm),
            peripheral_volume=Q(3.30, "L", alm),
            intercompartmental_clearance=Q(0.937, "L/day", alm),
            saturable_vmax=Q(
                3.35,
                "mg/day",
                alm + ": QSS-TMDD with kint = kdeg = 77.4/day keeps total IFNAR1 at R0 = 0.0999 "
                "nM, so receptor-mediated elimination is Michaelis-Menten with Vmax = kint x R0 x "
                "Vc x 148 kDa",
            ),
            saturable_km=Q(0.105, "mg/L", alm + ": Kss 0.712 nM x 148 kDa"),
            reference_weight=Q(69.1, "kg", alm),
            clearance_weight_exponent=Q(0.601, "dimensionless", alm),
            volume_weight_exponent=Q(0.764, "dimensionless", alm),
            time_varying_clearance=TimeVaryingClearance(
                max_log_change=Q(-0.155, "dimensionless", alm + ": Tmax"),
                time_to_half=Q(380.0, "day", alm + ": TC50"),
                hill=Q(1.0, "dimensionless", alm),
            ),
            routes=(Route("iv", infusion_duration=Q(30.0, "min", "Saphnelo label: 30 min")),),
            molecular_weight=Q(148.0, "kg/mol", alm),
        ),
        mechanism=(
            Effect(
                "ifn_type1",
                "block_receptor",
                "binds IFNAR1: blocks signalling of all type I interferons",
                "Saphnelo label",
                potency=Q(0.712, "nmol/L", alm + ": Kss"),
                knob="ifnar_signalling",
            ),
        ),
        label_regimens=("anifrolumab 300 mg IV every 28 days",),
        label_half_life="not stated (nonlinear); phase 1: Cmax 82.4 ug/mL after 300 mg IV",
        sources=(alm, "Saphnelo US label"),
    )


def _tofacitinib() -> Drug:
    return Drug(
        name="tofacitinib",
        display_name="tofacitinib",
        drug_class="JAK inhibitor (JAK1/JAK3 > JAK2)",
        aliases=("xeljanz",),
        pk=PKModel(
            clearance=Q(
                18.4,
                "L/h",
                "Dowty et al. Drug Metab Dispos 2014 (IV clearance; recalled, unconfirmed)",
                cv=0.25,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(87.0, "L", "Xeljanz label: Vd 87 L"),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(0.74, "dimensionless", "Xeljanz label: F 74%"),
                    absorption_rate=Q(3.0, "1/h", "unconfirmed: label tmax 0.5-1 h"),
                ),
            ),
            molecular_weight=Q(312.4, "g/mol", "tofacitinib molar mass (free base)"),
            concentration_unit="ng/mL",
        ),
        mechanism=(
            Effect(
                "gamma_chain_cytokine_signalling",
                "inhibit_signalling",
                "JAK1/JAK3: blocks IL-2, IL-7, IL-15, IL-21 signalling (lymphocyte survival, NK); "
                "modelled as less IL-2-driven effector and germinal-centre proliferation",
                "drugs.csv; Xeljanz label",
                potency=Q(0.016, "mg/L", _JAK_IC50_NOTE + " (5 mg twice daily: ~16 ng/mL)"),
                knob="lymphocyte_proliferation_factor",
            ),
            Effect(
                "ifn_type1",
                "inhibit_signalling",
                "JAK1/TYK2-dependent type I interferon signalling",
                "drugs.csv",
                potency=Q(0.016, "mg/L", _JAK_IC50_NOTE + " (5 mg twice daily: ~16 ng/mL)"),
                knob="ifnar_signalling",
            ),
            *_jak_il6_effects(
                "JAK1: blocks IL-6 and type I/II interferon signalling",
                "drugs.csv",
                Q(
                    0.016,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state concentration of 5 mg "
                    "twice daily (~16 ng/mL); no in vivo EC50 found (unconfirmed)",
                ),
            ),
        ),
        label_regimens=("tofacitinib 5 mg twice daily", "tofacitinib 10 mg twice daily"),
        label_half_life="~3 h",
        sources=("Xeljanz US label", "Dowty et al. Drug Metab Dispos 2014"),
    )


def _baricitinib() -> Drug:
    return Drug(
        name="baricitinib",
        display_name="baricitinib",
        drug_class="JAK inhibitor (JAK1/JAK2)",
        aliases=("olumiant",),
        pk=PKModel(
            clearance=Q(
                8.9, "L/h", "Olumiant label: CL 8.9 L/h in RA", cv=0.3, cv_source=UNCONFIRMED_IIV
            ),
            central_volume=Q(76.0, "L", "Olumiant label: Vd 76 L"),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(0.79, "dimensionless", "Olumiant label: F 79%"),
                    absorption_rate=Q(2.0, "1/h", "unconfirmed: label tmax ~1 h"),
                ),
            ),
            molecular_weight=Q(371.4, "g/mol", "baricitinib molar mass"),
            concentration_unit="ng/mL",
            notes="One compartment: reproduces the healthy-volunteer t1/2 (~6 h) rather than "
            "the longer RA estimate (12.5 h); 69% renal elimination not linked to kidney "
            "function.",
        ),
        mechanism=(
            *_jak_il6_effects(
                "JAK1/JAK2: blocks IL-6, IFN-g and GM-CSF signalling",
                "drugs.csv; Olumiant label",
                Q(
                    0.0145,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state concentration of 4 mg "
                    "daily (~14.5 ng/mL); no in vivo EC50 found (unconfirmed)",
                ),
            ),
            Effect(
                "ifn_type1",
                "inhibit_signalling",
                "JAK1/TYK2-dependent type I interferon signalling",
                "drugs.csv",
                potency=Q(
                    0.0145,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state concentration of 4 mg "
                    "daily (~14.5 ng/mL); no in vivo EC50 found (unconfirmed)",
                ),
                knob="ifnar_signalling",
            ),
        ),
        label_regimens=("baricitinib 4 mg daily", "baricitinib 2 mg daily"),
        label_half_life="5.7-12.5 h",
        sources=("Olumiant US label",),
    )


def _upadacitinib() -> Drug:
    moh = "Mohamed et al. Clin Pharmacokinet 2020;59:531"
    return Drug(
        name="upadacitinib",
        display_name="upadacitinib (extended release)",
        drug_class="JAK inhibitor (JAK1 selective)",
        aliases=("rinvoq",),
        pk=PKModel(
            clearance=Q(
                30.0,
                "L/h",
                "unconfirmed: systemic CL consistent with the immediate-release t1/2 ~4 h "
                "(" + moh + ")",
                cv=0.3,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(160.0, "L", "unconfirmed (see clearance)"),
            routes=(
                Route(
                    "oral",
                    bioavailability=Q(0.76, "dimensionless", "drugs.csv ~76% (unconfirmed)"),
                    absorption_rate=Q(
                        0.07,
                        "1/h",
                        "calibrated: extended-release terminal t1/2 9-14 h (" + moh + "), "
                        "absorption-limited",
                    ),
                ),
            ),
            molecular_weight=Q(380.4, "g/mol", "upadacitinib molar mass"),
            concentration_unit="ng/mL",
        ),
        mechanism=(
            *_jak_il6_effects(
                "JAK1: blocks IL-6, type I and II interferon and gamma-chain cytokine signalling",
                "drugs.csv; Rinvoq label",
                Q(
                    0.016,
                    "mg/L",
                    "calibrated: half-maximal at the mean steady-state concentration of 15 mg "
                    "daily (~16 ng/mL); no in vivo EC50 found (unconfirmed)",
                ),
            ),
            Effect(
                "gamma_chain_cytokine_signalling",
                "inhibit_signalling",
                "JAK1 is needed for gamma-chain cytokine signalling (IL-2, IL-7, IL-15, IL-21): "
                "modelled as less IL-2-driven effector and germinal-centre proliferation",
                "drugs.csv; Rinvoq label",
                potency=Q(0.016, "mg/L", _JAK_IC50_NOTE + " (15 mg daily: ~16 ng/mL)"),
                knob="lymphocyte_proliferation_factor",
            ),
            Effect(
                "ifn_type1",
                "inhibit_signalling",
                "JAK1/TYK2-dependent type I interferon signalling",
                "drugs.csv; Rinvoq label",
                potency=Q(0.016, "mg/L", _JAK_IC50_NOTE + " (15 mg daily: ~16 ng/mL)"),
                knob="ifnar_signalling",
            ),
        ),
        label_regimens=("upadacitinib 15 mg daily",),
        label_half_life="9-14 h (extended release)",
        sources=(moh, "Rinvoq US label"),
    )


def _ivig() -> Drug:
    return Drug(
        name="ivig",
        display_name="intravenous immunoglobulin (IVIG)",
        drug_class="pooled human IgG",
        aliases=("intravenous immunoglobulin", "igiv"),
        pk=PKModel(
            clearance=Q(
                0.19,
                "L/day",
                "calibrated: IgG t1/2 21-30 days (drugs.csv, Bleeker et al. Blood 2001)",
                cv=0.3,
                cv_source=MAB_IIV,
            ),
            central_volume=Q(
                4.0,
                "L",
                "assumption: plasma plus fast-equilibrating fluid (~0.057 L/kg; unconfirmed)",
            ),
            peripheral_volume=Q(3.0, "L", "assumption: extravascular IgG (unconfirmed)"),
            intercompartmental_clearance=Q(1.0, "L/day", "assumption (unconfirmed)"),
            volume_weight_exponent=Q(1.0, "dimensionless", "IgG volumes scale with weight"),
            clearance_weight_exponent=Q(1.0, "dimensionless", "IgG catabolism scales with weight"),
            routes=(Route("iv", infusion_duration=Q(4.0, "h", "typical IVIG infusion (3-6 h)")),),
            molecular_weight=Q(150.0, "kg/mol", "IgG"),
            notes="The infused IgG's own clearance is linear: it does not speed up when FcRn "
            "saturates. In the immune model it joins the patient's IgG (exogenous_igg), so "
            "high doses saturate FcRn for the patient's IgG and autoantibodies.",
        ),
        mechanism=(
            Effect(
                "igg",
                "replace",
                "infused IgG joins the patient's: it protects (opsonisation) in antibody "
                "deficiency, reads in serum IgG and competes for FcRn, so high doses speed "
                "the catabolism of all IgG including autoantibodies (FcRn saturation)",
                "drugs.csv; Bleeker et al. Blood 2001",
                knob="exogenous_igg",
            ),
            Effect(
                "fc_gamma_receptors",
                "block_receptor",
                "FcgammaR blockade on splenic macrophages (and upregulated inhibitory "
                "FcgammaRIIB): antibody-coated platelets are cleared less",
                "drugs.csv; Imbach et al. Lancet 1981;1:1228",
                potency=Q(
                    10000.0,
                    "mg/L",
                    "calibrated: 2 g/kg (peak ~+25 g/L) blocks most Fc-gamma receptor "
                    "clearance for 2-3 weeks, 0.4 g/kg replacement (+~5 g/L) little "
                    "(platelet responses in ITP within days, lasting 2-4 weeks: Imbach 1981; "
                    "unconfirmed)",
                ),
                knob="fc_gamma_receptor_function",
            ),
        ),
        label_regimens=(
            "ivig 0.4 g/kg IV every 28 days",
            "ivig 1 g/kg IV daily for 2 days",
        ),
        label_half_life="IgG 21-30 days",
        sources=("Bleeker et al. Blood 2001", "drugs.csv"),
    )


def _natalizumab() -> Drug:
    smpc = "Tysabri EU SmPC 5.2"
    return Drug(
        name="natalizumab",
        display_name="natalizumab",
        drug_class="anti-alpha4 integrin humanised IgG4 mAb",
        aliases=("tysabri",),
        pk=PKModel(
            clearance=Q(
                6.1, "mL/h", smpc + ": population linear clearance", cv=0.3, cv_source=MAB_IIV
            ),
            central_volume=Q(
                3.6, "L", "calibrated: " + smpc + " Cmax 110 ug/mL after repeated 300 mg"
            ),
            peripheral_volume=Q(2.36, "L", smpc + ": Vss 5.96 L minus central volume"),
            intercompartmental_clearance=Q(1.0, "L/day", "assumption (unconfirmed)"),
            saturable_vmax=Q(
                4.0,
                "mg/day",
                "calibrated: " + smpc + " steady-state trough 23-29 ug/mL (alpha4-integrin "
                "target-mediated elimination)",
            ),
            saturable_km=Q(
                10.0,
                "ug/mL",
                "assumption: makes the low-concentration t1/2 ~11-16 d (US label 11 +/- 4 d)",
            ),
            routes=(Route("iv", infusion_duration=Q(1.0, "h", "Tysabri label: over 1 h")),),
            molecular_weight=Q(149.0, "kg/mol", "Tysabri label: ~149 kDa"),
            notes="Anti-drug antibodies (2.45-fold CL) are not modelled.",
        ),
        mechanism=(
            Effect(
                "lymphocyte_cns_entry",
                "block_migration",
                "binds alpha4 integrin (VLA-4): blocks VCAM-1 adhesion and lymphocyte entry "
                "into the CNS (and gut)",
                "Tysabri label; drugs.csv",
                potency=Q(
                    1.0,
                    "mg/L",
                    "literature, declared: serum natalizumab above ~1-2 mg/L keeps "
                    "alpha4-integrin saturation above ~70-80% (Khatri et al. Neurology "
                    "2009;72:402; recalled, unconfirmed), far below the ~20-30 mg/L "
                    "steady-state trough of 300 mg every 4 weeks. The AFFIRM calibration "
                    "multiplies it by 5.62 (trials/calibration.json, virtual twins, 120 "
                    "patients; ARR 0.12 at x1, 0.18 at x3.16, 0.21 at x5.62, 0.29 at x10, "
                    "published 0.22; 2-year progression 15.8-16.7%, published 17%); x3.16 "
                    "on the half-decade grid before the search refined between its points "
                    "(2026-12-07), x10 until the MS relapse triggers were recalibrated on "
                    "2026-12-06 (docs/calibration.md)",
                ),
                knob="lymphocyte_cns_entry",
            ),
        ),
        label_regimens=("natalizumab 300 mg IV every 28 days",),
        label_half_life="11 +/- 4 days (US label); SmPC range 11.6-46.2 days",
        sources=(smpc, "Tysabri US label"),
    )


def _interferon_beta() -> Drug:
    hv = (
        "Rebif healthy-volunteer PK study, J Interferon Cytokine Res 1999 (IV half-lives 3 min, "
        "42 min, 22 h; SC/IM F 30%/27%; terminal t1/2 66 h after repeated SC)"
    )
    return Drug(
        name="interferon_beta_1a",
        display_name="interferon beta-1a",
        drug_class="type I interferon",
        aliases=("ifn beta-1a", "ifn beta", "rebif", "avonex", "interferon beta"),
        pk=PKModel(
            clearance=Q(
                40.0,
                "L/h",
                "unconfirmed: with the volume below gives the 42-min disposition half-life ("
                + hv
                + ")",
                cv=0.3,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(40.0, "L", "unconfirmed (see clearance)"),
            routes=(
                Route(
                    "sc",
                    bioavailability=Q(0.30, "dimensionless", hv),
                    absorption_rate=Q(
                        0.252,
                        "1/day",
                        "calibrated: absorption-limited terminal t1/2 66 h (" + hv + ")",
                    ),
                ),
                Route(
                    "im",
                    bioavailability=Q(0.27, "dimensionless", hv),
                    absorption_rate=Q(
                        1.66, "1/day", "unconfirmed: Avonex IM apparent t1/2 ~10 h (drugs.csv)"
                    ),
                ),
            ),
            units_per_mg=Q(2.7e8, "IU/mg", "Rebif label: ~270 MIU per mg"),
            molecular_weight=Q(22.5, "kg/mol", "Rebif label: ~22.5 kDa"),
            concentration_unit="ng/L",
        ),
        mechanism=(
            Effect(
                "ifnar",
                "agonise",
                "type I interferon receptor agonist: in MS lowers T-cell activation and "
                "blood-brain-barrier trafficking, raises IL-10",
                "drugs.csv; Rebif label",
            ),
            Effect(
                "lymphocyte_cns_entry",
                "block_migration",
                "lowers MMP-9 and VLA-4 on T cells and tightens the blood-brain barrier: "
                "fewer effector T cells enter the CNS (the IFNAR effect the model carries)",
                "Stuve et al. Ann Neurol 1996;40:853; Calabresi et al. Neurology 1997;49:1111",
                potency=Q(
                    1.0,
                    "IU/mL",
                    "assumption: half-maximal effect at ~1 IU/mL of serum IFN-beta activity "
                    "(44 ug SC three times weekly gives ~1-3 IU/mL; unconfirmed)",
                ),
                knob="lymphocyte_cns_entry",
            ),
        ),
        label_regimens=(
            "interferon_beta_1a 44 ug SC three times weekly",
            "interferon_beta_1a 30 ug IM weekly",
        ),
        label_half_life="SC: ~66 h after repeated doses (absorption-limited); IM ~10 h",
        sources=(hv, "Rebif and Avonex US labels"),
    )


def _teplizumab() -> Drug:
    return Drug(
        name="teplizumab",
        display_name="teplizumab",
        drug_class="anti-CD3 humanised Fc-modified IgG1 mAb (non-depleting)",
        aliases=("tzield",),
        pk=PKModel(
            clearance=Q(
                0.52,
                "L/day",
                "unconfirmed: derived from a recalled Tzield label t1/2 ~4.5 days and the volume",
                cv=0.3,
                cv_source=MAB_IIV,
            ),
            central_volume=Q(3.4, "L", "unconfirmed (typical mAb plasma volume)"),
            routes=(Route("iv", infusion_duration=Q(30.0, "min", "Tzield label: >= 30 min")),),
            molecular_weight=Q(150.0, "kg/mol", "IgG1"),
            notes="CD3 target-mediated disposition is not modelled; values to be confirmed.",
        ),
        mechanism=(
            Effect(
                "cd3",
                "partial_agonise",
                "partial agonist of CD3: removes activated self-reactive effector T cells "
                "during the course (the transient lymphopenia, more Tregs and exhausted CD8 "
                "T cells are not modelled apart)",
                "Tzield label; drugs.csv; Herold et al. NEJM 2019;381:603",
                potency=Q(
                    0.05,
                    "mg/L",
                    "calibrated: TN-10 time to stage-3 diabetes (Herold et al. NEJM 2019)",
                ),
                knob="effector_t_depletion_rate",
            ),
            Effect(
                "cd8_t_cells",
                "partial_agonise",
                "partial CD3 signalling leaves self-reactive CD8 T cells exhausted-like "
                "(KLRG1+TIGIT+), expanding poorly for a year or more",
                "Long et al. Sci Immunol 2016;1:eaai7793",
                potency=Q(
                    0.05,
                    "mg/L",
                    "calibrated: TN-10 time to stage-3 diabetes (Herold et al. NEJM 2019)",
                ),
                knob="effector_t_exhaustion_rate",
            ),
        ),
        label_regimens=(
            "teplizumab 65, 125, 250, 500 ug/m2 IV on days 0, 1, 2, 3 then 1030 ug/m2 daily "
            "for 10 doses",
        ),
        label_half_life="~4.5 days (unconfirmed)",
        sources=("Tzield US label",),
    )


def _aldesleukin() -> Drug:
    konrad = "Konrad et al. Cancer Res 1990;50:2009 (drugs.csv)"
    return Drug(
        name="aldesleukin_low_dose",
        display_name="low-dose aldesleukin (IL-2)",
        drug_class="interleukin-2",
        aliases=("aldesleukin", "il-2", "il2", "low-dose il-2", "proleukin"),
        pk=PKModel(
            clearance=Q(
                270.0,
                "mL/min",
                konrad + ": CL 120-420 mL/min (renal)",
                cv=0.4,
                cv_source=UNCONFIRMED_IIV,
            ),
            central_volume=Q(
                33.0,
                "L",
                "derived: CL x elimination t1/2 85 min / ln 2 (" + konrad + "); one compartment "
                "(the 13-min distribution phase is not modelled)",
            ),
            routes=(
                Route(
                    "sc",
                    bioavailability=Q(0.40, "dimensionless", "drugs.csv: SC 31-47%"),
                    absorption_rate=Q(0.25, "1/h", "unconfirmed: SC tmax ~3-6 h"),
                ),
                Route("iv", infusion_duration=Q(15.0, "min", "Proleukin label: 15-min infusion")),
            ),
            units_per_mg=Q(1.64e7, "IU/mg", "Proleukin label: 18 MIU per 1.1 mg"),
            molecular_weight=Q(15.3, "kg/mol", "aldesleukin ~15.3 kDa"),
            concentration_unit="ng/L",
        ),
        mechanism=(
            Effect(
                "treg",
                "expand",
                "low doses engage the high-affinity IL-2 receptor (CD25/CD122/CD132) on Tregs "
                "first: more Treg proliferation",
                "drugs.csv; Klatzmann & Abbas Nat Rev Immunol 2015;15:283",
                potency=Q(
                    0.01,
                    "nmol/L",
                    "high-affinity IL-2 receptor Kd ~10 pM (Wang & Smith J Exp Med "
                    "1987;166:1055; Stauber et al. PNAS 2006;103:2788)",
                ),
                knob="treg_proliferation_factor",
            ),
            Effect(
                "effector_t_cells",
                "expand",
                "higher concentrations engage the intermediate-affinity receptor (CD122/CD132) "
                "on effector and memory T cells: more IL-2-driven effector proliferation",
                "Klatzmann & Abbas Nat Rev Immunol 2015;15:283",
                potency=Q(
                    1.0,
                    "nmol/L",
                    "intermediate-affinity IL-2 receptor Kd ~1 nM (Wang & Smith J Exp Med "
                    "1987;166:1055; Stauber et al. PNAS 2006;103:2788)",
                ),
                knob="lymphocyte_proliferation_factor",
            ),
            Effect(
                "nk_cells",
                "expand",
                "intermediate-affinity IL-2 receptor on NK cells: NK proliferation at "
                "high doses (high-dose IL-2 expands NK cells)",
                "Klatzmann & Abbas Nat Rev Immunol 2015;15:283",
                potency=Q(
                    1.0,
                    "nmol/L",
                    "intermediate-affinity IL-2 receptor Kd ~1 nM (Wang & Smith J Exp Med "
                    "1987;166:1055; Stauber et al. PNAS 2006;103:2788)",
                ),
                knob="nk_il2_proliferation_rate",
            ),
        ),
        label_regimens=("aldesleukin_low_dose 1 MIU SC every other day for 5 doses",),
        label_half_life="IV: 13 min distribution, 85 min elimination",
        sources=(konrad, "Proleukin US label"),
    )


def _nivolumab() -> Drug:
    bajaj = "Bajaj et al. CPT Pharmacometrics Syst Pharmacol 2017;6:58 (DDMORE DDMODEL00000284)"
    return Drug(
        name="nivolumab",
        display_name="nivolumab",
        drug_class="anti-PD-1 human IgG4 mAb",
        aliases=("opdivo",),
        pk=PKModel(
            clearance=Q(
                0.266,
                "L/day",
                bajaj + ": 9.40 mL/h (female reference) x exp(0.165) for the male reference",
                cv=0.362,
                cv_source=bajaj + " (omega^2 0.123)",
            ),
            central_volume=Q(
                4.23,
                "L",
                bajaj + ": 3.63 L (female) x exp(0.152)",
                cv=0.362,
                cv_source=bajaj,
            ),
            peripheral_volume=Q(2.78, "L", bajaj),
            intercompartmental_clearance=Q(0.0321, "L/h", bajaj),
            reference_weight=Q(80.0, "kg", bajaj),
            clearance_weight_exponent=Q(0.566, "dimensionless", bajaj),
            volume_weight_exponent=Q(0.597, "dimensionless", bajaj),
            female_clearance_factor=Q(0.848, "dimensionless", bajaj + ": exp(-0.165)"),
            female_volume_factor=Q(0.859, "dimensionless", bajaj + ": exp(-0.152)"),
            time_varying_clearance=TimeVaryingClearance(
                max_log_change=Q(-0.295, "dimensionless", bajaj + ": Emax (CL falls ~25%)"),
                time_to_half=Q(1410.0, "h", bajaj + ": T50"),
                hill=Q(3.15, "dimensionless", bajaj),
            ),
            routes=(Route("iv", infusion_duration=Q(30.0, "min", "Opdivo label: 30 min")),),
            molecular_weight=Q(146.0, "kg/mol", "Opdivo label: ~146 kDa"),
        ),
        mechanism=(
            Effect(
                "pd1",
                "block_receptor",
                "blocks PD-1 on T cells: lowers peripheral tolerance (immune-related adverse "
                "events)",
                "Opdivo label; drugs.csv",
                potency=Q(
                    0.1,
                    "mg/L",
                    "calibrated: PD-1 occupancy plateaus at doses >=0.3 mg/kg (Brahmer et al. J "
                    "Clin Oncol 2010;28:3167), i.e. near-saturation above ~1 mg/L (unconfirmed)",
                ),
                knob="pd1_strength",
            ),
        ),
        label_regimens=(
            "nivolumab 240 mg IV every 14 days",
            "nivolumab 480 mg IV every 28 days",
            "nivolumab 3 mg/kg IV every 14 days",
        ),
        label_half_life="25 days",
        sources=(bajaj, "Opdivo US label"),
    )


def _pembrolizumab() -> Drug:
    aha = "Ahamadi et al. CPT Pharmacometrics Syst Pharmacol 2017;6:49 (Table 3)"
    return Drug(
        name="pembrolizumab",
        display_name="pembrolizumab",
        drug_class="anti-PD-1 humanised IgG4 mAb",
        aliases=("keytruda",),
        pk=PKModel(
            clearance=Q(0.22, "L/day", aha, cv=0.38, cv_source=aha),
            central_volume=Q(3.48, "L", aha, cv=0.21, cv_source=aha),
            peripheral_volume=Q(4.06, "L", aha),
            intercompartmental_clearance=Q(0.795, "L/day", aha),
            reference_weight=Q(76.8, "kg", aha),
            clearance_weight_exponent=Q(0.595, "dimensionless", aha + " (CL and Q)"),
            volume_weight_exponent=Q(0.489, "dimensionless", aha + " (Vc and Vp)"),
            female_clearance_factor=Q(0.848, "dimensionless", aha + ": -15.2%"),
            female_volume_factor=Q(0.866, "dimensionless", aha + ": -13.4%"),
            routes=(Route("iv", infusion_duration=Q(30.0, "min", "Keytruda label: 30 min")),),
            molecular_weight=Q(149.0, "kg/mol", "Keytruda label: ~149 kDa"),
        ),
        mechanism=(
            Effect(
                "pd1",
                "block_receptor",
                "blocks PD-1 binding to PD-L1/PD-L2",
                "Keytruda label",
                potency=Q(
                    0.1,
                    "mg/L",
                    "assumption: as nivolumab (unconfirmed)",
                ),
                knob="pd1_strength",
            ),
        ),
        label_regimens=(
            "pembrolizumab 200 mg IV every 21 days",
            "pembrolizumab 400 mg IV every 42 days",
        ),
        label_half_life="22 days",
        sources=(aha, "Keytruda US label"),
    )


def _ipilimumab() -> Drug:
    label = "Yervoy US label 12.3"
    return Drug(
        name="ipilimumab",
        display_name="ipilimumab",
        drug_class="anti-CTLA-4 human IgG1 mAb",
        aliases=("yervoy",),
        pk=PKModel(
            clearance=Q(16.8, "mL/h", label, cv=0.38, cv_source=label),
            central_volume=Q(4.0, "L", "assumption: central part of label Vss 7.21 L"),
            peripheral_volume=Q(3.2, "L", "label Vss 7.21 L minus central volume"),
            intercompartmental_clearance=Q(
                0.406, "L/day", "calibrated: label terminal t1/2 15.4 days"
            ),
            clearance_weight_exponent=Q(
                0.7, "dimensionless", label + ": CL rises with weight (exponent unconfirmed)"
            ),
            routes=(Route("iv", infusion_duration=Q(90.0, "min", "Yervoy label: 90 min")),),
            molecular_weight=Q(148.0, "kg/mol", "Yervoy label: ~148 kDa"),
        ),
        mechanism=(
            Effect(
                "ctla4",
                "block_receptor",
                "blocks CTLA-4 binding to CD80/CD86: more costimulation, less Treg control; "
                "depletes intratumoral Tregs",
                "Yervoy label; drugs.csv",
                potency=Q(
                    10.0,
                    "mg/L",
                    "calibrated: partial CTLA-4 blockade at 3 mg/kg (trough ~20 mg/L), more at 10 "
                    "mg/kg (exposure-response of Feng et al. Clin Cancer Res 2013; unconfirmed)",
                ),
                knob="ctla4_strength",
            ),
        ),
        label_regimens=(
            "ipilimumab 3 mg/kg IV every 21 days for 4 doses",
            "ipilimumab 1 mg/kg IV every 21 days for 4 doses",
        ),
        label_half_life="15.4 days",
        sources=(label,),
    )


_MACKENSEN = "Mackensen et al. Nat Med 2022;28:2124"
_MULLER = "Mueller et al. N Engl J Med 2024;390:687"
_STEIN = "Stein et al. CPT Pharmacometrics Syst Pharmacol 2019;8:285"


def _car_t() -> Drug:
    return Drug(
        name="cd19_car_t",
        display_name="CD19 CAR-T cells (after fludarabine/cyclophosphamide)",
        drug_class="cell therapy",
        aliases=("car-t", "car_t", "cd19 car-t", "cd19 car t"),
        pk=None,
        cells=CellProduct(
            expansion_rate=Q(
                1.3,
                "1/day",
                _STEIN + ": tisagenlecleucel expansion doubling time ~0.8 day (unconfirmed "
                "for the autoimmune product)",
            ),
            programme_half_life=Q(
                5.0,
                "day",
                "calibrated: expansion peaks about day 9 in SLE (" + _MACKENSEN + ")",
            ),
            antigen="b_cells_total",
            antigen_half_saturation=Q(
                500.0,
                "cells/uL",
                "assumption: CAR-T engage CD19+ cells efficiently until B cells fall below "
                "~0.3% of their healthy pool (unconfirmed)",
            ),
            effector_death_rate=Q(
                0.15,
                "1/day",
                "calibrated: CAR-T contraction with a half-life of ~4-5 days after the peak "
                "(" + _STEIN + ", first decline phase; unconfirmed)",
            ),
            memory_formation_rate=Q(
                0.01,
                "1/day",
                "calibrated: ~6% of effectors persist as memory (a slow second phase, "
                + _STEIN
                + "); unconfirmed",
            ),
            memory_death_rate=Q(
                0.02,
                "1/day",
                "calibrated: B cells reappear 110 +/- 32 days after infusion in SLE ("
                + _MACKENSEN
                + "; "
                + _MULLER
                + ": mean ~112 days), when persisting CAR-T no longer outpace B-cell "
                "production; persistence is shorter in SLE than in lymphoma",
            ),
            conditioning_survival=Q(
                0.1,
                "dimensionless",
                "assumption: fludarabine 25 mg/m2 x3 + cyclophosphamide 1000 mg/m2 leave "
                "~10% of blood lymphocytes at the nadir (Turtle et al. Sci Transl Med 2016;"
                "8:355ra116; " + _MACKENSEN + " regimen); unconfirmed",
            ),
            conditioning_days=Q(
                3.0,
                "day",
                "fludarabine on 3 days (" + _MACKENSEN + "), here from the infusion on",
            ),
            notes="Conditioning acts from the infusion for 3 days (given on days -5 to -3 in "
            "practice). Memory CAR-T do not re-expand when B cells return. Neurotoxicity "
            "(ICANS) and prolonged cytopenias are not modelled.",
        ),
        mechanism=(
            Effect(
                "b_cells",
                "deplete",
                "kills CD19+ B cells (naive, memory, germinal-centre): B-cell aplasia while "
                "CAR-T persist",
                "drugs.csv; " + _MACKENSEN,
                potency=Q(
                    1000.0,
                    "cells/uL",
                    "calibrated: B cells reappear 110 +/- 32 days after infusion ("
                    + _MACKENSEN
                    + ")",
                ),
                knob="cd20_depletion_rate",
            ),
            Effect(
                "plasmablasts",
                "deplete",
                "kills CD19+ plasmablasts (not CD19- long-lived plasma cells): anti-dsDNA "
                "falls, vaccine titres stay",
                _MACKENSEN + " (seroconversion of anti-dsDNA, vaccine IgG preserved)",
                potency=Q(1000.0, "cells/uL", "assumption: as for B cells (both CD19+)"),
                knob="plasmablast_depletion_rate",
            ),
            Effect(
                "cytokine_release",
                "agonise",
                "CAR-T expansion releases IL-6 (with IFN-g and GM-CSF activating macrophages): "
                "cytokine release syndrome",
                "drugs.csv; " + _MULLER,
                potency=Q(
                    10000.0,
                    "cells/uL",
                    "calibrated: IL-6 release follows the CAR-T pool near its peak (CRS "
                    "starts with expansion, days 1-10; " + _MULLER + ")",
                ),
                knob="cell_therapy_il6_release_rate",
            ),
        ),
        label_regimens=("cd19_car_t 1e6 cells/kg IV once",),
        label_half_life="cellular kinetics: expansion to a peak near day 9, contraction "
        "(t1/2 ~4.6 days), memory persistence (t1/2 ~35 days)",
        sources=("drugs.csv (published case series)", _MACKENSEN, _MULLER, _STEIN),
    )


def _treg_cells() -> Drug:
    bluestone = "Bluestone et al. Sci Transl Med 2015;7:315ra189"
    return Drug(
        name="treg_cell_therapy",
        display_name="adoptive regulatory T-cell therapy (polyclonal, ex vivo expanded)",
        drug_class="cell therapy",
        aliases=("treg cells", "treg therapy"),
        pk=None,
        cells=CellProduct(
            pool="treg",
            notes="The infused Tregs join the polyclonal Treg pool and share its turnover and "
            "homeostatic feedback; they are not tracked apart (" + bluestone + " found ~25% "
            "of the peak labelled cells at 1 year). Antigen-specific or engineered (CAR) "
            "Tregs are not modelled.",
        ),
        mechanism=(
            Effect(
                "treg",
                "expand",
                "adds polyclonal regulatory T cells to the patient's own",
                bluestone + " (type 1 diabetes, 0.05-26e8 cells)",
            ),
        ),
        label_regimens=("treg_cell_therapy 3e6 cells/kg IV once",),
        label_half_life="the model's Treg turnover (infused cells join the Treg pool)",
        sources=("drugs.csv", bluestone),
    )


def library() -> dict[str, Drug]:
    """Every declared drug by name (a fresh dict)."""
    drugs = [
        _prednisone(),
        _methylprednisolone(),
        _methotrexate(),
        _azathioprine(),
        _mycophenolate(),
        _hydroxychloroquine(),
        _voclosporin(),
        _infliximab(),
        _adalimumab(),
        _etanercept(),
        _tocilizumab(),
        _abatacept(),
        _rituximab(),
        _ocrelizumab(),
        _obinutuzumab(),
        _belimumab(),
        _anifrolumab(),
        _tofacitinib(),
        _baricitinib(),
        _upadacitinib(),
        _ivig(),
        _natalizumab(),
        _interferon_beta(),
        _teplizumab(),
        _aldesleukin(),
        _nivolumab(),
        _pembrolizumab(),
        _ipilimumab(),
        _car_t(),
        _treg_cells(),
    ]
    return {d.name: d for d in drugs}


DRUGS: MappingProxyType[str, Drug] = MappingProxyType(library())
"""Every declared drug by name (read-only)."""
