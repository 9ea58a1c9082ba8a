"""Writing results into the class's nbgrader gradebook (sqlite file or any SQLAlchemy URL).

Only the parent process writes here, one submission at a time, so nbgrader's sqlite gradebook
never sees two writers. Several graders (shards on different machines) may share one PostgreSQL
gradebook; nbgrader's "find, else create" writes (the course row, the tables, a lesson, a
student who appears in two shards) would race, so every write of ours holds a PostgreSQL
advisory lock: the shards grade in parallel and take turns only for the few milliseconds of
each write.
"""

import contextlib
import time

from . import course

_LOCK_KEY = 0x6270_6B69  # "bpki": any constant shared by every grader of the course


class ClassGradebook:
    """An open nbgrader Gradebook plus the writes the grader needs."""

    def __init__(self, db_url):
        course.find_alembic()
        self.db_url = course.database_url(db_url)
        self._lock_connection = None
        if self.db_url.startswith("postgres"):
            import sqlalchemy

            self._engine = sqlalchemy.create_engine(self.db_url, future=True)
            self._lock_connection = self._engine.connect()
        with self._locked():
            from nbgrader.api import Gradebook

            self.gb = Gradebook(self.db_url, course_id="")  # what nbgrader's apps use by default
            self._ensure_course_row()

    def _ensure_course_row(self):
        """nbgrader's default course id is '' and it never stores a row for it; sqlite does not
        mind, but PostgreSQL enforces the foreign keys that point at that row."""
        from nbgrader.api import Course

        if self.gb.db.get(Course, self.gb.course_id) is None:
            self.gb.db.add(Course(id=self.gb.course_id))
            self.gb.db.commit()

    @contextlib.contextmanager
    def _locked(self):
        if self._lock_connection is None:
            yield
            return
        from sqlalchemy import text

        self._lock_connection.execute(text(f"SELECT pg_advisory_lock({_LOCK_KEY})"))
        try:
            yield
        finally:
            self._lock_connection.execute(text(f"SELECT pg_advisory_unlock({_LOCK_KEY})"))
            self._lock_connection.commit()

    def close(self):
        self.gb.close()
        if self._lock_connection is not None:
            self._lock_connection.close()
            self._engine.dispose()

    def ensure_lesson(self, lesson, solutions):
        """Register the lesson's source cells unless the gradebook has them already."""
        from nbgrader.api import MissingEntry

        with self._locked():
            self.gb.db.expire_all()
            try:
                if self.gb.find_assignment(lesson).notebooks:
                    return
                # made by `nbgrader db assignment add` (for its due date): cells still needed
            except MissingEntry:
                self.gb.db.rollback()
            course.register_lesson(lesson, self.db_url, solutions=solutions)
            self.gb.db.expire_all()

    def record(self, result, attempts=5):
        """Store one submission's per-test scores as nbgrader autograde scores.

        Retried only when the database itself says try again: a locked sqlite file or a lost
        connection (OperationalError), or a row another grader inserted first (IntegrityError,
        which nbgrader reports as InvalidEntry). Any other error is a bug and raised at once.
        """
        for attempt in range(attempts):
            try:
                with self._locked():
                    self._record(result)
                return
            except transient_errors():
                self.gb.db.rollback()
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _record(self, result):
        lesson, student = result.lesson, result.student
        self.gb.update_or_create_student(student)
        submission = self.gb.update_or_create_submission(lesson, student)
        if result.timestamp:  # nbgrader then reports the same lateness as we do
            from nbgrader.utils import parse_utc

            submission.timestamp = parse_utc(result.timestamp)
        scores = {t.grade_id: t.points for t in result.tests}
        written = {w.grade_id: w for w in result.written}
        notebook = self.gb.find_submission_notebook(lesson, lesson, student)
        notebook.late_submission_penalty = result.late_penalty or None
        for grade in notebook.grades:
            if grade.cell_type == "code":
                grade.auto_score = scores.get(grade.name, 0.0)
                grade.needs_manual_grade = False
            elif grade.name in written:  # a written answer: left for a person, as nbgrader does
                grade.auto_score = written[grade.name].auto_score
                if grade.manual_score is None:  # a person's grade stands, even after --force
                    grade.needs_manual_grade = written[grade.name].needs_manual_grade
        self.gb.db.commit()

    def manual_grades(self, result):
        """Copy the grades a person gave ``result``'s written answers in nbgrader's formgrader
        into it; returns True when anything changed."""
        from nbgrader.api import MissingEntry

        if not result.written:
            return False
        self.gb.db.expire_all()
        try:
            notebook = self.gb.find_submission_notebook(result.lesson, result.lesson,
                                                        result.student)
        except MissingEntry:
            self.gb.db.rollback()
            return False
        grades = {g.name: g for g in notebook.grades}
        changed = False
        for answer in result.written:
            grade = grades.get(answer.grade_id)
            if grade is None:
                continue
            given = None if grade.manual_score is None else float(grade.manual_score)
            state = (given, bool(grade.needs_manual_grade))
            if (answer.manual_score, answer.needs_manual_grade) != state:
                answer.manual_score, answer.needs_manual_grade = state
                changed = True
        if changed:
            result.rescore()
        return changed


def transient_errors():
    """The database errors worth another try (see :meth:`ClassGradebook.record`)."""
    from nbgrader.api import InvalidEntry
    from sqlalchemy.exc import IntegrityError, OperationalError

    return OperationalError, IntegrityError, InvalidEntry
