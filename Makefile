# The two commands a person needs: `make lab` and `make test`. Both create the virtual
# environment .venv on first use, so nothing has to be installed beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab lab-instructor nbgrader test lessons grade grade-me lint bench venv clean

venv: $(STAMP)

# Reinstall whenever the project's dependencies change.
# The Binder pins constrain the install, so tests run on exactly what Binder ships.
# PYTHONWARNINGS=ignore: setuptools prints a banner about editable installs that reads like
# an error to a student; pip's own errors still show.
$(STAMP): pyproject.toml binder/requirements.txt
	$(PYTHON) -m venv $(VENV)
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e '.[dev]' -c binder/requirements.txt
	@# matplotlib's font cache, built once here: otherwise a student's first plot prints
	@# "Matplotlib is building the font cache" to stderr.
	$(BIN)/python -c "import matplotlib.font_manager"
	touch $(STAMP)

# Jupyter refuses to run as root unless told; students in Docker, Codespaces or a cloud VM are
# root, and there it is their own machine.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_ARGS ?=  # more options for jupyter lab, e.g. LAB_ARGS="--port=8890 --no-browser"

# Students: JupyterLab on lessons/ (the file browser starts there; solutions/ is out of reach),
# with nbgrader's Validate button but none of its instructor or exchange pieces: the config in
# jupyter/student/ turns those off for this server only, as binder/postBuild does on Binder
# (and lets a lesson open without the unsaved-changes dot; see its jupyter_server_config.py).
# (--ServerApp.default_url is overridden by JupyterLab's own LabApp.default_url, so the folder
# is chosen with root_dir instead.)
lab: $(STAMP)
	@echo "Starting JupyterLab on lessons/. Open the http://127.0.0.1:... link printed below; Ctrl+C stops it."
	JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter/student$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH} \
		$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR)/lessons $(ALLOW_ROOT) $(LAB_ARGS)

# The grading folder nbgrader's own tools look at (see nbgrader_config.py): the same OUT=,
# SUBMISSIONS= and DB_URL= as `make grade` (and EXCHANGE=, nbgrader's exchange folder), and the
# venv's bin/ on PATH (nbgrader runs the `alembic` program from there to create a gradebook).
OUT ?= grading-out
SUBMISSIONS ?= submitted
NBGRADER_ENV := PATH=$(CURDIR)/$(BIN):$$PATH BPKIT_GRADING_OUT=$(OUT) BPKIT_SUBMITTED=$(SUBMISSIONS) \
	$(if $(DB_URL),BPKIT_DB_URL=$(DB_URL)) $(if $(EXCHANGE),BPKIT_EXCHANGE=$(EXCHANGE))

# Instructors: the whole repository with every nbgrader piece (Formgrader, Create Assignment);
# the Formgrader shows what `make grade` graded into OUT.
lab-instructor: $(STAMP)
	mkdir -p $(OUT)
	$(NBGRADER_ENV) $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) $(ALLOW_ROOT) $(LAB_ARGS)

# nbgrader's own commands on the grader's gradebook, e.g.
#   make nbgrader ARGS="db assignment list"
#   make nbgrader ARGS="db assignment add 03_add_mul_layers --duedate='2025-03-01 23:59 UTC'"
#   make nbgrader ARGS="collect 03_add_mul_layers"
#   make nbgrader ARGS="export"            (writes OUT/nbgrader-export.csv)
nbgrader: $(STAMP)
	mkdir -p $(OUT)
	$(NBGRADER_ENV) $(BIN)/nbgrader $(ARGS)

# On every core (pytest-xdist); groups that must share a worker: see tests/conftest.py.
# Python's bytecode cache stays on even where PYTHONDONTWRITEBYTECODE is set (some Docker images
# and CI machines set it): the suite starts hundreds of Pythons (kernels, graders, nbgrader),
# and without the cache each compiles bpkit, the autograder and the tests again. Measured on
# 2 cores: collecting the tests 6.0 s of CPU without the cache and 3.1 s with it; a kernel's
# import of bpkit's checks, figures and widgets 0.84 s against 0.65 s. The caches go to the
# __pycache__ folders that .gitignore already leaves out.
test: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n auto --dist loadgroup

# Regenerate lessons/ from solutions/ with nbgrader (deterministic; no gradebook needed), and
# the README's lesson tables. One lesson or a few: make lessons LESSON=03 (or LESSON="03 05").
lessons: $(STAMP)
	$(BIN)/python -m autograder.release $(LESSON)

# Grade a class: make grade SUBMISSIONS=path/to/submitted-or-lms.zip OUT=grading-out
#                [LESSON="03 06"] [JOBS=4] [ROSTER=class.csv] [DB_URL=postgresql://...]
grade: $(STAMP)
	$(BIN)/python -m autograder grade $(SUBMISSIONS) --out $(OUT) \
		$(if $(LESSON),--lesson $(LESSON)) $(if $(JOBS),--jobs $(JOBS)) \
		$(if $(ROSTER),--roster $(ROSTER)) $(if $(DB_URL),--db-url $(DB_URL))

# Grade yourself: make grade-me LESSON=03
grade-me: $(STAMP)
	$(BIN)/python -m autograder.grade_me $(LESSON) $(NOTEBOOK)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench.lessons
	$(BIN)/python -m bench.train
	$(BIN)/python -m bench.grade
	$(BIN)/python -m bench.grade_me
	$(BIN)/python -m bench.binder

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
