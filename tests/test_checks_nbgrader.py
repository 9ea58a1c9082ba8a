"""A CheckFailure through real nbgrader: validate shows the short box (no traceback, no checker
code, the student's own line), and autograde still scores the failing test cell 0 and keeps the
mistake id in the error's evalue."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from bpkit.checks import parse_failure

pytestmark = pytest.mark.autograder

BIN = Path(sys.executable).parent
NBGRADER = str(BIN / "nbgrader")


def cell(kind, source, grade_id=None, solution=False, points=None):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    new = make(source)
    if grade_id:
        new.metadata["nbgrader"] = {
            "grade_id": grade_id, "solution": solution, "grade": points is not None,
            "locked": not solution, "schema_version": 3, "task": False,
            **({"points": points} if points is not None else {}),
        }
    return new


SOLUTION_DOUBLE = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
SOLUTION_HALF = "def half(x):\n    ### BEGIN SOLUTION\n    return x / 2\n    ### END SOLUTION\n"


def lesson():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        cell("code", "from bpkit.checks import call, expect_close, passed", "imports"),
        cell("code", SOLUTION_DOUBLE, "double", solution=True),
        cell("code", 'value = call("double(3)", double, 3, exercise="double")\n'
                     'expect_close(value, 6, "double(3)", exercise="double")\n'
                     'passed("double", "twice its input", 1)\n', "double_value", points=2),
        cell("code", SOLUTION_HALF, "half", solution=True),
        cell("code", 'value = call("half(3)", half, 3, exercise="half")\n'
                     'expect_close(value, 1.5, "half(3)", exercise="half")\n'
                     'passed("half", "half its input", 1)\n', "half_value", points=3),
    ]
    return nb


def answer(nb, double_body, half_body):
    """The released notebook with the student's bodies in place of the blanks."""
    for c in nb.cells:
        grade_id = c.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ("double", "half"):
            body = double_body if grade_id == "double" else half_body
            c.source = f"def {grade_id}(x):\n    {body}\n"
    return nb


def nbgrader(course, *args):
    done = subprocess.run([NBGRADER, *args], cwd=course, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module", autouse=True)
def venv_on_path():
    """nbgrader's gradebook runs `alembic`, installed beside it in the venv."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


@pytest.fixture(scope="module")
def course(tmp_path_factory, venv_on_path):
    """A one-notebook nbgrader course with two students: 'wrong' and 'right'."""
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'toolkit'\n"
        "c.ExecutePreprocessor.timeout = 120\n"
    )
    (root / "source" / "ps1").mkdir(parents=True)
    nbformat.write(lesson(), root / "source" / "ps1" / "ps1.ipynb")
    nbgrader(root, "db", "assignment", "add", "ps1")
    nbgrader(root, "generate_assignment", "ps1", "--force")
    released = root / "release" / "ps1" / "ps1.ipynb"
    answers = {"wrong": ("return 3 * x", "return x / y"), "right": ("return x * 2",
                                                                     "return x * 0.5")}
    for student, bodies in answers.items():
        nbgrader(root, "db", "student", "add", student)
        folder = root / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(answer(nbformat.read(released, as_version=4), *bodies),
                       folder / "ps1.ipynb")
        (folder / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")
    nbgrader(root, "autograde", "ps1", "--force")
    return root


def test_validate_shows_the_short_box_not_a_traceback(course):
    out = nbgrader(course, "validate", str(course / "submitted" / "wrong" / "ps1" / "ps1.ipynb"))
    assert "✗ Check failed" in out
    assert "double(3) is wrong: got 9, expected 6." in out
    assert 'Ask for a hint: hint("double")' in out
    # half() raised inside the student's own code: the box shows their line.
    assert "`y` is not defined" in out or "name 'y' is not defined" in out
    assert "Your code, Cell In[" in out and "return x / y" in out
    assert "Traceback" not in out and "_student.py" not in out and "raise failure" not in out


def test_autograde_scores_each_failing_check_cell_zero_and_a_right_answer_full(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        wrong = gradebook.find_submission_notebook("ps1", "ps1", "wrong")
        right = gradebook.find_submission_notebook("ps1", "ps1", "right")
        scores = {g.name: g.score for g in wrong.grades}
        assert scores == {"double_value": 0, "half_value": 0}
        assert {g.name: g.score for g in right.grades} == {"double_value": 2, "half_value": 3}


def test_the_autograded_error_keeps_the_box_and_the_mistake_id(course):
    graded = json.loads((course / "autograded" / "wrong" / "ps1" / "ps1.ipynb").read_text())
    errors = {c["metadata"]["nbgrader"]["grade_id"]: o for c in graded["cells"]
              for o in c.get("outputs", []) if o["output_type"] == "error"}
    assert set(errors) == {"double_value", "half_value"}
    assert errors["double_value"]["ename"] == "CheckFailure"
    assert parse_failure(errors["double_value"]["ename"], errors["double_value"]["evalue"]) == (
        "common.wrong_values", "double(3) is wrong: got 9, expected 6.")
    assert parse_failure(errors["half_value"]["ename"], errors["half_value"]["evalue"])[0] == (
        "common.undefined_name")
    assert errors["double_value"]["traceback"][0] == "✗ Check failed"
    assert len(errors["half_value"]["traceback"]) <= 8
    right = json.loads((course / "autograded" / "right" / "ps1" / "ps1.ipynb").read_text())
    ticks = ["".join(o["text"]) for c in right["cells"] for o in c.get("outputs", [])
             if o["output_type"] == "stream"]
    assert ticks == ["✓ double: twice its input (1 check)\n", "✓ half: half its input (1 check)\n"]

