"""The notes' shop (lessons 01-03): 2 apples at 100 and 3 oranges at 150 with a 10 % tax, and
random shops whose numbers are all different, so that swapped inputs or a missing node give
numbers that tell the mistake apart."""

import numpy as np

from ..data import shop_prices

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
