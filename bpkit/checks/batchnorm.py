"""Checks for lesson 11: Batch Normalization (배치 정규화) and Dropout (드롭아웃).

The student writes ``BatchNormalization.forward`` (which stores ``self.cache``, a dict with
``xc``, ``std``, ``x_hat`` and ``gamma``), three backward functions that take ``(dout, cache)``
(the parameters' gradients, dx node by node, dx in closed form), a ``Dropout`` class and a
function that adds both layers to a ``MultiLayerNet``. Every backward check builds the cache
with bpkit's reference, so a wrong forward costs only the forward's points; each compares with
central differences (수치 미분) of the reference forward and names the usual mistakes.
"""

import numpy as np

from ..gradcheck import numerical_gradient_array
from ..i18n import tr
from ..network import MultiLayerNet
from ..normalization import BatchNormalization as _ReferenceBN
from ._student import (
    call,
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
    passed,
    rng_for,
    shapes,
)

__all__ = [
    "check_add_batchnorm_and_dropout",
    "check_batchnorm_backward_closed_form",
    "check_batchnorm_backward_graph",
    "check_batchnorm_forward_train",
    "check_batchnorm_inference",
    "check_batchnorm_param_grads",
    "check_dropout_backward",
    "check_dropout_forward",
]

CACHE_KEYS = ("xc", "std", "x_hat", "gamma")


def _batch(rng, dtype=np.float64):
    """x (N, D) with N != D, features far from mean 0 and std 1; gamma, beta (D,); dout."""
    n = int(rng.integers(4, 9))
    d = int(rng.choice([k for k in range(2, 7) if k != n]))
    x = rng.normal(rng.uniform(-3, 3, d), rng.uniform(0.5, 3, d), (n, d))
    gamma, beta = rng.uniform(0.5, 2, d) * rng.choice([-1, 1], d), rng.standard_normal(d)
    dout = rng.standard_normal((n, d))
    return tuple(a.astype(dtype) for a in (x, gamma, beta, dout))


def _reference_cache(x, gamma, beta):
    layer = _ReferenceBN(gamma.copy(), beta.copy())
    out = layer.forward(x, train=True)
    xc = x - x.mean(axis=0)
    return out, {"xc": xc, "std": layer.std, "x_hat": layer.x_hat, "gamma": gamma.copy()}


# --------------------------------------------------------------------------------------------
# BatchNormalization forward


def check_batchnorm_forward_train(BatchNormalization, seed=0):
    """forward(x, train=True) normalizes each feature over the batch, scales, shifts, and stores
    the cache backward needs; float32 stays float32."""
    rng = rng_for(seed)
    x, gamma, beta, _ = _batch(rng)
    where = tr("BatchNormalization.forward(x, train=True) with {shapes_x_x_gamma_gamma}",
               shapes_x_x_gamma_gamma=shapes(x=x, gamma=gamma))
    layer = call(tr("BatchNormalization(gamma, beta) with {shapes_gamma_gamma}",
                    shapes_gamma_gamma=shapes(gamma=gamma)),
                 BatchNormalization, gamma.copy(), beta.copy(), exercise="batchnorm_forward")
    before = x.copy()
    out = expect_value(call(where, layer.forward, x, True, exercise="batchnorm_forward"), where,
                       "batchnorm_forward")
    expect_unchanged(before, x, where, "x", "batchnorm_forward")
    expected, cache = _reference_cache(x, gamma, beta)
    if not is_close(out, expected):
        _diagnose_forward(out, x, gamma, beta, where)
    expect_close(out, expected, where, "Is each feature (column) normalized with its own mean "
                 "and variance over the batch, then scaled and shifted?",
                 exercise="batchnorm_forward")
    if getattr(layer, "cache", None) is None:
        fail("batchnorm.cache_not_stored",
             tr("after {where}, self.cache is None: the backward functions read the graph's "
                "intermediate arrays from it. Which edges' arrays does the contract ask "
                "forward to keep?",
                where=where), "batchnorm_forward")
    stored = expect_keys(layer.cache, CACHE_KEYS, tr("self.cache after {where}",
                                                     where=where),
                         "batchnorm_forward")
    for key in CACHE_KEYS:
        expect_close(stored[key], cache[key], f"self.cache[{key!r}] after {where}",
                     tr("What does the edge labelled {key} carry in the graph?",
                        key=key),
                     exercise="batchnorm_forward", mistake_id="batchnorm.cache_wrong")
    layer32 = call("BatchNormalization(gamma, beta) in float32", BatchNormalization,
                   gamma.astype(np.float32), beta.astype(np.float32), exercise="batchnorm_forward")
    out32 = call(tr("{where} in float32",
                    where=where), layer32.forward, x.astype(np.float32), True,
                 exercise="batchnorm_forward")
    expect_dtype(out32, np.float32, "BatchNormalization.forward for float32 x, gamma, beta",
                 "batchnorm_forward")
    passed("BatchNormalization.forward (training)",
           "each feature normalized over the batch, scaled and shifted; cache stored", 6)


