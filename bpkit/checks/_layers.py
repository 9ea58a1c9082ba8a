"""Probing a student's layer (lessons 03-05): inputs that tell x, y and dout apart, forward and
backward run through the toolkit, and whether backward really uses what forward stored.

A layer here is a class with ``forward(*inputs)`` and ``backward(dout)``, built with no
arguments. The mistakes found here are the same for every layer, so their ids are ``common.*``.
"""

import re

import numpy as np

from ..i18n import tr
from ._student import (
    call,
    describe,
    expect_count,
    expect_numerical_gradients,
    expect_unchanged,
    expect_value,
    fail,
    is_close,
    passed,
    rng_for,
)

__all__ = ["check_backward_numerically"]

INPUT_NAMES = ("x", "y", "z")


def away_from_zero(rng, shape, low=0.5, high=3.0):
    """Random numbers with |v| in [low, high), both signs: x, y and dout never coincide, and no
    input sits on a kink (ReLU's at 0)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def upstream(rng, shape, dtype=np.float64):
    """A random upstream gradient ``dout`` of ``shape``, never 1, so a forgotten dout shows."""
    if tuple(shape) == ():
        return float(rng.integers(2, 9)) + 0.5
    return away_from_zero(rng, shape).astype(dtype)


def input_pairs(rng):
    """(x, y) pairs: scalars (the notes' nodes), a float64 array of a random shape, float32."""
    shape = tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 4)))
    x64, y64 = (away_from_zero(rng, shape) for _ in range(2))
    x32, y32 = (away_from_zero(rng, (2, 3)).astype(np.float32) for _ in range(2))
    return [(float(rng.integers(2, 9)), float(rng.integers(10, 99))), (x64, y64), (x32, y32)]


def run_forward(Layer, name, *inputs, exercise=None):
    """A new ``Layer()`` after ``forward(*inputs)``; fails if forward changed an input in place.

    Returns (layer, out).
    """
    layer = call(f"{name}()", Layer, exercise=exercise)
    before = [np.array(v, copy=True) for v in inputs]
    args = ", ".join(describe(v, n) for v, n in zip(inputs, INPUT_NAMES, strict=False))
    out = call(f"{name}.forward({args})", layer.forward, *inputs, exercise=exercise)
    for value, copy, input_name in zip(inputs, before, INPUT_NAMES, strict=False):
        expect_unchanged(copy, value, f"{name}.forward", input_name, exercise)
    return layer, out


def run_backward(layer, name, dout, n_inputs, exercise=None):
    """``layer.backward(dout)``: one gradient per input (the array itself for one input).

    Fails if backward changed dout in place, returned None, or returned another number of
    gradients than the layer has inputs.
    """
    before = np.array(dout, copy=True)
    grads = call(f"{name}.backward({describe(dout, 'dout')})", layer.backward, dout,
                 exercise=exercise)
    expect_unchanged(before, dout, f"{name}.backward", "dout", exercise)
    expect_value(grads, f"{name}.backward", exercise)
    if n_inputs > 1:
        return expect_count(grads, n_inputs, f"{name}.backward",
                            tr("A node with {n_inputs} inputs returns one gradient per "
                               "input.",
                               n_inputs=n_inputs),
                            exercise)
    if isinstance(grads, (tuple, list)):
        fail("common.wrong_count",
             tr("{name}.backward returned {len_grads} values; a layer with one input "
                "returns one gradient dx (an array of x's shape), not a tuple.",
                name=name, len_grads=len(grads)), exercise)
    return grads


def _results_after_two_forwards(Layer, name, n_inputs, rng, exercise):
    """What forward leaves on self, and what backward returns, after two different forwards."""
    dout = away_from_zero(rng, (2, 3))
    states, grads = [], []
    for _ in range(2):
        inputs = [away_from_zero(rng, (2, 3)) for _ in range(n_inputs)]
        layer, _ = run_forward(Layer, name, *inputs, exercise=exercise)
        states.append(dict(vars(layer)))
        grads.append(call(f"{name}.backward(dout)", layer.backward, dout.copy(),
                          exercise=exercise))
    return states, grads


