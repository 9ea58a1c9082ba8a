"""bpkit.checks.training: each recognised mistake of lessons 08 and 09 gets its own message.

Every wrong answer below is one a student could write; the test asserts that the check fails
with the message that names that mistake, and that a correct answer passes.
"""

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpkit
from bpkit import Affine, MultiLayerNet, Relu, SoftmaxWithLoss, checks, data
from bpkit.gradcheck import numerical_gradient

pytestmark = [pytest.mark.lesson08, pytest.mark.lesson09]


def fails_with(check, *args, match, **kwargs):
    with pytest.raises(AssertionError, match=match):
        check(*args, **kwargs)


# --- TwoLayerNet.gradient --------------------------------------------------------------------


class StudentNet:
    """The lesson's TwoLayerNet: everything given except gradient, written correctly here."""

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=None):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        return float(np.mean(np.argmax(self.predict(x), axis=1) == t))

    def numerical_gradient(self, x, t):
        return {k: numerical_gradient(lambda: self.loss(x, t), v) for k, v in self.params.items()}

    def backward_from_loss(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)

    def read_grads(self):
        a1, a2 = self.layers["Affine1"], self.layers["Affine2"]
        return {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}

    def gradient(self, x, t):
        self.backward_from_loss(x, t)
        return self.read_grads()


def test_correct_gradient_passes_on_many_seeds():
    for seed in range(5):
        checks.check_two_layer_gradient(StudentNet, seed=seed)
    checks.expect_own_gradient(StudentNet)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_correct_gradient_passes_for_any_seed(seed):
    # The hidden tests draw fresh seeds: a correct answer must never fail by bad luck
    # (e.g. a gradient entry of 1e-7 where central differences are only good to ~1e-11).
    checks.check_two_layer_gradient(StudentNet, seed=seed)


def test_gradient_returning_none_is_told_to_return():
    class Net(StudentNet):
        def gradient(self, x, t):
            self.backward_from_loss(x, t)

    fails_with(checks.check_two_layer_gradient, Net, match="forget a `return`")


def test_gradient_missing_a_key_is_named():
    class Net(StudentNet):
        def gradient(self, x, t):
            grads = super().gradient(x, t)
            del grads["b2"]
            return grads

    fails_with(checks.check_two_layer_gradient, Net, match=r"lacks 'b2'.*W1, b1, W2, b2")


def test_gradient_taken_from_the_wrong_layer_is_named():
    class Net(StudentNet):
        def gradient(self, x, t):
            grads = super().gradient(x, t)
            grads["W1"] = self.layers["Affine2"].dW
            return grads

    for seed in range(3):
        fails_with(checks.check_two_layer_gradient, Net, seed=seed,
                   match=r"grads\['W1'\].*Affine1 holds W1")


def test_gradient_with_a_wrong_shape_names_both_shapes():
    class Net(StudentNet):
        def gradient(self, x, t):
            grads = super().gradient(x, t)
            grads["b1"] = grads["b1"].reshape(1, -1)
            return grads

    fails_with(checks.check_two_layer_gradient, Net,
               match=r"grads\['b1'\] has shape \(1, \d\) but b1 has shape \(\d,\)")


def test_backward_in_forward_order_is_told_to_reverse():
    class Net(StudentNet):
        def gradient(self, x, t):
            self.loss(x, t)
            dout = self.last_layer.backward(1)
            for layer in self.layers.values():  # forgot reversed()
                dout = layer.backward(dout)
            return self.read_grads()

    fails_with(checks.check_two_layer_gradient, Net, match=r"in which order.*backward_order")


def test_looping_over_the_layer_names_is_explained():
    class Net(StudentNet):
        def gradient(self, x, t):
            self.loss(x, t)
            dout = self.last_layer.backward(1)
            for layer in reversed(self.layers):  # the keys: "Affine2", "Relu1", ...
                dout = layer.backward(dout)
            return self.read_grads()

    fails_with(checks.check_two_layer_gradient, Net, match="keys, the layer NAMES")


def test_dropping_the_returned_dout_is_explained():
    class Net(StudentNet):
        def gradient(self, x, t):
            self.loss(x, t)
            dout = self.last_layer.backward(1)
            for layer in reversed(list(self.layers.values())):
                layer.backward(dout)  # the result is thrown away
            return self.read_grads()

    fails_with(checks.check_two_layer_gradient, Net,
               match=r"what does each backward return.*dout_not_chained")
    # When H == C nothing raises, and the wrong values themselves are recognised.
    seed = next(s for s in range(200) if _sizes(s)[1] == _sizes(s)[2])
    fails_with(checks.check_two_layer_gradient, Net, seed=seed,
               match=r"every layer is handed the loss layer's dout.*dout_not_chained")


