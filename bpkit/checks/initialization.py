"""Checks for lesson 09's initialisers (Glorot, He) and the forward pass that measures how the
activations spread layer by layer.

An initialiser is checked on a large draw (so its standard deviation is known to about 1 %),
on layers whose fan_in and fan_out differ (so the two formulas and the book's simplification
cannot be mistaken for each other), and for its use of the generator it is given.
"""

import numpy as np

from .. import init
from ..i18n import tr
from ._student import call, expect_value, fail, passed, rng_for


def _fail(mistake_id, message):
    """Fail with ``mistake_id``; its first part names the exercise whose hints help."""
    fail(mistake_id, message, exercise=mistake_id.split(".")[0])

__all__ = [
    "check_glorot_normal", "check_he_normal", "check_layer_activations", "expect_own_forward",
]


def _draw(function, name, fan_in, fan_out, seed):
    what = f"{name}({fan_in}, {fan_out}, rng)"
    W = expect_value(call(what, function, fan_in, fan_out, np.random.default_rng(seed),
                          exercise=name), what, name)
    if np.shape(W) != (fan_in, fan_out):
        _fail(
            f"{name}.wrong_shape",
            tr("{what} returned shape {np_shape_W}; a layer with {fan_in} inputs and "
               "{fan_out} outputs has W of shape ({fan_in}, {fan_out}), as x (N, {fan_in}) "
               ". W is (N, {fan_out}).",
               what=what, np_shape_W=np.shape(W), fan_in=fan_in, fan_out=fan_out)
        )
    again = call(what, function, fan_in, fan_out, np.random.default_rng(seed), exercise=name)
    other = call(what, function, fan_in, fan_out, np.random.default_rng(seed + 1),
                 exercise=name)
    if not np.array_equal(W, again):
        _fail(
            f"{name}.ignores_rng",
            tr("{what} gave different weights for two generators made from the same seed: "
               "draw every random number from the rng you are given, so a run can be "
               "repeated.",
               what=what)
        )
    if np.array_equal(W, other):
        _fail(
            f"{name}.same_for_any_seed",
            tr("{what} gave the same weights for generators with different seeds: are the "
               "numbers drawn from the rng you are given?",
               what=what)
        )
    return np.asarray(W, dtype=np.float64)


def _expect_std(W, expected, what, others, exercise):
    std = float(W.std())
    mean = float(W.mean())
    if abs(mean) > 0.05 * expected:
        _fail(
            f"{exercise}.not_centred",
            tr("{what} has mean {mean:.3g}; the weights should be centred on 0, positive "
               "and negative alike. Which distribution are you drawing from?",
               what=what, mean=mean)
        )
    if abs(std / expected - 1) < 0.03:
        return
    for label, value in others.items():
        if abs(std / value - 1) < 0.03:
            _fail(
                f"{exercise}.known_wrong_spread",
                tr("{what} has standard deviation {std:.4g}, which is {label}; the lesson's "
                   "argument gives {expected:.4g}. Go through the variance argument again "
                   "for this layer's sizes.",
                   what=what, std=std, label=label, expected=expected)
            )
    _fail(
        f"{exercise}.wrong_spread",
        tr("{what} has standard deviation {std:.4g}; the variance argument gives "
           "{expected:.4g} for these sizes. Is what you scale by a standard deviation or a "
           "variance?",
           what=what, std=std, expected=expected)
    )


def _sizes(rng):
    fan_in, fan_out = (int(v) for v in rng.choice(np.arange(150, 500), size=2, replace=False))
    if abs(fan_in - fan_out) < 100:  # far enough apart that the formulas differ clearly
        fan_out = fan_in + 150
    return fan_in, fan_out


def check_glorot_normal(glorot_normal, seed=0):
    """glorot_normal(fan_in, fan_out, rng): W (fan_in, fan_out) from N(0, s^2) with Glorot's s,
    drawn from rng."""
    rng = rng_for(seed)
    fan_in, fan_out = _sizes(rng)
    W = _draw(glorot_normal, "glorot_normal", fan_in, fan_out, int(rng.integers(2**31)))
    expected = init.glorot_std(fan_in, fan_out)
    _expect_std(W, expected, f"glorot_normal({fan_in}, {fan_out}, rng)", {
        "the book's simplification, the forward condition alone": init.book_xavier_std(fan_in),
        "the backward condition alone": np.sqrt(1 / fan_out),
        "the variance, not its square root": expected**2,
        "He's scale, made for ReLU": init.he_std(fan_in),
    }, "glorot_normal")
    passed("glorot_normal", tr("shape, spread and generator for a ({fan_in}, {fan_out}) "
                               "layer",
                               fan_in=fan_in, fan_out=fan_out), 4)


def check_he_normal(he_normal, seed=0):
    """he_normal(fan_in, fan_out, rng): W (fan_in, fan_out) from N(0, s^2) with He's s, drawn
    from rng."""
    rng = rng_for(seed)
    fan_in, fan_out = _sizes(rng)
    W = _draw(he_normal, "he_normal", fan_in, fan_out, int(rng.integers(2**31)))
    expected = init.he_std(fan_in)
    _expect_std(W, expected, f"he_normal({fan_in}, {fan_out}, rng)", {
        "the scale without ReLU's correction (what keeps a linear layer's variance)":
            init.book_xavier_std(fan_in),
        "the variance, not its square root": expected**2,
        "computed with fan_out instead of fan_in": init.he_std(fan_out),
        "Glorot's scale": init.glorot_std(fan_in, fan_out),
    }, "he_normal")
    passed("he_normal", tr("shape, spread and generator for a ({fan_in}, {fan_out}) layer",
                           fan_in=fan_in, fan_out=fan_out), 4)


