"""Step through ``backward()`` of a graph of ``Value``s, one node at a time (lesson 10).

``backward_state(build, step)`` rebuilds the graph with ``build()`` and replays its backward
pass up to ``step``: step 0 is the forward pass done (every gradient 0), step 1 seeds the
output's gradient with 1, and each further step calls one value's ``local_backward``, in
reverse topological order. It returns what is known at that point (every value's gradient so
far, the figure, a sentence about the step). ``backward_stepper`` wraps it in buttons.

A value used twice gets its gradient in two steps, one per use: the stepper shows the sum
growing, which is why ``local_backward`` must add (``+=``) and why ``backward`` must wait for
every use of a value before passing its gradient on.
"""

import io

import ipywidgets as widgets

from .. import viz
from ..autograd import Value, topological_order
from ..data import shop_prices
from ..i18n import figure_text, text, tr
from ..viz_autograd import distinct, value_graph


def reused_example():
    """L = tanh(a * b + a) at a = 0.5, b = -1.5: ``a`` is used twice."""
    a, b = Value(0.5, label="a"), Value(-1.5, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    out = d.tanh()
    out.label = "L"
    return out


def shop_example():
    """The notes' shop: (100 x 2 + 150 x 3) x 1.1 = 715."""
    p = shop_prices()
    inputs = {name: Value(number, label=name.replace("_", " ")) for name, number in p.items()}
    total = ((inputs["apple_price"] * inputs["apple_count"]
              + inputs["orange_price"] * inputs["orange_count"]) * inputs["tax"])
    total.label = "total"
    return total


def neuron_example():
    """A tanh neuron with two inputs: tanh(w1 x1 + w2 x2 + b)."""
    x1, x2 = Value(1.0, label="x1"), Value(-2.0, label="x2")
    w1, w2, b = Value(0.8, label="w1"), Value(0.3, label="w2"), Value(0.1, label="b")
    out = (w1 * x1 + w2 * x2 + b).tanh()
    out.label = "y"
    return out


EXAMPLES = {"a used twice": reused_example, "the shop (715)": shop_example,
            "a tanh neuron": neuron_example}
# The menu shows the examples' names in the notebook's language (its values stay the keys).
_EXAMPLE_NAMES = (text("a used twice"), text("the shop (715)"), text("a tanh neuron"))


def _fmt(number):
    return viz.format_number(number, digits=4)


def _describe(value, index):
    return f"{text(value.label)} ({value.op or text('input')})" if value.label else \
        f"v{index} ({value.op or _fmt(value.data)})"


def backward_steps(root):
    """The values whose ``local_backward`` the backward pass calls, in its order: the
    reverse topological order, inputs left out (they have nothing to pass on)."""
    return [value for value in reversed(topological_order(root)) if value.parents]


def backward_state(build, step):
    """What the stepper shows after ``step`` steps of the backward pass of ``build()``.

    build: a function of no argument returning the output Value of a fresh graph (bpkit's
    Value or one with the same attributes), or the name of one of ``EXAMPLES``.
    Returns a dict:

    - ``step``, ``n_steps`` (the last step: 1 + the number of operations);
    - ``order``: every value's description, in topological order (inputs first);
    - ``grads``: {description: gradient so far} for every value;
    - ``active``: the description of the value whose ``local_backward`` the step ran (or None);
    - ``message``: one sentence about the step, with its numbers;
    - ``figure``: the graph drawn by ``bpkit.viz``, with the gradients sent so far below
      the arrows and the active node highlighted.

    Raises ValueError for a step outside 0..n_steps or an unknown example name.
    """
    if isinstance(build, str):
        if build not in EXAMPLES:
            raise ValueError(f"unknown example {build!r}; choose one of {list(EXAMPLES)}")
        build = EXAMPLES[build]
    root = build()
    order = topological_order(root)
    index = {id(value): k for k, value in enumerate(order)}
    steps = backward_steps(root)
    n_steps = 1 + len(steps)
    if not 0 <= step <= n_steps:
        raise ValueError(f"step must be between 0 and {n_steps}, got {step}")
    full = value_graph(root)  # measures every arrow's share; leaves the grads as they were
    for value in order:
        value.grad = 0.0
    message, active = text("Forward pass done: every value is known, every gradient is 0. "
                           "Press Next to start the backward pass (역전파)."), None
    if step >= 1:
        root.grad = 1.0
        message = tr("Seed: d{root} / d itself = 1. Without this 1 every gradient below would "
                     "stay 0.", root=_describe(root, index[id(root)]))
    done = set()
    for value in steps[: max(0, step - 1)]:
        before = {id(p): p.grad for p in value.parents}
        value.local_backward()
        done.add(f"v{index[id(value)]}")
        active = value
        sent = []
        for parent in distinct(value.parents):  # each parent once (x * x has x twice)
            old, new = before[id(parent)], parent.grad
            name = _describe(parent, index[id(parent)])
            again = " — " + text("a second use: the gradients add") if old != 0 else ""
            sent.append(f"{name}: {_fmt(old)} + {_fmt(new - old)} = {_fmt(new)}{again}")
        message = (tr("{value} has its full gradient {grad} and passes it on.",
                      value=_describe(value, index[id(value)]), grad=_fmt(value.grad))
                   + " " + "; ".join(sent) + ".")
    if step == n_steps:
        message += " " + text("Done: every value holds d(output)/d(value).")
    edges = [viz.Edge(e.src, e.dst, e.label, e.value,
                      e.grad if (e.dst in done or (e.dst == "out" and step >= 1)) else None)
             for e in full.edges]
    highlight = set()
    if active is not None:
        name = f"v{index[id(active)]}"
        highlight = {name} | {(e.src, e.dst) for e in edges if e.dst == name}
    title = figure_text("backward, one node at a time")
    figure = viz.draw_graph(viz.Graph(full.nodes, edges, title), highlight=highlight)
    return {
        "step": step, "n_steps": n_steps,
        "order": [_describe(v, index[id(v)]) for v in order],
        "grads": {_describe(v, index[id(v)]): v.grad for v in order},
        "active": None if active is None else _describe(active, index[id(active)]),
        "message": message, "figure": figure,
    }


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


def backward_stepper(build=None):
    """The interactive stepper. build: a function returning a fresh graph's output Value
    (then the example menu is hidden), or None to choose among ``EXAMPLES``."""
    return BackwardStepper(build)


class BackwardStepper(widgets.VBox):
    """Example menu, Back/Next/Reset, a step slider, the message and the figure;
    ``state`` holds the latest ``backward_state``."""

    def __init__(self, build=None):
        self.build = build
        self.example = widgets.Dropdown(options=[(text(name), name) for name in EXAMPLES],
                                        description=text("graph"))
        self.step_slider = widgets.IntSlider(0, 0, 1, description=text("step"))
        self.back_button = widgets.Button(description=text("Back"), icon="step-backward")
        self.next_button = widgets.Button(description=text("Next"), icon="step-forward")
        self.reset_button = widgets.Button(description=text("Reset"), icon="undo")
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.back_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(+1))
        self.reset_button.on_click(lambda _: setattr(self.step_slider, "value", 0))
        self.example.observe(lambda _: self._new_graph(), names="value")
        self.step_slider.observe(lambda _: self.redraw(), names="value")
        buttons = widgets.HBox([self.back_button, self.next_button, self.reset_button,
                                self.step_slider])
        top = [] if build is not None else [self.example]
        super().__init__([*top, buttons, self.message, self.image])
        self.state = None
        self._new_graph()

    def _source(self):
        return self.build if self.build is not None else self.example.value

    def _new_graph(self):
        n_steps = backward_state(self._source(), 0)["n_steps"]
        self.step_slider.max = n_steps
        if self.step_slider.value != 0:
            self.step_slider.value = 0  # triggers redraw
        else:
            self.redraw()

    def _move(self, delta):
        slider = self.step_slider
        slider.value = min(slider.max, max(slider.min, slider.value + delta))

    def redraw(self):
        """Recompute the state for the current step and show it."""
        self.state = backward_state(self._source(), self.step_slider.value)
        self.message.value = tr("<b>Step {step} of {n_steps}</b> — {message}",
                                step=self.state["step"], n_steps=self.state["n_steps"],
                                message=self.state["message"])
        self.image.value = _png(self.state["figure"])
