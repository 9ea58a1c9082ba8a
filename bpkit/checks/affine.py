"""Checks for lesson 05: the Affine layer ``out = x . W + b``, forward and backward.

Each check builds the student's ``Affine(W, b)`` on random inputs whose sizes N (batch),
D (inputs) and M (outputs) all differ, compares it with bpkit's reference, and when they differ
names the usual mistake: b forgotten, dW transposed or in the wrong order, db not summed over
the batch, dx not reshaped back to the input's shape. Before it, the two nodes of a broadcast:
``Repeat`` (a vector copied to n rows) and ``Sum`` (rows added up), whose backward passes the
student derives from "a copy's gradients add up".
"""

import numpy as np

from .. import layers
from ..i18n import tr
from ._student import (
    call,
    expect_close,
    expect_dtype,
    expect_numerical_gradients,
    expect_shape,
    expect_unchanged,
    expect_value,
    fail,
    is_close,
    passed,
    probe,
    rng_for,
    shapes,
)

__all__ = [
    "check_affine_forward",
    "check_affine_backward_dx",
    "check_affine_backward_dW",
    "check_affine_backward_db",
    "check_affine_nd_input",
    "check_affine_numerically",
    "check_repeat_node",
    "check_sum_node",
    "check_repeat_numerically",
    "check_sum_numerically",
]

SHAPE_QUESTION = (
    "Line the shapes up: x (N, D), W (D, M), dout (N, M). Which product of two of them (one "
    "perhaps transposed) has the shape you need?"
)


def distinct_sizes(rng, count, low=2, high=9):
    """``count`` different sizes in [low, high): with N, D, M all different, a transposed or
    swapped product cannot hide behind matching shapes."""
    return [int(v) for v in rng.choice(np.arange(low, high), size=count, replace=False)]


def _case(rng, n, d, m, x_shape=None, dtype=np.float64):
    """Random W (D, M), b (M,), x (N, D) (or x_shape), dout (N, M) of one dtype."""
    W = rng.standard_normal((d, m)).astype(dtype)
    b = rng.standard_normal(m).astype(dtype)
    x = rng.standard_normal(x_shape or (n, d)).astype(dtype)
    dout = rng.standard_normal((n, m)).astype(dtype)
    return W, b, x, dout


def _build(Affine, W, b):
    return call(f"Affine(W, b) with {shapes(W=W, b=b)}", Affine, W.copy(), b.copy(),
                exercise="affine")


def _forward_backward(Affine, W, b, x, dout):
    """Run the student's layer forward then backward; return (layer, out, dx)."""
    where = shapes(x=x, W=W, b=b)
    layer = _build(Affine, W, b)
    out = call(f"Affine.forward(x) with {where}", layer.forward, x.copy(), exercise="affine")
    dout_before = dout.copy()
    dx = call(tr("Affine.backward(dout) with {where}, dout {dout_shape}",
                 where=where, dout_shape=dout.shape), layer.backward, dout,
              exercise="affine", question=SHAPE_QUESTION)
    expect_unchanged(dout_before, dout, "Affine.backward", "dout", "affine")
    expect_value(dx, "Affine.backward", "affine")
    if isinstance(dx, tuple):
        fail("affine.backward_returned_tuple",
             tr("Affine.backward returned a tuple of {len_dx} values. What does the layer "
                "before need from backward, and where do the parameter gradients go instead?",
                len_dx=len(dx)), "affine")
    return layer, out, dx


