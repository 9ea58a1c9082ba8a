"""bpkit.optim: SGD, Momentum, Adam update parameters in place and descend a quadratic."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bpkit import SGD, Adam, Momentum

FEW = settings(max_examples=30, deadline=None)

# An ill-conditioned bowl: L(w) = 0.5 * sum(a * (w - c)^2), curvature 0.5 to 5 per axis.
A = np.array([[0.5, 1.0, 5.0], [2.0, 3.0, 0.7]])
C = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])


def bowl_loss(w):
    return 0.5 * np.sum(A * (w - C) ** 2)


def bowl_grad(w):
    return A * (w - C)


def descend(optimiser, steps, w0=None):
    """Run `steps` updates on the bowl; returns (params dict, loss per step)."""
    params = {"w": np.zeros_like(C) if w0 is None else w0}
    losses = [bowl_loss(params["w"])]
    for _ in range(steps):
        optimiser.update(params, {"w": bowl_grad(params["w"])})
        losses.append(bowl_loss(params["w"]))
    return params, losses


@pytest.mark.parametrize("optimiser, steps, factor", [
    (SGD(lr=0.1), 100, 1e-3),
    (Momentum(lr=0.05, momentum=0.9), 200, 1e-3),
    (Adam(lr=0.1), 300, 1e-3),
])
def test_each_optimiser_descends_the_bowl(optimiser, steps, factor):
    w = np.zeros_like(C)
    params, losses = descend(optimiser, steps, w)
    assert params["w"] is w  # updated in place: a layer holding w sees the new values
    assert losses[-1] < factor * losses[0]
    np.testing.assert_allclose(w, C, atol=0.1)


def test_sgd_step_is_minus_lr_times_gradient():
    w = np.array([1.0, -2.0, 3.0])
    b = np.array([0.5])
    g_w, g_b = np.array([0.1, 0.2, -0.3]), np.array([4.0])
    SGD(lr=0.5).update({"w": w, "b": b}, {"w": g_w, "b": g_b})
    np.testing.assert_allclose(w, [0.95, -2.1, 3.15])
    np.testing.assert_allclose(b, [-1.5])
    np.testing.assert_array_equal(g_w, [0.1, 0.2, -0.3])  # gradients are read, not changed


def test_momentum_velocity_builds_up():
    w = np.array([0.0])
    opt = Momentum(lr=0.1, momentum=0.9)
    g = {"w": np.array([1.0])}
    opt.update({"w": w}, g)  # v = -0.1
    np.testing.assert_allclose(w, [-0.1])
    opt.update({"w": w}, g)  # v = 0.9 * -0.1 - 0.1 = -0.19
    np.testing.assert_allclose(w, [-0.29])
    opt.update({"w": w}, g)  # v = 0.9 * -0.19 - 0.1 = -0.271
    np.testing.assert_allclose(w, [-0.561])


def test_momentum_keeps_a_velocity_per_parameter():
    a, b = np.array([0.0]), np.array([0.0])
    opt = Momentum(lr=0.1, momentum=0.9)
    opt.update({"a": a, "b": b}, {"a": np.array([1.0]), "b": np.array([-2.0])})
    opt.update({"a": a, "b": b}, {"a": np.array([0.0]), "b": np.array([0.0])})
    # Second step coasts on each parameter's own velocity: a by -0.09, b by +0.18.
    np.testing.assert_allclose(a, [-0.19])
    np.testing.assert_allclose(b, [0.38])


@FEW
@given(arrays(np.float64, (2, 3), elements=st.floats(1e-2, 1e3)),
       arrays(np.bool_, (2, 3)), st.sampled_from([1e-3, 1e-2, 0.1]))
def test_adam_first_step_has_size_lr_whatever_the_gradient_scale(magnitude, negative, lr):
    grad = np.where(negative, -magnitude, magnitude)
    w = np.zeros((2, 3))
    Adam(lr=lr).update({"w": w}, {"w": grad})
    # The bias-corrected m / sqrt(v) is g / |g| at step 1, so each entry moves by lr
    # against its gradient's sign; eps shifts that by < 1e-4 for |g| >= 1e-2.
    np.testing.assert_allclose(w, -lr * np.sign(grad), rtol=1e-4)


def test_adam_steps_stay_near_lr_for_a_steady_gradient():
    w = np.array([0.0, 0.0])
    opt = Adam(lr=0.01)
    for _ in range(50):
        before = w.copy()
        opt.update({"w": w}, {"w": np.array([1e-2, 1e4])})  # a million times apart
        np.testing.assert_allclose(before - w, [0.01, 0.01], rtol=1e-3)


@pytest.mark.parametrize("optimiser", [SGD(lr=0.1), Momentum(lr=0.1), Adam(lr=0.1)],
                         ids=["SGD", "Momentum", "Adam"])
def test_float32_parameters_stay_float32_and_in_place(optimiser):
    w = np.ones(3, dtype=np.float32)
    optimiser.update({"w": w}, {"w": np.array([1.0, -1.0, 0.5], dtype=np.float32)})
    assert w.dtype == np.float32
    assert w[0] < 1 and w[1] > 1  # moved against the gradient
