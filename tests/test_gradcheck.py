"""bpkit.gradcheck: numerical gradients against closed forms, exact restoration, the checkers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bpkit import (
    Affine,
    MulLayer,
    Sigmoid,
    SoftmaxWithLoss,
    TwoLayerNet,
    check_layer,
    check_network,
    numerical_gradient,
    rel_error,
)
from bpkit.gradcheck import numerical_gradient_array

FEW = settings(max_examples=30, deadline=None)

# Values where x + h - h is not x, or where "restoring" by arithmetic loses something:
# the sign of -0.0, a subnormal, a number far below h, one far above it, inf and nan.
AWKWARD = [-0.0, 5e-324, 1e-20, 0.1, 1 / 3, 1e16 + 2, 1e300, -np.inf, np.nan]


def bits(x):
    """The raw bytes of x, so that -0.0 != 0.0 and nan == nan (same payload)."""
    return np.ascontiguousarray(x).tobytes()


# --- numerical_gradient ----------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 2, 3)])
def test_numerical_gradient_of_a_cubic_any_shape(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    grad = numerical_gradient(lambda: np.sum(x**3), x)
    assert grad.shape == x.shape
    # Truncation error for a cubic is h^2 = 1e-10; round-off is ~1e-16 * |f| / h, which for
    # the smallest entry (3x^2 = 0.005, shape (2, 2, 3)) is the larger part.
    # measured 2e-11 .. 1e-8 over the shapes; we require < 1e-7
    assert rel_error(grad, 3 * x**2) < 1e-7


def test_numerical_gradient_takes_f_of_x_or_f_of_nothing():
    rng = np.random.default_rng(1)
    x, A = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    expected = np.cos(x) * A
    with_arg = numerical_gradient(lambda w: np.sum(np.sin(w) * A), x)  # the book's style
    without = numerical_gradient(lambda: np.sum(np.sin(x) * A), x)
    # measured ~3e-11; we require < 1e-8
    assert rel_error(with_arg, expected) < 1e-8
    np.testing.assert_array_equal(with_arg, without)


def test_numerical_gradient_through_a_view_changes_only_the_view():
    base = np.random.default_rng(2).standard_normal((4, 6))
    before = base.copy()
    view = base[:, ::2].T  # non-contiguous, transposed: entries are perturbed through it
    grad = numerical_gradient(lambda: np.sum(view**2), view)
    assert rel_error(grad, 2 * view) < 1e-8  # a quadratic: measured ~1e-11
    assert bits(base) == bits(before)


def test_numerical_gradient_restores_awkward_values_bitwise():
    x = np.array(AWKWARD)
    before = bits(x)
    seen = []

    def f():
        seen.append(x.copy())
        # Finite whatever x holds (inf and nan are part of the point here): a gradient of
        # an infinite f would rightly warn.
        return np.nansum(np.clip(x, -1.0, 1.0))

    numerical_gradient(f, x)
    assert bits(x) == before
    assert len(seen) == 2 * x.size  # every entry was really perturbed, twice
    assert not np.array_equal(seen[0], x, equal_nan=True)


@FEW
@given(arrays(np.float64, array_shapes(max_dims=3, max_side=4),
              elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_numerical_gradient_restores_any_float64_bitwise(x):
    before = bits(x)
    numerical_gradient(lambda: np.nansum(np.clip(x, -1.0, 1.0)), x)
    assert bits(x) == before


def test_float32_is_perturbed_and_restored_too():
    x = np.array([0.1, -0.0, 3.0, 1e-30], dtype=np.float32)
    before = bits(x)
    grad = numerical_gradient(lambda: np.sum(x.astype(np.float64) * 2), x, h=1e-2)
    assert bits(x) == before
    np.testing.assert_allclose(grad, 2.0, rtol=1e-4)


def test_x_is_restored_even_when_f_raises():
    x = np.array([0.1, 1e-20, -0.0])
    before = bits(x)
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 4:  # in the middle of perturbing the second entry
            raise FloatingPointError("diverged")
        return np.sum(x)

    with pytest.raises(FloatingPointError):
        numerical_gradient(f, x)
    assert bits(x) == before


def test_a_type_error_inside_f_is_reported_as_itself():
    # f takes x; its own bug must surface, not "f() missing 1 required positional argument".
    def f(w):
        return len(w) + None

    with pytest.raises(TypeError, match="unsupported operand"):
        numerical_gradient(f, np.ones(2))


def test_integer_x_cannot_be_perturbed():
    with pytest.raises(TypeError, match="float array"):
        numerical_gradient(lambda: 0.0, np.array([1, 2, 3]))


def test_numerical_gradient_array_is_the_vector_jacobian_product():
    rng = np.random.default_rng(3)
    x, A = rng.standard_normal((5, 4)), rng.standard_normal((4, 3))
    dout = rng.standard_normal((5, 3))
    grad = numerical_gradient_array(lambda: x @ A, x, dout)
    # f is linear, so only rounding remains: measured ~3e-10; we require < 1e-8
    assert rel_error(grad, dout @ A.T) < 1e-8
    elementwise = numerical_gradient_array(lambda: x**2, x, np.ones_like(x))
    assert rel_error(elementwise, 2 * x) < 1e-8


def test_function_value_unchanged_after_the_check():
    x = np.random.default_rng(4).standard_normal(7)
    value = np.sum(np.exp(x))
    numerical_gradient(lambda: np.sum(np.exp(x)), x)
    assert np.sum(np.exp(x)) == value


# --- rel_error --------------------------------------------------------------------------------

def test_rel_error_values():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)
    assert rel_error([1.0, 100.0], [1.0, 90.0]) == pytest.approx(10 / 190)  # the worst entry
    assert rel_error([3.0, -1.0], [2.0, 1.0]) == pytest.approx(1.0)  # opposite signs
    assert rel_error([0.0], [1e-12]) == pytest.approx(1e-4)  # the 1e-8 floor near zero
    assert rel_error(np.zeros(0), np.zeros(0)) == 0.0
    assert isinstance(rel_error([1.0], [2.0]), float)


@FEW
@given(arrays(np.float64, (3, 2), elements=st.floats(-1e6, 1e6)),
       arrays(np.float64, (3, 2), elements=st.floats(-1e6, 1e6)))
def test_rel_error_is_symmetric_and_bounded(a, b):
    e = rel_error(a, b)
    assert e == rel_error(b, a)
    assert 0.0 <= e <= 1.0  # |a - b| <= |a| + |b|


def test_rel_error_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))


# --- check_layer --------------------------------------------------------------------------------

def test_check_layer_reports_every_gradient_of_affine():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((6, 3)), rng.standard_normal(3)
    W_before, b_before = bits(W), bits(b)
    x = rng.standard_normal((4, 2, 3))
    x_before = bits(x)
    errors = check_layer(Affine(W, b), x)
    assert set(errors) == {"x", "W", "b"}
    # measured x 2e-10, W 2e-11, b 2e-11; we require < 1e-7
    assert max(errors.values()) < 1e-7
    assert bits(W) == W_before and bits(b) == b_before and bits(x) == x_before


def test_check_layer_two_inputs_and_loss_layers():
    rng = np.random.default_rng(0)
    errors = check_layer(MulLayer(), rng.standard_normal((3, 4)), rng.standard_normal((3, 4)))
    assert set(errors) == {"x", "y"} and max(errors.values()) < 1e-8  # measured ~6e-12
    # A loss layer: the target has no gradient, so only x is reported.
    errors = check_layer(SoftmaxWithLoss(), rng.standard_normal((4, 5)), np.array([0, 4, 2, 2]))
    assert set(errors) == {"x"} and errors["x"] < 1e-7  # measured ~2e-9


class SigmoidMissingOneMinusY(Sigmoid):
    """The usual student mistake: dx = dout * y, forgetting the (1 - y)."""

    def backward(self, dout):
        return dout * self.out


class AffineBiasNotSummed(Affine):
    """Another usual mistake: db taken from the first sample instead of summed over the batch."""

    def backward(self, dout, input_grad=True):
        dx = super().backward(dout, input_grad)
        self.db = np.asarray(dout)[0].copy()
        return dx


def test_check_layer_catches_wrong_backward():
    rng = np.random.default_rng(0)
    errors = check_layer(SigmoidMissingOneMinusY(), rng.standard_normal((3, 4)))
    assert errors["x"] > 1e-2

    errors = check_layer(AffineBiasNotSummed(rng.standard_normal((4, 2)), np.zeros(2)),
                         rng.standard_normal((5, 4)))
    assert errors["b"] > 1e-2
    assert errors["x"] < 1e-7 and errors["W"] < 1e-7  # and only db is blamed


class DoubleInOneBuffer:
    """out = 2x, correct, but forward and backward write into one reused buffer (a
    legitimate way to save memory): backward's result is overwritten by the next forward."""

    def forward(self, x):
        self.buf = np.empty_like(x)
        np.multiply(x, 2.0, out=self.buf)
        return self.buf.copy()

    def backward(self, dout):
        np.multiply(dout, 2.0, out=self.buf)
        return self.buf


