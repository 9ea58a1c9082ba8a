"""grade_me's time against the lesson's own Run All, measured side by side.

    python -m bench.grade_me [LESSON] [--rounds N]     (from the repository root)

(default: lesson 03, 3 rounds)

Run All: the completed lesson (every blank filled with the solution's code) executed cell by
cell in an already started python3 kernel -- the kernel JupyterLab gives a student, with the
inline backend drawing every figure -- timed from the first cell to the last, as a student
who presses Run All in an open notebook waits.

grade_me: ``autograder.grade_me(lesson, path)`` on the same saved notebook, called from this
process as a notebook cell calls it, timed from the call to the printed score: the grading
process, its fresh fenced kernel, nbgrader's autograde, the report.

The two alternate, round by round, so that the machine's load weighs on both alike. Goal:
grade_me takes at most 2.5 times the Run All (the medians).
"""

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder import grade_me
from autograder.lessons import COURSE_ROOT, resolve_lesson
from tests.lab_server import completed_lesson

GOAL_RATIO = 2.5


def run_all_seconds(path):
    """Seconds to run every cell of the notebook at ``path`` in a started kernel."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.reset_execution_trackers()
    with client.setup_kernel():
        client.wait_for_reply(client.kc.kernel_info())
        start = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        return time.perf_counter() - start


def grade_me_seconds(lesson, path):
    """Seconds for grade_me on the saved notebook, and the score line it printed."""
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        grade_me(lesson, str(path))
    seconds = time.perf_counter() - start
    score = [line for line in out.getvalue().splitlines() if line.startswith("Score:")]
    return seconds, (score or ["no score printed:\n" + out.getvalue()])[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lesson", nargs="?", default="03")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    lesson = resolve_lesson(args.lesson)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{lesson}.ipynb"
        completed = completed_lesson(COURSE_ROOT / "lessons" / lesson / f"{lesson}.ipynb",
                                     COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb")
        nbformat.write(completed, path)
        grade_me_seconds(lesson, path)  # warm-up: builds the lesson's cached gradebook once
        runs, grades = [], []
        print(f"{'round':>5} {'Run All s':>10} {'grade_me s':>11}  score")
        for round_ in range(1, args.rounds + 1):
            runs.append(run_all_seconds(path))
            seconds, score = grade_me_seconds(lesson, path)
            grades.append(seconds)
            print(f"{round_:5d} {runs[-1]:10.1f} {grades[-1]:11.1f}  {score}")
    run_all, graded = statistics.median(runs), statistics.median(grades)
    ratio = graded / run_all
    print(f"median: Run All {run_all:.1f} s, grade_me {graded:.1f} s, ratio {ratio:.2f} "
          f"(goal <= {GOAL_RATIO}): {'met' if ratio <= GOAL_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
