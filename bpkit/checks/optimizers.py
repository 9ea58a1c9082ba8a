"""Checks for lesson 08's optimisers: Momentum and Adam updates, and a training loop that hands
its gradients to an optimiser.

Each check runs the student's optimiser for a few steps on random parameters and gradients next
to a reference written here from the update rules, and, when the paths part, tries the usual
wrong variants so that the message names what the code did.
"""

import numpy as np

from ..i18n import tr
from ..network import MultiLayerNet
from ._student import call, expect_value, fail, passed, rng_for


def _fail(mistake_id, message):
    """Fail with ``mistake_id``; its first part names the exercise whose hints help."""
    fail(mistake_id, message, exercise=mistake_id.split(".")[0])

__all__ = ["check_momentum", "check_adam", "check_train_uses_optimizer"]


def _problem(rng):
    """Two parameters of different shapes and a few steps of random gradients for each."""
    shapes = {"W": tuple(int(v) for v in rng.integers(2, 5, size=2)),
              "b": (int(rng.integers(2, 6)),)}
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    grads = [{k: rng.standard_normal(s) for k, s in shapes.items()} for _ in range(4)]
    return params, grads


def _run(optimizer, params, grad_steps, what, exercise):
    """Apply optimizer.update for each step; return the parameter values after every step."""
    held = dict(params)
    path = []
    for step, grads in enumerate(grad_steps, start=1):
        call(tr("{what}.update(params, grads) at step {step}",
                what=what, step=step), optimizer.update, params,
             {k: g.copy() for k, g in grads.items()}, exercise=exercise)
        for name, array in held.items():
            if params.get(name) is not array:
                _fail(
                    f"{exercise}.new_array",
                    tr("after {what}.update, params[{name!r}] is a new array, no longer the "
                       "one the layers hold; the network would never see the step. How do "
                       "you change an array's values without replacing the array?",
                       what=what, name=name)
                )
        path.append({k: v.copy() for k, v in params.items()})
    return path


def _reference_path(params, grad_steps, step_rule):
    values = {k: v.copy() for k, v in params.items()}
    state = {}
    path = []
    for t, grads in enumerate(grad_steps, start=1):
        for name in values:
            values[name] = values[name] + step_rule(state, name, grads[name], t)
        path.append({k: v.copy() for k, v in values.items()})
    return path


def _same(path, other, rtol=1e-6):
    return all(np.allclose(a[k], b[k], rtol=rtol, atol=1e-10)
               for a, b in zip(path, other, strict=True) for k in a)


def _first_difference(path, other):
    for step, (a, b) in enumerate(zip(path, other, strict=True), start=1):
        for name in a:
            if not np.allclose(a[name], b[name], rtol=1e-6, atol=1e-10):
                return step, name
    return None


def _momentum_rule(lr, momentum, keep=True, sign=1.0):
    def rule(state, name, g, t):
        v = state.get(name, np.zeros_like(g)) if keep else np.zeros_like(g)
        v = momentum * v - sign * lr * g
        state[name] = v
        return v
    return rule


def _sgd_rule(lr):
    return lambda state, name, g, t: -lr * g


