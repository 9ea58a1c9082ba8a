"""Checks for lesson 01: forward passes through small computation graphs (계산 그래프).

The student's functions return dicts naming every intermediate value, so a check can say which
node went wrong: the inputs are random and all different from each other, so each usual mistake
(a missing tax node, the wrong pair multiplied) gives numbers that tell it apart.
"""


from ..i18n import tr
from ._shop import SHOP_INPUTS, notes_shop, random_shop
from ._student import call, diagnose, expect_close, expect_keys, passed, rng_for

__all__ = ["check_apple_forward", "check_shop_forward", "check_neuron_forward"]

def check_apple_forward(apple_forward, seed=0):
    """apple_forward(apple_price, apple_count, tax) -> {"apples", "total"}: the outputs of the
    apple node and of the tax node."""
    ex = "apple_forward"
    rng = rng_for(seed)
    notes = notes_shop()
    cases = [(notes["apple_price"], notes["apple_count"], notes["tax"])] + [
        tuple(random_shop(rng)[k] for k in ("apple_price", "apple_count", "tax"))
        for _ in range(3)]
    for price, count, tax in cases:
        what = f"apple_forward({price:g}, {count:g}, {tax:g})"
        out = expect_keys(call(what, apple_forward, price, count, tax, exercise=ex),
                          ["apples", "total"], what, ex)
        apples, total = price * count, price * count * tax
        diagnose(out["apples"], apples, [
            (total, "apple_forward.apples_taxed",
             tr("'apples' is {total:g}, which already includes the tax. Which node's output "
                "is 'apples': the first one, or the last?",
                total=total)),
            (price + count, "apple_forward.added",
             "'apples' is price + count. What does the apple node do with its two inputs?"),
        ], what, ex)
        expect_close(out["apples"], apples, f"{what}['apples']", exercise=ex)
        diagnose(out["total"], total, [
            (apples, "apple_forward.no_tax",
             tr("'total' equals 'apples' ({apples:g}): the tax node is missing. What does "
                "the graph do after the apple node?",
                apples=apples)),
            (apples + tax, "apple_forward.tax_added",
             tr("'total' is apples + tax. The tax {tax:g} means +{tax_1_100:.0f} %: which "
                "operation is that?",
                tax=tax, tax_1_100=(tax - 1) * 100)),
            (price * tax, "apple_forward.count_skipped",
             tr("'total' is price x tax = {price_tax:g}: it skipped the count. What is the "
                "tax node's input?",
                price_tax=price * tax)),
        ], what, ex)
        expect_close(out["total"], total, f"{what}['total']", exercise=ex)
    passed("apple_forward", "the apple node and the tax node, on the notes' numbers and others",
           len(cases))


SHOP_OUTPUTS = ["apples", "oranges", "subtotal", "total"]


def check_shop_forward(shop_forward, seed=0):
    """shop_forward(apple_price, apple_count, orange_price, orange_count, tax) ->
    {"apples", "oranges", "subtotal", "total"}: every node's output, for the notes' shop and
    random ones."""
    ex = "shop_forward"
    rng = rng_for(seed)
    cases = [notes_shop()] + [random_shop(rng) for _ in range(3)]
    for shop in cases:
        ap, ac, op, oc, tax = (shop[k] for k in SHOP_INPUTS)
        what = f"shop_forward({ap:g}, {ac:g}, {op:g}, {oc:g}, {tax:g})"
        out = expect_keys(call(what, shop_forward, ap, ac, op, oc, tax, exercise=ex),
                          SHOP_OUTPUTS, what, ex)
        apples, oranges = ap * ac, op * oc
        subtotal, total = apples + oranges, (apples + oranges) * tax
        expect_close(out["apples"], apples, f"{what}['apples']", exercise=ex)
        diagnose(out["oranges"], oranges, [
            (op * ac, "shop_forward.wrong_count",
             tr("'oranges' used the apple count ({ac:g}). Which two inputs feed the orange "
                "node?",
                ac=ac)),
        ], what, ex)
        expect_close(out["oranges"], oranges, f"{what}['oranges']", exercise=ex)
        diagnose(out["subtotal"], subtotal, [
            (apples * oranges, "shop_forward.branches_multiplied",
             "'subtotal' multiplies the two branches. What does the node that joins them do?"),
            (total, "shop_forward.subtotal_taxed",
             "'subtotal' already includes the tax. Which node comes first: the join or the tax?"),
        ], what, ex)
        expect_close(out["subtotal"], subtotal, f"{what}['subtotal']", exercise=ex)
        diagnose(out["total"], total, [
            (subtotal, "shop_forward.no_tax",
             tr("'total' equals 'subtotal' ({subtotal:g}): the tax node is missing.",
                subtotal=subtotal)),
            (apples * tax + oranges, "shop_forward.tax_on_one_fruit",
             "'total' taxes only the apples. Where does the tax node sit: on one branch, or "
             "after the join?"),
            (apples + oranges * tax, "shop_forward.tax_on_one_fruit",
             "'total' taxes only the oranges. Where does the tax node sit: on one branch, or "
             "after the join?"),
        ], what, ex)
        expect_close(out["total"], total, f"{what}['total']", exercise=ex)
    passed("shop_forward", "every node of the shop graph, on the notes' shop and others",
           len(cases))


def check_neuron_forward(neuron_forward, seed=0):
    """neuron_forward(x1, w1, x2, w2, b) -> {"x1w1", "x2w2", "weighted_sum", "a"}: the
    neuron's nodes one by one."""
    ex = "neuron_forward"
    rng = rng_for(seed)
    cases = [(1.0, 0.5, 2.0, -1.5, 0.25)] + [tuple(rng.uniform(-2, 2, 5)) for _ in range(3)]
    keys = ["x1w1", "x2w2", "weighted_sum", "a"]
    for x1, w1, x2, w2, b in cases:
        what = f"neuron_forward(x1={x1:.3g}, w1={w1:.3g}, x2={x2:.3g}, w2={w2:.3g}, b={b:.3g})"
        out = expect_keys(call(what, neuron_forward, x1, w1, x2, w2, b, exercise=ex), keys,
                          what, ex)
        for key, (xi, wi, other) in {"x1w1": (x1, w1, x2 * w1),
                                     "x2w2": (x2, w2, x1 * w2)}.items():
            diagnose(out[key], xi * wi, [
                (other, "neuron_forward.wrong_pair",
                 tr("'{key}' multiplied the wrong pair. Which input does each weight belong "
                    "to?",
                    key=key)),
            ], what, ex)
            expect_close(out[key], xi * wi, f"{what}[{key!r}]", exercise=ex)
        s = x1 * w1 + x2 * w2
        diagnose(out["weighted_sum"], s, [
            (s + b, "neuron_forward.bias_too_early",
             "'weighted_sum' already includes b. Which node adds the bias?"),
        ], what, ex)
        expect_close(out["weighted_sum"], s, f"{what}['weighted_sum']", exercise=ex)
        diagnose(out["a"], s + b, [
            (s, "neuron_forward.no_bias", "'a' equals 'weighted_sum': the bias node is missing."),
            (s * b, "neuron_forward.bias_multiplied",
             "'a' multiplies by b. What does the bias node do?"),
        ], what, ex)
        expect_close(out["a"], s + b, f"{what}['a']", exercise=ex)
    passed("neuron_forward", "the products, their sum and the bias", len(cases))