def _diagnose_forward(out, x, gamma, beta, where):
    n, d = x.shape
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-7)
    if is_close(out, x_hat, rtol=1e-4, atol=1e-6):
        fail("batchnorm.no_scale_shift",
             tr("{where} returned the normalized batch itself: every column has mean 0 and "
                "std 1, whatever gamma and beta are. What are the last two nodes of the "
                "graph for?",
                where=where),
             "batchnorm_forward")
    unbiased = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + 1e-7) + beta
    if is_close(out, unbiased, rtol=1e-4, atol=1e-6):
        fail("batchnorm.unbiased_variance",
             tr("{where}: your columns have std {np_sqrt_n_1_n:.4f} x |gamma| instead of "
                "|gamma|: the variance was divided by N - 1 = {n_1}, not N = {n}. The "
                "graph's variance node is a mean over the batch: how many samples does it "
                "divide by?",
                where=where, np_sqrt_n_1_n=np.sqrt((n - 1) / n), n_1=n - 1, n=n),
             "batchnorm_forward")
    for axis, name in ((1, "axis 1 (the D features of each sample)"), (None, "the whole array")):
        mean = x.mean(axis=axis, keepdims=axis is not None)
        var = x.var(axis=axis, keepdims=axis is not None)
        wrong = gamma * (x - mean) / np.sqrt(var + 1e-7) + beta
        if np.shape(out) == x.shape and np.allclose(out, wrong, rtol=1e-4, atol=1e-6):
            fail("batchnorm.wrong_axis",
                 tr("{where}: the statistics were taken over {name}, so each column of the "
                    "output does not have mean beta (column 0 has mean "
                    "{np_mean_np_asarray_out_0:.4g}, beta[0] is {beta_0:.4g}). Batch "
                    "normalization normalizes each feature over the batch: which axis of x "
                    "({n}, {d}) runs over the samples?",
                    where=where, name=name,
                    np_mean_np_asarray_out_0=np.mean(np.asarray(out)[:, 0]), beta_0=beta[0],
                    n=n, d=d), "batchnorm_forward")


