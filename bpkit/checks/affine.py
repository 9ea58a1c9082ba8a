"""Checks for lesson 05: the Affine layer ``out = x . W + b``, forward and backward.

Each check builds the student's ``Affine(W, b)`` on random inputs whose sizes N (batch),
D (inputs) and M (outputs) all differ, compares it with bpkit's reference, and when they differ
names the usual mistake: b forgotten, dW transposed or computed as dout . x, db not summed over
the batch, dx not reshaped back to the input's shape.
"""

import numpy as np

from .. import gradcheck
from ._calls import call_student, distinct_sizes, shapes, try_student
from ._common import expect_close, expect_dtype, expect_shape, is_close, rng_for

__all__ = [
    "check_affine_forward",
    "check_affine_backward_dx",
    "check_affine_backward_dW",
    "check_affine_backward_db",
    "check_affine_nd_input",
    "check_affine_numerically",
]


def _case(rng, n, d, m, x_shape=None, dtype=np.float64):
    """Random W (D, M), b (M,), x (N, D) (or x_shape), dout (N, M) of one dtype."""
    W = rng.standard_normal((d, m)).astype(dtype)
    b = rng.standard_normal(m).astype(dtype)
    x = rng.standard_normal(x_shape or (n, d)).astype(dtype)
    dout = rng.standard_normal((n, m)).astype(dtype)
    return W, b, x, dout


def _forward_backward(Affine, W, b, x, dout):
    """Run the student's layer forward then backward; return (layer, out, dx)."""
    where = shapes(x=x, W=W, b=b)
    layer = call_student(f"Affine(W, b) with {shapes(W=W, b=b)}", Affine, W.copy(), b.copy())
    out = call_student(f"Affine.forward(x) with {where}", layer.forward, x.copy())
    dout_before = dout.copy()
    dx = call_student(
        f"Affine.backward(dout) with {where}, dout {dout.shape}", layer.backward, dout,
        hint="The products must line up: dx = dout . W.T is (N, M).(M, D) = (N, D) and "
        "dW = x.T . dout is (D, N).(N, M) = (D, M).",
    )
    if not np.array_equal(dout, dout_before):
        raise AssertionError(
            "Affine.backward changed dout in place; the layer before may still need it. "
            "Compute new arrays (dout @ self.W.T) instead of writing into dout."
        )
    if isinstance(dx, tuple):
        raise AssertionError(
            f"Affine.backward returned a tuple of {len(dx)} values; it should return only dx "
            "and store the parameter gradients as self.dW and self.db."
        )
    return layer, out, dx


