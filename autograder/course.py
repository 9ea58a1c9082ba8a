"""The course as the grader sees it: lessons in ``solutions/``, and gradebooks that know them.

A lesson is a folder ``solutions/NN_topic/`` holding ``NN_topic.ipynb`` (nbgrader's *source*).
Before a submission can be autograded, nbgrader's gradebook must hold the lesson's source cells
(the test cells with their hidden tests, the points, the checksums); nbgrader's own
``generate_assignment`` puts them there, and :func:`register_lesson` runs it into any gradebook
(sqlite file or PostgreSQL URL) without touching the course's ``lessons/`` folder.
"""

import os
import shutil
import tempfile

import nbformat

from . import lessons

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(REPO, "solutions")
LESSONS = os.path.join(REPO, "lessons")
GRADEBOOK_FILE = "gradebook.db"  # in each --out folder, unless --db-url names another


class UsageError(Exception):
    """A mistake in how the grader was called; the message says what to do instead."""


def course_root(solutions=SOLUTIONS):
    """The course folder whose ``solutions/`` folder is ``solutions`` (what lessons.py reads)."""
    return os.path.dirname(os.path.abspath(solutions))


def source_notebook(lesson, solutions=SOLUTIONS):
    return os.path.join(solutions, lesson, lesson + ".ipynb")


def grade_ids(nb):
    """grade_id of every nbgrader cell of a notebook, in order."""
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")]


def lesson_signatures(solutions=SOLUTIONS):
    """For telling which lesson a stray notebook belongs to: lesson -> set of grade_ids."""
    return {
        lesson: set(grade_ids(nbformat.read(source_notebook(lesson, solutions), as_version=4)))
        for lesson in lessons.all_lessons(course_root(solutions))
    }


def lesson_maxima(lessons, solutions=SOLUTIONS):
    """lesson -> (points of its autograded tests, points of its written answers)."""
    maxima = {}
    for lesson in lessons:
        nb = nbformat.read(source_notebook(lesson, solutions), as_version=4)
        graded = [(c.cell_type, float(c.metadata["nbgrader"].get("points", 0))) for c in nb.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
        maxima[lesson] = (sum(p for kind, p in graded if kind == "code"),
                          sum(p for kind, p in graded if kind != "code"))
    return maxima


def nbgrader_config(root, db_url, **extra):
    """A traitlets Config for nbgrader's converters working on the course at ``root``."""
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = root
    config.CourseDirectory.db_url = db_url
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    for key, value in extra.items():
        section, name = key.split("__")
        setattr(getattr(config, section), name, value)
    return config


def find_alembic():
    """nbgrader runs the ``alembic`` program each time it creates a gradebook, only to learn the
    newest schema version. Read that version from nbgrader's migration scripts in this process
    instead: same answer, without a Python start-up per new gradebook (and without needing the
    virtual environment's bin/ on PATH)."""
    import functools

    import nbgrader.api

    if hasattr(nbgrader.api.get_alembic_version, "cache_info"):
        return

    @functools.lru_cache(maxsize=1)
    def newest_schema_version():
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location",
                               os.path.join(os.path.dirname(nbgrader.api.__file__), "alembic"))
        return ScriptDirectory.from_config(config).get_current_head()

    nbgrader.api.get_alembic_version = newest_schema_version


def register_lesson(lesson, db_url, solutions=SOLUTIONS):
    """Run nbgrader's generate_assignment for ``lesson`` into the gradebook at ``db_url``.

    Works in a scratch copy of the lesson so the course's ``lessons/`` is never rewritten.
    Graders sharing one PostgreSQL gradebook call this under ClassGradebook's advisory lock, so
    two of them never register the same lesson at once.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    find_alembic()
    with tempfile.TemporaryDirectory(prefix="bpkit-register-") as scratch:
        shutil.copytree(os.path.join(solutions, lesson), os.path.join(scratch, "source", lesson),
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        config = nbgrader_config(scratch, db_url)
        config.CourseDirectory.assignment_id = lesson
        coursedir = CourseDirectory(config=config)
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        converter.log.setLevel("ERROR")
        converter.start()


def database_url(url):
    """Pick the installed PostgreSQL driver for a plain ``postgresql://`` URL.

    SQLAlchemy 2.1 means psycopg 3 by ``postgresql://``; the course's dev extra installs the
    widely packaged psycopg2, so use it when psycopg 3 is absent.
    """
    if url and url.startswith(("postgresql://", "postgres://")):
        import importlib.util

        if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2"):
            return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def safe_to_forbid(paths):
    """The paths a kernel may be refused, minus any that hold what the kernel itself needs.

    ``--out .`` would otherwise forbid the whole checkout, bpkit's own files included.
    """
    import sys

    import bpkit

    needed = [os.path.dirname(bpkit.__file__), sys.prefix, sys.base_prefix]
    kept = []
    for path in paths:
        root = os.path.realpath(path).rstrip(os.sep) + os.sep
        if not any((os.path.realpath(n) + os.sep).startswith(root) for n in needed):
            kept.append(os.path.realpath(path))
    return kept


def fast_temp_dir():
    """Where scratch courses go: memory-backed /dev/shm when there is one, since their private
    gradebooks commit a couple of dozen times per notebook and need no durability."""
    shm = "/dev/shm"
    if not (os.path.isdir(shm) and os.access(shm, os.W_OK)):
        return None
    stats = os.statvfs(shm)
    # Containers often give /dev/shm only 64 MB; then the ordinary temporary folder is safer.
    return shm if stats.f_bavail * stats.f_frsize >= 512 * 2**20 else None


def default_db_url(out_dir):
    """The gradebook of a grading folder: ``DIR/gradebook.db``, so each ``--out`` has its own
    (the repository's nbgrader_config.py points nbgrader's own tools at the same file)."""
    return sqlite_url(os.path.join(out_dir, GRADEBOOK_FILE))


def sqlite_url(path):
    return "sqlite:///" + os.path.abspath(path)
