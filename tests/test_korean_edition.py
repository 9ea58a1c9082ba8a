"""The Korean edition (lessons/ko/): the same lesson, in Korean, graded exactly alike.

- each Korean lesson has the English lesson's code, graded cells, grade_ids, points and tests,
  with Korean text around them, a first code cell that makes the kernel speak Korean and
  ``metadata.bpkit.language = "ko"``;
- ``nbgrader validate`` passes on each Korean source and ``--invert`` fails on each Korean
  lesson, as for the English ones;
- the grade command grades the same code the same, test by test, in either edition, and the
  Korean student's failure messages are Korean with the same mistake ids;
- grade_me on a Korean notebook reports in Korean, with the English edition's score.

Regenerating lessons/ko/ byte for byte is tests/test_notebooks.py's
test_regenerating_the_lessons_changes_no_byte (it compares every notebook under lessons/).
"""

import json
import os
import re
import subprocess
import sys

import nbformat
import pytest
from validate_runs import FAILED_EVERY_TEST, PASSED, selected, validate_many
from wrong_answers import WRONG_MUL_LAYER

from autograder import editions
from autograder.lessons import COURSE_ROOT, lessons

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LESSONS = [pytest.param(lesson, id=lesson.slug, marks=getattr(pytest.mark, lesson.marker))
           for lesson in lessons()]


def korean_lesson(lesson):
    return COURSE_ROOT / editions.RELEASE_FOLDER / lesson.slug / f"{lesson.slug}.ipynb"


