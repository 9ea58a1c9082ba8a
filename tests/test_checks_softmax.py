"""bpkit.checks for lesson 06: each recognised softmax / cross-entropy mistake is named."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks

pytestmark = pytest.mark.lesson06


def good_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def good_cross_entropy_error(y, t):
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    if t.size == y.size:
        t = t.argmax(axis=1)
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n


class GoodSoftmaxWithLoss:
    def forward(self, x, t):
        self.y = good_softmax(x)
        self.t = t if t.size == self.y.size else np.eye(self.y.shape[-1])[t]
        return good_cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.y.shape[0]


@pytest.mark.parametrize("seed", [0, 3, 99])
def test_correct_answers_pass_every_check(seed):
    checks.check_softmax(good_softmax, seed=seed)
    checks.check_softmax_stable(good_softmax, seed=seed)
    checks.check_cross_entropy_error(good_cross_entropy_error, seed=seed)
    checks.check_softmax_with_loss_forward(GoodSoftmaxWithLoss, seed=seed)
    checks.check_softmax_with_loss_backward(GoodSoftmaxWithLoss, seed=seed)
    checks.check_softmax_with_loss_numerically(GoodSoftmaxWithLoss, seed=seed)


def test_softmax_without_max_shift_is_named_as_overflow():
    def unshifted(x):
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)

    checks.check_softmax(unshifted)  # fine on small scores
    with pytest.raises(AssertionError, match=r"overflowed.*softmax\.overflow"):
        checks.check_softmax_stable(unshifted)


def test_softmax_over_the_batch_axis_is_named():
    def axis0(x):
        e = np.exp(x - x.max())
        return e / np.sum(e, axis=0, keepdims=True)

    with pytest.raises(AssertionError, match="normalised over axis 0"):
        checks.check_softmax(axis0)


def test_softmax_over_the_whole_batch_is_named():
    def whole(x):
        e = np.exp(x - x.max())
        return e / np.sum(e)

    with pytest.raises(AssertionError, match="WHOLE batch"):
        checks.check_softmax(whole)


def test_softmax_that_only_handles_batches_is_named():
    def axis1(x):
        e = np.exp(x - np.max(x, axis=1, keepdims=True))
        return e / np.sum(e, axis=1, keepdims=True)

    with pytest.raises(AssertionError, match=r"one sample x of shape \(\d,\).*classes' axis"):
        checks.check_softmax(axis1)


def test_softmax_writing_into_its_input_is_named():
    def in_place(x):
        x -= np.max(x, axis=-1, keepdims=True)
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)

    with pytest.raises(AssertionError, match="changed its argument x in place"):
        checks.check_softmax(in_place)


def test_softmax_losing_float32_is_named():
    with pytest.raises(AssertionError, match="dtype float64 but the inputs were float32"):
        checks.check_softmax(lambda x: good_softmax(np.asarray(x, dtype=np.float64)))


def test_cross_entropy_without_batch_mean_is_named():
    def summed(y, t):
        return good_cross_entropy_error(y, t) * np.atleast_2d(y).shape[0]

    with pytest.raises(AssertionError, match=r"SUM over the batch.*summed_over_batch"):
        checks.check_cross_entropy_error(summed)


def test_cross_entropy_mean_over_every_entry_is_named():
    def mean_all(y, t):
        return -np.mean(t * np.log(y + 1e-7))

    with pytest.raises(AssertionError, match=r"averaged over all N \* C"):
        checks.check_cross_entropy_error(mean_all)


def test_cross_entropy_without_labels_support_is_named():
    def one_hot_only(y, t):
        y, t = np.atleast_2d(y), np.atleast_2d(t)
        return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]

    with pytest.raises(AssertionError, match=r"labels t \(\d,\).*right class's probability"):
        checks.check_cross_entropy_error(one_hot_only)


def test_cross_entropy_log_of_zero_is_named():
    def no_delta(y, t):
        y, t = np.atleast_2d(y), np.atleast_2d(t)
        if t.size != y.size:
            t = np.eye(y.shape[1])[t.ravel()]
        return -np.sum(t * np.log(y)) / y.shape[0]

    with pytest.raises(AssertionError, match=r"probability exactly 0.*log_zero"):
        checks.check_cross_entropy_error(no_delta)


def test_backward_without_division_by_n_is_named():
    class NoN(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return dout * (self.y - self.t)

    with pytest.raises(AssertionError, match=r"N = \d+ times too large.*not_divided_by_batch"):
        checks.check_softmax_with_loss_backward(NoN)


def test_backward_ignoring_dout_is_named():
    class IgnoresDout(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return (self.y - self.t) / self.y.shape[0]

    with pytest.raises(AssertionError, match="ignores dout"):
        checks.check_softmax_with_loss_backward(IgnoresDout)


def test_backward_with_flipped_sign_is_named():
    class Flipped(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return dout * (self.t - self.y) / self.y.shape[0]

    with pytest.raises(AssertionError, match="wrong sign"):
        checks.check_softmax_with_loss_backward(Flipped)


def test_backward_with_raw_labels_is_named():
    class KeepsLabels(GoodSoftmaxWithLoss):
        def forward(self, x, t):
            loss = super().forward(x, t)
            self.t = t
            return loss

    with pytest.raises(AssertionError, match="broadcasts wrongly"):
        checks.check_softmax_with_loss_backward(KeepsLabels)


def test_forward_returning_the_batch_sum_is_named():
    class Summed(GoodSoftmaxWithLoss):
        def forward(self, x, t):
            return super().forward(x, t) * x.shape[0]

    with pytest.raises(AssertionError, match="SUM of the losses"):
        checks.check_softmax_with_loss_forward(Summed)


def test_numerical_check_catches_a_wrong_backward():
    class Half(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return super().backward(dout) / 2

    with pytest.raises(AssertionError, match="disagrees with the numerical gradient"):
        checks.check_softmax_with_loss_numerically(Half)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_answers_pass_on_any_seed(seed):
    # Hidden tests draw fresh seeds: a correct answer must never fail by bad luck.
    test_correct_answers_pass_every_check(seed)
