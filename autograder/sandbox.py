"""The grading kernel: an ordinary IPython kernel started inside a fence.

nbgrader starts kernels from a kernelspec; ours (written by :func:`write_kernelspec`) runs
``python -m autograder.sandbox -f CONNECTION_FILE`` instead of ipykernel directly, so that before
any student code runs this module can

* cap memory (``RLIMIT_AS``), CPU seconds and the size of files the kernel may write, so a memory
  bomb meets a ``MemoryError`` and an endless loop is stopped even if interrupts are ignored;
* install an audit hook (PEP 578; it cannot be removed from Python) that refuses to open, list or
  copy anything under the forbidden folders (``solutions/``, the grader's own course copy and
  gradebooks) and refuses to start subprocesses, which could read them outside the hook;
* drop root privileges to an unprivileged user, when asked to (``--kernel-user``) and possible;
* load :mod:`autograder.guard`, which restores numpy, bpkit and the builtins before each test cell,
  and :mod:`autograder.output_cap`, which cuts a cell's flood of output short inside the kernel.

Every refused attempt is written as a JSON line to a log file that was opened before privileges
were dropped, so the grader can flag the submission with the reason.
"""

import json
import os
import resource
import shutil
import sys
import tempfile

KERNEL_NAME = "bpkit-grader"

# Environment variables through which the worker configures the fence (see worker.py).
ENV_MEMORY = "BPKIT_GRADER_MEMORY_MB"
ENV_CPU = "BPKIT_GRADER_CPU_SECONDS"
ENV_FORBIDDEN = "BPKIT_GRADER_FORBIDDEN"
ENV_LOG = "BPKIT_GRADER_LOG"
ENV_USER = "BPKIT_GRADER_USER"

# Events that start another program; that program would not carry our audit hook.
_SPAWN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                 "os.fork", "os.forkpty", "pty.spawn")
_PATH_EVENTS = ("open", "os.listdir", "os.scandir", "os.chdir", "shutil.copyfile",
                "shutil.copytree", "os.symlink", "os.link")


def write_kernelspec(jupyter_dir):
    """Write our kernelspec under ``jupyter_dir/kernels`` (a folder put on JUPYTER_PATH)."""
    spec_dir = os.path.join(jupyter_dir, "kernels", KERNEL_NAME)
    os.makedirs(spec_dir, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "autograder.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (bpkit grader)",
        "language": "python",
        "env": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "MPLBACKEND": "agg", "PYTHONWARNINGS": "default"},
    }
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f)
    return spec_dir


