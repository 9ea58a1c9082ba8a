"""Lessons 07-09: no answer is printed in the student's notebook, and every answer region is a
real exercise (it has a hint ladder). Issue 15's rule, applied to the lessons of issue 11."""

import json
import re
from pathlib import Path

import pytest

from bpkit import hints

REPO = Path(__file__).resolve().parent.parent
LESSONS = ["07_gradient_check", "08_training_a_network", "09_limits_of_backprop"]


def answer_lines(lesson):
    """The code lines between BEGIN and END SOLUTION, comments and blanks left out."""
    cells = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text())["cells"]
    lines, inside = [], False
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            stripped = line.strip()
            if stripped.startswith("### BEGIN SOLUTION"):
                inside = True
            elif stripped.startswith("### END SOLUTION"):
                inside = False
            elif inside and stripped and not stripped.startswith("#"):
                lines.append(re.sub(r"\s+#.*$", "", stripped))
    return lines


def squeezed(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson[:2] for lesson in LESSONS])
def test_no_line_of_an_answer_appears_in_the_students_notebook(lesson, request):
    request.applymarker(getattr(pytest.mark, f"lesson{lesson[:2]}"))
    cells = json.loads((REPO / "lessons" / lesson / f"{lesson}.ipynb").read_text())["cells"]
    text = squeezed("\n".join("".join(cell["source"]) for cell in cells))
    answers = answer_lines(lesson)
    assert answers, f"{lesson} has no answer regions"
    # Lines of 20 characters or more: shorter ones (`self.loss(x, t)`) are the vocabulary the
    # lesson has to use in its explanations, not an answer.
    printed = [line for line in answers if len(squeezed(line)) >= 20 and squeezed(line) in text]
    assert not printed, f"answer lines printed in lessons/{lesson}: {printed}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson[:2] for lesson in LESSONS])
def test_the_lessons_hint_ladders_reveal_the_formula_only_at_the_last_step(lesson, request):
    """The first step of a ladder is the concept: it must not quote an answer line."""
    request.applymarker(getattr(pytest.mark, f"lesson{lesson[:2]}"))
    answers = [squeezed(line) for line in answer_lines(lesson) if len(squeezed(line)) >= 20]
    for exercise, steps in hints.ladders()[lesson[:2]].items():
        first = squeezed(steps[0])
        assert not [a for a in answers if a in first], f"{exercise}'s first hint quotes an answer"
