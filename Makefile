# caseflow — the two commands of the README, plus benchmarks and translations.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench translations lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

## make run: install, migrate the embedded SQLite database, load the demo if empty, serve.
run: $(VENV)/.installed
	$(BIN)/caseflow db upgrade
	$(BIN)/caseflow demo --if-empty
	$(BIN)/caseflow run --host $(HOST) --port $(PORT)

## make test: install test dependencies and run the suite (again on PostgreSQL when
## CASEFLOW_TEST_POSTGRES_URL is set, as .ci/run does).
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest
	@if [ -n "$$CASEFLOW_TEST_POSTGRES_URL" ]; then \
		echo "== the suite again on PostgreSQL =="; \
		TEST_DATABASE_URL="$$CASEFLOW_TEST_POSTGRES_URL" $(BIN)/python -m pytest --ignore=tests/unit; \
	fi

## make bench: build the district and province datasets on SQLite (cached in bench/out/ with
## BENCH_ARGS=--reuse) and on PostgreSQL (BENCH_POSTGRES_URL, skipped when unreachable), then
## measure pages, transitions, sweep, recompute and export: bench/results.json and results.md.
bench: $(VENV)/.test-installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

translations: $(VENV)/.test-installed
	$(BIN)/python scripts/i18n.py all

lint: $(VENV)/.test-installed
	$(BIN)/ruff check caseflow tests scripts

clean:
	rm -rf $(VENV) instance
