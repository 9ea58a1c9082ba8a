"""Checks for lesson 07: numerical gradients, relative error, and gradient checks of layers and
of a whole network.

The usual mistakes they name: a numerical gradient that forgets to put x back (or puts back
x + h - h, which is not exactly x), that perturbs a copy that f never sees, that uses a forward
difference or divides by h instead of 2h; a relative error without its guard against 0 / 0; a
gradient check that ignores dout or cannot tell a broken layer from a correct one.
"""

import numpy as np

from .. import gradcheck
from ..layers import Affine, Relu, Sigmoid
from ..network import TwoLayerNet
from ._calls import call_student, shapes
from ._common import expect_close, expect_scalar, expect_shape, is_close, rng_for

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
    rng = rng_for(seed)
    x = rng.uniform(1, 2, size=tuple(int(v) for v in rng.integers(2, 5, size=2)))
    what = f"numerical_gradient(f, x) for f(x) = sum(x**3) and x {x.shape}"
    grad = call_student(
        what, numerical_gradient, _cube_sum, x.copy(),
        hint="Visit every index of x, whatever its shape: for i in np.ndindex(x.shape), or "
        "np.nditer(x, flags=['multi_index']).",
    )
    if grad is None:
        raise AssertionError(f"{what} returned None: `return grad`.")
    expect_shape(grad, x.shape, what, "The gradient has x's shape: grad = np.zeros_like(x).")
    exact = 3 * x**2
    if is_close(grad, exact, rtol=1e-6):
        return
    if is_close(grad, 2 * exact, rtol=1e-4):
        raise AssertionError(
            f"{what} is twice the true gradient: the central difference spans 2h, from x - h "
            "to x + h, so divide by 2 * h."
        )
    for h in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
        for sign, name, formula in ((1, "forward", "(f(x + h) - f(x)) / h"),
                                    (-1, "backward", "(f(x) - f(x - h)) / h")):
            if is_close(grad, _one_sided(_cube_sum, x, h, sign), rtol=1e-7, atol=1e-9):
                raise AssertionError(
                    f"{what} is a {name} difference {formula} (with h = {h:g}): its error "
                    "shrinks only like h. Use the central difference "
                    "(f(x + h) - f(x - h)) / (2 * h), whose error shrinks like h**2."
                )
    expect_close(grad, exact, what, rtol=1e-6,
                 hint="For each index i: (f(x) with x[i] + h  -  f(x) with x[i] - h) / (2 * h).")


def check_numerical_gradient_restores_x(numerical_gradient, seed=0):
    """numerical_gradient perturbs x itself (f may read it through a closure) and restores it
    exactly."""
    rng = rng_for(seed)
    x = rng.uniform(1, 2, size=(3, 4))
    before = x.copy()
    what = f"numerical_gradient(f, x) with x {x.shape}"
    call_student(what, numerical_gradient, _cube_sum, x)
    if not np.array_equal(x, before):
        drift = float(np.max(np.abs(x - before)))
        if drift < 1e-9:
            raise AssertionError(
                f"{what} left x off by {drift:.1g}: putting x[i] back as x[i] - h (or + h) "
                "rounds, so x drifts. Keep the original, tmp = x[i], and write it back: "
                "x[i] = tmp."
            )
        raise AssertionError(
            f"{what} did not restore x: entries changed by up to {drift:.3g}. After "
            "evaluating f at x[i] + h and x[i] - h, put the original value back (x[i] = tmp); "
            "otherwise every later entry, and the caller's weights, are wrong."
        )
    # Like `lambda W: net.loss(x, t)`: f ignores its argument and reads x through a closure,
    # so only an in-place perturbation of x changes what f returns.
    y = rng.uniform(1, 2, size=(2, 3))
    grad = call_student(f"numerical_gradient(lambda _: sum(y**3), y) with y {y.shape}",
                        numerical_gradient, lambda _: _cube_sum(y), y)
    if np.allclose(np.asarray(grad, dtype=np.float64), 0):
        raise AssertionError(
            "numerical_gradient returned all zeros for f = lambda W: sum(y**3), which reads y "
            "directly (as `lambda W: net.loss(x, t)` reads the network's weights): perturb x "
            "itself, in place (x[i] = tmp + h), not a copy of it."
        )
    # Accuracy is check_numerical_gradient's business; here only "does f see the change".
    expect_close(grad, 3 * y**2, "numerical_gradient for an f that reads x through a closure",
                 rtol=1e-3, hint="Perturb x in place: x[i] = tmp + h, f(x), x[i] = tmp - h, ...")


