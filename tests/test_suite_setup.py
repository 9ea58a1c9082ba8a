"""How ``make test`` spreads the suite over the cores (tests/conftest.py, pytest-xdist).

Grouping fails silently (a pytest release once stopped pytest-xdist's ``--dist loadgroup`` from
grouping anything, and the suite just got slower), so a small suite with our conftest runs on two
workers here, and the tests that must share a worker are checked to have shared one.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

SMALL_SUITE = '''
import os

import pytest


@pytest.fixture(scope="module")
def graded_class():
    return os.getpid()  # stands for an expensive fixture: built once per worker that needs it


def test_first_look_at_the_class(graded_class):
    pass


def test_second_look_at_the_class(graded_class):
    pass


@pytest.mark.browser
def test_in_a_browser():
    pass


@pytest.mark.browser
def test_in_a_browser_again():
    pass


@pytest.mark.postgres
def test_with_a_database_server():
    pass


@pytest.mark.binder
def test_in_the_binder_image():
    pass


@pytest.mark.parametrize("n", range(6))
def test_on_its_own(n):
    pass


def test_reads_the_validated_solutions(validated_solutions):
    assert validated_solutions == {}  # no test here has a lesson: nothing to validate
'''

# A second module reading the same shared run: it must run where the first module's reader ran.
OTHER_MODULE = '''
def test_reads_the_validated_solutions_too(validated_solutions):
    pass
'''


def test_tests_that_share_a_fixture_or_start_servers_run_on_one_worker(tmp_path):
    (tmp_path / "tests").mkdir()
    for name in ("conftest.py", "validate_runs.py", "lesson_runs.py", "lab_server.py"):
        shutil.copy(Path(__file__).with_name(name), tmp_path / "tests" / name)  # and its helpers
    (tmp_path / "tests" / "test_small.py").write_text(SMALL_SUITE)
    (tmp_path / "tests" / "test_other.py").write_text(OTHER_MODULE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestUnknownMarkWarning", "tests"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    worker = {test: gw for gw, test in re.findall(
        r"\[(gw\d)\] .*?PASSED tests/test_\w+\.py::(\w+)", done.stdout)}
    assert len(worker) == 9, done.stdout[-3000:]  # eight tests and the parametrized one
    assert worker["test_first_look_at_the_class"] == worker["test_second_look_at_the_class"]
    assert worker["test_in_a_browser"] == worker["test_in_a_browser_again"]
    assert (worker["test_reads_the_validated_solutions"]
            == worker["test_reads_the_validated_solutions_too"])
