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
    "softmax_with_loss": [
        "forward chains softmax and cross-entropy and keeps what backward needs. Working the "
        "two backward passes together, the gradient by the scores becomes very simple.",
        "dx has x's shape (N, C); the loss is the batch MEAN, so each sample's gradient is "
        "divided by N; the upstream dout (1 by default) multiplies everything.",
        "forward: self.t = t; self.y = softmax(x); return cross_entropy_error(self.y, t). "
        "backward(dout=1): dx = dout * (self.y - self.t) / N (with labels, subtract 1 at "
        "[np.arange(N), t] instead).",
    ],
}
