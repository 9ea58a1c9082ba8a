"""The activation explorer of lesson 04: the functions behind it (headless) and the widgets."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from bpkit.widgets.activation_explorer import (  # noqa: E402
    activation_explorer,
    activation_state,
    gradient_decay_explorer,
    local_derivative,
    stacked_sigmoid_state,
)

pytestmark = pytest.mark.lesson04


def test_sigmoid_slope_matches_a_finite_difference_and_peaks_at_a_quarter():
    xs = np.linspace(-5, 5, 41)
    y, slope = local_derivative("sigmoid", xs)
    h = 1e-5
    above, below = local_derivative("sigmoid", xs + h)[0], local_derivative("sigmoid", xs - h)[0]
    numeric = (above - below) / (2 * h)
    assert np.allclose(slope, numeric, atol=1e-8)
    assert np.isclose(slope.max(), 0.25) and xs[slope.argmax()] == 0


def test_relu_slope_is_one_right_of_zero_and_zero_elsewhere():
    y, slope = local_derivative("relu", np.array([-2.0, 0.0, 3.0]))
    assert y.tolist() == [0.0, 0.0, 3.0]
    assert slope.tolist() == [0.0, 0.0, 1.0]


def test_activation_state_tangent_touches_the_curve_with_the_right_slope():
    state = activation_state("sigmoid", 1.5)
    assert np.isclose(state["y"], 1 / (1 + np.exp(-1.5)))
    assert np.isclose(state["slope"], state["y"] * (1 - state["y"]))
    xs, ys = state["tangent"]
    # The tangent line passes through (x, y) with slope f'(x).
    assert np.allclose(np.polyfit(xs, ys, 1), [state["slope"], state["y"] - 1.5 * state["slope"]])
    assert "0.1" in state["message"]  # f'(1.5) = 0.149 is reported
    assert len(state["figure"].axes[0].lines) >= 4  # f, f', tangent, the point


def test_relu_state_says_the_gradient_is_blocked_for_negative_x():
    assert "blocked" in activation_state("relu", -1.0)["message"]
    assert "blocked" not in activation_state("relu", 2.0)["message"]


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="relu"):
        activation_state("tanh", 0.0)


@pytest.mark.parametrize("n_layers", [1, 3, 10])
def test_stacked_sigmoids_shrink_the_gradient_at_least_fourfold_per_layer(n_layers):
    state = stacked_sigmoid_state(n_layers, x=0.3)
    grads = state["grads"]
    assert grads.shape == (n_layers,)
    assert np.all(np.abs(grads) <= state["bound"] + 1e-15)
    # Going one layer down multiplies by that layer's y(1 - y) <= 1/4.
    assert np.allclose(grads[:-1] / grads[1:], state["local"][:-1])
    assert np.all(state["local"] <= 0.25)
    assert np.isclose(grads[-1], state["local"][-1])


def test_stacked_sigmoid_gradient_matches_a_finite_difference():
    def top(x):
        for _ in range(6):
            x = 1 / (1 + np.exp(-x))
        return x

    h = 1e-6
    numeric = (top(0.7 + h) - top(0.7 - h)) / (2 * h)
    assert np.isclose(stacked_sigmoid_state(6, 0.7)["grads"][0], numeric, rtol=1e-5)


def test_stacked_sigmoid_plot_uses_a_log_scale():
    fig = stacked_sigmoid_state(8)["figure"]
    assert fig.axes[0].get_yscale() == "log"


def test_activation_explorer_redraws_when_x_or_the_function_changes():
    widget = activation_explorer("sigmoid", 0.0)
    first_message, first_image = widget.message.value, widget.image.value
    assert "0.2500" in first_message and first_image
    widget.x_slider.value = 3.0
    assert widget.state["x"] == 3.0
    assert widget.message.value != first_message and widget.image.value != first_image
    widget.chooser.value = "relu"
    assert widget.state["name"] == "relu" and np.isclose(widget.state["slope"], 1.0)


def test_gradient_decay_explorer_redraws_when_the_depth_changes():
    widget = gradient_decay_explorer(n_layers=2)
    before = widget.state["grads"][0]
    widget.n_slider.value = 12
    assert widget.state["grads"].shape == (12,)
    assert abs(widget.state["grads"][0]) < abs(before) / 4 ** 10
    assert "12 sigmoid layer" in widget.message.value
