"""Checks for lesson 02: backward passes by hand, the chain rule (연쇄법칙) on z = (x + y)^2, and
numerical differentiation (수치 미분).

The student's functions return dicts naming every gradient, so a check can say which node went
wrong; numerical methods are judged also by how many times they call f.
"""

import numpy as np

from ..i18n import tr
from ._shop import notes_shop, random_shop
from ._student import (
    call,
    diagnose,
    expect_close,
    expect_keys,
    expect_shape,
    expect_value,
    fail,
    is_close,
    passed,
    rng_for,
)

__all__ = [
    "check_apple_backward", "check_square_of_sum", "check_numerical_derivative",
    "check_numerical_gradient_1d", "check_count_evaluations", "check_branch_backward",
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
                 tr("{what}: the gradients ignore dout = {dout:g}. Every gradient starts "
                    "from the one flowing in: where does dout enter?",
                    what=what, dout=dout), ex)
        diagnose(out["apples"], d_apples, [
            (dout * price * count, "apple_backward.own_value",
             "the tax node sent 'apples' its own value. In a multiply node, which input's "
             "value does each input's gradient carry?"),
        ], what, ex)
        expect_close(out["apples"], d_apples, f"{what}['apples']", exercise=ex)
        if is_close(out["apple_price"], d_apples * price) and is_close(out["apple_count"],
                                                                       d_apples * count):
            fail("apple_backward.swapped_gradients",
                 tr("{what}: the apple node's gradients are swapped. If the price moves a "
                    "little, by how much does price x count move?",
                    what=what), ex)
        upstream = (tr("it leaves out the gradient flowing in from the tax node "
                       "({d_apples:g}). Chain rule: what multiplies the local derivative?",
                       d_apples=d_apples))
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
            (dout * tax, "apple_backward.own_value", tr("'tax' got its own value. {other}",
                                                        other=other)),
            (dout * price, "apple_backward.wrong_other_input",
             tr("'tax' got dout x price, but the price does not enter the tax node. {other}",
                other=other)),
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
        what = (tr("square_of_sum(x, y) for x, y of shape {np_shape_x}",
                   np_shape_x=np.shape(x)) if np.ndim(x)
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
                 tr("'{key}' differentiates {var}^2 alone and forgot the other input. The "
                    "chain rule goes through t: which two local derivatives are multiplied?",
                    key=key, var=var)),
                (2 * t * own, "square_of_sum.add_node_derivative",
                 tr("'{key}' multiplies by {var}. What is the add node's local derivative "
                    "dt/d{var}?",
                    key=key, var=var)),
            ], what, ex)
            expect_close(out[key], 2 * t, f"{what}[{key!r}]", exercise=ex)
    passed("square_of_sum", "the values and the chain-rule derivatives, scalars and arrays",
           len(cases))


class _Counted:
    """A function of one argument that counts its calls (numerical methods are judged by it)."""

    def __init__(self, f, expected_array=None):
        self.f, self.calls = f, 0
        self.expected_array, self.other_arrays = expected_array, 0

    def __call__(self, x):
        self.calls += 1
        if self.expected_array is not None and x is not self.expected_array:
            self.other_arrays += 1
        return self.f(x)


def check_numerical_derivative(numerical_derivative, seed=0):
    """numerical_derivative(f, x, h=H): the central difference, with two calls of f."""
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
                 tr("{what} called f {f_calls} times. How many values of f does a central "
                    "difference need?",
                    what=what, f_calls=f.calls), ex)
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
                 tr("{what} with h=0.1 gave {out:.6g}, not the central difference with h = "
                    "0.1 ({central:.6g}). Does your function use the h it is given?",
                    what=what, out=out, central=central), ex)
    passed("numerical_derivative", "the central difference, two calls of f, the h given", 2)


