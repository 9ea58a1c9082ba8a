"""bpkit.checks for lesson 11: a correct answer passes on many seeds; each recognised mistake
of BatchNorm and Dropout is named by its id, and no message gives the answer away."""

import numpy as np
import pytest

from bpkit import checks
from bpkit.checks import CheckFailure

pytestmark = pytest.mark.lesson11


# --- a correct student, written from the graph as the lesson asks ----------------------------


class GoodBN:
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-7):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean = np.zeros(gamma.shape[0])
        self.running_var = np.ones(gamma.shape[0])
        self.cache = None

    def forward(self, x, train=True):
        if train:
            mu = x.mean(axis=0)
            xc = x - mu
            var = (xc**2).mean(axis=0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            var = self.running_var
        std = np.sqrt(var + self.eps)
        x_hat = xc / std
        self.cache = {"xc": xc, "std": std, "x_hat": x_hat, "gamma": self.gamma}
        return self.gamma * x_hat + self.beta

    def backward(self, dout):
        self.dgamma, self.dbeta = good_param_grads(dout, self.cache)
        return good_closed_form(dout, self.cache)


def good_param_grads(dout, cache):
    return np.sum(dout * cache["x_hat"], axis=0), np.sum(dout, axis=0)


def good_graph(dout, cache):
    xc, std, gamma = cache["xc"], cache["std"], cache["gamma"]
    n = dout.shape[0]
    dx_hat = dout * gamma
    dxc = dx_hat / std
    dstd = -np.sum(dx_hat * xc, axis=0) / std**2
    dvar = dstd / (2 * std)
    dsquare = np.ones_like(xc) * dvar / n
    dxc = dxc + 2 * xc * dsquare
    dmu = -np.sum(dxc, axis=0)
    return dxc + dmu / n


def good_closed_form(dout, cache):
    x_hat, std, gamma = cache["x_hat"], cache["std"], cache["gamma"]
    n = dout.shape[0]
    dx_hat = dout * gamma
    return (n * dx_hat - dx_hat.sum(0) - x_hat * (dx_hat * x_hat).sum(0)) / (n * std)


class GoodDropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train=True):
        if not train:
            return x
        self.mask = np.random.rand(*x.shape) > self.dropout_ratio
        return x * self.mask / (1 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask / (1 - self.dropout_ratio)


def good_add(net, use_batchnorm, dropout_ratio):
    from collections import OrderedDict

    layers = OrderedDict()
    n_affine = sum(name.startswith("Affine") for name in net.layers)
    for name, layer in net.layers.items():
        layers[name] = layer
        i = name[-1]
        if name.startswith("Affine") and int(i) < n_affine and use_batchnorm:
            size = layer.W.shape[1]
            net.params["gamma" + i], net.params["beta" + i] = np.ones(size), np.zeros(size)
            layers["BatchNorm" + i] = GoodBN(net.params["gamma" + i], net.params["beta" + i])
            layers.move_to_end(name)
            layers.move_to_end("BatchNorm" + i)
        if name.startswith("Relu") and dropout_ratio > 0:
            layers["Dropout" + i] = GoodDropout(dropout_ratio)
    net.layers = layers
    return net


SEEDS = [0, 1, 2, 3, 12345]


@pytest.mark.parametrize("seed", SEEDS)
def test_correct_answers_pass_every_check(seed, capsys):
    checks.check_batchnorm_forward_train(GoodBN, seed=seed)
    checks.check_batchnorm_inference(GoodBN, seed=seed)
    checks.check_batchnorm_param_grads(good_param_grads, seed=seed)
    checks.check_batchnorm_backward_graph(good_graph, seed=seed)
    checks.check_batchnorm_backward_closed_form(good_closed_form, seed=seed)
    checks.check_dropout_forward(GoodDropout, seed=seed)
    checks.check_dropout_backward(GoodDropout, seed=seed)
    checks.check_add_batchnorm_and_dropout(good_add, GoodBN, GoodDropout, seed=seed)
    out = capsys.readouterr().out
    assert out.count("✓") == 8, out


# --- each usual mistake, made by a small wrong class or function -----------------------------

# Fragments of the answers' code: no message may contain any of them.
ANSWER_FRAGMENTS = ["np.", "axis=0", "dout *", "* dout", "x_hat *", "/ std", "mask /",
                    "(1 - self", "sum(", "mean(", "= dout"]


def failure_of(check, *args, seed=0):
    with pytest.raises(CheckFailure) as caught:
        check(*args, seed=seed)
    failure = caught.value
    for fragment in ANSWER_FRAGMENTS:
        assert fragment not in failure.message, (fragment, failure.message)
    return failure


class VarianceOverFeatures(GoodBN):
    def forward(self, x, train=True):
        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        self.cache = None
        return self.gamma * (x - mu) / np.sqrt(var + self.eps) + self.beta


class UnbiasedVariance(GoodBN):
    def forward(self, x, train=True):
        return self.gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + self.eps) + self.beta


