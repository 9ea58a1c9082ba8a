"""The instructor's semester, run for real: a class list with missing work, written answers a
person grades in nbgrader's gradebook (what the formgrader does), and reruns.

The course has the toy lesson 03 and a lesson 04 that adds a written answer worth 2 points.
ada hands in both, bob only 03; the roster also names Jane Smith (Canvas's "Smith, Jane"), who
hands in nothing.
"""

import csv
import importlib.util
import json
import os
import subprocess
import sys

import pytest
from nbformat.v4 import new_markdown_cell

pytestmark = pytest.mark.autograder

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WRITTEN = "04_written"


def _load_toy():
    spec = importlib.util.spec_from_file_location(
        "toy_lesson", os.path.join(HERE, "fixtures", "submissions", "toy_lesson.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


toy = _load_toy()


def _with_written_answer(nb):
    cell = new_markdown_cell("Why does the multiply node swap its inputs? YOUR ANSWER HERE")
    cell.metadata["nbgrader"] = {"grade_id": "why_swap", "grade": True, "solution": True,
                                 "locked": False, "points": 2, "schema_version": 3,
                                 "task": False}
    cell.id = "why_swap"
    nb.cells.append(cell)
    return nb


def _write(path, nb):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(toy.notebook_bytes(nb))


def run_grader(*args):
    done = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def read_csv(out):
    with open(os.path.join(out, "grades.csv")) as f:
        return {(r["student"], r["lesson"]): r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("semester")
    solutions = toy.make_course(str(root))
    _write(os.path.join(solutions, WRITTEN, WRITTEN + ".ipynb"),
           _with_written_answer(toy.source_notebook()))
    submitted = root / "submitted"
    _write(str(submitted / "ada" / toy.LESSON / (toy.LESSON + ".ipynb")), toy.submission())
    answered = _with_written_answer(toy.submission())
    answered.cells[-1].source = "Because each input's slope is the other input."
    _write(str(submitted / "ada" / WRITTEN / (WRITTEN + ".ipynb")), answered)
    _write(str(submitted / "bob" / toy.LESSON / (toy.LESSON + ".ipynb")), toy.submission())
    # as nbgrader collect leaves them: bob handed in 2.5 hours late, ada on time
    (submitted / "bob" / toy.LESSON / "timestamp.txt").write_text("2025-03-01 14:30:00.0 UTC")
    (submitted / "ada" / toy.LESSON / "timestamp.txt").write_text("2025-03-01 11:00:00.0 UTC")
    roster = root / "roster.csv"
    roster.write_text("Student,ID,SIS User ID\n    Points Possible,,\nada,1,a1\nbob,2,b2\n"
                      '"Smith, Jane",3,j3\n')
    out, db = root / "out", root / "gradebook.db"
    from nbgrader.api import Gradebook

    from autograder.course import find_alembic

    find_alembic()  # nbgrader would run the `alembic` program, which is not on PATH here
    with Gradebook(f"sqlite:///{db}") as gb:  # as `nbgrader db assignment add --duedate` does
        gb.update_or_create_assignment(toy.LESSON, duedate="2025-03-01 12:00:00 UTC")
    args = ["grade", str(submitted), "--out", str(out), "--solutions", solutions,
            "--db-url", f"sqlite:///{db}", "--cell-timeout", "20", "--roster", str(roster)]
    first = run_grader(*args)
    return {"root": root, "out": out, "db": db, "args": args, "first": first}


def test_every_student_of_the_roster_has_a_row_per_lesson_and_missing_work_counts_0(course):
    rows = read_csv(course["out"])
    assert rows["bob", WRITTEN]["status"] == "missing"
    assert (rows["bob", WRITTEN]["score"], rows["bob", WRITTEN]["max_score"]) == ("0", "6")
    assert {rows["smithjane", lesson]["status"] for lesson in (toy.LESSON, WRITTEN)} == \
        {"missing"}
    assert rows["bob", "TOTAL"]["max_score"] == "10"  # both lessons, not only the one handed in
    assert rows["bob", "TOTAL"]["status"] == "1 of 2 lessons handed in"
    assert rows["smithjane", "TOTAL"]["status"] == "0 of 2 lessons handed in"
    with open(course["out"] / "results.json") as f:
        statuses = {(r["student"], r["lesson"]): r["status"] for r in json.load(f)["submissions"]}
    assert statuses["smithjane", toy.LESSON] == "missing"
    report = (course["out"] / "report.html").read_text()
    assert "Not handed in (2): bob, smithjane." in report
    assert "3 submissions in 2 lessons from a class of 3 students; 3 not handed in" in report


def test_a_written_answer_counts_in_the_maximum_and_shows_as_pending(course):
    row = read_csv(course["out"])["ada", WRITTEN]
    assert (row["score"], row["max_score"], row["pending"]) == ("4", "6", "2 points: why_swap")
    page = (course["out"] / "feedback" / "ada" / (WRITTEN + ".html")).read_text()
    assert "waiting for a person to grade them: why_swap" in page
    assert "Written answers to grade" in (course["out"] / "report.html").read_text()


def test_a_grade_given_in_the_gradebook_flows_back_and_survives_force(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course['db']}") as gb:  # what the formgrader does on "save"
        grade = gb.find_grade("why_swap", WRITTEN, WRITTEN, "ada")
        grade.manual_score = 1.5
        grade.needs_manual_grade = False
        gb.db.commit()
    again = run_grader(*course["args"])
    assert "0 to grade" in again.stderr
    row = read_csv(course["out"])["ada", WRITTEN]
    assert (row["score"], row["max_score"], row["pending"]) == ("5.5", "6", "")
    page = (course["out"] / "feedback" / "ada" / (WRITTEN + ".html")).read_text()
    assert "1.5 / 2" in page and "waiting for a person" not in page

    forced = run_grader(*course["args"], "--force", "--lesson", WRITTEN)
    assert "1 to grade" in forced.stderr
    assert read_csv(course["out"])["ada", WRITTEN]["score"] == "5.5"
    with Gradebook(f"sqlite:///{course['db']}") as gb:
        grade = gb.find_grade("why_swap", WRITTEN, WRITTEN, "ada")
        assert (grade.manual_score, grade.needs_manual_grade) == (1.5, False)
    with open(course["out"] / "results.json") as f:
        ada = next(r for r in json.load(f)["submissions"]
                   if (r["student"], r["lesson"]) == ("ada", WRITTEN))
    assert ada["written"][0]["manual_score"] == 1.5


def test_late_work_follows_the_due_date_in_the_gradebook_and_nbgraders_timestamp(course):
    from nbgrader.api import Gradebook

    rows = read_csv(course["out"])
    assert rows["bob", toy.LESSON]["late"] == "yes: 2.5 h late"
    assert rows["ada", toy.LESSON]["late"] == ""
    assert rows["bob", toy.LESSON]["score"] == "4"  # nbgrader's default policy: no penalty
    page = (course["out"] / "feedback" / "bob" / (toy.LESSON + ".html")).read_text()
    assert "Handed in late (2.5 hours after the due date)" in page
    report = (course["out"] / "report.html").read_text()
    assert "Handed in late (1): bob (2.5 h late)." in report
    with Gradebook(f"sqlite:///{course['db']}") as gb:
        assert gb.find_submission(toy.LESSON, "bob").total_seconds_late == 2.5 * 3600


def test_plurals_are_right_in_what_the_grader_prints(course):
    assert "3 files found" in course["first"].stderr


def test_a_roster_without_a_student_column_is_a_usage_error(course, tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,points\nada,3\n")
    done = subprocess.run([sys.executable, "-m", "autograder", *course["args"][:-1], str(bad)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "has no student column" in done.stderr


def test_the_roster_columns_of_moodle_and_canvas_give_the_ids_their_files_give(tmp_path):
    from autograder.roster import read_roster

    moodle = tmp_path / "moodle.csv"
    moodle.write_text("First name,Last name,ID number,Email address\nJane,Smith,,j@x\n")
    assert read_roster(str(moodle)) == ["Jane_Smith"]
    plain = tmp_path / "plain.csv"
    plain.write_text("username\nada\n")
    assert read_roster(str(plain)) == ["ada"]
