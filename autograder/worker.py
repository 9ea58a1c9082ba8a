"""Grade one submission with nbgrader, in a course directory of its own.

nbgrader's sqlite gradebook is not safe for several writers, and nbgrader's autograde expects
one course directory. So every submission is autograded in a fresh scratch course: the lesson's
source, the (rebuilt) submission, and a copy of a gradebook that already knows the lesson (made
once per lesson by :func:`course.register_lesson`). The result is read back from that private
gradebook and returned as a :class:`~autograder.results.Result`; only the parent process
writes the class's gradebook.

The scratch course is private (mode 0711, source 0700). A fenced kernel (fence.py) sees none of
it but its working folder, the folder of its sockets and the guard's log.
"""

import functools
import hashlib
import logging
import os
import shutil
import tempfile
import time

import nbformat

from bpkit.checks import parse_failure

from . import course, editions, fence, preprocessors, restructure, sandbox
from .results import Result, TestResult, WrittenAnswer, blank

_sources = {}
# Mistakes an instructor must hear about, not only the student: the flagged list names them.
FLAGGED_MISTAKES = {"common.not_own_code"}


def _source(task, language="en"):
    """The lesson's source notebook in ``language``: the English file, or its Korean edition
    built from it and its catalog (editions.py), so that a Korean submission is rebuilt and
    graded with the Korean text around the very same tests."""
    key = (task["source"], language)
    if key not in _sources:
        if language == "en":
            _sources[key] = nbformat.read(task["source"], as_version=4)
        else:
            _sources[key] = editions.korean_source(task["source"])
    return _sources[key]


def lesson_points(nb):
    """Test cell id -> points, in lesson order."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and c.get("cell_type") == "code"}


def lesson_written(nb):
    """Written answer id -> points, in lesson order."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and c.get("cell_type") != "code"}


def blank_result(task, status, reason, source=None):
    """A result scoring 0 on every test, for a submission that could not be run."""
    if source is None:
        try:
            source = _source(task)
        except (OSError, ValueError):
            source = None
    points = lesson_points(source) if source is not None else {}
    written = lesson_written(source) if source is not None else {}
    return blank(task["student"], task["lesson"], status, reason, points, written,
                 sha256=task.get("sha256", ""), file=task.get("display", task["path"]),
                 late=task.get("late", False))


