"""Hint ladders for lesson 05: the Affine layer."""

HINTS = {
    "affine": [
        "out = x . W + b: a matrix product node and an add node. Each gradient has the shape of "
        "the thing it is the gradient of, and the shapes alone decide where the transposes go.",
        "x is (N, D), W is (D, M), b is (M,), dout is (N, M). dx must be (N, D): which product "
        "of dout and W gives that? dW must be (D, M): which product of x and dout? b was added "
        "to each of the N rows: what does the backward pass of a copy do?",
        "dx = np.dot(dout, self.W.T); self.dW = np.dot(self.x.T, dout); self.db = "
        "np.sum(dout, axis=0). For (N, d1, d2, ...) inputs, flatten x to (N, D) in forward and "
        "reshape dx back to the original shape.",
    ],
}
