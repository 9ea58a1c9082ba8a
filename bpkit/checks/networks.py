"""Checks for lesson 08's networks: the backward pass of a network of any depth, and L2 weight
decay added to a network's loss and gradients.

Each check builds the student's network class on fresh sizes and seeds, compares with bpkit's
reference ``MultiLayerNet`` holding the same weights and with central differences, and names
what the answer did when they differ (which parameters, which depth, which activation).
"""

import numpy as np

from ..gradcheck import numerical_gradient
from ..i18n import tr
from ..network import MultiLayerNet as ReferenceNet
from ._student import call, expect_value, fail, gradient_error, is_close, passed, rng_for


def _fail(mistake_id, message):
    """Fail with ``mistake_id``; its first part names the exercise whose hints help."""
    fail(mistake_id, message, exercise=mistake_id.split(".")[0])

__all__ = ["check_multi_layer_gradient", "check_weight_decay", "check_decay_narrows_gap"]

# Backprop against central differences in float64: about 1e-9 when right, 1e-2 or more when
# wrong; the margin covers the rare tiny entry dominated by round-off.
TOLERANCE = 1e-5


def _numerical(net, x, t, names):
    """{name: central-difference gradient of net.loss(x, t)} for the parameters named."""
    return {k: numerical_gradient(lambda: net.loss(x, t), net.params[k]) for k in names}


def _param_names(depth):
    return [f"{kind}{i}" for i in range(1, depth + 1) for kind in ("W", "b")]


def _build(Net, sizes, activation, seed, exercise, **extra):
    what = f"{Net.__name__}({sizes}, activation={activation!r}, weight_init_std=0.5, seed={seed})"
    net = call(what, Net, sizes, activation=activation, weight_init_std=0.5, seed=seed,
               exercise=exercise,
                       **extra)
    params = getattr(net, "params", None)
    names = _param_names(len(sizes) - 1)
    if not isinstance(params, dict) or sorted(params) != sorted(names):
        _fail(
            f"{exercise}.init_changed",
            tr("{what} should hold params {names}; it holds "
               "{sorted_params_if_isinstance_para!r}. Keep the __init__ the lesson gives "
               "you.",
               what=what, names=names,
               sorted_params_if_isinstance_para=sorted(params) if isinstance(params,
               dict) else params)
        )
    return net


def _reference_with(net, sizes, activation):
    """bpkit's network holding copies of the student's weights."""
    reference = ReferenceNet(sizes, activation)
    for name, value in net.params.items():
        reference.params[name][...] = value
    return reference


def _batch_away_from_kinks(reference, rng, n, d):
    """x (n, d) whose pre-activations all stay at least 1e-3 from 0 (ReLU's kink)."""
    for _ in range(200):
        x = rng.standard_normal((n, d))
        out, smallest = x, np.inf
        for name, layer in reference.layers.items():
            out = layer.forward(out)
            if name.startswith("Affine"):
                smallest = min(smallest, float(np.min(np.abs(out))))
        if smallest > 1e-3:
            return x
    return x


def check_multi_layer_gradient(Net, seed=0, depths=(1, 2, 3, 4), activations=("relu", "sigmoid")):
    """``Net(sizes, activation, weight_init_std, seed).gradient(x, t)`` returns every parameter's
    gradient for networks of 1 to 4 Affine layers, with ReLU and with sigmoid, equal to
    bpkit's backprop and to central differences, and leaves the weights as they were."""
    rng = rng_for(seed)
    for activation in activations:
        for depth in depths:
            sizes = [int(v) for v in rng.integers(2, 6, size=depth + 1)]
            sizes[-1] = max(sizes[-1], 2)
            net = _build(Net, sizes, activation, int(rng.integers(2**31)), "multi_layer_gradient")
            names = _param_names(depth)
            for name in names:  # biases of 0 would hide a b mixed up with another
                net.params[name][...] = 0.7 * rng.standard_normal(net.params[name].shape)
            reference = _reference_with(net, sizes, activation)
            n = int(rng.integers(3, 7))
            x = _batch_away_from_kinks(reference, rng, n, sizes[0])
            t = rng.integers(0, sizes[-1], n)
            where = (tr("a {activation} network with sizes {sizes} ({depth} Affine "
                        "layer{s_if_depth_1_else}), x {x_shape}",
                        activation=activation, sizes=sizes, depth=depth,
                        s_if_depth_1_else='s' if depth > 1 else '', x_shape=x.shape))
            before = {k: v.copy() for k, v in net.params.items()}
            grads = call(tr("gradient on {where}",
                            where=where), net.gradient, x, t,
                         exercise="multi_layer_gradient")
            _expect_grads(grads, net.params, names, where, "multi_layer_gradient")
            changed = [k for k in names if not np.array_equal(net.params[k], before[k])]
            if changed:
                _fail(
                    "multi_layer_gradient.changed_weights",
                    tr("gradient changed the weights {changed} on {where}. A gradient only "
                       "measures the slope; who is meant to move the weights, and when?",
                       changed=changed, where=where)
                )
            expected = reference.gradient(x, t)
            wrong = [k for k in names if not is_close(grads[k], expected[k], rtol=1e-5, atol=1e-9)]
            if wrong:
                _fail("multi_layer_gradient.differs_from_backprop",
                      _diagnose(wrong, grads, expected, names, where, depth))
            numeric = _numerical(net, x, t, names)
            errors = {k: gradient_error(grads[k], numeric[k]) for k in names}
            bad = {k: e for k, e in errors.items() if not e < TOLERANCE}
            if bad:
                listed = ", ".join(f"{k}: {e:.1e}" for k, e in bad.items())
                _fail(
                    "multi_layer_gradient.disagrees_numerically",
                    tr("on {where} the gradients disagree with central differences of your "
                       "own net.loss ({listed}). Do predict and loss still compute what the "
                       "lesson gave them?",
                       where=where, listed=listed)
                )
    passed("MultiLayerNet.gradient",
           tr("agrees with backprop and central differences for {len_depths} depths "
              "({min_depths} to {max_depths} Affine layers), {and_join_activations}",
              len_depths=len(depths), min_depths=min(depths), max_depths=max(depths),
              and_join_activations=' and '.join(activations)),
           len(depths) * len(activations))


