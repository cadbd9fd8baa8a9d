# Soko: the newcomer's contract. `make dev` brings the whole system up locally; `make test` runs
# every test suite. Both create .venv (Python 3.13) and install what they need on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
SAM_VENV  := .venv-sam
SAM       := $(SAM_VENV)/bin/sam
PORT      ?= 3000
PARAMS    ?=# template parameters for make dev, as sam deploy takes them: PARAMS="ProphetCandidate=false"
EMPTY     ?=# make dev EMPTY=1: start without the shipped WFP prices and the demo world
NO_TRAIN  ?=# make dev NO_TRAIN=1: load them, but do not train forecasts in the background
yes        = $(filter 1 y yes true,$(1))
STAGE     ?= dev
TEST_WORKERS ?= 2# make test: pytest-xdist worker processes, each given whole test files (0: all in one process, in order)
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: help dev web chromium test-web test test-fast fuzz lint fmt bench openapi schemas check-template run-schedule endpoints lake-query ussd create-admin seed trade-day settle reconcile ingest-wfp ingest-feed generate-data train backtest \
        build deploy sam-venv clean ingest-bootstrap eval-recs train-groups eval-groups

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt layers/deps/requirements.txt layers/reports/requirements.txt pyproject.toml scripts/find-python.sh
	@python313=$$(scripts/find-python.sh) && \
	  { [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null || \
	    { echo "creating $(VENV) with $$python313"; rm -rf $(VENV); "$$python313" -m venv $(VENV); }; }
	@echo "installing dependencies into $(VENV) (log: $(VENV)/install.log) ..."
	@{ $(PY) -m pip install $(PIP_QUIET) --upgrade pip && \
	   $(PY) -m pip install $(PIP_QUIET) -r requirements-dev.txt -e . ; } > $(VENV)/install.log 2>&1 || \
	  { grep -v '^WARNING: Location' $(VENV)/install.log | tail -30; echo "error: installing dependencies failed"; exit 1; }
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install dependencies

# ---------------------------------------------------------------- the web app (web/, Node 20 + npm)
WEB_STAMP   := web/node_modules/.installed
WEB_BUILD   := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: the web app needs Node.js 20 and npm (apt-get install nodejs npm)"; exit 1; }
	@echo "installing the web app's npm packages (npm ci) ..."
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	@echo "building the web app into web/dist ..."
	@cd web && npm run --silent build > build.log 2>&1 || { cat build.log; exit 1; }

web: $(WEB_BUILD) ## Build the web app (web/dist): type-check and bundle

chromium: ## Install Debian's chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests (apt-get) ..."; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium > /dev/null; }

dev: $(STAMP) $(WEB_BUILD) ## Run the whole system locally with real prices and the demo world (PORT=3000, EMPTY=1, NO_TRAIN=1)
	$(PY) -m soko_local dev --port $(PORT) $(if $(call yes,$(EMPTY)),--empty) $(if $(call yes,$(NO_TRAIN)),--no-train) $(foreach p,$(PARAMS),--parameter $(p))

test: $(STAMP) $(WEB_BUILD) chromium ## Run every test suite (web unit, unit, functional, contract, template, end-to-end, fuzz, browser) with branch coverage
	cd web && npm test --silent
	$(PY) -m coverage erase
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=
	@$(PY) -m coverage report | grep -E '^(Name|TOTAL)'
	@echo "branch coverage of the [tool.coverage.run] source packages, % (make test fails below fail_under in pyproject.toml):"
	@$(PY) -m coverage report --format=total --precision=1

test-fast: $(STAMP) ## Everything but the end-to-end and fuzz suites
	$(PY) -m pytest -q -m "not e2e"

test-web: $(STAMP) $(WEB_BUILD) chromium ## The web app's unit tests and the browser journeys only
	cd web && npm test --silent
	$(PY) -m pytest -q tests/browser

fuzz: $(STAMP) ## A larger fuzz of the whole API from docs/openapi.json (SOKO_FUZZ_EXAMPLES, default 150)
	SOKO_FUZZ_EXAMPLES=$${SOKO_FUZZ_EXAMPLES:-150} $(PY) -m pytest -q tests/fuzz

lint: $(STAMP) ## ruff (style, complexity) and mypy (strict, pydantic plugin)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

fmt: $(STAMP) ## Format and autofix
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP) ## Print performance figures (start-up, gateway overhead, cold imports, ...)
	$(PY) -m soko_local.bench

openapi: $(STAMP) ## Regenerate docs/openapi.json from the handlers
	$(PY) -m soko_local.openapi --write

schemas: $(STAMP) ## Regenerate docs/events/*.json from the event contracts
	$(PY) -m soko_local.contracts --write

check-template: $(STAMP) ## cfn-lint the template and its translated form
	$(PY) -m pytest -q tests/template

run-schedule: $(STAMP) ## Fire a schedule in the running local runtime: make run-schedule NAME=<logical id>
	@test -n "$(NAME)" || { echo "usage: make run-schedule NAME=<schedule logical id>"; exit 2; }
	$(PY) -m soko_local run-schedule --port $(PORT) $(NAME)

create-admin: $(STAMP) ## Create the admin in a deployed stack: SOKO_ADMIN_EMAIL=.. SOKO_ADMIN_PASSWORD=.. make create-admin STAGE=dev
	$(PY) -m soko_tools.admin --stack soko-$(STAGE)

