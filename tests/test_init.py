"""bpkit.init: the initialisers' formulas, and what they are for (activations keep their spread)."""

import numpy as np
import pytest

from bpkit import MultiLayerNet, init

pytestmark = pytest.mark.lesson09


def test_glorot_is_the_papers_formula_and_the_books_is_its_square_case():
    assert init.glorot_std(100, 50) == pytest.approx(np.sqrt(2 / 150))
    assert init.glorot_std(64, 64) == pytest.approx(init.book_xavier_std(64))
    assert init.he_std(50) == pytest.approx(np.sqrt(2 / 50))


@pytest.mark.parametrize("draw, std", [
    (init.glorot_normal, np.sqrt(2 / (300 + 200))), (init.he_normal, np.sqrt(2 / 300)),
])
def test_draws_have_the_shape_and_spread_asked_for(draw, std):
    W = draw(300, 200, np.random.default_rng(0))
    assert W.shape == (300, 200)
    assert W.std() == pytest.approx(std, rel=0.02)
    assert np.array_equal(W, draw(300, 200, np.random.default_rng(0)))


def test_he_keeps_relu_activations_at_one_size_through_depth():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((500, 200))
    stds = []
    for _ in range(10):
        a = np.maximum(0, a @ init.he_normal(200, 200, rng))
        stds.append(a.std())
    assert 0.5 < stds[-1] / stds[0] < 2, stds


def test_bad_sizes_and_names_say_what_to_do():
    with pytest.raises(ValueError, match="fan_in must be a positive number"):
        init.he_std(0)
    with pytest.raises(ValueError, match=r"one of \['glorot', 'he', 'xavier'\]"):
        init.init_std("kaiming", 3, 4)


def test_networks_take_the_glorot_name():
    net = MultiLayerNet([400, 300, 10], weight_init_std="glorot", seed=0)
    assert net.params["W1"].std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
