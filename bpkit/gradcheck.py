"""Numerical gradients and the checks that compare them with backprop.

One step size, one rounding unit and one way to perturb x, for the whole course (lessons 02
and 07 use these names, so the two cannot disagree):

``EPS`` = 2.2e-16, float64's machine epsilon (``np.finfo(np.float64).eps``): the gap between 1
and the next float. Every rounded result is off by at most EPS / 2 relative to its size, so a
difference of two nearly equal numbers f(x + h) - f(x - h) carries a round-off of about
EPS * |f|.

``H`` = 1e-5, the step of the central difference. Its error has two parts: truncation, about
h**2 / 6 * |f'''| (the Taylor terms the central difference does not cancel), and round-off,
about EPS * |f| / h. For functions whose values and derivatives are of order 1 the sum is
smallest near h = EPS ** (1/3), about 6e-6; 1e-5 is the round number next to that minimum
(relative error about 2e-11 for exp at 1). The book's 1e-4 is also fine (about 2e-9); below
1e-6 round-off takes over. H must also be smaller than the distance of every ReLU input from
0, or the difference straddles the kink (lesson 07 shows the false alarm).

``REL_ERROR_FLOOR`` = 1e-8: ``rel_error`` divides by ``max(REL_ERROR_FLOOR, |a| + |b|)``, so two
entries that are both 0 count as agreeing (0), not as 0 / 0.

``RIGHT_BELOW`` = 1e-7 and ``BUG_ABOVE`` = 1e-2: how to read a relative error in float64 with
step H. A correct gradient gives about 1e-7 or less (typically 1e-8 to 1e-11); 1e-2 or more is a
bug; in between, look closer (a kink, a tiny entry, float32).

``PERTURBATION_RULE``: perturb x **in place**, one entry at a time, and restore it **exactly**.
In place, because f often ignores its argument and reads the array through a closure
(``lambda W: net.loss(x, t)`` reads the weights the network holds), so a copy that f never sees
would give a gradient of 0. Exactly, by keeping the original value and writing it back
(``x[i] - h + h`` is not always ``x[i]`` in floating point), and also when f raises: the
caller's weights must not be left perturbed.

Every checker *returns* its figures (relative errors) rather than printing them, so a test or a
lesson can decide what is good enough.
"""

import inspect

import numpy as np

from .i18n import tr

EPS = float(np.finfo(np.float64).eps)
H = 1e-5
REL_ERROR_FLOOR = 1e-8
RIGHT_BELOW = 1e-7
BUG_ABOVE = 1e-2
PERTURBATION_RULE = "in place, one entry at a time, restored exactly"


def numerical_gradient(f, x, h=H):
    """Central-difference gradient of a scalar function: ``(f(x+h) - f(x-h)) / 2h`` per entry.

    f: takes no argument (it reads x, which is perturbed in place) or x itself; returns a scalar.
    x: float array of any shape. Returns an array of x's shape. Each entry of x is restored to
    its exact original value after it is perturbed.
    """
    return numerical_gradient_array(f, x, 1.0, h)


def numerical_gradient_array(f, x, dout, h=H):
    """Gradient of ``sum(f(x) * dout)`` by central differences: the vector-Jacobian product.

    f: returns an array (the shape of dout); x: any shape; dout: the upstream gradient.
    Returns an array of x's shape; x is restored exactly.
    """
    dtype = np.asarray(x).dtype
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(tr("x must be a float array to perturb in place, got dtype {dtype}",
                           dtype=dtype))
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        original = x[i].copy()
        try:
            x[i] = original + h
            plus = np.array(_call(f, x), dtype=np.float64, copy=True)
            x[i] = original - h
            minus = np.array(_call(f, x), dtype=np.float64, copy=True)
        finally:
            # Restore exactly (original was copied, not recomputed as x - h + h), and even
            # when f raises: the caller's weights must not be left perturbed.
            x[i] = original
        grad[i] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def _call(f, x):
    """Call f with x if it takes an argument, else with none (the book's ``lambda W: ...``).

    Decided from f's signature, not by catching TypeError: a TypeError raised inside f is the
    caller's bug and must reach them unchanged.
    """
    return f(x) if _takes_an_argument(f) else f()


