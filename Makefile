# Two commands set everything up: `make run` and `make test`. Both create .venv on first use
# and reuse it afterwards; it is reinstalled only when pyproject.toml changes.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench load-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The check says which system libraries Qt's window needs and how to install them, or that
# there is no display, instead of Qt's abort (lrexplorer/gui/window/platform_check.py).
run: $(VENV)/.installed
	@$(BIN)/python -m lrexplorer.gui.window.platform_check
	$(BIN)/lrexplorer

test: $(VENV)/.installed-test
	$(BIN)/python -m ruff check lrexplorer tests scripts benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/python -m ruff check lrexplorer tests scripts benchmarks
	$(BIN)/python -m ruff format --check lrexplorer tests scripts benchmarks
	$(BIN)/lint-imports --no-cache

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# The slow load tests (100 runs in one window, a folder of 1,000 runs): about 4 minutes.
load-test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m slow -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
