"""Checks for lesson 02: backward passes by hand, the chain rule (연쇄법칙) on z = (x + y)^2, and
numerical differentiation (수치 미분).

The student's functions return dicts naming every gradient, so a check can say which node went
wrong; numerical methods are judged also by how many times they call f.
"""

import numpy as np

from ._shop import notes_shop, random_shop
from ._student import (
    call,
    diagnose,
    expect_close,
    expect_keys,
    expect_shape,
    expect_unchanged,
    expect_value,
    fail,
    is_close,
    passed,
    rng_for,
)

__all__ = [
    "check_apple_backward", "check_square_of_sum", "check_numerical_derivative",
    "check_numerical_gradient_1d", "check_count_evaluations",
]


def check_apple_backward(apple_backward, seed=0):
    """apple_backward(apple_price, apple_count, tax, dout=1.0) -> the gradients of the total,
    {"apples", "apple_price", "apple_count", "tax"}: 1.1, 2.2, 110, 200 for the notes' apples."""
    ex = "apple_backward"
    rng = rng_for(seed)
    keys = ["apples", "apple_price", "apple_count", "tax"]
    notes = notes_shop()
    cases = [(notes["apple_price"], notes["apple_count"], notes["tax"], 1.0)]
    for _ in range(3):
        shop = random_shop(rng)
        cases.append((shop["apple_price"], shop["apple_count"], shop["tax"], 1.0))
    cases.append((cases[-1][0], cases[-1][1], cases[-1][2], float(rng.uniform(2, 5))))
    for price, count, tax, dout in cases:
        what = f"apple_backward({price:g}, {count:g}, {tax:g}, dout={dout:g})"
        out = expect_keys(call(what, apple_backward, price, count, tax, dout=dout, exercise=ex),
                          keys, what, ex)
        d_apples = dout * tax
        if dout != 1.0 and is_close(out["apple_price"], tax * count):
            fail("apple_backward.ignores_dout",
                 f"{what}: the gradients ignore dout = {dout:g}. Every gradient starts from the "
                 f"one flowing in: where does dout enter?", ex)
        diagnose(out["apples"], d_apples, [
            (dout * price * count, "apple_backward.own_value",
             "the tax node sent 'apples' its own value. In a multiply node, which input's "
             "value does each input's gradient carry?"),
        ], what, ex)
        expect_close(out["apples"], d_apples, f"{what}['apples']", exercise=ex)
        if is_close(out["apple_price"], d_apples * price) and is_close(out["apple_count"],
                                                                       d_apples * count):
            fail("apple_backward.swapped_gradients",
                 f"{what}: the apple node's gradients are swapped. If the price moves a little, "
                 f"by how much does price x count move?", ex)
        upstream = (f"it leaves out the gradient flowing in from the tax node ({d_apples:g}). "
                    f"Chain rule: what multiplies the local derivative?")
        diagnose(out["apple_price"], d_apples * count, [
            (dout * count, "apple_backward.missing_upstream", f"'apple_price': {upstream}"),
        ], what, ex)
        expect_close(out["apple_price"], d_apples * count, f"{what}['apple_price']", exercise=ex)
        diagnose(out["apple_count"], d_apples * price, [
            (dout * price, "apple_backward.missing_upstream", f"'apple_count': {upstream}"),
        ], what, ex)
        expect_close(out["apple_count"], d_apples * price, f"{what}['apple_count']", exercise=ex)
        other = "What is the tax node's OTHER input?"
        diagnose(out["tax"], dout * price * count, [
            (dout * tax, "apple_backward.own_value", f"'tax' got its own value. {other}"),
            (dout * price, "apple_backward.wrong_other_input",
             f"'tax' got dout x price, but the price does not enter the tax node. {other}"),
        ], what, ex)
        expect_close(out["tax"], dout * price * count, f"{what}['tax']", exercise=ex)
    passed("apple_backward", "every gradient of the apple graph, with and without dout",
           len(cases))


