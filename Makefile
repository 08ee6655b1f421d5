# Two entry points (see README): `make briefs` and `make test`. Each creates .venv if needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV := $(VENV)/uv/bin/uv

.PHONY: setup briefs test test-all lint clean

# uv does not compile modules at install; with PYTHONDONTWRITEBYTECODE set (as on this machine) every
# test process, kernel and CLI call would recompile pandas and matplotlib (pytest 1 min 35 s -> 2 min
# 38 s). Unset, each module is compiled into .venv once, when first imported (setup 34 s -> 13 s
# against compiling everything at install).
unexport PYTHONDONTWRITEBYTECODE

setup: $(STAMP)

$(STAMP): pyproject.toml
	@echo "setup 1/3: creating $(VENV) (first run only)"
	@test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV)
	@echo "setup 2/3: installing uv, the installer, into $(VENV)/uv (pip took 1 min 38 s for what uv does in 10 s)"
	@# with this Python's own pip (6 s less than giving the venv one first); where that pip is absent
	@# or refuses (an externally managed system Python), with the venv's own pip
	@test -x $(UV) || $(PYTHON) -m pip install --quiet --root-user-action=ignore --target $(VENV)/uv uv \
		|| { $(PY) -m ensurepip --default-pip && $(PY) -m pip install --quiet --target $(VENV)/uv uv; }
	@echo "setup 3/3: installing kjqg_model and its dependencies, the CJK font included"
	@$(UV) pip install --quiet --python $(PY) -e '.[dev]' pip
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
