"""SGD, Momentum and Adam side by side: paths on a 2-D loss surface and loss curves on the
digits (lesson 08's comparison figure; the book's chapter 6 figure is the model).

The surface is the book's ``f(x, y) = x**2 / 20 + y**2``: a long, narrow valley, 20 times
steeper across (y) than along (x), with its minimum at (0, 0). Plain gradient descent zigzags
across it; a ball with momentum rolls along it; Adam scales each direction's step by its own
gradient size.
"""

import numpy as np

from .i18n import figure_text, figure_tr


def valley(point):
    """f(x, y) = x**2 / 20 + y**2 at point (2,). Returns a float."""
    x, y = point
    return x**2 / 20 + y**2


def valley_gradient(point):
    """The gradient of ``valley`` at point (2,): (x / 10, 2 y)."""
    x, y = point
    return np.array([x / 10, 2 * y])


def paths_on_valley(optimizers, start=(-7.0, 2.0), steps=30):
    """Run each optimiser on the valley. optimizers: {name: optimiser with update(params,
    grads)}. Returns {name: array (steps + 1, 2)}, the points visited, start first."""
    paths = {}
    for name, optimizer in optimizers.items():
        params = {"xy": np.array(start, dtype=np.float64)}
        visited = [params["xy"].copy()]
        for _ in range(steps):
            optimizer.update(params, {"xy": valley_gradient(params["xy"])})
            visited.append(params["xy"].copy())
        paths[name] = np.array(visited)
    return paths


def loss_curves(optimizers, make_net, train, data, steps=300, batch_size=100, seed=0):
    """Train one fresh network per optimiser with ``train(net, x, t, lr, steps, batch_size,
    seed, optimizer=...)``. data: (x, t). Returns {name: list of mini-batch losses}."""
    x, t = data
    return {
        name: train(make_net(), x, t, lr=None, steps=steps, batch_size=batch_size, seed=seed,
                    optimizer=optimizer)
        for name, optimizer in optimizers.items()
    }


def plot_comparison(paths, curves, colors=None):
    """One figure: the valley's contours with every path (left), the loss curves (right).

    paths: {name: (K, 2)}; curves: {name: list of losses}, or {} for the valley alone.
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    colors = colors or {name: f"C{i}" for i, name in enumerate({**paths, **curves})}
    if curves:
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    else:
        fig, left = plt.subplots(figsize=(6.5, 3.6))
    xs, ys = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 200))
    left.contour(xs, ys, xs**2 / 20 + ys**2, levels=[0.05, 0.2, 0.5, 1, 2, 4, 8, 16],
                 colors="0.75", linewidths=0.8)
    for name, path in paths.items():
        final = valley(path[-1])
        left.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, color=colors[name],
                  label=figure_tr("{name}: f = {final} after {steps} steps", name=name,
                                  final=f"{final:.2g}", steps=len(path) - 1))
    left.plot(0, 0, "+", color="black", ms=12)
    left.set_xlim(-10, 10)
    left.set_ylim(-5, 5)
    left.set_title(figure_text("f(x, y) = x²/20 + y²: a narrow valley"))
    left.legend(fontsize=8, loc="lower right")
    if not curves:
        fig.tight_layout()
        return fig
    for name, curve in curves.items():
        smooth = np.convolve(curve, np.ones(10) / 10, mode="valid")
        right.plot(np.arange(len(smooth)) + 10, smooth, color=colors.get(name), label=name)
    right.set_yscale("log")
    right.set_xlabel(figure_text("step"))
    right.set_ylabel(figure_text("mini-batch loss (mean of 10 steps)"))
    right.set_title(figure_text("handwritten digits"))
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig
