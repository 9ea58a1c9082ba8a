"""One feedback page per student and lesson: each test's result and message, no test source.

nbgrader's own feedback is the graded notebook rendered to HTML, hidden tests included, so it
would give the hidden tests away. This page is built from the results alone: the grade_id,
points, and the last line of the failure (the message bpkit.checks wrote for the student).
"""

import os

from bpkit import i18n

from .pages import render
from .store import atomic_write


def page(result):
    """The page, in the language of the edition the student handed in."""
    with i18n.speaking(result.language):
        return render("feedback.html", r=result)


def path_for(out_dir, result):
    return os.path.join(out_dir, "feedback", result.student, result.lesson + ".html")


def write_all(results, out_dir):
    for result in results:
        if result.status == "missing":
            continue
        atomic_write(path_for(out_dir, result), page(result))
