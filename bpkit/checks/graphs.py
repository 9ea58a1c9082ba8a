"""Checks for lessons 01 and 02: forward and backward passes of small computation graphs, the
chain rule on z = (x + y)^2, and numerical differentiation.

The student's functions return dicts naming every intermediate value (or gradient), so a check
can say which node went wrong: the inputs are random and all different from each other, so
each usual mistake (a missing tax node, swapped inputs in a multiply node's backward) gives
numbers that tell it apart.
"""

import numpy as np

from ._common import expect_close, is_close, rng_for

__all__ = [
    "check_apple_forward", "check_shop_forward", "check_neuron_forward",
    "check_apple_backward", "check_square_of_sum", "check_numerical_derivative",
    "check_numerical_gradient_1d", "check_count_evaluations",
]


def _as_dict(out, name, keys):
    """Fail unless ``out`` is a dict with (at least) ``keys``."""
    example = "{" + ", ".join(f"'{k}': ..." for k in keys) + "}"
    if out is None:
        raise AssertionError(f"{name} returned None: did you forget a `return`? Return {example}.")
    if not isinstance(out, dict):
        raise AssertionError(f"{name} returned a {type(out).__name__}; return a dict {example}.")
    missing = [k for k in keys if k not in out]
    if missing:
        raise AssertionError(f"{name}'s dict has no key {missing[0]!r}; it should be {example} "
                             f"(it has {sorted(out)}).")
    return out


def _random_shop(rng):
    """Shop inputs as the notes would write them, but random and all different."""
    prices = rng.choice(np.arange(20, 400, 10), size=2, replace=False)
    counts = rng.choice(np.arange(2, 12), size=2, replace=False)
    return {"apple_price": float(prices[0]), "apple_count": float(counts[0]),
            "orange_price": float(prices[1]), "orange_count": float(counts[1]),
            "tax": float(rng.uniform(1.05, 1.3))}


def _diagnose(out, key, expected, candidates, what):
    """Raise the message of the first wrong variant ``out[key]`` matches, unless it is right
    (a wrong formula can give the right number for special inputs)."""
    if is_close(out[key], expected):
        return
    for wrong_value, message in candidates:
        if is_close(out[key], wrong_value):
            raise AssertionError(f"{what}: {message}")


# --- lesson 01: forward passes -------------------------------------------------------------

def check_apple_forward(apple_forward, seed=0):
    """apple_forward(apple_price, apple_count, tax) ->
    {"apples": price*count, "total": apples*tax}."""
    rng = rng_for(seed)
    cases = [(100.0, 2.0, 1.1)] + [tuple(_random_shop(rng)[k] for k in
                                          ("apple_price", "apple_count", "tax")) for _ in range(3)]
    for price, count, tax in cases:
        out = _as_dict(apple_forward(price, count, tax), "apple_forward", ["apples", "total"])
        apples, total = price * count, price * count * tax
        what = f"apple_forward({price:g}, {count:g}, {tax:g})"
        _diagnose(out, "apples", apples, [
            (price * count * tax, f"'apples' is {out['apples']:g}, which already includes the "
                                  f"tax. 'apples' is the output of the first multiply node: "
                                  f"price x count = {apples:g}."),
            (price + count, f"'apples' is price + count; the apple node multiplies: "
                            f"{price:g} x {count:g} = {apples:g}."),
        ], what)
        expect_close(out["apples"], apples, f"{what}['apples']", "price x count.")
        _diagnose(out, "total", total, [
            (apples, f"'total' equals 'apples' ({apples:g}): the tax node is missing. Multiply "
                     f"by the tax: {apples:g} x {tax:g} = {total:g}."),
            (apples + tax, f"'total' is apples + tax; the tax node multiplies ({tax:g} means "
                           f"+{(tax - 1) * 100:.0f} %): {apples:g} x {tax:g} = {total:g}."),
            (price * tax, f"'total' is price x tax = {price * tax:g}: it skipped the count. "
                          f"The tax node's input is the apple node's output, {apples:g}."),
        ], what)
        expect_close(out["total"], total, f"{what}['total']", "apples x tax.")


