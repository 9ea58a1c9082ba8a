"""`nbgrader validate` over many notebooks in one command, each notebook's verdict apart.

nbgrader's validate takes several notebooks at once and validates them one after the other,
each on its own fresh kernel, exactly as it validates one. One command for a whole set pays
nbgrader's start (2.5 s of imports) once instead of once per notebook; the output is cut at the
"Validating '<path>'" line nbgrader logs before each notebook, so every lesson's test still
reads its own verdict.

``validate_and_keep`` also keeps what each notebook's kernel showed: the executed notebook and
the Figures each cell made, read as a ``lesson_runs.LessonRun``. The tests that look at a
lesson's outputs (no error, nothing on stderr, every figure an image, the ✓ lines) read those
runs, so each lesson runs once for them and for its verdict. Two files make the keeping, and
neither changes what nbgrader does: an nbgrader config file (found on JUPYTER_CONFIG_PATH) that
writes the notebook nbgrader's Execute step returns, and an IPython startup file (IPYTHONDIR)
that counts each cell's Figures in the kernel, as ``lesson_runs.run_lesson`` does.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import lesson_runs
import nbformat

PASSED = "Success! Your notebook passes all the tests."
FAILED_EVERY_TEST = "Success! The notebook does not pass any tests."
_START = re.compile(r"^\[ValidateApp \| INFO\] Validating '(.+?)'$", re.M)


def validate_many(paths, *flags, command=None, env=None, cwd=None, timeout=1800):
    """``{path: that notebook's output}`` of one ``nbgrader validate [flags] paths...``.

    command: the program and its first arguments (default: this Python's ``-m nbgrader``);
    a notebook missing from the output (nbgrader stopped before it) maps to the whole output.
    """
    paths = [Path(p).resolve() for p in paths]
    if not paths:
        return {}
    command = command or [sys.executable, "-m", "nbgrader"]
    env = dict(env or os.environ, PYTHONUNBUFFERED="1")  # keep stdout and the log in order
    done = subprocess.run([*command, "validate", *flags, *map(str, paths)], env=env,
                          cwd=cwd or paths[0].parent, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout)
    output = done.stdout
    starts = list(_START.finditer(output))
    parts = {}
    for number, start in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(output)
        parts[Path(start.group(1)).resolve()] = output[start.end():end]
    return {path: parts.get(path, f"(no verdict for {path.name}; the whole output:)\n{output}")
            for path in paths}


def selected(request, parameter="lesson", fixture=None):
    """The values of ``parameter`` among the tests this run selected: those of this module, or,
    given ``fixture``, those of any module that use that fixture."""
    found = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        wanted = (fixture in getattr(item, "fixturenames", ()) if fixture
                  else item.module is request.module)
        if wanted and callspec and parameter in callspec.params:
            value = callspec.params[parameter]
            if value not in found:
                found.append(value)
    return found


# Read by nbgrader as a config file: after nbgrader's own Execute step, write the executed
# notebook to <BPKIT_KEPT_RUNS>/<the notebook's folder>.ipynb (validate runs in that folder).
_KEEP_EXECUTED = """
import os
import nbformat
from nbgrader.preprocessors import Execute

_execute = Execute.preprocess

def _execute_and_keep(self, nb, resources=None, *args, **kwargs):
    nb, resources = _execute(self, nb, resources, *args, **kwargs)
    name = os.path.basename(os.getcwd()) + ".ipynb"
    nbformat.write(nb, os.path.join(os.environ["BPKIT_KEPT_RUNS"], name))
    return nb, resources

Execute.preprocess = _execute_and_keep
"""


@dataclass
class Validation:
    output: str  # what nbgrader validate printed for this notebook
    run: lesson_runs.LessonRun | None  # what its kernel showed; None if nbgrader kept none

    def kept_run(self) -> lesson_runs.LessonRun:
        """The run, or a failure that shows nbgrader's output when there is none."""
        if self.run is None:
            raise AssertionError("nbgrader validate kept no executed notebook; its output:\n"
                                 + self.output[-3000:])
        return self.run


def validate_and_keep(paths, *flags) -> dict[Path, Validation]:
    """``{path: Validation}`` of one ``nbgrader validate [flags] paths...`` (this Python's).

    Each notebook must be alone in its folder: the folder's name keys what is kept.
    """
    paths = [Path(p).resolve() for p in paths]
    with tempfile.TemporaryDirectory(prefix="validate-kept-") as scratch:
        kept, config, ipython = (Path(scratch) / name for name in ("kept", "config", "ipython"))
        startup = ipython / "profile_default" / "startup"
        for folder in (kept, config, startup):
            folder.mkdir(parents=True)
        (config / "nbgrader_config.py").write_text(_KEEP_EXECUTED)
        (startup / "00-count-figures.py").write_text(lesson_runs.TRACKER_STARTUP_FILE)
        config_path = os.pathsep.join(filter(None, [str(config),
                                                    os.environ.get("JUPYTER_CONFIG_PATH")]))
        env = dict(os.environ, BPKIT_KEPT_RUNS=str(kept), JUPYTER_CONFIG_PATH=config_path,
                   IPYTHONDIR=str(ipython))
        outputs = validate_many(paths, *flags, env=env)
        return {path: Validation(outputs[path], _kept_run(kept, path.parent.name))
                for path in paths}


def _kept_run(kept: Path, folder: str):
    notebook, counts = kept / f"{folder}.ipynb", kept / f"{folder}.figures.json"
    if not notebook.is_file():
        return None
    figures = json.loads(counts.read_text()) if counts.is_file() else {}
    return lesson_runs.finished_run(nbformat.read(notebook, as_version=4), figures)
