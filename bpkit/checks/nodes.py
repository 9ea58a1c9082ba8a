"""Checks for lesson 03: the multiply node (곱셈 노드), the add node (덧셈 노드), the divide node,
the copy (branch, 분기) node, the shop graph and the shop with a delivery fee.

Each check takes the student's class (or function), runs it on scalars and on random arrays,
compares it with bpkit's reference and, when they differ, tries the usual wrong versions to name
the mistake. Layer probing (forward/backward calls, stored state) is ``_layers``.
"""

import types

import numpy as np

from .. import layers as _reference
from ..gradcheck import numerical_gradient
from ..i18n import tr
from ._layers import (
    away_from_zero,
    backward_ignores_forward,
    constant_ratio,
    expect_latest_forward_used,
    fail_ignores_forward,
    input_pairs,
    run_backward,
    run_forward,
    upstream,
)
from ._own_code import globals_used
from ._shop import (
    DELIVERY_INPUTS,
    SHOP_INPUTS,
    notes_delivery_shop,
    notes_shop,
    random_delivery_shop,
    random_shop,
)
from ._student import (
    call,
    describe,
    diagnose,
    expect_close,
    expect_count,
    expect_dtype,
    expect_gradients_match,
    expect_keys,
    expect_shape,
    expect_unchanged,
    expect_value,
    fail,
    is_close,
    kind_of,
    passed,
    probe,
    rng_for,
)

__all__ = [
    "DELIVERY_GRADIENT_NAMES",
    "SHOP_GRADIENT_NAMES",
    "check_add_layer_backward",
    "check_add_layer_forward",
    "check_branch_layer_backward",
    "check_branch_layer_forward",
    "check_branch_numerically",
    "check_delivery_shop",
    "check_div_layer_backward",
    "check_div_layer_forward",
    "check_mul_layer_backward",
    "check_mul_layer_forward",
    "check_shop_graph",
]

# The five inputs of the shop graph, in the order the notes list their gradients.
SHOP_GRADIENT_NAMES = SHOP_INPUTS
# The delivery shop's six inputs: the five above and the delivery fee per apple.
DELIVERY_GRADIENT_NAMES = DELIVERY_INPUTS


def _check_forward(Layer, name, rng, combine, other, other_id, other_words, exercise):
    """forward(x, y) == combine(x, y) on every input pair, keeping the dtype."""
    pairs = input_pairs(rng)
    for x, y in pairs:
        _, out = run_forward(Layer, name, x, y, exercise=exercise)
        where = tr("{name}.forward(x, y) with {describe_x_x} and {describe_y_y}",
                   name=name, describe_x_x=describe(x, 'x'), describe_y_y=describe(y, 'y'))
        if out is not None and not is_close(out, combine(x, y)) and is_close(out, other(x, y)):
            fail(other_id, tr("{where} returned {other_words}. Which operation does this "
                              "node stand for in the graph?",
                              where=where, other_words=other_words), exercise)
        expect_close(out, combine(x, y), where, exercise=exercise)
        expect_dtype(out, np.result_type(x, y), where, exercise)
    return len(pairs)


# --------------------------------------------------------------------------------------------
# MulLayer


def check_mul_layer_forward(MulLayer, seed=0):
    """``MulLayer().forward(x, y)`` multiplies, for scalars and arrays, keeping the dtype."""
    n = _check_forward(MulLayer, "MulLayer", rng_for(seed), np.multiply, np.add,
                       "mul_layer.forward_adds", "x + y", "mul_layer")
    passed("MulLayer.forward", "multiplies numbers and arrays, keeping their dtype", n)


def check_mul_layer_backward(MulLayer, seed=0):
    """``backward(dout)`` returns (dx, dy) of the multiply node and names the usual mistakes.

    Tries scalars, random arrays of a random shape and float32 arrays; checks that dout is not
    changed in place and that backward uses the inputs of the latest forward call.
    """
    rng = rng_for(seed)
    pairs = input_pairs(rng)
    for x, y in pairs:
        dout = upstream(rng, np.shape(x), np.result_type(x, y))
        layer, _ = run_forward(MulLayer, "MulLayer", x, y, exercise="mul_layer")
        grads = run_backward(layer, "MulLayer", dout, 2, exercise="mul_layer")
        expected = (dout * y, dout * x)
        if not all(is_close(g, e) for g, e in zip(grads, expected, strict=True)):
            _diagnose_mul(MulLayer, grads, x, y, dout, rng)
        for g, e, name in zip(grads, expected, ("dx", "dy"), strict=True):
            expect_dtype(g, np.asarray(e).dtype, f"MulLayer.backward's {name}", "mul_layer")
    expect_latest_forward_used(MulLayer, "MulLayer", 2, rng, exercise="mul_layer")
    passed("MulLayer.backward", "each input gets dout times its local derivative",
           len(pairs) + 1)


