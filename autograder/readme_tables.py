"""The README's two lesson tables, written by ``make lessons`` from the lesson folders.

Each table sits between a pair of marker comments; everything between them is replaced, and
nothing else in the README is touched. A row's title is the lesson's first heading, its
"you write" column the classes and functions of its answer cells, its points the sum of its
graded cells (see :class:`autograder.lessons.Lesson`). The Binder links start from the
address of the README's Binder badge, so a course published elsewhere changes that one link.
"""

import re

LESSON_TABLE = "lesson table"
BINDER_TABLE = "binder table"
# The badge's target: https://mybinder.org/v2/gh/OWNER/REPO/BRANCH?urlpath=lab/tree/lessons
BINDER_BADGE = re.compile(r"\((https://mybinder\.org/v2/gh/[^?\s)]+\?urlpath=lab/tree/)lessons\)")


class ReadmeError(ValueError):
    """The README lacks what the generator needs; the message says what to add."""


def begin(table):
    return f"<!-- begin {table}: written by `make lessons` from solutions/; edit the lessons -->"


def end(table):
    return f"<!-- end {table} -->"


# The words of the tables in each edition's README (README.md, README.ko.md).
HEADINGS = {
    "en": ("| # | lesson | you write | points |", "| # | open in Binder |", "a written answer"),
    "ko": ("| # | 레슨 | 직접 작성하는 것 | 점수 |", "| # | Binder에서 열기 |", "서술형 답"),
}


def _release_path(lesson, edition):
    """lessons/NN_topic/NN_topic.ipynb, or lessons/ko/NN_topic/... for the Korean edition."""
    path = lesson.release.relative_to(lesson.root)
    if edition != "en":
        path = path.parents[1] / edition / path.parent.name / path.name
    return path.as_posix()


def _title(lesson, edition):
    if edition == "en":
        return lesson.title
    from .editions import korean_title  # reads the catalog (Babel) only for README.ko.md

    return korean_title(lesson)


def lesson_table(lessons, edition="en"):
    heading, _, written_answer = HEADINGS[edition]
    rows = [heading, "|---|---|---|---|"]
    for lesson in lessons:
        written = ", ".join(f"`{name}`" for name in lesson.exercises) or written_answer
        rows.append(f"| {lesson.code} | [{_title(lesson, edition)}]"
                    f"({_release_path(lesson, edition)}) | {written} | {lesson.points:g} |")
    return "\n".join(rows)


def binder_table(lessons, binder_base, edition="en"):
    rows = [HEADINGS[edition][1], "|---|---|"]
    for lesson in lessons:
        rows.append(f"| {lesson.code} | [{_title(lesson, edition)}]"
                    f"({binder_base}{_release_path(lesson, edition)}) |")
    return "\n".join(rows)


def _replace(text, table, body):
    pattern = re.compile(re.escape(begin(table)) + r"\n.*?" + re.escape(end(table)), re.S)
    if not pattern.search(text):
        raise ReadmeError(f"README.md has no {table} to update: put the two lines\n"
                          f"{begin(table)}\n{end(table)}\nwhere the table belongs")
    return pattern.sub(lambda _: f"{begin(table)}\n{body}\n{end(table)}", text, count=1)


def update(text, lessons, edition="en"):
    """The README ``text`` with both tables rewritten for ``lessons``."""
    badge = BINDER_BADGE.search(text)
    if badge is None:
        raise ReadmeError("README.md has no Binder badge linking to "
                          "https://mybinder.org/v2/gh/OWNER/REPO/BRANCH?urlpath=lab/tree/lessons; "
                          "the Binder table's links start from it")
    text = _replace(text, LESSON_TABLE, lesson_table(lessons, edition))
    return _replace(text, BINDER_TABLE, binder_table(lessons, badge.group(1), edition))


def write(path, lessons, edition="en"):
    """Rewrite the tables of the README at ``path``; returns True when it changed."""
    text = path.read_text()
    new = update(text, lessons, edition)
    if new != text:
        path.write_text(new)
    return new != text
