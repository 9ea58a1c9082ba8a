"""bpkit.layers: forward and backward of every layer, against the notes and numerical gradients.

Gradient checks use central differences (h = 1e-5) in float64. The relative error quoted next
to each threshold was measured with these seeds; a wrong backward gives 1e-2 or more, so the
thresholds leave room for other machines' rounding without letting a mistake through.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bpkit import (
    AddLayer,
    Affine,
    MulLayer,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    SquaredErrorLoss,
    cross_entropy_error,
    rel_error,
    softmax,
)
from bpkit.gradcheck import numerical_gradient_array
from bpkit.layers import BackwardBeforeForwardError

FEW = settings(max_examples=30, deadline=None)


def numeric(f, x, dout):
    """Numerical gradient of sum(f() * dout) with respect to x (perturbed in place)."""
    return numerical_gradient_array(lambda: f(), x, dout)


def scaled_error(a, b):
    """Largest difference relative to the largest gradient entry, or to 1e-3 if all are smaller.

    Used by the Hypothesis tests instead of the elementwise rel_error: random values can make
    one entry of a gradient cancel to ~1e-9, or saturate a sigmoid or a softmax so that every
    entry is ~1e-8, while the round-off of the difference quotient stays ~1e-16 * |f| / h
    (about 1e-11 here); divided by such a tiny gradient, that says nothing about the layer.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.max(np.abs(a), initial=0), np.max(np.abs(b), initial=0), 1e-3)
    return float(np.max(np.abs(a - b), initial=0) / scale)


def away_from_zero(low=1e-3, high=10.0):
    """Floats with low <= |v| <= high: central differences are wrong within h of ReLU's kink."""
    return st.floats(low, high) | st.floats(-high, -low)


# --- the notes' shop: scalar nodes -----------------------------------------------------------

def test_apple_example_forward_and_backward():
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple, mul_tax = MulLayer(), MulLayer()
    apple_price = mul_apple.forward(apple, apple_num)
    price = mul_tax.forward(apple_price, tax)
    assert price == pytest.approx(220)

    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert dapple == pytest.approx(2.2)
    assert dapple_num == pytest.approx(110)
    assert dtax == pytest.approx(200)


def test_apple_and_orange_example_with_add_layer():
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()

    apple_price = mul_apple.forward(apple, apple_num)  # 200
    orange_price = mul_orange.forward(orange, orange_num)  # 450
    total = add.forward(apple_price, orange_price)  # 650
    price = mul_tax.forward(total, tax)
    assert price == pytest.approx(715)

    dtotal, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dtotal)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert (dapple_num, dapple, dorange, dorange_num, dtax) == pytest.approx(
        (110, 2.2, 3.3, 165, 650))


def test_mul_and_add_layers_on_arrays():
    x, y = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([[4.0, 5.0], [-1.0, 2.0]])
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    mul = MulLayer()
    np.testing.assert_array_equal(mul.forward(x, y), x * y)
    dx, dy = mul.backward(dout)
    # The multiply node swaps its inputs on the way back.
    np.testing.assert_array_equal(dx, dout * y)
    np.testing.assert_array_equal(dy, dout * x)

    add = AddLayer()
    np.testing.assert_array_equal(add.forward(x, y), x + y)
    dx, dy = add.backward(dout)
    np.testing.assert_array_equal(dx, dout)
    np.testing.assert_array_equal(dy, dout)


def test_add_layer_returns_independent_gradients():
    dout = np.ones(3)
    add = AddLayer()
    add.forward(np.zeros(3), np.zeros(3))
    dx, dy = add.backward(dout)
    dx *= 5  # a caller accumulating into dx must not change dy or dout
    np.testing.assert_array_equal(dy, np.ones(3))
    np.testing.assert_array_equal(dout, np.ones(3))


# --- every layer's backward against numerical gradients (float64) ----------------------------

def test_mul_layer_gradient():
    rng = np.random.default_rng(0)
    x, y, dout = (rng.standard_normal((3, 4)) for _ in range(3))
    layer = MulLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    # measured ~6e-12 for both; we require < 1e-8
    assert rel_error(dx, numeric(lambda: layer.forward(x, y), x, dout)) < 1e-8
    assert rel_error(dy, numeric(lambda: layer.forward(x, y), y, dout)) < 1e-8


