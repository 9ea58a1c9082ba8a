"""In the Korean edition every failure a check reports reaches the student in Korean.

The Korean lessons run as tests/test_checks_blank.py runs the English ones (a real IPython
shell, the notebook's own first cell choosing Korean): every visible test of a blank exercise
and of a None-returning one fails with the same mistake id as in English, and its box --
message, hint line -- is Korean, with no English sentence of the catalog left in it. Then
mistakes the checks recognise, written as a student would, get their Korean message.
"""

import re

import nbformat
import numpy as np
import pytest
from test_checks_blank import (
    LESSONS,
    REPO,
    lesson_param,
    none_returning,
    returning_exercises,
    run_lesson,
)

from autograder import editions, message_catalog
from bpkit import checks, i18n
from bpkit.checks import CheckFailure

HANGUL = re.compile(r"[\uac00-\ud7a3]")
ENGLISH_SENTENCES = [e.english for e in message_catalog.entries()
                     if "{" not in e.english and len(e.english) > 30]


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.use_language("en")  # the lessons' first cell chose Korean for this whole process


# Five English words in a row, outside `code`: a sentence left untranslated.
ENGLISH_RUN = re.compile(r"\b(?:[A-Za-z]{2,}[ ,]+){4}[A-Za-z]{2,}\b")


def assert_korean(failure, where):
    lines = failure._render_traceback_()
    box = "\n".join(lines)
    assert HANGUL.search(lines[0]) and HANGUL.search(lines[-1]), (
        f"{where}: the box's heading or hint line is not Korean:\n{box}")
    assert HANGUL.search(failure.message), f"{where}: the message is not Korean:\n{box}"
    prose = re.sub(r"`[^`]*`", "", failure.message)
    assert not ENGLISH_RUN.search(prose), (
        f"{where}: English left in the Korean message: {ENGLISH_RUN.search(prose).group(0)!r}"
        f"\n{box}")
    left = [s for s in ENGLISH_SENTENCES if s in failure.message]
    assert not left, f"{where}: English sentences left in the Korean message: {left[:3]}"


def korean_source(lesson):
    return editions.korean_source(REPO / "solutions" / lesson / f"{lesson}.ipynb")


@pytest.mark.parametrize("lesson", [lesson_param(n) for n in LESSONS])
def test_a_blank_korean_exercise_is_reported_in_korean(lesson):
    path = REPO / editions.RELEASE_FOLDER / lesson / f"{lesson}.ipynb"
    outcomes = run_lesson(lesson, nbformat.read(path, as_version=4))
    assert outcomes
    for grade_id, (_, error) in outcomes.items():
        assert isinstance(error, CheckFailure) and error.mistake_id == "common.not_written", (
            grade_id, error)
        assert_korean(error, grade_id)


@pytest.mark.parametrize("lesson", [lesson_param(n) for n in LESSONS])
def test_a_none_returning_korean_exercise_is_reported_in_korean(lesson):
    notebook = korean_source(lesson)
    outcomes = run_lesson(lesson, notebook, none_returning)
    returning = returning_exercises(notebook)
    outcomes = {k: v for k, v in outcomes.items() if v[0] in returning}
    assert outcomes
    for grade_id, (_, error) in outcomes.items():
        assert isinstance(error, CheckFailure) and error.mistake_id == "common.returned_none", (
            grade_id, error)
        assert_korean(error, grade_id)


# --- recognised mistakes, as a student writes them --------------------------------------------

class SwappedMul:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.x, dout * self.y


class AffineDbNotSummed:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout  # not summed over the batch
        return dout @ self.W.T


class ReluForgetsMask:
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout


class SigmoidWithoutStoring:
    def forward(self, x):
        return 1 / (1 + np.exp(-x))

    def backward(self, dout):
        return dout * out * (1 - out)  # noqa: F821 -- `out` lived in forward  # type: ignore


MISTAKES = [
    ("mul_layer.swapped_gradients", lambda: checks.check_mul_layer_backward(SwappedMul)),
    ("affine.db_not_summed", lambda: checks.check_affine_backward_db(AffineDbNotSummed)),
    ("relu", lambda: checks.check_relu_backward(ReluForgetsMask)),
    ("common.", lambda: checks.check_sigmoid_backward(SigmoidWithoutStoring)),
]


@pytest.mark.parametrize("expected, run", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_recognised_mistake_gets_its_korean_message(expected, run):
    with pytest.raises(CheckFailure) as english:
        run()
    i18n.use_language("ko")
    with pytest.raises(CheckFailure) as korean:
        run()
    assert korean.value.mistake_id == english.value.mistake_id
    assert korean.value.mistake_id.startswith(expected), korean.value.mistake_id
    assert_korean(korean.value, expected)
