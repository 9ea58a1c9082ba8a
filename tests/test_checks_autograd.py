"""bpkit.checks.autograd recognises the classic autograd mistakes and names each one.

Every mistake is made by a small, deliberately wrong Value class (``student_value(mistake)``),
written here as a student would write it, and the check must fail with that mistake's id, a
message that says what it breaks, and none of the answer's code.
"""

import math
from collections import deque

import numpy as np
import pytest

from bpkit import autograd, checks
from bpkit.checks._student import CheckFailure

pytestmark = pytest.mark.lesson10


def student_value(mistake=None):
    """A student's Value class; ``mistake`` names the one thing it gets wrong (None: nothing)."""

    class Value:
        def __init__(self, data, parents=(), op="", label=""):
            self.data = float(data)
            self.grad = 0.0
            self.parents = tuple(parents)
            self.op = op
            self.label = label
            self.local_backward = lambda: None

        def _add_into(self, parent, share):
            if mistake == "overwrite":
                parent.grad = share
            else:
                parent.grad += share

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            if mistake == "returns_float":
                return self.data + other.data
            out = Value(self.data + other.data, (self, other), "+")
            if mistake == "no_local_backward":
                return out

            def local_backward():
                self._add_into(self, out.grad)
                self._add_into(other, out.grad)

            out.local_backward = local_backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "×")

            def local_backward():
                if mistake == "mul_own_value":
                    self._add_into(self, self.data * out.grad)
                    self._add_into(other, other.data * out.grad)
                elif mistake == "ignore_upstream":
                    self._add_into(self, other.data)
                    self._add_into(other, self.data)
                else:
                    self._add_into(self, other.data * out.grad)
                    self._add_into(other, self.data * out.grad)

            out.local_backward = local_backward
            return out

        __radd__ = __add__
        __rmul__ = __mul__

        def __pow__(self, n):
            out = Value(self.data**n, (self,), f"**{n}")

            def local_backward():
                power = n if mistake == "pow_not_lowered" else n - 1
                self._add_into(self, n * self.data**power * out.grad)

            out.local_backward = local_backward
            return out

        def __neg__(self):
            return self * -1

        def __sub__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            if mistake == "sub_sign":
                out = Value(self.data - other.data, (self, other), "-")

                def local_backward():
                    self._add_into(self, -out.grad)
                    self._add_into(other, out.grad)

                out.local_backward = local_backward
                return out
            return self + (-other)

        def __rsub__(self, other):
            return Value(other) - self

        def __truediv__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return self * other**-1

        def __rtruediv__(self, other):
            return Value(other) / self

        def _unary(self, data, op, local):
            out = Value(data, (self,), op)

            def local_backward():
                self._add_into(self, local(out) * out.grad)

            out.local_backward = local_backward
            return out

        def exp(self):
            if mistake == "exp_at_output":
                return self._unary(math.exp(self.data), "exp", lambda out: math.exp(out.data))
            return self._unary(math.exp(self.data), "exp", lambda out: out.data)

        def log(self):
            return self._unary(math.log(self.data), "log", lambda out: 1 / self.data)

        def tanh(self):
            if mistake == "tanh_at_input":
                return self._unary(math.tanh(self.data), "tanh", lambda out: 1 - self.data**2)
            return self._unary(math.tanh(self.data), "tanh", lambda out: 1 - out.data**2)

        def relu(self):
            if mistake == "relu_passes_negative":
                return self._unary(max(self.data, 0.0), "relu", lambda out: 1.0)
            return self._unary(max(self.data, 0.0), "relu", lambda out: float(self.data > 0))

        def backward(self):
            order = topological_order(self)
            if mistake == "bfs_order":
                order, queue, seen = [], deque([self]), {id(self)}
                while queue:
                    value = queue.popleft()
                    order.append(value)
                    for parent in value.parents:
                        if id(parent) not in seen:
                            seen.add(id(parent))
                            queue.append(parent)
                order.reverse()
            if mistake != "no_seed":
                self.grad = 1.0
            visit = order if mistake == "forward_order" else reversed(order)
            for value in visit:
                value.local_backward()

    def topological_order(root):
        order, seen = [], set()

        def visit(value):
            if mistake == "no_seen" or id(value) not in seen:
                seen.add(id(value))
                for parent in value.parents:
                    visit(parent)
                order.append(value)

        visit(root)
        return order

    Value.topological_order = staticmethod(topological_order)
    return Value