def test_add_layer_gradient():
    rng = np.random.default_rng(0)
    x, y, dout = (rng.standard_normal((3, 4)) for _ in range(3))
    layer = AddLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    # measured ~8e-12; we require < 1e-8
    assert rel_error(dx, numeric(lambda: layer.forward(x, y), x, dout)) < 1e-8
    assert rel_error(dy, numeric(lambda: layer.forward(x, y), y, dout)) < 1e-8


def test_relu_gradient():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    x[np.abs(x) < 1e-2] = 0.5  # keep h = 1e-5 away from the kink at 0
    dout = rng.standard_normal((4, 5))
    layer = Relu()
    layer.forward(x)
    dx = layer.backward(dout)
    # measured ~3e-12 (ReLU is piecewise linear); we require < 1e-8
    assert rel_error(dx, numeric(lambda: layer.forward(x), x, dout)) < 1e-8


def test_sigmoid_gradient():
    rng = np.random.default_rng(0)
    x = 3 * rng.standard_normal((4, 5))
    dout = rng.standard_normal((4, 5))
    layer = Sigmoid()
    layer.forward(x)
    dx = layer.backward(dout)
    # measured ~1e-10 (up to 5e-9 over other seeds); we require < 1e-7
    assert rel_error(dx, numeric(lambda: layer.forward(x), x, dout)) < 1e-7


@pytest.mark.parametrize("x_shape, d_in", [((4, 6), 6), ((4, 2, 3, 2), 12), ((6,), 6)])
def test_affine_gradients(x_shape, d_in):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    W, b = rng.standard_normal((d_in, 3)), rng.standard_normal(3)
    layer = Affine(W, b)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    dW, db = layer.dW.copy(), layer.db.copy()
    assert dx.shape == x.shape
    assert dW.shape == W.shape and db.shape == b.shape
    f = lambda: layer.forward(x)  # noqa: E731
    # measured ~1e-10 for dx, ~3e-11 for dW and db; we require < 1e-7
    assert rel_error(dx, numeric(f, x, dout)) < 1e-7
    assert rel_error(dW, numeric(f, W, dout)) < 1e-7
    assert rel_error(db, numeric(f, b, dout)) < 1e-7


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
def test_softmax_with_loss_gradient(targets):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    labels = rng.integers(0, 5, size=4)
    t = labels if targets == "labels" else np.eye(5)[labels]
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward()
    # measured ~5e-10 (labels), ~1e-9 (one-hot); we require < 1e-7
    assert rel_error(dx, numeric(lambda: layer.forward(x, t), x, 1.0)) < 1e-7


def test_squared_error_loss_gradient():
    rng = np.random.default_rng(0)
    y, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    layer = SquaredErrorLoss()
    layer.forward(y, t)
    dy = layer.backward()
    # measured ~5e-10; we require < 1e-7
    assert rel_error(dy, numeric(lambda: layer.forward(y, t), y, 1.0)) < 1e-7


# --- property tests over shapes and values -----------------------------------------------------

@FEW
@given(st.integers(1, 5), st.lists(st.integers(1, 4), min_size=1, max_size=3),
       st.integers(1, 5), st.floats(0.01, 100), st.integers(0, 2**32 - 1))
def test_affine_any_batch_and_kd_input(n, feature_dims, m, scale, seed):
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal((n, *feature_dims))
    d_in = int(np.prod(feature_dims))
    W, b = rng.standard_normal((d_in, m)), rng.standard_normal(m)
    layer = Affine(W, b)
    out = layer.forward(x)
    assert out.shape == (n, m)
    np.testing.assert_allclose(out, x.reshape(n, -1) @ W + b, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal((n, m))
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(layer.db, dout.sum(axis=0), rtol=1e-12, atol=1e-12)
    f = lambda: layer.forward(x)  # noqa: E731
    assert scaled_error(dx, numeric(f, x, dout)) < 1e-6
    assert scaled_error(layer.dW, numeric(f, W, dout)) < 1e-6


@FEW
@given(arrays(np.float64, array_shapes(max_dims=3, max_side=5), elements=away_from_zero()),
       st.integers(0, 2**32 - 1))
def test_relu_any_shape(x, seed):
    dout = np.random.default_rng(seed).standard_normal(x.shape)
    layer = Relu()
    np.testing.assert_array_equal(layer.forward(x), np.where(x > 0, x, 0))
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx, np.where(x > 0, dout, 0))
    assert scaled_error(dx, numeric(lambda: layer.forward(x), x, dout)) < 1e-8


