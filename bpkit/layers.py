"""Layers: each one's forward and backward side by side.

The contract (the notes' and *Deep Learning from Scratch*'s):

- ``forward(...)`` computes the output and stores what ``backward`` needs;
- ``backward(dout)`` returns the gradient of the loss with respect to the input(s) and, for a
  layer with parameters, stores ``dW`` and ``db``;
- ``dout`` is never modified in place: the caller may still need it;
- arrays keep the float dtype they were given (float64 by default).

``BatchNormalization`` and ``Dropout`` live in ``bpkit.normalization`` and are re-exported here.
"""

import numpy as np

from .functions import _as_float, sigmoid, softmax
from .i18n import tr


class BackwardBeforeForwardError(RuntimeError):
    """Raised when ``backward`` is called before ``forward`` stored what it needs."""


def _need(value, layer, what):
    if value is None:
        raise BackwardBeforeForwardError(
            tr("{type_layer___name}.backward was called before forward: it needs {what}, "
               "which forward stores. Call forward first.",
               type_layer___name=type(layer).__name__, what=what)
        )
    return value


class AddLayer:
    """Add node ``out = x + y``. Backward passes ``dout`` unchanged to both inputs."""

    def forward(self, x, y):
        """x, y: scalars or arrays of one shape. Returns x + y."""
        return x + y

    def backward(self, dout):
        """dout: the shape of the output. Returns (dx, dy), each equal to dout (copies)."""
        # Copies, so that a caller who changes dx in place does not change dy or dout.
        return dout * 1, dout * 1


class MulLayer:
    """Multiply node ``out = x * y``. Backward swaps the inputs: dx = dout*y, dy = dout*x."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        """x, y: scalars or arrays of one shape. Stores both; returns x * y."""
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        """dout: the shape of the output. Returns (dx, dy) = (dout * y, dout * x)."""
        y = _need(self.y, self, "the inputs x and y")
        return dout * y, dout * self.x


class DivLayer:
    """Divide node ``out = x / y``. Backward returns (dx, dy), the shapes of x and y.

    The reference for lesson 03's derivation (its formula is the student's to work out).
    """

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        """x, y: scalars or arrays of one shape, y nonzero. Stores both; returns x / y."""
        self.x, self.y = x, y
        return x / y

    def backward(self, dout):
        """dout: the shape of the output. Returns (dx, dy)."""
        y = _need(self.y, self, "the inputs x and y")
        return dout / y, -dout * self.x / (y * y)


class BranchLayer:
    """Copy (branch, 분기) node: one input feeds two nodes. Forward returns two copies of x;
    backward(dout1, dout2) returns the one gradient dx of x, the shape of x.

    The reference for lesson 03's derivation (its formula is the student's to work out).
    """

    def forward(self, x):
        """x: scalar or array. Returns (out1, out2), each equal to x (arrays are new copies)."""
        return x * 1, x * 1

    def backward(self, dout1, dout2):
        """dout1, dout2: the gradients arriving along the two branches, x's shape. Returns dx."""
        return dout1 + dout2


class LeakyRelu:
    """``out = x`` where x > 0 and ``slope * x`` elsewhere (slope 0.01 unless given).

    The reference for lesson 04's derivation. Backward uses the stored mask.
    """

    def __init__(self, slope=0.01):
        self.slope = slope
        self.mask = None

    def forward(self, x):
        """x: any shape. Stores the mask ``x <= 0``; returns the output in x's shape."""
        x = _as_float(x)
        self.mask = x <= 0
        return np.where(self.mask, x * np.asarray(self.slope, x.dtype), x)

    def backward(self, dout):
        """dout: x's shape. Returns dx, the same shape."""
        mask = _need(self.mask, self, "the mask of inputs <= 0")
        return np.where(mask, dout * np.asarray(self.slope, np.asarray(dout).dtype), dout)


class Relu:
    """``out = max(0, x)``. Backward lets dout through where x > 0 and blocks it elsewhere."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        """x: any shape. Stores the mask ``x <= 0``; returns max(0, x) in x's shape."""
        x = _as_float(x)
        self.mask = x <= 0
        # A new array, so the caller's x is never written to. (np.maximum is ~8x faster
        # than copying and then assigning out[mask] = 0, whose scattered writes branch.)
        return np.maximum(x, 0)

    def backward(self, dout):
        """dout: x's shape. Returns dx = dout where x > 0, else 0 (a new array)."""
        mask = _need(self.mask, self, "the mask of inputs <= 0")
        # Multiplying by the boolean "let through" (True = 1, False = 0) is the book's
        # dout[mask] = 0 without a copy of dout to write into, and is ~8x faster.
        return dout * ~mask


class Sigmoid:
    """``y = 1 / (1 + exp(-x))``. Backward uses the stored output: dx = dout * y * (1 - y)."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        """x: any shape. Stores and returns y = sigmoid(x), the same shape."""
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        """dout: y's shape. Returns dx = dout * y * (1 - y)."""
        y = _need(self.out, self, "the output y")
        return dout * y * (1 - y)


