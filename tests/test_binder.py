"""The Binder image, built as repo2docker would build it (minus Docker), works for a student.

A fresh Python 3.11 venv gets `pip install -r binder/requirements.txt` (from the package
registry) and `binder/postBuild` run from a copy of the repository. In it every solution must
pass `nbgrader validate`, the widget manager and the Validate button must be on, and the
nbgrader pieces that need an exchange or a course database must be off, in the extension
lists and in a running JupyterLab. Takes a minute or two, most of it pip.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside this file
import binder_build  # noqa: E402
import browser_helpers as bh  # noqa: E402
import lab_server  # noqa: E402
from validate_runs import PASSED, selected, validate_many  # noqa: E402

pytestmark = pytest.mark.binder

REPO = binder_build.REPO
DIRECT_DEPENDENCIES = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbgrader", "babel")
WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager"
VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"
# Need an exchange or a gradebook, which a one-person Binder server does not have.
OFF_PLUGINS = {
    "@jupyter/nbgrader:menu", "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
}
OFF_SERVER = {f"nbgrader.server_extensions.{n}"
              for n in ("formgrader", "assignment_list", "course_list")}
ON_SERVER = "nbgrader.server_extensions.validate_assignment"
SOLUTIONS = sorted(p.relative_to(REPO) for p in REPO.glob("solutions/*/*.ipynb")
                   if p.stem == p.parent.name)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def pins() -> dict[str, str]:
    found = {}
    for line in (REPO / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"binder/requirements.txt: {line!r} is not pinned with =="
            found[canonicalize_name(name)] = version
    return found


# --- the files themselves (no build needed) -----------------------------------------------

def test_runtime_asks_for_python_311():
    assert (REPO / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_requirements_pin_the_versions_ci_tests():
    pinned = pins()
    missing = [d for d in DIRECT_DEPENDENCIES if d not in pinned]
    assert not missing, f"binder/requirements.txt does not pin {missing}"
    # The tests run in the environment CI builds; Binder must get the same versions.
    drift = {}
    for name, version in pinned.items():
        try:
            tested = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            tested = "not installed"
        if tested != version:
            drift[name] = f"binder {version}, CI {tested}"
    assert not drift, f"binder/requirements.txt differs from the tested environment: {drift}"


def test_every_pin_installs_on_the_oldest_python_the_course_supports():
    """`make lab` on Debian 12's Python 3.11.2 failed: soupsieve 4.1.3 needs 3.11.5."""
    sys.path.insert(0, str(REPO / "binder"))
    import update_pins

    oldest = update_pins.lowest_python()
    assert oldest == "3.11.0"
    closure = {name: (name, version) for name, version in pins().items()}
    blocked = update_pins.too_new(closure, oldest)
    assert not blocked, f"pins that Python {oldest} cannot install: {blocked}"


def test_the_pins_keep_jsonschema_below_its_slow_iri_check():
    """jsonschema 4.25+ compiles an IRI grammar at every import (via rfc3987-syntax): 1.7 s
    more for each nbgrader command. The pins hold it back, and pull in no rfc3987-syntax."""
    sys.path.insert(0, str(REPO / "binder"))
    import update_pins

    closure = {name.lower(): (name, version) for name, version in pins().items()}
    assert update_pins.not_held_back(closure) == []
    assert "rfc3987-syntax" not in closure
    too_new = {"jsonschema": ("jsonschema", "4.26.0")}
    assert update_pins.not_held_back(too_new) == [("jsonschema", "4.26.0", "<4.25")]


def test_postbuild_stops_at_the_first_failure():
    postbuild = REPO / "binder" / "postBuild"
    assert os.access(postbuild, os.X_OK), "binder/postBuild must be executable"
    commands = [ln.strip() for ln in postbuild.read_text().splitlines()
                if ln.strip() and not ln.lstrip().startswith("#")]
    assert re.match(r"set -e", commands[0]), "postBuild must start with `set -e`"


# --- the built environment ----------------------------------------------------------------

