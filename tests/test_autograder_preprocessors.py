"""The grader's nbgrader preprocessors, as nbgrader tests its own: a tiny in-memory notebook
that looks as if it had been executed, a resources dict, one ``preprocess`` call. The guard's
log is written by the test the way the kernel's guard and sandbox write it."""

import json

from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder import guard
from autograder.preprocessors import NOTES_KEY, MarkTests, Review, explain_timeout


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


# What nbclient leaves in a cell whose call into the student's MulLayer.forward was interrupted
# (an IPython 8 traceback, colours included).
INTERRUPTED = new_output("error", ename="KeyboardInterrupt", evalue="", traceback=[
    "\x1b[31mKeyboardInterrupt\x1b[39m                         Traceback (most recent call last)",
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[2]\x1b[39m\x1b[32m, line 3\x1b[39m\n"
    "----> 3 helper(MulLayer())\n",
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[2]\x1b[39m\x1b[32m, line 2\x1b[39m, in "
    "\x1b[36mhelper\x1b[39m\x1b[34m(m)\x1b[39m\n----> 2     return m.forward(1)\n",
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[1]\x1b[39m\x1b[32m, line 3\x1b[39m, in "
    "\x1b[36mMulLayer.forward\x1b[39m\x1b[34m(self, x)\x1b[39m\n----> 3         while True:\n",
    "\x1b[31mKeyboardInterrupt\x1b[39m: "])
NO_REPLY = new_output("error", ename="CellTimeoutError", evalue="", traceback=[])


def test_a_timed_out_cell_names_the_function_that_never_returned():
    cell = _test("t", [INTERRUPTED, NO_REPLY])
    assert explain_timeout(cell, 60)
    (error,) = cell.outputs
    assert error.ename == "TimeoutError"
    assert error.evalue.startswith("MulLayer.forward (line 3 of its cell) never returned: "
                                   "stopped after 60 s.")


def test_a_loop_at_the_top_level_of_a_cell_is_called_the_cell():
    top = new_output("error", ename="KeyboardInterrupt", evalue="", traceback=[
        "Cell In[4], line 2\n      1 x = 0\n----> 2 while True:\n"])
    cell = _test("t", [top])
    explain_timeout(cell, 5)
    assert cell.outputs[0].evalue.startswith("this cell never finished: stopped after 5 s.")


def test_a_cell_that_finished_is_left_alone():
    cell = _test("t", [new_output("error", ename="AssertionError", evalue="no", traceback=[])])
    assert not explain_timeout(cell, 60) and cell.outputs[0].ename == "AssertionError"
