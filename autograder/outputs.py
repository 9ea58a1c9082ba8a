"""grades.csv and results.json: the batch's results as tables for the instructor and for tools.

grades.csv has one row per student and lesson (score, max, status and the reason for any flag)
and then one ``TOTAL`` row per student. results.json holds the same per submission, with every
test's result and message.
"""

import csv
import io
import json
from collections import defaultdict

from .store import atomic_write

COLUMNS = ["student", "lesson", "score", "max_score", "percent", "status", "late", "reason", "file"]


def _percent(score, maximum):
    return f"{100.0 * score / maximum:.1f}" if maximum else ""


def write_csv(results, path):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    totals = defaultdict(lambda: [0.0, 0.0, 0])
    for r in sorted(results, key=lambda r: r.key):
        writer.writerow({
            "student": r.student, "lesson": r.lesson, "score": f"{r.score:g}",
            "max_score": f"{r.max_score:g}", "percent": _percent(r.score, r.max_score),
            "status": r.status, "late": "yes" if r.late else "", "reason": r.reason,
            "file": r.file,
        })
        total = totals[r.student]
        total[0] += r.score
        total[1] += r.max_score
        total[2] += 1
    for student, (score, maximum, count) in sorted(totals.items()):
        writer.writerow({"student": student, "lesson": "TOTAL", "score": f"{score:g}",
                         "max_score": f"{maximum:g}", "percent": _percent(score, maximum),
                         "status": f"{count} lessons", "late": "", "reason": "", "file": ""})
    atomic_write(path, buffer.getvalue())


def write_json(results, path):
    """results.json: ``{"submissions": [Result.to_dict(), ...]}`` (schema: autograder/README.md)."""
    ordered = [r.to_dict() for r in sorted(results, key=lambda r: r.key)]
    atomic_write(path, json.dumps({"submissions": ordered}, indent=1, sort_keys=True))
