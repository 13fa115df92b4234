# Two commands for a fresh machine (see README):
#   make lab    set everything up in .venv/ and open the course in JupyterLab
#   make test   set everything up in .venv/ and run all tests (unit tests + every notebook in quick mode,
#               instructor and generated student versions)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PyTorch's CPU-only wheels; used only when no torch 2.13.0 wheel is found locally (pip's find-links).
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
# Jupyter refuses to run as root unless told; containers often run as root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_NOTEBOOKS := --nbval-lax --nbval-current-env --nbval-cell-timeout=600
# student versions of the notebooks: solutions removed, checks kept (generated, git-ignored)
STUDENT_DIR := student

.PHONY: setup lab workshop test unit notebooks student bench sync check record clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 12), "Python 3.11 or 3.12 is needed (3.11 recommended); set PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps --no-index torch==2.13.0 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet --no-deps torch==2.13.0 --index-url $(TORCH_CPU_INDEX)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)/"

lab: setup
	cd notebooks && ../$(BIN)/jupyter lab $(LAB_FLAGS) 00_welcome.ipynb

# the executive workshop page (notebooks/workshop.ipynb) as a Voilà app, code hidden, at http://localhost:8866
# (opens a browser; `make workshop WORKSHOP_FLAGS=--no-browser` does not)
WORKSHOP_PORT ?= 8866
WORKSHOP_FLAGS ?=
workshop: setup
	COURSE_MODE=quick $(BIN)/voila notebooks/workshop.ipynb --port=$(WORKSHOP_PORT) --Voila.ip=127.0.0.1 $(WORKSHOP_FLAGS)

test: setup student
	COURSE_MODE=quick $(BIN)/python -m pytest tests notebooks $(STUDENT_DIR) $(PYTEST_NOTEBOOKS)

unit: setup
	$(BIN)/python -m pytest tests

notebooks: setup student
	COURSE_MODE=quick $(BIN)/python -m pytest notebooks $(STUDENT_DIR) $(PYTEST_NOTEBOOKS)

# write the student versions ($(STUDENT_DIR)/NN_name.ipynb + .py); exercises end in NotImplementedError
student: setup
	$(BIN)/python -m course_utils.nbtools student --out $(STUDENT_DIR)

bench: setup
	$(BIN)/python -m course_utils.bench notebooks --mode quick --json .bench/notebooks-quick.json

sync: setup
	$(BIN)/python -m course_utils.nbtools sync

check: setup
	$(BIN)/python -m course_utils.nbtools check

record: setup
	$(BIN)/python -m course_utils.nbtools record

clean:
	rm -rf $(VENV) .pytest_cache .bench $(STUDENT_DIR)
