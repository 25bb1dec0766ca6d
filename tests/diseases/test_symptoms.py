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
    body_temperature,
    symptom_readouts,
)


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
    assert ra["fever"].mean() <= 0.02
    assert np.all(ra["temperature_c"] >= BODY_TEMPERATURE_C)


def test_healthy_adults_are_afebrile(healthy_population):
    assert not healthy_population["fever"].astype(bool).any()
