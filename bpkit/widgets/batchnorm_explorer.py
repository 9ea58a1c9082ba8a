"""Move the weight scale and the batch size, and watch what Batch Normalization changes.

``batchnorm_state(weight_scale, batch_size)`` builds two deep ReLU nets on the offline digits
with the same initial weights, one plain and one with a BatchNormalization before each
activation; it measures the spread (standard deviation) of each hidden layer's activations on
one batch, trains both with plain SGD, and reports the loss curves and test accuracies.
``batchnorm_explorer()`` wraps it in two sliders.
"""

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import data, viz
from ..i18n import figure_text, figure_tr, text, tr
from ..network import MultiLayerNet
from ..optim import SGD

HIDDEN = [50, 50, 50, 50]  # four hidden layers: deep enough for the spread to drift
LEARNING_RATE = 0.1


def activation_spread(net, x):
    """Standard deviation of every hidden activation layer's output for the batch x (N, 64),
    in training mode (so BatchNorm uses the batch's own statistics). Returns a list, one per
    hidden layer."""
    spreads = []
    for name, layer in net.layers.items():
        has_modes = name.startswith(("BatchNorm", "Dropout"))
        x = layer.forward(x, True) if has_modes else layer.forward(x)
        if name.startswith(("Relu", "Sigmoid")):
            spreads.append(float(x.std()))
    return spreads


def train_net(net, x, t, batch_size, iterations, seed=0):
    """Plain SGD on random mini-batches (미니배치) of x, t. Returns the loss per iteration."""
    optimizer, rng = SGD(lr=LEARNING_RATE), np.random.default_rng(seed)
    losses = []
    for _ in range(iterations):
        batch = rng.choice(len(x), batch_size, replace=False)
        grads = net.gradient(x[batch], t[batch])
        losses.append(float(net.last_layer.loss))
        optimizer.update(net.params, grads)
    return losses


def batchnorm_state(weight_scale=0.05, batch_size=100, iterations=150, seed=0):
    """What the explorer shows for weights drawn with std ``weight_scale`` and mini-batches of
    ``batch_size`` samples, after ``iterations`` SGD steps (learning rate 0.1).

    Returns a dict: for each of "plain" and "batchnorm", ``spread`` (one std per hidden
    layer, at initialisation), ``losses`` (one per iteration) and ``accuracy`` (test, at
    inference); ``message``; ``figure``.
    """
    if not 0 < weight_scale:
        raise ValueError(f"weight_scale must be positive, got {weight_scale}")
    (x, t), (x_test, t_test) = data.load_digits()
    if not 2 <= batch_size <= len(x):
        raise ValueError(f"batch_size must lie in 2..{len(x)}, got {batch_size}")
    probe = x[np.random.default_rng(seed).choice(len(x), 200, replace=False)]
    state = {}
    for kind in ("plain", "batchnorm"):
        net = MultiLayerNet([64, *HIDDEN, 10], weight_init_std=weight_scale, seed=seed,
                            use_batchnorm=kind == "batchnorm")
        spread = activation_spread(net, probe)
        losses = train_net(net, x, t, batch_size, iterations, seed)
        state[kind] = {"spread": spread, "losses": losses,
                       "accuracy": net.accuracy(x_test, t_test)}
    state["message"] = _message(state, weight_scale, batch_size, iterations)
    state["figure"] = _draw(state, weight_scale, batch_size)
    return state


def _message(state, weight_scale, batch_size, iterations):
    plain, bn = state["plain"], state["batchnorm"]
    return tr("Weights with std {scale}, mini-batches of {batch}. At the start the last hidden "
              "layer's activations spread {plain_spread} without BatchNorm and {bn_spread} with "
              "it. After {steps} steps the test accuracy is {plain_accuracy} without and "
              "{bn_accuracy} with BatchNorm.", scale=f"{weight_scale:g}", batch=batch_size,
              plain_spread=f"{plain['spread'][-1]:.3g}", bn_spread=f"{bn['spread'][-1]:.3g}",
              steps=iterations, plain_accuracy=f"{plain['accuracy']:.1%}",
              bn_accuracy=f"{bn['accuracy']:.1%}")


def _draw(state, weight_scale, batch_size):
    figure = Figure(figsize=(10, 3.4), layout="constrained")
    left, right = figure.subplots(1, 2)
    layers = np.arange(1, len(HIDDEN) + 1)
    colors = {"plain": "0.45", "batchnorm": viz.FORWARD_COLOR}
    names = {"plain": figure_text("without BatchNorm"), "batchnorm": figure_text("with BatchNorm")}
    for offset, kind in ((-0.2, "plain"), (0.2, "batchnorm")):
        # A floor, so a spread that vanished to 0 still shows on the log scale.
        left.bar(layers + offset, np.maximum(state[kind]["spread"], 1e-6), width=0.4,
                 color=colors[kind], label=names[kind])
        right.plot(state[kind]["losses"], color=colors[kind],
                   label=figure_tr("{name} (test {accuracy})", name=names[kind],
                                   accuracy=f"{state[kind]['accuracy']:.0%}"))
    left.set_yscale("log")
    left.set_xticks(layers)
    left.set_xlabel(figure_text("hidden layer"))
    left.set_title(figure_tr("spread (std) of activations, weights std {scale}",
                             scale=f"{weight_scale:g}"))
    left.legend(fontsize=8)
    right.set_xlabel(figure_tr("SGD step (mini-batch of {batch})", batch=batch_size))
    right.set_ylabel(figure_text("training loss"))
    right.set_title(figure_text("training speed"))
    right.legend(fontsize=8)
    return figure


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


class BatchNormExplorer(widgets.VBox):
    """A weight-scale slider and a batch-size slider; ``state`` is what is shown."""

    def __init__(self, weight_scale=0.05, batch_size=100, iterations=150):
        self.weight_scale = widgets.FloatLogSlider(weight_scale, base=10, min=-3, max=0.5,
                                                   step=0.1,
                                                   description=text("weight std"))
        self.batch_size = widgets.IntSlider(batch_size, min=2, max=400, step=2,
                                            description=text("batch size"))
        self.iterations = iterations
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png")
        for control in (self.weight_scale, self.batch_size):
            # Training takes a moment: redraw when the slider is let go, not while it moves.
            control.continuous_update = False
            control.observe(lambda _: self.redraw(), names="value")
        super().__init__([widgets.HBox([self.weight_scale, self.batch_size]), self.message,
                          self.image])
        self.state = None
        self.redraw()

    def redraw(self):
        """Recompute for the current sliders, and show it."""
        self.state = batchnorm_state(self.weight_scale.value, self.batch_size.value,
                                     self.iterations)
        self.message.value = self.state["message"]
        self.image.value = _png(self.state["figure"])


def batchnorm_explorer(weight_scale=0.05, batch_size=100, iterations=150):
    """The BatchNorm explorer; display it by making it the last expression of a cell."""
    return BatchNormExplorer(weight_scale, batch_size, iterations)
