"""bpkit.checks for lesson 03: each recognised mistake in AddLayer, MulLayer and the shop graph
gets its own message, and correct code passes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpkit
from bpkit import checks
from bpkit.data import shop_prices

pytestmark = pytest.mark.lesson03


def fails_with(check, obj, *fragments, **kwargs):
    """Run a check that must fail; assert its message contains every fragment."""
    with pytest.raises(AssertionError) as info:
        check(obj, **kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# ------------------------------------------------------------------ correct classes pass


class GoodMul:
    """The notes' MulLayer, written independently of bpkit."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class GoodAdd:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_correct_layers_pass(seed):
    checks.check_mul_layer_forward(GoodMul, seed=seed)
    checks.check_mul_layer_backward(GoodMul, seed=seed)
    checks.check_add_layer_forward(GoodAdd, seed=seed)
    checks.check_add_layer_backward(GoodAdd, seed=seed)
    checks.check_backward_numerically(GoodMul, (3, 4), (3, 4), seed=seed)
    checks.check_backward_numerically(GoodAdd, (2,), (2,), seed=seed)


def test_bpkit_reference_passes_the_checks():
    checks.check_mul_layer_backward(bpkit.MulLayer)
    checks.check_add_layer_backward(bpkit.AddLayer)


# ------------------------------------------------------------------ MulLayer mistakes


class SwappedMul(GoodMul):
    def backward(self, dout):
        return dout * self.x, dout * self.y


def test_mul_swapped_gradients_are_named():
    fails_with(checks.check_mul_layer_backward, SwappedMul, "swapped",
               "[mul_layer.swapped_gradients]")


class NoDoutMul(GoodMul):
    def backward(self, dout):
        return self.y, self.x


def test_mul_forgotten_dout_is_named():
    fails_with(checks.check_mul_layer_backward, NoDoutMul, "without dout", "chain rule")


class AddRuleMul(GoodMul):
    def backward(self, dout):
        return dout, dout


def test_mul_using_the_add_rule_is_named():
    fails_with(checks.check_mul_layer_backward, AddRuleMul, "ADD node's rule")


class UnstoredMul:
    """forward stores nothing; backward crashes on the missing attributes."""

    def forward(self, x, y):
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


def test_mul_forward_not_storing_raises_a_named_error():
    message = fails_with(checks.check_mul_layer_backward, UnstoredMul, "AttributeError",
                         "[common.not_stored]")
    assert "dout" in message


