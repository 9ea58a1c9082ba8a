"""The instructor's grading command, run for real on a class of hostile and honest submissions.

One batch (every robustness case of tests/fixtures/submissions/toy_lesson.py, in nbgrader's
submitted/ layout) is graded once per module by ``python -m autograder grade`` with real nbgrader,
real kernels and a real sqlite gradebook; the tests then check what an instructor would look at.
"""

import csv
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

import pytest

pytestmark = pytest.mark.autograder

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PYTHON = sys.executable


def load_toy():
    path = os.path.join(HERE, "fixtures", "submissions", "toy_lesson.py")
    spec = importlib.util.spec_from_file_location("toy_lesson", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


toy = load_toy()
CASES = toy.cases()


def run_grader(*args, timeout=600):
    return subprocess.run([PYTHON, "-m", "autograder", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def grade_args(submitted, out, solutions, db, *extra):
    return ["grade", str(submitted), "--out", str(out), "--solutions", str(solutions),
            "--db-url", f"sqlite:///{db}", "--cell-timeout", "4", "--memory", "1500", *extra]


def read_csv(out):
    with open(os.path.join(out, "grades.csv")) as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole class graded once: (paths, completed process, seconds)."""
    root = tmp_path_factory.mktemp("class")
    solutions = toy.make_course(str(root))
    submitted = root / "submitted"
    toy.write_submitted(str(submitted))
    out, db = root / "out", root / "gradebook.db"
    started = time.monotonic()
    done = run_grader(*grade_args(submitted, out, solutions, db, "--jobs", "2"))
    paths = {"root": root, "solutions": solutions, "submitted": submitted, "out": out, "db": db}
    return paths, done, time.monotonic() - started


@pytest.fixture(scope="module")
def rows(batch):
    paths, done, _ = batch
    assert done.returncode == 0, done.stderr[-3000:]
    return {r["student"]: r for r in read_csv(paths["out"]) if r["lesson"] == toy.LESSON}


@pytest.fixture(scope="module")
def results(batch, rows):
    with open(os.path.join(batch[0]["out"], "results.json")) as f:
        return {r["student"]: r for r in json.load(f)["submissions"]}


def test_the_batch_finishes_with_status_0_and_grades_every_submission(batch, rows):
    assert set(rows) == set(CASES) | {"wrong_lesson"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_is_graded_fairly_or_flagged_with_its_reason(rows, case):
    _, score, status, reason = CASES[case]
    row = rows[case]
    assert (float(row["score"]), row["max_score"]) == (score, "4"), row
    assert row["status"] == status, row
    assert reason.lower() in row["reason"].lower(), row


def test_a_notebook_of_another_lesson_is_rejected_with_its_reason(rows):
    assert rows["wrong_lesson"]["status"] == "rejected"
    assert "another lesson" in rows["wrong_lesson"]["reason"]


def test_grades_csv_ends_with_a_total_per_student(batch, rows):
    totals = [r for r in read_csv(batch[0]["out"]) if r["lesson"] == "TOTAL"]
    assert {r["student"] for r in totals} == set(rows)
    assert all(float(t["score"]) == float(rows[t["student"]]["score"]) for t in totals)


def test_results_json_has_every_test_with_its_message(results):
    partial = {t["grade_id"]: t for t in results["partial"]["tests"]}
    assert partial["mul_forward"]["passed"] and partial["square_test"]["passed"]
    assert not partial["mul_backward"]["passed"]
    assert partial["mul_backward"]["message"].startswith("AssertionError: dy with dout=2 is wrong")
    reexport = {t["grade_id"]: t for t in results["reexport"]["tests"]}
    assert "must be your own code" in reexport["mul_forward"]["message"]


def test_a_test_patched_while_it_ran_scores_0_with_a_tampering_message(results):
    tests = {t["grade_id"]: t for t in results["patch_during"]["tests"]}
    assert tests["mul_forward"]["points"] == 0
    assert "numpy.allclose" in tests["mul_forward"]["message"]


def test_feedback_pages_show_results_but_never_hidden_test_source(batch, results):
    out = batch[0]["out"]
    for student, result in results.items():
        page = open(os.path.join(out, "feedback", student, toy.LESSON + ".html")).read()
        for test in result["tests"]:
            assert test["grade_id"] in page
        assert "BEGIN HIDDEN TESTS" not in page
        assert "expect_own_code(MulLayer)" not in page
        assert "default_rng(1)" not in page
    page = open(os.path.join(out, "feedback", "partial", toy.LESSON + ".html")).read()
    assert "dy with dout=2 is wrong" in page and "2 / 4" in page


def test_report_has_plots_pass_rates_and_common_failures(batch):
    report = open(os.path.join(batch[0]["out"], "report.html")).read()
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"', report)) >= 2
    assert "pass rate per test" in report
    assert "must be your own code" in report  # the most common failure of this class
    assert "kernel died" in report  # flagged submissions are listed with their reasons


def test_every_grade_is_in_the_nbgrader_gradebook(batch, rows):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{batch[0]['db']}") as gb:
        assignment = gb.find_assignment(toy.LESSON)
        cells = {c.name for c in assignment.notebooks[0].source_cells}
        assert cells >= {"mul_forward", "mul_layer"}
        for student, row in rows.items():
            assert gb.find_submission(toy.LESSON, student).score == float(row["score"]), student


def test_progress_bar_and_summary_table_are_printed(batch):
    err = batch[1].stderr
    n = len(CASES) + 1
    assert re.search(rf"\[#+\] {n}/{n} graded, \d+ flagged, .* left", err)
    assert re.search(rf"03_toy\s+{n}\s+\d+\s+\d+\s+\d+\s+\d+\s+[\d.]+", err)


def test_flooded_output_is_capped(results, batch):
    out = batch[0]["out"]
    assert os.path.getsize(os.path.join(out, "results.json")) < 1_000_000
    assert results["output_flood"]["score"] == 4
    kept = os.path.join(out, "autograded", "output_flood", toy.LESSON, toy.LESSON + ".ipynb")
    assert os.path.getsize(kept) < 1_000_000  # the flood printed about 16 MB


def test_a_rerun_grades_only_what_changed_and_force_regrades(batch, rows):
    paths = batch[0]
    csv_before = open(os.path.join(paths["out"], "grades.csv")).read()
    again = run_grader(*grade_args(paths["submitted"], paths["out"], paths["solutions"],
                                   paths["db"]))
    assert again.returncode == 0 and f"0 to grade, {len(CASES) + 1} unchanged" in again.stderr
    assert open(os.path.join(paths["out"], "grades.csv")).read() == csv_before

    changed = paths["submitted"] / "blank" / toy.LESSON / (toy.LESSON + ".ipynb")
    changed.write_bytes(toy.notebook_bytes(toy.submission()))
    third = run_grader(*grade_args(paths["submitted"], paths["out"], paths["solutions"],
                                   paths["db"], "--lesson", "03"))
    assert f"1 to grade, {len(CASES)} unchanged" in third.stderr
    regraded = {r["student"]: r for r in read_csv(paths["out"]) if r["lesson"] == toy.LESSON}
    assert regraded["blank"]["score"] == "4"
    assert {s: r["score"] for s, r in regraded.items() if s != "blank"} == \
        {s: r["score"] for s, r in rows.items() if s != "blank"}


def test_a_new_gradebook_is_filled_from_earlier_results_without_regrading(batch, rows, tmp_path):
    from nbgrader.api import Gradebook

    paths = batch[0]
    fresh = tmp_path / "fresh.db"
    done = run_grader(*grade_args(paths["submitted"], paths["out"], paths["solutions"], fresh))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 to grade" in done.stderr and "missing from the gradebook: recording" in done.stderr
    current = {r["student"]: r for r in read_csv(paths["out"]) if r["lesson"] == toy.LESSON}
    with Gradebook(f"sqlite:///{fresh}") as gb:
        for student, row in current.items():
            assert gb.find_submission(toy.LESSON, student).score == float(row["score"]), student


def test_usage_errors_exit_non_zero_with_a_clear_message(tmp_path, batch):
    solutions = batch[0]["solutions"]
    missing = run_grader("grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"),
                         "--solutions", solutions)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unknown = run_grader("grade", str(batch[0]["submitted"]), "--out", str(tmp_path / "o"),
                         "--solutions", solutions, "--lesson", "42")
    assert unknown.returncode == 2 and "unknown lesson '42'" in unknown.stderr
    bad_zip = tmp_path / "class.zip"
    bad_zip.write_bytes(b"PK\x03\x04 this is not really a zip")
    broken = run_grader("grade", str(bad_zip), "--out", str(tmp_path / "o"),
                        "--solutions", solutions)
    assert broken.returncode == 2 and "cannot read" in broken.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr + broken.stderr


def test_lms_zips_from_canvas_and_moodle_are_graded(tmp_path, batch):
    good, blank = CASES["correct"][0], CASES["blank"][0]
    canvas = tmp_path / "canvas.zip"
    with zipfile.ZipFile(canvas, "w") as z:
        z.writestr("smithjane_12345_6789012_03_toy.ipynb", good)
        z.writestr("doejohn_LATE_23456_7890123_03_toy-1.ipynb", blank)
    moodle = tmp_path / "moodle.zip"
    with zipfile.ZipFile(moodle, "w") as z:
        z.writestr("Jane Smith_12345_assignsubmission_file_/03_toy.ipynb", good)
    db = tmp_path / "gb.db"
    for archive, out in ((canvas, tmp_path / "c"), (moodle, tmp_path / "m")):
        done = run_grader(*grade_args(archive, out, batch[0]["solutions"], db))
        assert done.returncode == 0, done.stderr[-2000:]
    canvas_rows = {r["student"]: r for r in read_csv(tmp_path / "c") if r["lesson"] == toy.LESSON}
    assert canvas_rows["smithjane"]["score"] == "4" and canvas_rows["smithjane"]["late"] == ""
    assert canvas_rows["doejohn"]["score"] == "0" and canvas_rows["doejohn"]["late"] == "yes"
    moodle_rows = read_csv(tmp_path / "m")
    assert moodle_rows[0]["student"] == "Jane_Smith" and moodle_rows[0]["score"] == "4"


def test_an_interrupted_run_loses_nothing_and_resumes(tmp_path, batch):
    submitted = tmp_path / "submitted"
    for i in range(4):
        folder = submitted / f"s{i}" / toy.LESSON
        folder.mkdir(parents=True)
        (folder / (toy.LESSON + ".ipynb")).write_bytes(CASES["correct"][0])
    out, db = tmp_path / "out", tmp_path / "gb.db"
    args = grade_args(submitted, out, batch[0]["solutions"], db, "--jobs", "1")
    process = subprocess.Popen([PYTHON, "-m", "autograder", *args], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    state = out / ".state" / toy.LESSON
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (state.exists() and list(state.glob("*.json"))):
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)  # the hardest interruption: no cleanup at all
    process.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and processes_of_run(out, process.pid):
        time.sleep(0.2)
    assert processes_of_run(out, process.pid) == {}  # its workers and kernels ended with it
    kept = len(list(state.glob("*.json")))
    assert 1 <= kept < 4
    resumed = run_grader(*args)
    assert resumed.returncode == 0
    assert f"{4 - kept} to grade, {kept} unchanged" in resumed.stderr
    assert [r["score"] for r in read_csv(out) if r["lesson"] == toy.LESSON] == ["4"] * 4
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []
    from autograder.course import fast_temp_dir

    scratch = fast_temp_dir() or tempfile.gettempdir()
    assert not [n for n in os.listdir(scratch) if n.startswith(f"bpkit-grade-{process.pid}-")]


def processes_of_run(out, grader_pid):
    """Processes of one grader run: its workers (their command line names ``--out``) and its
    kernels (their environment names the run's scratch folder)."""
    found = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
        except OSError:  # gone, or not ours to read
            continue
        if str(out).encode() in cmdline or f"bpkit-grade-{grader_pid}-".encode() in environ:
            found[int(entry)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGKILL", "SIGTERM", "ctrl-c"])
def test_a_killed_grader_leaves_no_process_behind(tmp_path, batch, signum):
    """Workers watch their parent: however the grader ends, its workers and kernels end too."""
    submitted = tmp_path / "submitted"
    slow = toy.notebook_bytes(toy.submission(square=toy.SQUARE_SOLUTION +
                                             "import time\ntime.sleep(30)\n"))
    for i in range(3):
        folder = submitted / f"s{i}" / toy.LESSON
        folder.mkdir(parents=True)
        (folder / (toy.LESSON + ".ipynb")).write_bytes(slow)
    out = tmp_path / "out"
    args = grade_args(submitted, out, batch[0]["solutions"], tmp_path / "gb.db", "--jobs", "2")
    args[args.index("--cell-timeout") + 1] = "60"
    process = subprocess.Popen([PYTHON, "-m", "autograder", *args], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
            "autograder.sandbox" in c for c in processes_of_run(out, process.pid).values()):
        time.sleep(0.2)
    running = processes_of_run(out, process.pid)
    assert any("autograder.sandbox" in c for c in running.values()), "no kernel ever started"
    os.killpg(process.pid, signum)  # what a terminal's Ctrl-C or a job scheduler sends
    # Generous bounds, not a speed test: on a loaded machine Ctrl-C's orderly shutdown of two
    # kernels took more than 30 s; what counts is that nothing is left behind.
    process.wait(timeout=180)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and processes_of_run(out, process.pid):
        time.sleep(0.2)
    assert processes_of_run(out, process.pid) == {}


def test_shards_are_disjoint_and_cover_everything():
    from autograder.batch import in_shard

    keys = [(f"student{i}", f"{j:02d}_lesson") for i in range(60) for j in range(10)]
    shards = [[k for k in keys if in_shard(*k, (n, 3))] for n in (1, 2, 3)]
    assert sorted(sum(shards, [])) == sorted(keys)
    assert all(100 < len(s) < 300 for s in shards)


def test_a_notebook_stuck_past_its_time_limit_is_stopped_and_the_batch_goes_on(tmp_path, batch):
    """A loop that ignores interrupts outlives the cell timeout; the notebook limit ends it."""
    stuck = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
             "def square(x):\n    return x * x\nwhile True:\n    pass\n")
    submitted = tmp_path / "submitted"
    for student, data in (("stuck", toy.notebook_bytes(toy.submission(square=stuck))),
                          ("fine", CASES["correct"][0])):
        folder = submitted / student / toy.LESSON
        folder.mkdir(parents=True)
        (folder / (toy.LESSON + ".ipynb")).write_bytes(data)
    args = grade_args(submitted, tmp_path / "out", batch[0]["solutions"], tmp_path / "gb.db",
                      "--jobs", "2", "--notebook-timeout", "10")
    args[args.index("--cell-timeout") + 1] = "60"
    done = run_grader(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    # The reason names the 10 s notebook limit, not the 60 s cell limit: the notebook limit
    # ended it (the suite asserts no wall-clock time; bench/ measures speed).
    graded = {r["student"]: r for r in read_csv(tmp_path / "out") if r["lesson"] == toy.LESSON}
    assert graded["stuck"]["status"] == "error"
    assert "longer than 10 s" in graded["stuck"]["reason"]
    assert graded["fine"]["score"] == "4"


def test_a_loop_in_a_definition_every_test_uses_costs_one_timeout_and_is_named(tmp_path, batch):
    """MulLayer.forward never returns: its first test waits the cell limit, the later ones a
    short one; the feedback says which function never returned and after how long."""
    looping = toy.MUL_SOLUTION.replace("        return x * y", "        while True:\n"
                                       "            pass")
    folder = tmp_path / "submitted" / "loops" / toy.LESSON
    folder.mkdir(parents=True)
    (folder / (toy.LESSON + ".ipynb")).write_bytes(toy.notebook_bytes(toy.submission(mul=looping)))
    args = grade_args(tmp_path / "submitted", tmp_path / "out", batch[0]["solutions"],
                      tmp_path / "gb.db")
    # 12 s and then 5 s: long enough for a "still running" line (every 15 s), and no longer,
    # since the loop keeps a core busy all that time.
    args[args.index("--cell-timeout") + 1] = "12"
    done = run_grader(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "still running: loops 03_toy for 0:15" in done.stderr  # the progress says what runs
    with open(tmp_path / "out" / "results.json") as f:
        (result,) = json.load(f)["submissions"]
    tests = {t["grade_id"]: t for t in result["tests"]}
    assert tests["square_test"]["passed"]
    assert re.match(r"TimeoutError: MulLayer.forward \(line \d+ of its cell\) never returned: "
                    r"stopped after 12 s", tests["mul_forward"]["message"])
    assert "never returned: stopped after 5 s" in tests["mul_backward"]["message"]
    assert "timed out after 12 s; later cells got 5 s each" in result["reason"]
    page = (tmp_path / "out" / "feedback" / "loops" / (toy.LESSON + ".html")).read_text()
    assert "MulLayer.forward (line" in page and "never returned: stopped after 12 s" in page


REAL_SOLUTIONS = os.path.join(REPO, "solutions")


@pytest.mark.skipif(not os.path.exists(os.path.join(REPO, "lessons", "04_activation_layers")),
                    reason="lessons 03 and 04 are not written yet")
def test_another_real_lessons_notebook_is_recognised_by_name():
    import nbformat

    from autograder import course, restructure

    lesson04 = nbformat.read(os.path.join(REPO, "lessons", "04_activation_layers",
                                          "04_activation_layers.ipynb"), as_version=4)
    source03 = nbformat.read(course.source_notebook("03_add_mul_layers"), as_version=4)
    with pytest.raises(restructure.NotGradable, match="it is 04_activation_layers's notebook"):
        restructure.rebuild(lesson04, source03, course.lesson_signatures(REAL_SOLUTIONS))


@pytest.mark.skipif(not os.path.exists(os.path.join(REPO, "lessons", "09_limits_of_backprop")),
                    reason="lesson 09 is not written yet")
def test_a_written_answer_is_kept_for_a_person_to_grade(tmp_path):
    """Lesson 09's reflection is graded by hand: the student's words reach formgrader."""
    import nbformat
    from nbgrader.api import Gradebook

    lesson = "09_limits_of_backprop"
    nb = nbformat.read(os.path.join(REPO, "lessons", lesson, lesson + ".ipynb"), as_version=4)
    written = [c for c in nb.cells
               if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")]
    assert written, "lesson 09 should have a written answer"
    written[0].source = "Sigmoid slopes are at most 1/4, so IN MY OWN WORDS they shrink."
    folder = tmp_path / "submitted" / "ada" / lesson
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / (lesson + ".ipynb")))
    db = tmp_path / "gb.db"
    done = run_grader("grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out"),
                      "--db-url", f"sqlite:///{db}")
    assert done.returncode == 0, done.stderr[-2000:]
    with Gradebook(f"sqlite:///{db}") as gb:
        grades = gb.find_submission_notebook(lesson, lesson, "ada").grades
        by_name = {g.name: g for g in grades if g.cell_type == "markdown"}
        assert by_name[written[0].metadata["nbgrader"]["grade_id"]].needs_manual_grade
    graded = (tmp_path / "out" / "autograded" / "ada" / lesson / (lesson + ".ipynb")).read_text()
    assert "IN MY OWN WORDS" in graded
