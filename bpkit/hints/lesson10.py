"""Hint ladders for lesson 10: your own autograd (자동 미분), a Value op by op, then backward."""

HINTS = {
    "value_add_mul": [
        "Each operation does two things: forward (a new Value holding the result, with its "
        "parents) and local backward (a function that, when called later, adds out.grad times "
        "the local derivative into each parent's grad). Lesson 03's add and multiply nodes have "
        "the local derivatives you need.",
        "out = Value(self.data + other.data, (self, other), '+'). Inside local_backward use "
        "out.grad, the numbers self.data and other.data, and += into self.grad and other.grad, "
        "so a value used twice collects both shares. Set out.local_backward = local_backward "
        "and return out.",
        "For +: self.grad += out.grad and other.grad += out.grad. For *: self.grad += "
        "other.data * out.grad and other.grad += self.data * out.grad.",
    ],
    "value_pow_sub_div": [
        "Only ** needs a new local derivative (the power rule). -a, a - b and a / b can be "
        "built from the operations you already have, and then their backward comes for free.",
        "-a is a times -1; a - b is a plus (-b); a / b is a times b to the power -1. For a ** n "
        "(n a plain number) the one parent is self; the derivative of x**n is evaluated at "
        "the input x = self.data.",
        "In __pow__: out = Value(self.data ** n, (self,), f'**{n}') and in local_backward "
        "self.grad += n * self.data ** (n - 1) * out.grad. Then __neg__: return self * -1; "
        "__sub__: return self + (-other); __truediv__: return self * other ** -1.",
    ],
    "value_exp_log": [
        "Both have one parent, self. Write the derivative of each function and decide at which "
        "value it is taken: the input self.data, or (when that is simpler) the output "
        "out.data.",
        "exp is its own derivative, so the output already holds it. log's derivative depends "
        "on the input only.",
        "exp: self.grad += out.data * out.grad. log: self.grad += (1 / self.data) * out.grad.",
    ],
    "value_tanh_relu": [
        "tanh's derivative is simplest written with tanh itself, that is with the output. "
        "relu is the notes' mask: the gradient passes where the input was positive.",
        "tanh: the local derivative uses out.data (not self.data). relu: the local derivative "
        "is 1 or 0, decided by the sign of self.data; the output is max(self.data, 0).",
        "tanh: self.grad += (1 - out.data ** 2) * out.grad. relu: self.grad += (self.data > 0) "
        "* out.grad.",
    ],
    "value_backward": [
        "A value may pass its gradient on only when every use of it has added its share. "
        "Ordering the graph so that each value comes after everything it was made from "
        "(topological order, 위상 정렬), then walking it backwards, guarantees that.",
        "topological_order: a depth-first walk with a set of the values already seen; a value "
        "is appended after all its parents. backward: the order, the seed d(self)/d(self), "
        "then each value's local_backward, last value first.",
        "In topological_order: def visit(v): if v not seen: mark it, visit each parent, then "
        "order.append(v); visit(root); return order. In backward: order = "
        "topological_order(self); self.grad = 1.0; for v in reversed(order): "
        "v.local_backward().",
    ],
    "shop_values": [
        "Write the shop's formula with Values instead of numbers: the graph records itself "
        "as Python evaluates the expression. Then one call fills every gradient.",
        "Make one Value per argument and keep them in the dict you return; compute the total "
        "from them with + and *; then call backward on the total, once.",
        "inputs = {name: Value(number) for each of the five}; total = (inputs['apple_price'] * "
        "inputs['apple_count'] + inputs['orange_price'] * inputs['orange_count']) * "
        "inputs['tax']; total.backward(); return total, inputs.",
    ],
    "sigmoid_neuron": [
        "The neuron is sigmoid(w . x + b) and sigmoid(z) = 1 / (1 + exp(-z)). Every piece is "
        "an operation your Value already has, so no new local derivative is needed.",
        "Start the sum with b and add each w_i * x_i; then build 1 / (1 + exp(-z)) from -, "
        "exp, + and /. Return the Value.",
        "z = b; for w, x in zip(ws, xs): z = z + w * x; return 1 / (1 + (-z).exp()).",
    ],
    "mlp": [
        "An MLP is layers of neurons; each neuron owns one weight Value per input and one bias "
        "Value. parameters() lists all of them, so training can reach every one.",
        "Make rng = np.random.default_rng(seed). For each pair (n_in, n_out) of consecutive "
        "sizes make n_out neurons with n_in weights drawn from rng.normal(0, 1 / sqrt(n_in)) "
        "and a bias 0. Call: tanh in hidden layers, your sigmoid in the last.",
        "In __call__: for each layer, xs = [activation(sum(w * x for w, x in zip(ws, xs)) + b) "
        "for (ws, b) in layer], with activation = z.tanh() except in the last layer, where it "
        "is 1 / (1 + (-z).exp()).",
    ],
    "train_xor": [
        "One step: the loss on the four points as a Value, every parameter's grad back to 0, "
        "loss.backward(), then each parameter moves a little against its gradient.",
        "Binary cross-entropy: for each point, -log(y) if the target is 1 and -log(1 - y) if "
        "it is 0; average over the 4. Without resetting grads to 0 they add up across steps. "
        "Use 8 hidden neurons and a learning rate of 1.0; stop once the loss is below 0.1 (at most "
        "500 steps).",
        "for step in range(steps): loss = sum of the four terms / 4; for p in "
        "model.parameters(): p.grad = 0.0; loss.backward(); for p in model.parameters(): "
        "p.data -= lr * p.grad; losses.append(loss.data); if loss.data < 0.1: break.",
    ],
}
