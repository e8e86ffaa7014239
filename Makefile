# Smarketing: `make demo` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SMARKETING_DATA_DIR ?= ./var
export SMARKETING_DATA_DIR

.PHONY: demo test lint install dev browser pango clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

demo: install pango
	SMARKETING_MAIL_DIR=$${SMARKETING_MAIL_DIR-$$([ -n "$$SMARKETING_SMTP_HOST" ] || echo $(SMARKETING_DATA_DIR)/mail)} \
	  $(BIN)/smarketing demo

browser:
	@bash scripts/ensure-chromium

pango:
	@bash scripts/ensure-pango

lint: dev
	$(BIN)/ruff check .
	$(BIN)/mypy src
	SMARKETING_DATA_DIR=$(SMARKETING_DATA_DIR)/lint $(BIN)/smarketing makemigrations --check --dry-run

test: dev browser pango lint
	SMARKETING_DATA_DIR=$(SMARKETING_DATA_DIR)/test $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
