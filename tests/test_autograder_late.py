"""Late work from nbgrader's timestamp.txt and a due date, with nbgrader's late policy."""

import datetime

import pytest

from autograder import late
from autograder.course import UsageError
from autograder.results import Result, TestResult
from autograder.submissions import collect

DUE = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)


def test_a_timestamp_after_the_due_date_is_late_by_the_difference():
    assert late.seconds_late("2025-03-01T14:30:00", DUE) == 2.5 * 3600
    assert late.seconds_late("2025-03-01T11:00:00+00:00", DUE) == 0
    assert late.seconds_late(None, DUE) == 0 and late.seconds_late("2025-03-02T00:00", None) == 0


def test_nbgraders_collect_timestamp_is_read_from_the_submission_folder(tmp_path):
    folder = tmp_path / "ada" / "03_add_mul_layers"
    folder.mkdir(parents=True)
    (folder / "03_add_mul_layers.ipynb").write_text("{}")
    (folder / "timestamp.txt").write_text("2025-03-01 14:30:00.000000 UTC")
    (entry,) = collect(str(tmp_path), {"03": "03_add_mul_layers"})
    assert late.seconds_late(entry["timestamp"], DUE) == 2.5 * 3600


def test_the_due_option_takes_a_lesson_number_and_an_iso_date():
    dates = late.due_dates("sqlite:////nonexistent/gb.db", ["03_toy"],
                           ["03=2025-03-01T13:00+01:00"])
    assert dates == {"03_toy": DUE}
    with pytest.raises(UsageError, match="must look like"):
        late.due_dates("sqlite:////nonexistent/gb.db", ["03_toy"], ["03=next friday"])


def test_the_default_policy_marks_late_work_without_a_penalty():
    result = Result("ada", "03_toy", "graded", tests=[TestResult("t", 2.0, 2.0, True)]).rescore()
    late.Policy().apply(result, 3600.0, "2025-03-01T13:00:00")
    assert (result.late, result.seconds_late, result.late_penalty, result.score) == \
        (True, 3600.0, 0.0, 2.0)


def test_a_zero_policy_takes_every_point_of_late_work():
    result = Result("ada", "03_toy", "graded", tests=[TestResult("t", 2.0, 2.0, True)]).rescore()
    policy = late.Policy()
    policy.plugin.penalty_method = "zero"
    policy.apply(result, 60.0, "2025-03-01T12:01:00")
    assert (result.late_penalty, result.score) == (2.0, 0.0)
