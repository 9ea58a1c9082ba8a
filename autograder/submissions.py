"""Finding the submissions: nbgrader's submitted/ folder, or a zip downloaded from an LMS.

Folder layout (nbgrader's): ``SUBMISSIONS/<student>/<lesson>/<lesson>.ipynb``.

A zip (or a folder of files) named by an LMS: the file name carries the student. Built-in
patterns, tried in order unless ``--pattern`` names one or gives a regular expression:

* ``canvas``: ``smithjane_12345_6789012_03_add_mul_layers.ipynb``, late ones
  ``smithjane_LATE_12345_6789012_03_add_mul_layers.ipynb`` (Canvas adds ``-1``, ``-2`` to
  resubmitted files);
* ``moodle``: ``Jane Smith_12345_assignsubmission_file_/03_add_mul_layers.ipynb``.

A custom pattern is a Python regular expression matched against the path inside the zip, with
a named group ``student`` and optionally ``lesson`` and ``late``. The lesson is the two-digit
number at the start of the ``lesson`` group, or else of the file name.
"""

import os
import re
import zipfile

from .course import UsageError

PATTERNS = {
    "canvas": r"^(?:.*/)?(?P<student>[^/_]+)_(?P<late>LATE_)?\d+_\d+_(?P<lesson>[^/]+)$",
    "moodle": r"^(?:.*/)?(?P<student>[^/]+?)_\d+_assignsubmission_file_/(?:.*/)?(?P<lesson>[^/]+)$",
}
MAX_MEMBER_BYTES = 50 * 2**20  # larger than any honest notebook; protects against zip bombs


def student_id(name):
    """A student name usable as an nbgrader id and a file name: ``Jane Smith`` -> ``Jane_Smith``."""
    cleaned = re.sub(r"[^A-Za-z0-9_.@-]+", "_", name.strip()).strip("_.")
    return cleaned or "unknown"


def lesson_number(text):
    match = re.match(r"\s*(\d{1,2})(?!\d)", os.path.basename(text))
    return f"{int(match.group(1)):02d}" if match else None


def collect(path, lessons, pattern=None, inbox=None):
    """Submissions under ``path`` (folder or zip): dicts with student, lesson, path, display, late.

    ``lessons`` maps a two-digit number to the lesson's folder name. A file whose lesson is not
    among them is returned with ``lesson=None`` (and its reason) so it can be reported.
    """
    if not os.path.exists(path):
        raise UsageError(f"submissions not found: {path} does not exist")
    if os.path.isdir(path):
        found = _from_nbgrader_folder(path, lessons)
        if found:
            return found
        members = [(os.path.relpath(os.path.join(d, f), path), os.path.join(d, f))
                   for d, _, files in os.walk(path) for f in files]
        return _from_names(members, lessons, pattern, reader=None)
    if not zipfile.is_zipfile(path):
        raise UsageError(f"cannot read {path}: neither a folder nor a zip file")
    if inbox is None:
        raise ValueError("a zip needs an inbox folder to unpack into")
    try:
        with zipfile.ZipFile(path) as archive:
            members = [(i.filename, i) for i in archive.infolist() if not i.is_dir()]
            return _from_names(members, lessons, pattern, reader=(archive, inbox))
    except (zipfile.BadZipFile, OSError) as error:
        raise UsageError(f"cannot read the zip {path}: {error}") from None


def _from_nbgrader_folder(root, lessons):
    """submitted/<student>/<lesson>/<lesson>.ipynb; a notebook of another name counts too."""
    found = []
    for student in sorted(os.listdir(root)):
        student_dir = os.path.join(root, student)
        if not os.path.isdir(student_dir):
            continue
        for lesson_dir in sorted(os.listdir(student_dir)):
            folder = os.path.join(student_dir, lesson_dir)
            if not os.path.isdir(folder):
                continue
            notebooks = sorted(f for f in os.listdir(folder) if f.endswith(".ipynb"))
            if not notebooks:
                continue
            chosen = lesson_dir + ".ipynb" if lesson_dir + ".ipynb" in notebooks else notebooks[0]
            number = lesson_number(lesson_dir)
            stamp = os.path.join(folder, "timestamp.txt")  # written by nbgrader submit/collect
            found.append({
                "student": student_id(student), "lesson": lessons.get(number),
                "path": os.path.join(folder, chosen),
                "display": os.path.join(student, lesson_dir, chosen),
                "late": False, "unknown_lesson": None if number in lessons else lesson_dir,
                "timestamp": _read_timestamp(stamp),
            })
    return found


def _read_timestamp(path):
    """The submission time nbgrader wrote (``2025-03-01 12:00:00.000000 UTC``), or None."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text).isoformat()
    except (ValueError, OverflowError):
        return None


def _compile(pattern):
    if pattern is None:
        return [re.compile(p) for p in PATTERNS.values()]
    if pattern in PATTERNS:
        return [re.compile(PATTERNS[pattern])]
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise UsageError(f"--pattern is not a valid regular expression: {error}") from None
    if "student" not in compiled.groupindex:
        raise UsageError("--pattern needs a named group (?P<student>...)")
    return [compiled]


def _from_names(members, lessons, pattern, reader):
    regexes = _compile(pattern)
    found, latest = [], {}
    for name, handle in sorted(members, key=lambda m: _resubmission_order(m[0])):
        if os.path.basename(name).startswith(".") or "__MACOSX" in name:
            continue
        match = next((m for m in (r.match(name) for r in regexes) if m), None)
        if match is None:
            continue
        groups = match.groupdict()
        student = student_id(groups["student"])
        number = lesson_number(groups.get("lesson") or "") or lesson_number(name)
        entry = {"student": student, "lesson": lessons.get(number), "display": name,
                 "late": bool(groups.get("late")),
                 "unknown_lesson": None if number in lessons else os.path.basename(name)}
        if reader is None:
            entry["path"] = handle
        else:
            entry["path"] = _unpack(reader, handle, student, number or "unknown", entry)
        # An LMS keeps every resubmission; the last one in name order (-1, -2 ...) counts.
        key = (student, entry["lesson"] or entry["unknown_lesson"])
        if key in latest:
            found.remove(latest[key])
        latest[key] = entry
        found.append(entry)
    return found


def _resubmission_order(name):
    """Sort key putting an LMS's resubmissions after the first file: ``x.ipynb``, ``x-1.ipynb``,
    ``x-2.ipynb``, ``x-10.ipynb`` (plain name order would put ``x-1`` first, as ``-`` < ``.``)."""
    match = re.fullmatch(r"(?s)(.*?)(?:-(\d+))?(\.[^./]*)?", name)
    return match.group(1), int(match.group(2) or 0), match.group(3) or ""


def _unpack(reader, info, student, number, entry):
    archive, inbox = reader
    target = os.path.join(inbox, student, number + ".ipynb")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if info.file_size > MAX_MEMBER_BYTES:
        data = b""
        entry["too_big"] = True
    else:
        data = archive.read(info)
    tmp = target + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    return target
