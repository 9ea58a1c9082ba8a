"""Hint ladders for lesson 01: forward passes through computation graphs."""

HINTS = {
    "apple_forward": [
        "Follow the graph from left to right: each node takes the values on its incoming edges "
        "and sends its result along the outgoing edge.",
        "Two multiply nodes: the first joins the price and the count; the second joins that "
        "result and the tax. 'apples' is the first node's output, 'total' the second's.",
        "apples = apple_price * apple_count; total = apples * tax.",
    ],
    "shop_forward": [
        "The shop graph has four nodes: two multiply nodes (one per fruit), an add node that "
        "joins the branches, and a multiply node for the tax, last.",
        "Each fruit's branch pairs its own price with its own count; the tax multiplies the "
        "sum, so it is applied after the add node.",
        "apples = apple_price * apple_count; oranges = orange_price * orange_count; "
        "subtotal = apples + oranges; total = subtotal * tax.",
    ],
    "neuron_forward": [
        "A neuron is a small graph: one multiply node per input-weight pair, an add node for "
        "the products, then an add node for the bias.",
        "Each weight multiplies its own input; 'weighted_sum' holds the two products added; "
        "'a' adds b to it.",
        "x1w1 = x1 * w1; x2w2 = x2 * w2; weighted_sum = x1w1 + x2w2; a = weighted_sum + b.",
    ],
}