def check_square_of_sum(square_of_sum, seed=0):
    """square_of_sum(x, y) -> {"t", "z", "dz_dt", "dz_dx", "dz_dy"} for z = (x + y)^2 through
    t = x + y; works on scalars and, elementwise, on arrays."""
    ex = "square_of_sum"
    rng = rng_for(seed)
    keys = ["t", "z", "dz_dt", "dz_dx", "dz_dy"]
    shape = tuple(rng.integers(2, 5, size=2))
    cases = [(3.0, 1.0), (float(rng.uniform(-3, 3)), float(rng.uniform(-3, 3))),
             (rng.standard_normal(shape), rng.standard_normal(shape))]
    for x, y in cases:
        what = (f"square_of_sum(x, y) for x, y of shape {np.shape(x)}" if np.ndim(x)
                else f"square_of_sum({x:.3g}, {y:.3g})")
        out = expect_keys(call(what, square_of_sum, x, y, exercise=ex), keys, what, ex)
        t = x + y
        expect_close(out["t"], t, f"{what}['t']", exercise=ex)
        diagnose(out["z"], t ** 2, [
            (x ** 2 + y ** 2, "square_of_sum.squares_added",
             "'z' squares x and y separately. What is squared in the graph: the inputs, or t?"),
        ], what, ex)
        expect_close(out["z"], t ** 2, f"{what}['z']", exercise=ex)
        diagnose(out["dz_dt"], 2 * t, [
            (t, "square_of_sum.power_rule", "'dz_dt' is t. What is the derivative of t^2?"),
            (2 * np.ones_like(t), "square_of_sum.power_rule",
             "'dz_dt' is a constant. What is the derivative of t^2: does it depend on t?"),
        ], what, ex)
        expect_close(out["dz_dt"], 2 * t, f"{what}['dz_dt']", exercise=ex)
        for key, own in (("dz_dx", x), ("dz_dy", y)):
            var = key[-1]
            diagnose(out[key], 2 * t, [
                (2 * own, "square_of_sum.other_input_forgotten",
                 f"'{key}' differentiates {var}^2 alone and forgot the other input. The chain "
                 f"rule goes through t: which two local derivatives are multiplied?"),
                (2 * t * own, "square_of_sum.add_node_derivative",
                 f"'{key}' multiplies by {var}. What is the add node's local derivative "
                 f"dt/d{var}?"),
            ], what, ex)
            expect_close(out[key], 2 * t, f"{what}[{key!r}]", exercise=ex)
    passed("square_of_sum", "the values and the chain-rule derivatives, scalars and arrays",
           len(cases))


