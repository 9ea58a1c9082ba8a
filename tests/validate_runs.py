"""`nbgrader validate` over many notebooks in one command, each notebook's verdict apart.

nbgrader's validate takes several notebooks at once and validates them one after the other,
each on its own fresh kernel, exactly as it validates one. One command for a whole set pays
nbgrader's start (2.5 s of imports) once instead of once per notebook; the output is cut at the
"Validating '<path>'" line nbgrader logs before each notebook, so every lesson's test still
reads its own verdict.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

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


def selected(request, parameter="lesson"):
    """The values of ``parameter`` among the tests of this module that this run selected."""
    found = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if item.module is request.module and callspec and parameter in callspec.params:
            value = callspec.params[parameter]
            if value not in found:
                found.append(value)
    return found
