"""Checks for lesson 03: the add node (덧셈 노드), the multiply node (곱셈 노드) and the shop graph.

Each check takes the student's *class* (or function), runs it on scalars and on random arrays,
compares it with bpkit's reference and, when they differ, tries the usual wrong versions to say
which mistake was made. The helpers at the bottom (calling a student's method, spotting a
backward that ignores forward) are shared with ``activations``.
"""

import numpy as np

from .. import layers as _reference
from ..gradcheck import check_layer
from ._common import expect_close, expect_dtype, expect_shape, globals_used, is_close, rng_for

__all__ = [
    "SHOP_GRADIENT_NAMES",
    "check_add_layer_backward",
    "check_add_layer_forward",
    "check_backward_numerically",
    "check_mul_layer_backward",
    "check_mul_layer_forward",
    "check_shop_graph",
]

# The five inputs of the shop graph, in the order the notes list their gradients.
SHOP_GRADIENT_NAMES = ("apple_price", "apple_count", "orange_price", "orange_count", "tax")


# --------------------------------------------------------------------------------------------
# MulLayer


def check_mul_layer_forward(MulLayer, seed=0):
    """Check ``MulLayer().forward(x, y)`` returns x * y for scalars and arrays, keeping dtype."""
    rng = rng_for(seed)
    for x, y in _input_pairs(rng):
        out = _call(MulLayer().forward, "MulLayer.forward", x, y)
        where = f"MulLayer.forward(x, y) with {_describe(x, 'x')} and {_describe(y, 'y')}"
        if out is not None and is_close(out, np.add(x, y)):
            raise AssertionError(f"{where} returned x + y; a multiply node returns x * y.")
        expect_close(out, np.multiply(x, y), where, hint="A multiply node returns x * y.")
        expect_dtype(out, np.result_type(x, y), where)


def check_mul_layer_backward(MulLayer, seed=0):
    """Check ``backward(dout)`` returns (dout * y, dout * x) and names the usual mistakes.

    Tries scalars, random arrays of a random shape and float32 arrays; checks that dout is not
    changed in place and that backward uses the inputs of the latest forward call.
    """
    rng = rng_for(seed)
    for x, y in _input_pairs(rng):
        dout = _upstream(rng, np.shape(x), np.result_type(x, y))
        layer = MulLayer()
        _call(layer.forward, "MulLayer.forward", x, y)
        grads = _backward_pair(layer, "MulLayer", dout)
        expected = (dout * y, dout * x)
        if not all(is_close(g, e) for g, e in zip(grads, expected, strict=True)):
            _diagnose_mul(MulLayer, grads, x, y, dout, rng)
        for g, e, name in zip(grads, expected, ("dx", "dy"), strict=True):
            expect_dtype(g, np.asarray(e).dtype, f"MulLayer.backward's {name}")
    _expect_latest_forward_used(MulLayer, "MulLayer", rng, two_inputs=True)


def _diagnose_mul(MulLayer, grads, x, y, dout, rng):
    dx, dy = grads
    where = f"MulLayer.backward(dout) after forward({_describe(x, 'x')}, {_describe(y, 'y')})"
    for g, name in ((dx, "dx"), (dy, "dy")):
        if g is None:
            raise AssertionError(f"{where}: {name} is None; return (dx, dy).")
        expect_shape(g, np.shape(x), f"{where}: {name}",
                     "Each gradient has the shape of its input.")
    if is_close(dx, dout * x) and is_close(dy, dout * y):
        raise AssertionError(
            f"{where} returned the gradients swapped: dx should be dout * y (the OTHER input) and "
            f"dy should be dout * x. The multiply node swaps its inputs on the way back."
        )
    if is_close(dx, y) and is_close(dy, x):
        raise AssertionError(
            f"{where} returned (y, x) without dout: multiply each local derivative by the "
            f"upstream gradient (chain rule, 연쇄법칙): dx = dout * y, dy = dout * x."
        )
    if is_close(dx, x) and is_close(dy, y):
        raise AssertionError(
            f"{where} returned (x, y): the gradients are swapped AND dout is missing. "
            f"dx = dout * y, dy = dout * x."
        )
    if _backward_ignores_forward(MulLayer, "MulLayer", rng, two_inputs=True):
        if not _forward_stores(MulLayer, "MulLayer", rng, two_inputs=True):
            raise AssertionError(_NOT_STORED.format(name="MulLayer", what="x and y"))
        if is_close(dx, dout) and is_close(dy, dout):
            raise AssertionError(
                f"{where} passed dout unchanged to both inputs; that is the ADD node's rule. "
                f"A multiply node gives dx = dout * y, dy = dout * x."
            )
        raise AssertionError(_IGNORES_FORWARD.format(name="MulLayer"))
    expect_close(dx, dout * y, f"{where}: dx", hint="dx should be dout * y.")
    expect_close(dy, dout * x, f"{where}: dy", hint="dy should be dout * x.")


