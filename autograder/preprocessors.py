"""Preprocessors that the grader puts into nbgrader's own autograde pipeline.

:class:`ResilientExecute` is nbgrader's Execute, except that a kernel that dies (``os._exit``, a
segfault) is restarted: the cell that killed it gets an error output, the cells above it are run
again (tests excepted) to rebuild the student's definitions, and execution goes on, so the tests
that do not depend on the crashing cell still earn their points.

:class:`MarkTests` runs after nbgrader has restored the test cells (OverwriteCells): it puts
:data:`guard.MARK` on the first line of every test cell so the guard inside the kernel knows
which cells are tests.

:class:`Review` runs after execution and before nbgrader records the scores (SaveAutoGrades):

* it reads the guard's and the sandbox's log and scores 0 every test cell during which numpy,
  bpkit or the builtins were patched (or whose integrity check was switched off); patches made
  in answer cells were already undone before the tests ran, and are only noted;
* it notes every refused attempt to read the solutions or start a program;
* it moves text a test cell wrote to stderr into its stdout. nbgrader gives 0 points to a test
  cell with any stderr output, so a correct answer that emits a warning would lose its points.
  Errors still score 0: they are ``error`` outputs, not stderr streams.

Notes for the instructor go into nbgrader's ``resources`` under :data:`NOTES_KEY` (a list the
worker puts there and reads after the notebook; see :func:`note`).
"""

import copy
import json
import os
import re
import time

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, Unicode

from . import guard

NOTES_KEY = "bpkit_notes"


def note(resources, text):
    """Leave a note for the instructor (the ``reason`` of grades.csv) in nbgrader's resources."""
    resources.setdefault(NOTES_KEY, []).append(text)


_SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")


def syntax_errors(nb):
    """``"<ename> in answer cell <grade_id>, line <n>: <message>"`` for every answer cell Python
    could not even read: its definitions never happened, so its tests fail with NameErrors that
    do not say why."""
    found = []
    for cell in nb.cells:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        for output in cell.get("outputs", []):
            if nbg.get("solution") and output.get("ename") in _SYNTAX_ERRORS:
                text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
                line = re.search(r"line (\d+)", text)
                found.append(f"{output['ename']} in answer cell {nbg.get('grade_id')}"
                             + (f", line {line.group(1)}" if line else "")
                             + f": {output.get('evalue', '').strip()}")
    return found


def _is_test(cell):
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and nbg.get("grade") and not nbg.get("solution")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"^Cell In\[\d+\], line (\d+), in ([\w.<>]+)\(", re.M)
TIMED_OUT = ("KeyboardInterrupt", "CellTimeoutError")


def stuck_in(outputs):
    """``(function, line)`` where the student's code was when a timeout interrupted it: the
    innermost frame in notebook code of the KeyboardInterrupt's traceback, or None."""
    for output in outputs:
        if output.get("ename") == "KeyboardInterrupt":
            frames = _CELL_FRAME.findall(_ANSI.sub("", "\n".join(output.get("traceback", []))))
            if frames:
                line, function = frames[-1]
                return function, int(line)
    return None


def explain_timeout(cell, seconds):
    """Replace a timed-out cell's bare ``KeyboardInterrupt`` by what the student needs: which
    of their functions never returned, and after how long."""
    if not any(o.get("ename") in TIMED_OUT for o in cell.get("outputs", [])):
        return False
    where = stuck_in(cell.outputs)
    what = (f"{where[0]} (line {where[1]} of its cell) never returned" if where and
            where[0] != "<module>" else "this cell never finished")
    why = (f"{what}: stopped after {seconds:g} s. Is there a loop whose condition never "
           "changes, or a call that waits for itself?")
    cell.outputs = [o for o in cell.outputs if o.get("ename") not in TIMED_OUT] + [
        NotebookNode(output_type="error", ename="TimeoutError", evalue=why,
                     traceback=[f"TimeoutError: {why}"])]
    return True


