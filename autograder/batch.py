"""The instructor's grading command: every submission of a class, in parallel, into a gradebook.

1. find the submissions (folder or LMS zip), keep this shard's share, skip what is already
   graded with the same file hash (unless ``force``);
2. make sure the class gradebook knows each lesson (nbgrader generate_assignment), and make a
   private template gradebook per lesson for the workers;
3. grade on ``jobs`` worker processes (see pool.py, worker.py); as each result arrives, this
   process stores it (store.py) and writes it into the class gradebook -- the only writer;
4. write grades.csv, results.json, feedback pages and report.html from everything stored.
"""

import hashlib
import os
import shutil
import sys
import tempfile
from collections import defaultdict

from . import course, feedback, fence, late, outputs, pool, report, roster, sandbox, submissions
from . import lessons as registry
from .course import UsageError
from .gradebook import ClassGradebook
from .pages import plural
from .progress import Progress
from .results import Result
from .store import Store
from .worker import file_sha256


def parse_shard(text):
    """``"2/4"`` -> (2, 4); shards are numbered from 1."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except (ValueError, AttributeError):
        raise UsageError(f"--shard must look like K/N (e.g. 1/4), not {text!r}") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be between 1 and N")
    return k, n


def in_shard(student, lesson, shard):
    """Stable across machines and runs: a hash of student and lesson, not Python's hash()."""
    if shard is None:
        return True
    k, n = shard
    digest = hashlib.sha256(f"{student}/{lesson}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def lesson_by_content(path, signatures):
    """The lesson a notebook with an unhelpful file name belongs to, judged by its grade_ids."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # not a notebook at all: it stays unknown and is reported as such
        return None
    ids = set(course.grade_ids(nb))
    best = max(signatures.items(), key=lambda item: len(item[1] & ids), default=(None, set()))
    return best[0] if best[1] & ids else None


def _unknown_result(entry):
    return Result(entry["student"], "unknown", "rejected",
                  reason=f"no known lesson in the file name {entry['unknown_lesson']!r}",
                  file=entry.get("display", ""), late=entry.get("late", False))


def grade(submissions_path, out_dir, lessons=None, jobs=None, db_url=None, shard=None,
          force=False, pattern=None, solutions=course.SOLUTIONS, cell_timeout=60,
          notebook_timeout=600, memory_mb=2048, stream=None, sandbox_mode="auto",
          roster_path=None, due=None):
    """Grade a batch; returns every stored result of ``out_dir``. Raises UsageError on misuse.

    sandbox_mode: "auto" (fence each kernel with bubblewrap when it works here), "bwrap" (the
    same, but a machine without it is a usage error) or "none" (the audit hook only).
    """
    stream = stream or sys.stderr
    fenced, fence_note = fence.decide(sandbox_mode)
    if not fenced and sandbox_mode == "auto":
        print(f"warning: {fence_note}", file=stream)
    available = registry.all_lessons(course.course_root(solutions))
    if not available:
        raise UsageError(f"no lessons found in {solutions}")
    chosen = [registry.resolve_lesson(spec, course.course_root(solutions))
              for spec in lessons] if lessons else available
    numbers = {name.split("_", 1)[0]: name for name in available}
    if not os.path.exists(submissions_path):
        raise UsageError(f"submissions not found: {submissions_path} does not exist")
    class_ids = roster.read_roster(roster_path) if roster_path else []
    os.makedirs(out_dir, exist_ok=True)
    store = Store(out_dir)
    found = submissions.collect(submissions_path, numbers, pattern,
                                inbox=os.path.join(out_dir, ".inbox"))

    signatures = course.lesson_signatures(solutions)
    db_url = course.database_url(db_url or course.default_db_url(out_dir))
    due_dates = late.due_dates(db_url, chosen, due)
    lesson_sha = {name: file_sha256(course.source_notebook(name, solutions)) for name in chosen}
    todo, unrecorded, skipped = [], [], 0
    for entry in found:
        if entry["lesson"] is None:
            entry["lesson"] = lesson_by_content(entry["path"], signatures)
        if entry["lesson"] is None:
            if not lessons and in_shard(entry["student"], "unknown", shard):
                store.put(_unknown_result(entry))
            continue
        if entry["lesson"] not in chosen or not in_shard(entry["student"], entry["lesson"], shard):
            continue
        entry["sha256"] = file_sha256(entry["path"])
        entry["lesson_sha"] = lesson_sha[entry["lesson"]]
        previous = store.get(entry["student"], entry["lesson"])
        # Unchanged means: same submission file, and the same lesson source (tests included).
        if previous and not force and (previous.sha256, previous.lesson_sha) == (
                entry["sha256"], entry["lesson_sha"]):
            skipped += 1
            if previous.recorded_in != db_url:
                unrecorded.append(previous)  # graded, but not (yet) in this gradebook
            continue
        entry["source"] = course.source_notebook(entry["lesson"], solutions)
        entry["seconds_late"] = late.seconds_late(entry.get("timestamp"),
                                                  due_dates.get(entry["lesson"]))
        entry["late"] = entry.get("late", False) or entry["seconds_late"] > 0
        todo.append(entry)

    print(f"{plural(len(found), 'file')} found, {len(todo)} to grade, {skipped} unchanged since "
          f"the last run" + (f" (shard {shard[0]}/{shard[1]})" if shard else ""), file=stream)
    if unrecorded:
        print(f"{len(unrecorded)} graded before but missing from the gradebook: recording them",
              file=stream)
    if todo or unrecorded:
        limits = {"cell_timeout": cell_timeout, "notebook_timeout": notebook_timeout,
                  "memory_mb": memory_mb, "signatures": signatures, "fenced": fenced,
                  "fonts": fence.font_list() if fenced else None}
        _grade_all(todo, unrecorded, out_dir, store, jobs, db_url, solutions, submissions_path,
                   stream, limits)
    _collect_manual_grades(store, db_url)
    results = store.all()
    graded_lessons = sorted(set(chosen if lessons else []) |
                            {r.lesson for r in results if r.lesson in available})
    students = roster.class_list(class_ids, gradebook_students(db_url), results)
    results = roster.with_missing(results, students, graded_lessons,
                                  course.lesson_maxima(graded_lessons, solutions),
                                  owns=lambda student, lesson: in_shard(student, lesson, shard))
    write_outputs(results, out_dir, fence_note)
    print_summary(results, stream)
    return results


def _collect_manual_grades(store, db_url):
    """Grades a person gave written answers in nbgrader's formgrader, into the stored results."""
    waiting = [r for r in store.all() if r.written and r.recorded_in == db_url]
    if not waiting:
        return
    gradebook = ClassGradebook(db_url)
    try:
        for result in waiting:
            if gradebook.manual_grades(result):
                store.put(result)
    finally:
        gradebook.close()


def gradebook_students(db_url):
    """The students nbgrader's gradebook knows (none when there is no gradebook yet)."""
    if db_url.startswith("sqlite:///") and not os.path.exists(db_url[len("sqlite:///"):]):
        return []
    from .gradebook import ClassGradebook

    gradebook = ClassGradebook(db_url)
    try:
        return [student.id for student in gradebook.gb.students]
    finally:
        gradebook.close()


def _grade_all(todo, unrecorded, out_dir, store, jobs, db_url, solutions, submissions_path,
               stream, limits):
    needed = sorted({t["lesson"] for t in todo} | {r.lesson for r in unrecorded})
    _remove_stale_scratch(course.fast_temp_dir() or tempfile.gettempdir())
    with tempfile.TemporaryDirectory(prefix=f"bpkit-grade-{os.getpid()}-",
                                     dir=course.fast_temp_dir(),
                                     ignore_cleanup_errors=True) as scratch:
        os.chmod(scratch, 0o711)
        templates = _templates(sorted({t["lesson"] for t in todo}), out_dir, solutions)
        gradebook = ClassGradebook(db_url)
        for lesson in needed:
            gradebook.ensure_lesson(lesson, solutions)
        for task in todo:
            task["template"] = templates[task["lesson"]]

        def record(result):
            gradebook.record(result)
            result.recorded_in = db_url
            store.put(result)

        jupyter = os.path.join(scratch, "jupyter")
        sandbox.write_kernelspec(jupyter)
        forbidden = [solutions, course.SOLUTIONS, out_dir, submissions_path]
        if db_url.startswith("sqlite:///"):
            forbidden.append(db_url[len("sqlite:///"):])
        settings = dict(limits, scratch=scratch, jupyter_path=jupyter,
                        forbidden=course.safe_to_forbid(forbidden),
                        keep_autograded=os.path.join(out_dir, "autograded"))
        progress = Progress(len(todo), stream)

        penalty = late.Policy()

        def on_result(task, result):
            result.lesson_sha = task["lesson_sha"]
            penalty.apply(result, task.get("seconds_late", 0.0), task.get("timestamp"))
            store.put(result)  # first, so an interruption right after loses nothing
            record(result)
            progress.update(result)

        try:
            for result in unrecorded:
                record(result)
            if todo:
                pool.run(todo, settings, jobs or os.cpu_count() or 1, limits["notebook_timeout"],
                         on_result, progress.running)
        finally:
            gradebook.close()


def _remove_stale_scratch(folder):
    """Scratch courses of graders that were killed (their process is gone) hold copies of the
    solutions and fill memory-backed /dev/shm; remove them."""
    for name in os.listdir(folder):
        parts = name.split("-")
        if name.startswith("bpkit-grade-") and len(parts) > 3 and parts[2].isdigit():
            try:
                os.kill(int(parts[2]), 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(folder, name), ignore_errors=True)
            except PermissionError:
                pass  # alive, someone else's


def _templates(lessons, out_dir, solutions):
    """A sqlite gradebook per lesson that knows its source cells; cached by the source's hash."""
    folder = os.path.join(out_dir, ".templates")
    os.makedirs(folder, exist_ok=True)
    paths = {}
    for lesson in lessons:
        digest = file_sha256(course.source_notebook(lesson, solutions))[:16]
        path = os.path.join(folder, f"{lesson}-{digest}.db")
        if not os.path.exists(path):
            tmp = path + f".{os.getpid()}.tmp"
            course.register_lesson(lesson, course.sqlite_url(tmp), solutions=solutions)
            os.replace(tmp, path)
        paths[lesson] = path
    return paths


def write_outputs(results, out_dir, fence_note=None):
    """fence_note: what protected this run's kernels (see fence.decide), said in results.json
    and report.html."""
    outputs.write_csv(results, os.path.join(out_dir, "grades.csv"))
    outputs.write_json(results, os.path.join(out_dir, "results.json"), fence_note)
    feedback.write_all(results, out_dir)
    if results:
        report.write(results, os.path.join(out_dir, "report.html"), fence_note)


def print_summary(results, stream):
    rows = defaultdict(lambda: defaultdict(int))
    means = defaultdict(list)
    for r in results:
        rows[r.lesson][r.status] += 1
        if r.max_score and r.status != "missing":
            means[r.lesson].append(100.0 * r.score / r.max_score)
    header = (f"{'lesson':<28}{'total':>6}{'graded':>8}{'flagged':>9}{'rejected':>10}"
              f"{'error':>7}{'mean %':>8}{'missing':>9}")
    print(header, file=stream)
    print("-" * len(header), file=stream)
    for lesson in sorted(rows):
        c = rows[lesson]
        mean = sum(means[lesson]) / len(means[lesson]) if means[lesson] else 0.0
        print(f"{lesson:<28}{sum(c.values()) - c['missing']:>6}{c['graded']:>8}{c['flagged']:>9}"
              f"{c['rejected']:>10}{c['error']:>7}{mean:>8.1f}{c['missing']:>9}", file=stream)
    stream.flush()

