"""How fast does the class grader grade, fenced and not? One synthetic class, four ways.

(a)  plain nbgrader: ``nbgrader autograde LESSON`` for each lesson, one after another;
(b0) ``python -m autograder grade --jobs J --sandbox none`` (the audit hook only);
(b)  ``python -m autograder grade --jobs J --sandbox bwrap`` (each kernel in bubblewrap);
(c)  the floor: the same notebooks (answers plus hidden tests) executed by nbclient with J
     processes and nothing else -- no nbgrader, no gradebook, no sandbox.

Students cycle through complete, partly done (first half of the answers) and blank notebooks,
built from each lesson's student version with answers copied from its solution. The ways run
in turns (a, b0, b, c, a, b0, ...) for --rounds rounds, so that a change in the machine's load
falls on all alike; each of our runs starts from a fresh output folder and gradebook. Prints
seconds per notebook of every run, the median of each way and the ratios a/b (goal >= 1.8 on 2
cores), b/b0 (the fence's cost, goal <= 1.15) and b/c (goal <= 1.3). No asserts. Without
bubblewrap, (b) is left out and says why.

    .venv/bin/python -m bench.grade [--students 3] [--jobs 2] [--rounds 3] [--lesson 03 ...]
"""

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import nbformat

from autograder import course, fence, restructure
from autograder.lessons import find_lessons

REPO = course.REPO

KINDS = ("complete", "partial", "blank")


def student_notebook(lesson, kind):
    """The lesson's student version with all, half or none of the answers filled in."""
    source = nbformat.read(course.source_notebook(lesson), as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    keep = {"complete": len(answers), "partial": len(answers) // 2, "blank": 0}[kind]
    nb = nbformat.read(os.path.join(course.LESSONS, lesson, lesson + ".ipynb"), as_version=4)
    filled = 0
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid in answers and filled < keep:
            cell.source = answers[gid]
            filled += 1
    return nb


def make_class(root, lessons, students):
    submitted = os.path.join(root, "submitted")
    for i in range(students):
        for lesson in lessons:
            folder = os.path.join(submitted, f"student{i:03d}", lesson)
            os.makedirs(folder)
            nbformat.write(student_notebook(lesson, KINDS[i % len(KINDS)]),
                           os.path.join(folder, lesson + ".ipynb"))
    return submitted


def plain_nbgrader(root, lessons, submitted, run):
    """(a): a course folder of nbgrader's own per run; setup (generate_assignment) is not
    timed."""
    nbgrader = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    course_dir = os.path.join(root, f"plain-{run}")
    shutil.copytree(course.SOLUTIONS, os.path.join(course_dir, "source"))
    shutil.copytree(submitted, os.path.join(course_dir, "submitted"))
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    common = [f"--CourseDirectory.root={course_dir}", "--CourseDirectory.source_directory=source",
              "--CourseDirectory.release_directory=release", "--log-level=ERROR"]
    for lesson in lessons:
        subprocess.run([nbgrader, "generate_assignment", lesson, "--force", *common],
                       cwd=course_dir, env=env, check=True, capture_output=True)
    started = time.monotonic()
    for lesson in lessons:
        subprocess.run([nbgrader, "autograde", lesson, *common], cwd=course_dir, env=env,
                       check=True, capture_output=True)
    return time.monotonic() - started


def our_grader(root, submitted, jobs, sandbox, run):
    """(b0)/(b): the whole command, from start to report.html, with a fresh output folder and
    gradebook; ``sandbox`` is "none" (audit hook only) or "bwrap" (each kernel fenced)."""
    out = os.path.join(root, f"out-{sandbox}-{run}")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "grade", submitted, "--out", out,
                    "--jobs", str(jobs), "--sandbox", sandbox,
                    "--db-url", course.sqlite_url(out + ".db")],
                   cwd=REPO, check=True, capture_output=True)
    return time.monotonic() - started


