"""No process outlives the grader.

jupyter_client starts every kernel in a session of its own (so an interrupt reaches the whole
kernel), which puts kernels outside their worker's process group: killing a worker's group does
not end its kernels. So the grader ends process *trees*, found through ``/proc`` (Linux), and
each worker watches its parent: when the grader is gone -- SIGKILL, a crash, a job scheduler's
kill -- the worker ends its kernels and itself within a second.
"""

import os
import signal
import threading
import time
from collections import defaultdict


def descendants(pid):
    """Every process below ``pid`` (children, grandchildren ...), deepest last; [] where there
    is no ``/proc``."""
    children = defaultdict(list)
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:  # it ended meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name in () may hold spaces
        children[parent].append(int(entry))
    found, stack = [], [pid]
    while stack:
        below = children.get(stack.pop(), [])
        found += below
        stack += below
    return found


def kill_tree(pid):
    """SIGKILL ``pid``'s descendants and their process groups, then ``pid`` and its group."""
    for victim in reversed(descendants(pid)):
        _kill(victim)
    _kill(pid)


def _kill(pid):
    try:
        if os.getpgid(pid) == pid:  # it leads a group (a kernel's session): end all of it
            os.killpg(pid, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def watch_parent(interval=0.5):
    """In a worker: end this process and everything it started once its parent is gone."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        for victim in reversed(descendants(os.getpid())):
            _kill(victim)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
