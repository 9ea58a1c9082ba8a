"""Checks for lesson 00's numpy warm-ups: sums over an axis, broadcasting, one-hot labels.

Each check runs the student's function on random inputs whose shapes are all different
(N != D), so that a sum over the wrong axis or a bias added to the wrong axis shows up as a
wrong shape, and on a square input, where the same mistakes give the right shape but the
wrong numbers.
"""

import numpy as np

from ._common import expect_close, is_close, rng_for

__all__ = ["check_row_sums", "check_add_bias", "check_one_hot"]


def _returned(value, name):
    if value is None:
        raise AssertionError(f"{name} returned None: did you forget a `return`?")
    return value


def _unchanged(before, after, name, argument, fix):
    if not np.array_equal(before, after):
        raise AssertionError(f"{name} changed its argument {argument} in place; {fix}")


def check_row_sums(row_sums, seed=0):
    """row_sums(x): x (N, D) -> (N, 1), the sum of each row, kept as a column."""
    rng = rng_for(seed)
    for n, d in ((4, 3), (1, 5), (3, 3)):
        x = rng.standard_normal((n, d))
        original = x.copy()
        out = _returned(row_sums(x), "row_sums")
        _unchanged(original, x, "row_sums", "x", "compute the sums without writing into x.")
        expected = original.sum(axis=1, keepdims=True)
        if is_close(out, expected):
            continue
        shape = f"For x of shape {x.shape}, row_sums returned shape {np.shape(out)}"
        if is_close(out, original.sum(axis=1)):
            raise AssertionError(
                f"{shape}: the right sums, but the summed axis was dropped. Pass keepdims=True "
                f"so the result is a column of shape {expected.shape} that broadcasts against x."
            )
        column_sums = original.sum(axis=0)
        if is_close(out, column_sums[None, :]) or is_close(out, column_sums):
            raise AssertionError(
                f"{shape}: it summed over axis 0, down each column (one sum per feature). Each "
                f"row's sum runs across the columns: axis=1, giving shape {expected.shape}."
            )
        if is_close(out, original.sum()) or is_close(np.ravel(out), [original.sum()] * n):
            raise AssertionError(
                f"{shape}: it added up every entry of x (np.sum without an axis). Sum each row "
                f"on its own with axis=1 and keepdims=True, giving shape {expected.shape}."
            )
        expect_close(out, expected, f"row_sums(x) for x of shape {x.shape}",
                     "Each entry i should be x[i, 0] + x[i, 1] + ... + x[i, D-1].")


def check_add_bias(add_bias, seed=0):
    """add_bias(x, b): x (N, D), b (D,) -> (N, D), b added to every row; x is not modified."""
    rng = rng_for(seed)
    for n, d in ((5, 3), (1, 4), (3, 3)):
        x, b = rng.standard_normal((n, d)), rng.standard_normal(d)
        original_x, original_b = x.copy(), b.copy()
        try:
            out = add_bias(x, b)
        except ValueError as error:
            if "broadcast" not in str(error):
                raise
            raise AssertionError(
                f"add_bias raised ValueError ({error}) for x of shape {x.shape} and b of shape "
                f"{b.shape}. Numpy lines shapes up from the right, so (N, D) + (D,) already "
                f"adds b to every row: no reshape is needed."
            ) from None
        _unchanged(original_x, x, "add_bias", "x",
                   "`x += b` writes into the caller's array. Return a new array: x + b.")
        _unchanged(original_b, b, "add_bias", "b", "leave b as it was given.")
        out = _returned(out, "add_bias")
        expected = original_x + original_b
        if is_close(out, expected):
            continue
        where = f"for x of shape {x.shape} and b of shape {b.shape}"
        if n == d and is_close(out, original_x + original_b[:, None]):
            raise AssertionError(
                f"add_bias added b[i] to row i {where} (b turned into a column). The bias "
                f"belongs to the columns: b[j] is added to column j of every row, which is "
                f"plain x + b."
            )
        if is_close(out, original_x):
            raise AssertionError(f"add_bias returned x unchanged {where}: add b.")
        expect_close(out, expected, f"add_bias(x, b) {where}", "Expected x + b.")


def check_one_hot(one_hot, seed=0):
    """one_hot(t, n_classes): t (N,) int labels -> (N, n_classes) float rows with a single 1."""
    rng = rng_for(seed)
    cases = [rng.integers(0, 4, size=6), np.array([0, 2, 1]), np.array([3, 0])]
    for t, n_classes in zip(cases, (4, 5, 4), strict=True):
        original = t.copy()
        out = _returned(one_hot(t, n_classes), "one_hot")
        _unchanged(original, t, "one_hot", "t", "read the labels without changing them.")
        expected = np.eye(n_classes)[original]
        what = f"one_hot(t, n_classes={n_classes}) for t = {original.tolist()}"
        shape = np.shape(out)
        if shape == expected.T.shape and shape != expected.shape:
            raise AssertionError(
                f"{what} has shape {shape}, rows and columns swapped: one row per label, "
                f"one column per class, shape {expected.shape}."
            )
        if len(shape) == 2 and shape[0] == len(t) and shape[1] == original.max() + 1 != n_classes:
            raise AssertionError(
                f"{what} has shape {shape}: it has t.max() + 1 columns. Use n_classes columns: a "
                f"batch need not contain every class, shape {expected.shape}."
            )
        if not np.issubdtype(np.asarray(out).dtype, np.floating):
            raise AssertionError(
                f"{what} has dtype {np.asarray(out).dtype}; make it float (np.zeros((N, C)) is "
                f"float64) because later lessons multiply it with probabilities."
            )
        if np.shape(out) == expected.shape and is_close(out, np.eye(n_classes)[original - 1]):
            raise AssertionError(
                f"{what} puts each 1 one column too far left (label k in column k - 1). Labels "
                f"start at 0, so label k belongs in column k."
            )
        expect_close(out, expected, what,
                     "Row i should be all zeros except a 1 in column t[i].")
