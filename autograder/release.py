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
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from . import catalogs, editions, message_catalog, readme_tables
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


def korean_notice_text(lesson):
    return (
        f"> **레슨 {lesson[:2]} — 여러분의 사본 (한국어판).** `# YOUR CODE HERE`라고 적힌 셀을 "
        f"모두 채우고, 그 아래의 테스트 셀을 실행하세요. 이 파일은 영어 원본 "
        f"`solutions/{lesson}/{lesson}.ipynb`와 번역 카탈로그 `solutions/ko/{lesson}.po`로부터 "
        f"`make lessons`가 만듭니다. 강사는 이 파일이 아니라 그 두 원본을 고칩니다."
    )


# What nbgrader leaves in an answer cell of the Korean edition; "YOUR CODE HERE" stays, as the
# lesson text and the checks' messages point to it.
KOREAN_STUBS = {
    "ClearSolutions": {
        "code_stub": {
            "python": "# YOUR CODE HERE (여기에 코드를 쓰세요)\nraise NotImplementedError()"
        },
        "text_stub": "YOUR ANSWER HERE (여기에 답을 쓰세요)",
    }
}


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


def release(lesson, config, notice=None, generated_from=None):
    """Generate lessons/<lesson>/<lesson>.ipynb from solutions/ and mark it as generated."""
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = lesson
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.start()
    path = Path(coursedir.root) / "lessons" / lesson / f"{lesson}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notice = nbformat.v4.new_markdown_cell(notice or notice_text(lesson), id=NOTICE_CELL_ID)
    notebook.cells = [notice] + [c for c in notebook.cells if c.get("id") != NOTICE_CELL_ID]
    notebook.metadata.setdefault("bpkit", {})["generated_from"] = (
        generated_from or f"solutions/{lesson}/{lesson}.ipynb")
    tag_cells_that_may_raise(notebook)  # Run All on the blank lesson goes on to the last cell
    nbformat.write(notebook, path)
    os.chmod(path, 0o644)
    return path


def update_catalog(lesson, root):
    """Merge solutions/ko/<lesson>.po with the English source; return the catalog."""
    path = editions.catalog_path(lesson, root)
    english = nbformat.read(root / "solutions" / lesson / f"{lesson}.ipynb", as_version=4)
    catalog = catalogs.merge(catalogs.load(path, project=f"bpkit {lesson}"),
                             editions.cell_entries(english), project=f"bpkit {lesson}")
    catalogs.save(catalog, path)
    return english, catalog


def release_korean(lesson, config, root):
    """Generate lessons/ko/<lesson>/<lesson>.ipynb; return (path, cells left in English)."""
    english, catalog = update_catalog(lesson, root)
    korean, left = editions.translate_source(english, catalog)
    with tempfile.TemporaryDirectory(prefix="bpkit-ko-") as scratch:
        course = Path(scratch)
        (course / "solutions" / lesson).mkdir(parents=True)
        nbformat.write(korean, course / "solutions" / lesson / f"{lesson}.ipynb")
        korean_config = nbgrader_config(course)
        korean_config.merge(Config(KOREAN_STUBS))
        generated = release(lesson, korean_config, notice=korean_notice_text(lesson),
                            generated_from=[f"solutions/{lesson}/{lesson}.ipynb",
                                            editions.CATALOG_FOLDER.joinpath(f"{lesson}.po")
                                            .as_posix()])
        target = root / editions.RELEASE_FOLDER / lesson / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(generated, target)
    os.chmod(target, 0o644)
    return target, left


def update_message_catalog(root):
    """Merge bpkit.po with the English in bpkit's source and compile bpkit.mo from it."""
    if not (root / "bpkit").is_dir():  # a course folder holding only solutions/
        return None
    path = root / message_catalog.CATALOG
    catalog = catalogs.merge(catalogs.load(path), message_catalog.entries(root))
    catalogs.save(catalog, path)
    catalogs.compile_mo(catalog, root / message_catalog.MO_FILE)
    return catalog


def release_glossary(root, target=GLOSSARY):
    """Copy docs/glossary.md to lessons/GLOSSARY.md under a line saying it is generated."""
    source = root / GLOSSARY_SOURCE
    if not source.is_file():
        return None
    target = root / target
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
        korean, left = release_korean(lesson.slug, config, root)
        print(korean.relative_to(root).as_posix(), "<-",
              f"solutions/{lesson.slug}/{lesson.slug}.ipynb",
              "+", editions.CATALOG_FOLDER.joinpath(f"{lesson.slug}.po").as_posix())
        if left:
            print(f"  {len(left)} cell(s) still in English (no translation yet, or a stale one): "
                  f"{', '.join(left[:8])}{' ...' if len(left) > 8 else ''}")
    if update_message_catalog(root) is not None:
        print(message_catalog.MO_FILE.as_posix(), "<-", message_catalog.CATALOG.as_posix())
    for target in (GLOSSARY, editions.RELEASE_FOLDER / "GLOSSARY.md"):
        if release_glossary(root, target):
            print(target.as_posix(), "<-", GLOSSARY_SOURCE.as_posix())
    for name, edition in (("README.md", "en"), ("README.ko.md", editions.LANGUAGE)):
        readme = root / name
        if not readme.is_file():
            continue
        try:
            changed = readme_tables.write(readme, lessons(root), edition)
        except readme_tables.ReadmeError as error:
            parser.exit(2, f"error: {name}: {error}\n")
        if changed:
            print(f"{name}: lesson tables rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