_SHOP_KEYS = ["apples", "oranges", "subtotal", "total"]


def check_shop_forward(shop_forward, seed=0):
    """shop_forward(apple_price, apple_count, orange_price, orange_count, tax) ->
    {"apples", "oranges", "subtotal", "total"}: 200, 450, 650, 715 for the notes' shop."""
    rng = rng_for(seed)
    notes = {"apple_price": 100.0, "apple_count": 2.0, "orange_price": 150.0,
             "orange_count": 3.0, "tax": 1.1}
    for shop in [notes] + [_random_shop(rng) for _ in range(3)]:
        ap, ac, op, oc, tax = (shop[k] for k in ("apple_price", "apple_count", "orange_price",
                                                 "orange_count", "tax"))
        out = _as_dict(shop_forward(ap, ac, op, oc, tax), "shop_forward", _SHOP_KEYS)
        apples, oranges = ap * ac, op * oc
        subtotal, total = apples + oranges, (apples + oranges) * tax
        what = f"shop_forward({ap:g}, {ac:g}, {op:g}, {oc:g}, {tax:g})"
        expect_close(out["apples"], apples, f"{what}['apples']", "apple price x apple count.")
        _diagnose(out, "oranges", oranges, [
            (op * ac, f"'oranges' used the apple count ({ac:g}); the orange node's inputs are "
                      f"the orange price and the orange count: {op:g} x {oc:g} = {oranges:g}."),
        ], what)
        expect_close(out["oranges"], oranges, f"{what}['oranges']", "orange price x orange count.")
        _diagnose(out, "subtotal", subtotal, [
            (apples * oranges, "'subtotal' multiplies the two branches; the node that joins "
                               f"them adds: {apples:g} + {oranges:g} = {subtotal:g}."),
            (total, f"'subtotal' already includes the tax; it is the sum before tax, "
                    f"{subtotal:g}."),
        ], what)
        expect_close(out["subtotal"], subtotal, f"{what}['subtotal']", "apples + oranges.")
        _diagnose(out, "total", total, [
            (subtotal, f"'total' equals 'subtotal' ({subtotal:g}): the tax node is missing."),
            (apples * tax + oranges, "'total' taxes only the apples; the tax node comes after "
                                     f"the add node, so both are taxed: {total:g}."),
            (apples + oranges * tax, "'total' taxes only the oranges; the tax node comes after "
                                     f"the add node, so both are taxed: {total:g}."),
        ], what)
        expect_close(out["total"], total, f"{what}['total']", "subtotal x tax.")


def check_neuron_forward(neuron_forward, seed=0):
    """neuron_forward(x1, w1, x2, w2, b) -> {"x1w1", "x2w2", "weighted_sum", "a"}:
    the products, their sum, and a = weighted_sum + b."""
    rng = rng_for(seed)
    cases = [(1.0, 0.5, 2.0, -1.5, 0.25)] + [tuple(rng.uniform(-2, 2, 5)) for _ in range(3)]
    keys = ["x1w1", "x2w2", "weighted_sum", "a"]
    for x1, w1, x2, w2, b in cases:
        out = _as_dict(neuron_forward(x1, w1, x2, w2, b), "neuron_forward", keys)
        what = f"neuron_forward(x1={x1:.3g}, w1={w1:.3g}, x2={x2:.3g}, w2={w2:.3g}, b={b:.3g})"
        for key, (xi, wi, other) in {"x1w1": (x1, w1, x2 * w1), "x2w2": (x2, w2, x1 * w2)}.items():
            _diagnose(out, key, xi * wi, [(other, f"'{key}' multiplied the wrong pair: each weight "
                                         f"multiplies its own input, {xi:.3g} x {wi:.3g}.")], what)
            expect_close(out[key], xi * wi, f"{what}[{key!r}]")
        s = x1 * w1 + x2 * w2
        _diagnose(out, "weighted_sum", s, [(s + b, "'weighted_sum' already includes b; b is added "
                                                "by the next node, giving 'a'.")], what)
        expect_close(out["weighted_sum"], s, f"{what}['weighted_sum']", "x1w1 + x2w2.")
        _diagnose(out, "a", s + b, [
            (s, "'a' equals 'weighted_sum': the bias node (+ b) is missing."),
            (s * b, "'a' multiplies by b; the bias is added."),
        ], what)
        expect_close(out["a"], s + b, f"{what}['a']", "weighted_sum + b.")


