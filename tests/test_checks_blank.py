"""The same mistake gets the same message and id in every lesson.

Each lesson runs twice in a real IPython shell: as the student first sees it (lessons/, every
exercise still `raise NotImplementedError()`), and as the solution with every exercise's body
replaced by `return None`. Every visible test cell of a function or method exercise must then
fail with a CheckFailure: `common.not_written`, resp. `common.returned_none`, with the same
message (apart from the name of what was called) in every lesson, and the box must end with the
exercise's hint call. Exercises whose answer is top-level code (a run cell, a string) and the
test cells after them depend on values the student has not made yet; they are left out here.

The solution itself, run on a real kernel (the run test_notebooks.py shares), passes every
visible test cell, each with a ✓ line per check it calls.
"""

import gc
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from bpkit.checks import CheckFailure
from bpkit.hints import ladders

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.name for p in (REPO / "solutions").iterdir() if re.match(r"\d{2}_", p.name))
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.DOTALL)
MAGIC = re.compile(r"^%.*$", re.M)
REGION = re.compile(r"^( *)### BEGIN SOLUTION\n.*?^ *### END SOLUTION\n?", re.DOTALL | re.M)


def lesson_param(name):
    return pytest.param(name, marks=getattr(pytest.mark, f"lesson{name[:2]}"), id=name[:2])


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def none_returning(source):
    """The solution with each answer inside a def replaced by `return None`."""
    return REGION.sub(lambda m: f"{m.group(1)}return None\n" if m.group(1) else m.group(0),
                      source)


