"""Hint ladders for lesson 06: softmax, cross-entropy, and the Softmax-with-Loss layer."""

HINTS = {
    "softmax": [
        "Softmax turns each sample's scores into probabilities: exponentiate, then divide by "
        "the sum over that sample's classes. Adding the same number to every score of a sample "
        "does not change the result.",
        "A batch is (N, C): normalise along the LAST axis, keeping it (keepdims) so the division "
        "broadcasts; the same code then works for one sample (C,). exp(1000) is inf: shift each "
        "row first so its largest score is 0.",
        "x = x - np.max(x, axis=-1, keepdims=True); e = np.exp(x); return e / np.sum(e, "
        "axis=-1, keepdims=True)",
    ],
    "cross_entropy_error": [
        "Cross-entropy is the negative log-likelihood of the right class, averaged over the "
        "batch. log(0) is -inf, so add a tiny delta inside the log.",
        "y is (N, C). One-hot t is (N, C); labels t are (N,) and pick one probability per row. "
        "Treat one sample (C,) as a batch of one. The loss is one number.",
        "batch = y.shape[0]; with labels: -np.sum(np.log(y[np.arange(batch), t] + 1e-7)) / "
        "batch; with one-hot t: -np.sum(t * np.log(y + 1e-7)) / batch.",
    ],
    "softmax_layer": [
        "Each y_k depends on every score of its sample through the sum S. Work out dy_k/da_j "
        "twice, for k == j and for k != j, and write both with the y's only; then da_j collects "
        "dout_k times dy_k/da_j over every k (the chain rule over every output a_j reaches).",
        "You should find a term of the shape of y (dout times y, entry by entry) minus y times "
        "one number per sample: the sum over the classes of dout * y. Sum over the LAST axis "
        "with keepdims=True, so that (N, 1) broadcasts against (N, C) and (C,) works too.",
        "return self.out * (dout - np.sum(dout * self.out, axis=-1, keepdims=True))",
    ],
    "cross_entropy_layer": [
        "The loss is -(1/N) times the sum of t * log(y). An entry of y whose t is 0 does not "
        "appear in the loss at all; the derivative of log(y) by y is 1/y.",
        "dy has y's shape (N, C): zero where t is 0, negative where t is 1 (raising the right "
        "class's probability lowers the loss), divided by N for the mean, times dout.",
        "return -dout * self.t / self.y / self.y.shape[0]",
    ],
    "squared_error_loss": [
        "Only one term of the sum contains a given prediction y[n, d]: the derivative of "
        "0.5 * u**2 is u, and the mean over the batch divides by N.",
        "dy has y's shape (N, D), positive where the prediction is above its target, divided by "
        "the batch size N, times dout.",
        "return dout * (self.y - self.t) / self.y.shape[0]",
    ],
    "chain_derivation": [
        "Chain the two backward passes: cross-entropy's dy is the dout that softmax's backward "
        "pass receives. Write both for one entry, then substitute.",
        "Softmax's backward has a number shared by every entry of a sample: the sum over the "
        "classes of dout_k * y_k. With dout = dy, each term of that sum is -t_k / N: what is "
        "the sum when t is one-hot?",
        "dy_k = -t_k / (N y_k); sum_k dy_k y_k = -1/N; da_j = y_j (dy_j + 1/N) = "
        "(y_j - t_j) / N.",
    ],
    "softmax_with_loss": [
        "forward chains softmax and cross-entropy and keeps what backward needs (y, and t as "
        "one-hot rows). backward returns the simplified gradient you showed in section 4, not "
        "the chain of the two backward passes.",
        "dx has x's shape (N, C); the loss is the batch MEAN, so each sample's gradient is "
        "divided by N; the upstream dout (1 by default) multiplies everything. With labels t, "
        "turn them into one-hot rows in forward so backward can subtract.",
        "forward: self.y = softmax(x); self.t = t if one-hot else np.eye(C)[t]; return "
        "cross_entropy_error(self.y, self.t). backward(dout=1): return dout * (self.y - "
        "self.t) / N.",
    ],
}
