"""Mechanism (PD) hook-up: drug concentrations drive the immune model's hooks.

The immune-model tests share one compiled model holding rituximab, adalimumab,
tocilizumab, prednisone and IVIG; a drug that is not dosed has zero concentration, so
its hooks stay at their baselines and each test doses only the drug it checks.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from immunetwin import (
    Compartment,
    Model,
    ModelError,
    Module,
    Parameter,
    Schedule,
    Simulator,
    Species,
    StateChange,
)
from immunetwin.drugs import Drug, regimen_schedule, with_drugs
from immunetwin.drugs.pd import pd_module, unhooked_effects, with_drug_effects

DRUGS_UNDER_TEST = ["rituximab", "adalimumab", "tocilizumab", "prednisone", "ivig"]


def core() -> Model:
    """A tiny model with three hooks, for the builder's structure (no simulation)."""
    module = Module(
        "core",
        compartments=[Compartment("blood", 5.0, "L", source="ICRP 89")],
        species=[Species("cells", "blood", 100.0, "cells/uL", source="test value")],
        parameters=[
            Parameter("tnf_free_fraction", 1.0, "dimensionless", source="definition: hook"),
            Parameter("cd20_depletion_rate", 0.0, "1/day", source="definition: rate hook"),
            Parameter("il6_receptor_signalling", 1.0, "dimensionless", source="definition: h"),
        ],
    )
    return Model.compose("core", [module])


def test_one_rule_per_hook_combines_drugs_with_copied_baseline() -> None:
    model = with_drug_effects(core(), ["adalimumab", "infliximab", "rituximab"])
    assert model.kind_of("tnf_free_fraction") == "rule"
    assert model.kind_of("cd20_depletion_rate") == "rule"
    assert model.kind_of("il6_receptor_signalling") == "parameter"  # not targeted
    baseline = model.element("tnf_free_fraction_baseline")
    assert baseline.value == 1.0 and baseline.source == "definition: hook"  # type: ignore[attr-defined]
    tnf = model.element("tnf_free_fraction").expression  # type: ignore[attr-defined]
    assert "adalimumab_concentration" in tnf and "infliximab_concentration" in tnf
    cd20 = model.element("cd20_depletion_rate").expression  # type: ignore[attr-defined]
    assert cd20.startswith("cd20_depletion_rate_baseline + rituximab_cd20_depletion_rate_emax")
    ec50 = model.element("adalimumab_tnf_free_fraction_ec50")
    assert ec50.unit == "mg/L" and "Pouw" in ec50.source  # type: ignore[attr-defined]
    pd_modules = [m for m in model.modules if m.name == "drug_pd"]
    assert len(pd_modules) == 1


def test_potency_units_convert_to_the_pk_concentration() -> None:
    """Prednisolone's 20 ng/mL potency becomes 0.02 mg/L of the PK model's concentration."""
    model = Model.compose(
        "core",
        [
            Module(
                "core",
                parameters=[
                    Parameter(
                        "cytokine_production_factor", 1.0, "dimensionless", source="definition"
                    ),
                    Parameter(
                        "lymphocyte_proliferation_factor", 1.0, "dimensionless", source="def"
                    ),
                    Parameter("neutrophil_adhesion_factor", 1.0, "dimensionless", source="def"),
                ],
            )
        ],
    )
    treated = with_drug_effects(model, ["prednisone"])
    ec50 = treated.element("prednisone_cytokine_production_factor_ec50")
    assert ec50.value == pytest.approx(0.02)  # type: ignore[attr-defined]


def test_missing_potency_or_hook_is_an_error_and_unhooked_effects_are_listed() -> None:
    adalimumab = _drug("adalimumab")
    unquantified = replace(
        adalimumab, mechanism=tuple(replace(e, potency=None) for e in adalimumab.mechanism)
    )
    with pytest.raises(ModelError, match="no potency"):
        pd_module(with_drugs(core(), ["adalimumab"]), [unquantified])
    with pytest.raises(ModelError, match="it is rule"):  # mechanisms are added once
        with_drug_effects(with_drug_effects(core(), ["adalimumab"]), ["infliximab"])
    with pytest.raises(ModelError, match="not a parameter"):
        with_drug_effects(core(), ["belimumab"])
    # Interferon beta's IFNAR agonism has no hook on the immune model yet: listed, not applied.
    names = {
        (d, e.target)
        for d, e in unhooked_effects([_drug("interferon_beta_1a"), _drug("teplizumab")])
    }
    assert ("interferon_beta_1a", "ifnar") in names
    assert not any(drug == "teplizumab" for drug, _ in names)


def _drug(name: str) -> Drug:
    from immunetwin.drugs import get_drug

    return get_drug(name)


