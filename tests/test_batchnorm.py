"""bpkit.normalization: BatchNormalization and Dropout, and MultiLayerNet with them (lesson 11).

BatchNorm's backward is checked three independent ways: against central differences, against a
node-by-node backward through its computation graph written here, and against its full
Jacobian written out as a matrix. The thresholds: a correct layer measures ~1e-9 to 1e-7 here;
each mistake the lesson's checks recognise gives 1e-2 or more.
"""

import numpy as np
import pytest

from bpkit import BatchNormalization, Dropout, MultiLayerNet, data, rel_error
from bpkit.gradcheck import numerical_gradient_array
from bpkit.layers import BackwardBeforeForwardError

pytestmark = pytest.mark.lesson11


def random_case(seed, n=6, d=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, (n, d))  # mean and scale far from 0 and 1, so normalizing shows
    gamma, beta = rng.normal(1.0, 0.5, d), rng.standard_normal(d)
    return rng, x, gamma, beta, rng.standard_normal((n, d))


def graph_backward(x, gamma, dout, eps):
    """The backward of BatchNorm's graph, one node at a time (independent of the reference):
    mean -> subtract -> square -> mean -> add eps, sqrt -> divide -> times gamma -> plus beta."""
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc**2).mean(axis=0)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    dbeta = dout.sum(axis=0)  # beta is broadcast over the batch
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dxc = dx_hat / std  # xc -> divide, first use
    dstd = -(dx_hat * xc / std**2).sum(axis=0)
    dvar = dstd / (2 * std)
    dsq = np.broadcast_to(dvar / n, x.shape)
    dxc = dxc + 2 * xc * dsq  # xc -> square, second use: the branches add
    dmu = -dxc.sum(axis=0)
    dx = dxc + np.broadcast_to(dmu / n, x.shape)  # x -> subtract and x -> mean add too
    return dx, dgamma, dbeta


def jacobian(x, gamma, eps):
    """d out[n, j] / d x[m, k] as an (N*D, N*D) matrix: features are independent (k == j), and
    within one feature gamma/std * (delta_nm - 1/N - x_hat_n x_hat_m / N)."""
    n, d = x.shape
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) / std
    J = np.zeros((n, d, n, d))
    for j in range(d):
        block = np.eye(n) - 1 / n - np.outer(x_hat[:, j], x_hat[:, j]) / n
        J[:, j, :, j] = gamma[j] / std[j] * block
    return J.reshape(n * d, n * d)


# --- BatchNormalization forward ---------------------------------------------------------------


def test_training_forward_gives_each_feature_mean_beta_and_std_gamma():
    _, x, gamma, beta, _ = random_case(0, n=50, d=5)
    out = BatchNormalization(gamma, beta).forward(x, train=True)
    assert out.shape == x.shape
    assert np.allclose(out.mean(axis=0), beta)
    assert np.allclose(out.std(axis=0), np.abs(gamma), rtol=1e-5)


def test_each_training_batch_moves_the_running_averages_by_one_minus_momentum():
    _, x, gamma, beta, _ = random_case(1)
    layer = BatchNormalization(gamma, beta, momentum=0.9)
    layer.forward(x, train=True)
    assert np.allclose(layer.running_mean, 0.1 * x.mean(axis=0))
    assert np.allclose(layer.running_var, 0.9 + 0.1 * x.var(axis=0))
    before = layer.running_mean.copy(), layer.running_var.copy()
    layer.forward(x, train=False)  # inference leaves them alone
    assert np.array_equal(layer.running_mean, before[0])
    assert np.array_equal(layer.running_var, before[1])


def test_inference_uses_the_running_averages_so_one_sample_is_normalized_alone():
    rng, _, gamma, beta, _ = random_case(2)
    layer = BatchNormalization(gamma, beta)
    for _ in range(200):  # the running averages converge to the data's mean and variance
        layer.forward(rng.normal(3.0, 2.0, (64, 4)), train=True)
    assert np.allclose(layer.running_mean, 3.0, atol=0.15)
    assert np.allclose(layer.running_var, 4.0, atol=0.6)
    batch = rng.normal(3.0, 2.0, (8, 4))
    whole = layer.forward(batch, train=False)
    alone = layer.forward(batch[:1], train=False)
    assert np.allclose(whole[:1], alone)  # in training the first row would change with the rest
    expected = gamma * (batch - layer.running_mean) / np.sqrt(layer.running_var + layer.eps) + beta
    assert np.allclose(whole, expected)


