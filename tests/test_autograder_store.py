"""The grader's results as data: the Result dataclasses, the .state/ store, grades.csv,
results.json, the feedback page and the class report's "students per mistake" -- all from
results made in the test, no grading run."""

import csv
import json

import pytest

from autograder import feedback, outputs, report
from autograder.results import Result, TestResult, WrittenAnswer, blank
from autograder.store import Store, atomic_write


def result(student="ada", lesson="03_add_mul_layers", **fields):
    tests = [TestResult("forward", 1.0, 1.0, True),
             TestResult("backward", 0.0, 2.0, False, "AssertionError: dx is wrong",
                        "mul_layer.swapped_gradients")]
    values = dict(status="graded", score=1.0, max_score=3.0, tests=tests, sha256="abc")
    values.update(fields)
    return Result(student, lesson, **values)


def test_a_result_survives_the_store_unchanged(tmp_path):
    store = Store(str(tmp_path))
    original = result(written=[WrittenAnswer("why", 3.0, None, True)], manual_points=3.0)
    store.put(original)
    assert store.get("ada", "03_add_mul_layers") == original
    assert store.all() == [original]
    assert store.get("bob", "03_add_mul_layers") is None


def test_a_state_file_from_another_version_is_read_or_skipped(tmp_path):
    store = Store(str(tmp_path))
    folder = tmp_path / ".state" / "03_add_mul_layers"
    folder.mkdir(parents=True)
    old = result().to_dict()
    del old["recorded_in"]  # written before the field existed
    old["retired_field"] = 1
    (folder / "ada.json").write_text(json.dumps(old))
    (folder / "bob.json").write_text("{ half a file")
    (folder / "cy.json").write_text(json.dumps({"student": "cy"}))  # not a result at all
    assert [r.student for r in store.all()] == ["ada"]
    assert store.get("ada", "03_add_mul_layers").recorded_in == ""


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="unknown status 'done'"):
        result(status="done")


def test_a_blank_result_scores_0_on_every_test_and_says_why():
    r = blank("ada", "03_x", "error", "kernel died", {"a": 1.0, "b": 2.0})
    assert (r.score, r.max_score) == (0.0, 3.0)
    assert [(t.grade_id, t.message) for t in r.tests] == [("a", "not run: kernel died"),
                                                         ("b", "not run: kernel died")]


def test_atomic_write_leaves_no_temporary_file_when_it_fails(tmp_path):
    with pytest.raises(TypeError):
        atomic_write(str(tmp_path / "x.txt"), 42)
    assert list(tmp_path.iterdir()) == []


def test_grades_csv_and_results_json_hold_every_result(tmp_path):
    results = [result("bob"), result("ada", status="flagged", reason="cells reordered")]
    outputs.write_csv(results, str(tmp_path / "grades.csv"))
    outputs.write_json(results, str(tmp_path / "results.json"))
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert [(r["student"], r["lesson"]) for r in rows] == [
        ("ada", "03_add_mul_layers"), ("bob", "03_add_mul_layers"), ("ada", "TOTAL"),
        ("bob", "TOTAL")]
    assert rows[0]["percent"] == "33.3" and rows[0]["reason"] == "cells reordered"
    saved = json.load(open(tmp_path / "results.json"))["submissions"]
    assert saved[0]["tests"][1] == {"grade_id": "backward", "points": 0.0, "max_points": 2.0,
                                    "passed": False, "message": "AssertionError: dx is wrong",
                                    "mistake": "mul_layer.swapped_gradients"}
    assert Result.from_dict(saved[1]) == results[0]


def test_the_feedback_page_escapes_what_students_wrote():
    page = feedback.page(result("<script>alert(1)</script>", reason="note <b>"))
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "note &lt;b&gt;" in page and "1 / 1" in page and "0 / 2" in page
    assert page.count("<style>") == 1


def _failing(student, *tests):
    """A result whose tests failed with (grade_id, message, mistake id)."""
    return Result(student, "05_affine", "graded", max_score=float(len(tests)),
                  tests=[TestResult(g, 0.0, 1.0, False, m, k) for g, m, k in tests])


