"""Checks for lesson 04: the activation layers ``Relu``, ``LeakyRelu``, ``Sigmoid`` (node by
node, then simplified) and ``Tanh``.

Each check takes the student's class, runs it on random arrays of a random shape (and on
float32), compares with bpkit's reference and names the usual mistake when they differ: an
inverted ReLU mask, an input or ``dout`` changed in place, a sigmoid derivative computed from x
instead of the stored output, a forgotten ``dout``, the wrong shape or dtype.
"""

import functools
import types

import numpy as np

from .. import layers as _reference
from ..functions import sigmoid as _sigmoid
from ..i18n import tr
from ._layers import (
    away_from_zero,
    backward_ignores_forward,
    check_backward_numerically,
    expect_latest_forward_used,
    fail_ignores_forward,
    run_backward,
    run_forward,
    upstream,
)
from ._student import (
    call,
    describe,
    diagnose,
    expect_close,
    expect_dtype,
    expect_gradients_match,
    expect_keys,
    expect_shape,
    expect_unchanged,
    expect_value,
    fail,
    is_close,
    passed,
    probe,
    rng_for,
)

__all__ = [
    "SIGMOID_NODE_GRADIENTS",
    "check_leaky_relu_backward",
    "check_leaky_relu_forward",
    "check_leaky_relu_numerically",
    "check_relu_backward",
    "check_relu_forward",
    "check_sigmoid_backward",
    "check_sigmoid_by_nodes",
    "check_sigmoid_forward",
    "check_tanh_backward",
    "check_tanh_forward",
    "check_tanh_numerically",
]


def _activation_inputs(rng, low=0.1, high=3.0):
    """A float64 array of a random shape (1 to 3 axes) and a float32 (3, 4) array.

    |x| lies in [low, high) with both signs present, so ReLU's two branches are both used.
    """
    shape = tuple(int(n) for n in rng.integers(2, 6, size=rng.integers(1, 4)))
    cases = []
    for s, dtype in ((shape, np.float64), ((3, 4), np.float32)):
        x = rng.choice([-1.0, 1.0], size=s) * rng.uniform(low, high, size=s)
        x.reshape(-1)[:2] = [-abs(x.reshape(-1)[0]), abs(x.reshape(-1)[1])]
        cases.append(x.astype(dtype))
    return cases


def _where(name, method, x):
    if method == "forward":
        return tr("{name}.forward(x) with x of shape {x_shape} ({x_dtype})",
                  name=name, x_shape=x.shape, x_dtype=x.dtype)
    return tr("{name}.backward(dout) after forward(x), x and dout of shape {x_shape} "
              "({x_dtype})",
              name=name, x_shape=x.shape, x_dtype=x.dtype)


# --------------------------------------------------------------------------------------------
# Relu


def check_relu_forward(Relu, seed=0):
    """``Relu().forward(x)`` keeps the positive inputs, zeroes the others, in x's shape and dtype,
    and leaves x alone."""
    cases = _activation_inputs(rng_for(seed))
    for x in cases:
        _, out = run_forward(Relu, "Relu", x, exercise="relu")
        where = _where("Relu", "forward", x)
        expected = np.maximum(x, 0)
        diagnose(out, expected, [
            (np.minimum(x, 0), "relu.inverted_mask",
             "kept the negative inputs and zeroed the positive ones: the mask is inverted. Which "
             "inputs does ReLU let through?"),
            ((x > 0).astype(float), "relu.mask_returned",
             "returned the mask (1 where x > 0), not the values. What does ReLU output where "
             "it lets x through?"),
            (np.abs(x), "relu.absolute_value",
             "returned |x|. What should a negative input become?"),
        ], where, "relu")
        expect_close(out, expected, where, exercise="relu")
        expect_dtype(out, x.dtype, where, "relu")
    passed("Relu.forward", "positive inputs pass, the others become 0", len(cases))