def check_batchnorm_inference(BatchNormalization, seed=0):
    """Training batches move running_mean and running_var (with momentum); train=False
    normalizes with them, leaves them unchanged, and treats each sample on its own."""
    rng = rng_for(seed)
    x, gamma, beta, _ = _batch(rng)
    n, d = x.shape
    exercise = "batchnorm_forward"
    layer = call(tr("BatchNormalization(gamma, beta) with {shapes_gamma_gamma}",
                    shapes_gamma_gamma=shapes(gamma=gamma)),
                 BatchNormalization, gamma.copy(), beta.copy(), exercise=exercise)
    reference = _ReferenceBN(gamma.copy(), beta.copy(), momentum=layer.momentum, eps=layer.eps)
    batches = [x, x * rng.uniform(0.5, 2) + rng.normal(size=d)]
    for batch in batches:
        what = tr("BatchNormalization.forward(x, train=True) with {shapes_x_batch}",
                  shapes_x_batch=shapes(x=batch))
        expect_value(call(what, layer.forward, batch.copy(), True, exercise=exercise), what,
                     exercise)
        reference.forward(batch, True)
    where = tr("running_mean after {len_batches} training batches of {shapes_x_x}",
               len_batches=len(batches), shapes_x_x=shapes(x=x))
    running = np.asarray(layer.running_mean, dtype=np.float64)
    if is_close(running, np.zeros(d)):
        fail("batchnorm.running_not_updated",
             tr("{where} is still all zeros: training never updated it, so inference would "
                "subtract 0 and divide by 1. Where does a training forward record the "
                "batch's mean and variance for later?",
                where=where), exercise)
    m = layer.momentum
    swapped = _ReferenceBN(gamma.copy(), beta.copy(), momentum=1 - m, eps=layer.eps)
    for batch in batches:
        swapped.forward(batch, True)
    if is_close(running, swapped.running_mean) and not is_close(running, reference.running_mean):
        fail("batchnorm.momentum_reversed",
             tr("{where}: each batch replaced {m:g} of the running average instead of "
                "keeping {m:g} of it (momentum = {m:g}). Which of the two, the old average "
                "or the new batch, should weigh {m:g}?",
                where=where, m=m), exercise)
    expect_close(running, reference.running_mean, where, "Is every training batch mixed into "
                 "the running average with the momentum, and nothing else?", exercise=exercise,
                 mistake_id="batchnorm.running_wrong")
    expect_close(layer.running_var, reference.running_var, "running_var after the same "
                 "batches", "Is the variance mixed in the same way as the mean?",
                 exercise=exercise, mistake_id="batchnorm.running_wrong")
    test = rng.normal(x.mean(axis=0), x.std(axis=0), (n + 3, d))
    kept = np.array(running), np.array(layer.running_var, dtype=np.float64)
    what = tr("BatchNormalization.forward(x, train=False) with {shapes_x_test}",
              shapes_x_test=shapes(x=test))
    out = expect_value(call(what, layer.forward, test.copy(), False, exercise=exercise), what,
                       exercise)
    expected = reference.forward(test, False)
    batch_stats = gamma * (test - test.mean(axis=0)) / np.sqrt(test.var(axis=0) + 1e-7) + beta
    if is_close(out, batch_stats, rtol=1e-4, atol=1e-6):
        alone = call(tr("{what_1} on its first sample alone",
                        what_1=what[:-1]), layer.forward, test[:1].copy(),
                     False, exercise=exercise)
        fail("batchnorm.batch_stats_at_inference",
             tr("{what} normalized with the test batch's own mean and variance: the first "
                "sample's output changes with the samples it is sent with (alone it gives "
                "{np_ravel_alone_0:.4g}, in the batch {np_ravel_out_0:.4g}). At inference a "
                "prediction must not depend on the rest of the batch: which statistics did "
                "training leave for this?",
                what=what, np_ravel_alone_0=np.ravel(alone)[0],
                np_ravel_out_0=np.ravel(out)[0]), exercise)
    if not (is_close(layer.running_mean, kept[0]) and is_close(layer.running_var, kept[1])):
        fail("batchnorm.running_updated_at_inference",
             tr("{what} changed running_mean or running_var. At inference the layer only "
                "uses what training measured; should looking at test data change it?",
                what=what), exercise)
    expect_close(out, expected, what, "Does inference normalize with the running averages "
                 "(and the same eps), then scale and shift?", exercise=exercise)
    passed("BatchNormalization.forward (inference)",
           "running averages updated with momentum in training, used at inference", 5)


# --------------------------------------------------------------------------------------------
# BatchNormalization backward: the cache comes from the reference forward


def _numerical(x, gamma, beta, dout):
    """Central differences of the reference training forward, for x, gamma and beta."""
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()

    def f():
        return _ReferenceBN(gamma, beta).forward(x, train=True)

    return {name: numerical_gradient_array(f, a, dout)
            for name, a in (("x", x), ("gamma", gamma), ("beta", beta))}