# --------------------------------------------------------------------------------------------
# AddLayer


def check_add_layer_forward(AddLayer, seed=0):
    """Check ``AddLayer().forward(x, y)`` returns x + y for scalars and arrays, keeping dtype."""
    rng = rng_for(seed)
    for x, y in _input_pairs(rng):
        out = _call(AddLayer().forward, "AddLayer.forward", x, y)
        where = f"AddLayer.forward(x, y) with {_describe(x, 'x')} and {_describe(y, 'y')}"
        if out is not None and is_close(out, np.multiply(x, y)):
            raise AssertionError(f"{where} returned x * y; an add node returns x + y.")
        expect_close(out, np.add(x, y), where, hint="An add node returns x + y.")
        expect_dtype(out, np.result_type(x, y), where)


def check_add_layer_backward(AddLayer, seed=0):
    """Check ``backward(dout)`` returns (dout, dout): the add node passes dout on unchanged.

    Recognises: one value instead of a pair, dout halved or otherwise scaled, dout multiplied
    by an input, 1 instead of dout, dout changed in place, the wrong shape or dtype.
    """
    rng = rng_for(seed)
    for x, y in _input_pairs(rng):
        dout = _upstream(rng, np.shape(x), np.result_type(x, y))
        layer = AddLayer()
        _call(layer.forward, "AddLayer.forward", x, y)
        grads = _backward_pair(layer, "AddLayer", dout)
        if not all(is_close(g, dout) for g in grads):
            _diagnose_add(grads, x, y, dout)
        for g, name in zip(grads, ("dx", "dy"), strict=True):
            expect_dtype(g, np.asarray(dout).dtype, f"AddLayer.backward's {name}")


def _diagnose_add(grads, x, y, dout):
    where = f"AddLayer.backward(dout) with {_describe(dout, 'dout')}"
    rule = "An add node passes dout unchanged to both inputs: return dout * 1, dout * 1."
    for g, name in zip(grads, ("dx", "dy"), strict=True):
        if g is None:
            raise AssertionError(f"{where}: {name} is None; return (dx, dy).")
        expect_shape(g, np.shape(dout), f"{where}: {name}", "Each gradient has dout's shape.")
        if is_close(g, dout * x) or is_close(g, dout * y):
            raise AssertionError(
                f"{where}: {name} is dout times an input; that is the MULTIPLY node's rule. "
                f"The add node's local derivatives are both 1. {rule}"
            )
        if is_close(g, np.ones_like(dout)):
            raise AssertionError(
                f"{where}: {name} is 1, the local derivative alone; multiply it by the upstream "
                f"gradient (chain rule): {name} = dout * 1."
            )
        scale = _constant_ratio(g, dout)
        if scale is not None and not np.isclose(scale, 1.0):
            what = "halved dout (the gradient is not shared out between the inputs)" if (
                np.isclose(scale, 0.5)) else f"scaled dout by {scale:.4g}"
            raise AssertionError(f"{where}: {name} {what}. {rule}")
        expect_close(g, dout, f"{where}: {name}", hint=rule)


# --------------------------------------------------------------------------------------------
# The shop graph


def check_shop_graph(shop_graph, seed=0, uses=(), parts=("price", "gradients")):
    """Check ``shop_graph(apple_price, apple_count, orange_price, orange_count, tax)``.

    It must return ``(price, grads)``: the price with tax and a dict of the five gradients
    (keys ``SHOP_GRADIENT_NAMES``). Checked on the notes' numbers (715; 2.2, 110, 3.3, 165, 650)
    and on random ones. uses: classes the function must build the graph from (your MulLayer
    and AddLayer); a function that never refers to them fails. parts: what to check, "price"
    (the return value's form and the price) and/or "gradients".
    """
    rng = rng_for(seed)
    notes = {"apple_price": 100.0, "apple_count": 2.0, "orange_price": 150.0,
             "orange_count": 3.0, "tax": 1.1}
    cases = [notes] + [
        {"apple_price": float(rng.integers(50, 500)), "apple_count": float(rng.integers(1, 9)),
         "orange_price": float(rng.integers(50, 500)), "orange_count": float(rng.integers(1, 9)),
         "tax": float(np.round(rng.uniform(1.01, 1.3), 2))}
        for _ in range(3)
    ]
    for inputs in cases:
        _check_shop_case(shop_graph, inputs, parts)
    # Last, so that unwritten or wrong code gets its own message first.
    used = globals_used(shop_graph) + [
        cell.cell_contents for cell in (getattr(shop_graph, "__closure__", None) or ())
    ]
    for cls in uses:
        if not any(u is cls for u in used):
            raise AssertionError(
                f"shop_graph never uses {cls.__name__}: build the graph from your own "
                f"{cls.__name__} nodes (one object per node) and call their forward and backward."
            )


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
    grads = dict(zip(SHOP_GRADIENT_NAMES, values, strict=True))
    return price, grads


