"""What has been graded, kept in the output folder so a rerun can skip it.

One small JSON file per (student, lesson) under ``DIR/.state/``, written atomically (a temporary
file, then ``os.replace``) the moment that submission is graded: an interrupted run loses
nothing already graded, and a rerun regrades only submissions whose file hash changed.
"""

import json
import os
import tempfile


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
    def __init__(self, out_dir):
        self.root = os.path.join(out_dir, ".state")

    def _path(self, student, lesson):
        return os.path.join(self.root, lesson, student + ".json")

    def get(self, student, lesson):
        try:
            with open(self._path(student, lesson)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def put(self, result):
        atomic_write(self._path(result["student"], result["lesson"]),
                     json.dumps(result, indent=1, sort_keys=True))

    def all(self):
        results = []
        if not os.path.isdir(self.root):
            return results
        for lesson in sorted(os.listdir(self.root)):
            folder = os.path.join(self.root, lesson)
            for name in sorted(os.listdir(folder)):
                if name.endswith(".json") and not name.startswith("."):
                    try:
                        with open(os.path.join(folder, name)) as f:
                            results.append(json.load(f))
                    except (OSError, ValueError):
                        continue
        return results
