"""Lesson 00's checks: a correct answer passes; each usual mistake gets its own message."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks

pytestmark = pytest.mark.lesson00


seeds = st.integers(0, 2**32 - 1)


# Code of lesson 00's answers: a message names the symptom and asks a question; it never holds
# one of these (issue 15). The answers are short, so fragments stand for their expressions.
ANSWER_FRAGMENTS = ["keepdims=True", "axis=1)", "x + b", "np.arange", "np.eye", "np.zeros",
                    "= 1.0", "] = 1"]


def fail_message(check, answer):
    with pytest.raises(AssertionError) as caught:
        check(answer)
    message = str(caught.value)
    leaked = [f for f in ANSWER_FRAGMENTS if f in message]
    assert not leaked, f"the message gives the answer away {leaked}: {message}"
    return message


# --- row_sums ---------------------------------------------------------------------------------

def good_row_sums(x):
    return x.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_row_sums_correct_passes(seed):
    checks.check_row_sums(good_row_sums, seed=seed)


def test_row_sums_without_keepdims_is_told_to_keep_the_axis():
    message = fail_message(checks.check_row_sums, lambda x: x.sum(axis=1))
    assert "keepdims" in message and "(4,)" in message and "(4, 1)" in message


def test_row_sums_over_axis_0_is_told_to_use_axis_1():
    message = fail_message(checks.check_row_sums, lambda x: x.sum(axis=0, keepdims=True))
    assert "axis 0" in message and "[row_sums.wrong_axis]" in message and "(1, 3)" in message


def test_row_sums_of_everything_is_told_to_sum_each_row():
    message = fail_message(checks.check_row_sums, lambda x: np.sum(x))
    assert "every entry" in message


def test_row_sums_in_place_is_caught():
    def in_place(x):
        x[:, 0] = x.sum(axis=1)
        return x[:, :1]
    assert "in place" in fail_message(checks.check_row_sums, in_place)


def test_row_sums_without_return_is_told():
    assert "return" in fail_message(checks.check_row_sums, lambda x: None)


# --- add_bias ---------------------------------------------------------------------------------

def test_add_bias_correct_passes():
    checks.check_add_bias(lambda x, b: x + b)


def test_add_bias_in_place_is_caught():
    def in_place(x, b):
        x += b
        return x
    message = fail_message(checks.check_add_bias, in_place)
    assert "in place" in message and "[common.modified_input]" in message


def test_add_bias_as_a_column_explains_broadcasting():
    message = fail_message(checks.check_add_bias, lambda x, b: x + b.reshape(-1, 1))
    assert "ValueError" in message and "(5, 3)" in message and "from the right" in message


def test_add_bias_as_a_column_on_a_square_input_is_named():
    def column_when_square(x, b):
        return x + b[:, None] if x.shape[0] == x.shape[1] else x + b
    assert "row i" in fail_message(checks.check_add_bias, column_when_square)


def test_add_bias_forgetting_b_is_named():
    assert "unchanged" in fail_message(checks.check_add_bias, lambda x, b: x.copy())


# --- one_hot ----------------------------------------------------------------------------------

def good_one_hot(t, n_classes):
    out = np.zeros((len(t), n_classes))
    out[np.arange(len(t)), t] = 1
    return out


@pytest.mark.parametrize("seed", [0, 3])
def test_one_hot_correct_passes(seed):
    checks.check_one_hot(good_one_hot, seed=seed)


def test_one_hot_transposed_is_named():
    message = fail_message(checks.check_one_hot, lambda t, c: good_one_hot(t, c).T)
    assert "swapped" in message and "(6, 4)" in message


def test_one_hot_with_max_plus_one_columns_is_told_to_use_n_classes():
    message = fail_message(checks.check_one_hot, lambda t, c: good_one_hot(t, t.max() + 1))
    assert "t.max() + 1" in message and "n_classes" in message


def test_one_hot_of_ints_is_told_to_use_floats():
    message = fail_message(checks.check_one_hot, lambda t, c: good_one_hot(t, c).astype(int))
    assert "dtype int" in message and "float" in message


def test_one_hot_off_by_one_is_named():
    message = fail_message(checks.check_one_hot, lambda t, c: np.eye(c)[t - 1])
    assert "column k - 1" in message


def test_one_hot_that_changes_t_is_caught():
    def shifts_t(t, n_classes):
        out = good_one_hot(t, n_classes)
        t += 1
        return out
    assert "in place" in fail_message(checks.check_one_hot, shifts_t)


# --- any seed: correct answers pass, the usual mistakes are caught ---------------------------

@settings(max_examples=40, deadline=None)
@given(seeds)
def test_any_seed_correct_answers_pass_and_wrong_axes_fail(seed):
    checks.check_row_sums(good_row_sums, seed=seed)
    checks.check_add_bias(lambda x, b: x + b, seed=seed)
    checks.check_one_hot(good_one_hot, seed=seed)
    with pytest.raises(AssertionError, match="keepdims"):
        checks.check_row_sums(lambda x: x.sum(axis=1), seed=seed)
    with pytest.raises(AssertionError, match="axis 0"):
        checks.check_row_sums(lambda x: x.sum(axis=0, keepdims=True), seed=seed)
    with pytest.raises(AssertionError, match="in place"):
        checks.check_add_bias(lambda x, b: x.__iadd__(b), seed=seed)
