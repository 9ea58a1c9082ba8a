"""What the lessons' visible tests call.

Each check compares a student's class or function with bpkit's reference on random inputs and
with numerical gradients, and when they differ raises ``AssertionError`` with a message that
names the likely mistake and the shapes involved. One submodule per topic; all are re-exported
here so a notebook needs only ``from bpkit import checks``.
"""

from ._common import expect_close, expect_dtype, expect_own_code, expect_shape
from .activations import *  # noqa: F403
from .affine import *  # noqa: F403
from .gradients import *  # noqa: F403
from .graphs import *  # noqa: F403
from .nodes import *  # noqa: F403
from .softmax import *  # noqa: F403
from .training import *  # noqa: F403
from .warmups import *  # noqa: F403