def check_affine_forward(Affine, seed=0):
    """Affine(W, b).forward(x) == x . W + b for a batch x (N, D); float32 stays float32."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, _ = _case(rng, n, d, m)
    layer = call_student(f"Affine(W, b) with {shapes(W=W, b=b)}", Affine, W.copy(), b.copy())
    x_before = x.copy()
    out = call_student(
        f"Affine.forward(x) with {shapes(x=x, W=W, b=b)}", layer.forward, x,
        hint="For a batch x (N, D), np.dot(x, self.W) is (N, D).(D, M) = (N, M); then add b.",
    )
    what = f"Affine.forward(x) with {shapes(x=x, W=W, b=b)}"
    if out is None:
        raise AssertionError(f"{what} returned None: did you forget `return out`?")
    if not np.array_equal(x, x_before):
        raise AssertionError(f"{what} changed x in place; compute a new array instead.")
    if is_close(out, x @ W):
        raise AssertionError(f"{what} returned x . W without the bias: add self.b.")
    if is_close(out, (x @ W + b).T):
        raise AssertionError(
            f"{what} returned shape {np.shape(out)}, the transpose of (N, M) = {(n, m)}: "
            "multiply np.dot(x, self.W), with x on the left."
        )
    expect_close(out, x @ W + b, what, hint="out = np.dot(x, self.W) + self.b.")
    W32, b32, x32 = W.astype(np.float32), b.astype(np.float32), x.astype(np.float32)
    out32 = call_student(f"{what} in float32", Affine(W32, b32).forward, x32)
    expect_dtype(out32, np.float32, "Affine.forward(x) for float32 x, W, b")


def check_affine_backward_dx(Affine, seed=0):
    """backward(dout) returns dx = dout . W.T of x's shape (N, D), without touching dout."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, dout = _case(rng, n, d, m)
    if try_student(_forward_backward, Affine, W, b, x, dout.copy()) is None:
        # Often dx = dout . W, which only fails because D != M: try it where the shapes allow.
        Wsq, bsq, xsq, dsq = _case(rng, n, m, m)
        probe = try_student(_forward_backward, Affine, Wsq, bsq, xsq, dsq)
        if probe is not None and is_close(probe[2], dsq @ Wsq):
            raise AssertionError(
                f"Affine.backward computes dx = dout . W, which fails for "
                f"{shapes(W=W, dout=dout)}: "
                "dx needs the TRANSPOSE, dx = np.dot(dout, self.W.T): (N, M).(M, D) = (N, D)."
            )
    layer, out, dx = _forward_backward(Affine, W, b, x, dout)
    what = f"dx from Affine.backward(dout) with {shapes(x=x, W=W, dout=dout)}"
    if dx is None:
        raise AssertionError(f"{what} is None: backward must `return dx`.")
    if is_close(dx, W @ dout.T):
        raise AssertionError(
            f"{what} has shape {np.shape(dx)}, the transpose of x's shape {x.shape}: "
            "dx = np.dot(dout, self.W.T), with dout on the left."
        )
    expect_close(dx, dout @ W.T, what, hint="dx = np.dot(dout, self.W.T) has x's shape (N, D).")
    W32, b32, x32, d32 = (a.astype(np.float32) for a in (W, b, x, dout))
    _, _, dx32 = _forward_backward(Affine, W32, b32, x32, d32)
    expect_dtype(dx32, np.float32, "dx for float32 x, W, b, dout")


def check_affine_backward_dW(Affine, seed=0):
    """backward(dout) stores self.dW = x.T . dout, of W's shape (D, M)."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, dout = _case(rng, n, d, m)
    if try_student(_forward_backward, Affine, W, b, x, dout.copy()) is None:
        # dW = dout . x only fails because M != N: try it on shapes where it runs.
        Wsq, bsq, xsq, dsq = _case(rng, n, d, n)
        probe = try_student(_forward_backward, Affine, Wsq, bsq, xsq, dsq)
        if probe is not None and is_close(getattr(probe[0], "dW", None), dsq @ xsq):
            raise AssertionError(
                f"Affine.backward computes dW = dout . x, which fails for "
                f"{shapes(x=x, dout=dout)}: dW must have W's shape (D, M), so it is "
                "dW = np.dot(self.x.T, dout): (D, N).(N, M) = (D, M)."
            )
    layer, _, _ = _forward_backward(Affine, W, b, x, dout)
    dW = getattr(layer, "dW", None)
    what = f"self.dW after backward with {shapes(x=x, W=W, dout=dout)}"
    expected = x.T @ dout
    if dW is None:
        raise AssertionError(f"{what} is None: store the weight gradient in self.dW.")
    if is_close(dW, expected.T):
        raise AssertionError(
            f"{what} has shape {np.shape(dW)}, the transpose of W's shape {W.shape}: you "
            "computed dout.T . x; use dW = np.dot(self.x.T, dout), which has W's shape."
        )
    if is_close(dW, expected / n):
        raise AssertionError(
            f"{what} was divided by the batch size N = {n}: dW is the SUM of every sample's "
            "contribution, x.T . dout. (The 1/N of the mean loss is already inside dout.)"
        )
    expect_shape(dW, W.shape, what, "dW always has the shape of W: np.dot(self.x.T, dout).")
    expect_close(dW, expected, what, hint="dW = np.dot(self.x.T, dout), using the x of forward.")


def check_affine_backward_db(Affine, seed=0):
    """backward(dout) stores self.db = dout summed over the batch axis, of b's shape (M,)."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, dout = _case(rng, n, d, m)
    layer, _, _ = _forward_backward(Affine, W, b, x, dout)
    db = getattr(layer, "db", None)
    what = f"self.db after backward with {shapes(b=b, dout=dout)}"
    if db is None:
        raise AssertionError(f"{what} is None: store the bias gradient in self.db.")
    if np.shape(db) == dout.shape:
        raise AssertionError(
            f"{what} has shape {np.shape(db)} but should have b's shape {b.shape}: b was added "
            "to every one of the N rows, so its gradient is the SUM of dout over the batch "
            "axis: np.sum(dout, axis=0)."
        )
    if is_close(db, dout.sum(axis=1)):
        raise AssertionError(
            f"{what} has shape {np.shape(db)}: you summed over axis 1 (the outputs); sum over "
            f"axis 0 (the batch) to get b's shape {b.shape}: np.sum(dout, axis=0)."
        )
    if np.ndim(db) == 0:
        raise AssertionError(
            f"{what} is a single number: you summed over every axis. Sum over the batch axis "
            f"only, np.sum(dout, axis=0), to get b's shape {b.shape}."
        )
    if is_close(db, dout.mean(axis=0)):
        raise AssertionError(
            f"{what} is the MEAN of dout over the batch; b was added to every row, so each row "
            "contributes its full gradient: use np.sum(dout, axis=0)."
        )
    expect_close(db, dout.sum(axis=0), what, hint="db = np.sum(dout, axis=0).")