def test_apt_txt_installs_a_font_with_hangul():
    """A full Hangul font on Binder, besides the subset bpkit ships."""
    assert "fonts-noto-cjk" in binder_build.apt_packages()


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    missing = binder_build.missing_apt_packages()
    if missing:
        pytest.skip(f"binder/apt.txt's {', '.join(missing)} not installed here "
                    f"(apt install {' '.join(missing)})")
    env = binder_build.build(tmp_path_factory.mktemp("binder") / "image")
    yield env
    # Half a gigabyte per run; pytest would keep the last three runs' copies.
    shutil.rmtree(env.root, ignore_errors=True)


def test_the_image_holds_exactly_the_pinned_versions(binder_env):
    proc = binder_env.run(binder_env.bin("python"), "-m", "pip", "list", "--format=json")
    installed = {canonicalize_name(p["name"]): p["version"] for p in json.loads(proc.stdout)}
    wrong = {n: (v, installed.get(n)) for n, v in pins().items() if installed.get(n) != v}
    assert not wrong, f"pinned vs installed: {wrong}"
    check = binder_env.run(binder_env.bin("python"), "-m", "pip", "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_font_cache_built_by_postbuild_lists_a_hangul_font(binder_env):
    """postBuild builds matplotlib's font cache after apt.txt's fonts are in: Korean figures."""
    proc = binder_env.run(binder_env.bin("python"), "-c",
                          "from matplotlib import font_manager; "
                          "print(sorted({f.name for f in font_manager.fontManager.ttflist}))")
    assert proc.returncode == 0, proc.stderr
    assert "Noto Sans CJK KR" in proc.stdout or "Noto Sans CJK JP" in proc.stdout, proc.stdout


def test_the_course_imports_from_the_repository(binder_env):
    proc = binder_env.run(binder_env.bin("python"), "-c",
                          "import bpkit, autograder; print(bpkit.__file__)", cwd=binder_env.root)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(binder_env.repo)


def test_lab_extensions_only_the_single_user_ones_are_on(binder_env):
    proc = binder_env.run(binder_env.bin("jupyter"), "labextension", "list")
    text = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, text
    for ext in (WIDGET_MANAGER, "@jupyter/nbgrader"):
        assert re.search(rf"^\s+{re.escape(ext)} v\S+ enabled\s+OK", text, re.M), text
    assert "Disabled extensions:" in text, text
    disabled = set(re.findall(r"^\s+(@\S+)\s*$", text.split("Disabled extensions:")[1], re.M))
    assert disabled == OFF_PLUGINS, text
    assert VALIDATE_PLUGIN not in text  # neither listed as disabled nor as a problem
    assert not re.search(r"\bX\b|incompatible|not compatible|error", text, re.I), text


def test_server_extensions_only_validate_is_on(binder_env):
    proc = binder_env.run(binder_env.bin("jupyter"), "server", "extension", "list")
    text = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, text
    state = dict(re.findall(r"^\s+(nbgrader\.\S+) (enabled|disabled)\s*$", text, re.M))
    assert state.get(ON_SERVER) == "enabled", text
    assert {name: state.get(name) for name in OFF_SERVER} == dict.fromkeys(OFF_SERVER,
                                                                             "disabled"), text
    assert not re.search(r"\bX\b|error", text, re.I), text


def test_there_are_solutions_to_validate():
    assert SOLUTIONS, "no solutions/NN_topic/NN_topic.ipynb in the repository"


@pytest.fixture(scope="module")
def validated_in_the_image(binder_env, request):
    """One `nbgrader validate` of the image over every selected solution (validate_runs.py)."""
    return validate_many([binder_env.repo / s for s in selected(request, "solution")],
                         command=[binder_env.bin("nbgrader")], env=binder_env.env(),
                         cwd=binder_env.repo)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.parent.name for p in SOLUTIONS])
def test_every_solution_executes_and_validates(binder_env, solution, validated_in_the_image):
    output = validated_in_the_image[(binder_env.repo / solution).resolve()]
    assert PASSED in output, output[-3000:]


def completed_copy(env, lesson: str, suffix: str) -> Path:
    """A student's finished notebook, beside the blank one in the image's copy of the course."""
    folder = env.repo / "lessons" / lesson
    target = folder / f"{lesson}_{suffix}.ipynb"
    solution = env.repo / "solutions" / lesson / f"{lesson}.ipynb"
    nbformat.write(lab_server.completed_lesson(folder / f"{lesson}.ipynb", solution), target)
    return target


