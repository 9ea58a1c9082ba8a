"""Checks for lesson 07: numerical gradients, relative error, and gradient checks of layers and
of a whole network.

The usual mistakes they name: a numerical gradient that forgets to put x back (or puts back
x + h - h, which is not exactly x), that perturbs a copy that f never sees, that uses a forward
difference or divides by h instead of 2h; a relative error without its guard against 0 / 0; a
gradient check that ignores dout or cannot tell a broken layer from a correct one.
"""

import numpy as np

from .. import gradcheck
from ..i18n import tr
from ..layers import Affine, Relu, Sigmoid
from ..network import TwoLayerNet
from ._layers import away_from_zero
from ._student import (
    CheckFailure,
    call,
    expect_close,
    expect_number,
    expect_numerical_gradients,
    expect_shape,
    expect_value,
    fail,
    is_close,
    passed,
    rng_for,
    shapes,
)

__all__ = [
    "check_numerical_gradient",
    "check_numerical_gradient_restores_x",
    "check_rel_error",
    "check_layer_gradient_errors",
    "check_network_gradient_errors",
    "check_layer_numerically",
]

# What counts as agreement in float64 with h around 1e-5 (see bpkit.gradcheck): correct
# gradients typically give 1e-7 or less, a bug 1e-2 or more. GOOD sits well above the typical
# figure because now and then a gradient entry is tiny (a sum whose terms cancel), and its
# relative error is then mostly round-off; a correct answer must never fail by bad luck.
GOOD = 1e-5
# A network's weight gradients have entries of every size, and a ReLU that fired for one sample
# only leaves an entry of 1e-6 whose relative error is mostly round-off (1e-5 now and then: 1 in
# 1,000 fresh seeds failed a correct answer at GOOD). A bug still gives 1e-2 or more.
NETWORK_GOOD = 1e-4
BAD = 1e-2


def _cube_sum(x):
    """f(x) = sum x^3; its gradient 3 x^2 is known exactly, and f'' = 6x is large enough that a
    forward difference is visibly less accurate than a central one."""
    return np.sum(x**3)


def _one_sided(f, x, h, sign):
    """Forward (sign=+1) or backward (sign=-1) difference, to recognise a student's."""
    grad = np.zeros_like(x)
    base = f(x)
    for i in np.ndindex(x.shape):
        z = x.copy()
        z[i] += sign * h
        grad[i] = sign * (f(z) - base) / h
    return grad


def check_numerical_gradient(numerical_gradient, seed=0):
    """numerical_gradient(f, x) is the central difference of f at x, for any shape of x."""
    ex = "numerical_gradient"
    rng = rng_for(seed)
    x = rng.uniform(1, 2, size=tuple(int(v) for v in rng.integers(2, 5, size=2)))
    what = f"numerical_gradient(f, x) for f(x) = sum(x**3) and x {x.shape}"
    grad = call(what, numerical_gradient, _cube_sum, x.copy(), exercise=ex,
                question="Does the loop visit every index of x, whatever its number of axes?")
    expect_value(grad, what, ex)
    expect_shape(grad, x.shape, what, "The gradient has one entry per entry of x.", ex)
    exact = 3 * x**2
    if not is_close(grad, exact, rtol=1e-6):
        _diagnose_difference(what, grad, x, exact)
    passed("numerical_gradient", "central differences for every entry of x", 1)


def _diagnose_difference(what, grad, x, exact):
    ex = "numerical_gradient"
    if is_close(grad, 2 * exact, rtol=1e-4):
        fail("numerical_gradient.divided_by_h",
             tr("{what} is twice the true gradient. How far apart are the two points where "
                "f is evaluated?",
                what=what), ex)
    for h in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
        for sign, name in ((1, "forward"), (-1, "backward")):
            if is_close(grad, _one_sided(_cube_sum, x, h, sign), rtol=1e-7, atol=1e-9):
                fail("numerical_gradient.one_sided",
                     tr("{what} is a {name} difference (with h = {h:g}): its error shrinks "
                        "only like h. Which difference uses a point on each side of x, and "
                        "why is its error smaller?",
                        what=what, name=name, h=h), ex)
    expect_close(grad, exact, what, "Is each entry moved by +h and -h, one at a time?",
                 rtol=1e-6, exercise=ex)


