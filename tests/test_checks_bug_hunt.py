"""bpkit.checks for lesson 07's node check, bug hunt and fixes: right answers pass on any seed,
the usual mistakes are named, and no message gives the code of an answer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks

pytestmark = pytest.mark.lesson07


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i].copy()
        x[i] = keep + h
        above = f(x)
        x[i] = keep - h
        below = f(x)
        x[i] = keep
        grad[i] = (above - below) / (2 * h)
    return grad


def rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def node_gradient_errors(node, inputs, dout):
    node.forward(*inputs)
    grads = node.backward(dout)
    grads = [np.copy(g) for g in (grads if isinstance(grads, tuple) else (grads,))]
    def f(_):
        return np.sum(node.forward(*inputs) * dout)

    return {name: rel_error(g, numerical_gradient(f, v))
            for name, v, g in zip("xyz", inputs, grads, strict=False)}


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


class ResidualRelu:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        z = x @ self.W + self.b
        self.active = z > 0
        return x + np.where(self.active, z, 0.0)

    def backward(self, dout):
        dz = dout * self.active
        self.dW, self.db = self.x.T @ dz, dz.sum(axis=0)
        return dz @ self.W.T


class FixedResidualRelu(ResidualRelu):
    def backward(self, dout):
        return dout + super().backward(dout)


class SoftplusAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        self.out = np.logaddexp(0.0, x @ self.W + self.b)
        return self.out

    def backward(self, dout):
        dz = dout * sigmoid(self.out)
        self.dW, self.db = self.x.T @ dz, dz.sum(axis=0)
        return dz @ self.W.T


class FixedSoftplusAffine(SoftplusAffine):
    def backward(self, dout):
        dz = dout * sigmoid(self.x @ self.W + self.b)
        self.dW, self.db = self.x.T @ dz, dz.sum(axis=0)
        return dz @ self.W.T


ANSWER = {"ResidualRelu": {"x"}, "SoftplusAffine": {"x", "W", "b"}}


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_correct_answers_pass_on_any_seed(seed):
    checks.check_node_gradient_errors(node_gradient_errors, seed=seed)
    checks.check_fixed_layer(FixedResidualRelu, square=True, seed=seed)
    checks.check_fixed_layer(FixedSoftplusAffine, seed=seed)


def test_the_broken_layers_fail_with_the_wrong_gradient_named():
    with pytest.raises(AssertionError, match=r"dx: .*correct layer gives about 1e-9") as error:
        checks.check_fixed_layer(ResidualRelu, square=True)
    assert "dW" not in str(error.value)
    with pytest.raises(AssertionError, match=r"dx: .*dW: .*db: ") as error:
        checks.check_fixed_layer(SoftplusAffine)


def test_a_node_check_that_ignores_dout_is_caught_by_softmax():
    def ones_instead_of_dout(node, inputs, dout):
        return node_gradient_errors(node, inputs, np.ones_like(dout))

    with pytest.raises(AssertionError, match=r"sum to 1.*use the dout it was given"):
        checks.check_node_gradient_errors(ones_instead_of_dout)


def test_a_node_check_that_only_looks_at_the_first_input_is_named():
    def first_only(node, inputs, dout):
        errors = node_gradient_errors(node, inputs, dout)
        return {name: errors["x"] for name in errors}

    with pytest.raises(AssertionError, match="missed a real bug"):
        checks.check_node_gradient_errors(first_only)


def test_a_node_check_that_drops_the_second_input_is_named():
    def one_input(node, inputs, dout):
        return {"x": node_gradient_errors(node, inputs, dout)["x"]}

    with pytest.raises(AssertionError, match=r"2 input\(s\), named \['x', 'y'\]"):
        checks.check_node_gradient_errors(one_input)


def test_a_node_check_that_compares_before_backward_is_named():
    def stale(node, inputs, dout):
        grads = node.backward(dout) if getattr(node, "out", None) is not None else None
        return node_gradient_errors(node, inputs, dout) if grads is None else {"x": 1.0}

    with pytest.raises(AssertionError, match="CORRECT node"):
        checks.check_node_gradient_errors(lambda n, i, d: {k: 0.5 for k in "xy"[: len(i)]})


def test_wrong_gradients_answers():
    checks.check_wrong_gradients_format(ANSWER, list(ANSWER))
    checks.check_wrong_gradients_answer(ANSWER, ANSWER)
    with pytest.raises(AssertionError, match="not set yet"):
        checks.check_wrong_gradients_format(None, list(ANSWER))
    with pytest.raises(AssertionError, match="without the d"):
        checks.check_wrong_gradients_format({"ResidualRelu": {"dx"}, "SoftplusAffine": {"x"}},
                                            list(ANSWER))
    with pytest.raises(AssertionError, match="one entry per layer"):
        checks.check_wrong_gradients_format({"ResidualRelu": {"x"}}, list(ANSWER))
    with pytest.raises(AssertionError, match="1 more wrong gradient"):
        checks.check_wrong_gradients_answer(
            {"ResidualRelu": {"x"}, "SoftplusAffine": {"W", "b"}}, ANSWER)
    with pytest.raises(AssertionError, match="as wrong that are right"):
        checks.check_wrong_gradients_answer(
            {"ResidualRelu": {"x", "W"}, "SoftplusAffine": {"x", "W", "b"}}, ANSWER)


def test_no_message_names_the_answer():
    """A failed hidden answer check must not say which gradients are wrong."""
    for wrong in ({"ResidualRelu": {"W"}, "SoftplusAffine": {"x"}},
                  {"ResidualRelu": {"b"}, "SoftplusAffine": {"b"}}):
        with pytest.raises(AssertionError) as error:
            checks.check_wrong_gradients_answer(wrong, ANSWER)
        message = str(error.value)
        assert "'x'" not in message and "{" not in message, message
    for Layer, square in ((ResidualRelu, True), (SoftplusAffine, False)):
        with pytest.raises(AssertionError) as error:
            checks.check_fixed_layer(Layer, square=square)
        message = str(error.value)
        for code in ("dout +", "sigmoid(z)", "@ self.W.T", "self.x @"):
            assert code not in message, message
