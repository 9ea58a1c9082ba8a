"""No answer is printed in the student's notebook, and every hint ladder starts with the concept,
not an answer: the course's rule for every lesson (issues 11, 12, 15).

Two measures, both on the generated lesson (what the student reads, hidden tests removed):
- answer lines: a whole line of a solution region (20 characters or more);
- answer expressions: what an answer line computes (the right-hand side of an assignment, or
  what it returns) when it is more than a name: ``dout * self.y`` counts, ``local_backward``
  does not. The expression printed anywhere (a docstring, a worked example, a message) can be
  copied without being derived.

A lesson is checked here once its text has been reworked to the rule; lessons still to rework
are named in PENDING so the gap is visible, not hidden.
"""

import functools
import json
import re
from pathlib import Path

import pytest

from autograder.lessons import all_lessons
from bpkit import hints

REPO = Path(__file__).resolve().parent.parent
# Lessons whose exercises predate the rule; each leaves this set when its rework lands.
PENDING = set()
LESSONS = [slug for slug in all_lessons() if slug[:2] not in PENDING]
IDS = [slug[:2] for slug in LESSONS]
# Expressions an answer shares with text the student must be given, each with its reason.
ALLOWED = {
    "07": {
        "dout*self.active": "a correct line of the bug hunt's broken layer, which the student "
                            "is given and keeps in the fix",
        "np.sum(layer.forward(x)*dout)": "the method of checking any layer, taught in the "
                                         "text; the exercise is the loop that applies it",
    },
    "10": {"1/(1+(-z).exp())": "the definition of σ in Value operations, not a derivative: the "
                               "student's engine derives its backward"},
    "11": {"xc/std": "the forward definition of x_hat, given in the text before the backward "
                     "exercise whose first hint recalls it"},
}


@functools.cache  # read once per test process: the checks tests ask for it in every test
def answer_lines(lesson):
    """The code lines between BEGIN and END SOLUTION, comments and blanks left out (a tuple)."""
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
    return tuple(lines)


def structural(line):
    """A line that only names things (a def, or attaching a function by its name)."""
    return line.startswith("def ") or re.fullmatch(r"[\w.]+\s*=\s*[\w.]+", line)


def answer_expressions(lesson):
    """What each answer line computes, squeezed, when it is more than a bare name or number."""
    found = []
    for line in answer_lines(lesson):
        if line.startswith(("def ", "class ", "for ", "if ", "elif ", "while ", "with ")):
            continue
        match = re.match(r"^(?:return\s+|[\w.,\s\[\]()]+?(?:\+|-|\*|/)?=(?!=)\s*)(.+)$", line)
        expression = squeezed(match.group(1) if match else line)
        # An answer computes something: a bare call of the lesson's API (`loss.backward()`)
        # or a tuple of names is the vocabulary the text has to use.
        if len(expression) >= 6 and re.search(r"[-+*/@]", expression):
            found.append(expression)
    return found


def squeezed(text):
    return re.sub(r"\s+", "", text)


def student_text(lesson, edition="en"):
    """The text of the generated lesson, English (lessons/) or Korean (lessons/ko/)."""
    folder = REPO / "lessons" if edition == "en" else REPO / "lessons" / edition
    cells = json.loads((folder / lesson / f"{lesson}.ipynb").read_text())["cells"]
    return squeezed("\n".join("".join(cell["source"]) for cell in cells))


# Both editions: a translation must not print what the English keeps back.
EDITIONS = ["en", "ko"]


@pytest.fixture(autouse=True)
def _lesson_marker(request):
    callspec = getattr(request.node, "callspec", None)
    lesson = callspec.params.get("lesson") if callspec else None
    if lesson:
        request.applymarker(getattr(pytest.mark, f"lesson{lesson[:2]}"))


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_no_line_of_an_answer_appears_in_the_students_notebook(lesson, edition):
    answers = answer_lines(lesson)
    assert answers, f"{lesson} has no answer regions"
    text = student_text(lesson, edition)
    # Lines of 20 characters or more: shorter ones (`self.loss(x, t)`) are the vocabulary the
    # lesson has to use in its explanations; their expressions are checked below.
    printed = [line for line in answers if len(squeezed(line)) >= 20 and squeezed(line) in text
               and not structural(line)]
    assert not printed, f"answer lines printed in the {edition} {lesson}: {printed}"


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_no_answer_expression_appears_in_the_students_notebook(lesson, edition):
    text = student_text(lesson, edition)
    allowed = ALLOWED.get(lesson[:2], {})
    printed = sorted({e for e in answer_expressions(lesson) if e in text and e not in allowed})
    assert not printed, f"answer expressions printed in the {edition} {lesson}: {printed}"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_lessons_hint_ladders_reveal_the_formula_only_at_the_last_step(lesson):
    """The first step of a ladder is the concept: it must not quote an answer."""
    answers = [squeezed(line) for line in answer_lines(lesson)
               if len(squeezed(line)) >= 20 and not structural(line)]
    answers += answer_expressions(lesson)
    quoted = {}
    for exercise, steps in hints.ladders()[lesson[:2]].items():
        first = squeezed(steps[0])
        found = [a for a in answers if a in first and a not in ALLOWED.get(lesson[:2], {})]
        if found:
            quoted[exercise] = found
    assert not quoted, f"first hints that quote an answer: {quoted}"


def share_printed(lesson):
    """(answer expressions printed, all answer expressions): the figure reported per lesson."""
    expressions = answer_expressions(lesson)
    text = student_text(lesson)
    return sum(e in text for e in expressions), len(expressions)


if __name__ == "__main__":  # python tests/test_no_answer_printed.py: the share per lesson
    for slug in all_lessons():
        printed, total = share_printed(slug)
        print(f"{slug:<28} {len(answer_lines(slug)):>4} answer lines  "
              f"{printed:>3}/{total:<3} expressions printed")
