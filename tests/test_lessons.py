"""The course registry: every way a person names a lesson, and every way of getting it wrong.

Unit tests on small courses made in a temporary folder run in milliseconds; the command-line
tests check that ``make lessons``, ``grade`` and ``grade-me`` refuse an unknown lesson the same
way, with the list of lessons there are, before doing any work.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import lessons as registry
from autograder.lessons import COURSE_ROOT, UnknownLesson


def make_course(root, *slugs, heading="# Lesson {n} — A topic"):
    for slug in slugs:
        folder = root / "solutions" / slug
        folder.mkdir(parents=True)
        title = nbformat.v4.new_markdown_cell(heading.format(n=slug[:2]), id="title")
        answer = nbformat.v4.new_code_cell(
            "class Scale:\n    pass\n\ndef helper():\n    pass\n", id="answer",
            metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "scale"}})
        test = nbformat.v4.new_code_cell(
            "checks.expect_close(1, 1)\nchecks.check_mul_layer_forward(Scale)", id="test",
            metadata={"nbgrader": {"grade": True, "solution": False, "points": 3,
                                   "grade_id": "scale_test"}})
        written = nbformat.v4.new_markdown_cell(
            "answer", id="written",
            metadata={"nbgrader": {"grade": True, "solution": True, "points": 2,
                                   "grade_id": "why"}})
        nb = nbformat.v4.new_notebook(cells=[title, answer, test, written])
        nbformat.write(nb, folder / f"{slug}.ipynb")
    return root


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path, "00_start", "03_add_mul_layers", "12_later")


@pytest.mark.parametrize("name", ["03", "3", 3, "03_add_mul_layers", "03_add_mul_layers/",
                                  "lessons/03_add_mul_layers/03_add_mul_layers.ipynb",
                                  Path("solutions/03_add_mul_layers"), " 03 "])
def test_every_way_of_naming_a_lesson_finds_it(course, name):
    lesson = registry.find(name, course)
    assert lesson.slug == "03_add_mul_layers"
    assert lesson.solution == course / "solutions" / "03_add_mul_layers" / "03_add_mul_layers.ipynb"
    assert lesson.release == course / "lessons" / "03_add_mul_layers" / "03_add_mul_layers.ipynb"


@pytest.mark.parametrize("name", ["03_typo", "42", "add_mul_layers", "", "3.0", "lesson03"])
def test_an_unknown_lesson_is_an_error_that_lists_the_lessons(course, name):
    with pytest.raises(UnknownLesson) as error:
        registry.find(name, course)
    assert f"unknown lesson {name!r}" in str(error.value)
    assert "00_start, 03_add_mul_layers, 12_later" in str(error.value)


def test_lessons_are_the_folders_in_order_of_number(course):
    found = registry.lessons(course)
    assert [lesson.slug for lesson in found] == ["00_start", "03_add_mul_layers", "12_later"]
    assert [(lesson.number, lesson.code, lesson.marker) for lesson in found][2] == \
        (12, "12", "lesson12")


def test_a_folder_without_its_notebook_is_no_lesson(course):
    (course / "solutions" / "05_draft").mkdir()
    (course / "solutions" / ".ipynb_checkpoints").mkdir()
    assert "05_draft" not in registry.all_lessons(course)


def test_a_misnamed_lesson_folder_is_an_error_naming_it(course):
    make_course(course, "7_short")
    with pytest.raises(UnknownLesson, match=r"NN_topic.*7_short"):
        registry.lessons(course)


def test_two_lessons_with_one_number_are_an_error_naming_both(course):
    make_course(course, "03_again")
    with pytest.raises(UnknownLesson, match="03_add_mul_layers and 03_again"):
        registry.find("00", course)


def test_a_course_without_lessons_says_so(tmp_path):
    with pytest.raises(UnknownLesson, match="holds no lesson folder"):
        registry.find("03", tmp_path)


def test_what_a_lesson_knows_about_itself_comes_from_its_notebook(course):
    lesson = registry.find("03", course)
    assert lesson.title == "A topic"
    assert lesson.points == 5  # the test cell's 3 and the written answer's 2
    assert lesson.exercises == ["Scale", "helper"]
    from bpkit import checks

    # The topic module that defines the check; expect_close is the shared toolkit, left out.
    assert lesson.checks_modules == (checks.check_mul_layer_forward.__module__,)


def test_every_lesson_of_the_course_has_a_title_and_points():
    for lesson in registry.lessons():
        assert lesson.title and not lesson.title.startswith("Lesson"), lesson.slug
        assert lesson.points > 0, lesson.slug


def run(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=COURSE_ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command", [
    ("autograder.release", "03_typo"),
    ("autograder", "grade", "no-such-folder", "--out", "no-such-out", "--lesson", "03_typo"),
    ("autograder", "grade-me", "03_typo"),
], ids=["make lessons", "grade", "grade-me"])
def test_every_command_refuses_an_unknown_lesson_with_the_list(command, tmp_path):
    done = run(*command)
    assert done.returncode == 2, done.stderr
    assert "unknown lesson '03_typo'" in done.stderr
    assert ", ".join(registry.all_lessons()) in done.stderr
    assert not (COURSE_ROOT / "no-such-out").exists()