def test_every_hooked_drug_acts_on_the_immune_model() -> None:
    """All drugs with PK at once: one PD module, every targeted hook a rule, units valid."""
    immune = pytest.importorskip("immunetwin.immune.model")
    from immunetwin.drugs import DRUGS

    drugs = [d for d in DRUGS.values() if d.pk is not None]
    model = with_drug_effects(immune.build_immune_model(), drugs)
    hooks = {e.knob for d in drugs for e in d.mechanism if e.knob}
    assert len(hooks) >= 10
    for hook in hooks:
        assert model.kind_of(hook) == "rule", hook
    anifrolumab = model.element("anifrolumab_ifnar_signalling_ec50")
    assert anifrolumab.value == pytest.approx(0.712 * 148_000 * 1e-6)  # type: ignore[attr-defined]
    assert model.element("nivolumab_pd1_strength_emax").value == 0.9  # type: ignore[attr-defined]


# -- the immune model under drugs ---------------------------------------------------------


@pytest.fixture(scope="session")
def simulator() -> Simulator:
    immune = pytest.importorskip("immunetwin.immune.model")
    model = with_drug_effects(immune.build_immune_model(), DRUGS_UNDER_TEST)
    return Simulator(model)


def _run(
    simulator: Simulator,
    regimens: list[str],
    days: float,
    times: Sequence[float] | np.ndarray,
    outputs: list[str],
    infection: Schedule | None = None,
) -> pd.DataFrame:
    schedule = regimen_schedule(regimens, horizon_days=days) if regimens else None
    if infection is not None:
        schedule = infection if schedule is None else schedule + infection
    return simulator.simulate(days, outputs=outputs, output_times=times, schedule=schedule)


def test_rituximab_depletes_b_cells_for_months_then_they_return(simulator: Simulator) -> None:
    """Rituxan label (RA: 1 g days 0 and 14): near-complete depletion within days,
    still depleted at 6 months, recovery from 6-12 months on (Breedveld 2007)."""
    times = [0.0, 3.0, 14.0, 182.0, 365.0, 540.0]
    f = _run(simulator, ["rituximab 1000 mg IV on days 0, 14"], 540, times, ["lab_b_cells"])
    b = f["lab_b_cells"] / f["lab_b_cells"].iloc[0]
    assert b[3.0] < 0.1  # measured ~0.005
    assert b[182.0] < 0.1  # measured ~0.02
    assert b[365.0] > 0.3  # measured ~0.55
    assert b[540.0] > 0.8  # measured ~0.93


def test_rituximab_lowers_igg_far_less_than_b_cells(simulator: Simulator) -> None:
    """Plasma cells are CD20-negative: in the first month IgG barely moves."""
    f = _run(
        simulator,
        ["rituximab 1000 mg IV on days 0, 14"],
        28,
        [0.0, 28.0],
        ["lab_b_cells", "lab_igg"],
    )
    rel = f.iloc[-1] / f.iloc[0]
    assert rel["lab_b_cells"] < 0.01  # measured ~0.002
    assert rel["lab_igg"] > 0.85  # measured ~0.91


def test_tocilizumab_prevents_the_crp_rise_of_a_bacterial_infection(
    simulator: Simulator,
) -> None:
    """IL-6R blockade: CRP stays normal while tocilizumab >1 ug/mL (Nishimoto 2008)."""
    from immunetwin.immune.scenarios import infection

    times = [0.0, 1.0, 2.0, 3.0]
    out = ["lab_crp", "il6_receptor_signalling"]
    untreated = _run(simulator, [], 3, times, out, infection("bacterial"))
    treated = _run(simulator, ["tocilizumab 8 mg/kg IV once"], 3, times, out, infection())
    assert untreated["lab_crp"][2.0] > 100  # measured ~200 mg/L
    assert treated["lab_crp"][2.0] < 0.05 * untreated["lab_crp"][2.0]  # ~0.5 mg/L
    assert treated["il6_receptor_signalling"][1.0] < 0.01


