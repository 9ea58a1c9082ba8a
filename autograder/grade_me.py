"""Self-grading for a learner with no instructor: one lesson notebook against its hidden tests.

``grade_me("03")`` in a notebook cell, or ``python -m autograder.grade_me 03`` in a terminal
(``make grade-me LESSON=03``), grades the *saved* notebook with the same machinery as the class
grader (nbgrader autograde in a scratch course with its own gradebook, the fenced kernel) and
prints the points per test and each failure's message -- never the hidden tests' code. It says
at once what it grades and about how long that takes, then names each test as it starts. The
learner's file is only read, never written, and the learner's kernel is left alone: the grading
runs in a separate Python process. Where bubblewrap runs (see fence.py) the grading kernel is
fenced as in the class grader; elsewhere it runs with the audit hook alone.

Inside a notebook that is itself being graded (a saved ``grade_me`` cell), ``grade_me`` prints
one line and does nothing else, so it never starts a program from the grading kernel.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from datetime import datetime

from bpkit.i18n import language, text, tr, use_language

from .lessons import COURSE_ROOT, resolve_lesson

REPO = str(COURSE_ROOT)
CACHE = os.path.join(REPO, ".grade-me")
FIRST_GUESS_SECONDS = 20  # before this machine has graded the lesson once


def default_notebook(lesson, edition="en"):
    """lessons/<lesson>/<lesson>.ipynb, or the Korean edition's lessons/ko/<lesson>/..."""
    folder = ("lessons",) if edition == "en" else ("lessons", edition)
    return os.path.join(REPO, *folder, lesson, lesson + ".ipynb")


def notebook_language(path):
    """The edition a notebook belongs to ("en" or "ko"), from its metadata; "en" if unreadable."""
    from .editions import language_of

    try:
        with open(path, encoding="utf-8") as f:
            return language_of(json.load(f))
    except (OSError, ValueError):
        return "en"


# --- in the learner's kernel ------------------------------------------------------------------

def grade_me(lesson, notebook=None):
    """From a notebook cell: grade the saved lesson notebook and print the score per test."""
    if _inside_the_grader():
        print(text("grade_me: skipped while the grader runs this notebook."))
        return
    try:
        lesson = resolve_lesson(lesson)
    except LookupError as error:
        print(f"grade_me: {error}")
        return
    # The Korean edition's kernel speaks Korean (its first cell): grade its Korean notebook.
    path = os.path.abspath(notebook or default_notebook(lesson, language()))
    if not os.path.isfile(path):
        print(tr("grade_me: there is no notebook at {path}",
                 path=path))
        return
    saved = datetime.fromtimestamp(os.path.getmtime(path)).strftime("%H:%M:%S")
    print(tr("Grading the saved copy of lesson {lesson_2} ({os_path_basename_path}, saved "
             "at {saved}) — about {estimate_seconds_lesson} s. Changes made since the last "
             "save (Ctrl+S) are not graded.",
             lesson_2=lesson[:2], os_path_basename_path=os.path.basename(path), saved=saved,
             estimate_seconds_lesson=estimate_seconds(lesson)), flush=True)
    command = [sys.executable, "-m", "autograder.grade_me", lesson, path]
    started = time.monotonic()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=REPO, bufsize=1) as grader:
        for line in grader.stdout:
            print(line, end="", flush=True)
        errors = grader.stderr.read().strip()
    if grader.returncode == 0:
        _remember_seconds(lesson, time.monotonic() - started)
    else:
        print(errors.splitlines()[-1] if errors else
              tr("the grader stopped with status {grader_returncode}",
                 grader_returncode=grader.returncode))


def _inside_the_grader():
    """True in a kernel the grader started: its guard is loaded and watching the cells."""
    guard = sys.modules.get("autograder.guard")
    return guard is not None and guard.armed()


def _timing_file(lesson):
    return os.path.join(CACHE, f"{lesson}.seconds")


