"""Hint ladders for lesson 03: the multiply, add, divide and copy nodes, and the two shops."""

HINTS = {
    "mul_layer": [
        "For out = x * y, the local derivative by x is y, and by y is x. backward multiplies "
        "each local derivative by the upstream gradient dout (chain rule, 연쇄법칙).",
        "backward only receives dout, so forward must keep x and y on self. dx has the shape of "
        "x, dy the shape of y; return them as a pair (dx, dy).",
        "forward: self.x, self.y = x, y; return x * y. backward: return dout * self.y, "
        "dout * self.x.",
    ],
    "add_layer": [
        "For out = x + y, both local derivatives are 1: the add node passes the upstream "
        "gradient on to both inputs.",
        "backward returns a pair (dx, dy), each of dout's shape and dtype; the add node needs "
        "nothing from forward.",
        "forward: return x + y. backward: return dout * 1, dout * 1.",
    ],
    "div_layer": [
        "Take one input at a time and hold the other fixed. With y fixed, x / y is x times the "
        "constant 1/y. With x fixed, x / y is x times 1/y, and 1/y shrinks as y grows: the "
        "local derivative by y is negative, and larger for small y.",
        "Both local derivatives need values from forward, so forward keeps x and y on self. "
        "backward multiplies each local derivative by dout and returns (dx, dy), each of x's "
        "shape. For y, the derivative of 1/y is -1/y**2.",
        "forward: self.x, self.y = x, y; return x / y. backward: dx = dout / self.y; "
        "dy = -dout * self.x / self.y ** 2; return dx, dy.",
    ],
    "branch_layer": [
        "A small change of x reaches the output along BOTH branches, and the two effects add "
        "up: the output moves by (what comes back along branch 1 + what comes back along "
        "branch 2) times the change.",
        "forward returns a pair: the value each of the two nodes receives (both are x). "
        "backward receives one gradient per branch, each of x's shape, and returns ONE "
        "gradient, of x's shape.",
        "forward: return x * 1, x * 1. backward: return dout1 + dout2.",
    ],
    "shop_graph": [
        "Build the graph from your nodes: one object per node (two fruit multiply nodes, one "
        "add node, one tax multiply node). Run forward left to right, backward right to left.",
        "Start the backward pass with dout = 1 at the price. Each node's backward returns the "
        "gradients of its two inputs; feed the one on the path back into the node before it.",
        "d_subtotal, d_tax = tax_node.backward(1); d_apples, d_oranges = add.backward("
        "d_subtotal); then apple.backward(d_apples) and orange.backward(d_oranges) give the "
        "price and count gradients.",
    ],
    "delivery_shop": [
        "It is exercise 5's graph with one more multiply node (fee per apple x count), one more "
        "add node (the fee joins the fruit before the tax), and a BranchLayer that hands the "
        "apple count to both the apple node and the delivery node.",
        "Backward from 1 at the price, in reverse order. The apple node and the delivery node "
        "each send back a gradient for their copy of the count; give both to the copy node's "
        "backward, which returns the count's one gradient.",
        "count_for_apples, count_for_fee = copy_count.forward(apple_count); later "
        "d_apple_count = copy_count.backward(d_count_for_apples, d_count_for_fee), where the "
        "two come from mul_apple.backward(d_apples) and mul_fee.backward(d_delivery).",
    ],
}