def _expect_grads(grads, params, names, where, exercise):
    expect_value(grads, tr("gradient on {where}",
                           where=where), exercise)
    if not hasattr(grads, "keys"):
        _fail(
            f"{exercise}.not_a_dict",
            tr("gradient returned a {type_grads___name} on {where}; the training loop looks "
               "gradients up by parameter name, as in params.",
               type_grads___name=type(grads).__name__, where=where)
        )
    missing = [k for k in names if k not in grads]
    if missing:
        _fail(
            f"{exercise}.missing_keys",
            tr("on {where} the dict gradient returned has {sorted_grads} but lacks "
               "{missing}. Every parameter in params needs its gradient: how many Affine "
               "layers does this network have, and does your code depend on that number?",
               where=where, sorted_grads=sorted(grads), missing=missing)
        )
    for name in names:
        shape, expected = np.shape(grads[name]), np.shape(params[name])
        if shape != expected:
            same = [o for o in names if o != name and np.shape(params[o]) == shape]
            also = tr(" That is the shape of {same_0}: which layer did it come from?",
                      same_0=same[0]) if same else ""
            _fail(
                f"{exercise}.wrong_shape",
                tr("on {where}, grads[{name!r}] has shape {shape} but {name} has shape "
                   "{expected}.{also}",
                   where=where, name=name, shape=shape, expected=expected, also=also)
            )


def _diagnose(wrong, grads, expected, names, where, depth):
    for name in wrong:
        for other in names:
            if other != name and is_close(grads[name], expected[other], rtol=1e-5, atol=1e-9):
                return (
                    tr("on {where}, grads[{name!r}] holds the gradient that belongs to "
                       "{other}. Which Affine layer holds {name}, and how does your code "
                       "pair a layer's name with its number?",
                       where=where, name=name, other=other)
                )
        if is_close(grads[name], -expected[name], rtol=1e-5, atol=1e-9):
            return (
                tr("on {where}, grads[{name!r}] has the wrong sign. Where does the backward "
                   "pass start, and does anything on the way flip it?",
                   where=where, name=name)
            )
    last = f"W{depth}"
    if last not in wrong and len(wrong) < len(names):
        return (
            tr("on {where}, the last layer's gradients are right but {wrong} are not. The "
               "gradient reaching a lower layer must pass through every layer above it, "
               "activations included, each one handing on what its backward returned: does "
               "yours?",
               where=where, wrong=wrong)
        )
    return (
        tr("on {where}, {wrong} differ from backprop through bpkit's layers. Where does the "
           "backward pass start, and in which order must it visit the layers?",
           where=where, wrong=wrong)
    )


