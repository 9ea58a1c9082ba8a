"""Checks for lesson 04: the activation layers ``Relu`` and ``Sigmoid``.

Each check takes the student's class, runs it on random arrays of a random shape (and on
float32), compares with bpkit's reference and names the usual mistake when they differ: an
inverted ReLU mask, an input or ``dout`` changed in place, a sigmoid derivative computed from x
instead of the stored output y, a forgotten ``dout``, the wrong shape or dtype.
"""

import numpy as np

from ..functions import sigmoid as _sigmoid
from ._common import expect_close, expect_dtype, expect_shape, is_close, rng_for
from .nodes import (
    _IGNORES_FORWARD,
    _NOT_STORED,
    _backward_ignores_forward,
    _call,
    _expect_latest_forward_used,
    _expect_unchanged,
    _forward_stores,
)

__all__ = [
    "check_relu_backward",
    "check_relu_forward",
    "check_sigmoid_backward",
    "check_sigmoid_forward",
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


def _forward(Layer, name, x):
    """Run forward on a fresh layer; fail if it changed x in place. Returns (layer, out)."""
    layer = Layer()
    before = x.copy()
    out = _call(layer.forward, f"{name}.forward", x)
    _expect_unchanged(x, before, f"{name}.forward", "x")
    return layer, out


def _backward(layer, name, dout):
    """Run backward; fail if it changed dout in place or returned something not an array."""
    before = dout.copy()
    dx = _call(layer.backward, f"{name}.backward", dout, names=("dout",))
    _expect_unchanged(dout, before, f"{name}.backward", "dout")
    if isinstance(dx, (tuple, list)):
        raise AssertionError(
            f"{name}.backward returned {len(dx)} values; a layer with one input returns one "
            f"gradient dx (an array of x's shape), not a tuple."
        )
    if dx is None:
        raise AssertionError(f"{name}.backward returned None: did you forget `return dx`?")
    return dx


def _upstream(rng, x):
    """A random upstream gradient of x's shape and dtype, never 1, so 'forgot dout' shows."""
    d = rng.choice([-1.0, 1.0], size=x.shape) * rng.uniform(0.5, 3.0, size=x.shape)
    return d.astype(x.dtype)


# --------------------------------------------------------------------------------------------
# Relu


def check_relu_forward(Relu, seed=0):
    """Check ``Relu().forward(x)`` returns max(0, x), keeps x's shape and dtype, leaves x alone."""
    rng = rng_for(seed)
    for x in _activation_inputs(rng):
        _, out = _forward(Relu, "Relu", x)
        where = f"Relu.forward(x) with x of shape {x.shape} ({x.dtype})"
        expected = np.maximum(x, 0)
        if out is not None and not is_close(out, expected):
            if is_close(out, np.minimum(x, 0)):
                raise AssertionError(
                    f"{where} kept the negative inputs and zeroed the positive ones: the mask is "
                    f"inverted. ReLU passes x where x > 0 and gives 0 where x <= 0."
                )
            if is_close(out, (x > 0).astype(float)):
                raise AssertionError(
                    f"{where} returned the mask (1 where x > 0), not the values: return x where "
                    f"x > 0 and 0 elsewhere."
                )
            if is_close(out, np.abs(x)):
                raise AssertionError(f"{where} returned |x|; negative inputs must become 0.")
        expect_close(out, expected, where, hint="ReLU: x where x > 0, else 0.")
        expect_dtype(out, x.dtype, where)


def check_relu_backward(Relu, seed=0):
    """Check ``backward(dout)`` lets dout through where x > 0 and gives 0 where x <= 0.

    Recognises an inverted mask, a forgotten dout, dout multiplied by x, dout changed in place,
    a forward that does not store the mask, the wrong shape or dtype.
    """
    rng = rng_for(seed)
    for x in _activation_inputs(rng):
        layer, _ = _forward(Relu, "Relu", x)
        dout = _upstream(rng, x)
        dx = _backward(layer, "Relu", dout)
        where = f"Relu.backward(dout) after forward(x), x and dout of shape {x.shape} ({x.dtype})"
        expected = dout * (x > 0)
        if not is_close(dx, expected):
            _diagnose_relu(Relu, rng, where, dx, x, dout, expected)
        expect_dtype(dx, x.dtype, where)
    _expect_latest_forward_used(Relu, "Relu", rng, two_inputs=False)


def _diagnose_relu(Relu, rng, where, dx, x, dout, expected):
    expect_shape(dx, x.shape, where, "dx has the shape of x (and of dout).")
    if is_close(dx, dout * (x <= 0)):
        raise AssertionError(
            f"{where}: the mask is inverted; dx passed dout where x <= 0 and blocked it where "
            f"x > 0. Pass dout where x > 0 and give 0 where x <= 0."
        )
    if is_close(dx, (x > 0).astype(float)):
        raise AssertionError(
            f"{where}: dx is the local derivative (1 or 0) without dout; multiply by the "
            f"upstream gradient: dx = dout where x > 0, else 0."
        )
    if is_close(dx, dout * np.maximum(x, 0)) or is_close(dx, dout * x):
        raise AssertionError(
            f"{where}: dx is dout times x; ReLU's local derivative is 1 (x > 0) or 0, not x. "
            f"dx = dout where x > 0, else 0."
        )
    if is_close(dx, dout):
        raise AssertionError(
            f"{where}: dx is dout everywhere; set it to 0 where the input x was <= 0."
        )
    if _backward_ignores_forward(Relu, "Relu", rng, two_inputs=False):
        if not _forward_stores(Relu, "Relu", rng, two_inputs=False):
            raise AssertionError(_NOT_STORED.format(name="Relu", what="the mask (x <= 0)"))
        raise AssertionError(_IGNORES_FORWARD.format(name="Relu"))
    expect_close(dx, expected, where, hint="dx = dout where x > 0, else 0.")


# --------------------------------------------------------------------------------------------
# Sigmoid


def check_sigmoid_forward(Sigmoid, seed=0):
    """Check ``Sigmoid().forward(x)`` returns 1 / (1 + exp(-x)) in x's shape and dtype."""
    rng = rng_for(seed)
    for x in _activation_inputs(rng, low=0.1, high=6.0):
        _, out = _forward(Sigmoid, "Sigmoid", x)
        where = f"Sigmoid.forward(x) with x of shape {x.shape} ({x.dtype})"
        expected = _sigmoid(x.astype(np.float64))
        if out is not None and not is_close(out, expected, rtol=1e-5):
            if is_close(out, _sigmoid(-x.astype(np.float64)), rtol=1e-5):
                raise AssertionError(
                    f"{where} returned 1 / (1 + exp(x)): the sign in the exponent is wrong; "
                    f"y = 1 / (1 + exp(-x)) (the graph multiplies x by -1 first)."
                )
            if is_close(out, np.tanh(x), rtol=1e-5):
                raise AssertionError(f"{where} returned tanh(x); y = 1 / (1 + exp(-x)).")
        expect_close(out, expected, where, hint="y = 1 / (1 + exp(-x)).", rtol=1e-5)
        expect_dtype(out, x.dtype, where)


def check_sigmoid_backward(Sigmoid, seed=0):
    """Check ``backward(dout)`` returns dout * y * (1 - y), y being the output forward stored.

    Recognises the derivative computed from x instead of y (dout * x * (1 - x)), a forgotten
    dout, a missing factor, a wrong sign, dout changed in place, a forward that does not store
    its output, the wrong shape or dtype.
    """
    rng = rng_for(seed)
    for x in _activation_inputs(rng, low=0.1, high=4.0):
        layer, _ = _forward(Sigmoid, "Sigmoid", x)
        dout = _upstream(rng, x)
        dx = _backward(layer, "Sigmoid", dout)
        where = (f"Sigmoid.backward(dout) after forward(x), x and dout of shape {x.shape} "
                 f"({x.dtype})")
        y = _sigmoid(x.astype(np.float64))
        expected = dout * y * (1 - y)
        if not is_close(dx, expected, rtol=1e-5):
            _diagnose_sigmoid(Sigmoid, rng, where, dx, x.astype(np.float64), y, dout)
        expect_dtype(dx, x.dtype, where)
    _expect_latest_forward_used(Sigmoid, "Sigmoid", rng, two_inputs=False)


def _diagnose_sigmoid(Sigmoid, rng, where, dx, x, y, dout):
    expected = dout * y * (1 - y)
    expect_shape(dx, x.shape, where, "dx has the shape of x (and of dout).")
    wrong_versions = [
        (dout * x * (1 - x),
         "dx was computed from the input x (dout * x * (1 - x)); the formula needs the OUTPUT "
         "y = sigmoid(x): store y in forward (self.out = out) and return "
         "dout * self.out * (1 - self.out)."),
        (y * (1 - y),
         "dx is y * (1 - y) without dout; multiply by the upstream gradient (chain rule): "
         "dx = dout * y * (1 - y)."),
        (-expected, "dx has the wrong sign; dx = dout * y * (1 - y), which has dout's sign."),
        (dout * y, "dx is missing the factor (1 - y): dx = dout * y * (1 - y)."),
        (dout * (1 - y), "dx is missing the factor y: dx = dout * y * (1 - y)."),
        (dout * y * y, "dx is dout * y^2; the graph's -1/y^2 and exp(-x) combine to y(1 - y): "
         "dx = dout * y^2 * exp(-x) = dout * y * (1 - y)."),
    ]
    for wrong, message in wrong_versions:
        if is_close(dx, wrong, rtol=1e-5):
            raise AssertionError(f"{where}: {message}")
    if _backward_ignores_forward(Sigmoid, "Sigmoid", rng, two_inputs=False):
        if not _forward_stores(Sigmoid, "Sigmoid", rng, two_inputs=False):
            raise AssertionError(_NOT_STORED.format(name="Sigmoid", what="its output y"))
        raise AssertionError(_IGNORES_FORWARD.format(name="Sigmoid"))
    expect_close(dx, expected, where, hint="dx = dout * y * (1 - y).", rtol=1e-5)
