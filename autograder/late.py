"""Late work, as nbgrader sees it: a lesson's due date (from the gradebook, or ``--due``), the
time a submission was handed in (nbgrader's ``timestamp.txt``), and nbgrader's late-submission
policy (``LateSubmissionPlugin``, configured in ``autograder/nbgrader_config.py``) for the
penalty. An LMS's own late marker (Canvas's ``LATE``) marks a submission late without a penalty.
"""

import datetime
import os

from .course import UsageError


def due_dates(db_url, lessons, options=None):
    """lesson -> due date (aware, UTC) from the gradebook's assignments, overridden by
    ``--due LESSON=DATE`` options."""
    dates = {}
    if not (db_url.startswith("sqlite:///") and not os.path.exists(db_url[len("sqlite:///"):])):
        from .gradebook import ClassGradebook

        gradebook = ClassGradebook(db_url)
        try:
            for assignment in gradebook.gb.assignments:
                if assignment.name in lessons and assignment.duedate is not None:
                    dates[assignment.name] = _utc(assignment.duedate)
        finally:
            gradebook.close()
    for option in options or []:
        spec, _, text = option.partition("=")
        lesson = next((name for name in lessons if spec in (name, name.split("_", 1)[0])
                       or spec.isdigit() and name.split("_", 1)[0] == spec.zfill(2)), None)
        if lesson is None:
            raise UsageError(f"--due {option}: {spec!r} is not one of the lessons graded: "
                             + ", ".join(lessons))
        try:
            dates[lesson] = _utc(datetime.datetime.fromisoformat(text))
        except ValueError:
            raise UsageError(f"--due {option}: the date must look like 2025-03-01T23:59+01:00"
                             ) from None
    return dates


def _utc(moment):
    """nbgrader stores naive UTC times; a date given without a zone is taken as UTC too."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def seconds_late(timestamp, due):
    """Seconds after ``due`` the ISO ``timestamp`` is (0 when on time or either is unknown)."""
    if not timestamp or due is None:
        return 0.0
    handed_in = _utc(datetime.datetime.fromisoformat(timestamp))
    return max(0.0, (handed_in - due).total_seconds())


class Policy:
    """nbgrader's late-submission plugin, as the course's nbgrader configuration sets it up."""

    def __init__(self):
        from nbgrader.preprocessors import AssignLatePenalties
        from traitlets.config.loader import PyFileConfigLoader

        from .lessons import CONFIG_FILE

        config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
        assigner = AssignLatePenalties(config=config)
        self.plugin = assigner.plugin_class(parent=assigner)

    def apply(self, result, seconds, timestamp):
        """Mark ``result`` late by ``seconds`` and take off the policy's penalty."""
        result.timestamp = timestamp
        result.seconds_late = seconds
        result.late = result.late or seconds > 0
        if seconds > 0 and result.status in ("graded", "flagged"):
            earned = result.rescore().score
            result.late_penalty = float(
                self.plugin.late_submission_penalty(result.student, earned, seconds) or 0.0)
            result.rescore()
