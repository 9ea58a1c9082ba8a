"""What does the fence cost? The same class graded fenced and unfenced, side by side in one run.

M synthetic students (complete, partly done and blank notebooks, as in bench/grade.py) over the
chosen lessons are graded by ``python -m autograder grade --sandbox bwrap`` and by
``--sandbox none``, in turns (none, bwrap, bwrap, none, ...) so that a change in the machine's
load falls on both alike, each time from a fresh output folder and gradebook. Prints seconds
per notebook of each run, the mean of each way and the ratio fenced/unfenced (the issue's goal:
at most 1.15). No asserts.

    .venv/bin/python -m bench.grade_fence [--students 3] [--jobs 2] [--rounds 2] [--lesson 03 ...]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from autograder import course, fence
from autograder.lessons import find_lessons
from bench.grade import make_class

REPO = course.REPO


def grade(root, submitted, jobs, sandbox, run):
    """Seconds of one whole grading command (start to report.html), fresh output folder."""
    out = os.path.join(root, f"out-{sandbox}-{run}")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "grade", submitted, "--out", out,
                    "--jobs", str(jobs), "--sandbox", sandbox,
                    "--db-url", course.sqlite_url(os.path.join(out + ".db"))],
                   cwd=REPO, check=True, capture_output=True)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each way (default 2)")
    parser.add_argument("--lesson", action="append")
    args = parser.parse_args()
    if fence.problem():
        print(f"cannot fence here: {fence.problem()}")
        return 1
    lessons = [lesson.slug for lesson in find_lessons(args.lesson or [])]
    n = args.students * len(lessons)
    root = tempfile.mkdtemp(prefix="bpkit-bench-fence-")
    times = {"none": [], "bwrap": []}
    try:
        submitted = make_class(root, lessons, args.students)
        print(f"{n} notebooks: {args.students} students x {len(lessons)} lessons, --jobs "
              f"{args.jobs}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        order = []
        for i in range(args.rounds):
            order += ["none", "bwrap"] if i % 2 == 0 else ["bwrap", "none"]
        for run, sandbox in enumerate(order):
            seconds = grade(root, submitted, args.jobs, sandbox, run)
            times[sandbox].append(seconds)
            print(f"  --sandbox {sandbox:<5}: {seconds:7.1f} s  {seconds / n:6.2f} s/notebook",
                  flush=True)
        unfenced = sum(times["none"]) / len(times["none"])
        fenced = sum(times["bwrap"]) / len(times["bwrap"])
        print(f"unfenced {unfenced / n:.2f} s/notebook, fenced {fenced / n:.2f} s/notebook: "
              f"fenced/unfenced = {fenced / unfenced:.2f} (goal <= 1.15)   "
              f"load average now {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
