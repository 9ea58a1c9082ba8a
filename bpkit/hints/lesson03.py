"""Hint ladders for lesson 03: the multiply node, the add node, the shop graph."""

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
    "shop_graph": [
        "Build the graph from your nodes: one object per node (two fruit multiply nodes, one "
        "add node, one tax multiply node). Run forward left to right, backward right to left.",
        "Start the backward pass with dout = 1 at the price. Each node's backward returns the "
        "gradients of its two inputs; feed the one on the path back into the node before it.",
        "d_subtotal, d_tax = tax_node.backward(1); d_apples, d_oranges = add.backward("
        "d_subtotal); then apple.backward(d_apples) and orange.backward(d_oranges) give the "
        "price and count gradients.",
    ],
}