def _takes_an_argument(f):
    code = getattr(f, "__code__", None)
    if inspect.isfunction(f) and not hasattr(f, "__wrapped__") and code is not None:
        # A plain function or lambda: its code says it at once. inspect.signature costs 10 us,
        # and f is called once per entry perturbed (a weight matrix: thousands of times).
        return code.co_argcount > 0 or bool(code.co_flags & inspect.CO_VARARGS)
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature; they take x
        return True
    return any(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in parameters
    )


def rel_error(a, b):
    """Largest elementwise relative error ``|a - b| / max(REL_ERROR_FLOOR, |a| + |b|)``.

    Returns a float: 0 for equal arrays, at most 1.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(tr("cannot compare shapes {a_shape} and {b_shape}",
                            a_shape=a.shape, b_shape=b.shape))
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(REL_ERROR_FLOOR, np.abs(a) + np.abs(b))))


def check_layer(layer, *inputs, dout=None, seed=0, h=H):
    """Relative error of every gradient a layer's backward returns or stores.

    layer: an object with ``forward(*inputs)`` and ``backward(dout)``, and optionally parameters
    ``W``/``b`` with gradients ``dW``/``db``. inputs: float arrays (copied; yours are untouched).
    dout: the upstream gradient (random by default); for a loss layer (scalar output) it is 1.
    Returns a dict ``{"x": err, "y": err, ..., "W": err, "b": err}``; input names follow the
    order x, y, z.
    """
    analytic, numeric = layer_gradients(layer, *inputs, dout=dout, seed=seed, h=h)
    return {name: rel_error(analytic[name], numeric[name]) for name in analytic}


def layer_gradients(layer, *inputs, dout=None, seed=0, h=H):
    """Every gradient of a layer by backprop and by central differences.

    Arguments as for ``check_layer``. Returns two dicts ``{name: float64 array}`` with the same
    keys (x, y, z for the inputs, W and b for parameters): ``(backprop, numerical)``.
    """
    rng = np.random.default_rng(seed)
    inputs = [np.array(v, dtype=np.float64, copy=True) for v in inputs]
    out = layer.forward(*inputs)
    is_loss = np.ndim(out) == 0
    if dout is None:
        dout = 1.0 if is_loss else rng.standard_normal(np.shape(out))
    analytic = layer.backward(dout)
    if not isinstance(analytic, tuple):
        analytic = (analytic,)
    # Copies: the forward calls below must not change them if backward returned an array
    # the layer keeps and overwrites.
    analytic = tuple(np.array(g, dtype=np.float64, copy=True) for g in analytic)
    # Loss layers take a target as their second input; it has no gradient to check.
    names = ["x", "y", "z"][: len(analytic)]
    backprop, numerical = {}, {}
    # strict=False: a loss layer has one input (its target) more than it has gradients.
    for name, x, grad in zip(names, inputs, analytic, strict=False):
        backprop[name] = grad
        numerical[name] = numerical_gradient_array(lambda: layer.forward(*inputs), x, dout, h)
    for param, grad_name in (("W", "dW"), ("b", "db")):
        if hasattr(layer, param) and hasattr(layer, grad_name):
            layer.forward(*inputs)
            layer.backward(dout)
            backprop[param] = np.array(getattr(layer, grad_name), dtype=np.float64, copy=True)
            numerical[param] = numerical_gradient_array(
                lambda: layer.forward(*inputs), getattr(layer, param), dout, h
            )
    return backprop, numerical


def check_network(network, x, t):
    """Relative error between a network's backprop and numerical gradients, per parameter.

    network: has ``gradient(x, t)`` and ``numerical_gradient(x, t)`` returning dicts of arrays.
    Returns ``{name: rel_error}``.
    """
    backprop = network.gradient(x, t)
    numeric = network.numerical_gradient(x, t)
    return {name: rel_error(backprop[name], numeric[name]) for name in backprop}