def check_relu_backward(Relu, seed=0):
    """``backward(dout)`` lets dout through where x > 0 and gives 0 where x <= 0.

    Recognises an inverted mask, a forgotten dout, dout multiplied by x, dout changed in place,
    a forward that does not store the mask, the wrong shape or dtype.
    """
    rng = rng_for(seed)
    cases = _activation_inputs(rng)
    for x in cases:
        layer, _ = run_forward(Relu, "Relu", x, exercise="relu")
        dout = upstream(rng, x.shape, x.dtype)
        dx = run_backward(layer, "Relu", dout, 1, exercise="relu")
        expected = dout * (x > 0)
        if not is_close(dx, expected):
            _diagnose_relu(Relu, rng, _where("Relu", "backward", x), dx, x, dout, expected)
        expect_dtype(dx, x.dtype, _where("Relu", "backward", x), "relu")
    expect_latest_forward_used(Relu, "Relu", 1, rng, exercise="relu")
    passed("Relu.backward", "dout passes where the input was positive, 0 elsewhere",
           len(cases) + 1)


def _diagnose_relu(Relu, rng, where, dx, x, dout, expected):
    expect_shape(dx, x.shape, where, "dx has the shape of x (and of dout).", "relu")
    diagnose(dx, expected, [
        (dout * (x <= 0), "relu.inverted_mask",
         "the mask is inverted: dx passed dout where x <= 0 and blocked it where x > 0. Where "
         "was ReLU's local derivative 1?"),
        ((x > 0).astype(float), "relu.no_dout",
         "dx is the local derivative (1 or 0) without dout. By the chain rule, what does the "
         "local derivative multiply?"),
        (dout * np.maximum(x, 0), "relu.times_x",
         "dx is dout times x; what is ReLU's local derivative where x > 0: x, or a constant?"),
        (dout * x, "relu.times_x",
         "dx is dout times x; what is ReLU's local derivative where x > 0: x, or a constant?"),
        (dout, "relu.no_mask",
         "dx is dout everywhere. What did forward do to the inputs that were <= 0, and what "
         "gradient reaches them?"),
    ], where, "relu")
    if backward_ignores_forward(Relu, "Relu", 1, "the mask (where x <= 0)", rng, "relu"):
        fail_ignores_forward("Relu", "relu")
    expect_close(dx, expected, where, exercise="relu")


# --------------------------------------------------------------------------------------------
# Sigmoid


def check_sigmoid_forward(Sigmoid, seed=0):
    """``Sigmoid().forward(x)`` is the logistic function, in x's shape and dtype."""
    cases = _activation_inputs(rng_for(seed), low=0.1, high=6.0)
    for x in cases:
        _, out = run_forward(Sigmoid, "Sigmoid", x, exercise="sigmoid")
        where = _where("Sigmoid", "forward", x)
        expected = _sigmoid(x.astype(np.float64))
        if out is not None and not is_close(out, expected, rtol=1e-5):
            if is_close(out, _sigmoid(-x.astype(np.float64)), rtol=1e-5):
                fail("sigmoid.exponent_sign",
                     tr("{where}: the sign in the exponent is wrong (large x gives values "
                        "near 0). What is the first node of the sigmoid's graph?",
                        where=where), "sigmoid")
            if is_close(out, np.tanh(x), rtol=1e-5):
                fail("sigmoid.tanh", tr("{where} returned tanh(x); the sigmoid's outputs "
                                        "lie between 0 and 1. Which function is that?",
                                        where=where), "sigmoid")
        expect_close(out, expected, where, rtol=1e-5, exercise="sigmoid")
        expect_dtype(out, x.dtype, where, "sigmoid")
    passed("Sigmoid.forward", "the logistic function, in x's shape and dtype", len(cases))


def check_sigmoid_backward(Sigmoid, seed=0):
    """``backward(dout)`` is the sigmoid's local derivative, built from the stored output, times
    dout.

    Recognises the derivative computed from x instead of the output, a forgotten dout, a missing
    factor, a wrong sign, dout changed in place, a forward that does not store its output, the
    wrong shape or dtype.
    """
    rng = rng_for(seed)
    cases = _activation_inputs(rng, low=0.1, high=4.0)
    for x in cases:
        layer, _ = run_forward(Sigmoid, "Sigmoid", x, exercise="sigmoid")
        dout = upstream(rng, x.shape, x.dtype)
        dx = run_backward(layer, "Sigmoid", dout, 1, exercise="sigmoid")
        y = _sigmoid(x.astype(np.float64))
        if not is_close(dx, dout * y * (1 - y), rtol=1e-5):
            _diagnose_sigmoid(Sigmoid, rng, _where("Sigmoid", "backward", x), dx,
                              x.astype(np.float64), y, dout)
        expect_dtype(dx, x.dtype, _where("Sigmoid", "backward", x), "sigmoid")
    expect_latest_forward_used(Sigmoid, "Sigmoid", 1, rng, exercise="sigmoid")
    _expect_output_only(Sigmoid, rng)
    passed("Sigmoid.backward", "dout times the simplified local derivative, from the stored "
           "output alone", len(cases) + 2)