class _Log:
    """Append-only JSON-lines log on a descriptor opened while still privileged."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600) if path else None

    def write(self, **record):
        if self.fd is not None:
            try:
                os.write(self.fd, (json.dumps(record) + "\n").encode())
            except OSError:
                pass  # a student who closed our descriptor is caught by the guard's bookkeeping


def _set_limits():
    memory_mb = int(os.environ.get(ENV_MEMORY, "0") or 0)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(os.environ.get(ENV_CPU, "0") or 0)
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    # A flood written to disk instead of to the output is capped too (100 MB).
    resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 2**20, 100 * 2**20))


def _install_audit_hook(forbidden, log, armed):
    """Refuse file access under ``forbidden`` and process creation; log each attempt.

    Inactive until ``armed()``: while the kernel starts, only our own code runs.
    """
    realpath, sep, fspath = os.path.realpath, os.sep, os.fspath
    roots = tuple(realpath(p).rstrip(sep) + sep for p in forbidden if p)
    state = {"busy": False}

    def is_forbidden(path):
        if isinstance(path, int):
            return False
        try:
            resolved = realpath(fspath(path) if not isinstance(path, bytes) else path.decode())
        except (TypeError, ValueError):
            return False
        return (resolved + sep).startswith(roots)

    def hook(event, args):
        if state["busy"] or not armed():
            return  # realpath itself may audit; do not recurse
        if event.startswith(_SPAWN_EVENTS):
            log.write(event="spawn", what=event, detail=repr(args[:2])[:200])
            raise PermissionError(f"the grader does not allow starting programs ({event})")
        if event in _PATH_EVENTS and roots:
            state["busy"] = True
            try:
                paths = [a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
                bad = [p for p in paths if is_forbidden(p)]
            finally:
                state["busy"] = False
            if bad:
                log.write(event="forbidden", what=event, path=str(bad[0])[:300])
                raise PermissionError(f"the grader does not allow reading {bad[0]!s}")

    sys.addaudithook(hook)


def _world_readable(path):
    """True when any user can reach ``path`` (o+x on every folder above it, o+r on it)."""
    path = os.path.realpath(path)
    parts = path.split(os.sep)
    for i in range(2, len(parts) + 1):
        mode = os.stat(os.sep.join(parts[:i]) or os.sep).st_mode
        if not mode & 0o001 and i < len(parts) or not mode & 0o004 and i == len(parts):
            return False
    return True


def _drop_privileges(connection_file):
    """Become an unprivileged user; returns the connection file that user can read.

    Only when asked (``--kernel-user``), when we are root, and when that user can still load
    Python and the course's packages (an interpreter under /root, as with pyenv, cannot be);
    otherwise the audit hook alone keeps the solutions out of reach.
    """
    user = os.environ.get(ENV_USER, "")
    import ipykernel
    import numpy

    import bpkit

    needed = [os.path.dirname(m.__file__) for m in (os, numpy, bpkit, ipykernel)]
    needed.append(sys.executable)
    if os.geteuid() != 0 or not user or not all(_world_readable(p) for p in needed):
        return connection_file
    import pwd

    entry = pwd.getpwnam(user)
    home = tempfile.mkdtemp(prefix="bpkit-kernel-home-")
    copy = os.path.join(home, "kernel.json")
    shutil.copyfile(connection_file, copy)
    for path in (home, copy):
        os.chown(path, entry.pw_uid, entry.pw_gid)
    # The notebook's folder is the kernel's working directory; let the student write there.
    os.chown(os.getcwd(), entry.pw_uid, entry.pw_gid)
    for var, sub in (("HOME", ""), ("IPYTHONDIR", ".ipython"), ("MPLCONFIGDIR", ".matplotlib"),
                     ("JUPYTER_RUNTIME_DIR", "runtime")):
        os.environ[var] = os.path.join(home, sub) if sub else home
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
    return copy


def main(argv):
    """Fence this process, then become the IPython kernel (same process, so the hook stays)."""
    connection_file = argv[argv.index("-f") + 1]
    rest = [a for i, a in enumerate(argv) if a != "-f" and (i == 0 or argv[i - 1] != "-f")]
    log = _Log(os.environ.get(ENV_LOG))
    forbidden = [p for p in os.environ.get(ENV_FORBIDDEN, "").split(os.pathsep) if p]
    connection_file = _drop_privileges(connection_file)
    # The kernel's own stderr (not the cells': ipykernel captures those) would only clutter the
    # grader's progress bar.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    _set_limits()
    # matplotlib runs fc-list the first time it runs for a user, to list the fonts: let it do
    # so now, or a student's first figure would be flagged "tried to start a program".
    import matplotlib.font_manager  # noqa: F401

    # Import what the guard protects before the hook is active and before student code runs.
    from autograder import guard

    guard.prepare(log)
    _install_audit_hook(forbidden, log, guard.armed)
    for var in (ENV_FORBIDDEN, ENV_LOG, ENV_USER):
        os.environ.pop(var, None)
    from ipykernel import kernelapp

    sys.argv = ["ipykernel", "-f", connection_file,
                "--IPKernelApp.extensions", "autograder.guard",
                "--IPKernelApp.extensions", "autograder.output_cap", *rest]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
