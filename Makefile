# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Real calendar clients for the feed tests (vdirsyncer -> khal); their own venv because
# their dependencies clash with ours. See docs/feeds.md.
CLIENTS := .venv-clients
CLIENTS_STAMP := $(CLIENTS)/.installed

.PHONY: demo test lint install clients clean screenshots

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

# The README's screenshots, taken by the browser tests (tests/browser; needs /usr/bin/chromium).
SHOTS := planner-location-week cycle-diff sessions-move-refused school-request-refused \
	company-availability trainer-absence-confirm
screenshots: $(STAMP)
	TIC_BROWSER_ARTIFACTS=out/browser $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser
	mkdir -p docs/screenshots
	for shot in $(SHOTS); do cp out/browser/$$shot.png docs/screenshots/; done

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(CLIENTS) campus.db out .pytest_cache
