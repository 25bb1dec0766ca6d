"""Composition: drug PK modules added to a model; covariates, variability, SBML; the hook for
mechanism rules (a knob redefined as a function of drug concentration)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from immunetwin import (
    Compartment,
    Model,
    ModelError,
    Module,
    Parameter,
    Reaction,
    Rule,
    Simulator,
    SpecError,
    Species,
    check_sbml,
    to_sbml,
)
from immunetwin.drugs import (
    DRUGS,
    PatientCovariates,
    covariate_parameters,
    drug_modules,
    get_drug,
    pk_model,
    pk_module,
    regimen_schedule,
    schedule_source,
    simulate_regimens,
    with_drugs,
)
from immunetwin.population import run_population, sample_parameters


def core() -> Model:
    module = Module(
        "core",
        compartments=[Compartment("blood", 5.0, "L", source="ICRP 89")],
        species=[Species("cells", "blood", 100.0, "cells/uL", source="test value")],
        parameters=[
            Parameter("death_rate", 0.1, "1/day", source="test value"),
            Parameter("tnf_strength", 1.0, "dimensionless", source="definition: 1 = healthy"),
            Parameter("production", 10.0, "cells/uL/day", source="test value"),
        ],
        reactions=[
            Reaction("birth", "production * tnf_strength", products={"cells": 1}),
            Reaction("death", "death_rate * cells", {"cells": 1}),
        ],
    )
    return Model.compose("core", [module])


def test_with_drugs_adds_each_pk_module_once_with_covariates() -> None:
    model = with_drugs(
        core(),
        ["adalimumab 40 mg SC every 14 days", "methotrexate 15 mg weekly", "mtx 7.5 mg weekly"],
    )
    names = [m.name for m in model.modules]
    assert names == ["core", "patient_covariates", "adalimumab_pk", "methotrexate_pk"]
    again = with_drugs(model, ["adalimumab 80 mg SC once", "prednisone 5 mg daily"])
    assert [m.name for m in again.modules][-1] == "prednisone_pk"
    assert again.kind_of("body_weight") == "parameter"
    assert with_drugs(again, ["prednisolone 5 mg daily"]) is again
    with pytest.raises(SpecError, match="unknown drug"):
        with_drugs(core(), ["aspirin 100 mg daily"])
    # A cell therapy needs the immune model's B cells to expand on.
    with pytest.raises(ModelError, match="no 'b_cells_total' to drive expansion"):
        with_drugs(core(), ["cd19_car_t 1e6 cells/kg IV once"])


def test_a_knob_becomes_a_function_of_drug_concentration() -> None:
    """The mechanism hook: replace a constant strength with an inhibition by the drug."""
    model = with_drugs(core(), ["adalimumab"])
    pd = Module(
        "adalimumab_pd",
        parameters=[
            Parameter("adalimumab_tnf_ic50", 1.0, "mg/L", source="test value"),
        ],
        rules=[
            Rule(
                "tnf_strength",
                "1 / (1 + adalimumab_concentration / adalimumab_tnf_ic50)",
                "dimensionless",
            )
        ],
    )
    treated = model.with_modules([pd], replace=["tnf_strength"])
    simulator = Simulator(treated)
    schedule = regimen_schedule(["adalimumab 40 mg SC every 14 days"], horizon_days=60)
    frame = simulator.simulate(60, outputs=["cells", "tnf_strength"], schedule=schedule)
    assert frame["tnf_strength"].iloc[0] == 1.0
    assert frame["tnf_strength"].iloc[-1] < 0.3
    assert frame["cells"].iloc[-1] < 0.5 * frame["cells"].iloc[0]


def test_immune_model_composes_with_a_therapy_and_background() -> None:
    immune = pytest.importorskip("immunetwin.immune.model")
    model = with_drugs(
        immune.build_immune_model(),
        ["adalimumab 40 mg SC every 14 days", "methotrexate 15 mg weekly"],
    )
    assert model.kind_of("adalimumab_concentration") == "rule"
    assert model.kind_of("methotrexate_effect_site") == "species"


def test_every_pk_module_composes_and_exports_valid_sbml() -> None:
    drugs = [d for d in DRUGS.values() if d.pk is not None]
    model = pk_model(drugs, name="all_drugs")
    assert not check_sbml(to_sbml(model))
    for drug in drugs:
        for parameter in pk_module(drug).parameters:
            assert parameter.source.strip() and parameter.unit, (drug.name, parameter.name)


def test_all_label_regimens_together_simulate_half_a_year() -> None:
    """Every label regimen at once: fast and slow drugs, stopped and continued, in one solve.

    Stopped fast drugs used to decay into subnormal numbers and stall CVODE; the PK
    modules' negligible-amount switch prevents it.
    """
    regimens = [r for d in DRUGS.values() if d.pk is not None for r in d.label_regimens]
    frame = simulate_regimens(regimens, 182.0, output_times=np.arange(0, 183, 7.0))
    assert frame.shape == (27, len([d for d in DRUGS.values() if d.pk is not None]))
    assert np.isfinite(frame.to_numpy()).all()
    assert (frame.to_numpy() >= -1e-9).all()
    assert (frame.iloc[-1] > 0).all()


def test_covariates_change_exposure_as_declared() -> None:
    women, men = (
        simulate_regimens(["rituximab 1000 mg IV once"], 60, PatientCovariates(sex=s), [60])
        for s in ("female", "male")
    )
    assert women.iloc[0, 0] > 1.3 * men.iloc[0, 0]  # CL 35% lower in women
    light, heavy = (
        simulate_regimens(["belimumab 10 mg/kg IV once"], 28, PatientCovariates(weight_kg=w), [28])
        for w in (50, 100)
    )
    # 10 mg/kg with CL ~ W^0.75 and V ~ W: heavier patients have higher concentrations.
    assert heavy.iloc[0, 0] > light.iloc[0, 0]


def test_variability_is_log_normal_with_the_declared_cv() -> None:
    model = pk_model(["infliximab"])
    sampled = sample_parameters(model, 4000, seed=1)
    cl = sampled["infliximab_clearance_typical"]
    assert np.median(cl) == pytest.approx(0.30, rel=0.03)
    assert np.std(np.log(cl)) == pytest.approx(math.sqrt(math.log1p(0.377**2)), rel=0.05)


def test_drug_lookup_by_alias() -> None:
    assert get_drug("Prednisolone").name == "prednisone"
    assert get_drug("IFN beta-1a").name == "interferon_beta_1a"
    assert len(drug_modules(["humira", "adalimumab 40 mg SC weekly"])) == 1
    with pytest.raises(SpecError, match="unknown drug"):
        get_drug("aspirin")


def test_population_run_with_covariates_variability_and_adherence() -> None:
    regimens = ["adalimumab 40 mg SC every 14 days, adherence 80%", "methotrexate 15 mg weekly"]
    model = pk_model(regimens)
    covariates = {
        pid: PatientCovariates(weight_kg=55 + 3 * pid, sex="female" if pid % 2 else "male")
        for pid in range(12)
    }
    sampled = sample_parameters(model, 12, seed=5)
    parameters = sampled.join(covariate_parameters(covariates))
    outputs = ["adalimumab_concentration", "methotrexate_effect_site"]
    source = schedule_source(regimens, covariates, 84)
    runs = [
        run_population(
            model, parameters, 84, outputs, schedules=source, seed=9, workers=1, chunk_size=c
        )
        for c in (12, 5)
    ]
    first, second = (r.to_dataframe().set_index(["patient_id", "time"]) for r in runs)
    assert runs[0].n_failed == 0
    np.testing.assert_array_equal(first.to_numpy(), second.to_numpy())
    troughs = first.xs(84.0, level="time")["adalimumab_concentration"]
    assert troughs.std() > 0.1 * troughs.mean()  # variability and adherence spread exposure


def test_effect_knobs_are_parameters_of_the_immune_model() -> None:
    immune = pytest.importorskip("immunetwin.immune")
    model = immune.build_immune_model()
    knobs = {e.knob: d.name for d in DRUGS.values() for e in d.mechanism if e.knob}
    assert len(knobs) >= 10
    for knob, drug in knobs.items():
        assert knob in {*immune.KNOBS, *immune.DRUG_TARGETS}, (drug, knob)
        assert model.kind_of(knob) == "parameter", (drug, knob)
