"""The HTML pages the grader writes (feedback, class report), from the jinja2 templates in
``autograder/templates/``: autoescaped, one stylesheet (``style.css``) embedded in each page so a
page stands alone."""

import functools

import jinja2

from bpkit import i18n


def number(value):
    """``4.0`` -> ``4``, ``2.5`` -> ``2.5``: points as a person writes them."""
    return f"{value:g}"


def plural(count, word):
    """``plural(1, "lesson")`` -> ``1 lesson``; ``plural(2, "lesson")`` -> ``2 lessons``."""
    return f"{count:g} {word}" if count == 1 else f"{count:g} {word}s"


def duration(seconds, words=False):
    """How late, as a person says it: ``2.5 h``, ``12 min``, ``3 s`` (``2.5 hours``, ... with
    ``words``); a few seconds late is not "0.0 h"."""
    for size, short, long in ((3600, "h", "hour"), (60, "min", "minute"), (1, "s", "second")):
        if seconds >= size or size == 1:
            amount = round(seconds / size, 1) if size == 3600 else max(1, round(seconds / size))
            return plural(amount, long) if words else f"{amount:g} {short}"


@functools.cache
def environment():
    env = jinja2.Environment(loader=jinja2.PackageLoader("autograder", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(num=number, plural=plural, duration=duration)
    # Text a student reads goes through bpkit.i18n: a page rendered inside
    # `bpkit.i18n.speaking("ko")` is Korean (feedback.py does that for the Korean edition).
    env.globals.update(_=i18n.text, tr=i18n.tr, english=lambda: i18n.language() == "en")
    return env


def render(template, **values):
    return environment().get_template(template).render(**values)
