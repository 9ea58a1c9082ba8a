"""The course's grading tools: ``python -m autograder grade ...`` for instructors and
``grade_me("03")`` for learners grading themselves. See autograder/README.md."""

import importlib


def grade_me(lesson, notebook=None):
    """Grade a lesson notebook against its hidden tests and print the score per test."""
    module = importlib.import_module(".grade_me", __name__)
    # Importing the submodule autograder.grade_me made the package attribute ``grade_me`` that
    # module, so a second ``from autograder import grade_me`` would get a module, not this
    # function. Put the function back.
    globals()["grade_me"] = _grade_me_function
    return module.grade_me(lesson, notebook)


_grade_me_function = grade_me

__all__ = ["grade_me"]
