"""The checks toolkit (bpkit/checks/_student.py): calling student code, the failure box, the
expectations, the ✓ line, and the mistake id that travels in nbgrader's evalue."""

import numpy as np
import pytest

import bpkit
from bpkit.checks import _student as toolkit
from bpkit.checks._student import (
    CheckFailure,
    call,
    expect_close,
    expect_count,
    expect_dtype,
    expect_gradients_match,
    expect_keys,
    expect_number,
    expect_numerical_gradients,
    expect_shape,
    expect_unchanged,
    expect_value,
    fail,
    parse_failure,
    passed,
)


def failure_of(function, *args, **kwargs):
    with pytest.raises(CheckFailure) as info:
        function(*args, **kwargs)
    return info.value


# ------------------------------------------------------------------ CheckFailure


def test_a_failure_is_an_assertion_error_whose_text_ends_with_its_id():
    error = failure_of(fail, "mul_layer.swapped_gradients", "dx and dy are swapped.", "mul_layer")
    assert isinstance(error, AssertionError)  # nbgrader and pytest see a failed assertion
    assert str(error) == "dx and dy are swapped. [mul_layer.swapped_gradients]"
    assert (error.mistake_id, error.message, error.exercise) == (
        "mul_layer.swapped_gradients", "dx and dy are swapped.", "mul_layer")


@pytest.mark.parametrize("bad", ["swapped", "Mul.swapped", "mul layer.x", "", None, "a..b"])
def test_a_malformed_mistake_id_is_refused_with_the_expected_form(bad):
    with pytest.raises(ValueError, match="topic.mistake"):
        CheckFailure(bad, "message")


def test_parse_failure_recovers_the_id_and_message_from_nbgraders_evalue():
    error = CheckFailure("affine.db_not_summed", "db has shape (5, 6) but b has (6,).")
    assert parse_failure("CheckFailure", str(error)) == (
        "affine.db_not_summed", "db has shape (5, 6) but b has (6,).")
    # Anything else keeps its text and has no id.
    assert parse_failure("NameError", "name 'x' is not defined") == (
        None, "name 'x' is not defined")
    assert parse_failure("AssertionError", "plain assert [not an id]") == (
        None, "plain assert [not an id]")
    assert parse_failure("KeyboardInterrupt", None) == (None, "")


def test_the_box_is_short_has_no_checker_code_and_ends_with_the_hint_call():
    long_message = "word " * 60 + "Which input does each gradient belong to?"
    lines = CheckFailure("mul_layer.swapped_gradients", long_message,
                         exercise="mul_layer")._render_traceback_()
    assert lines[0] == "✗ Check failed"
    assert lines[-1] == '  Ask for a hint: hint("mul_layer")'
    assert len(lines) <= 8
    assert all(len(line) <= 88 for line in lines)
    text = "\n".join(lines)
    assert "Which input does each gradient belong to?" in " ".join(text.split())
    assert "Traceback" not in text and "_student.py" not in text and "raise" not in text


def test_the_box_without_an_exercise_has_no_hint_line():
    lines = CheckFailure("common.wrong_values", "out is wrong.")._render_traceback_()
    assert not any("hint" in line for line in lines)


# ------------------------------------------------------------------ call: student code


class Blank:
    """What a generated lesson holds before the student writes anything."""

    def forward(self, x, y):
        raise NotImplementedError()

    def backward(self, dout):
        raise NotImplementedError()


def test_an_unwritten_exercise_gets_the_same_message_whatever_it_is():
    messages = []
    for what, function, args in (("MulLayer.forward", Blank().forward, (1, 2)),
                                 ("Relu.backward", Blank().backward, (3,)),
                                 ("softmax", lambda x: Blank().backward(x), (1,))):
        error = failure_of(call, what, function, *args, exercise="mul_layer")
        assert error.mistake_id == "common.not_written"
        assert error.exercise == "mul_layer"
        messages.append(error.message.replace(what, "<what>"))
    assert len(set(messages)) == 1
    assert "not written yet" in messages[0] and "YOUR CODE HERE" in messages[0]


def test_the_box_shows_the_students_own_line_when_their_code_raised():
    error = failure_of(call, "Blank.forward(1, 2)", Blank().forward, 1, 2, exercise="x_y")
    where, source = error.student_line
    assert where.startswith("test_checks_student.py, line ")
    assert source.strip() == "raise NotImplementedError()"
    box = "\n".join(error._render_traceback_())
    assert "Your code, test_checks_student.py, line" in box
    assert "      raise NotImplementedError()" in box


class ForgotSelf:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * y, dout * x  # noqa: F821 -- the mistake under test


class NeverStored:
    def forward(self, x, y):
        return x * y

    def backward(self, dout):
        return dout * y, dout * x  # noqa: F821 -- the mistake under test