@FEW
@given(arrays(np.float64, array_shapes(max_dims=3, max_side=5),
              elements=st.floats(-30, 30, allow_nan=False)),
       st.integers(0, 2**32 - 1))
def test_sigmoid_any_shape(x, seed):
    dout = np.random.default_rng(seed).standard_normal(x.shape)
    layer = Sigmoid()
    y = layer.forward(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx, dout * y * (1 - y), rtol=1e-12)
    assert scaled_error(dx, numeric(lambda: layer.forward(x), x, dout)) < 1e-6


@FEW
@given(st.integers(1, 6), st.integers(2, 6), st.floats(0.01, 30), st.booleans(),
       st.integers(0, 2**32 - 1))
def test_softmax_with_loss_any_batch(n, c, scale, one_hot, seed):
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal((n, c))
    labels = rng.integers(0, c, size=n)
    t = np.eye(c)[labels] if one_hot else labels
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    y = softmax(x)

    def exact_loss():
        # -log softmax by log-sum-exp, independent of the layer's code.
        shifted = x - x.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_p[np.arange(n), labels].mean()

    # Exact even when the right class gets p ~ 1e-12 (scores 30 apart): a loss computed as
    # log(p + 1e-12) would be off there, and its gradient would no longer be (y - t) / N.
    assert loss == pytest.approx(exact_loss(), rel=1e-12)
    dx = layer.backward()
    np.testing.assert_allclose(dx, (y - np.eye(c)[labels]) / n, rtol=1e-12, atol=1e-15)
    assert scaled_error(dx, numeric(lambda: layer.forward(x, t), x, 1.0)) < 1e-6
    assert scaled_error(dx, numeric(exact_loss, x, 1.0)) < 1e-6


# --- the contract: what forward stores, what backward returns ---------------------------------

def test_relu_blocks_the_gradient_at_zero_and_leaves_x_alone():
    x = np.array([-1.0, 0.0, 2.0])
    layer = Relu()
    y = layer.forward(x)
    y[2] = 99.0  # the output is a new array: writing to it must not reach x
    np.testing.assert_array_equal(x, [-1.0, 0.0, 2.0])
    # At exactly 0 the book's mask is x <= 0: the gradient is blocked.
    np.testing.assert_array_equal(layer.backward(np.array([5.0, 6.0, 7.0])), [0.0, 0.0, 7.0])


def test_sigmoid_saturates_without_warnings():
    layer = Sigmoid()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layer.forward(np.array([-1000.0, 0.0, 1000.0]))
        dx = layer.backward(np.ones(3))
    np.testing.assert_allclose(y, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(dx, [0.0, 0.25, 0.0])


def test_affine_forward_and_shapes():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    b = np.array([0.5, -0.5, 0.0])
    layer = Affine(W, b)
    np.testing.assert_array_equal(layer.forward(x),
                                  [[1.5, 1.5, 0.0], [3.5, 3.5, 2.0], [0.5, -1.5, 1.0]])
    dx = layer.backward(np.ones((3, 3)))
    np.testing.assert_array_equal(dx, np.ones((3, 3)) @ W.T)
    np.testing.assert_array_equal(layer.dW, x.T @ np.ones((3, 3)))
    np.testing.assert_array_equal(layer.db, [3.0, 3.0, 3.0])  # summed over the batch


def test_affine_one_sample_is_1d():
    W, b = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    layer = Affine(W, b)
    out = layer.forward(np.array([1.0, -1.0]))
    np.testing.assert_array_equal(out, [-2.0, -1.0, 0.0])  # [-3, -3, -3] + b
    dx = layer.backward(np.array([1.0, 0.0, 0.0]))
    assert dx.shape == (2,)
    np.testing.assert_array_equal(dx, [0.0, 3.0])
    np.testing.assert_array_equal(layer.db, [1.0, 0.0, 0.0])


def test_affine_backward_without_input_gradient_still_stores_dw_db():
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), np.zeros(3)
    dout = rng.standard_normal((5, 3))
    layer = Affine(W, b)
    layer.forward(x)
    assert layer.backward(dout, input_grad=False) is None
    np.testing.assert_allclose(layer.dW, x.T @ dout, rtol=1e-12)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0), rtol=1e-12)


