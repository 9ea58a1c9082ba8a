"""report.html: the class at a glance, with matplotlib figures embedded as PNGs.

Per lesson: a histogram of scores, the pass rate of every test (so the instructor sees which
test most students fail), what to teach again -- how many students made each mistake, counted
by bpkit.checks' stable mistake ids, with unfinished exercises and timeouts in rows of their
own --, the late work (by how much, and the penalty taken) and the flagged submissions with
their reasons.
"""

import base64
import io
from collections import defaultdict
from dataclasses import dataclass, field

from .outputs import late_text
from .pages import render
from .store import atomic_write

UNFINISHED = "left unfinished (the exercise still raises NotImplementedError)"
TIMEOUT = "ran out of time (a loop that never ends?)"
_NOT_WRITTEN = {"common.not_written"}
_TIMED_OUT = {"common.timeout"}
_TIMEOUT_ERRORS = ("CellTimeoutError", "KeyboardInterrupt")
_RAN = ("graded", "flagged", "error")  # submissions whose notebook was run


@dataclass
class MistakeRow:
    """One row of "what to teach again": a mistake and the students who made it."""

    label: str  # the mistake id, UNFINISHED, TIMEOUT, or the message when there is no id
    students: set = field(default_factory=set)
    tests: set = field(default_factory=set)
    example: str = ""  # one student's message for it


def _kind(test):
    """The row a failed test counts in."""
    ename = test.message.split(":", 1)[0]
    if test.mistake in _NOT_WRITTEN or ename == "NotImplementedError":
        return UNFINISHED
    if test.mistake in _TIMED_OUT or ename in _TIMEOUT_ERRORS:
        return TIMEOUT
    return test.mistake or test.message


def mistakes(results, top=8):
    """Rows of students per mistake, most students first (ties: by label)."""
    rows = {}
    for r in results:
        for t in r.tests:
            if t.passed or not t.message or t.message.startswith("not run:"):
                continue
            kind = _kind(t)
            row = rows.setdefault(kind, MistakeRow(kind, example=t.message))
            row.students.add(r.student)
            row.tests.add(t.grade_id)
    ordered = sorted(rows.values(), key=lambda row: (-len(row.students), row.label))
    return ordered[:top]


def pass_rates(results):
    """test grade_id -> fraction of submissions that passed it (lesson order kept)."""
    passed, seen = defaultdict(int), defaultdict(int)
    for r in results:
        for t in r.tests:
            seen[t.grade_id] += 1
            passed[t.grade_id] += bool(t.passed)
    return {g: passed[g] / seen[g] for g in seen}


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _figures(lesson, results):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    maximum = max((r.max_score for r in results), default=0) or 1
    fig, ax = plt.subplots(figsize=(5, 2.6))
    ax.hist([r.score for r in results], bins=min(20, max(5, int(maximum) + 1)),
            range=(0, maximum), color="#4477aa")
    ax.set(title=f"{lesson}: scores", xlabel=f"score (of {maximum:g})", ylabel="students")
    histogram = _png(fig)
    plt.close(fig)

    rates = pass_rates(results)
    fig, ax = plt.subplots(figsize=(5, 0.4 + 0.3 * max(1, len(rates))))
    names = list(rates)
    ax.barh(names, [100 * rates[n] for n in names], color="#228833")
    ax.invert_yaxis()
    ax.set(title=f"{lesson}: pass rate per test", xlabel="% of submissions passing", xlim=(0, 100))
    bars = _png(fig)
    plt.close(fig)
    return histogram, bars


@dataclass
class LessonSummary:
    name: str
    results: list
    mean: float
    maximum: float
    students: int  # whose notebook ran: the "of N" of each mistake row
    mistakes: list
    flagged: list
    missing: list  # students who handed nothing in
    pending: list  # results with written answers waiting for a person
    late: list  # (student, "2.5 h late, -4 points" or "marked late by the LMS")
    histogram: str
    pass_rates: str


def summarize(lesson, every):
    results = [r for r in every if r.status != "missing"]
    histogram, bars = _figures(lesson, results)
    ran = [r for r in results if r.status in _RAN]
    return LessonSummary(
        name=lesson, results=results, mean=sum(r.score for r in results) / len(results),
        maximum=max(r.max_score for r in results), students=len({r.student for r in ran}),
        mistakes=mistakes(ran), histogram=histogram, pass_rates=bars,
        flagged=sorted((r for r in results if r.status != "graded"), key=lambda r: r.student),
        missing=sorted(r.student for r in every if r.status == "missing"),
        pending=sorted((r for r in results if r.pending), key=lambda r: r.student),
        late=[(r.student, late_note(r)) for r in sorted(results, key=lambda r: r.student)
              if r.late])


def late_note(result):
    """How late: nbgrader's hours after the due date and penalty, else the LMS's marker."""
    text = late_text(result)
    return text.split(": ", 1)[1] if ": " in text else "marked late by the LMS"


def write(results, path, fence=None):
    by_lesson = defaultdict(list)
    for r in results:
        by_lesson[r.lesson].append(r)
    lessons = [summarize(name, by_lesson[name]) for name in sorted(by_lesson)
               if any(r.status != "missing" for r in by_lesson[name])]
    handed_in = [r for r in results if r.status != "missing"]
    atomic_write(path, render("report.html", count=len(handed_in), lessons=lessons,
                              students=len({r.student for r in results}),
                              missing=len(results) - len(handed_in), fence=fence))
