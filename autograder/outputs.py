"""grades.csv and results.json: the batch's results as tables for the instructor and for tools.

grades.csv has one row per student and lesson (score, max, status and the reason for any flag)
and then one ``TOTAL`` row per student. results.json holds the same per submission, with every
test's result and message.
"""

import csv
import io
import json
from collections import defaultdict

from .pages import duration, plural
from .store import atomic_write

COLUMNS = ["student", "lesson", "score", "max_score", "percent", "status", "late", "pending",
           "reason", "file"]


def late_text(result):
    """``yes``, or with nbgrader's timestamp ``yes: 2.5 h late, -4 points``."""
    if not result.late:
        return ""
    details = [f"{duration(result.seconds_late)} late"] if result.seconds_late else []
    if result.late_penalty:
        details.append(f"-{plural(result.late_penalty, 'point')}")
    return "yes" + (": " + ", ".join(details) if details else "")


def pending_text(result):
    """``"3 points: reflection"``: written answers still waiting for a person."""
    waiting = result.pending
    if not waiting:
        return ""
    points = sum(w.max_points for w in waiting)
    return f"{plural(points, 'point')}: " + ", ".join(
        w.grade_id for w in waiting)


def _percent(score, maximum):
    return f"{100.0 * score / maximum:.1f}" if maximum else ""


def write_csv(results, path):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    totals = defaultdict(lambda: [0.0, 0.0, 0, 0])
    for r in sorted(results, key=lambda r: r.key):
        writer.writerow({
            "student": r.student, "lesson": r.lesson, "score": f"{r.score:g}",
            "max_score": f"{r.max_score:g}", "percent": _percent(r.score, r.max_score),
            "status": r.status, "late": late_text(r), "pending": pending_text(r),
            "reason": r.reason,
            "file": r.file,
        })
        total = totals[r.student]
        total[0] += r.score
        total[1] += r.max_score
        total[2] += r.status != "missing"
        total[3] += 1
    for student, (score, maximum, handed, count) in sorted(totals.items()):
        writer.writerow({"student": student, "lesson": "TOTAL", "score": f"{score:g}",
                         "max_score": f"{maximum:g}", "percent": _percent(score, maximum),
                         "status": f"{handed} of {plural(count, 'lesson')} handed in",
                         "late": "", "pending": "", "reason": "", "file": ""})
    atomic_write(path, buffer.getvalue())


def write_json(results, path, fence=None):
    """results.json: ``{"submissions": [Result.to_dict(), ...], "fence": "..."}`` (schema:
    autograder/README.md); ``fence`` says what protected the kernels of the run."""
    ordered = [r.to_dict() for r in sorted(results, key=lambda r: r.key)]
    document = {"submissions": ordered}
    if fence:
        document["fence"] = fence
    atomic_write(path, json.dumps(document, indent=1, sort_keys=True))
