"""The course's grading tools: ``python -m autograder grade ...`` for instructors and
``grade_me("03")`` for learners grading themselves. See autograder/README.md."""


def grade_me(lesson, notebook=None):
    """Grade a lesson notebook against its hidden tests and print the score per test."""
    from .grade_me import grade_me as run

    return run(lesson, notebook)


__all__ = ["grade_me"]
