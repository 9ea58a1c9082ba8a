"""bpkit.checks for lesson 04: each recognised mistake in Relu and Sigmoid gets its own message,
and correct code passes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpkit
from bpkit import checks

pytestmark = pytest.mark.lesson04


def fails_with(check, cls, *fragments):
    """Run a check that must fail; assert its message contains every fragment."""
    with pytest.raises(AssertionError) as info:
        check(cls)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    # Feedback teaches without the answer: no expression of the reference solution in it.
    shown = [e for e in ANSWER_EXPRESSIONS if e in squeezed(message)]
    assert not shown, f"the message shows the answer {shown}: {message!r}"
    return message


class GoodRelu:
    """The book's Relu: a mask stored in forward, applied in backward, on copies."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class GoodSigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class GraphSigmoid(GoodSigmoid):
    """Backward written node by node as in the graph: dout * y^2 * exp(-x)."""

    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * self.out**2 * np.exp(-self.x)


def test_a_sigmoid_backward_not_simplified_to_the_output_is_named():
    """Issue 15: the lesson grades the node-by-node backward (sigmoid_by_nodes) and the
    simplified one; a layer that still needs x is right in value but not simplified."""
    checks.check_sigmoid_forward(GraphSigmoid)
    with pytest.raises(AssertionError, match=r"needs self\.x.*\[sigmoid\.not_from_output\]"):
        checks.check_sigmoid_backward(GraphSigmoid)


@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_correct_layers_pass(seed):
    for check in (checks.check_relu_forward, checks.check_relu_backward):
        check(GoodRelu, seed=seed)
    checks.check_sigmoid_forward(GoodSigmoid, seed=seed)
    checks.check_sigmoid_backward(GoodSigmoid, seed=seed)
    checks.check_backward_numerically(GoodRelu, (4, 3), seed=seed)
    checks.check_backward_numerically(GoodSigmoid, (2, 5), seed=seed)


def test_bpkit_reference_passes_the_checks():
    checks.check_relu_backward(bpkit.Relu)
    checks.check_sigmoid_backward(bpkit.Sigmoid)


# ------------------------------------------------------------------ Relu mistakes


class InvertedForwardRelu(GoodRelu):
    def forward(self, x):
        self.mask = x <= 0
        return np.where(x > 0, 0, x)


def test_relu_inverted_forward_mask_is_named():
    fails_with(checks.check_relu_forward, InvertedForwardRelu, "mask is inverted")


class InvertedBackwardRelu(GoodRelu):
    def backward(self, dout):
        return dout * self.mask


def test_relu_inverted_backward_mask_is_named():
    fails_with(checks.check_relu_backward, InvertedBackwardRelu, "the mask is inverted",
               "where x > 0")


class InPlaceForwardRelu(GoodRelu):
    def forward(self, x):
        self.mask = x <= 0
        x[self.mask] = 0
        return x


def test_relu_changing_x_in_place_is_detected():
    fails_with(checks.check_relu_forward, InPlaceForwardRelu, "Relu.forward changed its argument x")


class InPlaceBackwardRelu(GoodRelu):
    def backward(self, dout):
        dout[self.mask] = 0
        return dout


def test_relu_changing_dout_in_place_is_detected():
    fails_with(checks.check_relu_backward, InPlaceBackwardRelu,
               "Relu.backward changed its argument dout in place")


class NoDoutRelu(GoodRelu):
    def backward(self, dout):
        return (~self.mask).astype(dout.dtype)


def test_relu_forgotten_dout_is_named():
    fails_with(checks.check_relu_backward, NoDoutRelu, "without dout")


class TimesXRelu(GoodRelu):
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * self.x


def test_relu_multiplying_by_x_is_named():
    fails_with(checks.check_relu_backward, TimesXRelu, "dout times x")


class UnstoredRelu:
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


def test_relu_forward_not_storing_the_mask_is_named():
    fails_with(checks.check_relu_backward, UnstoredRelu, "AttributeError", "[common.not_stored]")


class Float64Relu(GoodRelu):
    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(x, 0.0).astype(np.float64)


