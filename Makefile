# Orderly — the front door. `make` (or `make help`) lists every target.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
PIP_COMPILE_ARGS ?=
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install requirements ci run worker beat test e2e frontend-test schema schema-check schema-tools schema-breaking schema-lint lint format typecheck migrate makemigrations shell seed check clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# local.txt holds the whole tree (production set included), every package pinned
# with its hashes; pip itself is one of them, so no unpinned upgrade comes first.
$(STAMP): requirements/local.txt requirements/production.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Orderly needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/local.txt
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned, hash-checked requirements

# Compiled against pip's default index alone: a machine's own pip configuration
# (extra indexes, local wheel folders) must not put its paths or its files' hashes
# in the output.
PIP_COMPILE = env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS \
	PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make requirements" \
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links \
	$(PIP_COMPILE_ARGS)

requirements: $(STAMP) ## Recompile requirements/*.in into pinned, hashed *.txt (PIP_COMPILE_ARGS="--upgrade-package X")
	$(PIP_COMPILE) --output-file=requirements/production.txt requirements/production.in
	$(PIP_COMPILE) --output-file=requirements/local.txt requirements/local.in

run: $(STAMP) ## Migrate, load demo data and serve on http://127.0.0.1:8000 (PORT=8001 for another port)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --base-url http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Both need CELERY_BROKER_URL (a Redis broker), in the environment or in .env, shared
# with `make run`; without one, tasks run inside the web process and need neither.
worker: $(STAMP) ## Run a Celery worker on the default, mail and reports queues (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config worker -Q default,mail,reports -l info

beat: $(STAMP) ## Run the periodic task scheduler, exactly one (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config beat -l info --schedule $(VENV)/celerybeat-schedule

test: $(STAMP) ## Run the whole test suite (PostgreSQL/Redis too when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest $(PYTEST_ARGS)

e2e: $(STAMP) ## Run the real-browser admin tests (needs Debian's chromium)
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

# npm ci installs exactly tests/frontend/package-lock.json; the flow starts its own
# gunicorn on PostgreSQL and Redis (tests/frontend/run-flow.sh says what it needs).
frontend-test: $(STAMP) ## Type-check the client generated from docs/openapi.yaml and run its flow on gunicorn (PostgreSQL + Redis)
	npm --prefix tests/frontend ci --no-audit --no-fund
	npm --prefix tests/frontend run --silent typecheck
	bash tests/frontend/run-flow.sh

# The benchmark harness (docs/performance.md): seeds orderly_bench (1,000,000
# orders) once, serves the floor, Orderly and the naive baseline with gunicorn on
# 127.0.0.1 and drives them with wrk (Debian's); writes docs/benchmarks/<date>.*.
bench: $(STAMP) ## Benchmark Orderly against the floor and a naive baseline (ARGS=--quick: a few minutes)
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python scripts/bench/run.py $(ARGS)

# The committed OpenAPI document, docs/openapi.yaml, and its checks (ADR 0033);
# scripts/schema.sh says more.
schema: $(STAMP) ## Regenerate docs/openapi.yaml from the code (base settings, no environment)
	bash scripts/schema.sh write

schema-check: $(STAMP) ## Fail when docs/openapi.yaml differs from what the code generates
	bash scripts/schema.sh check

schema-tools: ## Install the schema tools of tools/openapi (npm ci: Optic, Redocly CLI)
	npm --prefix tools/openapi ci --no-audit --no-fund

schema-breaking: ## Fail on a breaking change from docs/openapi-baseline.yaml to docs/openapi.yaml (Optic)
	bash scripts/schema.sh breaking

schema-lint: ## Lint docs/openapi.yaml with Redocly CLI (tools/openapi/redocly.yaml)
	bash scripts/schema.sh lint

lint: $(STAMP) ## Lint and check formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format the code and fix what ruff can
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP) ## Type-check with mypy (django-stubs, DRF stubs)
	$(BIN)/mypy .

migrate: $(STAMP) ## Apply database migrations
	$(BIN)/python manage.py migrate

makemigrations: $(STAMP) ## Create migrations for model changes
	$(BIN)/python manage.py makemigrations

shell: $(STAMP) ## Open a Django shell
	$(BIN)/python manage.py shell

seed: $(STAMP) ## Load (or refresh) the demo data
	$(BIN)/python manage.py seed_demo

ci: ## Run what CI runs (needs PostgreSQL and Redis on 127.0.0.1, Node.js 20 and npm)
	bash .ci/run

clean: ## Remove the virtualenv, caches, the SQLite database and the frontend flow's packages and build
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache htmlcov .coverage db.sqlite3 \
		tests/frontend/node_modules tests/frontend/dist tests/frontend/src/generated \
		tools/openapi/node_modules
