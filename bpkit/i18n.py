"""The language a notebook reads: English (the source) or Korean (한국어판).

Every sentence a student reads from bpkit -- check messages, the failure box, hints, widget
labels, figure titles, grade_me's lines -- is written in English in the code and goes through
this module on its way out. In the Korean edition the notebook's first code cell says

    from bpkit.i18n import use_language; use_language("ko")

and from then on this kernel (this one notebook) speaks Korean; nothing outside the kernel is
touched, so the English edition running beside it stays English.

    tr(template, **values)
        ``template.format(**values)`` in the notebook's language. The template is the English
        sentence with named blanks (``"{what} returned None"``); the Korean catalog may reorder
        them. A value that is itself an English sentence of the catalog is translated too.
    text(sentence)
        A fixed English sentence (a constant, a hint, a label) in the notebook's language. A
        sentence made of several catalog sentences joined together has each part translated.
    figure_text(sentence)
        ``text`` for figures: English where matplotlib has no font with Hangul (a plot of boxes
        teaches nothing, and the missing-glyph warning would reach stderr).

The Korean catalog is ``bpkit/locale/ko/LC_MESSAGES/bpkit.po`` (compiled to ``bpkit.mo`` by
``make lessons``); this module reads the compiled file with the standard library alone.
"""

import contextlib
import functools
import re
import string
import struct
import textwrap
import unicodedata
from pathlib import Path

__all__ = ["LANGUAGES", "figure_text", "figure_tr", "language", "speaking", "text", "tr",
           "use_language", "wrap"]

