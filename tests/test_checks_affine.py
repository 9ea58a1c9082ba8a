"""bpkit.checks for lesson 05: each recognised Affine mistake gets its own message."""

import re

import numpy as np
import pytest
from answer_leaks import no_message_gives
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks

pytestmark = pytest.mark.lesson05


class GoodAffine:
    """Written from the formulas, as a student would: flatten, product, reshape back."""

    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.original_x_shape)


ALL_CHECKS = [
    checks.check_affine_forward, checks.check_affine_backward_dx, checks.check_affine_backward_dW,
    checks.check_affine_backward_db, checks.check_affine_nd_input, checks.check_affine_numerically,
]


@pytest.mark.parametrize("check", ALL_CHECKS)
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_a_correct_affine_passes_every_check(check, seed):
    assert check(GoodAffine, seed=seed) is None


def test_forgotten_bias_is_named():
    class NoBias(GoodAffine):
        def forward(self, x):
            super().forward(x)
            return np.dot(self.x, self.W)

    with pytest.raises(AssertionError, match=r"x \. W alone.*affine\.forward_no_bias"):
        checks.check_affine_forward(NoBias)


def test_float32_output_promoted_to_float64_is_named():
    class Promotes(GoodAffine):
        def forward(self, x):
            return super().forward(x).astype(np.float64)

    with pytest.raises(AssertionError, match="dtype float64 but the inputs were float32"):
        checks.check_affine_forward(Promotes)