class Tanh:
    """``y = tanh(x)``. The reference for lesson 04's derivation. Backward uses the stored y."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        """x: any shape. Stores and returns y = tanh(x), the same shape."""
        self.out = np.tanh(_as_float(x))
        return self.out

    def backward(self, dout):
        """dout: y's shape. Returns dx, the same shape."""
        y = _need(self.out, self, "the output y")
        return dout * (1 - y * y)


class Affine:
    """Fully connected layer ``out = x . W + b``.

    W: (D, M), b: (M,). x: (N, d1, ..., dk) with d1*...*dk = D (flattened per sample), or
    (D,) for one sample. Backward stores dW: (D, M) and db: (M,), and returns dx in x's shape.
    """

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        """x: (N, d1, ..., dk) or (D,). Returns (N, M), or (M,) for one sample."""
        x = _as_float(x)
        d_in = self.W.shape[0]
        self.original_x_shape = x.shape
        flat = x.reshape(1, -1) if x.ndim == 1 else x.reshape(x.shape[0], -1)
        if flat.shape[1] != d_in:
            raise ValueError(
                tr("Affine: x has {flat_shape_1} features per sample but W expects {d_in} "
                   "(x has shape {x_shape}, W has shape {self_W_shape}); give x of shape "
                   "(N, {d_in}) or a W with {flat_shape_1} rows",
                   flat_shape_1=flat.shape[1], d_in=d_in, x_shape=x.shape,
                   self_W_shape=self.W.shape)
            )
        self.x = flat
        out = flat @ self.W
        out += self.b  # in place: the product is a new array, so this saves one (N, M) copy
        out = out.astype(x.dtype, copy=False)
        return out[0] if x.ndim == 1 else out

    def backward(self, dout, input_grad=True):
        """dout: (N, M), or (M,) for one sample. Returns dx in the shape forward was given.

        With ``input_grad=False`` only dW and db are computed and None is returned: the first
        layer of a network has no use for dx, and it costs as much as dW.
        """
        x = _need(self.x, self, "the input x")
        if np.size(dout) != x.shape[0] * self.W.shape[1]:
            raise ValueError(
                tr("Affine.backward: dout has shape {np_shape_dout} but the output had "
                   "shape ({x_shape_0}, {self_W_shape_1}); pass the gradient of this "
                   "layer's output",
                   np_shape_dout=np.shape(dout), x_shape_0=x.shape[0],
                   self_W_shape_1=self.W.shape[1])
            )
        dout_2d = np.reshape(dout, (x.shape[0], self.W.shape[1]))
        self.dW = x.T @ dout_2d
        self.db = dout_2d.sum(axis=0)  # b was broadcast over the batch, so its gradient sums
        if not input_grad:
            return None
        return (dout_2d @ self.W.T).astype(x.dtype, copy=False).reshape(self.original_x_shape)


class Softmax:
    """Softmax over the last axis as a layer of its own (no loss), for lesson 06's derivation.

    forward(x): x (N, C) or (C,) scores; stores and returns y, the probabilities. backward(dout)
    takes any upstream gradient of y's shape (a vector-Jacobian product, not only the one that
    cross-entropy sends) and returns dx in x's shape.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        """x: (..., C). Returns y = softmax(x), the same shape."""
        self.out = softmax(x)
        return self.out

    def backward(self, dout):
        """dout: y's shape, any values. Returns dx, the same shape."""
        y = _need(self.out, self, "the output y")
        # The Jacobian is diag(y) - y y^T; applied to dout without building it.
        return y * (dout - np.sum(dout * y, axis=-1, keepdims=True))


