"""Hint ladders for lesson 11: Batch Normalization and Dropout."""

HINTS = {
    "batchnorm_forward": [
        "Follow the graph from left to right: a mean over the batch, a subtraction, a square, "
        "a mean again, a square root with eps, a division, then gamma and beta. In training "
        "the statistics come from the batch; at inference from the running averages, which "
        "only training updates.",
        "x is (N, D): the batch axis is axis 0, so mu, var and std are (D,) and broadcast over "
        "the N rows. The cache holds xc (N, D), std (D,), x_hat (N, D) and gamma (D,). Each "
        "running average keeps momentum of its old value and takes 1 - momentum of the batch's.",
        "mu = x.mean(axis=0); xc = x - mu; var = np.mean(xc**2, axis=0); std = np.sqrt(var + "
        "self.eps); x_hat = xc / std; out = self.gamma * x_hat + self.beta. Training: "
        "self.running_mean = m * self.running_mean + (1 - m) * mu (the same for var). "
        "Inference: xc = x - self.running_mean and var = self.running_var.",
    ],
    "batchnorm_param_grads": [
        "out = gamma * x_hat + beta: beta meets an add node and gamma a multiply node, and both "
        "were broadcast over the N rows of the batch. What does the backward pass of a "
        "broadcast do?",
        "dout is (N, D); dgamma and dbeta must be (D,), like gamma and beta. The multiply "
        "node's local derivative towards gamma is the other input, x_hat; then collapse the "
        "batch axis.",
        "dgamma = np.sum(dout * cache['x_hat'], axis=0); dbeta = np.sum(dout, axis=0).",
    ],
    "batchnorm_backward_graph": [
        "Go from right to left, one node per line, naming each gradient after its edge: "
        "dx_hat, dxc (from the ÷ node), dstd, dvar, d(xc²), dxc (from the square), dmu, dx. "
        "A (D,) array used by every row gets the sum of the rows' contributions; an array "
        "that fed two nodes gets the sum of both parts; a mean node hands 1/N back to each row.",
        "Local derivatives: × gamma gives gamma; x_hat = xc / std gives 1/std towards xc and "
        "-xc/std² towards std (sum over the rows); std = sqrt(var + eps) gives 1/(2 std); "
        "var = mean of xc² gives 1/N to each row, and the square 2 xc; xc = x - mu gives 1 "
        "towards x and -1 towards mu (sum over the rows); mu = mean of x gives 1/N to each row.",
        "dx_hat = dout * gamma; dxc = dx_hat / std; dstd = -np.sum(dx_hat * xc / std**2, "
        "axis=0); dvar = dstd / (2 * std); dsq = np.ones_like(xc) * dvar / N; dxc = dxc + 2 * "
        "xc * dsq; dmu = -np.sum(dxc, axis=0); dx = dxc + dmu / N.",
    ],
    "batchnorm_backward_closed_form": [
        "Substitute the node-by-node lines into each other. The sum over the batch of xc is 0, "
        "which removes one term; writing xc / std as x_hat leaves only dx_hat, x_hat and std.",
        "You should find dx = (dx_hat - [the batch mean of dx_hat] - x_hat * [the batch mean "
        "of dx_hat * x_hat]) / std, with dx_hat = dout * gamma; each mean is over axis 0 and "
        "has shape (D,).",
        "dx_hat = dout * cache['gamma']; dx = (dx_hat - dx_hat.mean(axis=0) - cache['x_hat'] "
        "* np.mean(dx_hat * cache['x_hat'], axis=0)) / cache['std'].",
    ],
    "dropout": [
        "In training each unit is kept with probability 1 - dropout_ratio; the kept ones are "
        "scaled so that the expected output equals x, and the mask is stored for backward. At "
        "inference nothing is dropped and, thanks to that scaling, nothing is scaled. For a "
        "fixed mask the layer multiplies each unit by a number: that number is its local "
        "derivative.",
        "np.random.rand(*x.shape) draws one uniform number per unit; comparing it with "
        "dropout_ratio gives a boolean mask of x's shape. A kept unit's expected value is "
        "(1 - ratio) times its scaled value: which scale gives x?",
        "forward: if not train: return x; self.mask = np.random.rand(*x.shape) >= "
        "self.dropout_ratio; return x * self.mask / (1 - self.dropout_ratio). backward: "
        "return dout * self.mask / (1 - self.dropout_ratio).",
    ],
    "add_batchnorm_and_dropout": [
        "Build a new OrderedDict by walking net.layers in order: after each hidden Affine "
        "(every Affine but the last) insert a BatchNorm, and after each Relu a Dropout. "
        "gamma and beta must be the same arrays in the layer and in net.params.",
        "Affine{i}'s output size is layer.W.shape[1]: gamma is np.ones of it, beta np.zeros. "
        "Name them gamma{i}, beta{i} in net.params and the layers BatchNorm{i}, Dropout{i}, "
        "with the number of the block.",
        "for name, layer in net.layers.items(): layers[name] = layer; if it is a hidden Affine "
        "and use_batchnorm: i = name[6:]; net.params['gamma'+i] = np.ones(layer.W.shape[1]); "
        "net.params['beta'+i] = np.zeros(...); layers['BatchNorm'+i] = BatchNormalization("
        "net.params['gamma'+i], net.params['beta'+i]); if name starts with 'Relu' and "
        "dropout_ratio > 0: layers['Dropout'+name[4:]] = Dropout(dropout_ratio). Finally "
        "net.layers = layers; return net.",
    ],
}
