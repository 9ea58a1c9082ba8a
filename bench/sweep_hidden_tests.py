"""Run every hidden test cell of a lesson's solution on many fresh seeds.

A hidden test draws a fresh seed each time it runs; a correct answer must pass on every one.
This script runs the solution's cells once (in this process, figures off screen), then each
hidden test block N times, each time with a seed drawn from fresh entropy, and prints per test
cell how many seeds passed, the failing seeds and the time per run.

    python -m bench.sweep_hidden_tests 10 --seeds 1000        (from the repository root)
    python -m bench.sweep_hidden_tests 10 --seeds 100 --only train_xor_test
"""

import argparse
import contextlib
import io
import re
import sys
import time
import warnings

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

from autograder.lessons import COURSE_ROOT, resolve_lesson  # noqa: E402

SEED_LINE = re.compile(r"^seed = int\(np\.random\.SeedSequence\(\)\.entropy % 2\*\*32\)$", re.M)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lesson")
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--only", nargs="*", help="grade_ids of the test cells to sweep")
    args = parser.parse_args()
    lesson = resolve_lesson(args.lesson)
    path = COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    namespace = {"__name__": "__main__"}
    hidden = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                match = HIDDEN.search(cell.source)
                if match:
                    hidden[meta["grade_id"]] = match.group(1)
                continue  # the visible checks ran in the notebook tests already
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.startswith("%"))  # IPython magics
            exec(compile(source, f"<{cell.get('id')}>", "exec"), namespace)  # noqa: S102
    print(f"{lesson}: {len(hidden)} hidden test cells, {args.seeds} fresh seeds each")
    all_passed = True
    for grade_id, source in hidden.items():
        if args.only and grade_id not in args.only:
            continue
        if not SEED_LINE.search(source):
            print(f"  {grade_id}: draws no seed; run once")
        code = compile(SEED_LINE.sub("seed = SWEEP_SEED", source), f"<{grade_id}>", "exec")
        failures, start = [], time.perf_counter()
        for _ in range(args.seeds):
            seed = int(np.random.SeedSequence().entropy % 2**32)
            namespace["SWEEP_SEED"] = seed
            stderr = io.StringIO()
            try:
                # A warning would reach stderr, where nbgrader scores the cell 0: an error here.
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(
                        stderr), warnings.catch_warnings():
                    warnings.simplefilter("error")
                    exec(code, namespace)  # noqa: S102
                if stderr.getvalue():
                    raise RuntimeError(f"wrote to stderr: {stderr.getvalue()[:120]}")
            except Exception as error:  # noqa: BLE001 -- every failure is reported
                failures.append((seed, f"{type(error).__name__}: {str(error)[:160]}"))
        seconds = (time.perf_counter() - start) / args.seeds
        print(f"  {grade_id}: {args.seeds - len(failures)}/{args.seeds} passed, "
              f"{seconds * 1000:.0f} ms a run")
        for seed, error in failures[:5]:
            print(f"    seed {seed}: {error}")
        all_passed &= not failures
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
