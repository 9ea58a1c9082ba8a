"""Run every hidden test of a lesson's solution on many fresh seeds: a correct answer must pass
all of them (a hidden test that fails a correct answer by bad luck would cost a student points).

    .venv/bin/python bench/seed_sweep.py 07 --runs 1000

Executes the solution's cells once in order (as a kernel would, figures off), then re-runs each
graded test cell ``--runs`` times in that namespace; each run draws its own seed from
``np.random.SeedSequence()`` exactly as in the notebook. Prints failures per cell and the time.
"""

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

import matplotlib
import nbformat

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent


def lesson_path(number):
    folder = next((ROOT / "solutions").glob(f"{number}_*"))
    return folder / f"{folder.name}.ipynb"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lesson", help="lesson number, e.g. 07")
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args(argv)
    path = lesson_path(args.lesson)
    notebook = nbformat.read(path, as_version=4)
    namespace = {"__name__": "__main__"}
    os.chdir(path.parent)
    import matplotlib.pyplot as plt

    plt.show = lambda *a, **k: plt.close("all")
    tests = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        exec(compile(source, f"<cell {cell.id}>", "exec"), namespace)  # noqa: S102
        plt.close("all")
        if "### BEGIN HIDDEN TESTS" in cell.source:
            tests.append(cell)
    print(f"{path.name}: {len(tests)} test cells with hidden tests, {args.runs} runs each")
    failed_total = 0
    for cell in tests:
        code = compile(cell.source, f"<cell {cell.id}>", "exec")
        start, failures, first = time.perf_counter(), 0, None
        import contextlib
        import io

        for _ in range(args.runs):
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(code, namespace)  # noqa: S102
            except Exception:  # noqa: BLE001 -- every failure is counted and the first shown
                failures += 1
                first = first or traceback.format_exc(limit=3)
        failed_total += failures
        grade_id = cell.metadata.nbgrader["grade_id"]
        print(f"  {grade_id:40s} {failures:5d} failed of {args.runs}  "
              f"({time.perf_counter() - start:.1f} s)")
        if first:
            print(first)
    print("all passed" if not failed_total else f"{failed_total} failures")
    return 1 if failed_total else 0


if __name__ == "__main__":
    sys.exit(main())
