"""Self-grading on a real lesson: a blank, a partly done and a complete notebook.

The notebooks are lesson 03's student version with answers filled in from its solution
programmatically. Grading must print the score per test and each failure's message, never the
hidden tests' code, and must leave the learner's file byte for byte as it was.
"""

import os
import re
import subprocess
import sys

import nbformat
import pytest

pytestmark = pytest.mark.autograder

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LESSON = "03_add_mul_layers"
SOURCE = os.path.join(REPO, "solutions", LESSON, LESSON + ".ipynb")
RELEASE = os.path.join(REPO, "lessons", LESSON, LESSON + ".ipynb")

if not (os.path.exists(SOURCE) and os.path.exists(RELEASE)):
    pytest.skip(f"lesson {LESSON} is not written yet", allow_module_level=True)


def _answers():
    source = nbformat.read(SOURCE, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


def _tests():
    source = nbformat.read(SOURCE, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")}


def _hidden_lines():
    source = nbformat.read(SOURCE, as_version=4)
    lines = []
    for cell in source.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            lines += [line.strip() for line in hidden.splitlines() if len(line.strip()) > 15]
    return lines


def notebook(tmp_path, filled):
    """The student version with the first ``filled`` answer cells taken from the solution."""
    nb = nbformat.read(RELEASE, as_version=4)
    answers = _answers()
    done = 0
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid in answers and done < filled:
            cell.source = answers[gid]
            done += 1
    path = tmp_path / f"{LESSON}-{filled}.ipynb"
    nbformat.write(nb, str(path))
    return path


def grade_cli(path):
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-me", "03", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert path.read_bytes() == before, "grading changed the learner's notebook"
    return done.stdout


def score_line(output):
    return [line for line in output.splitlines() if line.startswith("Score:")][-1]


def test_complete_notebook_gets_full_marks_on_every_test(tmp_path):
    output = grade_cli(notebook(tmp_path, filled=len(_answers())))
    tests = _tests()
    total = sum(tests.values())
    assert score_line(output) == f"Score: {total:g}/{total:g} (100%)"
    assert "Note:" not in output  # nothing flagged: the guard raises no false alarm
    for gid, points in tests.items():
        assert f"{points:g}/{points:g}  passed" in " ".join(
            line.split(gid, 1)[1].strip() for line in output.splitlines() if gid in line)


def test_blank_notebook_scores_0_with_a_message_per_failed_test(tmp_path):
    output = grade_cli(notebook(tmp_path, filled=0))
    total = sum(_tests().values())
    assert score_line(output) == f"Score: 0/{total:g} (0%)"
    assert output.count("FAILED") == len(_tests())
    assert "AssertionError: " in output
    for line in _hidden_lines():
        assert line not in output


def test_grade_me_in_a_notebook_cell_says_what_it_grades_and_scores_partly_done_work(tmp_path,
                                                                                     capsys):
    from autograder import grade_me

    path = notebook(tmp_path, filled=1)
    before = path.read_bytes()
    grade_me("03", str(path))
    output = capsys.readouterr().out
    first = output.splitlines()[0]
    assert first.startswith(f"Grading the saved copy of lesson 03 ({path.name}, saved at "), first
    assert re.search(r"about \d+ s\.", first) and "Ctrl+S" in first, first
    score = float(score_line(output).split()[1].split("/")[0])
    assert 0 < score < sum(_tests().values())
    assert "FAILED" in output and "passed" in output
    assert path.read_bytes() == before
    for line in _hidden_lines():
        assert line not in output


def test_answers_that_reexport_or_subclass_bpkit_score_nothing_on_the_real_lesson(tmp_path):
    """The hidden tests of lesson 03 reject bpkit's reference layers passed off as one's own."""
    nb = nbformat.read(RELEASE, as_version=4)
    answers = _answers()
    cheats = {"mul_layer": "from bpkit import MulLayer\n",
              "add_layer": "import bpkit\n\nclass AddLayer(bpkit.AddLayer):\n    pass\n"}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid in answers:
            cell.source = cheats.get(gid, answers[gid])
    path = tmp_path / "cheat.ipynb"
    nbformat.write(nb, str(path))
    output = grade_cli(path)
    for test in ("mul_layer_forward", "mul_layer_backward", "add_layer_forward",
                 "add_layer_backward"):
        line = next(line for line in output.splitlines() if line.strip().startswith(test))
        assert line.split()[1].startswith("0/"), line
    assert "must be your own code" in output


def test_from_a_terminal_it_names_each_test_as_it_starts(tmp_path):
    path = notebook(tmp_path, filled=len(_answers()))
    done = subprocess.run([sys.executable, "-m", "autograder.grade_me", "03", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not done.stderr, done.stderr[-2000:]  # no runpy or deprecation chatter
    tests = list(_tests())
    progress = [line.strip() for line in done.stdout.splitlines() if line.startswith("  test ")]
    assert progress == [f"test {i} of {len(tests)}: {gid}" for i, gid in enumerate(tests, 1)]
    assert done.stdout.index(progress[-1]) < done.stdout.index("Score:")
    assert score_line(done.stdout) == f"Score: {sum(_tests().values()):g}/" \
        f"{sum(_tests().values()):g} (100%)"


def _run_in_a_kernel(cells, cwd):
    """Execute code cells in one fresh python3 kernel, as a student would; return the cells."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb.cells


def _printed(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_grade_me_twice_in_one_kernel_grades_twice_and_leaves_the_notebook_alone(tmp_path):
    path = notebook(tmp_path, filled=len(_answers()))
    os.utime(path, (1_700_000_000, 1_700_000_000))
    before = path.read_bytes()
    call = f"from autograder import grade_me\ngrade_me('03', {str(path)!r})"
    cells = _run_in_a_kernel([call, call], tmp_path)
    total = sum(_tests().values())
    for cell in cells:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, errors
        assert score_line(_printed(cell)) == f"Score: {total:g}/{total:g} (100%)"
        assert "test 1 of" in _printed(cell)
    assert path.read_bytes() == before
    assert os.stat(path).st_mtime == 1_700_000_000, "grading touched the notebook's file"
    assert not (tmp_path / ".ipynb_checkpoints").exists()


def test_a_grade_me_cell_saved_in_the_notebook_is_not_tampering(tmp_path):
    """A learner who saved their grade_me cell is graded as usual, with nothing flagged."""
    path = notebook(tmp_path, filled=len(_answers()))
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('from autograder import grade_me\ngrade_me("03")'))
    nbformat.write(nb, path)
    output = grade_cli(path)
    total = sum(_tests().values())
    assert score_line(output) == f"Score: {total:g}/{total:g} (100%)"
    assert "Note:" not in output, output  # no "tried to start a program: subprocess.Popen"


def test_a_first_grading_on_a_machine_with_no_font_cache_is_not_flagged(tmp_path):
    """matplotlib runs fc-list to build its font cache the first time: that is not tampering."""
    path = notebook(tmp_path, filled=len(_answers()))
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "no-font-cache-yet"))
    done = subprocess.run([sys.executable, "-m", "autograder.grade_me", "03", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Note:" not in done.stdout, done.stdout
    assert (tmp_path / "no-font-cache-yet").is_dir()  # the kernel did build a cache there