def check_weight_decay(Net, seed=0):
    """``Net(sizes, activation, weight_init_std, seed, weight_decay=lam)``: the loss grows by
    exactly the L2 penalty of the weights (not the biases), and each dW by the penalty's
    gradient, whatever the network's own loss and gradient are (the difference is checked)."""
    rng = rng_for(seed)
    for depth in (2, 3):
        sizes = [int(v) for v in rng.integers(2, 6, size=depth + 1)]
        sizes[-1] = max(sizes[-1], 2)
        lam = float(rng.uniform(0.05, 0.5))
        net = _build(Net, sizes, "relu", int(rng.integers(2**31)), "weight_decay",
                     weight_decay=lam)
        names = _param_names(depth)
        for name in names:
            net.params[name][...] = 0.7 * rng.standard_normal(net.params[name].shape)
        n = int(rng.integers(3, 7))
        x = _batch_away_from_kinks(_reference_with(net, sizes, "relu"), rng, n, sizes[0])
        t = rng.integers(0, sizes[-1], n)
        where = tr("a network with sizes {sizes} and weight_decay={lam:.3g}",
                   sizes=sizes, lam=lam)
        base = super(Net, net)  # the network without decay: only the new part is checked here
        with_penalty = expect_value(call(tr("loss on {where}",
                                            where=where), net.loss, x, t,
                                         exercise="weight_decay"), tr("loss on {where}",
                                                                      where=where),
                                    "weight_decay")
        penalty = float(with_penalty) - base.loss(x, t)
        weights = sum(float(np.sum(net.params[f"W{i}"] ** 2)) for i in range(1, depth + 1))
        biases = sum(float(np.sum(net.params[f"b{i}"] ** 2)) for i in range(1, depth + 1))
        if not np.isclose(penalty, 0.5 * lam * weights, rtol=1e-7, atol=1e-12):
            if np.isclose(penalty, 0.0, atol=1e-12):
                hint = "it adds nothing. What does the penalty add to the loss?"
            elif np.isclose(penalty, 0.5 * lam * (weights + biases), rtol=1e-7):
                hint = ("that includes the biases. A bias does not multiply any input: does "
                        "making it small make the function smoother?")
            elif np.isclose(penalty, lam * weights, rtol=1e-7):
                hint = ("twice the penalty the lesson defines. Which factor makes the "
                        "derivative of the penalty come out without a 2?")
            else:
                hint = tr("the L2 penalty of these weights is {value_0_5_lam_weights:.6g}.",
                          value_0_5_lam_weights=0.5 * lam * weights)
            _fail(
                "weight_decay.wrong_penalty",
                tr("on {where}, your loss is {penalty:.6g} above the loss without decay: "
                   "{hint}",
                   where=where, penalty=penalty, hint=hint)
            )
        before = {k: v.copy() for k, v in net.params.items()}
        grads = call(tr("gradient on {where}",
                        where=where), net.gradient, x, t, exercise="weight_decay")
        _expect_grads(grads, net.params, names, where, "weight_decay")
        plain = {k: np.copy(v) for k, v in base.gradient(x, t).items()}
        for name in names:
            added = grads[name] - plain[name]
            if name.startswith("b"):
                if not np.allclose(added, 0, atol=1e-12):
                    _fail(
                        "weight_decay.bias_gradient_changed",
                        tr("on {where}, grads[{name!r}] changed with weight decay. The "
                           "penalty holds only the weights W: what is its derivative with "
                           "respect to a bias?",
                           where=where, name=name)
                    )
                continue
            expected = lam * before[name]
            if not np.allclose(added, expected, rtol=1e-7, atol=1e-12):
                if np.allclose(added, 0, atol=1e-12):
                    hint = "nothing was added. The penalty is part of the loss: what is its slope?"
                elif np.allclose(added, -expected, rtol=1e-7):
                    hint = ("the added part has the wrong sign: does the penalty grow or shrink "
                            "as W grows?")
                elif np.allclose(added, 2 * expected, rtol=1e-7):
                    hint = "the added part is twice the penalty's slope: what does the 1/2 cancel?"
                else:
                    hint = "differentiate the penalty with respect to one entry of W."
                _fail(
                    "weight_decay.wrong_added_gradient",
                    tr("on {where}, grads[{name!r}] minus the gradient without decay has "
                       "the wrong size: {hint}",
                       where=where, name=name, hint=hint)
                )
        numeric = _numerical(net, x, t, names)
        bad = {k: e for k in names if not (e := gradient_error(grads[k], numeric[k])) < TOLERANCE}
        if bad:
            listed = ", ".join(f"{k}: {e:.1e}" for k, e in bad.items())
            _fail(
                "weight_decay.disagrees_numerically",
                tr("on {where}, gradient disagrees with central differences of your loss "
                   "({listed}): do loss and gradient include the same penalty?",
                   where=where, listed=listed)
            )
    passed("WeightDecayNet", "the penalty on the loss and its slope on every dW", 4)


def check_decay_narrows_gap(without, with_decay, shrink=0.8):
    """Weight decay narrows the gap between test and training loss to at most ``shrink`` of what
    it was, and the test loss does not get worse. without / with_decay: (train loss, test
    loss) at the end of two runs that differ only in the penalty."""
    gap_without, gap_with = without[1] - without[0], with_decay[1] - with_decay[0]
    if not gap_with <= shrink * gap_without:
        _fail(
            "decay_gap.gap_not_narrowed",
            tr("with weight decay the test loss is {gap_with:.4f} above the training loss, "
               "against {gap_without:.4f} without: the gap should shrink to at most "
               "{shrink:.0%} of that. Is weight_decay large enough to matter next to the "
               "data loss? Try values a factor of 3 to 10 apart.",
               gap_with=gap_with, gap_without=gap_without, shrink=shrink)
        )
    if not with_decay[1] <= without[1]:
        _fail(
            "decay_gap.test_loss_rose",
            tr("with weight decay the test loss rose to {with_decay_1:.4f} (from "
               "{without_1:.4f}): the gap closed because the network fits the data less "
               "well, not because it generalises better. Is weight_decay so large that the "
               "penalty outweighs the data?",
               with_decay_1=with_decay[1], without_1=without[1])
        )
    passed("weight decay", tr("the test-train gap went from {gap_without:.4f} to "
                              "{gap_with:.4f}",
                              gap_without=gap_without, gap_with=gap_with), 2)
