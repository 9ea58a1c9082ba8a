"""The Korean catalogs: complete, current, and faithful to what must not change.

- every English text of every lesson and of bpkit has a Korean entry, and none is stale (its
  English changed since it was translated): a missing or stale entry fails here, naming it;
- every translation keeps the blanks of a bpkit template, the code of a code cell, and the
  formulas and link targets of a markdown cell (autograder/catalog_check.py);
- the compiled bpkit.mo is the one the PO gives;
- staleness is caught: a changed English cell or sentence turns its entry stale after
  `make lessons`, and the Korean notebook shows the English cell until it is translated again.
"""

import io
import shutil

import nbformat
import pytest
from babel.messages.mofile import write_mo

from autograder import catalog_check, catalogs, editions, message_catalog, release
from autograder.lessons import COURSE_ROOT, lessons
from bpkit import i18n

LESSONS = [pytest.param(lesson, id=lesson.slug, marks=getattr(pytest.mark, lesson.marker))
           for lesson in lessons()]
BPKIT_PO = COURSE_ROOT / message_catalog.CATALOG


def _listed(problems):
    lines = [f"  missing: {english[:90]!r}" for english in problems.missing[:10]]
    lines += [f"  stale: was {old[:70]!r}, now {new[:70]!r}" for old, new in problems.stale[:10]]
    more = len(problems.missing) + len(problems.stale) - len(lines)
    return "\n".join(lines + ([f"  ... and {more} more"] if more > 0 else []))


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_text_cell_of_the_lesson_has_a_current_korean_entry(lesson):
    english = nbformat.read(lesson.solution, as_version=4)
    catalog = catalogs.load(editions.catalog_path(lesson.slug, COURSE_ROOT))
    found = catalogs.problems(catalog, editions.cell_entries(english))
    assert not found, (
        f"solutions/ko/{lesson.slug}.po is not complete ({len(found.missing)} missing, "
        f"{len(found.stale)} stale):\n{_listed(found)}\nRun `make lessons`, translate the empty "
        f"and '#, fuzzy' entries, and remove the fuzzy flag."
    )


def test_every_sentence_bpkit_shows_has_a_current_korean_entry():
    catalog = catalogs.load(BPKIT_PO)
    found = catalogs.problems(catalog, message_catalog.entries())
    assert not found, (
        f"{message_catalog.CATALOG} is not complete ({len(found.missing)} missing, "
        f"{len(found.stale)} stale):\n{_listed(found)}\nRun `make lessons` and translate them."
    )


@pytest.mark.parametrize("path", [BPKIT_PO] + [editions.catalog_path(lesson.slug, COURSE_ROOT)
                                               for lesson in lessons()],
                         ids=lambda p: p.name)
def test_every_translation_keeps_blanks_code_formulas_and_links(path):
    wrong = [(m.context or m.id[:60], problem) for m in catalogs.load(path)
             if m.id and m.string for problem in catalog_check.check_entry(m)]
    assert not wrong, f"{path.name}: " + "\n".join(f"{w!r}: {p}" for w, p in wrong[:15])


def test_the_compiled_catalog_is_the_one_the_po_gives():
    buffer = io.BytesIO()
    write_mo(buffer, catalogs.load(BPKIT_PO), use_fuzzy=False)
    assert (COURSE_ROOT / message_catalog.MO_FILE).read_bytes() == buffer.getvalue(), (
        "bpkit.mo is out of date with bpkit.po: run `make lessons` and commit"
    )


