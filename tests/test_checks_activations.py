"""bpkit.checks for lesson 04: each recognised mistake in Relu and Sigmoid gets its own message,
and correct code passes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpkit
from bpkit import checks

pytestmark = pytest.mark.lesson04


def fails_with(check, cls, *fragments):
    """Run a check that must fail; assert its message contains every fragment."""
    with pytest.raises(AssertionError) as info:
        check(cls)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


class GoodRelu:
    """The book's Relu: a mask stored in forward, applied in backward, on copies."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class GoodSigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class GraphSigmoid(GoodSigmoid):
    """Backward written node by node as in the graph: dout * y^2 * exp(-x)."""

    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * self.out**2 * np.exp(-self.x)


@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_correct_layers_pass(seed):
    for check in (checks.check_relu_forward, checks.check_relu_backward):
        check(GoodRelu, seed=seed)
    for cls in (GoodSigmoid, GraphSigmoid):
        checks.check_sigmoid_forward(cls, seed=seed)
        checks.check_sigmoid_backward(cls, seed=seed)
    checks.check_backward_numerically(GoodRelu, (4, 3), seed=seed)
    checks.check_backward_numerically(GoodSigmoid, (2, 5), seed=seed)


def test_bpkit_reference_passes_the_checks():
    checks.check_relu_backward(bpkit.Relu)
    checks.check_sigmoid_backward(bpkit.Sigmoid)


# ------------------------------------------------------------------ Relu mistakes


class InvertedForwardRelu(GoodRelu):
    def forward(self, x):
        self.mask = x <= 0
        return np.where(x > 0, 0, x)


def test_relu_inverted_forward_mask_is_named():
    fails_with(checks.check_relu_forward, InvertedForwardRelu, "mask is inverted")


class InvertedBackwardRelu(GoodRelu):
    def backward(self, dout):
        return dout * self.mask


def test_relu_inverted_backward_mask_is_named():
    fails_with(checks.check_relu_backward, InvertedBackwardRelu, "the mask is inverted",
               "where x > 0")


class InPlaceForwardRelu(GoodRelu):
    def forward(self, x):
        self.mask = x <= 0
        x[self.mask] = 0
        return x


def test_relu_changing_x_in_place_is_detected():
    fails_with(checks.check_relu_forward, InPlaceForwardRelu, "Relu.forward changed its argument x")


class InPlaceBackwardRelu(GoodRelu):
    def backward(self, dout):
        dout[self.mask] = 0
        return dout


def test_relu_changing_dout_in_place_is_detected():
    fails_with(checks.check_relu_backward, InPlaceBackwardRelu,
               "Relu.backward changed its argument dout in place")


class NoDoutRelu(GoodRelu):
    def backward(self, dout):
        return (~self.mask).astype(dout.dtype)


def test_relu_forgotten_dout_is_named():
    fails_with(checks.check_relu_backward, NoDoutRelu, "without dout")


class TimesXRelu(GoodRelu):
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * self.x


def test_relu_multiplying_by_x_is_named():
    fails_with(checks.check_relu_backward, TimesXRelu, "dout times x")


class UnstoredRelu:
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


def test_relu_forward_not_storing_the_mask_is_named():
    fails_with(checks.check_relu_backward, UnstoredRelu, "AttributeError", "[common.not_stored]")


class Float64Relu(GoodRelu):
    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(x, 0.0).astype(np.float64)


def test_relu_losing_float32_is_detected():
    fails_with(checks.check_relu_forward, Float64Relu, "dtype float64", "float32")


class FlatRelu(GoodRelu):
    def backward(self, dout):
        return super().backward(dout).reshape(-1)


def test_relu_flattening_dx_is_a_shape_error():
    # Even if the random float64 case is 1-D, the float32 case is (3, 4) and is flattened.
    fails_with(checks.check_relu_backward, FlatRelu, "should have shape")


class TupleRelu(GoodRelu):
    def backward(self, dout):
        return super().backward(dout), None


