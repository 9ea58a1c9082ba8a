"""Weight initialisers: how large the random starting weights of a layer should be.

A layer ``out = x . W`` with W (fan_in, fan_out) adds fan_in products per output. If the
inputs have variance v and the weights variance s**2 (all independent, mean 0), each output
has variance fan_in * s**2 * v. Keeping that equal to v from layer to layer is the whole idea:

- Glorot & Bengio (2010), "Xavier": keep the variance of the activations going forward
  (fan_in * s**2 = 1) *and* of the gradients going backward (fan_out * s**2 = 1); the
  compromise is ``s**2 = 2 / (fan_in + fan_out)``. Made for activations that are linear near 0
  (tanh, and sigmoid around its middle). The book's ``sqrt(1 / n)`` is this formula for a layer
  with fan_in = fan_out = n.
- He et al. (2015): ReLU zeroes half of its inputs, halving the variance, so twice as much:
  ``s**2 = 2 / fan_in``.

Each ``*_normal`` function draws W (fan_in, fan_out) from N(0, s**2) with the generator given.
"""

import numpy as np

from .i18n import tr


def glorot_std(fan_in, fan_out):
    """Glorot's (Xavier's) standard deviation ``sqrt(2 / (fan_in + fan_out))``."""
    return float(np.sqrt(2.0 / (_positive(fan_in, "fan_in") + _positive(fan_out, "fan_out"))))


def he_std(fan_in):
    """He's standard deviation for ReLU layers, ``sqrt(2 / fan_in)``."""
    return float(np.sqrt(2.0 / _positive(fan_in, "fan_in")))


def book_xavier_std(fan_in):
    """The book's simplification ``sqrt(1 / fan_in)``: Glorot's when fan_in == fan_out."""
    return float(np.sqrt(1.0 / _positive(fan_in, "fan_in")))


def glorot_normal(fan_in, fan_out, rng):
    """W (fan_in, fan_out) drawn from N(0, 2 / (fan_in + fan_out)) with ``rng``."""
    return glorot_std(fan_in, fan_out) * rng.standard_normal((fan_in, fan_out))


def he_normal(fan_in, fan_out, rng):
    """W (fan_in, fan_out) drawn from N(0, 2 / fan_in) with ``rng``."""
    return he_std(fan_in) * rng.standard_normal((fan_in, fan_out))


def init_std(spec, fan_in, fan_out):
    """The standard deviation a network's ``weight_init_std`` names.

    spec: a number (used as is), "he", "glorot" (Glorot's formula) or "xavier" (the book's
    sqrt(1 / fan_in)).
    """
    if isinstance(spec, str):
        named = {
            "he": lambda: he_std(fan_in),
            "glorot": lambda: glorot_std(fan_in, fan_out),
            "xavier": lambda: book_xavier_std(fan_in),
        }
        if spec not in named:
            raise ValueError(
                tr("weight_init_std must be a number or one of {sorted_named}, got {spec!r}",
                   sorted_named=sorted(named), spec=spec)
            )
        return named[spec]()
    return float(spec)


def _positive(n, name):
    if not (np.ndim(n) == 0 and n > 0):
        raise ValueError(tr("{name} must be a positive number of units, got {n!r}",
                            name=name, n=n))
    return n


def forward_activations(x, weights, activation):
    """The activations of every layer of a bias-free stack, for measuring their spread.

    x: (N, D); weights: [W1 (D, H1), W2 (H1, H2), ...]; activation: "sigmoid" or "relu".
    Returns [after layer 1 (N, H1), after layer 2 (N, H2), ...]. Lesson 09's reference.
    """
    from .functions import relu, sigmoid

    functions = {"sigmoid": sigmoid, "relu": relu}
    if activation not in functions:
        raise ValueError(tr("activation must be 'sigmoid' or 'relu', got {activation!r}",
                            activation=activation))
    out, result = x, []
    for W in weights:
        out = functions[activation](out @ W)
        result.append(out)
    return result