def _diagnose_mul(MulLayer, grads, x, y, dout, rng):
    dx, dy = grads
    where = tr("MulLayer.backward(dout) after forward({describe_x_x}, {describe_y_y})",
               describe_x_x=describe(x, 'x'), describe_y_y=describe(y, 'y'))
    for g, name in ((dx, "dx"), (dy, "dy")):
        expect_value(g, f"{where}: {name}", "mul_layer")
        expect_shape(g, np.shape(x), f"{where}: {name}",
                     "Each gradient has the shape of its input.", "mul_layer")
    got = tr("got dx = {show_dx} and dy = {show_dy}",
             show_dx=_show(dx), show_dy=_show(dy))
    if is_close(dx, dout * x) and is_close(dy, dout * y):
        fail("mul_layer.swapped_gradients",
             tr("{where} returned the gradients swapped ({got}). If x moves by a little, "
                "how much does x * y move: by a multiple of x, or of the OTHER input?",
                where=where, got=got), "mul_layer")
    if is_close(dx, y) and is_close(dy, x):
        fail("mul_layer.no_dout",
             tr("{where} returned the local derivatives without dout ({got}). The chain "
                "rule (연쇄법칙): what must each local derivative be multiplied by?",
                where=where, got=got), "mul_layer")
    if is_close(dx, x) and is_close(dy, y):
        fail("mul_layer.inputs_returned",
             tr("{where} returned the inputs themselves ({got}): the gradients are swapped "
                "AND dout is missing. What is the derivative of x * y by x?",
                where=where, got=got), "mul_layer")
    if backward_ignores_forward(MulLayer, "MulLayer", 2, "x and y", rng, "mul_layer"):
        if is_close(dx, dout) and is_close(dy, dout):
            fail("mul_layer.add_rule",
                 tr("{where} passed dout unchanged to both inputs ({got}); that is the ADD "
                    "node's rule. What does a multiply node's local derivative depend on?",
                    where=where, got=got), "mul_layer")
        fail_ignores_forward("MulLayer", "mul_layer")
    expect_close(dx, dout * y, f"{where}: dx", exercise="mul_layer")
    expect_close(dy, dout * x, f"{where}: dy", exercise="mul_layer")


def _show(value):
    return f"{float(value):.6g}" if np.ndim(value) == 0 else tr("an array of shape "
                                                                "{np_shape_value}",
                                                                np_shape_value=np.shape(value))


# --------------------------------------------------------------------------------------------
# AddLayer


def check_add_layer_forward(AddLayer, seed=0):
    """``AddLayer().forward(x, y)`` adds, for scalars and arrays, keeping the dtype."""
    n = _check_forward(AddLayer, "AddLayer", rng_for(seed), np.add, np.multiply,
                       "add_layer.forward_multiplies", "x * y", "add_layer")
    passed("AddLayer.forward", "adds numbers and arrays, keeping their dtype", n)


def check_add_layer_backward(AddLayer, seed=0):
    """``backward(dout)`` returns the add node's pair (dx, dy), unscaled, in dout's shape.

    Recognises: one value instead of a pair, dout halved or otherwise scaled, dout multiplied
    by an input, 1 instead of dout, dout changed in place, the wrong shape or dtype.
    """
    rng = rng_for(seed)
    pairs = input_pairs(rng)
    for x, y in pairs:
        dout = upstream(rng, np.shape(x), np.result_type(x, y))
        layer, _ = run_forward(AddLayer, "AddLayer", x, y, exercise="add_layer")
        grads = run_backward(layer, "AddLayer", dout, 2, exercise="add_layer")
        if not all(is_close(g, dout) for g in grads):
            _diagnose_add(grads, x, y, dout)
        for g, name in zip(grads, ("dx", "dy"), strict=True):
            expect_dtype(g, np.asarray(dout).dtype, f"AddLayer.backward's {name}", "add_layer")
    passed("AddLayer.backward", "dout reaches both inputs", len(pairs))


def _diagnose_add(grads, x, y, dout):
    where = tr("AddLayer.backward(dout) with {describe_dout_dout}",
               describe_dout_dout=describe(dout, 'dout'))
    for g, name in zip(grads, ("dx", "dy"), strict=True):
        expect_value(g, f"{where}: {name}", "add_layer")
        expect_shape(g, np.shape(dout), f"{where}: {name}", "Each gradient has dout's shape.",
                     "add_layer")
        if is_close(g, dout * x) or is_close(g, dout * y):
            fail("add_layer.mul_rule",
                 tr("{where}: {name} is dout times an input; that is the MULTIPLY node's "
                    "rule. If x moves by a little, how much does x + y move?",
                    where=where, name=name), "add_layer")
        if is_close(g, np.ones_like(dout)):
            fail("add_layer.local_derivative_only",
                 tr("{where}: {name} is 1, the local derivative alone. By the chain rule, "
                    "what does the local derivative multiply?",
                    where=where, name=name), "add_layer")
        scale = constant_ratio(g, dout)
        if scale is not None:
            if np.isclose(scale, 0.5):
                fail("add_layer.halved",
                     tr("{where}: {name} halved dout, as if the gradient were shared out "
                        "between the inputs. What is the add node's local derivative for "
                        "each input?",
                        where=where, name=name),
                     "add_layer")
            fail("add_layer.scaled",
                 tr("{where}: {name} scaled dout by {scale:.4g}. What is the add node's "
                    "local derivative for each input, and what does the chain rule multiply "
                    "it by?",
                    where=where, name=name, scale=scale),
                 "add_layer")
        expect_close(g, dout, f"{where}: {name}", exercise="add_layer")