def test_relu_losing_float32_is_detected():
    fails_with(checks.check_relu_forward, Float64Relu, "dtype float64", "float32")


class FlatRelu(GoodRelu):
    def backward(self, dout):
        return super().backward(dout).reshape(-1)


def test_relu_flattening_dx_is_a_shape_error():
    # Even if the random float64 case is 1-D, the float32 case is (3, 4) and is flattened.
    fails_with(checks.check_relu_backward, FlatRelu, "should have shape")


class TupleRelu(GoodRelu):
    def backward(self, dout):
        return super().backward(dout), None


def test_relu_returning_a_tuple_is_named():
    fails_with(checks.check_relu_backward, TupleRelu, "returns one gradient dx")


# ------------------------------------------------------------------ Sigmoid mistakes


class FromXSigmoid(GoodSigmoid):
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * self.x * (1 - self.x)


def test_sigmoid_derivative_from_x_is_named():
    fails_with(checks.check_sigmoid_backward, FromXSigmoid, "computed from the input x",
               "[sigmoid.derivative_from_x]")


class NoDoutSigmoid(GoodSigmoid):
    def backward(self, dout):
        return self.out * (1 - self.out)


def test_sigmoid_forgotten_dout_is_named():
    fails_with(checks.check_sigmoid_backward, NoDoutSigmoid, "without dout")


class SignSigmoid(GoodSigmoid):
    def backward(self, dout):
        return -dout * self.out * (1 - self.out)


def test_sigmoid_wrong_sign_is_named():
    fails_with(checks.check_sigmoid_backward, SignSigmoid, "wrong sign")


class MissingFactorSigmoid(GoodSigmoid):
    def backward(self, dout):
        return dout * self.out


def test_sigmoid_missing_factor_is_named():
    fails_with(checks.check_sigmoid_backward, MissingFactorSigmoid, "[sigmoid.missing_factor]")


class PositiveExponentSigmoid(GoodSigmoid):
    def forward(self, x):
        self.out = 1 / (1 + np.exp(x))
        return self.out


def test_sigmoid_sign_in_exponent_is_named():
    fails_with(checks.check_sigmoid_forward, PositiveExponentSigmoid, "sign in the exponent")


class InPlaceSigmoid(GoodSigmoid):
    def backward(self, dout):
        dout *= self.out * (1 - self.out)
        return dout


def test_sigmoid_changing_dout_in_place_is_detected():
    fails_with(checks.check_sigmoid_backward, InPlaceSigmoid, "changed its argument dout")


class InitDefaultSigmoid:
    """forward never stores y; backward uses __init__'s placeholder 0.5 without crashing."""

    def __init__(self):
        self.out = np.float64(0.5)

    def forward(self, x):
        return 1 / (1 + np.exp(-x))

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


def test_sigmoid_silent_placeholder_is_detected():
    fails_with(checks.check_sigmoid_backward, InitDefaultSigmoid, "does not store its output y")


class StaleSigmoid(GoodSigmoid):
    def forward(self, x):
        y = 1 / (1 + np.exp(-x))
        if self.out is None:
            self.out = y
        return y


def test_sigmoid_keeping_the_first_output_is_detected():
    fails_with(checks.check_sigmoid_backward, StaleSigmoid, "EARLIER forward call")


class Float64Sigmoid(GoodSigmoid):
    def backward(self, dout):
        return np.asarray(dout, dtype=np.float64) * self.out * (1 - self.out)


def test_sigmoid_losing_float32_is_detected():
    fails_with(checks.check_sigmoid_backward, Float64Sigmoid, "dtype float64", "float32")


def test_numerical_check_rejects_a_wrong_sigmoid():
    with pytest.raises(AssertionError, match="disagrees with the numerical gradient"):
        checks.check_backward_numerically(FromXSigmoid, (3, 3))