def _reference_activations(x, weights, activation):
    function = {"sigmoid": lambda a: 0.5 * (1 + np.tanh(0.5 * a)),
                "relu": lambda a: np.maximum(0, a)}[activation]
    out, result = x, []
    for W in weights:
        out = function(out @ W)
        result.append(out)
    return result


def check_layer_activations(layer_activations, seed=0):
    """layer_activations(x, weights, activation) returns, for each W in weights, the
    activations after that layer: x @ W1 through the activation, then on through W2, ..."""
    rng = rng_for(seed)
    n, d = int(rng.integers(20, 40)), int(rng.integers(4, 9))
    widths = [int(v) for v in rng.integers(3, 9, size=int(rng.integers(3, 6)))]
    sizes = [d] + widths
    weights = [rng.standard_normal((a, b)) / np.sqrt(a)
               for a, b in zip(sizes, sizes[1:], strict=False)]
    x = rng.standard_normal((n, d))
    for activation in ("sigmoid", "relu"):
        what = tr("layer_activations(x {x_shape}, {len_weights} weight matrices, "
                  "{activation!r})",
                  x_shape=x.shape, len_weights=len(weights), activation=activation)
        kept = [W.copy() for W in weights]
        got = call(what, layer_activations, x.copy(), weights, activation,
                   exercise="layer_activations")
        expect_value(got, what, "layer_activations")
        expected = _reference_activations(x, kept, activation)
        got = list(got)
        if len(got) != len(expected):
            _fail(
                "layer_activations.wrong_count",
                tr("{what} returned {len_got} arrays for {len_weights} layers: one per "
                   "layer, the activations after it. Is x itself in your list, or a layer "
                   "missing?",
                   what=what, len_got=len(got), len_weights=len(weights))
            )
        for i, (a, e) in enumerate(zip(got, expected, strict=True), start=1):
            if np.shape(a) != e.shape:
                _fail(
                    "layer_activations.wrong_shape",
                    tr("{what}: the activations after layer {i} have shape {np_shape_a}, "
                       "expected {e_shape} (N samples, that layer's width).",
                       what=what, i=i, np_shape_a=np.shape(a), e_shape=e.shape)
                )
            if np.allclose(a, e, rtol=1e-7, atol=1e-12):
                continue
            before = x if i == 1 else expected[i - 2]
            if np.allclose(a, before @ kept[i - 1], rtol=1e-7, atol=1e-12):
                _fail(
                    "layer_activations.no_activation",
                    tr("{what}: layer {i}'s output is the weighted sum itself, before the "
                       "activation. What does each layer do after its product?",
                       what=what, i=i)
                )
            if np.allclose(a, _reference_activations(before, [np.eye(before.shape[1])],
                                                     activation)[0] @ kept[i - 1], rtol=1e-7):
                _fail(
                    "layer_activations.activation_first",
                    tr("{what}: layer {i} applies {activation} before its product with "
                       "W{i}. In which order does a layer weigh its inputs and squash the "
                       "result?",
                       what=what, i=i, activation=activation)
                )
            _fail(
                "layer_activations.wrong_values",
                tr("{what}: the activations after layer {i} differ from what {activation} "
                   "of (the previous layer's activations times W{i}) gives, by up to "
                   "{float_np_max_np_abs_np_asarray_a:.3g}. Does each layer start from the "
                   "previous layer's output?",
                   what=what, i=i, activation=activation,
                   float_np_max_np_abs_np_asarray_a=float(np.max(np.abs(np.asarray(a) - e))))
            )
    passed("layer_activations", tr("{len_weights} layers, sigmoid and ReLU",
                                   len_weights=len(weights)), 2)


def expect_own_forward(layer_activations):
    """Hidden: layer_activations is the student's own loop. It may call bpkit's sigmoid and relu
    (the lesson imports them for it), but not bpkit's reference forward or initialisers."""
    from .. import functions
    from ._own_code import globals_used

    allowed = {functions.sigmoid, functions.relu}
    module = getattr(layer_activations, "__module__", "") or ""
    if module.startswith("bpkit"):
        _fail(
            "layer_activations.is_reference",
            tr("layer_activations is bpkit's {module}.{layer_activations___name}: write the "
               "loop yourself.",
               module=module, layer_activations___name=layer_activations.__name__)
        )
    for used in globals_used(layer_activations):
        used_module = getattr(used, "__module__", None) or getattr(used, "__name__", "")
        if used in allowed or not isinstance(used_module, str):
            continue
        if used_module.startswith("bpkit"):
            _fail(
                "layer_activations.calls_reference",
                tr("layer_activations calls bpkit's reference "
                   "({getattr_used___qualname___used}): write the loop yourself; bpkit's "
                   "version is what your answer is compared with.",
                   getattr_used___qualname___used=getattr(used, '__qualname__', used))
            )