def check_numerical_gradient_1d(numerical_gradient_1d, seed=0):
    """numerical_gradient_1d(f, x, h=H): x (n,) float -> (n,) gradient of the scalar f(x),
    one input at a time with central differences: exactly 2n calls, each with x itself
    (perturbed in place, PERTURBATION_RULE); x is left exactly as it was."""
    ex = "numerical_gradient_1d"
    rng = rng_for(seed)
    n = int(rng.integers(3, 7))
    weights = rng.uniform(0.5, 2.0, n)
    x = rng.uniform(-1, 1, n)
    x[0] = 0.15  # 0.15 + h - 2h + h is not 0.15 in float64: an entry put back by arithmetic drifts
    original = x.copy()

    def scalar(v):  # curved in each input and coupled between inputs
        return float(np.sum(weights * v ** 3) + np.prod(v))

    f = _Counted(scalar, expected_array=x)
    what = tr("numerical_gradient_1d(f, x) for x of shape {original_shape}",
              original_shape=original.shape)
    out = call(what, numerical_gradient_1d, f, x, h=1e-4, exercise=ex)
    if not np.array_equal(x, original):
        drift = float(np.max(np.abs(x - original)))
        if drift < 1e-9:
            fail("numerical_gradient_1d.x_drifts",
                 tr("{what} left x off by {drift:.1g}: putting an entry back by adding or "
                    "subtracting h again rounds, so x drifts. How can the exact original "
                    "value be written back?",
                    what=what, drift=drift), ex)
        fail("numerical_gradient_1d.x_not_restored",
             tr("{what} left x moved: entries differ from before by up to {drift:.3g}, so "
                "the caller's next use of x sees other numbers. After the two calls for an "
                "entry, what must that entry be again?",
                what=what, drift=drift), ex)
    expect_value(out, what, ex)
    expect_shape(out, (n,), what, "One partial derivative per input.", ex)
    exact = 3 * weights * original ** 2 + np.prod(original) / original
    directional = (scalar(original + 1e-4) - scalar(original - 1e-4)) / 2e-4
    if np.allclose(out, directional, rtol=1e-6) and not np.allclose(out, exact, rtol=1e-5):
        fail("numerical_gradient_1d.all_at_once",
             tr("{what}: every entry is the same ({directional:.4g}): it moved all inputs "
                "at once. What does a PARTIAL derivative keep fixed?",
                what=what, directional=directional), ex)
    if f.calls != 2 * n:
        fail("numerical_gradient_1d.call_count",
             tr("{what} called f {f_calls} times for {n} inputs. How many calls does one "
                "central difference need, and how many are there to do?",
                what=what, f_calls=f.calls, n=n), ex)
    if f.other_arrays:
        fail("numerical_gradient_1d.moved_a_copy",
             tr("{what} called f {f_other_arrays} of {f_calls} times with another array "
                "than the x it was given (a copy). The course's rule moves x itself, in "
                "place: what would a function that reads x through a name, not through its "
                "argument, see when only a copy moves?",
                what=what, f_other_arrays=f.other_arrays, f_calls=f.calls), ex)
    expect_close(out, exact, what, rtol=1e-5, atol=1e-6, exercise=ex)
    passed("numerical_gradient_1d", "one input at a time, in place, 2n calls, x restored", 1)


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
             tr("'numerical' is {n}, one evaluation per input. How many values of f does "
                "one central difference need?",
                n=n)),
            (n + 1, "count_evaluations.forward_differences",
             "'numerical' is n + 1, the count for forward differences, which share f(x). How "
             "many evaluations do central differences need?"),
        ], what, ex)
        expect_close(out["numerical"], 2 * n, f"{what}['numerical']", exercise=ex)
        if n > 1 and (is_close(out["backprop"], n) or is_close(out["backprop"], 2 * n)):
            fail("count_evaluations.backprop_grows",
                 tr("{what}: 'backprop' grows with n. How many passes give backprop ALL the "
                    "gradients at once?",
                    what=what), ex)
        expect_close(out["backprop"], 2, f"{what}['backprop']",
                     "Count the passes: forward, then backward.", exercise=ex)
    passed("count_evaluations", "numerical passes grow with n, backprop's do not", len(ns))


BRANCH_KEYS = ["s", "x_via_mul", "x_via_add", "x", "y"]


def branch_reference(x, y, dout=1.0):
    """The gradients of z = s * x with s = x + y: x feeds both nodes (a branch, 분기).

    x, y, dout: numbers or arrays of one shape. Returns the dict of BRANCH_KEYS, each of x's
    shape: what reaches s, what reaches x from each node, x's total, and y's.
    """
    s = x + y
    d_s = dout * x
    from_mul, from_add = dout * s, d_s
    return {"s": d_s, "x_via_mul": from_mul, "x_via_add": from_add, "x": from_mul + from_add,
            "y": d_s}