class NoneMul:
    """__init__ sets None, forward forgets to store: backward multiplies by None."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


def test_mul_none_placeholders_are_explained():
    fails_with(checks.check_mul_layer_backward, NoneMul, "TypeError", "[common.not_stored]")


class DefaultsMul:
    """__init__ sets placeholder numbers that forward never replaces: no crash, wrong answer."""

    def __init__(self):
        self.x = 1.0
        self.y = 1.0

    def forward(self, x, y):
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


def test_mul_silent_init_defaults_are_detected():
    fails_with(checks.check_mul_layer_backward, DefaultsMul, "does not store x and y",
               "placeholders")


class FirstCallOnlyMul(GoodMul):
    def forward(self, x, y):
        if self.x is None:
            self.x, self.y = x, y
        return x * y


def test_mul_keeping_the_first_forward_inputs_is_detected():
    fails_with(checks.check_mul_layer_backward, FirstCallOnlyMul, "EARLIER forward call")


class InPlaceMul(GoodMul):
    def backward(self, dout):
        dy = dout * self.x
        if isinstance(dout, np.ndarray):
            dout *= self.y
            return dout, dy
        return dout * self.y, dy


def test_mul_changing_dout_in_place_is_detected():
    fails_with(checks.check_mul_layer_backward, InPlaceMul, "changed its argument dout in place")


class SingleValueMul(GoodMul):
    def backward(self, dout):
        return dout * self.y


def test_mul_returning_one_value_is_detected():
    fails_with(checks.check_mul_layer_backward, SingleValueMul, "should return 2 values",
               "[common.wrong_count]")


class Float64Mul(GoodMul):
    def forward(self, x, y):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        return np.asarray(x, dtype=float) * y


def test_mul_losing_float32_is_detected():
    fails_with(checks.check_mul_layer_forward, Float64Mul, "dtype float64", "float32")


class ArrayScalarMul(GoodMul):
    def forward(self, x, y):
        self.x, self.y = x, y
        return np.reshape(x * y, (-1,))


def test_mul_scalar_in_array_out_is_a_shape_error():
    fails_with(checks.check_mul_layer_forward, ArrayScalarMul, "has shape (1,)", "shape ()")


class AddingMul(GoodMul):
    def forward(self, x, y):
        self.x, self.y = x, y
        return x + y


def test_mul_forward_adding_is_named():
    fails_with(checks.check_mul_layer_forward, AddingMul, "returned x + y")


def test_numerical_check_catches_a_wrong_gradient():
    with pytest.raises(AssertionError, match="disagrees with the numerical gradient"):
        checks.check_backward_numerically(SwappedMul, (3, 2), (3, 2))


# ------------------------------------------------------------------ AddLayer mistakes


class SingleValueAdd(GoodAdd):
    def backward(self, dout):
        return dout


def test_add_returning_one_value_is_detected():
    fails_with(checks.check_add_layer_backward, SingleValueAdd, "returned", "[common.wrong_count]")


class HalvingAdd(GoodAdd):
    def backward(self, dout):
        return dout * 0.5, dout * 0.5


def test_add_halving_is_named():
    fails_with(checks.check_add_layer_backward, HalvingAdd, "halved dout", "[add_layer.halved]")


class ScalingAdd(GoodAdd):
    def backward(self, dout):
        return dout * 2, dout * 2


def test_add_scaling_is_named():
    fails_with(checks.check_add_layer_backward, ScalingAdd, "scaled dout by 2")


class MulRuleAdd(GoodMul):
    """An add node that stores its inputs and multiplies dout by them."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x + y


def test_add_multiplying_by_an_input_is_named():
    fails_with(checks.check_add_layer_backward, MulRuleAdd, "MULTIPLY node's rule")


class OnesAdd(GoodAdd):
    def backward(self, dout):
        return np.ones_like(dout), np.ones_like(dout)


def test_add_returning_the_local_derivative_is_named():
    fails_with(checks.check_add_layer_backward, OnesAdd, "local derivative alone")


class MultiplyingAdd(GoodAdd):
    def forward(self, x, y):
        return x * y


def test_add_forward_multiplying_is_named():
    fails_with(checks.check_add_layer_forward, MultiplyingAdd, "returned x * y")


class Float64Add(GoodAdd):
    def backward(self, dout):
        dx = np.array(dout, dtype=float)
        return dx, dx.copy()


def test_add_losing_float32_is_detected():
    fails_with(checks.check_add_layer_backward, Float64Add, "dtype float64", "float32")


# ------------------------------------------------------------------ the shop graph


def make_shop(Mul=GoodMul, Add=GoodAdd, dout=1.0, swap_apple=False, tax_in_grads=True,
              dtax_after=False, price_before_tax=False):
    """A shop graph built from the given nodes, with one optional deliberate mistake."""

    def shop_graph(apple_price, apple_count, orange_price, orange_count, tax):
        apple, orange, add, tax_node = Mul(), Mul(), Add(), Mul()
        subtotal = add.forward(apple.forward(apple_price, apple_count),
                               orange.forward(orange_price, orange_count))
        price = tax_node.forward(subtotal, tax)
        d_subtotal, d_tax = tax_node.backward(dout)
        if not tax_in_grads:
            d_subtotal = dout
        if dtax_after:
            d_tax = price
        d_apple, d_orange = add.backward(d_subtotal)
        d_ap, d_ac = apple.backward(d_apple)
        d_op, d_oc = orange.backward(d_orange)
        if swap_apple:
            d_ap, d_ac = d_ac, d_ap
        grads = {"apple_price": d_ap, "apple_count": d_ac, "orange_price": d_op,
                 "orange_count": d_oc, "tax": d_tax}
        return (subtotal if price_before_tax else price), grads

    return shop_graph


