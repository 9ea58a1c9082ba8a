"""Batch Normalization (배치 정규화) and Dropout (드롭아웃): the layers of lesson 11.

Both behave differently while training and at inference, so their ``forward`` takes
``train`` (True by default, the book's ``train_flg``). Both follow the layer contract of
``bpkit.layers``: forward stores what backward needs, backward returns dx and never modifies
``dout``; BatchNormalization stores the gradients of its parameters as ``dgamma`` and ``dbeta``.
"""

import numpy as np

from .functions import _as_float
from .i18n import tr
from .layers import _need


class BatchNormalization:
    """Normalize each feature over the batch, then scale by gamma and shift by beta.

    gamma, beta: (D,) parameters (the very arrays an optimiser updates). momentum: how much of
    the old running averages each training batch keeps. eps: added to the variance before the
    square root, so a feature that is constant in a batch does not divide by zero.
    running_mean, running_var: (D,), what inference normalizes with; None starts them at 0 and 1.
    forward(x (N, D), train) returns (N, D); backward(dout (N, D)) returns dx (N, D) and stores
    dgamma (D,) and dbeta (D,).
    """

    def __init__(self, gamma, beta, momentum=0.9, eps=1e-7, running_mean=None, running_var=None):
        if not 0 <= momentum < 1:
            raise ValueError(tr("momentum must lie in [0, 1), got {momentum}",
                                momentum=momentum))
        self.gamma, self.beta = gamma, beta
        self.momentum, self.eps = momentum, eps
        d = np.shape(gamma)[0]
        self.running_mean = np.zeros(d) if running_mean is None else running_mean
        self.running_var = np.ones(d) if running_var is None else running_var
        self.x_hat = None  # (N, D) the normalized batch
        self.std = None  # (D,) its standard deviation
        self.dtype = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train=True):
        """x: (N, D). Training: normalize with the batch's own mean and variance and update the
        running averages; inference: normalize with the running averages. Returns (N, D)."""
        x = _as_float(x)
        if x.ndim != 2 or x.shape[1] != np.shape(self.gamma)[0]:
            raise ValueError(
                tr("BatchNormalization: x has shape {x_shape} but gamma has shape "
                   "{np_shape_self_gamma}; give x of shape (N, {np_shape_self_gamma_0})",
                   x_shape=x.shape, np_shape_self_gamma=np.shape(self.gamma),
                   np_shape_self_gamma_0=np.shape(self.gamma)[0])
            )
        if train:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            keep = self.momentum
            self.running_mean = keep * self.running_mean + (1 - keep) * mean
            self.running_var = keep * self.running_var + (1 - keep) * var
        else:
            mean, var = self.running_mean, self.running_var
        self.dtype = x.dtype
        self.std = np.sqrt(var + self.eps)
        self.x_hat = (x - mean) / self.std
        return (self.gamma * self.x_hat + self.beta).astype(x.dtype, copy=False)

    def backward(self, dout):
        """dout: (N, D). Stores dgamma, dbeta (D,); returns dx (N, D) for a training forward.

        The closed form of the graph's node-by-node backward: the mean and the variance of the
        batch depend on every sample, which gives the two batch-mean terms.
        """
        x_hat = _need(self.x_hat, self, "the normalized batch x_hat and its std")
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * x_hat).sum(axis=0)
        dx_hat = dout * self.gamma
        dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / self.std
        return dx.astype(self.dtype, copy=False)


class Dropout:
    """Inverted dropout: in training each unit is zeroed with probability ``dropout_ratio`` and
    the survivors are divided by the keep probability, so the expected output equals the
    input; at inference the layer passes its input through unchanged.

    seed: for a reproducible sequence of masks (None: fresh randomness).
    """

    def __init__(self, dropout_ratio=0.5, seed=None):
        if not 0 <= dropout_ratio < 1:
            raise ValueError(tr("dropout_ratio must lie in [0, 1), got {dropout_ratio}",
                                dropout_ratio=dropout_ratio))
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng(seed)
        self.mask = None  # boolean, x's shape: True where the unit is kept

    def forward(self, x, train=True):
        """x: any shape. Training: stores the mask and returns the kept units, scaled; inference:
        returns x itself (a copy)."""
        x = _as_float(x)
        if not train:
            return x.copy()
        keep = 1.0 - self.dropout_ratio
        self.mask = self.rng.random(x.shape) < keep
        return (x * self.mask / keep).astype(x.dtype, copy=False)

    def backward(self, dout):
        """dout: the output's shape. Returns dx: the gradient through the kept units only."""
        mask = _need(self.mask, self, "the mask of kept units")
        return (dout * mask / (1.0 - self.dropout_ratio)).astype(np.result_type(dout, 1.0),
                                                                  copy=False)