def check_rel_error(rel_error, seed=0):
    """rel_error(a, b) = max |a - b| / max(1e-8, |a| + |b|): one float, 0 for two zero arrays."""
    rng = rng_for(seed)
    a = rng.standard_normal((3, 4))
    b = a + 1e-3 * rng.standard_normal(a.shape)
    expected = gradcheck.rel_error(a, b)
    what = f"rel_error(a, b) for a, b {a.shape}"
    got = call_student(what, rel_error, a, b)
    expect_scalar(
        got, what, "`return` the largest relative error.",
        "return the LARGEST relative error, np.max(...), one number that says whether the worst "
        "entry agrees.",
    )
    if is_close(got, np.max(np.abs(a - b)) / np.max(np.abs(a) + np.abs(b))):
        raise AssertionError(
            f"{what} divided the largest difference by the largest size; divide entry by "
            "entry, then take the max: np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + "
            "np.abs(b))). A tiny gradient entry that is 100 % wrong must show."
        )
    smaller = np.array([1.0, 2.0, 3.0])
    below = call_student("rel_error(a, b) with every a < b", rel_error, smaller, smaller + 0.5)
    if below is not None and float(below) < 0:
        raise AssertionError(
            f"rel_error(a, b) with every a < b is {float(below):.3g}, negative: you forgot the "
            "absolute value of a - b; use np.abs(a - b)."
        )
    swapped = call_student(f"rel_error(b, a) for a, b {a.shape}", rel_error, b, a)
    if not is_close(got, swapped):
        raise AssertionError(
            f"{what} is {float(got):.3g} but rel_error(b, a) is {float(swapped):.3g}; the "
            "relative error must not depend on the order: divide by np.abs(a) + np.abs(b), "
            "not by one of them."
        )
    expect_close(got, expected, what,
                 hint="np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))).")
    zeros = np.zeros((2, 3))
    what_zero = "rel_error(a, b) for two all-zero arrays"
    try:
        with np.errstate(all="ignore"):  # 0 / 0 is the mistake named below, not a warning
            got = rel_error(zeros, zeros.copy())
    except Exception as error:  # noqa: BLE001 -- any failure of student code is reported
        raise AssertionError(f"{what_zero} raised {type(error).__name__}: {error}.") from error
    if not np.isfinite(got) or got != 0:
        raise AssertionError(
            f"{what_zero} is {got}, not 0: 0 / 0 is nan. Guard the denominator, "
            "np.maximum(1e-8, np.abs(a) + np.abs(b)); a gradient entry that is 0 in both is right."
        )


class _AffineDbMean(Affine):
    """A broken Affine for the checks: db is the batch MEAN of dout instead of its sum."""

    def backward(self, dout, input_grad=True):
        dx = super().backward(dout, input_grad)
        self.db = self.db / self.x.shape[0]
        return dx


def _away_from_zero(rng, shape):
    """Normal numbers pushed at least 0.1 away from 0: no ReLU input sits on the kink, and no
    gradient entry is so tiny that round-off dominates its relative error."""
    z = rng.standard_normal(shape)
    return np.sign(z) * (0.1 + np.abs(z))


def _layer_cases(rng):
    """(name, layer, x, dout) for bpkit's correct Affine, Relu and Sigmoid."""
    n, d, m = 3, 4, 2
    x = _away_from_zero(rng, (n, d))
    return [
        ("Affine", Affine(rng.standard_normal((d, m)), rng.standard_normal(m)), x,
         _away_from_zero(rng, (n, m))),
        ("Relu", Relu(), x, _away_from_zero(rng, (n, d))),
        ("Sigmoid", Sigmoid(), x, _away_from_zero(rng, (n, d))),
    ]


def _expect_error_dict(errors, keys, what):
    if not isinstance(errors, dict):
        raise AssertionError(f"{what} returned {type(errors).__name__}; return a dict "
                             f"{{name: relative error}} with keys {sorted(keys)}.")
    if set(errors) != set(keys):
        raise AssertionError(f"{what} returned keys {sorted(errors)}; expected {sorted(keys)}.")
    for key, value in errors.items():
        if np.ndim(value) != 0:
            raise AssertionError(
                f"{what}[{key!r}] has shape {np.shape(value)}: give one number, the rel_error "
                "of the backprop gradient and the numerical one."
            )