class NoScaleShift(GoodBN):
    def forward(self, x, train=True):
        super().forward(x, train)
        return self.cache["x_hat"]


class NoCache(GoodBN):
    def forward(self, x, train=True):
        out = super().forward(x, train)
        self.cache = None
        return out


class BatchStatsAtInference(GoodBN):
    def forward(self, x, train=True):
        return super().forward(x, True)


class ForwardReturnsNothing(GoodBN):
    def forward(self, x, train=True):
        super().forward(x, train)


class NeverUpdated(GoodBN):
    def forward(self, x, train=True):
        mean, var = self.running_mean, self.running_var
        out = super().forward(x, train)
        self.running_mean, self.running_var = mean, var
        return out


class MomentumReversed(GoodBN):
    def __init__(self, gamma, beta, momentum=0.9, eps=1e-7):
        super().__init__(gamma, beta, momentum, eps)

    def forward(self, x, train=True):
        if train:
            m, self.momentum = self.momentum, 1 - self.momentum
            out = super().forward(x, train)
            self.momentum = m
            return out
        return super().forward(x, train)


@pytest.mark.parametrize("wrong, check, mistake", [
    (VarianceOverFeatures, checks.check_batchnorm_forward_train, "batchnorm.wrong_axis"),
    (UnbiasedVariance, checks.check_batchnorm_forward_train, "batchnorm.unbiased_variance"),
    (NoScaleShift, checks.check_batchnorm_forward_train, "batchnorm.no_scale_shift"),
    (NoCache, checks.check_batchnorm_forward_train, "batchnorm.cache_not_stored"),
    (BatchStatsAtInference, checks.check_batchnorm_inference,
     "batchnorm.batch_stats_at_inference"),
    (NeverUpdated, checks.check_batchnorm_inference, "batchnorm.running_not_updated"),
    (ForwardReturnsNothing, checks.check_batchnorm_inference, "common.returned_none"),
    (MomentumReversed, checks.check_batchnorm_inference, "batchnorm.momentum_reversed"),
])
def test_forward_mistakes_are_named(wrong, check, mistake):
    failure = failure_of(check, wrong)
    assert failure.mistake_id == mistake, failure.message
    assert failure.exercise == "batchnorm_forward"


def params_not_summed(dout, cache):
    return dout * cache["x_hat"], dout


def params_averaged(dout, cache):
    return np.mean(dout * cache["x_hat"], axis=0), np.mean(dout, axis=0)


def dgamma_from_xc(dout, cache):
    return np.sum(dout * cache["xc"], axis=0), np.sum(dout, axis=0)


@pytest.mark.parametrize("wrong, mistake", [
    (params_not_summed, "batchnorm.param_grads_not_summed"),
    (params_averaged, "batchnorm.param_grads_mean"),
    (dgamma_from_xc, "batchnorm.dgamma_uses_xc"),
])
def test_parameter_gradient_mistakes_are_named(wrong, mistake):
    failure = failure_of(checks.check_batchnorm_param_grads, wrong)
    assert failure.mistake_id == mistake and failure.exercise == "batchnorm_param_grads"


def statistics_constant(dout, cache):
    return dout * cache["gamma"] / cache["std"]


def forgot_one_over_n(dout, cache):
    g, x_hat = dout * cache["gamma"], cache["x_hat"]
    return (g - g.sum(0) - x_hat * (g * x_hat).sum(0)) / cache["std"]


def forgot_variance_path(dout, cache):
    g = dout * cache["gamma"]
    return (g - g.mean(0)) / cache["std"]


def forgot_mean_path(dout, cache):
    g, x_hat = dout * cache["gamma"], cache["x_hat"]
    return (g - x_hat * (g * x_hat).mean(0)) / cache["std"]


def forgot_gamma(dout, cache):
    x_hat = cache["x_hat"]
    return (dout - dout.mean(0) - x_hat * (dout * x_hat).mean(0)) / cache["std"]


def variance_factor_of_two_missing(dout, cache):
    xc, std, gamma = cache["xc"], cache["std"], cache["gamma"]
    n = dout.shape[0]
    dx_hat = dout * gamma
    dvar = -np.sum(dx_hat * xc, axis=0) / std**3 / 2
    dxc = dx_hat / std + xc * dvar / n  # the square's local derivative lost its 2
    return dxc - dxc.sum(0) / n


@pytest.mark.parametrize("check, exercise", [
    (checks.check_batchnorm_backward_graph, "batchnorm_backward_graph"),
    (checks.check_batchnorm_backward_closed_form, "batchnorm_backward_closed_form"),
])
@pytest.mark.parametrize("wrong, mistake", [
    (statistics_constant, "batchnorm.statistics_held_constant"),
    (forgot_one_over_n, "batchnorm.one_over_n_missing"),
    (forgot_variance_path, "batchnorm.variance_path_missing"),
    (forgot_mean_path, "batchnorm.mean_path_missing"),
    (forgot_gamma, "batchnorm.gamma_missing"),
    (variance_factor_of_two_missing, "common.gradient_mismatch"),
])
def test_dx_mistakes_are_named(check, exercise, wrong, mistake):
    failure = failure_of(check, wrong)
    assert failure.mistake_id == mistake and failure.exercise == exercise


