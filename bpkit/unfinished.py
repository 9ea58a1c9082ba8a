"""One line instead of a NameError when a cell uses an exercise the student has not finished.

A lesson cell that shows what an exercise's result does (a plot of the trained ``xor_net``, a
run of the student's ``train``) starts with::

    from bpkit.unfinished import needs
    needs("xor_net", "xor_history")

While the exercise is open, ``needs`` stops the cell before it draws anything and the student
reads one line saying which names are missing and where they come from, not a traceback. Once
the exercise is done, ``needs`` does nothing. The release step tags such cells
``raises-exception`` (autograder/run_all_tags.py), so Run All goes on to the cells below.

A name counts as unfinished when it is not defined yet, or when it is a function or class of
the notebook whose source still holds the exercise's stub ``raise NotImplementedError``.
"""

import inspect
import sys

from .i18n import tr

STUB = "raise NotImplementedError"


class Unfinished(Exception):
    """Raised by :func:`needs`; IPython shows it as its one-line message, without a traceback."""

    def __init__(self, missing, stubs):
        self.missing, self.stubs = list(missing), list(stubs)
        parts = []
        if self.missing:
            parts.append(tr("{names_self_missing}, which {is_are_self_missing} not defined "
                            "yet",
                            names_self_missing=_names(self.missing),
                            is_are_self_missing=_is_are(self.missing)))
        if self.stubs:
            raises = "raises" if len(self.stubs) == 1 else "raise"
            parts.append(tr("{names_self_stubs}, which still {raises} NotImplementedError",
                            names_self_stubs=_names(self.stubs), raises=raises))
        super().__init__(
            tr("Not run yet: this cell needs {and_join_parts}. Finish that exercise above, "
               "run its cell, then run this cell again.",
               and_join_parts=', and '.join(parts))
        )

    def _render_traceback_(self):
        return [str(self)]


def needs(*names):
    """Stop the calling cell with one line if any of ``names`` is missing or still a stub.

    names: variable, function or class names of the notebook, as strings. Returns None when
    all are there and finished.
    """
    if not names or not all(isinstance(name, str) for name in names):
        raise TypeError("needs() takes the names as strings, e.g. needs(\"xor_net\")")
    namespace = sys._getframe(1).f_globals  # the notebook's variables, in a notebook cell
    missing = [name for name in names if name not in namespace]
    stubs = [name for name in names if name in namespace and _is_stub(namespace[name])]
    if missing or stubs:
        raise Unfinished(missing, stubs)


def _is_stub(value):
    """True for a function, or a class with a method, whose source still has the stub."""
    if inspect.isclass(value):
        # The class's own methods: Python 3.11 finds no source for a class made in a notebook.
        return any(_is_stub(member) for member in vars(value).values()
                   if inspect.isfunction(member))
    if not inspect.isfunction(value):
        return False
    try:
        source = inspect.getsource(value)
    except (OSError, TypeError):  # defined where no source is kept: not a notebook exercise
        return False
    return STUB in source


def _names(names):
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _is_are(names):
    return "is" if len(names) == 1 else "are"
