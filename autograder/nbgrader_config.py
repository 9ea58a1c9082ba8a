"""nbgrader settings of the course: only what differs from nbgrader's defaults.

The repository itself is the course directory: instructors edit ``solutions/`` (nbgrader's
"source") and ``make lessons`` writes the student versions to ``lessons/`` (its "release").
Each lesson folder is one assignment.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