def check_momentum(Momentum, seed=0):
    """``Momentum(lr, momentum).update(params, grads)`` moves each parameter by a velocity that
    keeps ``momentum`` of the previous one and adds ``-lr * grad``; in place, one velocity per
    parameter, remembered between calls."""
    rng = rng_for(seed)
    lr, momentum = float(rng.uniform(0.01, 0.2)), float(rng.uniform(0.5, 0.95))
    params, grad_steps = _problem(rng)
    what = f"Momentum(lr={lr:.3g}, momentum={momentum:.3g})"
    optimizer = call(what, Momentum, lr=lr, momentum=momentum, exercise="momentum")
    path = _run(optimizer, {k: v.copy() for k, v in params.items()}, grad_steps, what, "momentum")
    expected = _reference_path(params, grad_steps, _momentum_rule(lr, momentum))
    if _same(path, expected):
        passed("Momentum.update", "4 steps of the ball, in place, one velocity per parameter", 4)
        return
    if all(np.array_equal(step[k], params[k]) for step in path for k in params):
        _fail(
            "momentum.nothing_moved",
            tr("{what}: after 4 calls of update every parameter is where it started. update "
               "returns nothing; its whole job is to change the arrays in params. Which "
               "line moves them?",
               what=what)
        )
    if _same(path, _reference_path(params, grad_steps, _momentum_rule(lr, momentum, sign=-1))):
        _fail(
            "momentum.uphill",
            tr("{what} moves the parameters uphill: after 4 steps they are where a ball "
               "would be if the slope pushed it up. Which way does the gradient point, and "
               "which way should the push go?",
               what=what)
        )
    if _same(path, _reference_path(params, grad_steps, _sgd_rule(lr))) or _same(
            path, _reference_path(params, grad_steps, _momentum_rule(lr, momentum, keep=False))):
        _fail(
            "momentum.no_memory",
            tr("{what} takes exactly the steps of plain gradient descent: nothing is "
               "carried over from one update to the next. Where does the ball's velocity "
               "live between two calls of update, and what fraction of it survives a step?",
               what=what)
        )
    step, name = _first_difference(path, expected)
    _fail(
        "momentum.wrong_path",
        tr("{what}: params[{name!r}] after step {step} is {path_step_1_name_ravel_0:.6g} "
           "(first entry); the ball model gives {expected_step_1_name_ravel_0:.6g}. After "
           "each step, the velocity is the old velocity times momentum plus the push of the "
           "slope; the parameter then moves by the velocity. Which part differs in yours?",
           what=what, name=name, step=step,
           path_step_1_name_ravel_0=path[step - 1][name].ravel()[0],
           expected_step_1_name_ravel_0=expected[step - 1][name].ravel()[0])
    )


def _adam_rule(lr, beta1, beta2, eps, correct=True, folded=False):
    """folded: both corrections folded into the step size, as the book writes it; eps then
    sits beside the uncorrected sqrt(v). Both placements of eps are Adam."""
    def rule(state, name, g, t):
        m, v = state.get(name, (np.zeros_like(g), np.zeros_like(g)))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        state[name] = (m, v)
        if folded:
            step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
            return -step * m / (np.sqrt(v) + eps)
        m_hat = m / (1 - beta1**t) if correct else m
        v_hat = v / (1 - beta2**t) if correct else v
        return -lr * m_hat / (np.sqrt(v_hat) + eps)
    return rule


def check_adam(Adam, seed=0):
    """``Adam(lr, beta1, beta2).update(params, grads)``: running averages of the gradients and
    of their squares, both corrected for starting at zero, and a step of about ``lr`` per entry
    at first; in place, one pair of averages per parameter, one step count per update."""
    rng = rng_for(seed)
    lr = float(rng.uniform(0.001, 0.1))
    beta1, beta2 = float(rng.uniform(0.8, 0.95)), float(rng.uniform(0.95, 0.999))
    params, grad_steps = _problem(rng)
    what = f"Adam(lr={lr:.3g}, beta1={beta1:.3g}, beta2={beta2:.3g})"
    optimizer = call(what, Adam, lr=lr, beta1=beta1, beta2=beta2, exercise="adam")
    eps = float(getattr(optimizer, "eps", 1e-8))
    path = _run(optimizer, {k: v.copy() for k, v in params.items()}, grad_steps, what, "adam")
    expected = _reference_path(params, grad_steps, _adam_rule(lr, beta1, beta2, eps))
    folded = _reference_path(params, grad_steps, _adam_rule(lr, beta1, beta2, eps, folded=True))
    if _same(path, expected, rtol=1e-5) or _same(path, folded, rtol=1e-5):
        passed("Adam.update", "4 steps: both averages, their correction, in place", 4)
        return
    if all(np.array_equal(step[k], params[k]) for step in path for k in params):
        _fail(
            "adam.nothing_moved",
            tr("{what}: after 4 calls of update every parameter is where it started. update "
               "returns nothing; its whole job is to change the arrays in params. Which "
               "line moves them?",
               what=what)
        )
    first = {k: path[0][k] - params[k] for k in params}
    biggest = max(float(np.max(np.abs(s))) for s in first.values())
    if _same(path, _reference_path(params, grad_steps, _adam_rule(lr, beta1, beta2, eps, False)),
             rtol=1e-5):
        _fail(
            "adam.no_bias_correction",
            tr("{what}: the first step moves entries by up to {biggest:.3g}, about "
               "{biggest_lr:.2g} times lr. Both running averages start at 0, so after one "
               "step they hold only a fraction of the gradient: which fraction, and how do "
               "you undo it?",
               what=what, biggest=biggest, biggest_lr=biggest / lr)
        )
    if biggest > 1.5 * lr or biggest < 0.5 * lr:
        _fail(
            "adam.wrong_step_size",
            tr("{what}: the first step moves entries by up to {biggest:.3g}, but Adam's "
               "first step is about lr = {lr:.3g} for every entry, whatever the gradient's "
               "size: the corrected average of the gradients divided by the square root of "
               "the corrected average of their squares is about +-1. Which part is off?",
               what=what, biggest=biggest, lr=lr)
        )
    step, name = _first_difference(path, expected)
    _fail(
        "adam.wrong_path",
        tr("{what}: params[{name!r}] after step {step} is {path_step_1_name_ravel_0:.6g} "
           "(first entry), Adam gives {expected_step_1_name_ravel_0:.6g}. Is the step count "
           "shared by all parameters and counted once per update, and does each parameter "
           "keep its own two averages?",
           what=what, name=name, step=step,
           path_step_1_name_ravel_0=path[step - 1][name].ravel()[0],
           expected_step_1_name_ravel_0=expected[step - 1][name].ravel()[0])
    )


