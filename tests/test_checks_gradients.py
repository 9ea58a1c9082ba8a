"""bpkit.checks for lesson 07: numerical gradients and gradient checks, mistakes named."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks

pytestmark = pytest.mark.lesson07


def good_numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + h
        above = f(x)
        x[i] = keep - h
        below = f(x)
        x[i] = keep
        grad[i] = (above - below) / (2 * h)
    return grad


def good_rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def good_layer_gradient_errors(layer, x, dout):
    layer.forward(x)
    dx = layer.backward(dout)
    errors = {"x": good_rel_error(dx, good_numerical_gradient(
        lambda _: np.sum(layer.forward(x) * dout), x))}
    if hasattr(layer, "W"):
        dW, db = layer.dW.copy(), layer.db.copy()
        for name, grad, param in (("W", dW, layer.W), ("b", db, layer.b)):
            numeric = good_numerical_gradient(lambda _: np.sum(layer.forward(x) * dout), param)
            errors[name] = good_rel_error(grad, numeric)
    return errors


def good_network_gradient_errors(net, x, t):
    grads = net.gradient(x, t)
    return {name: good_rel_error(grads[name], good_numerical_gradient(
        lambda _: net.loss(x, t), param)) for name, param in net.params.items()}


@pytest.mark.parametrize("seed", [0, 5, 2024])
def test_correct_answers_pass_every_check(seed):
    checks.check_numerical_gradient(good_numerical_gradient, seed=seed)
    checks.check_numerical_gradient_restores_x(good_numerical_gradient, seed=seed)
    checks.check_rel_error(good_rel_error, seed=seed)
    checks.check_layer_gradient_errors(good_layer_gradient_errors, seed=seed)
    checks.check_network_gradient_errors(good_network_gradient_errors, seed=seed)


def test_forward_difference_is_named():
    def forward_difference(f, x, h=1e-5):
        grad = np.zeros_like(x)
        base = f(x)
        for i in np.ndindex(x.shape):
            keep = x[i]
            x[i] = keep + h
            grad[i] = (f(x) - base) / h
            x[i] = keep
        return grad

    with pytest.raises(AssertionError, match=r"forward difference \(with h = 1e-05\).*one_sided"):
        checks.check_numerical_gradient(forward_difference)


def test_division_by_h_instead_of_2h_is_named():
    with pytest.raises(AssertionError, match="twice the true gradient"):
        checks.check_numerical_gradient(lambda f, x: 2 * good_numerical_gradient(f, x))


def test_a_gradient_only_for_vectors_is_named():
    def flat_only(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in range(x.shape[0]):
            keep = x[i]
            x[i] = keep + h
            above = f(x)
            x[i] = keep - h
            below = f(x)
            x[i] = keep
            grad[i] = (above - below) / (2 * h)
        return grad

    with pytest.raises(AssertionError, match="numerical_gradient"):
        checks.check_numerical_gradient(flat_only)


def test_not_restoring_x_is_named():
    def never_restores(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            keep = x[i]
            x[i] = keep + h
            above = f(x)
            x[i] = keep - h
            below = f(x)
            grad[i] = (above - below) / (2 * h)
        return grad

    with pytest.raises(AssertionError, match="did not restore x"):
        checks.check_numerical_gradient_restores_x(never_restores)


def test_restoring_by_arithmetic_is_named_as_drift():
    def drifts(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            x[i] += h
            above = f(x)
            x[i] -= 2 * h
            below = f(x)
            x[i] += h
            grad[i] = (above - below) / (2 * h)
        return grad

    with pytest.raises(AssertionError, match=r"left x off by .*numerical_gradient\.x_drifts"):
        checks.check_numerical_gradient_restores_x(drifts)


def test_perturbing_a_copy_is_named():
    def on_a_copy(f, x, h=1e-5):
        return good_numerical_gradient(f, x.copy(), h)

    with pytest.raises(AssertionError, match=r"all zeros.*a copy\?.*perturbs_a_copy"):
        checks.check_numerical_gradient_restores_x(on_a_copy)


def test_rel_error_returning_an_array_is_named():
    with pytest.raises(AssertionError, match="returned an array of shape"):
        checks.check_rel_error(lambda a, b: np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def test_rel_error_without_guard_is_named():
    with pytest.raises(AssertionError, match=r"nan.*rel_error\.zero_over_zero"):
        checks.check_rel_error(lambda a, b: np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))


def test_rel_error_max_over_max_is_named():
    with pytest.raises(AssertionError, match=r"rel_error\.max_before_dividing"):
        checks.check_rel_error(lambda a, b: np.max(np.abs(a - b)) / np.max(np.abs(a) + np.abs(b)))


def test_layer_check_ignoring_dout_is_named():
    def ignores_dout(layer, x, dout):
        layer.forward(x)
        dx = layer.backward(dout)
        errors = {"x": good_rel_error(dx, good_numerical_gradient(
            lambda _: np.sum(layer.forward(x)), x))}
        if hasattr(layer, "W"):
            errors["W"], errors["b"] = 0.0, 0.0
        return errors

    with pytest.raises(AssertionError, match="ignores dout"):
        checks.check_layer_gradient_errors(ignores_dout)


def test_layer_check_that_misses_a_bug_is_named():
    def only_x(layer, x, dout):
        errors = good_layer_gradient_errors(layer, x, dout)
        return {k: (v if k == "x" else 0.0) for k, v in errors.items()}

    with pytest.raises(AssertionError, match="missed a real bug"):
        checks.check_layer_gradient_errors(only_x)


def test_layer_check_missing_parameters_is_named():
    def x_only(layer, x, dout):
        return {"x": good_layer_gradient_errors(layer, x, dout)["x"]}

    with pytest.raises(AssertionError, match=r"keys \['x'\]; expected \['W', 'b', 'x'\]"):
        checks.check_layer_gradient_errors(x_only)


def test_network_check_that_changes_weights_is_named():
    def drifting(net, x, t):
        errors = good_network_gradient_errors(net, x, t)
        net.params["W1"] += 1e-3
        return errors

    with pytest.raises(AssertionError, match="changed the network's W1"):
        checks.check_network_gradient_errors(drifting)


def test_network_check_blind_to_the_network_is_named():
    def constant(net, x, t):
        return {name: 0.0 for name in net.params}

    with pytest.raises(AssertionError, match="missed the bug"):
        checks.check_network_gradient_errors(constant)


def test_layer_numerically_names_the_wrong_gradient():
    class TanhAffineBug:
        def __init__(self, W, b):
            self.W, self.b = W, b

        def forward(self, x):
            self.x = x
            self.out = np.tanh(x @ self.W + self.b)
            return self.out

        def backward(self, dout):
            dz = dout * (1 - self.out**2)
            self.dW = self.x.T @ dout  # the bug: dout, not dz
            self.db = dz.sum(axis=0)
            return dz @ self.W.T

    with pytest.raises(AssertionError, match=r"for W \(error"):
        checks.check_layer_numerically(TanhAffineBug)


def test_rel_error_without_absolute_value_is_named():
    with pytest.raises(AssertionError, match=r"negative.*rel_error\.no_absolute_value"):
        checks.check_rel_error(
            lambda a, b: np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def test_rel_error_relative_to_one_side_only_is_named():
    with pytest.raises(AssertionError, match=r"rel_error\.not_symmetric"):
        checks.check_rel_error(lambda a, b: np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a))))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_answers_pass_on_any_seed(seed):
    # Hidden tests draw fresh seeds: a correct answer must never fail by bad luck.
    test_correct_answers_pass_every_check(seed)


def test_a_right_rel_error_is_not_mistaken_for_max_over_max_when_they_coincide():
    # Seed 4162151640 draws a, b where one entry holds both the largest difference and the
    # largest size, so the right answer equals "largest difference / largest size".
    checks.check_rel_error(good_rel_error, seed=4162151640)