LANGUAGES = {"en": "English", "ko": "한국어"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "bpkit"

_current = "en"

# Fixed sentences shorter than this are translated only when they are the whole string: a
# short word ("loss") inside a longer English sentence is not a sentence of its own.
_SHORTEST_PART = 24


def use_language(code):
    """Make this kernel speak ``code`` ("en" or "ko") from now on."""
    global _current
    if code not in LANGUAGES:
        raise ValueError(
            f"There is no {code!r} edition; the languages are "
            f"{', '.join(repr(c) for c in LANGUAGES)}."
        )
    global _figure_font
    _current = code
    if code != "en":
        _figure_font = _setup_figures()
    else:
        _figure_font = None
        _restore_figures()


@contextlib.contextmanager
def speaking(code):
    """Within the block, ``tr`` and ``text`` speak ``code`` (for pages the grader writes in a
    student's language); figures are not touched, and the language before comes back."""
    global _current
    if code not in LANGUAGES:
        raise ValueError(f"There is no {code!r} edition.")
    before, _current = _current, code
    try:
        yield
    finally:
        _current = before


def language():
    """The code of the language this kernel speaks: "en" or "ko"."""
    return _current


@functools.cache
def _catalog(code):
    """{English: translation} of one language (empty for English or a missing catalog)."""
    if code == "en":
        return {}
    try:
        data = (LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes()
    except FileNotFoundError:
        return {}
    return {english: translated for english, translated in _mo_entries(data)
            if english and translated}


def _mo_entries(data):
    """(English, translation) pairs of a compiled gettext catalog (GNU .mo, little-endian).

    The format: a header of seven 32-bit numbers (magic, revision, count, offset of the
    originals' table, offset of the translations' table, ...), then two tables of (length,
    offset) pairs. gettext.GNUTranslations reads the same, but keeps the table private, and
    the whole table is needed here (``text`` looks for sentences inside a message).
    """
    magic, _, count, originals, translations = struct.unpack_from("<5I", data)
    if magic != 0x950412DE:
        raise ValueError("bpkit's catalog is not a little-endian gettext .mo file")
    for index in range(count):
        length, start = struct.unpack_from("<2I", data, originals + 8 * index)
        english = data[start:start + length].decode("utf-8")
        length, start = struct.unpack_from("<2I", data, translations + 8 * index)
        yield english, data[start:start + length].decode("utf-8")


@functools.cache
def _parts(code):
    """The catalog's longer sentences, longest first, for translating joined sentences."""
    return sorted((k for k in _catalog(code) if len(k) >= _SHORTEST_PART and "{" not in k),
                  key=len, reverse=True)


def text(sentence):
    """``sentence`` in this kernel's language; unknown text comes back unchanged."""
    if _current == "en" or not isinstance(sentence, str) or not sentence:
        return sentence
    catalog = _catalog(_current)
    found = catalog.get(sentence)
    if found is not None:
        return found
    if len(sentence) <= _SHORTEST_PART or not any(c.isalpha() and c.isascii() for c in sentence):
        return sentence
    # A message joined from several fixed sentences: translate each one found inside it.
    for part in _parts(_current):
        if part in sentence:
            sentence = sentence.replace(part, catalog[part])
    return sentence


class _Values(dict):
    """The values of one template, each English sentence among them translated."""

    def __missing__(self, key):
        raise KeyError(
            f"the translated template names {{{key}}}, which its English original does not have"
        )


def tr(template, /, **values):
    """``template.format(**values)`` in this kernel's language (see the module docstring)."""
    if _current == "en":
        return template.format(**values)
    translated = _catalog(_current).get(template, template)
    values = _Values({k: text(v) if isinstance(v, str) else v for k, v in values.items()})
    try:
        return string.Formatter().vformat(translated, (), values)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not hide the student's mistake: fall back to English.
        return template.format(**values)


def _width(word):
    """Columns a word takes in a terminal or a notebook's output: Hangul takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)


def wrap(paragraph, width, indent="", subsequent_indent=None):
    """Lines of at most ``width`` columns (Hangul counted double), broken at spaces."""
    subsequent_indent = indent if subsequent_indent is None else subsequent_indent
    if _width(paragraph) == len(paragraph):  # no wide characters: the usual textwrap
        return textwrap.wrap(paragraph, width, initial_indent=indent,
                             subsequent_indent=subsequent_indent)
    lines, line, used = [], indent, _width(indent)
    for word in paragraph.split():
        if used + _width(word) + (line.strip() != "") > width and line.strip():
            lines.append(line)
            line, used = subsequent_indent, _width(subsequent_indent)
        if line.strip():
            line, used = line + " ", used + 1
        line, used = line + word, used + _width(word)
    if line.strip():
        lines.append(line)
    return lines


# --------------------------------------------------------------------------------------------
# Figures

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# bpkit's own Hangul font (a subset of Noto Sans CJK KR, SIL OFL 1.1; see
# autograder/hangul_font.py): Korean figures render on every machine, fonts or not.
SHIPPED_FONT = Path(__file__).resolve().parent / "fonts" / "bpkit-hangul.otf"
SHIPPED_FAMILY = "bpkit Hangul"
# Fonts with Hangul a machine may have, as matplotlib names them, used if the shipped file is
# missing: Debian's fonts-noto-cjk, the ones Windows and macOS ship, the Nanum fonts.
_KOREAN_FONTS = ("Noto Sans CJK KR", "Noto Sans CJK JP", "Noto Sans KR", "Malgun Gothic",
                 "Apple SD Gothic Neo", "AppleGothic", "NanumGothic", "NanumBarunGothic")


def korean_font():
    """The name of a font with Hangul that matplotlib can use (bpkit's own first), or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    if SHIPPED_FAMILY not in installed and SHIPPED_FONT.is_file():
        font_manager.fontManager.addfont(str(SHIPPED_FONT))
        installed.add(SHIPPED_FAMILY)
    if SHIPPED_FAMILY in installed:
        return SHIPPED_FAMILY
    return next((name for name in _KOREAN_FONTS if name in installed), None)


# The Hangul font use_language chose for figures (None: figures stay English); chosen once
# there, not for every label a figure draws.
_figure_font = None
# matplotlib's settings as they were before Korean changed them, to put back for English.
_english_figures = {}


def _restore_figures():
    if _english_figures:
        import matplotlib

        matplotlib.rcParams.update(_english_figures)
        _english_figures.clear()


def _setup_figures():
    """Put a Hangul font first in matplotlib's font list, if there is one (else labels stay
    English); the fonts that were first stay behind it for the glyphs it lacks. Returns the
    font, or None."""
    try:
        import matplotlib
    except ImportError:
        return None
    font = korean_font()
    if font is None:
        return None
    families = list(matplotlib.rcParams["font.family"])
    if families and families[0] == font:
        return font
    _english_figures.update({key: matplotlib.rcParams[key]
                             for key in ("font.family", "axes.unicode_minus")})
    from matplotlib import font_manager

    # Only fonts that are there: matplotlib logs a line for each one it looks for in vain.
    installed = {f.name for f in font_manager.fontManager.ttflist}
    generic = {"sans-serif", "serif", "monospace", "cursive", "fantasy"}
    fallback = [f for name in families
                for f in (matplotlib.rcParams[f"font.{name}"] if name in generic else [name])]
    fallback = [f for f in dict.fromkeys(fallback) if f in installed and f != font]
    matplotlib.rcParams["font.family"] = [font] + fallback
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK fonts lack U+2212
    return font


def figure_text(sentence):
    """``text(sentence)`` for a figure, or the English when no installed font has Hangul."""
    translated = text(sentence)
    if translated is sentence or not _HANGUL.search(str(translated)):
        return translated
    return translated if _figure_font is not None else sentence


def figure_tr(template, /, **values):
    """``tr`` for a figure, with ``figure_text``'s English fallback."""
    if _current != "en" and _figure_font is None:
        return template.format(**values)
    return tr(template, **values)