def check_batchnorm_param_grads(batchnorm_param_grads, seed=0):
    """batchnorm_param_grads(dout, cache) returns (dgamma, dbeta), each of shape (D,)."""
    rng = rng_for(seed)
    x, gamma, beta, dout = _batch(rng)
    n, d = x.shape
    exercise = "batchnorm_param_grads"
    _, cache = _reference_cache(x, gamma, beta)
    what = tr("batchnorm_param_grads(dout, cache) with {shapes_dout_dout_gamma_gamma}",
              shapes_dout_dout_gamma_gamma=shapes(dout=dout, gamma=gamma))
    before = dout.copy()
    result = call(what, batchnorm_param_grads, dout, dict(cache), exercise=exercise)
    expect_unchanged(before, dout, what, "dout", exercise)
    dgamma, dbeta = expect_count(result, 2, what, "(dgamma, dbeta)", exercise)
    for name, grad in (("dgamma", dgamma), ("dbeta", dbeta)):
        expect_value(grad, f"{name} from {what}", exercise)
        if np.shape(grad) == (n, d):
            fail("batchnorm.param_grads_not_summed",
                 tr("{name} from {what} has shape {n_d}, one row per sample, but {name_1} "
                    "has shape {d}. {name_1} was used by all {n} samples of the batch "
                    "(broadcast): what does the backward pass of a broadcast do with the "
                    "{n} rows?",
                    name=name, what=what, n_d=(n, d), name_1=name[1:], d=(d,), n=n), exercise)
        expect_shape(grad, (d,), f"{name} from {what}",
                     tr("Which axis of dout ({n}, {d}) runs over the samples?",
                        n=n, d=d), exercise)
    numeric = _numerical(x, gamma, beta, dout)
    if is_close(dgamma, numeric["gamma"] / n) or is_close(dbeta, numeric["beta"] / n):
        fail("batchnorm.param_grads_mean",
             tr("{what}: the gradients are {n} times too small (N = {n}): you averaged the "
                "samples' contributions. The loss's 1/N is already inside dout; does each "
                "sample add its whole share?",
                what=what, n=n), exercise)
    if is_close(dgamma, (dout * cache["xc"]).sum(axis=0)):
        fail("batchnorm.dgamma_uses_xc",
             tr("{what}: dgamma matches the centered x, xc, times dout. Which array does "
                "gamma multiply in the graph's × node?",
                what=what), exercise)
    expect_gradients_match({"gamma": dgamma, "beta": dbeta},
                           {"gamma": numeric["gamma"], "beta": numeric["beta"]}, what,
                           exercise=exercise)
    passed("batchnorm_param_grads", "dgamma and dbeta summed over the batch, match the "
           "numerical gradient", 4)


def _dx_variants(dout, cache):
    """The usual wrong dx, by name: constant statistics, one path forgotten, sums not means."""
    x_hat, std, gamma = cache["x_hat"], cache["std"], cache["gamma"]
    g = dout * gamma
    return {
        "constant_statistics": g / std,
        "no_gamma": (dout - dout.mean(0) - x_hat * (dout * x_hat).mean(0)) / std,
        "variance_path_missing": (g - g.mean(0)) / std,
        "mean_path_missing": (g - x_hat * (g * x_hat).mean(0)) / std,
        "sums_not_means": (g - g.sum(0) - x_hat * (g * x_hat).sum(0)) / std,
    }


_DX_MESSAGES = {
    "constant_statistics": (
        "batchnorm.statistics_held_constant",
        "dx is dout through the ×γ and ÷σ nodes only, as if the mean μ and the std σ were "
        "constants. But μ and σ are computed from x: every sample's x reaches the output through "
        "them too (the 1/N of the mean nodes). Which edges of the graph did your backward not "
        "follow?"),
    "no_gamma": (
        "batchnorm.gamma_missing",
        "dx would be right if gamma were all ones. On its way back from out to x̂, what does the "
        "gradient pass through?"),
    "variance_path_missing": (
        "batchnorm.variance_path_missing",
        "dx follows the path through the mean μ but not the one through the variance σ²: xc "
        "feeds two nodes (÷ and the square), so its gradient is the sum of two parts. Which "
        "part is missing?"),
    "mean_path_missing": (
        "batchnorm.mean_path_missing",
        "dx follows the path through the variance but not the one through the mean μ: x feeds "
        "two nodes (the mean and the subtraction). What does the mean node send back to each "
        "of the N samples?"),
    "sums_not_means": (
        "batchnorm.one_over_n_missing",
        "the two batch terms are N times too large: a mean node divides by N, so its backward "
        "hands each sample 1/N of the gradient. Where in your backward does N appear?"),
}


