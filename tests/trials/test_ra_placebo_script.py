"""examples/calibration/ra_placebo_fluctuation.py: the RA placebo fit's tool."""

from __future__ import annotations

import math

import pytest

from _scripts import load_example
from immunetwin.diseases import readouts
from immunetwin.trials import run_trial
from immunetwin.trials.run import _SCREENING_CACHE


def test_misfit_is_the_sum_of_squared_z_of_the_control_arm_and_the_sd_is_restored(capsys):
    script = load_example("examples/calibration/ra_placebo_fluctuation.py")
    # A screening of the same spec at the model's value, cached before the script runs,
    # must not stand in for the script's own.
    run_trial(script.control_arm_spec("strand1999", 12, 3), workers=1)
    model_sd = readouts.RA_ACTIVITY_SD
    total = script.placebo_misfit(0.2, 12, 3, ("strand1999",))
    assert model_sd == readouts.RA_ACTIVITY_SD
    assert "sd 0.2: sum of z^2" in capsys.readouterr().out
    # The same arm simulated here at the same value, z from the published proportion's
    # binomial SE at the simulated size.
    readouts.RA_ACTIVITY_SD = 0.2
    _SCREENING_CACHE.clear()
    try:
        spec = script.control_arm_spec("strand1999", 12, 3)
        result = run_trial(spec, workers=1)
    finally:
        readouts.RA_ACTIVITY_SD = model_sd
        _SCREENING_CACHE.clear()
    arm = spec.arms[0].name
    expected = 0.0
    for endpoint, published in spec.published[arm].items():
        estimate = result.endpoints[arm][endpoint]
        p = published / 100.0
        se = 100.0 * math.sqrt(p * (1 - p) / estimate["n"])
        expected += ((estimate["value"] - published) / se) ** 2
    assert total == pytest.approx(expected)
