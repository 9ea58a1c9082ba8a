"""The course's one step, one epsilon and one perturbation rule (bpkit.gradcheck), and that
the reasons given for them hold."""

import inspect

import numpy as np
import pytest

from bpkit import gradcheck

pytestmark = pytest.mark.lesson07


def test_eps_is_float64_machine_epsilon():
    assert gradcheck.EPS == np.finfo(np.float64).eps
    assert 1.0 + gradcheck.EPS != 1.0 and 1.0 + gradcheck.EPS / 4 == 1.0


def test_h_sits_near_the_best_step_for_the_central_difference():
    def central_error(h):
        return abs((np.exp(1 + h) - np.exp(1 - h)) / (2 * h) - np.e) / np.e

    # Larger steps lose to truncation, smaller ones to round-off; H sits beside EPS ** (1/3).
    assert central_error(gradcheck.H) < 1e-10
    assert central_error(gradcheck.H) < min(central_error(1e-3), central_error(1e-8))
    assert 1 / 3 < gradcheck.H / gradcheck.EPS ** (1 / 3) < 3


def test_every_numerical_gradient_defaults_to_h():
    for function in (gradcheck.numerical_gradient, gradcheck.numerical_gradient_array,
                     gradcheck.check_layer):
        assert inspect.signature(function).parameters["h"].default == gradcheck.H


def test_the_perturbation_is_in_place_and_restored_exactly_even_when_f_raises():
    x = np.array([0.1, 0.7, 1e-3])
    before = x.copy()
    seen = []
    gradcheck.numerical_gradient(lambda: seen.append(x.copy()) or float(np.sum(x**2)), x)
    assert any(not np.array_equal(s, before) for s in seen)   # f saw the change, in place
    assert np.array_equal(x, before)

    def explodes():
        raise RuntimeError("inside f")

    with pytest.raises(RuntimeError):
        gradcheck.numerical_gradient(explodes, x)
    assert np.array_equal(x, before)


def test_rel_error_floor_keeps_zeros_at_zero():
    assert gradcheck.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.rel_error(np.array([gradcheck.REL_ERROR_FLOOR / 10]), np.zeros(1)) < 1
