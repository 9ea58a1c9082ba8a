"""The fence around each grading kernel (bubblewrap), tried with submissions that go around
Python's audit hook through ctypes and the C library.

One class is graded once with ``python -m autograder grade --sandbox bwrap``: honest students,
and students whose answer cell reads the instructor's solutions and another student's notebook,
writes outside its folder, runs a shell command, sends text to a listener this test opens on
127.0.0.1, leaves a child behind, forks without end, or writes a file larger than the limit --
all with ctypes. The honest part of the class is graded again with ``--sandbox none``: the same
scores. Real bwrap, real kernels, real nbgrader.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import nbformat
import pytest
from test_autograder import CASES, grade_args, read_csv, toy

from autograder import fence

pytestmark = pytest.mark.autograder

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PYTHON = sys.executable
HONEST = ("correct", "partial", "blank", "stderr_warning", "sys_exit")

LIBC = "import ctypes, os, time\nlibc = ctypes.CDLL(None, use_errno=True)\n"
READ = LIBC + '''
def c_read(path):
    fd = libc.open(path.encode(), 0)
    if fd < 0:
        return None
    buffer = ctypes.create_string_buffer(4 << 20)
    size = libc.read(fd, buffer, len(buffer))
    libc.close(fd)
    return buffer.raw[:max(size, 0)].decode(errors="replace")

for path in {paths!r}:
    text = c_read(path)
    print("read", path, "->", "nothing" if text is None else len(text))
    if text:
        for cell in __import__("json").loads(text)["cells"]:
            if "def square" in "".join(cell["source"]):
                exec("".join(cell["source"]))
'''
WRITE = LIBC + '''
for path in {paths!r}:
    fd = libc.open(path.encode(), 0o1 | 0o100, 0o644)  # O_WRONLY | O_CREAT
    print("open", path, "->", fd)
    if fd >= 0:
        libc.write(fd, b"escaped", 7)
        libc.close(fd)
''' + toy.SQUARE_SOLUTION
SYSTEM = LIBC + '''
status = libc.system({command!r}.encode())
print("system ->", status)
''' + toy.SQUARE_SOLUTION
CONNECT = LIBC + '''
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"answers leak")
    print("python connect: sent")
except OSError as error:
    print("python connect:", error)
fd = libc.socket(2, 1, 0)  # AF_INET, SOCK_STREAM
address = bytes([2, 0]) + ({port}).to_bytes(2, "big") + bytes([127, 0, 0, 1]) + bytes(8)
print("libc connect ->", libc.connect(fd, address, 16))
''' + toy.SQUARE_SOLUTION
# The child leaves the kernel's session and keeps writing a file, for a minute.
OUTLIVE = LIBC + '''
if libc.fork() == 0:
    libc.setsid()
    for _ in range(60):
        fd = libc.open({path!r}.encode(), 0o1 | 0o100, 0o644)
        if fd >= 0:
            libc.write(fd, b"still here", 10)
            libc.close(fd)
        libc.sleep(1)
    libc._exit(0)
''' + toy.SQUARE_SOLUTION
# Every process forks for three seconds; a child that is done waits. The kernel then counts the
# processes of its fence.
FORK_BOMB = LIBC + '''
me = libc.getpid()
refused = 0
end = time.monotonic() + 3
while time.monotonic() < end:
    if libc.fork() < 0:
        refused += 1
if libc.getpid() != me:
    libc.pause()
    libc._exit(0)
time.sleep(1)  # the last children settle
print("processes:", sum(name.isdigit() for name in os.listdir("/proc")))
''' + toy.SQUARE_SOLUTION
HUGE_FILE = '''
chunk = b"x" * 2**20
try:
    with open("huge.bin", "wb") as f:
        for _ in range(300):
            f.write(chunk)
except OSError as error:
    print("write stopped:", error)
''' + toy.SQUARE_SOLUTION


def bwrap_problem():
    return fence.problem()


needs_bwrap = pytest.mark.skipif(
    bwrap_problem() is not None,
    reason=f"the fence needs bubblewrap (apt-get install bubblewrap): {bwrap_problem()}")


class Listener:
    """A TCP listener on 127.0.0.1 that records whatever reaches it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.received, self.connections = [], 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(1000))
                except OSError:
                    pass

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        self.server.close()


