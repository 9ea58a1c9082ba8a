"""Choose the batch size N, the inputs D and the outputs M, and see every array's shape in the
Affine layer's forward and backward pass, and which products give a gradient its right shape.

``affine_shapes_state(n, d, m)`` runs bpkit's ``Affine`` on arrays of those sizes, records each
shape, tries every way of multiplying the arrays one has into dx and dW (the right one, the
transposed one, the swapped ones) and draws the three products as rectangles to scale.
``affine_shapes_explorer()`` wraps it in three sliders.
"""

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import viz
from ..i18n import figure_tr, text, tr
from ..layers import Affine

# Ways a student might multiply the arrays at hand into dx (target: x's shape) and dW (W's).
CANDIDATES = {
    "dx": ["dout @ W.T", "dout @ W", "W @ dout.T", "dout.T @ W"],
    "dW": ["x.T @ dout", "dout.T @ x", "dout @ x", "x @ dout"],
    "db": ["dout.sum(axis=0)", "dout.sum(axis=1)", "dout"],
}


def _evaluate(expression, arrays):
    """(shape, None) for an expression of CANDIDATES, or (None, why the shapes do not line up)."""
    try:
        return tuple(eval(expression, {}, dict(arrays)).shape), None  # noqa: S307 -- fixed strings
    except ValueError:
        left, right = (eval(side, {}, dict(arrays)).shape for side in expression.split(" @ "))
        return None, tr("{left} · {right}: inner sizes {inner_left} and {inner_right} differ",
                        left=left, right=right, inner_left=left[-1], inner_right=right[0])


def affine_shapes_state(n=4, d=2, m=3, seed=0):
    """Shapes of one Affine forward and backward with batch n, inputs d, outputs m.

    Returns a dict: ``shapes`` {name: shape} for x, W, b, out, dout, dx, dW, db (from bpkit's
    Affine); ``candidates`` {gradient: [(expression, shape or None, error or None, right)]},
    where ``right`` means the expression has the gradient's shape and its values;
    ``message``; ``figure`` (the products x.W, dout.W^T, x^T.dout as rectangles to scale).
    """
    if min(n, d, m) < 1:
        raise ValueError(f"N, D and M must be at least 1, got {n}, {d}, {m}")
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    layer = Affine(W, b)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    shapes = {"x": x.shape, "W": W.shape, "b": b.shape, "out": out.shape, "dout": dout.shape,
              "dx": dx.shape, "dW": layer.dW.shape, "db": layer.db.shape}
    arrays = {"x": x, "W": W, "dout": dout}
    truth = {"dx": dx, "dW": layer.dW, "db": layer.db}
    candidates = {}
    for gradient, expressions in CANDIDATES.items():
        rows = []
        for expression in expressions:
            shape, error = _evaluate(expression, arrays)
            right = shape == truth[gradient].shape and np.allclose(
                eval(expression, {}, dict(arrays)), truth[gradient])  # noqa: S307
            rows.append((expression, shape, error, bool(right)))
        candidates[gradient] = rows
    lucky = [f"{g} = {e}" for g, rows in candidates.items() for e, s, _, r in rows
             if s == truth[g].shape and not r]
    message = tr("N = {n}, D = {d}, M = {m}: every gradient has the shape of its array "
                 "(dx {dx}, dW {dW}, db {db}).", n=n, d=d, m=m, dx=shapes["dx"],
                 dW=shapes["dW"], db=shapes["db"])
    if lucky:
        message += " " + tr("Careful: with these sizes {lucky} also has the right shape but the "
                            "wrong values; pick N, D, M all different and it fails loudly.",
                            lucky=", ".join(lucky))
    return {"shapes": shapes, "candidates": candidates, "message": message,
            "figure": _draw(n, d, m)}


