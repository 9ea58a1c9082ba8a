"""Data sets of the course, every one deterministic and available offline.

- ``shop_prices``: the apple/orange shop of the notes (100 x 2 + 150 x 3, tax 1.1 -> 715);
- ``delivery_shop_prices``: the same shop with a delivery fee of 10 per apple (-> 737);
- ``xor`` and ``spiral``: classification sets a single layer cannot separate;
- ``continuous_function``: a noisy sine to approximate (the notes' "continuous function
  approximation");
- ``digit_bitmaps`` and ``noisy_digit_bitmaps``: the notes' 6 x 8 bitmaps of the digits 0-9;
- ``load_digits``: 1,797 real handwritten 8 x 8 digits (UCI, CC BY 4.0), shipped with bpkit;
- ``load_mnist``: the 70,000 MNIST digits, downloaded once and cached, for online users.

Labels are int64 class numbers unless ``one_hot=True`` asks for (N, C) float64 rows.
"""

import gzip
import hashlib
import http.client
import os
import urllib.error
import urllib.request
from importlib import resources
from pathlib import Path

import numpy as np

from .i18n import tr


def shop_prices():
    """The notes' shop: 2 apples at 100 and 3 oranges at 150, with a 10 % tax.

    Returns a new dict ``apple_price, apple_count, orange_price, orange_count, tax``.
    ``(apple_price * apple_count + orange_price * orange_count) * tax`` = 715.
    """
    return {"apple_price": 100, "apple_count": 2, "orange_price": 150, "orange_count": 3,
            "tax": 1.1}


def delivery_shop_prices():
    """Lesson 03's shop with delivery: the notes' shop plus a delivery fee of 10 per apple.

    Returns a new dict: ``shop_prices()``'s five keys and ``fee_per_apple``. The apple count is
    used twice, by the apples' price and by the delivery fee:
    ``(apple_price * apple_count + orange_price * orange_count + fee_per_apple * apple_count)
    * tax`` = 737.
    """
    return {**shop_prices(), "fee_per_apple": 10}


def xor():
    """The four XOR points. Returns x (4, 2) float64 and t (4,) int64: t = x0 XOR x1."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    t = np.array([0, 1, 1, 0], dtype=np.int64)
    return x, t


def spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """Interleaved 2-D spiral arms, one class per arm.

    Point i of arm k sits at radius r = i / (n_per_class - 1) in [0, 1] and angle
    ``2 pi k / n_classes + 4 r + noise * N(0, 1)`` (radians). Returns x (N, 2) float64 with
    N = n_per_class * n_classes, and t (N,) int64, arm by arm.
    """
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n_per_class)
    xs, ts = [], []
    for k in range(n_classes):
        angle = 2 * np.pi * k / n_classes + 4 * radius + noise * rng.standard_normal(n_per_class)
        xs.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
        ts.append(np.full(n_per_class, k, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ts)


def continuous_function(n=100, noise=0.05, seed=0, x_range=(-1.0, 1.0)):
    """Samples of ``t = sin(pi x) + noise * N(0, 1)`` for a network to approximate.

    x: n points drawn uniformly from x_range and sorted, so that ``plot(x, t)`` draws a curve.
    Returns x (n, 1) and t (n, 1), float64; the same seed gives the same arrays.
    """
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*x_range, size=n))
    t = np.sin(np.pi * x) + noise * rng.standard_normal(n)
    return x.reshape(-1, 1), t.reshape(-1, 1)


# --- the notes' 6 x 8 bitmaps -----------------------------------------------------------

# The "2" is the notes' own (its 48 characters are the input of their digit network); the
# other nine are drawn in the same style: a one-pixel border, strokes one pixel wide.
_DIGIT_ROWS = {
    0: "000000 001100 010010 010010 010010 010010 001100 000000",
    1: "000000 000100 001100 000100 000100 000100 001110 000000",
    2: "000000 001100 010010 000010 000100 001000 011110 000000",
    3: "000000 011100 000010 001100 000010 000010 011100 000000",
    4: "000000 000100 001100 010100 011110 000100 000100 000000",
    5: "000000 011110 010000 011100 000010 000010 011100 000000",
    6: "000000 001100 010000 011100 010010 010010 001100 000000",
    7: "000000 011110 000010 000100 000100 001000 001000 000000",
    8: "000000 001100 010010 001100 010010 010010 001100 000000",
    9: "000000 001100 010010 010010 001110 000010 001100 000000",
}


def digit_string(digit):
    """The 48-character 0/1 string of a digit's bitmap, row by row (8 rows of 6)."""
    return _DIGIT_ROWS[digit].replace(" ", "")