# --------------------------------------------------------------------------------------------
# DivLayer (a derivation: no formula of its backward is printed in the lesson)


def check_div_layer_forward(DivLayer, seed=0):
    """``DivLayer().forward(x, y)`` divides x by y, for scalars and arrays, keeping the dtype."""
    n = _check_forward(DivLayer, "DivLayer", rng_for(seed), np.divide,
                       lambda x, y: np.divide(y, x), "div_layer.forward_swapped",
                       "y / x: the inputs the other way round", "div_layer")
    passed("DivLayer.forward", "divides numbers and arrays, keeping their dtype", n)


def check_div_layer_backward(DivLayer, seed=0):
    """``backward(dout)`` returns (dx, dy) of the divide node and names the usual mistakes."""
    rng = rng_for(seed)
    pairs = input_pairs(rng)
    for x, y in pairs:
        dout = upstream(rng, np.shape(x), np.result_type(x, y))
        layer, _ = run_forward(DivLayer, "DivLayer", x, y, exercise="div_layer")
        grads = run_backward(layer, "DivLayer", dout, 2, exercise="div_layer")
        expected = _reference_grads(_reference.DivLayer, (x, y), dout)
        if not all(is_close(g, e, rtol=1e-5) for g, e in zip(grads, expected, strict=True)):
            _diagnose_div(DivLayer, grads, expected, x, y, dout, rng)
        for g, e, name in zip(grads, expected, ("dx", "dy"), strict=True):
            expect_dtype(g, np.asarray(e).dtype, f"DivLayer.backward's {name}", "div_layer")
    expect_latest_forward_used(DivLayer, "DivLayer", 2, rng, exercise="div_layer")
    passed("DivLayer.backward", "each input gets dout times its local derivative",
           len(pairs) + 1)


def _reference_grads(Reference, inputs, dout):
    layer = Reference()
    layer.forward(*inputs)
    return layer.backward(dout)


def _diagnose_div(DivLayer, grads, expected, x, y, dout, rng):
    dx, dy = grads
    want_dx, want_dy = expected
    where = tr("DivLayer.backward(dout) after forward({describe_x_x}, {describe_y_y})",
               describe_x_x=describe(x, 'x'), describe_y_y=describe(y, 'y'))
    for g, name in ((dx, "dx"), (dy, "dy")):
        expect_value(g, f"{where}: {name}", "div_layer")
        expect_shape(g, np.shape(x), f"{where}: {name}",
                     "Each gradient has the shape of its input.", "div_layer")
    got = tr("got dx = {show_dx} and dy = {show_dy}",
             show_dx=_show(dx), show_dy=_show(dy))
    if is_close(dx, want_dy) and is_close(dy, want_dx):
        fail("div_layer.swapped_gradients",
             tr("{where} returned the gradients swapped ({got}). The two inputs play "
                "different parts in x / y: which one sits in the denominator?",
                where=where, got=got), "div_layer")
    if is_close(dx, want_dx / dout) and is_close(dy, want_dy / dout):
        fail("div_layer.no_dout",
             tr("{where} returned the local derivatives without dout ({got}). The chain "
                "rule (연쇄법칙): what must each local derivative be multiplied by?",
                where=where, got=got), "div_layer")
    if is_close(dx, dout * y) and is_close(dy, dout * x):
        fail("div_layer.mul_rule",
             tr("{where} returned the multiply node's gradients ({got}): each input got "
                "dout times the other input. But y divides here: if y doubles, what happens "
                "to x / y?",
                where=where, got=got),
             "div_layer")
    diagnose(dy, want_dy, [
        (-want_dy, "div_layer.dy_sign",
         tr("dy has the wrong sign ({got}). When the divisor y grows a little and x stays, "
            "does x / y grow or shrink?",
            got=got)),
        (want_dy * y, "div_layer.dy_power",
         tr("dy is y times too large ({got}): it changes like 1/y, but the output of the "
            "node changes with y faster than that. Try y = 2 and y = 2.001 with x = 1: how "
            "much does x / y move, per unit of y?",
            got=got)),
        (want_dy / x, "div_layer.dy_missing_x",
         tr("dy does not depend on x ({got}), yet x / y with a larger x changes more when y "
            "moves. Which factor of the local derivative by y was left out?",
            got=got)),
    ], where, "div_layer", rtol=1e-5)
    diagnose(dx, want_dx, [
        (dout * y, "div_layer.dx_mul_rule",
         tr("dx is dout times y ({got}), the multiply node's rule. If x grows by 1 while y "
            "stays, by how much does x / y grow?",
            got=got)),
        (-want_dx, "div_layer.dx_sign",
         tr("dx has the wrong sign ({got}). When x grows and y stays (y > 0), does x / y "
            "grow or shrink?",
            got=got)),
    ], where, "div_layer", rtol=1e-5)
    if backward_ignores_forward(DivLayer, "DivLayer", 2, "x and y", rng, "div_layer"):
        fail_ignores_forward("DivLayer", "div_layer")
    expect_close(dx, want_dx, f"{where}: dx", rtol=1e-5, exercise="div_layer",
                 question="What is x / y's local derivative by x, with y held fixed?")
    expect_close(dy, want_dy, f"{where}: dy", rtol=1e-5, exercise="div_layer",
                 question="What is x / y's local derivative by y, with x held fixed?")