def _expect_output_only(Sigmoid, rng):
    """Fail unless backward still works when everything forward stored but y is spoilt."""
    x = away_from_zero(rng, (3, 4), low=0.1, high=4.0)
    y = _sigmoid(x)
    dout = upstream(rng, x.shape)
    layer, _ = run_forward(Sigmoid, "Sigmoid", x, exercise="sigmoid")
    others = [name for name, value in vars(layer).items()
              if isinstance(value, np.ndarray) and not is_close(value, y, rtol=1e-5)]
    for name in others:
        setattr(layer, name, np.full_like(getattr(layer, name), np.nan, dtype=np.float64))
    dx = call("Sigmoid.backward(dout)", layer.backward, dout, exercise="sigmoid")
    if not is_close(dx, dout * y * (1 - y), rtol=1e-5):
        stored = ", ".join(f"self.{n}" for n in others) or "a value other than the output"
        fail("sigmoid.not_from_output",
             tr("Sigmoid.backward needs {stored}, not only the stored output y: with those "
                "spoilt (set to nan) after forward, dx is no longer right. The node-by-node "
                "product of the four local derivatives can be written with y alone: which "
                "form is that, so that backward needs nothing but self's output?",
                stored=stored), "sigmoid")


def _diagnose_sigmoid(Sigmoid, rng, where, dx, x, y, dout):
    expected = dout * y * (1 - y)
    expect_shape(dx, x.shape, where, "dx has the shape of x (and of dout).", "sigmoid")
    diagnose(dx, expected, [
        (dout * x * (1 - x), "sigmoid.derivative_from_x",
         "dx was computed from the input x where the simplified derivative needs the OUTPUT "
         "y = sigmoid(x). What does forward keep on self, and which value does the local "
         "derivative use?"),
        (y * (1 - y), "sigmoid.no_dout",
         "dx is the local derivative without dout. By the chain rule, what does it multiply?"),
        (-expected, "sigmoid.wrong_sign",
         "dx has the wrong sign: the sigmoid only ever increases. Which node of its graph did "
         "the sign come from?"),
        (dout * y, "sigmoid.missing_factor",
         "dx lacks one factor of the local derivative. Follow the graph's nodes back again: "
         "what does each node contribute?"),
        (dout * (1 - y), "sigmoid.missing_factor",
         "dx lacks one factor of the local derivative. Follow the graph's nodes back again: "
         "what does each node contribute?"),
        (dout * y * y, "sigmoid.not_simplified",
         "dx lacks the factor the exp node contributes. Which value did that node see, and how "
         "can it be written with the output y alone?"),
    ], where, "sigmoid", rtol=1e-5)
    if backward_ignores_forward(Sigmoid, "Sigmoid", 1, "its output y", rng, "sigmoid"):
        fail_ignores_forward("Sigmoid", "sigmoid")
    expect_close(dx, expected, where, rtol=1e-5, exercise="sigmoid")


# --------------------------------------------------------------------------------------------
# LeakyRelu (a derivation: the lesson prints no formula of its backward)


def _leaky_cases(rng):
    """(slope, x) pairs: the default slope on float64, random slopes on float64 and float32."""
    xs = _activation_inputs(rng)
    return [(None, xs[0]), (float(rng.uniform(0.05, 0.5)), xs[0]),
            (float(rng.uniform(0.05, 0.5)), xs[1])]


def _leaky_layer(LeakyRelu, slope):
    name = "LeakyRelu()" if slope is None else f"LeakyRelu(slope={slope:.3g})"
    if slope is None:
        return name, call(name, LeakyRelu, exercise="leaky_relu"), 0.01
    return name, call(name, LeakyRelu, slope=slope, exercise="leaky_relu"), slope


