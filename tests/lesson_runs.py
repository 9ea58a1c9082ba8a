"""Run a lesson as a student's Run All does, and list what they would see wrong in its outputs.

``run_lesson`` executes a notebook on a fresh python3 kernel (the kernel JupyterLab starts,
with its inline matplotlib backend) and counts, for every cell, the matplotlib Figures the
cell created. ``drawing_problems`` then lists every cell that created a figure but shows no
image, every output that is a figure's text (``<Figure size 640x480 with 1 Axes>``) with no
image beside it, and every image shown twice by one cell.

``finished_run`` makes the same record of a notebook that another program executed: the
runs ``nbgrader validate`` makes for test_notebooks.py are kept and read this way
(validate_runs.py), so the tests that look at a lesson's outputs share them.

An image counts wherever JupyterLab would draw it: an ``image/png`` output, or a PNG held by
a widget shown in the cell (an ``Image`` widget, or an ``Output`` widget's captured output).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# Runs first, in the kernel: count Figures made by each cell, keyed by its execution count.
_TRACK_FIGURES = r"""
import matplotlib.figure as _track_mf
from IPython import get_ipython as _track_ip
_track_counts, _track_new = {}, [0]
_track_init = _track_mf.Figure.__init__
def _track_counting_init(self, *args, **kwargs):
    _track_new[0] += 1
    _track_init(self, *args, **kwargs)
_track_mf.Figure.__init__ = _track_counting_init
def _track_after_cell(result):
    if result.execution_count is not None:
        _track_counts[result.execution_count] = _track_new[0]
    _track_new[0] = 0
_track_ip().events.register("post_run_cell", _track_after_cell)
"""
# The same count kept by a kernel some other program starts (``nbgrader validate``): an IPython
# startup file (validate_runs.py) runs the tracker, and this writes the counts after every cell
# to <BPKIT_KEPT_RUNS>/<the notebook's folder>.figures.json.
_SAVE_FIGURE_COUNTS = r"""
import json as _track_json, os as _track_os
_track_file = _track_os.path.join(_track_os.environ["BPKIT_KEPT_RUNS"],
                                  _track_os.path.basename(_track_os.getcwd()) + ".figures.json")
def _track_save(result):
    with open(_track_file, "w") as _track_out:
        _track_json.dump(_track_counts, _track_out)
