"""Long-lived worker processes that grade submissions, with a wall-clock limit per notebook.

Workers are forked once and keep nbgrader imported, so a notebook costs a kernel start and the
execution, not a new Python process. A worker whose submission runs past its deadline (a kernel
that ignores interrupts, a hung nbgrader) is killed with its kernel and replaced; that
submission is reported as timed out and the batch goes on.
"""

import multiprocessing
import multiprocessing.connection
import os
import time
import traceback
import warnings

from . import processes


def _serve(connection, settings):
    """Worker loop: receive a task, grade it, send back the result."""
    os.setpgrp()  # out of the terminal's group: Ctrl-C reaches the grader, which ends us
    processes.watch_parent()  # a killed grader takes its workers and kernels along
    warnings.filterwarnings("ignore")
    from . import worker

    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = worker.grade(task, settings)
        except Exception:  # an unforeseen failure is that submission's problem, not the batch's
            result = worker.blank_result(task, "error", "grader error: " +
                                         traceback.format_exc().strip().splitlines()[-1])
        connection.send(result)


class _Slot:
    def __init__(self, context, settings):
        self.parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.task = None
        self.deadline = None

    def kill(self):
        """End the worker and its kernels (each kernel is in a session of its own)."""
        processes.kill_tree(self.process.pid)
        self.process.join(5)


def _finished(slot, ready, notebook_timeout):
    """``(result, lost)`` of a busy slot, or ``(None, False)`` while it works on. ``lost`` means
    the worker is dead or stuck and must be replaced."""
    from . import worker

    if slot.parent in ready:
        try:
            return slot.parent.recv(), False
        except (EOFError, OSError):
            return worker.blank_result(slot.task, "error", "grader process died"), True
    if not slot.process.is_alive():
        return worker.blank_result(slot.task, "error", "grader process died"), True
    if time.monotonic() > slot.deadline:
        why = f"notebook took longer than {notebook_timeout:g} s"
        return worker.blank_result(slot.task, "error", why), True
    return None, False


def run(tasks, settings, jobs, notebook_timeout, on_result, on_running=None):
    """Grade ``tasks`` on ``jobs`` workers; calls ``on_result(task, result)`` in this process,
    and ``on_running([(task, seconds so far), ...])`` about twice a second."""
    context = multiprocessing.get_context("fork")
    pending = list(tasks)
    slots = [_Slot(context, settings) for _ in range(max(1, min(jobs, len(pending))))]
    try:
        while pending or any(s.task for s in slots):
            for slot in slots:
                if slot.task is None and pending:
                    slot.task = pending.pop(0)
                    slot.started = time.monotonic()
                    slot.deadline = slot.started + notebook_timeout
                    slot.parent.send(slot.task)
            ready = multiprocessing.connection.wait(
                [s.parent for s in slots if s.task], timeout=0.5)
            if on_running:
                now = time.monotonic()
                on_running([(s.task, now - s.started) for s in slots if s.task])
            for i, slot in enumerate(slots):
                if slot.task is None:
                    continue
                result, lost = _finished(slot, ready, notebook_timeout)
                if result is None:
                    continue
                task = slot.task
                if lost:
                    slot.kill()
                    slots[i] = _Slot(context, settings)
                else:
                    slot.task = None
                on_result(task, result)
    finally:
        for slot in slots:
            try:
                slot.parent.send(None)
            except (OSError, BrokenPipeError):
                pass
        for slot in slots:
            slot.process.join(2)
            if slot.process.is_alive():
                slot.kill()
