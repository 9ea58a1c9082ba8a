"""Pure functions the layers are built from.

Every function works on numpy arrays of any float dtype and returns the same dtype it was
given (float64 for Python numbers and integer arrays).
"""

import numpy as np

from .i18n import tr


def _as_float(x):
    """Return ``x`` as a float array, keeping float32/float64 and promoting everything else."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, elementwise.

    x: any shape. Returns the same shape. Never overflows: for x < 0 it uses
    ``exp(x) / (1 + exp(x))``, so ``exp`` only ever sees non-positive numbers.
    """
    x = _as_float(x)
    # exp(-|x|) is at most 1, so neither branch can overflow, even at x = +-1000.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)


def relu(x):
    """Rectified linear unit ``max(0, x)``, elementwise. x: any shape; returns the same shape."""
    x = _as_float(x)
    return np.maximum(x, 0)


def softmax(x):
    """Softmax over the last axis: ``exp(x_i) / sum_j exp(x_j)``.

    x: (..., C) scores. Returns (..., C) probabilities that sum to 1 along the last axis.
    The row maximum is subtracted first: softmax is unchanged by a shift, and the largest
    exponent becomes exp(0) = 1, so nothing overflows.
    """
    x = _as_float(x)
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _as_batch(y, t):
    """Make a single sample (C,) a batch of one (1, C); leave batches alone."""
    y = _as_float(y)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 and t.size == y.shape[1] else t.reshape(1)
    return y, t


def cross_entropy_error(y, t, eps=1e-12):
    """Batch-mean cross-entropy ``-1/N * sum_n sum_k t_nk * log(y_nk)``.

    y: (N, C) probabilities, or (C,) for one sample.
    t: one-hot targets of y's shape, or integer labels (N,) (a single label for one sample).
    Returns a scalar. ``eps`` keeps log(0) finite when a probability underflows to 0.
    """
    y, t = _as_batch(y, t)
    n, c = y.shape
    if t.shape == y.shape:
        # The formula itself, not "the log of the argmax class": the two agree for one-hot
        # targets, but only this one is the loss whose gradient SoftmaxWithLoss returns when
        # a row of t is a spread-out distribution (label smoothing, soft targets).
        return -np.sum(t * np.log(y + eps)) / n
    labels = t.ravel()
    if labels.shape != (n,):
        raise ValueError(
            tr("targets have shape {np_shape_t} but y has shape {y_shape}: give one-hot "
               "targets of shape {y_shape} or integer labels of shape ({n},)",
               np_shape_t=np.shape(t), y_shape=y.shape, n=n)
        )
    labels = labels.astype(np.intp, copy=False)
    # Checked because numpy would read a label of -1 as "the last class" and say nothing.
    if labels.min() < 0 or labels.max() >= c:
        raise ValueError(tr("labels must lie in 0..{c_1}, got {labels_min}..{labels_max}",
                            c_1=c - 1, labels_min=labels.min(), labels_max=labels.max()))
    return -np.sum(np.log(y[np.arange(n), labels] + eps)) / n


def sum_squares_error(y, t):
    """Sum-of-squares error ``0.5 * sum (y - t)^2`` (the notes' error function), batch mean.

    y, t: the same shape, (N, ...) for a batch, or (D,) for one sample. Returns a scalar.
    """
    y, t = _as_float(y), _as_float(t)
    if y.shape != t.shape:
        raise ValueError(tr("y has shape {y_shape} but t has shape {t_shape}; they must "
                            "match",
                            y_shape=y.shape, t_shape=t.shape))
    n = y.shape[0] if y.ndim > 1 else 1
    return 0.5 * np.sum((y - t) ** 2) / n
