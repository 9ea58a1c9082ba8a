"""Grade one submission with nbgrader, in a course directory of its own.

nbgrader's sqlite gradebook is not safe for several writers, and nbgrader's autograde expects
one course directory. So every submission is autograded in a fresh scratch course: the lesson's
source, the (rebuilt) submission, and a copy of a gradebook that already knows the lesson (made
once per lesson by :func:`course.register_lesson`). The result is read back from that private
gradebook and returned as plain data; only the parent process writes the class's gradebook.

The scratch course is private (mode 0711, source 0700): the kernel, started by our kernelspec as
an unprivileged user, can reach its own folder but can list or read nothing else of it.
"""

import hashlib
import logging
import os
import shutil
import tempfile
import time

import nbformat

from . import course, preprocessors, restructure, sandbox

_sources = {}


def _source(task):
    key = task["source"]
    if key not in _sources:
        _sources[key] = nbformat.read(key, as_version=4)
    return _sources[key]


def lesson_points(nb):
    """Test cell id -> points, in lesson order."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def blank_result(task, status, reason, source):
    """A result scoring 0 on every test, for a submission that could not be run."""
    if source is None:
        try:
            source = _source(task)
        except (OSError, ValueError):
            source = None
    points = lesson_points(source) if source is not None else {}
    return {
        "student": task["student"], "lesson": task["lesson"], "sha256": task["sha256"],
        "file": task.get("display", task["path"]), "late": task.get("late", False),
        "status": status, "reason": reason, "score": 0.0, "max_score": sum(points.values()),
        "tests": [{"grade_id": g, "points": 0.0, "max_points": p, "passed": False,
                   "message": "not run: " + reason} for g, p in points.items()],
    }


class _Collect(logging.Handler):
    """Keeps nbgrader's error messages, which explain why a notebook could not be autograded."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _failure_reason(messages):
    text = "\n".join(messages)
    if "DeadKernel" in text or "Kernel died" in text or "kernel died" in text:
        return "kernel died (the notebook crashed Python, e.g. os._exit or a segfault)"
    if "Timeout" in text or "timed out" in text:
        return "kernel did not respond in time"
    last = [m for m in messages if m.strip()]
    detail = last[-1].strip().splitlines()[-1][:200] if last else "unknown error"
    return "nbgrader could not autograde it: " + detail


