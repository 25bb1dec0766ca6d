"""Complement C3/C4 (consumed by immune complexes) and the hepatic acute-phase response.

CRP and fibrinogen are made by the liver in response to IL-6 through a lagged hepatocyte
activation state (STAT3-driven transcription takes hours), which puts the CRP peak
36-50 h after an acute stimulus.
"""

from __future__ import annotations

from immunetwin import Module
from immunetwin.immune._common import LN2, PHYSIOLOGY, flow, hill, knob, par, rule, state

C3 = 1.25  # g/L
C4 = 0.30  # g/L
COMPLEMENT_HALF_LIFE = 1.5  # day
CRP_HALF_LIFE_D = 19.0 / 24.0
FIBRINOGEN = 3.0
HAEMOGLOBIN = 14.0  # g/dL


def complement_module() -> Module:
    """C3 and C4 with synthesis, catabolism and classical/alternative consumption."""
    k = LN2 / COMPLEMENT_HALF_LIFE
    parameters = [
        knob(
            "c1q_level",
            "C1q (0: C1q deficiency; classical pathway, IC and apoptotic-cell clearance fail).",
        ),
        knob("c4_synthesis_factor", "C4 synthesis (0.02: complete C4 deficiency)."),
        knob("c3_synthesis_factor", "C3 synthesis (0.02: C3 deficiency)."),
        par(
            "c3_synthesis_rate",
            C3 * k,
            "g/L/day",
            "calibrated: serum C3 ~1.25 g/L (physiology.csv c3_serum 88-206 mg/dL)",
            "Hepatic C3 synthesis.",
            cv=0.18,
        ),
        par(
            "c4_synthesis_rate",
            C4 * k,
            "g/L/day",
            "calibrated: serum C4 ~0.30 g/L (physiology.csv c4_serum 13-75 mg/dL)",
            "Hepatic C4 synthesis.",
            cv=0.3,
        ),
        par(
            "complement_half_life",
            COMPLEMENT_HALF_LIFE,
            "day",
            "complement turnover studies: C3 and C4 fractional catabolic rates ~1.5-2.5%/h "
            "(plasma half-life ~1-2 days)",
            "Plasma half-life of native C3 and C4.",
        ),
        par(
            "complement_acute_phase_gain",
            0.5,
            "dimensionless",
            "textbook: C3 and C4 are modest acute-phase reactants (+20-50%)",
            "Extra C3/C4 synthesis at full hepatic acute-phase activation.",
        ),
        par(
            "c3_reference",
            C3,
            "g/L",
            "calibrated: healthy C3 of this model",
            "Reference C3 (normalises opsonisation).",
        ),
        par(
            "c4_reference",
            C4,
            "g/L",
            "calibrated: healthy C4 of this model",
            "Reference C4 (normalises classical-pathway activity).",
        ),
        par(
            "ic_classical_k",
            1.0,
            "mg/L",
            "calibrated: SLE-like immune-complex burdens (tens of mg/L) lower C4 below 0.13 g/L",
            "Immune-complex burden giving classical-pathway activity 1.",
        ),
        par(
            "bacteria_complement_k",
            100.0,
            "CFU/uL",
            "calibrated: complement consumption in heavy bacterial infection",
            "Bacterial load of half-maximal complement activation.",
        ),
        par(
            "c4_classical_consumption",
            0.3,
            "1/day",
            "calibrated: C4 < 0.13 g/L (physiology.csv c4_serum note: SLE low <12.9 mg/dL) at "
            "SLE-like immune-complex burdens",
            "C4 consumption per unit classical-pathway activity.",
        ),
        par(
            "c3_consumption",
            0.06,
            "1/day",
            "calibrated: C3 < 0.88 g/L (physiology.csv c3_serum note: SLE low <81 mg/dL) at "
            "SLE-like immune-complex burdens",
            "C3 consumption per unit of complement activation.",
        ),
    ]
    rules = [
        rule(
            "classical_pathway_activity",
            "c1q_level * (immune_complex_burden/ic_classical_k + "
            + hill("bacteria", "bacteria_complement_k")
            + ")",
            "dimensionless",
            "Classical-pathway activation (immune complexes, antibody-coated bacteria).",
        ),
        rule(
            "alternative_pathway_activity",
            hill("bacteria", "bacteria_complement_k"),
            "dimensionless",
            "Alternative-pathway amplification on microbial surfaces.",
        ),
    ]
    species = [
        state("c3", "blood", C3, "g/L", "Serum complement C3."),
        state("c4", "blood", C4, "g/L", "Serum complement C4."),
    ]
    reactions = [
        flow(
            "c3_synthesis",
            "c3_synthesis_rate * c3_synthesis_factor * (1 + complement_acute_phase_gain * "
            "hepatic_acute_phase)",
            "Hepatic C3 synthesis (acute-phase reactant).",
            products=["c3"],
        ),
        flow(
            "c3_catabolism", "log(2)/complement_half_life * c3", "C3 catabolism.", reactants=["c3"]
        ),
        flow(
            "c3_consumption_flux",
            "c3_consumption * (classical_pathway_activity + alternative_pathway_activity) * c3",
            "C3 cleavage by classical and alternative convertases.",
            reactants=["c3"],
        ),
        flow(
            "c4_synthesis",
            "c4_synthesis_rate * c4_synthesis_factor * (1 + complement_acute_phase_gain * "
            "hepatic_acute_phase)",
            "Hepatic C4 synthesis.",
            products=["c4"],
        ),
        flow(
            "c4_catabolism", "log(2)/complement_half_life * c4", "C4 catabolism.", reactants=["c4"]
        ),
        flow(
            "c4_consumption_flux",
            "c4_classical_consumption * classical_pathway_activity * c4",
            "C4 cleavage by C1s (classical pathway).",
            reactants=["c4"],
        ),
    ]
    return Module(
        name="complement",
        description="Complement C3 and C4; C1q as a level.",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )


