"""bpkit: error backpropagation one node at a time.

The reference library of the course: pure functions (``functions``), layers with forward and
backward side by side (``layers``), numerical gradient checks (``gradcheck``), networks built
from layers (``network``), optimisers (``optim``), data sets that load offline (``data``) and
figures (``viz``). ``checks``, ``hints`` (``hint("mul_layer")``) and ``widgets`` serve the lesson
notebooks.
"""

from .functions import cross_entropy_error, relu, sigmoid, softmax, sum_squares_error
from .gradcheck import check_layer, check_network, numerical_gradient, rel_error
from .hints import hint
from .layers import (
    AddLayer,
    Affine,
    BatchNormalization,
    BranchLayer,
    DivLayer,
    Dropout,
    LeakyRelu,
    MulLayer,
    Relu,
    Sigmoid,
    Softmax,
    SoftmaxWithLoss,
    SquaredErrorLoss,
    Tanh,
)
from .network import MultiLayerNet, TwoLayerNet
from .optim import SGD, Adam, Momentum

__version__ = "0.1.0"

__all__ = [
    "AddLayer", "Adam", "Affine", "BatchNormalization", "Dropout", "Momentum", "MulLayer",
    "MultiLayerNet", "Relu", "SGD",
    "Sigmoid", "SoftmaxWithLoss", "SquaredErrorLoss", "TwoLayerNet", "check_layer",
    "check_network", "cross_entropy_error", "hint", "numerical_gradient", "rel_error", "relu",
    "sigmoid", "softmax", "sum_squares_error",
    "DivLayer", "Softmax", "Tanh", "BranchLayer", "LeakyRelu",
]
