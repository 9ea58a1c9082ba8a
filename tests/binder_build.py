"""Build the course's Binder environment the way repo2docker does, without Docker.

repo2docker copies the repository into the image, makes an environment with the Python of
``binder/runtime.txt``, installs the Debian packages of ``binder/apt.txt``, runs ``pip install -r
binder/requirements.txt`` and then ``binder/postBuild`` from the repository root as the notebook
user. We do the same with a fresh venv and a private home directory, so that nothing from this
machine's .venv or the user's own Jupyter settings leaks into the result; the apt packages are
this machine's own (see ``missing_apt_packages``). Used by tests/test_binder.py and
bench/binder.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class BinderEnv:
    root: Path  # everything below lives here
    repo: Path  # the copy of the repository the image would hold
    venv: Path
    home: Path

    def env(self) -> dict[str, str]:
        """Environment variables of a process running inside the built image."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "JUPYTER"))}
        # Keep pip's download cache across builds (it lives in the real home) so that a
        # rebuild downloads nothing; everything else goes to the image's own home.
        env["PIP_CACHE_DIR"] = str(Path.home() / ".cache" / "pip")
        env.update(
            HOME=str(self.home),
            VIRTUAL_ENV=str(self.venv),
            PATH=f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            PYTHONNOUSERSITE="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
        )
        env.pop("MPLBACKEND", None)  # as on Binder: no plotting backend forced from outside
        return env

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 600):
        """Run a command inside the environment; return the CompletedProcess (text)."""
        return subprocess.run(
            list(args),
            cwd=cwd or self.repo,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def runtime_python() -> str:
    """The interpreter binder/runtime.txt asks for (python-3.11 -> a python3.11 on PATH)."""
    text = (REPO / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", text)
    if not match:
        raise ValueError(f"binder/runtime.txt should read like 'python-3.11', not {text!r}")
    major, minor = int(match[1]), int(match[2])
    if sys.version_info[:2] == (major, minor):
        # sys.executable may be a venv's python; a venv made from it still works.
        return sys.executable
    found = shutil.which(f"python{major}.{minor}")
    if not found:
        raise FileNotFoundError(f"binder/runtime.txt asks for Python {major}.{minor}; none on PATH")
    return found


def copy_repository(dest: Path) -> None:
    """Copy what a clone would hold: tracked files plus new, not-ignored ones (work in progress)."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode()
    for rel in filter(None, listing.split("\0")):
        src = REPO / rel
        if src.is_file():  # skips files deleted in the work tree but still tracked
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _check(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} failed with exit code {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
        )


def apt_packages() -> list[str]:
    """The Debian packages binder/apt.txt asks repo2docker for (comments and blanks left out)."""
    path = REPO / "binder" / "apt.txt"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [name for line in lines if (name := line.partition("#")[0].strip())]


def missing_apt_packages() -> list[str]:
    """binder/apt.txt's packages this machine lacks. repo2docker installs them before
    postBuild; without Docker the build here uses the machine's own, so they must be there."""
    if shutil.which("dpkg-query") is None:
        return apt_packages()
    missing = []
    for name in apt_packages():
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name],
                              capture_output=True, text=True)
        if "install ok installed" not in proc.stdout:
            missing.append(name)
    return missing


def build(root: Path) -> BinderEnv:
    """Build the environment under ``root`` (an empty or missing directory)."""
    be = BinderEnv(root=root, repo=root / "repo", venv=root / "venv", home=root / "home")
    be.home.mkdir(parents=True)
    copy_repository(be.repo)
    _check(be.run(runtime_python(), "-m", "venv", str(be.venv), cwd=root), "creating the venv")
    _check(be.run(be.bin("python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"),
           "upgrading pip")
    _check(be.run(be.bin("python"), "-m", "pip", "install", "--quiet",
                  "-r", "binder/requirements.txt"), "pip install -r binder/requirements.txt")
    postbuild = be.repo / "binder" / "postBuild"
    if postbuild.exists():
        _check(be.run(str(postbuild)), "binder/postBuild")
    return be


def installed_size(path: Path) -> int:
    """Bytes on disk, as `du -sk` counts them."""
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) * 1024
