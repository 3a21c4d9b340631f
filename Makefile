# scan-analytics: `make run` starts the whole stack, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SA := $(BIN)/scan-analytics

.PHONY: help install services run test unit lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create the virtualenv and install the project

services: install  ## start PostgreSQL, Kafka and the schema registry (idempotent)
	$(SA) services up

run: install  ## start the services and the pipeline, then print the API address
	$(BIN)/python -m scan_analytics.devstack

test: services  ## run the whole test suite against real services
	$(SA) migrate
	$(BIN)/pytest

unit: install  ## run the unit tests only (no services)
	$(BIN)/pytest tests/unit

lint: install  ## ruff (lint and formatting) and mypy, as CI runs them
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: services  ## run the benchmarks under bench/ (long)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:  ## stop the services and remove local state (.services, the virtualenv)
	-$(SA) services down
	rm -rf .services $(VENV)
