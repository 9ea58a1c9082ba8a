"""Hint ladders for lesson 04: ReLU, leaky ReLU, the sigmoid node by node, Sigmoid and tanh."""

HINTS = {
    "relu": [
        "ReLU is x where x > 0 and 0 elsewhere. Its local derivative is 1 where the input was "
        "positive and 0 where it was not, so backward lets dout through or blocks it.",
        "forward must remember WHERE x was <= 0 (a boolean mask of x's shape) for backward; "
        "dx has dout's shape. Do not write into x or dout: make new arrays.",
        "forward: self.mask = (x <= 0); out = x.copy(); out[self.mask] = 0. backward: dx = "
        "dout.copy(); dx[self.mask] = 0.",
    ],
    "leaky_relu": [
        "On each side of 0 the leaky ReLU is a straight line through 0: slope 1 for x > 0, "
        "the layer's slope for x <= 0. A straight line's local derivative is its slope, "
        "whatever x is.",
        "As for ReLU, forward keeps a mask of where x <= 0 (x's shape); the slope is already on "
        "self from __init__. backward scales dout by the slope where the mask is True and "
        "passes it unchanged elsewhere, in a new array.",
        "forward: self.mask = (x <= 0); out = x.copy(); out[self.mask] *= self.slope. "
        "backward: dx = dout.copy(); dx[self.mask] *= self.slope.",
    ],
    "sigmoid_by_nodes": [
        "Go from the right: each gradient is the one that arrived from the right times the "
        "node's local derivative. 1/u is lesson 03's divide node with x = 1; +1 is an add node; "
        "exp is its own derivative; x(-1) is a multiply node whose other input is -1.",
        "Every gradient has x's shape. du uses dout and u; de uses du; da uses de and the "
        "exp node's output e (= exp(a)); dx uses da.",
        "du = dout * (-1 / u ** 2); de = du * 1; da = de * e; dx = da * -1.",
    ],
    "sigmoid": [
        "Multiply the four local derivatives of the sigmoid's graph: the product can be written "
        "with the output y alone. Use y = 1/u and e = u - 1, and look at what 1 - y is.",
        "So forward keeps its output y on self (x's shape); backward multiplies dout, "
        "elementwise, by a factor built from y and nothing else.",
        "forward: self.out = 1 / (1 + np.exp(-x)); return it. backward: return dout * "
        "self.out * (1 - self.out).",
    ],
    "tanh": [
        "tanh(x) = 2 sigma(2x) - 1: going back through it, the -1 node passes the gradient on, "
        "each x2 node multiplies by 2, and the sigma node multiplies by its simplified "
        "derivative. Then write sigma(2x) with y = tanh(x): sigma(2x) = (1 + y) / 2.",
        "forward keeps y = np.tanh(x) on self (x's shape); backward multiplies dout by a factor "
        "built from y alone.",
        "backward: return dout * (1 - self.out ** 2).",
    ],
}
