"""Every slider of the course's widgets starts on the value it was given, as the browser shows it.

ipywidgets' browser side snaps a slider's value to its step grid; a value off the grid is shown
(and sent back) as its neighbour on the grid: a log slider given lr = 0.5 with exponent steps
of 0.1 reads 0.501. So each slider's starting value must lie on its own grid, and a selection
slider's label must read as its value.
"""

import math

import ipywidgets as widgets
import pytest

from bpkit.widgets.activation_explorer import activation_explorer, gradient_decay_explorer
from bpkit.widgets.affine_shapes import affine_shapes_explorer
from bpkit.widgets.shop_stepper import shop_stepper
from bpkit.widgets.softmax_explorer import softmax_explorer
from bpkit.widgets.training_dashboard import training_dashboard

# Each widget as the lessons build it.
WIDGETS = {
    "shop_stepper": shop_stepper,
    "activation_explorer": activation_explorer,
    "gradient_decay_explorer": gradient_decay_explorer,
    "affine_shapes_explorer": affine_shapes_explorer,
    "softmax_explorer": softmax_explorer,
    "training_dashboard": lambda: training_dashboard(dataset="xor", hidden_size=8, lr=0.5,
                                                     steps=500),
}


def sliders(widget):
    if isinstance(widget, (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider,
                           widgets.SelectionSlider)):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from sliders(child)


def on_grid(value, low, step):
    k = (value - low) / step
    return math.isclose(k, round(k), abs_tol=1e-9)


@pytest.mark.parametrize("name", list(WIDGETS))
def test_every_slider_starts_on_a_value_the_browser_shows_as_is(name):
    found = list(sliders(WIDGETS[name]()))
    assert found, f"{name} has no slider"
    for slider in found:
        what = f"{name}: {slider.description!r} = {slider.value!r}"
        if isinstance(slider, widgets.FloatLogSlider):
            exponent = math.log(slider.value, slider.base)
            assert on_grid(exponent, slider.min, slider.step), what
        elif isinstance(slider, widgets.SelectionSlider):
            assert float(slider.label) == slider.value, what
        else:
            assert on_grid(slider.value, slider.min, slider.step), what
            assert slider.value == round(slider.value, 2), what


def test_the_learning_rate_slider_starts_at_0_5_and_offers_round_rates():
    dashboard = training_dashboard(lr=0.5)
    assert (dashboard.lr.value, dashboard.lr.label) == (0.5, "0.5")
    assert [label for label, _ in dashboard.lr.options][::3] == ["0.001", "0.01", "0.1", "1",
                                                                 "10"]
