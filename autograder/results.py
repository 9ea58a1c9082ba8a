"""What grading one submission produces: the rows of results.json and of ``DIR/.state/``.

Made by the worker (or the pool, for a notebook that ran out of time), stored by store.py,
written out by outputs.py, feedback.py and report.py. The schema is written down in
autograder/README.md ("results.json"); :meth:`Result.to_dict` is exactly that JSON.
"""

from dataclasses import asdict, dataclass, field, fields

STATUSES = ("graded", "flagged", "rejected", "error", "missing")


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
    manual_score: float | None = None  # given by a person in the formgrader

    @property
    def points(self):
        """What it counts now: the person's grade, else nbgrader's automatic 0, else 0."""
        if self.manual_score is not None:
            return float(self.manual_score)
        return float(self.auto_score or 0.0)

    @property
    def pending(self):
        return self.needs_manual_grade and self.manual_score is None


@dataclass
class Result:
    """One student's submission of one lesson."""

    student: str
    lesson: str
    status: str  # one of STATUSES
    reason: str = ""  # why it was flagged, rejected or failed; "" when graded
    score: float = 0.0  # tests passed, plus written answers graded so far
    max_score: float = 0.0  # every test and every written answer
    tests: list[TestResult] = field(default_factory=list)
    written: list[WrittenAnswer] = field(default_factory=list)
    manual_points: float = 0.0  # points of written answers (part of max_score)
    file: str = ""  # the submitted file, as the instructor named it
    late: bool = False  # marked late by the LMS, or handed in after the due date
    seconds_late: float = 0.0  # after the due date (nbgrader's timestamp.txt)
    timestamp: str | None = None  # when it was handed in (ISO, UTC), when nbgrader knows
    late_penalty: float = 0.0  # points taken off by nbgrader's late-submission policy
    sha256: str = ""  # of the submitted file
    lesson_sha: str = ""  # of the lesson's source when it was graded
    seconds: float | None = None
    recorded_in: str = ""  # the gradebook URL it was written into
    language: str = "en"  # the edition handed in: "en", or "ko" for the Korean edition

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; one of {', '.join(STATUSES)}")

    @property
    def key(self):
        return self.student, self.lesson

    @property
    def pending(self):
        """Written answers still waiting for a person."""
        return [w for w in self.written if w.pending]

    def rescore(self):
        """Recompute score and maximum from the tests and the written answers."""
        earned = sum(t.points for t in self.tests) + sum(w.points for w in self.written)
        self.score = max(0.0, earned - self.late_penalty)
        self.max_score = (sum(t.max_points for t in self.tests) +
                          sum(w.max_points for w in self.written))
        self.manual_points = sum(w.max_points for w in self.written)
        return self

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


def blank(student, lesson, status, reason, points, written=None, **extra):
    """A result scoring 0 on every test of ``points`` and every written answer of ``written``
    (grade_id -> max points), for a submission that could not be run."""
    tests = [TestResult(g, 0.0, p, False, "not run: " + reason) for g, p in points.items()]
    answers = [WrittenAnswer(g, p, 0.0, False) for g, p in (written or {}).items()]
    return Result(student, lesson, status, reason=reason, tests=tests, written=answers,
                  **extra).rescore()