def check_branch_backward(branch_backward, seed=0):
    """branch_backward(x, y, dout=1.0) -> {"s", "x_via_mul", "x_via_add", "x", "y"}: the
    backward pass of z = s * x with s = x + y, where x reaches z along two paths."""
    ex = "branch_backward"
    rng = rng_for(seed)
    shape = tuple(int(n) for n in rng.integers(2, 5, size=2))
    cases = [(3.0, 2.0, 1.0),
             (float(rng.uniform(0.5, 3)), float(rng.uniform(-3, -0.5)), 1.0),
             (float(rng.uniform(-3, -0.5)), float(rng.uniform(0.5, 3)), float(rng.uniform(2, 4))),
             (rng.uniform(0.5, 2, shape), rng.uniform(0.5, 2, shape),
              rng.uniform(1.5, 3, shape))]
    for x, y, dout in cases:
        what = (tr("branch_backward(x, y, dout) for arrays of shape {np_shape_x}",
                   np_shape_x=np.shape(x)) if np.ndim(x)
                else f"branch_backward({x:.3g}, {y:.3g}, dout={dout:.3g})")
        out = expect_keys(call(what, branch_backward, x, y, dout=dout, exercise=ex),
                          BRANCH_KEYS, what, ex)
        ref = branch_reference(x, y, dout)
        s = x + y
        if np.any(dout != 1.0) and is_close(out["x"], branch_reference(x, y)["x"]) \
                and not is_close(out["x"], ref["x"]):
            fail("branch_backward.ignores_dout",
                 tr("{what}: the gradients are those of dout = 1, not of dout = "
                    "{show_dout}. Every gradient starts from the one flowing in at z: where "
                    "does it enter?",
                    what=what, show_dout=_show(dout)), ex)
        diagnose(out["s"], ref["s"], [
            (dout * s, "branch_backward.own_value",
             "'s' received its own value. In a multiply node, whose value does each input's "
             "gradient carry?"),
        ], what, ex)
        expect_close(out["s"], ref["s"], f"{what}['s']", exercise=ex)
        diagnose(out["x_via_mul"], ref["x_via_mul"], [
            (dout * x, "branch_backward.own_value",
             "'x_via_mul' carries x's own value. The multiply node's other input is s: which "
             "value does the gradient sent to x carry?"),
        ], what, ex)
        expect_close(out["x_via_mul"], ref["x_via_mul"], f"{what}['x_via_mul']", exercise=ex)
        expect_close(out["x_via_add"], ref["x_via_add"], f"{what}['x_via_add']",
                     "The add node passes on what reached s: what did s receive?", exercise=ex)
        one, other = ref["x_via_mul"], ref["x_via_add"]
        diagnose(out["x"], ref["x"], [
            (one, "branch_backward.one_branch",
             tr("'x' is {show_out_x}, only what came back through the multiply node. x "
                "feeds two nodes, so a change of x moves z along both paths: what happens "
                "to the gradient that came back through the add node ({show_other})?",
                show_out_x=_show(out['x']), show_other=_show(other))),
            (other, "branch_backward.one_branch",
             tr("'x' is {show_out_x}, only what came back through the add node. x feeds two "
                "nodes, so a change of x moves z along both paths: what happens to the "
                "gradient that came back through the multiply node ({show_one})?",
                show_out_x=_show(out['x']), show_one=_show(one))),
            (one * other, "branch_backward.branches_multiplied",
             tr("'x' is the PRODUCT of its two incoming gradients ({show_one} and "
                "{show_other}). Nudge x by a small h: z changes by about (first path) x h "
                "plus (second path) x h. Do the two effects multiply, or combine some other "
                "way?",
                show_one=_show(one), show_other=_show(other))),
            ((one + other) / 2, "branch_backward.branches_averaged",
             tr("'x' is the mean of its two incoming gradients ({show_one} and "
                "{show_other}). Nudge x by a small h: each path moves z by its own share. "
                "Is the total change the average of the shares?",
                show_one=_show(one), show_other=_show(other))),
        ], what, ex)
        expect_close(out["x"], ref["x"], f"{what}['x']",
                     "Compare it with a numerical derivative of z in x.", exercise=ex)
        diagnose(out["y"], ref["y"], [
            (dout * s, "branch_backward.own_value",
             "'y' carries s. y reaches z only through the add node: what did s receive?"),
        ], what, ex)
        expect_close(out["y"], ref["y"], f"{what}['y']", exercise=ex)
    passed("branch_backward", "both paths of the branch, with and without dout, on arrays",
           len(cases))


def _show(value):
    """A number as the student reads it; an array by its first entry."""
    return f"{float(np.ravel(value)[0]):.4g}" + (" ..." if np.size(value) > 1 else "")
