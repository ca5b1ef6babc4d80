# The two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app
export FLASK_APP := app

.PHONY: run test lint test-postgres bench fuzz chaos install assets clean

run: $(VENV)/.installed static/css/app.css
	$(FLASK) db upgrade
	$(FLASK) setup
	$(FLASK) demo contacts
	@echo "Serving http://127.0.0.1:$(PORT) (texts go to the console backend unless Twilio is configured)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed-dev static/css/app.css lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Unused imports, shadowed names, import order, likely bugs: pyproject.toml says which rules.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# The same suite on PostgreSQL (the local server CI also has).
test-postgres:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(MAKE) test

bench: $(VENV)/.installed-dev static/css/app.css
	$(BIN)/python -m bench

# The full API fuzz (CI runs 3 derandomised examples per operation): FUZZ_EXAMPLES random
# examples per operation, mode and role; prints what it sent, what came back and the row counts.
# TEST_DATABASE_URL=postgresql+psycopg://... runs it on PostgreSQL.
FUZZ_EXAMPLES ?= 100
fuzz: $(VENV)/.installed-dev  # the API only: no front-end build needed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -s -p no:cacheprovider \
		tests/proof/test_fuzz_api.py

# Three workers, 2,000 due escalation steps, a fake Twilio failing ~30% of texts, SIGKILLs:
# every text exactly once (tests/alerts/chaos.py). Creates and drops the PostgreSQL database
# `chaos` on 127.0.0.1:5432 (user postgres); at most 10 minutes; non-zero exit on a violation.
chaos: $(VENV)/.installed-dev
	$(BIN)/python -m tests.alerts.chaos $(CHAOS_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: static/css/app.css

static/css/app.css: node_modules/.installed assets/app.scss assets/_custody.scss assets/build.mjs
	npm run --silent build

clean:
	rm -rf $(VENV) node_modules static/vendor static/css/app.css
