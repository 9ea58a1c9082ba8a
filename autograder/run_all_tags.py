"""Tags that let Run All on a student's lesson go from the first cell to the last.

JupyterLab's Run All stops at the first cell that raises, unless the cell carries the tag
``raises-exception``. In a blank lesson three kinds of cell raise on purpose, and each gets it:

* every graded test cell: it fails, with its short feedback box, until the exercise is done;
* every answer cell: its stub raises NotImplementedError until the student writes the code;
* every cell guarded by ``needs(...)`` (bpkit/unfinished.py): it stops in one line while the
  exercise it shows is open.

The figures and widgets below them still run. nbgrader ignores tags when it scores (a test cell
with an error still earns 0) and leaves them out of its checksums.
"""

import re

TAG = "raises-exception"
_NEEDS_CALL = re.compile(r"^needs\(", re.MULTILINE)


def may_raise(cell):
    """True for a code cell that raises in a blank lesson by design (see the module docstring)."""
    if cell.get("cell_type") != "code":
        return False
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return bool(nbgrader.get("grade") or nbgrader.get("solution")
                or _NEEDS_CALL.search(cell.get("source", "")))


def tag_cells_that_may_raise(notebook):
    """Add ``raises-exception`` to those cells' tags (in place); returns how many were tagged."""
    count = 0
    for cell in notebook.cells:
        if may_raise(cell):
            tags = cell.metadata.setdefault("tags", [])
            if TAG not in tags:
                tags.append(TAG)
            count += 1
    return count
