# Pinpoint: `make run` runs the main job, `make test` runs every check.
# The Makefile bootstraps its own virtual environment in .venv from requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test machine lint typecheck contracts pytest pytest-postgres screenshots bench clean

# The web suite runs a second time on PostgreSQL: PINPOINT_TEST_POSTGRES, else DATABASE_URL, else the
# test role that scripts/setup-test-machine.sh made (var/test-postgres-url), else postgres@127.0.0.1.
PG_URL ?= $(or $(PINPOINT_TEST_POSTGRES),$(DATABASE_URL),$(shell cat var/test-postgres-url 2>/dev/null),postgres://postgres@127.0.0.1:5432/postgres)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The web app: migrate var/pinpoint.sqlite3, load the demo clinic (once), serve http://127.0.0.1:8000.
run: $(STAMP)
	$(BIN)/pinpoint serve

demo: $(STAMP)
	$(BIN)/python -m pinpoint.demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

contracts: $(STAMP)
	$(BIN)/lint-imports

# What the tests need on this machine: Debian's chromium, PostgreSQL (installed, started) with its client
# programs, python3-venv. Installs them with apt-get as root; otherwise says in one line what to install.
machine:
	PYTHON=$(PYTHON) bash scripts/setup-test-machine.sh

pytest: $(STAMP)
	env -u DATABASE_URL PINPOINT_TEST_POSTGRES='$(PG_URL)' $(BIN)/pytest

pytest-postgres: $(STAMP)
	@if $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' '$(PG_URL)' 2>/dev/null; then \
		echo "Web suite on PostgreSQL:"; \
		DATABASE_URL='$(PG_URL)' PINPOINT_TEST_POSTGRES='$(PG_URL)' $(BIN)/pytest tests/web -p no:cacheprovider; \
	else \
		echo "SKIPPED: no PostgreSQL server is reachable (set PINPOINT_TEST_POSTGRES); the web suite ran on SQLite only."; \
	fi

test: machine lint typecheck contracts pytest pytest-postgres

# The browser stories, saving the screenshots the documentation shows (plain runs save to var/screenshots).
screenshots: $(STAMP)
	PINPOINT_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/browser -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