def _check_dx(function, name, exercise, seed, detail):
    rng = rng_for(seed)
    x, gamma, beta, dout = _batch(rng)
    n, d = x.shape
    _, cache = _reference_cache(x, gamma, beta)
    what = tr("{name}(dout, cache) with {shapes_dout_dout_gamma_gamma}",
              name=name, shapes_dout_dout_gamma_gamma=shapes(dout=dout, gamma=gamma))
    before = dout.copy()
    dx = expect_value(call(what, function, dout, dict(cache), exercise=exercise), what, exercise)
    expect_unchanged(before, dout, what, "dout", exercise)
    if isinstance(dx, tuple):
        fail("common.wrong_count", tr("{what} returned {len_dx} values; it returns dx alone "
                                      "(dgamma and dbeta have their own function).",
                                      what=what, len_dx=len(dx)), exercise)
    expect_shape(dx, (n, d), tr("dx from {what}",
                                what=what), "dx has the shape of x.", exercise)
    numeric = _numerical(x, gamma, beta, dout)["x"]
    if not is_close(dx, numeric, rtol=1e-5, atol=1e-7):
        for variant, wrong in _dx_variants(dout, cache).items():
            if is_close(dx, wrong):
                mistake_id, message = _DX_MESSAGES[variant]
                fail(mistake_id, f"{what}: {message}", exercise)
    expect_gradients_match({"x": dx}, {"x": numeric}, what, exercise=exercise)
    total = np.abs(np.sum(dx, axis=0)).max()
    passed(name, tr("{detail}; dx matches the numerical gradient (its columns sum to "
                    "{total:.0e})",
                    detail=detail, total=total), 3)


def check_batchnorm_backward_graph(batchnorm_backward_graph, seed=0):
    """batchnorm_backward_graph(dout, cache) returns dx (N, D), node by node along the graph."""
    _check_dx(batchnorm_backward_graph, "batchnorm_backward_graph", "batchnorm_backward_graph",
              seed, "every node's backward")


def check_batchnorm_backward_closed_form(batchnorm_backward_closed_form, seed=0):
    """batchnorm_backward_closed_form(dout, cache) returns dx (N, D) from the simplified form."""
    _check_dx(batchnorm_backward_closed_form, "batchnorm_backward_closed_form",
              "batchnorm_backward_closed_form", seed, "the simplified form")


# --------------------------------------------------------------------------------------------
# Dropout


def _kept(layer, shape, what):
    """The stored mask as booleans; fail if forward did not store one of x's shape."""
    mask = getattr(layer, "mask", None)
    if mask is None:
        fail("dropout.mask_not_stored",
             tr("after {what}, self.mask is None: backward has no way to know which units "
                "were dropped in this forward pass. Where does your forward keep its mask?",
                what=what), "dropout")
    if np.shape(mask) != shape:
        fail("dropout.mask_not_stored",
             tr("after {what}, self.mask has shape {np_shape_mask}, not x's shape {shape}: "
                "one keep-or-drop decision per unit. What did your forward store?",
                what=what, np_shape_mask=np.shape(mask), shape=shape), "dropout")
    return np.asarray(mask) != 0