def _sizes(seed):
    """(D, H, C, N) that check_two_layer_gradient draws first from a seed."""
    return tuple(int(v) for v in np.random.default_rng(seed).integers((2, 3, 2, 3), (6, 8, 5, 8)))


def test_backward_without_forward_is_told_to_call_loss_first():
    class Net(StudentNet):
        def gradient(self, x, t):
            dout = self.last_layer.backward(1)
            for layer in reversed(list(self.layers.values())):
                dout = layer.backward(dout)
            return self.read_grads()

    fails_with(checks.check_two_layer_gradient, Net,
               match=r"before any forward pass.*backward_before_forward")


def test_skipping_the_relu_is_named():
    class Net(StudentNet):
        def gradient(self, x, t):
            self.loss(x, t)
            dout = self.last_layer.backward(1)
            dout = self.layers["Affine2"].backward(dout)
            self.layers["Affine1"].backward(dout)
            return self.read_grads()

    fails_with(checks.check_two_layer_gradient, Net, match="skips Relu1")


def test_returning_the_parameters_is_named():
    class Net(StudentNet):
        def gradient(self, x, t):
            self.backward_from_loss(x, t)
            grads = self.read_grads()
            grads["W2"] = self.params["W2"]
            return grads

    fails_with(checks.check_two_layer_gradient, Net, match=r"is the parameter W2 itself")


def test_negated_gradient_is_named():
    class Net(StudentNet):
        def gradient(self, x, t):
            self.loss(x, t)
            dout = self.last_layer.backward(-1)
            for layer in reversed(list(self.layers.values())):
                dout = layer.backward(dout)
            return self.read_grads()

    fails_with(checks.check_two_layer_gradient, Net, match="wrong sign")


def test_gradient_that_updates_the_weights_is_caught():
    class Net(StudentNet):
        def gradient(self, x, t):
            grads = super().gradient(x, t)
            self.params["W1"] -= 0.1 * grads["W1"]
            return grads

    fails_with(checks.check_two_layer_gradient, Net, match=r"changed self.params\['W1'\]")


def test_an_unrecognised_wrong_gradient_reports_the_parameter_and_relative_error():
    class Net(StudentNet):
        def gradient(self, x, t):
            grads = super().gradient(x, t)
            grads["b2"] = 2 * grads["b2"]
            return grads

    fails_with(checks.check_two_layer_gradient, Net,
               match=r"grads\['b2'\] is wrong \(relative error \d\.\de-\d\d")


def test_expect_gradients_match_names_the_parameter_and_its_error():
    numeric = {"W1": np.ones((2, 3)), "b2": np.ones(3)}
    checks.expect_gradients_match({"W1": np.ones((2, 3)) + 3e-9, "b2": np.ones(3)}, numeric,
                                  "gradient")
    fails_with(checks.expect_gradients_match, {"W1": np.ones((2, 3)), "b2": np.full(3, 0.75)},
               numeric, "gradient", match=r"for b2 \(error 2\.5e-01, shape \(3,\)\)")


def test_gradient_check_against_numerical_gradients_catches_a_wrong_loss():
    """A net whose loss disagrees with its gradient: caught by the numerical comparison."""

    class Net(StudentNet):
        def loss(self, x, t):
            return 3 * super().loss(x, t)

    fails_with(checks.check_two_layer_gradient, Net,
               match=r"disagrees with the numerical gradient.* for W1 \(error \d\.\de-\d\d")


def test_subclassing_bpkit_is_rejected():
    class Net(bpkit.TwoLayerNet):
        pass

    fails_with(checks.expect_own_gradient, Net, match="subclasses bpkit.network")


def test_calling_bpkit_inside_gradient_is_rejected():
    class Net(StudentNet):
        def gradient(self, x, t):
            return bpkit.MultiLayerNet.gradient(self, x, t)

    fails_with(checks.expect_own_gradient, Net, match="calls bpkit")


# --- train ------------------------------------------------------------------------------------


def correct_train(network, x, t, lr, steps, batch_size, seed):
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(steps):
        batch = rng.choice(len(x), size=batch_size, replace=False)
        grads = network.gradient(x[batch], t[batch])
        history.append(float(network.last_layer.loss))
        for key in network.params:
            network.params[key] -= lr * grads[key]
    return history


