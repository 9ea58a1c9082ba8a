"""The checks toolkit: how every lesson's checks call a student's code and report a mistake.

Every check in ``bpkit/checks/<topic>.py`` is built from these pieces, so the same mistake gets
the same message, the same id and the same short box in every lesson.

    CheckFailure(mistake_id, message, exercise=None)
        An ``AssertionError`` (nbgrader scores the cell 0). ``.mistake_id`` is a stable id
        (``mul_layer.swapped_gradients``, ``common.not_written``); ``.message`` is the text in
        the course's voice (the symptom with its shapes and numbers, the concept it breaks, a
        question; never the answer); ``.exercise`` names the hint ladder (``mul_layer``).
        ``str(failure)`` -- nbgrader's ``evalue`` -- is ``"<message> [<mistake_id>]"``.
        IPython shows it as a short box (``_render_traceback_``): the message, the student's
        own line when the error came from inside their code, and how to ask for a hint.
    fail(mistake_id, message, exercise=None)
        Raise a CheckFailure.
    call(what, function, *args, exercise=None, question="", recognise=None, **kwargs)
        The one way to call student code (a function, a method or a class). Returns what it
        returns; an exception becomes a CheckFailure with the same message in every lesson.
    probe(function, *args, **kwargs)
        The result, or None if the code raises: for trying which wrong version a student wrote.
    diagnose(actual, expected, [(wrong value, mistake_id, message), ...], what, exercise)
        Fail with the message of the first usual wrong version the answer equals.
    expect_value / expect_number / expect_count / expect_keys / expect_shape / expect_dtype /
    expect_close / expect_unchanged / expect_gradients_match / expect_numerical_gradients
        The comparisons (``returned None`` and the numerical-gradient comparison live here once).
    passed(what, detail, n_checks)
        Print the one-line success message, ``✓ MulLayer.backward: the inputs swap (4 checks)``.
    parse_failure(ename, evalue) -> (mistake_id or None, message)
        Recover the id and the message from an nbgrader error output (for the class report).

The ids shared by all lessons are the ``COMMON_MISTAKES`` keys below; a lesson's own ids start
with its exercise (``affine.db_not_summed``).
"""

import linecache
import os
import re
import sys
import sysconfig

import numpy as np

from ..i18n import text, tr, wrap

__all__ = [
    "COMMON_MISTAKES",
    "CheckFailure",
    "call",
    "describe",
    "diagnose",
    "expect_close",
    "expect_count",
    "expect_dtype",
    "expect_gradients_match",
    "expect_keys",
    "expect_number",
    "expect_numerical_gradients",
    "expect_shape",
    "expect_unchanged",
    "expect_value",
    "fail",
    "gradient_error",
    "is_close",
    "kind_of",
    "parse_failure",
    "passed",
    "probe",
    "rng_for",
    "shapes",
]

# The mistakes any exercise can make, with what each id means (docs/authoring.md lists them).
COMMON_MISTAKES = {
    "common.not_written": "the exercise still raises NotImplementedError",
    "common.returned_none": "a function or method returned None (no `return`)",
    "common.name_on_self": "a method used a name that only exists on self (or in forward)",
    "common.not_stored": "backward read a value forward did not store on self",
    "common.forward_not_stored": "forward keeps nothing on self that depends on its inputs",
    "common.backward_ignores_forward": "backward gives the same answer whatever forward saw",
    "common.stale_forward": "backward used the inputs of an earlier forward call",
    "common.undefined_name": "the code used a name that is not defined",
    "common.floating_point": "an overflow, 0 / 0 or log(0) inside the student's code",
    "common.raised": "the student's code raised an exception not recognised otherwise",
    "common.wrong_type": "the value is not the kind of thing asked for (dict, pair, number)",
    "common.wrong_count": "a different number of values than asked for",
    "common.wrong_keys": "a dict without the keys asked for",
    "common.wrong_shape": "an array of the wrong shape",
    "common.wrong_dtype": "float32 inputs gave float64 output (or the reverse)",
    "common.wrong_values": "the right shape but other values, no known mistake matched",
    "common.modified_input": "an argument was changed in place",
    "common.gradient_mismatch": "backprop disagrees with the numerical gradient",
    "common.not_own_code": "the answer is bpkit's reference, re-exported or wrapped",
    "common.timeout": "the cell ran out of time (set by the autograder)",
}

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_EVALUE_ID = re.compile(r"\s\[([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)\]$", re.DOTALL)
_BOX_WIDTH = 88


