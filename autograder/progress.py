"""A one-line progress bar on stderr: counts, elapsed time, an estimate of the time left, and
what is being graded right now and for how long (so a notebook stuck in a loop shows)."""

import sys
import time

STILL_RUNNING_EVERY = 15  # seconds between "still running" lines in a log file


class Progress:
    def __init__(self, total, stream=None, width=30):
        self.total, self.done, self.flagged = total, 0, 0
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self.busy = []  # (task, seconds) being graded
        self._told = {}  # task key -> how many "still running" lines were written

    def update(self, result):
        self.done += 1
        self.flagged += result.status != "graded"
        self.draw(final=self.done == self.total)

    def running(self, busy):
        """What the workers are grading now: ``[(task, seconds so far), ...]``."""
        self.busy = busy
        if self.tty:
            self.draw()
            return
        for task, seconds in busy:
            key = (task["student"], task["lesson"])
            if seconds >= STILL_RUNNING_EVERY * (self._told.get(key, 0) + 1):
                self._told[key] = int(seconds // STILL_RUNNING_EVERY)
                self.stream.write(f"still running: {task['student']} {task['lesson']} for "
                                  f"{_clock(seconds)}\n")
                self.stream.flush()

    def draw(self, final=False):
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        filled = int(self.width * self.done / self.total) if self.total else self.width
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} graded, "
                f"{self.flagged} flagged, {_clock(elapsed)} elapsed, {_clock(left)} left")
        # On a terminal, redraw in place; in a log file, one line per submission is clearer.
        if self.tty:
            now = "" if final else "; now: " + ", ".join(
                f"{t['student']} {t['lesson'][:2]} {_clock(s)}" for t, s in self.busy)
            self.stream.write("\r\x1b[K" + line + (now if self.busy else "") +
                              ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
