# Orderly — the front door. `make` (or `make help`) lists every target.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install ci run test e2e lint format typecheck migrate makemigrations shell seed check clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements/base.txt requirements/local.txt requirements/production.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Orderly needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/local.txt -r requirements/production.txt
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned requirements

run: $(STAMP) ## Migrate, load demo data and serve on http://127.0.0.1:8000
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP) ## Run the whole test suite (PostgreSQL/Redis too when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest $(PYTEST_ARGS)

e2e: $(STAMP) ## Run the real-browser admin tests (needs Debian's chromium)
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

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

ci: ## Run what CI runs (needs PostgreSQL and Redis on 127.0.0.1)
	bash .ci/run

clean: ## Remove the virtualenv, caches and the SQLite database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache htmlcov .coverage db.sqlite3
