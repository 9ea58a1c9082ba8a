"""Two graders at once, each grading its shard of one class into one PostgreSQL gradebook.

The test starts a real PostgreSQL server (as the ``postgres`` user when run as root) on
127.0.0.1 in a temporary data folder. Without the server binaries it skips with a message on a
person's machine, and fails in CI (CI=true), where they must be installed.
"""

import csv
import glob
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest
from test_autograder import CASES, grade_args, toy

pytestmark = [pytest.mark.autograder, pytest.mark.postgres]

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _bin_dir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server with an empty database ``course``; yields its SQLAlchemy URL."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + " (required in CI)")
        pytest.skip(message)
    pytest.importorskip("psycopg2")
    # Not under pytest's tmp folder: that is private to root, and the server runs as postgres.
    root = pathlib.Path(tempfile.mkdtemp(prefix="bpkit-pg-"))
    data, sockets = root / "data", root / "run"
    data.mkdir()
    sockets.mkdir()
    run_as = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        import pwd

        entry = pwd.getpwnam("postgres")
        for path in (root, data, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(run_as + [f"{bin_dir}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres",
                             "--no-sync"], check=True, capture_output=True)
    subprocess.run(run_as + [f"{bin_dir}/pg_ctl", "-D", str(data), "-w", "-l", str(root / "log"),
                             "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -F",
                             "start"], check=True, capture_output=True)
    try:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                                      dbname="postgres")
        connection.autocommit = True
        connection.cursor().execute("CREATE DATABASE course")
        connection.close()
        yield f"postgresql://postgres@127.0.0.1:{port}/course"
    finally:
        subprocess.run(run_as + [f"{bin_dir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


EXPECTED = {f"{name}{i}": CASES[name] for name in ("correct", "partial", "blank") for i in range(4)}


@pytest.fixture(scope="module")
def shards(postgres, tmp_path_factory):
    """Shards 1/2 and 2/2 graded at the same time by two processes."""
    root = tmp_path_factory.mktemp("sharded")
    solutions = toy.make_course(str(root))
    submitted = root / "submitted"
    for student, (data, *_rest) in EXPECTED.items():
        folder = submitted / student / toy.LESSON
        folder.mkdir(parents=True)
        (folder / (toy.LESSON + ".ipynb")).write_bytes(data)
    processes = []
    for k in (1, 2):
        args = grade_args(submitted, root / f"out{k}", solutions, "unused", "--jobs", "1",
                          "--shard", f"{k}/2")
        args[args.index("--db-url") + 1] = postgres
        processes.append(subprocess.Popen([sys.executable, "-m", "autograder", *args], cwd=REPO,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True))
    outcomes = [p.communicate(timeout=600) for p in processes]
    return root, processes, outcomes


def test_both_shards_finish_with_status_0(shards):
    _, processes, outcomes = shards
    for process, (_, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err[:6000]


def test_shards_grade_disjoint_parts_that_cover_the_class(shards):
    root = shards[0]
    graded = []
    for k in (1, 2):
        with open(root / f"out{k}" / "grades.csv") as f:
            graded.append({r["student"] for r in csv.DictReader(f) if r["lesson"] == toy.LESSON})
    assert graded[0] and graded[1]
    assert not graded[0] & graded[1]
    assert graded[0] | graded[1] == set(EXPECTED)


def test_postgres_gradebook_has_every_grade_exactly_once(shards, postgres):
    from nbgrader.api import Gradebook

    from autograder.course import database_url

    with Gradebook(database_url(postgres)) as gb:
        submissions = gb.assignment_submissions(toy.LESSON)
        assert sorted(s.student.id for s in submissions) == sorted(EXPECTED)
        for s in submissions:
            assert s.score == EXPECTED[s.student.id][1], s.student.id
        rows = gb.db.execute(__import__("sqlalchemy").text(
            "SELECT count(*), count(DISTINCT (notebook_id, cell_id)) FROM grade")).one()
        assert rows[0] == rows[1] == len(EXPECTED) * 3  # three test cells per submission
