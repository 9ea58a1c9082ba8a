"""The English that bpkit shows a student, found in its source: what bpkit.po must translate.

Two kinds of text reach the student:

* templates and labels passed to ``bpkit.i18n`` -- ``tr("{what} returned None", what=...)``,
  ``text("Step")``, ``figure_tr(...)``, ``figure_text(...)`` -- anywhere in bpkit and in
  autograder/grade_me.py, and ``_("...")`` / ``tr("...")`` in the feedback page's template;
* fixed English sentences in the checks, the hint ladders and ``needs``' messages (a question
  kept in a constant, a hint step), which ``bpkit.i18n`` translates where they are shown.

Docstrings, dict keys and comparisons are code, not text for the student, and are skipped.
"""

import ast
import re
from pathlib import Path

from .catalogs import Entry
from .lessons import COURSE_ROOT

__all__ = ["CATALOG", "MO_FILE", "entries", "source_files"]

CATALOG = Path("bpkit") / "locale" / "ko" / "LC_MESSAGES" / "bpkit.po"
MO_FILE = CATALOG.with_suffix(".mo")
TRANSLATING_CALLS = {"tr", "text", "figure_tr", "figure_text"}
# Where fixed English sentences (not only i18n calls) are text for the student.
SENTENCE_MODULES = ("bpkit/checks/", "bpkit/hints/", "bpkit/unfinished.py")
# Two words of letters with a space between: a sentence, not an id ("affine.db_not_summed"), a
# name ("Relu.forward") or a format ("o-").
_PROSE = re.compile(r"[A-Za-z]{2,}[,.:;'!?)-]*\s+[(\"'`]*[A-Za-z]{2,}")


def is_sentence(value):
    """True for English prose; False for code such as ``"(dgamma, dbeta)"`` or a statement."""
    if not _PROSE.search(value):
        return False
    try:
        ast.parse(value)
    except SyntaxError:
        return True
    return False


def source_files(root=COURSE_ROOT):
    """bpkit's modules and grade_me (relative paths, sorted), the i18n module itself excepted."""
    files = sorted(p.relative_to(root) for p in (root / "bpkit").rglob("*.py"))
    files = [p for p in files if p.name != "i18n.py"]
    return files + [Path("autograder") / "grade_me.py"]


def entries(root=COURSE_ROOT):
    """Every English text of bpkit.po, once each, in the order of the source files."""
    places = {}
    for relative in source_files(root):
        source = (root / relative).read_text(encoding="utf-8")
        sentences = relative.as_posix().startswith(SENTENCE_MODULES)
        for english, _line in _texts(ast.parse(source), sentences):
            # The file without the line: a line number would change bpkit.po on every edit.
            where = places.setdefault(english, [])
            if (relative.as_posix(), None) not in where:
                where.append((relative.as_posix(), None))
    for template in sorted((root / "autograder" / "templates").glob("*.html")):
        relative = template.relative_to(root).as_posix()
        for english in _TEMPLATE_TEXT.findall(template.read_text(encoding="utf-8")):
            where = places.setdefault(english, [])
            if (relative, None) not in where:
                where.append((relative, None))
    return [Entry(None, english, tuple(where)) for english, where in places.items()]


# _("...") and tr("...", ...) in the pages' jinja2 templates (feedback.html).
_TEMPLATE_TEXT = re.compile(r'\b(?:_|tr)\(\s*"([^"]+)"')


def _texts(tree, sentences):
    """(English, line) pairs of a module: i18n calls' first arguments, and prose constants."""
    skip = set()  # ids of Constant nodes that are code, not text
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))  # a docstring
        elif isinstance(node, ast.Dict):
            skip.update(id(k) for k in node.keys if k is not None)
        elif isinstance(node, ast.JoinedStr):  # an f-string's parts are not sentences alone
            skip.update(id(v) for v in node.values)
        elif isinstance(node, ast.Compare):
            skip.update(id(n) for n in [node.left, *node.comparators])
        elif isinstance(node, ast.Call) and _called(node) in TRANSLATING_CALLS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, first.lineno))
                skip.add(id(first))
    if sentences:
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in skip and is_sentence(node.value)):
                found.append((node.value, node.lineno))
    return sorted(found, key=lambda pair: pair[1])


def _called(call):
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return None
