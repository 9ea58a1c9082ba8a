"""Drawing a graph of ``Value``s (lesson 10) with ``bpkit.viz``.

``value_graph(root)`` turns the graph that built ``root`` into a ``viz.Graph``: each operation
is a circle, each input a bare end point, each arrow carries the value it transports (above)
and the gradient that the backward pass sends back along it (below), as in lessons 01-03.
``draw_value_graph(root)`` draws it. Works with bpkit's ``Value`` and with any class that has
``data``, ``grad``, ``parents``, ``op``, ``label`` and ``local_backward``.

The gradient below an arrow is that arrow's *share*: a value used twice has two arrows, and
its ``grad`` is the sum of their two numbers (the branch rule). The shares are measured by
replaying the backward pass one ``local_backward`` at a time, then every ``grad`` is put back
as it was, so drawing never changes the graph.
"""

from .autograd import topological_order
from .i18n import figure_text
from .viz import Edge, Graph, Node, draw_graph, format_number

X_STEP, Y_STEP = 1.7, 1.0


def edge_shares(root):
    """{(id(parent), id(child)): gradient sent along that arrow} after a backward from root.

    Runs root's backward pass node by node on the graph's own ``local_backward`` functions,
    seeding root.grad = 1, and restores every value's ``grad`` afterwards. An operation that
    uses one value twice (x * x) gives one arrow with the sum of both shares.
    """
    order = topological_order(root)
    saved = [value.grad for value in order]
    shares = {}
    try:
        for value in order:
            value.grad = 0.0
        root.grad = 1.0
        for value in reversed(order):
            parents = distinct(value.parents)
            before = [parent.grad for parent in parents]
            value.local_backward()
            for parent, old in zip(parents, before, strict=True):
                shares[(id(value), id(parent))] = parent.grad - old
    finally:
        for value, grad in zip(order, saved, strict=True):
            value.grad = grad
    return shares


def distinct(values):
    """values without repeats (by identity), in their order."""
    seen, out = set(), []
    for value in values:
        if id(value) not in seen:
            seen.add(id(value))
            out.append(value)
    return out


def _name(value):
    return value.label or format_number(value.data)


def value_graph(root, title=None, with_gradients=True):
    """A ``viz.Graph`` of everything ``root`` was computed from.

    Operation nodes are named ``v<k>``, k the value's position in topological order (inputs
    first), so a widget can highlight one. An input gets one end point per use, named
    ``v<k>@v<j>`` (used by ``v<j>``): a value used twice shows two arrows, and its ``grad`` is
    the sum of their two gradients. with_gradients=False leaves the gradients out.
    Layout: an operation sits one column right of its rightmost parent operation; an input
    sits just left of the operation using it; rows follow a depth-first walk from the root.
    """
    order = topological_order(root)
    index = {id(value): k for k, value in enumerate(order)}
    shares = edge_shares(root) if with_gradients else {}
    column, row = _layout(root, order)
    nodes, edges = [], []
    for value in order:
        if not value.parents:
            continue
        name = f"v{index[id(value)]}"
        nodes.append(Node(name, value.op or "?", _position(column[id(value)], row[id(value)])))
        for parent in distinct(value.parents):
            share = shares.get((id(value), id(parent)))
            if parent.parents:
                edges.append(Edge(f"v{index[id(parent)]}", name, "", parent.data, share))
            else:
                end = f"v{index[id(parent)]}@{name}"
                key = (id(parent), id(value))
                nodes.append(Node(end, "", _position(column[id(value)] - 0.8, row[key])))
                edges.append(Edge(end, name, _name(parent), parent.data, share))
    if not root.parents:  # a lone input: draw it as an arrow to the output
        nodes.append(Node("v0", "", _position(0, 0)))
    nodes.append(Node("out", "", _position(column[id(root)] + 0.9, row[id(root)])))
    edges.append(Edge(f"v{index[id(root)]}", "out", root.label or "output", root.data,
                      1.0 if with_gradients else None))
    # viz lists edges in forward order: sort by the consumer's place in topological order.
    position = {f"v{k}": k for k in range(len(order))} | {"out": len(order)}
    edges.sort(key=lambda edge: position[edge.dst])
    if title is None:
        title = (figure_text("forward values (above) and gradients (below)") if with_gradients
                 else figure_text("forward values"))
    return Graph(nodes, edges, title)


def _position(column, row):
    return (X_STEP * column, -Y_STEP * row)


def _layout(root, order):
    """Columns and rows: {id(value): column}, {id(value) or (id(input), id(user)): row}."""
    column = {}
    for value in order:  # parents first
        ops = [column[id(p)] for p in value.parents if p.parents]
        column[id(value)] = (max(ops) + 1) if ops else (1 if value.parents else 0)
    row, next_row = {}, [0.0]

    def place(value):  # depth-first from the root: each use of an input takes the next row
        if id(value) in row:
            return row[id(value)]
        rows = []
        for parent in distinct(value.parents):
            if parent.parents:
                rows.append(place(parent))
            else:
                row[(id(parent), id(value))] = next_row[0]
                rows.append(next_row[0])
                next_row[0] += 1
        row[id(value)] = sum(rows) / len(rows) if rows else 0.0
        return row[id(value)]

    place(root)  # recursive: meant for the small graphs a figure can show
    return column, row


def draw_value_graph(root, ax=None, title=None, with_gradients=True, highlight=None, digits=4):
    """Draw ``value_graph(root)`` with ``viz.draw_graph``. Returns the Figure."""
    graph = value_graph(root, title=title, with_gradients=with_gradients)
    return draw_graph(graph, ax=ax, show_backward=with_gradients, highlight=highlight,
                      digits=digits)