def make_train(update=None, batch_of=None, history_of=None, rng_of=None, grads_per_step=1):
    """A train() with one piece replaced; each default is the correct piece."""

    def train(network, x, t, lr, steps, batch_size, seed):
        rng = rng_of(seed) if rng_of else np.random.default_rng(seed)
        history = []
        start = float(network.loss(x, t))
        for _ in range(steps):
            if batch_of:
                xb, tb = batch_of(rng, x, t, batch_size)
            else:
                batch = rng.choice(len(x), size=batch_size, replace=False)
                xb, tb = x[batch], t[batch]
            for _ in range(grads_per_step):
                grads = network.gradient(xb, tb)
            loss = float(network.last_layer.loss)
            history.append(history_of(loss, start) if history_of else loss)
            for key in list(network.params):
                if update:
                    update(network.params, key, grads, lr)
                else:
                    network.params[key] -= lr * grads[key]
        return history

    return train


def test_correct_train_passes_on_many_seeds():
    for seed in range(4):
        checks.check_train(correct_train, seed=seed)
    checks.expect_own_code(correct_train)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_correct_train_passes_for_any_seed(seed):
    checks.check_train(correct_train, seed=seed)


def test_train_returning_none_is_told_to_return():
    def train(network, x, t, lr, steps, batch_size, seed):
        correct_train(network, x, t, lr, steps, batch_size, seed)

    fails_with(checks.check_train, train, match="forget a `return`")


def test_rebinding_params_explains_that_the_layers_hold_the_same_arrays():
    def rebind(params, key, grads, lr):
        params[key] = params[key] - lr * grads[key]

    fails_with(checks.check_train, make_train(update=rebind),
               match=r"(?s)no longer the array.*layers still hold the old one.*in place\?")


def test_train_that_never_updates_is_caught():
    fails_with(checks.check_train, make_train(update=lambda *a: None),
               match="did not change network.params")


def test_gradient_ascent_is_caught():
    def ascend(params, key, grads, lr):
        params[key] += lr * grads[key]

    fails_with(checks.check_train, make_train(update=ascend), match=r"uphill.*train\.uphill")


def test_forgetting_the_learning_rate_is_caught():
    def no_lr(params, key, grads, lr):
        params[key] -= grads[key]

    fails_with(checks.check_train, make_train(update=no_lr), match="ignoring lr=0.1")


def test_updating_only_the_weights_is_caught():
    def only_weights(params, key, grads, lr):
        if key.startswith("W"):
            params[key] -= lr * grads[key]

    fails_with(checks.check_train, make_train(update=only_weights),
               match=r"updated only \['W1', 'W2'\], not \['b1', 'b2'\]")


def test_full_batch_instead_of_mini_batch_is_caught():
    fails_with(checks.check_train, make_train(batch_of=lambda rng, x, t, b: (x, t)),
               match="on all 60 samples, not on a mini-batch of batch_size=8")


def test_separate_draws_for_x_and_t_are_caught():
    def mismatched(rng, x, t, b):
        return x[rng.choice(len(x), b, replace=False)], t[rng.choice(len(x), b, replace=False)]

    fails_with(checks.check_train, make_train(batch_of=mismatched), match="SAME indices")


def test_one_loss_too_many_is_caught():
    def train(network, x, t, lr, steps, batch_size, seed):
        return [float(network.loss(x, t))] + correct_train(network, x, t, lr, steps,
                                                           batch_size, seed)

    fails_with(checks.check_train, train, match="returned 2 losses .* for steps=1")


def test_a_constant_history_is_caught():
    fails_with(checks.check_train, make_train(history_of=lambda loss, start: start),
               match="holds the same number")


def test_unseeded_batches_are_caught():
    fails_with(checks.check_train, make_train(rng_of=lambda seed: np.random.default_rng()),
               match="same seed gave different loss histories")


def test_a_fixed_seed_is_caught():
    fails_with(checks.check_train, make_train(rng_of=lambda seed: np.random.default_rng(0)),
               match="ignores its seed")


def test_two_gradients_per_step_are_counted():
    fails_with(checks.check_train, make_train(grads_per_step=2),
               match="called network.gradient 10 times for steps=5")


def test_a_crashing_train_reports_the_error_and_the_call():
    def train(network, x, t, lr, steps, batch_size, seed):
        return network.gradient(x[:batch_size], t)  # mismatched lengths

    fails_with(checks.check_train, train, match=r"train\(network, x of shape \(60, 2\).* raised")


# --- finished runs -----------------------------------------------------------------------------


