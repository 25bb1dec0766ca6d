"""The held-out validation specs (examples/validation) run end to end at small size.

They are predictions, not calibration (docs/trials.md reports them at full size); here
the fast ones are run as the documentation runs them (virtual twins) so a spec or an
engine change that breaks them shows. Each published arm must get a value inside 0-100
with an ordered interval; the active arms must beat placebo on the primary endpoint, as
every one of them did in the trial.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from immunetwin.trials import load_spec, run_trial
from immunetwin.trials.calibration import calibration_spec

VALIDATION = Path(__file__).resolve().parents[2] / "examples" / "validation"
# Crohn's and SLE simulate in seconds; the RA specs (ORAL Standard, TOWARD) screen
# through a 180-day methotrexate lead-in and take minutes even at this size.
FAST = ["classic1", "bliss76"]
TWINS = 24


@pytest.mark.parametrize("name", FAST)
def test_validation_spec_runs_and_its_active_arms_beat_placebo(name):
    spec = calibration_spec(load_spec(VALIDATION / f"{name}.toml", {"patients": TWINS, "seed": 5}))
    result = run_trial(spec, workers=1)
    primary = next(e.id for e in spec.endpoints if e.primary)
    control = spec.control.name
    for arm, published in spec.published.items():
        for endpoint in published:
            e = result.endpoints[arm][endpoint]
            assert e["n"] == TWINS
            assert 0.0 <= e["ci_low"] <= e["value"] <= e["ci_high"] <= 100.0, (arm, endpoint)
    for arm in spec.arms:
        if arm.name != control:
            active = result.endpoints[arm.name][primary]["value"]
            assert active > result.endpoints[control][primary]["value"], arm.name