class ScalesAtInference(GoodDropout):
    def forward(self, x, train=True):
        return super().forward(x, train) if train else x * (1 - self.dropout_ratio)


class NotScaledInTraining(GoodDropout):
    def forward(self, x, train=True):
        out = super().forward(x, train)
        return out * (1 - self.dropout_ratio) if train else out


class MaskNotStored(GoodDropout):
    def forward(self, x, train=True):
        out = super().forward(x, train)
        self.mask = None
        return out


class RatioIsKeep(GoodDropout):
    def forward(self, x, train=True):
        if not train:
            return x
        self.mask = np.random.rand(*x.shape) < self.dropout_ratio
        return x * self.mask / self.dropout_ratio


class BackwardNotScaled(GoodDropout):
    def backward(self, dout):
        return dout * self.mask


class BackwardIgnoresMask(GoodDropout):
    def backward(self, dout):
        return dout / (1 - self.dropout_ratio)


@pytest.mark.parametrize("wrong, check, mistake", [
    (ScalesAtInference, checks.check_dropout_forward, "dropout.scaled_at_inference"),
    (NotScaledInTraining, checks.check_dropout_forward, "dropout.not_scaled_in_training"),
    (MaskNotStored, checks.check_dropout_forward, "dropout.mask_not_stored"),
    (RatioIsKeep, checks.check_dropout_forward, "dropout.ratio_is_keep"),
    (BackwardNotScaled, checks.check_dropout_backward, "dropout.backward_not_scaled"),
    (BackwardIgnoresMask, checks.check_dropout_backward, "dropout.gradient_through_dropped"),
])
def test_dropout_mistakes_are_named(wrong, check, mistake):
    failure = failure_of(check, wrong)
    assert failure.mistake_id == mistake and failure.exercise == "dropout"


def bn_after_relu(net, use_batchnorm, dropout_ratio):
    good_add(net, use_batchnorm, dropout_ratio)
    names = list(net.layers)
    for i in range(len(names) - 1):  # swap each BatchNorm with the Relu after it
        if names[i].startswith("BatchNorm"):
            names[i], names[i + 1] = names[i + 1], names[i]
    net.layers = {name: net.layers[name] for name in names}
    return net


def params_copied(net, use_batchnorm, dropout_ratio):
    good_add(net, use_batchnorm, dropout_ratio)
    for key in [k for k in net.params if k.startswith(("gamma", "beta"))]:
        net.params[key] = net.params[key].copy()
    return net


def dropout_even_at_zero(net, use_batchnorm, dropout_ratio):
    return good_add(net, use_batchnorm, max(dropout_ratio, 0.1))


def returns_nothing(net, use_batchnorm, dropout_ratio):
    good_add(net, use_batchnorm, dropout_ratio)


def returns_the_layers(net, use_batchnorm, dropout_ratio):
    return good_add(net, use_batchnorm, dropout_ratio).layers


def bpkit_layers(net, use_batchnorm, dropout_ratio):
    from bpkit import BatchNormalization, Dropout

    good_add(net, use_batchnorm, dropout_ratio)
    for name in list(net.layers):
        if name.startswith("BatchNorm"):
            old = net.layers[name]
            net.layers[name] = BatchNormalization(old.gamma, old.beta)
        if name.startswith("Dropout"):
            net.layers[name] = Dropout(dropout_ratio)
    return net


@pytest.mark.parametrize("wrong, mistake", [
    (bn_after_relu, "add_batchnorm_and_dropout.layer_order"),
    (params_copied, "add_batchnorm_and_dropout.params_not_shared"),
    (dropout_even_at_zero, "add_batchnorm_and_dropout.dropout_at_zero"),
    (bpkit_layers, "add_batchnorm_and_dropout.not_your_layers"),
    (returns_nothing, "common.returned_none"),
    (returns_the_layers, "add_batchnorm_and_dropout.returned_another_net"),
])
def test_network_mistakes_are_named(wrong, mistake):
    failure = failure_of(checks.check_add_batchnorm_and_dropout, wrong, GoodBN, GoodDropout)
    assert failure.mistake_id == mistake and failure.exercise == "add_batchnorm_and_dropout"


def test_an_unwritten_exercise_says_so():
    def blank(dout, cache):
        raise NotImplementedError()

    failure = failure_of(checks.check_batchnorm_backward_graph, blank)
    assert failure.mistake_id == "common.not_written"


def test_re_exported_and_subclassed_answers_are_rejected():
    from bpkit import BatchNormalization, Dropout

    for answer in (BatchNormalization, Dropout, type("Mine", (Dropout,), {})):
        with pytest.raises(CheckFailure) as caught:
            checks.expect_own_code(answer)
        assert caught.value.mistake_id == "common.not_own_code"
    checks.expect_own_code(GoodBN)
    checks.expect_own_code(good_closed_form)
