"""Checks for lesson 03: the multiply node (곱셈 노드), the add node (덧셈 노드) and the shop graph.

Each check takes the student's class (or function), runs it on scalars and on random arrays,
compares it with bpkit's reference and, when they differ, tries the usual wrong versions to name
the mistake. Layer probing (forward/backward calls, stored state) is ``_layers``.
"""

import numpy as np

from .. import layers as _reference
from ._layers import (
    backward_ignores_forward,
    constant_ratio,
    expect_latest_forward_used,
    fail_ignores_forward,
    input_pairs,
    run_backward,
    run_forward,
    upstream,
)
from ._own_code import globals_used
from ._shop import SHOP_INPUTS, notes_shop, random_shop
from ._student import (
    call,
    describe,
    expect_close,
    expect_dtype,
    expect_keys,
    expect_shape,
    expect_value,
    fail,
    is_close,
    kind_of,
    passed,
    rng_for,
)

__all__ = [
    "SHOP_GRADIENT_NAMES",
    "check_add_layer_backward",
    "check_add_layer_forward",
    "check_mul_layer_backward",
    "check_mul_layer_forward",
    "check_shop_graph",
]

# The five inputs of the shop graph, in the order the notes list their gradients.
SHOP_GRADIENT_NAMES = SHOP_INPUTS


def _check_forward(Layer, name, rng, combine, other, other_id, other_words, exercise):
    """forward(x, y) == combine(x, y) on every input pair, keeping the dtype."""
    pairs = input_pairs(rng)
    for x, y in pairs:
        _, out = run_forward(Layer, name, x, y, exercise=exercise)
        where = f"{name}.forward(x, y) with {describe(x, 'x')} and {describe(y, 'y')}"
        if out is not None and not is_close(out, combine(x, y)) and is_close(out, other(x, y)):
            fail(other_id, f"{where} returned {other_words}. Which operation does this node "
                 f"stand for in the graph?", exercise)
        expect_close(out, combine(x, y), where, exercise=exercise)
        expect_dtype(out, np.result_type(x, y), where, exercise)
    return len(pairs)


# --------------------------------------------------------------------------------------------
# MulLayer


def check_mul_layer_forward(MulLayer, seed=0):
    """``MulLayer().forward(x, y)`` multiplies, for scalars and arrays, keeping the dtype."""
    n = _check_forward(MulLayer, "MulLayer", rng_for(seed), np.multiply, np.add,
                       "mul_layer.forward_adds", "x + y", "mul_layer")
    passed("MulLayer.forward", "multiplies numbers and arrays, keeping their dtype", n)


def check_mul_layer_backward(MulLayer, seed=0):
    """``backward(dout)`` returns (dx, dy) of the multiply node and names the usual mistakes.

    Tries scalars, random arrays of a random shape and float32 arrays; checks that dout is not
    changed in place and that backward uses the inputs of the latest forward call.
    """
    rng = rng_for(seed)
    pairs = input_pairs(rng)
    for x, y in pairs:
        dout = upstream(rng, np.shape(x), np.result_type(x, y))
        layer, _ = run_forward(MulLayer, "MulLayer", x, y, exercise="mul_layer")
        grads = run_backward(layer, "MulLayer", dout, 2, exercise="mul_layer")
        expected = (dout * y, dout * x)
        if not all(is_close(g, e) for g, e in zip(grads, expected, strict=True)):
            _diagnose_mul(MulLayer, grads, x, y, dout, rng)
        for g, e, name in zip(grads, expected, ("dx", "dy"), strict=True):
            expect_dtype(g, np.asarray(e).dtype, f"MulLayer.backward's {name}", "mul_layer")
    expect_latest_forward_used(MulLayer, "MulLayer", 2, rng, exercise="mul_layer")
    passed("MulLayer.backward", "each input gets dout times its local derivative",
           len(pairs) + 1)