def check_layer_gradient_errors(layer_gradient_errors, seed=0):
    """layer_gradient_errors(layer, x, dout) gives small errors for bpkit's correct layers and
    a large error, on the right gradient, for an Affine whose db is wrong."""
    rng = rng_for(seed)
    for name, layer, x, dout in _layer_cases(rng):
        keys = {"x", "W", "b"} if name == "Affine" else {"x"}
        what = f"layer_gradient_errors({name}, x {x.shape}, dout {dout.shape})"
        errors = call_student(what, layer_gradient_errors, layer, x.copy(), dout.copy())
        _expect_error_dict(errors, keys, what)
        for key, error in errors.items():
            if error < GOOD:
                continue
            ones = call_student(what, layer_gradient_errors, layer, x.copy(), np.ones_like(dout))
            if all(e < GOOD for e in ones.values()):
                raise AssertionError(
                    f"{what}[{key!r}] is {error:.2g} for bpkit's CORRECT {name}, but fine when "
                    "dout is all ones: the function you differentiate ignores dout. Use "
                    "f = np.sum(layer.forward(x) * dout): its gradient is exactly what "
                    "backward(dout) computes."
                )
            raise AssertionError(
                f"{what}[{key!r}] is {error:.2g} for bpkit's CORRECT {name} (expected below "
                f"{GOOD:g}): call layer.forward(x) then layer.backward(dout) before reading "
                "dx, layer.dW and layer.db, and differentiate f = np.sum(layer.forward(x) * "
                "dout) with respect to x, layer.W and layer.b."
            )
    n, d, m = 4, 3, 2
    broken = _AffineDbMean(rng.standard_normal((d, m)), rng.standard_normal(m))
    x, dout = rng.standard_normal((n, d)), rng.standard_normal((n, m))
    what = f"layer_gradient_errors on an Affine whose db is divided by N ({shapes(x=x, dout=dout)})"
    errors = call_student(what, layer_gradient_errors, broken, x, dout)
    _expect_error_dict(errors, {"x", "W", "b"}, what)
    if not errors["b"] > BAD:
        raise AssertionError(
            f"{what} reported error {errors['b']:.2g} for b: your check missed a real bug. "
            "Compare layer.db (read after backward) with the numerical gradient of "
            "f = np.sum(layer.forward(x) * dout) with respect to layer.b."
        )
    if not (errors["x"] < GOOD and errors["W"] < GOOD):
        raise AssertionError(
            f"{what} blamed x or W (errors {errors['x']:.2g}, {errors['W']:.2g}), which are "
            "right: only b is broken. Run forward and backward again before reading each "
            "gradient."
        )


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
    rng = rng_for(seed)
    net, x, t = _net_and_data(rng)
    before = {k: v.copy() for k, v in net.params.items()}
    what = f"network_gradient_errors(TwoLayerNet(4, 5, 3), x {x.shape}, t {t.shape})"
    errors = call_student(what, network_gradient_errors, net, x, t)
    _expect_error_dict(errors, set(net.params), what)
    for key in net.params:
        if not np.array_equal(net.params[key], before[key]):
            raise AssertionError(
                f"{what} changed the network's {key}: your numerical gradient must restore "
                "every weight it perturbs."
            )
    for key, error in errors.items():
        if not error < GOOD:
            raise AssertionError(
                f"{what}[{key!r}] is {error:.2g} for bpkit's CORRECT network (expected below "
                f"{GOOD:g}): compare net.gradient(x, t)[{key!r}] with numerical_gradient("
                f"lambda _: net.loss(x, t), net.params[{key!r}])."
            )
    net.layers["Affine2"] = _AffineDbMean(net.params["W2"], net.params["b2"])
    what = "network_gradient_errors on a TwoLayerNet whose Affine2 divides db by N"
    errors = call_student(what, network_gradient_errors, net, x, t)
    _expect_error_dict(errors, set(net.params), what)
    if not errors["b2"] > BAD:
        raise AssertionError(
            f"{what} reported error {errors['b2']:.2g} for b2: the check missed the bug. Use "
            "the network's own loss in the function you differentiate."
        )


def check_layer_numerically(Layer, seed=0, tol=1e-5, name=None):
    """Every gradient of ``Layer(W, b)`` (x, W, b) agrees with central differences."""
    rng = rng_for(seed)
    name = name or getattr(Layer, "__name__", "the layer")
    n, d, m = 4, 3, 5
    W, b = rng.standard_normal((d, m)) * 0.5, rng.standard_normal(m) * 0.5
    x = rng.standard_normal((n, d))
    layer = call_student(f"{name}(W, b) with {shapes(W=W, b=b)}", Layer, W, b)
    errors = call_student(f"the gradient check of {name}", gradcheck.check_layer, layer, x,
                          seed=int(rng.integers(2**31)))
    wrong = {k: e for k, e in errors.items() if not e < tol}
    if wrong:
        listed = ", ".join(f"{k}: {e:.2g}" for k, e in wrong.items())
        raise AssertionError(
            f"{name}.backward still disagrees with the numerical gradient ({listed}; a correct "
            f"layer gives below {tol:g}). Compare the wrong gradient's formula with the chain "
            "rule through every node of forward."
        )
