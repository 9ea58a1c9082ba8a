"""Time one training step of bpkit.TwoLayerNet against the same network in PyTorch.

A step is forward, backward and an SGD update, float64, on the CPU. Three things are timed
side by side, interleaved, in one run:

- bpkit:   ``net.gradient(x, t)`` then ``SGD.update(net.params, grads)``;
- PyTorch: the same weights as leaf tensors, ``relu(x @ W1 + b1) @ W2 + b2``,
  ``cross_entropy``, ``loss.backward()``, ``p -= lr * p.grad`` under ``no_grad``;
- floor:   only the five matrix products no step can avoid: forward x@W1 and h@W2, backward
  dW2 = h.T@d, dh = d@W2.T and dW1 = x.T@dh (the data needs no gradient, so x's is skipped).

Printed: the median time per step of each, the ratios bpkit/PyTorch and bpkit/floor, and how
far apart the two libraries' gradients are from the same weights (they must be the same net).

Both libraries use the same number of BLAS threads (``--threads``, 1 by default: the machine
is shared, and one thread gives steadier medians than two threads fighting other jobs).
The thread count must be fixed before numpy is imported, which is why the imports of numpy
and torch come after the argument parsing below.

Usage: .venv/bin/python -m bench.train [--threads N] [--reps R]
(torch is needed for this script only: ``.venv/bin/pip install torch``).
"""

import argparse
import os
import statistics
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both libraries")
parser.add_argument("--reps", type=int, default=60,
                    help="timed steps of each kind at the large size (ten times that at the small)")
args = parser.parse_args()

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread count is set)

try:
    import torch  # noqa: E402
    import torch.nn.functional as F  # noqa: E402
except ImportError:
    sys.exit("bench/train.py needs PyTorch: .venv/bin/pip install torch")

import bpkit  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)

LR = 0.1
# (input, hidden, output, batch): the course's MNIST net, and a ten times wider one.
SIZES = [(784, 100, 10, 100), (784, 1000, 10, 1000)]


def make_bpkit_step(net, x, t):
    optimiser = bpkit.SGD(lr=LR)

    def step():
        optimiser.update(net.params, net.gradient(x, t))

    return step


def make_torch_step(net, x, t):
    # The same starting weights as bpkit's net; leaf tensors, so autograd fills .grad.
    params = [torch.tensor(net.params[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)

    def step():
        scores = torch.relu(xt @ W1 + b1) @ W2 + b2
        loss = F.cross_entropy(scores, tt)  # batch mean, like SoftmaxWithLoss
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None

    return step


def largest_gradient_difference(net, x, t):
    """Max over parameters of |bpkit - torch| / max|torch| for one gradient from the same
    weights: evidence that the two timed steps compute the same thing."""
    names = ("W1", "b1", "W2", "b2")
    params = [torch.tensor(net.params[k], requires_grad=True) for k in names]
    W1, b1, W2, b2 = params
    F.cross_entropy(torch.relu(torch.from_numpy(x) @ W1 + b1) @ W2 + b2,
                    torch.from_numpy(t)).backward()
    ours = net.gradient(x, t)
    return max(np.max(np.abs(ours[k] - p.grad.numpy())) / np.max(np.abs(p.grad.numpy()))
               for k, p in zip(names, params, strict=True))


def make_floor_step(net, x):
    W1, W2 = net.params["W1"].copy(), net.params["W2"].copy()
    d = np.random.default_rng(1).standard_normal((x.shape[0], W2.shape[1]))

    def step():
        h = x @ W1
        h @ W2
        h.T @ d
        dh = d @ W2.T
        x.T @ dh

    return step


def median_step_time(steps, reps):
    """steps: {name: callable}. Times single steps, one of each per repetition, rotating the
    order every repetition so that no library always runs first (caches, turbo, neighbours'
    load). Single steps rather than blocks: on a shared machine most blocks would contain a
    preemption, while the median of single steps skips the steps that were preempted.
    Returns {name: median seconds per step}."""
    names = list(steps)
    for name in names:  # warm up: first calls allocate, page in and pick BLAS kernels
        for _ in range(5):
            steps[name]()
    times = {name: [] for name in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[: rep % len(names)]
        for name in order:
            start = time.perf_counter()
            steps[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def openblas_threads():
    """The thread count numpy's own OpenBLAS reports, to confirm the environment variable took
    effect; None if numpy was built against another BLAS."""
    import ctypes
    import glob

    libs_dir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(libs_dir, "*openblas*")):
        lib = ctypes.CDLL(path)  # already loaded by numpy: this returns the same library
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                     "openblas_get_num_threads"):
            if hasattr(lib, name):
                return getattr(lib, name)()
    return None


def main():
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__} (OpenBLAS threads: {openblas_threads()}), torch "
          f"{torch.__version__} (threads: {torch.get_num_threads()}), float64, "
          f"median of {args.reps * 10} / {args.reps} interleaved single steps (small / large)")
    header = (f"{'size':>14} {'batch':>6} {'bpkit ms':>9} {'torch ms':>9} {'floor ms':>9} "
              f"{'bpkit/torch':>12} {'bpkit/floor':>12} {'torch/floor':>12}")
    print(header)
    differences = []
    for d_in, hidden, d_out, batch in SIZES:
        net = bpkit.TwoLayerNet(d_in, hidden, d_out, weight_init_std=0.01, seed=0)
        x = rng.random((batch, d_in))
        t = rng.integers(0, d_out, size=batch)
        differences.append(largest_gradient_difference(net, x, t))
        steps = {
            "bpkit": make_bpkit_step(net, x, t),
            "torch": make_torch_step(net, x, t),
            "floor": make_floor_step(net, x),
        }
        # A small step takes about a millisecond, a large one ~100 ms: ten times the
        # repetitions for the small one costs little and steadies its median.
        med = median_step_time(steps, args.reps * (10 if batch <= 100 else 1))
        b, p, f = med["bpkit"], med["torch"], med["floor"]
        print(f"{f'{d_in}-{hidden}-{d_out}':>14} {batch:>6} {b * 1e3:>9.3f} {p * 1e3:>9.3f} "
              f"{f * 1e3:>9.3f} {b / p:>12.2f} {b / f:>12.2f} {p / f:>12.2f}")
    print(f"same network: bpkit's and torch's gradients from the same weights differ by at "
          f"most {max(differences):.1e} of the largest entry")


if __name__ == "__main__":
    main()
