"""nbgrader's own tools on this course, run from the repository root.

``nbgrader db ...``, ``nbgrader export``, ``nbgrader collect`` and the formgrader of
``make lab-instructor`` read this file (nbgrader loads ``nbgrader_config.py`` from the current
folder). It sends them where ``python -m autograder grade SUBMISSIONS --out DIR`` works:

    gradebook              DIR/gradebook.db (or the grader's --db-url, see BPKIT_DB_URL)
    autograded notebooks   DIR/autograded/<student>/<lesson>/   (the formgrader shows these)
    submissions            SUBMISSIONS/<student>/<lesson>/      (nbgrader collect writes here)
    nbgrader export        DIR/nbgrader-export.csv
    nbgrader's feedback    DIR/nbgrader-feedback/   (it shows the hidden tests: never hand out)

DIR and SUBMISSIONS are ``make grade``'s defaults, ``grading-out`` and ``submitted``; for another
grading folder set the same environment variables ``make nbgrader`` and ``make lab-instructor``
set from ``OUT=``, ``SUBMISSIONS=`` and ``DB_URL=`` (relative paths are from this folder):

    BPKIT_GRADING_OUT   the grader's --out folder        (default: grading-out)
    BPKIT_SUBMITTED     the grader's SUBMISSIONS folder  (default: submitted)
    BPKIT_DB_URL        the grader's --db-url, if it was given one
    BPKIT_EXCHANGE      nbgrader's exchange folder (default: nbgrader's own, below)

The course itself (lessons, late policy) is autograder/nbgrader_config.py, loaded first.
"""

import os
import shutil
import sys

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
HERE = os.path.dirname(os.path.abspath(__file__))
load_subconfig(os.path.join(HERE, "autograder", "nbgrader_config.py"))  # noqa: F821


def _from_here(variable, default):
    return os.path.join(HERE, os.environ.get(variable) or default)  # an absolute value stays


OUT = _from_here("BPKIT_GRADING_OUT", "grading-out")

# The exchange (release_assignment, fetch_assignment, submit, collect) files work under
# <Exchange.root>/<course_id>/. Exchange.root is nbgrader's default,
# /usr/local/share/nbgrader/exchange, unless BPKIT_EXCHANGE names another; it must exist and
# be writable by every student (chmod 777), and the students' own nbgrader_config.py must name
# the same folder and course (see autograder/README.md).
c.CourseDirectory.course_id = "bpkit"
if os.environ.get("BPKIT_EXCHANGE"):
    c.Exchange.root = _from_here("BPKIT_EXCHANGE", "")

if os.environ.get("BPKIT_DB_URL"):
    from autograder.course import database_url  # picks the installed PostgreSQL driver

    c.CourseDirectory.db_url = database_url(os.environ["BPKIT_DB_URL"])
else:
    c.CourseDirectory.db_url = "sqlite:///" + os.path.join(OUT, "gradebook.db")
    # `nbgrader db assignment add ... --duedate` (or collect) may come before the first
    # grading, and sqlite needs the folder. Only the commands that use the gradebook make it:
    # `nbgrader validate` and a student's `make lab` read this file too.
    if os.path.basename(sys.argv[0]) == "nbgrader" and sys.argv[1:2] in (
            ["db"], ["collect"], ["export"]):
        os.makedirs(OUT, exist_ok=True)
c.CourseDirectory.submitted_directory = _from_here("BPKIT_SUBMITTED", "submitted")
c.CourseDirectory.autograded_directory = os.path.join(OUT, "autograded")
c.CourseDirectory.feedback_directory = os.path.join(OUT, "nbgrader-feedback")
c.ExportPlugin.to = os.path.join(OUT, "nbgrader-export.csv")

# A new gradebook makes nbgrader run the `alembic` program, which is in the virtual
# environment's bin/ and not on PATH unless the environment is activated.
_bin = os.path.dirname(sys.executable)
if shutil.which("alembic") is None and os.path.exists(os.path.join(_bin, "alembic")):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