def check_dropout_forward(Dropout, seed=0):
    """Training: about dropout_ratio of the units are zeroed, the others scaled so the expected
    output is x, the mask stored; inference: x passes unchanged."""
    rng = rng_for(seed)
    ratio = float(rng.choice([0.2, 0.3, 0.4, 0.6]))
    x = rng.uniform(0.5, 2.0, (200, 50))  # positive: a dropped unit shows as exactly 0
    layer = call(f"Dropout(dropout_ratio={ratio})", Dropout, ratio, exercise="dropout")
    what = tr("Dropout({ratio}).forward(x, train=True) with {shapes_x_x}",
              ratio=ratio, shapes_x_x=shapes(x=x))
    before = x.copy()
    np.random.seed(int(rng.integers(2**31)))  # the book's np.random.rand, repeatable
    out = expect_value(call(what, layer.forward, x, True, exercise="dropout"), what, "dropout")
    expect_unchanged(before, x, what, "x", "dropout")
    expect_shape(out, x.shape, what, exercise="dropout")
    kept = _kept(layer, x.shape, what)
    dropped_share = 1 - kept.mean()
    if abs(dropped_share - (1 - ratio)) < 0.05 and abs(ratio - 0.5) > 0.05:
        fail("dropout.ratio_is_keep",
             tr("{what} dropped {dropped_share:.0%} of the units, but dropout_ratio is "
                "{ratio}: it dropped 1 - dropout_ratio. Is dropout_ratio the share dropped "
                "or the share kept?",
                what=what, dropped_share=dropped_share, ratio=ratio), "dropout")
    if abs(dropped_share - ratio) > 0.05:
        fail("dropout.wrong_share",
             tr("{what} dropped {dropped_share:.0%} of the units; dropout_ratio = {ratio} "
                "asks for about {ratio:.0%}. How does your mask decide which units to keep?",
                what=what, dropped_share=dropped_share, ratio=ratio), "dropout")
    if not np.all(np.asarray(out)[~kept] == 0):
        fail("dropout.dropped_not_zero", tr("{what}: units the mask drops are not 0 in the "
                                            "output. What should a dropped unit send on?",
                                            what=what), "dropout")
    if is_close(np.asarray(out)[kept], x[kept]):
        fail("dropout.not_scaled_in_training",
             tr("{what}: the kept units pass unchanged, so the mean output is "
                "{np_mean_out:.3f} while the mean input is {x_mean:.3f} (about "
                "{value_1_ratio:.0%} of it). At inference every unit is on: what must "
                "training do so that both see the same expected value?",
                what=what, np_mean_out=np.mean(out), x_mean=x.mean(), value_1_ratio=1 - ratio),
                "dropout")
    expect_close(np.asarray(out)[kept], x[kept] / (1 - ratio), tr("the kept units of {what}",
                                                                  what=what),
                 "With inverted dropout, what factor keeps the expected output equal to x?",
                 exercise="dropout")
    x_test = rng.uniform(0.5, 2.0, (7, 5))
    what = tr("Dropout({ratio}).forward(x, train=False) with {shapes_x_x_test}",
              ratio=ratio, shapes_x_x_test=shapes(x=x_test))
    out = expect_value(call(what, layer.forward, x_test.copy(), False, exercise="dropout"),
                       what, "dropout")
    for factor, name in ((1 - ratio, "1 - dropout_ratio"), (1 / (1 - ratio),
                                                            "1 / (1 - dropout_ratio)")):
        if is_close(out, x_test * factor):
            fail("dropout.scaled_at_inference",
                 tr("{what} multiplied x by {name} = {factor:.3g}. Training already scaled "
                    "the kept units (inverted dropout), so the expected value in training "
                    "is x itself: what is left to do at inference?",
                    what=what, name=name, factor=factor), "dropout")
    if np.shape(out) == x_test.shape and np.any(np.asarray(out) == 0):
        fail("dropout.dropped_at_inference",
             tr("{what} zeroed some units. At inference the whole network is used: should "
                "anything be dropped?",
                what=what), "dropout")
    expect_close(out, x_test, what, "At inference, what does inverted dropout do to x?",
                 exercise="dropout")
    passed("Dropout.forward", tr("drops about {ratio:.0%} and scales the rest in training; "
                                 "passes x at inference",
                                 ratio=ratio), 5)


