"""Checks for lesson 06: softmax, cross-entropy error and the Softmax-with-Loss layer.

The usual mistakes they name: softmax without the max shift (exp overflows to inf, inf / inf is
nan), softmax normalised over the wrong axis or the whole batch, softmax that writes into its
input, cross-entropy that sums instead of averaging over the batch or takes log(0), and a
Softmax-with-Loss backward without the division by N or that ignores dout.
"""

import numpy as np

from .. import functions, gradcheck
from ._calls import call_student, distinct_sizes, shapes
from ._common import expect_close, expect_dtype, expect_scalar, is_close, rng_for

__all__ = [
    "check_softmax",
    "check_softmax_stable",
    "check_cross_entropy_error",
    "check_softmax_with_loss_forward",
    "check_softmax_with_loss_backward",
    "check_softmax_with_loss_numerically",
]

# Cross-entropy adds a tiny delta inside the log (the book 1e-7, bpkit 1e-12); the losses then
# differ by about delta / y, so loss comparisons allow that much.
LOSS_RTOL = 1e-4


def _naive_softmax(x, axis):
    with np.errstate(all="ignore"):
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def check_softmax(softmax, seed=0):
    """softmax(x) for a batch (N, C) and one sample (C,): each row sums to 1."""
    rng = rng_for(seed)
    n, c = distinct_sizes(rng, 2)
    x = rng.standard_normal((n, c)) * 2
    x_before = x.copy()
    what = f"softmax(x) for x of shape {x.shape}"
    y = call_student(what, softmax, x)
    if y is None:
        raise AssertionError(f"{what} returned None: did you forget `return`?")
    if not np.array_equal(x, x_before):
        raise AssertionError(
            f"{what} changed x in place (perhaps `x -= x.max(...)`): the caller's scores are "
            "now different. Write `x = x - np.max(x, axis=-1, keepdims=True)` to make a new array."
        )
    if is_close(y, _naive_softmax(x, axis=0)):
        raise AssertionError(
            f"{what} normalised over axis 0 (the batch): each COLUMN sums to 1. Every row is "
            "one sample, so sum over the last axis: np.sum(e, axis=-1, keepdims=True)."
        )
    if is_close(y, _naive_softmax(x, axis=None)):
        raise AssertionError(
            f"{what} divided by the sum over the WHOLE batch, so all {n * c} numbers sum to 1. "
            "Each row is one sample: np.sum(e, axis=-1, keepdims=True)."
        )
    expect_close(y, functions.softmax(x), what,
                 hint="y = exp(x) / sum(exp(x)) along the last axis, each row summing to 1.")
    one = x[0]
    y_one = call_student(
        f"softmax(x) for one sample x of shape {one.shape}", softmax, one,
        hint="Use axis=-1 (the last axis) with keepdims=True so the same code serves a single "
        "sample (C,) and a batch (N, C).",
    )
    expect_close(y_one, functions.softmax(one), f"softmax(x) for one sample x of shape {one.shape}",
                 hint="Use axis=-1 with keepdims=True, which works for (C,) and (N, C).")
    y32 = call_student(f"{what} in float32", softmax, x.astype(np.float32))
    expect_dtype(y32, np.float32, "softmax(x) for float32 x")


def check_softmax_stable(softmax, seed=0):
    """softmax stays finite for huge scores (1000s) and very negative ones (-1000s)."""
    rng = rng_for(seed)
    c = int(rng.integers(3, 8))
    x = np.stack([1000 + rng.standard_normal(c), -1000 + rng.standard_normal(c)])
    advice = (
        "exp(1000) overflows to inf and inf / inf is nan (exp(-1000) underflows to 0 and "
        "0 / 0 is nan). Subtract each row's maximum first, x - np.max(x, axis=-1, "
        "keepdims=True): softmax does not change, and the largest exponent becomes exp(0) = 1."
    )
    what = f"softmax(x) for scores around +1000 and -1000, x of shape {x.shape}"
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            y = softmax(x)
    except FloatingPointError as error:
        raise AssertionError(f"{what} overflowed ({error}): {advice}") from error
    except Exception as error:  # noqa: BLE001 -- any failure of student code is reported
        raise AssertionError(f"{what} raised {type(error).__name__}: {error}.") from error
    if not np.all(np.isfinite(np.asarray(y, dtype=np.float64))):
        raise AssertionError(f"{what} contains inf or nan: {advice}")
    expect_close(y, functions.softmax(x), what, hint=advice)