def test_check_accuracy_passes_a_solved_xor_and_fails_an_untrained_one():
    x, t = data.xor()
    net = MultiLayerNet([2, 8, 2], "relu", "he", seed=0)
    fails_with(checks.check_accuracy, net, x, t, 1.0, "xor_net", hint="Train longer.",
               match=r"xor_net classifies [0-3] of 4 samples correctly .* Train longer\.")
    correct_train(net, x, t, lr=0.5, steps=300, batch_size=4, seed=0)
    checks.check_accuracy(net, x, t, 1.0, "xor_net")


def test_check_final_loss_reports_the_loss_and_the_threshold():
    x, t = data.continuous_function(50, seed=1)
    net = MultiLayerNet([1, 10, 1], "relu", "he", loss_layer=bpkit.SquaredErrorLoss(), seed=0)
    fails_with(checks.check_final_loss, net, x, t, 0.01, "fit_net",
               match=r"fit_net has loss \d\.\d+ on x of shape \(50, 1\); it needs less than 0\.01")
    correct_train(net, x, t, lr=0.3, steps=2000, batch_size=10, seed=0)
    checks.check_final_loss(net, x, t, 0.01, "fit_net")


# --- gradient norms per layer ----------------------------------------------------------------


def correct_norms(network, x, t):
    grads = network.gradient(x, t)
    n = sum(name.startswith("Affine") for name in network.layers)
    return [np.linalg.norm(grads[f"W{i}"]) for i in range(1, n + 1)]


def test_correct_norms_pass_as_list_or_array():
    for seed in range(4):
        checks.check_gradient_norms_per_layer(correct_norms, seed=seed)
    checks.check_gradient_norms_per_layer(lambda *a: np.array(correct_norms(*a)), seed=9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_correct_norms_pass_for_any_seed(seed):
    checks.check_gradient_norms_per_layer(correct_norms, seed=seed)


def test_reversed_norms_are_caught():
    def reversed_norms(network, x, t):
        network.gradient(x, t)
        return [np.linalg.norm(layer.dW) for layer in reversed(list(network.layers.values()))
                if hasattr(layer, "dW")]

    fails_with(checks.check_gradient_norms_per_layer, reversed_norms,
               match=r"reverse order.*gradient_norms_per_layer\.reversed")


def test_norms_of_the_weights_are_caught():
    def weight_norms(network, x, t):
        network.gradient(x, t)
        return [np.linalg.norm(network.params[k]) for k in network.params if k[0] == "W"]

    fails_with(checks.check_gradient_norms_per_layer, weight_norms,
               match="norms of the weights W, not of their gradients")


def test_squared_norms_are_caught():
    fails_with(checks.check_gradient_norms_per_layer,
               lambda *a: [v**2 for v in correct_norms(*a)], match="SQUARED")


def test_including_bias_norms_is_caught():
    def all_norms(network, x, t):
        return [np.linalg.norm(g) for g in network.gradient(x, t).values()]

    fails_with(checks.check_gradient_norms_per_layer, all_norms,
               match=r"one per parameter.*gradient_norms_per_layer\.biases_included")


def test_bias_norms_instead_of_weight_norms_are_caught():
    def bias_norms(network, x, t):
        return [np.linalg.norm(g) for k, g in network.gradient(x, t).items() if k[0] == "b"]

    fails_with(checks.check_gradient_norms_per_layer, bias_norms, match="bias gradients db")


def test_stale_gradients_are_caught():
    def stale(network, x, t):  # reads dW without running backward on (x, t)
        return [np.linalg.norm(layer.dW) for layer in network.layers.values()
                if hasattr(layer, "dW")]

    fails_with(checks.check_gradient_norms_per_layer, stale, match="EARLIER backward pass")


def test_wrong_length_none_dict_and_crash_each_get_a_message():
    fails_with(checks.check_gradient_norms_per_layer, lambda *a: correct_norms(*a)[:-1],
               match=r"returned \d numbers .*one per Affine layer")
    fails_with(checks.check_gradient_norms_per_layer, lambda *a: None, match="forget a `return`")
    fails_with(checks.check_gradient_norms_per_layer,
               lambda n, x, t: dict(enumerate(correct_norms(n, x, t))), match="returned a dict")
    fails_with(checks.check_gradient_norms_per_layer, lambda n, x, t: n.layers["Affine9"],
               match=r"on a sigmoid net with sizes \[.* raised KeyError")


def test_an_unrecognised_wrong_norm_names_the_layer_and_both_values():
    def max_abs(network, x, t):
        grads = network.gradient(x, t)
        n = sum(name.startswith("Affine") for name in network.layers)
        return [np.abs(grads[f"W{i}"]).max() for i in range(1, n + 1)]

    fails_with(checks.check_gradient_norms_per_layer, max_abs,
               match=r"the norm for layer \d .* is [\d.e-]+, expected [\d.e-]+")
