"""Optimisers: each ``update(params, grads)`` changes the arrays in ``params`` in place.

params, grads: dicts of name -> array of one shape per name. Updating in place matters: the
layers hold the very same arrays, so they see the new weights without being told.
"""

import numpy as np


class SGD:
    """Gradient descent (the notes' generalized delta rule): ``W -= lr * dW``."""

    def __init__(self, lr=0.1):
        self.lr = lr

    def update(self, params, grads):
        for name in params:
            params[name] -= self.lr * grads[name]


class Momentum:
    """``v = momentum * v - lr * dW; W += v``: steps that keep a direction grow."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum
        self.velocity = {}

    def update(self, params, grads):
        for name in params:
            v = self.velocity.setdefault(name, np.zeros_like(params[name]))
            v *= self.momentum
            v -= self.lr * grads[name]
            params[name] += v


class Adam:
    """Adam (Kingma & Ba, 2015): momentum on the gradient and on its square, bias-corrected."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.step = 0
        self.m, self.v = {}, {}

    def update(self, params, grads):
        self.step += 1
        # Folding both bias corrections into the step size saves two array passes.
        lr_t = self.lr * np.sqrt(1 - self.beta2**self.step) / (1 - self.beta1**self.step)
        for name in params:
            m = self.m.setdefault(name, np.zeros_like(params[name]))
            v = self.v.setdefault(name, np.zeros_like(params[name]))
            m += (1 - self.beta1) * (grads[name] - m)
            v += (1 - self.beta2) * (grads[name] ** 2 - v)
            params[name] -= lr_t * m / (np.sqrt(v) + self.eps)


def train(network, x, t, lr, steps, batch_size, seed, optimizer=None):
    """Mini-batch training, the reference for lesson 08's exercise.

    network: has params, gradient(x, t) and loss(x, t). x: (N, ...); t: (N,) labels or (N, K)
    targets; batch_size <= N. optimizer: None for plain gradient descent with lr, or an object
    whose update(params, grads) changes params in place. Returns the `steps` mini-batch losses.
    """
    rng = np.random.default_rng(seed)
    step = optimizer.update if optimizer is not None else SGD(lr).update
    history = []
    for _ in range(steps):
        batch = rng.choice(len(x), size=batch_size, replace=False)
        grads = network.gradient(x[batch], t[batch])
        history.append(float(network.last_layer.loss))  # gradient's forward pass stored it
        step(network.params, grads)
    return history