class ResilientExecute(Execute):
    max_restarts = Integer(3, help="kernel restarts allowed per notebook").tag(config=True)
    timeout_after_a_timeout = Integer(
        5, help="seconds per cell once a cell of the notebook has timed out: a loop that never "
        "ends usually sits in a definition every later test uses, and each would wait the full "
        "limit").tag(config=True)
    _restarts = 0

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        started = time.monotonic()
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        except DeadKernelError:
            if self._restarts >= self.max_restarts:
                raise
            self._restarts += 1
        else:
            limit = self.timeout
            if cell.get("cell_type") == "code" and explain_timeout(
                    cell, min(limit, round(time.monotonic() - started))):
                if limit > self.timeout_after_a_timeout:
                    note(self.resources, f"cell {cell_index + 1} timed out after {limit:g} s; "
                         f"later cells got {self.timeout_after_a_timeout} s each")
                self.timeout = min(limit, self.timeout_after_a_timeout)
            return cell
        why = ("the kernel died while running this cell (os._exit, a crash in C code, or a "
               "signal); it was restarted and the cells above it were run again")
        cell.outputs = [NotebookNode(output_type="error", ename="KernelDied", evalue=why,
                                     traceback=[f"KernelDied: {why}"])]
        cell.execution_count = execution_count
        note(self.resources, f"kernel died in cell {cell_index + 1}; restarted and went on")
        await self._restart_and_replay(cell_index)
        return cell

    async def _restart_and_replay(self, upto):
        if self.kc is not None:
            await ensure_async(self.kc.stop_channels())
        await ensure_async(self.km.restart_kernel(now=True))
        await self.async_start_new_kernel_client()
        for index in range(upto):
            earlier = self.nb.cells[index]
            if earlier.get("cell_type") != "code" or _is_test(earlier) or \
                    any(o.get("ename") == "KernelDied" for o in earlier.get("outputs", [])):
                continue
            kept = copy.deepcopy(earlier.get("outputs", [])), earlier.get("execution_count")
            await super().async_execute_cell(earlier, index, store_history=False)
            earlier.outputs, earlier.execution_count = kept

    # nbclient binds the synchronous wrapper to its own coroutine; bind it to ours.
    execute_cell = run_sync(async_execute_cell)


class MarkTests(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if _is_test(cell):
            cell.source = f"{guard.MARK} {cell.metadata['nbgrader']['grade_id']}\n{cell.source}"
        return cell, resources


class Review(NbGraderPreprocessor):
    log_path = Unicode("", help="JSON-lines log of the sandbox and the guard").tag(config=True)

    def _records(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return []
        records = []
        with open(self.log_path) as f:
            for line in f:
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    records.append({"event": "garbled"})
        return records

    def preprocess(self, nb, resources):
        records = self._records()
        before = {r.get("test"): r for r in records if r.get("event") == "before"}
        after = {r.get("test"): r for r in records if r.get("event") == "after"}
        restored = sorted({name for r in before.values() for name in r.get("changed", [])})
        if restored:
            note(resources, "patched " + ", ".join(restored) + " (undone before the tests)")
        for kind, label in (("forbidden", "tried to read"), ("spawn", "tried to start a program"),
                            ("ctypes", "called the C library through ctypes")):
            hits = [r for r in records if r.get("event") == kind]
            if hits and kind == "ctypes":
                names = list(dict.fromkeys(str(r.get("what")) for r in hits))
                note(resources, f"{label}: {', '.join(names)}")
            elif hits:
                note(resources, f"{label}: {hits[0].get('path') or hits[0].get('what')}"
                             + (f" (+{len(hits) - 1} more)" if len(hits) > 1 else ""))

        enames = {o.get("ename") for c in nb.cells for o in c.get("outputs", [])
                  if o.get("output_type") == "error"}
        if enames & {"CellTimeoutError", "KeyboardInterrupt", "TimeoutError"}:
            note(resources, "a cell ran too long and was interrupted")
        for error in syntax_errors(nb):
            note(resources, error)
        if "MemoryError" in enames:
            note(resources, "ran out of memory (the kernel's memory limit)")

        tampered = []
        for cell in nb.cells:
            if not _is_test(cell):
                continue
            gid = cell.metadata["nbgrader"]["grade_id"]
            if cell.source.startswith(guard.MARK):
                cell.source = cell.source.split("\n", 1)[1] if "\n" in cell.source else ""
            ran = cell.get("execution_count") is not None
            during = after.get(gid, {}).get("changed", [])
            if ran and (gid not in before or during):
                why = ("patched " + ", ".join(during) + " while this test ran") if during else \
                    "the grader's integrity check was switched off"
                tampered.append(gid)
                cell.outputs = [NotebookNode(output_type="error", ename="TamperingError",
                                             evalue=why, traceback=[f"TamperingError: {why}"])]
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        if tampered:
            note(resources, "tampering: tests " + ", ".join(tampered) + " scored 0")
        return nb, resources
