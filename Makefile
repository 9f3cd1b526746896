# hamkor — the two quick-start commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(or $(HAMKOR_DATA_DIR),var)

.PHONY: demo test test-fast bench install install-test lint reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'

demo: install
	HAMKOR_DATA_DIR=$(DATA_DIR) $(BIN)/hamkor demo

# Two workers, a test file each at a time (a file's fixtures are built once): the machines have two cores.
TEST_WORKERS ?= 2

test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

# What a developer runs between edits (under a minute): everything but the tests marked slow.
test-fast: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not slow"

bench: install-test
	$(BIN)/python benchmarks/import_fts_regional.py
	$(BIN)/python benchmarks/trade_queries.py
	$(BIN)/python benchmarks/web_load.py
	$(BIN)/python benchmarks/opportunities.py
	$(BIN)/python benchmarks/companies.py
	$(BIN)/python benchmarks/missions.py
	$(BIN)/python benchmarks/projection_backtest.py
	$(BIN)/python benchmarks/upload_memory.py
	$(BIN)/python benchmarks/documents.py
	$(BIN)/python benchmarks/baci_world.py
	$(BIN)/python benchmarks/startup.py

lint: install-test
	$(BIN)/ruff check src tests benchmarks scripts

# Rebuild the packaged reference files from ../shared/data/raw (only when that data changes).
reference: install
	$(BIN)/python scripts/build_reference.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
