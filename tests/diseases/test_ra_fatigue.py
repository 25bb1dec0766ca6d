"""RA fatigue (FACIT-Fatigue, 0-52, higher = less fatigue) read from the visit's pain.

Published figures: the US general population's mean 43.6 (SD 9.4; Cella et al. Cancer
2002); OPTION's baseline 26.7-27.7 by arm and placebo + MTX change +4.0 at week 24
(Smolen et al. Lancet 2008); TOWARD's placebo + DMARD change +3.6 (Genovese et al.
Arthritis Rheum 2008). The slope on pain and the pain-free level are calibrated to the
first two (readouts.py); the placebo change and the link to pain are checks.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin.diseases import RA
from immunetwin.diseases.readouts import (
    FACIT_F_GENERAL_POPULATION,
    FACIT_F_GENERAL_POPULATION_SD,
    FACIT_F_MAX,
    facit_fatigue,
    fatigue_normals,
)

from ._courses import untreated_courses

OPTION_BASELINE = 27.1  # mean of the arms' 26.7, 27.0, 27.7
PLACEBO_CHANGES = {"OPTION": 4.0, "TOWARD": 3.6}


@pytest.fixture(scope="module")
def placebo_arm() -> pd.DataFrame:
    # OPTION/ARMADA entry: >= 6 swollen and >= 8 tender joints (background MTX stable).
    return untreated_courses(
        RA, 100, seed=41, weeks=[0, 24], eligible=lambda r: r["sjc28"] >= 6 and r["tjc28"] >= 8
    )


def _se(values: pd.Series) -> float:
    return float(values.std(ddof=1) / math.sqrt(len(values)))


def test_healthy_adults_read_the_general_populations_fatigue(healthy_population):
    scores = healthy_population["facit_fatigue"]
    print(
        f"\nFACIT-F in health {scores.mean():.1f} (SD {scores.std():.1f}, n={len(scores)}); "
        f"general population {FACIT_F_GENERAL_POPULATION} (SD {FACIT_F_GENERAL_POPULATION_SD})"
    )
    assert abs(scores.mean() - FACIT_F_GENERAL_POPULATION) <= 2 * _se(scores) + 1.0
    assert 6.0 < scores.std() < 11.0


def test_active_ra_at_entry_is_as_tired_as_option_patients(placebo_arm):
    baseline = placebo_arm.loc[placebo_arm["week"] == 0, "facit_fatigue"]
    print(f"\nFACIT-F at entry {baseline.mean():.1f} (n={len(baseline)}); OPTION {OPTION_BASELINE}")
    assert abs(baseline.mean() - OPTION_BASELINE) <= 2 * _se(baseline) + 1.0


def test_placebo_arm_improves_about_as_published(placebo_arm):
    change = placebo_arm.loc[placebo_arm["week"] == 24, "facit_fatigue_change"]
    print(
        f"\nFACIT-F change on placebo + stable MTX, week 24: {change.mean():+.1f} "
        f"(SE {_se(change):.1f}); published "
        + ", ".join(f"{k} {v:+.1f}" for k, v in PLACEBO_CHANGES.items())
    )
    # The placebo relief of pain and the visit noise; 2 SE plus 1.5 points (the two
    # published placebo arms differ by 0.4).
    for published in PLACEBO_CHANGES.values():
        assert abs(change.mean() - published) <= 2 * _se(change) + 1.5


def test_fatigue_goes_with_pain(placebo_arm):
    baseline = placebo_arm[placebo_arm["week"] == 0]
    r = baseline["pain"].corr(baseline["facit_fatigue"])
    print(f"\nCorrelation of pain and FACIT-F at entry: {r:.2f}")
    # Moderate: pain is the strongest clinical correlate of RA fatigue (Pollard et al.
    # Rheumatology 2006), and mood and sleep (the patient trait) carry the rest.
    assert -0.8 < r < -0.3


@settings(max_examples=80, deadline=None)
@given(
    low=st.floats(0.0, 100.0),
    high=st.floats(0.0, 100.0),
    trait=st.floats(-4.0, 4.0),
    z=st.floats(-4.0, 4.0),
)
def test_score_stays_on_the_scale_and_falls_with_pain(low, high, trait, z):
    low, high = sorted((low, high))
    less_pain, more_pain = facit_fatigue(low, trait, z), facit_fatigue(high, trait, z)
    assert 0.0 <= more_pain <= less_pain <= FACIT_F_MAX


def test_fatigue_draws_move_no_other_readout():
    rng = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(3, 1)))
    before = rng.bit_generator.state
    first = fatigue_normals(rng, 100.0)
    assert rng.bit_generator.state == before
    # The trait is the patient's own; the reading's normal changes with the day.
    again, later = fatigue_normals(rng, 100.0), fatigue_normals(rng, 128.0)
    assert again == first and later[0] == first[0] and later[1] != first[1]
