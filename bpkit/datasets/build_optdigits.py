"""Rebuild ``optdigits_8x8.npz`` from scikit-learn's copy of the UCI digits (run once, offline).

Usage::

    pip download --no-deps -d /tmp/skl scikit-learn
    cd /tmp/skl && unzip -o scikit_learn-*.whl 'sklearn/datasets/data/digits.csv.gz'
    python bpkit/datasets/build_optdigits.py /tmp/skl/sklearn/datasets/data/digits.csv.gz

The csv has 1,797 rows of 65 integers: 64 pixels (0..16, row by row) and the label. The split
is stratified: from every class, ``TEST_PER_CLASS`` samples chosen by a fixed seed go to the
test set, the rest to the training set. The seed is stored with the data, so the split never
changes unless someone rebuilds with a different seed on purpose.
"""

import gzip
import sys
from pathlib import Path

import numpy as np

SPLIT_SEED = 20260515
TEST_PER_CLASS = 36  # 10 classes x 36 = 360 test samples, 1,437 for training (about 80/20)
OUT = Path(__file__).with_name("optdigits_8x8.npz")


def build(csv_gz_path, out=OUT):
    with gzip.open(csv_gz_path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    pixels = table[:, :64].astype(np.uint8)
    labels = table[:, 64].astype(np.uint8)
    if pixels.max() > 16 or len(table) != 1797:
        raise ValueError("this is not the 1,797-sample UCI optdigits copy")
    rng = np.random.default_rng(SPLIT_SEED)
    test = np.concatenate([
        rng.choice(np.flatnonzero(labels == digit), TEST_PER_CLASS, replace=False)
        for digit in range(10)
    ])
    test.sort()
    train = np.setdiff1d(np.arange(len(labels)), test)
    np.savez_compressed(
        out, pixels=pixels, labels=labels, train_index=train.astype(np.int16),
        test_index=test.astype(np.int16), split_seed=np.int64(SPLIT_SEED),
    )
    return out


if __name__ == "__main__":
    print(build(sys.argv[1]))
