"""Train a small network and watch it learn: the loss curve and the decision boundary.

``iter_training`` trains a one-hidden-layer ReLU network (Affine -> Relu -> Affine ->
SoftmaxWithLoss) on XOR or a spiral by full-batch gradient descent and yields a snapshot every
``every`` steps; ``train_and_snapshot`` collects them; ``draw_snapshot`` draws one (the loss so
far beside the decision boundary of the network at that step). ``training_dashboard`` wraps them
in sliders, a dataset choice and a Train button, redrawing as the network trains.
"""

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import data, viz
from ..i18n import figure_text, figure_tr, text, tr
from ..network import MultiLayerNet

DATASETS = ("xor", "spiral")


def load_dataset(name, seed=0):
    """x (N, 2) and labels t (N,): the four XOR points, or three spiral arms of 60 points."""
    if name == "xor":
        return data.xor()
    if name == "spiral":
        return data.spiral(n_per_class=60, n_classes=3, noise=0.2, seed=seed)
    raise ValueError(f"dataset must be one of {DATASETS}, got {name!r}")


def make_network(hidden_size, n_classes, seed=0):
    """Affine1 (2, hidden_size) -> Relu1 -> Affine2 (hidden_size, n_classes) -> SoftmaxWithLoss,
    He-initialised (std sqrt(2 / fan_in)) so that a few hundred steps are enough."""
    return MultiLayerNet([2, hidden_size, n_classes], "relu", "he", seed=seed)


def iter_training(dataset="xor", hidden_size=8, lr=0.5, steps=500, seed=0, every=50):
    """Train, yielding a snapshot at step 0, every ``every`` steps, and after the last step.

    Each snapshot is a dict: ``step``; ``history`` (the losses of steps 1..step, a list);
    ``params`` (copies of W1 (2, H), b1 (H,), W2 (H, C), b2 (C,)); ``loss`` and ``accuracy``
    on the whole data set at that step; and ``x``, ``t``, ``hidden_size``, ``dataset``.
    """
    if steps < 0 or every < 1:
        raise ValueError(f"need steps >= 0 and every >= 1, got steps={steps}, every={every}")
    x, t = load_dataset(dataset, seed)
    net = make_network(hidden_size, int(t.max()) + 1, seed)
    history = []

    def snapshot(step):
        with np.errstate(over="ignore", invalid="ignore"):  # huge but finite weights
            loss, accuracy = float(net.loss(x, t)), net.accuracy(x, t)
        return {"step": step, "history": list(history),
                "params": {k: v.copy() for k, v in net.params.items()},
                "loss": loss, "accuracy": accuracy,
                "x": x, "t": t, "hidden_size": hidden_size, "dataset": dataset}

    yield snapshot(0)
    for step in range(1, steps + 1):
        # A learning rate far too large can push the scores to huge values; keep numpy quiet,
        # the loss curve already shows what went wrong.
        with np.errstate(over="ignore", invalid="ignore"):
            grads = net.gradient(x, t)  # forward runs inside: the loss layer keeps the loss
            history.append(float(net.last_layer.loss))
            for name in net.params:
                net.params[name] -= lr * grads[name]  # in place: the layers hold these arrays
        if step % every == 0 or step == steps:
            yield snapshot(step)


def train_and_snapshot(dataset="xor", hidden_size=8, lr=0.5, steps=500, seed=0, every=50):
    """Run ``iter_training`` to the end. Returns {"history": [steps losses], "snapshots": [...]}.

    The last snapshot's ``history`` is the whole history; its ``accuracy`` the final one.
    """
    snapshots = list(iter_training(dataset, hidden_size, lr, steps, seed, every))
    return {"history": snapshots[-1]["history"], "snapshots": snapshots}


def network_at(snapshot):
    """A network holding a snapshot's parameters, ready to ``predict``."""
    c = snapshot["params"]["b2"].shape[0]
    net = make_network(snapshot["hidden_size"], c)
    for name, value in snapshot["params"].items():
        net.params[name][...] = value  # in place, so the layers see them
    return net


