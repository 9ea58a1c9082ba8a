"""Checks for lesson 06: softmax, cross-entropy error and the Softmax-with-Loss layer.

The usual mistakes they name: softmax without the max shift (exp overflows to inf, inf / inf is
nan), softmax normalised over the wrong axis or the whole batch, softmax that writes into its
input, cross-entropy that sums instead of averaging over the batch or takes log(0), and a
Softmax-with-Loss backward without the division by N or that ignores dout; and for the backward
passes the student derives: softmax's own (any dout), cross-entropy's, and squared error's.

One mistake, one penalty: a test of an exercise built on earlier exercises (SoftmaxWithLoss on
softmax and cross_entropy_error, the Softmax layer on softmax) runs bpkit's versions of those
parts in place of the student's while it checks, and says so when it fails; the parts keep their
own tests.
"""

import contextlib
import types

import numpy as np

from .. import functions, layers
from ..gradcheck import numerical_gradient
from ..i18n import tr
from ._student import (
    CheckFailure,
    call,
    expect_close,
    expect_dtype,
    expect_gradients_match,
    expect_number,
    expect_numerical_gradients,
    expect_shape,
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
    "check_softmax_layer_backward",
    "check_softmax_layer_numerically",
    "check_cross_entropy_layer_backward",
    "check_cross_entropy_layer_numerically",
    "check_squared_error_backward",
    "check_squared_error_numerically",
]

# Cross-entropy adds a tiny delta inside the log (the book 1e-7, bpkit 1e-12); the losses then
# differ by about delta / y, so loss comparisons allow that much.
LOSS_RTOL = 1e-4


# The parts that have their own tests, and bpkit's versions a later test runs in their place.
REFERENCE_PARTS = {
    "softmax": functions.softmax,
    "cross_entropy_error": functions.cross_entropy_error,
    "Softmax": layers.Softmax,
    "CrossEntropy": layers.CrossEntropy,
}


# Failures that say nothing about the values computed: the note on the reference parts would
# only distract from them (and every lesson words them the same way).
_NOT_ABOUT_VALUES = {"common.not_written", "common.returned_none", "common.undefined_name",
                     "common.name_on_self", "common.not_stored", "common.forward_not_stored",
                     "common.not_own_code", "common.timeout"}


def _code_of(thing):
    if isinstance(thing, type):
        return [v for klass in thing.__mro__[:-1] for v in vars(klass).values()
                if isinstance(v, types.FunctionType)]
    return [thing] if isinstance(thing, types.FunctionType) else []


