"""Checks for lesson 07's second half: checking nodes with several inputs, naming the wrong
gradients of the two broken layers, and the fixed layers.

The broken layers themselves live in the lesson (the student reads their code); the expected
answer to "which gradients are wrong" lives only in the lesson's hidden test, never here.
"""

import re

import numpy as np

from .. import gradcheck
from ..i18n import tr
from ..layers import DivLayer, Softmax, Tanh
from ._student import call, expect_value, fail, passed, probe, rng_for


def _fail(mistake_id, message):
    """Fail with ``mistake_id``; its first part names the exercise whose hints help."""
    fail(mistake_id, message, exercise=mistake_id.split(".")[0])

__all__ = [
    "check_fixed_layer",
    "check_node_gradient_errors",
    "check_wrong_gradients_answer",
    "check_wrong_gradients_format",
]

# A correct gradient gives about 1e-9 here; the margin covers the rare tiny entry whose
# relative error is mostly round-off. A bug gives 1e-2 or more (see bpkit.gradcheck).
GOOD = 1e-4  # 1e-5 failed a correct answer on 1 seed in 1,000 (a tiny dy entry)
BAD = gradcheck.BUG_ABOVE
GRADIENT_NAMES = ("x", "W", "b")


class _DivWrongSign(DivLayer):
    """A broken division node for the checks: dy has the wrong sign."""

    def backward(self, dout):
        dx, dy = super().backward(dout)
        return dx, -dy


class _SoftmaxZeros(Softmax):
    """A broken softmax whose backward returns zeros: only a check with a random dout sees it,
    because with dout all ones the true gradient is zero too."""

    def backward(self, dout):
        super().backward(dout)
        return np.zeros_like(self.out)


