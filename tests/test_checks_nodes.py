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
    # Feedback teaches without the answer: no expression of the reference solution in it.
    shown = [e for e in ANSWER_EXPRESSIONS if e in squeezed(message)]
    assert not shown, f"the message shows the answer {shown}: {message!r}"
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


# ------------------------------------------------------------------ lesson 03's derivations
# DivLayer, BranchLayer and the delivery shop: correct code passes on any seed, each recognised
# mistake gets its id, and no message contains an expression of the reference answer.

from test_no_answer_printed import answer_expressions, squeezed  # noqa: E402

ANSWER_EXPRESSIONS = answer_expressions("03_add_mul_layers")


class GoodDiv:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y

    def backward(self, dout):
        return dout / self.y, -dout * self.x / (self.y * self.y)


class GoodBranch:
    def forward(self, x):
        return x * 1, x * 1

    def backward(self, dout1, dout2):
        return dout1 + dout2


def div_with(backward):
    return type("WrongDiv", (GoodDiv,), {"backward": backward})


def branch_with(**methods):
    return type("WrongBranch", (GoodBranch,), methods)


MISTAKES = [
    (checks.check_div_layer_forward,
     type("SwappedDivForward", (GoodDiv,), {"forward": lambda s, x, y: y / x}),
     "div_layer.forward_swapped"),
    (checks.check_div_layer_backward,
     div_with(lambda s, d: (-d * s.x / s.y**2, d / s.y)), "div_layer.swapped_gradients"),
    (checks.check_div_layer_backward,
     div_with(lambda s, d: (1 / s.y, -s.x / s.y**2)), "div_layer.no_dout"),
    (checks.check_div_layer_backward, div_with(lambda s, d: (d * s.y, d * s.x)),
     "div_layer.mul_rule"),
    (checks.check_div_layer_backward, div_with(lambda s, d: (d / s.y, d * s.x / s.y**2)),
     "div_layer.dy_sign"),
    (checks.check_div_layer_backward, div_with(lambda s, d: (d / s.y, -d * s.x / s.y)),
     "div_layer.dy_power"),
    (checks.check_div_layer_backward, div_with(lambda s, d: (d / s.y, -d / s.y**2)),
     "div_layer.dy_missing_x"),
    (checks.check_div_layer_backward,
     div_with(lambda s, d: (-d / s.y, -d * s.x / s.y**2)), "div_layer.dx_sign"),
    (checks.check_branch_layer_forward, branch_with(forward=lambda s, x: x),
     "branch_layer.one_output"),
    (checks.check_branch_layer_forward, branch_with(forward=lambda s, x: (x, 2 * x)),
     "branch_layer.scaled_copy"),
    (checks.check_branch_layer_backward, branch_with(backward=lambda s, a, b: (a, b)),
     "branch_layer.not_combined"),
    (checks.check_branch_layer_backward, branch_with(backward=lambda s, a, b: a * 1),
     "branch_layer.one_branch"),
    (checks.check_branch_layer_backward, branch_with(backward=lambda s, a, b: (a + b) / 2),
     "branch_layer.averaged"),
    (checks.check_branch_layer_backward, branch_with(backward=lambda s, a, b: a * b),
     "branch_layer.multiplied"),
]


def make_delivery(start=1.0, count_grad="both", fee_after_tax=False, no_fee=False):
    """A delivery shop built from the good layers, with one switch per mistake."""

    def delivery_shop(apple_price, apple_count, orange_price, orange_count, tax, fee_per_apple):
        copy = GoodBranch()
        apple, orange, fee_node, tax_node = GoodMul(), GoodMul(), GoodMul(), GoodMul()
        add_fruit, add_fee = GoodAdd(), GoodAdd()
        c1, c2 = copy.forward(apple_count)
        fruit = add_fruit.forward(apple.forward(apple_price, c1),
                                  orange.forward(orange_price, orange_count))
        fee = fee_node.forward(fee_per_apple, c2) * (0 if no_fee else 1)
        if fee_after_tax:
            price = tax_node.forward(fruit, tax) + fee
        else:
            price = tax_node.forward(add_fee.forward(fruit, fee), tax)
        d_sub, d_tax = tax_node.backward(start)
        d_fruit, d_fee = add_fee.backward(d_sub)
        d_apples, d_oranges = add_fruit.backward(d_fruit)
        d_ap, d_c1 = apple.backward(d_apples)
        d_op, d_oc = orange.backward(d_oranges)
        d_fpa, d_c2 = fee_node.backward(d_fee)
        d_count = {"both": copy.backward(d_c1, d_c2), "apples": d_c1, "fee": d_c2}[count_grad]
        return price, {"apple_price": d_ap, "apple_count": d_count, "orange_price": d_op,
                       "orange_count": d_oc, "tax": d_tax, "fee_per_apple": d_fpa}

    return delivery_shop