def _failure_reason(error, messages):
    """Why nbgrader could not autograde a notebook, from the exception it met."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbgrader.preprocessors.execute import UnresponsiveKernelError

    if isinstance(error, DeadKernelError):
        return "kernel died (the notebook crashed Python, e.g. os._exit or a segfault)"
    if isinstance(error, (CellTimeoutError, UnresponsiveKernelError, TimeoutError)):
        return "kernel did not respond in time"
    last = [m for m in messages if m.strip()]
    detail = (f"{type(error).__name__}: {error}" if error is not None
              else last[-1].strip().splitlines()[-1] if last else "unknown error")
    return "nbgrader could not autograde it: " + detail[:200]


class _Collect(logging.Handler):
    """Keeps nbgrader's error messages, which explain why a notebook could not be autograded."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def failure_of(cell):
    """``(message, mistake id)`` of a failed test cell: the last line of its error, e.g. the
    explanation bpkit.checks wrote, and the checks' stable id of the mistake when there is one."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename = output.get("ename") or "error"
            mistake, evalue = parse_failure(ename, (output.get("evalue") or "").strip())
            if ename == "CheckFailure":  # bpkit's AssertionError: one name for a failed check
                ename = "AssertionError"
            last = evalue.strip().splitlines()[-1] if evalue.strip() else ""
            return (f"{ename}: {last}" if last else ename), mistake
    return "", None


def grade(task, settings):
    """Autograde one submission; returns its :class:`~autograder.results.Result`."""
    started = time.time()
    source = _source(task)
    language = "en"
    try:
        with open(task["path"], "rb") as f:
            data = f.read()
        submitted = restructure.read_submission(data)
        language = editions.language_of(submitted)
        if language != "en":
            source = _source(task, language)
        rebuilt, notes = restructure.rebuild(submitted, source, settings.get("signatures"))
    except restructure.NotGradable as error:
        result = blank_result(task, "rejected", str(error), source)
    except OSError as error:
        result = blank_result(task, "rejected", f"unreadable file ({error.strerror})", source)
    else:
        with tempfile.TemporaryDirectory(prefix="course-", dir=settings["scratch"],
                                         ignore_cleanup_errors=True) as root:
            result = _grade_in(root, task, source, rebuilt, notes, settings)
    result.seconds = time.time() - started
    result.language = language  # its feedback page speaks it
    return result


def _grade_in(root, task, source, rebuilt, notes, settings):
    """Autograde the rebuilt notebook in the scratch course ``root``."""
    student, lesson = task["student"], task["lesson"]
    os.chmod(root, 0o711)
    src_dir = os.path.join(root, "source", lesson)
    os.makedirs(src_dir)
    nbformat.write(source, os.path.join(src_dir, lesson + ".ipynb"))
    os.chmod(os.path.join(root, "source"), 0o700)
    sub_dir = os.path.join(root, "submitted", student, lesson)
    os.makedirs(sub_dir)
    nbformat.write(rebuilt, os.path.join(sub_dir, lesson + ".ipynb"))
    db = os.path.join(root, "gradebook.db")
    shutil.copyfile(task["template"], db)
    os.chmod(db, 0o600)
    log_path = os.path.join(root, "guard.log")
    graded_nb = os.path.join(root, "autograded", student, lesson, lesson + ".ipynb")

    failure, grader_notes = _autograde(root, db, lesson, student, log_path, graded_nb, settings)
    notes = notes + grader_notes
    if settings.get("keep_autograded") and os.path.exists(graded_nb):
        # For manual grading of written answers with formgrader; holds the hidden tests.
        kept = os.path.join(settings["keep_autograded"], student, lesson, lesson + ".ipynb")
        os.makedirs(os.path.dirname(kept), exist_ok=True)
        shutil.copyfile(graded_nb, kept)
    if failure:
        result = blank_result(task, "error", failure, source)
        result.reason = "; ".join([failure] + notes)
        return result
    return _read_result(task, db, graded_nb, notes)


@functools.cache
def _converter_class():
    """nbgrader's Autograde converter, keeping what the grader needs to know afterwards: the
    notes the preprocessors leave in nbgrader's ``resources``, and the exception that stopped
    it (nbgrader logs it and raises its own)."""
    from nbgrader.converters import Autograde

    class NotingAutograde(Autograde):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.notes, self.error = [], None

        def write_single_notebook(self, output, resources):
            # nbconvert hands the preprocessors a deep copy of the resources; what they noted
            # comes back here, once per pass (sanitizing, then autograding).
            self.notes += resources.get(preprocessors.NOTES_KEY, [])
            super().write_single_notebook(output, resources)

        def convert_single_notebook(self, notebook_filename):
            try:
                super().convert_single_notebook(notebook_filename)
            except Exception as error:
                self.error = error
                raise

    return NotingAutograde


def _autograde(root, db, lesson, student, log_path, graded_nb, settings):
    """Run nbgrader's Autograde converter; returns (None or why it failed, notes)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader import preprocessors as nbp
    from nbgrader.coursedir import CourseDirectory

    config = course.nbgrader_config(root, course.sqlite_url(db))
    config.CourseDirectory.assignment_id = lesson
    config.CourseDirectory.student_id = student
    config.Execute.kernel_name = sandbox.KERNEL_NAME
    config.Execute.timeout = settings["cell_timeout"]
    config.Execute.startup_timeout = 60
    config.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:"]
    config.Review.log_path = log_path
    config.LimitOutput.max_lines = settings.get("max_lines", 1000)
    config.LimitOutput.max_length = settings.get("max_length", 10000)
    config.Autograde.sanitize_preprocessors = [
        nbp.ClearOutput, nbp.DeduplicateIds, nbp.OverwriteKernelspec, nbp.OverwriteCells,
        preprocessors.MarkTests, nbp.CheckCellMetadata]
    config.Autograde.autograde_preprocessors = [
        preprocessors.ResilientExecute, preprocessors.Review, nbp.IgnorePattern,
        ClearMetadataPreprocessor, nbp.LimitOutput, nbp.SaveAutoGrades, nbp.AssignLatePenalties,
        nbp.CheckCellMetadata]

    kernel_env = {
        sandbox.ENV_LOG: log_path,
        sandbox.ENV_FORBIDDEN: os.pathsep.join(
            settings["forbidden"] + [os.path.join(root, "source"), db, graded_nb]),
        sandbox.ENV_MEMORY: str(settings["memory_mb"]),
        sandbox.ENV_CPU: str(settings["notebook_timeout"]),
    }
    if settings.get("fenced"):
        _fence(root, os.path.dirname(graded_nb), log_path, kernel_env, settings, config)
        # The kernel's results are in by then, and its guard writes its log as it goes: kill it
        # rather than wait ~0.4 s for a graceful exit. The fence's PID namespace ends every
        # process it started along with it. (Unfenced kernels still exit gracefully.)
        config.Execute.shutdown_kernel = "immediate"
    else:
        os.environ.update(kernel_env)
        os.environ["JUPYTER_PATH"] = settings["jupyter_path"]

    coursedir = CourseDirectory(config=config)
    converter = _converter_class()(coursedir=coursedir, config=config)
    handler = _Collect()
    converter.log.addHandler(handler)
    converter.log.setLevel(logging.ERROR)
    converter.log.propagate = False
    try:
        converter.start()
    except Exception as error:  # nbgrader raises NbGraderException after logging the cause
        return _failure_reason(converter.error or error, handler.messages), converter.notes
    if not os.path.exists(graded_nb):
        return _failure_reason(converter.error, handler.messages), converter.notes
    return None, converter.notes