def _probabilities(rng, n, c):
    """Softmax rows of random scores: no probability tiny enough to meet the log's delta."""
    return functions.softmax(rng.standard_normal((n, c)))


def check_cross_entropy_error(cross_entropy_error, seed=0):
    """Batch-mean cross-entropy with one-hot targets, integer labels, and one sample."""
    rng = rng_for(seed)
    n, c = distinct_sizes(rng, 2, low=3, high=9)
    y = _probabilities(rng, n, c)
    labels = rng.integers(0, c, size=n)
    one_hot = np.eye(c)[labels]
    expected = functions.cross_entropy_error(y, labels)
    what = f"cross_entropy_error(y, t) for y {y.shape} and one-hot t {one_hot.shape}"
    loss = call_student(what, cross_entropy_error, y, one_hot)
    expect_scalar(
        loss, what, "did you forget `return`?",
        "the loss is ONE number, the sum over classes and samples divided by N.",
    )
    if is_close(loss, n * expected, rtol=LOSS_RTOL):
        raise AssertionError(
            f"{what} returned the SUM over the batch ({float(loss):.4g}), {n} times the mean "
            f"({expected:.4g}): divide by the batch size N = y.shape[0], so the loss (and the "
            "learning rate it needs) does not depend on how many samples a batch holds."
        )
    if is_close(loss, -expected, rtol=LOSS_RTOL):
        raise AssertionError(f"{what} is negative ({float(loss):.4g}): the loss is -sum t log y.")
    if is_close(loss, expected / c, rtol=LOSS_RTOL):
        raise AssertionError(
            f"{what} averaged over all N * C = {n * c} entries: sum over the classes, then "
            f"divide by N = {n} only."
        )
    expect_close(loss, expected, what, rtol=LOSS_RTOL,
                 hint="E = -sum(t * log(y + delta)) / N.")
    what_labels = f"cross_entropy_error(y, t) for y {y.shape} and labels t {labels.shape}"
    loss = call_student(
        what_labels, cross_entropy_error, y, labels,
        hint="When t.size == N, t holds class numbers: use y[np.arange(N), t].",
    )
    expect_close(loss, expected, what_labels, rtol=LOSS_RTOL,
                 hint="When t.size == N, t holds labels: -sum(log(y[np.arange(N), t])) / N.")
    what_one = (f"cross_entropy_error(y, t) for one sample y {y[0].shape}, "
                f"one-hot t {one_hot[0].shape}")
    loss = call_student(
        what_one, cross_entropy_error, y[0], one_hot[0],
        hint="Make one sample a batch of one first: y.reshape(1, y.size), t.reshape(1, t.size).",
    )
    expect_close(loss, functions.cross_entropy_error(y[0], one_hot[0]), what_one, rtol=LOSS_RTOL,
                 hint="Make one sample a batch of one first: y.reshape(1, y.size).")
    certain = np.eye(c)[(labels + 1) % c]  # the correct class gets probability exactly 0
    what_zero = "cross_entropy_error(y, t) when the correct class has probability exactly 0"
    loss = call_student(what_zero, cross_entropy_error, certain, one_hot,
                        hint="log(0) is -inf: add a tiny delta, np.log(y + 1e-7).")
    if not np.isfinite(loss):
        raise AssertionError(f"{what_zero} is {loss}: add a tiny delta, np.log(y + 1e-7).")


def _one_hot_case(rng):
    n, c = distinct_sizes(rng, 2, low=3, high=9)
    # Moderate scores: no right-class probability so small that the log's delta shows.
    x = rng.standard_normal((n, c))
    labels = rng.integers(0, c, size=n)
    return x, labels, np.eye(c)[labels]


