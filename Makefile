# ImmuneTwin: `make demo` runs the main job, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench bench-trial bench-compile bench-tolerance bench-averaged docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/immunetwin demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

# Two test processes, each test file in one of them (files share expensive fixtures,
# e.g. the calibration trials); the run shares one compiled-model cache
# (tests/conftest.py). ~13 minutes on a 2-core machine (2026-12-07; 17.8 before the
# cache), the RA calibration trials (~100-125 s each) the longest tests.
pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=25

bench: $(STAMP)
	$(BIN)/python benchmarks/population.py

bench-trial: $(STAMP)
	$(BIN)/python benchmarks/trial.py

bench-compile: $(STAMP)
	$(BIN)/python benchmarks/compile.py

bench-tolerance: $(STAMP)
	$(BIN)/python benchmarks/tolerance.py

bench-averaged: $(STAMP)
	$(BIN)/python benchmarks/averaged_dosing.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