def test_correct_shop_graph_passes_with_the_notes_numbers_and_uses_its_layers():
    checks.check_shop_graph(make_shop(), uses=(GoodMul, GoodAdd))
    price, grads = make_shop()(**shop_prices())
    assert np.isclose(price, 715)
    assert np.allclose([grads[k] for k in checks.SHOP_GRADIENT_NAMES], [2.2, 110, 3.3, 165, 650])


def test_shop_graph_not_using_the_layers_is_rejected():
    def by_formula(apple_price, apple_count, orange_price, orange_count, tax):
        sub = apple_price * apple_count + orange_price * orange_count
        return sub * tax, {"apple_price": apple_count * tax, "apple_count": apple_price * tax,
                           "orange_price": orange_count * tax,
                           "orange_count": orange_price * tax, "tax": sub}

    checks.check_shop_graph(by_formula)  # right numbers...
    fails_with(checks.check_shop_graph, by_formula, "never uses GoodMul", uses=(GoodMul, GoodAdd))


def test_shop_price_without_tax_is_named():
    fails_with(checks.check_shop_graph, make_shop(price_before_tax=True), "sum before tax",
               "650")


def test_shop_swapped_apple_gradients_are_named():
    fails_with(checks.check_shop_graph, make_shop(swap_apple=True),
               "apple_price and apple_count are swapped")


def test_shop_gradients_missing_the_tax_are_named():
    fails_with(checks.check_shop_graph, make_shop(tax_in_grads=False), "miss the tax")


def test_shop_dtax_equal_to_the_price_is_named():
    fails_with(checks.check_shop_graph, make_shop(dtax_after=True), "dtax is the price after tax",
               "650")


def test_shop_backward_not_started_with_one_is_named():
    fails_with(checks.check_shop_graph, make_shop(dout=2.0), "2 times the right value",
               "[shop_graph.dout_not_one]")


def test_shop_graph_returning_only_the_price_is_named():
    fails_with(checks.check_shop_graph, lambda *args: 715.0, "return a pair (price, grads)")


def test_shop_graph_with_missing_keys_is_named():
    def partial(*args):
        price, grads = make_shop()(*args)
        del grads["tax"]
        return price, grads

    fails_with(checks.check_shop_graph, partial, "without the key 'tax'", "[common.wrong_keys]")


def test_shop_graph_with_a_wrong_mul_layer_is_caught_through_the_graph():
    fails_with(checks.check_shop_graph, make_shop(Mul=SwappedMul), "the sum 650",
               "fix those first")


def test_shop_price_part_ignores_the_gradients_and_gradient_part_ignores_the_price():
    checks.check_shop_graph(make_shop(swap_apple=True), parts=("price",))
    fails_with(checks.check_shop_graph, make_shop(price_before_tax=True), "sum before tax",
               parts=("price",))
    checks.check_shop_graph(make_shop(price_before_tax=True), parts=("gradients",))


class BlankMul:
    """What the generated lesson holds before the student writes anything."""

    def forward(self, x, y):
        raise NotImplementedError()

    def backward(self, dout):
        raise NotImplementedError()


def test_an_unwritten_layer_gets_told_what_to_do():
    fails_with(checks.check_mul_layer_forward, BlankMul, "not written yet", "YOUR CODE HERE")


def test_an_unwritten_shop_graph_is_told_so_before_anything_else():
    def blank(*args):
        raise NotImplementedError()

    fails_with(checks.check_shop_graph, blank, "not written yet", uses=(GoodMul, GoodAdd))


class SummingAdd(GoodAdd):
    def backward(self, dout):
        return np.sum(dout), np.sum(dout)


def test_add_gradient_of_the_wrong_shape_names_both_shapes():
    message = fails_with(checks.check_add_layer_backward, SummingAdd, "should have shape")
    assert "has shape ()" in message


# ------------------------------------------------------------------ any seed
# The hidden tests draw a fresh seed each time: no seed may fail correct code.


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_code_passes_and_swapped_code_fails_for_any_seed(seed):
    checks.check_mul_layer_backward(GoodMul, seed=seed)
    checks.check_add_layer_backward(GoodAdd, seed=seed)
    checks.check_shop_graph(make_shop(), seed=seed, uses=(GoodMul, GoodAdd))
    with pytest.raises(AssertionError, match="swapped"):
        checks.check_mul_layer_backward(SwappedMul, seed=seed)
