"""Checks for lesson 06: softmax, cross-entropy error and the Softmax-with-Loss layer.

The usual mistakes they name: softmax without the max shift (exp overflows to inf, inf / inf is
nan), softmax normalised over the wrong axis or the whole batch, softmax that writes into its
input, cross-entropy that sums instead of averaging over the batch or takes log(0), and a
Softmax-with-Loss backward without the division by N or that ignores dout.
"""

import numpy as np

from .. import functions
from ._student import (
    CheckFailure,
    call,
    expect_close,
    expect_dtype,
    expect_number,
    expect_numerical_gradients,
    expect_unchanged,
    expect_value,
    fail,
    is_close,
    passed,
    rng_for,
    shapes,
)

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


def _sizes(rng, low=2, high=9):
    """Batch N and classes C, different from each other, so a wrong axis shows in the shape."""
    n, c = rng.choice(np.arange(low, high), size=2, replace=False)
    return int(n), int(c)


def _naive_softmax(x, axis):
    with np.errstate(all="ignore"):
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def check_softmax(softmax, seed=0):
    """softmax(x) for a batch (N, C) and one sample (C,): each row sums to 1."""
    rng = rng_for(seed)
    n, c = _sizes(rng)
    x = rng.standard_normal((n, c)) * 2
    x_before = x.copy()
    what = f"softmax(x) for x of shape {x.shape}"
    y = expect_value(call(what, softmax, x, exercise="softmax"), what, "softmax")
    expect_unchanged(x_before, x, "softmax", "x", "softmax")
    if is_close(y, _naive_softmax(x, axis=0)):
        fail("softmax.wrong_axis",
             f"{what} normalised over axis 0 (the batch): each COLUMN sums to 1. Every row is "
             f"one sample: which axis holds one sample's classes?", "softmax")
    if is_close(y, _naive_softmax(x, axis=None)):
        fail("softmax.whole_batch",
             f"{what} divided by the sum over the WHOLE batch, so all {n * c} numbers sum to 1. "
             f"Which numbers should one sample's probabilities sum over?", "softmax")
    expect_close(y, functions.softmax(x), what, "Does each row sum to 1?", exercise="softmax")
    one = x[0]
    what_one = f"softmax(x) for one sample x of shape {one.shape}"
    y_one = call(what_one, softmax, one, exercise="softmax",
                 question="Can the same code serve one sample (C,) and a batch (N, C): which "
                 "axis is the classes' axis in both?")
    expect_close(y_one, functions.softmax(one), what_one,
                 "Which axis is the classes' axis in both (C,) and (N, C)?", exercise="softmax")
    y32 = call(f"{what} in float32", softmax, x.astype(np.float32), exercise="softmax")
    expect_dtype(y32, np.float32, "softmax(x) for float32 x", "softmax")
    passed("softmax", "rows of probabilities for a batch and for one sample", 3)


def check_softmax_stable(softmax, seed=0):
    """softmax stays finite for huge scores (1000s) and very negative ones (-1000s)."""
    rng = rng_for(seed)
    c = int(rng.integers(3, 8))
    x = np.stack([1000 + rng.standard_normal(c), -1000 + rng.standard_normal(c)])
    why = ("exp(1000) overflows to inf and inf / inf is nan (exp(-1000) underflows to 0, and "
           "0 / 0 is nan). Softmax does not change when the same number is added to every "
           "score of a sample: which number keeps every exponent at 0 or below?")
    what = f"softmax(x) for scores around +1000 and -1000, x of shape {x.shape}"
    try:
        y = call(what, softmax, x, exercise="softmax")
    except CheckFailure as failure:
        if failure.mistake_id == "common.floating_point":
            fail("softmax.overflow", f"{what} overflowed: {why}", "softmax")
        raise
    expect_value(y, what, "softmax")
    if not np.all(np.isfinite(np.asarray(y, dtype=np.float64))):
        fail("softmax.overflow", f"{what} contains inf or nan: {why}", "softmax")
    expect_close(y, functions.softmax(x), what, why, exercise="softmax")
    passed("softmax", "finite for scores of +-1000", 1)


