"""A semester through nbgrader's own exchange, then the grade command, then nbgrader's own tools.

Nothing is mocked: nbgrader's ``release_assignment`` puts lessons 03 and 09 (09 has a written
answer worth 4 points) into a temporary exchange; ada fetches both into her home folder, does
them and submits them; bob does half of 03 and submits it after its due date, and never hands in
09. The instructor ``collect``s and grades the collected folder with ``python -m autograder
grade`` (no ``--db-url``: the gradebook is the one of the ``--out`` folder). Then ``nbgrader
export``, ``nbgrader db`` (through ``make nbgrader``) and the formgrader of ``make
lab-instructor``, all run from the repository root with the repository's ``nbgrader_config.py``
and no flags naming the gradebook, must show what ``grades.csv`` says; a grade given to ada's
written answer in the formgrader's page reaches ``grades.csv`` at the next run.

One operating-system user stands in for both students (``submit --student=ID``): making
accounts needs root and changes the machine, which a test suite must not do. What that leaves
unchecked: that the exchange's permissions let a second account submit but not read another's
submission, and nbgrader's check that a submission's file owner is the student it names (turned
off here with ``ExchangeCollect.check_owner=False``, since every file has the one owner).

The instructor's commands run with a PATH that lacks the virtual environment's bin/, as from a
shell where it is not activated: nbgrader then finds ``alembic`` only through the repository's
configuration (or ``make nbgrader``).
"""

import csv
import datetime
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.autograder

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))  # the browser helpers beside the tests

import browser_helpers as bh  # noqa: E402
import lab_server  # noqa: E402

from autograder.lessons import find  # noqa: E402

LESSON = "03_add_mul_layers"
WRITTEN = "09_limits_of_backprop"  # a written answer, vanishing_gradient_explanation, 4 points
BIN = Path(sys.executable).parent
NBGRADER = str(BIN / "nbgrader")
# `make -o STAMP`: the venv is not rebuilt by the test. Spelled as the Makefile spells it, since
# make matches -o by name (an absolute path would not match, and make would rebuild the venv).
STAMP = ".venv/.installed"
# What a person's checkout would gain if a tool wrote where it should not.
STRAYS = ("gradebook.db", "grades.csv", "submitted", "grading-out", "autograded", "feedback",
          "autograder/gradebook.db")


def run(cmd, cwd, env, timeout=600):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def student_env(home, exchange):
    """A student's own Jupyter folders and nbgrader configuration, naming course and exchange."""
    config = home / ".jupyter"
    config.mkdir(parents=True)
    (config / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "bpkit"\n'
        f'c.Exchange.root = "{exchange}"\n')
    return dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(config),
                JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"),
                PATH="/usr/bin:/bin")


MARK_SCHEME = re.compile(r"=== BEGIN MARK SCHEME ===.*?=== END MARK SCHEME ===", re.S)


def answer(notebook_path, share):
    """Fill in the first ``share`` of the notebook's answer cells as the solution does."""
    lesson = notebook_path.stem
    completed = lab_server.completed_lesson(
        notebook_path, REPO / "solutions" / lesson / f"{lesson}.ipynb")
    blank = nbformat.read(notebook_path, as_version=4)
    answers = [i for i, c in enumerate(blank.cells)
               if c.metadata.get("nbgrader", {}).get("solution")]
    for i in answers[:round(len(answers) * share)]:
        # a written answer as the student writes it: the solution's words, not its mark scheme
        blank.cells[i].source = MARK_SCHEME.sub("", completed.cells[i].source).strip()
    nbformat.write(blank, notebook_path)


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    root = tmp_path_factory.mktemp("exchange")
    exchange, submitted, out = root / "exchange", root / "submitted", root / "grading-out"
    strays_before = {s for s in STRAYS if (REPO / s).exists()}
    instructor = dict(
        os.environ, PATH="/usr/bin:/bin", BPKIT_GRADING_OUT=str(out),
        BPKIT_SUBMITTED=str(submitted), BPKIT_EXCHANGE=str(exchange),
        JUPYTER_CONFIG_DIR=str(root / "instructor" / "config"),
        JUPYTER_DATA_DIR=str(root / "instructor" / "data"))
    logs = {}
    for lesson in (LESSON, WRITTEN):
        logs[f"release {lesson}"] = run([NBGRADER, "release_assignment", lesson], REPO,
                                        instructor)

    # ada does everything and hands in before the due date; bob half of 03, after it.
    homes = {student: root / "home" / student for student in ("ada", "bob")}
    for student, share, lessons in (("ada", 1.0, (LESSON, WRITTEN)), ("bob", 0.5, (LESSON,))):
        env = student_env(homes[student], exchange)
        for lesson in lessons:
            run([NBGRADER, "fetch_assignment", lesson], homes[student], env)
            answer(homes[student] / lesson / f"{lesson}.ipynb", share)
            logs[f"submit {student} {lesson}"] = run(
                [NBGRADER, "submit", lesson, f"--student={student}"], homes[student], env)
        if student == "ada":
            # The instructor sets the due date, as the guide says, into the grader's gradebook
            # (which this creates, running alembic).
            due = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)
            run([NBGRADER, "db", "assignment", "add", LESSON,
                 f"--duedate={due:%Y-%m-%d %H:%M:%S.%f} UTC"], REPO, instructor)
            time.sleep(max(0.0, (due - datetime.datetime.now(datetime.UTC)).total_seconds()
                           + 0.5))

    logs["collect"] = "".join(
        run([NBGRADER, "collect", lesson, "--ExchangeCollect.check_owner=False"], REPO,
            instructor) for lesson in (LESSON, WRITTEN))
    grade = [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
             "--lesson", "03", "09", "--jobs", "1"]
    logs["grade"] = run(grade, REPO, dict(os.environ))
    grades_csv = read_csv(out / "grades.csv")  # as it was before anyone graded by hand
    logs["export"] = run([NBGRADER, "export"], REPO, instructor)
    exported = read_csv(out / "nbgrader-export.csv")
    logs["db"] = run(["make", "-o", STAMP, "nbgrader", "ARGS=db assignment list",
                      f"OUT={out}", f"SUBMISSIONS={submitted}", f"EXCHANGE={exchange}"],
                     REPO, dict(instructor, MAKEFLAGS=""))
    strays = {s for s in STRAYS if (REPO / s).exists()} - strays_before
    return {"root": root, "exchange": exchange, "submitted": submitted, "out": out,
            "homes": homes, "logs": logs, "strays": strays, "instructor": instructor,
            "grade": grade, "grades": grades_csv, "exported": exported}