def test_grade_me_scores_a_lesson_inside_the_image(binder_env):
    """The self-study path: one call in a notebook cell grades the saved lesson."""
    lesson = lab_server.pick_lesson(REPO)
    if lesson is None:
        pytest.fail("no lesson to grade")
    done = completed_copy(binder_env, lesson, "graded")
    folder = done.parent
    scores = {}
    for name, path in (("completed", done.name), ("blank", f"{lesson}.ipynb")):
        code = f"from autograder import grade_me; grade_me({lesson[:2]!r}, {path!r})"
        proc = binder_env.run(binder_env.bin("python"), "-c", code, cwd=folder)
        found = re.search(r"Score: ([\d.]+)/([\d.]+)", proc.stdout)
        assert found, f"no score for the {name} lesson:\n{proc.stdout}{proc.stderr}"
        scores[name] = (float(found[1]), float(found[2]))
    total = scores["completed"][1]
    assert total > 0 and scores["completed"] == (total, total), scores
    assert scores["blank"] == (0.0, total), scores


@pytest.fixture(scope="module")
def binder_lab(binder_env, tmp_path_factory):
    """JupyterLab started from the image, on the repository as Binder serves it."""
    server = lab_server.start_lab(binder_env.repo, tmp_path_factory.mktemp("binder-lab"),
                          jupyter=binder_env.bin("jupyter"), env=binder_env.env())
    try:
        yield server
    finally:
        server.stop()


def _page_config(server) -> dict:
    status, html = server.get("lab")
    assert status == 200, html[:500]
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found, "no page config in /lab"
    return json.loads(found[1])


def test_running_lab_serves_validate_but_not_the_course_tools(binder_lab):
    config = _page_config(binder_lab)
    assert OFF_PLUGINS <= set(config["disabledExtensions"])
    assert VALIDATE_PLUGIN not in config["disabledExtensions"]
    loaded = {ext["name"] for ext in config["federated_extensions"]}
    assert {WIDGET_MANAGER, "@jupyter/nbgrader"} <= loaded
    status, body = binder_lab.get("nbgrader_version?version=0.9.6")
    assert status == 200 and json.loads(body)["success"] is True, body
    for gone in ("formgrader", "assignments", "courses"):
        assert binder_lab.get(gone)[0] == 404, f"/{gone} should not be served on Binder"


def test_in_the_browser_widgets_plots_and_validate_work_without_course_tools(binder_lab,
                                                                            binder_env):
    bh.require_chromium()
    lesson = lab_server.pick_lesson(REPO)
    if lesson is None:
        pytest.fail("no lesson to open")
    completed_copy(binder_env, lesson, "completed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = bh.launch_chromium(pw)
        try:
            page = bh.new_lab_page(browser)
            bh.open_notebook(page, binder_lab, f"lessons/{lesson}/{lesson}_completed.ipynb")
            time.sleep(2)  # the kernel's info arrives after "Idle"; then the dot used to appear
            dirty_on_opening = bh.is_dirty(page)
            menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
            create_assignment = page.get_by_text("Create Assignment").count()
            bh.run_all(page)
            errors = bh.error_outputs(page)
            images = bh.rendered_images(page)
            sliders = bh.slider_cells(page)
            has_slider = sliders.count() > 0
            if has_slider:
                bh.nudge_slider(page, sliders.first)  # raises unless the outputs change
            title, verdict = bh.press_validate(page)
            bh.screenshot(page, f"binder-{lesson}-validate.png")
        finally:
            browser.close()
    assert not dirty_on_opening, "on Binder the lesson was marked modified as soon as it opened"
    assert "Run" in menus and "Nbgrader" not in menus, menus
    assert create_assignment == 0, "the instructors' Create Assignment sidebar is showing"
    assert not errors, errors
    assert images and all(i["w"] > 50 for i in images), "no figure drawn"
    assert has_slider, "the lesson shows no slider"
    assert title == "Validation Results" and verdict.startswith("[validation-success]"), verdict