def _diagnose_mul(MulLayer, grads, x, y, dout, rng):
    dx, dy = grads
    where = f"MulLayer.backward(dout) after forward({describe(x, 'x')}, {describe(y, 'y')})"
    for g, name in ((dx, "dx"), (dy, "dy")):
        expect_value(g, f"{where}: {name}", "mul_layer")
        expect_shape(g, np.shape(x), f"{where}: {name}",
                     "Each gradient has the shape of its input.", "mul_layer")
    got = f"got dx = {_show(dx)} and dy = {_show(dy)}"
    if is_close(dx, dout * x) and is_close(dy, dout * y):
        fail("mul_layer.swapped_gradients",
             f"{where} returned the gradients swapped ({got}). If x moves by a little, how much "
             f"does x * y move: by a multiple of x, or of the OTHER input?", "mul_layer")
    if is_close(dx, y) and is_close(dy, x):
        fail("mul_layer.no_dout",
             f"{where} returned the local derivatives without dout ({got}). The chain rule "
             f"(연쇄법칙): what must each local derivative be multiplied by?", "mul_layer")
    if is_close(dx, x) and is_close(dy, y):
        fail("mul_layer.inputs_returned",
             f"{where} returned the inputs themselves ({got}): the gradients are swapped AND "
             f"dout is missing. What is the derivative of x * y by x?", "mul_layer")
    if backward_ignores_forward(MulLayer, "MulLayer", 2, "x and y", rng, "mul_layer"):
        if is_close(dx, dout) and is_close(dy, dout):
            fail("mul_layer.add_rule",
                 f"{where} passed dout unchanged to both inputs ({got}); that is the ADD node's "
                 f"rule. What does a multiply node's local derivative depend on?", "mul_layer")
        fail_ignores_forward("MulLayer", "mul_layer")
    expect_close(dx, dout * y, f"{where}: dx", exercise="mul_layer")
    expect_close(dy, dout * x, f"{where}: dy", exercise="mul_layer")


def _show(value):
    return f"{float(value):.6g}" if np.ndim(value) == 0 else f"an array of shape {np.shape(value)}"


# --------------------------------------------------------------------------------------------
# AddLayer


def check_add_layer_forward(AddLayer, seed=0):
    """``AddLayer().forward(x, y)`` adds, for scalars and arrays, keeping the dtype."""
    n = _check_forward(AddLayer, "AddLayer", rng_for(seed), np.add, np.multiply,
                       "add_layer.forward_multiplies", "x * y", "add_layer")
    passed("AddLayer.forward", "adds numbers and arrays, keeping their dtype", n)


def check_add_layer_backward(AddLayer, seed=0):
    """``backward(dout)`` returns the add node's pair (dx, dy), unscaled, in dout's shape.

    Recognises: one value instead of a pair, dout halved or otherwise scaled, dout multiplied
    by an input, 1 instead of dout, dout changed in place, the wrong shape or dtype.
    """
    rng = rng_for(seed)
    pairs = input_pairs(rng)
    for x, y in pairs:
        dout = upstream(rng, np.shape(x), np.result_type(x, y))
        layer, _ = run_forward(AddLayer, "AddLayer", x, y, exercise="add_layer")
        grads = run_backward(layer, "AddLayer", dout, 2, exercise="add_layer")
        if not all(is_close(g, dout) for g in grads):
            _diagnose_add(grads, x, y, dout)
        for g, name in zip(grads, ("dx", "dy"), strict=True):
            expect_dtype(g, np.asarray(dout).dtype, f"AddLayer.backward's {name}", "add_layer")
    passed("AddLayer.backward", "dout reaches both inputs", len(pairs))


