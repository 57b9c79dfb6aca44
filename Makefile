# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Real calendar clients for the feed tests (vdirsyncer -> khal); their own venv because
# their dependencies clash with ours. See docs/feeds.md.
CLIENTS := .venv-clients
CLIENTS_STAMP := $(CLIENTS)/.installed

.PHONY: demo test lint install clients clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(CLIENTS_STAMP):
	test -x $(CLIENTS)/bin/python || $(PYTHON) -m venv $(CLIENTS)
	$(CLIENTS)/bin/python -m pip install --quiet 'vdirsyncer==0.21.0' 'khal==0.14.1'
	touch $(CLIENTS_STAMP)

clients: $(CLIENTS_STAMP)

demo: $(STAMP)
	$(BIN)/campus demo

test: $(STAMP) $(CLIENTS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(CLIENTS) campus.db out .pytest_cache