def check_affine_forward(Affine, seed=0):
    """Affine(W, b).forward(x) == x . W + b for a batch x (N, D); float32 stays float32."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, _ = _case(rng, n, d, m)
    layer = _build(Affine, W, b)
    x_before = x.copy()
    what = f"Affine.forward(x) with {shapes(x=x, W=W, b=b)}"
    out = expect_value(call(what, layer.forward, x, exercise="affine",
                            question=SHAPE_QUESTION), what, "affine")
    expect_unchanged(x_before, x, "Affine.forward", "x", "affine")
    if is_close(out, x @ W):
        fail("affine.forward_no_bias", tr("{what} returned x . W alone. What else does an "
                                          "affine layer add to every sample?",
                                          what=what), "affine")
    if is_close(out, (x @ W + b).T):
        fail("affine.forward_transposed",
             tr("{what} returned shape {np_shape_out}, the transpose of (N, M) = {n_m}: one "
                "row per sample is wanted. Which operand goes on the left?",
                what=what, np_shape_out=np.shape(out), n_m=(n, m)), "affine")
    expect_close(out, x @ W + b, what, exercise="affine")
    W32, b32, x32 = W.astype(np.float32), b.astype(np.float32), x.astype(np.float32)
    out32 = call(tr("{what} in float32",
                    what=what), _build(Affine, W32, b32).forward, x32, exercise="affine")
    expect_dtype(out32, np.float32, "Affine.forward(x) for float32 x, W, b", "affine")
    passed("Affine.forward", "x . W + b for a batch, float32 kept", 3)


def check_affine_backward_dx(Affine, seed=0):
    """backward(dout) returns dx of x's shape (N, D), without touching dout."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, dout = _case(rng, n, d, m)
    if probe(_forward_backward, Affine, W, b, x, dout.copy()) is None:
        # A product that only fails because D != M: try it where the shapes allow.
        Wsq, bsq, xsq, dsq = _case(rng, n, m, m)
        found = probe(_forward_backward, Affine, Wsq, bsq, xsq, dsq)
        if found is not None and is_close(found[2], dsq @ Wsq):
            fail("affine.dx_not_transposed",
                 tr("Affine.backward's dx fails for {shapes_W_W_dout_dout}: it multiplies "
                    "dout by W as it is, which only works when D == M. dx must have x's "
                    "shape (N, D): which form of W turns (N, M) into (N, D)?",
                    shapes_W_W_dout_dout=shapes(W=W, dout=dout)), "affine")
    _, _, dx = _forward_backward(Affine, W, b, x, dout)
    what = tr("dx from Affine.backward(dout) with {shapes_x_x_W_W_dout_dout}",
              shapes_x_x_W_W_dout_dout=shapes(x=x, W=W, dout=dout))
    expect_value(dx, what, "affine")
    if is_close(dx, W @ dout.T):
        fail("affine.dx_transposed",
             tr("{what} has shape {np_shape_dx}, the transpose of x's shape {x_shape}. "
                "{SHAPE_QUESTION}",
                what=what, np_shape_dx=np.shape(dx), x_shape=x.shape,
                SHAPE_QUESTION=SHAPE_QUESTION), "affine")
    expect_close(dx, dout @ W.T, what, SHAPE_QUESTION, exercise="affine")
    W32, b32, x32, d32 = (a.astype(np.float32) for a in (W, b, x, dout))
    _, _, dx32 = _forward_backward(Affine, W32, b32, x32, d32)
    expect_dtype(dx32, np.float32, "dx for float32 x, W, b, dout", "affine")
    passed("Affine.backward", "dx has x's shape and values, float32 kept", 3)


