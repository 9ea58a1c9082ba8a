# The two commands a person needs: `make lab` and `make test`. Both create the virtual
# environment .venv on first use, so nothing has to be installed beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NBGRADER := $(BIN)/nbgrader
NBGRADER_CONFIG := --config=autograder/nbgrader_config.py

.PHONY: lab test lessons grade grade-me lint bench venv clean

venv: $(STAMP)

# Reinstall whenever the project's dependencies change.
# The Binder pins constrain the install, so tests run on exactly what Binder ships.
$(STAMP): pyproject.toml binder/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -c binder/requirements.txt
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.default_url=/lab/tree/lessons

test: $(STAMP)
	$(BIN)/python -m pytest

# Regenerate lessons/ from solutions/ with nbgrader (deterministic; no gradebook needed), and
# the README's lesson tables. One lesson or a few: make lessons LESSON=03 (or LESSON="03 05").
lessons: $(STAMP)
	$(BIN)/python -m autograder.release $(LESSON)

# Grade a class: make grade SUBMISSIONS=path/to/submitted-or-lms.zip OUT=grading-out
grade: $(STAMP)
	$(BIN)/python -m autograder grade $(or $(SUBMISSIONS),submitted) --out $(or $(OUT),grading-out)

# Grade yourself: make grade-me LESSON=03
grade-me: $(STAMP)
	$(BIN)/python -m autograder grade-me $(LESSON) $(NOTEBOOK)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench.lessons
	$(BIN)/python -m bench.train
	$(BIN)/python -m bench.grade
	$(BIN)/python -m bench.binder

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