class CheckFailure(AssertionError):
    """A check found a mistake: the student sees ``message`` in a short box, not a traceback.

    mistake_id: stable ``topic.mistake`` id (lower case, dotted); message: the course's text;
    exercise: the hint ladder to point to (``hint("<exercise>")``), or None.
    """

    def __init__(self, mistake_id, message, exercise=None):
        if not isinstance(mistake_id, str) or not _ID.match(mistake_id):
            raise ValueError(
                tr("mistake id {mistake_id!r} is not of the form 'topic.mistake' (lower "
                   "case letters, digits and _, parts joined by dots), e.g. "
                   "'mul_layer.swapped_gradients'",
                   mistake_id=mistake_id)
            )
        # Fixed sentences joined into the message reach the Korean edition in Korean too.
        message = text(str(message))
        super().__init__(f"{message} [{mistake_id}]")
        self.mistake_id = mistake_id
        self.message = message
        self.exercise = exercise
        # (where, source line) of the student's code that raised, when there is one.
        self.student_line = None

    def _render_traceback_(self):
        """The lines IPython shows instead of a traceback (and nbgrader stores as it)."""
        lines = [text("✗ Check failed")]
        for paragraph in self.message.split("\n"):
            lines += wrap(paragraph, _BOX_WIDTH - 2, indent="  ") or [""]
        if self.student_line is not None:
            where, source = self.student_line
            lines.append(tr("  Your code, {where}:",
                            where=where))
            lines.append(f"      {source.strip()}")
        if self.exercise:
            lines.append(tr('  Ask for a hint: hint("{self_exercise}")',
                            self_exercise=self.exercise))
        return lines


def fail(mistake_id, message, exercise=None):
    """Raise ``CheckFailure(mistake_id, message, exercise)``."""
    raise CheckFailure(mistake_id, message, exercise)


def parse_failure(ename, evalue):
    """``(mistake_id, message)`` from an error output's ename and evalue.

    A CheckFailure's evalue ends with `` [<id>]``; anything else gives ``(None, evalue)``.
    """
    evalue = "" if evalue is None else str(evalue)
    if ename in ("CheckFailure", "AssertionError"):
        match = _EVALUE_ID.search(evalue)
        if match:
            return match.group(1), evalue[: match.start()]
    return None, evalue


# --------------------------------------------------------------------------------------------
# Calling student code


def call(what, function, *args, exercise=None, question="", recognise=None, **kwargs):
    """Return ``function(*args, **kwargs)``; turn any exception into a CheckFailure.

    what: how the message names the call, e.g. ``"MulLayer.backward(dout) with dout (2, 3)"``.
    question: one sentence added to the generic "raised" message (what to look at).
    recognise: ``recognise(error) -> (mistake_id, message) | None``, for errors that mean a
    mistake this exercise knows (a shape error that is a missing transpose, ...).

    Overflow, 0 / 0 and log(0) raise FloatingPointError here instead of printing a warning (a
    check never writes to stderr, where nbgrader would count it as a failure).
    """
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return function(*args, **kwargs)
    except CheckFailure:
        raise
    except Exception as error:  # noqa: BLE001 -- every failure of student code is reported
        frame = _student_frame(error.__traceback__)
        mistake = recognise(error) if recognise is not None else None
        if mistake is None:
            mistake = _explain(what, frame, error, question)
        failure = CheckFailure(*mistake, exercise=exercise)
        failure.student_line = _line_of(frame)
        raise failure from error


