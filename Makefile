# Two commands for a fresh machine (see README):
#   make lab    set everything up in .venv/ and open the course in JupyterLab
#   make test   set everything up in .venv/ and run all tests (unit tests + every notebook in quick mode,
#               instructor and generated student versions, the real-browser tests)
# Also: make slides   one reveal.js deck per chapter and one for the workshop, in slides/ (open slides/index.html;
#                     the notebooks run once in quick mode for their figures, then are reused while unchanged)
# What pip cannot install (Chromium, for the browser tests) is listed once, in course_utils/tools/system.py;
# `make system` installs it with apt-get where it can (root, Debian), and otherwise says what to install.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PyTorch's CPU-only wheels; used only when no torch 2.13.0 wheel is found locally (pip's find-links).
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
# Jupyter refuses to run as root unless told; containers often run as root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
# extra flags for `make lab`, e.g. `make lab LAB_ARGS=--no-browser` on a machine without a screen
LAB_ARGS ?=
# Playwright (the browser tests' driver) uses the system's Chromium; it must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
PYTEST_NOTEBOOKS := --nbval-lax --nbval-current-env --nbval-cell-timeout=600
# student versions of the notebooks: solutions removed, checks kept (generated, git-ignored)
STUDENT_DIR := student
# the decks of `make slides` (generated, git-ignored)
SLIDES_DIR := slides

.PHONY: setup system lab workshop test unit notebooks student slides bench sync check record clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 12), "Python 3.11 or 3.12 is needed (3.11 recommended); set PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps --no-index torch==2.13.0 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet --no-deps torch==2.13.0 --index-url $(TORCH_CPU_INDEX)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)/"

# what pip cannot install (course_utils/tools/system.py lists it per target: Chromium for the tests, OpenCV's
# system libraries for everything): installed with apt-get when missing and possible, else named in one sentence
SYSTEM_FOR ?= test
system: setup
	$(BIN)/python -m course_utils.tools.system install --for $(SYSTEM_FOR)

lab: SYSTEM_FOR := lab
lab: setup system
	cd notebooks && ../$(BIN)/jupyter lab $(LAB_FLAGS) $(LAB_ARGS) 00_welcome.ipynb

# the executive workshop page (notebooks/workshop.ipynb) as a Voilà app, code hidden, at http://localhost:8866
# (opens a browser; `make workshop WORKSHOP_FLAGS=--no-browser` does not)
WORKSHOP_PORT ?= 8866
WORKSHOP_FLAGS ?=
workshop: SYSTEM_FOR := workshop
workshop: setup system
	COURSE_MODE=quick $(BIN)/voila notebooks/workshop.ipynb --port=$(WORKSHOP_PORT) --Voila.ip=127.0.0.1 $(WORKSHOP_FLAGS)

test: setup system student
	COURSE_MODE=quick $(BIN)/python -m pytest tests notebooks $(STUDENT_DIR) $(PYTEST_NOTEBOOKS)

unit: setup
	$(BIN)/python -m pytest tests

notebooks: setup student
	COURSE_MODE=quick $(BIN)/python -m pytest notebooks $(STUDENT_DIR) $(PYTEST_NOTEBOOKS)

# write the student versions ($(STUDENT_DIR)/NN_name.ipynb + .py); exercises end in NotImplementedError
student: setup
	$(BIN)/python -m course_utils.tools.student --out $(STUDENT_DIR)

# reveal.js decks from the notebooks: $(SLIDES_DIR)/NN_name.html, workshop.html, index.html; they open from disk, offline
slides: setup
	$(BIN)/python -m course_utils.tools.slides build --out $(SLIDES_DIR)

bench: setup
	$(BIN)/python -m course_utils.bench notebooks --mode quick --json .bench/notebooks-quick.json

sync: setup
	$(BIN)/python -m course_utils.tools.notebooks sync

check: setup
	$(BIN)/python -m course_utils.tools.notebooks check

record: setup
	$(BIN)/python -m course_utils.tools.notebooks record

clean:
	rm -rf $(VENV) .pytest_cache .bench $(STUDENT_DIR) $(SLIDES_DIR)
