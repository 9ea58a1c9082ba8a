"""Rewrite binder/requirements.txt from the environment this script runs in.

    .venv/bin/python binder/update_pins.py

Pins the course's direct dependencies and everything they need at run time (following
extras such as jsonschema[format-nongpl]), at the versions installed here, which are the
versions the tests just passed with. Test-only packages (pytest, playwright, ...) stay out.
"""

import importlib.metadata as metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

DIRECT = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbgrader")
# Versions held back on purpose, with the reason. The venv (make venv installs with
# -c binder/requirements.txt) and Binder both follow the pins, so holding a pin here holds both.
HELD_BACK = {
    # jsonschema 4.25 added an IRI format check through rfc3987-syntax, which compiles an
    # Earley grammar whenever jsonschema is imported: about 1.7 s more for every nbgrader
    # command, every grading run and every Jupyter server (nbformat imports jsonschema), and
    # nbformat's and nbgrader's schemas have no IRI field to check. 4.24 has everything else.
    "jsonschema": "<4.25",
}
HEADER = """\
# The Binder image of the course: exactly the versions CI tests in .venv.
# Written by binder/update_pins.py; rerun it after changing the environment, not by hand.
# Direct dependencies of the course (see pyproject.toml):
"""


def runtime_closure(roots):
    """{canonical name: (name, version)} of the roots and all they require, with extras."""
    found, seen, todo = {}, set(), [(name, "") for name in roots]
    while todo:
        name, extra = todo.pop()
        if (canonicalize_name(name), extra) in seen:
            continue
        seen.add((canonicalize_name(name), extra))
        dist = metadata.distribution(name)
        found[canonicalize_name(name)] = (dist.metadata["Name"], dist.version)
        for text in dist.requires or []:
            req = Requirement(text)
            # Evaluating with extra="" drops optional dependencies; with the extra we were
            # asked for, keeps exactly that extra's dependencies.
            if req.marker and not req.marker.evaluate({"extra": extra}):
                continue
            todo.append((req.name, ""))
            todo.extend((req.name, e) for e in req.extras)
    return found


def lowest_python():
    """The lowest Python the course supports: the bound in pyproject's requires-python."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    spec = tomllib.loads(pyproject.read_text())["project"]["requires-python"]
    return spec.split(">=")[1].split(",")[0].strip() + ".0" * (spec.count(".") < 2)


def too_new(closure, python):
    """(name, version, Requires-Python) of each pin that the given Python cannot install."""
    found = []
    for name, version in closure.values():
        requires = metadata.metadata(name).get("Requires-Python")
        if requires and python not in SpecifierSet(requires):
            found.append((name, version, requires))
    return found


def not_held_back(closure):
    """(name, version, allowed) of each installed version outside its HELD_BACK range."""
    return [(closure[key][0], closure[key][1], allowed)
            for key, allowed in HELD_BACK.items()
            if key in closure and closure[key][1] not in SpecifierSet(allowed)]


def main():
    closure = runtime_closure(DIRECT)
    for name, version, allowed in not_held_back(closure):
        print(f"{name}=={version} is installed, but the pins hold it at {allowed} (see HELD_BACK "
              f"in {Path(__file__).name}): pip install '{name}{allowed}', then rerun",
              file=sys.stderr)
        sys.exit(1)
    # A pin that needs a newer Python than the course promises breaks `make` on, say, Debian
    # 12's Python 3.11.2 (soupsieve 4.1.3 needs 3.11.5): refuse to write it.
    python = lowest_python()
    blocked = too_new(closure, python)
    if blocked:
        for name, version, requires in blocked:
            print(f"{name}=={version} needs Python {requires}, but the course supports "
                  f"Python {python}: install an older {name} here, then rerun", file=sys.stderr)
        sys.exit(1)
    direct = [canonicalize_name(n) for n in DIRECT]
    lines = [HEADER]
    lines += [f"{closure[n][0]}=={closure[n][1]}\n" for n in direct]
    lines.append("# Everything they pull in, pinned too, so a rebuild gives the same image.\n")
    lines += [f"{name}=={version}\n" for key, (name, version) in sorted(closure.items())
              if key not in direct]
    target = Path(__file__).with_name("requirements.txt")
    target.write_text("".join(lines))
    print(f"wrote {len(closure)} pins to {target}")


if __name__ == "__main__":
    main()