@contextlib.contextmanager
def reference_parts(thing, names):
    """While inside, the names ``thing``'s code looks up (its module's globals: the notebook)
    are bpkit's versions of the parts that have their own tests. Yields the names replaced."""
    code = _code_of(thing)
    spaces = {id(f.__globals__): f.__globals__ for f in code}
    used = {name for f in code for name in f.__code__.co_names}
    saved = []
    for space in spaces.values():
        for name in (n for n in names if n in used):
            value = space.get(name)
            if value is not None and not (getattr(value, "__module__", "") or "").startswith(
                    "bpkit"):
                saved.append((space, name, value))
                space[name] = REFERENCE_PARTS[name]
    try:
        yield sorted({name for _, name, _ in saved})
    except CheckFailure as failure:
        replaced = sorted({name for _, name, _ in saved})
        if not replaced or failure.mistake_id in _NOT_ABOUT_VALUES:
            raise
        owner = getattr(thing, "__name__", "this exercise")
        named = [f"bpkit's {name}" for name in replaced]
        parts = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        has = "they have their own tests" if len(replaced) > 1 else "it has its own tests"
        note = (tr("\n(This test ran {parts} in place of yours: {has} above, so what it "
                   "found is in {owner} itself.)",
                   parts=parts, has=has, owner=owner))
        again = CheckFailure(failure.mistake_id, failure.message + note, failure.exercise)
        again.student_line = failure.student_line
        raise again from None
    finally:
        for space, name, value in reversed(saved):
            space[name] = value


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
    what = tr("softmax(x) for x of shape {x_shape}",
              x_shape=x.shape)
    y = expect_value(call(what, softmax, x, exercise="softmax"), what, "softmax")
    expect_unchanged(x_before, x, "softmax", "x", "softmax")
    if is_close(y, _naive_softmax(x, axis=0)):
        fail("softmax.wrong_axis",
             tr("{what} normalised over axis 0 (the batch): each COLUMN sums to 1. Every "
                "row is one sample: which axis holds one sample's classes?",
                what=what), "softmax")
    if is_close(y, _naive_softmax(x, axis=None)):
        fail("softmax.whole_batch",
             tr("{what} divided by the sum over the WHOLE batch, so all {n_c} numbers sum "
                "to 1. Which numbers should one sample's probabilities sum over?",
                what=what, n_c=n * c), "softmax")
    expect_close(y, functions.softmax(x), what, "Does each row sum to 1?", exercise="softmax")
    one = x[0]
    what_one = tr("softmax(x) for one sample x of shape {one_shape}",
                  one_shape=one.shape)
    y_one = call(what_one, softmax, one, exercise="softmax",
                 question="Can the same code serve one sample (C,) and a batch (N, C): which "
                 "axis is the classes' axis in both?")
    expect_close(y_one, functions.softmax(one), what_one,
                 "Which axis is the classes' axis in both (C,) and (N, C)?", exercise="softmax")
    y32 = call(tr("{what} in float32",
                  what=what), softmax, x.astype(np.float32), exercise="softmax")
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
    what = tr("softmax(x) for scores around +1000 and -1000, x of shape {x_shape}",
              x_shape=x.shape)
    try:
        y = call(what, softmax, x, exercise="softmax")
    except CheckFailure as failure:
        if failure.mistake_id == "common.floating_point":
            fail("softmax.overflow", f"{what} overflowed: {why}", "softmax")
        raise
    expect_value(y, what, "softmax")
    if not np.all(np.isfinite(np.asarray(y, dtype=np.float64))):
        fail("softmax.overflow", tr("{what} contains inf or nan: {why}",
                                    what=what, why=why), "softmax")
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
    what = tr("cross_entropy_error(y, t) for y {y_shape} and one-hot t {one_hot_shape}",
              y_shape=y.shape, one_hot_shape=one_hot.shape)
    loss = call(what, cross_entropy_error, y, one_hot, exercise="cross_entropy_error")
    expect_number(loss, what, "The loss is ONE number for the whole batch.",
                  "cross_entropy_error")
    if is_close(loss, n * expected, rtol=LOSS_RTOL):
        fail("cross_entropy_error.summed_over_batch",
             tr("{what} is {float_loss:.4g}, {n} times the right value: the SUM over the "
                "batch. Should the loss (and the learning rate it needs) depend on how many "
                "samples a batch holds?",
                what=what, float_loss=float(loss), n=n), "cross_entropy_error")
    if is_close(loss, -expected, rtol=LOSS_RTOL):
        fail("cross_entropy_error.wrong_sign",
             tr("{what} is negative ({float_loss:.4g}). The log of a probability is <= 0: "
                "what makes the loss positive?",
                what=what, float_loss=float(loss)), "cross_entropy_error")
    if is_close(loss, expected / c, rtol=LOSS_RTOL):
        fail("cross_entropy_error.mean_over_classes",
             tr("{what} averaged over all N * C = {n_c} entries. Which of the two axes is a "
                "sum, and which a mean?",
                what=what, n_c=n * c), "cross_entropy_error")
    expect_close(loss, expected, what, rtol=LOSS_RTOL, exercise="cross_entropy_error")
    what_labels = tr("cross_entropy_error(y, t) for y {y_shape} and labels t {labels_shape}",
                     y_shape=y.shape, labels_shape=labels.shape)
    labels_question = ("When t holds one class number per sample (t.size == N), which entry of "
                       "each row of y is the right class's probability?")
    loss = call(what_labels, cross_entropy_error, y, labels, exercise="cross_entropy_error",
                question=labels_question)
    expect_close(loss, expected, what_labels, labels_question, rtol=LOSS_RTOL,
                 exercise="cross_entropy_error")
    what_one = (tr("cross_entropy_error(y, t) for one sample y {y_0_shape}, one-hot t "
                   "{one_hot_0_shape}",
                   y_0_shape=y[0].shape, one_hot_0_shape=one_hot[0].shape))
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
             tr("{what_zero} is not a finite number: log(0) is -inf. What tiny change "
                "inside the log keeps it finite?",
                what_zero=what_zero), "cross_entropy_error")
    passed("cross_entropy_error", "the batch mean, for one-hot targets, labels and one sample",
           4)


