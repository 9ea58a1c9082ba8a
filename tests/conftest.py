"""Suite-wide rules.

In CI (CI=true) nothing may be skipped: a test that would skip because a system package is
missing (Chromium, PostgreSQL, bubblewrap) fails instead, since CI installs them and a skip
there would hide a broken install step. On a person's machine such tests skip with a message
saying what to install.

Each lesson folder solutions/NN_topic/ gives a marker ``lessonNN`` (``pytest -m lesson03``), so a
new lesson needs no list edited; ``--strict-markers`` still rejects a marker of no lesson.

``make test`` runs the suite on every core with pytest-xdist (``-n auto --dist loadgroup``), with
one worker more than there are cores (``pytest_xdist_auto_num_workers`` below).
Three kinds of tests are kept together on one worker, by an ``xdist_group`` mark given here:
the tests that read one of the shared ``nbgrader validate`` runs below (each run is made once);
the tests of a module that builds one expensive module-scoped fixture (a graded class, a lab
server), which would otherwise be built once per worker; and the tests of one kind of server or
environment (``browser``, ``binder``, ``postgres``), which share what they start. The kinds go to
different workers: kept in one group they made one worker run a third of the suite alone. A
module's fixture wins over the kind (the exchange module's browser test joins its module).
"""

import os
import sys
from pathlib import Path

# One BLAS thread per process. The suite runs many processes side by side (xdist workers,
# kernels, graders), and OpenBLAS's threads busy-wait for each other on a busy machine: the
# README's 500-step training took 82 s beside other work instead of 14 s. Set before numpy is
# first imported, here and (inherited) in every kernel and command the tests start.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import matplotlib  # noqa: E402
import pytest  # noqa: E402

# Figures are drawn off screen in tests; no window, no display needed.
matplotlib.use("Agg")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


SERVER_MARKERS = ("browser", "binder", "postgres")


# One `nbgrader validate` of every solution, and one `nbgrader validate --invert` of every
# blank lesson, each notebook on its own fresh kernel as nbgrader runs it. Their verdicts are
# test_notebooks.py's; what each kernel showed (validate_runs.validate_and_keep) is read by the
# tests of a lesson's outputs in test_notebooks.py, test_run_all.py and test_checks_blank.py.
# Only the lessons that this run's selected tests ask for are validated (pytest -m lesson03).
SHARED_RUNS = ("validated_solutions", "validated_lessons")


@pytest.fixture(scope="session")
def validated_solutions(request):
    """``{lesson: validate_runs.Validation}`` of solutions/<lesson>/<lesson>.ipynb."""
    return _validate(request, "validated_solutions", "solutions")


@pytest.fixture(scope="session")
def validated_lessons(request):
    """``{lesson: validate_runs.Validation}`` of ``--invert`` on lessons/<lesson>/<lesson>.ipynb."""
    return _validate(request, "validated_lessons", "lessons", "--invert")


def _validate(request, fixture, folder, *flags):
    sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file
    import lab_server
    import validate_runs

    wanted = validate_runs.selected(request, fixture=fixture)
    root = lab_server.course_root() / folder
    done = validate_runs.validate_and_keep([root / name / f"{name}.ipynb" for name in wanted],
                                           *flags)
    return {name: done[(root / name / f"{name}.ipynb").resolve()] for name in wanted}


def pytest_configure(config):
    from autograder.lessons import lessons

    for lesson in lessons(config.rootpath):
        config.addinivalue_line("markers", f"{lesson.marker}: tests of lesson {lesson.slug}")
    # Registered by pytest-xdist too; here as well so that a run without it still passes.
    config.addinivalue_line("markers", "xdist_group(name): run on the same xdist worker")


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker more than the cores this process may use. A worker often waits
    (a kernel starting, a server answering, a browser drawing), and an extra worker fills
    those waits: on 2 cores the suite took 545 s with 2 workers and 493 s with 3; 4 workers were
    no faster than 3 (438 s against 436 s in a later pair of runs)."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_itemcollected(item):
    # Marked as each test is collected: xdist reads the groups once collection is done. A
    # module's expensive fixture comes first: a browser test of the exchange module shares its
    # graded semester with the module's other tests rather than building it a second time.
    kinds = [m for m in SERVER_MARKERS if item.get_closest_marker(m)]
    shared = [name for name in SHARED_RUNS if name in getattr(item, "fixturenames", ())]
    if shared:
        item.add_marker(pytest.mark.xdist_group(shared[0]))
    elif _uses_module_fixture(item):
        item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    elif kinds:
        item.add_marker(pytest.mark.xdist_group(kinds[0]))


def _uses_module_fixture(item):
    fixtures = getattr(item, "_fixtureinfo", None)
    return fixtures is not None and any(
        d.scope in ("module", "package", "session")
        for defs in fixtures.name2fixturedefs.values() for d in defs
        if d.baseid  # pytest's own session fixtures (tmp_path_factory, ...) have no baseid
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"