def probe(function, *args, **kwargs):
    """``function(*args, **kwargs)``, or None if it raises: for telling mistakes apart."""
    try:
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)
    except Exception:  # noqa: BLE001 -- a failing probe just means "not this mistake"
        return None


def _explain(what, frame, error, question):
    """(mistake_id, message) for an exception raised by student code.

    frame: (frame, line number) of the student's code where it was raised, or None; its
    ``self`` and function name tell a method's mistakes apart.
    """
    kind = type(error).__name__
    owner = frame[0].f_locals.get("self") if frame is not None else None
    method = frame[0].f_code.co_name if frame is not None else ""
    if isinstance(error, NotImplementedError):
        return "common.not_written", (
            tr("{what} is not written yet: it still runs `raise NotImplementedError()`. "
               "Write your code under # YOUR CODE HERE in place of that line, run the cell, "
               "then run this test again.",
               what=what)
        )
    if isinstance(error, NameError) and not isinstance(error, UnboundLocalError):
        name = getattr(error, "name", None)
        if owner is not None and name and _lives_on(owner, name):
            return "common.name_on_self", (
                tr("{what}: `{name}` is not defined inside {method}. A method sees only its "
                   "own arguments; what forward saw is there later only if forward kept it "
                   "on `self`. Where did your forward keep {name}?",
                   what=what, name=name, method=method)
            )
        return "common.undefined_name", (
            tr("{what} raised NameError: {error}. Is it a typo, or a name from a cell you "
               "have not run yet?",
               what=what, error=error)
        )
    if owner is not None and method == "backward" and _reads_missing_state(owner, error):
        return "common.not_stored", (
            tr("{what} raised {kind}: {error}. backward reads what forward stored on self, "
               "and it found nothing there (or only the placeholder None from __init__). "
               "Does your forward store on self everything backward needs, every time it "
               "runs?",
               what=what, kind=kind, error=error)
        )
    if isinstance(error, FloatingPointError):
        return "common.floating_point", (
            tr("{what} raised FloatingPointError: numpy {error}. Some step produced inf or "
               "nan: which operation can overflow, divide by 0 or take log(0) on these "
               "inputs?",
               what=what, error=error)
        )
    text = f"{what} raised {kind}: {error}."
    return "common.raised", text + (f" {question}" if question else "")


def _lives_on(owner, name):
    """True when ``name`` is an attribute of the object or a parameter of one of its methods."""
    if name in getattr(owner, "__dict__", {}):
        return True
    for attribute in vars(type(owner)).values():
        code = getattr(attribute, "__code__", None)
        if code is not None and name in code.co_varnames[: code.co_argcount]:
            return True
    return False


def _reads_missing_state(owner, error):
    """True when backward failed on an attribute forward should have set, or on its None."""
    if isinstance(error, AttributeError):
        return getattr(error, "obj", None) is owner or f"'{type(owner).__name__}' object" in str(
            error
        )
    if isinstance(error, TypeError) and "NoneType" in str(error):
        return any(value is None for value in vars(owner).values()) or not vars(owner)
    return False


def _library_dirs():
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # bpkit itself
    dirs.add(os.path.dirname(np.__file__))
    return tuple(os.path.join(os.path.abspath(d), "") for d in dirs)


_LIBRARY_DIRS = _library_dirs()


