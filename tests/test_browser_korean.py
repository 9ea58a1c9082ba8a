"""A Korean student's lesson in a real JupyterLab, driven through a real Chromium.

The Korean edition of lesson 03 (lessons/ko/03_add_mul_layers/) is served with the settings
`make lab` gives a student. Run All draws the shop graph with Korean labels; a wrong MulLayer
gets the short failure box in Korean, naming the same mistake as in English, with the hint
call to make. Screenshots go to screenshots/ (git-ignored): ko-03-1-figure.png (the figure,
its Korean text readable) and ko-03-2-wrong-answer-box.png.

Without Chromium these tests skip, except under CI (CI set), where they fail.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file
import browser_helpers as bh  # noqa: E402
import lab_server  # noqa: E402
from wrong_answers import WRONG_MUL_LAYER  # noqa: E402

pytestmark = pytest.mark.browser

LESSON = "03_add_mul_layers"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    bh.require_chromium()
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("lab-root-ko")
    source = lab_server.course_root() / "lessons" / "ko" / LESSON
    shutil.copytree(source, root / "ko" / LESSON)
    lab = lab_server.start_lab(root, tmp_path_factory.mktemp("lab-state-ko"), student=True)
    try:
        with sync_playwright() as pw:
            chromium = bh.launch_chromium(pw)
            try:
                page = bh.new_lab_page(chromium)
                bh.open_notebook(page, lab, Path("ko", LESSON, f"{LESSON}.ipynb"))
                bh.run_all(page)
                yield page
            finally:
                chromium.close()
    finally:
        lab.stop()


def test_the_lesson_text_is_korean(page):
    title = page.locator(f"{bh.NOTEBOOK} .jp-MarkdownOutput h1").first
    bh.show(title)  # cells far above the view are not drawn
    heading = title.inner_text()
    assert HANGUL.search(heading) and "레슨 03" in heading, heading


def test_the_shop_graph_has_korean_labels_that_render(page):
    cell = bh.code_cell(page, "viz.draw_graph(")
    image = cell.locator('.jp-OutputArea-output[data-mime-type="image/png"] img')
    assert image.count() == 1, bh.cell_output_text(cell)
    bh.show(image)
    image.evaluate("i => i.decode().catch(() => null)")
    assert cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0, (
        "drawing the Korean figure wrote to stderr (a missing-glyph warning?)")
    shot = bh.screenshot(page, f"ko-{LESSON[:2]}-1-figure.png")
    assert shot.is_file()


def test_a_wrong_answer_gets_the_korean_box(page):
    answer = bh.code_cell(page, "class MulLayer")
    test = bh.code_cell(page, "check_mul_layer_backward")
    bh.replace_source(page, answer, WRONG_MUL_LAYER)
    bh.run_cell(page, answer)
    box = bh.run_cell(page, test)
    bh.screenshot(page, f"ko-{LESSON[:2]}-2-wrong-answer-box.png")
    lines = [line for line in box.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 10, f"the feedback is {len(lines)} lines long:\n{box}"
    assert "Traceback" not in box and "File " not in box, box
    assert HANGUL.search(lines[0]) and HANGUL.search(box), f"the box is not Korean:\n{box}"
    assert 'hint("mul_layer")' in box, box
    assert "Check failed" not in box, box
