"""A one-line progress bar on stderr: counts, elapsed time and an estimate of the time left."""

import sys
import time


class Progress:
    def __init__(self, total, stream=None, width=30):
        self.total, self.done, self.flagged = total, 0, 0
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def update(self, result):
        self.done += 1
        self.flagged += result.status != "graded"
        self.draw(final=self.done == self.total)

    def draw(self, final=False):
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        filled = int(self.width * self.done / self.total) if self.total else self.width
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} graded, "
                f"{self.flagged} flagged, {_clock(elapsed)} elapsed, {_clock(left)} left")
        # On a terminal, redraw in place; in a log file, one line per submission is clearer.
        if self.tty:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
