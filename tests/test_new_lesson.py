"""A lesson is a folder: adding solutions/99_scale_node/ is all a new lesson takes.

The repository (what a clone holds, plus files not yet committed) is copied to a temporary
folder; a small lesson 99 (one exercise, one test cell with visible and hidden tests) is added
there, and the pipeline runs on the copy as an author would run it: ``make lessons LESSON=99``
(python -m autograder.release 99, which also rewrites the README's tables), the lesson's share
of the test suite (``pytest -m lesson99``: fresh kernel, ``nbgrader validate``, ``validate
--invert``, ...), then the grading command on one student's submission. Nothing but the new
lesson's folders (with its Korean edition's empty catalog and notebook) and the READMEs'
generated tables may change.
"""

import csv
import hashlib
import os
import re
import subprocess
import sys

import nbformat
import pytest
from binder_build import copy_repository
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

pytestmark = [pytest.mark.notebooks, pytest.mark.autograder]

SLUG = "99_scale_node"

ANSWER = '''\
class ScaleLayer:
    """Scale node out = k * x, for a number k fixed when the layer is made."""

    def __init__(self, k):
        self.k = k

    def forward(self, x):
        """x: a number or an array. Returns the scaled input, of x's shape."""
        ### BEGIN SOLUTION
        return self.k * x
        ### END SOLUTION

    def backward(self, dout):
        """dout: the upstream gradient, of x's shape. Returns dx, of the same shape."""
        ### BEGIN SOLUTION
        return dout * self.k
        ### END SOLUTION
'''

TEST = '''\
"""Checks ScaleLayer's forward and backward on a number, then on an array."""
layer = ScaleLayer(3.0)
checks.expect_close(layer.forward(2.0), 6.0, "ScaleLayer(3).forward(2)")
checks.expect_close(layer.backward(1.0), 3.0, "ScaleLayer(3).backward(1)")

### BEGIN HIDDEN TESTS
x = np.arange(6.0).reshape(2, 3)
layer = ScaleLayer(-0.5)
checks.expect_close(layer.forward(x), -0.5 * x, "ScaleLayer(-0.5).forward(x)")
checks.expect_close(layer.backward(np.ones((2, 3))), np.full((2, 3), -0.5),
                    "ScaleLayer(-0.5).backward(ones)")
### END HIDDEN TESTS
'''


def nbgrader(grade_id, *, solution=False, grade=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def lesson_99():
    return new_notebook(cells=[
        new_markdown_cell("# Lesson 99 — A scale node (a lesson the test suite adds)\n\n"
                          "One layer, forward and backward. Worth **2 points**.", id="title"),
        new_code_cell("import numpy as np\n\nfrom bpkit import checks", id="imports"),
        new_code_cell(ANSWER, id="scale-layer-solution",
                      metadata=nbgrader("scale_layer", solution=True)),
        new_code_cell(TEST, id="scale-layer-test",
                      metadata=nbgrader("scale_layer_test", grade=True, points=2)),
    ], metadata={"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                "name": "python3"}, "language_info": {"name": "python"}})


def digests(root):
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return found


def run(course, *args):
    env = dict(os.environ, PYTHONPATH=str(course), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=900)


def submission(course):
    """The generated lesson 99 with the answer filled in, as a student hands it in."""
    nb = nbformat.read(course / "lessons" / SLUG / f"{SLUG}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "scale_layer":
            assert "YOUR CODE HERE" in cell.source  # the student got a blank
            cell.source = ANSWER
    return nb


def test_a_new_lesson_folder_goes_through_the_whole_pipeline(tmp_path):
    course = tmp_path / "course"
    copy_repository(course)
    before = digests(course)
    readme_before = (course / "README.md").read_text().splitlines()
    (course / "solutions" / SLUG).mkdir()
    nbformat.write(lesson_99(), course / "solutions" / SLUG / f"{SLUG}.ipynb")

    released = run(course, "-m", "autograder.release", "99")  # make lessons LESSON=99
    assert released.returncode == 0, released.stderr[-3000:]
    assert (course / "lessons" / SLUG / f"{SLUG}.ipynb").is_file()

    # The lesson's share of the suite: its marker exists because its folder does.
    tests = run(course, "-m", "pytest", "-p", "no:cacheprovider", "-v", "-m", "lesson99",
                "tests/test_notebooks.py")
    assert tests.returncode == 0, tests.stdout[-5000:] + tests.stderr[-2000:]
    for name in ("solution_runs_clean_on_a_fresh_kernel",
                 "nbgrader_validate_passes_on_the_solution",
                 "nbgrader_validate_invert_fails_on_the_blank_lesson",
                 "the_title_states_the_points_the_lesson_is_worth"):
        assert re.search(rf"test_{name}\[{SLUG}\] PASSED", tests.stdout), tests.stdout[-5000:]

    # One student's submission, through the instructor's grading command.
    submitted = tmp_path / "class" / "submitted" / "ada" / SLUG
    submitted.mkdir(parents=True)
    nbformat.write(submission(course), submitted / f"{SLUG}.ipynb")
    out = tmp_path / "class" / "out"
    graded = run(course, "-m", "autograder", "grade", str(tmp_path / "class" / "submitted"),
                 "--out", str(out), "--lesson", "99", "--jobs", "1",
                 "--db-url", f"sqlite:///{tmp_path / 'class' / 'gradebook.db'}")
    assert graded.returncode == 0, graded.stderr[-3000:]
    with open(out / "grades.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["lesson"] == SLUG]
    assert [(r["student"], float(r["score"]), float(r["max_score"]), r["status"])
            for r in rows] == [("ada", 2.0, 2.0, "graded")], rows

    # Nothing else changed: the new lesson's folders, and rows added to the README's tables.
    changed = {path for path, digest in digests(course).items() if before.get(path) != digest}
    changed |= set(before) - set(digests(course))
    new_lesson = {f"solutions/{SLUG}/{SLUG}.ipynb", f"lessons/{SLUG}/{SLUG}.ipynb",
                  # the Korean edition: its catalog (empty, for a translator) and notebook
                  f"solutions/ko/{SLUG}.po", f"lessons/ko/{SLUG}/{SLUG}.ipynb"}
    assert changed == new_lesson | {"README.md", "README.ko.md"}, sorted(changed - new_lesson)
    readme_after = (course / "README.md").read_text().splitlines()
    assert [line for line in readme_before if line not in readme_after] == []
    added = [line for line in readme_after if line not in readme_before]
    assert len(added) == 2 and all(f"lessons/{SLUG}/{SLUG}.ipynb" in line for line in added), added