@pytest.mark.parametrize("layer_class", [ForgotSelf, NeverStored])
def test_a_name_that_lives_on_self_is_explained_as_such(layer_class):
    layer = layer_class()
    layer.forward(2.0, 3.0)
    error = failure_of(call, "MulLayer.backward(dout=1)", layer.backward, 1.0)
    assert error.mistake_id == "common.name_on_self"
    assert "`y` is not defined inside backward" in error.message
    assert "self" in error.message
    assert error.student_line[1].strip().startswith("return dout * y, dout * x")


def test_an_undefined_name_that_is_not_on_self_is_a_typo_or_an_unrun_cell():
    def uses_np_alias(x):
        return npp.sum(x)  # noqa: F821 -- the mistake under test

    error = failure_of(call, "row_sums(x)", uses_np_alias, np.ones(3))
    assert error.mistake_id == "common.undefined_name"
    assert "npp" in error.message and "cell" in error.message


class Unstored:
    def __init__(self):
        self.x = None

    def forward(self, x):
        return 2 * x

    def backward(self, dout):
        return dout * self.x


class NoAttribute:
    def forward(self, x):
        return 2 * x

    def backward(self, dout):
        return dout * self.mask


@pytest.mark.parametrize("layer_class", [Unstored, NoAttribute])
def test_backward_reading_what_forward_did_not_store_is_named(layer_class):
    layer = layer_class()
    layer.forward(np.ones(3))
    error = failure_of(call, "Relu.backward(dout)", layer.backward, np.ones(3))
    assert error.mistake_id == "common.not_stored"
    assert "forward" in error.message and "self" in error.message


def test_overflow_becomes_a_named_failure_not_a_warning_on_stderr(capfd):
    def naive_softmax(x):
        e = np.exp(x)
        return e / e.sum()

    error = failure_of(call, "softmax(x)", naive_softmax, np.array([1000.0, 1.0]))
    assert error.mistake_id == "common.floating_point"
    assert "overflow" in error.message
    assert capfd.readouterr().err == ""


def test_other_errors_name_the_exception_and_ask_the_question_given():
    def matmul(x, w):
        return np.dot(x, w)

    error = failure_of(call, "Affine.forward(x)", matmul, np.ones((2, 3)), np.ones((2, 3)),
                       question="Which axis of x meets which axis of W?")
    assert error.mistake_id == "common.raised"
    assert error.message.startswith("Affine.forward(x) raised ValueError: shapes (2,3)")
    assert error.message.endswith("Which axis of x meets which axis of W?")
    # The student's line is theirs, not numpy's.
    assert error.student_line[1].strip() == "return np.dot(x, w)"


def test_recognise_lets_an_exercise_name_its_own_mistake():
    def recognise(error):
        if isinstance(error, ValueError) and "shapes" in str(error):
            return "affine.dx_not_transposed", "dx has the wrong shape."
        return None

    error = failure_of(call, "Affine.backward", np.dot, np.ones((2, 3)), np.ones((2, 3)),
                       recognise=recognise, exercise="affine")
    assert (error.mistake_id, error.exercise) == ("affine.dx_not_transposed", "affine")


def test_call_returns_the_result_passes_keywords_and_lets_a_check_failure_through():
    assert call("f", lambda x, scale=1: x * scale, 2, scale=3) == 6

    def inner_check():
        fail("mul_layer.swapped_gradients", "swapped")

    assert failure_of(call, "f", inner_check).mistake_id == "mul_layer.swapped_gradients"
    assert call("Cls()", bpkit.MulLayer).__class__ is bpkit.MulLayer


def test_a_students_own_assertion_is_reported_as_their_error():
    def asserting(x):
        assert x > 0, "x must be positive"

    error = failure_of(call, "f(-1)", asserting, -1)
    assert error.mistake_id == "common.raised"
    assert "AssertionError: x must be positive" in error.message


# ------------------------------------------------------------------ expectations


def test_returned_none_is_one_message_for_every_expectation():
    ids = {failure_of(expect_value, None, "f(x)").mistake_id,
           failure_of(expect_number, None, "loss(y, t)").mistake_id,
           failure_of(expect_count, None, 2, "backward").mistake_id,
           failure_of(expect_keys, None, ["a"], "graph").mistake_id,
           failure_of(expect_close, None, np.ones(2), "dx").mistake_id}
    assert ids == {"common.returned_none"}
    assert "forget a `return`" in failure_of(expect_value, None, "f(x)").message
    assert expect_value(0, "f") == 0


def test_expect_number_count_and_keys_name_what_came_back():
    error = failure_of(expect_number, np.ones(3), "loss", "The loss is one number.")
    assert error.mistake_id == "common.wrong_type"
    assert "an array of shape (3,)" in error.message
    assert expect_number(np.float32(2.0), "loss") == 2.0
    error = failure_of(expect_count, np.ones(3), 2, "MulLayer.backward")
    assert error.mistake_id == "common.wrong_count" and "2 values" in error.message
    assert expect_count([1, 2], 2, "b") == (1, 2)
    error = failure_of(expect_keys, {"a": 1}, ["a", "b"], "shop_graph")
    assert error.mistake_id == "common.wrong_keys" and "'b'" in error.message
    assert failure_of(expect_keys, [1], ["a"], "g").mistake_id == "common.wrong_type"