def test_float32_stays_float32_and_the_input_is_not_modified():
    _, x, gamma, beta, dout = random_case(3)
    x32 = x.astype(np.float32)
    before = x32.copy()
    layer = BatchNormalization(gamma.astype(np.float32), beta.astype(np.float32))
    assert layer.forward(x32).dtype == np.float32
    dout32 = dout.astype(np.float32)
    assert layer.backward(dout32).dtype == np.float32
    assert np.array_equal(x32, before) and np.array_equal(dout32, dout.astype(np.float32))


def test_bad_shapes_and_arguments_are_refused_with_what_to_do():
    layer = BatchNormalization(np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"give x of shape \(N, 4\)"):
        layer.forward(np.ones((3, 5)))
    with pytest.raises(BackwardBeforeForwardError, match="Call forward first"):
        layer.backward(np.ones((3, 4)))
    with pytest.raises(ValueError, match="momentum"):
        BatchNormalization(np.ones(4), np.zeros(4), momentum=1.0)


# --- BatchNormalization backward: three independent computations ------------------------------


@pytest.mark.parametrize("seed, n, d", [(0, 6, 4), (1, 3, 3), (2, 9, 1), (3, 5, 7)])
def test_backward_agrees_with_numerical_gradients(seed, n, d):
    _, x, gamma, beta, dout = random_case(seed, n, d)
    layer = BatchNormalization(gamma, beta)
    layer.forward(x)
    dx = layer.backward(dout)
    def f():
        return layer.forward(x, train=True)
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < 1e-6
    assert rel_error(layer.dgamma, numerical_gradient_array(f, gamma, dout)) < 1e-6
    assert rel_error(layer.dbeta, numerical_gradient_array(f, beta, dout)) < 1e-6


@pytest.mark.parametrize("seed", range(5))
def test_backward_equals_the_node_by_node_backward_of_the_graph(seed):
    _, x, gamma, beta, dout = random_case(seed, n=7, d=3)
    layer = BatchNormalization(gamma, beta)
    layer.forward(x)
    dx = layer.backward(dout)
    graph_dx, graph_dgamma, graph_dbeta = graph_backward(x, gamma, dout, layer.eps)
    assert np.allclose(dx, graph_dx, rtol=1e-9, atol=1e-12)
    assert np.allclose(layer.dgamma, graph_dgamma) and np.allclose(layer.dbeta, graph_dbeta)


def test_backward_is_dout_times_the_full_jacobian():
    _, x, gamma, beta, dout = random_case(7, n=5, d=3)
    layer = BatchNormalization(gamma, beta)
    layer.forward(x)
    dx = layer.backward(dout)
    assert np.allclose(dx.ravel(), dout.ravel() @ jacobian(x, gamma, layer.eps))


def test_dx_sums_to_zero_per_feature_because_shifting_the_batch_changes_nothing():
    _, x, gamma, beta, dout = random_case(8, n=10, d=4)
    layer = BatchNormalization(gamma, beta)
    layer.forward(x)
    dx = layer.backward(dout)
    assert np.allclose(dx.sum(axis=0), 0, atol=1e-10)
    # Scaling one feature of the whole batch changes nothing either (but for eps = 1e-7):
    assert np.allclose((dx * (x - x.mean(axis=0))).sum(axis=0), 0, atol=1e-6)


def test_backward_does_not_modify_dout():
    _, x, gamma, beta, dout = random_case(9)
    layer = BatchNormalization(gamma, beta)
    layer.forward(x)
    before = dout.copy()
    layer.backward(dout)
    assert np.array_equal(dout, before)


# --- Dropout ----------------------------------------------------------------------------------


def test_dropout_drops_about_the_ratio_and_scales_the_survivors_by_the_keep_probability():
    x = np.random.default_rng(0).normal(2.0, 1.0, (200, 100))
    layer = Dropout(0.3, seed=1)
    out = layer.forward(x, train=True)
    assert layer.mask.shape == x.shape
    assert abs(1 - layer.mask.mean() - 0.3) < 0.01
    assert np.allclose(out[layer.mask], x[layer.mask] / 0.7)
    assert np.all(out[~layer.mask] == 0)
    assert abs(out.mean() - x.mean()) < 0.02  # inverted dropout keeps the expected value