# --------------------------------------------------------------------------------------------
# BranchLayer: one input, two outputs (a derivation: no formula of its backward is printed)


def _branch_inputs(rng):
    """x for the branch node: a number, a float64 array of a random shape, a float32 array."""
    shape = tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 4)))
    return [float(rng.integers(2, 9)), away_from_zero(rng, shape),
            away_from_zero(rng, (2, 3)).astype(np.float32)]


def check_branch_layer_forward(BranchLayer, seed=0):
    """``BranchLayer().forward(x)`` returns two outputs, each equal to x, keeping the dtype."""
    cases = _branch_inputs(rng_for(seed))
    for x in cases:
        _, out = run_forward(BranchLayer, "BranchLayer", x, exercise="branch_layer")
        where = f"BranchLayer.forward({describe(x, 'x')})"
        expect_value(out, where, "branch_layer")
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            fail("branch_layer.one_output",
                 tr("{where} returned {kind_of_out}, not two outputs. The branch node feeds "
                    "TWO nodes: what does each of them receive?",
                    where=where, kind_of_out=kind_of(out)), "branch_layer")
        for value, name in zip(out, ("out1", "out2"), strict=True):
            if is_close(value, 2 * np.asarray(x)) or is_close(value, np.asarray(x) / 2):
                fail("branch_layer.scaled_copy",
                     tr("{where}: {name} is not x but {show_scale_value_x}. A branch copies "
                        "its input: does anything happen to the value on the way?",
                        where=where, name=name, show_scale_value_x=_show_scale(value, x)),
                     "branch_layer")
            expect_close(value, x, f"{where}: {name}", exercise="branch_layer")
            expect_dtype(value, np.asarray(x).dtype, f"{where}: {name}", "branch_layer")
    passed("BranchLayer.forward", "two copies of x", len(cases))


def _show_scale(value, x):
    return "2x" if is_close(value, 2 * np.asarray(x)) else "x / 2"


def check_branch_layer_backward(BranchLayer, seed=0):
    """``backward(dout1, dout2)`` returns the one gradient of x from the two branches'."""
    rng = rng_for(seed)
    cases = _branch_inputs(rng)
    for x in cases:
        layer, _ = run_forward(BranchLayer, "BranchLayer", x, exercise="branch_layer")
        dtype = np.asarray(x).dtype
        dout1, dout2 = upstream(rng, np.shape(x), dtype), upstream(rng, np.shape(x), dtype)
        if np.ndim(x) == 0:
            dout2 = dout1 + 3.0  # two different numbers
        before = [np.array(d, copy=True) for d in (dout1, dout2)]
        where = f"BranchLayer.backward(dout1, dout2) with {describe(dout1, 'dout1')}"
        dx = call(where, layer.backward, dout1, dout2, exercise="branch_layer")
        for copy, d, name in zip(before, (dout1, dout2), ("dout1", "dout2"), strict=True):
            expect_unchanged(copy, d, "BranchLayer.backward", name, "branch_layer")
        expected = _reference.BranchLayer().backward(dout1, dout2)
        if not is_close(dx, expected):
            _diagnose_branch(where, dx, expected, x, dout1, dout2)
        expect_dtype(dx, dtype, f"{where}: dx", "branch_layer")
    passed("BranchLayer.backward", "x gets what comes back along both branches", len(cases))


def _diagnose_branch(where, dx, expected, x, dout1, dout2):
    expect_value(dx, where, "branch_layer")
    if isinstance(dx, (tuple, list)):
        fail("branch_layer.not_combined",
             tr("{where} returned {kind_of_dx}: one gradient per branch. The node has ONE "
                "input, x, so backward returns one gradient of x's shape. How do the two "
                "branches' gradients combine into it?",
                where=where, kind_of_dx=kind_of(dx)), "branch_layer")
    expect_shape(dx, np.shape(x), f"{where}: dx", "dx has the shape of x.", "branch_layer")
    diagnose(dx, expected, [
        (dout1, "branch_layer.one_branch",
         "dx is dout1 alone; what came back along the second branch (dout2) is lost. x "
         "reaches the output along both branches: if x grows a little, along how many paths "
         "does the output change?"),
        (dout2, "branch_layer.one_branch",
         "dx is dout2 alone; what came back along the first branch (dout1) is lost. x "
         "reaches the output along both branches: if x grows a little, along how many paths "
         "does the output change?"),
        (expected / 2, "branch_layer.averaged",
         "dx is half of what it should be: it averages the two branches' gradients. Each "
         "branch carries ALL of x, not half of it: how much does each path contribute?"),
        (dout1 * dout2, "branch_layer.multiplied",
         "dx multiplies the two branches' gradients. The two paths from x to the output are "
         "separate effects of one change of x: do separate effects multiply, or something "
         "else?"),
    ], where, "branch_layer")
    expect_close(dx, expected, f"{where}: dx", exercise="branch_layer",
                 question="Does dx take both branches' gradients into account, each in full?")