def failure_of(check, *args, **kwargs):
    with pytest.raises(CheckFailure) as caught:
        check(*args, **kwargs)
    return caught.value


# The reference answer's lines, as the lesson's solution writes them; no message may hold one.
ANSWER_FRAGMENTS = ["+= out.grad", "other.data * out.grad", "self.data * out.grad",
                    "1 - out.data", "out.data * out.grad", "/ self.data", "self.grad = 1",
                    "reversed(", "exponent * self.data", "(self.data > 0)"]


def assert_teaches(failure, mistake_id):
    assert failure.mistake_id == mistake_id, (failure.mistake_id, failure.message)
    for fragment in ANSWER_FRAGMENTS:
        assert fragment not in failure.message, (fragment, failure.message)
    assert "?" in failure.message, f"no question that leads to the fix: {failure.message}"


# --- a correct Value passes every check -----------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_correct_value_passes_every_operation_check(seed, capsys):
    Value = student_value()
    checks.check_value_add_mul(Value, seed=seed)
    checks.check_value_pow_sub_div(Value, seed=seed)
    checks.check_value_exp_log(Value, seed=seed)
    checks.check_value_tanh_relu(Value, seed=seed)
    checks.check_topological_order(Value.topological_order, Value, seed=seed)
    checks.check_value_backward(Value, seed=seed)
    printed = capsys.readouterr().out
    assert printed.count("✓") == 6, printed


def test_bpkits_own_value_is_rejected_as_not_own_code():
    with pytest.raises(AssertionError, match="own code"):
        checks.check_value_add_mul(autograd.Value)


def test_a_subclass_of_bpkits_value_is_rejected():
    class Value(autograd.Value):
        pass

    with pytest.raises(AssertionError, match="subclasses"):
        checks.check_value_exp_log(Value)


# --- each classic mistake is recognised -----------------------------------------------------


@pytest.mark.parametrize("check, mistake, mistake_id", [
    (checks.check_value_add_mul, "overwrite", "value_add_mul.overwrites_grad"),
    (checks.check_value_add_mul, "ignore_upstream", "value_add_mul.ignores_upstream"),
    (checks.check_value_add_mul, "mul_own_value", "value_add_mul.derivative_at_wrong_value"),
    (checks.check_value_add_mul, "no_local_backward", "value_add_mul.nothing_sent"),
    (checks.check_value_add_mul, "returns_float", "value_add_mul.not_a_value"),
    (checks.check_value_pow_sub_div, "pow_not_lowered", "value_pow_sub_div.exponent_not_lowered"),
    (checks.check_value_pow_sub_div, "sub_sign", "value_pow_sub_div.sign_swapped"),
    (checks.check_value_exp_log, "exp_at_output", "value_exp_log.derivative_at_wrong_value"),
    (checks.check_value_tanh_relu, "tanh_at_input", "value_tanh_relu.derivative_at_wrong_value"),
    (checks.check_value_tanh_relu, "relu_passes_negative", "value_tanh_relu.passes_negative"),
    (checks.check_value_backward, "no_seed", "value_backward.not_seeded"),
    (checks.check_value_backward, "forward_order", "value_backward.wrong_order"),
    (checks.check_value_backward, "bfs_order", "value_backward.wrong_order"),
    (checks.check_value_backward, "no_seen", "value_backward.visits_twice"),
    (checks.check_value_backward, "overwrite", "value_backward.earlier_op_broken"),
    (checks.check_value_pow_sub_div, "overwrite", "value_pow_sub_div.overwrites_grad"),
])
@pytest.mark.parametrize("seed", [0, 7])
def test_each_classic_mistake_is_named(check, mistake, mistake_id, seed):
    failure = failure_of(check, student_value(mistake), seed=seed)
    assert_teaches(failure, mistake_id)
    assert failure.exercise == mistake_id.split(".")[0]


