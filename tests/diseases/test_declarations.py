"""The disease declarations validate: real parameters, sources, covariates stated."""

from __future__ import annotations

import dataclasses

import pytest

from immunetwin._errors import ModelError
from immunetwin.diseases import DISEASES, RA, SLE, ParameterChange, disease_model
from immunetwin.diseases.readouts import das28_crp
from immunetwin.immune import OPTIONAL_ORGANS, ORGANS


@pytest.mark.parametrize("disease", list(DISEASES.values()), ids=list(DISEASES))
def test_every_change_has_a_source_and_names_a_parameter(disease):
    model = disease_model(disease)
    disease.validate(model)  # raises on any problem
    parameters = {p.name for p in model.parameters}
    for change in disease.changes:
        assert change.parameter in parameters
        assert change.source.strip(), change.parameter
        assert change.rationale.strip(), change.parameter
    assert disease.mechanism.strip() and disease.description.strip()
    assert set(disease.target_organs) <= {*ORGANS, *disease.extra_organs}
    assert set(disease.extra_organs) <= set(OPTIONAL_ORGANS)
    species = {s.name for s in model.species}
    assert all(f"{organ}_parenchyma" in species for organ in disease.extra_organs)


def test_an_extra_organ_must_be_optional():
    from immunetwin.diseases import IRAE

    wrong = dataclasses.replace(IRAE, name="irae_wrong", extra_organs=("heart",))
    with pytest.raises(ModelError, match="extra organ 'heart' is not optional"):
        wrong.validate(disease_model(IRAE))


@pytest.mark.parametrize("disease", list(DISEASES.values()), ids=list(DISEASES))
def test_covariates_document_direction_size_and_source_or_say_not_modelled(disease):
    for covariate in disease.covariates:
        assert covariate.direction and covariate.size and covariate.source
        if not covariate.modelled:
            assert "not modelled" in covariate.size
            assert not covariate.levels
        else:
            assert covariate.levels and covariate.parameter


def test_sle_sex_effect_and_ra_smoking_effect_are_declared():
    sex = next(c for c in SLE.covariates if c.name == "sex")
    assert sex.modelled and sex.levels["female"] > sex.levels["male"]
    smoking = next(c for c in RA.covariates if c.name == "smoking")
    assert smoking.modelled and smoking.levels["current"] > 1.0


def test_a_change_without_a_source_is_rejected():
    bad = dataclasses.replace(
        SLE, changes=(ParameterChange("apoptotic_clearance_factor", 0.5, None, " "),)
    )
    with pytest.raises(ModelError, match="no source"):
        bad.validate(disease_model(SLE))


def test_a_change_of_an_unknown_parameter_is_rejected():
    bad = dataclasses.replace(SLE, changes=(ParameterChange("no_such_knob", 1.0, None, "x"),))
    with pytest.raises(ModelError, match="not a parameter"):
        bad.validate(disease_model(SLE))


def test_das28_crp_formula():
    # Hand-computed: 0.56*sqrt(16)+0.28*sqrt(9)+0.36*ln(21)+0.014*50+0.96.
    assert das28_crp(16, 9, 20.0, 50.0) == pytest.approx(
        2.24 + 0.84 + 0.36 * 3.044522437723423 + 0.7 + 0.96
    )


@pytest.mark.parametrize("disease", list(DISEASES.values()), ids=list(DISEASES))
def test_disease_page_has_the_current_parameter_tables(disease):
    from pathlib import Path

    from immunetwin.diseases.docs import disease_markdown

    page = Path(__file__).resolve().parents[2] / "docs" / "diseases" / f"{disease.name}.md"
    assert disease_markdown(disease) in page.read_text(), f"regenerate {page.name}"


def test_listing_rows_cover_every_disease_with_sources():
    from immunetwin.diseases.docs import disease_rows

    rows = disease_rows()
    assert {r["disease"] for r in rows} == set(DISEASES)
    assert all(str(r["source"]).strip() for r in rows)


_COLUMNS_SCRIPT = """
from immunetwin.diseases import DISEASES
from immunetwin.diseases.population import sample_disease_patients
for name, disease in sorted(DISEASES.items()):
    patients, parameters = sample_disease_patients(disease, 2, 1)
    print(name, list(parameters.columns), list(patients.columns))
"""


def test_patient_tables_have_the_same_columns_in_every_process():
    # A run's fingerprint hashes its parameter table, columns in order: if the order
    # followed a set of names (string hashes differ between processes), an interrupted
    # trial could not be resumed (until 2026-12-06 RA's two cytokine shares swapped).
    import os
    import subprocess
    import sys

    outputs = set()
    for hash_seed in ("0", "1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", _COLUMNS_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