def _student_frame(tb):
    """(frame, line number) of the deepest traceback entry in the student's own code, or None.

    Student code is anything outside bpkit, numpy and the installed packages: a notebook cell
    or the student's own file.
    """
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_LIBRARY_DIRS) and not filename.startswith(
            "<frozen"
        ):
            found = (tb.tb_frame, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _line_of(frame):
    """("Cell In[5], line 3", source line) for a student frame, or None without source."""
    if frame is None:
        return None
    filename, lineno = frame[0].f_code.co_filename, frame[1]
    source = linecache.getline(filename, lineno)
    if not source.strip():
        return None
    return f"{_cell_name(filename)}, line {lineno}", source


def _cell_name(filename):
    """'Cell In[5]' for a notebook cell (as IPython's own tracebacks say), else the file name."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    names = getattr(getattr(shell, "compile", None), "_filename_map", {}) or {}
    if filename in names:
        return f"Cell In[{names[filename]}]"  # IPython's own name for a cell, in every language
    return os.path.basename(filename)


# --------------------------------------------------------------------------------------------
# Describing values in messages


def rng_for(seed):
    """A numpy Generator; a check draws all its random inputs from one, so failures repeat."""
    return np.random.default_rng(seed)


def shapes(**arrays):
    """``'x (4, 5), W (5, 3)'`` for messages."""
    return ", ".join(f"{name} {tuple(np.shape(a))}" for name, a in arrays.items())


def describe(value, name):
    """``'x=3'`` for a number, ``'x of shape (2, 3) (float32)'`` for an array."""
    if np.ndim(value) == 0:
        return f"{name}={_number(value)}"
    return tr("{name} of shape {np_shape_value} ({np_asarray_value_dtype})",
              name=name, np_shape_value=np.shape(value),
              np_asarray_value_dtype=np.asarray(value).dtype)


def kind_of(value):
    """What a value is, for "returned ..." messages: 'an array of shape (3,)', 'a tuple of 2'."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return tr("an array of shape {value_shape}",
                  value_shape=value.shape)
    if isinstance(value, (tuple, list)):
        return tr("a {type_value___name} of {len_value} values",
                  type_value___name=type(value).__name__, len_value=len(value))
    if isinstance(value, dict):
        return tr("a dict with keys {sorted_map_str_value}",
                  sorted_map_str_value=sorted(map(str, value)))
    return f"{type(value).__name__} {value!r}"[:80]


def _number(value):
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)[:40]


# --------------------------------------------------------------------------------------------
# Expectations


def is_close(actual, expected, rtol=1e-6, atol=1e-8):
    """True when ``actual`` has ``expected``'s shape and values; for diagnosing mistakes."""
    try:
        return np.shape(actual) == np.shape(expected) and bool(
            np.allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol, atol=atol)
        )
    except (TypeError, ValueError):
        return False


def diagnose(actual, expected, wrong_versions, what, exercise=None, rtol=1e-6):
    """Name the mistake when ``actual`` is not ``expected`` but equals a usual wrong version.

    wrong_versions: ``[(wrong value, mistake_id, message), ...]``, tried in order; the first
    match fails with ``"<what>: <message>"``. Returns quietly when actual is right (a wrong
    formula can give the right number on special inputs) or matches none.
    """
    if is_close(actual, expected, rtol=rtol):
        return
    for wrong, mistake_id, message in wrong_versions:
        if is_close(actual, wrong, rtol=rtol):
            fail(mistake_id, f"{what}: {message}", exercise)


def expect_value(value, what, exercise=None):
    """Return ``value``; fail with ``common.returned_none`` when it is None."""
    if value is None:
        fail("common.returned_none",
             tr("{what} returned None: did you forget a `return`? A function gives back "
                "only what its `return` line names.",
                what=what), exercise)
    return value


def expect_number(value, what, why="", exercise=None):
    """Fail unless ``value`` is one number (a loss, an error figure). why: why one number."""
    expect_value(value, what, exercise)
    try:
        is_number = np.ndim(value) == 0 and isinstance(float(value), float)
    except (TypeError, ValueError):
        is_number = False
    if not is_number:
        fail("common.wrong_type", tr("{what} returned {kind_of_value}, not one number.",
                                     what=what, kind_of_value=kind_of(value))
             + (f" {why}" if why else ""), exercise)
    return value


def expect_count(values, count, what, why="", exercise=None):
    """Fail unless ``values`` is a tuple or list of ``count`` values; returns it as a tuple."""
    expect_value(values, what, exercise)
    if not (isinstance(values, (tuple, list)) and len(values) == count):
        fail("common.wrong_count", tr("{what} returned {kind_of_values}; it should return "
                                      "{count} values.",
                                      what=what, kind_of_values=kind_of(values), count=count)
                                      + (f" {why}" if why else ""), exercise)
    return tuple(values)


