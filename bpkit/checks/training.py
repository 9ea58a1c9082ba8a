"""Checks for lesson 08: a network's ``gradient`` method, a training loop, and the runs it
finishes.

Every check builds real bpkit networks on random inputs drawn from ``seed``, compares the
student's answer with the reference (and with numerical gradients), and, when they differ,
tries the usual wrong variants so that the message can name the mistake.
"""

import numpy as np

from ..gradcheck import numerical_gradient, rel_error
from ..i18n import tr
from ..layers import Affine, BackwardBeforeForwardError
from ..network import MultiLayerNet, TwoLayerNet
from ._own_code import expect_own_code
from ._student import (
    call,
    expect_gradients_match,
    expect_value,
    fail,
    gradient_error,
    is_close,
    passed,
    rng_for,
)

__all__ = [
    "check_accuracy",
    "check_final_loss",
    "check_train",
    "check_two_layer_gradient",
    "expect_own_gradient",
    "scaled_error",
]

# Backprop against central differences in float64: about 1e-8 when right, 1e-2 or more when
# wrong. Kinks of ReLU can push a correct answer to ~1e-6 now and then, hence the margin.
GRADIENT_TOLERANCE = 1e-5
TWO_LAYER_PARAMS = ("W1", "b1", "W2", "b2")


# --- lesson 08: TwoLayerNet.gradient ---------------------------------------------------------


def expect_own_gradient(net_class):
    """Fail when ``net_class.gradient`` is bpkit's (inherited, called, or reached via super()).

    The class itself may use bpkit's layers: only its gradient method must be the student's.
    """
    for base in net_class.__mro__[1:]:
        if (base.__module__ or "").startswith("bpkit"):
            fail("common.not_own_code",
                 tr("{net_class___name} subclasses {base___module}.{base___name}, so its "
                    "gradient could be bpkit's. Write the class without a bpkit base class.",
                    net_class___name=net_class.__name__, base___module=base.__module__,
                    base___name=base.__name__))
    expect_own_code(net_class.gradient, f"{net_class.__name__}.gradient")


def check_two_layer_gradient(net_class, seed=0):
    """Check ``net_class(input_size, hidden_size, output_size, weight_init_std, seed).gradient``.

    net_class: a TwoLayerNet-like class with ``params`` (W1 (D, H), b1 (H,), W2 (H, C),
    b2 (C,)), ``layers`` and ``loss(x, t)``. Its gradient(x, t) with x (N, D) and labels t (N,)
    must return {name: array of that parameter's shape}, equal to the numerical gradient.
    """
    rng = rng_for(seed)
    d, h, c, n = (int(v) for v in rng.integers((2, 3, 2, 3), (6, 8, 5, 8)))
    net_seed = int(rng.integers(2**31))
    net = call(f"{net_class.__name__}({d}, {h}, {c}, weight_init_std=0.5, seed={net_seed})",
               net_class, d, h, c, weight_init_std=0.5, seed=net_seed,
               exercise="two_layer_net", question="Keep the __init__ the lesson gives you.")
    _expect_params(net, {"W1": (d, h), "b1": (h,), "W2": (h, c), "b2": (c,)}, net_class)
    for name in TWO_LAYER_PARAMS:  # biases of 0 would hide a mix-up of b1 and b2
        net.params[name][...] = 0.7 * rng.standard_normal(net.params[name].shape)
    x = rng.standard_normal((n, d))
    t = rng.integers(0, c, n)
    before = {k: v.copy() for k, v in net.params.items()}

    grads = call(tr("{net_class___name}.gradient(x, t) with x of shape {x_shape}",
                    net_class___name=net_class.__name__, x_shape=x.shape), net.gradient,
                 x, t, exercise="two_layer_net", recognise=_recognise_gradient_error)
    for name in TWO_LAYER_PARAMS:
        if not np.array_equal(net.params[name], before[name]):
            fail("two_layer_net.params_changed",
                 tr("gradient changed self.params[{name!r}]: it should only compute "
                    "gradients. Whose job is updating the weights?",
                    name=name), "two_layer_net")
    _expect_grad_dict(grads, net.params, TWO_LAYER_PARAMS)

    reference = TwoLayerNet(d, h, c)
    for name in TWO_LAYER_PARAMS:
        reference.params[name][...] = net.params[name]
    expected = reference.gradient(x, t)
    for name in TWO_LAYER_PARAMS:
        if not is_close(grads[name], expected[name], rtol=1e-5, atol=1e-9):
            fail(*_diagnose_gradient(name, grads, expected, net.params, reference, x, t),
                 "two_layer_net")

    numeric = {
        name: numerical_gradient(lambda: net.loss(x, t), net.params[name])
        for name in TWO_LAYER_PARAMS
    }
    expect_gradients_match({name: grads[name] for name in TWO_LAYER_PARAMS}, numeric,
                           tr("{net_class___name}.gradient (x of shape {x_shape})",
                              net_class___name=net_class.__name__, x_shape=x.shape),
                           GRADIENT_TOLERANCE, "two_layer_net")
    passed(f"{net_class.__name__}.gradient", "every parameter's gradient, checked numerically",
           len(TWO_LAYER_PARAMS))