def _check_shop_case(shop_graph, v, parts):
    args = ", ".join(f"{k}={v[k]:g}" for k in SHOP_GRADIENT_NAMES)
    where = f"shop_graph({args})"
    result = _call(shop_graph, "shop_graph", *[v[k] for k in SHOP_GRADIENT_NAMES],
                   names=SHOP_GRADIENT_NAMES)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise AssertionError(
            f"{where} returned {_kind(result)}; return a pair (price, grads), where grads is a "
            f"dict with the keys {list(SHOP_GRADIENT_NAMES)}."
        )
    price, grads = result
    expected_price, expected = _reference_shop(v)
    subtotal = v["apple_price"] * v["apple_count"] + v["orange_price"] * v["orange_count"]
    price_wrong = price is None or np.ndim(price) != 0 or not is_close(price, expected_price)
    if "price" in parts and price_wrong and price is not None and np.ndim(price) == 0:
        if is_close(price, subtotal):
            raise AssertionError(
                f"{where}: the price is {float(price):g}, the sum before tax; multiply it by the "
                f"tax node ({v['tax']:g}) to get {expected_price:g}."
            )
        wrong_tax = {
            "only the apples": v["apple_price"] * v["apple_count"] * v["tax"]
            + v["orange_price"] * v["orange_count"],
            "only the oranges": v["apple_price"] * v["apple_count"]
            + v["orange_price"] * v["orange_count"] * v["tax"],
        }
        for which, value in wrong_tax.items():
            if is_close(price, value):
                raise AssertionError(
                    f"{where}: the price {float(price):g} taxes {which}; add apples and oranges "
                    f"first, then multiply the sum by the tax: {expected_price:g}."
                )
    if "price" in parts:
        expect_close(price, expected_price, f"{where}: the price",
                     hint="(apple_price * apple_count + orange_price * orange_count) * tax.")
    if "gradients" not in parts:
        return
    if not isinstance(grads, dict) or set(grads) != set(SHOP_GRADIENT_NAMES):
        keys = sorted(grads) if isinstance(grads, dict) else _kind(grads)
        raise AssertionError(
            f"{where}: grads should be a dict with exactly the keys {list(SHOP_GRADIENT_NAMES)}, "
            f"got {keys}."
        )
    if all(is_close(grads[k], expected[k]) for k in SHOP_GRADIENT_NAMES):
        return
    _diagnose_shop(where, grads, expected, v, subtotal)


def _diagnose_shop(where, grads, expected, v, subtotal):
    got = {k: _as_number(grads[k]) for k in SHOP_GRADIENT_NAMES}
    table = ", ".join(f"{k}={got[k]:.6g} (expected {float(expected[k]):.6g})"
                      for k in SHOP_GRADIENT_NAMES)
    scale = _constant_ratio(np.array([got[k] for k in SHOP_GRADIENT_NAMES], dtype=float),
                            np.array([expected[k] for k in SHOP_GRADIENT_NAMES], dtype=float))
    if scale is not None:
        raise AssertionError(
            f"{where}: every gradient is {scale:.4g} times the right value; start the backward "
            f"pass with dout = 1 at the price (dprice/dprice = 1). Got {table}."
        )
    for a, b in (("apple_price", "apple_count"), ("orange_price", "orange_count")):
        if is_close(got[a], expected[b]) and is_close(got[b], expected[a]):
            raise AssertionError(
                f"{where}: the gradients of {a} and {b} are swapped. In a multiply node each "
                f"input's gradient is dout times the OTHER input: d{a} = dout * {b}. Got {table}."
            )
    without_tax = {k: float(expected[k]) / v["tax"] for k in SHOP_GRADIENT_NAMES[:4]}
    if all(is_close(got[k], without_tax[k]) for k in without_tax):
        raise AssertionError(
            f"{where}: the four price/count gradients miss the tax: the gradient reaching the "
            f"add node is dout * tax = {v['tax']:g}, and the add node passes it on unchanged. "
            f"Got {table}."
        )
    if not is_close(got["tax"], expected["tax"]):
        if is_close(got["tax"], subtotal * v["tax"]):
            raise AssertionError(
                f"{where}: dtax is the price after tax; the tax node multiplies the sum "
                f"{subtotal:g} by the tax, so dtax = dout * {subtotal:g} (the OTHER input). "
                f"Got {table}."
            )
        if is_close(got["tax"], 1.0) or is_close(got["tax"], v["tax"]):
            raise AssertionError(
                f"{where}: dtax should be dout times the tax node's other input, the sum "
                f"{subtotal:g}. Got {table}.{_FIX_NODES_FIRST}"
            )
    wrong = [k for k in SHOP_GRADIENT_NAMES if not is_close(got[k], expected[k])]
    raise AssertionError(
        f"{where}: wrong gradient(s) for {', '.join(wrong)}. Got {table}.{_FIX_NODES_FIRST}"
    )


