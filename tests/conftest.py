"""Test-session setup shared by every test file."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from immunetwin._model_cache import CACHE_ENV

_CREATED: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """A compiled-model cache private to this test run, shared by its worker processes.

    Tests neither read a developer's cache (~/.cache/immunetwin) nor fill it; within the
    run each model is compiled once. xdist workers inherit the controller's folder.
    """
    if CACHE_ENV not in os.environ:
        folder = tempfile.mkdtemp(prefix="immunetwin-test-models-")
        os.environ[CACHE_ENV] = folder
        _CREATED.append(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _CREATED:
        shutil.rmtree(folder, ignore_errors=True)