def test_what_each_backward_mistake_breaks_is_said():
    said = {
        "no_seed": "every gradient is 0",
        "forward_order": "before they had received any",
        "bfs_order": "before c had added its share to a",
        "no_seen": "visited twice",
        "overwrite": "must add up",
    }
    for mistake, words in said.items():
        failure = failure_of(checks.check_value_backward, student_value(mistake))
        assert words in failure.message, (mistake, failure.message)


def test_a_mistake_in_add_or_mul_is_named_where_it_is_inherited():
    failure = failure_of(checks.check_value_pow_sub_div, student_value("mul_own_value"))
    assert failure.mistake_id == "value_pow_sub_div.earlier_op_broken"
    assert "exercise 1" in failure.message and "own value" in failure.message
    # A correct + and * with a wrong ** is this exercise's own mistake.
    failure = failure_of(checks.check_value_pow_sub_div, student_value("pow_not_lowered"))
    assert failure.mistake_id == "value_pow_sub_div.exponent_not_lowered"


def test_a_missing_backward_method_gets_a_box_not_a_traceback():
    Value = student_value()
    del Value.backward
    failure = failure_of(checks.check_value_backward, Value)
    assert failure.mistake_id.startswith("common.")
    assert "backward" in failure.message


def test_a_wrong_topological_order_is_named():
    Value = student_value()

    def reversed_order(root):  # parents after their children
        return list(reversed(Value.topological_order(root)))

    failure = failure_of(checks.check_topological_order, reversed_order, Value)
    assert_teaches(failure, "value_backward.wrong_order")
    assert "is not last" in failure.message

    failure = failure_of(checks.check_topological_order, student_value("no_seen")
                         .topological_order, Value)
    assert_teaches(failure, "value_backward.visits_twice")


def test_an_unwritten_operation_says_so():
    Value = student_value()

    def tanh(self):
        raise NotImplementedError()

    Value.tanh = tanh
    failure = failure_of(checks.check_value_tanh_relu, Value)
    assert failure.mistake_id == "common.not_written"


# --- what is built from Values --------------------------------------------------------------


def shop_values_with(Value, run_backward=1):
    def shop_values(apple_price, apple_count, orange_price, orange_count, tax):
        inputs = {"apple_price": Value(apple_price), "apple_count": Value(apple_count),
                  "orange_price": Value(orange_price), "orange_count": Value(orange_count),
                  "tax": Value(tax)}
        total = (inputs["apple_price"] * inputs["apple_count"]
                 + inputs["orange_price"] * inputs["orange_count"]) * inputs["tax"]
        for _ in range(run_backward):
            total.backward()
        return total, inputs

    return shop_values


def test_the_shop_passes_with_715_and_fails_without_backward_or_with_two(capsys):
    Value = student_value()
    checks.check_shop_values(shop_values_with(Value), Value, seed=5)
    assert "✓ shop_values" in capsys.readouterr().out
    assert_teaches(failure_of(checks.check_shop_values, shop_values_with(Value, 0), Value),
                   "shop_values.no_backward")
    assert_teaches(failure_of(checks.check_shop_values, shop_values_with(Value, 2), Value),
                   "shop_values.backward_twice")


def test_a_broken_operation_is_named_where_the_shop_inherits_it():
    Value = student_value("mul_own_value")
    failure = failure_of(checks.check_shop_values, shop_values_with(Value), Value)
    assert failure.mistake_id == "shop_values.earlier_op_broken"
    assert "exercise 1 (+ and *)" in failure.message


