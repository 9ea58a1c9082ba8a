"""bpkit.autograd.Value against oracles that do not use it: values derived by hand and
numerical gradients (central differences on plain Python floats)."""

import math

import numpy as np
import pytest

from bpkit.autograd import MLP, Neuron, Value, sigmoid, topological_order
from bpkit.data import shop_prices, xor

pytestmark = pytest.mark.lesson10


def numerical_grads(f, xs, h=1e-6):
    """d f / d x_i by central differences; f takes and returns plain floats."""
    grads = []
    for i in range(len(xs)):
        plus, minus = list(xs), list(xs)
        plus[i] += h
        minus[i] -= h
        grads.append((f(*plus) - f(*minus)) / (2 * h))
    return grads


def value_grads(f, xs):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


# Every operation, alone and mixed with numbers on either side.
EXPRESSIONS = {
    "add": (lambda a, b: a + b),
    "mul": (lambda a, b: a * b),
    "sub": (lambda a, b: a - b),
    "div": (lambda a, b: a / b),
    "number on the left": (lambda a, b: 3 - a + 2 * b - 1 / b + 4 / (a + 5)),
    "pow": (lambda a, b: a**3 + b**-2 + (a * a + 1) ** 0.5),
    "neg": (lambda a, b: -a * b),
    "exp log": (lambda a, b: (a * b).exp() + (a * a + 1).log()),
    "tanh": (lambda a, b: (a * b + a).tanh()),
    "relu": (lambda a, b: (a - b).relu() + (b - a).relu() * 3),
}


def as_float_function(expression):
    """The same expression on floats: Value's methods replaced by math's."""

    class F(float):
        def exp(self):
            return F(math.exp(self))

        def log(self):
            return F(math.log(self))

        def tanh(self):
            return F(math.tanh(self))

        def relu(self):
            return F(max(float(self), 0.0))

        def _wrap(op):
            def method(self, *other):
                return F(getattr(float, op)(self, *other))
            return method

        for op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                   "__truediv__", "__rtruediv__", "__pow__", "__neg__"):
            locals()[op] = _wrap(op)

    return lambda a, b: float(expression(F(a), F(b)))


@pytest.mark.parametrize("name", list(EXPRESSIONS))
@pytest.mark.parametrize("seed", range(5))
def test_every_operation_matches_numerical_gradients(name, seed):
    rng = np.random.default_rng(seed)
    a, b = (float(v) for v in rng.uniform(0.3, 2.0, 2) * rng.choice([-1, 1], 2))
    if name in ("pow", "exp log"):
        a, b = abs(a), abs(b)
    expression = EXPRESSIONS[name]
    data, grads = value_grads(expression, [a, b])
    f = as_float_function(expression)
    assert data == pytest.approx(f(a, b), rel=1e-12)
    assert grads == pytest.approx(numerical_grads(f, [a, b]), rel=1e-5, abs=1e-7)


def test_hand_derived_values():
    # The shop of the notes: 715; 2.2, 110, 3.3, 165, 650.
    p = {k: Value(v) for k, v in shop_prices().items()}
    total = (p["apple_price"] * p["apple_count"] + p["orange_price"] * p["orange_count"]) * p["tax"]
    total.backward()
    assert total.data == pytest.approx(715)
    assert [p[k].grad for k in ("apple_price", "apple_count", "orange_price", "orange_count",
                                "tax")] == pytest.approx([2.2, 110, 3.3, 165, 650])
    # c = a * b + a: dc/da = b + 1, dc/db = a (a used twice: the shares add).
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    c.backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)
    # x * x: both shares reach x, 2x.
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    # sigmoid's gradient is y (1 - y) at 0: 0.25.
    z = Value(0.0)
    y = sigmoid(z)
    y.backward()
    assert (y.data, z.grad) == (0.5, 0.25)
    # tanh'(0) = 1, relu passes 1 for a positive input and 0 for a negative one.
    t = Value(0.0)
    t.tanh().backward()
    assert t.grad == 1.0
    for number, slope in ((2.0, 1.0), (-2.0, 0.0)):
        r = Value(number)
        r.relu().backward()
        assert r.grad == slope


def test_backward_accumulates_like_a_framework():
    a = Value(1.5)
    out = a * 4
    out.backward()
    out.backward()
    assert a.grad == 8.0  # twice 4: reset grads to 0 before a new pass


def test_topological_order_puts_each_value_once_after_its_parents():
    x = Value(1.0)
    a = x * 2
    d = (a * 3) * 4 + a
    e = d * x
    order = topological_order(e)
    assert len(order) == len({id(v) for v in order})
    position = {id(v): i for i, v in enumerate(order)}
    assert order[-1] is e
    assert all(position[id(p)] < position[id(v)] for v in order for p in v.parents)


def test_a_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)


def test_bad_input_gets_a_clear_error():
    with pytest.raises(TypeError, match="plain number as exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(TypeError, match="value.data"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match="one real number"):
        Value("3")
    with pytest.raises(ValueError, match="activation"):
        Neuron(2, np.random.default_rng(0), activation="softplus")


def test_an_mlp_of_values_learns_xor():
    x, t = xor()
    net = MLP([2, 8, 1], np.random.default_rng(0))
    first = None
    for _ in range(300):
        outputs = [net(list(row))[0] for row in x]
        loss = sum((-(y.log() if target else (1 - y).log())
                    for y, target in zip(outputs, t, strict=True)), Value(0.0)) / 4
        for p in net.parameters():
            p.grad = 0.0
        loss.backward()
        for p in net.parameters():
            p.data -= 0.5 * p.grad
        first = loss.data if first is None else first
    predictions = [net(list(row))[0].data > 0.5 for row in x]
    assert predictions == [bool(v) for v in t]
    assert loss.data < first / 5
    assert len(net.parameters()) == (2 + 1) * 8 + (8 + 1) * 1
