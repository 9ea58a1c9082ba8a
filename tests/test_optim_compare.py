"""The comparison of SGD, Momentum and Adam (lesson 08): what the figure claims holds, and the
figure itself is saved as screenshots/optimizers.png for a person to look at."""

from pathlib import Path

import matplotlib
import numpy as np
import pytest

from bpkit import MultiLayerNet, data, optim, optim_compare

matplotlib.use("Agg")
pytestmark = pytest.mark.lesson08
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def test_the_comparison_figure_shows_what_the_lesson_says():
    paths = optim_compare.paths_on_valley({
        "SGD, lr 0.1": optim.SGD(0.1), "SGD, lr 0.95": optim.SGD(0.95),
        "Momentum, lr 0.1": optim.Momentum(0.1), "Adam, lr 0.3": optim.Adam(0.3)})
    final = {name: optim_compare.valley(path[-1]) for name, path in paths.items()}
    # With the same lr, the ball with momentum ends far lower than the walker.
    assert final["Momentum, lr 0.1"] < final["SGD, lr 0.1"] / 10
    # The large-lr walker bounces across the valley: y changes sign at every step.
    ys = paths["SGD, lr 0.95"][:10, 1]
    assert np.all(np.sign(ys[1:]) != np.sign(ys[:-1]))
    (x, t), _ = data.load_digits()
    curves = optim_compare.loss_curves(
        {"SGD, lr 0.1": optim.SGD(0.1), "Momentum, lr 0.1": optim.Momentum(0.1),
         "Adam, lr 0.01": optim.Adam(0.01)},
        make_net=lambda: MultiLayerNet([64, 50, 10], weight_init_std=0.1, seed=0),
        train=optim.train, data=(x, t), steps=300)
    last = {name: np.mean(curve[-20:]) for name, curve in curves.items()}
    assert last["Momentum, lr 0.1"] < last["SGD, lr 0.1"] / 2
    assert last["Adam, lr 0.01"] < last["SGD, lr 0.1"] / 2
    figure = optim_compare.plot_comparison(paths, curves)
    SCREENSHOTS.mkdir(exist_ok=True)
    target = SCREENSHOTS / "optimizers.png"
    figure.savefig(target, dpi=100)
    assert target.stat().st_size > 20_000
    assert len(figure.axes) == 2 and len(figure.axes[0].lines) >= 4


def test_the_valley_alone_is_one_panel():
    paths = optim_compare.paths_on_valley({"SGD": optim.SGD(0.1)}, steps=5)
    assert paths["SGD"].shape == (6, 2)
    assert len(optim_compare.plot_comparison(paths, {}).axes) == 1
