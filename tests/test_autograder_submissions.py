"""submissions.py on small folders and zips made in the test: who handed in what, as an
nbgrader submitted/ folder, a Canvas or Moodle zip, or a custom pattern."""

import zipfile

import pytest

from autograder.course import UsageError
from autograder.submissions import collect, lesson_number, student_id

LESSONS = {"03": "03_add_mul_layers", "06": "06_softmax"}


def touch(path, data=b"{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_an_nbgrader_submitted_folder_gives_student_and_lesson(tmp_path):
    touch(tmp_path / "ada" / "03_add_mul_layers" / "03_add_mul_layers.ipynb")
    touch(tmp_path / "bob" / "06_softmax" / "my copy.ipynb")  # another name counts too
    found = {(e["student"], e["lesson"]): e for e in collect(str(tmp_path), LESSONS)}
    assert set(found) == {("ada", "03_add_mul_layers"), ("bob", "06_softmax")}
    assert found["bob", "06_softmax"]["display"] == "bob/06_softmax/my copy.ipynb"
    assert not any(e["late"] for e in found.values())


def test_a_folder_of_an_unknown_lesson_is_returned_with_its_name(tmp_path):
    touch(tmp_path / "ada" / "42_future" / "42_future.ipynb")
    (entry,) = collect(str(tmp_path), LESSONS)
    assert entry["lesson"] is None and entry["unknown_lesson"] == "42_future"


def test_a_canvas_zip_marks_late_files_and_keeps_the_last_resubmission(tmp_path):
    archive = tmp_path / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("smithjane_12345_6789012_03_add_mul_layers.ipynb", b"first")
        z.writestr("smithjane_12345_6789012_03_add_mul_layers-1.ipynb", b"second")
        z.writestr("doejohn_LATE_23456_7890123_06_softmax.ipynb", b"late")
        z.writestr("__MACOSX/._smithjane_12345_6789012_03_add_mul_layers.ipynb", b"junk")
    found = {e["student"]: e for e in collect(str(archive), LESSONS, inbox=str(tmp_path / "in"))}
    assert set(found) == {"smithjane", "doejohn"}
    assert open(found["smithjane"]["path"], "rb").read() == b"second"
    assert found["doejohn"]["late"] and found["doejohn"]["lesson"] == "06_softmax"


def test_a_moodle_zip_names_the_student_from_the_folder(tmp_path):
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Jane Smith_12345_assignsubmission_file_/03_add_mul_layers.ipynb", b"{}")
    (entry,) = collect(str(archive), LESSONS, inbox=str(tmp_path / "in"))
    assert (entry["student"], entry["lesson"]) == ("Jane_Smith", "03_add_mul_layers")


def test_a_custom_pattern_needs_a_student_group(tmp_path):
    touch(tmp_path / "files" / "ada-03.ipynb")
    found = collect(str(tmp_path / "files"), LESSONS,
                    pattern=r"(?P<student>[a-z]+)-(?P<lesson>\d+)\.ipynb")
    assert [(e["student"], e["lesson"]) for e in found] == [("ada", "03_add_mul_layers")]
    with pytest.raises(UsageError, match="named group"):
        collect(str(tmp_path / "files"), LESSONS, pattern=r"(\w+)-\d+")
    with pytest.raises(UsageError, match="not a valid regular expression"):
        collect(str(tmp_path / "files"), LESSONS, pattern=r"(?P<student>")


def test_a_zip_member_too_large_is_replaced_by_an_empty_file(tmp_path, monkeypatch):
    monkeypatch.setattr("autograder.submissions.MAX_MEMBER_BYTES", 10)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("ada_1_2_03_add_mul_layers.ipynb", b"0" * 1000)
    (entry,) = collect(str(archive), LESSONS, inbox=str(tmp_path / "in"))
    assert entry["too_big"] and open(entry["path"], "rb").read() == b""


def test_missing_paths_and_non_zip_files_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        collect(str(tmp_path / "nowhere"), LESSONS)
    touch(tmp_path / "class.zip", b"PK\x03\x04 not a zip")
    with pytest.raises(UsageError, match="cannot read"):
        collect(str(tmp_path / "class.zip"), LESSONS, inbox=str(tmp_path / "in"))


@pytest.mark.parametrize("name, expected", [
    ("Jane Smith", "Jane_Smith"), ("  o'brien ", "o_brien"), ("../../etc", "etc"), ("", "unknown"),
])
def test_student_ids_are_safe_file_names(name, expected):
    assert student_id(name) == expected


@pytest.mark.parametrize("text, expected", [
    ("03_add_mul_layers", "03"), ("3-late.ipynb", "03"), ("123_x", None), ("notes", None),
])
def test_the_lesson_number_is_the_leading_one_or_two_digits(text, expected):
    assert lesson_number(text) == expected
