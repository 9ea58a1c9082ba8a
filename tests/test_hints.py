"""Hint ladders: every graded exercise of every lesson has one, and hint() walks it in order."""

import json
import re
from pathlib import Path

import pytest

import bpkit
from bpkit import hints

REPO = Path(__file__).resolve().parent.parent


def exercises_by_lesson():
    """{"03": ["mul_layer", ...]}: the solution cells of every lesson folder in solutions/."""
    found = {}
    for path in sorted(REPO.glob("solutions/*/*.ipynb")):
        lesson = re.match(r"(\d{2})_", path.parent.name).group(1)
        cells = json.loads(path.read_text())["cells"]
        ids = [c["metadata"]["nbgrader"]["grade_id"] for c in cells
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        found[lesson] = [re.sub(r"_code$", "", grade_id) for grade_id in ids]
    return found


@pytest.fixture(autouse=True)
def fresh_ladders():
    hints.reset_hints()
    yield
    hints.reset_hints()


def test_every_exercise_of_every_lesson_has_a_ladder_of_two_or_three_steps():
    ladders = hints.ladders()
    exercises = exercises_by_lesson()
    assert exercises, "no lessons found in solutions/"
    for lesson, ids in exercises.items():
        assert lesson in ladders, f"bpkit/hints/lesson{lesson}.py is missing"
        assert sorted(ladders[lesson]) == sorted(ids), (
            f"lesson {lesson}: ladders for {sorted(ladders[lesson])}, exercises {sorted(ids)}")
        for exercise, steps in ladders[lesson].items():
            assert 2 <= len(steps) <= 3, f"{exercise} has {len(steps)} steps"
            assert all(isinstance(s, str) and len(s) >= 10 for s in steps), exercise
            assert len(set(steps)) == len(steps), f"{exercise} repeats a step"


def test_exercise_ids_are_unique_across_lessons():
    seen = {}
    for lesson, ladder in hints.ladders().items():
        for exercise in ladder:
            assert exercise not in seen, f"{exercise} in lessons {seen.get(exercise)} and {lesson}"
            seen[exercise] = lesson


def test_each_step_is_shown_once_in_order_then_it_says_there_are_no_more(capsys):
    steps = hints.ladders()["03"]["mul_layer"]
    for number, step in enumerate(steps, start=1):
        bpkit.hint("mul_layer")
        out = " ".join(capsys.readouterr().out.split())
        assert out.startswith(f"Hint {number} of {len(steps)} for mul_layer:")
        assert " ".join(step.split()) in out
        for other in steps:
            if other != step:
                assert " ".join(other.split()) not in out
    bpkit.hint("mul_layer")
    assert capsys.readouterr().out.startswith(f"No more hints for mul_layer: you have seen all "
                                              f"{len(steps)}")
    # Another exercise has its own count.
    bpkit.hint("add_layer")
    assert capsys.readouterr().out.startswith("Hint 1 of")


def test_a_step_can_be_shown_again_without_moving_on(capsys):
    bpkit.hint("relu")
    bpkit.hint("relu", step=1)
    bpkit.hint("relu")
    out = capsys.readouterr().out
    assert out.count("Hint 1 of") == 2 and "Hint 2 of" in out
    with pytest.raises(ValueError, match="has hints 1 to"):
        bpkit.hint("relu", step=7)


def test_an_unknown_exercise_is_an_error_that_suggests_the_closest():
    with pytest.raises(ValueError, match="There is no hint for 'mul_layr'.*'mul_layer'"):
        bpkit.hint("mul_layr")


def test_hint_is_the_same_function_from_bpkit_and_from_bpkit_hints():
    assert bpkit.hint is hints.hint



def test_in_the_korean_edition_every_step_with_prose_is_shown_in_korean(capsys):
    """use_language("ko"): the title and each step are Korean; a step of pure code stays code."""
    from autograder.message_catalog import is_sentence
    from bpkit import i18n

    i18n.use_language("ko")
    try:
        english = []
        for exercise, steps in hints._all_steps().items():
            for number, step in enumerate(steps, 1):
                hints.hint(exercise, step=number)
                shown = capsys.readouterr().out
                body = shown.split(": ", 1)[1]  # after the title "<exercise>의 힌트 k/n: "
                if is_sentence(step) and not re.search(r"[\uac00-\ud7a3]", body):
                    english.append(f"{exercise} {number}")
        assert english == [], f"steps shown in English: {english}"
    finally:
        i18n.use_language("en")
    hints.hint("apple_forward", step=1)
    assert "Hint 1 of 3 for apple_forward: Follow the graph" in capsys.readouterr().out
