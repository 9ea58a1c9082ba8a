"""What the lessons' visible tests call.

Each check compares a student's class or function with bpkit's reference on random inputs and
with numerical gradients, and when they differ raises ``CheckFailure`` (an ``AssertionError``)
with a stable mistake id and a message that names the likely mistake and the shapes involved;
on success it prints one ✓ line. One submodule per lesson topic (docs/authoring.md has the
table); all are re-exported here so a notebook needs only ``from bpkit import checks``. The
toolkit every check is built from (``CheckFailure``, ``call``, the ``expect_*`` helpers,
``passed``) is ``_student``; probing a layer is ``_layers``.
"""

from ._layers import *  # noqa: F403
from ._own_code import *  # noqa: F403
from ._student import (
    CheckFailure,
    call,
    expect_close,
    expect_count,
    expect_dtype,
    expect_gradients_match,
    expect_keys,
    expect_number,
    expect_numerical_gradients,
    expect_shape,
    expect_unchanged,
    expect_value,
    fail,
    parse_failure,
    passed,
)
from .activations import *  # noqa: F403
from .affine import *  # noqa: F403
from .autograd import *  # noqa: F403
from .batchnorm import *  # noqa: F403
from .bug_hunt import *  # noqa: F403
from .chain_rule import *  # noqa: F403
from .computation_graph import *  # noqa: F403
from .gradients import *  # noqa: F403
from .initialization import *  # noqa: F403
from .limits import *  # noqa: F403
from .networks import *  # noqa: F403
from .nodes import *  # noqa: F403
from .optimizers import *  # noqa: F403
from .softmax import *  # noqa: F403
from .training import *  # noqa: F403
from .warmups import *  # noqa: F403
