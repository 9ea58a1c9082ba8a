"""Hint ladders for lesson 05: the broadcast nodes and the Affine layer."""

HINTS = {
    "repeat_node": [
        "Repeat uses one value in n places, like lesson 02's branch (분기): when a value feeds "
        "several places, the gradients that come back from each place add up.",
        "x[j] appears once in every row, in column j, and moves each copy by exactly as much as "
        "it moves. So dx[j] collects dout[i, j] from every row i. dout is (n, M); dx must be "
        "(M,): which axis disappears?",
        "forward: np.tile(x, (self.n, 1)); backward: np.sum(dout, axis=0).",
    ],
    "sum_node": [
        "Sum is an add node (덧셈 노드) with many inputs: an add node passes the upstream "
        "gradient to each of its inputs unchanged.",
        "x[i, j] moves output j, one for one, whatever the row i. dout is (M,); dx must be "
        "(N, M), every row the same: how many rows did forward see (keep it on self)?",
        "forward: self.n = x.shape[0]; return np.sum(x, axis=0). backward: "
        "np.tile(dout, (self.n, 1)).",
    ],
    "affine": [
        "out = x . W + b is a product node and an add node (the bias through a Repeat node). "
        "Every gradient has the shape of the thing it is the gradient of, and for a product the "
        "arrays that meet are the upstream gradient and the OTHER operand; the shapes then "
        "decide where the transposes go.",
        "x is (N, D), W is (D, M), b is (M,), dout is (N, M). dx must be (N, D): which product "
        "of dout and W gives that? dW must be (D, M): which product of x and dout? db: what did "
        "your Repeat.backward do? For (N, d1, d2, ...) inputs, remember x's shape in forward.",
        "forward: self.original_x_shape = x.shape; self.x = x.reshape(x.shape[0], -1); return "
        "np.dot(self.x, self.W) + self.b. backward: self.dW = np.dot(self.x.T, dout); self.db = "
        "np.sum(dout, axis=0); return np.dot(dout, self.W.T).reshape(self.original_x_shape).",
    ],
}
