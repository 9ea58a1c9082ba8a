"""bpkit.checks for lesson 05: each recognised Affine mistake gets its own message."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks

pytestmark = pytest.mark.lesson05


class GoodAffine:
    """Written from the formulas, as a student would: flatten, product, reshape back."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.original_x_shape)


ALL_CHECKS = [
    checks.check_affine_forward, checks.check_affine_backward_dx, checks.check_affine_backward_dW,
    checks.check_affine_backward_db, checks.check_affine_nd_input, checks.check_affine_numerically,
]


@pytest.mark.parametrize("check", ALL_CHECKS)
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_a_correct_affine_passes_every_check(check, seed):
    assert check(GoodAffine, seed=seed) is None


def test_forgotten_bias_is_named():
    class NoBias(GoodAffine):
        def forward(self, x):
            super().forward(x)
            return np.dot(self.x, self.W)

    with pytest.raises(AssertionError, match=r"x \. W alone.*affine\.forward_no_bias"):
        checks.check_affine_forward(NoBias)


def test_float32_output_promoted_to_float64_is_named():
    class Promotes(GoodAffine):
        def forward(self, x):
            return super().forward(x).astype(np.float64)

    with pytest.raises(AssertionError, match="dtype float64 but the inputs were float32"):
        checks.check_affine_forward(Promotes)


def test_db_not_summed_over_the_batch_is_named_with_shapes():
    class DbNotSummed(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.copy()
            return dx

    with pytest.raises(AssertionError, match=r"has shape \(\d, \d\) but b has shape "
                                             r"\(\d,\).*backward pass of a copy.*db_not_summed"):
        checks.check_affine_backward_db(DbNotSummed)


def test_db_summed_over_the_wrong_axis_is_named():
    class DbAxis1(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.sum(axis=1)
            return dx

    with pytest.raises(AssertionError, match=r"over the outputs \(axis 1\).*db_wrong_axis"):
        checks.check_affine_backward_db(DbAxis1)


def test_db_averaged_is_named():
    class DbMean(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.mean(axis=0)
            return dx

    with pytest.raises(AssertionError, match="MEAN of dout"):
        checks.check_affine_backward_db(DbMean)


def test_dw_as_dout_dot_x_is_named():
    class DwDoutX(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = np.dot(dout, self.x)
            return dx

    with pytest.raises(AssertionError, match=r"multiplies dout by x.*affine\.dw_product_order"):
        checks.check_affine_backward_dW(DwDoutX)


def test_dw_transposed_is_named():
    class DwTransposed(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = np.dot(dout.T, self.x)
            return dx

    with pytest.raises(AssertionError, match="transpose of W's shape"):
        checks.check_affine_backward_dW(DwTransposed)


def test_dw_divided_by_n_is_named():
    class DwMean(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = self.dW / dout.shape[0]
            return dx

    with pytest.raises(AssertionError, match="divided by the batch size"):
        checks.check_affine_backward_dW(DwMean)


def test_dx_without_transpose_is_named():
    class DxNoTranspose(GoodAffine):
        def backward(self, dout):
            super().backward(dout)
            return np.dot(dout, self.W).reshape(self.original_x_shape)

    with pytest.raises(AssertionError, match=r"dout by W as it is.*dx_not_transposed"):
        checks.check_affine_backward_dx(DxNoTranspose)


def test_dx_returned_with_parameter_gradients_is_named():
    class ReturnsTuple(GoodAffine):
        def backward(self, dout):
            return super().backward(dout), self.dW, self.db

    with pytest.raises(AssertionError, match="returned a tuple of 3"):
        checks.check_affine_backward_dx(ReturnsTuple)


def test_dout_modified_in_place_is_named():
    class WritesDout(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            dout *= 0
            return dx

    with pytest.raises(AssertionError, match="changed its argument dout in place"):
        checks.check_affine_backward_dx(WritesDout)


def test_dx_not_reshaped_back_is_named_with_both_shapes():
    class NoReshape(GoodAffine):
        def backward(self, dout):
            return super().backward(dout).reshape(self.x.shape)

    with pytest.raises(AssertionError, match=r"flattened shape \(\d, \d+\), not x's shape "
                                             r"\(\d, \d, \d, \d\).*affine\.dx_not_reshaped"):
        checks.check_affine_nd_input(NoReshape)


def test_no_flattening_of_nd_input_is_named():
    class NoFlatten(GoodAffine):
        def forward(self, x):
            self.original_x_shape = x.shape
            self.x = x
            return np.dot(x, self.W) + self.b

    with pytest.raises(AssertionError, match=r"W expects D = \d+ numbers per sample"):
        checks.check_affine_nd_input(NoFlatten)


def test_numerical_check_names_the_wrong_gradient():
    class DbDoubled(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = 2 * self.db
            return dx

    with pytest.raises(AssertionError, match=r"numerical gradient.* for b \(error"):
        checks.check_affine_numerically(DbDoubled)


def test_checks_reject_bpkits_own_affine():
    import bpkit

    with pytest.raises(AssertionError, match="must be your own code"):
        checks.expect_own_code(bpkit.Affine)


def test_an_unwritten_exercise_says_so():
    class Blank(GoodAffine):
        def forward(self, x):
            raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"still runs `raise NotImplementedError.*not_written"):
        checks.check_affine_forward(Blank)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_correct_affine_passes_on_any_seed(seed):
    # Hidden tests draw fresh seeds: a correct answer must never fail by bad luck.
    for check in ALL_CHECKS:
        check(GoodAffine, seed=seed)