def _one_hot_case(rng):
    n, c = _sizes(rng, low=3)
    # Moderate scores: no right-class probability so small that the log's delta shows.
    x = rng.standard_normal((n, c))
    labels = rng.integers(0, c, size=n)
    return x, labels, np.eye(c)[labels]


def _swl_forward(SoftmaxWithLoss, seed=0):
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
                 tr("{what} is the SUM of the losses over the batch. Should the loss depend "
                    "on how many samples a batch holds?",
                    what=what), "softmax_with_loss")
        with np.errstate(all="ignore"):  # log of negative scores: nan, on purpose
            on_scores = functions.cross_entropy_error(x, labels)
        if is_close(loss, on_scores):
            fail("softmax_with_loss.no_softmax",
                 tr("{what} applied cross-entropy to the raw scores x. Cross-entropy needs "
                    "probabilities: which step comes first?",
                    what=what), "softmax_with_loss")
        expect_close(loss, expected, what, rtol=LOSS_RTOL, exercise="softmax_with_loss")
    passed("SoftmaxWithLoss.forward", "the mean loss, for one-hot targets and labels", 2)


def _swl_backward(SoftmaxWithLoss, seed=0):
    """backward(dout=1) returns the gradient by the scores, for one-hot and label targets."""
    rng = rng_for(seed)
    x, labels, one_hot = _one_hot_case(rng)
    n = x.shape[0]
    y = functions.softmax(x)
    expected = (y - one_hot) / n
    ex = "softmax_with_loss"
    what = (tr("SoftmaxWithLoss.backward() after forward(x, t) with x {x_shape}, one-hot t "
               "{one_hot_shape}",
               x_shape=x.shape, one_hot_shape=one_hot.shape))
    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise=ex)
    call("SoftmaxWithLoss().forward(x, t)", layer.forward, x.copy(), one_hot.copy(), exercise=ex)
    dx = expect_value(call(what, layer.backward, exercise=ex,
                           question="Can backward be called without dout (a default of 1)?"),
                      what, ex)
    if is_close(dx, y - one_hot):
        fail("softmax_with_loss.not_divided_by_batch",
             tr("{what} is N = {n} times too large. The loss is the MEAN over the batch: "
                "what does that factor do to each sample's gradient?",
                what=what, n=n), ex)
    if is_close(dx, (one_hot - y) / n) or is_close(dx, one_hot - y):
        fail("softmax_with_loss.wrong_sign",
             tr("{what} has the wrong sign. Raising the right class's score should LOWER "
                "the loss: what sign must that entry's gradient have?",
                what=what), ex)
    expect_close(dx, expected, what, exercise=ex)

    dout = float(rng.uniform(2, 4))
    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise=ex)
    call("SoftmaxWithLoss().forward(x, t)", layer.forward, x.copy(), one_hot.copy(), exercise=ex)
    what_dout = f"SoftmaxWithLoss.backward(dout={dout:.3g})"
    dx = call(what_dout, layer.backward, dout, exercise=ex)
    if is_close(dx, expected):
        fail("softmax_with_loss.ignores_dout",
             tr("{what_dout} gave the same gradient as dout=1: it ignores dout. By the "
                "chain rule, what multiplies the local gradient?",
                what_dout=what_dout), ex)
    expect_close(dx, dout * expected, what_dout, exercise=ex)

    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise=ex)
    what_labels = tr("SoftmaxWithLoss.backward() after forward with labels t {labels_shape}",
                     labels_shape=labels.shape)
    label_question = ("With labels t (N,), subtracting t from y (N, C) broadcasts wrongly: "
                      "which entry of each row belongs to the right class?")
    call("SoftmaxWithLoss().forward(x, labels)", layer.forward, x.copy(), labels.copy(),
         exercise=ex)
    dx = call(what_labels, layer.backward, exercise=ex, question=label_question)
    expect_close(dx, expected, what_labels, label_question, exercise=ex)
    passed("SoftmaxWithLoss.backward", "the gradient by the scores, with dout and with labels",
           3)