def test_backward_uses_the_latest_forward():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((4, 2)), np.zeros(2)
    x1, x2 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    dout = rng.standard_normal((3, 2))
    layer = Affine(W, b)
    layer.forward(x1)
    layer.forward(x2)
    layer.backward(dout)
    np.testing.assert_allclose(layer.dW, x2.T @ dout, rtol=1e-12)


def test_affine_sees_its_weights_change_in_place():
    W, b = np.eye(2), np.zeros(2)
    layer = Affine(W, b)
    x = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(layer.forward(x), [[1.0, 2.0]])
    W *= 3  # what an optimiser does
    b += 1
    np.testing.assert_array_equal(layer.forward(x), [[4.0, 7.0]])


def test_softmax_with_loss_values_and_backward():
    x = np.array([[0.3, 2.9, 4.0], [1.0, 1.0, 1.0]])
    labels = np.array([2, 0])
    y = softmax(x)
    t = np.eye(3)[labels]
    for targets in (labels, t):
        layer = SoftmaxWithLoss()
        loss = layer.forward(x, targets)
        assert loss == pytest.approx(cross_entropy_error(y, labels), rel=1e-9)
        assert loss == pytest.approx((-np.log(y[0, 2]) + np.log(3)) / 2, rel=1e-9)
        np.testing.assert_allclose(layer.backward(), (y - t) / 2, rtol=1e-12)
        np.testing.assert_allclose(layer.backward(2.5), 2.5 * (y - t) / 2, rtol=1e-12)


def test_softmax_with_loss_one_sample_is_1d():
    x = np.array([0.3, 2.9, 4.0])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, 1)
    assert loss == pytest.approx(-np.log(softmax(x)[1]), rel=1e-9)
    dx = layer.backward()
    assert dx.shape == (3,)
    np.testing.assert_allclose(dx, softmax(x) - [0, 1, 0], rtol=1e-12)
    # The same with a one-hot target.
    assert layer.forward(x, np.array([0.0, 1.0, 0.0])) == pytest.approx(loss, rel=1e-12)


def test_softmax_with_loss_huge_scores_finite():
    layer = SoftmaxWithLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = layer.forward(np.array([[1000.0, 0.0, -1000.0]]), np.array([0]))
        dx = layer.backward()
    assert loss == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(dx, [[0.0, 0.0, 0.0]], atol=1e-12)


def test_softmax_with_loss_confidently_wrong_is_exact_and_consistent():
    # The right class trails by 40: p = e^-40 ~ 4e-18. The true loss is ~40; a loss taken as
    # log(p + 1e-12) would stop at 27.6 and be flat, so a gradient check would see ~0 where
    # backward (rightly) says -1/N.
    x = np.array([[0.0, 40.0], [2.0, 1.0]])
    t = np.array([0, 0])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    assert loss == pytest.approx((40 + np.log1p(np.exp(-40)) + np.log1p(np.exp(-1))) / 2,
                                 rel=1e-12)
    dx = layer.backward()
    np.testing.assert_allclose(dx[0], [-0.5, 0.5], rtol=1e-12)
    # measured ~1e-10; we require < 1e-7
    assert rel_error(dx, numeric(lambda: layer.forward(x, t), x, 1.0)) < 1e-7


