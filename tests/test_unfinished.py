"""bpkit.unfinished.needs in a real kernel: one line while an exercise is open, silence after."""

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.lessons import LESSONS, all_lessons
from autograder.run_all_tags import TAG, may_raise, tag_cells_that_may_raise
from bpkit.unfinished import needs


def run_cells(*sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    return nb.cells


def test_needs_says_in_one_line_what_is_missing_or_unfinished_then_steps_aside():
    cells = run_cells(
        "from bpkit.unfinished import needs",
        'needs("fit_net")\nprint("drawn")',
        "def train(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
        "class Layer:\n    def forward(self, x):\n        raise NotImplementedError()",
        'needs("train", "Layer")\nprint("drawn")',
        "def train(x):\n    return x\n\nclass Layer:\n    def forward(self, x):\n        return x\n"
        "fit_net = 1",
        'needs("train", "Layer", "fit_net")\nprint("drawn")',
    )
    missing, stubs, done = cells[1].outputs, cells[4].outputs, cells[6].outputs
    assert [o.output_type for o in missing] == ["error"] and missing[0].ename == "Unfinished"
    assert missing[0].traceback == [
        "Not run yet: this cell needs `fit_net`, which is not defined yet. Finish that "
        "exercise above, run its cell, then run this cell again."]
    assert [o.output_type for o in stubs] == ["error"]
    assert stubs[0].traceback[0].startswith(
        "Not run yet: this cell needs `train` and `Layer`, which still raise "
        "NotImplementedError.")
    assert [o.get("text") for o in done] == ["drawn\n"]


def test_needs_wants_names_as_strings():
    with pytest.raises(TypeError, match="names as strings"):
        needs(needs)


def test_the_release_tags_tests_answers_and_guarded_cells_so_run_all_goes_on():
    def cell(source, **nbgrader):
        c = nbformat.v4.new_code_cell(source)
        if nbgrader:
            c.metadata["nbgrader"] = nbgrader
        return c

    nb = nbformat.v4.new_notebook(cells=[
        cell("import numpy as np"),
        cell("def f(x):\n    raise NotImplementedError()", solution=True, grade=False),
        cell('"""Checks f."""\ncheck(f)', grade=True, solution=False, points=1),
        cell('from bpkit.unfinished import needs\nneeds("f")\nplot(f)'),
        nbformat.v4.new_markdown_cell("needs(x) in prose"),
    ])
    assert tag_cells_that_may_raise(nb) == 3
    assert tag_cells_that_may_raise(nb) == 3  # twice changes nothing
    assert [c.metadata.get("tags", []) for c in nb.cells] == [[], [TAG], [TAG], [TAG], []]
    assert not may_raise(nb.cells[4])


@pytest.mark.parametrize("lesson", all_lessons())
def test_every_released_test_cell_is_tagged(lesson):
    nb = nbformat.read(LESSONS / lesson / f"{lesson}.ipynb", as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")]
    assert tests and all(TAG in c.metadata.get("tags", []) for c in tests)