def neuron_with(Value, forget_bias=False):
    def neuron(xs, ws, b):
        z = sum((w * x for w, x in zip(ws, xs, strict=False)), Value(0.0) if forget_bias else b)
        return 1 / (1 + (-z).exp())

    return neuron


def test_the_sigmoid_neuron_is_compared_with_bpkits_layers():
    Value = student_value()
    checks.check_sigmoid_neuron(neuron_with(Value), Value, seed=3)
    failure = failure_of(checks.check_sigmoid_neuron, neuron_with(Value, forget_bias=True),
                         Value, seed=3)
    assert failure.mistake_id == "sigmoid_neuron.wrong_forward"


def student_mlp(Value, shared_weights=False):
    class MLP:
        def __init__(self, sizes, seed):
            rng = np.random.default_rng(seed)
            self.layers = []
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False):
                ws = [[Value(rng.normal(0, 1 / math.sqrt(n_in))) for _ in range(n_in)]
                      for _ in range(n_out)]
                if shared_weights:
                    ws = [ws[0]] * n_out
                self.layers.append([(w, Value(0.0)) for w in ws])

        def __call__(self, xs):
            xs = [x if isinstance(x, Value) else Value(x) for x in xs]
            for i, layer in enumerate(self.layers):
                zs = [sum((w * x for w, x in zip(ws, xs, strict=False)), b) for ws, b in layer]
                last = i == len(self.layers) - 1
                xs = [1 / (1 + (-z).exp()) if last else z.tanh() for z in zs]
            return xs

        def parameters(self):
            return [p for layer in self.layers for ws, b in layer for p in [*ws, b]]

    return MLP


def test_the_mlp_is_checked_against_numerical_gradients():
    Value = student_value()
    checks.check_mlp(student_mlp(Value), Value, seed=2)
    failure = failure_of(checks.check_mlp, student_mlp(Value, shared_weights=True), Value,
                         seed=2)
    assert failure.mistake_id == "mlp.parameter_count"


def train_xor_with(Value, sign=1, steps=300):
    def train_xor(x, t, seed):
        model = student_mlp(Value)([2, 8, 1], seed)
        losses = []
        for _ in range(steps):
            loss = Value(0.0)
            for row, target in zip(x, t, strict=False):
                y = model(list(row))[0]
                loss = loss - (y.log() if target else (1 - y).log())
            loss = loss / 4
            for p in model.parameters():
                p.grad = 0.0
            loss.backward()
            for p in model.parameters():
                p.data -= sign * 0.5 * p.grad
            losses.append(loss.data)
        return model, losses

    return train_xor


def test_training_on_xor_passes_and_climbing_the_gradient_is_caught(capsys):
    Value = student_value()
    checks.check_train_xor(train_xor_with(Value), seed=0)
    assert "4 of 4" in capsys.readouterr().out
    failure = failure_of(checks.check_train_xor, train_xor_with(Value, sign=-1, steps=20),
                         seed=0)
    assert_teaches(failure, "train_xor.loss_not_falling")


# --- what the student's notebook shows ------------------------------------------------------

# Lines a solution shares with the worked example (the method, taught on `sin`) or with the
# lesson's own prose about the framework (`loss.backward()` is what the lesson is about).
METHOD_LINES = {"def local_backward():", "out.local_backward = local_backward", "return out",
                "loss.backward()"}


def test_the_generated_lesson_prints_no_answer_line():
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    solution = json.loads((root / "solutions/10_autograd/10_autograd.ipynb").read_text())
    lesson = json.loads((root / "lessons/10_autograd/10_autograd.ipynb").read_text())
    shown = "\n".join("".join(cell["source"]) for cell in lesson["cells"])
    answers = {line.strip()
               for cell in solution["cells"]
               for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION",
                                        "".join(cell["source"]), re.S)
               for line in region.splitlines() if len(line.strip()) > 6}
    assert len(answers) > 40
    printed = sorted(line for line in answers - METHOD_LINES if line in shown)
    assert not printed, f"answer lines printed in the student's notebook: {printed}"
