# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/pytest
# Tiers without property tests leave out the hypothesis plugin: it imports hypothesis at
# the very end of a run, and after the media tests' threads that import has failed with
# CPython 3.11's "AST constructor recursion depth mismatch".
PYTEST_NO_PROPERTY := $(PYTEST) -p no:hypothesispytest
# Coverage of chalicelib, where it runs in the test process: the unit tier (pytest-cov
# combines its xdist workers' data). Integration tests reach chalicelib only inside the
# stack's child process and media tests not at all, so they run without it.
COVERAGE := --cov=chalicelib --cov-report=term-missing:skip-covered --cov-fail-under=85

.PHONY: job routes run test check lint typecheck unit unit-coverage property integration media \
	media-without-browser browser bench clean system-deps turn-server synth

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt media/requirements.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## Debian packages the stack and its tests use (coturn, headless Chromium); idempotent.
system-deps:
	bash scripts/install-system-deps.sh coturn chromium

turn-server:
	bash scripts/install-system-deps.sh coturn

## Run the whole backend locally on an embedded AWS (Ctrl-C stops it); MEDIA_NODES=2: two SFUs.
MEDIA_NODES ?= 1
run: $(STAMP) turn-server
	$(BIN)/python -m local.run --media-nodes $(MEDIA_NODES)

## Lint, type-check and run every tier side by side (each prints when it is done): the
## unit tier on two workers with coverage, the stack's and the media tests beside it. The
## browser call runs last, alone: Chromium must decode video in real time. scripts/tiers.py
## runs each tier in its own process group, kills what a tier leaves running and any tier
## that outlasts its time limit, and waits for each by its pid.
TIER_TIMEOUT ?= 2400
test: $(STAMP) system-deps
	$(MAKE) --no-print-directory $(INFRA_STAMP)
	$(BIN)/python scripts/tiers.py --timeout $(TIER_TIMEOUT) \
		lint typecheck unit-coverage integration media-without-browser
	$(BIN)/python scripts/tiers.py --timeout $(TIER_TIMEOUT) browser

unit-coverage: $(STAMP)
	$(PYTEST) -n 2 $(COVERAGE) tests/unit

media-without-browser: $(STAMP)
	$(PYTEST_NO_PROPERTY) -m "not browser" tests/media

browser: $(STAMP)
	$(PYTEST_NO_PROPERTY) -m browser tests/media

## The pre-commit hooks over every file (what a commit would run).
check: $(STAMP)
	$(BIN)/pre-commit run --all-files

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy chalicelib app.py local infra media bench scripts

## One tier at a time: in-process, sockets blocked (unit; property is part of it) ...
unit: $(STAMP)
	$(PYTEST) -n 2 tests/unit

property: $(STAMP)
	$(PYTEST) tests/unit/property

## ... the local stack over HTTP ...
integration: $(STAMP)
	$(PYTEST_NO_PROPERTY) tests/integration

## ... the media server, its clients, the recorder and the browser call.
media: $(STAMP)
	$(PYTEST_NO_PROPERTY) tests/media

bench: $(STAMP)
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/sfu_capacity.py
	$(BIN)/python bench/booking_race.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/vault.py --sizes 100M,1G

## Run one scheduled job against the running local stack: make job NAME=reminders [NOW=<RFC 3339>]
job: $(STAMP)
	$(BIN)/python -m local.jobs run $(NAME) $(if $(NOW),--now $(NOW))

## Regenerate chalicelib/route_table.py after adding or changing a route.
routes: $(STAMP)
	$(BIN)/python -m chalicelib.web.lazy
	$(BIN)/ruff format chalicelib/route_table.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .hypothesis

## The deployment: checkov needs its own venv (it pins an older boto3 than the app).
INFRA_VENV := .venv-infra
INFRA_STAMP := $(INFRA_VENV)/.installed

$(INFRA_STAMP): infra/requirements.txt
	$(PYTHON) -m venv $(INFRA_VENV) || python3 -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/pip install --quiet -r infra/requirements.txt
	touch $(INFRA_STAMP)

## CloudFormation for every deployed stage into cdk.out/ (no AWS account needed).
synth: $(STAMP)
	$(BIN)/python -m infra.app --outdir cdk.out
