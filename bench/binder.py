"""How heavy is the Binder image, and how long until a student sees a cell run?

Builds the Binder environment as tests/test_binder.py does (fresh Python 3.11 venv,
`pip install -r binder/requirements.txt`, binder/postBuild from a copy of the repository),
prints its installed size (du), then starts JupyterLab from it, opens a lesson in Chromium
and times, from the moment the server answers:

    page    the notebook is on screen
    kernel  the status bar reads "Idle" (kernel started and connected)
    cell    the first code cell has run (Shift+Enter, its prompt shows [1])

Each repetition uses a new server, so every kernel starts cold. Usage:

    .venv/bin/python -m bench.binder [--lesson 03_add_mul_layers] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests import binder_build, lab_server
from tests import browser_helpers as bh


def time_first_cell(env: binder_build.BinderEnv, lesson: str, state: Path, pw) -> dict:
    server = lab_server.start_lab(env.repo, state, jupyter=env.bin("jupyter"), env=env.env())
    try:
        browser = bh.launch_chromium(pw)
        try:
            page = bh.new_lab_page(browser)
            page.goto(server.url(f"lab/workspaces/bench/tree/lessons/{lesson}/{lesson}.ipynb"))
            first = page.locator(f"{bh.NOTEBOOK} .jp-CodeCell").first
            first.wait_for()
            shown = time.monotonic()
            bh.wait_kernel_idle(page)
            idle = time.monotonic()
            first.locator(".jp-InputPrompt").click()
            page.keyboard.press("Shift+Enter")
            first.locator(".jp-InputPrompt", has_text="[1]").wait_for(timeout=120_000)
            ran = time.monotonic()
        finally:
            browser.close()
    finally:
        server.stop()
    t0 = server.ready_at
    return {"page": shown - t0, "kernel": idle - t0, "cell": ran - t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", help="lesson folder name (default: as the browser tests)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build here and keep it (must not exist)")
    args = parser.parse_args()

    lesson = args.lesson or lab_server.pick_lesson(binder_build.REPO)
    if lesson is None:
        sys.exit("no lesson in lessons/ to open")
    reason = bh.chromium_missing_reason()
    if reason:
        sys.exit(reason)

    with tempfile.TemporaryDirectory(prefix="bpkit-binder-bench-") as tmp:
        root = args.keep or Path(tmp) / "image"
        start = time.monotonic()
        env = binder_build.build(root)
        build_s = time.monotonic() - start
        venv_mb = binder_build.installed_size(env.venv) / 1e6
        site = next(env.venv.glob("lib/python*/site-packages"))
        site_mb = binder_build.installed_size(site) / 1e6
        print(f"Binder environment: built in {build_s:.0f} s (pip from the registry, postBuild)")
        print(f"  installed size (du of the venv):   {venv_mb:7.1f} MB")
        print(f"    of which site-packages:          {site_mb:7.1f} MB")

        from playwright.sync_api import sync_playwright

        runs = []
        with sync_playwright() as pw:
            for i in range(args.repeat):
                runs.append(time_first_cell(env, lesson, Path(tmp) / f"lab{i}", pw))
        print(f"JupyterLab from that environment, lesson {lesson}, {args.repeat} cold starts")
        print("  seconds after the server is ready    median    min    max")
        for key, label in (("page", "notebook on screen"), ("kernel", "kernel idle"),
                           ("cell", "first code cell executed")):
            values = [r[key] for r in runs]
            print(f"  {label:<34} {statistics.median(values):6.1f} {min(values):6.1f}"
                  f" {max(values):6.1f}")


if __name__ == "__main__":
    main()
