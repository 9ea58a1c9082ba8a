"""Checks for lesson 04: the activation layers ``Relu`` and ``Sigmoid``.

Each check takes the student's class, runs it on random arrays of a random shape (and on
float32), compares with bpkit's reference and names the usual mistake when they differ: an
inverted ReLU mask, an input or ``dout`` changed in place, a sigmoid derivative computed from x
instead of the stored output, a forgotten ``dout``, the wrong shape or dtype.
"""

import numpy as np

from ..functions import sigmoid as _sigmoid
from ._layers import (
    backward_ignores_forward,
    expect_latest_forward_used,
    fail_ignores_forward,
    run_backward,
    run_forward,
    upstream,
)
from ._student import (
    diagnose,
    expect_close,
    expect_dtype,
    expect_shape,
    fail,
    is_close,
    passed,
    rng_for,
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


def _where(name, method, x):
    if method == "forward":
        return f"{name}.forward(x) with x of shape {x.shape} ({x.dtype})"
    return f"{name}.backward(dout) after forward(x), x and dout of shape {x.shape} ({x.dtype})"


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
                     f"{where}: the sign in the exponent is wrong (large x gives values near 0). "
                     f"What is the first node of the sigmoid's graph?", "sigmoid")
            if is_close(out, np.tanh(x), rtol=1e-5):
                fail("sigmoid.tanh", f"{where} returned tanh(x); the sigmoid's outputs lie "
                     f"between 0 and 1. Which function is that?", "sigmoid")
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
    passed("Sigmoid.backward", "dout times the local derivative from the stored output",
           len(cases) + 1)


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
