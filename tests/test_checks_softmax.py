"""bpkit.checks for lesson 06: each recognised softmax / cross-entropy mistake is named."""

import re

import numpy as np
import pytest
from answer_leaks import no_message_gives
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import checks

pytestmark = pytest.mark.lesson06


def good_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def good_cross_entropy_error(y, t):
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    if t.size == y.size:
        t = t.argmax(axis=1)
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n


class GoodSoftmaxWithLoss:
    def forward(self, x, t):
        self.y = good_softmax(x)
        self.t = t if t.size == self.y.size else np.eye(self.y.shape[-1])[t]
        return good_cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        return dout * (self.y - self.t) / self.y.shape[0]


@pytest.mark.parametrize("seed", [0, 3, 99])
def test_correct_answers_pass_every_check(seed):
    checks.check_softmax(good_softmax, seed=seed)
    checks.check_softmax_stable(good_softmax, seed=seed)
    checks.check_cross_entropy_error(good_cross_entropy_error, seed=seed)
    checks.check_softmax_with_loss_forward(GoodSoftmaxWithLoss, seed=seed)
    checks.check_softmax_with_loss_backward(GoodSoftmaxWithLoss, seed=seed)
    checks.check_softmax_with_loss_numerically(GoodSoftmaxWithLoss, seed=seed)


def test_softmax_without_max_shift_is_named_as_overflow():
    def unshifted(x):
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)

    checks.check_softmax(unshifted)  # fine on small scores
    with pytest.raises(AssertionError, match=r"overflowed.*softmax\.overflow"):
        checks.check_softmax_stable(unshifted)


def test_softmax_over_the_batch_axis_is_named():
    def axis0(x):
        e = np.exp(x - x.max())
        return e / np.sum(e, axis=0, keepdims=True)

    with pytest.raises(AssertionError, match="normalised over axis 0"):
        checks.check_softmax(axis0)


def test_softmax_over_the_whole_batch_is_named():
    def whole(x):
        e = np.exp(x - x.max())
        return e / np.sum(e)

    with pytest.raises(AssertionError, match="WHOLE batch"):
        checks.check_softmax(whole)


def test_softmax_that_only_handles_batches_is_named():
    def axis1(x):
        e = np.exp(x - np.max(x, axis=1, keepdims=True))
        return e / np.sum(e, axis=1, keepdims=True)

    with pytest.raises(AssertionError, match=r"one sample x of shape \(\d,\).*classes' axis"):
        checks.check_softmax(axis1)


def test_softmax_writing_into_its_input_is_named():
    def in_place(x):
        x -= np.max(x, axis=-1, keepdims=True)
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)

    with pytest.raises(AssertionError, match="changed its argument x in place"):
        checks.check_softmax(in_place)


def test_softmax_losing_float32_is_named():
    with pytest.raises(AssertionError, match="dtype float64 but the inputs were float32"):
        checks.check_softmax(lambda x: good_softmax(np.asarray(x, dtype=np.float64)))


def test_cross_entropy_without_batch_mean_is_named():
    def summed(y, t):
        return good_cross_entropy_error(y, t) * np.atleast_2d(y).shape[0]

    with pytest.raises(AssertionError, match=r"SUM over the batch.*summed_over_batch"):
        checks.check_cross_entropy_error(summed)


def test_cross_entropy_mean_over_every_entry_is_named():
    def mean_all(y, t):
        return -np.mean(t * np.log(y + 1e-7))

    with pytest.raises(AssertionError, match=r"averaged over all N \* C"):
        checks.check_cross_entropy_error(mean_all)


def test_cross_entropy_without_labels_support_is_named():
    def one_hot_only(y, t):
        y, t = np.atleast_2d(y), np.atleast_2d(t)
        return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]

    with pytest.raises(AssertionError, match=r"labels t \(\d,\).*right class's probability"):
        checks.check_cross_entropy_error(one_hot_only)


def test_cross_entropy_log_of_zero_is_named():
    def no_delta(y, t):
        y, t = np.atleast_2d(y), np.atleast_2d(t)
        if t.size != y.size:
            t = np.eye(y.shape[1])[t.ravel()]
        return -np.sum(t * np.log(y)) / y.shape[0]

    with pytest.raises(AssertionError, match=r"probability exactly 0.*log_zero"):
        checks.check_cross_entropy_error(no_delta)


