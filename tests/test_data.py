"""bpkit.data: the course's data sets are the right shape, deterministic, and load offline."""

import functools
import gzip
import hashlib
import http.server
import socket
import threading
from importlib import resources

import numpy as np
import pytest

from bpkit import data

# --- small sets ---------------------------------------------------------------------------


def test_shop_prices_give_the_notes_totals():
    p = data.shop_prices()
    apples = p["apple_price"] * p["apple_count"]
    oranges = p["orange_price"] * p["orange_count"]
    assert apples * p["tax"] == pytest.approx(220)
    assert (apples + oranges) * p["tax"] == pytest.approx(715)


def test_shop_prices_is_a_fresh_dict_each_time():
    data.shop_prices()["tax"] = 2.0
    assert data.shop_prices()["tax"] == 1.1


def test_xor_labels_are_the_exclusive_or_of_the_inputs():
    x, t = data.xor()
    assert x.shape == (4, 2) and x.dtype == np.float64
    assert t.shape == (4,) and np.issubdtype(t.dtype, np.integer)
    np.testing.assert_array_equal(t, np.logical_xor(x[:, 0], x[:, 1]).astype(int))


def test_spiral_shapes_classes_and_determinism():
    x, t = data.spiral(n_per_class=50, n_classes=4, noise=0.1, seed=3)
    assert x.shape == (200, 2) and x.dtype == np.float64
    np.testing.assert_array_equal(np.bincount(t), [50] * 4)
    assert np.all(np.linalg.norm(x, axis=1) <= 1 + 1e-12)  # radius runs from 0 to 1
    x2, t2 = data.spiral(n_per_class=50, n_classes=4, noise=0.1, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(t, t2)
    assert not np.array_equal(x, data.spiral(50, 4, 0.1, seed=4)[0])


def test_spiral_is_not_linearly_separable():
    # The reason it exists: a least-squares linear classifier must get many points wrong.
    x, t = data.spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0)
    features = np.column_stack([x, np.ones(len(x))])
    weights, *_ = np.linalg.lstsq(features, np.eye(3)[t], rcond=None)
    linear_accuracy = np.mean(np.argmax(features @ weights, axis=1) == t)
    assert linear_accuracy < 0.7


def test_continuous_function_is_a_noisy_sine_and_deterministic():
    x, t = data.continuous_function(n=200, noise=0.05, seed=1)
    assert x.shape == (200, 1) and t.shape == (200, 1)
    assert np.all(np.diff(x[:, 0]) >= 0), "x is sorted so that plot(x, t) draws a curve"
    assert np.all((x >= -1) & (x <= 1))
    residual = t - np.sin(np.pi * x)
    assert 0.03 < residual.std() < 0.07
    np.testing.assert_array_equal(t, data.continuous_function(n=200, noise=0.05, seed=1)[1])
    clean_x, clean_t = data.continuous_function(n=50, noise=0.0, seed=2)
    np.testing.assert_allclose(clean_t, np.sin(np.pi * clean_x))


# --- the notes' 6 x 8 bitmaps -------------------------------------------------------------

NOTES_TWO = "000000001100010010000010000100001000011110000000"


def test_the_two_is_the_notes_bitmap():
    x, t = data.digit_bitmaps()
    assert data.digit_string(2) == NOTES_TWO
    np.testing.assert_array_equal(x[2], [int(c) for c in NOTES_TWO])
    assert t[2] == 2
    # Row by row: 8 rows of 6, the second row being 001100.
    assert "".join(str(int(v)) for v in x[2].reshape(8, 6)[1]) == "001100"


def test_digit_bitmaps_shapes_and_all_ten_differ():
    x, t = data.digit_bitmaps()
    assert x.shape == (10, 48) and x.dtype == np.float64
    np.testing.assert_array_equal(t, np.arange(10))
    assert set(np.unique(x)) == {0.0, 1.0}
    distances = (x[:, None, :] != x[None, :, :]).sum(axis=2)
    assert distances[np.triu_indices(10, k=1)].min() >= 2, "two digits are nearly identical"
    # Same style as the notes' "2": a blank one-pixel border around every digit.
    pictures = x.reshape(10, 8, 6)
    assert pictures[:, [0, -1], :].sum() == 0 and pictures[:, :, [0, -1]].sum() == 0


def test_noisy_bitmaps_flip_about_the_requested_fraction():
    x, t = data.noisy_digit_bitmaps(n_per_digit=200, flip_prob=0.1, seed=5)
    clean, _ = data.digit_bitmaps()
    assert x.shape == (2000, 48) and t.shape == (2000,)
    np.testing.assert_array_equal(t, np.repeat(np.arange(10), 200))
    assert set(np.unique(x)) <= {0.0, 1.0}
    flipped = np.mean(x != clean[t])
    assert 0.09 < flipped < 0.11


