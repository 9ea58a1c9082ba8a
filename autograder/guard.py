"""Integrity guard inside the grading kernel: tests run against the real numpy, bpkit, builtins.

A student's answer could make every test pass by patching what the tests rely on
(``np.allclose = lambda *a, **k: True``, ``checks.expect_close = print``, ``builtins.abs``...).
Before student code runs, :func:`prepare` records every attribute of the watched modules and
the code object of every function and method bpkit defines. Then, as an IPython extension:

* before each test cell (its source starts with :data:`MARK`), everything recorded is put back
  and each difference is logged as ``restored`` (a patch made in an answer cell: the tests then
  run on the real thing, so grading stays fair, and the submission is flagged);
* after each test cell, differences are logged as ``during``: the patch happened while the test
  ran (from inside the student's methods), so the grader scores that test 0.

The log (see sandbox.py) is a descriptor opened with privileges the student does not have. If
the student removes these callbacks, the ``before`` record of a test is missing from the log and
the grader treats that test as tampered with too.
"""

import builtins
import sys
import types

MARK = "# bpkit-grader test:"

_WATCHED = ("builtins", "math", "numpy", "numpy.linalg", "numpy.random", "numpy.testing")
# IPython itself swaps these builtins in and out around every cell.
_VOLATILE = {"_", "__", "___", "exit", "quit", "get_ipython", "display", "help", "input"}
_state = {}


def _watch(key, value):
    """Only callables and modules are recorded: data (caches, counters) may change legally."""
    return not key.startswith("__") and key not in _VOLATILE and (
        callable(value) or isinstance(value, types.ModuleType))


def _modules():
    ours = sorted(n for n in sys.modules if n == "bpkit" or n.startswith("bpkit."))
    names = list(_WATCHED) + ours
    return [(n, sys.modules[n]) for n in names if n in sys.modules]


def _functions(module):
    """(owner, name, function) for the functions and methods a bpkit module defines."""
    for name, value in list(vars(module).items()):
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            yield module, name, value
        elif isinstance(value, type) and value.__module__ == module.__name__:
            for attr, member in list(vars(value).items()):
                if isinstance(member, types.FunctionType):
                    yield value, attr, member


def prepare(log):
    """Import and record what the tests rely on; called by the sandbox before student code."""
    import numpy  # noqa: F401
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401
    import numpy.testing  # noqa: F401

    import bpkit
    import bpkit.checks  # noqa: F401
    import bpkit.gradcheck  # noqa: F401

    del bpkit
    _state["log"] = log
    _state["namespaces"] = {
        n: (m, {k: v for k, v in vars(m).items() if _watch(k, v)}) for n, m in _modules()}
    _state["classes"] = {}
    _state["code"] = []
    for name, module in _modules():
        if name.startswith("bpkit"):
            for owner, attr, function in _functions(module):
                _state["code"].append((owner, attr, function, function.__code__))
                if isinstance(owner, type):
                    _state["classes"][id(owner)] = (
                        owner, {k: v for k, v in vars(owner).items() if _watch(k, v)})


def _differences():
    """What differs from the record, as readable names (``numpy.allclose``)."""
    found = []
    for name, (module, saved) in _state["namespaces"].items():
        current = vars(module)
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                found.append(f"{name}.{key}")
    for owner, saved in _state["classes"].values():
        for key, value in saved.items():
            if vars(owner).get(key, _MISSING) is not value:
                found.append(f"{owner.__module__}.{owner.__qualname__}.{key}")
    for owner, attr, function, code in _state["code"]:
        if function.__code__ is not code:
            found.append(f"{getattr(owner, '__name__', owner)}.{attr}.__code__")
    return sorted(set(found))


def _restore():
    for module, saved in _state["namespaces"].values():
        for key, value in saved.items():
            if vars(module).get(key, _MISSING) is not value:
                setattr(module, key, value)
    for owner, saved in _state["classes"].values():
        for key, value in saved.items():
            if vars(owner).get(key, _MISSING) is not value:
                setattr(owner, key, value)
    for _owner, _attr, function, code in _state["code"]:
        function.__code__ = code


_MISSING = object()


def _test_id(raw_cell):
    first = (raw_cell or "").split("\n", 1)[0]
    return first[len(MARK):].strip() if first.startswith(MARK) else None


def _before(info):
    try:
        _check_before(info)
    except Exception:  # a broken guard must not break the student's test
        pass


def _after(result):
    try:
        _check_after()
    except Exception:
        pass


def armed():
    """True once the first notebook cell has started: from then on, code may be the student's."""
    return _state.get("armed", False)


def _check_before(info):
    _state["armed"] = True
    test = _test_id(getattr(info, "raw_cell", ""))
    if test is None or "log" not in _state:
        return
    changed = _differences()
    _restore()
    _state["log"].write(event="before", test=test, changed=changed)
    _state["current"] = test


def _check_after():
    test = _state.pop("current", None)
    if test is None:
        return
    changed = _differences()
    _restore()
    _state["log"].write(event="after", test=test, changed=changed)


def load_ipython_extension(ip):
    """Registered by the sandbox through ``--IPKernelApp.extensions``."""
    ip.events.register("pre_run_cell", _before)
    ip.events.register("post_run_cell", _after)


# Keep a reference that outlives a student's ``del builtins``; the guard must not depend on it.
_builtins = builtins
