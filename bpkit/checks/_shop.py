"""The notes' shop (lessons 01-03): 2 apples at 100 and 3 oranges at 150 with a 10 % tax, and
random shops whose numbers are all different, so that swapped inputs or a missing node give
numbers that tell the mistake apart."""

import numpy as np

from ..data import delivery_shop_prices, shop_prices

# The shop graph's five inputs, in the order the notes list their gradients.
SHOP_INPUTS = ("apple_price", "apple_count", "orange_price", "orange_count", "tax")


def notes_shop():
    """The notes' numbers (``bpkit.data.shop_prices``) as floats: a new dict."""
    return {k: float(v) for k, v in shop_prices().items()}


def random_shop(rng):
    """A shop as the notes would write it: prices in tens, small counts, a tax in [1.05, 1.3),
    both prices different and both counts different."""
    prices = rng.choice(np.arange(20, 400, 10), size=2, replace=False)
    counts = rng.choice(np.arange(2, 12), size=2, replace=False)
    return {"apple_price": float(prices[0]), "apple_count": float(counts[0]),
            "orange_price": float(prices[1]), "orange_count": float(counts[1]),
            "tax": float(rng.uniform(1.05, 1.3))}


# Lesson 03's shop with a delivery fee per apple: the apple count feeds two nodes.
DELIVERY_INPUTS = SHOP_INPUTS + ("fee_per_apple",)


def notes_delivery_shop():
    """``bpkit.data.delivery_shop_prices`` as floats: a new dict."""
    return {k: float(v) for k, v in delivery_shop_prices().items()}


def random_delivery_shop(rng):
    """A random shop (``random_shop``) with a fee per apple in 5..45 that differs from both
    prices, so a gradient taken from the wrong node shows."""
    shop = random_shop(rng)
    fees = [f for f in range(5, 50, 5) if f not in (shop["apple_price"], shop["orange_price"])]
    shop["fee_per_apple"] = float(rng.choice(fees))
    return shop
