"""Checks for lessons 08 and 09: a network's ``gradient`` method, a training loop, the runs it
finishes, and gradient norms layer by layer.

Every check builds real bpkit networks on random inputs drawn from ``seed``, compares the
student's answer with the reference (and with numerical gradients), and, when they differ,
tries the usual wrong variants so that the message can name the mistake.
"""

import numpy as np

from ..gradcheck import numerical_gradient, rel_error
from ..layers import Affine, BackwardBeforeForwardError
from ..network import MultiLayerNet, TwoLayerNet
from ._common import expect_own_code, is_close, rng_for

__all__ = [
    "check_accuracy",
    "check_final_loss",
    "check_gradient_norms_per_layer",
    "check_train",
    "check_two_layer_gradient",
    "expect_gradients_match",
    "expect_own_gradient",
    "scaled_error",
]

# Backprop against central differences in float64: about 1e-8 when right, 1e-2 or more when
# wrong. Kinks of ReLU can push a correct answer to ~1e-6 now and then, hence the margin.
GRADIENT_TOLERANCE = 1e-5
TWO_LAYER_PARAMS = ("W1", "b1", "W2", "b2")


# --- lesson 08: TwoLayerNet.gradient ---------------------------------------------------------


def expect_gradients_match(errors, tolerance=GRADIENT_TOLERANCE, what="gradient"):
    """Fail unless every relative error in ``errors`` ({name: float}) is below ``tolerance``.

    errors: what ``bpkit.gradcheck.check_network`` returns. The message names each parameter
    whose backprop gradient differs from the numerical one, with its relative error.
    """
    bad = {name: err for name, err in errors.items() if not err < tolerance}
    if bad:
        listed = ", ".join(f"{name}: {err:.1e}" for name, err in bad.items())
        raise AssertionError(
            f"{what} differs from the numerical gradient for {listed} (relative errors; a "
            f"correct backprop gives about 1e-8, anything above {tolerance:.0e} is a bug)."
        )


def expect_own_gradient(net_class):
    """Fail when ``net_class.gradient`` is bpkit's (inherited, called, or reached via super()).

    The class itself may use bpkit's layers: only its gradient method must be the student's.
    """
    for base in net_class.__mro__[1:]:
        if (base.__module__ or "").startswith("bpkit"):
            raise AssertionError(
                f"{net_class.__name__} subclasses {base.__module__}.{base.__name__}, so its "
                f"gradient could be bpkit's. Write the class without a bpkit base class."
            )
    expect_own_code(net_class.gradient, f"{net_class.__name__}.gradient")


def check_two_layer_gradient(net_class, seed=0):
    """Check ``net_class(input_size, hidden_size, output_size, weight_init_std, seed).gradient``.

    net_class: a TwoLayerNet-like class with ``params`` (W1 (D, H), b1 (H,), W2 (H, C),
    b2 (C,)), ``layers`` and ``loss(x, t)``. Its gradient(x, t) with x (N, D) and labels t (N,)
    must return {name: array of that parameter's shape}, equal to the numerical gradient.
    """
    rng = rng_for(seed)
    d, h, c, n = (int(v) for v in rng.integers((2, 3, 2, 3), (6, 8, 5, 8)))
    net = _build(net_class, d, h, c, int(rng.integers(2**31)))
    _expect_params(net, {"W1": (d, h), "b1": (h,), "W2": (h, c), "b2": (c,)}, net_class)
    for name in TWO_LAYER_PARAMS:  # biases of 0 would hide a mix-up of b1 and b2
        net.params[name][...] = 0.7 * rng.standard_normal(net.params[name].shape)
    x = rng.standard_normal((n, d))
    t = rng.integers(0, c, n)
    before = {k: v.copy() for k, v in net.params.items()}

    grads = _call_gradient(net, x, t, net_class.__name__)
    for name in TWO_LAYER_PARAMS:
        if not np.array_equal(net.params[name], before[name]):
            raise AssertionError(
                f"gradient changed self.params[{name!r}]: it should only compute gradients. "
                f"Updating the weights is the training loop's job."
            )
    _expect_grad_dict(grads, net.params, TWO_LAYER_PARAMS)

    reference = TwoLayerNet(d, h, c)
    for name in TWO_LAYER_PARAMS:
        reference.params[name][...] = net.params[name]
    expected = reference.gradient(x, t)
    for name in TWO_LAYER_PARAMS:
        if not is_close(grads[name], expected[name], rtol=1e-5, atol=1e-9):
            raise AssertionError(
                _diagnose_gradient(name, grads, expected, net.params, reference, x, t)
            )

    numeric = {
        name: numerical_gradient(lambda: net.loss(x, t), net.params[name])
        for name in TWO_LAYER_PARAMS
    }
    expect_gradients_match(
        {name: scaled_error(grads[name], numeric[name]) for name in TWO_LAYER_PARAMS},
        what=f"{net_class.__name__}.gradient (x of shape {x.shape})",
    )