def test_tocilizumab_blocks_tissue_il6_receptors_at_higher_concentrations_than_plasma_ones(
    simulator: Simulator,
) -> None:
    """Two hooks, one concentration: the infiltrate's IL-6R needs ~10x the plasma level.

    At 4 mg/kg the plasma (hepatic, CRP) receptors stay blocked through the interval,
    while the tissue receptors recover as the level falls toward its trough.
    """
    model = simulator.model
    times = [7.0, 21.0, 27.0]
    out = ["tocilizumab_concentration", "il6_receptor_signalling", "tissue_il6_receptor_signalling"]
    treated = _run(simulator, ["tocilizumab 4 mg/kg IV once"], 27, times, out)

    def hill(hook: str, concentration: np.ndarray) -> np.ndarray:
        ec50, emax, n = (
            model.element(f"tocilizumab_{hook}_{p}").value  # type: ignore[attr-defined]
            for p in ("ec50", "emax", "hill")
        )
        ratio = (concentration / ec50) ** n
        return 1.0 - emax * ratio / (1.0 + ratio)

    concentration = treated["tocilizumab_concentration"].to_numpy()
    for hook in ("il6_receptor_signalling", "tissue_il6_receptor_signalling"):
        np.testing.assert_allclose(treated[hook].to_numpy(), hill(hook, concentration), rtol=1e-6)
    assert (treated["tissue_il6_receptor_signalling"] > treated["il6_receptor_signalling"]).all()
    assert treated["il6_receptor_signalling"][27.0] < 0.2
    assert treated["tissue_il6_receptor_signalling"][27.0] > 0.4


def test_adalimumab_neutralises_tnf_and_lowers_crp_during_infection(
    simulator: Simulator,
) -> None:
    """Anti-TNF: free TNF falls within days. CRP falls only a little here, because
    bacterial IL-6 in the immune model does not depend on TNF much (see report)."""
    from immunetwin.immune.scenarios import infection

    times = [0.0, 3.0, 5.0]
    out = ["lab_tnf", "lab_crp"]
    untreated = _run(simulator, [], 5, times, out, infection("bacterial"))
    treated = _run(simulator, ["adalimumab 40 mg SC once"], 5, times, out, infection())
    assert treated["lab_tnf"][3.0] < 0.3 * untreated["lab_tnf"][3.0]  # ~0.18
    assert treated["lab_crp"][3.0] < untreated["lab_crp"][3.0]  # ~6% lower


def test_high_dose_ivig_speeds_igg_catabolism_through_fcrn(simulator: Simulator) -> None:
    """2 g/kg IVIG: the infused IgG joins the patient's and saturates FcRn, so the
    patient's own IgG (an autoantibody's stand-in) is about 25% lower at 3-4 weeks
    (Bleeker et al. Blood 2001) while serum IgG as measured is well above baseline."""
    times = [0.0, 2.0, 21.0, 28.0]
    out = ["lab_igg", "igg_bulk", "exogenous_igg", "igg_elimination_rate"]
    f = _run(simulator, ["ivig 1 g/kg IV daily for 2 days"], 28, times, out)
    half_life = math.log(2) / f["igg_elimination_rate"]
    assert half_life[0.0] == pytest.approx(20.5, rel=0.1)
    assert half_life[2.0] < 0.7 * half_life[0.0]  # measured ~12 d
    own = f["igg_bulk"] / f["igg_bulk"].iloc[0]
    assert 0.65 < own[21.0] < 0.9  # measured ~0.80
    assert 0.65 < own[28.0] < 0.9  # measured ~0.80
    # 140 g into ~7 L of IgG space: serum IgG roughly triples at the end of the infusion.
    assert f.loc[2.0, "lab_igg"] > 2.5 * f.loc[0.0, "lab_igg"]
    assert f.loc[2.0, "lab_igg"] == pytest.approx(
        f.loc[2.0, "igg_bulk"] + f.loc[2.0, "exogenous_igg"], rel=0.01
    )


def test_replacement_ivig_regimen_restores_igg_in_cvid() -> None:
    """Replacement IVIG 0.4 g/kg every 28 days (drugs.csv) lifts a CVID patient's
    trough IgG from ~1 g/L towards the lower reference limit (published target: trough
    > 5-7 g/L at 0.4-0.6 g/kg every 3-4 weeks)."""
    from immunetwin.immune import DEFECTS, build_immune_model

    model = with_drug_effects(build_immune_model(), ["ivig"])
    sim = Simulator(model)
    cvid = dict(DEFECTS["cvid"].changes)
    settle = 365.0  # the CVID defect reaches its own steady state first
    dosing = regimen_schedule(["ivig 0.4 g/kg IV every 28 days"], horizon_days=28 * 6)
    schedule = Schedule(
        tuple(StateChange(c.time + settle, c.target, c.op, c.value) for c in dosing.changes)
    )
    times = [settle, settle + 27.9, settle + 28 * 6 - 0.1]
    outputs = ["lab_igg", "bacterial_opsonisation"]
    treated = sim.simulate(
        times[-1], outputs=outputs, output_times=times, parameters=cvid, schedule=schedule
    )
    untreated = sim.simulate(times[-1], outputs=outputs, output_times=times, parameters=cvid)
    print("\nCVID IgG (g/L) untreated vs replacement troughs:")
    print(pd.concat({"untreated": untreated, "ivig": treated}, axis=1).round(2))
    assert untreated["lab_igg"].max() < 2.0
    assert treated["lab_igg"].iloc[-1] > 4.0  # steady trough after 6 doses
    assert treated["bacterial_opsonisation"].iloc[-1] > untreated["bacterial_opsonisation"].iloc[-1]


