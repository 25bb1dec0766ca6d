"""Symptoms every disease shares: body temperature and fever from plasma IL-6."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from immunetwin.diseases import DISEASES
from immunetwin.diseases.readouts import (
    BODY_TEMPERATURE_C,
    FEVER_C,
    FEVER_CEILING_RISE_C,
    FEVER_IL6,
    TEMPERATURE_KEY,
    TEMPERATURE_READING_SD_C,
    body_temperature,
    reading_normal,
    symptom_readouts,
    temperature_reading,
)
from immunetwin.population import patient_rng


def test_temperature_anchors():
    assert body_temperature(0.0) == BODY_TEMPERATURE_C
    assert body_temperature(FEVER_IL6) == pytest.approx(FEVER_C)
    # The model's healthy plasma IL-6 (~0.7 pg/mL) reads as normal.
    assert body_temperature(0.7) == pytest.approx(BODY_TEMPERATURE_C, abs=0.05)
    # Steinmetz et al. 1995: afebrile median 15 pg/mL, newly febrile median 171 pg/mL.
    assert body_temperature(15.0) < FEVER_C < body_temperature(171.0)


@given(st.floats(0, 1e6), st.floats(0, 1e6))
def test_temperature_rises_with_il6_and_stays_below_the_ceiling(a, b):
    low, high = sorted((a, b))
    assert body_temperature(low) <= body_temperature(high)
    assert BODY_TEMPERATURE_C <= body_temperature(high) < BODY_TEMPERATURE_C + FEVER_CEILING_RISE_C


def test_a_reading_is_the_set_point_plus_the_published_spread():
    """Readings of the healthy set point: 36.8 +- 0.4 C (Mackowiak et al. JAMA 1992)."""
    readings = np.array(
        [
            temperature_reading(0.7, reading_normal(patient_rng(5, p, 3), TEMPERATURE_KEY, day))
            for p in range(50)
            for day in (0.0, 7.0, 30.5, 365.0)
        ]
    )
    print(f"\nhealthy readings: {readings.mean():.2f} +- {readings.std():.2f} C (36.8 +- 0.4)")
    assert readings.mean() == pytest.approx(BODY_TEMPERATURE_C, abs=3 * 0.4 / np.sqrt(200))
    assert readings.std() == pytest.approx(TEMPERATURE_READING_SD_C, rel=0.15)


@given(st.integers(0, 2**31), st.floats(0, 3650), st.floats(0, 3650))
def test_a_reading_is_fixed_by_patient_and_day_and_does_not_advance_the_visit_stream(
    patient, day, other_day
):
    rng = patient_rng(1, patient, 3)
    fresh = patient_rng(1, patient, 3)
    z = reading_normal(rng, TEMPERATURE_KEY, day)
    assert z == reading_normal(fresh, TEMPERATURE_KEY, day)
    assert rng.standard_normal() == fresh.standard_normal()  # neither stream was advanced
    if round(day * 1440) != round(other_day * 1440):
        assert z != reading_normal(rng, TEMPERATURE_KEY, other_day)


def test_without_a_generator_the_reading_is_the_set_point():
    trajectory = pd.DataFrame({"lab_il6": [1.0, 20.0]}, index=[0.0, 3.0])
    assert symptom_readouts(trajectory)["temperature_c"] == body_temperature(20.0)
    noisy = symptom_readouts(trajectory, patient_rng(2, 0, 3))["temperature_c"]
    assert noisy != body_temperature(20.0)


def test_fever_is_the_last_rows_temperature_above_38():
    trajectory = pd.DataFrame({"lab_il6": [500.0, 10.0]}, index=[0.0, 1.0])
    assert symptom_readouts(trajectory)["fever"] == 0.0
    trajectory = pd.DataFrame({"lab_il6": [1.0, 80.0]}, index=[0.0, 1.0])
    readouts = symptom_readouts(trajectory)
    assert readouts["fever"] == 1.0 and readouts["temperature_c"] > FEVER_C


@pytest.mark.parametrize("disease", sorted(DISEASES))
def test_every_disease_reads_out_temperature_and_fever(disease):
    readouts, _ = DISEASES[disease].observation_names()
    assert {"temperature_c", "fever"} <= readouts
    assert "lab_il6" in DISEASES[disease].outputs


def test_rheumatoid_arthritis_is_afebrile(ra_population):
    """RA raises IL-6 (model ~10-25 pg/mL) but not to fever: fever is not an RA feature."""
    ra = ra_population[ra_population["has_disease"].astype(bool)]
    print(
        f"\nRA: temperature median {ra['temperature_c'].median():.2f} C, "
        f"max {ra['temperature_c'].max():.2f} C, febrile {ra['fever'].mean():.0%}"
    )
    assert len(ra) >= 50
    # The set point stays below fever; a reading (+- 0.4 C) crosses 38.0 C from RA's
    # ~37.2 C median now and then (6% of patients at seed 12; docs/diseases/ra.md).
    assert ra["temperature_c"].median() < FEVER_C - TEMPERATURE_READING_SD_C
    assert ra["fever"].mean() <= 0.10


def test_healthy_adults_are_afebrile(healthy_population):
    """A healthy set point is 3 reading SDs below 38.0 C: fever in ~0.1% of readings."""
    readings = healthy_population["temperature_c"]
    print(f"\nhealthy: {readings.mean():.2f} +- {readings.std():.2f} C (36.8 +- 0.4)")
    assert healthy_population["fever"].mean() <= 0.01
    assert readings.mean() == pytest.approx(BODY_TEMPERATURE_C, abs=0.1)
    assert readings.std() == pytest.approx(TEMPERATURE_READING_SD_C, rel=0.25)
