"""Hint ladders for lesson 09: the limits of backprop (vanishing gradients)."""

HINTS = {
    "gradient_norms_per_layer": [
        "One backward pass gives every layer's gradient; the size of a gradient array is its "
        "norm. Measure each layer's dW.",
        "network.gradient(x, t) returns a dict with W1 ... WL; count the Affine layers in "
        "network.layers to know L. The answer lists L floats, first layer first.",
        "grads = network.gradient(x, t); return [float(np.linalg.norm(grads[f'W{i}'])) for i "
        "in range(1, L + 1)]",
    ],
    "vanishing_gradient_explanation": [
        "Backprop multiplies the gradient by each layer's local derivative on the way back: "
        "what happens to a product of many numbers smaller than 1?",
        "Compare the largest value of the sigmoid's derivative with ReLU's derivative on an "
        "active unit, and look at which layers' norms are small in the plot. What role does "
        "the weight initialisation play?",
    ],
}