def _swl_numerically(SoftmaxWithLoss, seed=0, tol=1e-4):
    """The student's backward agrees with central differences of the student's own forward.

    The tolerance is looser than for other layers: the delta inside log(y + delta) changes the
    forward by about delta / y, which the analytic gradient does not see.
    """
    rng = rng_for(seed)
    x, _, one_hot = _one_hot_case(rng)
    x = x / 2  # smaller still: the numerical gradient sees the delta too
    layer = call("SoftmaxWithLoss()", SoftmaxWithLoss, exercise="softmax_with_loss")
    expect_numerical_gradients(layer, x, one_hot, tol=tol, exercise="softmax_with_loss",
                               what=tr("SoftmaxWithLoss.backward with {shapes_x_x_t_one_hot}",
                                       shapes_x_x_t_one_hot=shapes(x=x, t=one_hot)))
    passed("SoftmaxWithLoss.backward", "agrees with the numerical gradient", 1)


SWL_PARTS = ("softmax", "cross_entropy_error", "Softmax", "CrossEntropy")


def check_softmax_with_loss_forward(SoftmaxWithLoss, seed=0):
    """forward(x, t) returns the batch-mean cross-entropy of softmax(x), one-hot or labels.

    Runs bpkit's softmax and cross_entropy_error in place of the student's (they have their
    own tests)."""
    with reference_parts(SoftmaxWithLoss, SWL_PARTS):
        _swl_forward(SoftmaxWithLoss, seed)


def check_softmax_with_loss_backward(SoftmaxWithLoss, seed=0):
    """backward(dout=1) returns the gradient by the scores, for one-hot and label targets.

    Runs bpkit's softmax and cross_entropy_error in place of the student's."""
    with reference_parts(SoftmaxWithLoss, SWL_PARTS):
        _swl_backward(SoftmaxWithLoss, seed)


def check_softmax_with_loss_numerically(SoftmaxWithLoss, seed=0, tol=1e-4):
    """The student's backward agrees with central differences of the student's forward (run
    with bpkit's softmax and cross_entropy_error)."""
    with reference_parts(SoftmaxWithLoss, SWL_PARTS):
        _swl_numerically(SoftmaxWithLoss, seed, tol)


# --------------------------------------------------------------------------------------------
# The backward passes the student derives: softmax alone (any dout), cross-entropy alone, and
# the squared-error loss. Each is compared with bpkit's layer and, in the hidden tests, with the
# numerical gradient of bpkit's forward (so a mistake in an earlier exercise costs nothing here).


def _softmax_layer_dx(Softmax, x, dout, ex):
    layer = call("Softmax()", Softmax, exercise=ex)
    call(f"Softmax().forward(x) for x {x.shape}", layer.forward, x.copy(), exercise=ex)
    dout_before = dout.copy()
    what = tr("Softmax.backward(dout) for x and dout of shape {x_shape}",
              x_shape=x.shape)
    dx = expect_value(call(what, layer.backward, dout, exercise=ex), what, ex)
    expect_unchanged(dout_before, dout, "Softmax.backward", "dout", ex)
    return dx, what


