"""Hint ladders for lesson 09 (initialisation and depth): concept, shapes, then formula."""

HINTS = {
    "glorot_normal": [
        "Two conditions: forward, fan_in * Var(W) = 1; backward, fan_out * Var(W) = 1. Glorot's "
        "compromise puts the average of fan_in and fan_out where either count stood.",
        "Solve for Var(W), then take its square root: rng.standard_normal((fan_in, fan_out)) "
        "has standard deviation 1, so multiplying it by s gives standard deviation s.",
        "np.sqrt(2 / (fan_in + fan_out)) * rng.standard_normal((fan_in, fan_out)).",
    ],
    "he_normal": [
        "ReLU zeroes the negative half of its inputs, so only half of the variance reaches the "
        "next layer. The forward condition must make up for that factor.",
        "fan_in * Var(W) * (1/2) = 1: solve for Var(W), then its square root is the standard "
        "deviation; the shape is (fan_in, fan_out).",
        "np.sqrt(2 / fan_in) * rng.standard_normal((fan_in, fan_out)).",
    ],
    "layer_activations": [
        "A layer weighs its inputs (a product with W) and then squashes the result with the "
        "activation; the next layer starts from what this one produced.",
        "Start from x (N, D); after W1 (D, H1) the activations are (N, H1); keep one array per "
        "layer in a list, in order. Pick the function once: sigmoid or relu.",
        "f = sigmoid if activation == 'sigmoid' else relu; out = x; for W in weights: out = "
        "f(out @ W); result.append(out); return result.",
    ],
    "gradient_norms_per_layer": [
        "One backward pass gives every dW at once; the norm of a matrix is the square root of "
        "the sum of its squared entries.",
        "network.gradient(x, t) returns {'W1': ..., 'b1': ..., ...}; count the keys that start "
        "with 'W' to know the depth, and list the norms from W1 upward.",
        "grads = network.gradient(x, t); return [float(np.linalg.norm(grads[f'W{i}'])) for i in "
        "range(1, L + 1)] with L the number of 'W' keys.",
    ],
    "vanishing_gradient_explanation": [
        "Start from the chain rule: what does each layer multiply the gradient by on its way "
        "back?",
        "Compare the largest value of sigmoid's derivative with ReLU's; then look at what the "
        "histograms showed for weights that are too large or too small.",
        "Four points: the factors compound with depth; sigmoid's derivative is at most 0.25 and "
        "near 0 when saturated; the starting weights' size decides saturation or vanishing "
        "(Glorot/He keep the spread); ReLU passes 1 where active and, with He's scale, keeps "
        "the gradient's size.",
    ],
}