_FIX_NODES_FIRST = (
    " (The graph uses your MulLayer and AddLayer: if their tests fail, fix those first.)"
)


# --------------------------------------------------------------------------------------------
# Numerical gradients (used by the hidden tests of lessons 03 and 04)


def check_backward_numerically(Layer, *shapes, seed=0, tol=1e-6, name=None):
    """Compare ``Layer().backward`` with central differences on random inputs of ``shapes``.

    Inputs are drawn away from 0 (|x| >= 0.2) so a kink such as ReLU's is never crossed. Fails
    with the input whose gradient disagrees and its relative error (a correct layer: ~1e-9).
    """
    rng = rng_for(seed)
    name = name or getattr(Layer, "__name__", "the layer")
    inputs = [rng.choice([-1.0, 1.0], size=s) * rng.uniform(0.2, 2.0, size=s) for s in shapes]
    try:
        errors = check_layer(Layer(), *inputs, seed=seed)
    except AssertionError:
        raise
    except Exception as error:
        raise AssertionError(
            f"{name} failed while checking gradients numerically on inputs of shape "
            f"{', '.join(str(tuple(s)) for s in shapes)}: {type(error).__name__}: {error}"
        ) from error
    for input_name, error in errors.items():
        if not error < tol:
            raise AssertionError(
                f"{name}.backward disagrees with the numerical gradient (수치 미분) for "
                f"{input_name} of shape {tuple(shapes[list(errors).index(input_name)])}: relative "
                f"error {error:.2e}, expected below {tol:.0e}."
            )


# --------------------------------------------------------------------------------------------
# Helpers shared with the activation checks


def _input_pairs(rng):
    """Scalars (the notes' nodes), a float64 array of a random shape, and float32 arrays."""
    shape = tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 4)))
    x64, y64 = (_away_from_zero(rng, shape) for _ in range(2))
    x32, y32 = (_away_from_zero(rng, (2, 3)).astype(np.float32) for _ in range(2))
    return [(float(rng.integers(2, 9)), float(rng.integers(10, 99))), (x64, y64), (x32, y32)]


def _away_from_zero(rng, shape):
    """Random numbers with |v| in [0.5, 3): distinct enough that x, y, dout are never confused."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 3.0, size=shape)


def _upstream(rng, shape, dtype):
    """A random upstream gradient, never 1, so 'forgot dout' is visible."""
    if shape == ():
        return float(rng.integers(2, 9)) + 0.5
    return _away_from_zero(rng, shape).astype(dtype)


def _describe(value, name):
    if np.ndim(value) == 0:
        return f"{name}={float(value):g}"
    return f"{name} of shape {np.shape(value)} ({np.asarray(value).dtype})"


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    return f"{type(value).__name__} {value!r}"[:80]


def _as_number(value):
    try:
        return float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return float("nan")


def _constant_ratio(actual, expected):
    """c when actual == c * expected everywhere (c != 1 means a scaled gradient), else None."""
    try:
        actual = np.asarray(actual, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if actual.shape != expected.shape or np.any(expected == 0):
        return None
    ratio = actual / expected
    c = float(ratio.reshape(-1)[0])
    if np.allclose(ratio, c, rtol=1e-6) and not np.isclose(c, 1.0):
        return c
    return None


def _call(method, what, *args, names=("x", "y", "z")):
    """Call a student's method; turn its exception into a message saying where and why."""
    try:
        return method(*args)
    except NotImplementedError as error:
        raise AssertionError(
            f"{what} is not written yet: replace `raise NotImplementedError()` under "
            f"# YOUR CODE HERE with your code, run that cell, then run this test again."
        ) from error
    except Exception as error:
        text = f"{type(error).__name__}: {error}"
        hint = ""
        if what.endswith(".backward") and (
            isinstance(error, AttributeError) or "NoneType" in str(error)
        ):
            hint = (
                " backward needs values that forward must store on self (for example "
                "self.x = x in forward, then self.x in backward); it looks like forward did "
                "not store them."
            )
        shapes = ", ".join(_describe(a, n) for a, n in zip(args, names, strict=False))
        raise AssertionError(f"{what}({shapes}) raised {text}.{hint}") from error