def _diagnose_add(grads, x, y, dout):
    where = f"AddLayer.backward(dout) with {describe(dout, 'dout')}"
    for g, name in zip(grads, ("dx", "dy"), strict=True):
        expect_value(g, f"{where}: {name}", "add_layer")
        expect_shape(g, np.shape(dout), f"{where}: {name}", "Each gradient has dout's shape.",
                     "add_layer")
        if is_close(g, dout * x) or is_close(g, dout * y):
            fail("add_layer.mul_rule",
                 f"{where}: {name} is dout times an input; that is the MULTIPLY node's rule. "
                 f"If x moves by a little, how much does x + y move?", "add_layer")
        if is_close(g, np.ones_like(dout)):
            fail("add_layer.local_derivative_only",
                 f"{where}: {name} is 1, the local derivative alone. By the chain rule, what "
                 f"does the local derivative multiply?", "add_layer")
        scale = constant_ratio(g, dout)
        if scale is not None:
            if np.isclose(scale, 0.5):
                fail("add_layer.halved",
                     f"{where}: {name} halved dout, as if the gradient were shared out between "
                     f"the inputs. What is the add node's local derivative for each input?",
                     "add_layer")
            fail("add_layer.scaled",
                 f"{where}: {name} scaled dout by {scale:.4g}. What is the add node's local "
                 f"derivative for each input, and what does the chain rule multiply it by?",
                 "add_layer")
        expect_close(g, dout, f"{where}: {name}", exercise="add_layer")


# --------------------------------------------------------------------------------------------
# The shop graph


def check_shop_graph(shop_graph, seed=0, uses=(), parts=("price", "gradients")):
    """Check ``shop_graph(apple_price, apple_count, orange_price, orange_count, tax)``.

    It must return ``(price, grads)``: the price with tax and a dict of the five gradients
    (keys ``SHOP_GRADIENT_NAMES``). Checked on the notes' numbers (``bpkit.data.shop_prices``)
    and on random ones. uses: classes the function must build the graph from (your MulLayer
    and AddLayer); a function that never refers to them fails. parts: what to check, "price"
    (the return value's form and the price) and/or "gradients".
    """
    rng = rng_for(seed)
    cases = [notes_shop()] + [random_shop(rng) for _ in range(3)]
    for inputs in cases:
        _check_shop_case(shop_graph, inputs, parts)
    # Last, so that unwritten or wrong code gets its own message first.
    used = globals_used(shop_graph) + [
        cell.cell_contents for cell in (getattr(shop_graph, "__closure__", None) or ())
    ]
    for cls in uses:
        if not any(u is cls for u in used):
            fail("shop_graph.layers_not_used",
                 f"shop_graph never uses {cls.__name__}: the exercise builds the graph from your "
                 f"own nodes, one object per node, and runs their forward and backward. Where "
                 f"in your function is each node of the graph?", "shop_graph")
    checked = " and ".join(parts)
    passed("shop_graph", f"the {checked} of the notes' shop and of other shops",
           len(cases) * len(parts) + len(uses))


def _reference_shop(v):
    """The shop graph from bpkit's nodes: returns (price, grads) like the exercise."""
    mul_apple, mul_orange = _reference.MulLayer(), _reference.MulLayer()
    add, mul_tax = _reference.AddLayer(), _reference.MulLayer()
    apples = mul_apple.forward(v["apple_price"], v["apple_count"])
    oranges = mul_orange.forward(v["orange_price"], v["orange_count"])
    price = mul_tax.forward(add.forward(apples, oranges), v["tax"])
    d_total, d_tax = mul_tax.backward(1.0)
    d_apples, d_oranges = add.backward(d_total)
    d_apple_price, d_apple_count = mul_apple.backward(d_apples)
    d_orange_price, d_orange_count = mul_orange.backward(d_oranges)
    values = (d_apple_price, d_apple_count, d_orange_price, d_orange_count, d_tax)
    return price, dict(zip(SHOP_GRADIENT_NAMES, values, strict=True))


def _check_shop_case(shop_graph, v, parts):
    args = ", ".join(f"{k}={v[k]:g}" for k in SHOP_GRADIENT_NAMES)
    where = f"shop_graph({args})"
    result = call(where, shop_graph, *[v[k] for k in SHOP_GRADIENT_NAMES], exercise="shop_graph")
    expect_value(result, where, "shop_graph")
    if not (isinstance(result, tuple) and len(result) == 2):
        fail("shop_graph.not_a_pair",
             f"{where} returned {kind_of(result)}; it should return a pair (price, grads), where "
             f"grads is a dict with the keys {list(SHOP_GRADIENT_NAMES)}.", "shop_graph")
    price, grads = result
    expected_price, expected = _reference_shop(v)
    if "price" in parts:
        _check_shop_price(where, price, expected_price, v)
    if "gradients" not in parts:
        return
    expect_keys(grads, SHOP_GRADIENT_NAMES, f"{where}'s grads", "shop_graph")
    if set(grads) != set(SHOP_GRADIENT_NAMES):
        fail("common.wrong_keys",
             f"{where}: grads should be a dict with exactly the keys "
             f"{list(SHOP_GRADIENT_NAMES)}, got {sorted(grads)}.", "shop_graph")
    if all(is_close(grads[k], expected[k]) for k in SHOP_GRADIENT_NAMES):
        return
    _diagnose_shop(where, grads, expected, v)


