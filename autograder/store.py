"""What has been graded, kept in the output folder so a rerun can skip it.

One small JSON file per (student, lesson) under ``DIR/.state/``, written atomically (a temporary
file, then ``os.replace``) the moment that submission is graded: an interrupted run loses
nothing already graded, and a rerun regrades only submissions whose file hash changed.
"""

import json
import os
import tempfile

from .results import Result


def atomic_write(path, data):
    """Write bytes or text to ``path`` so readers see the old or the new file, never half."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Store:
    """The graded results of one output folder, one JSON file per student and lesson."""

    def __init__(self, out_dir):
        self.root = os.path.join(out_dir, ".state")

    def _path(self, student, lesson):
        return os.path.join(self.root, lesson, student + ".json")

    def get(self, student, lesson):
        """The stored :class:`Result`, or None (never graded, or a file this version cannot
        read: then it is graded again)."""
        return _load(self._path(student, lesson))

    def put(self, result):
        atomic_write(self._path(result.student, result.lesson),
                     json.dumps(result.to_dict(), indent=1, sort_keys=True))

    def all(self):
        """Every stored result, by lesson then student."""
        if not os.path.isdir(self.root):
            return []
        paths = (os.path.join(self.root, lesson, name)
                 for lesson in sorted(os.listdir(self.root))
                 for name in sorted(os.listdir(os.path.join(self.root, lesson)))
                 if name.endswith(".json") and not name.startswith("."))
        return [r for r in map(_load, paths) if r is not None]


def _load(path):
    try:
        with open(path) as f:
            return Result.from_dict(json.load(f))
    except (OSError, ValueError, TypeError):
        return None