def written_exercises(lesson):
    """{solution grade_id: exercise id}, for the answers written inside a def (the others are
    None): decided on the solution, where the answer regions are still marked."""
    notebook = nbformat.read(REPO / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    found = {}
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            nested = cell.cell_type == "code" and re.search(r"^ +### BEGIN SOLUTION",
                                                            cell.source, re.M)
            found[meta["grade_id"]] = re.sub(r"_code$", "", meta["grade_id"]) if nested else None
    return found


def returning_exercises(notebook):
    """The exercises (ids) whose answer region, inside a def, has a `return` line."""
    found = set()
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            for region in REGION.finditer(cell.source):
                if region.group(1) and re.search(r"^ *return\b", region.group(0), re.M):
                    found.add(re.sub(r"_code$", "", meta["grade_id"]))
    return found


def graded_cells(notebook, exercises):
    """(cell, exercise id or None) for every cell; a test cell's exercise is that of the nearest
    solution cell above it (None for a top-level answer), other cells get None."""
    exercise, cells = None, []
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            exercise = exercises[meta["grade_id"]]
        cells.append((cell, exercise if meta.get("grade") and not meta.get("solution") else None))
    return cells


def fresh_shell():
    """The process's IPython shell with an empty namespace.

    reset() ends in a full gc.collect() over the whole worker (0.2-0.3 s once the worker has
    run a few lessons). Freezing what survives it leaves each later collect only the objects
    made since, the previous lesson's, so a reset costs milliseconds; nothing a lesson made is
    frozen while it is still in use."""
    shell = InteractiveShell.instance()
    shell.reset(new_session=True)
    gc.freeze()
    return shell


def run_lesson(lesson, notebook, transform=lambda source: source):
    """Run every code cell in one fresh IPython namespace; return {test grade_id: (exercise,
    exception or None)} for the test cells of written exercises."""
    shell = fresh_shell()
    outcomes = {}
    for cell, exercise in graded_cells(notebook, written_exercises(lesson)):
        if cell.cell_type != "code":
            continue
        # Figures go to the Agg backend here; a terminal shell has no inline backend.
        source = MAGIC.sub("", transform(HIDDEN.sub("", cell.source)))
        result = shell.run_cell(source, store_history=True)
        if exercise is not None:
            outcomes[nbgrader_meta(cell)["grade_id"]] = (exercise, result.error_in_exec)
    shell.reset(new_session=True)
    plt.close("all")
    return outcomes


def tail_after(message, marker):
    """The message from ``marker`` on: what every lesson must say the same way."""
    assert marker in message, message
    return message[message.index(marker):]


@pytest.fixture(scope="module")
def known_exercises():
    return {e for lesson in ladders().values() for e in lesson}


def check_outcomes(outcomes, mistake_id, marker, known_exercises, tails):
    assert outcomes, "no test cells of written exercises found"
    for grade_id, (exercise, error) in outcomes.items():
        assert isinstance(error, CheckFailure), f"{grade_id}: {error!r}"
        assert error.mistake_id == mistake_id, f"{grade_id}: {error}"
        assert error.exercise == exercise, f"{grade_id}: hint for {error.exercise!r}"
        assert exercise in known_exercises
        assert error._render_traceback_()[-1] == f'  Ask for a hint: hint("{exercise}")'
        tails.add(tail_after(error.message, marker))


@pytest.mark.parametrize("lesson", [lesson_param(n) for n in LESSONS])
def test_every_blank_exercise_is_reported_as_not_written_the_same_way(lesson, known_exercises,
                                                                      blank_tails):
    notebook = nbformat.read(REPO / "lessons" / lesson / f"{lesson}.ipynb", as_version=4)
    outcomes = run_lesson(lesson, notebook)
    check_outcomes(outcomes, "common.not_written", " is not written yet", known_exercises,
                   blank_tails)
    assert len(blank_tails) == 1, blank_tails


@pytest.mark.parametrize("lesson", [lesson_param(n) for n in LESSONS])
def test_every_none_returning_exercise_is_reported_the_same_way(lesson, known_exercises,
                                                                none_tails):
    notebook = nbformat.read(REPO / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    outcomes = run_lesson(lesson, notebook, none_returning)
    # An answer that works in place and returns nothing by contract (an optimiser's update)
    # cannot "forget a return": replacing it by `return None` leaves it undone, which its own
    # check names. Only exercises whose answer returns something are compared here.
    returning = returning_exercises(notebook)
    outcomes = {k: v for k, v in outcomes.items() if v[0] in returning}
    check_outcomes(outcomes, "common.returned_none", "None: did you forget a `return`?",
                   known_exercises, none_tails)
    assert len(none_tails) == 1, none_tails


@pytest.fixture(scope="module")
def blank_tails():
    return set()


@pytest.fixture(scope="module")
def none_tails():
    return set()


def test_the_none_transform_only_touches_answers_inside_a_def():
    source = ("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
              "### BEGIN SOLUTION\nvalue = 3\n### END SOLUTION\n")
    assert none_returning(source) == (
        "def f(x):\n    return None\n### BEGIN SOLUTION\nvalue = 3\n### END SOLUTION\n")
    assert json.dumps(none_returning("no answer here\n")) == json.dumps("no answer here\n")


@pytest.mark.parametrize("lesson", [
    pytest.param(name, marks=[getattr(pytest.mark, f"lesson{name[:2]}")], id=name[:2])
    for name in LESSONS])
def test_every_visible_test_of_a_correct_solution_passes_with_a_tick_line(lesson,
                                                                          validated_solutions):
    """The solution's visible test cells pass, and each says so in one ✓ line per check.

    Read from the run `nbgrader validate` makes of the solution on a real kernel, which
    test_notebooks.py and test_run_all.py read too (conftest.py's validated_solutions)."""
    run = validated_solutions[lesson].kept_run()
    exercises = written_exercises(lesson)
    for cell, exercise in graded_cells(run.notebook, exercises):
        if cell.cell_type != "code":
            continue
        if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution"):
            grade_id = nbgrader_meta(cell)["grade_id"]
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            assert not errors, f"{grade_id}: {errors[0].ename}: {errors[0].evalue}"
            out = "".join(o.get("text", "") for o in cell.get("outputs", [])
                          if o.output_type == "stream" and o.name == "stdout")
            calls = len(re.findall(r"^checks\.check_\w+\(", cell.source.split("###")[0],
                                   re.M))
            ticks = [line for line in out.splitlines() if line.startswith("✓ ")]
            assert len(ticks) >= max(calls, 1 if exercise else 0), (grade_id, out)
