"""Hints on request: ``hint("mul_layer")`` shows the next step of that exercise's ladder.

Each graded exercise has a ladder of two or three steps, from the concept, to the shapes, to
(last) the formula; each call shows the next step, and after the last it says there are no
more. The ladders live in one module per lesson, ``bpkit/hints/lessonNN.py``, as
``HINTS = {"exercise_id": ["step 1", "step 2", "step 3"], ...}``; the exercise id is the
``grade_id`` of the exercise's solution cell (without a ``_code`` suffix). A failed check's box
ends with the call to make, e.g. ``Ask for a hint: hint("mul_layer")``.
"""

import difflib
import importlib
import pkgutil
import re

from ..i18n import text, tr, wrap

__all__ = ["hint", "ladders", "reset_hints"]

_LESSON_MODULE = re.compile(r"^lesson(\d{2})$")
_WIDTH = 88

# exercise id -> how many of its steps have been shown in this Python process (this kernel).
_shown = {}


def ladders():
    """``{lesson number "03": {exercise id: [steps]}}`` from every ``lessonNN`` module."""
    found = {}
    for module in pkgutil.iter_modules(__path__):
        match = _LESSON_MODULE.match(module.name)
        if match:
            found[match.group(1)] = importlib.import_module(f"{__name__}.{module.name}").HINTS
    return dict(sorted(found.items()))


def _all_steps():
    steps = {}
    for exercises in ladders().values():
        steps.update(exercises)
    return steps


def hint(exercise, step=None):
    """Print the next hint for ``exercise`` (e.g. ``"mul_layer"``); ``step=1`` shows step 1 again.

    Each call shows one more step; after the last it says there are no more. An unknown id is
    an error that names the closest known ones.
    """
    steps = _all_steps()
    if exercise not in steps:
        close = difflib.get_close_matches(str(exercise), steps, n=3, cutoff=0.5)
        suggestion = tr(" Did you mean {join_map_repr_close}?",
                        join_map_repr_close=', '.join(map(repr, close))) if close else ""
        raise ValueError(
            tr("There is no hint for {exercise!r}.{suggestion} The exercise ids are the "
               'ones a failed check names in `Ask for a hint: hint("...")`.',
               exercise=exercise, suggestion=suggestion)
        )
    ladder = steps[exercise]
    if step is not None:
        if not (isinstance(step, int) and 1 <= step <= len(ladder)):
            raise ValueError(tr("{exercise!r} has hints 1 to {len_ladder}; got "
                                "step={step!r}.",
                                exercise=exercise, len_ladder=len(ladder), step=step))
        _print(exercise, step, ladder)
        return
    shown = _shown.get(exercise, 0)
    if shown >= len(ladder):
        print(tr("No more hints for {exercise}: you have seen all {len_ladder}. "
                 "hint({exercise!r}, step=1) shows the first one again.",
                 exercise=exercise, len_ladder=len(ladder)))
        return
    _shown[exercise] = shown + 1
    _print(exercise, shown + 1, ladder)


def _print(exercise, number, ladder):
    title = tr("Hint {number} of {len_ladder} for {exercise}: ",
               number=number, len_ladder=len(ladder), exercise=exercise)
    body = "\n".join(wrap(title + text(ladder[number - 1]), _WIDTH, indent="",
                          subsequent_indent="  "))
    more = "" if number == len(ladder) else tr("\n  (Call hint({exercise!r}) again for the "
                                               "next.)",
                                               exercise=exercise)
    print(body + more)


def reset_hints(exercise=None):
    """Start the ladders (or one exercise's ladder) from the first step again."""
    if exercise is None:
        _shown.clear()
    else:
        _shown.pop(exercise, None)
