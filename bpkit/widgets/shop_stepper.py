"""Step through the shop's computation graph: forward node by node, then backward.

The shop of the notes: apples (price x count) plus oranges (price x count), times the tax.
``shop_pass_state`` computes what is visible after a given number of steps (the values the
forward pass has reached, the gradients the backward pass has reached, a sentence saying what
the last step did, and the figure); ``shop_stepper`` wraps it in sliders and Next/Back/Reset
buttons. With ``with_orange=False`` it is the notes' first graph: 100 x 2 x 1.1 = 220.
"""

import io

import ipywidgets as widgets

from .. import viz
from ..i18n import text, tr

INPUTS = ("apple_price", "apple_count", "orange_price", "orange_count", "tax")


def _fmt(value):
    """A number as the notes write it: 715, 2.2, 1.1 (no 715.0000000000001)."""
    return viz.format_number(value, digits=6)


def _name(quantity):
    """A quantity's name as prose, in the notebook's language: apple_price -> apple price."""
    names = {"apple_price": text("apple price"), "apple_count": text("apple count"),
             "orange_price": text("orange price"), "orange_count": text("orange count"),
             "apples": text("apples"), "oranges": text("oranges"),
             "subtotal": text("subtotal"), "tax": text("tax"), "total": text("total")}
    return names.get(quantity, quantity.replace("_", " "))


def _node_name(node):
    """A node's name as prose, in the notebook's language."""
    return {"mul_apple": text("apple node (×)"), "mul_orange": text("orange node (×)"),
            "add": text("add node (+)"), "mul_tax": text("tax node (×)")}[node]


def _operations(with_orange):
    """The graph's nodes in forward order: (node, op symbol, input a, input b, output)."""
    if with_orange:
        return [
            ("mul_apple", "×", "apple_price", "apple_count", "apples"),
            ("mul_orange", "×", "orange_price", "orange_count", "oranges"),
            ("add", "+", "apples", "oranges", "subtotal"),
            ("mul_tax", "×", "subtotal", "tax", "total"),
        ]
    return [
        ("mul_apple", "×", "apple_price", "apple_count", "apples"),
        ("mul_tax", "×", "apples", "tax", "total"),
    ]


def shop_n_steps(with_orange=True):
    """The last step number: one step per node forward, one to seed d(total)=1, one per node
    backward. 9 with oranges, 5 without."""
    return 2 * len(_operations(with_orange)) + 1


def shop_pass_state(step, apple_price=100, apple_count=2, orange_price=150, orange_count=3,
                    tax=1.1, with_orange=True):
    """What the stepper shows after ``step`` steps (0 = only the inputs are known).

    Steps 1..k run the k nodes forward; step k+1 puts the gradient 1 at the output; steps
    k+2..2k+1 run the nodes backward in reverse order. Returns a dict:

    - ``step``, ``n_steps`` (the last step), ``phase``: "start", "forward", "backward" or "done";
    - ``values``: {quantity: forward value} for every quantity computed so far (inputs always);
    - ``grads``: {quantity: d total / d quantity} for every gradient reached so far;
    - ``message``: one sentence saying what the last step did, with its numbers;
    - ``active``: the node the last step evaluated (or None);
    - ``figure``: a matplotlib Figure of the graph, forward values above the edges and
      gradients below, drawn with ``bpkit.viz.draw_graph``.

    Raises ValueError when ``step`` is outside 0..n_steps.
    """
    ops = _operations(with_orange)
    n_steps = shop_n_steps(with_orange)
    if not 0 <= step <= n_steps:
        raise ValueError(f"step must be between 0 and {n_steps}, got {step}")
    values = {"apple_price": apple_price, "apple_count": apple_count, "tax": tax}
    if with_orange:
        values.update(orange_price=orange_price, orange_count=orange_count)
    grads, message, active = {}, text("Start: only the inputs are known. Press Next."), None
    k = len(ops)

    for node, op, a, b, out in ops[: min(step, k)]:  # forward, one node a step
        values[out] = values[a] * values[b] if op == "×" else values[a] + values[b]
        active = node
        message = tr("Forward, {node}: {a} {op} {b} = {out} ({name}). The node uses only its "
                     "own inputs (local computation, 국소적 계산).", node=_node_name(node),
                     a=_fmt(values[a]), op=op, b=_fmt(values[b]), out=_fmt(values[out]),
                     name=_name(out))
    if step >= k + 1:
        grads["total"] = 1.0
        active = None
        message = text("Backward starts (역전파): d total / d total = 1 at the output. "
                       "From here every node multiplies the gradient it receives by its local "
                       "derivative (chain rule, 연쇄법칙).")
    for node, op, a, b, out in list(reversed(ops))[: max(0, step - k - 1)]:
        upstream = grads[out]
        if op == "×":  # a multiply node sends each input upstream times the OTHER input
            grads[a], grads[b] = upstream * values[b], upstream * values[a]
            how = tr("{up} × {b} = {grad_a} to {name_a}, {up} × {a} = {grad_b} to {name_b} "
                     "(the inputs swap places)", up=_fmt(upstream), b=_fmt(values[b]),
                     grad_a=_fmt(grads[a]), name_a=_name(a), a=_fmt(values[a]),
                     grad_b=_fmt(grads[b]), name_b=_name(b))
        else:  # an add node passes upstream on unchanged
            grads[a] = grads[b] = upstream * 1
            how = tr("{up} passes unchanged to {name_a} and to {name_b}", up=_fmt(upstream),
                     name_a=_name(a), name_b=_name(b))
        active = node
        message = tr("Backward, {node}: {how}.", node=_node_name(node), how=how)
    if step == n_steps:
        message += " " + text("Done: each gradient says how much the total moves per unit of "
                              "that input.")

    phase = ("start" if step == 0 else "forward" if step <= k
             else "done" if step == n_steps else "backward")
    figure = _draw(ops, values, grads, active, with_orange)
    return {"step": step, "n_steps": n_steps, "phase": phase, "values": values, "grads": grads,
            "message": message, "active": active, "figure": figure}


