"""Networks built from layers held in an ordered dict.

Forward is a loop over the layers in order; backward is the same loop reversed, each layer
handing its input gradient to the one before it. The parameters in ``params`` are the very
arrays the Affine layers hold, so an optimiser that updates ``params`` in place updates the
layers too.
"""

import functools
import inspect
from collections import OrderedDict

import numpy as np

from .gradcheck import numerical_gradient
from .i18n import tr
from .init import init_std
from .layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}


class MultiLayerNet:
    """Affine -> activation -> ... -> Affine -> a loss layer, of any depth.

    sizes: [input, hidden_1, ..., hidden_k, output]. activation: "relu" or "sigmoid".
    weight_init_std: a number (every W ~ N(0, std^2)), or "he" (sqrt(2 / fan_in), for ReLU),
    "glorot" (sqrt(2 / (fan_in + fan_out))) or "xavier" (the book's sqrt(1 / fan_in)); see
    ``bpkit.init``. loss_layer: SoftmaxWithLoss by default; a
    SquaredErrorLoss makes it a regression net. params: W1, b1, ..., Wk+1, bk+1.

    use_batchnorm: put a BatchNormalization between each hidden Affine and its activation (and
    add its gamma1, beta1, ... to params). dropout_ratio: if above 0, a Dropout after each hidden
    activation. Both behave differently in training: ``loss`` and ``gradient`` run in training
    mode, ``predict`` and ``accuracy`` in inference mode unless given ``train=True``.
    """

    def __init__(self, sizes, activation="relu", weight_init_std=0.01, loss_layer=None, seed=None,
                 use_batchnorm=False, dropout_ratio=0.0):
        if activation not in ACTIVATIONS:
            raise ValueError(tr("activation must be one of {sorted_ACTIVATIONS}, got "
                                "{activation!r}",
                                sorted_ACTIVATIONS=sorted(ACTIVATIONS), activation=activation))
        if len(sizes) < 2:
            raise ValueError(tr("sizes needs at least an input and an output size, got "
                                "{sizes}",
                                sizes=sizes))
        rng = np.random.default_rng(seed)
        self.params = {}
        self.layers = OrderedDict()
        n_affine = len(sizes) - 1
        for i in range(1, n_affine + 1):
            fan_in, fan_out = sizes[i - 1], sizes[i]
            std = init_std(weight_init_std, fan_in, fan_out)
            self.params[f"W{i}"] = std * rng.standard_normal((fan_in, fan_out))
            self.params[f"b{i}"] = np.zeros(fan_out)
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if i < n_affine:
                if use_batchnorm:
                    gamma, beta = np.ones(fan_out), np.zeros(fan_out)
                    self.params[f"gamma{i}"], self.params[f"beta{i}"] = gamma, beta
                    self.layers[f"BatchNorm{i}"] = BatchNormalization(gamma, beta)
                self.layers[f"{activation.capitalize()}{i}"] = ACTIVATIONS[activation]()
                if dropout_ratio > 0:
                    # Each Dropout draws its masks from its own generator, seeded from this one.
                    self.layers[f"Dropout{i}"] = Dropout(dropout_ratio, seed=rng.integers(2**32))
        self.last_layer = loss_layer if loss_layer is not None else SoftmaxWithLoss()

    def predict(self, x, train=False):
        """x: (N, D). Returns the scores (N, C) before the loss layer (inference mode unless
        train: BatchNormalization and Dropout are the layers that tell the two apart)."""
        for layer in self.layers.values():
            x = layer.forward(x, train) if _has_modes(layer) else layer.forward(x)
        return x

    def loss(self, x, t, train=True):
        """x: (N, D); t: (N, C) one-hot, (N,) labels, or regression targets. Returns a scalar."""
        return self.last_layer.forward(self.predict(x, train), t)

    def accuracy(self, x, t):
        """Fraction of samples whose highest score is the target class. t: labels or one-hot.

        x: (N, D), or (D,) for one sample (then t is one label or one one-hot row).
        """
        scores = self.predict(x)
        # axis=-1 and "t has the scores' shape" rather than axis=1 and "t is 2-D", so that one
        # sample (scores (C,)) works too, with a label or a one-hot row.
        predicted = np.argmax(scores, axis=-1)
        t = np.asarray(t)
        labels = np.argmax(t, axis=-1) if t.shape == scores.shape else t
        return float(np.mean(predicted == labels))

    def gradient(self, x, t):
        """Backprop: one forward, one reversed backward loop. Returns {name: dparam}."""
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        layers = list(self.layers.values())
        for layer in reversed(layers[1:]):
            dout = layer.backward(dout)
        # Nobody uses the gradient with respect to the data, so the first layer skips it.
        layers[0].backward(dout, input_grad=False)
        grads = {}
        for name, layer in self.layers.items():
            if isinstance(layer, Affine):
                i = name.removeprefix("Affine")
                grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
            elif hasattr(layer, "dgamma"):
                i = name.removeprefix("BatchNorm")
                grads[f"gamma{i}"], grads[f"beta{i}"] = layer.dgamma, layer.dbeta
        return grads

    def numerical_gradient(self, x, t):
        """The same gradients by central differences: slow, for checking ``gradient``."""
        if any(name.startswith("Dropout") for name in self.layers):
            raise ValueError(
                "numerical_gradient needs the same network on every evaluation, but each "
                "Dropout draws a new mask per forward pass; check a net built with "
                "dropout_ratio=0 (Dropout's own backward is checked layer by layer)"
            )
        return {
            name: numerical_gradient(lambda: self.loss(x, t), param)
            for name, param in self.params.items()
        }


class TwoLayerNet(MultiLayerNet):
    """Affine1 -> Relu1 -> Affine2 -> SoftmaxWithLoss, the network of the notes and the book.

    params: W1 (input_size, hidden_size), b1 (hidden_size,), W2 (hidden_size, output_size),
    b2 (output_size,), each drawn from N(0, weight_init_std^2) (biases 0).
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=None):
        super().__init__([input_size, hidden_size, output_size], "relu", weight_init_std, seed=seed)


def _has_modes(layer):
    """True for a layer whose forward takes ``train`` (BatchNormalization, Dropout, or a
    student's own versions of them): it behaves differently in training and at inference."""
    forward = getattr(layer.forward, "__func__", layer.forward)
    try:
        return _takes_train(forward)
    except TypeError:  # an unhashable callable: ask without the cache
        return _takes_train.__wrapped__(forward)


@functools.cache
def _takes_train(forward):
    """Asked at every forward of every layer: inspect.signature once per function, not per call
    (it was a quarter of a training step's time). A class defined again in a notebook cell
    brings a new function, so a student's changed forward is asked afresh."""
    return "train" in inspect.signature(forward).parameters