# --- lesson 02: backward passes and the chain rule ------------------------------------------

def check_apple_backward(apple_backward, seed=0):
    """apple_backward(apple_price, apple_count, tax, dout=1.0) -> the gradients of the total
    {"apples": dout*tax, "apple_price": dout*tax*count, "apple_count": dout*tax*price,
    "tax": dout*price*count}; 1.1, 2.2, 110, 200 for the notes' apples."""
    rng = rng_for(seed)
    keys = ["apples", "apple_price", "apple_count", "tax"]
    cases = [(100.0, 2.0, 1.1, 1.0)]
    for _ in range(3):
        shop = _random_shop(rng)
        cases.append((shop["apple_price"], shop["apple_count"], shop["tax"], 1.0))
    cases.append((cases[-1][0], cases[-1][1], cases[-1][2], float(rng.uniform(2, 5))))
    for price, count, tax, dout in cases:
        out = _as_dict(apple_backward(price, count, tax, dout=dout), "apple_backward", keys)
        what = f"apple_backward({price:g}, {count:g}, {tax:g}, dout={dout:g})"
        d_apples = dout * tax
        if dout != 1.0 and is_close(out["apple_price"], tax * count):
            raise AssertionError(f"{what}: the gradients ignore dout. Every gradient starts "
                                 f"from the one flowing in: multiply by dout = {dout:g}.")
        _diagnose(out, "apples", d_apples, [
            (dout * price * count, "the tax node sent 'apples' its own value. A multiply node "
                                   "sends each input the upstream gradient times the OTHER "
                                   f"input: dout x tax = {d_apples:g}."),
        ], what)
        expect_close(out["apples"], d_apples, f"{what}['apples']", "dout x tax.")
        if is_close(out["apple_price"], d_apples * price) and is_close(out["apple_count"],
                                                                       d_apples * count):
            raise AssertionError(
                f"{what}: the apple node's gradients are swapped. The price gets the upstream "
                f"gradient times the OTHER input, the count: {d_apples:g} x {count:g} = "
                f"{d_apples * count:g}; the count gets {d_apples:g} x {price:g}.")
        _diagnose(out, "apple_price", d_apples * count, [
            (dout * count, f"'apple_price' is dout x count = {dout * count:g}: it leaves out "
                           f"the gradient flowing in from the tax node ({d_apples:g}). Chain "
                           f"rule: multiply the upstream gradient by the local one."),
        ], what)
        expect_close(out["apple_price"], d_apples * count, f"{what}['apple_price']",
                     "upstream (dout x tax) x count.")
        _diagnose(out, "apple_count", d_apples * price, [
            (dout * price, f"'apple_count' is dout x price = {dout * price:g}: it leaves out "
                           f"the gradient flowing in from the tax node ({d_apples:g})."),
        ], what)
        expect_close(out["apple_count"], d_apples * price, f"{what}['apple_count']",
                     "upstream (dout x tax) x price.")
        _diagnose(out, "tax", dout * price * count, [
            (dout * tax, "'tax' got its own value; it gets dout times the OTHER input of the "
                         f"tax node, apples = {price * count:g}."),
            (dout * price, "'tax' got dout x price; the tax node's other input is apples = "
                           f"price x count = {price * count:g}."),
        ], what)
        expect_close(out["tax"], dout * price * count, f"{what}['tax']", "dout x apples.")


