"""The glossary of the notes' Korean terms (issue 15): every entry has a Korean and an English
form, it holds the terms the course uses, it is the generated copy of docs/glossary.md that
JupyterLab can open (lessons/GLOSSARY.md), and every link to it from a lesson or the README
resolves to the file and to one of its entries."""

import json
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.lesson00, pytest.mark.lesson01, pytest.mark.lesson02]

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "docs" / "glossary.md"
GLOSSARY = REPO / "lessons" / "GLOSSARY.md"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LINK = re.compile(r"\]\(([^)\s]*GLOSSARY\.md)(?:#([^)\s]*))?\)")
# The notes' terms the lessons use (the brief of issue 15 names these).
REQUIRED = ["역전파", "순전파", "계산 그래프", "국소적 계산", "연쇄법칙", "기울기", "수치 미분",
            "학습률", "가중치", "편향", "손실 함수", "미니배치", "분기", "덧셈 노드", "곱셈 노드",
            "교차 엔트로피 오차", "오차제곱합", "경사 하강법"]


def entries(text):
    """{anchor: (heading, korean, english)} from the `### heading` lines and the line below each;
    the anchor is the heading's id (lowercase, spaces as hyphens)."""
    found = {}
    for match in re.finditer(r"^### (.+)\n\*\*(.+?)\*\*(.*?) · (.+?) — ", text, re.M):
        heading, korean, also, english = match.groups()
        found[anchor_of(heading)] = (heading.strip(), korean + also, english)
    return found


def anchor_of(english):
    """The heading id JupyterLab and GitHub both give a lowercase ASCII heading."""
    return re.sub(r"\s*\(.*\)", "", english).strip().lower().replace(" ", "-")


def test_every_entry_has_a_korean_and_an_english_form_and_its_heading_is_the_english():
    text = GLOSSARY.read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", text, re.M)
    found = entries(text)
    assert len(found) == len(headings) >= 20, sorted(set(headings) - set(found))
    for anchor, (heading, korean, english) in found.items():
        assert HANGUL.search(korean), anchor
        # Lowercase ASCII words: JupyterLab and GitHub then give the heading the same id.
        assert re.fullmatch(r"[a-z][a-z -]*", heading), heading
        assert re.search(r"[A-Za-z]", english) and not HANGUL.search(english), anchor
        assert anchor == anchor_of(english), (anchor, english)


def test_the_terms_the_course_uses_are_there():
    korean = " ".join(k for _, k, _ in entries(GLOSSARY.read_text(encoding="utf-8")).values())
    assert [term for term in REQUIRED if term not in korean] == []


def test_lessons_holds_the_generated_copy_of_docs_glossary():
    generated = GLOSSARY.read_text(encoding="utf-8")
    first, rest = generated.split("\n", 1)
    assert first.startswith("<!-- generated from docs/glossary.md by `make lessons`")
    assert rest == SOURCE.read_text(encoding="utf-8"), "run make lessons"


def markdown_of(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def links():
    """(where, folder the link is relative to, path, anchor) for every link to the glossary."""
    sources = [(REPO / "README.md", REPO, REPO.joinpath("README.md").read_text(encoding="utf-8"))]
    sources += [(nb, nb.parent, markdown_of(nb)) for nb in sorted(REPO.glob("lessons/*/*.ipynb"))]
    for where, folder, text in sources:
        for path, anchor in LINK.findall(text):
            yield where.relative_to(REPO).as_posix(), folder, path, anchor


def test_every_link_to_the_glossary_resolves_to_the_file_and_an_entry():
    anchors = set(entries(GLOSSARY.read_text(encoding="utf-8")))
    broken = [(where, path, anchor) for where, folder, path, anchor in links()
              if (folder / path).resolve() != GLOSSARY.resolve()
              or (anchor and anchor not in anchors)]
    assert broken == []


@pytest.mark.parametrize("where", [
    "README.md", "lessons/00_getting_started/00_getting_started.ipynb",
    "lessons/01_computation_graph/01_computation_graph.ipynb",
    "lessons/02_chain_rule/02_chain_rule.ipynb"])
def test_the_readme_and_lessons_00_to_02_link_to_it(where):
    assert any(w == where for w, *_ in links())