def check_leaky_relu_forward(LeakyRelu, seed=0):
    """``LeakyRelu(slope).forward(x)``: x where x > 0, slope times x elsewhere (slope 0.01 by
    default), in x's shape and dtype, x unchanged."""
    rng = rng_for(seed)
    cases = _leaky_cases(rng)
    for slope, x in cases:
        name, layer, s = _leaky_layer(LeakyRelu, slope)
        before = x.copy()
        where = tr("{name}.forward(x) with x of shape {x_shape} ({x_dtype})",
                   name=name, x_shape=x.shape, x_dtype=x.dtype)
        out = call(where, layer.forward, x, exercise="leaky_relu")
        expect_unchanged(before, x, f"{name}.forward", "x", "leaky_relu")
        expect_value(out, where, "leaky_relu")
        expected = np.where(x > 0, x, s * x)
        diagnose(out, expected, [
            (np.maximum(x, 0), "leaky_relu.no_leak",
             "the negative inputs became 0, as in ReLU. What does the leaky ReLU let through "
             "where x <= 0?"),
            (np.where(x > 0, s * x, x), "leaky_relu.inverted",
             "the slope was applied to the positive inputs and the negative ones passed "
             "unchanged. Which side of 0 leaks?"),
            (np.where(x > 0, x, 0.01 * x), "leaky_relu.slope_ignored",
             tr("the negative side used the slope 0.01, not the layer's slope {s:.3g}. "
                "Where does the slope given to __init__ live, so that forward can use it?",
                s=s)),
        ], where, "leaky_relu", rtol=1e-5)
        expect_close(out, expected, where, rtol=1e-5, exercise="leaky_relu")
        expect_dtype(out, x.dtype, where, "leaky_relu")
    passed("LeakyRelu.forward", "x where x > 0, the slope's share elsewhere", len(cases))


def check_leaky_relu_backward(LeakyRelu, seed=0):
    """``backward(dout)`` is dout times the leaky ReLU's local derivative, on both sides of 0,
    for the default and other slopes; names the usual mistakes."""
    rng = rng_for(seed)
    cases = _leaky_cases(rng)
    for slope, x in cases:
        name, layer, s = _leaky_layer(LeakyRelu, slope)
        call(f"{name}.forward(x)", layer.forward, x, exercise="leaky_relu")
        dout = upstream(rng, x.shape, x.dtype)
        where = (tr("{name}.backward(dout) after forward(x), x and dout of shape {x_shape} "
                    "({x_dtype})",
                    name=name, x_shape=x.shape, x_dtype=x.dtype))
        before = dout.copy()
        dx = call(where, layer.backward, dout, exercise="leaky_relu")
        expect_unchanged(before, dout, f"{name}.backward", "dout", "leaky_relu")
        expect_value(dx, where, "leaky_relu")
        expected = _reference_dx(functools.partial(_reference.LeakyRelu, s), x, dout)
        if not is_close(dx, expected, rtol=1e-5):
            _diagnose_leaky(where, dx, expected, x, dout, s)
        expect_dtype(dx, x.dtype, where, "leaky_relu")
    layer_with_slope = functools.partial(LeakyRelu, slope=0.2)
    expect_latest_forward_used(layer_with_slope, "LeakyRelu", 1, rng, exercise="leaky_relu")
    passed("LeakyRelu.backward", "dout times the local derivative on both sides of 0",
           len(cases) + 1)


def _reference_dx(Layer, x, dout):
    layer = Layer()
    layer.forward(x)
    return layer.backward(dout)


def _diagnose_leaky(where, dx, expected, x, dout, s):
    expect_shape(dx, x.shape, where, "dx has the shape of x (and of dout).", "leaky_relu")
    diagnose(dx, expected, [
        (dout * (x > 0), "leaky_relu.blocked",
         "dx is 0 wherever x <= 0, as in ReLU's backward. Does the leaky ReLU's output move "
         "when a negative x moves a little? By how much, per unit of x?"),
        (np.where(x > 0, 1.0, s), "leaky_relu.no_dout",
         "dx is the local derivative without dout. By the chain rule, what does it multiply?"),
        (np.where(x > 0, dout, s * dout * x), "leaky_relu.times_x",
         "on the negative side dx is dout times the slope times x. The output there is a "
         "straight line through 0: does its slope depend on x?"),
        (np.where(x > 0, s * dout, dout), "leaky_relu.inverted",
         "dx has the slope on the positive side and passes dout on the negative side. Which "
         "side of 0 leaks?"),
        (np.where(x > 0, dout, 0.01 * dout), "leaky_relu.slope_ignored",
         tr("the negative side used the slope 0.01, not the layer's slope {s:.3g}. Where "
            "does the slope given to __init__ live, so that backward can use it?",
            s=s)),
    ], where, "leaky_relu", rtol=1e-5)
    expect_close(dx, expected, where, rtol=1e-5, exercise="leaky_relu",
                 question="What is the local derivative on each side of 0?")


