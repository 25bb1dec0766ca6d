"""Fixtures for the immune-model tests: reference tables and compiled models."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from immunetwin import Simulator
from immunetwin.immune import build_immune_model

from .reference import _UNIT_CHECK, load_table


@pytest.fixture(scope="session")
def physiology() -> pd.DataFrame:
    table = load_table("physiology.csv")
    for rid, unit in _UNIT_CHECK.items():
        assert table.loc[rid, "unit"] == unit, f"physiology.csv {rid} unit changed"
    return table


@pytest.fixture(scope="session")
def diseases() -> pd.DataFrame:
    return load_table("diseases.csv")


@pytest.fixture(scope="session")
def ana_positive(diseases) -> float:
    """Reciprocal ANA titre counted as positive, parsed from diseases.csv sle_ana ('>=1:80')."""
    match = re.search(r"1:(\d+)", diseases.loc["sle_ana", "quantity"])
    assert match, "diseases.csv sle_ana no longer states the positive titre"
    return float(match.group(1))


@pytest.fixture(scope="session")
def model():
    return build_immune_model()


@pytest.fixture(scope="session")
def sim(model) -> Simulator:
    return Simulator(model)


@pytest.fixture(scope="session")
def healthy_state(sim) -> pd.Series:
    """Labs and states of the healthy adult at the start (the stored steady state)."""
    frame = sim.simulate(until=1.0, output_times=[0.0, 1.0])
    return frame.iloc[0]