def check_numerical_gradient_restores_x(numerical_gradient, seed=0):
    """numerical_gradient perturbs x itself (f may read it through a closure) and restores it
    exactly."""
    ex = "numerical_gradient"
    rng = rng_for(seed)
    x = rng.uniform(1, 2, size=(3, 4))
    before = x.copy()
    what = f"numerical_gradient(f, x) with x {x.shape}"
    expect_value(call(what, numerical_gradient, _cube_sum, x, exercise=ex), what, ex)
    if not np.array_equal(x, before):
        drift = float(np.max(np.abs(x - before)))
        if drift < 1e-9:
            fail("numerical_gradient.x_drifts",
                 tr("{what} left x off by {drift:.1g}: putting an entry back by adding or "
                    "subtracting h again rounds, so x drifts. How can the exact original "
                    "value be put back?",
                    what=what, drift=drift), ex)
        fail("numerical_gradient.x_not_restored",
             tr("{what} did not restore x: entries changed by up to {drift:.3g}, so every "
                "later entry, and the caller's weights, are wrong. What must happen to x[i] "
                "after f has been evaluated on both sides?",
                what=what, drift=drift), ex)
    # Like `lambda W: net.loss(x, t)`: f ignores its argument and reads x through a closure,
    # so only an in-place perturbation of x changes what f returns.
    y = rng.uniform(1, 2, size=(2, 3))
    what = f"numerical_gradient(lambda _: sum(y**3), y) with y {y.shape}"
    grad = expect_value(call(what, numerical_gradient, lambda _: _cube_sum(y), y, exercise=ex),
                        what, ex)
    if np.allclose(np.asarray(grad, dtype=np.float64), 0):
        fail("numerical_gradient.perturbs_a_copy",
             tr("{what} returned all zeros: this f reads y directly (as `lambda W: "
                "net.loss(x, t)` reads the network's weights), so it never saw the entries "
                "you moved. Which array did your code perturb: x itself, or a copy?",
                what=what), ex)
    # Accuracy is check_numerical_gradient's business; here only "does f see the change".
    expect_close(grad, 3 * y**2, what, "Does f see each perturbed entry?", rtol=1e-3,
                 exercise=ex)
    passed("numerical_gradient", "x perturbed in place and restored exactly", 2)


def check_rel_error(rel_error, seed=0):
    """rel_error(a, b): the largest entry's relative error, one float; 0 for two zero arrays."""
    ex = "rel_error"
    rng = rng_for(seed)
    a = rng.standard_normal((3, 4))
    b = a + 1e-3 * rng.standard_normal(a.shape)
    expected = gradcheck.rel_error(a, b)
    what = f"rel_error(a, b) for a, b {a.shape}"
    got = call(what, rel_error, a, b, exercise=ex)
    expect_number(got, what, "A check needs one number that says whether the WORST entry "
                  "agrees.", ex)
    # (A right answer can coincide with this wrong one when one entry holds both maxima.)
    wrong = np.max(np.abs(a - b)) / np.max(np.abs(a) + np.abs(b))
    if not is_close(got, expected) and is_close(got, wrong):
        fail("rel_error.max_before_dividing",
             tr("{what} divided the largest difference by the largest size. A tiny gradient "
                "entry that is 100 % wrong must show: is each entry divided by its own "
                "size, before the max?",
                what=what), ex)
    smaller = np.array([1.0, 2.0, 3.0])
    below = call("rel_error(a, b) with every a < b", rel_error, smaller, smaller + 0.5,
                 exercise=ex)
    if below is not None and np.ndim(below) == 0 and float(below) < 0:
        fail("rel_error.no_absolute_value",
             tr("rel_error(a, b) with every a < b is {float_below:.3g}, negative. Can an "
                "error be negative?",
                float_below=float(below)), ex)
    swapped = call(f"rel_error(b, a) for a, b {a.shape}", rel_error, b, a, exercise=ex)
    if not is_close(got, swapped):
        fail("rel_error.not_symmetric",
             tr("{what} is {float_got:.3g} but rel_error(b, a) is {float_swapped:.3g}. "
                "Should the answer depend on which array comes first: what does the "
                "denominator measure?",
                what=what, float_got=float(got), float_swapped=float(swapped)), ex)
    expect_close(got, expected, what, exercise=ex)
    zeros = np.zeros((2, 3))
    what_zero = "rel_error(a, b) for two all-zero arrays"
    try:
        zero = call(what_zero, rel_error, zeros, zeros.copy(), exercise=ex)
    except CheckFailure as failure:
        if failure.mistake_id != "common.floating_point":
            raise
        zero = np.nan
    if not np.isfinite(zero) or zero != 0:
        fail("rel_error.zero_over_zero",
             tr("{what_zero} is {zero}, not 0: 0 / 0 is nan. Two entries that are both 0 "
                "agree perfectly: how can the denominator be kept away from 0?",
                what_zero=what_zero, zero=zero), ex)
    passed("rel_error", "the largest relative error, symmetric, 0 for zeros", 4)