def check_dropout_backward(Dropout, seed=0):
    """backward(dout) sends the gradient through the kept units of the last forward, with the
    forward's own factor: the numerical gradient with the same mask agrees."""
    rng = rng_for(seed)
    ratio = float(rng.choice([0.25, 0.4, 0.5]))
    n, d = int(rng.integers(3, 7)), int(rng.integers(7, 10))
    x, dout = rng.uniform(0.5, 2.0, (n, d)), rng.standard_normal((n, d))
    layer = call(f"Dropout(dropout_ratio={ratio})", Dropout, ratio, exercise="dropout")
    what = tr("Dropout({ratio}).forward(x, train=True) with {shapes_x_x}",
              ratio=ratio, shapes_x_x=shapes(x=x))
    mask_seed = int(rng.integers(2**31))
    np.random.seed(mask_seed)
    out = expect_value(call(what, layer.forward, x.copy(), True, exercise="dropout"), what,
                       "dropout")
    kept = _kept(layer, x.shape, what)
    back = tr("Dropout.backward(dout) with {shapes_dout_dout}",
              shapes_dout_dout=shapes(dout=dout))
    before = dout.copy()
    dx = expect_value(call(back, layer.backward, dout, exercise="dropout"), back, "dropout")
    expect_unchanged(before, dout, back, "dout", "dropout")
    expect_shape(dx, x.shape, tr("dx from {back}",
                                 back=back), "dx has the shape of x.", "dropout")
    if not np.all(np.asarray(dx)[~kept] == 0):
        fail("dropout.gradient_through_dropped",
             tr("{back} sends gradient to units the forward dropped (their output was 0 "
                "whatever x was). How much does a dropped unit's x change the output?",
                back=back), "dropout")
    if is_close(dx, dout * kept) and not is_close(out, x * kept):
        fail("dropout.backward_not_scaled",
             tr("{back}: dx is dout on the kept units, but forward multiplied them by "
                "{value_1_1_ratio:.3g}. Each unit's local derivative is the factor its "
                "forward applied: which factor is missing?",
                back=back, value_1_1_ratio=1 / (1 - ratio)), "dropout")

    def forward_with_the_same_mask():
        np.random.seed(mask_seed)
        return layer.forward(x, True)

    numeric = call(tr("{what} (again, for the numerical gradient)",
                      what=what), numerical_gradient_array,
                   forward_with_the_same_mask, x, dout, exercise="dropout")
    expect_gradients_match({"x": dx}, {"x": numeric}, back, exercise="dropout")
    passed("Dropout.backward", "the gradient flows through the kept units only, scaled as in "
           "forward", 3)


# --------------------------------------------------------------------------------------------
# The network


def _away_from_kinks(rng, sizes, net_seed, margin=1e-3):
    """A batch x (7, D), t (7,) whose every ReLU input in bpkit's BatchNorm net with these
    weights is at least ``margin`` from 0: central differences that cross ReLU's kink disagree
    with backprop for a correct net (about 4 seeds in 1,000 did, before this)."""
    reference = MultiLayerNet(sizes, weight_init_std="he", seed=net_seed, use_batchnorm=True)
    while True:
        x, t = rng.standard_normal((7, sizes[0])), rng.integers(0, 3, 7)
        z, closest = x, np.inf
        for name, layer in reference.layers.items():
            z = layer.forward(z, True) if name.startswith("BatchNorm") else layer.forward(z)
            if name.startswith("BatchNorm"):
                closest = min(closest, float(np.abs(z).min()))
        if closest > margin:
            return x, t