def check_cross_entropy_error(cross_entropy_error, seed=0):
    """Batch-mean cross-entropy with one-hot targets, integer labels, and one sample."""
    rng = rng_for(seed)
    n, c = _sizes(rng, low=3)
    y = functions.softmax(rng.standard_normal((n, c)))
    labels = rng.integers(0, c, size=n)
    one_hot = np.eye(c)[labels]
    expected = functions.cross_entropy_error(y, labels)
    what = f"cross_entropy_error(y, t) for y {y.shape} and one-hot t {one_hot.shape}"
    loss = call(what, cross_entropy_error, y, one_hot, exercise="cross_entropy_error")
    expect_number(loss, what, "The loss is ONE number for the whole batch.",
                  "cross_entropy_error")
    if is_close(loss, n * expected, rtol=LOSS_RTOL):
        fail("cross_entropy_error.summed_over_batch",
             f"{what} is {float(loss):.4g}, {n} times the right value: the SUM over the batch. "
             f"Should the loss (and the learning rate it needs) depend on how many samples a "
             f"batch holds?", "cross_entropy_error")
    if is_close(loss, -expected, rtol=LOSS_RTOL):
        fail("cross_entropy_error.wrong_sign",
             f"{what} is negative ({float(loss):.4g}). The log of a probability is <= 0: what "
             f"makes the loss positive?", "cross_entropy_error")
    if is_close(loss, expected / c, rtol=LOSS_RTOL):
        fail("cross_entropy_error.mean_over_classes",
             f"{what} averaged over all N * C = {n * c} entries. Which of the two axes is a "
             f"sum, and which a mean?", "cross_entropy_error")
    expect_close(loss, expected, what, rtol=LOSS_RTOL, exercise="cross_entropy_error")
    what_labels = f"cross_entropy_error(y, t) for y {y.shape} and labels t {labels.shape}"
    labels_question = ("When t holds one class number per sample (t.size == N), which entry of "
                       "each row of y is the right class's probability?")
    loss = call(what_labels, cross_entropy_error, y, labels, exercise="cross_entropy_error",
                question=labels_question)
    expect_close(loss, expected, what_labels, labels_question, rtol=LOSS_RTOL,
                 exercise="cross_entropy_error")
    what_one = (f"cross_entropy_error(y, t) for one sample y {y[0].shape}, "
                f"one-hot t {one_hot[0].shape}")
    one_question = "Can one sample be treated as a batch of one?"
    loss = call(what_one, cross_entropy_error, y[0], one_hot[0], exercise="cross_entropy_error",
                question=one_question)
    expect_close(loss, functions.cross_entropy_error(y[0], one_hot[0]), what_one, one_question,
                 rtol=LOSS_RTOL, exercise="cross_entropy_error")
    certain = np.eye(c)[(labels + 1) % c]  # the correct class gets probability exactly 0
    what_zero = "cross_entropy_error(y, t) when the correct class has probability exactly 0"
    try:
        loss = call(what_zero, cross_entropy_error, certain, one_hot,
                    exercise="cross_entropy_error")
    except CheckFailure as failure:
        if failure.mistake_id != "common.floating_point":
            raise
        loss = -np.inf
    if not np.isfinite(loss):
        fail("cross_entropy_error.log_zero",
             f"{what_zero} is not a finite number: log(0) is -inf. What tiny change inside the "
             f"log keeps it finite?", "cross_entropy_error")
    passed("cross_entropy_error", "the batch mean, for one-hot targets, labels and one sample",
           4)


def _one_hot_case(rng):
    n, c = _sizes(rng, low=3)
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
        layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise="softmax_with_loss")
        loss = call(what, layer.forward, x.copy(), t.copy(), exercise="softmax_with_loss")
        expect_number(loss, what, "The loss is one number.", "softmax_with_loss")
        if is_close(loss, x.shape[0] * expected, rtol=LOSS_RTOL):
            fail("softmax_with_loss.summed_over_batch",
                 f"{what} is the SUM of the losses over the batch. Should the loss depend on "
                 f"how many samples a batch holds?", "softmax_with_loss")
        with np.errstate(all="ignore"):  # log of negative scores: nan, on purpose
            on_scores = functions.cross_entropy_error(x, labels)
        if is_close(loss, on_scores):
            fail("softmax_with_loss.no_softmax",
                 f"{what} applied cross-entropy to the raw scores x. Cross-entropy needs "
                 f"probabilities: which step comes first?", "softmax_with_loss")
        expect_close(loss, expected, what, rtol=LOSS_RTOL, exercise="softmax_with_loss")
    passed("SoftmaxWithLoss.forward", "the mean loss, for one-hot targets and labels", 2)


