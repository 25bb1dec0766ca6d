"""SUNDIALS' own console lines are held back during integration, not lost or printed."""

from __future__ import annotations

import ctypes
import logging
import sys

import pytest

from immunetwin.engine import _NATIVE_OUTPUT
from immunetwin.trials.calibration import SPECS
from immunetwin.trials.run import run_trial
from immunetwin.trials.spec import load_spec

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="C stdio through ctypes")

SUNDIALS_LINE = (
    "[WARNING][rank 0][cvodes.c:3528][CVode] Internal t = 1095 and h = 3.9e-14 are such "
    "that t + h = t on the next step. The solver will continue anyway."
)


def c_printf(text: str) -> None:
    """Write through C ``stdout`` (buffered when it is not a terminal), as SUNDIALS does."""
    libc = ctypes.CDLL(None)
    libc.printf(b"%s\n", text.encode())


def test_sundials_lines_go_to_the_debug_log_and_other_native_lines_to_stderr(capfd, caplog):
    caplog.set_level(logging.DEBUG, logger="immunetwin.engine")
    with _NATIVE_OUTPUT:
        c_printf(SUNDIALS_LINE)
        c_printf("a native line that is not SUNDIALS'")
    c_printf("after the integration")
    ctypes.CDLL(None).fflush(None)
    out, err = capfd.readouterr()
    assert "rank 0" not in out + err
    assert "a native line that is not SUNDIALS'" in err
    assert "after the integration" in out
    assert [r.getMessage() for r in caplog.records] == [SUNDIALS_LINE]


def test_nested_use_restores_the_output_once():
    with _NATIVE_OUTPUT, _NATIVE_OUTPUT:
        pass
    with _NATIVE_OUTPUT:
        pass
    assert _NATIVE_OUTPUT._depth == 0 and _NATIVE_OUTPUT._saved is None


def test_a_trial_with_infusion_starts_prints_no_solver_warnings(capfd, caplog, monkeypatch):
    # BLISS-52's enrolment restart (t = 1095 d) made CVODE's first step tiny in some
    # patients while the drug states had the default absolute tolerance (1e-12; since
    # 2026-12-07 they declare 1e-9 mg and these 4 patients solve without a warning).
    # With the strict tolerance back, the warnings must reach the debug log only.
    import immunetwin.drugs._pk as pk
    import immunetwin.trials.run as trial_run

    monkeypatch.setattr(pk, "PK_ABSOLUTE_TOLERANCE", None)
    monkeypatch.setattr(trial_run, "_MODELS", {})  # build the trial model afresh
    caplog.set_level(logging.DEBUG, logger="immunetwin.engine")
    spec = load_spec(SPECS / "bliss52.toml", {"patients": 4})
    run_trial(spec, workers=1)
    ctypes.CDLL(None).fflush(None)
    out, err = capfd.readouterr()
    assert "t + h = t" not in out + err
    assert any("t + h = t" in r.getMessage() for r in caplog.records)
