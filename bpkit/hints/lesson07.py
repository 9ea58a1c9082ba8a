"""Hint ladders for lesson 07: gradient checks."""

HINTS = {
    "numerical_gradient": [
        "Perturb one entry of x at a time, in place (f may read x without taking it as an "
        "argument), evaluate f on both sides, and put the entry back exactly.",
        "np.nditer(x, flags=['multi_index']) or np.ndindex(x.shape) visits every index of any "
        "shape; the gradient has x's shape. Keep the original entry in a variable to restore it.",
        "for i in np.ndindex(x.shape): tmp = x[i]; x[i] = tmp + h; plus = f(x); x[i] = tmp - h; "
        "minus = f(x); x[i] = tmp; grad[i] = (plus - minus) / (2 * h)",
    ],
    "rel_error": [
        "A relative error divides each difference by the size of the two numbers it compares, "
        "then keeps the WORST entry; two zeros must give 0, not 0 / 0.",
        "Entry by entry: |a - b| over |a| + |b|, with the denominator kept away from 0; the "
        "answer is one float.",
        "return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))",
    ],
    "layer_gradient_errors": [
        "backward(dout) computes the gradient of sum(forward(x) * dout). Differentiate that "
        "same scalar numerically with respect to x (and W, b) and compare.",
        "Run forward then backward first, and copy dx, dW, db before the numerical gradient "
        "calls forward again. Return one rel_error per gradient.",
        "f = lambda _: np.sum(layer.forward(x) * dout); errors['x'] = rel_error(dx, "
        "numerical_gradient(f, x)); likewise layer.W against dW and layer.b against db.",
    ],
    "network_gradient_errors": [
        "The loss is the scalar to differentiate: compare net.gradient(x, t) with the "
        "numerical gradient of net.loss(x, t) for every parameter.",
        "net.params[name] is the array the layers use, so perturbing it in place changes the "
        "loss; the numerical gradient function restores it afterwards.",
        "backprop = net.gradient(x, t); for each name: rel_error(backprop[name], "
        "numerical_gradient(lambda _: net.loss(x, t), net.params[name])).",
    ],
    "buggy_gradient": [
        "Run your layer_gradient_errors on a TanhAffine: a correct gradient has an error near "
        "1e-8, a wrong one near 1e-2 or more.",
        "Only one of the three errors is large; its key is the answer, as a string.",
    ],
    "fixed_tanh_affine": [
        "TanhAffine is an Affine followed by tanh. Go backward through tanh first, then through "
        "the Affine part with the gradient that tanh's backward produced.",
        "The derivative of tanh at the output y is 1 - y^2. Then dW (D, M), db (M,) and dx "
        "(N, D) follow from the Affine layer's backward with that gradient.",
        "dz = dout * (1 - self.out ** 2); self.dW = np.dot(self.x.T, dz); self.db = "
        "np.sum(dz, axis=0); return np.dot(dz, self.W.T)",
    ],
}
