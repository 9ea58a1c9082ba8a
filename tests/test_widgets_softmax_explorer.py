"""The softmax explorer of lesson 06: the function behind it (headless) and the widget."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from bpkit import SoftmaxWithLoss  # noqa: E402
from bpkit.widgets.softmax_explorer import NOTES_SCORES, softmax_explorer, softmax_state  # noqa: E402

pytestmark = pytest.mark.lesson06


def test_the_notes_scores_make_class_2_almost_certain():
    state = softmax_state(NOTES_SCORES, target=2)
    assert state["predicted"] == 2
    assert state["y"][2] > 0.99 and np.isclose(state["y"].sum(), 1)
    assert 0 < state["loss"] < 0.01


def test_gradient_is_what_softmax_with_loss_sends_back_for_one_sample():
    scores = np.array([1.0, -2.0, 0.5, 3.0])
    state = softmax_state(scores, target=0)
    layer = SoftmaxWithLoss()
    layer.forward(scores.reshape(1, -1), np.array([0]))
    assert np.allclose(state["grad"], layer.backward(1)[0])
    assert np.isclose(state["grad"].sum(), 0)


def test_without_the_max_shift_a_low_temperature_overflows_and_the_shift_fixes_it():
    bad = softmax_state(NOTES_SCORES, temperature=0.01, subtract_max=False)
    assert bad["overflow"] and np.isnan(bad["loss"]) and "overflow" in bad["message"]
    good = softmax_state(NOTES_SCORES, temperature=0.01, subtract_max=True)
    assert not good["overflow"] and np.isfinite(good["y"]).all()
    assert good["y"][2] == pytest.approx(1.0)


def test_temperature_sharpens_and_flattens():
    sharp = softmax_state(NOTES_SCORES, temperature=0.5)["y"].max()
    flat = softmax_state(NOTES_SCORES, temperature=10)["y"].max()
    assert sharp > softmax_state(NOTES_SCORES)["y"].max() > flat > 0.25


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="temperature"):
        softmax_state(NOTES_SCORES, temperature=0)
    with pytest.raises(ValueError, match="target"):
        softmax_state(NOTES_SCORES, target=7)


def test_widget_redraws_when_a_slider_moves():
    explorer = softmax_explorer()
    before_y, before_image = explorer.state["y"].copy(), explorer.image.value
    explorer.score_sliders[0].value = 12.0  # class 0 now beats class 2
    assert explorer.state["predicted"] == 0
    assert not np.allclose(explorer.state["y"], before_y)
    assert explorer.image.value != before_image
    explorer.subtract_max.value = False
    explorer.temperature.value = 0.01
    assert explorer.state["overflow"] and "overflow" in explorer.message.value