def test_noisy_bitmaps_are_deterministic_per_seed_and_zero_noise_is_clean():
    a = data.noisy_digit_bitmaps(n_per_digit=3, flip_prob=0.2, seed=7)[0]
    b = data.noisy_digit_bitmaps(n_per_digit=3, flip_prob=0.2, seed=7)[0]
    c = data.noisy_digit_bitmaps(n_per_digit=3, flip_prob=0.2, seed=8)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    clean, labels = data.digit_bitmaps()
    x0, t0 = data.noisy_digit_bitmaps(n_per_digit=2, flip_prob=0.0)
    np.testing.assert_array_equal(x0, clean[t0])


def test_noisy_bitmaps_reject_a_probability_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        data.noisy_digit_bitmaps(flip_prob=1.5)


# --- real handwritten digits ----------------------------------------------------------------

# Pins the fixed split: if these change, every accuracy quoted in the course changes too.
TRAIN_INDEX_SHA256 = "f1eee62194ad4792e292ea0c3a670115c9532cb93548f38d92892c77ddea01c2"
TEST_INDEX_SHA256 = "81b2eb11253ebaaa5a184693e703312b5e7f42231ffc63a7e9de8a23c5d5188e"


def _stored_digits():
    with resources.files("bpkit").joinpath("datasets", data.DIGITS_FILE).open("rb") as f:
        stored = np.load(f)
        return {name: stored[name] for name in stored.files}


def test_load_digits_has_at_least_1500_samples_and_the_documented_split():
    (x_train, t_train), (x_test, t_test) = data.load_digits()
    assert len(x_train) + len(x_test) >= 1500
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert x_train.dtype == np.float64 and 0.0 <= x_train.min() and x_train.max() == 1.0
    assert t_train.shape == (1437,) and np.issubdtype(t_train.dtype, np.integer)
    np.testing.assert_array_equal(np.bincount(t_test), [36] * 10)
    assert set(np.unique(t_train)) == set(range(10))


def test_digit_split_is_disjoint_complete_and_pinned():
    stored = _stored_digits()
    train, test = stored["train_index"].astype(np.int64), stored["test_index"].astype(np.int64)
    assert len(np.intersect1d(train, test)) == 0
    np.testing.assert_array_equal(np.union1d(train, test), np.arange(len(stored["labels"])))
    assert hashlib.sha256(train.astype("<i8").tobytes()).hexdigest() == TRAIN_INDEX_SHA256
    assert hashlib.sha256(test.astype("<i8").tobytes()).hexdigest() == TEST_INDEX_SHA256


def test_load_digits_returns_the_stored_rows_of_each_split():
    stored = _stored_digits()
    (x_train, t_train), (x_test, t_test) = data.load_digits(normalize=False)
    np.testing.assert_array_equal(x_test, stored["pixels"][stored["test_index"]])
    np.testing.assert_array_equal(t_train, stored["labels"][stored["train_index"]])
    assert x_train.max() == 16, "unnormalised pixels are the UCI block counts 0..16"


def test_load_digits_options_reshape_and_one_hot():
    (x_train, t_train), _ = data.load_digits(flatten=False, one_hot=True)
    assert x_train.shape == (1437, 8, 8)
    assert t_train.shape == (1437, 10)
    np.testing.assert_array_equal(t_train.sum(axis=1), 1)
    labels = data.load_digits()[0][1]
    np.testing.assert_array_equal(np.argmax(t_train, axis=1), labels)


