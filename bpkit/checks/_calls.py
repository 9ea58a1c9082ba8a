"""Calling a student's code from a check: an exception becomes a message, not a traceback.

A student's mistake often shows up as numpy's own error ("matmul: Input operand 1 has a
mismatch ..."). The checks turn it into an ``AssertionError`` that says which call failed, on
which shapes, and what to try.
"""

import numpy as np


def call_student(what, function, *args, hint="", **kwargs):
    """Return ``function(*args, **kwargs)``; if it raises, fail with a message naming ``what``.

    Floating-point overflow and invalid operations raise ``FloatingPointError`` here instead of
    printing a RuntimeWarning: a check never writes to stderr, and overflow is a mistake the
    checks want to name.
    """
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return function(*args, **kwargs)
    except AssertionError:
        raise
    except NotImplementedError as error:
        raise AssertionError(
            f"{what} stopped at `raise NotImplementedError()`: that part is not written yet; "
            "replace the line with your code."
        ) from error
    except Exception as error:  # noqa: BLE001 -- any failure of student code is reported
        raise AssertionError(
            f"{what} raised {type(error).__name__}: {error}." + (f" {hint}" if hint else "")
        ) from error


def try_student(function, *args, **kwargs):
    """``function(*args)`` or None if it raises; for probing which mistake was made."""
    try:
        with np.errstate(all="ignore"):
            return function(*args, **kwargs)
    except Exception:  # noqa: BLE001 -- a failing probe just means "not this mistake"
        return None


def shapes(**arrays):
    """'x (4, 5), W (5, 3)' for messages."""
    return ", ".join(f"{name} {tuple(np.shape(a))}" for name, a in arrays.items())


def distinct_sizes(rng, count, low=2, high=9):
    """``count`` different sizes in [low, high): with N, D, M all different, a transposed or
    swapped product cannot hide behind matching shapes."""
    return [int(v) for v in rng.choice(np.arange(low, high), size=count, replace=False)]
