"""A student's session in a real JupyterLab, driven through a real Chromium.

One server (from .venv, with the settings `make lab` gives a student) serves a copy of one
lesson: the blank notebook a student gets and a completed copy whose blanks hold the solution's
code. The completed lesson must run from top to bottom without an error, draw its figures,
answer a slider, and pass nbgrader's Validate button; the blank one must fail it.

Then the student's first hour, step by step: `make lab` prints an address that opens on the
lessons with no instructor menus; the blank lesson opens with no unsaved-changes dot, Run All
reaches its last cell and its first graph is an image; a wrong answer gets a short box, the
fixed one a ✓ line; grade_me runs twice in the same kernel. Screenshots go to screenshots/
(git-ignored).

Without Chromium these tests skip, except under CI (CI set), where they fail.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file
import browser_helpers as bh  # noqa: E402
import lab_server  # noqa: E402
from wrong_answers import WRONG_MUL_LAYER  # noqa: E402

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
    lab = lab_server.start_lab(staged[0], tmp_path_factory.mktemp("lab-state"), student=True)
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


# --- the student's first hour, on the blank lesson ---------------------------------------------

@pytest.fixture(scope="module")
def blank_page(browser, server, staged, lesson):
    """The blank lesson, just opened: (page, was it marked modified on opening?)."""
    page = bh.new_lab_page(browser)
    bh.open_notebook(page, server, staged[1])
    time.sleep(2)  # the kernel's info arrives after "Idle"; that is when the dot used to appear
    dirty = bh.is_dirty(page)
    bh.screenshot(page, f"{lesson}-7-blank-opened.png")
    yield page, dirty
    page.close()


def test_a_lesson_opens_without_the_unsaved_changes_dot(blank_page):
    page, dirty_on_opening = blank_page
    assert not dirty_on_opening, "the lesson was marked modified as soon as it opened"


def test_run_all_on_the_blank_lesson_reaches_the_last_cell(blank_page, lesson):
    page, _ = blank_page
    cells = bh.run_all(page)
    bh.screenshot(page, f"{lesson}-8-blank-run-all.png")
    not_run = [c["source"][:80] for c in cells if c["source"].strip() and "[ ]" in c["prompt"]]
    assert not not_run, f"Run All stopped; cells that never ran: {not_run}"
    texts = page.locator(f"{bh.NOTEBOOK} .jp-OutputArea-output").all_inner_texts()
    assert not [t for t in texts if "NameError" in t], "a cell failed with a NameError"
    assert not [t for t in texts if "<Figure size" in t], "a figure is shown as text"


def test_the_first_graph_of_the_lesson_is_an_image(blank_page, lesson):
    page, _ = blank_page
    cell = bh.code_cell(page, "viz.draw_graph(")
    image = cell.locator('.jp-OutputArea-output[data-mime-type="image/png"] img')
    assert image.count() == 1, bh.cell_output_text(cell)
    bh.show(image)
    image.evaluate("i => i.decode().catch(() => null)")
    size = image.evaluate("i => ({w: i.naturalWidth, h: i.naturalHeight})")
    assert size["w"] > 300 and size["h"] > 100, size
    bh.screenshot(page, f"{lesson}-9-first-graph.png")




def test_a_wrong_answer_shows_a_short_box_and_the_fixed_one_a_tick(blank_page, staged, lesson):
    if not lesson.startswith("03"):
        pytest.skip("written for lesson 03's MulLayer")
    page, _ = blank_page
    answer = bh.code_cell(page, "class MulLayer")
    test = bh.code_cell(page, "check_mul_layer_backward")
    bh.replace_source(page, answer, WRONG_MUL_LAYER)
    bh.run_cell(page, answer)
    box = bh.run_cell(page, test)
    bh.screenshot(page, f"{lesson}-10-wrong-answer-box.png")
    lines = [line for line in box.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 8, f"the feedback is {len(lines)} lines long:\n{box}"
    assert "Traceback" not in box and "bpkit/checks" not in box and "File " not in box, box
    assert "dx = dout * y" not in box, box  # the answer is never in the feedback
    assert 'hint("mul_layer")' in box, box

    solution = lab_server.course_root() / "solutions" / lesson / f"{lesson}.ipynb"
    right = next(c.source for c in nbformat.read(solution, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "mul_layer")
    bh.replace_source(page, answer, right)
    bh.run_cell(page, answer)
    tick = bh.run_cell(page, test)
    bh.screenshot(page, f"{lesson}-11-fixed-answer-tick.png")
    assert tick.strip().startswith("✓ MulLayer.backward"), tick
    assert len(tick.strip().splitlines()) == 1, tick


def test_grade_me_twice_in_the_same_kernel(blank_page, staged, lesson):
    page, _ = blank_page
    name = staged[1].name
    cell = bh.add_cell_at_end(page, f'from autograder import grade_me\ngrade_me("{lesson[:2]}", '
                                    f'"{name}")')
    bh.save(page)
    outputs = []
    for attempt in (1, 2):
        outputs.append(bh.run_cell(page, cell, timeout=600))
        bh.screenshot(page, f"{lesson}-{11 + attempt}-grade-me-{attempt}.png")
    for text in outputs:
        assert text.startswith(f"Grading the saved copy of lesson {lesson[:2]} ({name}"), text
        assert "test 1 of" in text and "Score:" in text, text
        assert "Note:" not in text, text  # the saved grade_me cell is not counted as tampering
    assert cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0


# --- make lab ---------------------------------------------------------------------------------

def test_make_lab_prints_an_address_that_opens_on_the_lessons_without_instructor_menus(
        browser, tmp_path):
    """`make lab` itself, as a student types it (as root here when the tests run as root)."""
    import re
    import signal
    import subprocess

    port = lab_server.free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    log = tmp_path / "make-lab.log"
    # The stamp as the Makefile names it (relative): an absolute path is another target to make,
    # which would rebuild the environment.
    stamp = ".venv/.installed"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["make", "-o", stamp, "lab",
             f"LAB_ARGS=--no-browser --ServerApp.port={port} --ServerApp.port_retries=0"],
            cwd=lab_server.REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline, url = time.monotonic() + 120, None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            # The address with the token Jupyter made up, as the student copies it.
            found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=([0-9a-f]+)",
                              log.read_text())
            url, token = (found.group(0), found.group(1)) if found else (None, None)
            time.sleep(0.5)
        assert url, f"make lab printed no address:\n{log.read_text()[-3000:]}"
        page = bh.new_lab_page(browser)
        try:
            page.goto(url)
            names = bh.file_browser_names(page)
            page.locator(".lm-MenuBar-itemLabel").first.wait_for()
            time.sleep(1)
            menus = bh.menu_titles(page)
            panels = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
                "tabs => tabs.map(t => t.title || t.innerText)")
            bh.screenshot(page, "make-lab.png")
        finally:
            page.close()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}") as r:
            assert r.status == 200
        for path in ("formgrader", "assignments", "courses"):
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}?token={token}")
            assert missing.value.code == 404, path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    output = log.read_text()
    assert "Running as root is not recommended" not in output
    assert "Editable installation" not in output
    # The lesson folders, the glossary they link to and the Korean edition, nothing else.
    assert names == lab_server.lessons_with_solutions() + ["ko", "GLOSSARY.md"], names
    assert "solutions" not in names
    assert "Nbgrader" not in menus, menus
    assert not [p for p in panels if "Assignment" in p or "Nbgrader" in p], panels


def _command_line(process) -> list[str]:
    """A child's command line; none for one that exited while the children were listed (the
    server's short-lived helpers do), which psutil reports as a zombie or as gone."""
    import psutil

    try:
        return process.cmdline()
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return []


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
                       if "ipykernel" in " ".join(_command_line(p))]
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