def check_softmax_layer_backward(Softmax, seed=0):
    """Softmax.backward(dout) for ANY dout (N, C) and for one sample (C,), against bpkit's."""
    ex = "softmax_layer"
    rng = rng_for(seed)
    n, c = _sizes(rng)
    x, dout = rng.standard_normal((n, c)), rng.standard_normal((n, c))
    y = functions.softmax(x)
    reference = layers.Softmax()
    reference.forward(x)
    expected = reference.backward(dout)
    every = ("Each y_k = exp(a_k) / S depends on EVERY score a_j of its sample, through S. If "
             "a_j moves a little, how does each y_k move (k = j and k != j)?")
    with reference_parts(Softmax, ("softmax",)):
        dx, what = _softmax_layer_dx(Softmax, x, dout, ex)
        expect_shape(dx, x.shape, what, "Each gradient has the shape of what it is the "
                     "gradient of.", ex)
        if is_close(dx, dout * y * (1 - y)):
            fail("softmax_layer.diagonal_only",
                 tr("{what} treats each y_k as a function of its own score a_k alone (as "
                    "for a sigmoid). {every}",
                    what=what, every=every), ex)
        if is_close(dx, y - dout):
            fail("softmax_layer.assumed_cross_entropy",
                 tr("{what} returned y − dout: a shortcut that holds only for the gradient "
                    "cross-entropy sends with a one-hot target. This node must work for any "
                    "dout (a vector-Jacobian product). {every}",
                    what=what, every=every), ex)
        if is_close(dx, -expected):
            fail("softmax_layer.wrong_sign",
                 tr("{what} has the wrong sign everywhere. Raising a score a_j: does its "
                    "own probability y_j go up or down, and the others?",
                    what=what), ex)
        if n > 1 and is_close(dx, y * (dout - np.sum(dout * y))):
            fail("softmax_layer.whole_batch",
                 tr("{what} mixes the {n} samples of the batch: one sample's gradient "
                    "depends on the others' dout. Does sample 0's score reach sample 1's "
                    "probabilities?",
                    what=what, n=n), ex)
        if is_close(dx, y * (dout - np.sum(dout * y, axis=0))):
            fail("softmax_layer.wrong_axis",
                 tr("{what} adds up over axis 0, the {n} samples. The sum a y_k depends on "
                    "runs over one sample's {c} classes: which axis is that?",
                    what=what, n=n, c=c), ex)
        expect_close(dx, expected, what, every, exercise=ex)
        dx_one, what_one = _softmax_layer_dx(Softmax, x[0], dout[0], ex)
        expect_close(dx_one, expected[0], what_one, "Does the same code serve one sample (C,) "
                     "and a batch (N, C): which axis holds the classes in both?", exercise=ex)
    passed("Softmax.backward", "a vector-Jacobian product for any dout, batch and one sample", 3)


def check_softmax_layer_numerically(Softmax, seed=0, tol=1e-6):
    """Softmax.backward agrees with central differences of bpkit's softmax, any dout."""
    ex = "softmax_layer"
    rng = rng_for(seed)
    n, c = _sizes(rng)
    x, dout = rng.standard_normal((n, c)) * 2, rng.standard_normal((n, c))
    with reference_parts(Softmax, ("softmax",)):
        dx, what = _softmax_layer_dx(Softmax, x, dout, ex)
    probe_x = x.copy()
    numeric = numerical_gradient(lambda: np.sum(functions.softmax(probe_x) * dout), probe_x)
    expect_gradients_match(dx, numeric, what, tol, ex)
    passed("Softmax.backward", "agrees with the numerical gradient", 1)


def _ce_case(rng):
    n, c = _sizes(rng, low=3)
    y = functions.softmax(rng.standard_normal((n, c)) / 2)  # no probability near 0
    return y, np.eye(c)[rng.integers(0, c, size=n)]


