"""Writing results into the class's nbgrader gradebook (sqlite file or any SQLAlchemy URL).

Only the parent process writes here, one submission at a time, so nbgrader's sqlite gradebook
never sees two writers. Several graders (shards on different machines) may share one PostgreSQL
gradebook: they grade disjoint submissions, and the only rows they can both create -- a
student who appears in two shards, or a lesson -- are retried after a unique-constraint clash.
"""

import time

from . import course


class ClassGradebook:
    """An open nbgrader Gradebook plus the writes the grader needs."""

    def __init__(self, db_url):
        from nbgrader.api import Gradebook

        course.find_alembic()
        self.db_url = db_url
        self.gb = Gradebook(db_url)

    def close(self):
        self.gb.close()

    def ensure_lesson(self, lesson, solutions):
        """Register the lesson's source cells unless the gradebook has them already."""
        from nbgrader.api import MissingEntry

        try:
            self.gb.find_assignment(lesson)
            return
        except MissingEntry:
            pass
        course.register_lesson(lesson, self.db_url, solutions=solutions)
        self.gb.db.expire_all()

    def record(self, result, attempts=6):
        """Store one submission's per-test scores as nbgrader autograde scores."""
        for attempt in range(attempts):
            try:
                self._record(result)
                return
            except Exception:
                self.gb.db.rollback()
                if attempt == attempts - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def _record(self, result):
        lesson, student = result["lesson"], result["student"]
        self.gb.update_or_create_student(student)
        self.gb.update_or_create_submission(lesson, student)
        scores = {t["grade_id"]: t["points"] for t in result["tests"]}
        notebook = self.gb.find_submission_notebook(lesson, lesson, student)
        for grade in notebook.grades:
            if grade.cell_type == "code":
                grade.auto_score = scores.get(grade.name, 0.0)
                grade.needs_manual_grade = False
        self.gb.db.commit()