def _draw(ops, values, grads, active, with_orange):
    """viz's drawing of the shop (or apple) graph, showing only what is known so far."""
    if with_orange:
        full = viz.shop_graph(**{k: values[k] for k in INPUTS})
    else:
        full = viz.apple_graph(values["apple_price"], values["apple_count"], values["tax"])
    edges, highlight = [], set()
    for edge in full.edges:
        quantity = _QUANTITY.get(edge.label, edge.label.replace(" ", "_"))
        edges.append(viz.Edge(edge.src, edge.dst, edge.label, values.get(quantity),
                              grads.get(quantity)))
        if active in (edge.src, edge.dst):
            highlight.add((edge.src, edge.dst))
    if active:
        highlight.add(active)
    graph = viz.Graph(full.nodes, edges, full.title)
    return viz.draw_graph(graph, highlight=highlight)


# viz's edge labels that differ from the quantity names used here.
_QUANTITY = {"apple total": "apples"}


def _png(figure):
    """The figure as PNG bytes (viz's figures are not tracked by pyplot: nothing to close)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    return buffer.getvalue()


def shop_stepper(with_orange=True, **prices):
    """The interactive stepper: sliders for prices, counts and tax; Next, Back and Reset.

    prices: starting values (defaults: the notes' 100, 2, 150, 3, 1.1). Returns a
    ``ShopStepper`` widget; display it by making it the last expression of a cell.
    """
    return ShopStepper(with_orange=with_orange, **prices)


class ShopStepper(widgets.VBox):
    """Sliders + buttons + the drawing; ``state`` holds the latest ``shop_pass_state``."""

    def __init__(self, with_orange=True, **prices):
        start = {"apple_price": 100, "apple_count": 2, "orange_price": 150,
                 "orange_count": 3, "tax": 1.1, **prices}
        self.with_orange = with_orange
        style = {"description_width": "initial"}
        self.controls = {
            "apple_price": widgets.IntSlider(start["apple_price"], 10, 300, 10,
                                             description=text("apple price"), style=style),
            "apple_count": widgets.IntSlider(start["apple_count"], 0, 10,
                                             description=text("apple count"), style=style),
            "tax": widgets.FloatSlider(start["tax"], min=1.0, max=1.5, step=0.05,
                                       description=text("tax"), style=style),
        }
        if with_orange:
            self.controls["orange_price"] = widgets.IntSlider(
                start["orange_price"], 10, 300, 10, description=text("orange price"), style=style)
            self.controls["orange_count"] = widgets.IntSlider(
                start["orange_count"], 0, 10, description=text("orange count"), style=style)
        n = shop_n_steps(with_orange)
        self.step_slider = widgets.IntSlider(0, 0, n, description=text("step"), style=style)
        self.back_button = widgets.Button(description=text("Back"), icon="step-backward")
        self.next_button = widgets.Button(description=text("Next"), icon="step-forward")
        self.reset_button = widgets.Button(description=text("Reset"), icon="undo")
        self.message = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.back_button.on_click(lambda _: self._move(-1))
        self.next_button.on_click(lambda _: self._move(+1))
        self.reset_button.on_click(lambda _: setattr(self.step_slider, "value", 0))
        for control in [*self.controls.values(), self.step_slider]:
            control.observe(lambda _: self.redraw(), names="value")
        buttons = widgets.HBox([self.back_button, self.next_button, self.reset_button,
                                self.step_slider])
        rows = [widgets.HBox([c for name, c in self.controls.items() if name.startswith(fruit)])
                for fruit in ("apple", "orange") if fruit != "orange" or with_orange]
        super().__init__([*rows, self.controls["tax"], buttons, self.message, self.image])
        self.state = None
        self.redraw()

    def _move(self, delta):
        slider = self.step_slider
        slider.value = min(slider.max, max(slider.min, slider.value + delta))

    def redraw(self):
        """Recompute the state for the current step and sliders, and show it."""
        prices = {name: control.value for name, control in self.controls.items()}
        self.state = shop_pass_state(self.step_slider.value, with_orange=self.with_orange,
                                     **prices)
        self.message.value = tr("<b>Step {step} of {n_steps}</b> — {message}",
                                step=self.state["step"], n_steps=self.state["n_steps"],
                                message=self.state["message"])
        self.image.value = _png(self.state["figure"])
