"""The fence around one grading kernel: the bubblewrap (``bwrap``) command line that starts it.

:func:`command` wraps the kernel's own command (``python -m autograder.sandbox -f FILE``) in
``bwrap``, which gives the kernel

* new network, PID, IPC and UTS namespaces: no network at all (only its own loopback, where
  nothing listens), and no process of the kernel's outlives it (``--die-with-parent``; when the
  kernel's first process ends, the kernel sees every other one killed);
* a file system of its own, read-only, showing only what the kernel needs: ``/usr`` (the C
  library, ``/bin/sh``), the Python installation, the project's environment, the ``bpkit``
  package and the four files of :mod:`autograder` the kernel loads; a ``/dev`` and ``/proc`` of
  its own, a private ``/tmp`` of :data:`TMP_MB` MB;
* writable: only the submission's folder (the notebook's copy, the kernel's working folder) and
  the folder of the sockets through which it talks to its worker (Jupyter's ``ipc`` transport:
  the network namespace has no route to the worker's TCP ports); the guard's log file too, which
  the kernel opens before it gives up root (see sandbox.py);
* an environment of a few variables, none of the grader's.

Nothing else of the machine is there: not ``solutions/``, the grader's scratch course, the
gradebook, other submissions, the output folder or any home folder.

Whether the fence can be used here is found once per process by :func:`problem`, which starts
``bwrap`` with the same options.
"""

import functools
import os
import shutil
import subprocess
import sys

MODES = ("auto", "bwrap", "none")
# Processes and threads of one kernel: ipykernel runs about ten threads; the audit hook refuses
# Python's own ways to start processes, so honest code only adds threads (a thread pool: 32).
PROCESSES = 64
TMP_MB = 256  # the kernel's private /tmp (memory-backed); files in it count towards no limit
FONTS_IN_FENCE = "/opt/bpkit-fence"  # holds matplotlib's font list, read-only
# What of autograder/ the kernel imports (the rest of the package stays out of the fence).
KERNEL_MODULES = ("__init__.py", "sandbox.py", "guard.py", "output_cap.py")
# Variables the kernel gets; every other one of the grader's environment stays outside.
KEPT_VARIABLES = ("LANG", "LC_ALL", "TZ")


def _autograder_dir():
    return os.path.dirname(os.path.abspath(__file__))


def _system_paths():
    """``/usr`` and the top-level folders that point into it (``/bin`` -> ``usr/bin``), as
    bwrap options; ``/etc/ld.so.cache`` so that the C libraries are found quickly."""
    options = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            options += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            options += ["--ro-bind", name, name]
    options += ["--perms", "0755", "--dir", "/etc"]
    for name in ("/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(name):
            options += ["--ro-bind", name, name]
    return options


def readonly_paths():
    """Folders and files the kernel reads: Python, the environment, bpkit, our kernel modules.

    A path inside another one of the list is left out (binding the outer one shows it).
    """
    import bpkit

    paths = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix),
             os.path.realpath(os.path.dirname(bpkit.__file__))]
    here = os.path.realpath(_autograder_dir())
    paths += [os.path.join(here, name) for name in KERNEL_MODULES]
    paths = sorted(set(p for p in paths if not p.startswith("/usr/") and p != "/usr"))
    kept = []
    for path in paths:
        if not any(path.startswith(outer.rstrip("/") + "/") for outer in kept):
            kept.append(path)
    return kept


def import_roots():
    """The folders holding the bpkit and autograder packages this grader runs with."""
    import bpkit

    packages = (os.path.dirname(bpkit.__file__), _autograder_dir())
    return list(dict.fromkeys(os.path.dirname(os.path.realpath(p)) for p in packages))


class _Tree:
    """bwrap options that create each missing parent folder (mode 0755) before a bind."""

    def __init__(self, existing):
        self.made = set(existing)
        self.options = []

    def bind(self, kind, source, target):
        parents = []
        parent = os.path.dirname(target)
        while parent not in self.made and parent != "/":
            parents.append(parent)
            parent = os.path.dirname(parent)
        for folder in reversed(parents):
            self.options += ["--perms", "0755", "--dir", folder]
            self.made.add(folder)
        self.options += [kind, source, target]
        if os.path.isdir(source):
            self.made.add(target)


def _namespaces():
    """Run as root, bwrap makes the namespaces itself and the kernel becomes an unprivileged
    user inside (sandbox.py); otherwise a user namespace lets an ordinary user make them."""
    shared = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
              "--unshare-cgroup-try"]
    if os.geteuid() == 0:
        return shared
    # The kernel may make no user namespace of its own (where it would be root again).
    return ["--unshare-user", *shared, "--disable-userns"]