def check_leaky_relu_numerically(LeakyRelu, shape, slope=0.1, seed=0):
    """``LeakyRelu(slope).backward`` against central differences (inputs away from the kink)."""
    check_backward_numerically(functools.partial(LeakyRelu, slope=slope), shape, seed=seed,
                               name="LeakyRelu", exercise="leaky_relu")


# --------------------------------------------------------------------------------------------
# The sigmoid node by node (a derivation: ×(-1), exp, +1, 1/u)

# The gradients sigmoid_by_nodes returns, from the output end back: u = 1 + e, e = exp(a),
# a = -x.
SIGMOID_NODE_GRADIENTS = ("du", "de", "da", "dx")


def _reference_nodes(x, dout):
    a = -x
    e = np.exp(a)
    u = e + 1
    du = dout * -(1 / u) ** 2
    de = du
    da = de * e
    return {"du": du, "de": de, "da": da, "dx": -da}


def check_sigmoid_by_nodes(sigmoid_by_nodes, seed=0, numerically=False):
    """``sigmoid_by_nodes(x, dout)``: the dict of the four gradients (``SIGMOID_NODE_GRADIENTS``)
    going back through the 1/u, +1, exp and ×(-1) nodes. The first wrong one is named, with
    its node. numerically: also compare dx with central differences of the sigmoid."""
    rng = rng_for(seed)
    shape = tuple(int(n) for n in rng.integers(2, 5, size=rng.integers(1, 3)))
    cases = [np.array([1.0]), away_from_zero(rng, shape, low=0.1, high=4.0)]
    for x in cases:
        dout = upstream(rng, x.shape)
        where = tr("sigmoid_by_nodes(x, dout) with {describe_x_x}",
                   describe_x_x=describe(x, 'x'))
        grads = call(where, sigmoid_by_nodes, x.copy(), dout.copy(), exercise="sigmoid_by_nodes")
        expect_keys(grads, SIGMOID_NODE_GRADIENTS, where, "sigmoid_by_nodes")
        expected = _reference_nodes(x, dout)
        for key in SIGMOID_NODE_GRADIENTS:
            if not is_close(grads[key], expected[key]):
                _diagnose_node(where, key, grads, expected, x, dout)
    if numerically:
        x = away_from_zero(rng, (3, 2), low=0.1, high=3.0)
        dout = upstream(rng, x.shape)
        h = 1e-5
        numeric = dout * (_sigmoid(x + h) - _sigmoid(x - h)) / (2 * h)
        grads = call("sigmoid_by_nodes", sigmoid_by_nodes, x.copy(), dout.copy(),
                     exercise="sigmoid_by_nodes")
        expect_gradients_match(grads["dx"], numeric, "sigmoid_by_nodes's dx",
                               exercise="sigmoid_by_nodes")
    passed("sigmoid_by_nodes", "each node's gradient on the way back through 1/u, +1, exp and "
           "×(-1)", len(cases) * len(SIGMOID_NODE_GRADIENTS) + numerically)


_NODE_OF = {"du": "1/u", "de": "+1", "da": "exp", "dx": "×(-1)"}
_INPUT_OF = {"du": "dout", "de": "du", "da": "de", "dx": "da"}


