"""Every figure of every lesson is shown as an image, as a student running the lesson sees it.

Each lesson found in lessons/ is completed with its solution's code (as a student who has done
every exercise would have it) and run top to bottom on a fresh python3 kernel, the kernel
JupyterLab starts. Every cell that makes a matplotlib figure -- through bpkit.viz, a widget, or
pyplot -- must show an image (an image/png output, or a PNG inside the widget it shows); no
output may be a figure's text ``<Figure size ... with 1 Axes>``; no cell shows an image twice.
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
    return [pytest.param(lesson, id=lesson, marks=[getattr(pytest.mark, f"lesson{lesson[:2]}"),
                                                   pytest.mark.notebooks])
            for lesson in LESSONS]


@pytest.mark.parametrize("lesson", per_lesson())
def test_completed_lesson_shows_every_figure_as_an_image(lesson, tmp_path):
    root = lab_server.course_root()
    notebook = lab_server.completed_lesson(root / "lessons" / lesson / f"{lesson}.ipynb",
                                           root / "solutions" / lesson / f"{lesson}.ipynb")
    run = lesson_runs.run_lesson(notebook, cwd=tmp_path)
    assert run.stopped_at is None, f"Run All stopped at cell {run.stopped_at}:\n{run.error}"
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
