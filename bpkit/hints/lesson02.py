"""Hint ladders for lesson 02: backward passes, the chain rule, numerical derivatives."""

HINTS = {
    "apple_backward": [
        "Walk the graph right to left. A multiply node sends each input the gradient arriving "
        "from the right times its local derivative: the derivative of x*y by x is y.",
        "Start at the tax node with dout. The 'apples' edge gets dout times the tax node's OTHER "
        "input; that value is the upstream gradient of the apple node.",
        "apples = dout * tax; apple_price = apples_grad * apple_count; apple_count = "
        "apples_grad * apple_price; tax = dout * apple_price * apple_count.",
    ],
    "square_of_sum": [
        "Split z = (x + y)^2 into two nodes: t = x + y, then z = t^2. The chain rule multiplies "
        "the local derivatives along the path from z back to x.",
        "dz/dt is the derivative of t^2 by t; dt/dx and dt/dy are the add node's local "
        "derivatives. Everything works elementwise on arrays too.",
        "t = x + y; z = t ** 2; dz_dt = 2 * t; dz_dx = dz_dt * 1; dz_dy = dz_dt * 1.",
    ],
    "numerical_derivative": [
        "A derivative is a slope: evaluate f a little to the right and a little to the left of "
        "x and divide the rise by the run.",
        "The central difference uses f(x + h) and f(x - h): two calls of f, and the two points "
        "are 2h apart.",
        "return (f(x + h) - f(x - h)) / (2 * h)",
    ],
    "numerical_gradient_1d": [
        "A partial derivative moves ONE input and keeps the others fixed; do that for each "
        "input in turn.",
        "x is (n,) and so is the answer. Move x itself, in place: for entry i keep its value, "
        "set it up by h, call f(x), set it down by h, call f(x), then write the kept value "
        "back. 2 calls per input, n inputs.",
        "grad[i] = (f(x with x[i] + h) - f(x with x[i] - h)) / (2 * h), for i in range(n), "
        "restoring x[i] after each pair of calls.",
    ],
    "branch_backward": [
        "Do the multiply node first, as for the apples: each input's gradient carries the OTHER "
        "input. Then the add node passes on what reached s. x has now received two gradients: "
        "move x by a small h, and ask how much z moves along each path, and in all.",
        "Every entry has x's shape. 's' and 'x_via_mul' come from the multiply node, 'x_via_add' "
        "from the add node; 'y' is what the add node sends to y. 'x' combines the two gradients "
        "that reached x; check your combination against numerical_derivative of (x + y) * x.",
        "d_s = dout * x; x_via_mul = dout * (x + y); x_via_add = d_s; the gradients of the two "
        "uses of x add up: x = x_via_mul + x_via_add; y = d_s.",
    ],
    "count_evaluations": [
        "Count passes through the graph: how many does one central difference need, and how "
        "many inputs need one each? Backprop gets every gradient from a fixed number of passes.",
        "Numerically: two passes per input. Backprop: one forward pass, then one backward "
        "pass, whatever the number of inputs.",
        'return {"numerical": 2 * n_inputs, "backprop": 2}',
    ],
}
