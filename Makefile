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

.PHONY: env system lint typecheck unit test demo bench clean

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv sync --frozen --group bench --python $(PYTHON)
	@touch $@

env: $(STAMP)

# Operating-system packages the browser and PDF tests use (Debian's chromium, pango for WeasyPrint).
# Tests that need them skip with a reason where they are absent.
system:
	@if command -v chromium >/dev/null && ldconfig -p | grep -q libpango-1.0; then echo "system packages present"; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 >/dev/null && echo "installed chromium and pango"; \
	else echo "cannot install chromium/pango here (needs root and apt-get); browser and PDF tests will skip"; fi

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