def scaled_error(analytic, numeric):
    """Largest difference divided by the largest entry: ``max|a - n| / max(max|a|, max|n|)``.

    Unlike an entry-by-entry relative error it does not blow up on entries of 1e-7 (a ReLU
    that fired for one sample only), where central differences' rounding (~1e-11) dominates.
    """
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    scale = max(np.abs(analytic).max(initial=0), np.abs(numeric).max(initial=0), 1e-8)
    return float(np.abs(analytic - numeric).max(initial=0) / scale)


def _build(net_class, d, h, c, seed):
    try:
        return net_class(d, h, c, weight_init_std=0.5, seed=seed)
    except Exception as err:
        raise AssertionError(
            f"{net_class.__name__}({d}, {h}, {c}, weight_init_std=0.5, seed={seed}) raised "
            f"{type(err).__name__}: {err}. Keep the __init__ the lesson gives you."
        ) from err


def _expect_params(net, shapes, net_class):
    params = getattr(net, "params", None)
    for name, shape in shapes.items():
        if params is None or name not in params or np.shape(params[name]) != shape:
            raise AssertionError(
                f"{net_class.__name__}.params should hold {', '.join(shapes)} with shapes "
                f"{', '.join(map(str, shapes.values()))}; keep the __init__ the lesson gives you."
            )


def _call_gradient(net, x, t, class_name):
    try:
        return net.gradient(x, t)
    except BackwardBeforeForwardError as err:
        raise AssertionError(
            f"{class_name}.gradient ran a backward pass before any forward pass ({err}). Start "
            f"with self.loss(x, t): forward stores in every layer what its backward needs."
        ) from err
    except ValueError as err:
        hint = ""
        if "dout has shape" in str(err):
            hint = (
                " A layer got a dout that does not fit its output: backward must visit the "
                "layers in REVERSE order, last layer first: "
                "`for layer in reversed(list(self.layers.values())): dout = layer.backward(dout)`."
            )
        elif "broadcast" in str(err):
            hint = (
                " A layer got a dout of another layer's shape: each backward returns the dout "
                "for the layer before it, so keep it: `dout = layer.backward(dout)`."
            )
        raise AssertionError(
            f"{class_name}.gradient raised ValueError with x of shape {x.shape}: {err}.{hint}"
        ) from err
    except AttributeError as err:
        hint = ""
        if "'str' object" in str(err):
            hint = (
                " Looping over a dict gives its keys, the layer NAMES: loop over "
                "reversed(list(self.layers.values())) to get the layers themselves."
            )
        raise AssertionError(
            f"{class_name}.gradient raised AttributeError: {err}.{hint}"
        ) from err


def _expect_grad_dict(grads, params, names):
    if grads is None:
        raise AssertionError("gradient returned None: did you forget `return grads`?")
    if not hasattr(grads, "keys"):
        raise AssertionError(
            f"gradient returned a {type(grads).__name__}; it should return a dict "
            f"{{{', '.join(repr(n) + ': d' + n for n in names)}}}."
        )
    missing = [n for n in names if n not in grads]
    if missing:
        raise AssertionError(
            f"the dict gradient returned lacks {', '.join(map(repr, missing))} (it has "
            f"{sorted(grads.keys())}); it needs one entry per parameter: {', '.join(names)}."
        )
    for name in names:
        shape, expected = np.shape(grads[name]), np.shape(params[name])
        if shape == expected:
            continue
        hint = "Take each gradient from its layer: W1 and b1 from self.layers['Affine1'].dW, .db."
        others = [o for o in names if o != name and np.shape(params[o]) == shape]
        if others:
            hint = (
                f"That is the shape of {others[0]}: did you take it from the wrong layer? "
                f"Affine1 holds W1 and b1, Affine2 holds W2 and b2."
            )
        raise AssertionError(
            f"grads[{name!r}] has shape {shape} but {name} has shape {expected}; a gradient "
            f"has the shape of its parameter. {hint}"
        )