def _ce_layer_dy(CrossEntropy, y, t, ex, *dout):
    layer = call("CrossEntropy()", CrossEntropy, exercise=ex)
    call(f"CrossEntropy().forward(y, t) for y, t {y.shape}", layer.forward, y.copy(), t.copy(),
         exercise=ex)
    what = (tr("CrossEntropy.backward({if_not_dout_else_f_dout_dout_0_3}) after forward(y, "
               "t) with y and one-hot t of shape {y_shape}",
               if_not_dout_else_f_dout_dout_0_3='' if not dout else f'dout={dout[0]:.3g}',
               y_shape=y.shape))
    dy = expect_value(call(what, layer.backward, *dout, exercise=ex), what, ex)
    return dy, what


def check_cross_entropy_layer_backward(CrossEntropy, seed=0):
    """CrossEntropy.backward(dout=1): the gradient by the probabilities y, with and without
    dout (runs bpkit's cross_entropy_error in place of the student's)."""
    ex = "cross_entropy_layer"
    rng = rng_for(seed)
    y, t = _ce_case(rng)
    n = y.shape[0]
    reference = layers.CrossEntropy()
    reference.forward(y, t)
    expected = reference.backward()
    with reference_parts(CrossEntropy, ("cross_entropy_error",)):
        dy, what = _ce_layer_dy(CrossEntropy, y, t, ex)
        expect_shape(dy, y.shape, what, "Each gradient has the shape of what it is the "
                     "gradient of.", ex)
        if is_close(dy, expected * n, rtol=LOSS_RTOL):
            fail("cross_entropy_layer.not_divided_by_batch",
                 tr("{what} is N = {n} times too large. The loss is the MEAN over the "
                    "batch: what does that do to each sample's share of the gradient?",
                    what=what, n=n), ex)
        if is_close(dy, -expected, rtol=LOSS_RTOL) or is_close(dy, -expected * n,
                                                                rtol=LOSS_RTOL):
            fail("cross_entropy_layer.wrong_sign",
                 tr("{what} is positive where it should be negative. Raising the right "
                    "class's probability: does the loss go up or down?",
                    what=what), ex)
        wrong_classes = (t == 0) & ~np.isclose(np.asarray(dy, dtype=float), 0)
        if wrong_classes.any():
            fail("cross_entropy_layer.wrong_classes_nonzero",
                 tr("{what} is not 0 for {int_wrong_classes_sum} entries of classes that "
                    "are not the right one. Does the loss change at all when such a "
                    "probability moves (with everything else held still)?",
                    what=what, int_wrong_classes_sum=int(wrong_classes.sum())), ex)
        if is_close(dy, expected * y * y, rtol=LOSS_RTOL) or is_close(
                dy, -t * np.log(y) / n, rtol=LOSS_RTOL):
            fail("cross_entropy_layer.log_derivative",
                 tr("{what} has the right zeros but the wrong values where t = 1. What is "
                    "the derivative of log(y) by y?",
                    what=what), ex)
        expect_close(dy, expected, what, "What is the derivative of log(y) by y, and what does "
                     "the mean over N do?", rtol=LOSS_RTOL, exercise=ex)
        dout = float(rng.uniform(2, 4))
        dy, what = _ce_layer_dy(CrossEntropy, y, t, ex, dout)
        if is_close(dy, expected, rtol=LOSS_RTOL):
            fail("cross_entropy_layer.ignores_dout",
                 tr("{what} gave the same gradient as dout=1: it ignores dout. By the chain "
                    "rule (연쇄법칙), what multiplies the local gradient?",
                    what=what), ex)
        expect_close(dy, dout * expected, what, rtol=LOSS_RTOL, exercise=ex)
    passed("CrossEntropy.backward", "the gradient by the probabilities, with and without dout",
           3)