def estimate_seconds(lesson):
    """How long the last grading of this lesson took here, rounded up to 5 s."""
    try:
        with open(_timing_file(lesson)) as f:
            seconds = float(f.read())
    except (OSError, ValueError):
        seconds = FIRST_GUESS_SECONDS
    return max(5, 5 * -(-int(seconds) // 5))


def _remember_seconds(lesson, seconds):
    try:
        os.makedirs(CACHE, exist_ok=True)
        with open(_timing_file(lesson), "w") as f:
            f.write(f"{seconds:.1f}\n")
    except OSError:
        pass  # a read-only checkout only loses the estimate


# --- in the grading process -------------------------------------------------------------------

def _template(lesson, solutions):
    """The lesson's gradebook template, kept in .grade-me/ until the lesson's source changes."""
    from . import course
    from .worker import file_sha256

    digest = file_sha256(course.source_notebook(lesson, solutions))[:16]
    path = os.path.join(CACHE, f"{lesson}-{digest}.db")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        course.register_lesson(lesson, course.sqlite_url(tmp), solutions=solutions)
        os.replace(tmp, path)
    return path


class _OtherLessons(Mapping):
    """The lessons' grade_ids, read only if a notebook turns out to be another lesson's.

    The worker looks at them only to name that lesson; reading every source notebook each
    time would cost a self-grading about half a second.
    """

    def __init__(self, solutions):
        self.solutions, self._read = solutions, None

    def _signatures(self):
        if self._read is None:
            from . import course

            self._read = course.lesson_signatures(self.solutions)
        return self._read

    def __getitem__(self, lesson):
        return self._signatures()[lesson]

    def __iter__(self):
        return iter(self._signatures())

    def __len__(self):
        return len(self._signatures())


class _TestProgress(threading.Thread):
    """Names each test as the grading kernel starts it, read from the guard's log.

    The guard (autograder/guard.py) writes a ``before`` record to the scratch course's
    guard.log as each test cell starts; this thread follows that file.
    """

    def __init__(self, scratch, test_ids, report):
        super().__init__(daemon=True)
        self.scratch, self.test_ids, self.report = scratch, list(test_ids), report
        self.finished = threading.Event()
        self.seen = set()

    def run(self):
        log, offset = None, 0
        while not self.finished.wait(0.1):
            log = log or next(iter(glob.glob(os.path.join(self.scratch, "*", "guard.log"))), None)
            if log is None:
                continue
            try:
                with open(log) as f:
                    f.seek(offset)
                    lines = f.readlines()
                    offset = f.tell()
            except OSError:
                continue
            for line in lines:
                self._note(line)

    def _note(self, line):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return
        test = record.get("test")
        if record.get("event") == "before" and test not in self.seen:
            self.seen.add(test)
            number = self.test_ids.index(test) + 1 if test in self.test_ids else len(self.seen)
            self.report(tr("  test {number} of {len_self_test_ids}: {test}",
                           number=number, len_self_test_ids=len(self.test_ids), test=test))

    def stop(self):
        self.finished.set()
        self.join(timeout=2)


def grade_file(lesson, notebook=None, solutions=None, cell_timeout=60, memory_mb=2048,
               report=None):
    """Grade one notebook; returns its :class:`~autograder.results.Result`.

    report: called with a line of progress as each test starts (default: say nothing).
    """
    from . import course, fence, sandbox, worker

    solutions = solutions or course.SOLUTIONS
    lesson = resolve_lesson(lesson, course.course_root(solutions))
    notebook = os.path.abspath(notebook or default_notebook(lesson))
    if not os.path.isfile(notebook):
        raise course.UsageError(tr("no notebook at {notebook}",
                                   notebook=notebook))
    progress = None
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
            "signatures": _OtherLessons(solutions),
        }
        # The class grader's fence when this machine has it; without it, the audit hook only.
        settings["fenced"], _ = fence.decide("auto")
        settings["fonts"] = fence.font_list() if settings["fenced"] else None
        task = {"student": "me", "lesson": lesson, "path": notebook,
                "sha256": worker.file_sha256(notebook), "display": notebook,
                "source": course.source_notebook(lesson, solutions), "template": template}
        if report:
            tests = worker.lesson_points(worker._source(task))
            progress = _TestProgress(scratch, tests, report)
            progress.start()
        try:
            return worker.grade(task, settings)
        finally:
            if progress:
                progress.stop()


def format_result(result):
    """The report a learner reads: one line per test, then the total."""
    lines = [tr("Lesson {lesson}: {file}", lesson=result.lesson, file=result.file)]
    if result.status in ("rejected", "error"):
        lines.append(tr("Could not run the notebook: {result_reason}",
                        result_reason=result.reason))
    width = max([len(t.grade_id) for t in result.tests] + [10])
    for t in result.tests:
        status = text("passed") if t.passed else text("FAILED")
        lines.append(f"  {t.grade_id:<{width}}  {t.points:g}/{t.max_points:g}  {status}")
        if not t.passed and t.message and not t.message.startswith("not run:"):
            lines.append(f"  {'':<{width}}    {t.message}")
    if result.status == "flagged":
        lines.append(tr("Note: {reason}", reason=result.reason))
    percent = 100.0 * result.score / result.max_score if result.max_score else 0.0
    lines.append(tr("Score: {score:g}/{max_score:g} ({percent:.0f}%)", score=result.score,
                    max_score=result.max_score, percent=percent))
    if result.pending:
        lines.append(tr("({sum_w_max_points_for_w_in_result:g} of these points are written "
                        "answers, which a person grades: ",
                        sum_w_max_points_for_w_in_result=sum(w.max_points for w in result.pending))
                     + ", ".join(w.grade_id for w in result.pending) + ")")
    return "\n".join(lines)


def _skip_slow_schema_formats():
    """Skip jsonschema's IRI format checker in this process: it compiles about 40 grammars at
    import (2 s of CPU, a large share of a self-grading), and nbformat's schema never uses it."""
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv=None):
    """``python -m autograder.grade_me 03 [notebook]``: grade and print, with progress."""
    parser = argparse.ArgumentParser(prog="python -m autograder.grade_me",
                                     description="Grade your own lesson notebook.")
    parser.add_argument("lesson", help="lesson number or folder name, e.g. 03")
    parser.add_argument("notebook", nargs="?", help="notebook to grade (default: "
                        "lessons/<lesson>/<lesson>.ipynb)")
    args = parser.parse_args(argv)
    _skip_slow_schema_formats()
    import warnings

    warnings.filterwarnings("ignore")  # nbgrader's and sqlalchemy's chatter
    from .course import UsageError

    started = time.monotonic()
    try:
        lesson = resolve_lesson(args.lesson)
        # The report speaks the notebook's language: Korean for the Korean edition.
        use_language(notebook_language(args.notebook or default_notebook(lesson)))
        print(text("  starting a fresh kernel and running the notebook from the top"), flush=True)
        result = grade_file(args.lesson, args.notebook,
                            report=lambda line: print(line, flush=True))
    except (UsageError, LookupError) as error:  # a missing file, an unknown lesson
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_result(result))
    _remember_seconds(result.lesson, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