def _execute(path):
    from nbclient import NotebookClient

    # The kernels' own warnings (e.g. "running over TCP without encryption") to nowhere, as
    # the grader's kernels do.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": os.path.dirname(path)}}).execute()


def floor_notebooks(root, lessons, submitted):
    """The notebooks nbgrader would run (tests restored), written once for (c)."""
    paths = []
    for student in sorted(os.listdir(submitted)):
        for lesson in lessons:
            src = nbformat.read(course.source_notebook(lesson), as_version=4)
            mine = nbformat.read(os.path.join(submitted, student, lesson, lesson + ".ipynb"),
                                 as_version=4)
            rebuilt, _ = restructure.rebuild(mine, src)
            folder = os.path.join(root, "floor", student, lesson)
            os.makedirs(folder)
            paths.append(os.path.join(folder, lesson + ".ipynb"))
            nbformat.write(rebuilt, paths[-1])
    return paths


def floor(paths, jobs):
    """(c): the rebuilt notebooks executed by nbclient in ``jobs`` processes, nothing else."""
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(_execute, paths, chunksize=1)
    return time.monotonic() - started


WAYS = {
    "a": "nbgrader autograde, lesson after lesson",
    "b0": "autograder grade --sandbox none",
    "b": "autograder grade --sandbox bwrap",
    "c": "nbclient only (the floor)",
}


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs of each way, interleaved a, b0, b, c, a, ... (default 3)")
    parser.add_argument("--lesson", action="append")
    args = parser.parse_args()
    ways = list(WAYS)
    why_not = fence.problem()
    if why_not:
        print(f"cannot fence here, (b) left out: {why_not}")
        ways.remove("b")
    lessons = [lesson.slug for lesson in find_lessons(args.lesson or [])]
    n = args.students * len(lessons)
    root = tempfile.mkdtemp(prefix="bpkit-bench-grade-")
    times = {way: [] for way in ways}
    try:
        submitted = make_class(root, lessons, args.students)
        paths = floor_notebooks(root, lessons, submitted)
        print(f"{n} notebooks: {args.students} students x {len(lessons)} lessons, --jobs "
              f"{args.jobs}, {args.rounds} rounds, {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        for run in range(args.rounds):
            for way in ways:
                seconds = (plain_nbgrader(root, lessons, submitted, run) if way == "a"
                           else floor(paths, args.jobs) if way == "c"
                           else our_grader(root, submitted, args.jobs,
                                           "none" if way == "b0" else "bwrap", run))
                times[way].append(seconds / n)
                print(f"  round {run + 1} ({way:<2}) {WAYS[way]:<40}: {seconds:7.1f} s  "
                      f"{seconds / n:6.2f} s/notebook  (load {os.getloadavg()[0]:.1f})",
                      flush=True)
        print("medians, seconds per notebook:")
        for way in ways:
            print(f"  ({way:<2}) {WAYS[way]:<40}: {median(times[way]):6.2f}   runs: " +
                  " ".join(f"{t:.2f}" for t in times[way]))
        # The same ratios within each round (the ways of one round ran under the most alike
        # load), then their medians.
        rounds = range(args.rounds)
        pairs = [("a", "b"), ("b", "b0"), ("b", "c"), ("b0", "c")]
        print("per-round ratios, median (runs): " + "   ".join(
            f"{x}/{y} = {median([times[x][i] / times[y][i] for i in rounds]):.2f} (" +
            " ".join(f"{times[x][i] / times[y][i]:.2f}" for i in rounds) + ")"
            for x, y in pairs if x in times and y in times))
        m = {way: median(times[way]) for way in ways}
        b = m.get("b", m["b0"])
        print(f"ratios of the medians: a/b = {m['a'] / b:.2f} (goal >= 1.8)   " +
              (f"b/b0 = {m['b'] / m['b0']:.2f} (the fence's cost, goal <= 1.15)   "
               if "b" in m else "") +
              f"b/c = {b / m['c']:.2f} (goal <= 1.3)   b0/c = {m['b0'] / m['c']:.2f}   "
              f"load average now {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
