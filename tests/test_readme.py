"""The README's promises: its code runs as shown and prints what it says it prints."""

import contextlib
import io
import re

from autograder import readme_tables
from autograder.lessons import COURSE_ROOT, all_lessons, lessons

README = (COURSE_ROOT / "README.md").read_text()


def test_bpkit_in_five_lines_runs_and_reaches_the_accuracy_it_shows():
    code = re.search(r"## bpkit in five lines\n+```python\n(.*?)```", README, re.S).group(1)
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) == 5
    claimed = re.search(r"# (\d+\.\d)%", code).group(1)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue().strip() == f"test accuracy: {claimed}%"


def test_every_lesson_link_points_to_a_generated_lesson():
    linked = re.findall(r"\]\((lessons/[^)]+\.ipynb)\)", README)
    assert linked, "the README links each lesson"
    for path in linked:
        assert (COURSE_ROOT / path).is_file(), f"README links {path}, which does not exist"
    assert {p.split("/")[1] for p in linked} == set(all_lessons())


def test_the_lesson_tables_are_the_ones_make_lessons_writes():
    assert readme_tables.update(README, lessons()) == README, (
        "the README's lesson tables differ from the lesson folders: run `make lessons`"
    )


def test_every_lesson_has_a_binder_link():
    linked = re.findall(r"urlpath=lab/tree/(lessons/[^)]+\.ipynb)\)", README)
    assert linked == [lesson.release.relative_to(COURSE_ROOT).as_posix() for lesson in lessons()]


README_KO = (COURSE_ROOT / "README.ko.md").read_text()


def test_the_readme_links_the_korean_edition_at_the_top():
    top = "\n".join(README.splitlines()[:5])
    assert "(README.ko.md)" in top, top
    assert "(README.md)" in "\n".join(README_KO.splitlines()[:5])


def test_the_korean_readme_links_every_korean_lesson_and_its_binder_address():
    assert readme_tables.update(README_KO, lessons(), "ko") == README_KO, (
        "README.ko.md's lesson tables differ from the lesson folders: run `make lessons`"
    )
    for lesson in lessons():
        path = f"lessons/ko/{lesson.slug}/{lesson.slug}.ipynb"
        assert (COURSE_ROOT / path).is_file(), path
        assert f"]({path})" in README_KO, f"README.ko.md does not link {path}"
        assert f"urlpath=lab/tree/{path})" in README_KO, f"no Korean Binder link for {path}"