def _fence(root, workdir, log_path, kernel_env, settings, config):
    """Start this submission's kernel inside bubblewrap (see fence.py), talking to us over
    Jupyter's ipc transport through sockets in a folder of its own.

    workdir: where the kernel will run (nbgrader's autograded folder of the submission).
    """
    sockets = os.path.join(root, "run")
    os.makedirs(sockets, mode=0o700)
    config.KernelManager.transport = "ipc"
    # Socket paths are short: a Unix socket's path may not be longer than 107 bytes.
    config.KernelManager.connection_file = os.path.join(sockets, "k.json")
    env = dict(sandbox.KERNEL_ENV, **kernel_env)
    # ipykernel's parent poller would take bwrap's init (pid 1 in the fence) for a lost parent;
    # bwrap ends the kernel with the worker instead (--die-with-parent).
    env["JPY_PARENT_PID"] = "1"
    env[sandbox.ENV_PROCESSES] = str(settings.get("processes", fence.PROCESSES))
    uid = fence.kernel_uid()
    if uid:
        env[sandbox.ENV_UID] = str(uid)
    if settings.get("fonts"):
        env[sandbox.ENV_FONTS] = fence.fonts_in_fence(settings["fonts"])
    argv = fence.ending_with(os.getpid(), fence.command(sandbox.kernel_argv(), workdir,
                                                         sockets, log_path, env,
                                                         settings.get("fonts")))
    jupyter = os.path.join(root, "jupyter")
    sandbox.write_kernelspec(jupyter, argv)
    os.environ["JUPYTER_PATH"] = jupyter


def _read_result(task, db, graded_nb, notes):
    """The scores nbgrader wrote into the private gradebook, with each failure's message."""
    from nbgrader.api import Gradebook

    graded = nbformat.read(graded_nb, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded.cells}
    tests, written = [], []
    with Gradebook(course.sqlite_url(db)) as gb:
        notebook = gb.find_submission_notebook(task["lesson"], task["lesson"], task["student"])
        order = {gid: i for i, gid in enumerate(cells)}
        for g in sorted(notebook.grades, key=lambda g: order.get(g.name, 1e9)):
            if g.cell_type != "code":
                # Written answers wait for a person (nbgrader's formgrader); nbgrader already
                # gave 0 to one left unchanged.
                written.append(WrittenAnswer(g.name, float(g.max_score), g.auto_score,
                                             bool(g.needs_manual_grade), g.manual_score))
                continue
            score = float(g.score or 0.0)
            message, mistake = failure_of(cells.get(g.name, {})) if score < g.max_score \
                else ("", None)
            tests.append(TestResult(g.name, score, float(g.max_score),
                                    0 < float(g.max_score) <= score, message, mistake))
    borrowed = [t.grade_id for t in tests if t.mistake in FLAGGED_MISTAKES]
    if borrowed:
        notes = notes + ["not their own code (bpkit's reference re-exported, subclassed or "
                         "called): tests " + ", ".join(borrowed) + " scored 0"]
    return Result(
        task["student"], task["lesson"], "flagged" if notes else "graded",
        reason="; ".join(notes), tests=tests, written=written, sha256=task["sha256"],
        file=task.get("display", task["path"]), late=task.get("late", False)).rescore()


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
