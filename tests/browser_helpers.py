"""What a person does in JupyterLab, done by Debian's Chromium driven by Playwright.

Open a notebook, Run All, look at the outputs, move a slider, press Validate, take a
screenshot. Nothing is mocked: the page is a real JupyterLab (see lab_server.py) with real
kernels. Shared by tests/test_browser.py, tests/test_binder.py and bench/binder.py.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

try:  # pytest imports the helpers beside the tests; bench/binder.py as the package ``tests``
    from .lab_server import REPO, LabServer
except ImportError:
    from lab_server import REPO, LabServer

CHROMIUM = Path(os.environ.get("BPKIT_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "screenshots"  # git-ignored
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# --- the browser --------------------------------------------------------------------------

def under_ci() -> bool:
    """CI=true (or any value but empty/0/false/no): missing tools fail tests instead of skipping."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_chromium() -> None:
    """Skip the calling test if Chromium or Playwright is missing; fail instead under CI."""
    import pytest

    reason = chromium_missing_reason()
    if reason and under_ci():
        pytest.fail(f"CI must run the browser tests, but {reason}")
    if reason:
        pytest.skip(reason)


def chromium_missing_reason() -> str | None:
    if not CHROMIUM.exists():
        return (f"no Chromium at {CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium)"
                " or point BPKIT_CHROMIUM at one")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    return None


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def new_lab_page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    return page


# --- what a person does in JupyterLab -------------------------------------------------------

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
INDICATOR = f"{NOTEBOOK} .jp-Notebook-ExecutionIndicator"


def open_notebook(page, server: LabServer, path: Path | str, timeout: float = 120) -> None:
    """Open a notebook by URL, alone in a fresh workspace, and wait until its kernel is idle.

    A fresh workspace: otherwise JupyterLab restores the tabs of the previous page, and the
    notebook a test means may not be the one in front.
    """
    workspace = f"t{secrets.token_hex(4)}"
    page.goto(server.url(f"lab/workspaces/{workspace}/tree/{Path(path).as_posix()}"))
    page.locator(f"{NOTEBOOK} .jp-Notebook .jp-Cell").first.wait_for(timeout=timeout * 1000)
    wait_kernel_idle(page, timeout)


def wait_kernel_idle(page, timeout: float = 120) -> None:
    """Wait for the status bar to read '<kernel> | Idle', as a person would.

    The notebook's execution indicator alone says "idle" for a moment before any kernel is
    connected (then "connecting", "unknown", "idle"); cells run in that moment are dropped.
    """
    page.wait_for_function(
        """sel => {
            const bar = document.querySelector('#jp-main-statusbar');
            const ind = document.querySelector(sel);
            return bar && ind && ind.dataset.status === 'idle'
                && /\\S \\| Idle/.test(bar.innerText) && !/No Kernel/.test(bar.innerText);
        }""",
        arg=INDICATOR, timeout=timeout * 1000, polling=100,
    )


def menu_command(page, menu: str, item: str) -> None:
    """Click a top-level menu, then one of its items, by the labels a person reads."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled)").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$"))
    ).click()


_PROMPTS_JS = """sel => [...document.querySelectorAll(sel + ' .jp-CodeCell')].map(cell => ({
    prompt: (cell.querySelector('.jp-InputPrompt') || {}).innerText || '',
    source: (cell.querySelector('.cm-content') || {}).innerText || '',
}))"""


def code_cells(page) -> list[dict]:
    """Each code cell's prompt ('[3]:', '[*]:', '[ ]:') and source as shown."""
    return page.evaluate(_PROMPTS_JS, NOTEBOOK)


def run_all(page, timeout: float = 300) -> list[dict]:
    """Run > Run All Cells, then wait until it has started, nothing is queued, kernel idle."""
    menu_command(page, "Run", "Run All Cells")
    started = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cells = code_cells(page)
        prompts = [c["prompt"] for c in cells]
        # Running cells show '[*]'; so does a cell waiting in the queue.
        started = started or any(re.search(r"\[[\d*]+\]", p) for p in prompts)
        status = page.locator(INDICATOR).get_attribute("data-status")
        if started and status == "idle" and not any("*" in p for p in prompts):
            return cells
        time.sleep(0.5)
    raise TimeoutError(f"Run All did not finish in {timeout} s")


ERROR_OUTPUTS = (
    f'{NOTEBOOK} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
)


def error_outputs(page) -> list[str]:
    """Texts of outputs JupyterLab shows as errors or stderr (tracebacks land here)."""
    return page.locator(ERROR_OUTPUTS).all_inner_texts()


PNG_IMAGES = f'{NOTEBOOK} .jp-OutputArea-output[data-mime-type="image/png"] img'


def show(locator) -> None:
    """Scroll an element to the middle of the notebook, where a person would look at it."""
    locator.evaluate("e => e.scrollIntoView({block: 'center'})")


def first_image(page):
    return page.locator(PNG_IMAGES).first


def rendered_images(page) -> list[dict]:
    """Every <img> from an image/png output, with the size it was decoded to."""
    imgs = page.locator(PNG_IMAGES)
    found = []
    for i in range(imgs.count()):
        img = imgs.nth(i)
        img.scroll_into_view_if_needed()
        img.evaluate("i => i.decode().catch(() => null)")
        found.append(img.evaluate("i => ({w: i.naturalWidth, h: i.naturalHeight})"))
    return found


