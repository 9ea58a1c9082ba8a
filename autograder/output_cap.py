"""Inside the grading kernel: what a cell prints is cut short before it leaves the kernel.

nbgrader's LimitOutput shortens a long output in the graded notebook, but only after all of it
has been written: a loop printing 16 MB costs the kernel seconds of work per megabyte sent
(IPython also keeps every chunk in its output history), so on a busy machine such a cell ran
into the cell timeout and the submission was flagged as too slow, or not, depending on the
machine's load. Here each stream (stdout, stderr) passes at most :data:`LIMIT` characters per
cell, far more than LimitOutput keeps, and drops the rest at the cost of one comparison.

Loaded by the sandbox as an IPython extension. The cap is put on at the start of every cell, on
top of the write method IPython installs for that cell, which IPython removes again when the
cell ends, so each cell starts with a fresh allowance.
"""

import sys

LIMIT = 200_000  # characters per stream and cell; nbgrader's LimitOutput keeps ~10,000


def _cap(stream, limit):
    """Make ``stream.write`` pass the first ``limit`` characters and drop the rest."""
    write = stream.write
    write = getattr(write, "uncapped", write)  # where IPython does not reset it after a cell
    left = limit

    def capped(text, *args, **kwargs):
        nonlocal left
        if left <= 0:
            return len(text)
        left -= len(text)
        return write(text[:left + len(text)] if left < 0 else text, *args, **kwargs)

    capped.uncapped = write
    try:
        stream.write = capped
    except (AttributeError, TypeError):
        pass  # a stream a student put in place that takes no attributes: left as it is


def _before_cell(info=None):
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is not None and hasattr(stream, "write"):
            _cap(stream, LIMIT)


def load_ipython_extension(ip):
    ip.events.register("pre_run_cell", _before_cell)