def _backward_pair(layer, name, dout):
    """Call backward with a copy check on dout; require a pair (dx, dy)."""
    before = np.array(dout, copy=True)
    grads = _call(layer.backward, f"{name}.backward", dout, names=("dout",))
    _expect_unchanged(dout, before, f"{name}.backward", "dout")
    if not (isinstance(grads, (tuple, list)) and len(grads) == 2):
        raise AssertionError(
            f"{name}.backward returned {_kind(grads)}; a node with two inputs returns two "
            f"gradients, one per input: return dx, dy."
        )
    return tuple(grads)


def _expect_unchanged(value, before, what, name):
    if isinstance(value, np.ndarray) and not np.array_equal(value, before):
        raise AssertionError(
            f"{what} changed its argument {name} in place (shape {value.shape}); the caller may "
            f"still need it. Compute into a new array instead of writing into {name} "
            f"(avoid {name}[...] = ... and {name} *= ...)."
        )


_IGNORES_FORWARD = (
    "{name}.backward returned the same gradient after forward was given two different inputs: "
    "it does not use what forward received. forward must store what backward needs on self "
    "every time it is called (values set in __init__ are only placeholders), and backward must "
    "read them."
)


_NOT_STORED = (
    "{name}.forward does not store {what} on self, so backward cannot use them (it sees only "
    "the placeholders from __init__). In forward write self.<name> = <value> before returning."
)


def _forward_stores(Layer, name, rng, two_inputs):
    """True when what forward leaves on self depends on the inputs it was given."""
    states = []
    for _ in range(2):
        inputs = [_away_from_zero(rng, (2, 3)) for _ in range(2 if two_inputs else 1)]
        layer = Layer()
        _call(layer.forward, f"{name}.forward", *inputs)
        states.append(dict(vars(layer)))
    first, second = states
    return first.keys() != second.keys() or any(
        not _same(first[k], second[k]) for k in first
    )


def _backward_ignores_forward(Layer, name, rng, two_inputs):
    """True when backward gives the same answer whatever forward was given."""
    dout = _away_from_zero(rng, (2, 3))
    results = []
    for _ in range(2):
        inputs = [_away_from_zero(rng, (2, 3)) for _ in range(2 if two_inputs else 1)]
        layer = Layer()
        _call(layer.forward, f"{name}.forward", *inputs)
        results.append(_call(layer.backward, f"{name}.backward", dout.copy(), names=("dout",)))
    return _same(results[0], results[1])


def _expect_latest_forward_used(Layer, name, rng, two_inputs):
    """Fail when backward uses an earlier forward call's values (a layer is reused per batch)."""
    n = 2 if two_inputs else 1
    first = [_away_from_zero(rng, (2, 3)) for _ in range(n)]
    second = [_away_from_zero(rng, (2, 3)) for _ in range(n)]
    dout = _away_from_zero(rng, (2, 3))
    reused, fresh = Layer(), Layer()
    _call(reused.forward, f"{name}.forward", *first)
    _call(reused.forward, f"{name}.forward", *second)
    _call(fresh.forward, f"{name}.forward", *second)
    got = _call(reused.backward, f"{name}.backward", dout.copy(), names=("dout",))
    want = _call(fresh.backward, f"{name}.backward", dout.copy(), names=("dout",))
    if not _same(got, want):
        raise AssertionError(
            f"{name}.backward used the inputs of an EARLIER forward call: a layer is reused for "
            f"every batch, so forward must store its inputs every time it is called (not only "
            f"the first time)."
        )


def _same(a, b):
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b, strict=True))
    if a is None or b is None:
        return a is b
    return is_close(a, b, rtol=1e-12, atol=0)
