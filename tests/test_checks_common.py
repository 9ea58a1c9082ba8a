"""The shared checks: messages that name shapes and values, and telling own code from bpkit's."""

import numpy as np
import pytest

import bpkit
from bpkit import checks


def test_expect_close_names_the_wrong_entry_and_both_values():
    expected = np.zeros((2, 3))
    actual = expected.copy()
    actual[1, 2] = 0.5
    with pytest.raises(AssertionError, match=r"dx is wrong at index \(1, 2\): got 0.5, expected 0"):
        checks.expect_close(actual, expected, "dx")


def test_expect_close_names_both_shapes_and_the_hint():
    with pytest.raises(
        AssertionError, match=r"db has shape \(4, 3\) but should have shape \(3,\)\. sum"
    ):
        checks.expect_close(np.ones((4, 3)), np.ones(3), "db", hint="sum over the batch axis")


def test_expect_close_says_when_nothing_was_returned():
    with pytest.raises(AssertionError, match="is None: did you forget a `return`"):
        checks.expect_close(None, np.ones(3), "out")


def test_expect_dtype_says_float32_was_lost():
    with pytest.raises(AssertionError, match="dtype float64 but the inputs were float32"):
        checks.expect_dtype(np.ones(3), np.float32, "out")


class OwnMul:
    def forward(self, x, y):
        self.x, self.y = x, y
        return np.multiply(x, y)


class SubclassedMul(bpkit.MulLayer):
    pass


class WrappedMul:
    def forward(self, x, y):
        return bpkit.MulLayer().forward(x, y)


ReexportedMul = bpkit.MulLayer


@pytest.mark.parametrize(
    ("candidate", "why"),
    [(ReexportedMul, "is bpkit's"), (SubclassedMul, "subclasses"), (WrappedMul, "calls bpkit")],
)
def test_expect_own_code_rejects_bpkits_reference_in_every_disguise(candidate, why):
    with pytest.raises(AssertionError, match=why):
        checks.expect_own_code(candidate, "MulLayer")


def test_expect_own_code_accepts_own_code_even_beside_a_global_named_like_an_attribute():
    # A notebook global called `x` holding a bpkit object must not be confused with `self.x`.
    namespace = {"np": np, "x": bpkit.MulLayer()}
    exec(
        "class Mine:\n"
        "    def forward(self, a, b):\n"
        "        self.x = a\n"
        "        return np.multiply(a, b)\n",
        namespace,
    )
    checks.expect_own_code(namespace["Mine"])
    checks.expect_own_code(OwnMul)