def _lesson_copy(tmp_path, slug):
    """A course folder with one lesson's English source and its catalog."""
    for path in (f"solutions/{slug}/{slug}.ipynb", f"solutions/ko/{slug}.po"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(COURSE_ROOT / path, tmp_path / path)
    return tmp_path / f"solutions/{slug}/{slug}.ipynb"


def _translate_one(path, context, english, korean):
    """Give one entry of the catalog at ``path`` a translation, as a translator would."""
    catalog = catalogs.load(path)
    catalog.get(english, context=context).string = korean
    catalogs.save(catalog, path)


def test_a_changed_english_cell_turns_its_korean_entry_stale(tmp_path):
    slug = "03_add_mul_layers"
    source = _lesson_copy(tmp_path, slug)
    notebook = nbformat.read(source, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "markdown" and c.id != "title")
    old_english = cell.source
    _translate_one(editions.catalog_path(slug, tmp_path), cell.id, old_english, "## 1. 번역")
    cell.source = cell.source.replace("forward", "forward pass", 1) + "\n\nOne more sentence."
    nbformat.write(notebook, source)

    english, catalog = release.update_catalog(slug, tmp_path)  # what `make lessons` does

    po_text = editions.catalog_path(slug, tmp_path).read_text(encoding="utf-8")
    entry = next(m for m in catalog if m.context == cell.id)
    assert entry.fuzzy and entry.previous_id == [old_english], (
        "the changed cell's entry should be marked fuzzy, keeping the English it translated"
    )
    assert f'msgctxt "{cell.id}"' in po_text and "#, fuzzy" in po_text and "#| msgid" in po_text
    found = catalogs.problems(catalog, editions.cell_entries(english))
    assert found.stale == [(old_english, cell.source)]
    korean, left = editions.translate_source(english, catalog)
    assert cell.id in left
    assert next(c for c in korean.cells if c.id == cell.id).source == cell.source


def test_a_changed_bpkit_sentence_turns_its_korean_entry_stale():
    catalog = catalogs.load(BPKIT_PO)
    entries = message_catalog.entries()
    target = next(e for e in entries if e.english.startswith("{what} returned None: did you"))
    catalog.get(target.english).string = "{what}이(가) None을 반환했습니다."
    changed = catalogs.Entry(None, target.english.replace("did you forget", "have you left out"))
    merged = catalogs.merge(catalog, [changed if e is target else e for e in entries])
    entry = merged[changed.english]
    assert entry.fuzzy and entry.previous_id == [target.english]
    assert catalogs.problems(merged, [changed]).stale == [(target.english, changed.english)]


def test_a_new_english_cell_gets_an_empty_entry_and_stays_english(tmp_path):
    slug = "01_computation_graph"
    source = _lesson_copy(tmp_path, slug)
    notebook = nbformat.read(source, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("## A new section", id="new-section"))
    nbformat.write(notebook, source)
    english, catalog = release.update_catalog(slug, tmp_path)
    assert "## A new section" in catalogs.problems(catalog, editions.cell_entries(english)).missing
    korean, left = editions.translate_source(english, catalog)
    assert "new-section" in left and korean.cells[-1].source == "## A new section"


def test_a_translated_code_cell_may_not_change_its_code():
    cell_id, english = "demo", 'x = hint("mul_layer")  # the hint\nprint("the answer is", x)\n'
    good = 'x = hint("mul_layer")  # 힌트\nprint("답은", x)\n'
    bad = 'x = hint("곱셈")  # 힌트\nprint("답은", x)\n'
    note = editions._note(nbformat.v4.new_code_cell(english))
    for korean, problems in ((good, []), (bad, ["the code changed"])):
        message = catalogs.Message(english, korean, context=cell_id, auto_comments=[note])
        found = [p.split(":")[0] for p in catalog_check.check_entry(message)]
        assert found == problems, (korean, found)


def test_the_language_is_per_kernel_and_english_by_default():
    assert i18n.language() == "en"
    try:
        i18n.use_language("ko")
        assert i18n.tr("✓ {what}: {detail} (1 check)", what="x", detail="y") != "✓ x: y (1 check)"
    finally:
        i18n.use_language("en")
    assert i18n.tr("✓ {what}: {detail} (1 check)", what="x", detail="y") == "✓ x: y (1 check)"
    with pytest.raises(ValueError, match="'fr'"):
        i18n.use_language("fr")


@pytest.mark.parametrize("path", [BPKIT_PO] + [editions.catalog_path(lesson.slug, COURSE_ROOT)
                                               for lesson in lessons()],
                         ids=lambda p: p.name)
def test_no_translation_gives_an_answer_its_english_keeps_back(path):
    from test_no_answer_printed import answer_expressions, squeezed

    answers = {e for lesson in lessons() for e in answer_expressions(lesson.slug)}
    added = [(m.context or m.id[:50], e) for m in catalogs.load(path) if m.id and m.string
             for e in answers if e in squeezed(m.string) and e not in squeezed(m.id)]
    assert not added, f"{path.name}: translations that print an answer: {added[:10]}"