def command(kernel_argv, workdir, sockets, log, env, fonts=None):
    """The bwrap command line that starts ``kernel_argv`` fenced.

    workdir: the submission's folder (writable, the working folder); sockets: the folder of the
    connection file and ipc sockets (writable); log: the guard's log file (created here, kept
    writable); env: variables for the kernel; fonts: matplotlib's font list to show it.
    """
    os.close(os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
    options = ["bwrap", *_namespaces(), "--die-with-parent", "--new-session", "--clearenv",
               *_system_paths(), "--dev", "/dev", "--proc", "/proc",
               "--perms", "1777", "--size", str(TMP_MB * 2**20), "--tmpfs", "/tmp"]
    tree = _Tree({"/", "/usr", "/dev", "/proc", "/tmp", "/etc"})
    for path in readonly_paths():
        tree.bind("--ro-bind", path, path)
    if fonts and os.path.exists(fonts):
        tree.bind("--ro-bind", fonts, fonts_in_fence(fonts))
    for path in (workdir, sockets, log):
        tree.bind("--bind", path, path)
    options += tree.options
    for name in KEPT_VARIABLES:
        if name in os.environ:
            options += ["--setenv", name, os.environ[name]]
    for name, value in sorted(env.items()):
        options += ["--setenv", name, str(value)]
    # The kernel imports bpkit and autograder from where this grader did (its environment is
    # cleared, and an editable install may point at another checkout than the bound one).
    options += ["--setenv", "PYTHONPATH", os.pathsep.join(import_roots())]
    options += ["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/tmp",
                "--chdir", workdir, "--", *kernel_argv]
    return options


# Run before bwrap: ask for SIGKILL when the worker dies, then make sure it has not died already.
# bwrap's --die-with-parent asks for the same, but only once bwrap runs: a worker killed between
# its fork and that moment left a fenced kernel running with nobody to end it.
_WATCH_PARENT = ("import ctypes, os, sys\n"
                 "ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL; kept across exec\n"
                 "if os.getppid() != int(sys.argv[1]):\n"
                 "    os._exit(1)\n"
                 "os.execvp(sys.argv[2], sys.argv[2:])\n")


def ending_with(parent_pid, argv):
    """``argv`` started so that it dies with ``parent_pid``, even if that dies first."""
    return [sys.executable, "-I", "-S", "-c", _WATCH_PARENT, str(parent_pid), *argv]


def kernel_uid():
    """The user a fenced kernel becomes when the grader runs as root: one per worker process,
    so the process limit (RLIMIT_NPROC counts a user's processes) counts only this kernel's.
    Not a user of the system: no file belongs to it but what the grader gives it."""
    return 600_000_000 + os.getpid() if os.geteuid() == 0 else None


@functools.cache
def problem():
    """None when fenced kernels can start here; otherwise why not (one line)."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap runs on Linux only, not on {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bwrap (Debian's package bubblewrap) is not installed"
    probe = ["bwrap", *_namespaces(), "--die-with-parent", *_system_paths(), "--dev", "/dev",
             "--proc", "/proc", "--", "/bin/sh", "-c", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not start: {error}"
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"status {done.returncode}"])[-1]
        return f"bwrap could not make its namespaces here ({why})"
    return None


def decide(mode):
    """``(fenced, note)`` for ``--sandbox MODE``: note says what protects the kernels.

    Raises UsageError when ``bwrap`` is asked for and cannot be used.
    """
    from .course import UsageError

    if mode not in MODES:
        raise UsageError(f"--sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "none":
        return False, "no fence (--sandbox none): kernels ran with the audit hook only"
    why = problem()
    if why is None:
        return True, "each kernel ran fenced by bubblewrap"
    if mode == "bwrap":
        raise UsageError(f"--sandbox bwrap: {why}; grade where it runs, or use --sandbox auto "
                         "to grade without the fence")
    return False, (f"no fence: {why}; kernels ran with the audit hook only, which code run "
                   "through ctypes can get past")


def fonts_in_fence(fonts):
    """Where the kernel sees the font list ``fonts``: under its own name, which carries
    matplotlib's cache version (fontlist-v3.11.0.json) and is the name matplotlib reads."""
    return os.path.join(FONTS_IN_FENCE, os.path.basename(fonts))


def font_list():
    """matplotlib's font list of the grader's user (built now if missing), for the kernels: in
    the fence they would otherwise scan every font at each start."""
    import matplotlib
    import matplotlib.font_manager as fm

    path = os.path.join(matplotlib.get_cachedir(), f"fontlist-v{fm.FontManager.__version__}.json")
    return path if os.path.exists(path) else None
