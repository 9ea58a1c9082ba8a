"""Self-grading for a learner with no instructor: one lesson notebook against its hidden tests.

``python -m autograder grade-me 03`` (or ``from autograder import grade_me; grade_me("03")`` in
a notebook cell) grades the *saved* notebook with the same machinery as the class grader
(nbgrader autograde in a scratch course with its own gradebook, the fenced kernel) and prints the
points per test and each failure's message -- never the hidden tests' code. The learner's file is
only read, never written.
"""

import os
import subprocess
import sys
import tempfile

from . import course, sandbox, worker
from . import lessons as registry
from .worker import file_sha256


def default_notebook(lesson):
    return os.path.join(course.LESSONS, lesson, lesson + ".ipynb")


CACHE = os.path.join(course.REPO, ".grade-me")


def _template(lesson, solutions):
    """The lesson's gradebook template, kept in .grade-me/ until the lesson's source changes."""
    digest = file_sha256(course.source_notebook(lesson, solutions))[:16]
    path = os.path.join(CACHE, f"{lesson}-{digest}.db")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        course.register_lesson(lesson, course.sqlite_url(tmp), solutions=solutions)
        os.replace(tmp, path)
    return path


def grade_file(lesson, notebook=None, solutions=course.SOLUTIONS, cell_timeout=60,
               memory_mb=2048):
    """Grade one notebook; returns its :class:`~autograder.results.Result`."""
    lesson = registry.resolve_lesson(lesson, course.course_root(solutions))
    notebook = os.path.abspath(notebook or default_notebook(lesson))
    if not os.path.isfile(notebook):
        raise course.UsageError(f"no notebook at {notebook}")
    with tempfile.TemporaryDirectory(prefix="bpkit-grade-me-", dir=course.fast_temp_dir(),
                                     ignore_cleanup_errors=True) as scratch:
        os.chmod(scratch, 0o711)
        template = _template(lesson, solutions)
        jupyter = os.path.join(scratch, "jupyter")
        sandbox.write_kernelspec(jupyter)
        settings = {
            "scratch": scratch, "jupyter_path": jupyter,
            "forbidden": course.safe_to_forbid([solutions, course.SOLUTIONS, CACHE]),
            "memory_mb": memory_mb, "cell_timeout": cell_timeout, "notebook_timeout": 600,
            "signatures": course.lesson_signatures(solutions),
        }
        task = {"student": "me", "lesson": lesson, "path": notebook,
                "sha256": file_sha256(notebook), "display": notebook,
                "source": course.source_notebook(lesson, solutions), "template": template}
        return worker.grade(task, settings)


def format_result(result):
    """The report a learner reads: one line per test, then the total."""
    lines = [f"Lesson {result.lesson}: {result.file}"]
    if result.status in ("rejected", "error"):
        lines.append(f"Could not run the notebook: {result.reason}")
    width = max([len(t.grade_id) for t in result.tests] + [10])
    for t in result.tests:
        status = "passed" if t.passed else "FAILED"
        lines.append(f"  {t.grade_id:<{width}}  {t.points:g}/{t.max_points:g}  {status}")
        if not t.passed and t.message and not t.message.startswith("not run:"):
            lines.append(f"  {'':<{width}}    {t.message}")
    if result.status == "flagged":
        lines.append(f"Note: {result.reason}")
    percent = 100.0 * result.score / result.max_score if result.max_score else 0.0
    lines.append(f"Score: {result.score:g}/{result.max_score:g} ({percent:.0f}%)")
    if result.manual_points:
        lines.append(f"(plus {result.manual_points:g} points of written answers, which a person "
                     "grades)")
    return "\n".join(lines)


def grade_me(lesson, notebook=None):
    """From a notebook cell: grade the saved lesson notebook and print the score per test.

    Runs the grader in a separate Python process, so the learner's own kernel is left alone.
    """
    print("Grading the notebook as saved on disk. Save it first (Ctrl+S / Cmd+S); JupyterLab "
          "autosaves only every couple of minutes.", flush=True)
    command = [sys.executable, "-m", "autograder", "grade-me", str(lesson)]
    if notebook:
        command.append(os.path.abspath(notebook))
    completed = subprocess.run(command, capture_output=True, text=True,
                               cwd=course.REPO, check=False)
    print(completed.stdout, end="")
    if completed.returncode != 0:
        print(completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else
              f"the grader stopped with status {completed.returncode}")