def test_backward_without_division_by_n_is_named():
    class NoN(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return dout * (self.y - self.t)

    with pytest.raises(AssertionError, match=r"N = \d+ times too large.*not_divided_by_batch"):
        checks.check_softmax_with_loss_backward(NoN)


def test_backward_ignoring_dout_is_named():
    class IgnoresDout(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return (self.y - self.t) / self.y.shape[0]

    with pytest.raises(AssertionError, match="ignores dout"):
        checks.check_softmax_with_loss_backward(IgnoresDout)


def test_backward_with_flipped_sign_is_named():
    class Flipped(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return dout * (self.t - self.y) / self.y.shape[0]

    with pytest.raises(AssertionError, match="wrong sign"):
        checks.check_softmax_with_loss_backward(Flipped)


def test_backward_with_raw_labels_is_named():
    class KeepsLabels(GoodSoftmaxWithLoss):
        def forward(self, x, t):
            loss = super().forward(x, t)
            self.t = t
            return loss

    with pytest.raises(AssertionError, match="broadcasts wrongly"):
        checks.check_softmax_with_loss_backward(KeepsLabels)


def test_forward_returning_the_batch_sum_is_named():
    class Summed(GoodSoftmaxWithLoss):
        def forward(self, x, t):
            return super().forward(x, t) * x.shape[0]

    with pytest.raises(AssertionError, match="SUM of the losses"):
        checks.check_softmax_with_loss_forward(Summed)


def test_numerical_check_catches_a_wrong_backward():
    class Half(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return super().backward(dout) / 2

    with pytest.raises(AssertionError, match="disagrees with the numerical gradient"):
        checks.check_softmax_with_loss_numerically(Half)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_correct_answers_pass_on_any_seed(seed):
    # Hidden tests draw fresh seeds: a correct answer must never fail by bad luck.
    test_correct_answers_pass_every_check(seed)


# --------------------------------------------------------------------------------------------
# The backward passes the student derives: softmax alone (any dout), cross-entropy alone,
# squared error.

class GoodSoftmax:
    def forward(self, x):
        self.out = good_softmax(x)
        return self.out

    def backward(self, dout):
        y = self.out
        return y * dout - y * np.sum(y * dout, axis=-1, keepdims=True)


class GoodCrossEntropy:
    def forward(self, y, t):
        self.y, self.t = y, t
        return good_cross_entropy_error(y, t)

    def backward(self, dout=1):
        return -dout * self.t / (self.y + 1e-7) / len(self.y)


class GoodSquaredError:
    def forward(self, y, t):
        self.y, self.t = y, t
        return 0.5 * np.sum((y - t) ** 2) / len(y)

    def backward(self, dout=1):
        return dout * (self.y - self.t) / len(self.y)


@pytest.mark.parametrize("seed", [0, 3, 99, 2024])
def test_correct_derived_backward_passes_pass_every_check(seed):
    checks.check_softmax_layer_backward(GoodSoftmax, seed=seed)
    checks.check_softmax_layer_numerically(GoodSoftmax, seed=seed)
    checks.check_cross_entropy_layer_backward(GoodCrossEntropy, seed=seed)
    checks.check_cross_entropy_layer_numerically(GoodCrossEntropy, seed=seed)
    checks.check_squared_error_backward(GoodSquaredError, seed=seed)
    checks.check_squared_error_numerically(GoodSquaredError, seed=seed)


def with_backward(base, backward):
    return type(base.__name__.replace("Good", ""), (base,), {"backward": backward})


def _softmax_whole_batch(self, dout):
    return self.out * (dout - np.sum(dout * self.out))


def _softmax_axis0(self, dout):
    return self.out * (dout - np.sum(dout * self.out, axis=0))


DERIVED_MISTAKES = [
    (GoodSoftmax, lambda self, d: d * self.out * (1 - self.out),
     checks.check_softmax_layer_backward, "softmax_layer.diagonal_only"),
    (GoodSoftmax, lambda self, d: self.out - d, checks.check_softmax_layer_backward,
     "softmax_layer.assumed_cross_entropy"),
    (GoodSoftmax, lambda self, d: -GoodSoftmax.backward(self, d),
     checks.check_softmax_layer_backward, "softmax_layer.wrong_sign"),
    (GoodSoftmax, _softmax_whole_batch, checks.check_softmax_layer_backward,
     "softmax_layer.whole_batch"),
    (GoodSoftmax, _softmax_axis0, checks.check_softmax_layer_backward, "softmax_layer.wrong_axis"),
    (GoodSoftmax, lambda self, d: d * self.out * (1 - self.out),
     checks.check_softmax_layer_numerically, "common.gradient_mismatch"),
    (GoodCrossEntropy, lambda self, dout=1: -dout * self.t / self.y,
     checks.check_cross_entropy_layer_backward, "cross_entropy_layer.not_divided_by_batch"),
    (GoodCrossEntropy, lambda self, dout=1: dout * self.t / self.y / len(self.y),
     checks.check_cross_entropy_layer_backward, "cross_entropy_layer.wrong_sign"),
    (GoodCrossEntropy, lambda self, dout=1: -dout / self.y / len(self.y),
     checks.check_cross_entropy_layer_backward, "cross_entropy_layer.wrong_classes_nonzero"),
    (GoodCrossEntropy, lambda self, dout=1: -dout * self.t * np.log(self.y) / len(self.y),
     checks.check_cross_entropy_layer_backward, "cross_entropy_layer.log_derivative"),
    (GoodCrossEntropy, lambda self, dout=1: -self.t / self.y / len(self.y),
     checks.check_cross_entropy_layer_backward, "cross_entropy_layer.ignores_dout"),
    (GoodCrossEntropy, lambda self, dout=1: -dout * self.t / self.y,
     checks.check_cross_entropy_layer_numerically, "common.gradient_mismatch"),
    (GoodSquaredError, lambda self, dout=1: dout * (self.y - self.t),
     checks.check_squared_error_backward, "squared_error_loss.not_divided_by_batch"),
    (GoodSquaredError, lambda self, dout=1: 2 * dout * (self.y - self.t) / len(self.y),
     checks.check_squared_error_backward, "squared_error_loss.factor_two"),
    (GoodSquaredError, lambda self, dout=1: dout * (self.t - self.y) / len(self.y),
     checks.check_squared_error_backward, "squared_error_loss.wrong_sign"),
    (GoodSquaredError, lambda self, dout=1: (self.y - self.t) / len(self.y),
     checks.check_squared_error_backward, "squared_error_loss.ignores_dout"),
    (GoodSquaredError, lambda self, dout=1: dout * (self.y - self.t),
     checks.check_squared_error_numerically, "common.gradient_mismatch"),
]


def answers_of_lesson_06():
    from test_no_answer_printed import answer_expressions

    return answer_expressions("06_softmax_with_loss")


@pytest.mark.parametrize("base, backward, check, mistake", DERIVED_MISTAKES,
                         ids=[f"{m[2].__name__}-{m[3]}" for m in DERIVED_MISTAKES])
def test_derived_backward_mistakes_are_named_without_the_answer(base, backward, check, mistake):
    with pytest.raises(AssertionError) as error:
        check(with_backward(base, backward))
    message = str(error.value)
    assert message.endswith(f"[{mistake}]"), message
    squeezed = re.sub(r"\s+", "", message)
    assert not [e for e in answers_of_lesson_06() if e in squeezed], message


def test_every_lesson_06_mistake_message_keeps_the_answer_to_itself():
    class NoN(GoodSoftmaxWithLoss):
        def backward(self, dout=1):
            return dout * (self.y - self.t)

    def summed(y, t):
        return good_cross_entropy_error(y, t) * len(y)

    for check, wrong in ((checks.check_softmax_with_loss_backward, NoN),
                         (checks.check_cross_entropy_error, summed)):
        with pytest.raises(AssertionError) as error:
            check(wrong)
        squeezed = re.sub(r"\s+", "", str(error.value))
        assert not [e for e in answers_of_lesson_06() if e in squeezed], str(error.value)


# --------------------------------------------------------------------------------------------
# One mistake, one penalty: SoftmaxWithLoss (and the two nodes) are tested with bpkit's softmax
# and cross_entropy_error in place of the student's, which have their own tests.

def notebook_namespace(softmax, cross_entropy_error):
    """A namespace like the notebook's: the layers look their parts up by these names."""
    space = {"__name__": "__main__", "np": np, "softmax": softmax,
             "cross_entropy_error": cross_entropy_error}
    exec(  # noqa: S102 - the student's layer, defined in a notebook-like namespace
        "class SoftmaxWithLoss:\n"
        "    def forward(self, x, t):\n"
        "        self.y = softmax(x)\n"
        "        self.t = t if t.size == self.y.size else np.eye(self.y.shape[-1])[t]\n"
        "        return cross_entropy_error(self.y, self.t)\n"
        "    def backward(self, dout=1):\n"
        "        return dout * (self.y - self.t) / self.y.shape[0]\n", space)
    return space


def summed_cross_entropy(y, t):
    return good_cross_entropy_error(y, t) * len(np.atleast_2d(y))


def test_a_wrong_cross_entropy_does_not_fail_the_softmax_with_loss_tests():
    space = notebook_namespace(good_softmax, summed_cross_entropy)
    layer = space["SoftmaxWithLoss"]
    for seed in (0, 7):
        checks.check_softmax_with_loss_forward(layer, seed=seed)
        checks.check_softmax_with_loss_backward(layer, seed=seed)
        checks.check_softmax_with_loss_numerically(layer, seed=seed)
    assert space["cross_entropy_error"] is summed_cross_entropy, "the student's part restored"
    assert space["softmax"] is good_softmax


def test_a_wrong_layer_is_still_caught_and_the_message_says_the_reference_parts_ran():
    space = notebook_namespace(good_softmax, summed_cross_entropy)
    exec("class Wrong(SoftmaxWithLoss):\n"  # noqa: S102
         "    def backward(self, dout=1):\n"
         "        return dout * (self.y - self.t)\n", space)
    with pytest.raises(AssertionError) as error:
        checks.check_softmax_with_loss_backward(space["Wrong"])
    message = str(error.value)
    assert "[softmax_with_loss.not_divided_by_batch]" in message
    assert "This test ran bpkit's cross_entropy_error and bpkit's softmax in place of yours" \
        in message
    assert space["cross_entropy_error"] is summed_cross_entropy


def grade_in_process(lesson, replace):
    """Run a solution notebook's code cells in order, as a kernel would (hidden tests included),
    with some answer cells replaced; return ({grade_id: points lost}, total points)."""
    import json
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(__file__).resolve().parent.parent / "solutions" / lesson / f"{lesson}.ipynb"
    cells = json.loads(path.read_text())["cells"]
    space, lost, total = {"__name__": "__main__"}, {}, 0
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        meta = cell["metadata"].get("nbgrader", {})
        grade_id = meta.get("grade_id")
        source = replace.get(grade_id, "".join(cell["source"]))
        if meta.get("grade"):
            total += meta["points"]
            try:
                exec(compile(source, grade_id, "exec"), space)  # noqa: S102
            except Exception:  # noqa: BLE001 - nbgrader scores any error 0
                lost[grade_id] = meta["points"]
        else:
            exec(compile(source, grade_id or "cell", "exec"), space)  # noqa: S102
    plt.close("all")
    return lost, total


def cross_entropy_cell(last_line):
    return ("def cross_entropy_error(y, t):\n"
            "    t = np.asarray(t)\n"
            "    if y.ndim == 1:\n"
            "        y = y.reshape(1, y.size)\n"
            "        t = t.reshape(1, t.size)\n"
            "    if t.size == y.size:\n"
            "        t = t.argmax(axis=1)\n"
            "    n = y.shape[0]\n"
            f"    {last_line}\n")


@pytest.mark.parametrize("mistake, last_line", [
    ("summed", "return -np.sum(np.log(y[np.arange(n), t.ravel()] + 1e-7))"),
    ("sign flipped", "return np.sum(np.log(y[np.arange(n), t.ravel()] + 1e-7)) / n"),
])
def test_one_cross_entropy_mistake_costs_only_the_cross_entropy_test(mistake, last_line, capsys):
    """Issue 15: a cross-entropy that sums instead of averaging, or has its sign flipped, cost
    8 of lesson 06's 12 points, because the SoftmaxWithLoss tests ran it too. Graded like a
    kernel would grade it, it now costs the 3 points of its own test and nothing else."""
    lost, total = grade_in_process("06_softmax_with_loss",
                                   {"cross_entropy_error_code": cross_entropy_cell(last_line)})
    print(f"{mistake}: lost {sum(lost.values())} of {total} points: {lost}")
    assert lost == {"cross_entropy_error": 3}, lost


def test_the_correct_solution_loses_nothing_in_process():
    lost, total = grade_in_process("06_softmax_with_loss", {})
    assert lost == {} and total == 19  # autograded; the written derivation (2) is manual


def test_bpkits_reference_layers_pass_the_checks_they_are_compared_with():
    from bpkit import layers

    for seed in (0, 5):
        checks.check_softmax_layer_backward(layers.Softmax, seed=seed)
        checks.check_softmax_layer_numerically(layers.Softmax, seed=seed)
        checks.check_cross_entropy_layer_backward(layers.CrossEntropy, seed=seed)
        checks.check_cross_entropy_layer_numerically(layers.CrossEntropy, seed=seed)
        checks.check_squared_error_backward(layers.SquaredErrorLoss, seed=seed)
        checks.check_squared_error_numerically(layers.SquaredErrorLoss, seed=seed)


def test_re_exported_and_subclassed_derived_layers_score_nothing():
    from bpkit import layers

    class Subclassed(layers.CrossEntropy):
        pass

    for answer in (layers.Softmax, layers.CrossEntropy, layers.SquaredErrorLoss, Subclassed):
        with pytest.raises(AssertionError, match="common.not_own_code"):
            checks.expect_own_code(answer)


# Every message any check of this file builds is checked against the answers: the reference's
# expressions, and the usual ways of writing them.
ANSWER_SPELLINGS = [
    "x-np.max(x,axis=-1,keepdims=True)", "np.sum(dout*self.out", "np.sum(dout*y",
    "dout-np.sum(", "-t/y", "-self.t/self.y", "-dout*self.t", "(self.y-self.t)/",
    "(y-t)/N", "(y-t)/n", "dout*(y-t)", "np.eye(self.y.shape[-1])[t]",
]


@pytest.fixture(autouse=True)
def _no_message_gives_the_answer(monkeypatch):
    with no_message_gives(answers_of_lesson_06() + ANSWER_SPELLINGS, monkeypatch):
        yield
