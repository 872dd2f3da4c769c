# The project's commands. `make run` and `make test` are the README's quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NODE_DIR := tests/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed

# Bytecode caching on for every recipe, whatever the shell says: with PYTHONDONTWRITEBYTECODE set,
# every pytest worker and every server the suite starts compiles the whole project again
# (collection took 8.7 s instead of 4.3 s, and the suite 175 s instead of 153 s).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install node-deps run serve migrate demo test suite fuzz lint format typecheck schema check-schema bench mutation clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The node packages the suite drives (graphql-http's audit, Apollo Client), from the lockfile
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "WARNING: npm not found; the node tests (GraphQL-over-HTTP audit, Apollo Client) will SKIP" >&2; \
	fi

node-deps: $(NODE_STAMP)

migrate: install
	$(BIN)/certs migrate

demo: migrate
	$(BIN)/certs demo

## Installs, migrates, seeds the demo and serves GraphiQL on http://127.0.0.1:8000/graphql
run: demo
	LOG_FORMAT=$${LOG_FORMAT:-text} $(BIN)/certs serve --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/certs serve

## Lint and import contracts, then types and the whole suite side by side, the suite on every core (pytest-xdist: each worker has its own databases; PostgreSQL / Redis parts run when TEST_DATABASE_URL / TEST_REDIS_URL are set)
## Hypothesis runs the `ci` profile (derandomized) unless HYPOTHESIS_PROFILE says otherwise (docs/testing.md)
## mypy runs beside the suite rather than before it: the suite leaves a core idle part of the time
## (its end-to-end tests wait for servers), and mypy without its cache (a fresh clone) takes 9 s:
## mypy then pytest took 9.3 + 46 s on a fresh clone, side by side 50.8 s. Either failing fails it.
test: lint node-deps
	$(MAKE) --no-print-directory -j2 typecheck suite

suite: install node-deps
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest -n auto

## The fuzz test (tests/e2e/test_fuzz.py) at CI's budget: FUZZ_EXAMPLES documents per operation, each
## sent as every caller (`make test` runs it with 4). Derandomized; .ci/run runs it after `make test`.
FUZZ_EXAMPLES ?= 30
fuzz: install
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -n auto -q tests/e2e/test_fuzz.py

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

## Benchmarks of the real server on SQLite and PostgreSQL (docs/performance.md); `python -m bench --help`
bench: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m bench

## Mutation testing of domain/ against tests/domain (mutmut, [tool.mutmut] in pyproject.toml); prints the score.
## Not part of `make test`. MUTATION_JOBS bounds the parallel workers on a shared machine.
MUTATION_JOBS ?= 2
mutation: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,mutation]'
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) > /dev/null
	$(BIN)/mutmut export-cicd-stats > /dev/null
	$(BIN)/python -m tests.support.mutation_score mutants/mutmut-cicd-stats.json
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis mutants $(NODE_DIR)/node_modules