def check_branch_numerically(BranchLayer, shape, seed=0, tol=1e-6):
    """Compare ``BranchLayer().backward`` with central differences (수치 미분) of
    L = sum(out1 * g1) + sum(out2 * g2), g1 and g2 random: the gradients reaching the branches.
    """
    rng = rng_for(seed)
    x = away_from_zero(rng, shape, low=0.2, high=2.0)
    g1, g2 = away_from_zero(rng, shape), away_from_zero(rng, shape)
    layer = call("BranchLayer()", BranchLayer, exercise="branch_layer")

    def loss(v):
        out = expect_count(call("BranchLayer.forward", layer.forward, v, exercise="branch_layer"),
                           2, "BranchLayer.forward", exercise="branch_layer")
        return float(np.sum(out[0] * g1) + np.sum(out[1] * g2))

    numeric = numerical_gradient(loss, x.copy())
    loss(x.copy())
    analytic = call("BranchLayer.backward", layer.backward, g1.copy(), g2.copy(),
                    exercise="branch_layer")
    expect_gradients_match(analytic, numeric, "BranchLayer.backward", tol, "branch_layer")
    passed("BranchLayer.backward", "agrees with the numerical gradient", 1)


# --------------------------------------------------------------------------------------------
# Graphs built from the student's layers: each is graded with bpkit's layers in place of the
# student's (one mistake, one penalty: a wrong MulLayer costs MulLayer's points only).


def _with_reference_layers(function, classes):
    """A copy of ``function`` whose global names for ``classes`` are bpkit's reference layers."""
    if not isinstance(function, types.FunctionType) or not classes:
        return function
    names, replaced = dict(function.__globals__), []
    for cls in classes:
        for name, value in function.__globals__.items():
            reference = name if hasattr(_reference, name) else getattr(cls, "__name__", "")
            if value is cls and isinstance(getattr(_reference, reference, None), type):
                names[name] = getattr(_reference, reference)
                replaced.append(name)
                break
    copy = types.FunctionType(function.__code__, names, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.bpkit_layers_replaced = replaced
    return copy


def _layer_names(function, classes):
    """The names the function's globals give ``classes`` ("MulLayer and AddLayer")."""
    if getattr(function, "bpkit_layers_replaced", None):
        return " and ".join(function.bpkit_layers_replaced)
    bound = getattr(function, "__globals__", {})
    names = [next((n for n, v in bound.items() if v is cls), cls.__name__) for cls in classes]
    return " and ".join(names)


def _expect_layers_used(function, uses, exercise):
    used = globals_used(function) + [
        cell.cell_contents for cell in (getattr(function, "__closure__", None) or ())
    ]
    for cls in uses:
        if not any(u is cls for u in used):
            fail(f"{exercise}.layers_not_used",
                 tr("{function___name} never uses {cls___name}: the exercise builds the "
                    "graph from your own nodes, one object per node, and runs their forward "
                    "and backward. Where in your function is each node of the graph?",
                    function___name=function.__name__, cls___name=cls.__name__), exercise)


def _own_layers_note(function, uses, inputs, names, reference):
    """A note for the ✓ line when the student's own layers change the result."""
    if not uses:
        return ""
    result = probe(function, *[inputs[k] for k in names])
    expected_price, expected = reference(inputs)
    ok = (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)
          and is_close(_as_number(result[0]), expected_price)
          and all(is_close(_as_number(result[1].get(k)), expected[k]) for k in names))
    if ok:
        return ""
    layers = _layer_names(function, uses)
    return (tr("; graded with bpkit's {layers} in place of yours: with your own layers the "
               "result differs, and their tests above say why",
               layers=layers))


def _expect_numerical(function, names, inputs, exercise):
    """The gradients ``function`` returns against central differences of its own price."""
    point = np.array([inputs[k] for k in names], dtype=np.float64)
    where = f"{function.__name__}'s gradients"
    numeric = numerical_gradient(lambda v: float(function(*v)[0]), point.copy())
    _, grads = function(*point)
    analytic = {k: np.asarray(_as_number(grads[k])) for k in names}
    expect_gradients_match(analytic, {k: np.asarray(n) for k, n in zip(names, numeric,
                                                                       strict=True)},
                           where, exercise=exercise)


# --------------------------------------------------------------------------------------------
# The shop graph