def check_square_of_sum(square_of_sum, seed=0):
    """square_of_sum(x, y) -> {"t": x + y, "z": t**2, "dz_dt": 2t, "dz_dx": 2t, "dz_dy": 2t};
    works on scalars and, elementwise, on arrays."""
    rng = rng_for(seed)
    keys = ["t", "z", "dz_dt", "dz_dx", "dz_dy"]
    shape = tuple(rng.integers(2, 5, size=2))
    cases = [(3.0, 1.0), (float(rng.uniform(-3, 3)), float(rng.uniform(-3, 3))),
             (rng.standard_normal(shape), rng.standard_normal(shape))]
    for x, y in cases:
        out = _as_dict(square_of_sum(x, y), "square_of_sum", keys)
        t = x + y
        what = (f"square_of_sum(x, y) for x, y of shape {np.shape(x)}" if np.ndim(x)
                else f"square_of_sum({x:.3g}, {y:.3g})")
        expect_close(out["t"], t, f"{what}['t']", "t = x + y.")
        _diagnose(out, "z", t ** 2, [
            (x ** 2 + y ** 2, "'z' is x^2 + y^2; it is (x + y)^2 = t^2."),
        ], what)
        expect_close(out["z"], t ** 2, f"{what}['z']", "z = t^2.")
        _diagnose(out, "dz_dt", 2 * t, [(t, "'dz_dt' is t; the derivative of t^2 is 2t."),
                                 (2 * np.ones_like(t), "'dz_dt' is 2; it is 2t.")], what)
        expect_close(out["dz_dt"], 2 * t, f"{what}['dz_dt']", "d(t^2)/dt = 2t.")
        for key, own in (("dz_dx", x), ("dz_dy", y)):
            _diagnose(out, key, 2 * t, [
                (2 * own, f"'{key}' is 2{key[-1]}: it differentiated {key[-1]}^2 and forgot "
                          f"the other input. Chain rule: dz/dt x dt/d{key[-1]} = 2t x 1."),
                (2 * t * own, f"'{key}' multiplies by {key[-1]}; the add node's local "
                              f"derivative dt/d{key[-1]} is 1, so it is 2t x 1."),
            ], what)
            expect_close(out[key], 2 * t, f"{what}[{key!r}]", "dz/dt x dt/dx = 2t x 1.")