def backward_ignores_forward(Layer, name, n_inputs, stored, rng, exercise=None):
    """True when backward's answer does not depend on what forward was given.

    Fails at once (``common.forward_not_stored``) when forward keeps nothing that depends on its
    inputs either; stored: what forward should keep, for that message ("x and y").
    """
    states, grads = _results_after_two_forwards(Layer, name, n_inputs, rng, exercise)
    if not same(grads[0], grads[1]):
        return False
    first, second = states
    stores = first.keys() != second.keys() or any(not same(first[k], second[k]) for k in first)
    if not stores:
        fail("common.forward_not_stored",
             tr("{name}.forward does not store {stored} on self, so backward cannot use "
                "them: it sees only the placeholders from __init__ (or nothing). What does "
                "backward need to know about the forward pass, and where can forward leave "
                "it?",
                name=name, stored=stored), exercise)
    return True


def fail_ignores_forward(name, exercise=None):
    """Fail with ``common.backward_ignores_forward``."""
    fail("common.backward_ignores_forward",
         tr("{name}.backward returned the same gradient after forward was given two "
            "different inputs: it does not use what forward stored. Which of the values on "
            "self should the local derivative depend on?",
            name=name), exercise)


def expect_latest_forward_used(Layer, name, n_inputs, rng, exercise=None):
    """Fail when backward uses an earlier forward call's values (a layer is reused per batch)."""
    first = [away_from_zero(rng, (2, 3)) for _ in range(n_inputs)]
    second = [away_from_zero(rng, (2, 3)) for _ in range(n_inputs)]
    dout = away_from_zero(rng, (2, 3))
    reused, _ = run_forward(Layer, name, *first, exercise=exercise)
    call(f"{name}.forward", reused.forward, *second, exercise=exercise)
    fresh, _ = run_forward(Layer, name, *second, exercise=exercise)
    got = call(f"{name}.backward", reused.backward, dout.copy(), exercise=exercise)
    want = call(f"{name}.backward", fresh.backward, dout.copy(), exercise=exercise)
    if not same(got, want):
        fail("common.stale_forward",
             tr("{name}.backward used the inputs of an EARLIER forward call: a layer is "
                "reused for every batch. Does your forward store what it was given every "
                "time it is called, or only the first time?",
                name=name), exercise)


def same(a, b):
    """True when two results (arrays, numbers, tuples of them, None) are equal to round-off."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(p, q) for p, q in zip(a, b, strict=True))
    if a is None or b is None:
        return a is b
    return is_close(a, b, rtol=1e-12, atol=0)


def constant_ratio(actual, expected):
    """c when actual == c * expected everywhere and c != 1 (a scaled gradient), else None."""
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


def exercise_of(class_name):
    """The exercise id of a layer class name: 'MulLayer' -> 'mul_layer', 'Relu' -> 'relu'."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def check_backward_numerically(Layer, *shapes, seed=0, tol=1e-6, name=None, exercise=None):
    """Compare ``Layer().backward`` with central differences on random inputs of ``shapes``.

    Inputs are drawn away from 0 (|x| >= 0.2) so a kink such as ReLU's is never crossed. Fails
    with ``common.gradient_mismatch`` naming the input whose gradient disagrees.
    """
    rng = rng_for(seed)
    name = name or getattr(Layer, "__name__", "the layer")
    exercise = exercise or exercise_of(name)
    inputs = [away_from_zero(rng, s, low=0.2, high=2.0) for s in shapes]
    layer = call(f"{name}()", Layer, exercise=exercise)
    expect_numerical_gradients(layer, *inputs, what=f"{name}.backward", tol=tol, seed=seed,
                               exercise=exercise)
    passed(f"{name}.backward", "agrees with the numerical gradient", len(shapes))
