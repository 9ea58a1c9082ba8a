"""Telling a student's own code from bpkit's reference: an answer that imports, re-exports,
subclasses or wraps bpkit's class scores nothing (``common.not_own_code``).
"""

import dis
import inspect
import types

from ..i18n import tr
from ._student import fail

__all__ = ["expect_own_code"]


def expect_own_code(obj, name=None):
    """Fail when ``obj`` is bpkit's reference rather than the student's own code.

    Rejects: bpkit's class or function itself (imported or re-exported under another name), a
    subclass of any bpkit class, and code whose methods call bpkit (``bpkit.MulLayer`` inside
    ``forward``). Numpy is of course allowed.
    """
    name = name or getattr(obj, "__name__", type(obj).__name__)
    message = (
        tr("{name} must be your own code, but it {{}}. Write the body yourself; bpkit's "
           "version is what your answer is compared with.",
           name=name)
    )
    module = getattr(obj, "__module__", "") or ""
    if module.startswith("bpkit"):
        fail("common.not_own_code", message.format(tr("is bpkit's {module}.{obj___name}",
                                                      module=module, obj___name=obj.__name__)))
    if inspect.isclass(obj):
        for base in obj.__mro__[1:]:
            if (base.__module__ or "").startswith("bpkit"):
                fail("common.not_own_code",
                     message.format(f"subclasses {base.__module__}.{base.__name__}"))
        functions = [v for v in vars(obj).values() if isinstance(v, types.FunctionType)]
    else:
        functions = [obj] if isinstance(obj, types.FunctionType) else []
    for function in functions:
        for used in globals_used(function):
            used_module = getattr(used, "__module__", None) or getattr(used, "__name__", "")
            if isinstance(used_module, str) and used_module.startswith("bpkit"):
                fail("common.not_own_code", message.format(tr("calls bpkit ({describe_used})",
                                                              describe_used=_describe(used))))


def globals_used(function):
    """The global objects a function (and the functions nested in it) loads by name.

    Only LOAD_GLOBAL / LOAD_NAME instructions count: ``co_names`` also lists attribute names
    (``self.layers``), which would match unrelated notebook globals of the same name.
    """
    code_objects = [function.__code__]
    found = []
    while code_objects:
        code = code_objects.pop()
        code_objects.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        for instruction in dis.get_instructions(code):
            if (
                instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")
                and instruction.argval in function.__globals__
            ):
                found.append(function.__globals__[instruction.argval])
    return found


def _describe(obj):
    return getattr(obj, "__qualname__", None) or getattr(obj, "__name__", repr(obj))