def check_add_batchnorm_and_dropout(add_batchnorm_and_dropout, BatchNormalization, Dropout,
                                    seed=0):
    """add_batchnorm_and_dropout(net, use_batchnorm, dropout_ratio) puts a BatchNormalization
    before and a Dropout after each hidden activation, with gamma/beta in net.params, and
    returns net; the net's gradients then match numerical ones and its layers match bpkit's
    MultiLayerNet."""
    rng = rng_for(seed)
    exercise = "add_batchnorm_and_dropout"
    sizes = [int(rng.integers(4, 7)), int(rng.integers(7, 9)), int(rng.integers(5, 7)), 3]
    net_seed = int(rng.integers(2**31))
    what = f"add_batchnorm_and_dropout(MultiLayerNet({sizes}), True, 0.3)"
    net = MultiLayerNet(sizes, weight_init_std="he", seed=net_seed)
    returned = expect_value(call(what, add_batchnorm_and_dropout, net, True, 0.3,
                                 exercise=exercise), what, exercise)
    if returned is not net:
        fail("add_batchnorm_and_dropout.returned_another_net",
             tr("{what} returned {type_returned___name}, not the net it was given. The "
                "contract is to rebuild that net's layers and return it: which object did "
                "you return?",
                what=what, type_returned___name=type(returned).__name__), exercise)
    reference = MultiLayerNet(sizes, weight_init_std="he", seed=net_seed, use_batchnorm=True,
                              dropout_ratio=0.3)
    got, want = list(net.layers), list(reference.layers)
    if got != want:
        fail("add_batchnorm_and_dropout.layer_order",
             tr("after {what} the layers are {got}. Each hidden block should normalize the "
                "Affine's output before the activation, drop units after it, and the output "
                "Affine feeds the loss directly: what order do your layers come in, and "
                "which Affine layers did you follow?",
                what=what, got=got), exercise)
    for name, layer in net.layers.items():
        if name.startswith("BatchNorm") and not isinstance(layer, BatchNormalization):
            fail("add_batchnorm_and_dropout.not_your_layers",
                 tr("after {what}, {name} is a {type_layer___module}.{type_layer___name}, "
                    "not your BatchNormalization: use the classes you wrote above.",
                    what=what, name=name, type_layer___module=type(layer).__module__,
                    type_layer___name=type(layer).__name__), exercise)
        if name.startswith("Dropout") and not isinstance(layer, Dropout):
            fail("add_batchnorm_and_dropout.not_your_layers",
                 tr("after {what}, {name} is a {type_layer___name}, not your Dropout: use "
                    "the class you wrote above.",
                    what=what, name=name, type_layer___name=type(layer).__name__), exercise)
    expect_keys(net.params, list(reference.params), tr("net.params after {what}",
                                                       what=what), exercise)
    for i in range(1, len(sizes) - 1):
        layer = net.layers[f"BatchNorm{i}"]
        if net.params[f"gamma{i}"] is not layer.gamma or net.params[f"beta{i}"] is not layer.beta:
            fail("add_batchnorm_and_dropout.params_not_shared",
                 tr("after {what}, net.params['gamma{i}'] is not the very array "
                    "BatchNorm{i} holds. An optimiser updates the arrays in net.params in "
                    "place: would BatchNorm{i} ever see the update?",
                    what=what, i=i), exercise)
        expect_close(layer.gamma, np.ones(sizes[i]), tr("BatchNorm{i}.gamma after {what}",
                                                        i=i, what=what),
                     "What gamma and beta make BatchNormalization start as plain normalization?",
                     exercise=exercise)
        expect_close(layer.beta, np.zeros(sizes[i]), tr("BatchNorm{i}.beta after {what}",
                                                        i=i, what=what),
                     exercise=exercise)
    plain = MultiLayerNet(sizes, weight_init_std="he", seed=net_seed)
    call(f"add_batchnorm_and_dropout(MultiLayerNet({sizes}), True, 0.0)",
         add_batchnorm_and_dropout, plain, True, 0.0, exercise=exercise)
    if any(name.startswith("Dropout") for name in plain.layers):
        fail("add_batchnorm_and_dropout.dropout_at_zero",
             tr("with dropout_ratio=0 the net still has {n_for_n_in_plain_layers_if_Drop}: "
                "a ratio of 0 asks for no Dropout layers at all.",
                n_for_n_in_plain_layers_if_Drop=[n for n in plain.layers if 'Drop' in n]), exercise)
    x, t = _away_from_kinks(rng, sizes, net_seed)
    grads = call("net.gradient(x, t) of the net with BatchNorm", plain.gradient, x, t,
                 exercise=exercise)
    numeric = plain.numerical_gradient(x, t)
    # A hidden bias is subtracted again by the BatchNorm after it: both gradients are ~0, and
    # their ratio says nothing. Compare the rest.
    hidden_biases = {f"b{i}" for i in range(1, len(sizes) - 1)}
    expect_gradients_match({k: v for k, v in grads.items() if k not in hidden_biases},
                           {k: v for k, v in numeric.items() if k not in hidden_biases},
                           "the whole net's gradient", tol=1e-5, exercise=exercise)
    passed("add_batchnorm_and_dropout", "BatchNorm before and Dropout after each hidden "
           "activation; gamma and beta in params; gradients check", 5)
