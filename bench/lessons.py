"""How long each solution notebook takes to execute on a fresh kernel.

    python -m bench.lessons [03 05 ...]      (from the repository root)

Goals (issues 11, 12, 15): no lesson over 20 s on a 2-core machine, and the whole course
(the twelve lessons 00-11) in at most 2.5 minutes. Each notebook runs in a scratch copy, as the
notebook tests do; the kernel start is included, as a student's "Restart and Run All" would
include it.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from autograder.lessons import find_lessons
from tests.notebook_run import execute_notebook

LESSON_GOAL_S = 20.0
COURSE_GOAL_S = 150.0


def main(names):
    total = 0.0
    print(f"{'lesson':32} {'seconds':>8} {'of goal':>8}  clean")
    with tempfile.TemporaryDirectory() as scratch:
        for lesson in find_lessons(names):
            copy = Path(scratch) / lesson.solution.name
            shutil.copy(lesson.solution, copy)
            run = execute_notebook(copy)
            total += run.seconds
            ratio = run.seconds / LESSON_GOAL_S
            print(f"{lesson.slug:32} {run.seconds:8.1f} {ratio:8.2f}  {run.clean}")
    print(f"{'whole course':32} {total:8.1f} {total / COURSE_GOAL_S:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