def _nonzero(rng, shape, low=0.5, high=2.0):
    """Numbers of size low..high with random signs: a divisor far from 0."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def _expect_errors(errors, names, what):
    expect_value(errors, what, "node_gradient_errors")
    if not isinstance(errors, dict):
        _fail(
            "node_gradient_errors.not_a_dict",
            tr("{what} returned a {type_errors___name}; the caller expects a dict from each "
               "input's name to one relative error, with the keys {list_names}.",
               what=what, type_errors___name=type(errors).__name__, list_names=list(names))
        )
    if sorted(errors) != sorted(names):
        _fail(
            "node_gradient_errors.wrong_keys",
            tr("{what} returned the keys {sorted_errors}, but this node has {len_names} "
               "input(s), named {list_names} in order. How do you pair each input with its "
               "gradient?",
               what=what, sorted_errors=sorted(errors), len_names=len(names),
               list_names=list(names))
        )
    for key, value in errors.items():
        if np.ndim(value) != 0:
            _fail(
                "node_gradient_errors.not_a_number",
                tr("{what}[{key!r}] has shape {np_shape_value}: each entry should be one "
                   "number, the worst entry's relative error. Which of your functions gives "
                   "that?",
                   what=what, key=key, np_shape_value=np.shape(value))
            )


def check_node_gradient_errors(node_gradient_errors, seed=0):
    """node_gradient_errors(node, inputs, dout) is small for bpkit's correct Tanh, DivLayer and
    Softmax, large on the right input for a division node whose dy is wrong, and large for a
    softmax whose backward returns zeros (which only a random dout exposes)."""
    rng = rng_for(seed)
    n, d = (int(v) for v in rng.choice(np.arange(2, 6), size=2, replace=False))
    cases = [
        ("bpkit's Tanh", Tanh(), (rng.standard_normal((n, d)),)),
        ("bpkit's DivLayer", DivLayer(), (rng.standard_normal((n, d)), _nonzero(rng, (n, d)))),
        ("bpkit's Softmax", Softmax(), (rng.standard_normal((n, d)),)),
    ]
    for name, node, inputs in cases:
        dout = rng.standard_normal((n, d))
        names = "xyz"[: len(inputs)]
        kept = [v.copy() for v in inputs]
        what = tr("node_gradient_errors({name}, {len_inputs} input(s) of shape {n_d}, dout)",
                  name=name, len_inputs=len(inputs), n_d=(n, d))
        errors = call(what, node_gradient_errors, node, inputs, dout,
                      exercise="node_gradient_errors")
        _expect_errors(errors, names, what)
        if any(not np.array_equal(a, b) for a, b in zip(inputs, kept, strict=True)):
            _fail(
                "node_gradient_errors.changed_inputs",
                tr("{what} left the inputs changed. Each perturbed entry must be put back "
                   "exactly: does your numerical gradient restore what it changed?",
                   what=what)
            )
        wrong = {k: v for k, v in errors.items() if not v < GOOD}
        if wrong and isinstance(node, Softmax):
            with_ones = probe(node_gradient_errors, node, inputs, np.ones_like(dout))
            if isinstance(with_ones, dict) and with_ones.get("x") == errors["x"]:
                _fail(
                    "node_gradient_errors.ignores_dout",
                    tr("{what} reports x: {errors_x:.1e} for a CORRECT softmax, exactly "
                       "what it reports with dout all ones. Softmax's outputs always sum to "
                       "1, so with dout all ones the true gradient is 0 and only round-off "
                       "is compared. Does your check use the dout it was given?",
                       what=what, errors_x=errors['x'])
                )
        if wrong:
            listed = ", ".join(f"{k}: {v:.1e}" for k, v in wrong.items())
            _fail(
                "node_gradient_errors.blames_correct_node",
                tr("{what} reports {listed} for a CORRECT node (a right gradient gives "
                   "about 1e-9). The function you differentiate must have backward(dout) as "
                   "its exact gradient: what scalar of the node's output has dout as its "
                   "gradient, and did you run forward then backward before the numerical "
                   "part changed anything?",
                   what=what, listed=listed)
            )
    x, y = rng.standard_normal((n, d)), _nonzero(rng, (n, d))
    what = "node_gradient_errors on a division node whose dy has the wrong sign"
    errors = call(what, node_gradient_errors, _DivWrongSign(), (x, y),
                  rng.standard_normal((n, d)), exercise="node_gradient_errors")
    _expect_errors(errors, "xy", what)
    if not errors["y"] > BAD:
        _fail(
            "node_gradient_errors.missed_bug",
            tr("{what} reports {errors_y:.1e} for y: the check missed a real bug. Is the "
               "second gradient backward returns compared with the numerical gradient of "
               "the second input?",
               what=what, errors_y=errors['y'])
        )
    if not errors["x"] < GOOD:
        _fail(
            "node_gradient_errors.blames_wrong_input",
            tr("{what} blames x ({errors_x:.1e}), whose gradient is right: only y is "
               "broken. Are the gradients paired with the inputs in the same order?",
               what=what, errors_x=errors['x'])
        )
    what = "node_gradient_errors on a softmax whose backward returns all zeros"
    errors = call(what, node_gradient_errors, _SoftmaxZeros(), (rng.standard_normal((n, d)),),
                  rng.standard_normal((n, d)), exercise="node_gradient_errors")
    _expect_errors(errors, "x", what)
    if not errors["x"] > BAD:
        _fail(
            "node_gradient_errors.ignores_dout",
            tr("{what} reports {errors_x:.1e}: it missed the bug. Softmax's outputs always "
               "sum to 1, so with dout all ones the true gradient is 0 as well. Does your "
               "check use the dout it was given?",
               what=what, errors_x=errors['x'])
        )
    passed("node_gradient_errors", "right for correct Tanh, DivLayer and Softmax; catches a "
           "wrong dy and a softmax that returns zeros", 5)


def check_wrong_gradients_format(answer, layers):
    """The answer is a dict {layer name: set of gradient names among x, W, b}."""
    if answer is None:
        _fail(
            "wrong_gradients.not_set",
            "wrong_gradients is not set yet: run your checks on both layers, then set it in "
            "the cell above."
        )
    if not isinstance(answer, dict) or sorted(answer) != sorted(layers):
        _fail(
            "wrong_gradients.not_a_dict",
            tr("wrong_gradients should be a dict with one entry per layer, {list_layers}; "
               "it is {answer!r}.",
               list_layers=list(layers), answer=answer)
        )
    for layer, names in answer.items():
        names = {names} if isinstance(names, str) else names
        try:
            names = set(names)
        except TypeError:
            names = {names}
        with_d = {n for n in names if isinstance(n, str) and n in ("dx", "dW", "db")}
        if with_d:
            _fail(
                "wrong_gradients.named_with_d",
                tr("wrong_gradients[{layer!r}] holds {sorted_with_d}: name the arrays whose "
                   "gradient is wrong, without the d, as your check's dict does.",
                   layer=layer, sorted_with_d=sorted(with_d))
            )
        unknown = {n for n in names if n not in GRADIENT_NAMES}
        if unknown or not names:
            _fail(
                "wrong_gradients.unknown_name",
                tr("wrong_gradients[{layer!r}] is {sorted_map_str_names}: give the set of "
                   "the wrong gradients' names, among {list_GRADIENT_NAMES} (each layer has "
                   "at least one).",
                   layer=layer, sorted_map_str_names=sorted(map(str, names)),
                   list_GRADIENT_NAMES=list(GRADIENT_NAMES))
            )
    passed("wrong_gradients", "one set of gradient names per layer (the hidden test checks "
           "which)", 1)


def check_wrong_gradients_answer(answer, expected):
    """Hidden: the answer names exactly the wrong gradients of each layer."""
    check_wrong_gradients_format(answer, list(expected))
    for layer, wrong in expected.items():
        names = answer[layer]
        names = {names} if isinstance(names, str) else set(names)
        if names - wrong:
            _fail(
                "wrong_gradients.right_named_wrong",
                tr("for {layer} you named {len_names_wrong} gradient(s) as wrong that are "
                   "right. Which of your check's relative errors are above 1e-2, and which "
                   "are near 1e-9?",
                   layer=layer, len_names_wrong=len(names - wrong))
            )
        if wrong - names:
            _fail(
                "wrong_gradients.missed_wrong",
                tr("for {layer} your check finds {len_wrong_names} more wrong gradient(s) "
                   "than you named. Did you check every gradient the layer has, x and its "
                   "parameters?",
                   layer=layer, len_wrong_names=len(wrong - names))
            )
    passed("wrong_gradients", "the wrong gradients of both layers", 2)


def _inputs_away_from_kinks(rng, d, m, n):
    """W (d, m), b (m,), x (n, d) with every pre-activation x W + b at least 0.05 from 0, so a
    ReLU's kink never sits within the numerical step."""
    while True:
        W = rng.standard_normal((d, m)) * 0.8
        b = rng.standard_normal(m) * 0.5
        x = rng.standard_normal((n, d))
        if np.min(np.abs(x @ W + b)) > 0.05:
            return W, b, x