def test_high_dose_ivig_blocks_fc_receptor_clearance_of_platelets() -> None:
    """Immune thrombocytopenia (antiplatelet IgG, platelets < 50e3/uL): 2 g/kg
    IVIG raises platelets within a week and the effect wears off over weeks (Imbach et
    al. Lancet 1981; responses in ~80%, lasting 2-4 weeks)."""
    from immunetwin.immune import build_immune_model

    model = with_drug_effects(build_immune_model(), ["ivig"])
    sim = Simulator(model)
    # An ITP patient: autoantibody IgG ~14 mg/L binding platelets 4x more avidly than
    # the default, which leaves ~25e3 platelets/uL.
    itp = {"igg_auto_natural": 1.0, "platelet_autoantibody_clearance": 0.1}
    settle = 120.0
    schedule = Schedule(
        tuple(
            StateChange(c.time + settle, c.target, c.op, c.value)
            for c in regimen_schedule(["ivig 1 g/kg IV daily for 2 days"], horizon_days=90).changes
        )
    )
    times = [settle, settle + 7.0, settle + 60.0]
    f = sim.simulate(
        settle + 60.0,
        outputs=["lab_platelets", "fc_gamma_receptor_function", "igg_auto"],
        output_times=times,
        parameters=itp,
        schedule=schedule,
    )
    print("\nITP with 2 g/kg IVIG:")
    print(f.round(2))
    before, week, later = f["lab_platelets"].to_numpy()
    assert before < 50e3
    assert week > 2 * before and week > 50e3  # the usual response criterion
    assert f["fc_gamma_receptor_function"].iloc[1] < 0.5
    assert later < 0.8 * week  # wears off as the infused IgG is cleared


def test_glucocorticoid_lowers_cytokines_at_its_peak(simulator: Simulator) -> None:
    """Prednisone 60 mg: TNF and IL-6 fall within hours of the dose (Rhen 2005)."""
    times = np.array([0.0, 2.0 / 24, 3.0 / 24])
    out = ["lab_tnf", "lab_il6", "cytokine_production_factor"]
    f = _run(simulator, ["prednisone 60 mg daily"], 1, times, out)
    rel = f.iloc[1] / f.iloc[0]
    assert rel["cytokine_production_factor"] < 0.4  # measured ~0.22
    assert rel["lab_tnf"] < 0.7
    assert rel["lab_il6"] < 0.7


def test_pk_tolerance_is_far_below_every_potency() -> None:
    """PK states are solved to PK_ABSOLUTE_TOLERANCE (mg; mg/L at an effect site): as a
    concentration (the amount's tolerance over the central volume, or the effect site's
    own) that is below 1e-4 of every drug's EC50, declared or calibrated, so the looser
    tolerance cannot move an effect."""
    immune = pytest.importorskip("immunetwin.immune.model")
    from immunetwin.drugs import DRUGS
    from immunetwin.drugs._pk import PK_ABSOLUTE_TOLERANCE
    from immunetwin.trials.calibration import CALIBRATION_FILE

    drugs = [d for d in DRUGS.values() if d.pk is not None]
    model = with_drug_effects(immune.build_immune_model(), drugs)
    calibrated = {
        name: float(value)
        for entry in json.loads(CALIBRATION_FILE.read_text())["drugs"].values()
        for name, value in entry["parameters"].items()
    }
    species = {s.name for s in model.species}
    worst: dict[str, float] = {}
    for drug in drugs:
        volume = model.element(f"{drug.name}_central_volume_typical").value  # type: ignore[attr-defined]
        concentration_tolerance = PK_ABSOLUTE_TOLERANCE / volume
        if f"{drug.name}_effect_site" in species:  # the effect site has its own, in mg/L
            concentration_tolerance = max(concentration_tolerance, PK_ABSOLUTE_TOLERANCE)
        for p in model.parameters:
            if p.name.startswith(f"{drug.name}_") and p.name.endswith("_ec50"):
                assert p.unit == "mg/L", p.name
                ec50 = min(p.value, calibrated.get(p.name, p.value))
                worst[p.name] = concentration_tolerance / ec50
    assert len(worst) >= 10
    name = max(worst, key=worst.__getitem__)
    print(f"\nlargest PK tolerance / EC50: {worst[name]:.2g} ({name})")
    assert worst[name] <= 1e-4