class _AffineDbMean(Affine):
    """A broken Affine for the checks: db is the batch MEAN of dout instead of its sum."""

    def backward(self, dout, input_grad=True):
        dx = super().backward(dout, input_grad)
        self.db = self.db / self.x.shape[0]
        return dx


def _layer_cases(rng):
    """(name, layer, x, dout) for bpkit's correct Affine, Relu and Sigmoid."""
    n, d, m = 3, 4, 2
    x = away_from_zero(rng, (n, d))
    return [
        ("Affine", Affine(rng.standard_normal((d, m)), rng.standard_normal(m)), x,
         away_from_zero(rng, (n, m))),
        ("Relu", Relu(), x, away_from_zero(rng, (n, d))),
        ("Sigmoid", Sigmoid(), x, away_from_zero(rng, (n, d))),
    ]


def _expect_error_dict(errors, keys, what, exercise):
    expect_value(errors, what, exercise)
    if not isinstance(errors, dict):
        fail("common.wrong_type", tr("{what} returned {type_errors___name}; it should "
                                     "return a dict {{name: relative error}} with keys "
                                     "{sorted_keys}.",
                                     what=what, type_errors___name=type(errors).__name__,
                                     sorted_keys=sorted(keys)), exercise)
    if set(errors) != set(keys):
        fail("common.wrong_keys", tr("{what} returned keys {sorted_errors}; expected "
                                     "{sorted_keys}.",
                                     what=what, sorted_errors=sorted(errors),
                                     sorted_keys=sorted(keys)), exercise)
    for key, value in errors.items():
        expect_number(value, f"{what}[{key!r}]", "One relative error per gradient.", exercise)


def check_layer_gradient_errors(layer_gradient_errors, seed=0):
    """layer_gradient_errors(layer, x, dout) gives small errors for bpkit's correct layers and
    a large error, on the right gradient, for an Affine whose db is wrong."""
    ex = "layer_gradient_errors"
    rng = rng_for(seed)
    cases = _layer_cases(rng)
    for name, layer, x, dout in cases:
        keys = {"x", "W", "b"} if name == "Affine" else {"x"}
        what = f"layer_gradient_errors({name}, x {x.shape}, dout {dout.shape})"
        errors = call(what, layer_gradient_errors, layer, x.copy(), dout.copy(), exercise=ex)
        _expect_error_dict(errors, keys, what, ex)
        for key, error in errors.items():
            if error < GOOD:
                continue
            ones = call(what, layer_gradient_errors, layer, x.copy(), np.ones_like(dout),
                        exercise=ex)
            if all(e < GOOD for e in ones.values()):
                fail("layer_gradient_errors.ignores_dout",
                     tr("{what}[{key!r}] is {error:.2g} for bpkit's CORRECT {name}, but "
                        "fine when dout is all ones: the function you differentiate ignores "
                        "dout. Which scalar's gradient does backward(dout) compute?",
                        what=what, key=key, error=error, name=name), ex)
            fail("layer_gradient_errors.correct_layer_fails",
                 tr("{what}[{key!r}] is {error:.2g} for bpkit's CORRECT {name} (expected "
                    "below {GOOD:g}). Were forward and backward run before reading the "
                    "gradients, and is the same scalar differentiated numerically?",
                    what=what, key=key, error=error, name=name, GOOD=GOOD), ex)
    n, d, m = 4, 3, 2
    broken = _AffineDbMean(rng.standard_normal((d, m)), rng.standard_normal(m))
    x, dout = rng.standard_normal((n, d)), rng.standard_normal((n, m))
    what = tr("layer_gradient_errors on an Affine whose db is divided by N "
              "({shapes_x_x_dout_dout})",
              shapes_x_x_dout_dout=shapes(x=x, dout=dout))
    errors = call(what, layer_gradient_errors, broken, x, dout, exercise=ex)
    _expect_error_dict(errors, {"x", "W", "b"}, what, ex)
    if not errors["b"] > BAD:
        fail("layer_gradient_errors.missed_bug",
             tr("{what} reported error {errors_b:.2g} for b: your check missed a real bug. "
                "Is layer.db (read after backward) compared with the numerical gradient "
                "with respect to layer.b?",
                what=what, errors_b=errors['b']), ex)
    if not (errors["x"] < NETWORK_GOOD and errors["W"] < NETWORK_GOOD):  # see NETWORK_GOOD
        fail("layer_gradient_errors.blames_the_wrong_gradient",
             tr("{what} blamed x or W (errors {errors_x:.2g}, {errors_W:.2g}), which are "
                "right: only b is broken. Is each gradient read from a fresh forward and "
                "backward?",
                what=what, errors_x=errors['x'], errors_W=errors['W']), ex)
    passed("layer_gradient_errors", "small for correct layers, large for a broken db",
           len(cases) + 1)