def test_db_not_summed_over_the_batch_is_named_with_shapes():
    class DbNotSummed(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.copy()
            return dx

    with pytest.raises(AssertionError, match=r"has shape \(\d, \d\) but b has shape "
                                             r"\(\d,\).*backward pass of a copy.*db_not_summed"):
        checks.check_affine_backward_db(DbNotSummed)


def test_db_summed_over_the_wrong_axis_is_named():
    class DbAxis1(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.sum(axis=1)
            return dx

    with pytest.raises(AssertionError, match=r"over the outputs \(axis 1\).*db_wrong_axis"):
        checks.check_affine_backward_db(DbAxis1)


def test_db_averaged_is_named():
    class DbMean(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.mean(axis=0)
            return dx

    with pytest.raises(AssertionError, match="MEAN of dout"):
        checks.check_affine_backward_db(DbMean)


def test_dw_as_dout_dot_x_is_named():
    class DwDoutX(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = np.dot(dout, self.x)
            return dx

    with pytest.raises(AssertionError, match=r"multiplies dout by x.*affine\.dw_product_order"):
        checks.check_affine_backward_dW(DwDoutX)


def test_dw_transposed_is_named():
    class DwTransposed(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = np.dot(dout.T, self.x)
            return dx

    with pytest.raises(AssertionError, match="transpose of W's shape"):
        checks.check_affine_backward_dW(DwTransposed)


def test_dw_divided_by_n_is_named():
    class DwMean(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = self.dW / dout.shape[0]
            return dx

    with pytest.raises(AssertionError, match="divided by the batch size"):
        checks.check_affine_backward_dW(DwMean)


def test_dx_without_transpose_is_named():
    class DxNoTranspose(GoodAffine):
        def backward(self, dout):
            super().backward(dout)
            return np.dot(dout, self.W).reshape(self.original_x_shape)

    with pytest.raises(AssertionError, match=r"dout by W as it is.*dx_not_transposed"):
        checks.check_affine_backward_dx(DxNoTranspose)


def test_dx_returned_with_parameter_gradients_is_named():
    class ReturnsTuple(GoodAffine):
        def backward(self, dout):
            return super().backward(dout), self.dW, self.db

    with pytest.raises(AssertionError, match="returned a tuple of 3"):
        checks.check_affine_backward_dx(ReturnsTuple)


def test_dout_modified_in_place_is_named():
    class WritesDout(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            dout *= 0
            return dx

    with pytest.raises(AssertionError, match="changed its argument dout in place"):
        checks.check_affine_backward_dx(WritesDout)


def test_dx_not_reshaped_back_is_named_with_both_shapes():
    class NoReshape(GoodAffine):
        def backward(self, dout):
            return super().backward(dout).reshape(self.x.shape)

    with pytest.raises(AssertionError, match=r"flattened shape \(\d, \d+\), not x's shape "
                                             r"\(\d, \d, \d, \d\).*affine\.dx_not_reshaped"):
        checks.check_affine_nd_input(NoReshape)


def test_no_flattening_of_nd_input_is_named():
    class NoFlatten(GoodAffine):
        def forward(self, x):
            self.original_x_shape = x.shape
            self.x = x
            return np.dot(x, self.W) + self.b

    with pytest.raises(AssertionError, match=r"W expects D = \d+ numbers per sample"):
        checks.check_affine_nd_input(NoFlatten)


def test_numerical_check_names_the_wrong_gradient():
    class DbDoubled(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = 2 * self.db
            return dx

    with pytest.raises(AssertionError, match=r"numerical gradient.* for b \(error"):
        checks.check_affine_numerically(DbDoubled)


def test_checks_reject_bpkits_own_affine():
    import bpkit

    with pytest.raises(AssertionError, match="must be your own code"):
        checks.expect_own_code(bpkit.Affine)


def test_an_unwritten_exercise_says_so():
    class Blank(GoodAffine):
        def forward(self, x):
            raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"still runs `raise NotImplementedError.*not_written"):
        checks.check_affine_forward(Blank)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_correct_affine_passes_on_any_seed(seed):
    # Hidden tests draw fresh seeds: a correct answer must never fail by bad luck.
    for check in ALL_CHECKS:
        check(GoodAffine, seed=seed)


# The broadcast nodes: Repeat (a vector copied to n rows) and Sum (rows added up).

class GoodRepeat:
    def __init__(self, n):
        self.n = n

    def forward(self, x):
        return np.tile(x, (self.n, 1))

    def backward(self, dout):
        return dout.sum(axis=0)


class GoodSum:
    def forward(self, x):
        self.rows = x.shape[0]
        return x.sum(axis=0)

    def backward(self, dout):
        return np.repeat(dout[np.newaxis], self.rows, axis=0)


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_correct_broadcast_nodes_pass_every_check(seed):
    checks.check_repeat_node(GoodRepeat, seed=seed)
    checks.check_sum_node(GoodSum, seed=seed)
    checks.check_repeat_numerically(GoodRepeat, seed=seed)
    checks.check_sum_numerically(GoodSum, seed=seed)


def repeat_with(backward):
    return type("Repeat", (GoodRepeat,), {"backward": lambda self, dout: backward(dout)})


def sum_with(backward):
    def method(self, dout):
        return backward(dout, self.rows)
    return type("Sum", (GoodSum,), {"backward": method})


REPEAT_MISTAKES = [
    (lambda d: d.copy(), "repeat_node.not_summed", r"but x has shape \(\d,\): x was copied to "
     r"each of the \d rows — what does the backward pass of a copy do\?"),
    (lambda d: d.sum(), "repeat_node.summed_all", "a single number"),
    (lambda d: d.sum(axis=1), "repeat_node.wrong_axis", "one number per ROW"),
    (lambda d: d.mean(axis=0), "repeat_node.mean", "times too small"),
    (lambda d: d[0].copy(), "repeat_node.first_row_only", "first copy alone"),
]
SUM_MISTAKES = [
    (lambda d, n: d.copy(), "sum_node.not_repeated", "needs its own gradient"),
    (lambda d, n: np.tile(d, (n, 1)) / n, "sum_node.divided_by_rows", "times too small"),
]


def reference_expressions():
    from test_no_answer_printed import answer_expressions

    return answer_expressions("05_affine_layer")


@pytest.mark.parametrize("backward, mistake, pattern", REPEAT_MISTAKES,
                         ids=[m[1] for m in REPEAT_MISTAKES])
def test_repeat_mistakes_are_named_without_the_answer(backward, mistake, pattern):
    with pytest.raises(AssertionError) as error:
        checks.check_repeat_node(repeat_with(backward))
    assert f"[{mistake}]" in str(error.value)
    assert re.search(pattern, str(error.value))
    assert_no_answer_in(str(error.value))


@pytest.mark.parametrize("backward, mistake, pattern", SUM_MISTAKES,
                         ids=[m[1] for m in SUM_MISTAKES])
def test_sum_mistakes_are_named_without_the_answer(backward, mistake, pattern):
    with pytest.raises(AssertionError) as error:
        checks.check_sum_node(sum_with(backward))
    assert f"[{mistake}]" in str(error.value)
    assert re.search(pattern, str(error.value))
    assert_no_answer_in(str(error.value))


def test_a_wrong_broadcast_node_fails_the_numerical_check():
    with pytest.raises(AssertionError, match="common.gradient_mismatch"):
        checks.check_repeat_numerically(repeat_with(lambda d: d.mean(axis=0)))


def test_the_affine_db_message_counts_the_rows():
    class DbNotSummed(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.copy()
            return dx

    with pytest.raises(AssertionError) as error:
        checks.check_affine_backward_db(DbNotSummed)
    rows = re.search(r"has shape \((\d), \d\)", str(error.value)).group(1)
    assert f"b was added to each of the {rows} rows — what does the backward pass of a copy do?" \
        in str(error.value)


def assert_no_answer_in(message):
    squeezed = re.sub(r"\s+", "", message)
    printed = [e for e in reference_expressions() if e in squeezed]
    assert not printed, f"the message gives the answer {printed}: {message}"


def test_every_affine_mistake_message_keeps_the_answer_to_itself():
    """All recognised Affine mistakes of this file, their messages against the answers."""
    class DbAxis1(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.sum(axis=1)
            return dx

    class DwTransposed(GoodAffine):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = np.dot(dout.T, self.x)
            return dx

    class NotReshaped(GoodAffine):
        def backward(self, dout):
            super().backward(dout)
            return np.dot(dout, self.W.T)

    for wrong, check in ((DbAxis1, checks.check_affine_backward_db),
                         (DwTransposed, checks.check_affine_backward_dW),
                         (NotReshaped, checks.check_affine_nd_input)):
        with pytest.raises(AssertionError) as error:
            check(wrong)
        assert_no_answer_in(str(error.value))


def test_bpkits_reference_nodes_pass_the_checks_they_are_compared_with():
    from bpkit import layers

    for seed in (0, 5):
        checks.check_repeat_node(layers.Repeat, seed=seed)
        checks.check_sum_node(layers.Sum, seed=seed)
        checks.check_repeat_numerically(layers.Repeat, seed=seed)
        checks.check_sum_numerically(layers.Sum, seed=seed)


def test_re_exported_and_subclassed_broadcast_nodes_score_nothing():
    from bpkit import layers

    class Subclassed(layers.Sum):
        pass

    for answer in (layers.Repeat, layers.Sum, Subclassed):
        with pytest.raises(AssertionError, match="common.not_own_code"):
            checks.expect_own_code(answer)


# Every message any check of this file builds, right or wrong answer, is checked against the
# answers: the reference's expressions, and the usual ways of writing them.
ANSWER_SPELLINGS = [
    "np.dot(self.x.T,dout)", "np.dot(x.T,dout)", "x.T@dout", "self.x.T@dout",
    "np.dot(dout,self.W.T)", "np.dot(dout,W.T)", "dout@W.T", "dout@self.W.T",
    "np.sum(dout,axis=0)", "dout.sum(axis=0)", "reshape(self.original_x_shape)",
    "np.tile(dout", "np.tile(x", "x.reshape(x.shape[0],-1)",
]


@pytest.fixture(autouse=True)
def _no_message_gives_the_answer(monkeypatch):
    with no_message_gives(reference_expressions() + ANSWER_SPELLINGS, monkeypatch):
        yield
