"""``make lessons``: write the student versions in lessons/ from the sources in solutions/.

nbgrader's generate_assignment does the work (solutions replaced by stubs, hidden tests
removed, checksums of the locked cells). Then each generated notebook gets a first cell saying
it is generated, so nobody edits it instead of its source. Last, the README's lesson tables are
rewritten from the lesson folders (see readme_tables.py), and the glossary docs/glossary.md is
copied to lessons/GLOSSARY.md, where the lessons link to it (JupyterLab runs on lessons/, so a
file outside it could not be opened). No gradebook is touched, and the output depends only on
solutions/ and docs/glossary.md, so running it twice changes no byte.

    python -m autograder.release              # every lesson   (make lessons)
    python -m autograder.release 03 05        # some lessons   (make lessons LESSON="03 05")
"""

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from . import readme_tables
from .lessons import CONFIG_FILE, COURSE_ROOT, UnknownLesson, find_lessons, lessons
from .run_all_tags import tag_cells_that_may_raise

NOTICE_CELL_ID = "generated-notice"
GLOSSARY_SOURCE = Path("docs") / "glossary.md"
GLOSSARY = Path("lessons") / "GLOSSARY.md"


def notice_text(lesson):
    return (
        f"> **Your copy of lesson {lesson[:2]}.** Fill in every cell that says `# YOUR CODE HERE` "
        f"and run the test cell below it. This file is generated from "
        f"`solutions/{lesson}/{lesson}.ipynb` by `make lessons`; instructors change that "
        f"source, never this file."
    )


def nbgrader_config(root=COURSE_ROOT):
    """The course's nbgrader settings, plus: write no gradebook while releasing."""
    config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    config.merge(
        Config(
            {
                "CourseDirectory": {"root": str(root)},
                "GenerateAssignment": {"no_database": True, "force": True},
                "SaveCells": {"enabled": False},
            }
        )
    )
    return config


def release(lesson, config):
    """Generate lessons/<lesson>/<lesson>.ipynb from solutions/ and mark it as generated."""
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = lesson
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.start()
    path = Path(coursedir.root) / "lessons" / lesson / f"{lesson}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notice = nbformat.v4.new_markdown_cell(notice_text(lesson), id=NOTICE_CELL_ID)
    notebook.cells = [notice] + [c for c in notebook.cells if c.get("id") != NOTICE_CELL_ID]
    notebook.metadata["bpkit"] = {"generated_from": f"solutions/{lesson}/{lesson}.ipynb"}
    tag_cells_that_may_raise(notebook)  # Run All on the blank lesson goes on to the last cell
    nbformat.write(notebook, path)
    os.chmod(path, 0o644)
    return path


def release_glossary(root):
    """Copy docs/glossary.md to lessons/GLOSSARY.md under a line saying it is generated."""
    source = root / GLOSSARY_SOURCE
    if not source.is_file():
        return None
    target = root / GLOSSARY
    notice = (f"<!-- generated from {GLOSSARY_SOURCE.as_posix()} by `make lessons`: edit that "
              f"file, never this one -->\n")
    target.write_text(notice + source.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m autograder.release", description=__doc__.split("\n")[0]
    )
    parser.add_argument("lessons", nargs="*", help="lesson numbers or folder names (default: all)")
    parser.add_argument(
        "--root",
        type=Path,
        default=COURSE_ROOT,
        help="course folder holding solutions/ (default: this repository)",
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        chosen = find_lessons(args.lessons, root)
    except UnknownLesson as error:
        parser.exit(2, f"error: {error}\n")
    config = nbgrader_config(root)
    for lesson in chosen:
        print(f"lessons/{lesson.slug}/{lesson.slug}.ipynb", "<-",
              f"solutions/{lesson.slug}/{lesson.slug}.ipynb")
        release(lesson.slug, config)
    if release_glossary(root):
        print(GLOSSARY.as_posix(), "<-", GLOSSARY_SOURCE.as_posix())
    readme = root / "README.md"
    if readme.is_file():
        try:
            changed = readme_tables.write(readme, lessons(root))
        except readme_tables.ReadmeError as error:
            parser.exit(2, f"error: {error}\n")
        if changed:
            print("README.md: lesson tables rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
