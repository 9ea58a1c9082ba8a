"""Checks of lesson 10, your own autograd (자동 미분): a student's ``Value`` op by op, then
``topological_order`` and ``backward``, then what the lesson builds from Values (the shop, a
sigmoid neuron compared with bpkit's layers, an MLP and its training on XOR).

The local derivatives the checks expect are written here by hand, independently of
``bpkit.autograd``; numerical gradients back them up. An operation is checked without the
student's ``backward``: the check seeds ``out.grad`` itself and calls every ``local_backward``
below ``out`` in reverse topological order, so an operation written as a composition of others
(``a - b`` as ``a + (-b)``) is checked the same way as one with its own local backward.

The classic mistakes are recognised and named: a gradient overwritten (``=``) instead of
added (``+=``); the share not multiplied by ``out.grad``; a local derivative taken at the wrong
value (the output instead of the input, the node's own input instead of the other one);
backward visiting the nodes in the wrong order (forward order, level by level, a value twice);
backward not seeding the output's gradient with 1.
"""

import contextlib
import functools
import io
import math

import numpy as np

from ..i18n import tr
from ._own_code import expect_own_code
from ._shop import SHOP_INPUTS, notes_shop, random_shop
from ._student import (
    CheckFailure,
    call,
    expect_value,
    fail,
    gradient_error,
    kind_of,
    passed,
    rng_for,
)

__all__ = [
    "check_mlp",
    "check_shop_values",
    "check_sigmoid_neuron",
    "check_topological_order",
    "check_train_xor",
    "check_value_add_mul",
    "check_value_backward",
    "check_value_exp_log",
    "check_value_pow_sub_div",
    "check_value_tanh_relu",
]

TOL = 1e-6


def _close(a, b, tol=TOL):
    try:
        return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))
    except (TypeError, ValueError):
        return False


def _fmt(x):
    return f"{float(x):.6g}"


# --- building blocks ----------------------------------------------------------------------


def _new(Value, number, exercise, label=""):
    value = call(f"Value({_fmt(number)})", Value, number, exercise=exercise)
    if label:
        value.label = label
    return value


def _expect_value(out, Value, what, exercise):
    """The result of an operation must be a new Value of the student's class."""
    expect_value(out, what, exercise)
    if not isinstance(out, Value):
        fail(f"{exercise}.not_a_value",
             tr("{what} returned {kind_of_out}, not a Value. A plain number forgets where "
                "it came from: how would backward find its way back from it?",
                what=what, kind_of_out=kind_of(out)), exercise)
    return out


def _order(root):
    """The check's own topological order (inputs first), by the ``parents`` attribute."""
    order, seen, stack = [], {id(root)}, [(root, iter(_parents(root)))]
    while stack:
        value, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(_parents(parent))))
                break
        else:
            stack.pop()
            order.append(value)
    return order


def _method(obj, name):
    """A function calling ``obj.<name>()``, looked up when called: inside ``call``, a missing
    method (its cell not run, a typo) becomes a message rather than a traceback."""
    return lambda: getattr(obj, name)()


def _parents(value):
    parents = getattr(value, "parents", ())
    return tuple(parents) if parents is not None else ()


def _run_local_backwards(out, upstream, what, exercise):
    """Seed out.grad = upstream, then call each local_backward below out, children first."""
    out.grad = upstream
    for value in reversed(_order(out)):
        if not _parents(value):
            continue
        local_backward = getattr(value, "local_backward", None)
        if not callable(local_backward):
            fail(f"{exercise}.no_local_backward",
                 tr("{what}: the Value it returned has no callable `local_backward`. Each "
                    "operation sets the new Value's local_backward to a function that sends "
                    "the gradient back to its parents. Where does your operation set it?",
                    what=what), exercise)
        call(tr("the local_backward of {what}",
                what=what), local_backward, exercise=exercise)


def _expect_connected(out, inputs, what, exercise):
    reachable = {id(v) for v in _order(out)}
    for name, value in inputs.items():
        if id(value) not in reachable:
            fail(f"{exercise}.not_connected",
                 tr("{what} returned a Value that does not remember {name}: {name} is not "
                    "among the values it was made from (its `parents`, and theirs). "
                    "Backward can only reach what the graph records. What did you pass as "
                    "the new Value's parents?",
                    what=what, name=name),
                 exercise)


def _diagnose_share(what, name, before, after, upstream, expected_local, wrong, exercise,
                    numeric_slope=None):
    """Fail with the recognised mistake when ``name``'s grad did not grow as it should.

    before/after: name's grad around the backward; expected_local: d out / d name;
    wrong: [(mistake, local derivative it would give, sentence)] for this operation.
    """
    grew = after - before
    expected = expected_local * upstream
    if _close(grew, expected):
        return
    intro = (tr("{what}, with out.grad = {fmt_upstream} and {name}.grad = {fmt_before} "
                "beforehand: {name}.grad became {fmt_after}",
                what=what, fmt_upstream=_fmt(upstream), name=name, fmt_before=_fmt(before),
                fmt_after=_fmt(after)))
    if _close(after, before) and not _close(expected, 0):
        fail(f"{exercise}.nothing_sent",
             tr("{intro}, unchanged. Nothing was sent back to {name}. Does the "
                "local_backward you set on the new Value add anything into {name}.grad?",
                intro=intro, name=name), exercise)
    if not _close(before, 0) and _close(after, expected):
        fail(f"{exercise}.overwrites_grad",
             tr("{intro}: the {fmt_before} it already had is gone. A value used twice "
                "receives one share from each use, and the shares must add up (the branch "
                "rule of lessons 02 and 03). What does your local_backward do to the "
                "gradient already there?",
                intro=intro, fmt_before=_fmt(before)), exercise)
    if not _close(upstream, 1) and _close(grew, expected_local):
        fail(f"{exercise}.ignores_upstream",
             tr("{intro}: it grew by {fmt_grew}, the same as it would with out.grad = 1. "
                "The chain rule (연쇄법칙) scales every share by the gradient arriving from the "
                "right. Where does out.grad enter your local_backward?",
                intro=intro, fmt_grew=_fmt(grew)), exercise)
    for mistake, wrong_local, sentence in wrong:
        if wrong_local is not None and _close(grew, wrong_local * upstream):
            fail(f"{exercise}.{mistake}", tr("{intro}: it grew by {fmt_grew}. {sentence}",
                                             intro=intro, fmt_grew=_fmt(grew),
                                             sentence=sentence),
                 exercise)
    slope = (tr(" Nudging {name} by a tiny amount moves the output {fmt_numeric_slope} "
                "times as much (numerical slope), so its share should be that times "
                "out.grad.",
                name=name, fmt_numeric_slope=_fmt(numeric_slope))
             if numeric_slope is not None else "")
    fail(f"{exercise}.wrong_local_derivative",
         tr("{intro}: it grew by {fmt_grew}, not {fmt_expected}.{slope} Which local "
            "derivative did your local_backward use, and at which value did it take it?",
            intro=intro, fmt_grew=_fmt(grew), fmt_expected=_fmt(expected), slope=slope),
         exercise)


