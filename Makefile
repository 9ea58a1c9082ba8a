# The two commands a person needs: `make lab` and `make test`. Both create the virtual
# environment .venv on first use, so nothing has to be installed beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NBGRADER := $(BIN)/nbgrader
NBGRADER_CONFIG := --config=autograder/nbgrader_config.py

.PHONY: lab test lessons grade grade-me bench venv clean

venv: $(STAMP)

# Reinstall whenever the project's dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.default_url=/lab/tree/lessons

test: $(STAMP)
	$(BIN)/python -m pytest

# Regenerate lessons/ from solutions/ with nbgrader (deterministic; no gradebook needed).
lessons: $(STAMP)
	$(BIN)/python -m autograder.release

bench: $(STAMP)
	$(BIN)/python bench/lessons.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
