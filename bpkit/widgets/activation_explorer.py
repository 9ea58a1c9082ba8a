"""Explore an activation and its derivative, and what many sigmoids do to a gradient.

``activation_state(name, x)`` computes f(x), f'(x) and the tangent at x for ReLU or the sigmoid
and draws them; ``stacked_sigmoid_state(n_layers, x)`` pushes x through n sigmoid layers, sends
the gradient 1 back and records how much is left at each layer. ``activation_explorer()`` and
``gradient_decay_explorer()`` wrap them in a dropdown and sliders. The derivatives are the ones
the layers' backward uses (bpkit's ``Relu`` and ``Sigmoid`` with dout = 1), so the pictures show
what the code computes.
"""

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import viz
from ..i18n import figure_text, figure_tr, text, tr
from ..layers import Relu, Sigmoid

LAYERS = {"relu": Relu, "sigmoid": Sigmoid}
FORMULAS = {
    "relu": ("max(0, x)", "1 if x > 0 else 0"),
    "sigmoid": ("1 / (1 + exp(-x))", "y (1 - y)"),
}


def local_derivative(name, x):
    """f(x) and f'(x) of the activation ``name`` ("relu" or "sigmoid") at x: (n,) arrays.

    f'(x) is what the layer's backward returns for dout = 1 (ReLU's is 0 at x = 0, as in the
    notes: gradients pass only where x > 0).
    """
    layer = LAYERS[name]()
    x = np.asarray(x, dtype=np.float64)
    y = layer.forward(x)
    return y, layer.backward(np.ones_like(x))


def activation_state(name, x, x_range=(-6.0, 6.0)):
    """What the explorer shows for activation ``name`` at the point x.

    Returns a dict: ``name``, ``x``, ``y`` = f(x), ``slope`` = f'(x), ``tangent`` = (xs, ys)
    of the line y + slope (t - x) over x_range, ``message`` (one sentence with the numbers) and
    ``figure`` (f solid, f' dashed, the point, the tangent and f'(x) marked).
    """
    if name not in LAYERS:
        raise ValueError(f"name must be one of {sorted(LAYERS)}, got {name!r}")
    y, slope = (float(v[0]) for v in local_derivative(name, np.array([float(x)])))
    xs = np.array(x_range, dtype=np.float64)
    tangent = (xs, y + slope * (xs - x))

    figure = Figure(figsize=(6.5, 4), layout="constrained")
    ax = figure.add_subplot()
    formula, derivative = FORMULAS[name]
    viz.plot_function_and_derivative(
        lambda t: local_derivative(name, t)[0], lambda t: local_derivative(name, t)[1],
        x_range, ax=ax, title=f"{name}: f(x) = {formula},  f'(x) = {derivative}",
    )
    ax.plot(*tangent, color=viz.HIGHLIGHT_COLOR, linewidth=1.2, label=figure_text("tangent at x"))
    ax.plot([x], [y], "o", color=viz.FORWARD_COLOR, label="(x, f(x))")
    ax.plot([x], [slope], "s", color=viz.BACKWARD_COLOR, label="(x, f'(x))")
    ax.set_ylim(-0.6, 1.6 if name == "sigmoid" else x_range[1] + 0.5)
    ax.legend(loc="upper left")

    message = tr("x = {x}: f(x) = {y}, f'(x) = {slope}. A gradient dout arriving from above "
                 "leaves this node as dout × {slope}.", x=f"{x:.2f}", y=f"{y:.4f}",
                 slope=f"{slope:.4f}")
    if name == "sigmoid":
        message += " " + text("(The sigmoid's slope is at most 0.25, at x = 0.)")
    elif x <= 0:
        message += " " + text("Here x <= 0: the gradient is blocked.")
    return {"name": name, "x": float(x), "y": y, "slope": slope, "tangent": tangent,
            "message": message, "figure": figure}


