"""Where the course's lessons are, and how a person may name one ("03", "3", "03_add_mul_layers").

One source for the list of lessons: the folders of solutions/.
"""

from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = COURSE_ROOT / "autograder" / "nbgrader_config.py"
SOLUTIONS = COURSE_ROOT / "solutions"
LESSONS = COURSE_ROOT / "lessons"


def all_lessons(root=COURSE_ROOT):
    """Folder names of every lesson, in order ("00_getting_started", ...)."""
    source = Path(root) / "solutions"
    return (
        sorted(p.name for p in source.iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").is_file())
        if source.is_dir()
        else []
    )


def resolve_lesson(name, root=COURSE_ROOT):
    """Turn "3", "03" or "03_add_mul_layers" into the lesson's folder name.

    Raises LookupError naming the lessons there are when nothing matches.
    """
    known = all_lessons(root)
    name = str(name).strip().rstrip("/").split("/")[-1].removesuffix(".ipynb")
    if name in known:
        return name
    if name.isdigit():
        matches = [lesson for lesson in known if lesson.split("_", 1)[0] == f"{int(name):02d}"]
        if matches:
            return matches[0]
    raise LookupError(
        f"unknown lesson {name!r}; the lessons are: {', '.join(known) or '(none in solutions/)'}"
    )


def find_lessons(names, root=COURSE_ROOT):
    """Resolve several names; no names means every lesson."""
    return [resolve_lesson(n, root) for n in names] if names else all_lessons(root)