def check_cross_entropy_layer_numerically(CrossEntropy, seed=0, tol=1e-4):
    """CrossEntropy.backward agrees with central differences of bpkit's batch-mean loss."""
    ex = "cross_entropy_layer"
    rng = rng_for(seed)
    y, t = _ce_case(rng)
    with reference_parts(CrossEntropy, ("cross_entropy_error",)):
        dy, what = _ce_layer_dy(CrossEntropy, y, t, ex)
    probe_y = y.copy()
    numeric = numerical_gradient(lambda: -np.sum(t * np.log(probe_y)) / len(probe_y), probe_y)
    expect_gradients_match(dy, numeric, what, tol, ex)
    passed("CrossEntropy.backward", "agrees with the numerical gradient", 1)


def _sse_dy(SquaredErrorLoss, y, t, ex, *dout):
    layer = call("SquaredErrorLoss()", SquaredErrorLoss, exercise=ex)
    call(f"SquaredErrorLoss().forward(y, t) for y, t {y.shape}", layer.forward, y.copy(),
         t.copy(), exercise=ex)
    what = (tr("SquaredErrorLoss.backward({if_not_dout_else_f_dout_dout_0_3}) after "
               "forward(y, t) with y, t of shape {y_shape}",
               if_not_dout_else_f_dout_dout_0_3='' if not dout else f'dout={dout[0]:.3g}',
               y_shape=y.shape))
    return expect_value(call(what, layer.backward, *dout, exercise=ex), what, ex), what


def check_squared_error_backward(SquaredErrorLoss, seed=0):
    """SquaredErrorLoss.backward(dout=1): the gradient by the predictions y (N, D)."""
    ex = "squared_error_loss"
    rng = rng_for(seed)
    n, d = _sizes(rng)
    y, t = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    reference = layers.SquaredErrorLoss()
    reference.forward(y, t)
    expected = reference.backward()
    dy, what = _sse_dy(SquaredErrorLoss, y, t, ex)
    expect_shape(dy, y.shape, what, "Each gradient has the shape of what it is the gradient "
                 "of.", ex)
    if is_close(dy, expected * n):
        fail("squared_error_loss.not_divided_by_batch",
             tr("{what} is N = {n} times too large. The loss is the MEAN over the batch: "
                "what does that do to each sample's share of the gradient?",
                what=what, n=n), ex)
    if is_close(dy, 2 * expected) or is_close(dy, 2 * expected * n):
        fail("squared_error_loss.factor_two",
             tr("{what} is twice too large. The loss has a factor 0.5 in front of the "
                "square: what does it do to the derivative of the square?",
                what=what), ex)
    if is_close(dy, -expected):
        fail("squared_error_loss.wrong_sign",
             tr("{what} has the wrong sign. When a prediction is above its target, should "
                "raising it further make the loss larger or smaller?",
                what=what), ex)
    expect_close(dy, expected, what, "If one prediction y[i, j] moves a little, by how much "
                 "does its own squared term move?", exercise=ex)
    dout = float(rng.uniform(2, 4))
    dy, what = _sse_dy(SquaredErrorLoss, y, t, ex, dout)
    if is_close(dy, expected):
        fail("squared_error_loss.ignores_dout",
             tr("{what} gave the same gradient as dout=1: it ignores dout. By the chain "
                "rule (연쇄법칙), what multiplies the local gradient?",
                what=what), ex)
    expect_close(dy, dout * expected, what, exercise=ex)
    passed("SquaredErrorLoss.backward", "the gradient by the predictions, with and without dout",
           2)


def check_squared_error_numerically(SquaredErrorLoss, seed=0, tol=1e-6):
    """SquaredErrorLoss.backward agrees with central differences of bpkit's loss."""
    ex = "squared_error_loss"
    rng = rng_for(seed)
    n, d = _sizes(rng)
    y, t = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    dy, what = _sse_dy(SquaredErrorLoss, y, t, ex)
    probe_y = y.copy()
    numeric = numerical_gradient(lambda: functions.sum_squares_error(probe_y, t), probe_y)
    expect_gradients_match(dy, numeric, what, tol, ex)
    passed("SquaredErrorLoss.backward", "agrees with the numerical gradient", 1)
