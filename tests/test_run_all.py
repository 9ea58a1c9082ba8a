"""Run All on every lesson, as a student meets it: blank, and with every exercise done.

Each lesson found in lessons/ runs top to bottom on a fresh python3 kernel, the kernel
JupyterLab starts, and the test finds where Run All would stop (at an error in a cell not
tagged ``raises-exception``). The runs are the ones ``nbgrader validate`` makes for
test_notebooks.py, kept (conftest.py's validated_solutions and validated_lessons): nbgrader
runs every cell of the notebook in its folder on a fresh kernel, as Run All does.

- Completed with its solution's code (the solution notebook: the lesson with every blank
  filled in, plus its hidden tests), it runs to the end,
  and every cell that makes a matplotlib figure -- through bpkit.viz, a widget, or pyplot --
  shows an image (an image/png output, or a PNG inside the widget it shows); no output is a
  figure's text ``<Figure size ... with 1 Axes>``; no cell shows an image twice.
- Blank, as released, it runs to the end too: each test cell fails with its feedback, each
  cell that shows an unfinished exercise's result says so in one line (bpkit.unfinished), no
  cell fails with a NameError, and every figure that does not depend on a blank is an image.
"""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file
import lab_server  # noqa: E402
import lesson_runs  # noqa: E402

LESSONS = lab_server.lessons_with_solutions()


def per_lesson():
    return [pytest.param(lesson, id=lesson, marks=[
        getattr(pytest.mark, f"lesson{lesson[:2]}"), pytest.mark.notebooks]) for lesson in LESSONS]


@pytest.mark.parametrize("lesson", per_lesson())
def test_completed_lesson_shows_every_figure_as_an_image(lesson, validated_solutions):
    run = validated_solutions[lesson].kept_run()
    assert run.stopped_at is None, f"Run All stopped at cell {run.stopped_at}:\n{run.error}"
    problems = lesson_runs.drawing_problems(run)
    assert not problems, "\n".join(problems)


def _is_test_cell(cell):
    nbgrader = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and nbgrader.get("grade") and not nbgrader.get("solution")


@pytest.mark.parametrize("lesson", per_lesson())
def test_blank_lesson_runs_all_to_the_last_cell(lesson, validated_lessons):
    run = validated_lessons[lesson].kept_run()
    assert run.stopped_at is None, f"Run All stopped at cell {run.stopped_at}:\n{run.error}"
    cells = run.notebook.cells
    assert cells[-1].cell_type != "code" or cells[-1].get("execution_count"), "last cell not run"
    for index, cell in enumerate(cells):
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        where = f"cell {index} ({cell.source.strip()[:60]!r})"
        assert not [e for e in errors if e.ename == "NameError"], f"{where}: NameError"
        if _is_test_cell(cell) and "raise NotImplementedError" not in cell.source:
            assert errors, f"{where}: a test of a blank exercise passed"
        if "needs(" in cell.source and errors:
            assert errors[0].ename == "Unfinished", f"{where}: {errors[0].ename}"
            assert len(errors[0].traceback) == 1 and "\n" not in errors[0].traceback[0], \
                f"{where} says more than one line: {errors[0].traceback}"
    problems = lesson_runs.drawing_problems(run)
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_figure_left_as_text(tmp_path):
    """The check itself: a Figure shown before the inline backend is loaded is caught."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from matplotlib.figure import Figure\n"
                                  "fig = Figure()\nfig.add_subplot().plot([1, 2])\nfig"),
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\n"
                                  "fig, ax = plt.subplots()\nax.plot([1, 2])\nfig"),
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2])\n"
                                  "plt.show()"),
    ])
    run = lesson_runs.run_lesson(notebook, cwd=tmp_path)
    problems = lesson_runs.drawing_problems(run)
    assert any(p.startswith("cell 0") and "<Figure size" in p for p in problems), problems
    assert any(p.startswith("cell 1") and "same image 2 times" in p for p in problems), problems
    assert not [p for p in problems if p.startswith("cell 2")], problems
    assert run.figures_made == {0: 1, 1: 1, 2: 1}
