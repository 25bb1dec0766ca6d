"""Fixtures for the disease-library tests: reference tables and virtual populations.

Populations are session-scoped: each disease model compiles once (~10 s) and the
simulations themselves take a few seconds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest

from immunetwin.diseases import RA, SLE, virtual_population

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"

# At-risk SLE population: 800 people, half women, so that ~30 men develop disease
# (the female:male ratio's log has a standard error of ~0.2 at that size).
SLE_AT_RISK_N = 800
RA_N = 200
HEALTHY_N = 100


def _table(name: str) -> pd.DataFrame:
    path = REFERENCE / name
    if not path.is_file():
        pytest.fail(f"reference table missing: {path}")
    return pd.read_csv(path)


@pytest.fixture(scope="session")
def diseases_csv() -> pd.DataFrame:
    return _table("diseases.csv").set_index("id")


@pytest.fixture(scope="session")
def trials_csv() -> pd.DataFrame:
    return _table("trials_calibration.csv")


@pytest.fixture(scope="session")
def sle_at_risk() -> pd.DataFrame:
    frame = virtual_population(SLE, SLE_AT_RISK_N, seed=11, female_fraction=0.5)
    assert frame["ok"].all()
    return frame


@pytest.fixture(scope="session")
def sle_patients(sle_at_risk) -> pd.DataFrame:
    """Those of the at-risk population who developed active SLE."""
    return sle_at_risk[sle_at_risk["has_disease"]]


@pytest.fixture(scope="session")
def ra_population() -> pd.DataFrame:
    frame = virtual_population(RA, RA_N, seed=12)
    assert frame["ok"].all()
    return frame


@pytest.fixture(scope="session")
def healthy_population() -> pd.DataFrame:
    """Healthy adults read out with the RA observation model (no disease changes)."""
    healthy = dataclasses.replace(
        RA,
        name="healthy_joints",
        changes=(),
        covariates=(),
        initial_state=MappingProxyType({}),
    )
    frame = virtual_population(healthy, HEALTHY_N, seed=13)
    assert frame["ok"].all()
    return frame
