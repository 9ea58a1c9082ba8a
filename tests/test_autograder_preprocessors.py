"""The grader's nbgrader preprocessors, as nbgrader tests its own: a tiny in-memory notebook
that looks as if it had been executed, a resources dict, one ``preprocess`` call. The guard's
log is written by the test the way the kernel's guard and sandbox write it."""

import json

from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder import guard
from autograder.preprocessors import NOTES_KEY, MarkTests, Review


def _test(grade_id, outputs=(), ran=True):
    cell = new_code_cell(f"{guard.MARK} {grade_id}\nassert f(2) == 4")
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "grade": True, "solution": False,
                                 "locked": True, "points": 1}
    cell.outputs = list(outputs)
    cell.execution_count = 1 if ran else None
    return cell


def _answer(source="def f(x):\n    return x * x"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": "f", "grade": False, "solution": True}
    return cell


def review(tmp_path, cells, records):
    log = tmp_path / "guard.log"
    log.write_text("".join(json.dumps(r) + "\n" for r in records))
    resources = {}
    nb, resources = Review(log_path=str(log)).preprocess(new_notebook(cells=cells), resources)
    return nb, resources.get(NOTES_KEY, [])


def _before(test, changed=()):
    return {"event": "before", "test": test, "changed": list(changed)}


def test_mark_tests_marks_test_cells_only():
    nb = new_notebook(cells=[_answer(), _test("t")])
    nb.cells[1].source = "assert f(2) == 4"
    resources = {}
    for index, cell in enumerate(nb.cells):
        MarkTests().preprocess_cell(cell, resources, index)
    assert nb.cells[0].source.startswith("def f")
    assert nb.cells[1].source == f"{guard.MARK} t\nassert f(2) == 4"


def test_a_clean_run_leaves_no_note_and_unmarks_the_tests(tmp_path):
    nb, notes = review(tmp_path, [_answer(), _test("t")], [_before("t"), {"event": "after",
                                                                         "test": "t"}])
    assert notes == [] and nb.cells[1].source == "assert f(2) == 4"


def test_a_patch_made_in_an_answer_cell_is_noted_and_the_test_keeps_its_outputs(tmp_path):
    nb, notes = review(tmp_path, [_answer(), _test("t")], [_before("t", ["numpy.allclose"])])
    assert notes == ["patched numpy.allclose (undone before the tests)"]
    assert nb.cells[1].outputs == []


def test_a_patch_made_while_a_test_ran_scores_that_test_0(tmp_path):
    records = [_before("t"), {"event": "after", "test": "t", "changed": ["numpy.allclose"]}]
    nb, notes = review(tmp_path, [_answer(), _test("t")], records)
    (error,) = nb.cells[1].outputs
    assert error.ename == "TamperingError" and "numpy.allclose" in error.evalue
    assert notes == ["tampering: tests t scored 0"]


def test_a_test_with_no_before_record_had_the_guard_switched_off(tmp_path):
    nb, notes = review(tmp_path, [_test("t")], [])
    assert "integrity check was switched off" in nb.cells[0].outputs[0].evalue
    assert notes == ["tampering: tests t scored 0"]


def test_a_test_that_never_ran_is_not_called_tampering(tmp_path):
    _, notes = review(tmp_path, [_test("t", ran=False)], [])
    assert notes == []


def test_refused_reads_and_programs_are_noted_once_each_with_a_count(tmp_path):
    records = [_before("t"), {"event": "forbidden", "path": "/course/solutions/x.ipynb"},
               {"event": "forbidden", "path": "/course/gradebook.db"},
               {"event": "spawn", "what": "subprocess.Popen"}]
    _, notes = review(tmp_path, [_test("t")], records)
    assert notes == ["tried to read: /course/solutions/x.ipynb (+1 more)",
                     "tried to start a program: subprocess.Popen"]


def test_stderr_of_a_test_moves_to_stdout_so_a_warning_costs_nothing(tmp_path):
    warning = new_output("stream", name="stderr", text="UserWarning: careful\n")
    nb, _ = review(tmp_path, [_test("t", [warning])], [_before("t")])
    assert nb.cells[0].outputs[0]["name"] == "stdout"


def test_timeouts_and_memory_errors_are_noted(tmp_path):
    timeout = new_output("error", ename="KeyboardInterrupt", evalue="", traceback=[])
    memory = new_output("error", ename="MemoryError", evalue="", traceback=[])
    _, notes = review(tmp_path, [_test("t", [timeout]), _test("u", [memory])],
                      [_before("t"), _before("u")])
    assert notes == ["a cell ran too long and was interrupted",
                     "ran out of memory (the kernel's memory limit)"]


def test_a_garbled_log_line_does_not_stop_the_review(tmp_path):
    log = tmp_path / "guard.log"
    log.write_text(json.dumps(_before("t")) + "\n{not json\n")
    nb, resources = Review(log_path=str(log)).preprocess(new_notebook(cells=[_test("t")]), {})
    assert resources.get(NOTES_KEY, []) == []
