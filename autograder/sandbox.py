"""The grading kernel: an ordinary IPython kernel started inside a fence.

nbgrader starts kernels from a kernelspec; ours (written by :func:`write_kernelspec`) runs
``python -m autograder.sandbox -f CONNECTION_FILE`` instead of ipykernel directly -- inside
bubblewrap when the grader fences its kernels (see fence.py) -- so that before any student code
runs this module can

* become an unprivileged user of its own, when started fenced by a grader running as root
  (:data:`ENV_UID`), after opening the log and handing the user its working folder;
* cap memory (``RLIMIT_AS``), CPU seconds, the size of files the kernel may write and, fenced,
  the number of its processes, so a memory bomb meets a ``MemoryError``, an endless loop is
  stopped even if interrupts are ignored, and a fork bomb meets a refused ``fork``;
* install an audit hook (PEP 578; it cannot be removed from Python) that refuses to open, list or
  copy anything under the forbidden folders (``solutions/``, the grader's own course copy and
  gradebooks), refuses to start subprocesses, and notes each C library function (``open``,
  ``system``, ``connect``, ...) that student code looks up through ctypes: the hook cannot stop
  those calls (the fence does), but the grader names them;
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
ENV_UID = "BPKIT_GRADER_UID"
ENV_PROCESSES = "BPKIT_GRADER_PROCESSES"
ENV_FONTS = "BPKIT_GRADER_FONTS"
FILE_SIZE_MB = 100  # the largest file a kernel may write

# C library functions that reach outside the kernel; looking one up through ctypes is noted.
_LIBC_REACH = frozenset({
    "open", "open64", "openat", "openat64", "fopen", "fopen64", "creat", "creat64", "read",
    "opendir", "scandir", "stat", "readlink", "system", "popen", "fork", "vfork", "clone",
    "clone3", "execl", "execlp", "execle", "execv", "execve", "execvp", "execvpe", "posix_spawn",
    "posix_spawnp", "daemon", "setsid", "socket", "connect", "bind", "sendto", "syscall",
    "ptrace", "unlink", "rename", "chmod", "chown", "mount", "kill"})

# Events that start another program; that program would not carry our audit hook.
_SPAWN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                 "os.fork", "os.forkpty", "pty.spawn")
_PATH_EVENTS = ("open", "os.listdir", "os.scandir", "os.chdir", "shutil.copyfile",
                "shutil.copytree", "os.symlink", "os.link")


KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "MPLBACKEND": "agg", "PYTHONWARNINGS": "default"}


def kernel_argv():
    return [sys.executable, "-m", "autograder.sandbox", "-f", "{connection_file}"]


def write_kernelspec(jupyter_dir, argv=None):
    """Write our kernelspec under ``jupyter_dir/kernels`` (a folder put on JUPYTER_PATH).

    argv: the command that starts the kernel (default: unfenced, :func:`kernel_argv`). A fenced
    kernel is interrupted by a message: a signal to bwrap's process group would end bwrap.
    """
    spec_dir = os.path.join(jupyter_dir, "kernels", KERNEL_NAME)
    os.makedirs(spec_dir, exist_ok=True)
    spec = {
        "argv": argv or kernel_argv(),
        "display_name": "Python 3 (bpkit grader)",
        "language": "python",
        "interrupt_mode": "message" if argv else "signal",
        "env": KERNEL_ENV,
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
    # A flood written to disk instead of to the output is capped too. Python ignores SIGXFSZ:
    # a write past the limit fails with "File too large".
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_MB * 2**20, FILE_SIZE_MB * 2**20))
    # Processes and threads: only fenced, where the count is this kernel's alone (its own user,
    # or its own user namespace); unfenced it would count every process of the grader's user.
    processes = int(os.environ.get(ENV_PROCESSES, "0") or 0)
    if processes > 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


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
        if event == "ctypes.dlsym" and len(args) > 1 and str(args[1]) in _LIBC_REACH:
            log.write(event="ctypes", what=f"{args[1]}()")
            return
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


def _become_kernel_user(connection_file):
    """Fenced, with a grader running as root: become the kernel's own unprivileged user.

    That user gets the working folder (the submission's copy) and the folder of the connection
    file and sockets; it owns nothing else, so in the fence it can write nowhere else.
    """
    uid = int(os.environ.get(ENV_UID, "0") or 0)
    if os.geteuid() != 0 or uid <= 0:
        return
    for path in (os.getcwd(), os.path.dirname(connection_file), connection_file):
        os.chown(path, uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def _matplotlib_fonts():
    """Give matplotlib the grader's font list in a folder of the kernel's own (fenced: /tmp),
    so that it does not scan every font of the system at each kernel start (a second of CPU
    with Debian's CJK fonts). The list keeps its file name: matplotlib reads only
    fontlist-v<its version>.json, and rebuilds the list when that name is missing."""
    fonts = os.environ.get(ENV_FONTS)
    if not fonts or not os.path.exists(fonts):
        return
    folder = os.path.join(tempfile.gettempdir(), "matplotlib")
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(fonts, os.path.join(folder, os.path.basename(fonts)))
    os.environ["MPLCONFIGDIR"] = folder


def main(argv):
    """Fence this process, then become the IPython kernel (same process, so the hook stays)."""
    connection_file = argv[argv.index("-f") + 1]
    rest = [a for i, a in enumerate(argv) if a != "-f" and (i == 0 or argv[i - 1] != "-f")]
    log = _Log(os.environ.get(ENV_LOG))
    forbidden = [p for p in os.environ.get(ENV_FORBIDDEN, "").split(os.pathsep) if p]
    _become_kernel_user(connection_file)
    # The kernel's own stderr (not the cells': ipykernel captures those) would only clutter the
    # grader's progress bar.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    _set_limits()
    _matplotlib_fonts()
    # matplotlib runs fc-list the first time it runs for a user, to list the fonts: let it do
    # so now, or a student's first figure would be flagged "tried to start a program".
    import matplotlib.font_manager  # noqa: F401

    # Import what the guard protects before the hook is active and before student code runs.
    from autograder import guard

    guard.prepare(log)
    _install_audit_hook(forbidden, log, guard.armed)
    for var in (ENV_FORBIDDEN, ENV_LOG, ENV_UID, ENV_PROCESSES, ENV_FONTS):
        os.environ.pop(var, None)
    from ipykernel import kernelapp

    sys.argv = ["ipykernel", "-f", connection_file,
                "--IPKernelApp.extensions", "autograder.guard",
                "--IPKernelApp.extensions", "autograder.output_cap", *rest]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