def grades(semester, lesson=LESSON):
    return {r["student"]: r for r in semester["grades"] if r["lesson"] == lesson}


def test_release_fetch_submit_collect_leaves_each_students_work_in_submitted(semester):
    assert f"Released as: bpkit {WRITTEN}" in semester["logs"][f"release {WRITTEN}"]
    assert f"Submitted as: bpkit {LESSON}" in semester["logs"][f"submit ada {LESSON}"]
    for student, lesson in (("ada", LESSON), ("ada", WRITTEN), ("bob", LESSON)):
        folder = semester["submitted"] / student / lesson
        assert f"Collecting submission: {student} {lesson}" in semester["logs"]["collect"]
        assert (folder / f"{lesson}.ipynb").read_bytes() == \
            (semester["homes"][student] / lesson / f"{lesson}.ipynb").read_bytes()
        assert (folder / "timestamp.txt").read_text().strip().endswith("UTC")
    assert not (semester["submitted"] / "bob" / WRITTEN).exists()


def test_the_collected_work_is_graded_into_the_out_folders_own_gradebook(semester):
    rows = grades(semester)
    # The lesson's worth from its own title, so that a reworked lesson needs no edit here.
    worth = str(find(LESSON).points)
    assert (rows["ada"]["score"], rows["ada"]["max_score"], rows["ada"]["status"]) == \
        (worth, worth, "graded")
    assert 0 < float(rows["bob"]["score"]) < float(worth)
    written = grades(semester, WRITTEN)
    assert (written["ada"]["max_score"], written["ada"]["pending"]) == \
        ("14", "4 points: vanishing_gradient_explanation")
    assert (written["bob"]["status"], written["bob"]["score"]) == ("missing", "0")
    gradebook = semester["out"] / "gradebook.db"
    assert gradebook.exists()
    with open(semester["out"] / "results.json") as f:
        recorded = {r["recorded_in"] for r in json.load(f)["submissions"]
                    if r["status"] != "missing"}
    assert recorded == {f"sqlite:///{gradebook}"}


def test_late_work_follows_the_due_date_set_with_nbgrader_db_and_the_submit_time(semester):
    rows = grades(semester)
    assert rows["ada"]["late"] == ""
    assert re.fullmatch(r"yes: \d+ (s|min) late", rows["bob"]["late"])  # not "0.0 h"
    assert "Handed in late (1): bob (" in (semester["out"] / "report.html").read_text()


def test_nbgrader_export_from_the_repository_agrees_with_grades_csv(semester):
    exported = {(r["student_id"], r["assignment"]): r for r in semester["exported"]}
    graded = {(r["student"], r["lesson"]): r for r in semester["grades"] if r["lesson"] != "TOTAL"}
    assert set(exported) == set(graded) == {(s, lesson) for s in ("ada", "bob")
                                            for lesson in (LESSON, WRITTEN)}
    for key, row in graded.items():
        assert float(exported[key]["score"]) == float(row["score"]), key
        assert float(exported[key]["max_score"]) == float(row["max_score"]), key
    assert exported["ada", LESSON]["duedate"]  # the due date the instructor set is in there


def test_make_nbgrader_db_assignment_list_sees_the_graded_lesson(semester):
    assert "There are 2 assignments in the database:" in semester["logs"]["db"]
    assert re.search(rf"{LESSON} \(due: 20\d\d-", semester["logs"]["db"])  # the date set
    assert f"{WRITTEN} (due: None)" in semester["logs"]["db"]


def test_no_gradebook_or_grades_are_written_into_the_repository(semester):
    assert semester["strays"] == set()


