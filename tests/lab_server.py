"""A real JupyterLab server on a copy of a lesson, for the browser and Binder tests.

The server is `jupyter lab` in its own process group on a free localhost port with a token,
kept away from the user's own Jupyter settings; stop() ends it and its kernels together.
Shared by tests/test_browser.py, tests/test_binder.py and bench/binder.py.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
# The settings `make lab` gives a student's server (no nbgrader instructor UI, no dirty lesson).
STUDENT_CONFIG = REPO / "jupyter" / "student"
# The lessons with figures and a slider come first; any other lesson will do after them.
PREFERRED_LESSONS = ("03_add_mul_layers", "04_activation_layers")


# --- the course on disk -------------------------------------------------------------------

def course_root() -> Path:
    """The course directory; BPKIT_COURSE_ROOT points elsewhere while lessons are written."""
    return Path(os.environ.get("BPKIT_COURSE_ROOT", REPO))


def lessons_with_solutions(root: Path | None = None) -> list[str]:
    root = root or course_root()
    return sorted(
        p.parent.name for p in (root / "lessons").glob("*/*.ipynb")
        if p.stem == p.parent.name
        and (root / "solutions" / p.stem / f"{p.stem}.ipynb").exists()
    )


def pick_lesson(root: Path | None = None) -> str | None:
    """BPKIT_BROWSER_LESSON if set, else 03 or 04 if written, else the first lesson there is."""
    available = lessons_with_solutions(root)
    wanted = os.environ.get("BPKIT_BROWSER_LESSON")
    for name in ([wanted] if wanted else []) + list(PREFERRED_LESSONS) + available:
        if name in available:
            return name
    return None


def completed_lesson(lesson_nb: Path, solution_nb: Path) -> nbformat.NotebookNode:
    """The student's notebook with every blank filled in as the solution does.

    Each solution cell of the lesson (matched by nbgrader grade_id) gets the source of the
    same cell in solutions/; its metadata, and every other cell, stay the lesson's, so that
    nbgrader's checksums of locked cells still match.
    """
    lesson = nbformat.read(lesson_nb, as_version=4)
    solution = nbformat.read(solution_nb, as_version=4)
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in solution.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    filled = 0
    for cell in lesson.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers[meta["grade_id"]]
            filled += 1
    if not filled:
        raise ValueError(f"{lesson_nb} has no solution cells to fill in")
    return lesson


def stage_lesson(lesson: str, dest: Path, root: Path | None = None) -> tuple[Path, Path]:
    """Copy lessons/<lesson>/ into dest/<lesson>/ and add a completed copy beside the blank.

    Returns (blank, completed) paths relative to dest, as JupyterLab names them.
    """
    root = root or course_root()
    folder = dest / lesson
    shutil.copytree(root / "lessons" / lesson, folder)
    completed = folder / f"{lesson}_completed.ipynb"
    nbformat.write(
        completed_lesson(folder / f"{lesson}.ipynb",
                         root / "solutions" / lesson / f"{lesson}.ipynb"),
        completed,
    )
    return Path(lesson, f"{lesson}.ipynb"), completed.relative_to(dest)


# --- the server ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    proc: subprocess.Popen
    port: int
    token: str
    log: Path
    ready_at: float = 0.0  # time.monotonic() when /api/status first answered
    base: str = field(init=False)

    def __post_init__(self):
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def get(self, path: str, timeout: float = 10) -> tuple[int, str]:
        """(HTTP status, body) of a GET with the token."""
        req = urllib.request.Request(self.url(path))
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")

    def post(self, path: str, body: dict, timeout: float = 30) -> tuple[int, str]:
        """(HTTP status, body) of a JSON POST, authenticated by the token header."""
        req = urllib.request.Request(
            f"{self.base}/{path.lstrip('/')}", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """Stop the server and its kernels: they share its process group."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
            except ProcessLookupError:
                pass
        # Kernels that outlived a SIGTERM'd server are still in the group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _quiet_user_settings(settings_dir: Path) -> None:
    # No toast asking about Jupyter news (it would fetch from the internet and can cover the
    # toolbar); everything else is JupyterLab's default, as a student would have it.
    target = (settings_dir / "@jupyterlab" / "apputils-extension"
              / "notification.jupyterlab-settings")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def start_lab(root_dir: Path, state_dir: Path, jupyter: str | None = None,
              env: dict[str, str] | None = None, timeout: float = 120,
              student: bool = False) -> LabServer:
    """Start `jupyter lab` on a free port with a token; return once it answers requests.

    student: with the settings of `make lab` (jupyter/student/ on JUPYTER_CONFIG_PATH).
    """
    jupyter = jupyter or str(REPO / ".venv" / "bin" / "jupyter")
    state_dir.mkdir(parents=True, exist_ok=True)
    _quiet_user_settings(state_dir / "settings")
    env = dict(env or os.environ)
    # Keep this server away from the user's own Jupyter configuration and running servers.
    env.setdefault("JUPYTER_CONFIG_DIR", str(state_dir / "config"))
    env["JUPYTER_RUNTIME_DIR"] = str(state_dir / "runtime")
    if student:
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            [str(STUDENT_CONFIG)] + [p for p in [env.get("JUPYTER_CONFIG_PATH")] if p])
    port, token = free_port(), secrets.token_hex(16)
    log = state_dir / "lab.log"
    cmd = [
        jupyter, "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={state_dir / 'settings'}",
        f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
    ]
    if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses that unless told
        cmd.append("--allow-root")
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=root_dir, start_new_session=True)
    server = LabServer(proc, port, token, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text()[-3000:]
            raise RuntimeError(f"jupyter lab exited ({proc.returncode}):\n{tail}")
        try:
            if server.get("api/status", timeout=2)[0] == 200:
                server.ready_at = time.monotonic()
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise TimeoutError(f"jupyter lab did not answer in {timeout} s:\n{log.read_text()[-3000:]}")
