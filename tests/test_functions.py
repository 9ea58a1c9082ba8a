"""bpkit.functions: the pure functions the layers are built from."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from bpkit import cross_entropy_error, relu, sigmoid, softmax, sum_squares_error

# Few examples and no per-example deadline: the suite runs on a shared two-core machine.
FEW = settings(max_examples=30, deadline=None)

# The book's example: the network is 60 % sure of class 2, which is the right answer.
BOOK_Y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
BOOK_T = np.eye(10)[2]


def no_warnings(fn, *args):
    """Call fn, failing the test if it emits any warning (a student would see it on stderr)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


# --- sigmoid -------------------------------------------------------------------------------

def test_sigmoid_known_values():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(np.log(3.0)) == pytest.approx(0.75)  # 1 / (1 + 1/3)
    assert sigmoid(-np.log(3.0)) == pytest.approx(0.25)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 710.0, -710.0, 1e308, -1e308, np.inf, -np.inf])
def test_sigmoid_saturates_without_overflow_warning(x):
    # exp(710) overflows float64; the naive 1/(1+exp(-x)) warns for x <= -710.
    y = no_warnings(sigmoid, np.array([x]))
    # 1 exactly for large x; for x = -710 the true value (4.5e-309) is a subnormal.
    assert y[0] == pytest.approx(1.0 if x > 0 else 0.0, rel=0, abs=1e-300)


def test_sigmoid_is_symmetric_and_increasing():
    x = np.linspace(-40, 40, 801)
    y = sigmoid(x)
    np.testing.assert_allclose(y + sigmoid(-x), 1.0, rtol=0, atol=1e-15)
    assert np.all(np.diff(y) >= 0)
    assert y.shape == x.shape


@FEW
@given(arrays(np.float64, array_shapes(max_dims=3, max_side=5),
              elements=st.floats(-700, 700, allow_nan=False)))
def test_sigmoid_matches_the_formula(x):
    expected = np.vectorize(lambda v: 1 / (1 + math.exp(-v)))(x)
    y = no_warnings(sigmoid, x)
    assert y.shape == x.shape
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-300)


# --- relu ----------------------------------------------------------------------------------

def test_relu_values_and_caller_input_untouched():
    x = np.array([[-2.0, -0.0, 0.0, 0.5], [3.0, -1e-300, 1e300, -7.0]])
    before = x.copy()
    y = relu(x)
    np.testing.assert_array_equal(y, [[0, 0, 0, 0.5], [3.0, 0, 1e300, 0]])
    np.testing.assert_array_equal(x, before)


def test_relu_promotes_integers_to_float():
    y = relu(np.array([-3, 0, 4]))
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, [0.0, 0.0, 4.0])


# --- softmax -------------------------------------------------------------------------------

def test_softmax_small_example_matches_the_formula():
    x = np.array([0.3, 2.9, 4.0])  # the book's example
    e = np.exp(x)
    np.testing.assert_allclose(softmax(x), e / e.sum(), rtol=1e-14)
    np.testing.assert_allclose(softmax(x), [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)


def test_softmax_huge_inputs_give_finite_probabilities():
    x = np.array([[1000.0, 1000.0, 999.0], [-1000.0, 0.0, 1000.0], [1e308, 1e308, 1e308]])
    y = no_warnings(softmax, x)
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-15)
    e = 1 / (2 + np.exp(-1.0))
    np.testing.assert_allclose(y[0], [e, e, np.exp(-1.0) * e], rtol=1e-14)
    np.testing.assert_array_equal(y[1], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(y[2], [1 / 3] * 3, rtol=1e-15)


def test_softmax_works_over_the_last_axis_of_any_shape():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    y = softmax(x)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(y[i, j], softmax(x[i, j]), rtol=1e-14)
    np.testing.assert_allclose(y.sum(axis=-1), np.ones((2, 3)), rtol=1e-14)


@FEW
@given(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6),
              elements=st.floats(-1e4, 1e4, allow_nan=False)),
       st.floats(-1e3, 1e3))
