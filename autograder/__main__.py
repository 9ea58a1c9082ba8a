"""Command line: ``python -m autograder grade ...`` and ``python -m autograder grade-me ...``.

Exit status: 0 when the batch ran (whatever the scores), 2 for a usage error (missing folder,
unknown lesson, unreadable zip), with the reason on stderr.
"""

import argparse
import os
import signal
import sys

# jsonschema (under nbformat) compiles a grammar for IRIs when it is imported and the optional
# rfc3987_syntax is installed: a second of every grading run on a 2-core machine. Neither
# nbformat's nor nbgrader's schemas have an IRI, so the grader does without that check.
sys.modules.setdefault("rfc3987_syntax", None)

from . import course  # noqa: E402
from .course import UsageError  # noqa: E402
from .lessons import UnknownLesson  # noqa: E402


def _parser():
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a class's submissions (instructors)")
    grade.add_argument("submissions", help="nbgrader submitted/ folder, or an LMS zip")
    grade.add_argument("--out", required=True, help="folder for grades.csv, results.json, "
                       "feedback/ and report.html")
    grade.add_argument("--lesson", action="extend", nargs="+", metavar="LESSON",
                       help="grade only these lessons (3, 03 or 03_add_mul_layers)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="notebooks graded at once (default: all cores)")
    grade.add_argument("--db-url", help="gradebook as an SQLAlchemy URL (default: sqlite file "
                       "gradebook.db in the --out folder); e.g. postgresql://user@host/course")
    grade.add_argument("--shard", metavar="K/N", help="grade only the K-th of N disjoint parts")
    grade.add_argument("--roster", help="CSV of the class (columns: see the guide); everyone on "
                       "it gets a row per lesson, 'missing' for work not handed in")
    grade.add_argument("--due", action="append", metavar="LESSON=DATE", help="due date of a "
                       "lesson, e.g. 03=2025-03-01T23:59+01:00 (default: the gradebook's)")
    grade.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    grade.add_argument("--pattern", help="file-name pattern of an LMS zip: canvas, moodle, or a "
                       "regular expression with a (?P<student>...) group (default: try both)")
    grade.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (60)")
    grade.add_argument("--notebook-timeout", type=int, default=600,
                       help="seconds per notebook (600)")
    grade.add_argument("--memory", type=int, default=2048, help="MB of memory per kernel (2048)")
    grade.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                       help="fence around each kernel: bwrap = bubblewrap (no network, sees only "
                       "Python, bpkit and its submission; a usage error where it cannot run), "
                       "none = the audit hook only, auto = bwrap where it runs (default)")
    grade.add_argument("--solutions", default=course.SOLUTIONS, help=argparse.SUPPRESS)

    me = commands.add_parser("grade-me", help="grade your own lesson notebook (learners)")
    me.add_argument("lesson", help="lesson number or folder name, e.g. 03")
    me.add_argument("notebook", nargs="?", help="notebook to grade (default: "
                    "lessons/<lesson>/<lesson>.ipynb)")
    me.add_argument("--solutions", default=course.SOLUTIONS, help=argparse.SUPPRESS)
    return parser


def _stop(signum, frame):
    """SIGTERM (a job scheduler, ``kill``) ends the run as Ctrl-C does: workers and kernels are
    stopped and everything graded so far is kept."""
    raise KeyboardInterrupt


def main(argv=None):
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    import warnings

    warnings.filterwarnings("ignore")  # nbgrader's and nbformat's deprecation chatter
    try:
        if args.command == "grade":
            from . import batch

            if args.jobs < 1:
                raise UsageError("--jobs must be at least 1")
            shard = batch.parse_shard(args.shard) if args.shard else None
            batch.grade(args.submissions, args.out, lessons=args.lesson, jobs=args.jobs,
                        db_url=args.db_url, shard=shard, force=args.force, pattern=args.pattern,
                        solutions=os.path.abspath(args.solutions),
                        cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                        memory_mb=args.memory, sandbox_mode=args.sandbox,
                        roster_path=args.roster, due=args.due)
        else:
            from .grade_me import format_result, grade_file

            result = grade_file(args.lesson, args.notebook,
                                solutions=os.path.abspath(args.solutions))
            print(format_result(result))
    except (UsageError, UnknownLesson) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: everything graded so far is kept; run the same command again to "
              "finish", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
