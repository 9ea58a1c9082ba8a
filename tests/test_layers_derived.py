"""The reference nodes whose backward the students derive in lessons 03-06 (DivLayer, Tanh,
Softmax): values, and gradients against central differences."""

import numpy as np
import pytest

from bpkit import DivLayer, Softmax, Tanh, gradcheck
from bpkit.layers import BackwardBeforeForwardError

pytestmark = pytest.mark.lesson07


@pytest.mark.parametrize("seed", range(5))
def test_gradients_agree_with_central_differences(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 4))
    y = rng.uniform(0.5, 2, (3, 4)) * rng.choice([-1, 1], (3, 4))
    for node, inputs in ((DivLayer(), (x, y)), (Tanh(), (x,)), (Softmax(), (x,))):
        errors = gradcheck.check_layer(node, *inputs, seed=seed)
        assert max(errors.values()) < gradcheck.RIGHT_BELOW, (type(node).__name__, errors)


def test_forward_values():
    assert DivLayer().forward(6.0, 3.0) == 2.0
    np.testing.assert_allclose(Tanh().forward(np.array([0.0, 1.0])), [0.0, np.tanh(1.0)])
    y = Softmax().forward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(y.sum(axis=-1), 1.0)


def test_softmax_backward_of_ones_is_zero():
    """Softmax's outputs sum to 1, so their sum has no gradient: the reason checks use a random
    dout."""
    node = Softmax()
    node.forward(np.random.default_rng(0).standard_normal((2, 5)))
    np.testing.assert_allclose(node.backward(np.ones((2, 5))), 0, atol=1e-15)


def test_backward_before_forward_is_named():
    for node in (DivLayer(), Tanh(), Softmax()):
        with pytest.raises(BackwardBeforeForwardError, match="Call forward first"):
            node.backward(np.ones(3))
