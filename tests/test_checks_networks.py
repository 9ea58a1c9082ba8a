"""bpkit.checks for lesson 08's networks: MultiLayerNet.gradient for any depth and weight decay.
Right answers pass on any seed; the usual mistakes are named without giving the code."""

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import Affine, Relu, Sigmoid, SoftmaxWithLoss, checks

pytestmark = pytest.mark.lesson08


class Net:
    """The lesson's MultiLayerNet, with gradient written in the style under test."""

    def __init__(self, sizes, activation="relu", weight_init_std=0.1, loss_layer=None, seed=None):
        rng = np.random.default_rng(seed)
        act = {"relu": Relu, "sigmoid": Sigmoid}[activation]
        self.params, self.layers = {}, OrderedDict()
        for i in range(1, len(sizes)):
            self.params[f"W{i}"] = weight_init_std * rng.standard_normal((sizes[i - 1], sizes[i]))
            self.params[f"b{i}"] = np.zeros(sizes[i])
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if i < len(sizes) - 1:
                self.layers[f"{activation.capitalize()}{i}"] = act()
        self.last_layer = loss_layer or SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def _collect(self):
        return {p + name[6:]: getattr(layer, "d" + p) for name, layer in self.layers.items()
                if name.startswith("Affine") for p in ("W", "b")}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return self._collect()


class SkipsActivations(Net):
    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            if isinstance(layer, Affine):
                dout = layer.backward(dout)
        return self._collect()


class TwoLayersOnly(Net):
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        return {k: grads[k] for k in ("W1", "b1", "W2", "b2") if k in grads}


class SwapsNames(Net):
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        grads["W1"], grads["b1"] = grads["b1"], grads["W1"]
        return grads


class Decay(Net):
    def __init__(self, *args, weight_decay=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.weight_decay = weight_decay

    def loss(self, x, t):
        squares = sum(np.sum(p * p) for k, p in self.params.items() if k.startswith("W"))
        return super().loss(x, t) + 0.5 * self.weight_decay * squares

    def gradient(self, x, t):
        grads = dict(super().gradient(x, t))
        for k, p in self.params.items():
            if k.startswith("W"):
                grads[k] = grads[k] + self.weight_decay * p
        return grads


def decay_variant(penalised="W", slope_factor=1.0):
    """A WeightDecayNet written straight on Net (as the lesson's is), with one mistake."""

    class Variant(Net):
        def __init__(self, *args, weight_decay=0.0, **kwargs):
            super().__init__(*args, **kwargs)
            self.weight_decay = weight_decay

        def loss(self, x, t):
            squares = sum(np.sum(p * p) for k, p in self.params.items() if k[0] in penalised)
            return super().loss(x, t) + 0.5 * self.weight_decay * squares

        def gradient(self, x, t):
            grads = dict(super().gradient(x, t))
            for k, p in self.params.items():
                if k.startswith("W"):
                    grads[k] = grads[k] + slope_factor * self.weight_decay * p
            return grads

    return Variant


DecayOnBiases = decay_variant(penalised="Wb")
DecayWithoutGradient = decay_variant(slope_factor=0.0)
DecayTwiceTheSlope = decay_variant(slope_factor=2.0)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_right_answers_pass_on_any_seed(seed):
    checks.check_multi_layer_gradient(Net, seed=seed)
    checks.check_weight_decay(Decay, seed=seed)


@pytest.mark.parametrize("net, message", [
    (SkipsActivations, "activations included"),
    (TwoLayersOnly, "does your code depend on that number"),
    (SwapsNames, "has shape"),
])
def test_usual_gradient_mistakes_are_named(net, message):
    with pytest.raises(AssertionError, match=message) as error:
        checks.check_multi_layer_gradient(net)
    assert "reversed(" not in str(error.value) and ".dW" not in str(error.value)


@pytest.mark.parametrize("net, message", [
    (DecayOnBiases, "includes the biases|does making it small"),
    (DecayWithoutGradient, "nothing was added"),
    (DecayTwiceTheSlope, "twice the penalty's slope"),
])
def test_usual_decay_mistakes_are_named(net, message):
    with pytest.raises(AssertionError, match=message) as error:
        checks.check_weight_decay(net)
    assert "weight_decay *" not in str(error.value)


def test_the_gap_check_reads_both_conditions():
    checks.check_decay_narrows_gap((0.012, 0.030), (0.014, 0.025))
    with pytest.raises(AssertionError, match="should shrink"):
        checks.check_decay_narrows_gap((0.012, 0.030), (0.0125, 0.0295))
    with pytest.raises(AssertionError, match="test loss rose"):
        checks.check_decay_narrows_gap((0.012, 0.030), (0.025, 0.031))