def test_check_layer_keeps_the_gradient_backward_returned():
    x = np.random.default_rng(5).standard_normal(4) + 3  # so that 2x differs from 2 * dout
    errors = check_layer(DoubleInOneBuffer(), x)
    assert errors["x"] < 1e-8  # measured ~1e-11


# --- check_network -------------------------------------------------------------------------------

def test_check_network_on_two_layer_net():
    rng = np.random.default_rng(0)
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    errors = check_network(net, rng.standard_normal((6, 5)), rng.integers(0, 3, size=6))
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert max(errors.values()) < 1e-6  # measured ~5e-9


class NetWithHalfW1Gradient(TwoLayerNet):
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        grads["W1"] = grads["W1"] / 2
        return grads


def test_check_network_blames_the_wrong_parameter():
    rng = np.random.default_rng(0)
    net = NetWithHalfW1Gradient(5, 4, 3, weight_init_std=1.0, seed=0)
    errors = check_network(net, rng.standard_normal((6, 5)), rng.integers(0, 3, size=6))
    assert errors["W1"] > 0.3  # |g - g/2| / (|g| + |g/2|) = 1/3
    assert max(errors["b1"], errors["W2"], errors["b2"]) < 1e-6


def test_a_type_error_inside_f_reaches_the_caller_unchanged():
    # Deciding between f(x) and f() by catching TypeError would hide this bug behind
    # "takes 0 positional arguments".
    x = np.ones(3)

    def buggy_loss():
        return np.sum(x) + "1"

    with pytest.raises(TypeError, match="unsupported operand|can only concatenate|ufunc"):
        numerical_gradient(buggy_loss, x)
    assert np.array_equal(x, np.ones(3)), "x is restored even when f raises"


def test_whether_f_takes_x_is_read_from_any_kind_of_callable():
    """Plain functions are read from their code; the rest through their signature."""
    import functools

    from bpkit.gradcheck import _takes_an_argument

    def none():
        return 0.0

    @functools.wraps(none)
    def wrapper(*args):
        return none(*args)

    class Net:
        def loss(self):
            return 0.0

        def loss_of(self, W):
            return 0.0

    assert not _takes_an_argument(lambda: 0.0)
    assert _takes_an_argument(lambda W: 0.0)
    assert _takes_an_argument(lambda *args: 0.0)
    assert not _takes_an_argument(lambda **options: 0.0)
    assert not _takes_an_argument(wrapper)  # signature follows __wrapped__ to none()
    assert not _takes_an_argument(Net().loss)
    assert _takes_an_argument(Net().loss_of)
    assert _takes_an_argument(functools.partial(lambda a, W: 0.0, 1))
    assert _takes_an_argument(np.sum)