def scaled_error(analytic, numeric):
    """Largest difference divided by the largest entry: ``max|a - n| / max(max|a|, max|n|)``.

    Unlike an entry-by-entry relative error it does not blow up on entries of 1e-7 (a ReLU
    that fired for one sample only), where central differences' rounding (~1e-11) dominates.
    """
    return gradient_error(analytic, numeric)


def _expect_params(net, shapes, net_class):
    params = getattr(net, "params", None)
    for name, shape in shapes.items():
        if params is None or name not in params or np.shape(params[name]) != shape:
            fail("two_layer_net.params_changed_shape",
                 tr("{net_class___name}.params should hold {join_shapes} with shapes "
                    "{join_map_str_shapes_values}; keep the __init__ the lesson gives you.",
                    net_class___name=net_class.__name__, join_shapes=', '.join(shapes),
                    join_map_str_shapes_values=', '.join(map(str, shapes.values()))),
                    "two_layer_net")


def _recognise_gradient_error(error):
    """(mistake_id, message) for the errors a wrong backward loop raises, else None."""
    if isinstance(error, BackwardBeforeForwardError):
        return "two_layer_net.backward_before_forward", (
            tr("gradient ran a backward pass before any forward pass ({error}). Where do "
               "the layers get what their backward needs?",
               error=error))
    if isinstance(error, ValueError) and "dout has shape" in str(error):
        return "two_layer_net.backward_order", (
            tr("gradient raised ValueError: {error}. A layer got a dout that does not fit "
               "its output: in which order must the backward pass visit the layers?",
               error=error))
    if isinstance(error, ValueError) and "broadcast" in str(error):
        return "two_layer_net.dout_not_chained", (
            tr("gradient raised ValueError: {error}. A layer got a dout of another layer's "
               "shape: what does each backward return, and who needs it next?",
               error=error))
    if isinstance(error, AttributeError) and "'str' object" in str(error):
        return "two_layer_net.loop_over_keys", (
            tr("gradient raised AttributeError: {error}. Looping over a dict gives its "
               "keys, the layer NAMES: how do you get the layers themselves?",
               error=error))
    return None


def _expect_grad_dict(grads, params, names):
    expect_value(grads, "gradient", "two_layer_net")
    if not hasattr(grads, "keys"):
        fail("common.wrong_type",
             tr("gradient returned a {type_grads___name}; it should return a dict "
                "{{{join_repr_n_d_n_for_n_in_names}}}.",
                type_grads___name=type(grads).__name__,
                join_repr_n_d_n_for_n_in_names=', '.join(repr(n) + ': d' + n for n in names)),
                "two_layer_net")
    missing = [n for n in names if n not in grads]
    if missing:
        fail("common.wrong_keys",
             tr("the dict gradient returned lacks {join_map_repr_missing} (it has "
                "{sorted_grads_keys}); it needs one entry per parameter: {join_names}.",
                join_map_repr_missing=', '.join(map(repr, missing)),
                sorted_grads_keys=sorted(grads.keys()), join_names=', '.join(names)),
             "two_layer_net")
    for name in names:
        shape, expected = np.shape(grads[name]), np.shape(params[name])
        if shape == expected:
            continue
        question = "Which layer holds that parameter's gradient?"
        others = [o for o in names if o != name and np.shape(params[o]) == shape]
        if others:
            question = (
                tr("That is the shape of {others_0}: did you take it from the wrong layer? "
                   "Affine1 holds W1 and b1, Affine2 holds W2 and b2.",
                   others_0=others[0])
            )
        fail("two_layer_net.wrong_layer" if others else "common.wrong_shape",
             tr("grads[{name!r}] has shape {shape} but {name} has shape {expected}; a "
                "gradient has the shape of its parameter. {question}",
                name=name, shape=shape, expected=expected, question=question), "two_layer_net")