def _net_and_data(rng):
    """A small TwoLayerNet and a batch on which no hidden ReLU input is near its kink (a
    numerical gradient there is wrong, not the network)."""
    while True:
        net = TwoLayerNet(4, 5, 3, weight_init_std=0.3, seed=int(rng.integers(2**31)))
        x = rng.standard_normal((6, 4))
        if np.min(np.abs(x @ net.params["W1"] + net.params["b1"])) > 1e-3:
            return net, x, rng.integers(0, 3, size=6)


def check_network_gradient_errors(network_gradient_errors, seed=0):
    """network_gradient_errors(net, x, t) gives one small error per parameter of a correct
    TwoLayerNet, a large one for b2 when its second Affine is broken, and leaves the weights
    as they were."""
    ex = "network_gradient_errors"
    rng = rng_for(seed)
    net, x, t = _net_and_data(rng)
    before = {k: v.copy() for k, v in net.params.items()}
    what = f"network_gradient_errors(TwoLayerNet(4, 5, 3), x {x.shape}, t {t.shape})"
    errors = call(what, network_gradient_errors, net, x, t, exercise=ex)
    _expect_error_dict(errors, set(net.params), what, ex)
    for key in net.params:
        if not np.array_equal(net.params[key], before[key]):
            fail("network_gradient_errors.weights_changed",
                 tr("{what} changed the network's {key}. What must a numerical gradient do "
                    "with every weight it perturbs?",
                    what=what, key=key), ex)
    for key, error in errors.items():
        if not error < NETWORK_GOOD:
            fail("network_gradient_errors.correct_network_fails",
                 tr("{what}[{key!r}] is {error:.2g} for bpkit's CORRECT network (expected "
                    "below {NETWORK_GOOD:g}). Which scalar is differentiated numerically, "
                    "and does it change when net.params[{key!r}] is perturbed in place?",
                    what=what, key=key, error=error, NETWORK_GOOD=NETWORK_GOOD), ex)
    net.layers["Affine2"] = _AffineDbMean(net.params["W2"], net.params["b2"])
    what = "network_gradient_errors on a TwoLayerNet whose Affine2 divides db by N"
    errors = call(what, network_gradient_errors, net, x, t, exercise=ex)
    _expect_error_dict(errors, set(net.params), what, ex)
    if not errors["b2"] > BAD:
        fail("network_gradient_errors.missed_bug",
             tr("{what} reported error {errors_b2:.2g} for b2: the check missed the bug. "
                "Does the function you differentiate use the network's own loss?",
                what=what, errors_b2=errors['b2']), ex)
    passed("network_gradient_errors", "small for a correct network, large for a broken b2", 2)


def check_layer_numerically(Layer, seed=0, tol=1e-5, name=None):
    """Every gradient of ``Layer(W, b)`` (x, W, b) agrees with central differences."""
    rng = rng_for(seed)
    name = name or getattr(Layer, "__name__", "the layer")
    n, d, m = 4, 3, 5
    W, b = rng.standard_normal((d, m)) * 0.5, rng.standard_normal(m) * 0.5
    x = rng.standard_normal((n, d))
    layer = call(f"{name}(W, b) with {shapes(W=W, b=b)}", Layer, W, b,
                 exercise="fixed_tanh_affine")
    expect_numerical_gradients(layer, x, what=f"{name}.backward", tol=tol,
                               seed=int(rng.integers(2**31)), exercise="fixed_tanh_affine")
    passed(f"{name}.backward", "every gradient agrees with the numerical gradient", 3)