class _Counted:
    """A function of one argument that counts its calls (numerical methods are judged by it)."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


def check_numerical_derivative(numerical_derivative, seed=0):
    """numerical_derivative(f, x, h=1e-4) -> (f(x + h) - f(x - h)) / (2h): two calls of f."""
    rng = rng_for(seed)
    a = float(rng.uniform(1.5, 2.5))
    x = float(rng.uniform(-0.5, 0.5))
    exact = a * np.exp(a * x)
    what = f"numerical_derivative(f, {x:.3g}, h=...) for f(x) = exp({a:.3g} x)"
    for h in (1e-3, 1e-1):
        f = _Counted(lambda v: np.exp(a * v))
        out = numerical_derivative(f, x, h=h)
        if out is None:
            raise AssertionError(f"{what} returned None: did you forget a `return`?")
        if f.calls != 2:
            raise AssertionError(f"{what} called f {f.calls} times; a central difference needs "
                                 f"exactly 2 calls: f(x + h) and f(x - h).")
        fp, f0, fm = np.exp(a * (x + h)), np.exp(a * x), np.exp(a * (x - h))
        central = (fp - fm) / (2 * h)
        wrong = [((fp - f0) / h, "a forward difference (f(x + h) - f(x)) / h; use the central "
                                 "difference (f(x + h) - f(x - h)) / (2h), whose error is "
                                 "much smaller."),
                 ((f0 - fm) / h, "a backward difference (f(x) - f(x - h)) / h; use the central "
                                 "difference (f(x + h) - f(x - h)) / (2h)."),
                 ((fp - fm) / h, "twice the derivative: divide by 2h (the two points are 2h "
                                 "apart), not by h."),
                 ((fp - fm) * h / 2, "(f(x + h) - f(x - h)) * h / 2: `/ 2*h` means (/ 2) * h in "
                                     "Python; write / (2 * h).")]
        for value, message in wrong:
            if is_close(out, value, rtol=1e-9, atol=0) and not is_close(out, central, 1e-9, 0):
                raise AssertionError(f"{what} with h={h:g} computed {message}")
        if h == 1e-3:
            expect_close(out, exact, f"{what} with h=1e-3", "Use (f(x + h) - f(x - h)) / (2h).",
                         rtol=1e-5)
        elif not is_close(out, central, rtol=1e-7):
            raise AssertionError(f"{what} with h=0.1 gave {out:.6g}, but (f(x + h) - f(x - h)) / "
                                 f"(2h) with h=0.1 is {central:.6g}: use the h you are given.")


def check_numerical_gradient_1d(numerical_gradient_1d, seed=0):
    """numerical_gradient_1d(f, x, h=1e-4): x (n,) float -> (n,) gradient of the scalar f(x),
    one input at a time with central differences: exactly 2n calls; x is left unchanged."""
    rng = rng_for(seed)
    n = int(rng.integers(3, 7))
    weights = rng.uniform(0.5, 2.0, n)
    x = rng.uniform(-1, 1, n)
    original = x.copy()

    def scalar(v):  # curved in each input and coupled between inputs
        return float(np.sum(weights * v ** 3) + np.prod(v))

    f = _Counted(scalar)
    out = numerical_gradient_1d(f, x, h=1e-4)
    what = f"numerical_gradient_1d(f, x) for x of shape {original.shape}"
    if not np.array_equal(x, original):
        raise AssertionError(f"{what} left x changed; copy x before moving one entry "
                             f"(or put each entry back) so the caller's x is untouched.")
    if out is None:
        raise AssertionError(f"{what} returned None: did you forget a `return`?")
    if np.shape(out) != (n,):
        raise AssertionError(f"{what} returned shape {np.shape(out)}; one partial derivative "
                             f"per input gives shape ({n},).")
    exact = 3 * weights * original ** 2 + np.prod(original) / original
    directional = (scalar(original + 1e-4) - scalar(original - 1e-4)) / 2e-4
    if np.allclose(out, directional, rtol=1e-6) and not np.allclose(out, exact, rtol=1e-5):
        raise AssertionError(f"{what}: every entry is the same ({directional:.4g}): it moved "
                             f"all inputs at once. Move one input x[i] at a time.")
    if f.calls != 2 * n:
        raise AssertionError(f"{what} called f {f.calls} times; central differences need exactly "
                             f"2 per input, 2 x {n} = {2 * n}.")
    expect_close(out, exact, what, "Entry i is (f(x with x[i]+h) - f(x with x[i]-h)) / (2h).",
                 rtol=1e-5, atol=1e-6)


def check_count_evaluations(count_evaluations, seed=0):
    """count_evaluations(n_inputs) -> {"numerical": 2n, "backprop": 2}: passes through the
    graph to get all n gradients by central differences vs by one forward + one backward pass."""
    rng = rng_for(seed)
    for n in (5, 1, int(rng.integers(10, 10_000))):
        out = _as_dict(count_evaluations(n), "count_evaluations", ["numerical", "backprop"])
        what = f"count_evaluations({n})"
        _diagnose(out, "numerical", 2 * n, [
            (n, f"'numerical' is {n}: a central difference needs two evaluations per input, "
                f"f(x + h) and f(x - h)."),
            (n + 1, "'numerical' is n + 1, the count for forward differences; central "
                    "differences need 2 per input."),
        ], what)
        expect_close(out["numerical"], 2 * n, f"{what}['numerical']", "2 per input.")
        if n > 1 and (is_close(out["backprop"], n) or is_close(out["backprop"], 2 * n)):
            raise AssertionError(f"{what}: 'backprop' grows with n; backprop gets all {n} "
                                 f"gradients from one forward and one backward pass: 2.")
        expect_close(out["backprop"], 2, f"{what}['backprop']",
                     "One forward pass plus one backward pass.")