def check_affine_backward_dW(Affine, seed=0):
    """backward(dout) stores self.dW, of W's shape (D, M)."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, dout = _case(rng, n, d, m)
    if probe(_forward_backward, Affine, W, b, x, dout.copy()) is None:
        # dout . x only fails because M != N: try it on shapes where it runs.
        Wsq, bsq, xsq, dsq = _case(rng, n, d, n)
        found = probe(_forward_backward, Affine, Wsq, bsq, xsq, dsq)
        if found is not None and is_close(getattr(found[0], "dW", None), dsq @ xsq):
            fail("affine.dw_product_order",
                 tr("Affine.backward's dW fails for {shapes_x_x_dout_dout}: it multiplies "
                    "dout by x, which only works when M == N. dW must have W's shape (D, "
                    "M). {SHAPE_QUESTION}",
                    shapes_x_x_dout_dout=shapes(x=x, dout=dout), SHAPE_QUESTION=SHAPE_QUESTION),
                    "affine")
    layer, _, _ = _forward_backward(Affine, W, b, x, dout)
    dW = getattr(layer, "dW", None)
    what = tr("self.dW after backward with {shapes_x_x_W_W_dout_dout}",
              shapes_x_x_W_W_dout_dout=shapes(x=x, W=W, dout=dout))
    expected = x.T @ dout
    if dW is None:
        fail("affine.dw_not_stored", tr("{what} is None: backward computes the weight "
                                        "gradient for the optimiser to read. Where does the "
                                        "layer keep it?",
                                        what=what), "affine")
    if is_close(dW, expected.T):
        fail("affine.dw_transposed",
             tr("{what} has shape {np_shape_dW}, the transpose of W's shape {W_shape}. "
                "{SHAPE_QUESTION}",
                what=what, np_shape_dW=np.shape(dW), W_shape=W.shape,
                SHAPE_QUESTION=SHAPE_QUESTION), "affine")
    if is_close(dW, expected / n):
        fail("affine.dw_divided_by_batch",
             tr("{what} was divided by the batch size N = {n}. Each sample contributes to "
                "W's gradient: is it their sum or their mean? (Where does the loss's 1/N "
                "already sit?)",
                what=what, n=n), "affine")
    expect_shape(dW, W.shape, what, "dW always has the shape of W. " + SHAPE_QUESTION, "affine")
    expect_close(dW, expected, what, "Which x does backward use: the one forward saw?",
                 exercise="affine")
    passed("Affine.backward", "dW has W's shape and values", 1)


def check_affine_backward_db(Affine, seed=0):
    """backward(dout) stores self.db, of b's shape (M,)."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, dout = _case(rng, n, d, m)
    layer, _, _ = _forward_backward(Affine, W, b, x, dout)
    db = getattr(layer, "db", None)
    what = tr("self.db after backward with {shapes_b_b_dout_dout}",
              shapes_b_b_dout_dout=shapes(b=b, dout=dout))
    if db is None:
        fail("affine.db_not_stored", tr("{what} is None: backward computes the bias "
                                        "gradient for the optimiser to read. Where does the "
                                        "layer keep it?",
                                        what=what), "affine")
    copy = (tr("b was added to each of the {n} rows — what does the backward pass of a copy "
               "do?",
               n=n))
    if np.shape(db) == dout.shape:
        fail("affine.db_not_summed",
             tr("{what} has shape {np_shape_db} but b has shape {b_shape}: {copy}",
                what=what, np_shape_db=np.shape(db), b_shape=b.shape, copy=copy), "affine")
    if is_close(db, dout.sum(axis=1)):
        fail("affine.db_wrong_axis",
             tr("{what} has shape {np_shape_db}: it summed over the outputs (axis 1). Which "
                "axis counts the samples b was copied to?",
                what=what, np_shape_db=np.shape(db)), "affine")
    if np.ndim(db) == 0:
        fail("affine.db_summed_all",
             tr("{what} is a single number: it summed over every axis, but b has shape "
                "{b_shape}. {copy}",
                what=what, b_shape=b.shape, copy=copy), "affine")
    if is_close(db, dout.mean(axis=0)):
        fail("affine.db_mean", tr("{what} is the MEAN of dout over the batch. {copy}",
                                  what=what, copy=copy), "affine")
    expect_close(db, dout.sum(axis=0), what, copy, exercise="affine")
    passed("Affine.backward", "db has b's shape and values", 1)


def check_affine_nd_input(Affine, seed=0):
    """x of shape (N, d1, d2, d3) is flattened to (N, D) and dx comes back in x's shape."""
    rng = rng_for(seed)
    n, m = distinct_sizes(rng, 2, low=2, high=6)
    image = tuple(int(v) for v in rng.integers(2, 4, size=3))
    d = int(np.prod(image))
    W, b, x, dout = _case(rng, n, d, m, x_shape=(n, *image))
    flat = x.reshape(n, d)
    layer = _build(Affine, W, b)
    what = f"Affine.forward(x) with {shapes(x=x, W=W)}"
    out = call(what, layer.forward, x.copy(), exercise="affine",
               question=tr("Each sample is {image}, but W expects D = {d} numbers per "
                           "sample: what shape must x have before the product, and what "
                           "must backward remember?",
                           image=image, d=d))
    expect_close(out, flat @ W + b, what, "Is x flattened to (N, D) first?", exercise="affine")
    dx = call(tr("Affine.backward(dout) after a forward of x {x_shape}",
                 x_shape=x.shape), layer.backward,
              dout.copy(), exercise="affine")
    what = tr("dx for x of shape {x_shape}",
              x_shape=x.shape)
    if np.shape(dx) == (n, d):
        fail("affine.dx_not_reshaped",
             tr("{what} has the flattened shape {n_d}, not x's shape {x_shape}: the layer "
                "before expects a gradient of the shape it produced. What did forward "
                "remember about x's shape?",
                what=what, n_d=(n, d), x_shape=x.shape), "affine")
    expect_close(dx, (dout @ W.T).reshape(x.shape), what, exercise="affine")
    expect_close(getattr(layer, "dW", None), flat.T @ dout, tr("self.dW for x of shape "
                                                               "{x_shape}",
                                                               x_shape=x.shape),
                 "Which x does backward use: the flattened one?", exercise="affine")
    passed("Affine", "flattens (N, d1, d2, d3) inputs and gives dx back in their shape", 3)