def expect_keys(value, keys, what, exercise=None):
    """Fail unless ``value`` is a dict with (at least) ``keys``; returns it."""
    expect_value(value, what, exercise)
    example = "{" + ", ".join(f"'{k}': ..." for k in keys) + "}"
    if not isinstance(value, dict):
        fail("common.wrong_type", tr("{what} returned {kind_of_value}; it should return a "
                                     "dict {example}.",
                                     what=what, kind_of_value=kind_of(value), example=example),
                                     exercise)
    missing = [k for k in keys if k not in value]
    if missing:
        fail("common.wrong_keys", tr("{what} returned a dict without the key {missing_0!r}: "
                                     "it has {sorted_map_str_value}, and should have "
                                     "{example}.",
                                     what=what, missing_0=missing[0],
                                     sorted_map_str_value=sorted(map(str, value)),
                                     example=example), exercise)
    return value


def expect_shape(actual, expected_shape, what, question="", exercise=None, hint=None):
    """Fail unless ``np.shape(actual) == expected_shape``; the message names both shapes.

    question: a sentence after the symptom (``hint=`` is its older name).
    """
    question = question or hint or ""
    shape = tuple(np.shape(actual))
    if shape != tuple(expected_shape):
        fail("common.wrong_shape",
             tr("{what} has shape {shape} but should have shape {tuple_expected_shape}.",
                what=what, shape=shape, tuple_expected_shape=tuple(expected_shape))
             + (f" {question}" if question else ""), exercise)


def expect_dtype(actual, expected_dtype, what, exercise=None):
    """Fail unless ``actual`` keeps the float dtype the inputs had (float32 stays float32)."""
    dtype = np.asarray(actual).dtype
    if dtype != np.dtype(expected_dtype):
        fail("common.wrong_dtype",
             tr("{what} has dtype {dtype} but the inputs were {np_dtype_expected_dtype}. "
                "Which step made a new array of another dtype (a float64 constant array, "
                "np.array(..., dtype=float))?",
                what=what, dtype=dtype, np_dtype_expected_dtype=np.dtype(expected_dtype)), exercise)