@pytest.fixture(scope="module")  # module scope: set up before the module's semester
def chromium():
    """Skip (fail under CI=true) before the semester is built when there is no Chromium."""
    bh.require_chromium()


@pytest.mark.browser
def test_the_formgrader_of_make_lab_instructor_shows_the_graded_work_and_grades_flow_back(
        chromium, semester):
    """The instructor's JupyterLab: Nbgrader > Formgrader lists lesson 03 as released with both
    submissions and their scores; in Manual Grading, ada's written answer in 09 gets 3 of 4
    points; the next run of the grade command puts them into grades.csv and her feedback."""
    from playwright.sync_api import sync_playwright

    state, port, token = semester["root"] / "lab", lab_server.free_port(), secrets.token_hex(16)
    lab_server._quiet_user_settings(state / "settings")
    log = semester["root"] / "make-lab-instructor.log"
    lab_args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
                f"--ServerApp.port_retries=0 --IdentityProvider.token={token} "
                f"--LabApp.user_settings_dir={state / 'settings'} "
                f"--LabApp.workspaces_dir={state / 'workspaces'}")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(state / "config"),
               JUPYTER_RUNTIME_DIR=str(state / "runtime"), MAKEFLAGS="")
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            ["make", "-o", STAMP, "lab-instructor", f"OUT={semester['out']}",
             f"SUBMISSIONS={semester['submitted']}", f"EXCHANGE={semester['exchange']}",
             f"LAB_ARGS={lab_args}"],
            cwd=REPO, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    server = lab_server.LabServer(proc, port, token, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if server.get("api/status", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"make lab-instructor did not start:\n{log.read_text()[-3000:]}")
        with sync_playwright() as playwright:
            browser = bh.launch_chromium(playwright)
            try:
                page = bh.new_lab_page(browser)
                page.goto(server.url("lab/workspaces/formgrader"))
                page.locator(".lm-MenuBar-itemLabel").first.wait_for()
                bh.menu_command(page, "Nbgrader", "Formgrader")
                frame = page.frame_locator("iframe").first
                lesson_row = frame.locator("tr", has_text=LESSON)
                lesson_row.first.wait_for()
                # released to the exchange, and both collected submissions graded
                assert "released" in lesson_row.first.inner_text()
                lesson_row.first.get_by_role("link", name="2", exact=True).click()
                rows = {}
                for student in ("ada", "bob"):
                    row = frame.locator("tbody tr", has_text=student).first
                    row.wait_for()
                    rows[student] = row.inner_text()
                shot = bh.screenshot(page, "formgrader_graded_submissions.png")

                frame.get_by_role("link", name="Manual Grading").click()
                frame.get_by_role("link", name=WRITTEN, exact=True).first.click()  # the lesson
                frame.get_by_role("link", name=WRITTEN, exact=True).first.click()  # its notebook
                frame.get_by_role("link", name="Submission #1").first.click()  # ada's, anonymous
                given = give_score(frame.locator(f"input.score#{ANSWER}"), "3",
                                   semester["out"] / "gradebook.db")
                bh.screenshot(page, "formgrader_written_answer_graded.png")
            finally:
                browser.close()
    finally:
        server.stop()
    assert given == 3
    for student, row in grades(semester).items():
        score = re.search(r"(\d+(?:\.\d+)?) / (\d+(?:\.\d+)?)", rows[student])
        assert score, rows[student]
        assert (float(score[1]), float(score[2])) == (float(row["score"]),
                                                       float(row["max_score"]))
    assert shot.stat().st_size > 0

    again = run(semester["grade"], REPO, dict(os.environ))
    assert "0 to grade" in again
    before = grades(semester, WRITTEN)["ada"]
    after = next(r for r in read_csv(semester["out"] / "grades.csv")
                 if (r["student"], r["lesson"]) == ("ada", WRITTEN))
    assert float(after["score"]) == float(before["score"]) + 3
    assert (after["max_score"], after["pending"]) == ("14", "")
    page = (semester["out"] / "feedback" / "ada" / f"{WRITTEN}.html").read_text()
    assert "3 / 4" in page and "waiting for a person" not in page


ANSWER = "vanishing_gradient_explanation"


def give_score(box, score, gradebook, timeout=60):
    """Type a score for ada's written answer as a grader does, and return what the formgrader
    saved in the gradebook (None if it never saved).

    The formgrader saves when the box changes and loses focus, but only once its page has
    loaded the grades; typed earlier, the score is not saved, so it is typed again (as a
    person would, seeing no tick) until it is.
    """
    from nbgrader.api import Gradebook

    deadline = time.monotonic() + timeout
    while True:
        box.scroll_into_view_if_needed()
        box.fill("")
        box.fill(score)
        box.press("Tab")
        for _ in range(10):
            time.sleep(0.3)
            with Gradebook(f"sqlite:///{gradebook}") as gb:
                saved = gb.find_grade(ANSWER, WRITTEN, WRITTEN, "ada").manual_score
            if saved is not None or time.monotonic() > deadline:
                return saved