def test_softmax_is_a_distribution_unchanged_by_a_shift(x, shift):
    y = no_warnings(softmax, x)
    assert y.shape == x.shape
    assert np.all((y >= 0) & (y <= 1))
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    # The largest score always gets the largest probability.
    np.testing.assert_array_equal(
        np.take_along_axis(y, x.argmax(axis=-1)[..., None], -1)[..., 0], y.max(axis=-1))
    np.testing.assert_allclose(softmax(x + shift), y, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("fn", [sigmoid, relu, softmax])
def test_float32_stays_float32(fn):
    x = np.array([[-1000.0, -1.0, 0.0, 2.5, 1000.0]], dtype=np.float32)
    y = no_warnings(fn, x)
    assert y.dtype == np.float32
    assert np.all(np.isfinite(y))


# --- cross_entropy_error -------------------------------------------------------------------

def test_cross_entropy_book_example():
    # -log(0.6) = 0.5108256...: only the correct class's probability counts.
    assert cross_entropy_error(BOOK_Y, BOOK_T) == pytest.approx(0.5108256237659907, rel=1e-9)
    assert cross_entropy_error(BOOK_Y, 2) == pytest.approx(0.5108256237659907, rel=1e-9)
    # A confident wrong answer (10 % on class 2 moved to class 7) costs more.
    wrong = np.roll(BOOK_Y, 5)  # now 60 % on class 7
    assert cross_entropy_error(wrong, BOOK_T) == pytest.approx(-np.log(0.1), rel=1e-9)


def test_cross_entropy_one_hot_and_labels_give_the_batch_mean():
    rng = np.random.default_rng(1)
    y = softmax(rng.standard_normal((5, 4)))
    labels = np.array([0, 3, 1, 1, 2])
    per_sample = -np.log(y[np.arange(5), labels])
    assert cross_entropy_error(y, labels) == pytest.approx(per_sample.mean(), rel=1e-9)
    assert cross_entropy_error(y, np.eye(4)[labels]) == pytest.approx(per_sample.mean(), rel=1e-9)


def test_cross_entropy_1d_input_is_a_batch_of_one():
    assert cross_entropy_error(BOOK_Y, BOOK_T) == cross_entropy_error(BOOK_Y[None], BOOK_T[None])
    assert cross_entropy_error(BOOK_Y, 2) == cross_entropy_error(BOOK_Y[None], np.array([2]))


def test_cross_entropy_of_a_zero_probability_is_large_but_finite():
    loss = no_warnings(cross_entropy_error, BOOK_Y, 3)  # class 3 has probability 0
    assert np.isfinite(loss) and loss > 20


def test_cross_entropy_soft_targets_follow_the_formula():
    y = np.array([[0.2, 0.7, 0.1]])
    t = np.array([[0.1, 0.8, 0.1]])
    expected = -(0.1 * np.log(0.2) + 0.8 * np.log(0.7) + 0.1 * np.log(0.1))
    assert cross_entropy_error(y, t) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("labels", [[0, 4], [-1, 0], [0, 1, 2]])
def test_cross_entropy_rejects_bad_labels(labels):
    y = softmax(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="label|shape"):
        cross_entropy_error(y, np.array(labels))


# --- sum_squares_error ---------------------------------------------------------------------

def test_sum_squares_book_example():
    assert sum_squares_error(BOOK_Y, BOOK_T) == pytest.approx(0.0975, rel=1e-9)
    assert sum_squares_error(np.roll(BOOK_Y, 5), BOOK_T) == pytest.approx(0.5975, rel=1e-9)


def test_sum_squares_is_a_batch_mean():
    y = np.array([[1.0, 2.0], [0.0, 0.0]])
    t = np.array([[1.0, 0.0], [3.0, 4.0]])
    # Sample 1: 0.5 * 4 = 2; sample 2: 0.5 * 25 = 12.5; mean 7.25.
    assert sum_squares_error(y, t) == pytest.approx(7.25)
    assert sum_squares_error(y[1], t[1]) == pytest.approx(12.5)


def test_sum_squares_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        sum_squares_error(np.zeros((2, 3)), np.zeros((3, 2)))