def digit_bitmaps():
    """The ten 6 x 8 digit bitmaps. Returns x (10, 48) float64 of 0/1 and t (10,) = 0..9.

    Row d of x is digit d, read row by row: ``x[d].reshape(8, 6)`` is the picture.
    """
    x = np.array([[float(c) for c in digit_string(d)] for d in range(10)])
    return x, np.arange(10, dtype=np.int64)


def noisy_digit_bitmaps(n_per_digit=10, flip_prob=0.1, seed=0):
    """Noisy copies of the ten bitmaps: every pixel flips (0 <-> 1) with ``flip_prob``.

    Returns x (10 * n_per_digit, 48) float64 of 0/1 and t (10 * n_per_digit,) int64, digit by
    digit (n_per_digit copies of 0, then of 1, ...). The same seed gives the same copies.
    """
    if not 0 <= flip_prob <= 1:
        raise ValueError(tr("flip_prob is a probability, between 0 and 1; got {flip_prob}",
                            flip_prob=flip_prob))
    clean, labels = digit_bitmaps()
    x = np.repeat(clean, n_per_digit, axis=0)
    t = np.repeat(labels, n_per_digit)
    flips = np.random.default_rng(seed).random(x.shape) < flip_prob
    return np.where(flips, 1 - x, x), t


# --- real handwritten digits, shipped with bpkit ------------------------------------------

DIGITS_FILE = "optdigits_8x8.npz"


def load_digits(normalize=True, flatten=True, one_hot=False):
    """1,797 handwritten digits, 8 x 8 pixels, with a fixed train/test split (1,437 / 360).

    Source: UCI Machine Learning Repository, "Optical Recognition of Handwritten Digits"
    (E. Alpaydin and C. Kaynak, 1998, https://doi.org/10.24432/C50P49), licensed CC BY 4.0;
    these are the 1,797 samples of its test file, as scikit-learn distributes them. Each
    pixel counts the set pixels of a 4 x 4 block of a 32 x 32 scan, so it lies in 0..16.
    The test set holds 36 samples of each digit, chosen once with a fixed seed.

    normalize: pixels / 16 as float64 in [0, 1] (else the stored uint8 counts 0..16).
    flatten: x of shape (N, 64) (else (N, 8, 8)). one_hot: t of shape (N, 10) float64
    (else (N,) int64 labels). Returns (x_train, t_train), (x_test, t_test).
    """
    with resources.files("bpkit").joinpath("datasets", DIGITS_FILE).open("rb") as f:
        stored = np.load(f)
        pixels, labels = stored["pixels"], stored["labels"].astype(np.int64)
        splits = stored["train_index"], stored["test_index"]
    return tuple(_shape_digits(pixels[i], labels[i], 8, 16, normalize, flatten, one_hot)
                 for i in splits)


def _shape_digits(pixels, labels, side, max_value, normalize, flatten, one_hot):
    x = pixels.astype(np.float64) / max_value if normalize else pixels
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), side, side)
    t = np.eye(10)[labels] if one_hot else labels
    return x, t


# --- MNIST, downloaded on demand ------------------------------------------------------------

MNIST_BASE_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
# SHA-256 of the four gzip files as LeCun, Cortes and Burges distribute them (the same bytes
# on every mirror; sizes 9,912,422 / 28,881 / 1,648,877 / 4,542 bytes). A file whose digest
# differs is refused, so a broken mirror or a truncated download never reaches a lesson.
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


class DownloadError(OSError):
    """A data file could not be downloaded (no network, or the server refused)."""


class ChecksumMismatchError(ValueError):
    """A downloaded file's SHA-256 differs from the one bpkit expects for it."""