class SoftmaxWithLoss:
    """Softmax followed by the batch-mean cross-entropy loss, as one layer.

    forward(x, t): x (N, C) scores, or (C,) for one sample; t one-hot (N, C) or labels (N,).
    Returns the scalar loss. backward(dout=1) returns ``dout * (y - t) / N`` in x's shape.
    """

    def __init__(self):
        self.y = None
        self.t = None
        self.loss = None

    def forward(self, x, t):
        """x: (N, C) or (C,); t: (N, C) one-hot or (N,) labels. Returns the mean loss."""
        x = _as_float(x)
        t = np.asarray(t)
        batch_x = x.reshape(1, -1) if x.ndim == 1 else x
        n, c = batch_x.shape
        if t.size == batch_x.size:
            t_one_hot = t.reshape(batch_x.shape).astype(batch_x.dtype)
        elif t.size == n:
            labels = t.astype(np.intp).ravel()
            if labels.min() < 0 or labels.max() >= c:
                raise ValueError(
                    tr("labels must lie in 0..{c_1}, got {labels_min}..{labels_max}",
                       c_1=c - 1, labels_min=labels.min(), labels_max=labels.max())
                )
            t_one_hot = np.zeros_like(batch_x)
            t_one_hot[np.arange(n), labels] = 1
        else:
            raise ValueError(
                tr("SoftmaxWithLoss: x has shape {x_shape} but t has shape {t_shape}; give "
                   "one-hot targets of shape {batch_x_shape} or labels of shape ({n},)",
                   x_shape=x.shape, t_shape=t.shape, batch_x_shape=batch_x.shape, n=n)
            )
        y = softmax(batch_x)
        # log y by log-sum-exp rather than cross_entropy_error's log(y + 1e-12): exact even
        # where y underflows to 0 (a confidently wrong net), so the loss is the very function
        # whose gradient backward returns, and a numerical gradient check agrees with it.
        shifted = batch_x - batch_x.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.y, self.t = y.reshape(x.shape), t_one_hot.reshape(x.shape)
        self.loss = -np.sum(t_one_hot * log_y) / n
        return self.loss

    def backward(self, dout=1):
        """dout: scalar gradient of the final loss (1 by default). Returns dx, x's shape."""
        y = _need(self.y, self, "the softmax output y and the targets t")
        n = 1 if y.ndim == 1 else y.shape[0]
        return (dout * (y - self.t) / n).astype(y.dtype, copy=False)


class SquaredErrorLoss:
    """Output layer for regression: ``loss = 0.5 * sum (y - t)^2 / N``, the notes' error.

    forward(y, t): y, t of one shape, (N, D) or (D,). backward(dout=1) returns
    ``dout * (y - t) / N``.
    """

    def __init__(self):
        self.y = None
        self.t = None
        self.loss = None

    def forward(self, y, t):
        """y, t: the same shape, (N, D) or (D,). Returns the scalar batch-mean loss."""
        y, t = _as_float(y), _as_float(t)
        if y.shape != t.shape:
            raise ValueError(
                tr("SquaredErrorLoss: y has shape {y_shape} but t has shape {t_shape}; "
                   "reshape t to {y_shape}",
                   y_shape=y.shape, t_shape=t.shape)
            )
        self.y, self.t = y, t.astype(y.dtype, copy=False)
        n = y.shape[0] if y.ndim > 1 else 1
        self.loss = 0.5 * np.sum((y - self.t) ** 2) / n
        return self.loss

    def backward(self, dout=1):
        """dout: scalar. Returns dy = dout * (y - t) / N in y's shape."""
        y = _need(self.y, self, "the prediction y and the target t")
        n = y.shape[0] if y.ndim > 1 else 1
        return (dout * (y - self.t) / n).astype(y.dtype, copy=False)


class Repeat:
    """The broadcast of a bias as a node of its own (lesson 05): one vector copied to n rows.

    forward(x): x (M,); returns (n, M), every row a copy of x. backward(dout): dout (n, M);
    returns dx (M,).
    """

    def __init__(self, n):
        self.n = n

    def forward(self, x):
        """x: (M,). Returns (n, M)."""
        return np.broadcast_to(x, (self.n, *np.shape(x))).copy()

    def backward(self, dout):
        """dout: (n, M). Returns dx: (M,)."""
        return np.sum(dout, axis=0)  # every copy sent a gradient back: they add up


class Sum:
    """A sum over the batch axis as a node (lesson 05): (N, M) in, (M,) out.

    forward(x): x (N, M); returns (M,). backward(dout): dout (M,); returns dx (N, M).
    """

    def __init__(self):
        self.n = None

    def forward(self, x):
        """x: (N, M). Returns (M,)."""
        self.n = np.shape(x)[0]
        return np.sum(x, axis=0)

    def backward(self, dout):
        """dout: (M,). Returns dx: (N, M)."""
        n = _need(self.n, self, "the number of rows")
        return np.broadcast_to(dout, (n, *np.shape(dout))).copy()  # each row moved the sum 1:1


class CrossEntropy:
    """Batch-mean cross-entropy of probabilities as a layer of its own (lesson 06).

    forward(y, t): y (N, C) probabilities, t (N, C) one-hot; returns the scalar loss
    ``-sum(t * log y) / N``. backward(dout=1) returns dy (N, C).
    """

    def __init__(self):
        self.y = None
        self.t = None

    def forward(self, y, t):
        """y, t: (N, C). Returns the batch-mean loss."""
        self.y, self.t = _as_float(y), _as_float(t)
        return -np.sum(self.t * np.log(self.y)) / self.y.shape[0]

    def backward(self, dout=1):
        """dout: scalar. Returns dy: (N, C)."""
        y = _need(self.y, self, "the probabilities y and the targets t")
        return -dout * self.t / y / y.shape[0]


# At the end: bpkit.normalization uses _need from this module.
from .normalization import BatchNormalization, Dropout  # noqa: E402, F401