def check_affine_nd_input(Affine, seed=0):
    """x of shape (N, d1, d2, d3) is flattened to (N, D) and dx comes back in x's shape."""
    rng = rng_for(seed)
    n, m = distinct_sizes(rng, 2, low=2, high=6)
    image = tuple(int(v) for v in rng.integers(2, 4, size=3))
    d = int(np.prod(image))
    W, b, x, dout = _case(rng, n, d, m, x_shape=(n, *image))
    flat = x.reshape(n, d)
    layer = call_student(f"Affine(W, b) with {shapes(W=W, b=b)}", Affine, W.copy(), b.copy())
    out = call_student(
        f"Affine.forward(x) with {shapes(x=x, W=W)}", layer.forward, x.copy(),
        hint=f"Flatten each sample first: x.reshape(x.shape[0], -1) has shape {(n, d)}; "
        "remember x.shape (e.g. self.original_x_shape) so backward can undo it.",
    )
    expect_close(out, flat @ W + b, f"Affine.forward(x) with {shapes(x=x, W=W)}",
                 hint="Flatten x to (N, D) with x.reshape(x.shape[0], -1) before the product.")
    dx = call_student(f"Affine.backward(dout) after a forward of x {x.shape}", layer.backward,
                      dout.copy())
    what = f"dx for x of shape {x.shape}"
    if np.shape(dx) == (n, d):
        raise AssertionError(
            f"{what} has the flattened shape {(n, d)}, not x's shape {x.shape}: reshape it "
            "back, dx.reshape(self.original_x_shape), so the layer before gets a gradient of "
            "the shape it produced."
        )
    expect_close(dx, (dout @ W.T).reshape(x.shape), what,
                 hint="dx = np.dot(dout, self.W.T).reshape(self.original_x_shape).")
    dW = getattr(layer, "dW", None)
    expect_close(dW, flat.T @ dout, f"self.dW for x of shape {x.shape}",
                 hint="Keep the FLATTENED x (N, D) for backward: dW = self.x.T . dout.")


def check_affine_numerically(Affine, seed=0, tol=1e-5):
    """Every gradient of the student's Affine agrees with central differences (bpkit.gradcheck)."""
    rng = rng_for(seed)
    n, d, m = distinct_sizes(rng, 3)
    W, b, x, _ = _case(rng, n, d, m)
    layer = call_student(f"Affine(W, b) with {shapes(W=W, b=b)}", Affine, W.copy(), b.copy())
    errors = call_student(
        f"the gradient check of Affine with {shapes(x=x, W=W, b=b)}",
        gradcheck.check_layer, layer, x, seed=int(rng.integers(2**31)),
    )
    for name, error in errors.items():
        if not error < tol:
            raise AssertionError(
                f"Affine's backward disagrees with the numerical gradient for {name} "
                f"(relative error {error:.2g}; a correct layer gives below {tol:g}) with "
                f"{shapes(x=x, W=W, b=b)}."
            )