# ------------------------------------------------------------------ any seed
# The hidden tests draw a fresh seed each time: no seed may fail correct code.


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_code_passes_and_known_mistakes_fail_for_any_seed(seed):
    checks.check_relu_backward(GoodRelu, seed=seed)
    checks.check_sigmoid_backward(GoodSigmoid, seed=seed)
    checks.check_backward_numerically(GoodRelu, (3, 4), seed=seed)
    with pytest.raises(AssertionError, match="mask is inverted"):
        checks.check_relu_backward(InvertedBackwardRelu, seed=seed)
    with pytest.raises(AssertionError, match="computed from the input x"):
        checks.check_sigmoid_backward(FromXSigmoid, seed=seed)


# ------------------------------------------------------------------ lesson 04's derivations
# LeakyRelu, the sigmoid node by node and Tanh: correct code passes on any seed, each recognised
# mistake gets its id, and no message contains an expression of the reference answer.

from test_no_answer_printed import answer_expressions, squeezed  # noqa: E402

ANSWER_EXPRESSIONS = answer_expressions("04_activation_layers")


class GoodLeaky:
    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, self.slope * x, x).astype(x.dtype)

    def backward(self, dout):
        return np.where(self.mask, self.slope * dout, dout).astype(dout.dtype)


def leaky_with(**methods):
    return type("WrongLeaky", (GoodLeaky,), methods)


def by_nodes(x, dout, du_rule=None, de_rule=None, da_rule=None, dx_rule=None):
    a = -x
    e = np.exp(a)
    u = e + 1
    du = du_rule(dout, u) if du_rule else dout * -(1 / u) ** 2
    de = de_rule(du, x) if de_rule else du
    da = da_rule(de, e, x) if da_rule else de * e
    dx = dx_rule(da) if dx_rule else -da
    return {"du": du, "de": de, "da": da, "dx": dx}


def nodes_with(**rules):
    return lambda x, dout: by_nodes(x, dout, **rules)


class GoodTanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out * self.out)


def tanh_with(backward):
    return type("WrongTanh", (GoodTanh,), {"backward": backward})


def _sig(v):
    return 1 / (1 + np.exp(-v))


MISTAKES_04 = [
    (checks.check_leaky_relu_forward,
     leaky_with(forward=lambda s, x: (setattr(s, "mask", x <= 0), np.maximum(x, 0))[1]),
     "leaky_relu.no_leak"),
    (checks.check_leaky_relu_forward,
     leaky_with(forward=lambda s, x: np.where(x > 0, s.slope * x, x).astype(x.dtype)),
     "leaky_relu.inverted"),
    (checks.check_leaky_relu_forward,
     leaky_with(forward=lambda s, x: (setattr(s, "mask", x <= 0),
                                      np.where(x > 0, x, 0.01 * x).astype(x.dtype))[1]),
     "leaky_relu.slope_ignored"),
    (checks.check_leaky_relu_backward,
     leaky_with(backward=lambda s, d: np.where(s.mask, 0 * d, d).astype(d.dtype)),
     "leaky_relu.blocked"),
    (checks.check_leaky_relu_backward,
     leaky_with(backward=lambda s, d: np.where(s.mask, s.slope, 1.0).astype(d.dtype)),
     "leaky_relu.no_dout"),
    (checks.check_leaky_relu_backward,
     leaky_with(backward=lambda s, d: np.where(s.mask, d, s.slope * d).astype(d.dtype)),
     "leaky_relu.inverted"),
    (checks.check_leaky_relu_backward,
     leaky_with(backward=lambda s, d: np.where(s.mask, 0.01 * d, d).astype(d.dtype)),
     "leaky_relu.slope_ignored"),
    (checks.check_sigmoid_by_nodes, nodes_with(du_rule=lambda d, u: -d / u),
     "sigmoid_by_nodes.reciprocal_power"),
    (checks.check_sigmoid_by_nodes, nodes_with(du_rule=lambda d, u: d / u**2),
     "sigmoid_by_nodes.reciprocal_sign"),
    (checks.check_sigmoid_by_nodes, nodes_with(du_rule=lambda d, u: -1 / u**2),
     "sigmoid_by_nodes.no_dout"),
    (checks.check_sigmoid_by_nodes, nodes_with(de_rule=lambda du, x: du * np.exp(-x)),
     "sigmoid_by_nodes.plus_one_as_exp"),
    (checks.check_sigmoid_by_nodes, nodes_with(da_rule=lambda de, e, x: de),
     "sigmoid_by_nodes.exp_passed"),
    (checks.check_sigmoid_by_nodes, nodes_with(da_rule=lambda de, e, x: de * np.exp(x)),
     "sigmoid_by_nodes.exp_of_x"),
    (checks.check_sigmoid_by_nodes, nodes_with(dx_rule=lambda da: da),
     "sigmoid_by_nodes.negate_ignored"),
    (checks.check_tanh_forward,
     type("SigmoidTanh", (GoodTanh,), {"forward": lambda s, x: _sig(x)}), "tanh.sigmoid"),
    (checks.check_tanh_backward, tanh_with(lambda s, d: 1 - s.out * s.out), "tanh.no_dout"),
    (checks.check_tanh_backward, tanh_with(lambda s, d: d * s.out * (1 - s.out)),
     "tanh.sigmoid_rule"),
    (checks.check_tanh_backward, tanh_with(lambda s, d: d * (1 - s.out)),
     "tanh.missing_factor"),
    (checks.check_tanh_backward, tanh_with(lambda s, d: d * (s.out * s.out - 1)),
     "tanh.wrong_sign"),
    (checks.check_tanh_backward,
     tanh_with(lambda s, d: d * 2 * _sig(2 * np.arctanh(s.out)) * (1 - _sig(2 * np.arctanh(
         s.out)))), "tanh.missing_factor_two"),
]