def check_softmax_with_loss_forward(SoftmaxWithLoss, seed=0):
    """forward(x, t) returns the batch-mean cross-entropy of softmax(x), one-hot or labels."""
    rng = rng_for(seed)
    x, labels, one_hot = _one_hot_case(rng)
    expected = functions.cross_entropy_error(functions.softmax(x), labels)
    for t, kind in ((one_hot, "one-hot t"), (labels, "labels t")):
        what = f"SoftmaxWithLoss().forward(x, t) for x {x.shape} and {kind} {t.shape}"
        loss = call_student(what, SoftmaxWithLoss().forward, x.copy(), t.copy())
        if is_close(loss, x.shape[0] * expected, rtol=LOSS_RTOL):
            raise AssertionError(
                f"{what} is the SUM of the losses over the batch; return the mean (divide by N)."
            )
        with np.errstate(all="ignore"):  # log of negative scores: nan, on purpose
            on_scores = functions.cross_entropy_error(x, labels)
        if is_close(loss, on_scores):
            raise AssertionError(
                f"{what} applied cross-entropy to the scores x: apply softmax first."
            )
        expect_close(loss, expected, what, rtol=LOSS_RTOL,
                     hint="self.y = softmax(x); loss = cross_entropy_error(self.y, t).")


def check_softmax_with_loss_backward(SoftmaxWithLoss, seed=0):
    """backward(dout=1) returns dout * (y - t) / N, for one-hot and label targets."""
    rng = rng_for(seed)
    x, labels, one_hot = _one_hot_case(rng)
    n = x.shape[0]
    y = functions.softmax(x)
    expected = (y - one_hot) / n
    what = (f"SoftmaxWithLoss.backward() after forward(x, t) with x {x.shape}, "
            f"one-hot t {one_hot.shape}")
    layer = SoftmaxWithLoss()
    call_student("SoftmaxWithLoss().forward(x, t)", layer.forward, x.copy(), one_hot.copy())
    dx = call_student(what, layer.backward,
                      hint="backward's dout is optional: def backward(self, dout=1).")
    if dx is None:
        raise AssertionError(f"{what} returned None: `return dx`.")
    if is_close(dx, y - one_hot):
        raise AssertionError(
            f"{what} returned y - t without the division by the batch size N = {n}: the loss "
            "is the MEAN over the batch, so each sample's gradient is (y - t) / N."
        )
    if is_close(dx, (one_hot - y) / n) or is_close(dx, one_hot - y):
        raise AssertionError(
            f"{what} has the wrong sign: the gradient is (y - t) / N, not (t - y)."
        )
    expect_close(dx, expected, what, hint="dx = dout * (self.y - self.t) / N.")

    dout = float(rng.uniform(2, 4))
    layer = SoftmaxWithLoss()
    layer.forward(x.copy(), one_hot.copy())
    what_dout = f"SoftmaxWithLoss.backward(dout={dout:.3g})"
    dx = call_student(what_dout, layer.backward, dout)
    if is_close(dx, expected):
        raise AssertionError(
            f"{what_dout} ignores dout: it returned (y - t) / N. By the chain rule the local "
            "gradient is multiplied by the upstream one: dx = dout * (y - t) / N."
        )
    expect_close(dx, dout * expected, what_dout, hint="dx = dout * (self.y - self.t) / N.")

    layer = SoftmaxWithLoss()
    what_labels = f"SoftmaxWithLoss.backward() after forward with labels t {labels.shape}"
    call_student("SoftmaxWithLoss().forward(x, labels)", layer.forward, x.copy(), labels.copy())
    label_hint = (
        "With labels t (N,), y - t broadcasts wrongly: turn t into one-hot in forward "
        "(np.eye(C)[t]), or copy y and subtract 1 at [np.arange(N), t]."
    )
    dx = call_student(what_labels, layer.backward, hint=label_hint)
    expect_close(dx, expected, what_labels, hint=label_hint)


def check_softmax_with_loss_numerically(SoftmaxWithLoss, seed=0, tol=1e-4):
    """The student's backward agrees with central differences of the student's own forward.

    The tolerance is looser than for other layers: the delta inside log(y + delta) changes the
    forward by about delta / y, which the analytic (y - t) / N does not see.
    """
    rng = rng_for(seed)
    x, _, one_hot = _one_hot_case(rng)
    x = x / 2  # smaller still: the numerical gradient sees the delta too
    layer = SoftmaxWithLoss()
    errors = call_student(
        f"the gradient check of SoftmaxWithLoss with {shapes(x=x, t=one_hot)}",
        gradcheck.check_layer, layer, x, one_hot,
    )
    if not errors["x"] < tol:
        raise AssertionError(
            f"SoftmaxWithLoss.backward disagrees with the numerical gradient of its forward "
            f"(relative error {errors['x']:.2g}; a correct layer gives below {tol:g})."
        )