def test_the_report_counts_students_per_mistake_not_messages():
    class_ = [
        # the same mistake on different random shapes, twice for one student
        _failing("ada", ("db", "AssertionError: db has shape (3, 4), expected (4,)",
                         "affine.db_not_summed"),
                 ("db_hidden", "AssertionError: db has shape (7, 2), expected (2,)",
                  "affine.db_not_summed")),
        _failing("bob", ("db", "AssertionError: db has shape (5, 4), expected (4,)",
                         "affine.db_not_summed")),
        _failing("cy", ("db", "NotImplementedError: ", None),
                 ("dx", "AssertionError: dx ... [common.not_written]", "common.not_written")),
        _failing("dee", ("dx", "KeyboardInterrupt: ", None)),
        _failing("eve", ("dx", "CellTimeoutError: ", None)),
        _failing("fay", ("dx", "AssertionError: dx is wrong", None)),
        Result("gus", "05_affine", "rejected", reason="empty file"),
    ]
    rows = {row.label: row for row in report.mistakes(class_)}
    assert rows["affine.db_not_summed"].students == {"ada", "bob"}
    assert rows["affine.db_not_summed"].tests == {"db", "db_hidden"}
    assert rows[report.UNFINISHED].students == {"cy"}
    assert rows[report.TIMEOUT].students == {"dee", "eve"}
    assert rows["AssertionError: dx is wrong"].students == {"fay"}
    assert len(rows) == 4
    assert report.mistakes(class_)[0].label == "affine.db_not_summed"  # most students first


def test_the_report_page_says_how_many_of_the_class_made_each_mistake(tmp_path):
    class_ = [_failing(s, ("db", f"AssertionError: db shape ({i}, 2)", "affine.db_not_summed"))
              for i, s in enumerate(["ada", "bob", "cy"])]
    class_.append(Result("dee", "05_affine", "graded", score=1.0, max_score=1.0,
                         tests=[TestResult("db", 1.0, 1.0, True)]))
    report.write(class_, str(tmp_path / "report.html"))
    page = (tmp_path / "report.html").read_text()
    assert "3 of 4</td><td>affine.db_not_summed" in page
    assert "4 submissions in 1 lesson from a class of 4 students." in page


def test_a_failed_test_keeps_the_checks_mistake_id_apart_from_its_message():
    from nbformat.v4 import new_code_cell, new_output

    from autograder.worker import failure_of
    from bpkit.checks import CheckFailure, fail

    try:
        fail("affine.db_not_summed", "db has shape (3, 4) but b has shape (4,).\nWhich axis?")
    except CheckFailure as error:
        evalue = str(error)
    cell = new_code_cell("check()")
    cell.outputs = [new_output("error", ename="CheckFailure", evalue=evalue, traceback=[])]
    assert failure_of(cell) == ("AssertionError: Which axis?", "affine.db_not_summed")
    cell.outputs = [new_output("error", ename="NameError", evalue="name 'f' is not defined",
                               traceback=[])]
    assert failure_of(cell) == ("NameError: name 'f' is not defined", None)


def test_the_progress_log_says_what_is_still_running_every_15_seconds():
    import io

    from autograder.progress import Progress

    log = io.StringIO()
    progress = Progress(2, log)
    task = {"student": "ada", "lesson": "03_add_mul_layers"}
    for seconds in (1, 14, 15, 16, 29, 31, 46):
        progress.running([(task, seconds)])
    assert log.getvalue().splitlines() == [
        "still running: ada 03_add_mul_layers for 0:15",
        "still running: ada 03_add_mul_layers for 0:31",
        "still running: ada 03_add_mul_layers for 0:46"]


def test_late_work_says_how_late_as_a_person_would_and_is_listed_in_the_report(tmp_path):
    seconds = {"ada": 4.0, "bob": 12 * 60.0, "cem": 2.5 * 3600, "dan": 0.0}
    results = [result(student, late=True, seconds_late=late) for student, late in seconds.items()]
    results.append(result("eve"))
    assert [outputs.late_text(r) for r in results] == [
        "yes: 4 s late", "yes: 12 min late", "yes: 2.5 h late", "yes", ""]
    page = feedback.page(results[0])
    assert "Handed in late (4 seconds after the due date)" in page
    report.write(results, str(tmp_path / "report.html"))
    assert ("Handed in late (4): ada (4 s late), bob (12 min late), cem (2.5 h late), "
            "dan (marked late by the LMS).") in (tmp_path / "report.html").read_text()