def _graded(notebook):
    """grade_id, points, type and code of each graded cell (a test's docstring is its text)."""
    return [(c.metadata["nbgrader"]["grade_id"], c.metadata["nbgrader"].get("points"),
             c.cell_type, editions.code_tokens(c.source) if c.cell_type == "code" else None)
            for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _code(notebook):
    return [editions.code_tokens(c.source) for c in notebook.cells
            if c.cell_type == "code" and c.id != editions.LANGUAGE_CELL_ID]


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_korean_lesson_has_the_english_code_tests_and_points(lesson):
    english = nbformat.read(lesson.release, as_version=4)
    korean = nbformat.read(korean_lesson(lesson), as_version=4)
    assert _graded(korean) == _graded(english), "graded cells, grade_ids or points differ"
    assert _code(korean) == _code(english), "a code cell of the Korean lesson has other code"
    english_tests = [c.source for c in english.cells if editions.test_docstring(c)]
    korean_tests = [c.source for c in korean.cells if editions.test_docstring(c)]
    assert [t.split('"""', 2)[2] for t in korean_tests] == [
        t.split('"""', 2)[2] for t in english_tests], "a test cell differs after its docstring"
    assert all(HANGUL.search(t.split('"""', 2)[1]) for t in korean_tests)
    assert korean.metadata["bpkit"]["language"] == "ko"
    first_code = next(c for c in korean.cells if c.cell_type == "code")
    assert first_code.id == editions.LANGUAGE_CELL_ID and 'use_language("ko")' in first_code.source
    notice = korean.cells[0].source
    assert "레슨" in notice and f"solutions/ko/{lesson.slug}.po" in notice
    text = "\n".join(c.source for c in korean.cells if c.cell_type == "markdown")
    assert len(HANGUL.findall(text)) > 0.5 * len(re.findall(r"[A-Za-z]", text)), (
        "the Korean lesson's text is still mostly English"
    )


@pytest.fixture(scope="module")
def korean_sources(request, tmp_path_factory):
    """{lesson slug: its Korean source, written as the grader builds it}."""
    folder = tmp_path_factory.mktemp("korean-sources")
    paths = {}
    for lesson in selected(request):
        paths[lesson.slug] = folder / f"{lesson.slug}.ipynb"
        nbformat.write(editions.korean_source(lesson.solution), paths[lesson.slug])
    return paths


@pytest.fixture(scope="module")
def validated(request, korean_sources):
    """One `nbgrader validate` over the Korean sources, one `--invert` over the Korean lessons."""
    return (validate_many(korean_sources.values()),
            validate_many([korean_lesson(lesson) for lesson in selected(request)], "--invert"))


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", LESSONS)
def test_nbgrader_validate_passes_on_the_korean_source_and_fails_the_blank(
        lesson, korean_sources, validated):
    output = validated[0][korean_sources[lesson.slug].resolve()]
    assert PASSED in output, output[-3000:]
    output = validated[1][korean_lesson(lesson).resolve()]
    assert FAILED_EVERY_TEST in output, output[-3000:]


# --- grading --------------------------------------------------------------------------------



def _submission(release, lesson, wrong=None):
    """The student version with every answer from the solution, and ``wrong`` answers."""
    notebook = nbformat.read(release, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source
               for c in nbformat.read(lesson.solution, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    answers.update(wrong or {})
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = answers[grade_id]
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Lesson 03 and 06 graded for two students with the same code, one in each edition."""
    root = tmp_path_factory.mktemp("editions")
    chosen = [lesson for lesson in lessons() if lesson.code in ("03", "06")]
    wrong = {"03": {"mul_layer": WRONG_MUL_LAYER}, "06": {}}
    for lesson in chosen:
        for student, release in (("en", lesson.release), ("ko", korean_lesson(lesson))):
            folder = root / "submitted" / student / lesson.slug
            folder.mkdir(parents=True)
            nbformat.write(_submission(release, lesson, wrong[lesson.code]),
                           folder / f"{lesson.slug}.ipynb")
    out = root / "out"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "submitted"),
                           "--out", str(out), "--lesson", "03", "--lesson", "06"],
                          cwd=COURSE_ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())["submissions"]
    graded = {(r["student"], r["lesson"]): r for r in results}
    graded["out"] = out
    return graded


@pytest.mark.autograder
def test_the_same_code_scores_the_same_in_either_edition(graded):
    for lesson in ("03_add_mul_layers", "06_softmax_with_loss"):
        en, ko = graded[("en", lesson)], graded[("ko", lesson)]
        assert en["status"] == ko["status"] == "graded", (en["reason"], ko["reason"])
        assert (ko["score"], ko["max_score"]) == (en["score"], en["max_score"])
        assert [(t["grade_id"], t["points"], t["passed"], t["mistake"]) for t in ko["tests"]] == [
            (t["grade_id"], t["points"], t["passed"], t["mistake"]) for t in en["tests"]]
    assert graded[("en", "06_softmax_with_loss")]["score"] == graded[
        ("en", "06_softmax_with_loss")]["max_score"] - 2  # the written answers wait for a person
    assert graded[("en", "03_add_mul_layers")]["score"] < graded[
        ("en", "03_add_mul_layers")]["max_score"]


@pytest.mark.autograder
def test_a_korean_student_reads_the_mistake_in_korean(graded):
    failed = {t["grade_id"]: t for t in graded[("ko", "03_add_mul_layers")]["tests"]
              if not t["passed"]}
    english = {t["grade_id"]: t for t in graded[("en", "03_add_mul_layers")]["tests"]
               if not t["passed"]}
    assert failed.keys() == english.keys() and failed
    for grade_id, test in failed.items():
        assert test["mistake"] == english[grade_id]["mistake"] == "mul_layer.swapped_gradients"
        assert HANGUL.search(test["message"]), test["message"]
        assert not HANGUL.search(english[grade_id]["message"].split("(")[0])


@pytest.mark.autograder
def test_grade_me_on_a_korean_notebook_reports_in_korean(tmp_path):
    lesson = next(lesson for lesson in lessons() if lesson.code == "03")
    reports = {}
    for edition, release in (("en", lesson.release), ("ko", korean_lesson(lesson))):
        path = tmp_path / edition / f"{lesson.slug}.ipynb"
        path.parent.mkdir()
        nbformat.write(_submission(release, lesson, {"mul_layer": WRONG_MUL_LAYER}), path)
        done = subprocess.run([sys.executable, "-m", "autograder.grade_me", "03", str(path)],
                              cwd=COURSE_ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        reports[edition] = done.stdout
    score = re.search(r"Score: (\S+)", reports["en"]).group(1)
    korean_score = re.search(r"점수: (\S+)", reports["ko"])
    assert korean_score and korean_score.group(1) == score, reports["ko"]
    assert "Score:" not in reports["ko"] and "FAILED" not in reports["ko"], reports["ko"]
    lines = [line for line in reports["ko"].splitlines() if line.strip()]
    english_lines = [line for line in lines if not HANGUL.search(line)
                     and re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", line)]
    assert not english_lines, f"grade_me left English lines in the Korean report: {english_lines}"


@pytest.mark.autograder
def test_the_feedback_page_speaks_the_students_edition(graded):
    assert graded[("ko", "03_add_mul_layers")]["language"] == "ko"
    assert graded[("en", "03_add_mul_layers")]["language"] == "en"
    pages = {student: (graded["out"] / "feedback" / student / "03_add_mul_layers.html")
             .read_text() for student in ("en", "ko")}
    assert "학생: <b>ko</b>" in pages["ko"] and "점수: <b>" in pages["ko"], pages["ko"]
    assert "<th>테스트</th>" in pages["ko"] and "실패" in pages["ko"]
    assert "Student: <b>en</b>" in pages["en"] and "<th>test</th>" in pages["en"]
    assert not HANGUL.search(pages["en"].split("<table")[0]), pages["en"]


# --- releasing the Korean edition through nbgrader's exchange ------------------------------------

@pytest.mark.autograder
def test_both_editions_released_side_by_side_through_the_exchange_grade_alike(tmp_path):
    """The instructor guide's "both" recipe: the English lesson in course bpkit, the Korean one
    in course bpkit-ko (release folder lessons/ko), one student in each, collected into one
    submitted/ folder and graded in one run."""
    from test_autograder_exchange import NBGRADER, answer, run, student_env

    lesson = next(lesson for lesson in lessons() if lesson.code == "03")
    exchange, submitted, out = tmp_path / "exchange", tmp_path / "submitted", tmp_path / "out"
    instructor = dict(os.environ, PATH="/usr/bin:/bin", BPKIT_GRADING_OUT=str(out),
                      BPKIT_SUBMITTED=str(submitted), BPKIT_EXCHANGE=str(exchange),
                      JUPYTER_CONFIG_DIR=str(tmp_path / "instructor"))
    korean_course = ["--CourseDirectory.course_id=bpkit-ko",
                     "--CourseDirectory.release_directory=lessons/ko"]
    run([NBGRADER, "release_assignment", lesson.slug], COURSE_ROOT, instructor)
    run([NBGRADER, "release_assignment", lesson.slug, *korean_course], COURSE_ROOT, instructor)
    for student, course in (("ada", "bpkit"), ("ji", "bpkit-ko")):
        home = tmp_path / "home" / student
        env = student_env(home, exchange)
        config = home / ".jupyter" / "nbgrader_config.py"
        config.write_text(config.read_text().replace('"bpkit"', f'"{course}"'))
        run([NBGRADER, "fetch_assignment", lesson.slug], home, env)
        fetched = nbformat.read(home / lesson.slug / f"{lesson.slug}.ipynb", as_version=4)
        assert editions.language_of(fetched) == ("ko" if course == "bpkit-ko" else "en")
        answer(home / lesson.slug / f"{lesson.slug}.ipynb", 0.5)
        run([NBGRADER, "submit", lesson.slug, f"--student={student}"], home, env)
    for course in ("bpkit", "bpkit-ko"):
        run([NBGRADER, "collect", lesson.slug, f"--CourseDirectory.course_id={course}",
             "--ExchangeCollect.check_owner=False"], COURSE_ROOT, instructor)
    run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
         "--lesson", "03", "--jobs", "1"], COURSE_ROOT, dict(os.environ))
    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())[
        "submissions"]}
    assert results["ji"]["status"] == results["ada"]["status"] == "graded"
    assert 0 < results["ji"]["score"] == results["ada"]["score"] < results["ada"]["max_score"]
    failed = [t["message"] for t in results["ji"]["tests"] if not t["passed"]]
    assert failed and all(HANGUL.search(m) for m in failed), failed
    assert not any(HANGUL.search(t["message"]) for t in results["ada"]["tests"])
