"""Check a Korean catalog's translations keep what must not change, and report what is left.

    python -m autograder.catalog_check solutions/ko/03_add_mul_layers.po
    python -m autograder.catalog_check bpkit/locale/ko/LC_MESSAGES/bpkit.po

For every translated entry:

* bpkit sentences keep exactly the English's ``{blanks}`` (they may move);
* a code cell keeps every token of its code: only comments and English inside strings change;
* a markdown cell keeps its formulas (``$...$``), its link targets and its images;
* the translation has Korean in it (Hangul), unless the English has no words to translate.

It also counts the entries still empty or stale (``#, fuzzy``). Exit status 1 when anything is
wrong or left, so a translator can run it until it prints "complete".
"""

import re
import string
import sys
from pathlib import Path

from . import catalogs, editions

__all__ = ["check_entry", "main"]

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)")
_WORDS = re.compile(r"[A-Za-z]{3,}")


def _blanks(template):
    try:
        return sorted({name for _, name, _, _ in string.Formatter().parse(template)
                       if name is not None})
    except ValueError:
        return None


def check_entry(message):
    """What is wrong with one translated entry (a list of sentences, empty when it is fine)."""
    english, korean, cell = message.id, message.string, message.context
    wrong = []
    if cell is None:
        if _blanks(english) != _blanks(korean):
            wrong.append(f"the blanks differ: English {_blanks(english)}, "
                         f"Korean {_blanks(korean)}")
    elif _looks_like_code(message):
        if editions.code_tokens(english) != editions.code_tokens(korean):
            wrong.append("the code changed: only comments and the English inside strings that "
                         "are sentences may be translated")
    else:
        for what, pattern in (("formulas", _MATH), ("link targets", _LINK_TARGET)):
            if sorted(pattern.findall(english)) != sorted(pattern.findall(korean)):
                missing = sorted(set(pattern.findall(english)) - set(pattern.findall(korean)))
                wrong.append(f"the {what} differ (e.g. {missing[:2]} is gone)" if missing
                             else f"the {what} differ")
    if _WORDS.search(english) and not _HANGUL.search(korean):
        wrong.append("there is no Korean in the translation")
    return wrong


def _looks_like_code(message):
    return editions.CODE_CELL_NOTE in message.auto_comments


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__)
        return 2
    status = 0
    for name in argv:
        catalog = catalogs.load(Path(name))
        empty, stale, bad = 0, 0, 0
        for message in catalog:
            if not message.id:
                continue
            if not message.string:
                empty += 1
                continue
            if message.fuzzy:
                stale += 1
            for problem in check_entry(message):
                bad += 1
                where = message.context or message.id[:60].replace("\n", " ")
                print(f"{name}: {where!r}: {problem}")
        total = sum(1 for m in catalog if m.id)
        state = "complete" if not (empty or stale or bad) else "NOT complete"
        print(f"{name}: {total} entries, {empty} empty, {stale} stale, {bad} problems: {state}")
        status |= int(state != "complete")
    return status


if __name__ == "__main__":
    sys.exit(main())