def test_relu_returning_a_tuple_is_named():
    fails_with(checks.check_relu_backward, TupleRelu, "returns one gradient dx")


# ------------------------------------------------------------------ Sigmoid mistakes


class FromXSigmoid(GoodSigmoid):
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * self.x * (1 - self.x)


def test_sigmoid_derivative_from_x_is_named():
    fails_with(checks.check_sigmoid_backward, FromXSigmoid, "computed from the input x",
               "[sigmoid.derivative_from_x]")


class NoDoutSigmoid(GoodSigmoid):
    def backward(self, dout):
        return self.out * (1 - self.out)


def test_sigmoid_forgotten_dout_is_named():
    fails_with(checks.check_sigmoid_backward, NoDoutSigmoid, "without dout")


class SignSigmoid(GoodSigmoid):
    def backward(self, dout):
        return -dout * self.out * (1 - self.out)


def test_sigmoid_wrong_sign_is_named():
    fails_with(checks.check_sigmoid_backward, SignSigmoid, "wrong sign")


class MissingFactorSigmoid(GoodSigmoid):
    def backward(self, dout):
        return dout * self.out


def test_sigmoid_missing_factor_is_named():
    fails_with(checks.check_sigmoid_backward, MissingFactorSigmoid, "[sigmoid.missing_factor]")


class PositiveExponentSigmoid(GoodSigmoid):
    def forward(self, x):
        self.out = 1 / (1 + np.exp(x))
        return self.out


def test_sigmoid_sign_in_exponent_is_named():
    fails_with(checks.check_sigmoid_forward, PositiveExponentSigmoid, "sign in the exponent")


class InPlaceSigmoid(GoodSigmoid):
    def backward(self, dout):
        dout *= self.out * (1 - self.out)
        return dout


def test_sigmoid_changing_dout_in_place_is_detected():
    fails_with(checks.check_sigmoid_backward, InPlaceSigmoid, "changed its argument dout")


class InitDefaultSigmoid:
    """forward never stores y; backward uses __init__'s placeholder 0.5 without crashing."""

    def __init__(self):
        self.out = np.float64(0.5)

    def forward(self, x):
        return 1 / (1 + np.exp(-x))

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


def test_sigmoid_silent_placeholder_is_detected():
    fails_with(checks.check_sigmoid_backward, InitDefaultSigmoid, "does not store its output y")


class StaleSigmoid(GoodSigmoid):
    def forward(self, x):
        y = 1 / (1 + np.exp(-x))
        if self.out is None:
            self.out = y
        return y


def test_sigmoid_keeping_the_first_output_is_detected():
    fails_with(checks.check_sigmoid_backward, StaleSigmoid, "EARLIER forward call")


class Float64Sigmoid(GoodSigmoid):
    def backward(self, dout):
        return np.asarray(dout, dtype=np.float64) * self.out * (1 - self.out)


def test_sigmoid_losing_float32_is_detected():
    fails_with(checks.check_sigmoid_backward, Float64Sigmoid, "dtype float64", "float32")


def test_numerical_check_rejects_a_wrong_sigmoid():
    with pytest.raises(AssertionError, match="disagrees with the numerical gradient"):
        checks.check_backward_numerically(FromXSigmoid, (3, 3))


# ------------------------------------------------------------------ any seed
# The hidden tests draw a fresh seed each time: no seed may fail correct code.


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_code_passes_and_known_mistakes_fail_for_any_seed(seed):
    checks.check_relu_backward(GoodRelu, seed=seed)
    checks.check_sigmoid_backward(GoodSigmoid, seed=seed)
    checks.check_backward_numerically(GoodRelu, (3, 4), seed=seed)
    with pytest.raises(AssertionError, match="mask is inverted"):
        checks.check_relu_backward(InvertedBackwardRelu, seed=seed)
    with pytest.raises(AssertionError, match="computed from the input x"):
        checks.check_sigmoid_backward(FromXSigmoid, seed=seed)