@pytest.mark.parametrize("check, wrong, mistake_id", MISTAKES_04,
                         ids=[f"{m[2]}-{i}" for i, m in enumerate(MISTAKES_04)])
def test_each_mistake_of_the_derivations_is_named_without_the_answer(check, wrong, mistake_id):
    with pytest.raises(AssertionError) as info:
        check(wrong)
    message = str(info.value)
    assert f"[{mistake_id}]" in message, message
    printed = [e for e in ANSWER_EXPRESSIONS if e in squeezed(message)]
    assert not printed, f"{mistake_id}'s message shows the answer: {printed}"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_derivations_pass_for_any_seed(seed):
    checks.check_leaky_relu_forward(GoodLeaky, seed=seed)
    checks.check_leaky_relu_backward(GoodLeaky, seed=seed)
    checks.check_leaky_relu_numerically(GoodLeaky, (3, 2), slope=0.3, seed=seed)
    checks.check_sigmoid_by_nodes(nodes_with(), seed=seed, numerically=True)
    checks.check_tanh_forward(GoodTanh, seed=seed)
    checks.check_tanh_backward(GoodTanh, seed=seed)
    checks.check_backward_numerically(GoodTanh, (2, 3), seed=seed)


def test_the_references_pass_the_new_checks():
    checks.check_leaky_relu_backward(bpkit.LeakyRelu)
    checks.check_tanh_backward(bpkit.Tanh)


def test_one_mistake_one_penalty_a_tanh_built_on_a_wrong_sigmoid(capsys):
    """A Tanh built on the student's own Sigmoid is graded with bpkit's Sigmoid in its place."""
    namespace = {"np": np, "Sigmoid": FromXSigmoid}
    exec('''
class Tanh:
    def forward(self, x):
        self.s = Sigmoid()
        return 2 * self.s.forward(2 * x) - 1

    def backward(self, dout):
        return 4 * self.s.backward(dout)
''', namespace)  # noqa: S102
    Tanh, Sigmoid = namespace["Tanh"], namespace["Sigmoid"]
    checks.check_tanh_forward(Tanh, uses=(Sigmoid,))
    checks.check_tanh_backward(Tanh, uses=(Sigmoid,))
    checks.check_tanh_numerically(Tanh, (2, 3), uses=(Sigmoid,))
    assert "graded with bpkit's FromXSigmoid in place of yours" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        checks.check_tanh_backward(Tanh)  # without the reference, the wrong Sigmoid shows