class _Counted:
    """A function of one argument that counts its calls (numerical methods are judged by it)."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


def check_numerical_derivative(numerical_derivative, seed=0):
    """numerical_derivative(f, x, h=1e-4): the central difference, with two calls of f."""
    ex = "numerical_derivative"
    rng = rng_for(seed)
    a = float(rng.uniform(1.5, 2.5))
    x = float(rng.uniform(-0.5, 0.5))
    exact = a * np.exp(a * x)
    what = f"numerical_derivative(f, {x:.3g}, h=...) for f(x) = exp({a:.3g} x)"
    for h in (1e-3, 1e-1):
        f = _Counted(lambda v: np.exp(a * v))
        out = expect_value(call(f"{what} with h={h:g}", numerical_derivative, f, x, h=h,
                                exercise=ex), what, ex)
        if f.calls != 2:
            fail("numerical_derivative.call_count",
                 f"{what} called f {f.calls} times. How many values of f does a central "
                 f"difference need?", ex)
        fp, f0, fm = np.exp(a * (x + h)), np.exp(a * x), np.exp(a * (x - h))
        central = (fp - fm) / (2 * h)
        wrong = [((fp - f0) / h, "numerical_derivative.one_sided",
                  "a forward difference, from x to x + h. Which difference uses a point on each "
                  "side of x, and why is its error smaller?"),
                 ((f0 - fm) / h, "numerical_derivative.one_sided",
                  "a backward difference, from x - h to x. Which difference uses a point on "
                  "each side of x, and why is its error smaller?"),
                 ((fp - fm) / h, "numerical_derivative.divided_by_h",
                  "twice the derivative. How far apart are x - h and x + h?"),
                 ((fp - fm) * h / 2, "numerical_derivative.precedence",
                  "the difference times h / 2: in Python `a / 2*h` means (a / 2) * h. Where do "
                  "the brackets go?")]
        for value, mistake_id, message in wrong:
            if is_close(out, value, rtol=1e-9, atol=0) and not is_close(out, central, 1e-9, 0):
                fail(mistake_id, f"{what} with h={h:g} computed {message}", ex)
        if h == 1e-3:
            expect_close(out, exact, f"{what} with h=1e-3", rtol=1e-5, exercise=ex)
        elif not is_close(out, central, rtol=1e-7):
            fail("numerical_derivative.ignores_h",
                 f"{what} with h=0.1 gave {out:.6g}, not the central difference with h = 0.1 "
                 f"({central:.6g}). Does your function use the h it is given?", ex)
    passed("numerical_derivative", "the central difference, two calls of f, the h given", 2)


def check_numerical_gradient_1d(numerical_gradient_1d, seed=0):
    """numerical_gradient_1d(f, x, h=1e-4): x (n,) float -> (n,) gradient of the scalar f(x),
    one input at a time with central differences: exactly 2n calls; x is left unchanged."""
    ex = "numerical_gradient_1d"
    rng = rng_for(seed)
    n = int(rng.integers(3, 7))
    weights = rng.uniform(0.5, 2.0, n)
    x = rng.uniform(-1, 1, n)
    original = x.copy()

    def scalar(v):  # curved in each input and coupled between inputs
        return float(np.sum(weights * v ** 3) + np.prod(v))

    f = _Counted(scalar)
    what = f"numerical_gradient_1d(f, x) for x of shape {original.shape}"
    out = call(what, numerical_gradient_1d, f, x, h=1e-4, exercise=ex)
    expect_unchanged(original, x, what, "x", ex)
    expect_value(out, what, ex)
    expect_shape(out, (n,), what, "One partial derivative per input.", ex)
    exact = 3 * weights * original ** 2 + np.prod(original) / original
    directional = (scalar(original + 1e-4) - scalar(original - 1e-4)) / 2e-4
    if np.allclose(out, directional, rtol=1e-6) and not np.allclose(out, exact, rtol=1e-5):
        fail("numerical_gradient_1d.all_at_once",
             f"{what}: every entry is the same ({directional:.4g}): it moved all inputs at "
             f"once. What does a PARTIAL derivative keep fixed?", ex)
    if f.calls != 2 * n:
        fail("numerical_gradient_1d.call_count",
             f"{what} called f {f.calls} times for {n} inputs. How many calls does one central "
             f"difference need, and how many are there to do?", ex)
    expect_close(out, exact, what, rtol=1e-5, atol=1e-6, exercise=ex)
    passed("numerical_gradient_1d", "one input at a time, 2n calls, x untouched", 1)


def check_count_evaluations(count_evaluations, seed=0):
    """count_evaluations(n_inputs) -> {"numerical", "backprop"}: passes through the graph to get
    all n gradients by central differences, and by backprop."""
    ex = "count_evaluations"
    rng = rng_for(seed)
    ns = (5, 1, int(rng.integers(10, 10_000)))
    for n in ns:
        what = f"count_evaluations({n})"
        out = expect_keys(call(what, count_evaluations, n, exercise=ex),
                          ["numerical", "backprop"], what, ex)
        diagnose(out["numerical"], 2 * n, [
            (n, "count_evaluations.one_per_input",
             f"'numerical' is {n}, one evaluation per input. How many values of f does one "
             f"central difference need?"),
            (n + 1, "count_evaluations.forward_differences",
             "'numerical' is n + 1, the count for forward differences, which share f(x). How "
             "many evaluations do central differences need?"),
        ], what, ex)
        expect_close(out["numerical"], 2 * n, f"{what}['numerical']", exercise=ex)
        if n > 1 and (is_close(out["backprop"], n) or is_close(out["backprop"], 2 * n)):
            fail("count_evaluations.backprop_grows",
                 f"{what}: 'backprop' grows with n. How many passes give backprop ALL the "
                 f"gradients at once?", ex)
        expect_close(out["backprop"], 2, f"{what}['backprop']",
                     "Count the passes: forward, then backward.", exercise=ex)
    passed("count_evaluations", "numerical passes grow with n, backprop's do not", len(ns))
