"""The on-disk cache of compiled models: loading changes no result, and it never blocks a run."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from _models import small_model
from immunetwin import Simulator, to_sbml
from immunetwin import _model_cache as cache


def trajectories(simulator: Simulator) -> np.ndarray:
    """The small model's time conditional switches at day 10: integrate across it."""
    frame = simulator.simulate(40.0, output_times=np.arange(0.0, 40.5, 0.5))
    return frame.to_numpy()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "models"
    monkeypatch.setenv(cache.CACHE_ENV, str(target))
    return target


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every real compilation the engine makes."""
    calls: list[str] = []
    real = cache.load_or_compile

    def spy(sbml, compile_model):
        def counted(text):
            calls.append(text)
            return compile_model(text)

        return real(sbml, counted)

    monkeypatch.setattr("immunetwin.engine.load_or_compile", spy)
    return calls


def test_a_model_is_compiled_once_then_loaded_and_integrates_identically(folder, monkeypatch):
    compiles = _counting(monkeypatch)
    first = Simulator(small_model())
    assert len(compiles) == 1 and len(list(folder.glob("*.rrstate"))) == 1
    second = Simulator(small_model())
    assert len(compiles) == 1  # loaded, not compiled
    # The time conditional's root-finding triggers survive the round trip (a libRoadRunner
    # in-process cache drops them: tests/test_sbml.py).
    assert first._rr.model.getNumPiecewiseTriggers() == second._rr.model.getNumPiecewiseTriggers()
    np.testing.assert_array_equal(trajectories(first), trajectories(second))
    # A different model is a different entry.
    Simulator(to_sbml(small_model()).replace("small", "small_renamed"))
    assert len(compiles) == 2 and len(list(folder.glob("*.rrstate"))) == 2


@pytest.mark.parametrize("damage", ["truncated", "one byte changed", "not ours"])
def test_a_damaged_entry_is_compiled_afresh_and_replaced(folder, monkeypatch, damage):
    """libRoadRunner aborts the process on a damaged state: the digest must catch it first."""
    reference = trajectories(Simulator(small_model()))
    (entry,) = folder.glob("*.rrstate")
    data = bytearray(entry.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 3]
    elif damage == "one byte changed":
        data[len(data) // 2] ^= 0xFF
    else:
        data = bytearray(b"a file someone else left here")
    entry.write_bytes(bytes(data))
    compiles = _counting(monkeypatch)
    np.testing.assert_array_equal(trajectories(Simulator(small_model())), reference)
    assert len(compiles) == 1
    assert cache._load(entry) is not None  # the replacement loads


def test_the_cache_can_be_switched_off(folder, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.cache_dir() is None
    compiles = _counting(monkeypatch)
    Simulator(small_model())
    Simulator(small_model())
    assert len(compiles) == 2 and not folder.exists()


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "immunetwin" / "models"


def test_an_unusable_folder_only_costs_the_compile(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "models"))
    compiles = _counting(monkeypatch)
    reference = trajectories(Simulator(small_model()))
    assert len(compiles) == 1 and reference.size


def test_least_recently_used_entries_go_beyond_the_limit(folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    base = to_sbml(small_model())
    for name in ("m1", "m2", "m3"):
        Simulator(base.replace("small", name))
    entries = list(folder.glob("*.rrstate"))
    assert len(entries) == 2
    # The first model was evicted: it compiles again.
    compiles = _counting(monkeypatch)
    Simulator(base.replace("small", "m1"))
    assert len(compiles) == 1
    Simulator(base.replace("small", "m3"))
    assert len(compiles) == 1


def test_concurrent_first_uses_compile_once(folder):
    """The second asker waits for the first's compilation and loads it."""
    import threading
    import time

    import roadrunner

    sbml = to_sbml(small_model())
    compiles: list[float] = []

    def slow_compile(text: str) -> roadrunner.RoadRunner:
        compiles.append(time.monotonic())
        time.sleep(0.5)  # hold the lock long enough for the other thread to arrive
        return roadrunner.RoadRunner(text)

    models: list[object] = []
    threads = [
        threading.Thread(target=lambda: models.append(cache.load_or_compile(sbml, slow_compile)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(models) == 2 and len(compiles) == 1


def test_cli_shows_and_clears_the_cache(folder):
    import json
    import os
    import subprocess

    exe = str(Path(sys.executable).with_name("immunetwin"))
    env = {**os.environ, cache.CACHE_ENV: str(folder)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, *args], capture_output=True, text=True, env=env, timeout=120, check=True
        )

    Simulator(small_model())
    shown = json.loads(run("cache", "--json").stdout)
    assert shown["enabled"] and shown["folder"] == str(folder)
    assert shown["entries"] == 1 and shown["bytes"] > 0
    assert "1 models" in run("cache").stdout
    cleared = run("cache", "--clear").stdout
    assert "removed 1 compiled models" in cleared and "0 models" in cleared
    assert not list(folder.glob("*.rrstate"))
    env[cache.CACHE_ENV] = "off"
    assert "compiled-model cache: off" in run("cache").stdout