def check_affine_numerically(Affine, seed=0, tol=1e-5):
    """Every gradient of the student's Affine agrees with central differences."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, _ = _case(rng, n, d, m)
    layer = _build(Affine, W, b)
    expect_numerical_gradients(layer, x, what=tr("Affine.backward with {shapes_x_x_W_W_b_b}",
                                                 shapes_x_x_W_W_b_b=shapes(x=x, W=W, b=b)),
                               tol=tol, seed=int(rng.integers(2**31)), exercise="affine")
    passed("Affine.backward", "dx, dW and db agree with the numerical gradient", 3)


def _repeat_case(rng):
    n, m = distinct_sizes(rng, 2)
    return n, rng.standard_normal(m), rng.standard_normal((n, m))


def check_repeat_node(Repeat, seed=0):
    """Repeat(n): forward copies x (M,) to n rows (n, M); backward returns dx of x's shape."""
    rng = rng_for(seed)
    n, x, dout = _repeat_case(rng)
    ex = "repeat_node"
    layer = call(f"Repeat({n})", Repeat, n, exercise=ex)
    what = tr("Repeat({n}).forward(x) for x of shape {x_shape}",
              n=n, x_shape=x.shape)
    out = expect_value(call(what, layer.forward, x.copy(), exercise=ex), what, ex)
    expect_shape(out, (n, x.size), what, tr("Every one of the {n} rows is a copy of x.",
                                            n=n), ex)
    expect_close(out, np.tile(x, (n, 1)), what, "Is every row a copy of x?", exercise=ex)
    dout_before = dout.copy()
    what = tr("Repeat({n}).backward(dout) for dout of shape {dout_shape}",
              n=n, dout_shape=dout.shape)
    dx = expect_value(call(what, layer.backward, dout, exercise=ex), what, ex)
    expect_unchanged(dout_before, dout, "Repeat.backward", "dout", ex)
    copy = (tr("x was copied to each of the {n} rows — what does the backward pass of a "
               "copy do?",
               n=n))
    if np.shape(dx) == dout.shape:
        fail("repeat_node.not_summed",
             tr("{what} has shape {np_shape_dx} but x has shape {x_shape}: {copy}",
                what=what, np_shape_dx=np.shape(dx), x_shape=x.shape, copy=copy), ex)
    if np.ndim(dx) == 0:
        fail("repeat_node.summed_all",
             tr("{what} is a single number, but x has shape {x_shape}: it added up every "
                "entry. Each of x's {x_size} entries was copied down its own column: which "
                "gradients reached that one entry?",
                what=what, x_shape=x.shape, x_size=x.size), ex)
    if is_close(dx, dout.sum(axis=1)):
        fail("repeat_node.wrong_axis",
             tr("{what} has shape {np_shape_dx}, one number per ROW (axis 1), but x has "
                "shape {x_shape}. Along which axis do the {n} copies of one entry lie?",
                what=what, np_shape_dx=np.shape(dx), x_shape=x.shape, n=n), ex)
    if is_close(dx, dout.mean(axis=0)):
        fail("repeat_node.mean",
             tr("{what} is {n} times too small: it averaged the gradients of the {n} "
                "copies. If x[j] moves by a little, how much does each copy move, and how "
                "much does the loss move in total?",
                what=what, n=n), ex)
    if is_close(dx, dout[0]):
        fail("repeat_node.first_row_only",
             tr("{what} is the gradient of the first copy alone: {copy}",
                what=what, copy=copy), ex)
    expect_shape(dx, x.shape, what, "Each gradient has the shape of what it is the gradient "
                 "of. " + copy, ex)
    reference = layers.Repeat(n)
    reference.forward(x)
    expect_close(dx, reference.backward(dout), what, copy, exercise=ex)
    passed("Repeat", "n copies forward; the copies' gradients meet in backward", 4)


