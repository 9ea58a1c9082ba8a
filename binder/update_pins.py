"""Rewrite binder/requirements.txt from the environment this script runs in.

    .venv/bin/python binder/update_pins.py

Pins the course's direct dependencies and everything they need at run time (following
extras such as jsonschema[format-nongpl]), at the versions installed here, which are the
versions the tests just passed with. Test-only packages (pytest, playwright, ...) stay out.
"""

import importlib.metadata as metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

DIRECT = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbgrader")
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


def main():
    closure = runtime_closure(DIRECT)
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