def _slope(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- one operation at a time --------------------------------------------------------------


def _check_binary(Value, symbol, operate, forward, d_left, d_right, wrong, left, right,
                  rng, exercise, kinds="vv"):
    """Check ``operate(a, b)``: kinds "vv" (two Values), "vn" (a Value and a number) or "nv".

    d_left/d_right: the local derivatives (functions of the two numbers); wrong: a function
    (a, b, out) -> {"left": [...], "right": [...]} of recognised wrong versions.
    """
    is_value = {"left": kinds[0] == "v", "right": kinds[1] == "v"}
    numbers = {"left": float(left), "right": float(right)}
    a = _new(Value, numbers["left"], exercise, "a") if is_value["left"] else left
    b = _new(Value, numbers["right"], exercise, "b") if is_value["right"] else right
    shown = f"{'a' if is_value['left'] else _fmt(left)} {symbol} " \
            f"{'b' if is_value['right'] else _fmt(right)}"
    names = {"left": a, "right": b}
    what = f"{shown} with " + ", ".join(
        f"{n} = {_fmt(numbers[s])}" for s, n in (("left", "a"), ("right", "b")) if is_value[s])
    out = _expect_value(call(what, operate, a, b, exercise=exercise), Value, what, exercise)
    want = forward(numbers["left"], numbers["right"])
    if not _close(out.data, want):
        fail(f"{exercise}.wrong_forward",
             tr("{what} gave a Value with data {fmt_out_data}; {shown} is {fmt_want}. The "
                "forward part computes the operation on the two numbers.",
                what=what, fmt_out_data=_fmt(out.data), shown=shown, fmt_want=_fmt(want)), exercise)
    _expect_connected(out, {n: names[s] for s, n in (("left", "a"), ("right", "b"))
                            if is_value[s]}, what, exercise)
    before = {}
    for side in names:
        if is_value[side]:
            names[side].grad = float(rng.uniform(-2, 2))
            before[side] = names[side].grad
    upstream = float(rng.choice([-1, 1]) * rng.uniform(0.5, 3))
    _run_local_backwards(out, upstream, what, exercise)
    wrong_versions = wrong(numbers["left"], numbers["right"], out.data)
    for side, local in (("left", d_left), ("right", d_right)):
        if is_value[side]:
            x, y = numbers["left"], numbers["right"]
            f_side = ((lambda t, y=y: forward(t, y)) if side == "left"
                      else (lambda t, x=x: forward(x, t)))
            _diagnose_share(what, "a" if side == "left" else "b", before[side],
                            names[side].grad, upstream, local(x, y), wrong_versions[side],
                            exercise, _slope(f_side, numbers[side]))
    return 1


def _check_reuse(Value, symbol, operate, forward, d_both, x, rng, exercise):
    """``x op x``: one Value used twice in one operation receives both shares."""
    a = _new(Value, x, exercise, "a")
    what = tr("a {symbol} a with a = {fmt_x} (the same Value twice)",
              symbol=symbol, fmt_x=_fmt(x))
    out = _expect_value(call(what, operate, a, a, exercise=exercise), Value, what, exercise)
    upstream = float(rng.uniform(0.5, 2))
    _run_local_backwards(out, upstream, what, exercise)
    if not _close(a.grad, d_both(x) * upstream):
        half = d_both(x) * upstream / 2
        if _close(a.grad, half):
            fail(f"{exercise}.overwrites_grad",
                 tr("{what}, with out.grad = {fmt_upstream}: a.grad is {fmt_a_grad}, one "
                    "share only. a is both inputs, so it receives a share from each; the "
                    "second must not replace the first. What does your local_backward do to "
                    "the gradient already in a.grad?",
                    what=what, fmt_upstream=_fmt(upstream), fmt_a_grad=_fmt(a.grad)), exercise)
        fail(f"{exercise}.wrong_local_derivative",
             tr("{what}, with out.grad = {fmt_upstream}: a.grad is {fmt_a_grad}, but "
                "nudging a moves the result at a rate of {fmt__slope_lambda_t_forward_t_t} "
                "per unit. Does each of the two shares reach a?",
                what=what, fmt_upstream=_fmt(upstream), fmt_a_grad=_fmt(a.grad),
                fmt__slope_lambda_t_forward_t_t=_fmt(_slope(lambda t: forward(t, t), x))), exercise)
    return 1


def _unary_points(rng, low, high, n=3, avoid_zero=True):
    points = rng.uniform(low, high, size=n)
    if avoid_zero:
        points = np.where(np.abs(points) < 0.1, points + 0.5, points)
    return [float(p) for p in points]


def _check_unary(Value, name, operate, forward, derivative, wrong, x, rng, exercise):
    """Check ``operate(a)`` for a Value a = x: forward, connection and a's share."""
    a = _new(Value, x, exercise, "a")
    what = (f"a.{name}() with a = {_fmt(x)}" if name.isidentifier()
            else f"{name} with a = {_fmt(x)}")
    out = _expect_value(call(what, operate, a, exercise=exercise), Value, what, exercise)
    want = forward(x)
    if not _close(out.data, want):
        fail(f"{exercise}.wrong_forward",
             tr("{what} gave a Value with data {fmt_out_data}, but the exact result is "
                "{fmt_want}. The forward part computes the function of the number a.data.",
                what=what, fmt_out_data=_fmt(out.data), fmt_want=_fmt(want)),
             exercise)
    _expect_connected(out, {"a": a}, what, exercise)
    a.grad = before = float(rng.uniform(-2, 2))
    upstream = float(rng.choice([-1, 1]) * rng.uniform(0.5, 3))
    _run_local_backwards(out, upstream, what, exercise)
    _diagnose_share(what, "a", before, a.grad, upstream, derivative(x), wrong(x, out.data),
                    exercise, _slope(forward, x))
    return 1


_AT_OUTPUT = ("The local derivative was taken at the output value instead of at the input. "
              "Which value does this function's derivative depend on, and which of the two do "
              "you have in hand as self.data and out.data?")
_AT_INPUT = ("That is the local derivative evaluated at the input where the formula you wrote "
             "wants the output (or the reverse). Which number does your formula expect?")


def check_value_add_mul(Value, seed=0):
    """Check ``Value.__add__`` and ``__mul__`` (and 2 + v, v * 3): the new Value's data, its
    parents, and what its local_backward adds into each parent's grad."""
    exercise = "value_add_mul"
    rng = rng_for(seed)
    expect_own_code(Value, "Value")
    n = 0
    for _ in range(2):
        x, y = (float(v) for v in rng.uniform(-4, 4, size=2))
        n += _check_binary(Value, "+", lambda a, b: a + b, lambda p, q: p + q,
                           lambda p, q: 1.0, lambda p, q: 1.0,
                           lambda p, q, o: {"left": [], "right": []}, x, y, rng, exercise)
        n += _check_binary(Value, "*", lambda a, b: a * b, lambda p, q: p * q,
                           lambda p, q: q, lambda p, q: p,
                           lambda p, q, o: {
                               "left": [("derivative_at_wrong_value", p,
                                         "a received a share computed from its own value a "
                                         "instead of the other input. When a changes by a "
                                         "little, by how much does a * b change?")],
                               "right": [("derivative_at_wrong_value", q,
                                          "b received a share computed from its own value b "
                                          "instead of the other input. When b changes by a "
                                          "little, by how much does a * b change?")]},
                           x, y, rng, exercise)
    k = float(rng.integers(2, 6))
    x = float(rng.uniform(-4, 4))
    none = lambda p, q, o: {"left": [], "right": []}  # noqa: E731
    n += _check_binary(Value, "+", lambda a, b: a + b, lambda p, q: p + q,
                       lambda p, q: 1.0, lambda p, q: 1.0, none, x, k, rng, exercise, "vn")
    n += _check_binary(Value, "+", lambda a, b: a + b, lambda p, q: p + q,
                       lambda p, q: 1.0, lambda p, q: 1.0, none, k, x, rng, exercise, "nv")
    n += _check_binary(Value, "*", lambda a, b: a * b, lambda p, q: p * q,
                       lambda p, q: q, lambda p, q: p, none, x, k, rng, exercise, "vn")
    n += _check_binary(Value, "*", lambda a, b: a * b, lambda p, q: p * q,
                       lambda p, q: q, lambda p, q: p, none, k, x, rng, exercise, "nv")
    n += _check_reuse(Value, "+", lambda a, b: a + b, lambda p, q: p + q, lambda p: 2.0,
                      x, rng, exercise)
    n += _check_reuse(Value, "*", lambda a, b: a * b, lambda p, q: p * q, lambda p: 2 * p,
                      x, rng, exercise)
    passed("Value + and *", "new Values that remember their parents; shares added into "
           "each parent's grad", n)


_KEPT_AS_THEY_ARE = ("common.not_written", "common.returned_none", "common.not_own_code")


def _earlier_ops_failure(Value):
    """The CheckFailure of exercise 1's check (+ and *) on this Value, or None if it passes."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its ✓ line is not this test's
            check_value_add_mul(Value)
    except CheckFailure as failure:
        return failure
    return None


@contextlib.contextmanager
def _blaming_earlier_ops(Value, exercise):
    """A failure inside, while + or * fail their own check, says so: -a, a - b and a / b may
    be built on them, and one mistake should not look like a new one here."""
    try:
        yield
    except CheckFailure as failure:
        # Not written / returned None read the same in every lesson: left as they are.
        earlier = None if failure.mistake_id in _KEPT_AS_THEY_ARE else _earlier_ops_failure(Value)
        if earlier is None:
            raise
        raise CheckFailure(
            f"{exercise}.earlier_op_broken",
            tr("{failure_message} But your + or * does not pass exercise 1's test yet, and "
               "this may be built on them: {earlier_message} Is the mistake here, or in "
               "exercise 1?",
               failure_message=failure.message, earlier_message=earlier.message),
            exercise) from failure


def _require_earlier_ops(Value, exercise, what):
    """Fail first when + or * fail their check: ``what`` builds its graph with them."""
    earlier = _earlier_ops_failure(Value)
    if earlier is not None:
        fail(f"{exercise}.earlier_op_broken",
             tr("{what} builds its test graph with your + and *, and they do not pass "
                "exercise 1's test yet: {earlier_message} Once that test passes, run this "
                "one again.",
                what=what, earlier_message=earlier.message),
             exercise)


def check_value_pow_sub_div(Value, seed=0):
    """Check ``v ** n`` (a number n), ``-v``, ``a - b`` and ``a / b`` (with numbers on either
    side): data, parents and the gradients their local backwards send."""
    exercise = "value_pow_sub_div"
    rng = rng_for(seed)
    expect_own_code(Value, "Value")
    n = 0
    exponents = [2, 3, -1, 0.5, float(rng.choice([-2.0, 1.5, 4.0]))]
    for exponent in exponents:
        x = float(rng.uniform(0.5, 3)) * (1 if exponent in (0.5, 1.5) else rng.choice([-1, 1]))

        def wrong(p, o, e=exponent):
            # exponent_not_lowered first: for a ** 2 both wrong versions give the same number.
            return [("exponent_not_lowered", e * p ** e, tr("Compare your share with how "
                                                            "fast a ** {e:g} really changes "
                                                            "near a = {fmt_p}: which power "
                                                            "of a belongs in the local "
                                                            "derivative?",
                                                            e=e, fmt_p=_fmt(p))),
                    ("derivative_at_wrong_value", e * o ** (e - 1) if o > 0 or float(e).is_integer()
                     else None, _AT_OUTPUT)]

        n += _check_unary(Value, f"a ** {exponent:g}", lambda a, e=exponent: a ** e,
                          lambda p, e=exponent: p ** e, lambda p, e=exponent: e * p ** (e - 1),
                          wrong, x, rng, exercise)
    with _blaming_earlier_ops(Value, exercise):  # -a, a - b, a / b may use + and *
        x = float(rng.uniform(-3, 3))
        n += _check_unary(Value, "-a", lambda a: -a, lambda p: -p, lambda p: -1.0,
                          lambda p, o: [], x, rng, exercise)
        none = lambda p, q, o: {"left": [], "right": []}  # noqa: E731
        swapped = lambda p, q, o: {  # noqa: E731
            "left": [("sign_swapped", -1.0, "That is the sign of the other input's share. Which "
                      "way does a - b move when a grows?")],
            "right": [("sign_swapped", 1.0, "That is the sign of the other input's share. Which "
                       "way does a - b move when b grows?")]}
        x, y = (float(v) for v in rng.uniform(-4, 4, size=2))
        k = float(rng.integers(2, 6))
        n += _check_binary(Value, "-", lambda a, b: a - b, lambda p, q: p - q,
                           lambda p, q: 1.0, lambda p, q: -1.0, swapped, x, y, rng, exercise)
        n += _check_binary(Value, "-", lambda a, b: a - b, lambda p, q: p - q,
                           lambda p, q: 1.0, lambda p, q: -1.0, none, x, k, rng, exercise, "vn")
        n += _check_binary(Value, "-", lambda a, b: a - b, lambda p, q: p - q,
                           lambda p, q: 1.0, lambda p, q: -1.0, none, k, x, rng, exercise, "nv")
        y = float(rng.uniform(0.5, 3) * rng.choice([-1, 1]))
        n += _check_binary(Value, "/", lambda a, b: a / b, lambda p, q: p / q,
                           lambda p, q: 1 / q, lambda p, q: -p / q**2, none, x, y, rng, exercise)
        n += _check_binary(Value, "/", lambda a, b: a / b, lambda p, q: p / q,
                           lambda p, q: 1 / q, lambda p, q: -p / q**2, none, x, k, rng, exercise,
                           "vn")
        n += _check_binary(Value, "/", lambda a, b: a / b, lambda p, q: p / q,
                           lambda p, q: 1 / q, lambda p, q: -p / q**2, none, k, y, rng, exercise,
                           "nv")
    passed("Value **, -, /", "powers, negation, subtraction and division send the right "
           "gradients back", n)


def check_value_exp_log(Value, seed=0):
    """Check ``v.exp()`` and ``v.log()``: data, parent and the gradient sent back."""
    exercise = "value_exp_log"
    rng = rng_for(seed)
    expect_own_code(Value, "Value")
    n = 0
    for x in _unary_points(rng, -2.5, 2.5):
        n += _check_unary(Value, "exp", lambda a: a.exp(), math.exp, math.exp,
                          lambda p, o: [("derivative_at_wrong_value", math.exp(o)
                                         if o < 50 else None, _AT_OUTPUT)], x, rng, exercise)
    for x in _unary_points(rng, 0.2, 5.0):
        n += _check_unary(Value, "log", lambda a: a.log(), math.log, lambda p: 1 / p,
                          lambda p, o: [("derivative_at_wrong_value",
                                         1 / o if abs(o) > 1e-9 else None, _AT_OUTPUT)],
                          x, rng, exercise)
    passed("Value.exp and Value.log", "each sends its share back to its one parent", n)


def check_value_tanh_relu(Value, seed=0):
    """Check ``v.tanh()`` and ``v.relu()`` on negative and positive inputs."""
    exercise = "value_tanh_relu"
    rng = rng_for(seed)
    expect_own_code(Value, "Value")
    n = 0
    for x in [*_unary_points(rng, -2.5, 2.5), float(rng.uniform(-2, -0.2)),
              float(rng.uniform(0.2, 2))]:
        n += _check_unary(Value, "tanh", lambda a: a.tanh(), math.tanh,
                          lambda p: 1 - math.tanh(p) ** 2,
                          lambda p, o: [("derivative_at_wrong_value", 1 - p**2, _AT_INPUT),
                                        ("derivative_at_wrong_value", 1 - math.tanh(o) ** 2,
                                         _AT_OUTPUT)], x, rng, exercise)
    for x in [float(rng.uniform(-3, -0.1)), float(rng.uniform(0.1, 3)),
              float(rng.uniform(-3, -0.1)), float(rng.uniform(0.1, 3))]:
        n += _check_unary(Value, "relu", lambda a: a.relu(), lambda p: max(p, 0.0),
                          lambda p: float(p > 0),
                          lambda p, o: [("passes_negative", 1.0,
                                         "The gradient went through although the input was "
                                         "negative. What does relu's output do when a "
                                         "negative input moves a little?"),
                                        ("derivative_at_wrong_value", o, "The share scaled "
                                         "with the value itself. When a positive input grows "
                                         "by a little, by how much does relu's output grow?")],
                          x, rng, exercise)
    passed("Value.tanh and Value.relu", "each sends its share back, on both sides of 0", n)


# --- backward -----------------------------------------------------------------------------

# A probe graph: (name, op, left, right); a name refers to an earlier row, a float is a
# constant. x is used twice (leaf reuse) and a is used at two depths (a BFS order fails).
_PROBE = [("x", "input", None, None), ("y", "input", None, None),
          ("a", "*", "x", "y"), ("b", "*", "a", 4.0), ("c", "*", "b", 2.0),
          ("d", "+", "c", "a"), ("e", "*", "d", "x")]


def _build_probe(Value, numbers, exercise):
    values = {}
    for name, op, left, right in _PROBE:
        if op == "input":
            values[name] = _new(Value, numbers[name], exercise, name)
            continue
        p = values[left]
        q = values[right] if isinstance(right, str) else right
        what = f"{name} = {left} {op} {right if isinstance(right, str) else _fmt(right)}"
        values[name] = call(what, (lambda u, v: u * v) if op == "*" else (lambda u, v: u + v),
                            p, q, exercise=exercise)
        values[name].label = name
    return values


def _simulate(numbers, mode):
    """Every probe value's grad after e.backward() done the way ``mode`` says.

    correct: reverse topological order, +=, seeded; no_seed; overwrite (= instead of +=);
    forward (topological order, not reversed); bfs (level by level from e); repeats (a value
    reached twice is visited twice).
    """
    data, parents = {}, {}
    for name, op, left, right in _PROBE:
        if op == "input":
            data[name], parents[name] = numbers[name], []
            continue
        p = data[left]
        q = data[right] if isinstance(right, str) else right
        data[name] = p * q if op == "*" else p + q
        local = (q, p) if op == "*" else (1.0, 1.0)
        parents[name] = [(left, local[0])] + ([(right, local[1])] if isinstance(right, str)
                                              else [])
    names = [row[0] for row in _PROBE]
    if mode in ("correct", "no_seed", "overwrite"):
        visit = list(reversed(names))
    elif mode == "forward":
        visit = list(names)
    elif mode == "bfs":
        visit, queue, seen = [], ["e"], {"e"}
        while queue:
            node = queue.pop(0)
            visit.append(node)
            for parent, _ in parents[node]:
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
    elif mode == "repeats":
        post = []

        def walk(node):
            for parent, _ in parents[node]:
                walk(parent)
            post.append(node)

        walk("e")
        visit = list(reversed(post))
    else:
        raise ValueError(mode)
    grads = dict.fromkeys(names, 0.0)
    if mode != "no_seed":
        grads["e"] = 1.0
    for node in visit:
        for parent, local in parents[node]:
            if mode == "overwrite":
                grads[parent] = local * grads[node]
            else:
                grads[parent] += local * grads[node]
    return grads


_BACKWARD_MISTAKES = {
    "no_seed": ("not_seeded",
                "every gradient is 0 after e.backward(), e's own included. Each node passes "
                "back its own grad times a local derivative, so everything starts from the "
                "gradient of e with respect to itself. What is d e / d e, and where does your "
                "backward set it?"),
    "overwrite": ("overwrites_grad",
                  "x is used twice (in a = x * y and in e = d * x) and a twice (in b and in "
                  "d), but each kept only the last share it received: the gradients of a value "
                  "used twice must add up (the branch rule). Where is a share written over "
                  "the one already there?"),
    "forward": ("wrong_order",
                "the nodes passed their gradients on before they had received any: x and y "
                "got (almost) nothing. This is what visiting the nodes in forward order does. "
                "Which node must pass its gradient on first, and which last?"),
    "bfs": ("wrong_order",
            "a ends with the right gradient, but x and y got too little: a passed its gradient "
            "on to x and y before c had added its share to a. Level by level from e is not "
            "enough when a value is used at two depths. What must be true of every use of a "
            "before a passes its gradient on?"),
    "repeats": ("visits_twice",
                "x and y got too much: a value reached along two paths was visited twice and "
                "passed its gradient on twice. How does your topological order remember which "
                "values it has already placed?"),
}


def check_value_backward(Value, topological_order=None, seed=0):
    """Check ``Value.backward()`` on a graph where x and a are used twice: every value's grad
    after e.backward() equals d e / d value. topological_order: the student's, which backward
    relies on; given, it is first called on a lone Value (written? returns a list?)."""
    exercise = "value_backward"
    rng = rng_for(seed)
    expect_own_code(Value, "Value")
    if topological_order is not None:
        _expect_a_list_from(topological_order, Value, exercise)
    _require_earlier_ops(Value, exercise, "This test of backward")
    n = 0
    for _ in range(3):
        numbers = {"x": float(rng.uniform(0.5, 2) * rng.choice([-1, 1])),
                   "y": float(rng.uniform(0.5, 2) * rng.choice([-1, 1]))}
        values = _build_probe(Value, numbers, exercise)
        call("e.backward()", _method(values["e"], "backward"), exercise=exercise)
        got = {name: float(v.grad) for name, v in values.items()}
        want = _simulate(numbers, "correct")
        n += 1
        if all(_close(got[k], want[k]) for k in want):
            continue
        listing = ", ".join(f"{k}.grad = {_fmt(got[k])}" for k in ("x", "y", "a"))
        graph = (f"for x = {_fmt(numbers['x'])}, y = {_fmt(numbers['y'])}: a = x * y, "
                 f"b = a * 4, c = b * 2, d = c + a, e = d * x; ")
        for mode, (mistake, sentence) in _BACKWARD_MISTAKES.items():
            simulated = _simulate(numbers, mode)
            if all(_close(got[k], simulated[k]) for k in simulated):
                fail(f"{exercise}.{mistake}",
                     tr("e.backward() {graph}you got {listing}: {sentence}",
                        graph=graph, listing=listing, sentence=sentence), exercise)
        wrong = [k for k in want if not _close(got[k], want[k])]
        fail(f"{exercise}.wrong_gradients",
             tr("e.backward() {graph}you got {listing}; {wrong_0}.grad should be "
                "{fmt_want_wrong_0} (d e / d {wrong_0}). Step through your order by hand: "
                "does every value receive all its shares before it passes its gradient on?",
                graph=graph, listing=listing, wrong_0=wrong[0],
                fmt_want_wrong_0=_fmt(want[wrong[0]])),
             exercise)
    lone = _new(Value, float(rng.uniform(-3, 3)), exercise, "x")
    call("x.backward() on a lone Value x", _method(lone, "backward"), exercise=exercise)
    if not _close(lone.grad, 1.0):
        if _close(lone.grad, 0.0):
            fail(f"{exercise}.not_seeded",
                 "x.backward() on a Value x that was computed from nothing left x.grad at 0. "
                 "The gradient of x with respect to itself is where every backward pass "
                 "starts. Where does your backward set it?", exercise)
        fail(f"{exercise}.wrong_seed",
             tr("x.backward() on a lone Value x left x.grad at {fmt_lone_grad}. How much "
                "does x change when x changes by 1?",
                fmt_lone_grad=_fmt(lone.grad)), exercise)
    n += 1
    passed("Value.backward", "seeded with 1, reverse topological order, shares added", n)


def _expect_a_list_from(topological_order, Value, exercise):
    """topological_order on one lone Value: written, and returning something (a list)."""
    lone = _new(Value, 1.0, exercise, "x")
    what = "topological_order(x) for a lone Value x"
    expect_value(call(what, topological_order, lone, exercise=exercise), what, exercise)


def check_topological_order(topological_order, Value, seed=0):
    """Check ``topological_order(root)``: every value reachable from root once, each after the
    values it was made from, root last."""
    exercise = "value_backward"
    rng = rng_for(seed)
    expect_own_code(topological_order, "topological_order")
    _expect_a_list_from(topological_order, Value, exercise)
    _require_earlier_ops(Value, exercise, "This test of topological_order")
    n = 0
    for _ in range(2):
        numbers = {"x": float(rng.uniform(0.5, 2)), "y": float(rng.uniform(0.5, 2))}
        values = _build_probe(Value, numbers, exercise)
        root = values["e"]
        order = expect_value(call("topological_order(e)", topological_order, root,
                                  exercise=exercise), "topological_order(e)", exercise)
        try:
            order = list(order)
        except TypeError:
            fail("common.wrong_type", tr("topological_order(e) returned {kind_of_order}; it "
                                         "returns a list of Values.",
                                         kind_of_order=kind_of(order)), exercise)
        labels = [getattr(v, "label", "?") or "a constant" for v in order]
        ids = [id(v) for v in order]
        for name, value in values.items():
            count = ids.count(id(value))
            if count > 1:
                fail(f"{exercise}.visits_twice",
                     tr("topological_order(e) lists {name} {count} times ({labels}). {name} "
                        "is used twice, and your walk placed it once per use; backward "
                        "would then pass its gradient on twice. How does your walk remember "
                        "what it has already placed?",
                        name=name, count=count, labels=labels), exercise)
            if count == 0:
                fail(f"{exercise}.misses_values",
                     tr("topological_order(e) has no {name} ({labels}), but e was computed "
                        "from it. Does your walk visit the parents of every value it meets?",
                        name=name, labels=labels),
                     exercise)
        position = {id(v): i for i, v in enumerate(order)}
        if position[id(root)] != len(order) - 1:
            fail(f"{exercise}.wrong_order",
                 tr("topological_order(e) gave {labels}: e is not last. Every value must "
                    "come after the values it was made from, so the result comes last. Is "
                    "your list reversed?",
                    labels=labels), exercise)
        for value in order:
            for parent in _parents(value):
                if position.get(id(parent), -1) > position[id(value)]:
                    fail(f"{exercise}.wrong_order",
                         tr("topological_order(e) gave {labels}: "
                            "{parent_label_or_a_constant} comes after {value_label}, which "
                            "was computed from it. When does your walk append a value: "
                            "before or after all of its parents?",
                            labels=labels,
                            parent_label_or_a_constant=parent.label or 'a constant',
                            value_label=value.label),
                         exercise)
        n += 1
    passed("topological_order", "each value once, after its parents, the result last", n)


# --- what is built from Values ------------------------------------------------------------

# The checks of the Value itself, in the lesson's order, with the exercise each one grades.
_VALUE_CHECKS = [
    ("exercise 1 (+ and *)", check_value_add_mul),
    ("exercise 2 (**, -, /)", check_value_pow_sub_div),
    ("exercise 3 (exp, log)", check_value_exp_log),
    ("exercise 4 (tanh, relu)", check_value_tanh_relu),
    ("exercise 5 (backward)", check_value_backward),
]


def _blaming_value(check):
    """When ``check(answer, Value, ...)`` fails while the student's Value fails one of its own
    checks, say which: the shop, the neuron and the MLP are built on it, and one mistake in
    an operation should not look like a new one here."""

    @functools.wraps(check)
    def wrapped(answer, Value, *args, **kwargs):
        try:
            return check(answer, Value, *args, **kwargs)
        except CheckFailure as failure:
            if failure.mistake_id in _KEPT_AS_THEY_ARE:
                raise
            for exercise, value_check in _VALUE_CHECKS:
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        value_check(Value)
                except CheckFailure as earlier:
                    raise CheckFailure(
                        f"{failure.exercise}.earlier_op_broken",
                        tr("{failure_message} This is built on your Value, which does not "
                           "pass the test of {exercise} yet: {earlier_message} Is the "
                           "mistake here, or there?",
                           failure_message=failure.message, exercise=exercise,
                           earlier_message=earlier.message), failure.exercise) from failure
            raise

    return wrapped


def _shop_total(p):
    return (p["apple_price"] * p["apple_count"] + p["orange_price"] * p["orange_count"]) * p["tax"]


def _shop_grads(p):
    subtotal = p["apple_price"] * p["apple_count"] + p["orange_price"] * p["orange_count"]
    return {"apple_price": p["apple_count"] * p["tax"], "apple_count": p["apple_price"] * p["tax"],
            "orange_price": p["orange_count"] * p["tax"],
            "orange_count": p["orange_price"] * p["tax"], "tax": subtotal}


@_blaming_value
def check_shop_values(shop_values, Value, seed=None):
    """Check ``shop_values(...) -> (total, inputs)``: the shop built from the student's Values,
    its total (715 with the notes' numbers) and, after backward, the five gradients."""
    exercise = "shop_values"
    expect_own_code(shop_values, "shop_values")
    cases = [notes_shop()]
    if seed is not None:
        cases.append(random_shop(rng_for(seed)))
    for prices in cases:
        what = "shop_values(" + ", ".join(f"{k}={_fmt(v)}" for k, v in prices.items()) + ")"
        result = expect_value(call(what, shop_values, **prices, exercise=exercise), what,
                              exercise)
        if not (isinstance(result, tuple) and len(result) == 2):
            fail("common.wrong_type", tr("{what} returned {kind_of_result}; it returns two "
                                         "things, (total, inputs).",
                                         what=what, kind_of_result=kind_of(result)), exercise)
        total, inputs = result
        _expect_value(total, Value, f"{what}: total", exercise)
        if not isinstance(inputs, dict) or set(inputs) != set(SHOP_INPUTS):
            fail("common.wrong_keys", tr("{what}: inputs is {kind_of_inputs}; it is a dict "
                                         "with the keys {list_SHOP_INPUTS}, each the input "
                                         "Value.",
                                         what=what, kind_of_inputs=kind_of(inputs),
                                         list_SHOP_INPUTS=list(SHOP_INPUTS)), exercise)
        for name in SHOP_INPUTS:
            _expect_value(inputs[name], Value, f"{what}: inputs[{name!r}]", exercise)
        if not _close(total.data, _shop_total(prices)):
            fail(f"{exercise}.wrong_total",
                 tr("{what}: total.data is {fmt_total_data}, but the shop costs "
                    "{fmt__shop_total_prices}. Apples and oranges are added before the tax "
                    "multiplies both.",
                    what=what, fmt_total_data=_fmt(total.data),
                    fmt__shop_total_prices=_fmt(_shop_total(prices))), exercise)
        _expect_connected(total, inputs, what, exercise)
        want = _shop_grads(prices)
        if all(_close(inputs[k].grad, 0) for k in SHOP_INPUTS):
            fail(f"{exercise}.no_backward",
                 tr("{what}: every input's grad is 0. The gradients exist only after the "
                    "backward pass has run from the total. Which call starts it?",
                    what=what), exercise)
        ratios = [inputs[k].grad / want[k] for k in SHOP_INPUTS]
        if all(r > 1.5 and _close(r, round(r)) for r in ratios):
            fail(f"{exercise}.backward_twice",
                 tr("{what}: every input's grad is a whole multiple of what it should be "
                    "({grads}). Gradients accumulate: did the backward pass run more than "
                    "once on the same graph?",
                    what=what,
                    grads=", ".join(f"{k} {_fmt(inputs[k].grad)}" for k in SHOP_INPUTS)),
                 exercise)
        for name in SHOP_INPUTS:
            got = inputs[name].grad
            if not _close(got, want[name]):
                fail(f"{exercise}.wrong_gradient",
                     tr("{what}: inputs[{name!r}].grad is {fmt_got}, but raising {name} by "
                        "a little raises the total {fmt_want_name} times as much. Is the "
                        "graph the shop's: which inputs meet in which node?",
                        what=what, name=name, fmt_got=_fmt(got),
                        fmt_want_name=_fmt(want[name])), exercise)
    passed("shop_values", "715 and the five gradients, from your Values", len(cases))


def _reference_neuron(xs, ws, b):
    """y and the gradients of y = sigmoid(w . x + b) from bpkit's lesson-04/05 layers."""
    from ..layers import Affine, Sigmoid

    affine = Affine(np.array(ws, dtype=float).reshape(-1, 1), np.array([b], dtype=float))
    sigmoid = Sigmoid()
    y = sigmoid.forward(affine.forward(np.array(xs, dtype=float).reshape(1, -1)))
    dx = affine.backward(sigmoid.backward(np.ones((1, 1))))
    return float(y[0, 0]), dx[0], affine.dW[:, 0], float(affine.db[0])


@_blaming_value
def check_sigmoid_neuron(neuron, Value, seed=0):
    """Check ``neuron(xs, ws, b)``: sigmoid(sum w_i x_i + b) from the student's Values, against
    bpkit's Affine and Sigmoid layers and against numerical gradients."""
    exercise = "sigmoid_neuron"
    rng = rng_for(seed)
    expect_own_code(neuron, "neuron")
    n = 0
    for size in (1, int(rng.integers(2, 5)), int(rng.integers(2, 5))):
        xs_n = [float(v) for v in rng.uniform(-2, 2, size)]
        ws_n = [float(v) for v in rng.uniform(-1.5, 1.5, size)]
        b_n = float(rng.uniform(-1, 1))
        xs = [_new(Value, v, exercise, f"x{i + 1}") for i, v in enumerate(xs_n)]
        ws = [_new(Value, v, exercise, f"w{i + 1}") for i, v in enumerate(ws_n)]
        b = _new(Value, b_n, exercise, "b")
        what = tr("neuron(xs, ws, b) with {size} input{s_if_size_1_else}",
                  size=size, s_if_size_1_else='s' if size > 1 else '')
        y = _expect_value(call(what, neuron, xs, ws, b, exercise=exercise), Value, what,
                          exercise)
        y_ref, dx, dw, db = _reference_neuron(xs_n, ws_n, b_n)
        if not _close(y.data, y_ref):
            z = float(np.dot(xs_n, ws_n) + b_n)
            fail(f"{exercise}.wrong_forward",
                 tr("{what}: y.data is {fmt_y_data}, but bpkit's Affine then Sigmoid give "
                    "{fmt_y_ref} (w · x + b = {fmt_z}). Is every product w_i x_i in the "
                    "sum, and b too, before the sigmoid?",
                    what=what, fmt_y_data=_fmt(y.data), fmt_y_ref=_fmt(y_ref), fmt_z=_fmt(z)),
                    exercise)
        _expect_connected(y, {"b": b, **{f"w{i + 1}": w for i, w in enumerate(ws)},
                              **{f"x{i + 1}": x for i, x in enumerate(xs)}}, what, exercise)
        call(f"y.backward() after {what}", _method(y, "backward"), exercise=exercise)
        got = {"b": b.grad, **{f"w{i + 1}": w.grad for i, w in enumerate(ws)},
               **{f"x{i + 1}": x.grad for i, x in enumerate(xs)}}
        want = {"b": db, **{f"w{i + 1}": dw[i] for i in range(size)},
                **{f"x{i + 1}": dx[i] for i in range(size)}}
        for name in want:
            if not _close(got[name], want[name], 1e-5):
                fail(f"{exercise}.wrong_gradient",
                     tr("{what}: after y.backward(), {name}.grad is {fmt_got_name}, but "
                        "bpkit's Sigmoid and Affine layers (lessons 04 and 05) give "
                        "{fmt_want_name}. Your Value operations pass their own tests; is "
                        "the neuron built from them the sigmoid of w · x + b?",
                        what=what, name=name, fmt_got_name=_fmt(got[name]),
                        fmt_want_name=_fmt(want[name])), exercise)
        # Numerical gradients of the student's own function (수치 미분), an independent oracle.
        h = 1e-6
        for i in range(size):
            def y_of(w_i, i=i, xs_n=xs_n, ws_n=ws_n, b_n=b_n):
                ws_moved = [Value(v) for v in ws_n]
                ws_moved[i] = Value(w_i)
                return neuron([Value(v) for v in xs_n], ws_moved, Value(b_n)).data
            slope = (y_of(ws_n[i] + h) - y_of(ws_n[i] - h)) / (2 * h)
            if not _close(got[f"w{i + 1}"], slope, 1e-5):
                fail("common.gradient_mismatch",
                     tr("{what}: w{i_1}.grad is {fmt_got_f_w_i_1}, but nudging w{i_1} moves "
                        "y at a rate of {fmt_slope} (numerical gradient).",
                        what=what, i_1=i + 1, fmt_got_f_w_i_1=_fmt(got[f'w{i + 1}']),
                        fmt_slope=_fmt(slope)), exercise)
        n += 1
    passed("neuron", "matches bpkit's Affine + Sigmoid and the numerical gradients", n)


def _parameter_count(sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False))


@_blaming_value
def check_mlp(MLP, Value, seed=0):
    """Check ``MLP(sizes, seed)``: calling it gives a list of Values in (0, 1), parameters()
    lists every weight and bias once, and backward's gradients match numerical ones."""
    exercise = "mlp"
    rng = rng_for(seed)
    expect_own_code(MLP, "MLP")
    n = 0
    for sizes in ([2, 3, 1], [int(rng.integers(2, 4)), int(rng.integers(2, 5)),
                              int(rng.integers(2, 4)), int(rng.integers(1, 3))]):
        model_seed = int(rng.integers(2**31))
        what = f"MLP({sizes}, seed={model_seed})"
        model = call(what, MLP, sizes, model_seed, exercise=exercise)
        params = call(f"{what}.parameters()", _method(model, "parameters"), exercise=exercise)
        params = list(expect_value(params, f"{what}.parameters()", exercise))
        want_count = _parameter_count(sizes)
        if len(params) != want_count or len({id(p) for p in params}) != len(params):
            fail(f"{exercise}.parameter_count",
                 tr("{what}.parameters() gave {len_params} values "
                    "({len_id_p_for_p_in_params} different), but layers of sizes {sizes} "
                    "have {want_count} weights and biases: each neuron has one weight per "
                    "input and one bias. Which ones are missing or listed twice?",
                    what=what, len_params=len(params),
                    len_id_p_for_p_in_params=len({id(p) for p in params}), sizes=sizes,
                    want_count=want_count), exercise)
        for p in params:
            _expect_value(p, Value, f"{what}.parameters() entry", exercise)
        again = [p.data for p in call(what, MLP, sizes, model_seed, exercise=exercise)
                 .parameters()]
        if not np.allclose(again, [p.data for p in params]):
            fail(f"{exercise}.ignores_seed",
                 tr("Two calls of {what} gave different weights. The same seed must give "
                    "the same network, so that a run can be repeated: do you draw the "
                    "weights from a generator made from seed?",
                    what=what), exercise)
        xs = [float(v) for v in rng.uniform(-1, 1, sizes[0])]
        called = f"{what}({[round(x, 3) for x in xs]})"
        outputs = expect_value(call(called, model, [Value(x) for x in xs], exercise=exercise),
                               called, exercise)
        if not isinstance(outputs, (list, tuple)) or len(outputs) != sizes[-1]:
            fail("common.wrong_count", tr("Calling {what} on {sizes_0} inputs returned "
                                          "{kind_of_outputs}; it returns a list of "
                                          "{sizes_1} Values, one per output neuron.",
                                          what=what, sizes_0=sizes[0],
                                          kind_of_outputs=kind_of(outputs), sizes_1=sizes[-1]),
                                          exercise)
        for out in outputs:
            _expect_value(out, Value, tr("an output of {what}",
                                         what=what), exercise)
            if not 0 < out.data < 1:
                fail(f"{exercise}.output_not_sigmoid",
                     tr("An output of {what} is {fmt_out_data}, outside (0, 1): the last "
                        "layer is a sigmoid layer, so its outputs are probabilities.",
                        what=what, fmt_out_data=_fmt(out.data)), exercise)
        coefficients = [float(c) for c in rng.uniform(-1, 1, sizes[-1])]

        def loss_of(model=model, xs=xs, coefficients=coefficients):
            outputs = model([Value(x) for x in xs])
            return sum((c * o for c, o in zip(coefficients, outputs, strict=False)), Value(0.0))

        for p in params:
            p.grad = 0.0
        loss = call(tr("the loss of {what}",
                       what=what), loss_of, exercise=exercise)
        call("loss.backward()", _method(loss, "backward"), exercise=exercise)
        analytic = [p.grad for p in params]
        numeric, h = [], 1e-6
        for p in params:
            original = p.data
            p.data = original + h
            plus = loss_of().data
            p.data = original - h
            minus = loss_of().data
            p.data = original
            numeric.append((plus - minus) / (2 * h))
        error = gradient_error(analytic, numeric)
        if not error < 1e-5:
            worst = int(np.argmax(np.abs(np.subtract(analytic, numeric))))
            fail("common.gradient_mismatch",
                 tr("{what}: after backward, parameter {worst} has grad "
                    "{fmt_analytic_worst}, but nudging it moves the loss at a rate of "
                    "{fmt_numeric_worst} (numerical gradient). Does every neuron use its "
                    "own weights and bias, all of them Values listed by parameters()?",
                    what=what, worst=worst, fmt_analytic_worst=_fmt(analytic[worst]),
                    fmt_numeric_worst=_fmt(numeric[worst])), exercise)
        n += 1
    passed("MLP", "parameters, outputs in (0, 1), gradients equal to numerical ones", n)


def check_train_xor(train_xor, seed=0):
    """Check ``train_xor(x, t, seed) -> (model, losses)`` on bpkit's four XOR points: all four
    right afterwards, and a loss that fell."""
    from ..data import xor

    exercise = "train_xor"
    expect_own_code(train_xor, "train_xor")
    x, t = xor()
    what = f"train_xor(x, t, seed={seed})"
    result = expect_value(call(what, train_xor, x.copy(), t.copy(), seed, exercise=exercise),
                          what, exercise)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail("common.wrong_type", tr("{what} returned {kind_of_result}; it returns (model, "
                                     "losses).",
                                     what=what, kind_of_result=kind_of(result)), exercise)
    model, losses = result
    try:
        losses = [float(v.data if hasattr(v, "data") else v) for v in losses]
    except (TypeError, ValueError):
        fail("common.wrong_type", tr("{what}: losses is {kind_of_losses}; it is a list of "
                                     "numbers, one per step.",
                                     what=what, kind_of_losses=kind_of(losses)), exercise)
    if len(losses) < 2:
        fail(f"{exercise}.too_few_losses", tr("{what}: losses has {len_losses} entries; "
                                              "keep one per training step.",
                                              what=what, len_losses=len(losses)), exercise)
    outputs = []
    for row in x:
        out = call(tr("the trained model on {row_tolist}",
                      row_tolist=row.tolist()), model, [float(v) for v in row],
                   exercise=exercise)
        out = out[0] if isinstance(out, (list, tuple)) else out
        outputs.append(float(out.data if hasattr(out, "data") else out))
    predicted = (np.array(outputs) > 0.5).astype(int)
    right = int(np.sum(predicted == t))
    if not losses[-1] < losses[0]:
        fail(f"{exercise}.loss_not_falling",
             tr("{what}: the loss went from {fmt_losses_0} to {fmt_losses_1}; it did not "
                "fall. Which way does your update move each parameter: along its gradient "
                "or against it? And is every grad set back to 0 before each backward "
                "(backward adds)?",
                what=what, fmt_losses_0=_fmt(losses[0]), fmt_losses_1=_fmt(losses[-1])), exercise)
    if right < 4:
        fail(f"{exercise}.not_learned",
             tr("{what}: after training, {right} of the 4 XOR points are right (outputs "
                "{round_o_3_for_o_in_outputs} for targets {t_tolist}; the loss went from "
                "{fmt_losses_0} to {fmt_losses_1}). Are the gradients reset to 0 every "
                "step, and are the learning rate and the number of steps enough?",
                what=what, right=right,
                round_o_3_for_o_in_outputs=[round(o, 3) for o in outputs], t_tolist=t.tolist(),
                fmt_losses_0=_fmt(losses[0]), fmt_losses_1=_fmt(losses[-1])), exercise)
    passed("train_xor", tr("4 of 4 XOR points right, loss {fmt_losses_0} -> {fmt_losses_1}",
                           fmt_losses_0=_fmt(losses[0]), fmt_losses_1=_fmt(losses[-1])), 2)
