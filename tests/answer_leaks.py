"""A test-wide watch on feedback: every CheckFailure built while a test runs is checked for an
expression of the reference answer (feedback names the symptom and asks; it never gives code).

    @pytest.fixture(autouse=True)
    def _no_message_gives_the_answer(monkeypatch):
        with no_message_gives(answers, monkeypatch):
            yield
"""

import re
from contextlib import contextmanager


@contextmanager
def no_message_gives(answers, monkeypatch):
    """Fail the test if a failure message built inside the block contains one of ``answers``
    (squeezed expressions, as tests/test_no_answer_printed.py makes them)."""
    from bpkit.checks import _student

    leaks = []
    original = _student.CheckFailure.__init__

    def init(self, mistake_id, message, exercise=None):
        squeezed = re.sub(r"\s+", "", str(message))
        leaks.extend((mistake_id, a) for a in answers if a in squeezed)
        original(self, mistake_id, message, exercise)

    monkeypatch.setattr(_student.CheckFailure, "__init__", init)
    yield
    assert not leaks, f"messages that give the answer: {leaks}"