seed: $(STAMP) ## Load the demo world (13 farmers, 10 buyers, listings) into the running local runtime
	$(PY) -m soko_local.seed --port $(PORT)

trade-day: $(STAMP) ## A scripted day of trading on the demo world (after make seed): orders, payments, disputes, reviews; prints its own tally
	$(PY) -m soko_local.trading --port $(PORT) $(if $(ORDERS),--orders $(ORDERS))

ingest-wfp: $(STAMP) ## Load the shipped WFP price series into the running local runtime
	$(PY) -m soko_local.ml_tasks ingest-wfp --port $(PORT)

ingest-feed: $(STAMP) ## Run the daily WFP feed ingestion now in the running local runtime (retrains only the changed pairs)
	$(PY) -m soko_local run-schedule --port $(PORT) WfpIngestFunctionSchedule

generate-data: $(STAMP) ## Synthetic, labelled weekly series for crops with no real data (local runtime)
	$(PY) -m soko_local.ml_tasks generate-data --port $(PORT)

backtest: $(STAMP) ## Rolling-origin backtest on the real WFP series: reports/backtest.{json,md} and PNGs
	$(PY) -m soko_tools.backtest

train: $(STAMP) ## Run the training state machine in the running local runtime (after make ingest-wfp)
	$(PY) -m soko_local.ml_tasks train --port $(PORT)

ingest-bootstrap: $(STAMP) ## Rebuild the matching feature store (bootstrap state machine) in the running local runtime
	$(PY) -m soko_local.ml_tasks ingest-bootstrap --port $(PORT)

eval-recs: $(STAMP) ## Recommendations on a generated population: Precision/Recall/NDCG@5, coverage, diversity vs baselines
	$(PY) -m soko_tools.evaluate_recs

train-groups: $(STAMP) ## Run the trader-clusters state machine in the running local runtime (adds a generated history to a near-empty dev world, and says so)
	$(PY) -m soko_local.ml_tasks train-groups --port $(PORT)

eval-groups: $(STAMP) ## Group recommendations on a GENERATED population: precision@5, acceptance, savings vs random and popularity
	$(PY) -m soko_tools.evaluate_groups

lake-query: $(STAMP) ## Run a lake SQL file on the running local runtime's lake: make lake-query Q=gmv_by_day ARGS="2026-12-01 2026-12-31"
	@test -n "$(Q)" || { echo 'usage: make lake-query Q=<lake/sql file name> ARGS="<parameters>"'; exit 2; }
	$(PY) -m soko_local.lake_query --port $(PORT) $(Q) $(ARGS)

endpoints: $(STAMP) ## Show the running local runtime's endpoints
	$(PY) -m soko_local endpoints --port $(PORT)

ussd: $(STAMP) ## A handset in the terminal on the local USSD Function URL: make ussd PHONE=+256772123456
	@test -n "$(PHONE)" || { echo "usage: make ussd PHONE=+2567XXXXXXXX"; exit 2; }
	$(PY) -m soko_local.ussd_sim --port $(PORT) --phone "$(PHONE)"

.PHONY: replay-dlq
replay-dlq: $(STAMP) ## Dead letters: list them (no QUEUE), or replay one: make replay-dlq QUEUE=<name> REASON="..." [STACK=soko-dev]
	@if [ -n "$(QUEUE)" ] && [ -z "$(REASON)" ]; then echo 'usage: make replay-dlq QUEUE=<name> REASON="why" [STACK=<deployed stack>]'; exit 2; fi
	$(PY) -m soko_tools.replay_dlq $(if $(QUEUE),"$(QUEUE)" --reason "$(REASON)") $(if $(STACK),--stack $(STACK),--port $(PORT))

settle: $(STAMP) ## Payments: settle due payouts now in the running local runtime
	$(PY) -m soko_local run-schedule --port $(PORT) PaymentsSettlementFunctionSchedule

reconcile: $(STAMP) ## Payments: reconcile payments with the (sandbox) provider now
	$(PY) -m soko_local run-schedule --port $(PORT) PaymentsReconciliationFunctionSchedule

# ---------------------------------------------------------------- AWS (SAM CLI in its own venv)
$(SAM): requirements-sam.txt scripts/find-python.sh
	@python313=$$(scripts/find-python.sh) && "$$python313" -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install $(PIP_QUIET) -r requirements-sam.txt > $(SAM_VENV)/install.log 2>&1 || \
	  { tail -30 $(SAM_VENV)/install.log; exit 1; }
	@touch $(SAM)

sam-venv: $(SAM) ## Install the pinned aws-sam-cli (requirements-sam.txt) into .venv-sam

build: $(SAM) ## sam build (no Docker: python3.13 is put on PATH), then check every function's size
	PATH="$$(dirname $$(scripts/find-python.sh)):$$PATH" $(SAM) build
	$(SAM_VENV)/bin/python scripts/check_lambda_sizes.py .aws-sam/build

deploy: build $(STAMP) $(WEB_BUILD) ## sam deploy --config-env $(STAGE), then publish the web app to its site
	$(SAM) deploy --config-env $(STAGE)
	$(PY) -m soko_tools.publish_web --stack soko-$(STAGE)

.PHONY: publish-web
publish-web: $(STAMP) $(WEB_BUILD) ## Publish web/dist to the deployed stack's site (S3 + CloudFront): make publish-web STAGE=dev
	$(PY) -m soko_tools.publish_web --stack soko-$(STAGE)

clean: ## Remove build output and caches (keeps .venv)
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
