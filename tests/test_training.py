"""Networks built from bpkit's layers learn the course's data sets.

Each run is seeded and takes well under a few seconds on one core. The digit runs are the
course's promise for lesson 08: at least 95 % test accuracy on real handwritten digits.
"""

import time

import numpy as np
import pytest

from bpkit import SGD, Adam, MultiLayerNet, SquaredErrorLoss, TwoLayerNet, data


def train(net, optimizer, x, t, epochs, batch_size, seed=0):
    """Mini-batch training: every epoch visits each sample once, in a seeded random order."""
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            optimizer.update(net.params, net.gradient(x[batch], t[batch]))
    return net


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_two_layer_net_reaches_95_percent_on_real_digits(digits):
    (x_train, t_train), (x_test, t_test) = digits
    net = TwoLayerNet(64, 100, 10, weight_init_std="he", seed=0)
    untrained = net.accuracy(x_test, t_test)
    started = time.perf_counter()
    train(net, SGD(lr=0.1), x_train, t_train, epochs=30, batch_size=32, seed=0)
    seconds = time.perf_counter() - started
    accuracy = net.accuracy(x_test, t_test)
    print(f"TwoLayerNet 64-100-10, SGD lr 0.1, 30 epochs of batch 32: "
          f"test accuracy {accuracy:.1%} (untrained {untrained:.1%}), {seconds:.2f} s")
    assert untrained < 0.3, "before training the net should be near chance (10 %)"
    assert accuracy >= 0.95, f"test accuracy {accuracy:.1%} is below the promised 95 %"
    assert net.accuracy(x_train, t_train) >= accuracy - 0.01  # it fits what it saw


def test_deep_sigmoid_net_reaches_95_percent_on_real_digits(digits):
    (x_train, t_train), (x_test, t_test) = digits
    net = MultiLayerNet([64, 64, 64, 10], activation="sigmoid", weight_init_std="xavier",
                        seed=0)
    started = time.perf_counter()
    train(net, Adam(lr=0.01), x_train, t_train, epochs=20, batch_size=32, seed=0)
    seconds = time.perf_counter() - started
    accuracy = net.accuracy(x_test, t_test)
    print(f"MultiLayerNet 64-64-64-10 sigmoid, Adam lr 0.01, 20 epochs: "
          f"test accuracy {accuracy:.1%}, {seconds:.2f} s")
    assert accuracy >= 0.95


def test_training_is_reproducible_with_seeds(digits):
    (x_train, t_train), _ = digits
    runs = [train(TwoLayerNet(64, 20, 10, weight_init_std="he", seed=3), SGD(0.1),
                  x_train[:300], t_train[:300], epochs=2, batch_size=50, seed=3)
            for _ in range(2)]
    for name in runs[0].params:
        np.testing.assert_array_equal(runs[0].params[name], runs[1].params[name])


def test_a_hidden_layer_solves_xor_where_a_single_layer_cannot():
    # The notes: hidden layers fix the single-layer perceptron's linear-separability problem.
    x, t = data.xor()
    single = MultiLayerNet([2, 2], weight_init_std=1.0, seed=0)
    hidden = TwoLayerNet(2, 8, 2, weight_init_std=1.0, seed=0)
    for net in (single, hidden):
        train(net, Adam(lr=0.05), x, t, epochs=500, batch_size=4)
    assert single.accuracy(x, t) <= 0.75
    assert hidden.accuracy(x, t) == 1.0


def test_regression_net_approximates_the_continuous_function():
    x, t = data.continuous_function(n=200, noise=0.05, seed=0)
    net = MultiLayerNet([1, 32, 32, 1], activation="sigmoid", weight_init_std="xavier",
                        loss_layer=SquaredErrorLoss(), seed=0)
    loss_before = net.loss(x, t)
    train(net, Adam(lr=0.01), x, t, epochs=2000, batch_size=200)
    grid = np.linspace(-1, 1, 101).reshape(-1, 1)
    worst = np.abs(net.predict(grid) - np.sin(np.pi * grid)).max()
    print(f"sin(pi x) fit: loss {loss_before:.3f} -> {net.loss(x, t):.4f}, "
          f"worst error {worst:.3f}")
    assert net.loss(x, t) < loss_before / 100
    assert worst < 0.1, "the fitted curve should follow the sine everywhere on [-1, 1]"


def test_net_trained_on_noisy_bitmaps_reads_the_notes_digits():
    x, t = data.noisy_digit_bitmaps(n_per_digit=30, flip_prob=0.1, seed=0)
    net = TwoLayerNet(48, 30, 10, weight_init_std="he", seed=0)
    train(net, Adam(lr=0.01), x, t, epochs=200, batch_size=300)
    clean, labels = data.digit_bitmaps()
    assert net.accuracy(clean, labels) == 1.0
    scores = net.predict(clean[2:3])
    assert np.argmax(scores) == 2, "the notes' '2' gets the highest score for 2"
    unseen_x, unseen_t = data.noisy_digit_bitmaps(n_per_digit=30, flip_prob=0.1, seed=1)
    assert net.accuracy(unseen_x, unseen_t) >= 0.85