def _diagnose_gradient(name, grads, expected, params, reference, x, t):
    got = grads[name]
    layer = f"self.layers['Affine{name[1:]}']"
    attr = "dW" if name.startswith("W") else "db"
    if is_close(got, params[name]):
        return (
            f"grads[{name!r}] is the parameter {name} itself, not its gradient: store "
            f"{layer}.{attr} there."
        )
    if is_close(got, -expected[name], rtol=1e-5, atol=1e-9):
        return (
            f"grads[{name!r}] has the wrong sign: the backward pass starts from "
            f"self.last_layer.backward(1), and nothing along the way negates it."
        )
    for other in TWO_LAYER_PARAMS:
        if other != name and is_close(got, expected[other], rtol=1e-5, atol=1e-9):
            return (
                f"grads[{name!r}] holds the gradient of {other}. Affine1 holds W1 and b1, "
                f"Affine2 holds W2 and b2: take {name}'s from {layer}.{attr}."
            )
    if name in ("W1", "b1") and is_close(got, _skipping_relu(reference, x, t)[name]):
        return (
            f"grads[{name!r}] is what you get when the backward loop skips Relu1: dout must "
            f"pass through every layer (Affine2, then Relu1, then Affine1), because Relu1 "
            f"blocks the gradient where its input was <= 0."
        )
    if name in ("W1", "b1") and is_close(got, _unchained(reference, x, t).get(name)):
        return (
            f"grads[{name!r}] is what you get when every layer is handed the loss layer's "
            f"dout: each backward returns the dout for the layer before it, so keep it, "
            f"`dout = layer.backward(dout)`."
        )
    return (
        f"grads[{name!r}] is wrong (relative error {rel_error(got, expected[name]):.1e} from "
        f"backprop through the reference layers, x of shape {x.shape}). Run self.loss(x, t), "
        f"then dout = self.last_layer.backward(1) and pass dout through the layers in "
        f"reverse order, then read dW and db from the Affine layers."
    )


def _unchained(net, x, t):
    """The gradients when each layer gets the loss layer's dout (possible only if H == C)."""
    net.loss(x, t)
    dout = net.last_layer.backward(1)
    try:
        for layer in reversed(list(net.layers.values())):
            layer.backward(dout)
    except ValueError:
        return {}
    return {"W1": net.layers["Affine1"].dW, "b1": net.layers["Affine1"].db}


def _skipping_relu(net, x, t):
    """The gradients a backward loop gets when it jumps over the activation layers."""
    net.loss(x, t)
    dout = net.last_layer.backward(1)
    for layer in reversed(list(net.layers.values())):
        if isinstance(layer, Affine):
            dout = layer.backward(dout)
    return {"W1": net.layers["Affine1"].dW, "b1": net.layers["Affine1"].db}


# --- lesson 08: the training loop ----------------------------------------------------------