def _diagnose_gradient(name, grads, expected, params, reference, x, t):
    """(mistake_id, message) for a gradient that differs from the reference's."""
    got = grads[name]
    layer = f"self.layers['Affine{name[1:]}']"
    if is_close(got, params[name]):
        return "two_layer_net.parameter_not_gradient", (
            tr("grads[{name!r}] is the parameter {name} itself, not its gradient. After the "
               "backward pass, where does {layer} keep the gradient of {name}?",
               name=name, layer=layer))
    if is_close(got, -expected[name], rtol=1e-5, atol=1e-9):
        return "two_layer_net.wrong_sign", (
            tr("grads[{name!r}] has the wrong sign. Where does the backward pass start, and "
               "which step along the way changes the sign?",
               name=name))
    for other in TWO_LAYER_PARAMS:
        if other != name and is_close(got, expected[other], rtol=1e-5, atol=1e-9):
            return "two_layer_net.wrong_layer", (
                tr("grads[{name!r}] holds the gradient of {other}. Affine1 holds W1 and b1, "
                   "Affine2 holds W2 and b2: which layer is {name}'s?",
                   name=name, other=other))
    if name in ("W1", "b1") and is_close(got, _skipping_relu(reference, x, t)[name]):
        return "two_layer_net.skips_relu", (
            tr("grads[{name!r}] is what you get when the backward loop skips Relu1. Relu1 "
               "blocks the gradient where its input was <= 0: must dout pass through it on "
               "the way back?",
               name=name))
    if name in ("W1", "b1") and is_close(got, _unchained(reference, x, t).get(name)):
        return "two_layer_net.dout_not_chained", (
            tr("grads[{name!r}] is what you get when every layer is handed the loss layer's "
               "dout. What does each backward return, and which layer needs it next?",
               name=name))
    return "common.wrong_values", (
        tr("grads[{name!r}] is wrong (relative error {rel_error_got_expected_name:.1e} from "
           "backprop through the reference layers, x of shape {x_shape}). Does the backward "
           "pass start at the loss layer and visit every layer, last to first?",
           name=name, rel_error_got_expected_name=rel_error(got, expected[name]),
           x_shape=x.shape))


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
    ``network.params`` in place, and return one loss per step.
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
    _expect_history(_run(train, net, x, t, 0.1, steps, 8, 1), steps)
    if len(net.calls) != steps:
        fail("train.gradient_calls",
             tr("train called network.gradient {len_net_calls} times for steps={steps}. How "
                "many gradients does one step of gradient descent need, and on which data?",
                len_net_calls=len(net.calls), steps=steps), "train")

    steps, lr, batch = 150, 0.5, 16
    net = fresh()
    start = float(net.loss(x, t))
    history = _expect_history(_run(train, net, x, t, lr, steps, batch, 2), steps)
    end = float(net.loss(x, t))
    if not end < 0.7 * start:
        fail("train.loss_not_lowered",
             tr("after {steps} steps (lr={lr}, batch_size={batch}) the loss on all {n} "
                "samples went from {start:.3f} to {end:.3f}; gradient descent on this easy "
                "data should at least cut it by 30 %. Does each step move the parameters "
                "against the gradient?",
                steps=steps, lr=lr, batch=batch, n=n, start=start, end=end),
             "train")
    if np.ptp(history) == 0:
        fail("train.history_constant",
             tr("the loss history holds the same number ({history_0:.4g}) {steps} times. "
                "Which loss is recorded: the current step's batch, or a value from before "
                "the loop?",
                history_0=history[0], steps=steps),
             "train")
    if not history[-10:].mean() < history[:10].mean():
        fail("train.history_stale",
             tr("the loss history does not go down (first 10 steps average "
                "{history_10_mean:.3f}, last 10 average {history_10_mean_:.3f}), although "
                "the network learned. Is the loss recorded from the current step?",
                history_10_mean=history[:10].mean(), history_10_mean_=history[-10:].mean()),
                "train")

    first = _run(train, fresh(), x, t, 0.1, 10, 8, 7)
    second = _run(train, fresh(), x, t, 0.1, 10, 8, 7)
    if not np.array_equal(np.asarray(first, float), np.asarray(second, float)):
        fail("train.not_reproducible",
             "two runs with the same seed gave different loss histories. Where do the batches' "
             "random numbers come from, and is that generator seeded once with seed?", "train")
    third = _run(train, fresh(), x, t, 0.1, 10, 8, 8)
    if np.array_equal(np.asarray(first, float), np.asarray(third, float)):
        fail("train.ignores_seed",
             "runs with seeds 7 and 8 gave identical loss histories: train ignores its seed. "
             "Which random generator draws the batches?", "train")
    passed("train", "mini-batches, in-place updates against the gradient, seeded", 7)


