"""The BatchNorm explorer of lesson 11: the function behind it (headless), the widget, and the
BatchNorm graph it goes with."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from bpkit import viz  # noqa: E402
from bpkit.widgets.batchnorm_explorer import batchnorm_explorer, batchnorm_state  # noqa: E402

pytestmark = pytest.mark.lesson11


@pytest.fixture(scope="module")
def small_weights():
    return batchnorm_state(weight_scale=0.05, batch_size=100, iterations=150)


def test_small_weights_make_the_spread_vanish_without_batchnorm_but_not_with_it(small_weights):
    plain, bn = small_weights["plain"]["spread"], small_weights["batchnorm"]["spread"]
    assert len(plain) == len(bn) == 4
    # The spread shrinks layer after layer:
    assert all(a > 2 * b for a, b in zip(plain, plain[1:], strict=False))
    assert plain[-1] < 0.01
    assert all(0.4 < s < 0.8 for s in bn)  # ReLU of a unit normal: std about 0.58


def test_batchnorm_trains_what_the_plain_net_cannot(small_weights):
    plain, bn = small_weights["plain"], small_weights["batchnorm"]
    assert len(plain["losses"]) == len(bn["losses"]) == 150
    assert np.mean(plain["losses"][-20:]) > 2.2  # still at ln 10: nothing learned
    assert np.mean(bn["losses"][-20:]) < 0.3
    assert plain["accuracy"] < 0.2 < 0.9 < bn["accuracy"]
    assert f"{bn['accuracy']:.1%}" in small_weights["message"]


def test_large_weights_explode_without_batchnorm():
    state = batchnorm_state(weight_scale=1.0, batch_size=100, iterations=20)
    assert state["plain"]["spread"][-1] > 50
    assert all(0.4 < s < 0.8 for s in state["batchnorm"]["spread"])


def test_tiny_batches_make_batchnorm_noisy_and_worse_at_inference(small_weights):
    tiny = batchnorm_state(weight_scale=0.05, batch_size=4, iterations=150)
    assert np.std(np.diff(tiny["batchnorm"]["losses"][-50:])) > 3 * np.std(
        np.diff(small_weights["batchnorm"]["losses"][-50:]))
    assert tiny["batchnorm"]["accuracy"] < small_weights["batchnorm"]["accuracy"] - 0.1


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="weight_scale"):
        batchnorm_state(weight_scale=0)
    with pytest.raises(ValueError, match="batch_size"):
        batchnorm_state(batch_size=1)


def test_widget_redraws_when_a_slider_is_released():
    explorer = batchnorm_explorer(weight_scale=0.05, batch_size=100, iterations=10)
    before = explorer.image.value
    assert explorer.weight_scale.continuous_update is False
    explorer.weight_scale.value = 1.0
    assert explorer.image.value != before
    assert explorer.state["plain"]["spread"][-1] > 50
    assert "std 1" in explorer.message.value


def test_the_batchnorm_graph_has_its_eight_nodes_and_two_branches():
    forward, backward = viz.batchnorm_graph(), viz.batchnorm_graph(backward=True)
    operations = [n for n in forward.nodes if n.label]
    assert len(operations) == 8
    sources = [e.src for e in forward.edges]
    assert sources.count("x") == 2 and sources.count("sub") == 2  # x and xc each feed two nodes
    assert forward.edge("σ (D,)").dst == "div"
    assert {e.label for e in backward.edges} >= {"dx", "dμ", "dσ", "dx̂", "dγ", "dβ", "dout"}
    figure = viz.draw_graph(forward)
    texts = {t.get_gid(): t.get_text() for t in figure.axes[0].texts if t.get_gid()}
    assert texts["node:sqrt"] == "√" and texts["label:sub->square"] == "xc (N, D)"
