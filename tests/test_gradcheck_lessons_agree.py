"""Lessons 02 and 07 teach numerical gradients with the course's one step, one epsilon and one
perturbation rule (bpkit.gradcheck): same names, same values, same words (issue 15)."""

import json
import re
from pathlib import Path

import pytest

from bpkit import gradcheck

REPO = Path(__file__).resolve().parent.parent
LESSONS = ["02_chain_rule", "07_gradient_check"]
pytestmark = [pytest.mark.lesson02, pytest.mark.lesson07]


def text(lesson, kind):
    cells = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == kind)


def test_the_constants_are_the_ones_the_lessons_state():
    assert gradcheck.H == 1e-5
    assert f"{gradcheck.EPS:.1e}" == "2.2e-16"
    assert gradcheck.PERTURBATION_RULE == "in place, one entry at a time, restored exactly"


@pytest.mark.parametrize("lesson", LESSONS)
def test_both_lessons_state_the_same_step_epsilon_and_rule(lesson):
    words = text(lesson, "markdown")
    for phrase in ("ε = 2.2 × 10⁻¹⁶", "`h ≈ ε^(1/3) ≈ 6e-6`", "**`H = 1e-5`**",
                   "The book's `1e-4` is also fine", "below `1e-6` round-off takes over",
                   "in place", "exactly"):
        assert phrase in words, (lesson, phrase)


@pytest.mark.parametrize("lesson", LESSONS)
def test_both_lessons_take_h_from_bpkit_gradcheck_and_default_to_it(lesson):
    code = text(lesson, "code")
    assert re.search(r"^from bpkit\.gradcheck import .*\bH\b", code, re.M), lesson
    numerical = re.findall(r"^def (numerical_\w+)\(([^)]*)\)", code, re.M)
    assert numerical, lesson
    for name, params in numerical:
        if "h" in re.findall(r"\b(\w+)\s*=", params):
            assert re.search(r"\bh=H\b", params), (lesson, name, params)
