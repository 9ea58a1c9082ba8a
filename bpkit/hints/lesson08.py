"""Hint ladders for lesson 08 (a network of any depth, trained): concept, shapes, then formula."""

HINTS = {
    "multi_layer_gradient": [
        "Backprop is one forward pass, then the chain rule from the loss back to the input. The "
        "loss layer starts it (dL/dL = 1); every layer hands what its backward returns to the "
        "layer before it, exactly as the apple example hands dout along.",
        "Run self.loss(x, t) first: every layer stores what its backward needs. Then the loss "
        "layer's backward(1) gives an (N, C) array; visit self.layers in reverse order. After "
        "that, each Affine layer holds dW and db of its own W and b; layer 'Affine3' holds W3 "
        "and b3.",
        "self.loss(x, t); dout = self.last_layer.backward(1); for layer in "
        "reversed(self.layers.values()): dout = layer.backward(dout). Then, for each name "
        "starting with 'Affine', i = name[6:]: grads['W' + i] = layer.dW, grads['b' + i] = "
        "layer.db.",
    ],
    "train": [
        "Gradient descent repeats one thing: measure the slope on a few samples, step downhill. "
        "The weights live in network.params, and the layers hold those very arrays, so change "
        "them in place.",
        "rng = np.random.default_rng(seed) once; each step rng.choice(len(x), size=batch_size, "
        "replace=False) gives row indices for both x and t. network.gradient(...) returns a "
        "dict of arrays shaped like params; after it, network.last_layer.loss holds the batch's "
        "loss.",
        "for each step: rows = rng.choice(...); grads = network.gradient(x[rows], t[rows]); "
        "history.append(float(network.last_layer.loss)); if optimizer: "
        "optimizer.update(network.params, grads) else: for key in network.params: "
        "network.params[key] -= lr * grads[key].",
    ],
    "xor": [
        "A hidden layer lets the network bend its border. Start small: a few hidden units, "
        "ReLU, starting weights of about size 1, and watch xor_history.",
        "sizes [2, H, 2]; with 4 samples use batch_size=4 (all of them). If the loss stalls near "
        "0.69, try another seed or more hidden units; if it jumps about, a smaller lr.",
        "xor_net = MultiLayerNet([2, 8, 2], weight_init_std=1.0, seed=0); xor_history = "
        "train(xor_net, x_xor, t_xor, lr=0.5, steps=300, batch_size=4, seed=0).",
    ],
    "fit": [
        "Each hidden ReLU adds one bend to the curve; sin(pi x) on [-1, 1] needs a handful.",
        "sizes [1, H, 1] with loss_layer=SquaredErrorLoss(); starting weights of about size 1 "
        "(the input has one feature); mini-batches of 10-20; a few thousand steps.",
        "fit_net = MultiLayerNet([1, 20, 1], weight_init_std=1.0, loss_layer=SquaredErrorLoss(), "
        "seed=0); fit_history = train(fit_net, x_fn, t_fn, lr=0.3, steps=2000, batch_size=20, "
        "seed=0).",
    ],
    "digits": [
        "One hidden layer is enough for these 8 x 8 digits; the art is in the step size and "
        "the length of the run.",
        "sizes [64, H, 10] with H around 50; small starting weights (0.1); batches of 100; "
        "watch digit_history: a loss that still falls at the end wants more steps.",
        "digit_net = MultiLayerNet([64, 50, 10], weight_init_std=0.1, seed=0); digit_history = "
        "train(digit_net, x_train, t_train, lr=0.5, steps=1000, batch_size=100, seed=0).",
    ],
    "weight_decay": [
        "The penalty is one more node added to the data loss. An addition node passes its "
        "gradient unchanged to both inputs, so backprop through the layers still gives the data "
        "part, and the penalty's own slope is added on top.",
        "Sum over every parameter whose name starts with 'W' (not 'b') of the sum of its "
        "squares; the derivative of (lambda / 2) * w**2 is an array shaped like W.",
        "loss: super().loss(x, t) + 0.5 * self.weight_decay * sum(np.sum(W ** 2) for the W "
        "params); gradient: grads = super().gradient(x, t), then grads['Wi'] + "
        "self.weight_decay * self.params['Wi'] for every W (b unchanged).",
    ],
    "decay_gap": [
        "Compare the penalty with the data loss it is added to: here the data loss is about "
        "0.01-0.03, and the weights' sum of squares is in the hundreds.",
        "So lambda around 1e-4 does almost nothing and 1e-1 flattens everything; try 1e-3, "
        "3e-3, 1e-2 and read the printed gap.",
        "weight_decay = 0.003.",
    ],
    "momentum": [
        "The velocity is the ball's memory. Each step it keeps the fraction self.momentum of "
        "itself and receives a push of self.lr times the slope, downhill; then the position "
        "moves by the whole velocity.",
        "One velocity per parameter name, np.zeros_like(params[name]) the first time, kept in "
        "self.velocity between calls; change params[name] in place (+=, -=).",
        "v = self.velocity.setdefault(name, np.zeros_like(p)); v *= self.momentum; "
        "v -= self.lr * grads[name]; p += v.",
    ],
    "adam": [
        "Two running averages per parameter, like the ball's velocity: one of the gradient "
        "(beta1), one of its square (beta2). Both start at 0, so both are too small by the "
        "factor that the figure shows; count the steps to undo it.",
        "The sum of the weights (1 - beta) beta^k for k = 0 .. t-1 is 1 - beta**t: divide m by "
        "1 - beta1**t and v by 1 - beta2**t. self.t counts update calls (once per call, not per "
        "parameter).",
        "self.t += 1; m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) * g * g; "
        "m_hat = m / (1 - beta1 ** t); v_hat = v / (1 - beta2 ** t); p -= lr * m_hat / "
        "(np.sqrt(v_hat) + eps).",
    ],
}
