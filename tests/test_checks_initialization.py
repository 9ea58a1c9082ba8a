"""bpkit.checks for lesson 09's initialisers and forward pass: right answers pass on any seed,
the usual mistakes are named, no message gives a formula."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks, init
from bpkit.functions import relu, sigmoid

pytestmark = pytest.mark.lesson09


def glorot(fan_in, fan_out, rng):
    return np.sqrt(2 / (fan_in + fan_out)) * rng.standard_normal((fan_in, fan_out))


def he(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def layer_activations(x, weights, activation):
    f = sigmoid if activation == "sigmoid" else relu
    out = []
    for W in weights:
        x = f(x @ W)
        out.append(x)
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_right_answers_pass_on_any_seed(seed):
    checks.check_glorot_normal(glorot, seed=seed)
    checks.check_he_normal(he, seed=seed)
    checks.check_layer_activations(layer_activations, seed=seed)
    checks.expect_own_forward(layer_activations)


@pytest.mark.parametrize("check, answer, message", [
    (checks.check_glorot_normal,
     lambda a, b, r: init.book_xavier_std(a) * r.standard_normal((a, b)),
     "the book's simplification"),
    (checks.check_glorot_normal, lambda a, b, r: (2 / (a + b)) * r.standard_normal((a, b)),
     "the variance, not its square root"),
    (checks.check_he_normal, lambda a, b, r: np.sqrt(1 / a) * r.standard_normal((a, b)),
     "without ReLU's correction"),
    (checks.check_he_normal, lambda a, b, r: np.sqrt(2 / b) * r.standard_normal((a, b)),
     "fan_out instead of fan_in"),
    (checks.check_he_normal, lambda a, b, r: np.sqrt(2 / a) * r.standard_normal((b, a)),
     "shape"),
    (checks.check_he_normal,
     lambda a, b, r: np.sqrt(2 / a) * np.random.default_rng(0).standard_normal((a, b)),
     "same weights for generators with different seeds"),
    (checks.check_he_normal, lambda a, b, r: np.sqrt(2 / a) * r.uniform(0, 1, (a, b)),
     "centred on 0"),
])
def test_usual_initialiser_mistakes_are_named(check, answer, message):
    with pytest.raises(AssertionError, match=message) as error:
        check(answer)
    assert "sqrt" not in str(error.value) and "fan_in +" not in str(error.value)


def test_usual_forward_mistakes_are_named():
    def no_activation(x, weights, activation):
        out = []
        for W in weights:
            x = x @ W
            out.append(x)
        return out

    def keeps_x(x, weights, activation):
        return [x] + layer_activations(x, weights, activation)

    with pytest.raises(AssertionError, match="weighted sum itself"):
        checks.check_layer_activations(no_activation)
    with pytest.raises(AssertionError, match="Is x itself in your list"):
        checks.check_layer_activations(keeps_x)
    with pytest.raises(AssertionError, match="reference"):
        checks.expect_own_forward(lambda x, w, a: init.forward_activations(x, w, a))
