"""Run a notebook top to bottom on a fresh kernel and say what went wrong, if anything.

Used by the lesson benchmark (bench/lessons.py): the same execution a student's "Run All"
does, with nbclient and the course's Python kernel, timed.
"""

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))  # lesson_runs.py, beside this file
import lesson_runs  # noqa: E402


@dataclass
class Execution:
    """What one run of a notebook produced."""

    notebook: nbformat.NotebookNode
    seconds: float
    errors: list = field(default_factory=list)  # "cell <id>: <ename>: <evalue>"
    stderr: list = field(default_factory=list)  # "cell <id>: <text written to stderr>"

    @property
    def clean(self):
        return not self.errors and not self.stderr


def execute_notebook(path, cell_timeout=120, cwd=None):
    """Execute the notebook at ``path`` (not modified) in ``cwd`` (default: its folder).

    Keeps going after an error, so one run reports every failing cell.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    listed = lesson_runs.finished_run(notebook, {})  # its errors and stderr, as the tests list them
    return Execution(notebook, seconds, listed.errors, listed.stderr)
