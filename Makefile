# Two commands: `make run` (the app on demo data) and `make test` (the whole suite).
# Everything else is a step they take; see README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install lint typecheck contracts pytest system-deps screenshots bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/cocreate setup
	$(BIN)/streamlit run streamlit_app.py --server.address $${COCREATE_HOST:-127.0.0.1} --server.port $${COCREATE_PORT:-8501} --server.headless true

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

test: lint typecheck contracts pytest

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