def check_shop_graph(shop_graph, seed=0, uses=(), parts=("price", "gradients"),
                     numerically=False):
    """Check ``shop_graph(apple_price, apple_count, orange_price, orange_count, tax)``.

    It must return ``(price, grads)``: the price with tax and a dict of the five gradients
    (keys ``SHOP_GRADIENT_NAMES``). Checked on the notes' numbers (``bpkit.data.shop_prices``)
    and on random ones. uses: the student's layer classes the function must build the graph from;
    it runs with bpkit's layers in their place, so a wrong layer costs only that layer's points,
    and a function that never refers to them fails. parts: "price" (the return value's form and
    the price) and/or "gradients"; numerically: also compare with central differences.
    """
    rng = rng_for(seed)
    cases = [notes_shop()] + [random_shop(rng) for _ in range(3)]
    graded = _with_reference_layers(shop_graph, uses)
    for inputs in cases:
        _check_shop_case(graded, inputs, parts, replaced=uses)
    if numerically:
        _expect_numerical(graded, SHOP_GRADIENT_NAMES, random_shop(rng), "shop_graph")
    # Last, so that unwritten or wrong code gets its own message first.
    _expect_layers_used(shop_graph, uses, "shop_graph")
    note = ""
    if "gradients" in parts:
        note = _own_layers_note(shop_graph, uses, notes_shop(), SHOP_GRADIENT_NAMES,
                                _reference_shop)
    checked = " and ".join(parts)
    passed("shop_graph", tr("the {checked} of the notes' shop and of other shops{note}",
                            checked=checked, note=note),
           len(cases) * len(parts) + len(uses) + numerically)


def _reference_shop(v):
    """The shop graph from bpkit's nodes: returns (price, grads) like the exercise."""
    mul_apple, mul_orange = _reference.MulLayer(), _reference.MulLayer()
    add, mul_tax = _reference.AddLayer(), _reference.MulLayer()
    apples = mul_apple.forward(v["apple_price"], v["apple_count"])
    oranges = mul_orange.forward(v["orange_price"], v["orange_count"])
    price = mul_tax.forward(add.forward(apples, oranges), v["tax"])
    d_total, d_tax = mul_tax.backward(1.0)
    d_apples, d_oranges = add.backward(d_total)
    d_apple_price, d_apple_count = mul_apple.backward(d_apples)
    d_orange_price, d_orange_count = mul_orange.backward(d_oranges)
    values = (d_apple_price, d_apple_count, d_orange_price, d_orange_count, d_tax)
    return price, dict(zip(SHOP_GRADIENT_NAMES, values, strict=True))


def _call_graph(function, v, names, exercise):
    args = ", ".join(f"{k}={v[k]:g}" for k in names)
    where = f"{function.__name__}({args})"
    result = call(where, function, *[v[k] for k in names], exercise=exercise)
    expect_value(result, where, exercise)
    if not (isinstance(result, tuple) and len(result) == 2):
        fail(f"{exercise}.not_a_pair",
             tr("{where} returned {kind_of_result}; it should return a pair (price, grads), "
                "where grads is a dict with the keys {list_names}.",
                where=where, kind_of_result=kind_of(result), list_names=list(names)), exercise)
    return where, result


def _expect_gradient_keys(grads, names, where, exercise):
    expect_keys(grads, names, f"{where}'s grads", exercise)
    if set(grads) != set(names):
        fail("common.wrong_keys",
             tr("{where}: grads should be a dict with exactly the keys {list_names}, got "
                "{sorted_grads}.",
                where=where, list_names=list(names), sorted_grads=sorted(grads)), exercise)


def _check_shop_case(shop_graph, v, parts, replaced=()):
    where, (price, grads) = _call_graph(shop_graph, v, SHOP_GRADIENT_NAMES, "shop_graph")
    expected_price, expected = _reference_shop(v)
    if "price" in parts:
        _check_shop_price(where, price, expected_price, v)
    if "gradients" not in parts:
        return
    _expect_gradient_keys(grads, SHOP_GRADIENT_NAMES, where, "shop_graph")
    if all(is_close(grads[k], expected[k]) for k in SHOP_GRADIENT_NAMES):
        return
    _diagnose_shop(where, grads, expected, v, replaced, shop_graph)


def _check_shop_price(where, price, expected_price, v):
    apples = v["apple_price"] * v["apple_count"]
    oranges = v["orange_price"] * v["orange_count"]
    if price is not None and np.ndim(price) == 0 and not is_close(price, expected_price):
        if is_close(price, apples + oranges):
            fail("shop_graph.price_before_tax",
                 tr("{where}: the price is {float_price:g}, the sum before tax. Which node "
                    "of the graph comes after the add node?",
                    where=where, float_price=float(price)), "shop_graph")
        for which, value in (("only the apples", apples * v["tax"] + oranges),
                             ("only the oranges", apples + oranges * v["tax"])):
            if is_close(price, value):
                fail("shop_graph.tax_on_one_fruit",
                     tr("{where}: the price {float_price:g} taxes {which}. Where in the "
                        "graph does the tax node sit: on one branch, or after the two "
                        "branches join?",
                        where=where, float_price=float(price), which=which),
                     "shop_graph")
    expect_close(price, expected_price, tr("{where}: the price",
                                           where=where), exercise="shop_graph")