def _diagnose_node(where, key, grads, expected, x, dout):
    got = grads[key]
    node, came_in = _NODE_OF[key], _INPUT_OF[key]
    what = tr("{where}: {key}, the gradient leaving the {node} node",
              where=where, key=key, node=node)
    expect_shape(got, x.shape, what, "Each gradient has the shape of x.", "sigmoid_by_nodes")
    incoming = dout if key == "du" else grads[came_in]
    right_incoming = dout if key == "du" else expected[came_in]
    if not is_close(incoming, right_incoming):
        return  # an earlier gradient is wrong: reported when its own key is checked
    u = 1 + np.exp(-x)
    wrong = {
        "du": [(-dout / u, "sigmoid_by_nodes.reciprocal_power",
                "it changes like 1/u, but 1/u falls faster than that as u grows. Try u = 2 "
                "and u = 2.001: how much does 1/u move, per unit of u?"),
               (-expected["du"], "sigmoid_by_nodes.reciprocal_sign",
                "it has the wrong sign. When u grows, does 1/u grow or shrink?"),
               (expected["du"] / dout, "sigmoid_by_nodes.no_dout",
                "it is the local derivative alone. By the chain rule, what does it multiply?")],
        "de": [(incoming * np.exp(-x), "sigmoid_by_nodes.plus_one_as_exp",
                "it multiplied du by exp(-x), but the +1 node is an add node. What is an add "
                "node's local derivative?")],
        "da": [(incoming, "sigmoid_by_nodes.exp_passed",
                "it passed de on unchanged. The exp node is not an add node: how much does "
                "exp(a) move when a moves a little?"),
               (incoming * np.exp(x), "sigmoid_by_nodes.exp_of_x",
                "it multiplied de by exp(x). Which value reached the exp node: x, or a = -x?")],
        "dx": [(incoming, "sigmoid_by_nodes.negate_ignored",
                "it passed da on unchanged, so the sign is wrong. The ×(-1) node is a "
                "multiply node: what is its local derivative?")],
    }[key]
    diagnose(got, expected[key], wrong, what, "sigmoid_by_nodes")
    expect_close(got, expected[key], what, exercise="sigmoid_by_nodes",
                 question=tr("What is the {node} node's local derivative, and what did it "
                             "receive from the right ({came_in})?",
                             node=node, came_in=came_in))


# --------------------------------------------------------------------------------------------
# Tanh (a derivation: from its graph or from tanh(x) = 2 sigmoid(2x) - 1)


def _with_reference_layers(cls, uses):
    """``cls`` with its methods' global names for ``uses`` (the student's own layers, e.g. a
    Sigmoid that Tanh is built on) pointing at bpkit's layers of the same name: a mistake in
    a layer with its own test then costs only that test's points."""
    if not uses or not isinstance(cls, type):
        return cls
    methods = {}
    for name, value in vars(cls).items():
        if isinstance(value, types.FunctionType):
            names = dict(value.__globals__)
            for key, bound in value.__globals__.items():
                if any(bound is u for u in uses) and isinstance(getattr(_reference, key, None),
                                                                 type):
                    names[key] = getattr(_reference, key)
            value = types.FunctionType(value.__code__, names, value.__name__,
                                       value.__defaults__, value.__closure__)
        methods[name] = value
    return type(cls.__name__, cls.__bases__, {k: v for k, v in methods.items()
                                              if k not in ("__dict__", "__weakref__")})


def _own_layers_note(Tanh, uses):
    """A note for the ✓ line when Tanh gives another answer with the student's own layers."""
    if not uses:
        return ""
    x = np.linspace(-2.0, 2.0, 7) + 0.05
    layer = probe(Tanh)
    out = probe(layer.forward, x.copy()) if layer is not None else None
    dx = probe(layer.backward, np.ones_like(x)) if out is not None else None
    if is_close(out, np.tanh(x), rtol=1e-5) and is_close(dx, 1 - np.tanh(x) ** 2, rtol=1e-5):
        return ""
    names = " and ".join(u.__name__ for u in uses)
    return (tr("; graded with bpkit's {names} in place of yours: with your own the result "
               "differs, and its test above says why",
               names=names))


def check_tanh_forward(Tanh, seed=0, uses=()):
    """``Tanh().forward(x)`` is tanh, in x's shape and dtype. uses: the student's layers Tanh
    may be built on (their Sigmoid); the check runs with bpkit's in their place."""
    student, Tanh = Tanh, _with_reference_layers(Tanh, uses)
    cases = _activation_inputs(rng_for(seed), low=0.1, high=3.0)
    for x in cases:
        _, out = run_forward(Tanh, "Tanh", x, exercise="tanh")
        where = _where("Tanh", "forward", x)
        expected = np.tanh(x.astype(np.float64))
        diagnose(out, expected, [
            (_sigmoid(x.astype(np.float64)), "tanh.sigmoid",
             "returned the sigmoid: its outputs lie between 0 and 1, tanh's between -1 and 1. "
             "How do the two functions relate?"),
            (2 * _sigmoid(x.astype(np.float64)) - 1, "tanh.inner_factor",
             "returned 2 sigmoid(x) - 1: the sigmoid's input lacks a factor. Compare the two "
             "at x = 1."),
        ], where, "tanh", rtol=1e-5)
        expect_close(out, expected, where, rtol=1e-5, exercise="tanh")
        expect_dtype(out, x.dtype, where, "tanh")
    passed("Tanh.forward", tr("tanh, in x's shape and dtype{own_layers_note_student_uses}",
                              own_layers_note_student_uses=_own_layers_note(student, uses)),
           len(cases))