def default_cache_dir():
    """``$XDG_CACHE_HOME/bpkit`` if that variable is set, else ``~/.cache/bpkit``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bpkit"


def load_mnist(cache_dir=None, base_url=MNIST_BASE_URL, normalize=True, flatten=True,
               one_hot=False, checksums=None, timeout=30):
    """MNIST: 60,000 training and 10,000 test digits of 28 x 28 pixels (0..255).

    The four IDX files are downloaded from ``base_url`` once, checked against ``checksums``
    (file name -> SHA-256 hex; ``MNIST_SHA256`` by default) and kept in
    ``cache_dir/mnist`` (``default_cache_dir()`` by default); later calls read the cache and
    need no network. normalize, flatten, one_hot: as in ``load_digits`` (x of shape
    (N, 784) or (N, 28, 28)). Returns (x_train, t_train), (x_test, t_test).

    Raises DownloadError when a file cannot be fetched (offline: use ``load_digits()``,
    which ships with bpkit) and ChecksumMismatchError when its bytes are not the expected
    ones; a failed download leaves nothing in the cache.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = folder / "mnist"
    checksums = MNIST_SHA256 if checksums is None else checksums
    arrays = {
        key: _read_idx(_fetch(name, folder, base_url, checksums[name], timeout))
        for key, name in MNIST_FILES.items()
    }
    return tuple(
        _shape_digits(arrays[f"{split}_images"], arrays[f"{split}_labels"].astype(np.int64),
                      28, 255, normalize, flatten, one_hot)
        for split in ("train", "test")
    )


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(name, folder, base_url, expected_sha256, timeout):
    """Return the path of a verified copy of ``name``, downloading it if the cache lacks one."""
    path = folder / name
    if path.exists() and _sha256(path) == expected_sha256:
        return path
    url = base_url.rstrip("/") + "/" + name
    folder.mkdir(parents=True, exist_ok=True)
    # Download beside the target and rename at the end, so an interrupted download never
    # looks like a cached file.
    partial = path.with_name(name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as f:
            received = 0
            for block in iter(lambda: response.read(1 << 20), b""):
                received += f.write(block)
            promised = response.headers.get("Content-Length")
            # read(n) returns what arrived and does not complain when the server hangs up early
            if promised is not None and received != int(promised):
                raise http.client.IncompleteRead(b"", int(promised) - received)
    except urllib.error.HTTPError as err:
        partial.unlink(missing_ok=True)
        raise DownloadError(
            tr("could not download {url}: the server answered {err_code} {err_reason}. Try "
               "another mirror with load_mnist(base_url=...), or use "
               "bpkit.data.load_digits(), which ships with bpkit",
               url=url, err_code=err.code, err_reason=err.reason)
        ) from err
    # URLError, refused connections and timeouts are OSErrors; a connection cut mid-file
    # raises IncompleteRead, an HTTPException.
    except (OSError, http.client.HTTPException) as err:
        partial.unlink(missing_ok=True)
        reason = getattr(err, "reason", err)
        raise DownloadError(
            tr("could not download {url} ({reason}): you seem to be offline, or the "
               "connection dropped; use bpkit.data.load_digits(), which ships with bpkit",
               url=url, reason=reason)
        ) from err
    actual = _sha256(partial)
    if actual != expected_sha256:
        partial.unlink()
        raise ChecksumMismatchError(
            tr("{url} has SHA-256 {actual}, but bpkit expects {expected_sha256}: the mirror "
               "serves different bytes (a broken or truncated file, or an error page). The "
               "file was not kept; try another base_url, or use bpkit.data.load_digits()",
               url=url, actual=actual, expected_sha256=expected_sha256)
        )
    os.replace(partial, path)
    return path


def _read_idx(path):
    """Read a gzipped IDX file (LeCun's format) into an array of its stored shape.

    Header: two zero bytes, a type byte (0x08 = uint8), the number of dimensions, then each
    dimension as a big-endian uint32; the data follow, row-major.
    """
    with gzip.open(path, "rb") as f:
        data = f.read()
    zeros, dtype_code, ndim = data[:2], data[2], data[3]
    if zeros != b"\x00\x00" or dtype_code != 0x08:
        raise ValueError(tr("{path} is not an IDX file of unsigned bytes",
                            path=path))
    shape = tuple(np.frombuffer(data, dtype=">u4", count=ndim, offset=4).astype(int))
    values = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if values.size != int(np.prod(shape)):
        raise ValueError(tr("{path} holds {values_size} values, but its header says {shape}",
                            path=path, values_size=values.size, shape=shape))
    return values.reshape(shape)
