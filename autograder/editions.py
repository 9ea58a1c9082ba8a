"""The Korean edition (한국어판) of a lesson, made from its English source and its catalog.

The English notebook ``solutions/NN_topic/NN_topic.ipynb`` stays the one hand-edited source. Its
Korean text lives in the gettext catalog ``solutions/ko/NN_topic.po``: one entry per cell that
has text for a student (every markdown cell, and every code cell with English comments or
strings), keyed by the cell's id, the English cell as ``msgid`` and the Korean cell as
``msgstr``. Graded cells (tests, written answers) are never translated, so a Korean notebook
runs the very same tests, with the same ``grade_id`` s and points; a translated code cell must
keep every token of the code (tests/test_translations.py checks it).

The Korean source is the English one with translated cells, a first code cell that makes the
kernel speak Korean (``use_language("ko")``) and ``metadata.bpkit.language = "ko"``.
``make lessons`` turns it into ``lessons/ko/NN_topic/NN_topic.ipynb`` with nbgrader, as it does
the English; the grader builds it again from the same two files to grade a Korean submission.
"""

import copy
import io
import re
import tokenize
from pathlib import Path

import nbformat

from . import catalogs

__all__ = ["CATALOG_FOLDER", "LANGUAGE", "RELEASE_FOLDER", "catalog_path", "cell_entries",
           "language_of", "translate_source", "translatable"]

LANGUAGE = "ko"
CATALOG_FOLDER = Path("solutions") / LANGUAGE  # solutions/ko/03_add_mul_layers.po
RELEASE_FOLDER = Path("lessons") / LANGUAGE  # lessons/ko/03_add_mul_layers/...ipynb
LANGUAGE_CELL_ID = "language"
LANGUAGE_CELL = (
    "# 한국어판: 이 노트북의 검사 메시지, 힌트, 위젯과 그림은 한국어로 나옵니다.\n"
    "from bpkit.i18n import use_language\n"
    "\n"
    'use_language("ko")'
)
# Looser than message_catalog's rule for bpkit's sentences on purpose: here it decides what a
# translator MAY change in a code cell, and an f-string label such as "total {base:g}" is text.
_PROSE = re.compile(r"[A-Za-z]{2,}[ ,.:;'()-]+[A-Za-z]{2,}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# nbgrader's markers are instructions to nbgrader, the same in every edition.
_NBGRADER_MARKER = re.compile(r"#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)|#\s*YOUR CODE HERE")


def catalog_path(slug, root):
    """solutions/ko/<slug>.po under the course folder ``root``."""
    return Path(root) / CATALOG_FOLDER / f"{slug}.po"


def catalog_beside(english_path):
    """The catalog of the English source at solutions/<slug>/<slug>.ipynb: solutions/ko/<slug>.po
    (wherever that solutions folder is)."""
    english_path = Path(english_path)
    return english_path.parent.parent / LANGUAGE / f"{english_path.stem}.po"


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def translatable(cell):
    """True for a cell with text a student reads that is not graded (tests stay as they are)."""
    if _nbgrader(cell).get("grade"):
        return False
    if cell.cell_type == "markdown":
        return bool(cell.source.strip())
    if cell.cell_type != "code":
        return False
    return any(_PROSE.search(token.string) for token in _text_tokens(cell.source)
               if not _NBGRADER_MARKER.match(token.string))


def _text_tokens(source):
    """The comment and string tokens of Python source (none if it does not tokenize)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return [t for t in tokens if t.type in (tokenize.COMMENT, tokenize.STRING)]


def code_tokens(source):
    """The code of Python source without its comments and strings, token by token.

    A translated code cell must give the same list as its English original: only comments and
    strings that are sentences may change. (IPython's ``%magic`` lines do not tokenize as Python;
    they are compared as lines.)
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [line for line in source.splitlines() if not line.lstrip().startswith("#")]
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
               tokenize.DEDENT, tokenize.ENDMARKER)
    # A string that is a sentence may be translated; any other string (a key, a name, a
    # format) is code and must stay.
    return [("<sentence>" if t.type == tokenize.STRING and _is_sentence(t.string) else t.string)
            for t in tokens if t.type not in skipped]


