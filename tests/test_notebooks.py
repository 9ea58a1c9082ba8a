"""The pipeline's promises about every lesson notebook.

- a solution runs top to bottom on a fresh kernel with no error and nothing on stderr;
- ``nbgrader validate`` passes on every solution, and ``--invert`` fails on every lesson (the
  blanks really are blank);
- regenerating lessons/ from solutions/ changes no byte;
- solutions carry no outputs; every lesson says it is generated.

The lessons are the folders of solutions/ (autograder/lessons.py); each test is marked with its
lesson, so ``pytest -m lesson03`` runs lesson 03's share.
"""

import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from validate_runs import FAILED_EVERY_TEST, PASSED

from autograder import editions
from autograder.lessons import COURSE_ROOT, FOLDER_NAME, all_lessons, find, lessons
from autograder.release import NOTICE_CELL_ID

LESSONS = all_lessons()


def per_lesson(*extra_marks, group=None):
    return [
        pytest.param(
            lesson.slug, id=lesson.slug,
            marks=[getattr(pytest.mark, lesson.marker), *extra_marks,
                   *([pytest.mark.xdist_group(group(lesson.slug))] if group else [])],
        )
        for lesson in lessons()
    ]


def solution_path(lesson):
    return COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb"


def lesson_path(lesson):
    return COURSE_ROOT / "lessons" / lesson / f"{lesson}.ipynb"


def nbgrader_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return [c for c in notebook.cells if "nbgrader" in c.metadata]


def test_the_course_has_its_lessons_in_order_from_00():
    numbers = [lesson.number for lesson in lessons()]
    assert numbers[:10] == list(range(10)), f"lessons found: {LESSONS}"
    assert numbers == sorted(set(numbers)), f"lessons found: {LESSONS}"


def test_every_folder_of_solutions_is_a_lesson():
    # A folder whose notebook is misnamed would silently be no lesson at all.
    # solutions/ko/ holds the Korean edition's catalogs (autograder/editions.py), not a lesson.
    folders = [p for p in (COURSE_ROOT / "solutions").iterdir()
               if p.is_dir() and not p.name.startswith((".", "_"))
               and p.name != editions.CATALOG_FOLDER.name]
    strays = [f"solutions/{p.name}/" for p in folders
              if not (FOLDER_NAME.fullmatch(p.name) and (p / f"{p.name}.ipynb").is_file())]
    assert not strays, (
        f"{strays}: a lesson is solutions/NN_topic/NN_topic.ipynb (see docs/authoring.md)"
    )


# The run is the one `nbgrader validate` makes of the solution (conftest.py's
# validated_solutions), shared with the verdict below and with test_run_all.py's completed lesson.
@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", per_lesson())
def test_solution_runs_clean_on_a_fresh_kernel(lesson, validated_solutions):
    run = validated_solutions[lesson].kept_run()
    assert not run.errors, "errors:\n" + "\n".join(run.errors)
    assert not run.stderr, "written to stderr (nbgrader would score such a test 0):\n" + "\n".join(
        run.stderr
    )


# One `nbgrader validate` for all the solutions, one `--invert` for all the lessons (each
# notebook still on its own fresh kernel): conftest.py's fixtures, validate_runs.py.
@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", per_lesson())
def test_nbgrader_validate_passes_on_the_solution(lesson, validated_solutions):
    output = validated_solutions[lesson].output
    assert PASSED in output, output[-3000:]


@pytest.mark.notebooks
@pytest.mark.parametrize("lesson", per_lesson())
def test_nbgrader_validate_invert_fails_on_the_blank_lesson(lesson, validated_lessons):
    output = validated_lessons[lesson].output
    assert FAILED_EVERY_TEST in output, output[-3000:]


@pytest.mark.parametrize("lesson", per_lesson())
def test_solution_is_stored_without_outputs(lesson):
    notebook = json.loads(solution_path(lesson).read_text())
    dirty = [
        c.get("id")
        for c in notebook["cells"]
        if c.get("outputs") or c.get("execution_count") is not None
    ]
    assert not dirty, (
        f"cells with outputs or execution counts: {dirty}; clear them before committing"
    )


@pytest.mark.parametrize("lesson", per_lesson())
def test_every_cell_has_a_fixed_id_and_every_grade_id_is_unique(lesson):
    notebook = nbformat.read(solution_path(lesson), as_version=4)
    ids = [c.get("id") for c in notebook.cells]
    assert all(ids) and len(ids) == len(set(ids)), f"cell ids missing or repeated: {ids}"
    grade_ids = [c.metadata.nbgrader["grade_id"] for c in nbgrader_cells(solution_path(lesson))]
    assert len(grade_ids) == len(set(grade_ids)), f"repeated grade_ids: {grade_ids}"
    assert not [g for g in grade_ids if re.fullmatch(r"(cell|test)[-_]?[0-9a-f]+", g)], (
        f"grade_ids must say what they check: {grade_ids}"
    )


@pytest.mark.parametrize("lesson", per_lesson())
def test_every_test_cell_opens_with_a_docstring(lesson):
    for cell in nbgrader_cells(solution_path(lesson)):
        if cell.cell_type == "code" and cell.metadata.nbgrader.get("grade"):
            first = cell.source.lstrip().splitlines()[0]
            assert first.startswith('"""'), (
                f"test cell {cell.metadata.nbgrader['grade_id']} starts with {first!r}"
            )


@pytest.mark.parametrize("lesson", per_lesson())
def test_the_title_states_the_points_the_lesson_is_worth(lesson):
    notebook = nbformat.read(solution_path(lesson), as_version=4)
    total = find(lesson).points
    title = notebook.cells[0].source
    assert total > 0, "a lesson has graded exercises"
    points = re.search(r"(\d+)\s*points", title)
    assert points and int(points.group(1)) == total, (
        f"the first cell should state the lesson is worth {total} points; it says: {title[:300]!r}"
    )


@pytest.mark.parametrize("lesson", per_lesson())
def test_lesson_is_marked_as_generated(lesson):
    notebook = nbformat.read(lesson_path(lesson), as_version=4)
    assert notebook.cells[0].get("id") == NOTICE_CELL_ID
    assert f"solutions/{lesson}/{lesson}.ipynb" in notebook.cells[0].source
    assert notebook.metadata["bpkit"]["generated_from"] == f"solutions/{lesson}/{lesson}.ipynb"


def test_regenerating_the_lessons_changes_no_byte(tmp_path):
    shutil.copytree(COURSE_ROOT / "solutions", tmp_path / "solutions")
    subprocess.run(
        [sys.executable, "-m", "autograder.release", "--root", str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=COURSE_ROOT,
    )
    generated = sorted(
        p.relative_to(tmp_path / "lessons") for p in (tmp_path / "lessons").rglob("*.ipynb")
    )
    committed = sorted(
        p.relative_to(COURSE_ROOT / "lessons")
        for p in (COURSE_ROOT / "lessons").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )
    assert generated == committed, (
        "lessons/ and solutions/ hold different lessons: run `make lessons`"
    )
    stale = [
        str(p)
        for p in generated
        if (tmp_path / "lessons" / p).read_bytes() != (COURSE_ROOT / "lessons" / p).read_bytes()
    ]
    assert not stale, (
        f"lessons/ is out of date with solutions/ for {stale}: run `make lessons` and commit"
    )
