"""A student's session in a real JupyterLab, driven through a real Chromium.

One server (from .venv) serves a copy of one lesson: the blank notebook a student gets and a
completed copy whose blanks hold the solution's code. The completed lesson must run from top
to bottom without an error, draw its figures, answer a slider, and pass nbgrader's Validate
button; the blank one must fail it. Screenshots go to screenshots/ (git-ignored).

Without Chromium these tests skip, except under CI (CI set), where they fail.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file
import browser_helpers as bh  # noqa: E402
import lab_server  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lesson():
    bh.require_chromium()
    name = lab_server.pick_lesson()
    if name is None:
        pytest.fail(f"no lesson with a solution under {lab_server.course_root()} to open")
    return name


@pytest.fixture(scope="module")
def staged(lesson, tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-root")
    blank, completed = lab_server.stage_lesson(lesson, root)
    return root, blank, completed


@pytest.fixture(scope="module")
def server(staged, tmp_path_factory):
    lab = lab_server.start_lab(staged[0], tmp_path_factory.mktemp("lab-state"))
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = bh.launch_chromium(pw)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def completed_page(browser, server, staged, lesson):
    """The completed lesson after Run > Run All Cells has finished."""
    page = bh.new_lab_page(browser)
    bh.open_notebook(page, server, staged[2])
    cells = bh.run_all(page)
    bh.screenshot(page, f"{lesson}-1-run-all.png")
    yield page, cells
    page.close()


def test_run_all_finishes_without_errors(completed_page):
    page, cells = completed_page
    errors = bh.error_outputs(page)
    assert not errors, "outputs shown as errors after Run All:\n" + "\n---\n".join(errors)
    # Run All stops at the first failing cell; every cell with code must have run.
    not_run = [c["source"][:80] for c in cells if c["source"].strip() and "[ ]" in c["prompt"]]
    assert not not_run, f"cells that never ran: {not_run}"
    assert sum(1 for c in cells if any(ch.isdigit() for ch in c["prompt"])) >= 2


def test_a_figure_is_drawn(completed_page, lesson):
    page, _ = completed_page
    images = bh.rendered_images(page)
    assert images, "no image/png output (a matplotlib figure) was rendered"
    # A decoded figure has a size; a broken image has 0 x 0.
    assert all(i["w"] > 50 and i["h"] > 50 for i in images), images
    bh.show(bh.first_image(page))
    bh.screenshot(page, f"{lesson}-2-figure.png")


def test_a_slider_changes_what_the_kernel_shows(completed_page, lesson):
    page, _ = completed_page
    sliders = bh.slider_cells(page)
    assert sliders.count() > 0, "the lesson shows no ipywidgets slider"
    cell = sliders.first
    bh.show(cell.locator('.widget-slider').first)
    bh.screenshot(page, f"{lesson}-3-slider-before.png")
    before, after = bh.nudge_slider(page, cell)
    bh.screenshot(page, f"{lesson}-4-slider-after.png")
    assert after != before
    assert not bh.error_outputs(page), "moving the slider raised an error"


def test_validate_passes_the_completed_lesson(completed_page, lesson):
    page, _ = completed_page
    title, text = bh.press_validate(page)
    bh.screenshot(page, f"{lesson}-5-validate-completed.png")
    bh.close_dialog(page)
    assert title == "Validation Results", text
    assert text.startswith("[validation-success]"), text
    assert "Success! Your notebook passes all the tests." in text


def test_validate_fails_the_blank_lesson(browser, server, staged, lesson):
    page = bh.new_lab_page(browser)
    try:
        bh.open_notebook(page, server, staged[1])
        title, text = bh.press_validate(page)
        bh.screenshot(page, f"{lesson}-6-validate-blank.png")
        bh.close_dialog(page)
    finally:
        page.close()
    assert title == "Validation Results", text
    assert text.startswith("[validation-failed]"), text
    assert "The following cell failed:" in text


def test_stopping_the_server_ends_it_and_its_kernels(tmp_path):
    """No JupyterLab or kernel is left running after a test, even one that started kernels."""
    import psutil

    (tmp_path / "root").mkdir()
    lab = lab_server.start_lab(tmp_path / "root", tmp_path / "state")
    try:
        status, body = lab.post("api/kernels", {"name": "python3"})
        assert status == 201, body
        kernels = []
        deadline = time.monotonic() + 60
        while not kernels and time.monotonic() < deadline:
            kernels = [p for p in psutil.Process(lab.proc.pid).children(recursive=True)
                       if "ipykernel" in " ".join(p.cmdline())]
            time.sleep(0.2)
        assert kernels, "the kernel process never appeared"
    finally:
        lab.stop()
    gone, alive = psutil.wait_procs(kernels, timeout=10)
    assert not alive, f"kernels still running after stop(): {alive}"
    with pytest.raises(ProcessLookupError):  # nothing is left in the server's process group
        os.killpg(lab.proc.pid, 0)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", lab.port), timeout=2):
        pass