def _is_sentence(literal):
    return bool(_PROSE.search(literal) or _HANGUL.search(literal))


def cell_entries(notebook):
    """The catalog entries of an English lesson notebook: one per translatable cell, and one
    per test cell's docstring (context ``<cell id>#docstring``)."""
    found = []
    for cell in notebook.cells:
        if translatable(cell):
            found.append(catalogs.Entry(cell.id, cell.source, note=_note(cell)))
        elif test_docstring(cell) is not None:
            found.append(catalogs.Entry(f"{cell.id}{DOCSTRING}", test_docstring(cell)[1],
                                        note="The one-line docstring of a test cell."))
    return found


DOCSTRING = "#docstring"


def test_docstring(cell):
    """(string token, text) of the docstring a test cell opens with, or None.

    A test cell's code stays byte for byte the English (its tests, hidden ones included); only
    the sentence at its top that says what it checks is the student's to read in Korean.
    """
    meta = _nbgrader(cell)
    if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
        return None
    tokens = _text_tokens(cell.source)
    first = cell.source.lstrip()
    if not tokens or not first.startswith('"""') or tokens[0].type != tokenize.STRING:
        return None
    token = tokens[0].string
    return token, token[3:-3]


# The translator's note on a code cell's entry; catalog_check knows a code cell by it.
CODE_CELL_NOTE = ("A code cell: translate only its comments and the English inside its strings; "
                  "every other character stays as it is.")


def _note(cell):
    return CODE_CELL_NOTE if cell.cell_type == "code" else ""


def language_of(notebook):
    """"ko" for a Korean-edition notebook (its metadata, else its language cell), else "en"."""
    language = notebook.get("metadata", {}).get("bpkit", {}).get("language")
    if language:
        return language
    for cell in notebook.get("cells", []):
        if cell.get("id") == LANGUAGE_CELL_ID and f'use_language("{LANGUAGE}")' in cell.get(
                "source", ""):
            return LANGUAGE
    return "en"


def translate_source(english, catalog):
    """(Korean source notebook, English texts left in English) for one lesson.

    english: the English source notebook; catalog: its Babel catalog. A cell without a usable
    translation (none yet, or stale) stays English and is listed.
    """
    usable = catalogs.translations(catalog)
    korean = copy.deepcopy(english)
    left = []
    for cell in korean.cells:
        docstring = test_docstring(cell)
        if docstring is not None:
            found = usable.get((f"{cell.id}{DOCSTRING}", docstring[1]))
            if found is None:
                left.append(f"{cell.id}{DOCSTRING}")
            else:  # the token in place, quotes kept: the code after it is not touched
                cell.source = cell.source.replace(docstring[0], f'"""{found}"""', 1)
            continue
        if not translatable(cell):
            continue
        found = usable.get((cell.id, cell.source))
        if found is None:
            left.append(cell.id)
        else:
            cell.source = found
    language_cell = nbformat.v4.new_code_cell(LANGUAGE_CELL, id=LANGUAGE_CELL_ID)
    korean.cells = [language_cell] + [c for c in korean.cells if c.id != LANGUAGE_CELL_ID]
    korean.metadata.setdefault("bpkit", {})["language"] = LANGUAGE
    return korean, left


def korean_source(english_path):
    """The Korean source notebook of the lesson whose English source is at ``english_path``."""
    english = nbformat.read(english_path, as_version=4)
    return translate_source(english, catalogs.load(catalog_beside(english_path)))[0]


def korean_title(lesson):
    """A lesson's Korean title (its first heading without "레슨 NN —"), else the English one."""
    english = nbformat.read(lesson.solution, as_version=4)
    usable = catalogs.translations(catalogs.load(catalog_path(lesson.slug, lesson.root)))
    first = english.cells[0]
    heading = re.search(r"^#\s+(.+)$", usable.get((first.id, first.source), ""), re.M)
    if heading is None:
        return lesson.title
    return re.sub(r"^(레슨|Lesson)\s*\d+\s*[—–:-]+\s*", "", heading.group(1).strip())