def stacked_sigmoid_state(n_layers, x=0.0):
    """Push x through n_layers sigmoids, backpropagate 1, record the gradient at each layer.

    Returns a dict: ``n_layers``; ``outputs`` (n_layers,) each layer's y; ``local`` (n_layers,)
    each layer's y (1 - y); ``grads`` (n_layers,), where grads[k] is d(top output)/d(input of
    layer k+1), the product of the local derivatives from layer k+1 up to the top; ``bound``
    (n_layers,) the largest it could be, 0.25 ** (n_layers - k); ``message``; ``figure``
    (gradient per layer on a log scale).
    """
    if n_layers < 1:
        raise ValueError(f"n_layers must be at least 1, got {n_layers}")
    layers = [Sigmoid() for _ in range(n_layers)]
    value = np.array([float(x)])
    outputs = []
    for layer in layers:
        value = layer.forward(value)
        outputs.append(float(value[0]))
    grad = np.ones(1)
    grads = []
    for layer in reversed(layers):  # the backward pass: top layer first
        grad = layer.backward(grad)
        grads.append(float(grad[0]))
    grads = np.array(grads[::-1])  # grads[k]: at the input of layer k + 1 (bottom first)
    outputs = np.array(outputs)
    local = outputs * (1 - outputs)
    bound = 0.25 ** (n_layers - np.arange(n_layers))

    figure = Figure(figsize=(6.5, 4), layout="constrained")
    ax = figure.add_subplot()
    layer_numbers = np.arange(1, n_layers + 1)
    ax.semilogy(layer_numbers, np.abs(grads), "o-", color=viz.BACKWARD_COLOR,
                label=figure_text("|gradient| reaching the layer's input"))
    ax.semilogy(layer_numbers, bound, "--", color="0.5",
                label=figure_text("upper bound 0.25 per layer"))
    ax.set_xlabel(figure_text("layer (1 = nearest the input; the gradient starts at the top, 1)"))
    ax.set_ylabel(figure_text("gradient magnitude (log scale)"))
    ax.set_title(figure_tr("{n} stacked sigmoids, input x = {x}", n=n_layers, x=f"{x:.2f}"))
    ax.legend(loc="lower right")
    ax.set_xlim(0.5, max(n_layers, 2) + 0.5)

    message = tr("After {n} sigmoid layer(s) the gradient at the bottom is {grad} (at most "
                 "0.25^{n} = {bound}): each layer multiplies it by y(1 - y) <= 0.25.",
                 n=n_layers, grad=f"{grads[0]:.3g}", bound=f"{bound[0]:.3g}")
    return {"n_layers": n_layers, "outputs": outputs, "local": local, "grads": grads,
            "bound": bound, "message": message, "figure": figure}


def _png(figure):
    """The figure as PNG bytes (the figures are not tracked by pyplot: nothing to close)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


class ActivationExplorer(widgets.VBox):
    """A dropdown (relu/sigmoid), an x slider, a sentence and the plot; ``state`` is current."""

    def __init__(self, name="sigmoid", x=1.0):
        self.chooser = widgets.Dropdown(options=sorted(LAYERS), value=name,
                                        description=text("function"))
        self.x_slider = widgets.FloatSlider(x, min=-6.0, max=6.0, step=0.1, description="x")
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png")
        for control in (self.chooser, self.x_slider):
            control.observe(lambda _: self.redraw(), names="value")
        super().__init__([widgets.HBox([self.chooser, self.x_slider]), self.message, self.image])
        self.state = None
        self.redraw()

    def redraw(self):
        """Recompute for the current function and x, and show it."""
        self.state = activation_state(self.chooser.value, self.x_slider.value)
        self.message.value = self.state["message"]
        self.image.value = _png(self.state["figure"])


class GradientDecayExplorer(widgets.VBox):
    """A slider for the number of stacked sigmoids and one for the input x, and the plot."""

    def __init__(self, n_layers=5, x=0.0):
        style = {"description_width": "initial"}
        self.n_slider = widgets.IntSlider(n_layers, min=1, max=30,
                                          description=text("sigmoid layers"),
                                          style=style)
        self.x_slider = widgets.FloatSlider(x, min=-5.0, max=5.0, step=0.1,
                                            description=text("input x"))
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png")
        for control in (self.n_slider, self.x_slider):
            control.observe(lambda _: self.redraw(), names="value")
        super().__init__([widgets.HBox([self.n_slider, self.x_slider]), self.message, self.image])
        self.state = None
        self.redraw()

    def redraw(self):
        """Recompute for the current depth and input, and show it."""
        self.state = stacked_sigmoid_state(self.n_slider.value, self.x_slider.value)
        self.message.value = self.state["message"]
        self.image.value = _png(self.state["figure"])


def activation_explorer(name="sigmoid", x=1.0):
    """The f / f' explorer; display it by making it the last expression of a cell."""
    return ActivationExplorer(name, x)


def gradient_decay_explorer(n_layers=5, x=0.0):
    """The stacked-sigmoid gradient explorer; display it as a cell's last expression."""
    return GradientDecayExplorer(n_layers, x)