def acute_phase_module() -> Module:
    """Hepatocyte IL-6 response, CRP, fibrinogen, haemoglobin (hepcidin) and the ESR estimate."""
    k_crp = LN2 / CRP_HALF_LIFE_D
    parameters = [
        par(
            "crp_half_life",
            CRP_HALF_LIFE_D,
            "day",
            "physiology.csv crp_halflife (~19 h)",
            "Plasma half-life of CRP.",
        ),
        par(
            "crp_basal_synthesis",
            0.5 * k_crp,
            "mg/L/day",
            "calibrated: CRP ~1 mg/L in health (physiology.csv crp_normal 0-5 mg/L)",
            "IL-6-independent CRP synthesis.",
            cv=0.5,
        ),
        par(
            "crp_max_synthesis",
            300.0 * k_crp,
            "mg/L/day",
            "calibrated: CRP 50-300 mg/L in bacterial infection (physiology.csv crp_bacterial)",
            "CRP synthesis at full hepatic activation.",
        ),
        par(
            "il6_hepatic_ec50",
            40.0,
            "pg/mL",
            "calibrated: CRP rises >10-fold when plasma IL-6 exceeds ~20-50 pg/mL",
            "IL-6 level giving half-maximal hepatocyte activation.",
        ),
        par(
            "il6_hepatic_hill",
            2.0,
            "dimensionless",
            "calibrated: steep IL-6 -> CRP response (CRP 10-1000-fold rise)",
            "Hill coefficient of the hepatocyte IL-6 response.",
        ),
        par(
            "hepatic_response_time",
            0.2,
            "day",
            "calibrated: CRP rises within ~6 h, doubles every ~8 h and peaks 36-50 h after "
            "the stimulus (physiology.csv crp_bacterial note, crp_peak_time)",
            "Time constant of hepatocyte activation and deactivation.",
        ),
        par(
            "fibrinogen_half_life",
            4.0,
            "day",
            "textbook: fibrinogen half-life 3-5 days",
            "Plasma half-life of fibrinogen.",
        ),
        par(
            "fibrinogen_synthesis",
            FIBRINOGEN * LN2 / 4.0,
            "g/L/day",
            "calibrated: fibrinogen ~3 g/L (textbook 2-4 g/L)",
            "Basal fibrinogen synthesis.",
            cv=0.15,
        ),
        par(
            "fibrinogen_acute_phase_gain",
            1.5,
            "dimensionless",
            "textbook: fibrinogen rises 2-3-fold in the acute phase",
            "Extra fibrinogen synthesis at full hepatic activation.",
        ),
        par(
            "fibrinogen_reference",
            FIBRINOGEN,
            "g/L",
            "calibrated: healthy fibrinogen",
            "Reference fibrinogen for the ESR estimate.",
        ),
        par(
            "igg_reference",
            10.3,
            "g/L",
            "calibrated: healthy IgG of this model",
            "Reference IgG for the ESR estimate.",
        ),
        par(
            "esr_reference",
            8.0,
            "mm/h",
            "calibrated: ESR ~8 mm/h in healthy adults (physiology.csv esr_normal 0-20 mm/h): "
            "about half the upper limit of a 30-year-old man (15 mm/h); observed ESRs scale "
            "with the patient's age and sex (diseases/readouts.py esr_demographic_factor)",
            "ESR at reference fibrinogen and IgG.",
            cv=0.3,
        ),
        # -- red cells: anaemia of inflammation --------------------------------------------
        par(
            "haemoglobin_reference",
            HAEMOGLOBIN,
            "g/dL",
            "textbook: adult haemoglobin 12-16 g/dL (women) and 13.5-17.5 g/dL (men); one "
            "reference for both sexes, between-person CV 8% (sex difference not modelled)",
            "Haemoglobin the marrow maintains without inflammation or anaemia.",
            cv=0.08,
        ),
        par(
            "red_cell_lifespan",
            120.0,
            "day",
            "textbook: erythrocytes survive ~120 days (removal taken as first order)",
            "Mean red-cell lifespan.",
        ),
        par(
            "erythropoietin_gain",
            1.0,
            "dimensionless",
            "assumption: marrow output rises in proportion to the haemoglobin deficit "
            "through erythropoietin, a response blunted in inflammation (Weiss & Goodnough "
            "N Engl J Med 2005;352:1011); exponent 1 (unconfirmed)",
            "Exponent of the erythropoietin-driven marrow response to a haemoglobin deficit.",
        ),
        par(
            "hepcidin_il6_ec50",
            10.0,
            "pg/mL",
            "assumption: hepcidin responds to less IL-6 than CRP does (urinary hepcidin rose "
            "7.5-fold within 2 h of an IL-6 infusion: Nemeth et al. J Clin Invest "
            "2004;113:1271); half-maximal at 10 pg/mL (unconfirmed)",
            "IL-6 level giving half-maximal hepcidin induction.",
        ),
        par(
            "iron_restriction_max",
            0.4,
            "dimensionless",
            "calibrated: anaemia of inflammation is mild to moderate, haemoglobin rarely "
            "below 8-9 g/dL (Weiss & Goodnough N Engl J Med 2005;352:1011), and in active RA "
            "about 1-1.5 g/dL below normal (unconfirmed); 0.4 gives ~10.8 g/dL at the "
            "strongest inflammation and ~12.5 g/dL at IL-6 ~10 pg/mL",
            "Share of erythropoiesis lost at full hepcidin induction (iron sequestration).",
        ),
        par(
            "esr_haemoglobin_exponent",
            1.7,
            "dimensionless",
            "assumption: red cells sediment faster at a low haematocrit; ESR about doubles "
            "between haematocrit 45% and 30% (Fabry, Blood 1987;70:1572; unconfirmed), "
            "haematocrit taken proportional to haemoglobin",
            "Exponent of the ESR's rise as haemoglobin falls below the reference.",
        ),
    ]
    rules = [
        rule(
            "hepcidin_drive",
            "il6_signal/(il6_signal + hepcidin_il6_ec50)",
            "dimensionless",
            "Hepcidin induction by IL-6 (0-1): it sequesters iron in macrophages and gut.",
        ),
        rule(
            "hepatic_il6_drive",
            "(il6_signal/il6_hepatic_ec50)**il6_hepatic_hill / "
            "(1 + (il6_signal/il6_hepatic_ec50)**il6_hepatic_hill)",
            "dimensionless",
            "Steady-state hepatocyte activation at the current IL-6 level.",
        ),
        rule(
            "esr",
            "esr_reference * (fibrinogen/fibrinogen_reference)**2 * igg_total/igg_reference"
            " * (haemoglobin_reference/haemoglobin)**esr_haemoglobin_exponent",
            "mm/h",
            "Erythrocyte sedimentation rate estimate (fibrinogen and immunoglobulins promote "
            "rouleaux; anaemia speeds sedimentation).",
        ),
    ]
    species = [
        state(
            "hepatic_acute_phase",
            "blood",
            0.0015,
            "dimensionless",
            "Hepatocyte acute-phase activation (0-1), lagging IL-6.",
        ),
        state("crp", "blood", 0.95, "mg/L", "C-reactive protein."),
        state("fibrinogen", "blood", FIBRINOGEN, "g/L", "Plasma fibrinogen."),
        state("haemoglobin", "blood", HAEMOGLOBIN, "g/dL", "Blood haemoglobin (red-cell mass)."),
    ]
    reactions = [
        flow(
            "hepatic_activation",
            "(hepatic_il6_drive - hepatic_acute_phase) / hepatic_response_time",
            "Hepatocytes follow IL-6 with a lag (signed relaxation, stays within 0-1).",
            products=["hepatic_acute_phase"],
        ),
        flow(
            "crp_synthesis",
            "crp_basal_synthesis + crp_max_synthesis * hepatic_acute_phase",
            "Hepatic CRP synthesis.",
            products=["crp"],
        ),
        flow("crp_clearance", "log(2)/crp_half_life * crp", "CRP clearance.", reactants=["crp"]),
        flow(
            "fibrinogen_production",
            "fibrinogen_synthesis * (1 + fibrinogen_acute_phase_gain * hepatic_acute_phase)",
            "Hepatic fibrinogen synthesis.",
            products=["fibrinogen"],
        ),
        flow(
            "fibrinogen_clearance",
            "log(2)/fibrinogen_half_life * fibrinogen",
            "Fibrinogen catabolism.",
            reactants=["fibrinogen"],
        ),
        flow(
            "erythropoiesis",
            "haemoglobin_reference/red_cell_lifespan * "
            "(1 - iron_restriction_max * hepcidin_drive) * "
            "(haemoglobin_reference/haemoglobin)**erythropoietin_gain",
            "Red-cell production: erythropoietin answers a deficit; hepcidin withholds iron.",
            products=["haemoglobin"],
        ),
        flow(
            "red_cell_removal",
            "haemoglobin/red_cell_lifespan",
            "Senescent red cells removed by splenic macrophages.",
            reactants=["haemoglobin"],
        ),
    ]
    return Module(
        name="acute_phase",
        description="Hepatic acute-phase response: CRP, fibrinogen, hepcidin and anaemia, ESR.",
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )


__all__ = ["PHYSIOLOGY", "acute_phase_module", "complement_module"]