def draw_snapshot(snapshot, total_steps=None, resolution=80):
    """The loss so far (left) and the decision boundary at that step (right). Returns a Figure.

    total_steps: fixes the loss plot's x range, so the curve grows from left to right as
    training goes on instead of rescaling.
    """
    # Fixed margins: a constrained layout would double the cost of every redraw.
    fig = Figure(figsize=(9, 3.8))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9, wspace=0.28)
    loss_ax, boundary_ax = fig.subplots(1, 2)
    history = snapshot["history"]
    if history:
        loss_ax.plot(np.arange(1, len(history) + 1), history, color="C0")
    loss_ax.set_xlim(0, max(1, total_steps or len(history)))
    loss_ax.set_xlabel(figure_text("step"))
    loss_ax.set_ylabel(figure_text("loss (cross-entropy)"))
    loss_ax.set_title(figure_tr("loss at step {step}: {loss}", step=snapshot["step"],
                                loss=f"{snapshot['loss']:.3f}"))
    net = network_at(snapshot)
    viz.plot_decision_boundary(
        net.predict, snapshot["x"], snapshot["t"], ax=boundary_ax, resolution=resolution,
        title=figure_tr("{dataset}, {hidden} hidden units: accuracy {accuracy}",
                        dataset=snapshot["dataset"], hidden=snapshot["hidden_size"],
                        accuracy=f"{snapshot['accuracy']:.0%}"),
    )
    return fig


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    plt.close(figure)
    return buffer.getvalue()


# Round learning rates, 1-2-5 per decade. A log slider on a grid of exponents would snap
# lr = 0.5 to 10**-0.3 = 0.501 and show that.
LEARNING_RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def learning_rate_options(lr):
    """(label, value) pairs for the learning-rate slider: the round rates, plus ``lr``."""
    rates = sorted(set(LEARNING_RATES) | {float(lr)})
    return [(f"{rate:g}", rate) for rate in rates]


def training_dashboard(dataset="xor", hidden_size=8, lr=0.5, steps=500, seed=0):
    """The dashboard widget; make it the last expression of a cell to show it."""
    return TrainingDashboard(dataset, hidden_size, lr, steps, seed)


class TrainingDashboard(widgets.VBox):
    """Dataset, hidden size, learning rate and steps; Train; the picture redrawn as it trains.

    ``frames`` counts the pictures drawn; ``snapshot`` is the one shown last.
    """

    REDRAWS_PER_RUN = 10  # often enough to watch the boundary move, rarely enough to be quick

    def __init__(self, dataset="xor", hidden_size=8, lr=0.5, steps=500, seed=0):
        style = {"description_width": "initial"}
        self.seed = seed
        self.dataset = widgets.ToggleButtons(options=[("XOR", "xor"), (text("spiral"), "spiral")],
                                             value=dataset, description=text("data"),
                                             style=style)
        self.hidden_size = widgets.IntSlider(hidden_size, 1, 64, description=text("hidden units"),
                                             style=style)
        self.lr = widgets.SelectionSlider(options=learning_rate_options(lr), value=lr,
                                          description=text("learning rate"), style=style)
        self.steps = widgets.IntSlider(steps, 50, 3000, 50, description=text("steps"),
                                        style=style)
        self.train_button = widgets.Button(description=text("Train"), icon="play",
                                           button_style="primary")
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.train_button.on_click(lambda _: self.train())
        for control in (self.dataset, self.hidden_size, self.lr, self.steps):
            control.observe(lambda _: self.show_untrained(), names="value")
        super().__init__([
            self.dataset,
            widgets.HBox([self.hidden_size, self.lr, self.steps]),
            widgets.HBox([self.train_button, self.status]),
            self.image,
        ])
        self.frames = 0
        self.snapshot = None
        self.show_untrained()

    def _settings(self):
        return dict(dataset=self.dataset.value, hidden_size=self.hidden_size.value,
                    lr=self.lr.value, seed=self.seed)

    def _show(self, snapshot, total_steps):
        self.snapshot = snapshot
        self.image.value = _png(draw_snapshot(snapshot, total_steps))
        self.frames += 1

    def show_untrained(self):
        """Draw the freshly initialised network for the current settings (step 0)."""
        first = next(iter_training(steps=0, **self._settings()))
        self._show(first, self.steps.value)
        self.status.value = text("Untrained network. Press <b>Train</b>.")

    def train(self):
        """Train from scratch with the current settings, redrawing every steps/10 steps."""
        steps = self.steps.value
        every = max(1, steps // self.REDRAWS_PER_RUN)
        self.train_button.disabled = True
        try:
            for snapshot in iter_training(steps=steps, every=every, **self._settings()):
                self._show(snapshot, steps)
                self.status.value = tr("step {step} of {steps}: loss {loss}, accuracy {accuracy}",
                                       step=snapshot["step"], steps=steps,
                                       loss=f"{snapshot['loss']:.3f}",
                                       accuracy=f"{snapshot['accuracy']:.0%}")
        finally:
            self.train_button.disabled = False
