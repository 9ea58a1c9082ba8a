"""Hint ladders for lesson 04: the activation layers ReLU and Sigmoid."""

HINTS = {
    "relu": [
        "ReLU is x where x > 0 and 0 elsewhere. Its local derivative is 1 where the input was "
        "positive and 0 where it was not, so backward lets dout through or blocks it.",
        "forward must remember WHERE x was <= 0 (a boolean mask of x's shape) for backward; "
        "dx has dout's shape. Do not write into x or dout: make new arrays.",
        "forward: self.mask = (x <= 0); out = x.copy(); out[self.mask] = 0. backward: dx = "
        "dout.copy(); dx[self.mask] = 0.",
    ],
    "sigmoid": [
        "Go through the sigmoid's graph backwards (×(-1), exp, +1, 1/u) and multiply the local "
        "derivatives; the product simplifies into an expression of the OUTPUT y alone.",
        "So forward should keep its output y on self; backward multiplies dout, elementwise, by "
        "a factor built from y. Everything keeps x's shape and dtype.",
        "forward: self.out = 1 / (1 + np.exp(-x)). backward: return dout * self.out * "
        "(1 - self.out).",
    ],
}