_track_ip().events.register("post_run_cell", _track_save)
"""
TRACKER_STARTUP_FILE = _TRACK_FIGURES + _SAVE_FIGURE_COUNTS
_REPORT_FIGURES = "import json as _track_json; print(_track_json.dumps(_track_counts))"
FIGURE_TEXT = re.compile(r"<Figure size \d+x\d+ with \d+ Axes>")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass
class LessonRun:
    notebook: nbformat.NotebookNode  # the lesson's cells, with their outputs
    figures_made: dict = field(default_factory=dict)  # cell index -> Figures it created
    stopped_at: int | None = None  # index of the cell whose error ended Run All, if any
    error: str = ""
    errors: list = field(default_factory=list)  # "cell <id>: <ename>: <evalue>", every cell
    stderr: list = field(default_factory=list)  # "cell <id>: <text written to stderr>"


def run_lesson(notebook: nbformat.NotebookNode, cwd, stop_on_error=True,
               cell_timeout=300) -> LessonRun:
    """Execute a copy of ``notebook`` in ``cwd``.

    stop_on_error: stop at the first error of a cell not tagged ``raises-exception``, as
    JupyterLab's Run All does; otherwise run every cell, and ``stopped_at`` still names the
    cell where Run All would have stopped.
    """
    work = nbformat.from_dict(json.loads(json.dumps(notebook)))
    n = len(work.cells)
    work.cells = ([nbformat.v4.new_code_cell(_TRACK_FIGURES)] + work.cells
                  + [nbformat.v4.new_code_cell(_REPORT_FIGURES)])
    client = NotebookClient(work, timeout=cell_timeout, kernel_name="python3",
                            allow_errors=not stop_on_error,
                            resources={"metadata": {"path": str(cwd)}})
    stopped_at, error = None, ""
    client.reset_execution_trackers()
    with client.setup_kernel():
        for index, cell in enumerate(work.cells):
            try:
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellExecutionError as failure:
                stopped_at, error = index - 1, str(failure)[-2000:]
                break
        client.set_widgets_metadata()
    counts = {}
    report = work.cells[-1].get("outputs", [])
    if stopped_at is None and report:
        counts = json.loads(report[0]["text"])
    work.cells = work.cells[1:n + 1]
    return finished_run(work, counts, stopped_at, error)


def finished_run(notebook, counts, stopped_at=None, error="") -> LessonRun:
    """The LessonRun of an executed ``notebook`` (the lesson's own cells, with their outputs).

    counts: Figures created per execution count (keys may be strings, as JSON writes them).
    """
    counts = {int(k): v for k, v in counts.items()}
    made = {index: counts[cell.execution_count] for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and cell.get("execution_count") in counts}
    run = LessonRun(notebook, made, stopped_at, error)
    _list_errors_and_stderr(run)
    return run


def _list_errors_and_stderr(run: LessonRun) -> None:
    for index, cell in enumerate(run.notebook.cells):
        where = f"cell {cell.get('id', '?')}"
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                run.errors.append(f"{where}: {output.ename}: {output.evalue}")
                expected = "raises-exception" in cell.metadata.get("tags", [])
                if run.stopped_at is None and not expected:
                    run.stopped_at = index
                    run.error = "\n".join(output.traceback)[-2000:]
            elif output.output_type == "stream" and output.name == "stderr":
                run.stderr.append(f"{where}: {output.text.strip()[:500]}")


# --- what a cell shows ------------------------------------------------------------------------

def _widget_models(notebook) -> dict:
    return notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _widget_outputs(model_id, models, seen=None):
    """Outputs and PNGs reachable from a widget: children, Output widgets, Image values."""
    seen = seen if seen is not None else set()
    if model_id in seen or model_id not in models:
        return [], []
    seen.add(model_id)
    model = models[model_id]
    state = model.get("state", {})
    outputs, pngs = list(state.get("outputs", [])), []
    for buffer in model.get("buffers", []):
        data = base64.b64decode(buffer.get("data", ""))
        if data.startswith(PNG_MAGIC):
            pngs.append(data)
    refs = []
    for value in state.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                refs.append(item[len("IPY_MODEL_"):])
    for ref in refs:
        more_outputs, more_pngs = _widget_outputs(ref, models, seen)
        outputs += more_outputs
        pngs += more_pngs
    for output in list(outputs):
        view = output.get("data", {}).get(WIDGET_VIEW)
        if view:
            more_outputs, more_pngs = _widget_outputs(view["model_id"], models, seen)
            outputs += more_outputs
            pngs += more_pngs
    return outputs, pngs


def shown(cell, notebook) -> tuple[list, list]:
    """(every output the cell shows, including those inside its widgets; its PNG images)."""
    models = _widget_models(notebook)
    outputs, pngs = [], []
    for output in cell.get("outputs", []):
        outputs.append(output)
        data = output.get("data", {})
        if "image/png" in data:
            pngs.append(base64.b64decode(data["image/png"]))
        if WIDGET_VIEW in data:
            more_outputs, more_pngs = _widget_outputs(data[WIDGET_VIEW]["model_id"], models)
            outputs += more_outputs
            pngs += more_pngs
    for output in outputs[len(cell.get("outputs", [])):]:
        if "image/png" in output.get("data", {}):
            pngs.append(base64.b64decode(output["data"]["image/png"]))
    return outputs, pngs


def drawing_problems(run: LessonRun) -> list[str]:
    """What a student would see wrong in the figures: a sentence per problem, with the cell."""
    problems = []
    for index, cell in enumerate(run.notebook.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index} ({cell.source.strip().splitlines()[0][:60]!r})" \
            if cell.source.strip() else f"cell {index}"
        outputs, pngs = shown(cell, run.notebook)
        if run.figures_made.get(index, 0) and not pngs:
            problems.append(f"{where} made {run.figures_made[index]} figure(s) but shows no image")
        for output in outputs:
            data = output.get("data", {})
            text = data.get("text/plain", "")
            if FIGURE_TEXT.search(text) and "image/png" not in data:
                problems.append(f"{where} shows the text {FIGURE_TEXT.search(text).group()}")
        if len(set(pngs)) < len(pngs):
            problems.append(f"{where} shows the same image {len(pngs) - len(set(pngs)) + 1} times")
    return problems