def test_dropout_at_inference_passes_the_input_through_unchanged():
    x = np.random.default_rng(1).standard_normal((5, 6))
    out = Dropout(0.5, seed=0).forward(x, train=False)
    assert np.array_equal(out, x) and out is not x


def test_dropout_backward_is_the_gradient_of_its_own_forward():
    rng = np.random.default_rng(2)
    x, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    layer = Dropout(0.4, seed=3)
    layer.forward(x)
    dx = layer.backward(dout)
    # Replay the same mask on every evaluation: the forward is then a fixed linear map.
    def f():
        layer.rng = np.random.default_rng(3)
        return layer.forward(x)
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < 1e-7
    assert np.all(dx[~layer.mask] == 0)


def test_each_forward_draws_a_new_mask_and_a_seed_repeats_them():
    x = np.ones((20, 20))
    a, b = Dropout(0.5, seed=4), Dropout(0.5, seed=4)
    first = a.forward(x).copy()
    assert np.array_equal(first, b.forward(x))
    assert not np.array_equal(first, a.forward(x))


def test_dropout_refuses_a_bad_ratio_and_a_backward_before_forward():
    with pytest.raises(ValueError, match="dropout_ratio"):
        Dropout(1.0)
    with pytest.raises(BackwardBeforeForwardError):
        Dropout(0.5).backward(np.ones(3))


# --- MultiLayerNet with BatchNorm and Dropout -------------------------------------------------


def test_net_with_batchnorm_has_gamma_and_beta_and_their_gradients_check():
    rng = np.random.default_rng(5)
    net = MultiLayerNet([5, 6, 4, 3], weight_init_std="he", seed=0, use_batchnorm=True)
    assert list(net.layers) == ["Affine1", "BatchNorm1", "Relu1", "Affine2", "BatchNorm2",
                                "Relu2", "Affine3"]
    x, t = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    backprop, numeric = net.gradient(x, t), net.numerical_gradient(x, t)
    assert set(backprop) == {"W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2",
                             "W3", "b3"}
    for name in backprop:
        assert rel_error(backprop[name], numeric[name]) < 1e-5, name
    # b1 and b2 only shift what BatchNorm subtracts again: their gradient is zero.
    assert np.allclose(backprop["b1"], 0, atol=1e-10)


def test_net_with_dropout_predicts_deterministically_and_trains_randomly():
    x = np.random.default_rng(6).standard_normal((10, 5))
    net = MultiLayerNet([5, 20, 3], seed=1, dropout_ratio=0.5)
    assert "Dropout1" in net.layers
    assert np.array_equal(net.predict(x), net.predict(x))
    assert not np.array_equal(net.predict(x, train=True), net.predict(x, train=True))
    with pytest.raises(ValueError, match="dropout_ratio=0"):
        net.numerical_gradient(x, np.zeros(10, dtype=int))


def test_a_plain_net_is_unchanged_by_the_new_options():
    a = MultiLayerNet([4, 5, 2], seed=3)
    b = MultiLayerNet([4, 5, 2], seed=3, use_batchnorm=False, dropout_ratio=0.0)
    assert list(a.layers) == ["Affine1", "Relu1", "Affine2"]
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_batchnorm_trains_a_badly_initialised_deep_net_on_the_digits_much_faster():
    from bpkit.optim import SGD

    (x, t), (x_test, t_test) = data.load_digits()
    accuracies = {}
    for use_batchnorm in (False, True):
        net = MultiLayerNet([64, 50, 50, 50, 10], weight_init_std=0.05, seed=0,
                            use_batchnorm=use_batchnorm)
        optimizer, rng = SGD(lr=0.1), np.random.default_rng(0)
        for _ in range(150):
            batch = rng.choice(len(x), 100, replace=False)
            optimizer.update(net.params, net.gradient(x[batch], t[batch]))
        accuracies[use_batchnorm] = net.accuracy(x_test, t_test)
    assert accuracies[False] < 0.3, accuracies  # stuck: the signal vanishes in the small weights
    assert accuracies[True] > 0.85, accuracies