class _RecordingOptimizer:
    """Plain gradient descent that remembers what it was given."""

    def __init__(self, lr):
        self.lr = lr
        self.calls = []

    def update(self, params, grads):
        self.calls.append((params, {k: np.copy(v) for k, v in grads.items()}))
        for name in params:
            params[name] -= self.lr * grads[name]


def check_train_uses_optimizer(train, seed=0):
    """``train(..., optimizer=opt)`` lets ``opt.update(network.params, grads)`` make each step,
    once per step, and does not also take a step of its own."""
    rng = rng_for(seed)
    x = rng.standard_normal((30, 3))
    t = rng.integers(0, 3, 30)
    net = MultiLayerNet([3, 5, 3], "relu", 0.5, seed=int(rng.integers(2**31)))
    before = {k: v.copy() for k, v in net.params.items()}
    optimizer = _RecordingOptimizer(lr=0.05)
    steps = 3
    what = (f"train(network, x {x.shape}, t {t.shape}, lr=0.5, steps={steps}, batch_size=10, "
            f"seed=1, optimizer=...)")
    expect_value(call(what, train, net, x, t, lr=0.5, steps=steps, batch_size=10, seed=1,
                      optimizer=optimizer, exercise="train"), what, "train")
    if len(optimizer.calls) != steps:
        _fail(
            "train.optimizer_call_count",
            tr("{what} called optimizer.update {len_optimizer_calls} times for {steps} "
               "steps. When an optimizer is given, who should make each step?",
               what=what, len_optimizer_calls=len(optimizer.calls), steps=steps)
        )
    if any(params is not net.params for params, _ in optimizer.calls):
        _fail(
            "train.optimizer_wrong_params",
            tr("{what} handed optimizer.update a dict other than network.params: the "
               "optimizer changes the arrays it is given, and only network.params holds the "
               "layers' arrays.",
               what=what)
        )
    moved = {k: net.params[k] - before[k] for k in before}
    by_optimizer = {k: -0.05 * sum(grads[k] for _, grads in optimizer.calls) for k in before}
    if not all(np.allclose(moved[k], by_optimizer[k], rtol=1e-6, atol=1e-12) for k in before):
        _fail(
            "train.optimizer_and_own_step",
            tr("{what}: the weights moved by more than the optimizer's steps. With an "
               "optimizer given, should the loop still take its own lr step as well?",
               what=what)
        )
    passed("train(..., optimizer=...)", "the optimizer makes every step", 3)
