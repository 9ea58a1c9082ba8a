"""The Affine shape explorer of lesson 05: the function behind it (headless) and the widget."""

import matplotlib
import pytest

matplotlib.use("Agg")

from bpkit.widgets.affine_shapes import (  # noqa: E402
    affine_shapes_explorer,
    affine_shapes_state,
    candidates_html,
)

pytestmark = pytest.mark.lesson05


def right_expressions(state):
    return {g: [e for e, _, _, right in rows if right] for g, rows in state["candidates"].items()}


def test_every_gradient_has_the_shape_of_its_array():
    shapes = affine_shapes_state(5, 2, 3)["shapes"]
    assert shapes["x"] == shapes["dx"] == (5, 2)
    assert shapes["W"] == shapes["dW"] == (2, 3)
    assert shapes["b"] == shapes["db"] == (3,)
    assert shapes["out"] == shapes["dout"] == (5, 3)


def test_with_different_sizes_only_the_right_products_pass_and_wrong_ones_say_why():
    state = affine_shapes_state(5, 2, 3)
    assert right_expressions(state) == {"dx": ["dout @ W.T"], "dW": ["x.T @ dout"],
                                        "db": ["dout.sum(axis=0)"]}
    errors = {e: err for rows in state["candidates"].values() for e, _, err, _ in rows if err}
    assert errors["dout @ x"] == "(5, 3) · (5, 2): inner sizes 3 and 5 differ"
    assert "Careful" not in state["message"]


def test_equal_sizes_let_wrong_products_hide_and_the_message_warns():
    state = affine_shapes_state(3, 3, 3)
    assert "dW = dout.T @ x" in state["message"] and "Careful" in state["message"]
    assert right_expressions(state)["dW"] == ["x.T @ dout"]  # right shape is not enough


def test_table_marks_right_and_wrong_rows():
    state = affine_shapes_state(4, 2, 3)
    html = candidates_html(state["candidates"], state["shapes"])
    assert html.count("✔ right") == 3
    assert "dW must have shape (2, 3)" in html


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        affine_shapes_state(0, 2, 3)


def test_widget_redraws_when_a_slider_moves():
    explorer = affine_shapes_explorer()
    image, table = explorer.image.value, explorer.table.value
    explorer.n_slider.value = 7
    assert explorer.state["shapes"]["dx"] == (7, 2)
    assert explorer.image.value != image and explorer.table.value != table
