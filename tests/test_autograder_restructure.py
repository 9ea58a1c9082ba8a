"""restructure.py on tiny in-memory notebooks: what a student can do to a notebook's cells, and
the lesson-shaped notebook (and the instructor's notes) that come out. No kernel, no nbgrader."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.restructure import NotGradable, read_submission, rebuild


def _nbgrader(cell, grade_id, **flags):
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "locked": False,
                                 "solution": False, "grade": False, **flags}
    cell.id = grade_id
    return cell


def answer(grade_id, source):
    return _nbgrader(new_code_cell(source), grade_id, solution=True)


def check_cell(grade_id, source, points=1):
    return _nbgrader(new_code_cell(source), grade_id, grade=True, locked=True, points=points)


def lesson():
    intro = new_markdown_cell("# Lesson")
    intro.id = "intro"
    return new_notebook(cells=[
        intro,
        answer("f", "def f(x):\n    raise NotImplementedError()"),
        check_cell("f_test", "assert f(2) == 4\n### BEGIN HIDDEN TESTS\nassert f(3) == 9\n"
                            "### END HIDDEN TESTS"),
        answer("g", "def g(x):\n    raise NotImplementedError()"),
        check_cell("g_test", "assert g(1) == 1"),
    ])


def submission(**answers):
    """The student version of :func:`lesson` (no hidden tests) with some answers written."""
    nb = lesson()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
        if "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0].strip()
    return nb


def ids(nb):
    return [c.get("id") for c in nb.cells]


def test_an_untouched_notebook_comes_back_in_lesson_order_with_no_notes():
    graded, notes = rebuild(submission(f="def f(x):\n    return x * x"), lesson())
    assert ids(graded) == ["intro", "f", "f_test", "g", "g_test"]
    assert graded.cells[1].source == "def f(x):\n    return x * x"
    assert "BEGIN HIDDEN TESTS" in graded.cells[2].source  # the hidden tests are back
    assert notes == []


def test_a_deleted_test_is_restored_and_noted():
    nb = submission()
    nb.cells = [c for c in nb.cells if c.id != "g_test"]
    graded, notes = rebuild(nb, lesson())
    assert "g_test" in ids(graded)
    assert notes == ["test cell g_test deleted (restored)"]


def test_an_edited_test_is_restored_and_noted():
    nb = submission()
    nb.cells[4].source = "pass"
    graded, notes = rebuild(nb, lesson())
    assert graded.cells[4].source == "assert g(1) == 1"
    assert notes == ["test cells edited (restored): g_test"]


def test_reordered_cells_are_put_back_in_lesson_order():
    nb = submission()
    nb.cells = [nb.cells[0], nb.cells[3], nb.cells[4], nb.cells[1], nb.cells[2]]
    graded, notes = rebuild(nb, lesson())
    assert ids(graded) == ["intro", "f", "f_test", "g", "g_test"]
    assert notes == ["cells reordered (lesson order restored)"]


def test_a_duplicated_answer_is_graded_from_its_first_copy():
    nb = submission(f="def f(x):\n    return x * x")
    second = nbformat.from_dict(json.loads(json.dumps(nb.cells[1])))
    second.source = "def f(x):\n    return 0"
    second.id = "f-copy"
    nb.cells.insert(2, second)
    graded, notes = rebuild(nb, lesson())
    assert graded.cells[1].source == "def f(x):\n    return x * x"
    assert notes == ["duplicated cells f (first copy graded)"]


def test_a_deleted_answer_becomes_a_cell_that_says_so_when_run():
    nb = submission()
    nb.cells = [c for c in nb.cells if c.id != "g"]
    graded, notes = rebuild(nb, lesson())
    assert graded.cells[3].source == 'raise NotImplementedError("answer cell g was deleted")\n'
    assert notes == ["answer cell g missing"]


def test_a_students_own_cell_stays_after_the_cell_it_followed():
    nb = submission()
    helper = new_code_cell("def helper():\n    return 1")
    nb.cells.insert(2, helper)  # after answer f
    graded, notes = rebuild(nb, lesson())
    assert [c.source for c in graded.cells][2] == "def helper():\n    return 1"
    assert graded.cells[3].id == "f_test" and notes == []


def test_outputs_and_execution_counts_are_cleared():
    nb = submission()
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nb.cells[1].execution_count = 3
    graded, _ = rebuild(nb, lesson())
    assert graded.cells[1].outputs == [] and graded.cells[1].execution_count is None


def test_another_lessons_notebook_is_not_gradable_and_named():
    other = new_notebook(cells=[answer("h", "h = 1"), check_cell("h_test", "assert h")])
    with pytest.raises(NotGradable, match="it is 05_other's notebook"):
        rebuild(other, lesson(), {"05_other": {"h", "h_test"}})


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"   \n", "empty file"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"print('hello')", "plain text"),
    (b'{"cells": [', "invalid JSON"),
    (b'{"cells": 3}', "without a list of cells"),
    (b"[1, 2]", "without a list of cells"),
])
def test_files_that_are_not_notebooks_are_not_gradable_with_a_reason(data, reason):
    with pytest.raises(NotGradable, match=reason):
        read_submission(data)


@pytest.mark.filterwarnings("ignore::nbformat.validator.DuplicateCellId")
def test_duplicate_cell_ids_are_noticed_before_nbformat_renames_them():
    nb = submission()
    raw = json.loads(nbformat.writes(nb))
    raw["cells"][3]["id"] = raw["cells"][1]["id"]
    graded, notes = rebuild(read_submission(json.dumps(raw).encode()), lesson())
    assert "duplicate cell ids" in notes


def test_a_copy_from_before_an_exercise_was_added_says_so_instead_of_deleted_tests():
    old_copy = submission(f="def f(x):\n    return x * x")
    old_copy.cells = old_copy.cells[:3]  # the lesson had no exercise g yet
    graded, notes = rebuild(old_copy, lesson())
    assert notes == ["from an earlier version of the lesson: it lacks exercise g (added since; "
                     "its tests score 0)"]
    assert "exercise g is not in your copy" in graded.cells[3].source
    assert graded.cells[4].id == "g_test"