def _check_shop_price(where, price, expected_price, v):
    apples = v["apple_price"] * v["apple_count"]
    oranges = v["orange_price"] * v["orange_count"]
    if price is not None and np.ndim(price) == 0 and not is_close(price, expected_price):
        if is_close(price, apples + oranges):
            fail("shop_graph.price_before_tax",
                 f"{where}: the price is {float(price):g}, the sum before tax. Which node of the "
                 f"graph comes after the add node?", "shop_graph")
        for which, value in (("only the apples", apples * v["tax"] + oranges),
                             ("only the oranges", apples + oranges * v["tax"])):
            if is_close(price, value):
                fail("shop_graph.tax_on_one_fruit",
                     f"{where}: the price {float(price):g} taxes {which}. Where in the graph does "
                     f"the tax node sit: on one branch, or after the two branches join?",
                     "shop_graph")
    expect_close(price, expected_price, f"{where}: the price", exercise="shop_graph")


def _diagnose_shop(where, grads, expected, v):
    subtotal = v["apple_price"] * v["apple_count"] + v["orange_price"] * v["orange_count"]
    got = {k: _as_number(grads[k]) for k in SHOP_GRADIENT_NAMES}
    table = ", ".join(f"{k}={got[k]:.6g} (expected {float(expected[k]):.6g})"
                      for k in SHOP_GRADIENT_NAMES)
    scale = constant_ratio(np.array([got[k] for k in SHOP_GRADIENT_NAMES], dtype=float),
                           np.array([expected[k] for k in SHOP_GRADIENT_NAMES], dtype=float))
    if scale is not None:
        fail("shop_graph.dout_not_one",
             f"{where}: every gradient is {scale:.4g} times the right value. What is the "
             f"gradient of the price with respect to itself, where the backward pass starts? Got "
             f"{table}.", "shop_graph")
    for a, b in (("apple_price", "apple_count"), ("orange_price", "orange_count")):
        if is_close(got[a], expected[b]) and is_close(got[b], expected[a]):
            fail("shop_graph.swapped_gradients",
                 f"{where}: the gradients of {a} and {b} are swapped. In a multiply node, which "
                 f"input's value does each input's gradient carry? Got {table}.", "shop_graph")
    without_tax = {k: float(expected[k]) / v["tax"] for k in SHOP_GRADIENT_NAMES[:4]}
    if all(is_close(got[k], without_tax[k]) for k in without_tax):
        fail("shop_graph.gradients_miss_tax",
             f"{where}: the four price/count gradients miss the tax: they are what the graph "
             f"would give without the tax node. What gradient does the tax node send back to "
             f"the add node? Got {table}.", "shop_graph")
    if not is_close(got["tax"], expected["tax"]) and is_close(got["tax"], subtotal * v["tax"]):
        fail("shop_graph.dtax_is_price",
             f"{where}: dtax is the price after tax. The tax node multiplies the sum "
             f"{subtotal:g} by the tax: which of its two inputs does dtax carry? Got {table}.",
             "shop_graph")
    wrong = [k for k in SHOP_GRADIENT_NAMES if not is_close(got[k], expected[k])]
    fail("shop_graph.wrong_gradients",
         f"{where}: wrong gradient(s) for {', '.join(wrong)} (the tax node's other input is the "
         f"sum {subtotal:g}). Got {table}. The graph uses your MulLayer and AddLayer: if their "
         f"tests fail, fix those first.", "shop_graph")


def _as_number(value):
    try:
        return float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return float("nan")
