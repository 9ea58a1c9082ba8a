"""Automatic differentiation (자동 미분) on scalars: the reference ``Value`` of lesson 10.

A ``Value`` holds one number (``data``) and, once ``backward()`` has run on a result computed
from it, that result's derivative with respect to it (``grad``). Every operation builds a new
``Value`` that remembers the values it was made from (``parents``) and a function
``local_backward`` that, called with no argument, adds the result's ``grad`` times the
operation's local derivative into each parent's ``grad``. Forward and local backward sit side
by side in each operation, as ``forward`` and ``backward`` do in bpkit's layers.

``backward()`` orders the graph so that every value comes after all the values it was made
from (a topological order, 위상 정렬), sets its own gradient to 1 and calls ``local_backward``
on every value in the reverse of that order. Gradients are *added* into parents: a value used
twice receives the sum of what its two uses send back (the branch rule of lessons 02 and 03).

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a          # a is used twice
    >>> c.backward()
    >>> a.grad, b.grad         # (b + 1, a)
    (-2.0, 2.0)

Like a framework's ``loss.backward()``, ``backward`` accumulates: calling it twice doubles the
leaves' gradients. Set ``grad = 0.0`` on the parameters before each new backward pass.
"""

import math
from numbers import Real

from .i18n import tr


def _nothing():
    """The local backward of a value nobody computed (an input): it has no parents."""


class Value:
    """One scalar in a computation graph (계산 그래프).

    data: a real number (stored as float). parents: the Values this one was computed from
    (empty for an input). op: a short name of the operation that made it ("+", "exp"; "" for
    an input). label: an optional name for figures ("apple price").
    """

    __slots__ = ("data", "grad", "parents", "op", "label", "local_backward")

    def __init__(self, data, parents=(), op="", label=""):
        if isinstance(data, Value):
            raise TypeError("Value(...) got a Value; pass its number, value.data, instead")
        if not isinstance(data, Real):
            raise TypeError(tr("Value holds one real number, got {type_data___name} {data!r}",
                               type_data___name=type(data).__name__, data=data))
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self.label = label
        self.local_backward = _nothing

    def __repr__(self):
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    # --- binary operations ----------------------------------------------------------------

    def __add__(self, other):
        other = as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def local_backward():
            self.grad += out.grad
            other.grad += out.grad

        out.local_backward = local_backward
        return out

    def __mul__(self, other):
        other = as_value(other)
        out = Value(self.data * other.data, (self, other), "×")

        def local_backward():
            # Read the inputs' data now, at backward time; both were fixed at forward time.
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out.local_backward = local_backward
        return out

    def __pow__(self, exponent):
        if isinstance(exponent, Value) or not isinstance(exponent, Real):
            raise TypeError(
                tr("Value ** takes a plain number as exponent, got {type_exponent___name}; "
                   "for a Value exponent write (exponent * base.log()).exp()",
                   type_exponent___name=type(exponent).__name__)
            )
        if self.data == 0 and exponent < 1:
            raise ZeroDivisionError(tr("0 ** {exponent} has no derivative at 0",
                                       exponent=exponent))
        out = Value(self.data**exponent, (self,), f"**{exponent:g}")

        def local_backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out.local_backward = local_backward
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-as_value(other))

    def __truediv__(self, other):
        return self * as_value(other) ** -1

    # 2 + v, 2 * v, 2 - v, 2 / v: Python asks v, with the number as ``other``.
    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return as_value(other) - self

    def __rtruediv__(self, other):
        return as_value(other) / self

    # --- functions of one value -----------------------------------------------------------

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def local_backward():
            self.grad += out.data * out.grad  # exp is its own derivative: reuse the output

        out.local_backward = local_backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(tr("log needs a positive number, got {self_data:g}",
                                self_data=self.data))
        out = Value(math.log(self.data), (self,), "log")

        def local_backward():
            self.grad += out.grad / self.data

        out.local_backward = local_backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def local_backward():
            self.grad += (1 - out.data**2) * out.grad

        out.local_backward = local_backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def local_backward():
            # The notes' mask: the gradient passes where the input was positive.
            self.grad += (self.data > 0) * out.grad

        out.local_backward = local_backward
        return out

    # --- the backward pass ----------------------------------------------------------------

    def backward(self):
        """Fill ``grad`` of every value this one was computed from with d(self)/d(value).

        Seeds d(self)/d(self) = 1, then calls each value's ``local_backward`` in reverse
        topological order, so a value passes its gradient on only once every use of it has
        added its share. Gradients accumulate across calls (see the module docstring).
        """
        order = topological_order(self)
        self.grad = 1.0
        for value in reversed(order):
            value.local_backward()


def as_value(x):
    """x itself if it is a Value, else a new input Value holding the number x."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root):
    """Every Value ``root`` was computed from (and root itself), each after its parents.

    Depth-first: a value is appended once all its parents are; ``seen`` makes a value used
    twice appear once. Iterative, so deep graphs do not hit Python's recursion limit.
    Works on any object with a ``parents`` attribute. Returns a list, root last.
    """
    order, seen = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        value, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(value)
    return order


# --- a small network of Values ------------------------------------------------------------


class Neuron:
    """One neuron: ``act(sum_i w_i x_i + b)`` with Values. n_inputs weights drawn from
    N(0, 1/n_inputs) by ``rng`` (a numpy Generator), bias 0. activation: "tanh", "relu",
    "sigmoid" or "linear"."""

    def __init__(self, n_inputs, rng, activation="tanh"):
        if activation not in ACTIVATIONS:
            raise ValueError(tr("activation must be one of {sorted_ACTIVATIONS}, got "
                                "{activation!r}",
                                sorted_ACTIVATIONS=sorted(ACTIVATIONS), activation=activation))
        scale = 1 / math.sqrt(n_inputs)
        self.w = [Value(float(rng.normal(0, scale)), label="w") for _ in range(n_inputs)]
        self.b = Value(0.0, label="b")
        self.activation = activation

    def __call__(self, xs):
        if len(xs) != len(self.w):
            raise ValueError(tr("this neuron takes {len_self_w} inputs, got {len_xs}",
                                len_self_w=len(self.w), len_xs=len(xs)))
        z = sum((w * x for w, x in zip(self.w, xs, strict=True)), self.b)
        return ACTIVATIONS[self.activation](z)

    def parameters(self):
        return [*self.w, self.b]


def sigmoid(z):
    """1 / (1 + exp(-z)) built from Value operations (no new local derivative)."""
    return 1 / (1 + (-z).exp())


ACTIVATIONS = {"tanh": Value.tanh, "relu": Value.relu, "sigmoid": sigmoid,
               "linear": lambda z: z}


class MLP:
    """Layers of Neurons. sizes: [n_inputs, hidden..., n_outputs]; hidden layers use
    ``activation``, the last layer ``output_activation``. Calling it on a list of numbers or
    Values returns a list of n_outputs Values."""

    def __init__(self, sizes, rng, activation="tanh", output_activation="sigmoid"):
        if len(sizes) < 2:
            raise ValueError(tr("sizes needs at least inputs and outputs, got {sizes}",
                                sizes=sizes))
        self.layers = [
            [Neuron(n_in, rng, activation if i < len(sizes) - 2 else output_activation)
             for _ in range(n_out)]
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        ]

    def __call__(self, xs):
        for layer in self.layers:
            xs = [neuron(xs) for neuron in layer]
        return xs

    def parameters(self):
        return [p for layer in self.layers for neuron in layer for p in neuron.parameters()]