def _diagnose_shop(where, grads, expected, v, replaced=(), shop_graph=None):
    subtotal = v["apple_price"] * v["apple_count"] + v["orange_price"] * v["orange_count"]
    got = {k: _as_number(grads[k]) for k in SHOP_GRADIENT_NAMES}
    table = ", ".join(f"{k}={got[k]:.6g} (expected {float(expected[k]):.6g})"
                      for k in SHOP_GRADIENT_NAMES)
    scale = constant_ratio(np.array([got[k] for k in SHOP_GRADIENT_NAMES], dtype=float),
                           np.array([expected[k] for k in SHOP_GRADIENT_NAMES], dtype=float))
    if scale is not None:
        fail("shop_graph.dout_not_one",
             tr("{where}: every gradient is {scale:.4g} times the right value. What is the "
                "gradient of the price with respect to itself, where the backward pass "
                "starts? Got {table}.",
                where=where, scale=scale, table=table), "shop_graph")
    for a, b in (("apple_price", "apple_count"), ("orange_price", "orange_count")):
        if is_close(got[a], expected[b]) and is_close(got[b], expected[a]):
            fail("shop_graph.swapped_gradients",
                 tr("{where}: the gradients of {a} and {b} are swapped. In a multiply node, "
                    "which input's value does each input's gradient carry? Got {table}.",
                    where=where, a=a, b=b, table=table), "shop_graph")
    without_tax = {k: float(expected[k]) / v["tax"] for k in SHOP_GRADIENT_NAMES[:4]}
    if all(is_close(got[k], without_tax[k]) for k in without_tax):
        fail("shop_graph.gradients_miss_tax",
             tr("{where}: the four price/count gradients miss the tax: they are what the "
                "graph would give without the tax node. What gradient does the tax node "
                "send back to the add node? Got {table}.",
                where=where, table=table), "shop_graph")
    if not is_close(got["tax"], expected["tax"]) and is_close(got["tax"], subtotal * v["tax"]):
        fail("shop_graph.dtax_is_price",
             tr("{where}: dtax is the price after tax. The tax node multiplies the sum "
                "{subtotal:g} by the tax: which of its two inputs does dtax carry? Got "
                "{table}.",
                where=where, subtotal=subtotal, table=table),
             "shop_graph")
    wrong = [k for k in SHOP_GRADIENT_NAMES if not is_close(got[k], expected[k])]
    fail("shop_graph.wrong_gradients",
         tr("{where}: wrong gradient(s) for {join_wrong} (the tax node's other input is the "
            "sum {subtotal:g}). Got {table}. {layers_said_replaced_shop_graph} Which node's "
            "backward received the wrong upstream gradient?",
            where=where, join_wrong=', '.join(wrong), subtotal=subtotal, table=table,
            layers_said_replaced_shop_graph=_layers_said(replaced, shop_graph)), "shop_graph")


def _layers_said(replaced, function=None):
    if not replaced:
        return "The graph uses your layers: if their tests fail, fix those first."
    layers = _layer_names(function, replaced)
    return (tr("The graph ran with bpkit's {layers} in place of yours, so the mistake is in "
               "how the nodes are connected.",
               layers=layers))


def _as_number(value):
    try:
        return float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return float("nan")


# --------------------------------------------------------------------------------------------
# The shop with a delivery fee per apple: the apple count feeds two nodes (a derivation)


def check_delivery_shop(delivery_shop, seed=0, uses=(), numerically=False):
    """Check ``delivery_shop(apple_price, apple_count, orange_price, orange_count, tax,
    fee_per_apple)``: ``(price, grads)`` with the six gradients (``DELIVERY_GRADIENT_NAMES``).

    The price is (apples + oranges + fee_per_apple * apple_count) * tax: the apple count feeds
    the apple node and the delivery node. Checked on ``bpkit.data.delivery_shop_prices`` and on
    random shops, with bpkit's layers in place of ``uses`` (as ``check_shop_graph``).
    """
    rng = rng_for(seed)
    cases = [notes_delivery_shop()] + [random_delivery_shop(rng) for _ in range(3)]
    graded = _with_reference_layers(delivery_shop, uses)
    for v in cases:
        where, (price, grads) = _call_graph(graded, v, DELIVERY_GRADIENT_NAMES, "delivery_shop")
        expected_price, expected = _reference_delivery(v)
        _check_delivery_price(where, price, expected_price, v)
        _expect_gradient_keys(grads, DELIVERY_GRADIENT_NAMES, where, "delivery_shop")
        if not all(is_close(grads[k], expected[k]) for k in DELIVERY_GRADIENT_NAMES):
            _diagnose_delivery(where, grads, expected, v, uses, delivery_shop)
    if numerically:
        _expect_numerical(graded, DELIVERY_GRADIENT_NAMES, random_delivery_shop(rng),
                          "delivery_shop")
    _expect_layers_used(delivery_shop, uses, "delivery_shop")
    note = _own_layers_note(delivery_shop, uses, notes_delivery_shop(), DELIVERY_GRADIENT_NAMES,
                            _reference_delivery)
    passed("delivery_shop", tr("the price and the six gradients of the delivery shop and of "
                               "other shops{note}",
                               note=note), len(cases) + len(uses) + numerically)