def _matrix(ax, left, rows, cols, label, color):
    """A rows x cols matrix as a rectangle whose top-left corner is at (left, 0)."""
    ax.add_patch(Rectangle((left, -rows), cols, rows, facecolor=color, edgecolor="0.3",
                           alpha=0.5))
    ax.text(left + cols / 2, 0.4, f"{label}\n({rows}, {cols})", ha="center", va="bottom",
            fontsize=8)
    return left + cols


def _draw(n, d, m):
    figure = Figure(figsize=(10, 2.8), layout="constrained")
    forward, backward = viz.FORWARD_COLOR, viz.BACKWARD_COLOR
    products = [
        (figure_tr("forward: {product}", product="out = x · W"), ("x", n, d), ("W", d, m),
         ("out", n, m), forward),
        (figure_tr("backward: {product}", product="dx = dout · Wᵀ"), ("dout", n, m),
         ("Wᵀ", m, d), ("dx", n, d), backward),
        (figure_tr("backward: {product}", product="dW = xᵀ · dout"), ("xᵀ", d, n),
         ("dout", n, m), ("dW", d, m), backward),
    ]
    for ax, (title, a, b, c, color) in zip(figure.subplots(1, 3), products, strict=True):
        left = _matrix(ax, 0, a[1], a[2], a[0], color)
        ax.text(left + 0.5, -1, "·", ha="center", va="center", fontsize=16)
        left = _matrix(ax, left + 1, b[1], b[2], b[0], color)
        ax.text(left + 0.5, -1, "=", ha="center", va="center", fontsize=14)
        right = _matrix(ax, left + 1, c[1], c[2], c[0], "white")
        ax.set_xlim(-0.5, right + 0.5)
        ax.set_ylim(-max(a[1], b[1], c[1]) - 0.5, 2.2)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title + "\n" + figure_tr("inner sizes {left} and {right} meet and vanish",
                                              left=a[2], right=b[1]), fontsize=9)
    return figure


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


def candidates_html(candidates, shapes):
    """The candidates as an HTML table: expression, resulting shape or error, verdict."""
    rows = []
    for gradient, entries in candidates.items():
        for expression, shape, error, right in entries:
            result = str(shape) if shape is not None else tr("error: {error}", error=error)
            verdict = ("✔ " + text("right") if right else
                       "✘ " + tr("{gradient} must have shape {shape}", gradient=gradient,
                                 shape=shapes[gradient]) if shape is not None else
                       "✘ " + text("shapes do not line up"))
            rows.append(f"<tr><td><code>{gradient} = {expression}</code></td><td>{result}</td>"
                        f"<td>{verdict}</td></tr>")
    return (f"<table><tr><th>{text('try')}</th><th>{text('gives')}</th><th></th></tr>"
            + "".join(rows) + "</table>")


class AffineShapesExplorer(widgets.VBox):
    """Sliders for N, D and M; the products drawn to scale and the table of candidates."""

    def __init__(self, n=4, d=2, m=3):
        self.n_slider = widgets.IntSlider(n, min=1, max=8, description=text("batch N"))
        self.d_slider = widgets.IntSlider(d, min=1, max=8, description=text("inputs D"))
        self.m_slider = widgets.IntSlider(m, min=1, max=8, description=text("outputs M"))
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.table = widgets.HTML()
        for control in (self.n_slider, self.d_slider, self.m_slider):
            control.observe(lambda _: self.redraw(), names="value")
        super().__init__([widgets.HBox([self.n_slider, self.d_slider, self.m_slider]),
                          self.message, self.image, self.table])
        self.state = None
        self.redraw()

    def redraw(self):
        """Recompute for the current sizes, and show it."""
        self.state = affine_shapes_state(self.n_slider.value, self.d_slider.value,
                                         self.m_slider.value)
        self.message.value = self.state["message"]
        self.image.value = _png(self.state["figure"])
        self.table.value = candidates_html(self.state["candidates"], self.state["shapes"])


def affine_shapes_explorer(n=4, d=2, m=3):
    """The Affine shape explorer; display it by making it the last expression of a cell."""
    return AffineShapesExplorer(n, d, m)
