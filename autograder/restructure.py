"""Put a submitted notebook back into the shape of its lesson before nbgrader sees it.

Students delete, move, copy and edit cells. nbgrader's OverwriteCells restores the source of
test cells it finds, but a deleted test cell is simply not run, a reordered one runs before the
code it tests, and duplicated cell ids or grade_ids upset it. So the notebook that is graded is
rebuilt from the lesson's source, in the lesson's order:

* answer cells (``solution: true``) come from the submission, matched by grade_id (the first
  copy wins); a missing one becomes a cell that raises, so its tests score 0 with a clear reason;
* every other lesson cell (text, imports, tests) comes from the source, so edited or deleted
  tests are restored and hidden tests run;
* cells the student added (ids the lesson does not have) are kept, right after the lesson cell
  they followed in the submission, so helper functions still work.

Everything noticed is returned as a list of notes for the flag column of grades.csv.
"""

import copy

import nbformat


class NotGradable(Exception):
    """The file cannot be graded at all; the message is the reason shown to the instructor."""


def read_submission(data):
    """Bytes of a submitted file -> notebook, or :class:`NotGradable` with the reason."""
    if not data.strip():
        raise NotGradable("empty file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotGradable("not a notebook (not UTF-8 text)") from None
    import json

    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        if not text.lstrip().startswith(("{", "[")):
            raise NotGradable("not a notebook (plain text, not notebook JSON)") from None
        raise NotGradable(f"invalid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotGradable("not a notebook (JSON without a list of cells)")
    ids = [c.get("id") for c in raw["cells"] if isinstance(c, dict) and c.get("id")]
    try:
        nb = nbformat.reads(text, as_version=4)
        if len(set(ids)) < len(ids):
            nb.metadata["bpkit_duplicate_ids"] = True  # nbformat silently renames them
        return nb
    except Exception as error:  # nbformat raises many kinds for malformed notebooks
        raise NotGradable(f"not a notebook ({type(error).__name__})") from None


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_answer(cell):
    """Code the student writes, or a written answer (markdown) that a person grades."""
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def rebuild(submitted, source, other_lessons=None):
    """Return ``(notebook to grade, notes)``; raises NotGradable for another lesson's notebook."""
    notes = []
    lesson_ids = [_grade_id(c) for c in source.cells if _grade_id(c)]
    submitted_ids = [_grade_id(c) for c in submitted.cells if _grade_id(c)]
    if lesson_ids and not set(lesson_ids) & set(submitted_ids):
        owner = [name for name, ids in (other_lessons or {}).items()
                 if ids and set(submitted_ids) <= ids]
        where = (f"it is {owner[0]}'s notebook" if owner
                 else "none of its graded cells are this lesson's")
        raise NotGradable(f"notebook of another lesson ({where})")

    answers, seen_ids, duplicates = {}, set(), set()
    for cell in submitted.cells:
        gid = _grade_id(cell)
        if gid in seen_ids:
            duplicates.add(gid)
        if gid:
            seen_ids.add(gid)
        if gid and _is_answer(cell) and gid not in answers:
            answers[gid] = cell
    if duplicates:
        notes.append("duplicated cells " + ", ".join(sorted(duplicates)) + " (first copy graded)")
    if submitted.metadata.pop("bpkit_duplicate_ids", False):
        notes.append("duplicate cell ids")

    source_ids = [c.get("id") for c in source.cells]
    known = set(source_ids) | set(lesson_ids)
    # The student's own extra cells, keyed by the lesson cell they followed.
    extras, previous = {}, None
    for cell in submitted.cells:
        gid = _grade_id(cell)
        if cell.get("id") in known or (gid in known):
            previous = gid or cell.get("id")
        elif cell.get("cell_type") == "code" and not gid:
            extras.setdefault(previous, []).append(cell)

    order = [g for g in submitted_ids if g in lesson_ids]
    seen = []
    for g in order:
        if g not in seen:
            seen.append(g)
    if seen != [g for g in lesson_ids if g in seen]:
        notes.append("cells reordered (lesson order restored)")

    added = _exercises_added_since(source, seen_ids)
    cells = [copy.deepcopy(c) for c in extras.get(None, [])]
    for cell in source.cells:
        gid = _grade_id(cell)
        if _is_answer(cell):
            if gid in answers:
                mine = copy.deepcopy(answers[gid])
                mine.metadata["nbgrader"] = copy.deepcopy(cell.metadata["nbgrader"])
                mine["id"] = cell.get("id")
            elif gid in added:
                mine = copy.deepcopy(cell)
                mine.source = (f'raise NotImplementedError("exercise {gid} is not in your copy: it '
                               'was added to the lesson after your copy was made")\n'
                               if cell.get("cell_type") == "code" else "(not in your copy)")
            else:
                notes.append(f"answer cell {gid} missing")
                mine = copy.deepcopy(cell)
                mine.source = (f'raise NotImplementedError("answer cell {gid} was deleted")\n'
                               if cell.get("cell_type") == "code" else "(answer cell deleted)")
            cells.append(mine)
        else:
            if gid and gid not in seen_ids and gid not in added and \
                    cell.metadata["nbgrader"].get("grade"):
                notes.append(f"test cell {gid} deleted (restored)")
            cells.append(copy.deepcopy(cell))
        for extra in extras.get(gid or cell.get("id"), []):
            extra = copy.deepcopy(extra)
            extra["id"] = f"student-{len(cells)}"
            cells.append(extra)

    if added:
        exercises = [gid for gid in added if _is_answer_id(source, gid)]
        notes.append("from an earlier version of the lesson: it lacks exercise "
                     + ", ".join(exercises) + " (added since; its tests score 0)")

    edited = [
        _grade_id(c) for c in submitted.cells
        if _grade_id(c) and not _is_answer(c)
        and c.get("metadata", {}).get("nbgrader", {}).get("grade")
        and _visible(c.source) != _visible(_source_cell(source, _grade_id(c)))
    ]
    if edited:
        notes.append("test cells edited (restored): " + ", ".join(sorted(set(edited))))

    graded = copy.deepcopy(source)
    graded.cells = cells
    for cell in graded.cells:
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
    return graded, notes


def _exercises_added_since(source, submitted_ids):
    """grade_ids of the exercises (an answer cell and the test cells after it) of which the
    submission has no cell at all: the lesson gained them after the student's copy was made."""
    exercises, current = [], None
    for cell in source.cells:
        gid = _grade_id(cell)
        if gid and _is_answer(cell):
            current = [gid]
            exercises.append(current)
        elif gid and current is not None and cell.metadata["nbgrader"].get("grade"):
            current.append(gid)
    added = []
    for exercise in exercises:
        if len(exercise) > 1 and not set(exercise) & set(submitted_ids):
            added += exercise
    return added


def _is_answer_id(source, gid):
    return any(_grade_id(c) == gid and _is_answer(c) for c in source.cells)


def _source_cell(source, gid):
    for cell in source.cells:
        if _grade_id(cell) == gid:
            return cell.source
    return None


def _visible(text):
    """A test cell's source without its hidden part, to tell an edited test from the lesson's."""
    if text is None:
        return None
    return text.split("### BEGIN HIDDEN TESTS")[0].strip()
