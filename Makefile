# Labora: `make run` to try it, `make test` to check it. Everything installs itself.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/labora/web/static/labora/dist/app.js
PG_URL ?= $(or $(LABORA_TEST_DATABASE_URL),postgres://postgres@127.0.0.1:5432/labora)
PYTEST_WORKERS ?= 2
export LABORA_DATA_DIR ?= $(CURDIR)/var

.PHONY: setup run serve test test-sqlite test-postgres lint format bench clean demo

setup: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

$(ASSETS): node_modules/.installed $(shell find frontend -type f 2>/dev/null)
	npm run --silent build

run: setup
	$(BIN)/labora migrate --no-input -v 0
	$(BIN)/labora demo --if-empty
	$(BIN)/labora serve --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	LABORA_DATA_DIR=$$(mktemp -d) $(BIN)/labora makemigrations --check --dry-run >/dev/null || \
	  (echo "Model changes without a migration: run 'labora makemigrations'"; exit 1)

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

test: setup lint test-sqlite test-postgres

test-sqlite: setup
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-postgres: setup
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', dbname='postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== test suite on PostgreSQL ($(PG_URL)), without the db_free tests =="; \
	  DATABASE_URL='$(PG_URL)' LABORA_TEST_SKIP_DB_FREE=1 $(BIN)/pytest -n $(PYTEST_WORKERS) -q; \
	else echo "== PostgreSQL not reachable at $(PG_URL): skipping the PostgreSQL run =="; fi

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules src/labora/web/static/labora/dist
