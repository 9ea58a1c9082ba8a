"""Translation catalogs: gettext PO files, kept in step with the English they translate.

A catalog holds one entry per English text: ``msgid`` is the English, ``msgstr`` the
translation, ``msgctxt`` (lesson catalogs only) the id of the notebook cell the text is. When
``make lessons`` runs, each catalog is merged with the English as it is now (like gettext's
msgmerge):

* an entry whose English is unchanged keeps its translation;
* an entry whose English changed keeps its old translation but is marked ``#, fuzzy`` (stale),
  with the English it translated kept as ``#| msgid``, so a translator sees what changed; a
  lesson cell is matched by its cell id, a bpkit sentence by the closest old sentence;
* a new text gets an empty entry; a text that is gone moves to the end as obsolete (``#~``).

Stale and empty entries are never used: the English shows instead, and tests/test_translations.py
fails until a translator has looked at them. PO files are read and written with Babel (the
library Sphinx and JupyterLab's own translation tools use; jupyterlab_server already installs
it); the kernel reads the compiled ``.mo`` with the standard library's gettext only.
"""

import datetime
import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

__all__ = ["Entry", "Problems", "compile_mo", "load", "merge", "problems", "save"]

# A fixed date in every header: the files depend on their content only, so `make lessons` run
# twice writes the same bytes and git shows only real changes.
_FIXED_DATE = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
# How alike an old and a new bpkit sentence must be for the old translation to be offered
# (stale) rather than dropped; difflib's ratio, as msgmerge's fuzzy matching does.
_SIMILAR = 0.6


@dataclass(frozen=True)
class Entry:
    """One English text to translate: its context (a cell id, or None), text and places."""

    context: str | None
    english: str
    places: tuple = ()  # ("bpkit/checks/affine.py", None) pairs, shown as "#:" comments
    note: str = ""  # a comment for the translator ("#." in the PO file)


@dataclass
class Problems:
    """What stops a catalog being complete: entries never translated, and stale ones."""

    missing: list = field(default_factory=list)  # English texts with no translation
    stale: list = field(default_factory=list)  # (old English, new English) pairs

    def __bool__(self):
        return bool(self.missing or self.stale)


def new_catalog(language, project):
    return Catalog(locale=language, project=project, version="1", fuzzy=False,
                   creation_date=_FIXED_DATE, revision_date=_FIXED_DATE,
                   copyright_holder="the bpkit course authors",
                   msgid_bugs_address="https://github.com/bpkit/bpkit/issues",
                   language_team=f"bpkit {language} translators")


def load(path, language="ko", project="bpkit"):
    """The catalog at ``path``, or a new empty one when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        return new_catalog(language, project)
    with path.open("rb") as handle:
        return read_po(handle, locale=language, abort_invalid=True)


def save(catalog, path):
    """Write ``catalog`` to ``path`` (only if its bytes change); True when it changed."""
    catalog.creation_date = _FIXED_DATE
    catalog.revision_date = _FIXED_DATE
    catalog.fuzzy = False
    buffer = io.BytesIO()
    # No wrapping (Babel would break a "#| msgid" string in the middle, which is not PO).
    write_po(buffer, catalog, width=1_000_000, include_previous=True, sort_output=False,
             ignore_obsolete=False)
    return _write_if_changed(Path(path), buffer.getvalue())


def compile_mo(catalog, path):
    """Write the ``.mo`` the kernel reads: translated, non-stale entries only."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return _write_if_changed(Path(path), buffer.getvalue())


def _write_if_changed(path, data):
    """Write ``data`` to ``path`` unless it holds it already; True when it wrote."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _key(message):
    return (message.context, message.id)


def merge(old, entries, language="ko", project="bpkit"):
    """A new catalog for ``entries`` (in their order) keeping ``old``'s translations.

    Matching: the same (context, English) keeps the translation; the same context with other
    English (a lesson cell that changed), or else the most similar old English of an entry
    without context (a bpkit sentence that changed), gives a stale entry.
    """
    merged = new_catalog(language, project)
    merged.obsolete.clear()
    current = {_key(m): m for m in old if m.id}
    by_context = {m.context: m for m in current.values() if m.context is not None}
    unused = dict(current)
    wanted = {(e.context, e.english) for e in entries}
    for entry in entries:
        key = (entry.context, entry.english)
        found = current.get(key)
        stale_from = None
        if found is None or not found.string:
            if entry.context is not None:
                stale_from = by_context.get(entry.context)
            else:
                stale_from = _most_similar(entry.english, unused, wanted)
            if stale_from is not None and not stale_from.string:
                stale_from = None
        message = Message(entry.english, context=entry.context,
                          locations=[(str(p), n) for p, n in entry.places],
                          auto_comments=[entry.note] if entry.note else [])
        if found is not None and found.string:
            message.string = found.string
            if found.fuzzy:  # still stale: keep the English it was made from
                message.flags.add("fuzzy")
                message.previous_id = found.previous_id
            unused.pop(key, None)
        elif stale_from is not None:
            message.string = stale_from.string
            message.flags.add("fuzzy")
            message.previous_id = [stale_from.id]
            unused.pop(_key(stale_from), None)
        if found is not None:
            message.user_comments = list(found.user_comments)
        merged[message.id] = message  # Babel keys it by (English, context)
    for key, message in unused.items():
        if key not in wanted and message.string:
            merged.obsolete[message.id if message.context is None else key] = message
    return merged


def _most_similar(english, candidates, wanted):
    """The old context-free message most like ``english`` that no new entry keeps, or None."""
    best, best_ratio = None, _SIMILAR
    for key, message in candidates.items():
        if message.context is not None or key in wanted:
            continue
        ratio = difflib.SequenceMatcher(None, english, message.id, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = message, ratio
    return best


def problems(catalog, entries):
    """Which of ``entries`` the catalog lacks a translation for, and which are stale."""
    found = Problems()
    messages = {_key(m): m for m in catalog if m.id}
    by_context = {m.context: m for m in messages.values() if m.context is not None}
    for entry in entries:
        message = messages.get((entry.context, entry.english))
        if message is None and entry.context is not None and entry.context in by_context:
            old = by_context[entry.context]
            found.stale.append((old.id, entry.english))
        elif message is None or not message.string:
            found.missing.append(entry.english)
        elif message.fuzzy:
            old = message.previous_id[0] if message.previous_id else "(unknown)"
            found.stale.append((old, entry.english))
    return found


def translations(catalog):
    """``{(context, English): translation}`` of the usable entries (translated, not stale)."""
    return {_key(m): m.string for m in catalog if m.id and m.string and not m.fuzzy}