# What a person sees of a cell's outputs, minus the slider's own number (which the browser
# updates without asking the kernel): text plus every image's data.
_OUTPUT_LOOK_JS = """cell => {
    const area = cell.querySelector('.jp-OutputArea');
    const copy = area.cloneNode(true);
    copy.querySelectorAll('.widget-readout').forEach(n => n.remove());
    const images = [...area.querySelectorAll('img')].map(i => i.src);
    return copy.textContent + '\\n' + images.join('\\n');
}"""


def slider_cells(page):
    """Code cells whose output holds an ipywidgets slider."""
    return page.locator(f"{NOTEBOOK} .jp-CodeCell").filter(
        has=page.locator(".jp-OutputArea .widget-slider .noUi-handle")
    )


def output_look(cell) -> str:
    return cell.evaluate(_OUTPUT_LOOK_JS)


def nudge_slider(page, cell, key: str = "ArrowRight", timeout: float = 60) -> tuple[str, str]:
    """Move the cell's first slider one step with the keyboard; wait for the outputs to change.

    Returns the outputs' look before and after. Raises TimeoutError if they never change.
    """
    before = output_look(cell)
    handle = cell.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press(key)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        after = output_look(cell)
        if after != before and "*" not in (cell.locator(".jp-InputPrompt").inner_text()):
            time.sleep(0.5)  # let a redraw that is still arriving finish
            return before, output_look(cell)
        time.sleep(0.25)
    raise TimeoutError(f"the outputs did not change within {timeout} s of pressing {key}")


def press_validate(page, timeout: float = 300) -> tuple[str, str]:
    """Click nbgrader's Validate button; return the dialog's title and its verdict and text."""
    page.locator(f"{NOTEBOOK} .jp-Toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=timeout * 1000)
    title = dialog.locator(".jp-Dialog-header").inner_text()
    body = dialog.locator(".jp-Dialog-body")
    verdict = body.evaluate(
        "b => ['validation-success', 'validation-failed', 'validation-changed',"
        " 'validation-type-changed'].find(c => b.matches('.' + c) || b.querySelector('.' + c))"
        " || 'none'"
    )
    return title, f"[{verdict}]\n" + body.inner_text()


def close_dialog(page) -> None:
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-Dialog").wait_for(state="detached")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    # JupyterLab paints cells that just scrolled into view on a later frame (CSS
    # content-visibility); without waiting, the picture can be an empty notebook.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 300)))")
    page.screenshot(path=str(path))
    return path


# --- what a student does in one cell ----------------------------------------------------------

DIRTY_TAB = ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current.jp-mod-dirty"


def is_dirty(page) -> bool:
    """True when the notebook's tab shows the unsaved-changes dot."""
    return page.locator(DIRTY_TAB).count() > 0


def code_cell(page, containing: str):
    """The first code cell whose source contains the text."""
    return page.locator(f"{NOTEBOOK} .jp-CodeCell").filter(
        has=page.locator(".cm-content", has_text=containing)).first


def last_code_cell(page):
    return page.locator(f"{NOTEBOOK} .jp-CodeCell").last


def replace_source(page, cell, source: str) -> None:
    """Select everything in the cell's editor and put ``source`` in its place, as a paste does."""
    show(cell)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def run_cell(page, cell, timeout: float = 300) -> str:
    """Run the cell with Ctrl+Enter; wait until it has a number and the kernel is idle.

    Returns the text of its outputs, as shown.
    """
    show(cell)
    cell.locator(".cm-content").click()
    before = cell.locator(".jp-InputPrompt").inner_text()
    page.keyboard.press("Control+Enter")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        prompt = cell.locator(".jp-InputPrompt").inner_text()
        if re.search(r"\[\d+\]", prompt) and prompt != before:
            break
        time.sleep(0.2)
    else:
        raise TimeoutError(f"the cell did not finish in {timeout} s")
    wait_kernel_idle(page, timeout)
    return cell_output_text(cell)


def cell_output_text(cell) -> str:
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())


def add_cell_at_end(page, source: str):
    """Add a code cell below the last one and type ``source`` into it; returns the cell."""
    last = last_code_cell(page)
    show(last)
    last.locator(".cm-content").click()
    page.keyboard.press("Escape")
    page.locator(f"{NOTEBOOK} .jp-Cell").last.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # command mode: insert a cell below
    cell = last_code_cell(page)
    cell.locator(".cm-content").click()
    page.keyboard.insert_text(source)
    return cell


def save(page, timeout: float = 30) -> None:
    """Ctrl+S, then wait for the unsaved-changes dot to go."""
    page.keyboard.press("Control+s")
    page.wait_for_function(f"() => !document.querySelector({DIRTY_TAB!r})",
                           timeout=timeout * 1000)


def file_browser_names(page) -> list[str]:
    page.locator(".jp-DirListing-item").first.wait_for()
    return page.locator(".jp-DirListing-itemName").all_inner_texts()


def menu_titles(page) -> list[str]:
    return page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