def test_expect_shape_dtype_and_close_carry_common_ids_and_the_numbers():
    error = failure_of(expect_shape, np.ones((4, 3)), (3,), "db", "Which axis is the batch?")
    assert error.mistake_id == "common.wrong_shape"
    assert "db has shape (4, 3) but should have shape (3,). Which axis" in error.message
    error = failure_of(expect_dtype, np.ones(3), np.float32, "out")
    assert error.mistake_id == "common.wrong_dtype"
    assert "dtype float64 but the inputs were float32" in error.message
    actual = np.zeros((2, 3))
    actual[1, 2] = 0.5
    error = failure_of(expect_close, actual, np.zeros((2, 3)), "dx", exercise="affine")
    assert error.mistake_id == "common.wrong_values" and error.exercise == "affine"
    assert "dx is wrong at index (1, 2): got 0.5, expected 0" in error.message
    error = failure_of(expect_close, np.array([np.nan, 1.0]), np.ones(2), "y")
    assert "index (0,): got nan" in error.message
    error = failure_of(expect_close, 3.0, 2.0, "x", mistake_id="relu.no_mask")
    assert error.mistake_id == "relu.no_mask"
    expect_close(np.ones(2) + 1e-9, np.ones(2), "close enough")


def test_expect_unchanged_names_the_argument_changed_in_place():
    dout = np.ones((2, 3))
    before = dout.copy()
    expect_unchanged(before, dout, "Relu.backward", "dout")
    dout *= 2
    error = failure_of(expect_unchanged, before, dout, "Relu.backward", "dout")
    assert error.mistake_id == "common.modified_input"
    assert "changed its argument dout in place (shape (2, 3))" in error.message


def test_gradient_comparison_passes_backprop_and_names_the_wrong_gradient():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    errors = expect_numerical_gradients(bpkit.MulLayer(), x, y, what="MulLayer.backward")
    assert set(errors) == {"x", "y"} and max(errors.values()) < 1e-8

    class Swapped(bpkit.MulLayer):
        def backward(self, dout):
            return dout * self.x, dout * self.y

    error = failure_of(expect_numerical_gradients, Swapped(), x, y, what="MulLayer.backward",
                       exercise="mul_layer")
    assert error.mistake_id == "common.gradient_mismatch"
    assert "MulLayer.backward disagrees with the numerical gradient" in error.message
    assert "x (error" in error.message and "y (error" in error.message
    # Parameters are compared too (Affine stores dW and db).
    affine = bpkit.Affine(rng.standard_normal((4, 2)), rng.standard_normal(2))
    assert set(expect_numerical_gradients(affine, x, what="Affine")) == {"x", "W", "b"}


def test_gradient_comparison_of_arrays_tolerates_round_off_on_tiny_entries():
    numeric = np.array([1.0, 1e-12])
    expect_gradients_match(np.array([1.0, 3e-12]), numeric, "grad")  # relative 200 % on 1e-12
    error = failure_of(expect_gradients_match, {"W": np.array([1.0, 0.5])}, {"W": numeric},
                       "TwoLayerNet.gradient")
    assert "W (error 5.0e-01, shape (2,))" in error.message
    error = failure_of(expect_gradients_match, {"W": np.ones(3)}, {"W": np.ones(2)}, "g")
    assert error.mistake_id == "common.wrong_shape"


def test_a_crash_inside_the_numerical_comparison_is_reported_through_call():
    error = failure_of(expect_numerical_gradients, ForgotSelf(), np.ones(2), np.ones(2),
                       what="MulLayer")
    assert error.mistake_id == "common.name_on_self"


# ------------------------------------------------------------------ success


def test_passed_prints_one_tick_line(capsys):
    passed("MulLayer.backward", "the inputs swap", 3)
    passed("rel_error", "one number", 1)
    assert capsys.readouterr().out == (
        "✓ MulLayer.backward: the inputs swap (3 checks)\n✓ rel_error: one number (1 check)\n")


def test_every_common_id_is_well_formed_and_described():
    for mistake_id, meaning in toolkit.COMMON_MISTAKES.items():
        assert mistake_id.startswith("common.") and meaning
        CheckFailure(mistake_id, "ok")


def test_each_lesson_module_imports_only_the_shared_toolkit_and_no_private_name():
    import ast
    from pathlib import Path

    shared = {"_student", "_layers", "_own_code", "_shop"}
    folder = Path(toolkit.__file__).parent
    for path in folder.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module in shared, f"{path.name} imports from .{node.module}"
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports private {private}"