MISTAKES += [
    (checks.check_delivery_shop, make_delivery(count_grad="apples"), "delivery_shop.one_branch"),
    (checks.check_delivery_shop, make_delivery(count_grad="fee"), "delivery_shop.one_branch"),
    (checks.check_delivery_shop, make_delivery(start=2.0), "delivery_shop.dout_not_one"),
    (checks.check_delivery_shop, make_delivery(fee_after_tax=True), "delivery_shop.fee_untaxed"),
    (checks.check_delivery_shop, make_delivery(no_fee=True), "delivery_shop.no_fee"),
]


@pytest.mark.parametrize("check, wrong, mistake_id", MISTAKES,
                         ids=[f"{m[2]}-{i}" for i, m in enumerate(MISTAKES)])
def test_each_mistake_of_the_derivations_is_named_without_the_answer(check, wrong, mistake_id):
    message = fails_with(check, wrong, f"[{mistake_id}]")
    printed = [e for e in ANSWER_EXPRESSIONS if e in squeezed(message)]
    assert not printed, f"{mistake_id}'s message shows the answer: {printed}"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_derivations_pass_for_any_seed(seed):
    checks.check_div_layer_forward(GoodDiv, seed=seed)
    checks.check_div_layer_backward(GoodDiv, seed=seed)
    checks.check_branch_layer_forward(GoodBranch, seed=seed)
    checks.check_branch_layer_backward(GoodBranch, seed=seed)
    checks.check_branch_numerically(GoodBranch, (2, 3), seed=seed)
    checks.check_backward_numerically(GoodDiv, (3, 2), (3, 2), seed=seed)
    checks.check_delivery_shop(make_delivery(), seed=seed, numerically=True)


def test_the_references_pass_their_own_checks():
    checks.check_div_layer_backward(bpkit.DivLayer)
    checks.check_branch_layer_backward(bpkit.BranchLayer)


def notebook_function(source, **names):
    """A function defined as in a notebook cell: its layers are globals of its namespace."""
    namespace = dict(names)
    exec(source, namespace)  # noqa: S102
    return namespace


SHOP_SOURCE = '''
def shop_graph(apple_price, apple_count, orange_price, orange_count, tax):
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    sub = add.forward(mul_apple.forward(apple_price, apple_count),
                      mul_orange.forward(orange_price, orange_count))
    price = mul_tax.forward(sub, tax)
    d_sub, d_tax = mul_tax.backward(1)
    d_a, d_o = add.backward(d_sub)
    d_ap, d_ac = mul_apple.backward(d_a)
    d_op, d_oc = mul_orange.backward(d_o)
    return price, {"apple_price": d_ap, "apple_count": d_ac, "orange_price": d_op,
                   "orange_count": d_oc, "tax": d_tax}
'''


def test_one_mistake_one_penalty_a_wrong_mul_layer_does_not_fail_the_shop(capsys):
    ns = notebook_function(SHOP_SOURCE, MulLayer=SwappedMul, AddLayer=GoodAdd)
    checks.check_shop_graph(ns["shop_graph"], uses=(ns["MulLayer"], ns["AddLayer"]),
                            parts=("gradients",), numerically=True)
    out = capsys.readouterr().out
    assert "✓ shop_graph" in out and "graded with bpkit's MulLayer and AddLayer" in out
    # The layer's own test still fails.
    fails_with(checks.check_mul_layer_backward, ns["MulLayer"], "[mul_layer.swapped_gradients]")


def test_a_correct_shop_with_correct_layers_has_no_note(capsys):
    ns = notebook_function(SHOP_SOURCE, MulLayer=GoodMul, AddLayer=GoodAdd)
    checks.check_shop_graph(ns["shop_graph"], uses=(GoodMul, GoodAdd))
    assert "in place of yours" not in capsys.readouterr().out


def test_a_wrongly_wired_shop_says_the_layers_were_bpkits():
    source = SHOP_SOURCE.replace("d_a, d_o = add.backward(d_sub)", "d_a, d_o = add.backward(d_tax)")
    ns = notebook_function(source, MulLayer=GoodMul, AddLayer=GoodAdd)
    fails_with(checks.check_shop_graph, ns["shop_graph"], "ran with bpkit's MulLayer and AddLayer",
               uses=(GoodMul, GoodAdd))


def test_a_delivery_shop_that_skips_the_branch_layer_is_rejected():
    def without_branch(apple_price, apple_count, orange_price, orange_count, tax, fee_per_apple):
        return make_delivery()(apple_price, apple_count, orange_price, orange_count, tax,
                               fee_per_apple)

    fails_with(checks.check_delivery_shop, without_branch, "never uses GoodBranch",
               uses=(GoodBranch,))