def _reference_delivery(v):
    """The delivery shop from bpkit's nodes: returns (price, grads) like the exercise."""
    ref = _reference
    count, mul_apple, mul_orange, mul_fee = (ref.BranchLayer(), ref.MulLayer(), ref.MulLayer(),
                                             ref.MulLayer())
    add_fruit, add_fee, mul_tax = ref.AddLayer(), ref.AddLayer(), ref.MulLayer()
    count_apple, count_fee = count.forward(v["apple_count"])
    apples = mul_apple.forward(v["apple_price"], count_apple)
    oranges = mul_orange.forward(v["orange_price"], v["orange_count"])
    fee = mul_fee.forward(v["fee_per_apple"], count_fee)
    price = mul_tax.forward(add_fee.forward(add_fruit.forward(apples, oranges), fee), v["tax"])
    d_subtotal, d_tax = mul_tax.backward(1.0)
    d_fruit, d_fee = add_fee.backward(d_subtotal)
    d_apples, d_oranges = add_fruit.backward(d_fruit)
    d_apple_price, d_count_apple = mul_apple.backward(d_apples)
    d_orange_price, d_orange_count = mul_orange.backward(d_oranges)
    d_fee_per_apple, d_count_fee = mul_fee.backward(d_fee)
    d_apple_count = count.backward(d_count_apple, d_count_fee)
    values = (d_apple_price, d_apple_count, d_orange_price, d_orange_count, d_tax,
              d_fee_per_apple)
    return price, dict(zip(DELIVERY_GRADIENT_NAMES, values, strict=True))


def _check_delivery_price(where, price, expected_price, v):
    fruit = v["apple_price"] * v["apple_count"] + v["orange_price"] * v["orange_count"]
    fee = v["fee_per_apple"] * v["apple_count"]
    if price is not None and np.ndim(price) == 0 and not is_close(price, expected_price):
        if is_close(price, fruit * v["tax"]):
            fail("delivery_shop.no_fee",
                 tr("{where}: the price {float_price:g} is the shop's without delivery. "
                    "Where does the delivery node join the graph?",
                    where=where, float_price=float(price)), "delivery_shop")
        if is_close(price, fruit * v["tax"] + fee):
            fail("delivery_shop.fee_untaxed",
                 tr("{where}: the price {float_price:g} adds the delivery fee after the "
                    "tax. The tax applies to everything: which node should the fee reach "
                    "before the tax node?",
                    where=where, float_price=float(price)), "delivery_shop")
        if is_close(price, fruit + fee):
            fail("delivery_shop.price_before_tax",
                 tr("{where}: the price is {float_price:g}, the sum before tax. Which node "
                    "of the graph comes last?",
                    where=where, float_price=float(price)), "delivery_shop")
    expect_close(price, expected_price, tr("{where}: the price",
                                           where=where), exercise="delivery_shop")


def _diagnose_delivery(where, grads, expected, v, replaced, function):
    names = DELIVERY_GRADIENT_NAMES
    got = {k: _as_number(grads[k]) for k in names}
    table = ", ".join(f"{k}={got[k]:.6g} (expected {float(expected[k]):.6g})" for k in names)
    scale = constant_ratio(np.array([got[k] for k in names], dtype=float),
                           np.array([expected[k] for k in names], dtype=float))
    if scale is not None:
        fail("delivery_shop.dout_not_one",
             tr("{where}: every gradient is {scale:.4g} times the right value. What is the "
                "gradient of the price with respect to itself, where the backward pass "
                "starts? Got {table}.",
                where=where, scale=scale, table=table), "delivery_shop")
    through_apples = v["tax"] * v["apple_price"]
    through_fee = v["tax"] * v["fee_per_apple"]
    count = got["apple_count"]
    others_right = all(is_close(got[k], expected[k]) for k in names if k != "apple_count")
    for value, node, other in ((through_apples, "apple", "delivery"),
                               (through_fee, "delivery", "apple")):
        if is_close(count, value):
            fail("delivery_shop.one_branch",
                 tr("{where}: d apple_count is {count:.6g}, what comes back through the "
                    "{node} node alone. The apple count feeds two nodes: what happens to "
                    "the gradient that comes back through the {other} node? Got {table}.",
                    where=where, count=count, node=node, other=other, table=table), "delivery_shop")
    if others_right:
        fail("delivery_shop.apple_count",
             tr("{where}: only d apple_count is wrong (got {count:.6g}, expected "
                "{float_expected_apple_count:.6g}). The count reaches the price along two "
                "paths: does your BranchLayer's backward receive the gradient of each?",
                where=where, count=count,
                float_expected_apple_count=float(expected['apple_count'])),
             "delivery_shop")
    wrong = [k for k in names if not is_close(got[k], expected[k])]
    fail("delivery_shop.wrong_gradients",
         tr("{where}: wrong gradient(s) for {join_wrong}. Got {table}. "
            "{layers_said_replaced_function} Which node's backward received the wrong "
            "upstream gradient?",
            where=where, join_wrong=', '.join(wrong), table=table,
            layers_said_replaced_function=_layers_said(replaced, function)), "delivery_shop")
