"""Checks for lesson 09: gradient norms layer by layer, where vanishing gradients show.

The check builds fresh deep bpkit networks (sigmoid and ReLU) and compares the student's norms
with one reference backward pass, naming the usual mistakes: the norms in reverse order, the
weights' norms instead of their gradients', squared norms, stale gradients, the biases.
"""

import numpy as np

from ..i18n import tr
from ..layers import Affine
from ..network import MultiLayerNet
from ._student import call, expect_value, fail, is_close, passed, rng_for

__all__ = ["check_gradient_norms_per_layer"]

EX = "gradient_norms_per_layer"



def _reference_gradient_norms(network, x, t):
    """One backward pass; returns [||dW1||, ||dW2||, ...], the Frobenius norm per Affine layer."""
    grads = network.gradient(x, t)
    n_affine = sum(isinstance(layer, Affine) for layer in network.layers.values())
    return [float(np.linalg.norm(grads[f"W{i}"])) for i in range(1, n_affine + 1)]


def check_gradient_norms_per_layer(gradient_norms_per_layer, seed=0):
    """Check ``gradient_norms_per_layer(network, x, t)`` on fresh deep nets.

    network: a bpkit MultiLayerNet with L Affine layers; x: (N, D); t: (N,) labels. The answer
    must be L numbers, ||dW1|| first and ||dWL|| last, from one backward pass on (x, t).
    """
    rng = rng_for(seed)
    for activation in ("sigmoid", "relu"):
        depth = int(rng.integers(3, 6))
        sizes = [int(rng.integers(3, 7)) for _ in range(depth)] + [int(rng.integers(2, 5))]
        net = MultiLayerNet(sizes, activation, "xavier", seed=int(rng.integers(2**31)))
        n = int(rng.integers(4, 10))
        x = rng.standard_normal((n, sizes[0]))
        t = rng.integers(0, sizes[-1], n)
        # A backward pass on other data first, so that stale dW in the layers differ from the
        # answer: a function that forgets to run backward on (x, t) is then caught.
        other_x = rng.standard_normal((n, sizes[0]))
        stale = _reference_gradient_norms(net, other_x, t)
        got = call(tr("gradient_norms_per_layer on a {activation} net with sizes {sizes} "
                      "and x of shape {x_shape}",
                      activation=activation, sizes=sizes, x_shape=x.shape),
                      gradient_norms_per_layer, net, x, t, exercise=EX)
        expected = _reference_gradient_norms(net, x, t)
        _diagnose_norms(got, expected, stale, net, x, t, sizes, activation)
    passed("gradient_norms_per_layer", "one norm per layer, first layer first", 2)


def _diagnose_norms(got, expected, stale, net, x, t, sizes, activation):
    n_layers = len(expected)
    where = tr("(a {activation} net with sizes {sizes}, so {n_layers} Affine layers)",
               activation=activation, sizes=sizes, n_layers=n_layers)
    expect_value(got, "gradient_norms_per_layer", EX)
    if isinstance(got, dict):
        fail("common.wrong_type",
             "gradient_norms_per_layer returned a dict; it should return a list of numbers, "
             "first layer first.", EX)
    try:
        values = np.asarray(got, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        fail("common.wrong_type",
             tr("gradient_norms_per_layer returned a {type_got___name} that is not a list "
                "of numbers; it should return one float per Affine layer.",
                type_got___name=type(got).__name__), EX)
    if values.size == 2 * n_layers:
        fail("gradient_norms_per_layer.biases_included",
             tr("gradient_norms_per_layer returned {values_size} numbers {where}: one per "
                "parameter. Which parameter of each layer does the exercise measure?",
                values_size=values.size, where=where), EX)
    if values.size != n_layers:
        fail("common.wrong_count",
             tr("gradient_norms_per_layer returned {values_size} numbers {where}: it should "
                "return one per Affine layer.",
                values_size=values.size, where=where), EX)
    if is_close(values, expected):
        return
    mistakes = [
        (expected[::-1], "gradient_norms_per_layer.reversed",
         tr("the norms are in reverse order {where}: the last layer's comes first. The "
            "backward pass visits the layers last-to-first; in which order does the answer "
            "list them?",
            where=where)),
        (stale, "gradient_norms_per_layer.stale",
         "these are the norms of the gradients of an EARLIER backward pass, not of (x, t). "
         "Which call computes the gradients for this x and t?"),
        ([float(np.linalg.norm(net.params[f"W{i}"])) for i in range(1, n_layers + 1)],
         "gradient_norms_per_layer.weights_not_gradients",
         "these are the norms of the weights W, not of their gradients dW. Where do the "
         "gradients come from?"),
        (np.square(expected), "gradient_norms_per_layer.squared",
         "these are the SQUARED norms (the sum of squares without the square root). What is "
         "the length of a vector?"),
    ]
    for wrong, mistake_id, message in mistakes:
        if is_close(values, wrong):
            fail(mistake_id, message, EX)
    grads = net.gradient(x, t)
    biases = [float(np.linalg.norm(grads[f"b{i}"])) for i in range(1, n_layers + 1)]
    if is_close(values, biases):
        fail("gradient_norms_per_layer.bias_gradients",
             "these are the norms of the bias gradients db; the exercise asks for the weights' "
             "gradients dW.", EX)
    worst = int(np.argmax(np.abs(values - expected)))
    fail("common.wrong_values",
         tr("the norm for layer {worst_1} {where} is {values_worst:.6g}, expected "
            "{expected_worst:.6g}. Is it the norm of that layer's weight gradient, from one "
            "backward pass on (x, t)?",
            worst_1=worst + 1, where=where, values_worst=values[worst],
            expected_worst=expected[worst]), EX)