def test_softmax_with_loss_rejects_bad_targets():
    layer = SoftmaxWithLoss()
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        layer.forward(np.zeros((2, 3)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="0..2"):
        layer.forward(np.zeros((2, 3)), np.array([0, 3]))


def test_squared_error_loss_values():
    y = np.array([[1.0, 2.0], [0.0, 0.0]])
    t = np.array([[1.0, 0.0], [3.0, 4.0]])
    layer = SquaredErrorLoss()
    assert layer.forward(y, t) == pytest.approx(7.25)  # (0.5*4 + 0.5*25) / 2
    np.testing.assert_allclose(layer.backward(), (y - t) / 2)
    np.testing.assert_allclose(layer.backward(3.0), 3.0 * (y - t) / 2)


# --- dout is never modified, and gradients never alias it ------------------------------------

def _run_with(layer_name, rng):
    """Build a layer, run forward, return (layer, dout) with dout of the output's shape."""
    x = rng.standard_normal((4, 3))
    if layer_name == "Add":
        layer = AddLayer()
        out = layer.forward(x, rng.standard_normal((4, 3)))
    elif layer_name == "Mul":
        layer = MulLayer()
        out = layer.forward(x, rng.standard_normal((4, 3)))
    elif layer_name == "Relu":
        layer = Relu()
        out = layer.forward(x)
    elif layer_name == "Sigmoid":
        layer = Sigmoid()
        out = layer.forward(x)
    else:
        layer = Affine(rng.standard_normal((3, 2)), rng.standard_normal(2))
        out = layer.forward(x)
    return layer, rng.standard_normal(np.shape(out))


@pytest.mark.parametrize("name", ["Add", "Mul", "Relu", "Sigmoid", "Affine"])
def test_backward_never_modifies_dout(name):
    layer, dout = _run_with(name, np.random.default_rng(0))
    dout[0, 0] = -abs(dout[0, 0])  # so that a Relu mask or a sign matters somewhere
    before = dout.copy()
    grads = layer.backward(dout)
    np.testing.assert_array_equal(dout, before)
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert not np.shares_memory(g, dout), "writing into a gradient would change dout"


@pytest.mark.parametrize("loss_layer", [SoftmaxWithLoss, SquaredErrorLoss])
def test_loss_layer_backward_never_modifies_dout(loss_layer):
    rng = np.random.default_rng(0)
    layer = loss_layer()
    layer.forward(rng.standard_normal((3, 4)), np.eye(4)[[0, 1, 3]])
    dout = np.array(2.0)
    layer.backward(dout)
    assert dout == 2.0


# --- dtypes -------------------------------------------------------------------------------------

def test_float32_stays_float32_through_every_layer():
    rng = np.random.default_rng(0)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    x, y, dout = f32(4, 3), f32(4, 3), f32(4, 3)
    for layer, inputs in ((AddLayer(), (x, y)), (MulLayer(), (x, y)), (Relu(), (x,)),
                          (Sigmoid(), (x,))):
        out = layer.forward(*inputs)
        assert out.dtype == np.float32, type(layer).__name__
        grads = layer.backward(dout)
        for g in grads if isinstance(grads, tuple) else (grads,):
            assert g.dtype == np.float32, type(layer).__name__

    affine = Affine(f32(6, 2), f32(2))
    out = affine.forward(f32(4, 2, 3))
    assert out.dtype == np.float32
    assert affine.backward(f32(4, 2)).dtype == np.float32
    assert affine.dW.dtype == np.float32 and affine.db.dtype == np.float32

    for loss_layer, t in ((SoftmaxWithLoss(), np.array([0, 1, 2, 1])),
                          (SquaredErrorLoss(), f32(4, 3))):
        loss = loss_layer.forward(x, t)
        assert np.asarray(loss).dtype == np.float32, type(loss_layer).__name__
        assert loss_layer.backward().dtype == np.float32, type(loss_layer).__name__


def test_integer_inputs_become_float64():
    layer = Affine(np.ones((2, 2)), np.zeros(2))
    assert layer.forward(np.array([[1, 2]])).dtype == np.float64
    assert Relu().forward(np.array([-1, 2])).dtype == np.float64
    assert Sigmoid().forward(np.array([-1, 2])).dtype == np.float64


# --- error messages ------------------------------------------------------------------------------

def test_affine_shape_mismatch_message():
    layer = Affine(np.zeros((6, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="x has 5 features per sample but W expects 6"):
        layer.forward(np.zeros((4, 5)))


def test_affine_backward_rejects_a_dout_of_the_wrong_shape():
    layer = Affine(np.zeros((6, 3)), np.zeros(3))
    layer.forward(np.zeros((4, 6)))
    with pytest.raises(ValueError, match=r"dout has shape \(4, 5\).*\(4, 3\)"):
        layer.backward(np.zeros((4, 5)))


@pytest.mark.parametrize("layer", [MulLayer(), Relu(), Sigmoid(),
                                   Affine(np.zeros((2, 2)), np.zeros(2)),
                                   SoftmaxWithLoss(), SquaredErrorLoss()],
                         ids=lambda layer: type(layer).__name__)
def test_backward_before_forward_says_so(layer):
    with pytest.raises(BackwardBeforeForwardError, match="backward was called before forward"):
        layer.backward(np.ones(2))
