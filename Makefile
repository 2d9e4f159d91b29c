# Two commands: `make run` (the app on demo data) and `make test` (the whole suite).
# Everything else is a step they take; see README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Stamps of what is installed, one per extra, named after the checksum of pyproject.toml: a
# changed pyproject.toml reinstalls. `make run` needs the runtime dependencies only, `make test`
# adds the dev extra (and so satisfies `make run` too).
SUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STAMP_RUN := $(VENV)/.installed-run-$(SUM)
STAMP_DEV := $(VENV)/.installed-dev-$(SUM)

.PHONY: run test install install-runtime lint typecheck contracts pytest wheel-smoke system-deps screenshots bench clean

$(STAMP_RUN): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-run-* && touch $@

$(STAMP_DEV): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@ $(STAMP_RUN)

install-runtime: $(STAMP_RUN)

install: $(STAMP_DEV)

# The app as a user runs it: the database (demo data on first run), then `cocreate app`
# (COCREATE_HOST, COCREATE_PORT: 127.0.0.1 and 8501 unless set).
run: install-runtime
	$(BIN)/cocreate setup
	$(BIN)/cocreate app

# Servers and browsers the suite talks to (PostgreSQL, chromium): installed when missing.
system-deps:
	@bash scripts/system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy survey scoring

contracts: install
	$(BIN)/lint-imports

pytest: install system-deps
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2}

# A wheel built from the checkout, installed into a fresh venv and run from a folder outside it.
wheel-smoke: install
	bash scripts/wheel-smoke.sh $(BIN)/python

test: lint typecheck contracts pytest wheel-smoke

# Screenshots of every page into docs/screenshots/ (a real app and Debian's chromium).
screenshots: install system-deps
	$(BIN)/python scripts/screenshots.py

bench: install
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_agreement.py
	$(BIN)/python benchmarks/bench_storage.py
	$(BIN)/python benchmarks/bench_exports.py
	$(BIN)/python benchmarks/bench_app.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