def write_notebook(submitted, student, data):
    folder = submitted / student / toy.LESSON
    folder.mkdir(parents=True)
    (folder / (toy.LESSON + ".ipynb")).write_bytes(data)
    return str(folder / (toy.LESSON + ".ipynb"))


def kernels_of(grader_pid):
    """Processes of a grader run's kernels (their command line names the run's scratch)."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if f"bpkit-grade-{grader_pid}-".encode() in cmdline:
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found


@pytest.fixture(scope="module")
def fenced(tmp_path_factory):
    """The hostile class graded with --sandbox bwrap: (paths, stderr, listener)."""
    if bwrap_problem() is not None:
        pytest.skip(f"the fence needs bubblewrap (apt-get install bubblewrap): {bwrap_problem()}")
    root = tmp_path_factory.mktemp("fenced")
    solutions = toy.make_course(str(root))
    submitted = root / "submitted"
    outside = root / "outside"
    outside.mkdir()
    for student in HONEST:
        write_notebook(submitted, student, CASES[student][0])
    other = str(submitted / "correct" / toy.LESSON / (toy.LESSON + ".ipynb"))
    source = os.path.join(solutions, toy.LESSON, toy.LESSON + ".ipynb")
    listener = Listener()
    nb = toy.notebook_bytes
    hostile = {
        "reads_solutions_libc": READ.format(paths=[
            source, "../../../source/03_toy/03_toy.ipynb", str(REPO) + "/solutions/x.ipynb"]),
        "reads_other_student_libc": READ.format(paths=[other]),
        "writes_outside_libc": WRITE.format(paths=[
            str(outside / "escaped.txt"), os.path.dirname(other) + "/escaped.txt",
            "/dev/shm/bpkit-escaped.txt", "/tmp/escaped.txt"]),
        "runs_system": SYSTEM.format(command=f"cat {source} > {outside}/leak.txt; "
                                     f"echo hi > {outside}/shell.txt"),
        "connects_out": CONNECT.format(port=listener.port),
        "outlives_kernel": OUTLIVE.format(path=str(outside / "child.txt")),
        "fork_bomb": FORK_BOMB,
        "huge_file": HUGE_FILE,
    }
    for student, answer in hostile.items():
        write_notebook(submitted, student, nb(toy.submission(square=answer)))
    out, db = root / "out", root / "gradebook.db"
    args = grade_args(submitted, out, solutions, db, "--jobs", "2", "--sandbox", "bwrap")
    # The fork bomb's processes compute for 3 s beside an honest kernel; a 4 s cell limit would
    # make that kernel's timing part of the test.
    args[args.index("--cell-timeout") + 1] = "30"
    process = subprocess.Popen(
        [PYTHON, "-m", "autograder", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, stderr = process.communicate(timeout=900)
    time.sleep(2)  # what a child left behind would write by now
    listener.close()
    paths = {"root": root, "solutions": solutions, "submitted": submitted, "out": out,
             "outside": outside, "db": db, "pid": process.pid, "status": process.returncode}
    yield paths, stderr, listener
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def rows(fenced):
    paths, stderr, _ = fenced
    assert paths["status"] == 0, stderr[-3000:]
    return {r["student"]: r for r in read_csv(paths["out"]) if r["lesson"] == toy.LESSON}


def answer_output(paths, student):
    """What the square answer cell printed, from the graded notebook the grader keeps."""
    graded = nbformat.read(str(paths["out"] / "autograded" / student / toy.LESSON /
                               (toy.LESSON + ".ipynb")), as_version=4)
    cell = next(c for c in graded.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "square")
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


@needs_bwrap
def test_the_whole_class_is_graded_and_honest_students_get_their_marks(rows):
    assert len(rows) == len(HONEST) + 8
    for student in HONEST:
        assert float(rows[student]["score"]) == CASES[student][1], rows[student]
    assert rows["correct"]["status"] == "graded"


@needs_bwrap
@pytest.mark.parametrize("student", ["reads_solutions_libc", "reads_other_student_libc"])
def test_reading_solutions_or_another_notebook_with_libc_finds_nothing(fenced, rows, student):
    """Had it read the file, its square() would come from there and pass (4 of 4)."""
    assert rows[student]["score"] == "3", rows[student]
    assert rows[student]["status"] == "flagged"
    assert "called the C library through ctypes: open()" in rows[student]["reason"]
    printed = answer_output(fenced[0], student)
    assert "-> nothing" in printed and "-> 1" not in printed and "-> 2" not in printed


@needs_bwrap
def test_writing_outside_its_folder_with_libc_leaves_nothing_on_the_machine(fenced, rows):
    paths = fenced[0]
    assert rows["writes_outside_libc"]["score"] == "4"
    assert "C library" in rows["writes_outside_libc"]["reason"]
    assert os.listdir(paths["outside"]) == []
    assert not os.path.exists(paths["submitted"] / "correct" / toy.LESSON / "escaped.txt")
    assert not os.path.exists("/dev/shm/bpkit-escaped.txt")
    assert not os.path.exists("/tmp/escaped.txt")


@needs_bwrap
def test_a_shell_command_through_libc_system_reaches_nothing(fenced, rows):
    paths = fenced[0]
    assert rows["runs_system"]["score"] == "4"
    assert "system()" in rows["runs_system"]["reason"]
    assert not os.path.exists(paths["outside"] / "leak.txt")
    assert not os.path.exists(paths["outside"] / "shell.txt")


@needs_bwrap
def test_nothing_reaches_a_listener_on_localhost(fenced, rows):
    _, _, listener = fenced
    assert rows["connects_out"]["score"] == "4"
    assert (listener.connections, listener.received) == (0, [])
    printed = answer_output(fenced[0], "connects_out")
    assert "python connect: sent" not in printed


@needs_bwrap
def test_a_child_that_leaves_the_kernels_session_ends_with_the_kernel(fenced, rows):
    paths = fenced[0]
    assert rows["outlives_kernel"]["score"] == "4"
    assert "fork()" in rows["outlives_kernel"]["reason"]
    assert not os.path.exists(paths["outside"] / "child.txt")
    assert kernels_of(paths["pid"]) == []


@needs_bwrap
def test_a_fork_bomb_meets_the_process_limit_and_the_notebook_goes_on(fenced, rows):
    assert rows["fork_bomb"]["score"] == "4", rows["fork_bomb"]
    printed = answer_output(fenced[0], "fork_bomb")
    processes = int(printed.split("processes:")[1].split()[0])  # in the fence's /proc
    assert 10 < processes <= fence.PROCESSES  # the limit held; without it: thousands


@needs_bwrap
def test_a_file_larger_than_the_limit_is_cut_off(fenced, rows):
    assert rows["huge_file"]["score"] == "4"
    assert "write stopped: [Errno 27] File too large" in answer_output(fenced[0], "huge_file")


@needs_bwrap
def test_results_json_and_report_say_the_kernels_were_fenced(fenced, rows):
    out = fenced[0]["out"]
    with open(out / "results.json") as f:
        assert json.load(f)["fence"] == "each kernel ran fenced by bubblewrap"
    assert "fenced by bubblewrap" in (out / "report.html").read_text()


@needs_bwrap
def test_honest_submissions_score_the_same_without_the_fence(fenced, rows, tmp_path):
    paths = fenced[0]
    for student in HONEST:
        write_notebook(tmp_path / "submitted", student, CASES[student][0])
    done = subprocess.run(
        [PYTHON, "-m", "autograder", *grade_args(tmp_path / "submitted", tmp_path / "out",
                                                 paths["solutions"], tmp_path / "gb.db",
                                                 "--jobs", "2", "--sandbox", "none")],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    unfenced = {r["student"]: r for r in read_csv(tmp_path / "out") if r["lesson"] == toy.LESSON}
    for student in HONEST:
        assert (unfenced[student]["score"], unfenced[student]["status"]) == \
            (rows[student]["score"], rows[student]["status"]), student
    with open(tmp_path / "out" / "results.json") as f:
        assert "audit hook only" in json.load(f)["fence"]


def test_asking_for_bwrap_where_there_is_none_is_a_usage_error(tmp_path):
    """The fence cannot be had: --sandbox bwrap stops at once, auto says so and grades."""
    root = tmp_path / "class"
    solutions = toy.make_course(str(root))
    write_notebook(root / "submitted", "correct", CASES["correct"][0])
    args = grade_args(root / "submitted", tmp_path / "out", solutions, tmp_path / "gb.db")
    no_bwrap = dict(os.environ, PATH=str(tmp_path / "empty"))
    refused = subprocess.run([PYTHON, "-m", "autograder", *args, "--sandbox", "bwrap"], cwd=REPO,
                             capture_output=True, text=True, timeout=300, env=no_bwrap)
    assert refused.returncode == 2
    assert "--sandbox bwrap: bwrap (Debian's package bubblewrap) is not installed" in \
        refused.stderr
    assert "Traceback" not in refused.stderr
    auto = subprocess.run([PYTHON, "-m", "autograder", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env=no_bwrap)
    assert auto.returncode == 0, auto.stderr[-2000:]
    assert auto.stderr.count("warning: no fence: bwrap (Debian's package bubblewrap) is not "
                             "installed") == 1
    assert [r["score"] for r in read_csv(tmp_path / "out") if r["lesson"] == toy.LESSON] == ["4"]
    with open(tmp_path / "out" / "results.json") as f:
        assert json.load(f)["fence"].startswith("no fence: bwrap")
    assert "no fence: bwrap" in (tmp_path / "out" / "report.html").read_text()


def test_a_fenced_kernel_reads_the_graders_font_list_instead_of_scanning_every_font(
        tmp_path, monkeypatch):
    """Each fenced kernel got the font list under a name matplotlib does not read, and scanned
    every system font again (fc-list and all of Debian's CJK fonts, at every kernel start)."""
    from autograder import sandbox

    graders = fence.font_list()
    assert graders, "the grader's matplotlib has a font list"
    inside = tmp_path / fence.fonts_in_fence(graders).lstrip("/")  # as the fence shows it
    inside.parent.mkdir(parents=True)
    shutil.copyfile(graders, inside)
    monkeypatch.setenv(sandbox.ENV_FONTS, str(inside))
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "kernel-tmp"))
    sandbox._matplotlib_fonts()
    cache = os.environ["MPLCONFIGDIR"]
    before = {name: os.stat(os.path.join(cache, name)).st_mtime_ns for name in os.listdir(cache)}
    # The kernel's first use of matplotlib, with no fc-list on PATH to scan fonts with.
    kernel = subprocess.run(
        [PYTHON, "-c", "import matplotlib.font_manager as fm; print(len(fm.fontManager.ttflist))"],
        env=dict(os.environ, PATH=str(tmp_path / "empty")), capture_output=True, text=True,
        timeout=120)
    assert kernel.returncode == 0, kernel.stderr
    after = {name: os.stat(os.path.join(cache, name)).st_mtime_ns for name in os.listdir(cache)}
    assert after == before, f"matplotlib wrote a font list of its own: {sorted(after)}"
    with open(graders) as f:
        assert int(kernel.stdout) == len(json.load(f)["ttflist"])