def expect_close(actual, expected, what, question="", rtol=1e-6, atol=1e-8, exercise=None,
                 mistake_id="common.wrong_values", hint=None):
    """Fail unless ``actual`` has ``expected``'s shape and values (to rtol/atol).

    The message names the worst entry, its index, and both values; ``question`` follows it
    (``hint=`` is its older name).
    """
    question = question or hint or ""
    if actual is None:
        fail("common.returned_none",
             tr("{what} is None: did you forget a `return`? A function gives back only what "
                "its `return` line names.",
                what=what), exercise)
    expect_shape(actual, np.shape(expected), what, question, exercise)
    try:
        got = np.asarray(actual, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        fail("common.wrong_type", tr("{what} is {kind_of_actual}, not numbers.",
                                     what=what, kind_of_actual=kind_of(actual)), exercise)
    want = np.asarray(expected, dtype=np.float64).reshape(-1)
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    worst = int(np.argmax(np.where(np.isnan(got), np.inf, np.abs(got - want))))
    shape = np.shape(expected)
    where = tr(" at index {tuple_int_i_for_i_in_np_unravel}",
               tuple_int_i_for_i_in_np_unravel=tuple(int(i) for i in np.unravel_index(worst,
               shape))) if shape else ""
    fail(mistake_id, tr("{what} is wrong{where}: got {got_worst:.6g}, expected "
                        "{want_worst:.6g}.",
                        what=what, where=where, got_worst=got[worst], want_worst=want[worst])
                        + (f" {question}" if question else ""), exercise)


def expect_unchanged(before, after, what, name, exercise=None):
    """Fail when the argument ``name`` changed: ``before`` is a copy taken before the call."""
    if isinstance(after, np.ndarray) and not np.array_equal(after, before, equal_nan=True):
        fail("common.modified_input",
             tr("{what} changed its argument {name} in place (shape {after_shape}); the "
                "caller may still need it. Which line writes into {name} instead of making "
                "a new array?",
                what=what, name=name, after_shape=after.shape), exercise)


def expect_gradients_match(analytic, numeric, what, tol=1e-6, exercise=None):
    """Fail unless each backprop gradient agrees with its numerical gradient (수치 미분).

    analytic, numeric: ``{name: array}`` (or two arrays). The error of one gradient is
    ``max|a - n| / max(max|a|, max|n|)``: unlike an entry-by-entry relative error it does not
    blow up on an entry of 1e-9 where central differences' rounding dominates. A correct
    backward gives about 1e-8; a wrong one 1e-2 or more.
    """
    if not isinstance(analytic, dict):
        analytic, numeric = {"x": analytic}, {"x": numeric}
    errors = {}
    for name, grad in analytic.items():
        expect_value(grad, tr("{what}: the gradient of {name}",
                              what=what, name=name), exercise)
        expect_shape(grad, np.shape(numeric[name]), tr("{what}: the gradient of {name}",
                                                       what=what, name=name),
                     "Each gradient has the shape of what it is the gradient of.", exercise)
        errors[name] = gradient_error(grad, numeric[name])
    wrong = {name: error for name, error in errors.items() if not error < tol}
    if wrong:
        listed = ", ".join(f"{name} (error {error:.1e}, shape {np.shape(analytic[name])})"
                           for name, error in wrong.items())
        fail("common.gradient_mismatch",
             tr("{what} disagrees with the numerical gradient (수치 미분) for {listed}; a "
                "correct backward gives below {tol:.0e}. Which local derivative along the "
                "way to {next_iter_wrong} does not match what forward computes?",
                what=what, listed=listed, tol=tol, next_iter_wrong=next(iter(wrong))), exercise)
    return errors


def gradient_error(analytic, numeric):
    """``max|a - n| / max(max|a|, max|n|, 1e-8)`` as a float; nan becomes inf."""
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    scale = max(np.abs(a).max(initial=0), np.abs(n).max(initial=0), 1e-8)
    error = float(np.abs(a - n).max(initial=0) / scale)
    return error if np.isfinite(error) else float("inf")


def expect_numerical_gradients(layer, *inputs, what, dout=None, tol=1e-6, seed=0,
                               exercise=None):
    """Run ``layer``'s forward and backward and compare every gradient with central differences.

    layer: an instance with forward(*inputs) and backward(dout) (and W/b with dW/db, if it has
    them); inputs: float arrays (copied); what: names the backward pass in the message
    (``"MulLayer.backward"``). Fails with ``common.gradient_mismatch``.
    """
    from ..gradcheck import layer_gradients  # late: gradcheck is a sibling of this package

    # One plain pass first, so that an unwritten or None-returning layer gets its usual message.
    name = type(layer).__name__
    copies = [np.array(v, dtype=np.float64, copy=True) for v in inputs]
    out = expect_value(call(f"{name}.forward", layer.forward, *copies, exercise=exercise),
                       f"{name}.forward", exercise)
    first_dout = 1.0 if np.ndim(out) == 0 else np.ones(np.shape(out))
    expect_value(call(what, layer.backward, first_dout, exercise=exercise), what, exercise)
    analytic, numeric = call(tr("{what} (forward then backward)",
                                what=what), layer_gradients, layer, *inputs,
                             dout=dout, seed=seed, exercise=exercise)
    return expect_gradients_match(analytic, numeric, what, tol, exercise)


# --------------------------------------------------------------------------------------------
# Success


def passed(what, detail, n_checks):
    """Print ``✓ <what>: <detail> (<n> checks)``, the line a passing visible test shows."""
    if n_checks == 1:
        print(tr("✓ {what}: {detail} (1 check)", what=what, detail=detail))
    else:
        print(tr("✓ {what}: {detail} ({n_checks} checks)", what=what, detail=detail,
                 n_checks=n_checks))
