"""Checks of lesson 10's second half: what a student builds from their own ``Value`` — the
notes' shop (715; 2.2, 110, 3.3, 165, 650), a sigmoid neuron compared with bpkit's ``Affine``
and ``Sigmoid`` layers and with numerical gradients, an MLP of Values, and its training on XOR.
"""

import contextlib
import functools
import io

import numpy as np

from . import autograd as value_checks
from ._common import expect_own_code
from ._student import CheckFailure, call, fail, kind_of, passed, rng_for
from .autograd import _close, _expect_connected, _expect_value, _fmt, _method, _new

# The checks of the Value itself, in the lesson's order, with the exercise each one grades.
_VALUE_CHECKS = [
    ("exercise 1 (+ and *)", value_checks.check_value_add_mul),
    ("exercise 2 (**, -, /)", value_checks.check_value_pow_sub_div),
    ("exercise 3 (exp, log)", value_checks.check_value_exp_log),
    ("exercise 4 (tanh, relu)", value_checks.check_value_tanh_relu),
    ("exercise 5 (backward)", value_checks.check_value_backward),
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
            if failure.mistake_id == "common.not_own_code":
                raise
            for exercise, value_check in _VALUE_CHECKS:
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        value_check(Value)
                except CheckFailure as earlier:
                    raise CheckFailure(
                        f"{failure.exercise}.earlier_op_broken",
                        f"{failure.message} This is built on your Value, which does not pass "
                        f"the test of {exercise} yet: {earlier.message} Is the mistake here, "
                        f"or there?", failure.exercise) from failure
            raise

    return wrapped

__all__ = ["check_mlp", "check_shop_values", "check_sigmoid_neuron", "check_train_xor"]

SHOP_NAMES = ("apple_price", "apple_count", "orange_price", "orange_count", "tax")


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
    cases = [{"apple_price": 100, "apple_count": 2, "orange_price": 150, "orange_count": 3,
              "tax": 1.1}]
    if seed is not None:
        rng = rng_for(seed)
        cases.append({"apple_price": float(rng.integers(10, 300)),
                      "apple_count": float(rng.integers(1, 10)),
                      "orange_price": float(rng.integers(10, 300)),
                      "orange_count": float(rng.integers(1, 10)),
                      "tax": float(np.round(rng.uniform(1.0, 1.3), 2))})
    for prices in cases:
        what = "shop_values(" + ", ".join(f"{k}={_fmt(v)}" for k, v in prices.items()) + ")"
        result = call(what, shop_values, **prices, exercise=exercise)
        if not (isinstance(result, tuple) and len(result) == 2):
            fail("common.wrong_type", f"{what} returned {kind_of(result)}; it returns two "
                 "things, (total, inputs).", exercise)
        total, inputs = result
        _expect_value(total, Value, f"{what}: total", exercise)
        if not isinstance(inputs, dict) or set(inputs) != set(SHOP_NAMES):
            fail("common.wrong_keys", f"{what}: inputs is {kind_of(inputs)}; it is a dict with "
                 f"the keys {list(SHOP_NAMES)}, each the input Value.", exercise)
        for name in SHOP_NAMES:
            _expect_value(inputs[name], Value, f"{what}: inputs[{name!r}]", exercise)
        if not _close(total.data, _shop_total(prices)):
            fail(f"{exercise}.wrong_total",
                 f"{what}: total.data is {_fmt(total.data)}, but the shop costs "
                 f"{_fmt(_shop_total(prices))}. Apples and oranges are added before the tax "
                 f"multiplies both.", exercise)
        _expect_connected(total, inputs, what, exercise)
        want = _shop_grads(prices)
        if all(_close(inputs[k].grad, 0) for k in SHOP_NAMES):
            fail(f"{exercise}.no_backward",
                 f"{what}: every input's grad is 0. The gradients exist only after the backward "
                 f"pass has run from the total. Which call starts it?", exercise)
        ratios = [inputs[k].grad / want[k] for k in SHOP_NAMES]
        if all(r > 1.5 and _close(r, round(r)) for r in ratios):
            fail(f"{exercise}.backward_twice",
                 f"{what}: every input's grad is a whole multiple of what it should be "
                 f"({', '.join(f'{k} {_fmt(inputs[k].grad)}' for k in SHOP_NAMES)}). Gradients "
                 f"accumulate: did the backward pass run more than once on the same graph?",
                 exercise)
        for name in SHOP_NAMES:
            got = inputs[name].grad
            if not _close(got, want[name]):
                fail(f"{exercise}.wrong_gradient",
                     f"{what}: inputs[{name!r}].grad is {_fmt(got)}, but raising {name} by a "
                     f"little raises the total {_fmt(want[name])} times as much. Is the graph "
                     f"the shop's: which inputs meet in which node?", exercise)
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
        what = f"neuron(xs, ws, b) with {size} input{'s' if size > 1 else ''}"
        y = _expect_value(call(what, neuron, xs, ws, b, exercise=exercise), Value, what,
                          exercise)
        y_ref, dx, dw, db = _reference_neuron(xs_n, ws_n, b_n)
        if not _close(y.data, y_ref):
            z = float(np.dot(xs_n, ws_n) + b_n)
            fail(f"{exercise}.wrong_forward",
                 f"{what}: y.data is {_fmt(y.data)}, but bpkit's Affine then Sigmoid give "
                 f"{_fmt(y_ref)} (w · x + b = {_fmt(z)}). Is every product w_i x_i in the sum, "
                 f"and b too, before the sigmoid?", exercise)
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
                     f"{what}: after y.backward(), {name}.grad is {_fmt(got[name])}, but "
                     f"bpkit's Sigmoid and Affine layers (lessons 04 and 05) give "
                     f"{_fmt(want[name])}. Your Value operations pass their own tests; is the "
                     f"neuron built from them the sigmoid of w · x + b?", exercise)
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
                     f"{what}: w{i + 1}.grad is {_fmt(got[f'w{i + 1}'])}, but nudging w{i + 1} "
                     f"moves y at a rate of {_fmt(slope)} (numerical gradient).", exercise)
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
        params = list(params) if params is not None else None
        if params is None:
            fail("common.returned_none", f"{what}.parameters() returned None: it returns the "
                 "list of every weight and bias Value.", exercise)
        want_count = _parameter_count(sizes)
        if len(params) != want_count or len({id(p) for p in params}) != len(params):
            fail(f"{exercise}.parameter_count",
                 f"{what}.parameters() gave {len(params)} values "
                 f"({len({id(p) for p in params})} different), but layers of sizes {sizes} "
                 f"have {want_count} weights and biases: each neuron has one weight per input "
                 f"and one bias. Which ones are missing or listed twice?", exercise)
        for p in params:
            _expect_value(p, Value, f"{what}.parameters() entry", exercise)
        again = [p.data for p in call(what, MLP, sizes, model_seed, exercise=exercise)
                 .parameters()]
        if not np.allclose(again, [p.data for p in params]):
            fail(f"{exercise}.ignores_seed",
                 f"Two calls of {what} gave different weights. The same seed must give the "
                 f"same network, so that a run can be repeated: do you draw the weights from "
                 f"a generator made from seed?", exercise)
        xs = [float(v) for v in rng.uniform(-1, 1, sizes[0])]
        outputs = call(f"{what}({[round(x, 3) for x in xs]})", model, [Value(x) for x in xs],
                       exercise=exercise)
        if not isinstance(outputs, (list, tuple)) or len(outputs) != sizes[-1]:
            fail("common.wrong_count", f"Calling {what} on {sizes[0]} inputs returned "
                 f"{kind_of(outputs)}; it returns a list of {sizes[-1]} Values, one per output "
                 "neuron.", exercise)
        for out in outputs:
            _expect_value(out, Value, f"an output of {what}", exercise)
            if not 0 < out.data < 1:
                fail(f"{exercise}.output_not_sigmoid",
                     f"An output of {what} is {_fmt(out.data)}, outside (0, 1): the last layer "
                     f"is a sigmoid layer, so its outputs are probabilities.", exercise)
        coefficients = [float(c) for c in rng.uniform(-1, 1, sizes[-1])]

        def loss_of(model=model, xs=xs, coefficients=coefficients):
            outputs = model([Value(x) for x in xs])
            return sum((c * o for c, o in zip(coefficients, outputs, strict=False)), Value(0.0))

        for p in params:
            p.grad = 0.0
        loss = call(f"the loss of {what}", loss_of, exercise=exercise)
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
        error = float(np.max(np.abs(np.subtract(analytic, numeric)))
                      / max(1e-8, np.max(np.abs(numeric))))
        if not error < 1e-5:
            worst = int(np.argmax(np.abs(np.subtract(analytic, numeric))))
            fail("common.gradient_mismatch",
                 f"{what}: after backward, parameter {worst} has grad {_fmt(analytic[worst])}, "
                 f"but nudging it moves the loss at a rate of {_fmt(numeric[worst])} "
                 f"(numerical gradient). Does every neuron use its own weights and bias, all "
                 f"of them Values listed by parameters()?", exercise)
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
    result = call(what, train_xor, x.copy(), t.copy(), seed, exercise=exercise)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail("common.wrong_type", f"{what} returned {kind_of(result)}; it returns "
             "(model, losses).", exercise)
    model, losses = result
    try:
        losses = [float(v.data if hasattr(v, "data") else v) for v in losses]
    except (TypeError, ValueError):
        fail("common.wrong_type", f"{what}: losses is {kind_of(losses)}; it is a list of "
             "numbers, one per step.", exercise)
    if len(losses) < 2:
        fail(f"{exercise}.too_few_losses", f"{what}: losses has {len(losses)} entries; keep "
             "one per training step.", exercise)
    outputs = []
    for row in x:
        out = call(f"the trained model on {row.tolist()}", model, [float(v) for v in row],
                   exercise=exercise)
        out = out[0] if isinstance(out, (list, tuple)) else out
        outputs.append(float(out.data if hasattr(out, "data") else out))
    predicted = (np.array(outputs) > 0.5).astype(int)
    right = int(np.sum(predicted == t))
    if not losses[-1] < losses[0]:
        fail(f"{exercise}.loss_not_falling",
             f"{what}: the loss went from {_fmt(losses[0])} to {_fmt(losses[-1])}; it did not "
             f"fall. Which way does your update move each parameter: along its gradient or "
             f"against it? And is every grad set back to 0 before each backward (backward "
             f"adds)?", exercise)
    if right < 4:
        fail(f"{exercise}.not_learned",
             f"{what}: after training, {right} of the 4 XOR points are right (outputs "
             f"{[round(o, 3) for o in outputs]} for targets {t.tolist()}; the loss went from "
             f"{_fmt(losses[0])} to {_fmt(losses[-1])}). Are the gradients reset to 0 every "
             f"step, and are the learning rate and the number of steps enough?", exercise)
    passed("train_xor", f"4 of 4 XOR points right, loss {_fmt(losses[0])} -> "
           f"{_fmt(losses[-1])}", 2)
