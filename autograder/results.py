"""What grading one submission produces: the rows of results.json and of ``DIR/.state/``.

Made by the worker (or the pool, for a notebook that ran out of time), stored by store.py,
written out by outputs.py, feedback.py and report.py. The schema is written down in
autograder/README.md ("results.json"); :meth:`Result.to_dict` is exactly that JSON.
"""

from dataclasses import asdict, dataclass, field, fields

STATUSES = ("graded", "flagged", "rejected", "error")


@dataclass
class TestResult:
    """One test cell of the lesson and what it scored."""

    __test__ = False  # not a pytest test class, despite its name

    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str = ""  # "<ename>: <last line of the error>", "" when passed
    mistake: str | None = None  # bpkit.checks' stable id, e.g. "affine.db_not_summed"


@dataclass
class WrittenAnswer:
    """A written (markdown) answer: a person grades it in nbgrader's formgrader."""

    grade_id: str
    max_points: float
    auto_score: float | None = None  # nbgrader's: 0 for an answer left unchanged, else None
    needs_manual_grade: bool = True


@dataclass
class Result:
    """One student's submission of one lesson."""

    student: str
    lesson: str
    status: str  # one of STATUSES
    reason: str = ""  # why it was flagged, rejected or failed; "" when graded
    score: float = 0.0
    max_score: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    written: list[WrittenAnswer] = field(default_factory=list)
    manual_points: float = 0.0  # points of written answers, not in max_score
    file: str = ""  # the submitted file, as the instructor named it
    late: bool = False
    sha256: str = ""  # of the submitted file
    lesson_sha: str = ""  # of the lesson's source when it was graded
    seconds: float | None = None
    recorded_in: str = ""  # the gradebook URL it was written into

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; one of {', '.join(STATUSES)}")

    @property
    def key(self):
        return self.student, self.lesson

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        """Read a stored result; keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["tests"] = [_make(TestResult, t) for t in data.get("tests", [])]
        values["written"] = [_make(WrittenAnswer, w) for w in data.get("written", [])]
        return cls(**values)


def _make(kind, data):
    known = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in data.items() if k in known})


def blank(student, lesson, status, reason, points, **extra):
    """A result scoring 0 on every test of ``points`` (grade_id -> max points), for a
    submission that could not be run."""
    tests = [TestResult(g, 0.0, p, False, "not run: " + reason) for g, p in points.items()]
    return Result(student, lesson, status, reason=reason, max_score=sum(points.values()),
                  tests=tests, **extra)
