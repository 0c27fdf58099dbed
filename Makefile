# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: job routes run test lint typecheck unit integration bench clean system-deps turn-server

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

## Run the whole backend locally on an embedded AWS (Ctrl-C stops it).
run: $(STAMP) turn-server
	$(BIN)/python -m local.run

## Lint, type-check and run every test with coverage.
test: $(STAMP) system-deps lint typecheck
	$(BIN)/pytest --cov=chalicelib --cov-report=term-missing:skip-covered --cov-fail-under=85 tests

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy chalicelib app.py local infra media bench

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

bench: $(STAMP)
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/sfu_capacity.py
	$(BIN)/python bench/booking_race.py
	$(BIN)/python bench/sweep.py

## Run one scheduled job against the running local stack: make job NAME=reminders [NOW=<RFC 3339>]
job: $(STAMP)
	$(BIN)/python -m local.jobs run $(NAME) $(if $(NOW),--now $(NOW))

## Regenerate chalicelib/route_table.py after adding or changing a route.
routes: $(STAMP)
	$(BIN)/python -m chalicelib.web.lazy
	$(BIN)/ruff format chalicelib/route_table.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
