# Two entry points (see README): `make briefs` and `make test`. Each creates .venv if needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup briefs test test-all lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@echo "setup 1/3: creating $(VENV) (first run only)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "setup 2/3: installing uv, the installer (pip took 1 min 38 s for what uv does in about 30 s)"
	@$(PY) -m pip install --quiet uv
	@echo "setup 3/3: installing kjqg_model and its dependencies, the CJK font included"
	@# compiled at install: PYTHONDONTWRITEBYTECODE=1 (set on CI) would otherwise make every test
	@# process, kernel and CLI call recompile pandas and matplotlib (pytest 1 min 35 s -> 2 min 38 s)
	@$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -e '.[dev]'
	@touch $(STAMP)
	@echo "setup done"

briefs: $(STAMP)
	$(VENV)/bin/kjqg briefs --jobs 2 --out outputs

test: $(STAMP)
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q

test-all: $(STAMP)  # the default run plus the tests marked slow
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q -m ""

lint: $(STAMP)
	$(PY) -m ruff check src tests bench
	$(PY) -m ruff format --check src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