def check_sum_node(Sum, seed=0):
    """Sum(): forward adds the rows of x (N, M) into (M,); backward returns dx of x's shape."""
    rng = rng_for(seed)
    n, m = distinct_sizes(rng, 2)
    x, dout = rng.standard_normal((n, m)), rng.standard_normal(m)
    ex = "sum_node"
    layer = call("Sum()", Sum, exercise=ex)
    what = tr("Sum().forward(x) for x of shape {x_shape}",
              x_shape=x.shape)
    out = expect_value(call(what, layer.forward, x.copy(), exercise=ex), what, ex)
    if np.shape(out) == (n,):
        fail("sum_node.forward_wrong_axis",
             tr("{what} has shape {n}: it added up each row (axis 1). The node adds the "
                "{n_} rows into one row of {m}: which axis counts the rows?",
                what=what, n=(n,), n_=n, m=m), ex)
    expect_shape(out, (m,), what, tr("The {n} rows are added into one row of {m}.",
                                     n=n, m=m), ex)
    expect_close(out, x.sum(axis=0), what, exercise=ex)
    dout_before = dout.copy()
    what = tr("Sum.backward(dout) for dout of shape {dout_shape} after forward of x "
              "{x_shape}",
              dout_shape=dout.shape, x_shape=x.shape)
    dx = expect_value(call(what, layer.backward, dout, exercise=ex), what, ex)
    expect_unchanged(dout_before, dout, "Sum.backward", "dout", ex)
    moves = ("If one entry x[i, j] moves by a little, by how much does output j move, and does "
             "that depend on the row i?")
    if np.shape(dx) == dout.shape:
        fail("sum_node.not_repeated",
             tr("{what} has shape {np_shape_dx} but x has shape {x_shape}: each of the {n} "
                "rows went into the sum and needs its own gradient. {moves}",
                what=what, np_shape_dx=np.shape(dx), x_shape=x.shape, n=n, moves=moves), ex)
    if is_close(dx, np.tile(dout, (n, 1)) / n):
        fail("sum_node.divided_by_rows",
             tr("{what} is {n} times too small: it shared dout among the {n} rows. {moves}",
                what=what, n=n, moves=moves), ex)
    expect_shape(dx, x.shape, what, "Each gradient has the shape of what it is the gradient "
                 "of. " + moves, ex)
    reference = layers.Sum()
    reference.forward(x)
    expect_close(dx, reference.backward(dout), what, moves, exercise=ex)
    passed("Sum", "rows added forward; every row gets the upstream gradient back", 4)


def check_repeat_numerically(Repeat, seed=0, tol=1e-6):
    """Repeat(n).backward agrees with central differences on fresh sizes."""
    rng = rng_for(seed)
    n, m = distinct_sizes(rng, 2)
    layer = call(f"Repeat({n})", Repeat, n, exercise="repeat_node")
    x = rng.standard_normal(m)
    expect_numerical_gradients(layer, x, what=tr("Repeat({n}).backward for x of shape "
                                                 "{x_shape}",
                                                 n=n, x_shape=x.shape),
                               tol=tol, seed=int(rng.integers(2**31)), exercise="repeat_node")
    passed("Repeat.backward", "agrees with the numerical gradient", 1)


def check_sum_numerically(Sum, seed=0, tol=1e-6):
    """Sum().backward agrees with central differences on fresh sizes."""
    rng = rng_for(seed)
    n, m = distinct_sizes(rng, 2)
    layer = call("Sum()", Sum, exercise="sum_node")
    x = rng.standard_normal((n, m))
    expect_numerical_gradients(layer, x, what=tr("Sum.backward for x of shape {x_shape}",
                                                 x_shape=x.shape),
                               tol=tol, seed=int(rng.integers(2**31)), exercise="sum_node")
    passed("Sum.backward", "agrees with the numerical gradient", 1)