def _run(train, net, x, t, lr, steps, batch_size, seed):
    what = (tr("train(network, x of shape {x_shape}, t of shape {t_shape}, lr={lr}, "
               "steps={steps}, batch_size={batch_size}, seed={seed})",
               x_shape=x.shape, t_shape=t.shape, lr=lr, steps=steps, batch_size=batch_size,
               seed=seed))
    return call(what, train, net, x, t, lr=lr, steps=steps, batch_size=batch_size, seed=seed,
                exercise="train")


def _expect_history(history, steps):
    """The history as a float64 array of ``steps`` finite losses."""
    expect_value(history, "train", "train")
    try:
        values = np.asarray(history, dtype=np.float64)
    except (TypeError, ValueError):
        fail("common.wrong_type",
             tr("train should return a list of {steps} losses (floats); it returned "
                "{type_history___name} that is not a list of numbers.",
                steps=steps, type_history___name=type(history).__name__), "train")
    if values.shape != (steps,):
        fail("train.history_length",
             tr("train returned {values_size} losses (shape {values_shape}) for "
                "steps={steps}. How many losses does one step record?",
                values_size=values.size, values_shape=values.shape, steps=steps), "train")
    if not np.all(np.isfinite(values)):
        fail("train.diverged", "the loss history contains nan or inf: is the learning rate huge, "
             "or does a step move the parameters the wrong way?", "train")
    return values


def _check_one_step(train, net, x, t, lr, batch_size, seed):
    """One step, watched closely: which batch, which update, which arrays."""
    before = {k: v.copy() for k, v in net.params.items()}
    _expect_history(_run(train, net, x, t, lr, 1, batch_size, seed), 1)
    if not net.calls:
        fail("train.no_gradient", "train never called network.gradient. What does a step of "
             "gradient descent need before it can move the parameters?", "train")
    for name in before:
        layer = net.layers[f"Affine{name[1:]}"]
        held = layer.W if name.startswith("W") else layer.b
        if net.params.get(name) is not held:
            fail("train.params_replaced",
                 tr("after train, network.params[{name!r}] is no longer the array that "
                    "network.layers['Affine{name_1}'] holds: the update made a NEW array "
                    "and put it in the dict, but the layers still hold the old one, so "
                    "predict and loss never see the update. How can an array be changed in "
                    "place?",
                    name=name, name_1=name[1:]), "train")
    if all(np.array_equal(net.params[k], before[k]) for k in before):
        fail("train.params_unchanged",
             "train did not change network.params. After computing the gradients, what must "
             "happen to every parameter?", "train")
    bx, bt, grads = net.calls[-1]
    rows = len(bx)
    if rows == len(x) and batch_size < len(x):
        fail("train.full_batch",
             tr("train computed the gradient on all {len_x} samples, not on a mini-batch of "
                "batch_size={batch_size}. How do you pick batch_size distinct rows at "
                "random?",
                len_x=len(x), batch_size=batch_size),
             "train")
    if rows != batch_size:
        fail("train.batch_size",
             tr("the batch given to network.gradient has {rows} rows; batch_size was "
                "{batch_size}.",
                rows=rows, batch_size=batch_size), "train")
    _expect_matching_batch(bx, bt, x, t)
    _diagnose_update({k: net.params[k] - before[k] for k in before}, grads, lr)


