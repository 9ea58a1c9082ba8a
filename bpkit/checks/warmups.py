"""Checks for lesson 00's numpy warm-ups: sums over an axis, broadcasting, one-hot labels.

Each check runs the student's function on random inputs whose shapes are all different
(N != D), so that a sum over the wrong axis or a bias added to the wrong axis shows up as a
wrong shape, and on a square input, where the same mistakes give the right shape but the
wrong numbers.
"""

import numpy as np

from ..i18n import tr
from ._student import (
    call,
    expect_close,
    expect_unchanged,
    expect_value,
    fail,
    is_close,
    passed,
    rng_for,
)

__all__ = ["check_row_sums", "check_add_bias", "check_one_hot"]


def check_row_sums(row_sums, seed=0):
    """row_sums(x): x (N, D) -> (N, 1), the sum of each row, kept as a column."""
    ex = "row_sums"
    rng = rng_for(seed)
    cases = ((4, 3), (1, 5), (3, 3))
    for n, d in cases:
        x = rng.standard_normal((n, d))
        original = x.copy()
        what = tr("row_sums(x) for x of shape {x_shape}",
                  x_shape=x.shape)
        out = expect_value(call(what, row_sums, x, exercise=ex), what, ex)
        expect_unchanged(original, x, "row_sums", "x", ex)
        expected = original.sum(axis=1, keepdims=True)
        if is_close(out, expected):
            continue
        shape = tr("For x of shape {x_shape}, row_sums returned shape {np_shape_out}",
                   x_shape=x.shape, np_shape_out=np.shape(out))
        if is_close(out, original.sum(axis=1)):
            fail("row_sums.axis_dropped",
                 tr("{shape}: the right sums, but the summed axis was dropped. A column of "
                    "shape {expected_shape} broadcasts against x; how can np.sum keep the "
                    "axis it sums over (keepdims)?",
                    shape=shape, expected_shape=expected.shape), ex)
        column_sums = original.sum(axis=0)
        if is_close(out, column_sums[None, :]) or is_close(out, column_sums):
            fail("row_sums.wrong_axis",
                 tr("{shape}: it summed over axis 0, down each column (one sum per "
                    "feature). Which axis runs across one row?",
                    shape=shape), ex)
        if is_close(out, original.sum()) or is_close(np.ravel(out), [original.sum()] * n):
            fail("row_sums.summed_everything",
                 tr("{shape}: it added up every entry of x (np.sum without an axis). How do "
                    "you sum each row on its own?",
                    shape=shape), ex)
        expect_close(out, expected, what, "Is entry i the sum of row i alone?", exercise=ex)
    passed("row_sums", "one sum per row, kept as a column", len(cases))


def check_add_bias(add_bias, seed=0):
    """add_bias(x, b): x (N, D), b (D,) -> (N, D), b added to every row; x is not modified."""
    ex = "add_bias"
    rng = rng_for(seed)
    cases = ((5, 3), (1, 4), (3, 3))
    for n, d in cases:
        x, b = rng.standard_normal((n, d)), rng.standard_normal(d)
        original_x, original_b = x.copy(), b.copy()
        where = tr("for x of shape {x_shape} and b of shape {b_shape}",
                   x_shape=x.shape, b_shape=b.shape)

        def broadcast_error(error, x=x, b=b):
            if isinstance(error, ValueError) and "broadcast" in str(error):
                return "add_bias.reshaped_b", (
                    tr("add_bias raised ValueError ({error}) for x of shape {x_shape} and b "
                       "of shape {b_shape}. Numpy lines shapes up from the right: does (N, "
                       "D) + (D,) need any reshape at all?",
                       error=error, x_shape=x.shape, b_shape=b.shape))
            return None

        out = call(f"add_bias(x, b) {where}", add_bias, x, b, exercise=ex,
                   recognise=broadcast_error)
        expect_unchanged(original_x, x, "add_bias", "x", ex)
        expect_unchanged(original_b, b, "add_bias", "b", ex)
        out = expect_value(out, f"add_bias(x, b) {where}", ex)
        expected = original_x + original_b
        if is_close(out, expected):
            continue
        if n == d and is_close(out, original_x + original_b[:, None]):
            fail("add_bias.added_to_rows",
                 tr("add_bias added b[i] to row i {where} (b turned into a column). Which "
                    "entry of b belongs to which column?",
                    where=where), ex)
        if is_close(out, original_x):
            fail("add_bias.no_bias", tr("add_bias returned x unchanged {where}: b was never "
                                        "added.",
                                        where=where), ex)
        expect_close(out, expected, f"add_bias(x, b) {where}", exercise=ex)
    passed("add_bias", "b added to every row, x untouched", len(cases))


def check_one_hot(one_hot, seed=0):
    """one_hot(t, n_classes): t (N,) int labels -> (N, n_classes) float rows with a single 1."""
    ex = "one_hot"
    rng = rng_for(seed)
    cases = [rng.integers(0, 4, size=6), np.array([0, 2, 1]), np.array([3, 0])]
    for t, n_classes in zip(cases, (4, 5, 4), strict=True):
        original = t.copy()
        what = f"one_hot(t, n_classes={n_classes}) for t = {original.tolist()}"
        out = expect_value(call(what, one_hot, t, n_classes, exercise=ex), what, ex)
        expect_unchanged(original, t, "one_hot", "t", ex)
        expected = np.eye(n_classes)[original]
        shape = np.shape(out)
        if shape == expected.T.shape and shape != expected.shape:
            fail("one_hot.transposed",
                 tr("{what} has shape {shape}, rows and columns swapped: one row per label "
                    "and one column per class make {expected_shape}.",
                    what=what, shape=shape, expected_shape=expected.shape), ex)
        if len(shape) == 2 and shape[0] == len(t) and shape[1] == original.max() + 1 != n_classes:
            fail("one_hot.classes_from_labels",
                 tr("{what} has shape {shape}: it has t.max() + 1 columns. A batch need not "
                    "contain every class: how many columns does n_classes ask for?",
                    what=what, shape=shape), ex)
        if not np.issubdtype(np.asarray(out).dtype, np.floating):
            fail("one_hot.not_float",
                 tr("{what} has dtype {np_asarray_out_dtype}; later lessons multiply it "
                    "with probabilities, so it should be float.",
                    what=what, np_asarray_out_dtype=np.asarray(out).dtype), ex)
        if np.shape(out) == expected.shape and is_close(out, np.eye(n_classes)[original - 1]):
            fail("one_hot.off_by_one",
                 tr("{what} puts each 1 one column too far left (label k in column k - 1). "
                    "Where do labels start counting?",
                    what=what), ex)
        expect_close(out, expected, what, "Is row i all zeros except one 1, in column t[i]?",
                     exercise=ex)
    passed("one_hot", "one row per label with a single 1, float", len(cases))
