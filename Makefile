# Two entry points (see README): `make briefs` and `make test`. Each creates .venv if needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup briefs test test-all lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

briefs: $(STAMP)
	$(VENV)/bin/kjqg briefs --jobs 2 --out outputs

test: $(STAMP)
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q

test-all: $(STAMP)  # the default run plus the slow tests (about 4 minutes)
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q -m ""

lint: $(STAMP)
	$(PY) -m ruff check src tests bench
	$(PY) -m ruff format --check src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