def _snake(name):
    """FixedResidualRelu -> fixed_residual_relu: the exercise (hint ladder) of a class."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def check_fixed_layer(Layer, square=False, seed=0, name=None):
    """Every gradient of ``Layer(W, b)`` (x, W, b) agrees with central differences, on a batch
    whose pre-activations stay away from any kink. square: W is (D, D) (a residual layer)."""
    rng = rng_for(seed)
    name = name or getattr(Layer, "__name__", "the layer")
    exercise = _snake(name) if re.fullmatch(r"[A-Za-z]\w*", name) else "fixed_layer"
    d, m, n = (int(v) for v in rng.choice(np.arange(2, 7), size=3, replace=False))
    if square:
        m = d
    W, b, x = _inputs_away_from_kinks(rng, d, m, n)
    layer = call(f"{name}(W {W.shape}, b {b.shape})", Layer, W, b, exercise=exercise)
    out = call(f"{name}.forward(x {x.shape})", layer.forward, x.copy(), exercise=exercise)
    if np.shape(out) != (n, m):
        _fail(
            f"{exercise}.forward_changed",
            tr("{name}.forward(x {x_shape}) returned shape {np_shape_out}, not {n_m}: the "
               "exercise asks only for backward; keep the forward the layer inherits.",
               name=name, x_shape=x.shape, np_shape_out=np.shape(out), n_m=(n, m))
        )
    dout = rng.standard_normal((n, m))
    dx = call(f"{name}.backward(dout {dout.shape})", layer.backward, dout.copy(),
              exercise=exercise)
    expect_value(dx, f"{name}.backward", exercise)
    if np.shape(dx) != x.shape:
        _fail(
            f"{exercise}.wrong_shape",
            tr("{name}.backward returned shape {np_shape_dx}, but x has shape {x_shape}: a "
               "gradient has the shape of what it is the gradient of.",
               name=name, np_shape_dx=np.shape(dx), x_shape=x.shape)
        )
    errors = call(tr("the gradient check of {name}",
                     name=name), gradcheck.check_layer, layer, x,
                  dout=dout, exercise=exercise)
    wrong = {k: e for k, e in errors.items() if not e < GOOD}
    if wrong:
        listed = ", ".join(f"d{k}: {e:.1e}" for k, e in wrong.items())
        _fail(
            f"{exercise}.still_wrong",
            tr("{name}.backward still disagrees with the numerical gradient ({listed}; a "
               "correct layer gives about 1e-9) on x {x_shape}, W {W_shape}. Go through "
               "forward node by node: which local derivative does that gradient pass "
               "through, and is there more than one path from that input to the output?",
               name=name, listed=listed, x_shape=x.shape, W_shape=W.shape)
        )
    passed(f"{name}.backward", "every gradient agrees with central differences", len(errors))