def test_same_digit_images_look_alike():
    # Real data, not noise: a digit's mean image is closer to other samples of that digit
    # than to the mean images of the other digits, for most test samples.
    (x_train, t_train), (x_test, t_test) = data.load_digits()
    means = np.stack([x_train[t_train == d].mean(axis=0) for d in range(10)])
    nearest = np.argmin(((x_test[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
    assert np.mean(nearest == t_test) > 0.85


# --- MNIST: offline error, checksum failure, cache --------------------------------------------


def _idx_gz(path, array):
    """Write ``array`` (uint8) as a gzipped IDX file: 0, 0, type 0x08, ndim, big-endian dims."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_mnist(tmp_path):
    """A folder with four tiny, valid IDX files named like MNIST's, and their checksums."""
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (5, 28, 28)),
        "train_labels": np.array([5, 0, 4, 1, 9]),
        "test_images": rng.integers(0, 256, (3, 28, 28)),
        "test_labels": np.array([7, 2, 1]),
    }
    folder = tmp_path / "served"
    folder.mkdir()
    checksums = {}
    for key, name in data.MNIST_FILES.items():
        _idx_gz(folder / name, arrays[key])
        checksums[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return folder, arrays, checksums


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the with block ends


@pytest.fixture
def no_proxy(monkeypatch):
    # A proxy setting would send even 127.0.0.1 requests elsewhere.
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve(no_proxy):
    """serve(folder) starts an HTTP server on 127.0.0.1 for that folder and returns its URL."""
    servers = []

    def start(folder):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_mnist_offline_raises_a_clear_error(tmp_path, closed_port, no_proxy):
    with pytest.raises(data.DownloadError) as info:
        data.load_mnist(cache_dir=tmp_path, base_url=f"http://127.0.0.1:{closed_port}/",
                        timeout=5)
    message = str(info.value)
    assert "could not download" in message and "offline" in message
    assert "bpkit.data.load_digits()" in message
    assert not any((tmp_path / "mnist").glob("*")), "a failed download leaves no file behind"


def test_mnist_wrong_bytes_fail_the_checksum_and_are_not_cached(tmp_path, serve):
    served = tmp_path / "served"
    served.mkdir()
    for name in data.MNIST_FILES.values():
        (served / name).write_bytes(b"<html>this is not MNIST</html>")
    url = serve(served)
    with pytest.raises(data.ChecksumMismatchError, match="SHA-256"):
        data.load_mnist(cache_dir=tmp_path / "cache", base_url=url)
    assert not any((tmp_path / "cache" / "mnist").glob("*"))


def test_mnist_missing_file_reports_the_server_answer(tmp_path, serve):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(data.DownloadError, match="404"):
        data.load_mnist(cache_dir=tmp_path / "cache", base_url=serve(empty))


def test_mnist_downloads_verifies_and_then_reads_the_cache(tmp_path, tiny_mnist, serve,
                                                          closed_port):
    folder, arrays, checksums = tiny_mnist
    cache = tmp_path / "cache"
    (x_train, t_train), (x_test, t_test) = data.load_mnist(
        cache_dir=cache, base_url=serve(folder), checksums=checksums)
    assert x_train.shape == (5, 784) and x_test.shape == (3, 784)
    np.testing.assert_allclose(x_train, arrays["train_images"].reshape(5, -1) / 255)
    np.testing.assert_array_equal(t_test, arrays["test_labels"])
    assert sorted(p.name for p in (cache / "mnist").iterdir()) == sorted(checksums)
    # Second call: nothing listens at this port, so only the cache can answer.
    (_, t_train_again), _ = data.load_mnist(
        cache_dir=cache, base_url=f"http://127.0.0.1:{closed_port}/", checksums=checksums)
    np.testing.assert_array_equal(t_train_again, arrays["train_labels"])


def test_mnist_cache_hit_needs_no_network(tmp_path, tiny_mnist, closed_port, no_proxy):
    folder, arrays, checksums = tiny_mnist
    cache = tmp_path / "cache" / "mnist"
    cache.mkdir(parents=True)
    for name in checksums:
        (cache / name).write_bytes((folder / name).read_bytes())
    (x_train, _), (x_test, t_test) = data.load_mnist(
        cache_dir=tmp_path / "cache", base_url=f"http://127.0.0.1:{closed_port}/",
        checksums=checksums, normalize=False, flatten=False, one_hot=True)
    np.testing.assert_array_equal(x_test, arrays["test_images"])
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28)
    np.testing.assert_array_equal(np.argmax(t_test, axis=1), arrays["test_labels"])


def test_mnist_corrupt_cache_file_is_not_trusted(tmp_path, tiny_mnist, closed_port, no_proxy):
    folder, _, checksums = tiny_mnist
    cache = tmp_path / "cache" / "mnist"
    cache.mkdir(parents=True)
    for name in checksums:
        (cache / name).write_bytes((folder / name).read_bytes())
    (cache / data.MNIST_FILES["test_labels"]).write_bytes(b"truncated")
    # The corrupt file sends load_mnist back to the network, which is not there.
    with pytest.raises(data.DownloadError, match="offline"):
        data.load_mnist(cache_dir=tmp_path / "cache",
                        base_url=f"http://127.0.0.1:{closed_port}/", checksums=checksums)


def test_mnist_default_checksums_cover_the_four_files():
    assert set(data.MNIST_SHA256) == set(data.MNIST_FILES.values())
    assert all(len(digest) == 64 and int(digest, 16) >= 0
               for digest in data.MNIST_SHA256.values())


def test_default_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.default_cache_dir() == tmp_path / "bpkit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert data.default_cache_dir().parts[-2:] == (".cache", "bpkit")


class _CutOffHandler(http.server.BaseHTTPRequestHandler):
    """Promises 100,000 bytes, sends 10, then hangs up: a connection lost mid-download."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"0123456789")
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


def test_mnist_connection_cut_mid_file_leaves_nothing_behind(tmp_path, no_proxy):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CutOffHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with pytest.raises(data.DownloadError, match="could not download"):
            data.load_mnist(cache_dir=tmp_path, timeout=5,
                            base_url=f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
    assert not any((tmp_path / "mnist").glob("*"))