def message_of(cell):
    """The last line of a test cell's error, e.g. the AssertionError text from bpkit.checks."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            evalue = (output.get("evalue") or "").strip()
            last = evalue.splitlines()[-1] if evalue else ""
            return f"{output.get('ename')}: {last}" if last else output.get("ename", "error")
    return ""


def grade(task, settings):
    """Autograde one submission; returns the result (see :func:`blank_result` for its shape)."""
    started = time.time()
    source = _source(task)
    try:
        with open(task["path"], "rb") as f:
            data = f.read()
        submitted = restructure.read_submission(data)
        rebuilt, notes = restructure.rebuild(submitted, source, settings.get("signatures"))
    except restructure.NotGradable as error:
        result = blank_result(task, "rejected", str(error), source)
        result["seconds"] = time.time() - started
        return result
    except OSError as error:
        return blank_result(task, "rejected", f"unreadable file ({error.strerror})", source)

    student, lesson = task["student"], task["lesson"]
    root = tempfile.mkdtemp(prefix="course-", dir=settings["scratch"])
    try:
        os.chmod(root, 0o711)
        src_dir = os.path.join(root, "source", lesson)
        os.makedirs(src_dir)
        shutil.copyfile(task["source"], os.path.join(src_dir, lesson + ".ipynb"))
        os.chmod(os.path.join(root, "source"), 0o700)
        sub_dir = os.path.join(root, "submitted", student, lesson)
        os.makedirs(sub_dir)
        nbformat.write(rebuilt, os.path.join(sub_dir, lesson + ".ipynb"))
        db = os.path.join(root, "gradebook.db")
        shutil.copyfile(task["template"], db)
        os.chmod(db, 0o600)
        log_path = os.path.join(root, "guard.log")
        graded_nb = os.path.join(root, "autograded", student, lesson, lesson + ".ipynb")

        del preprocessors.NOTES[:]
        failure = _autograde(root, db, lesson, student, log_path, graded_nb, settings)
        notes += preprocessors.NOTES
        if settings.get("keep_autograded") and os.path.exists(graded_nb):
            # For manual grading of written answers with formgrader; holds the hidden tests.
            kept = os.path.join(settings["keep_autograded"], student, lesson, lesson + ".ipynb")
            os.makedirs(os.path.dirname(kept), exist_ok=True)
            shutil.copyfile(graded_nb, kept)
        if failure:
            result = blank_result(task, "error", failure, source)
            result["reason"] = "; ".join([failure] + notes)
        else:
            result = _read_result(task, db, graded_nb, notes)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    result["seconds"] = time.time() - started
    return result


def _autograde(root, db, lesson, student, log_path, graded_nb, settings):
    """Run nbgrader's Autograde converter; returns None, or why it failed."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader import preprocessors as nbp
    from nbgrader.converters import Autograde
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

    os.environ[sandbox.ENV_LOG] = log_path
    os.environ[sandbox.ENV_FORBIDDEN] = os.pathsep.join(
        settings["forbidden"] + [os.path.join(root, "source"), db, graded_nb])
    os.environ[sandbox.ENV_MEMORY] = str(settings["memory_mb"])
    os.environ[sandbox.ENV_CPU] = str(settings["notebook_timeout"])
    os.environ["JUPYTER_PATH"] = settings["jupyter_path"]
    os.environ[sandbox.ENV_USER] = settings.get("kernel_user") or ""

    coursedir = CourseDirectory(config=config)
    converter = Autograde(coursedir=coursedir, config=config)
    handler = _Collect()
    converter.log.addHandler(handler)
    converter.log.setLevel(logging.ERROR)
    converter.log.propagate = False
    try:
        converter.start()
    except Exception as error:  # nbgrader raises NbGraderException after logging the cause
        return _failure_reason(handler.messages + [f"{type(error).__name__}: {error}"])
    if not os.path.exists(graded_nb):
        return _failure_reason(handler.messages)
    return None


def _read_result(task, db, graded_nb, notes):
    from nbgrader.api import Gradebook

    graded = nbformat.read(graded_nb, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in graded.cells}
    tests, manual, written = [], 0.0, []
    with Gradebook(course.sqlite_url(db)) as gb:
        notebook = gb.find_submission_notebook(task["lesson"], task["lesson"], task["student"])
        order = {gid: i for i, gid in enumerate(cells)}
        for g in sorted(notebook.grades, key=lambda g: order.get(g.name, 1e9)):
            if g.cell_type != "code":
                # Written answers wait for a person (nbgrader's formgrader); nbgrader already
                # gave 0 to one left unchanged.
                manual += float(g.max_score)
                written.append({"grade_id": g.name, "auto_score": g.auto_score,
                                "needs_manual_grade": bool(g.needs_manual_grade),
                                "max_points": float(g.max_score)})
                continue
            score = float(g.score or 0.0)
            cell = cells.get(g.name, {})
            tests.append({"grade_id": g.name, "points": score, "max_points": float(g.max_score),
                          "passed": 0 < float(g.max_score) <= score,
                          "message": message_of(cell) if score < g.max_score else ""})
    status = "flagged" if notes else "graded"
    return {
        "student": task["student"], "lesson": task["lesson"], "sha256": task["sha256"],
        "file": task.get("display", task["path"]), "late": task.get("late", False),
        "status": status, "reason": "; ".join(notes),
        "score": sum(t["points"] for t in tests), "max_score": sum(t["max_points"] for t in tests),
        "tests": tests, "manual_points": manual, "written": written,
    }


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