def check_tanh_backward(Tanh, seed=0, uses=()):
    """``backward(dout)`` is dout times tanh's local derivative; names the usual mistakes.
    uses: as for ``check_tanh_forward``."""
    student, Tanh = Tanh, _with_reference_layers(Tanh, uses)
    rng = rng_for(seed)
    cases = _activation_inputs(rng, low=0.1, high=3.0)
    for x in cases:
        layer, _ = run_forward(Tanh, "Tanh", x, exercise="tanh")
        dout = upstream(rng, x.shape, x.dtype)
        dx = run_backward(layer, "Tanh", dout, 1, exercise="tanh")
        x64 = x.astype(np.float64)
        expected = _reference_dx(_reference.Tanh, x64, dout.astype(np.float64))
        if not is_close(dx, expected, rtol=1e-5):
            _diagnose_tanh(Tanh, rng, _where("Tanh", "backward", x), dx, x64, dout, expected)
        expect_dtype(dx, x.dtype, _where("Tanh", "backward", x), "tanh")
    expect_latest_forward_used(Tanh, "Tanh", 1, rng, exercise="tanh")
    passed("Tanh.backward", tr("dout times tanh's local "
                               "derivative{own_layers_note_student_uses}",
                               own_layers_note_student_uses=_own_layers_note(student, uses)),
                               len(cases) + 1)


def _diagnose_tanh(Tanh, rng, where, dx, x, dout, expected):
    y = np.tanh(x)
    s2 = _sigmoid(2 * x)
    expect_shape(dx, x.shape, where, "dx has the shape of x (and of dout).", "tanh")
    diagnose(dx, expected, [
        (expected / dout, "tanh.no_dout",
         "dx is the local derivative without dout. By the chain rule, what does it multiply?"),
        (dout * (1 - x * x), "tanh.derivative_from_x",
         "dx was computed from the input x where your formula needs the OUTPUT y = tanh(x). "
         "Which value does forward keep, and which one does the local derivative use?"),
        (dout * y * (1 - y), "tanh.sigmoid_rule",
         "dx uses the sigmoid's simplified derivative on tanh's output. tanh is a different "
         "function: take its graph (or 2 sigmoid(2x) - 1) back node by node again."),
        (dout * (1 - y), "tanh.missing_factor",
         "dx lacks a factor. Take the graph back node by node: what does each node "
         "contribute?"),
        (-expected, "tanh.wrong_sign",
         "dx has the wrong sign, but tanh only ever increases. Which step flipped it?"),
        (dout * 2 * s2 * (1 - s2), "tanh.missing_factor_two",
         "dx is half of what it should be. In 2 sigmoid(2x) - 1 there are two multiply-by-2 "
         "nodes: did the backward pass go through both?"),
        (dout * s2 * (1 - s2), "tanh.missing_factor_two",
         "dx is a quarter of what it should be. In 2 sigmoid(2x) - 1 there are two "
         "multiply-by-2 nodes: did the backward pass go through both?"),
    ], where, "tanh", rtol=1e-5)
    if backward_ignores_forward(Tanh, "Tanh", 1, "its output y (or its input x)", rng, "tanh"):
        fail_ignores_forward("Tanh", "tanh")
    expect_close(dx, expected, where, rtol=1e-5, exercise="tanh")


def check_tanh_numerically(Tanh, shape, seed=0, uses=()):
    """``Tanh().backward`` against central differences, with bpkit's layers in place of
    ``uses`` (as ``check_tanh_forward``)."""
    check_backward_numerically(_with_reference_layers(Tanh, uses), shape, seed=seed,
                               name="Tanh", exercise="tanh")
