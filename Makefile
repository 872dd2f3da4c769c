# The project's commands. `make run` and `make test` are the README's quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run serve migrate demo test lint format typecheck schema check-schema bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/certs migrate

demo: migrate
	$(BIN)/certs demo

## Installs, migrates, seeds the demo and serves GraphiQL on http://127.0.0.1:8000/graphql
run: demo
	$(BIN)/certs serve --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/certs serve

## Lint, import contracts, types, then the whole suite on every core (pytest-xdist: each worker has its own databases; PostgreSQL / Redis parts run when TEST_DATABASE_URL / TEST_REDIS_URL are set)
test: lint typecheck
	$(BIN)/pytest -n auto

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy .

## Rewrites schema.graphql from the code (a test fails when it is out of date)
schema: install
	$(BIN)/certs export-schema --output schema.graphql

## Benchmarks of the real server on SQLite and PostgreSQL (README, Performance); `python -m bench --help`
bench: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
