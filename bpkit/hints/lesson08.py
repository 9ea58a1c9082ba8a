"""Hint ladders for lesson 08: training a network."""

HINTS = {
    "two_layer_net": [
        "gradient is one forward pass (the loss) followed by one backward pass through every "
        "layer in reverse order, each layer handing its dx to the layer before it.",
        "Start from self.last_layer.backward(1); then loop over the layers last-to-first. The "
        "Affine layers store dW and db: Affine1 holds W1's and b1's, Affine2 W2's and b2's.",
        "self.loss(x, t); dout = self.last_layer.backward(1); for layer in "
        "reversed(list(self.layers.values())): dout = layer.backward(dout); then grads = "
        "{'W1': self.layers['Affine1'].dW, 'b1': ..db, 'W2': ..., 'b2': ...}.",
    ],
    "train": [
        "Each step: draw a mini-batch, compute the gradients on it, record its loss, move every "
        "parameter a little against its gradient.",
        "One rng = np.random.default_rng(seed) for the whole run; pick batch_size distinct row "
        "indices and use them for both x and t; update the arrays in network.params IN PLACE "
        "(the layers hold the same arrays).",
        "for each step: idx = rng.choice(len(x), batch_size, replace=False); grads = "
        "network.gradient(x[idx], t[idx]); history.append(float(network.loss(x[idx], t[idx]))); "
        "for key in network.params: network.params[key] -= lr * grads[key].",
    ],
    "xor_run": [
        "A single layer cannot separate XOR: the network needs a hidden layer.",
        "MultiLayerNet([2, 8, 2], activation='relu', weight_init_std='he') and your train with "
        "a learning rate around 0.5, a few hundred steps, batch_size 4.",
    ],
    "fit_run": [
        "Approximating a continuous function is regression: the loss is the squared error, "
        "not softmax with cross-entropy.",
        "MultiLayerNet([1, 20, 1], 'relu', 'he', loss_layer=SquaredErrorLoss()) trained with lr "
        "about 0.3, batch_size 20, for a couple of thousand steps.",
    ],
}
