"""How fast does the class grader grade? M synthetic students over every lesson, three ways.

(a) plain nbgrader: ``nbgrader autograde LESSON`` for each lesson, one after another;
(b) ``python -m autograder grade --jobs J`` (the course's grader, sandbox and all);
(c) the floor: the same notebooks (answers plus hidden tests) executed by nbclient with J
    processes and nothing else -- no nbgrader, no gradebook, no sandbox.

Students cycle through complete, partly done (first half of the answers) and blank notebooks,
built from each lesson's student version with answers copied from its solution. Prints seconds
per notebook and the ratios a/b (goal >= 1.8 on 2 cores) and b/c (goal <= 1.3).

    .venv/bin/python -m bench.grade [--students 3] [--jobs 2] [--lesson 03 ...]
"""

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat

from autograder import course, restructure
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


def plain_nbgrader(root, lessons, submitted):
    """(a): a course folder of nbgrader's own; setup (generate_assignment) is not timed."""
    nbgrader = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    course_dir = os.path.join(root, "plain")
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


def our_grader(root, submitted, jobs):
    """(b): the whole command, from start to report.html, with a fresh output folder."""
    out = os.path.join(root, "out")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "grade", submitted, "--out", out,
                    "--jobs", str(jobs),
                    "--db-url", course.sqlite_url(os.path.join(root, "gb.db"))],
                   cwd=REPO, check=True, capture_output=True)
    return time.monotonic() - started


def _execute(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": os.path.dirname(path)}}).execute()


def floor(root, lessons, submitted, jobs):
    """(c): the notebooks nbgrader would run (tests restored), executed by nbclient only."""
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
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(_execute, paths, chunksize=1)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--lesson", action="append")
    args = parser.parse_args()
    lessons = [lesson.slug for lesson in find_lessons(args.lesson or [])]
    n = args.students * len(lessons)
    root = tempfile.mkdtemp(prefix="bpkit-bench-grade-")
    try:
        submitted = make_class(root, lessons, args.students)
        print(f"{n} notebooks: {args.students} students x {len(lessons)} lessons, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        a = plain_nbgrader(root, lessons, submitted)
        print(f"(a) nbgrader autograde, sequential : {a:7.1f} s  {a / n:6.2f} s/notebook",
              flush=True)
        b = our_grader(root, submitted, args.jobs)
        print(f"(b) autograder grade --jobs {args.jobs}      : {b:7.1f} s  {b / n:6.2f} "
              "s/notebook", flush=True)
        c = floor(root, lessons, submitted, args.jobs)
        print(f"(c) nbclient only, {args.jobs} processes     : {c:7.1f} s  {c / n:6.2f} s/notebook")
        print(f"a/b = {a / b:.2f} (goal >= 1.8)   b/c = {b / c:.2f} (goal <= 1.3)   "
              f"load average now {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