class _RecordingNet(MultiLayerNet):
    """A real bpkit network that also remembers each batch its gradient was asked about."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []  # (x, t, grads), copies

    def gradient(self, x, t):
        grads = super().gradient(x, t)
        self.calls.append((
            np.array(x, copy=True), np.array(t, copy=True),
            {k: np.array(v, copy=True) for k, v in grads.items()},
        ))
        return grads


def _blobs(rng, n_per_class=20, n_classes=3):
    """Gaussian clusters around a circle in 2-D: easy to learn, so a working loop must lower
    the loss. Returns x (n_classes * n_per_class, 2) and labels t, cluster by cluster."""
    angles = 2 * np.pi * np.arange(n_classes) / n_classes + rng.uniform(0, 2 * np.pi)
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    x = np.concatenate([c + 0.5 * rng.standard_normal((n_per_class, 2)) for c in centres])
    t = np.repeat(np.arange(n_classes), n_per_class)
    return x, t


def check_train(train, seed=0):
    """Check ``train(network, x, t, lr, steps, batch_size, seed)``.

    network: a bpkit network (``params``, ``gradient``, ``loss``); x: (N, D); t: (N,) labels.
    train must run ``steps`` steps of mini-batch gradient descent, changing the arrays in
    ``network.params`` in place by ``-lr * grads[key]``, and return one loss per step.
    """
    rng = rng_for(seed)
    x, t = _blobs(rng)
    n = len(x)
    net_seed = int(rng.integers(2**31))

    def fresh():
        return _RecordingNet([2, 8, 3], "relu", "he", seed=net_seed)

    _check_one_step(train, fresh(), x, t, lr=0.1, batch_size=8, seed=int(rng.integers(2**31)))

    steps = 5
    net = fresh()
    history = _run(train, net, x, t, 0.1, steps, 8, 1)
    _expect_history(history, steps)
    if len(net.calls) != steps:
        raise AssertionError(
            f"train called network.gradient {len(net.calls)} times for steps={steps}; "
            f"call it once per step, on that step's mini-batch."
        )

    steps, lr, batch = 150, 0.5, 16
    net = fresh()
    start = float(net.loss(x, t))
    history = _run(train, net, x, t, lr, steps, batch, 2)
    _expect_history(history, steps)
    end = float(net.loss(x, t))
    if not end < 0.7 * start:
        raise AssertionError(
            f"after {steps} steps (lr={lr}, batch_size={batch}) the loss on all {n} samples "
            f"went from {start:.3f} to {end:.3f}; gradient descent on this easy data should "
            f"at least cut it by 30 %."
        )
    history = np.asarray(history, dtype=np.float64)
    if np.ptp(history) == 0:
        raise AssertionError(
            f"the loss history holds the same number ({history[0]:.4g}) {steps} times: append "
            f"the loss of each step's batch, computed inside the loop."
        )
    if not history[-10:].mean() < history[:10].mean():
        raise AssertionError(
            f"the loss history does not go down (first 10 steps average "
            f"{history[:10].mean():.3f}, last 10 average {history[-10:].mean():.3f}), although "
            f"the network learned: record the loss of the current step, not a stale value."
        )

    a, b = fresh(), fresh()
    first = _run(train, a, x, t, 0.1, 10, 8, 7)
    second = _run(train, b, x, t, 0.1, 10, 8, 7)
    if not np.array_equal(np.asarray(first, float), np.asarray(second, float)):
        raise AssertionError(
            "two runs with the same seed gave different loss histories: draw the batches "
            "from rng = np.random.default_rng(seed), created once at the start of train."
        )
    other = fresh()
    third = _run(train, other, x, t, 0.1, 10, 8, 8)
    if np.array_equal(np.asarray(first, float), np.asarray(third, float)):
        raise AssertionError(
            "runs with seeds 7 and 8 gave identical loss histories: train ignores its seed. "
            "Draw the batches from rng = np.random.default_rng(seed)."
        )


def _run(train, net, x, t, lr, steps, batch_size, seed):
    try:
        return train(net, x, t, lr=lr, steps=steps, batch_size=batch_size, seed=seed)
    except Exception as err:
        raise AssertionError(
            f"train(network, x of shape {x.shape}, t of shape {t.shape}, lr={lr}, steps={steps}, "
            f"batch_size={batch_size}, seed={seed}) raised {type(err).__name__}: {err}"
        ) from err


def _expect_history(history, steps):
    if history is None:
        raise AssertionError("train returned None: did you forget `return history`?")
    try:
        values = np.asarray(history, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise AssertionError(
            f"train should return a list of {steps} losses (floats); it returned "
            f"{type(history).__name__} that is not a list of numbers."
        ) from err
    if values.shape != (steps,):
        raise AssertionError(
            f"train returned {values.size} losses (shape {values.shape}) for steps={steps}: "
            f"append exactly one loss per step."
        )
    if not np.all(np.isfinite(values)):
        raise AssertionError("the loss history contains nan or inf: is the learning rate huge?")


def _check_one_step(train, net, x, t, lr, batch_size, seed):
    """One step, watched closely: which batch, which update, which arrays."""
    before = {k: v.copy() for k, v in net.params.items()}
    history = _run(train, net, x, t, lr, 1, batch_size, seed)
    _expect_history(history, 1)
    if not net.calls:
        raise AssertionError("train never called network.gradient: each step needs the gradients.")
    for name in before:
        layer = net.layers[f"Affine{name[1:]}"]
        held = layer.W if name.startswith("W") else layer.b
        if net.params.get(name) is not held:
            raise AssertionError(
                f"after train, network.params[{name!r}] is no longer the array that "
                f"network.layers['Affine{name[1:]}'] holds. `params[key] = params[key] - lr * "
                f"grads[key]` makes a NEW array and puts it in the dict, but the layers still "
                f"hold the old one, so predict and loss never see the update and the loss never "
                f"goes down. Update the array in place: `network.params[key] -= lr * grads[key]`."
            )
    if all(np.array_equal(net.params[k], before[k]) for k in before):
        raise AssertionError(
            "train did not change network.params: after computing grads, update every "
            "parameter with network.params[key] -= lr * grads[key]."
        )
    bx, bt, grads = net.calls[-1]
    rows = len(bx)
    if rows == len(x) and batch_size < len(x):
        raise AssertionError(
            f"train computed the gradient on all {len(x)} samples, not on a mini-batch of "
            f"batch_size={batch_size}: pick indices with rng.choice({len(x)}, {batch_size}, "
            f"replace=False) and use x[indices], t[indices]."
        )
    if rows != batch_size:
        raise AssertionError(
            f"the batch given to network.gradient has {rows} rows; batch_size was {batch_size}."
        )
    _expect_matching_batch(bx, bt, x, t)
    step = {k: net.params[k] - before[k] for k in before}
    _diagnose_update(step, grads, lr)


def _expect_matching_batch(bx, bt, x, t):
    for row, label in zip(bx, bt, strict=False):
        matches = np.flatnonzero(np.all(x == row, axis=1))
        if matches.size == 0:
            raise AssertionError(
                "the batch given to network.gradient holds rows that are not rows of x: "
                "index x with the sampled indices, x[indices]."
            )
        if not np.any(t[matches] == label):
            raise AssertionError(
                "the batch's targets do not belong to the batch's samples: use the SAME "
                "indices for both, x[indices] and t[indices] (not two separate random draws)."
            )


def _diagnose_update(step, grads, lr):
    expected = {k: -lr * grads[k] for k in step}
    wrong = [k for k in step if not is_close(step[k], expected[k], rtol=1e-6, atol=1e-12)]
    if not wrong:
        return
    if all(is_close(step[k], -expected[k], rtol=1e-6, atol=1e-12) for k in step):
        raise AssertionError(
            "train moved every parameter by +lr * grads[key], uphill: gradient descent "
            "SUBTRACTS the gradient, params[key] -= lr * grads[key]."
        )
    if all(is_close(step[k], -grads[k], rtol=1e-6, atol=1e-12) for k in step):
        raise AssertionError(
            f"train moved every parameter by -grads[key], ignoring lr={lr}: multiply by the "
            f"learning rate, params[key] -= lr * grads[key]."
        )
    unchanged = [k for k in wrong if not np.any(step[k])]
    if unchanged:
        raise AssertionError(
            f"train updated only {sorted(set(step) - set(unchanged))}, not "
            f"{sorted(unchanged)}: loop over every key of network.params."
        )
    k = wrong[0]
    raise AssertionError(
        f"one step should change network.params[{k!r}] (shape {step[k].shape}) by exactly "
        f"-lr * grads[{k!r}] for the batch it computed the gradient on; it changed by something "
        f"else (relative error {rel_error(step[k], expected[k]):.1e}). Compute grads once per "
        f"step and then update: params[key] -= lr * grads[key]."
    )


# --- lesson 08: finished runs ------------------------------------------------------------


def check_accuracy(network, x, t, at_least, what="the network", hint=""):
    """Fail unless ``network.accuracy(x, t) >= at_least``; x: (N, D), t: (N,) labels."""
    accuracy = float(network.accuracy(x, t))
    if not accuracy >= at_least:
        correct = int(round(accuracy * len(x)))
        raise AssertionError(
            f"{what} classifies {correct} of {len(x)} samples correctly ({accuracy:.1%}); it "
            f"needs at least {at_least:.0%}." + (f" {hint}" if hint else "")
        )


def check_final_loss(network, x, t, below, what="the network", hint=""):
    """Fail unless ``network.loss(x, t) < below``; x: (N, D), t: the targets loss expects."""
    loss = float(network.loss(x, t))
    if not loss < below:
        raise AssertionError(
            f"{what} has loss {loss:.4g} on x of shape {np.shape(x)}; it needs less than "
            f"{below:.4g}." + (f" {hint}" if hint else "")
        )


# --- lesson 09: gradient norms layer by layer ---------------------------------------------


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
        try:
            got = gradient_norms_per_layer(net, x, t)
        except Exception as err:
            raise AssertionError(
                f"gradient_norms_per_layer raised {type(err).__name__} on a {activation} net "
                f"with sizes {sizes} and x of shape {x.shape}: {err}"
            ) from err
        expected = _reference_gradient_norms(net, x, t)
        _diagnose_norms(got, expected, stale, net, x, t, sizes, activation)


def _diagnose_norms(got, expected, stale, net, x, t, sizes, activation):
    n_layers = len(expected)
    where = f"(a {activation} net with sizes {sizes}, so {n_layers} Affine layers)"
    if got is None:
        raise AssertionError("gradient_norms_per_layer returned None: did you forget `return`?")
    if isinstance(got, dict):
        raise AssertionError(
            "gradient_norms_per_layer returned a dict; return a list of numbers, first layer "
            "first: [norm of dW1, norm of dW2, ...]."
        )
    try:
        values = np.asarray(got, dtype=np.float64).ravel()
    except (TypeError, ValueError) as err:
        raise AssertionError(
            f"gradient_norms_per_layer returned a {type(got).__name__} that is not a list of "
            f"numbers; return one float per Affine layer."
        ) from err
    if values.size == 2 * n_layers:
        raise AssertionError(
            f"gradient_norms_per_layer returned {values.size} numbers {where}: one per "
            f"parameter. Return one per layer, the norm of its dW only (leave out db)."
        )
    if values.size != n_layers:
        raise AssertionError(
            f"gradient_norms_per_layer returned {values.size} numbers {where}: return one per "
            f"Affine layer, [norm of dW1, ..., norm of dW{n_layers}]."
        )
    if is_close(values, expected):
        return
    if is_close(values, expected[::-1]):
        raise AssertionError(
            f"the norms are in reverse order {where}: you returned the last layer's first. The "
            f"backward loop visits the layers last-to-first, but the answer must list them "
            f"first-to-last (W1 first): reverse your list or read network.layers in order."
        )
    if is_close(values, stale):
        raise AssertionError(
            "these are the norms of the gradients of an EARLIER backward pass, not of (x, t): "
            "call network.gradient(x, t) first, then take the norms."
        )
    weights = [float(np.linalg.norm(net.params[f"W{i}"])) for i in range(1, n_layers + 1)]
    if is_close(values, weights):
        raise AssertionError(
            "these are the norms of the weights W, not of their gradients dW: take the norms "
            "of grads['W1'], grads['W2'], ... from network.gradient(x, t)."
        )
    if is_close(values, np.square(expected)):
        raise AssertionError(
            "these are the SQUARED norms (the sum of squares without the square root): use "
            "np.linalg.norm(dW), which is sqrt(sum(dW ** 2))."
        )
    grads = net.gradient(x, t)
    biases = [float(np.linalg.norm(grads[f"b{i}"])) for i in range(1, n_layers + 1)]
    if is_close(values, biases):
        raise AssertionError(
            "these are the norms of the bias gradients db; the exercise asks for dW, the "
            "weights' gradients: grads['W1'], grads['W2'], ..."
        )
    worst = int(np.argmax(np.abs(values - expected)))
    raise AssertionError(
        f"the norm for layer {worst + 1} {where} is {values[worst]:.6g}, expected "
        f"{expected[worst]:.6g} (= np.linalg.norm(grads['W{worst + 1}']) after "
        f"network.gradient(x, t))."
    )
