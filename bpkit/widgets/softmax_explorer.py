"""Move the scores, the temperature, and the max shift, and watch softmax, the loss and y - t.

``softmax_state(scores, temperature, subtract_max, target)`` computes what the explorer shows:
the probabilities, the cross-entropy loss for the target class and the gradient y - t that
Softmax-with-Loss sends back, and whether exp overflowed (without the max shift, scores / T of
about 710 or more overflow float64). ``softmax_explorer()`` wraps it in sliders.
"""

import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import viz
from ..i18n import figure_text, figure_tr, text, tr

# The notes' example: the last Affine layer's scores for a picture of a "2" (first classes).
NOTES_SCORES = (5.3, 0.3, 10.1, 2.0)


def softmax_state(scores, temperature=1.0, subtract_max=True, target=2):
    """What the explorer shows for ``scores`` (C,) divided by ``temperature``.

    Returns a dict: ``z`` (C,) the scores / temperature (minus their max if subtract_max);
    ``exp`` (C,) exp(z) (may hold inf); ``y`` (C,) the probabilities (nan after an
    overflow); ``overflow`` True when exp overflowed; ``loss`` -log y[target] (nan after an
    overflow); ``grad`` (C,) y - t, the gradient Softmax-with-Loss returns for one sample;
    ``predicted`` the class with the highest score; ``message``; ``figure``.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if not 0 <= target < scores.size:
        raise ValueError(f"target must be a class 0..{scores.size - 1}, got {target}")
    z = scores / temperature
    if subtract_max:
        z = z - z.max()
    # Overflow is what this widget demonstrates: compute it silently and report it in words.
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        y = e / e.sum()
    overflow = not np.all(np.isfinite(e))
    t = np.zeros_like(y)
    t[target] = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = float(-np.log(y[target])) if not overflow else float("nan")
    grad = y - t
    predicted = int(np.argmax(scores))
    if overflow:
        message = tr("exp overflowed: the largest score / T is {largest}, and exp of anything "
                     "above about 709.8 is inf in float64, so inf / inf = nan. Tick 'subtract "
                     "max' to fix it.", largest=f"{scores.max() / temperature:.4g}")
    else:
        message = tr("Inference picks class {predicted} (the highest score). Learning sees "
                     "y[{target}] = {y}, loss -log y[{target}] = {loss}; y - t sends {to_target} "
                     "back to the target's score and {to_others} in total to the others.",
                     predicted=predicted, target=target, y=f"{y[target]:.4g}",
                     loss=f"{loss:.4g}", to_target=f"{grad[target]:+.4g}",
                     to_others=f"{np.delete(grad, target).sum():+.4g}")
    return {"z": z, "exp": e, "y": y, "overflow": overflow, "loss": loss, "grad": grad,
            "predicted": predicted, "message": message,
            "figure": _draw(scores, y, grad, target, overflow, temperature)}


def _draw(scores, y, grad, target, overflow, temperature):
    figure = Figure(figsize=(9, 3.2), layout="constrained")
    left, middle, right = figure.subplots(1, 3)
    classes = np.arange(scores.size)
    colors = [viz.HIGHLIGHT_COLOR if c == target else viz.FORWARD_COLOR for c in classes]
    left.bar(classes, scores, color=colors)
    left.set_title(figure_text("scores (inference)"))
    middle.bar(classes, np.nan_to_num(y), color=colors)
    middle.set_ylim(0, 1)
    middle.set_title(figure_text("softmax y (learning)") if not overflow
                     else figure_text("softmax y: nan (overflow)"))
    right.bar(classes, np.nan_to_num(grad), color=viz.BACKWARD_COLOR)
    right.axhline(0, color="0.5", linewidth=0.8)
    right.set_ylim(-1, 1)
    right.set_title(figure_text("y - t (gradient sent back)"))
    for ax in (left, middle, right):
        ax.set_xticks(classes)
        ax.set_xlabel(figure_tr("class (orange = target), T = {temperature}",
                                temperature=f"{temperature:.3g}"))
    return figure


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


class SoftmaxExplorer(widgets.VBox):
    """One slider per score, a temperature, a 'subtract max' box and a target; ``state`` is
    what is shown."""

    def __init__(self, scores=NOTES_SCORES, temperature=1.0, subtract_max=True, target=2):
        self.score_sliders = [
            widgets.FloatSlider(float(s), min=-10.0, max=15.0, step=0.1,
                                description=tr("score {c}", c=c))
            for c, s in enumerate(scores)
        ]
        self.temperature = widgets.FloatLogSlider(temperature, base=10, min=-2, max=1, step=0.05,
                                                  description="T")
        self.subtract_max = widgets.Checkbox(subtract_max, description=text("subtract max"))
        self.target = widgets.Dropdown(options=list(range(len(scores))), value=target,
                                       description=text("target t"))
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png")
        controls = [*self.score_sliders, self.temperature, self.subtract_max, self.target]
        for control in controls:
            control.observe(lambda _: self.redraw(), names="value")
        super().__init__([
            widgets.HBox([widgets.VBox(self.score_sliders),
                          widgets.VBox([self.temperature, self.subtract_max, self.target])]),
            self.message, self.image,
        ])
        self.state = None
        self.redraw()

    def redraw(self):
        """Recompute for the current controls, and show it."""
        self.state = softmax_state([s.value for s in self.score_sliders], self.temperature.value,
                                   self.subtract_max.value, self.target.value)
        self.message.value = self.state["message"]
        self.image.value = _png(self.state["figure"])


def softmax_explorer(scores=NOTES_SCORES, temperature=1.0, subtract_max=True, target=2):
    """The softmax explorer; display it by making it the last expression of a cell."""
    return SoftmaxExplorer(scores, temperature, subtract_max, target)