def check_softmax_with_loss_backward(SoftmaxWithLoss, seed=0):
    """backward(dout=1) returns the gradient by the scores, for one-hot and label targets."""
    rng = rng_for(seed)
    x, labels, one_hot = _one_hot_case(rng)
    n = x.shape[0]
    y = functions.softmax(x)
    expected = (y - one_hot) / n
    ex = "softmax_with_loss"
    what = (f"SoftmaxWithLoss.backward() after forward(x, t) with x {x.shape}, "
            f"one-hot t {one_hot.shape}")
    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise=ex)
    call("SoftmaxWithLoss().forward(x, t)", layer.forward, x.copy(), one_hot.copy(), exercise=ex)
    dx = expect_value(call(what, layer.backward, exercise=ex,
                           question="Can backward be called without dout (a default of 1)?"),
                      what, ex)
    if is_close(dx, y - one_hot):
        fail("softmax_with_loss.not_divided_by_batch",
             f"{what} is N = {n} times too large. The loss is the MEAN over the batch: what "
             f"does that factor do to each sample's gradient?", ex)
    if is_close(dx, (one_hot - y) / n) or is_close(dx, one_hot - y):
        fail("softmax_with_loss.wrong_sign",
             f"{what} has the wrong sign. Raising the right class's score should LOWER the "
             f"loss: what sign must that entry's gradient have?", ex)
    expect_close(dx, expected, what, exercise=ex)

    dout = float(rng.uniform(2, 4))
    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise=ex)
    call("SoftmaxWithLoss().forward(x, t)", layer.forward, x.copy(), one_hot.copy(), exercise=ex)
    what_dout = f"SoftmaxWithLoss.backward(dout={dout:.3g})"
    dx = call(what_dout, layer.backward, dout, exercise=ex)
    if is_close(dx, expected):
        fail("softmax_with_loss.ignores_dout",
             f"{what_dout} gave the same gradient as dout=1: it ignores dout. By the chain "
             f"rule, what multiplies the local gradient?", ex)
    expect_close(dx, dout * expected, what_dout, exercise=ex)

    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise=ex)
    what_labels = f"SoftmaxWithLoss.backward() after forward with labels t {labels.shape}"
    label_question = ("With labels t (N,), subtracting t from y (N, C) broadcasts wrongly: "
                      "which entry of each row belongs to the right class?")
    call("SoftmaxWithLoss().forward(x, labels)", layer.forward, x.copy(), labels.copy(),
         exercise=ex)
    dx = call(what_labels, layer.backward, exercise=ex, question=label_question)
    expect_close(dx, expected, what_labels, label_question, exercise=ex)
    passed("SoftmaxWithLoss.backward", "the gradient by the scores, with dout and with labels",
           3)


def check_softmax_with_loss_numerically(SoftmaxWithLoss, seed=0, tol=1e-4):
    """The student's backward agrees with central differences of the student's own forward.

    The tolerance is looser than for other layers: the delta inside log(y + delta) changes the
    forward by about delta / y, which the analytic gradient does not see.
    """
    rng = rng_for(seed)
    x, _, one_hot = _one_hot_case(rng)
    x = x / 2  # smaller still: the numerical gradient sees the delta too
    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise="softmax_with_loss")
    expect_numerical_gradients(layer, x, one_hot, tol=tol, exercise="softmax_with_loss",
                               what=f"SoftmaxWithLoss.backward with {shapes(x=x, t=one_hot)}")
    passed("SoftmaxWithLoss.backward", "agrees with the numerical gradient", 1)