def _expect_matching_batch(bx, bt, x, t):
    for row, label in zip(bx, bt, strict=False):
        matches = np.flatnonzero(np.all(x == row, axis=1))
        if matches.size == 0:
            fail("train.batch_not_from_x",
                 "the batch given to network.gradient holds rows that are not rows of x. Which "
                 "rows of x did the sampled indices pick?", "train")
        if not np.any(t[matches] == label):
            fail("train.batch_targets_mismatch",
                 "the batch's targets do not belong to the batch's samples: were x and t "
                 "indexed with the SAME indices, or with two separate random draws?", "train")


def _diagnose_update(step, grads, lr):
    expected = {k: -lr * grads[k] for k in step}
    wrong = [k for k in step if not is_close(step[k], expected[k], rtol=1e-6, atol=1e-12)]
    if not wrong:
        return
    if all(is_close(step[k], -expected[k], rtol=1e-6, atol=1e-12) for k in step):
        fail("train.uphill",
             "train moved every parameter WITH its gradient, uphill: the loss grows that way. "
             "Which direction lowers the loss?", "train")
    if all(is_close(step[k], -grads[k], rtol=1e-6, atol=1e-12) for k in step):
        fail("train.ignores_lr",
             tr("train moved every parameter by the whole gradient, ignoring lr={lr}. What "
                "sets the size of a step?",
                lr=lr), "train")
    unchanged = [k for k in wrong if not np.any(step[k])]
    if unchanged:
        fail("train.some_params_not_updated",
             tr("train updated only {sorted_set_step_set_unchanged}, not "
                "{sorted_unchanged}: does the update visit every key of network.params?",
                sorted_set_step_set_unchanged=sorted(set(step) - set(unchanged)),
                sorted_unchanged=sorted(unchanged)),
             "train")
    k = wrong[0]
    fail("train.wrong_update",
         tr("one step should change network.params[{k!r}] (shape {step_k_shape}) by lr "
            "times the gradient of the batch, against it; it changed by something else "
            "(relative error {rel_error_step_k_expected_k:.1e}). Are the gradients computed "
            "once per step, before the update?",
            k=k, step_k_shape=step[k].shape,
            rel_error_step_k_expected_k=rel_error(step[k], expected[k])), "train")


# --- lesson 08: finished runs ------------------------------------------------------------


def check_accuracy(network, x, t, at_least, what="the network", hint=""):
    """Fail unless ``network.accuracy(x, t) >= at_least``; x: (N, D), t: (N,) labels."""
    accuracy = float(call(f"{what}.accuracy(x, t)", network.accuracy, x, t))
    if not accuracy >= at_least:
        correct = int(round(accuracy * len(x)))
        fail("run.accuracy_too_low",
             tr("{what} classifies {correct} of {len_x} samples correctly ({accuracy:.1%}); "
                "it needs at least {at_least:.0%}.",
                what=what, correct=correct, len_x=len(x), accuracy=accuracy, at_least=at_least)
                + (f" {hint}" if hint else ""))
    passed(what, tr("{accuracy:.0%} of {len_x} samples classified correctly",
                    accuracy=accuracy, len_x=len(x)), 1)


def check_final_loss(network, x, t, below, what="the network", hint=""):
    """Fail unless ``network.loss(x, t) < below``; x: (N, D), t: the targets loss expects."""
    loss = float(call(f"{what}.loss(x, t)", network.loss, x, t))
    if not loss < below:
        fail("run.loss_too_high",
             tr("{what} has loss {loss:.4g} on x of shape {np_shape_x}; it needs less than "
                "{below:.4g}.",
                what=what, loss=loss, np_shape_x=np.shape(x), below=below)
                + (f" {hint}" if hint else ""))
    passed(what, tr("loss {loss:.4g} on {len_x} samples",
                    loss=loss, len_x=len(x)), 1)
