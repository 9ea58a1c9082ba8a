"""bpkit.checks for lesson 08's optimisers and the training loop's optimizer argument."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks, optim

pytestmark = pytest.mark.lesson08


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.velocity = lr, momentum, {}

    def update(self, params, grads):
        for k, p in params.items():
            v = self.velocity.setdefault(k, np.zeros_like(p))
            v *= self.momentum
            v -= self.lr * grads[k]
            p += v


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t, self.m, self.v = 0, {}, {}

    def correction(self):
        return 1 - self.beta1 ** self.t, 1 - self.beta2 ** self.t

    def update(self, params, grads):
        self.t += 1
        c1, c2 = self.correction()
        for k, p in params.items():
            m = self.m.setdefault(k, np.zeros_like(p))
            v = self.v.setdefault(k, np.zeros_like(p))
            m[...] = self.beta1 * m + (1 - self.beta1) * grads[k]
            v[...] = self.beta2 * v + (1 - self.beta2) * grads[k] ** 2
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


class MomentumForgets(Momentum):
    def update(self, params, grads):
        self.velocity = {}
        super().update(params, grads)


class MomentumUphill(Momentum):
    def update(self, params, grads):
        super().update(params, {k: -g for k, g in grads.items()})


class MomentumNewArrays(Momentum):
    def update(self, params, grads):
        for k in params:
            v = self.velocity.get(k, 0) * self.momentum - self.lr * grads[k]
            self.velocity[k] = v
            params[k] = params[k] + v


class AdamUncorrected(Adam):
    def correction(self):
        return 1.0, 1.0


class AdamStepPerParameter(Adam):
    def update(self, params, grads):
        for k in params:
            super().update({k: params[k]}, {k: grads[k]})


def train(network, x, t, lr, steps, batch_size, seed, optimizer=None):
    return optim.train(network, x, t, lr, steps, batch_size, seed, optimizer)


def train_ignoring_optimizer(network, x, t, lr, steps, batch_size, seed, optimizer=None):
    return optim.train(network, x, t, lr, steps, batch_size, seed)


def train_stepping_twice(network, x, t, lr, steps, batch_size, seed, optimizer=None):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        rows = rng.choice(len(x), batch_size, replace=False)
        grads = network.gradient(x[rows], t[rows])
        optimizer.update(network.params, grads)
        for k in network.params:
            network.params[k] -= lr * grads[k]
    return [0.0] * steps


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_right_answers_and_the_reference_pass_on_any_seed(seed):
    checks.check_momentum(Momentum, seed=seed)
    checks.check_adam(Adam, seed=seed)
    checks.check_momentum(optim.Momentum, seed=seed)
    checks.check_adam(optim.Adam, seed=seed)
    checks.check_train_uses_optimizer(train, seed=seed)


@pytest.mark.parametrize("optimizer, check, message", [
    (MomentumForgets, checks.check_momentum, "plain gradient descent"),
    (MomentumUphill, checks.check_momentum, "uphill"),
    (MomentumNewArrays, checks.check_momentum, "is a new array"),
    (AdamUncorrected, checks.check_adam, "start at 0"),
    (AdamStepPerParameter, checks.check_adam, "step count shared|about lr"),
])
def test_usual_mistakes_are_named_without_code(optimizer, check, message):
    with pytest.raises(AssertionError, match=message) as error:
        check(optimizer)
    text = str(error.value)
    for code in ("self.velocity", "np.sqrt", "1 - beta", "**"):
        assert code not in text, text


@pytest.mark.parametrize("loop, message", [
    (train_ignoring_optimizer, r"called optimizer.update 0 times"),
    (train_stepping_twice, "its own lr step"),
])
def test_a_loop_that_misuses_the_optimizer_is_named(loop, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_train_uses_optimizer(loop)


def test_reference_train_is_reproducible_and_learns():
    from bpkit import MultiLayerNet, data
    x, t = data.xor()
    runs = []
    for _ in range(2):
        net = MultiLayerNet([2, 8, 2], weight_init_std=1.0, seed=0)
        runs.append(optim.train(net, x, t, lr=0.5, steps=300, batch_size=4, seed=0))
    assert runs[0] == runs[1] and len(runs[0]) == 300
    assert net.accuracy(x, t) == 1.0


@pytest.mark.parametrize("optimizer, check, mistake", [
    (Momentum, checks.check_momentum, "momentum.nothing_moved"),
    (Adam, checks.check_adam, "adam.nothing_moved"),
])
def test_an_update_that_moves_nothing_is_named(optimizer, check, mistake):
    class Idle(optimizer):
        def update(self, params, grads):
            return None

    with pytest.raises(checks.CheckFailure) as error:
        check(Idle)
    assert error.value.mistake_id == mistake and error.value.exercise == mistake.split(".")[0]
