# Every target sets up the environment by itself: uv (installed through pip when missing),
# `uv sync --frozen` from uv.lock, never an interpreter download. A second run reuses .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced

export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
export DO_NOT_TRACK := 1
export PYTHONHASHSEED := 0

.PHONY: env lint typecheck unit test demo bench clean

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv sync --frozen --python $(PYTHON)
	@touch $@

env: $(STAMP)

lint: env
	$(BIN)/ruff check src tests benchmarks pipelines notebooks
	$(BIN)/ruff format --check src tests benchmarks pipelines notebooks

typecheck: env
	$(BIN)/mypy

unit: env
	$(BIN)/pytest -n 2 --dist loadgroup -q

test: lint typecheck unit

demo: env
	$(BIN)/scorecard demo

bench: env
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
