"""Who should have handed in what: the class list, and a ``missing`` row for work not handed in.

The class is everyone named by a roster CSV (``--roster``), plus the students of the nbgrader
gradebook, plus everyone who handed in anything in this output folder so far. The lessons are
those graded in the folder (or named with ``--lesson``). Each student without a result for one
of them gets a ``missing`` row: 0 points of the lesson's full maximum.

A roster is a CSV with a header row. The student column is the first of these that exists:

* ``student``: the id as it appears in the submissions (nbgrader's student id, the name the
  grader derives from an LMS file); written ``Smith, Jane`` (Canvas's grade export) it becomes
  ``smithjane``, as Canvas's file names give it, and Canvas's ``Points Possible`` row is skipped;
* ``First name`` and ``Last name`` (Moodle's participant export): ``Jane Smith`` -> ``Jane_Smith``,
  as Moodle's file names give it;
* ``student_id``, ``id`` or ``username``.
"""

import csv
import re

from .course import UsageError
from .results import Result
from .submissions import student_id


def read_roster(path):
    """Student ids named by the roster CSV at ``path``."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as error:
        raise UsageError(f"cannot read the roster {path}: {error.strerror}") from None
    columns = {name.strip().lower(): name for name in (rows[0] if rows else {})}
    ids = []
    for row in rows:
        value = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if "points possible" in " ".join(value.values()).lower():
            continue
        if "student" in columns:
            named = _canvas_id(value["student"])
        elif "first name" in columns and "last name" in columns:
            named = f"{value['first name']} {value['last name']}"
        else:
            named = next((value[c] for c in ("student_id", "id", "username") if c in columns),
                         None)
        if named is None:
            raise UsageError(f"the roster {path} has no student column: give it a 'student' "
                             "column, or Moodle's 'First name' and 'Last name', or Canvas's "
                             "'Student'")
        if named:
            ids.append(student_id(named))
    return ids


def _canvas_id(name):
    """Canvas's grade export writes ``Smith, Jane``; its submission files say ``smithjane``."""
    if "," not in name:
        return student_id(name)
    last, first = name.split(",", 1)
    return re.sub(r"[^a-z0-9]", "", (last + first).lower())


def class_list(roster_ids, gradebook_ids, results):
    """Everyone who should hand in work, sorted."""
    return sorted(set(roster_ids) | set(gradebook_ids) | {r.student for r in results})


def with_missing(results, students, lessons, maxima, owns=lambda student, lesson: True):
    """``results`` plus a ``missing`` row for each student and lesson without one.

    maxima: lesson -> (points of its autograded tests, points of its written answers).
    owns: whether this run answers for a (student, lesson) pair; a shard answers only for its
    share, since the other shards' students are handed in and graded elsewhere.
    """
    handed_in = {r.key for r in results}
    rows = list(results)
    for lesson in lessons:
        tests, manual = maxima[lesson]
        for student in students:
            if (student, lesson) not in handed_in and owns(student, lesson):
                rows.append(Result(student, lesson, "missing", reason="not handed in",
                                   max_score=tests + manual, manual_points=manual))
    return rows
