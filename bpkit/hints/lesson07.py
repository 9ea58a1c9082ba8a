"""Hint ladders for lesson 07 (gradient checking): concept, then shapes, then (last) the formula."""

HINTS = {
    "numerical_gradient": [
        "A partial derivative asks: how does f change when ONE entry of x moves and every other "
        "entry stays put? So treat each index of x on its own: nudge that entry up by h, then "
        "down by h, and compare what f returns.",
        "grad has x's shape: start from an array of zeros like x and fill one entry per index. "
        "np.ndindex(x.shape) yields every index tuple of an array of any shape. Before nudging an "
        "entry, keep its value in a variable; afterwards write that kept value back.",
        "For each index i: keep = x[i].copy(); x[i] = keep + h; above = f(x); x[i] = keep - h; "
        "below = f(x); x[i] = keep; grad[i] = (above - below) / (2 * h). Return grad.",
    ],
    "rel_error": [
        "Dividing the difference by a size makes it scale-free. Which size treats a and b alike, "
        "and can never be smaller than the difference itself (so the result stays at most 1)?",
        "Work entry by entry: an array of differences |a - b| divided by an array of sizes of "
        "the same shape, then keep the largest. Keep each size at least 1e-8 with np.maximum.",
        "float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))).",
    ],
    "layer_gradient_errors": [
        "The scalar f = sum(layer.forward(x) * dout) has exactly backward(dout) as its gradient "
        "with respect to x (and dW, db with respect to W, b). Differentiate that f numerically "
        "and compare.",
        "Run forward(x) and backward(dout) first and COPY dx, layer.dW and layer.db: the "
        "numerical gradient calls forward thousands of times. Perturb x, layer.W and layer.b "
        "themselves, the arrays forward reads.",
        "f = lambda _: np.sum(layer.forward(x) * dout); errors = {'x': rel_error(dx, "
        "numerical_gradient(f, x))}, and when hasattr(layer, 'W'): 'W': rel_error(dW, "
        "numerical_gradient(f, layer.W)), 'b' likewise with layer.b.",
    ],
    "node_gradient_errors": [
        "It is the layer check again, once per input: the sum of the node's output times dout "
        "is a scalar whose gradient with respect to input i is the i-th gradient backward "
        "returns.",
        "backward returns a tuple for two inputs and one array for one: wrap a lone array in a "
        "tuple so both look alike. Pair each input with its gradient and its name with "
        "zip('xyz', inputs, grads). Copy the gradients before differentiating.",
        "node.forward(*inputs); grads = node.backward(dout) (made a tuple); f = lambda _: "
        "np.sum(node.forward(*inputs) * dout); return {name: rel_error(g, "
        "numerical_gradient(f, v)) for name, v, g in zip('xyz', inputs, grads)}.",
    ],
    "derived_nodes": [
        "Each node needs inputs where it is smooth and defined: a divisor far from 0, and a "
        "RANDOM dout (softmax's gradient with dout all ones is 0 whatever the backward does).",
        "Draw x of shape (3, 4), a y of the same shape with sizes between 0.5 and 2 and random "
        "signs, and dout of the output's shape; call node_gradient_errors(node, (x, y), dout).",
        "For DivLayer: node_gradient_errors(DivLayer(), (x, y), dout); for Tanh and Softmax: "
        "node_gradient_errors(Tanh(), (x,), dout). Print each dict.",
    ],
    "network_gradient_errors": [
        "The function to differentiate is the network's loss on (x, t). It does not need its "
        "argument: your numerical_gradient changes net.params[name] in place, which is the very "
        "array the layers compute with.",
        "Take backprop's dict once, from net.gradient(x, t), and copy its arrays. Then for each "
        "name in net.params, differentiate the loss with respect to net.params[name].",
        "grads = net.gradient(x, t); return {name: rel_error(grads[name], numerical_gradient("
        "lambda _: net.loss(x, t), param)) for name, param in net.params.items()}.",
    ],
    "bug_hunt": [
        "Run layer_gradient_errors on each layer: it tells you, per gradient, whether backprop "
        "agrees with numerical differentiation.",
        "ResidualRelu needs W of shape (D, D), b (D,), x (N, D) and dout (N, D); SoftplusAffine "
        "needs W (D, M), b (M,), x (N, D) and dout (N, M). Random normal numbers are fine.",
        "layer = ResidualRelu(rng.standard_normal((4, 4)), rng.standard_normal(4)); "
        "print(layer_gradient_errors(layer, rng.standard_normal((5, 4)), "
        "rng.standard_normal((5, 4)))); the same for SoftplusAffine with W (3, 4).",
    ],
    "wrong_gradients": [
        "A relative error near 1e-9 means right; 1e-2 or more means wrong. Read your hunt's "
        "output for each layer.",
        "The answer is a dict with one entry per layer, each a set of names among 'x', 'W' and "
        "'b', written without the d.",
        "Put every gradient whose error is above 1e-2 in its layer's set, for example "
        "{'ResidualRelu': {...}, 'SoftplusAffine': {...}}.",
    ],
    "fixed_residual_relu": [
        "Only dx is wrong, and dW, db are right: so the relu and the product are handled well. "
        "Draw the graph of forward: how many paths lead from x to out?",
        "x reaches out twice: through the product and relu, and directly through the '+'. When "
        "one input feeds two nodes (a branch, lesson 02), what happens to the gradients that "
        "come back along both paths?",
        "The gradients add: return dout + (dout * self.active) @ self.W.T, keeping dW and db as "
        "they were.",
    ],
    "fixed_softplus_affine": [
        "Every gradient is wrong, so the bug is in what they all share: the gradient through "
        "softplus. Derive softplus'(z) for softplus(z) = ln(1 + e^z) with the chain rule.",
        "d/dz ln(1 + e^z) = e^z / (1 + e^z), a function you know. It must be evaluated at the "
        "layer's input z = x W + b, shape (N, M); forward did not store z, so compute it again "
        "from self.x.",
        "z = self.x @ self.W + self.b; dz = dout * sigmoid(z); then dW = x.T @ dz, db = dz summed "
        "over the batch, and return dz @ W.T.",
    ],
}
