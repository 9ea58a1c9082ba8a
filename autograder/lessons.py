"""The course's lessons: the one registry that commands and tests ask.

A lesson is a folder ``solutions/NN_topic/`` holding ``NN_topic.ipynb`` (nbgrader's source);
nothing else lists the lessons. ``make lessons``, ``python -m autograder grade --lesson``,
``grade-me``, the README's tables and the tests' ``lessonNN`` markers all come from here.

A person may name a lesson by number (``3``, ``03``), by folder name (``03_add_mul_layers``) or by
a path (``lessons/03_add_mul_layers/03_add_mul_layers.ipynb``); :func:`find` turns any of these
into a :class:`Lesson`, and anything else into :class:`UnknownLesson` listing the lessons there are.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = COURSE_ROOT / "autograder" / "nbgrader_config.py"
SOLUTIONS = COURSE_ROOT / "solutions"
LESSONS = COURSE_ROOT / "lessons"

# "03_add_mul_layers": two digits, an underscore, a topic in lower case.
FOLDER_NAME = re.compile(r"(?P<number>\d{2})_[a-z0-9_]+")


class UnknownLesson(LookupError):
    """A lesson name that matches no lesson folder; the message lists the lessons there are."""


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course at ``root`` (the folder holding solutions/ and lessons/)."""

    slug: str  # the folder name, "03_add_mul_layers"
    root: Path

    @property
    def number(self):
        """3 for "03_add_mul_layers"."""
        return int(self.slug[:2])

    @property
    def code(self):
        """The two-digit number as people write it: "03"."""
        return self.slug[:2]

    @property
    def marker(self):
        """The pytest marker of the lesson's tests: ``pytest -m lesson03``."""
        return f"lesson{self.code}"

    @property
    def solution(self):
        """The one hand-edited source: solutions/NN_topic/NN_topic.ipynb."""
        return self.root / "solutions" / self.slug / f"{self.slug}.ipynb"

    @property
    def release(self):
        """The student version ``make lessons`` writes: lessons/NN_topic/NN_topic.ipynb."""
        return self.root / "lessons" / self.slug / f"{self.slug}.ipynb"

    @property
    def title(self):
        """The source's first heading without "Lesson NN —": "Add and multiply nodes ..."."""
        heading = re.search(r"^#\s+(.+)$", _cells(self.solution)[0]["source"], re.M)
        if heading is None:
            return self.slug
        return re.sub(r"^Lesson\s+\d+\s*[—–:-]+\s*", "", heading.group(1).strip())

    @property
    def points(self):
        """Points the lesson is worth: the sum over its graded cells (tests, written answers)."""
        return sum(nbg.get("points", 0) for nbg in _nbgrader(self.solution) if nbg.get("grade"))

    @property
    def exercises(self):
        """What a student writes: the classes and functions the answer cells define."""
        names = []
        for cell in _cells(self.solution):
            nbg = cell.get("metadata", {}).get("nbgrader", {})
            if cell["cell_type"] == "code" and nbg.get("solution"):
                names += re.findall(r"^(?:class|def)\s+(\w+)", cell["source"], re.M)
        return names

    @property
    def checks_modules(self):
        """The ``bpkit.checks`` topic modules whose checks the lesson's tests call, e.g.
        ``("bpkit.checks.nodes",)``; the shared toolkit (private modules) is left out."""
        import bpkit.checks

        modules = set()
        for cell in _cells(self.solution):
            for name in re.findall(r"\bchecks\.(\w+)", cell["source"]):
                module = getattr(getattr(bpkit.checks, name, None), "__module__", "") or ""
                topic = module.removeprefix("bpkit.checks.")
                if topic != module and not topic.startswith("_"):
                    modules.add(module)
        return tuple(sorted(modules))

    def __str__(self):
        return self.slug


@functools.lru_cache(maxsize=64)
def _read(path, mtime_ns):
    import nbformat

    return nbformat.read(path, as_version=4)


def _cells(path):
    return _read(str(path), Path(path).stat().st_mtime_ns).cells


def _nbgrader(path):
    return [c.get("metadata", {}).get("nbgrader", {}) for c in _cells(path)]


def lessons(root=COURSE_ROOT):
    """Every lesson of the course at ``root``, in order of number.

    A folder of solutions/ counts when it holds a notebook of its own name; two lessons with one
    number, or a lesson folder not named ``NN_topic``, are an error saying which folders.
    """
    root = Path(root)
    source = root / "solutions"
    if not source.is_dir():
        return []
    found = sorted(p.name for p in source.iterdir()
                   if p.is_dir() and (p / f"{p.name}.ipynb").is_file())
    misnamed = [name for name in found if not FOLDER_NAME.fullmatch(name)]
    if misnamed:
        raise UnknownLesson(f"lesson folders must be named NN_topic (two digits, an underscore, "
                            f"a lower-case topic): rename {', '.join(misnamed)} in {source}")
    numbers = {}
    for name in found:
        numbers.setdefault(name[:2], []).append(name)
    clashes = [names for names in numbers.values() if len(names) > 1]
    if clashes:
        raise UnknownLesson("two lessons share a number: " + "; ".join(" and ".join(c)
                                                                      for c in clashes))
    return [Lesson(name, root) for name in found]


def all_lessons(root=COURSE_ROOT):
    """Folder names of every lesson, in order ("00_getting_started", ...)."""
    return [lesson.slug for lesson in lessons(root)]


def find(name, root=COURSE_ROOT):
    """The lesson a person means by ``name``: 3, "3", "03", "03_add_mul_layers", or a path such
    as "lessons/03_add_mul_layers/03_add_mul_layers.ipynb".

    Raises :class:`UnknownLesson` naming the lessons there are when nothing matches.
    """
    known = lessons(root)
    text = str(name).strip().rstrip("/")
    text = text.split("/")[-1].removesuffix(".ipynb")
    for lesson in known:
        if text == lesson.slug:
            return lesson
    if text.isdigit():
        for lesson in known:
            if lesson.number == int(text):
                return lesson
    listed = ", ".join(lesson.slug for lesson in known) or f"none: {Path(root) / 'solutions'} " \
        "holds no lesson folder"
    raise UnknownLesson(f"unknown lesson {str(name)!r}; the lessons are: {listed} "
                        "(name one by number, e.g. 03, or by folder name)")


def find_lessons(names, root=COURSE_ROOT):
    """Several lessons by name (see :func:`find`); no names means every lesson."""
    return [find(name, root) for name in names] if names else lessons(root)


def resolve_lesson(name, root=COURSE_ROOT):
    """The folder name of the lesson ``name`` means (see :func:`find`)."""
    return find(name, root).slug
