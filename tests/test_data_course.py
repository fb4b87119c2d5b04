"""Lector IDX, búsqueda/descarga de MNIST, conjuntos incluidos, DataLoader y particiones."""
import hashlib
import http.server
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from tinygrad_es import data as D
from tinygrad_es.data import datasets as DS
from helpers import write_idx, write_sample_as_mnist

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets")
HAVE_SHARED = os.path.isdir(os.path.join(SHARED, "mnist"))


def make_fake_dataset(folder, n_train=20, n_test=10):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    xtr = rng.integers(0, 256, (n_train, 28, 28))
    ytr = rng.integers(0, 10, n_train)
    write_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"), xtr)
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"), ytr)
    write_idx(os.path.join(folder, "t10k-images-idx3-ubyte"), rng.integers(0, 256, (n_test, 28, 28)), gz=False)
    write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"), rng.integers(0, 10, n_test), gz=False)
    return xtr, ytr


def test_idx_roundtrip_gz_and_raw(tmp_path):
    a = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    for gz in (True, False):
        p = tmp_path / f"x{gz}.idx"
        write_idx(p, a, gz=gz)
        np.testing.assert_array_equal(D.read_idx(p, 2051), a)


def test_idx_errors_in_spanish(tmp_path):
    p = tmp_path / "trunc.gz"
    write_idx(p, np.zeros((3, 28, 28)), truncate=100)
    with pytest.raises(D.IDXError, match="truncado"):
        D.read_idx(p)
    q = tmp_path / "labels"
    write_idx(q, np.zeros(5), gz=False)
    with pytest.raises(D.IDXError, match="2049.*2051|se esperaba 2051"):
        D.read_idx(q, expect_magic=2051)
    r = tmp_path / "basura"
    r.write_bytes(b"hola mundo, esto no es IDX")
    with pytest.raises(D.IDXError, match="no es un fichero IDX"):
        D.read_idx(r)
    e = tmp_path / "vacio"
    e.write_bytes(b"")
    with pytest.raises(D.IDXError, match="vacío"):
        D.read_idx(e)


def test_search_order_root_then_env(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    a = tmp_path / "a"
    b = tmp_path / "b"
    xa, _ = make_fake_dataset(a / "mnist", n_train=7)
    make_fake_dataset(b / "mnist", n_train=9)
    monkeypatch.setenv("TINYGRAD_ES_DATA", str(b))
    (x, y), (xt, yt) = D.load_mnist(root=a, download=False)
    assert x.shape == (7, 28, 28) and x.dtype == np.uint8 and y.dtype == np.int64 and xt.shape == (10, 28, 28)
    np.testing.assert_array_equal(x, xa)
    (x, _), _ = D.load_mnist(download=False)
    assert len(x) == 9
    (x, _), _ = D.load_mnist(root=a / "mnist", download=False)  # la carpeta misma también vale
    assert len(x) == 7
    paths = D.search_paths(a)
    assert paths[0] == str(a) and paths[1] == str(b) and paths[2].endswith(os.path.join(".cache", "tinygrad_es"))
    assert paths[3] == "/usr/share/datasets"


def test_offline_message_says_where(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TINYGRAD_ES_DATA", str(tmp_path / "nada"))
    with pytest.raises(D.DatasetNotFoundError) as ei:
        D.load_mnist(root=tmp_path / "otra", download=True, mirrors=["http://127.0.0.1:9/"], timeout=1)
    msg = str(ei.value)
    assert "otra" in msg and "TINYGRAD_ES_DATA" in msg and "train-images-idx3-ubyte.gz" in msg
    assert "descarga falló" in msg


@pytest.fixture
def served_mnist(tmp_path):
    serve = tmp_path / "srv"
    sample = write_sample_as_mnist(serve)
    md5 = {s: hashlib.md5((serve / (s + ".gz")).read_bytes()).hexdigest() for s in DS._FILES}
    return serve, md5, sample


class _Server:
    def __init__(self, folder):
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **k)  # noqa: E731
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.t = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_download_from_local_server_with_md5_and_cache(tmp_path, monkeypatch, served_mnist):
    serve, md5, ((xs, ys), (xts, yts)) = served_mnist
    monkeypatch.setitem(DS.DATASETS, "mnist", {"md5": md5, "mirrors": []})
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    with _Server(serve) as srv:
        (x, y), (xt, yt) = D.load_mnist(mirrors=["http://127.0.0.1:9/", srv.url], timeout=5)
    assert x.shape == (2000, 28, 28) and xt.shape == (1000, 28, 28)
    np.testing.assert_array_equal(x, xs)
    np.testing.assert_array_equal(yt, yts)
    cached = tmp_path / "home" / ".cache" / "tinygrad_es" / "mnist"
    assert sorted(os.listdir(cached)) == sorted(s + ".gz" for s in DS._FILES)  # sin temporales
    # segunda vez: desde la caché, sin red
    (x2, _), _ = D.load_mnist(download=False)
    np.testing.assert_array_equal(x, x2)


def test_download_cleans_temporaries_of_an_interrupted_download(tmp_path, monkeypatch, served_mnist):
    """Un temporal que dejó una descarga cortada (su proceso ya no existe) se borra al descargar de
    nuevo ese fichero; el de un proceso vivo, no (la misma regla que los checkpoints: _io.atomic_write)."""
    serve, md5, _ = served_mnist
    monkeypatch.setitem(DS.DATASETS, "mnist", {"md5": md5, "mirrors": []})
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    cached = tmp_path / "home" / ".cache" / "tinygrad_es" / "mnist"
    cached.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    stale = cached / f".tmp-{dead}-abc123-train-images-idx3-ubyte.gz"
    alive = cached / f".tmp-{os.getpid()}-def456-train-labels-idx1-ubyte.gz"
    stale.write_bytes(b"a medias")
    alive.write_bytes(b"otra descarga en curso")
    with _Server(serve) as srv:
        D.load_mnist(mirrors=[srv.url], timeout=5)
    assert not stale.exists() and alive.exists()
    assert sorted(f for f in os.listdir(cached) if not f.startswith(".")) == sorted(s + ".gz" for s in DS._FILES)


def test_download_rejects_corrupt_file(tmp_path, monkeypatch, served_mnist):
    serve, md5, _ = served_mnist
    p = serve / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(p.read_bytes())
    raw[-5] ^= 0xFF  # un byte corrupto
    p.write_bytes(bytes(raw))
    monkeypatch.setitem(DS.DATASETS, "mnist", {"md5": md5, "mirrors": []})
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    with _Server(serve) as srv:
        with pytest.raises(D.DatasetNotFoundError, match="md5 incorrecto"):
            D.load_mnist(mirrors=[srv.url], timeout=5)
    cached = tmp_path / "home" / ".cache" / "tinygrad_es" / "mnist"
    assert "t10k-labels-idx1-ubyte.gz" not in os.listdir(cached)
    assert not [f for f in os.listdir(cached) if f.startswith(".tmp-")]


def test_real_mnist_files(tmp_path):
    """Imágenes reales de MNIST en ficheros IDX: las de ../shared si están, si no la muestra
    incluida escrita en IDX."""
    if HAVE_SHARED:
        (x, y), (xt, yt) = D.load_mnist(root=SHARED, download=False)
        assert x.shape == (5000, 28, 28) and np.bincount(y).tolist() == [500] * 10
        assert xt.shape == (10000, 28, 28) and yt.max() == 9
    (xs, ys), (xts, yts) = write_sample_as_mnist(tmp_path / "mnist")
    (x, y), (xt, yt) = D.load_mnist(root=tmp_path, download=False)
    assert x.dtype == np.uint8 and x.shape == (2000, 28, 28) and np.bincount(y).tolist() == [200] * 10
    np.testing.assert_array_equal(x, xs)
    np.testing.assert_array_equal(xt, xts)
    assert 30 < x.mean() < 40  # píxeles de dígitos reales (MNIST tiene media ≈ 33), no ruido uniforme


def test_embedded_datasets():
    (x, y), (xt, yt) = D.load_mnist_sample()
    assert x.shape == (2000, 28, 28) and x.dtype == np.uint8 and np.bincount(y).tolist() == [200] * 10
    assert xt.shape == (1000, 28, 28)
    X, Y = D.load_iris()
    names = D.load_iris(return_names=True)[2]
    assert X.shape == (150, 4) and np.bincount(Y).tolist() == [50, 50, 50] and names == ["setosa", "versicolor", "virginica"]
    X8, Y8 = D.load_digits()
    assert X8.shape == (1797, 8, 8) and X8.max() == 16 and set(Y8) == set(range(10))


def test_synthetic_generators():
    X, y = D.xor()
    assert X.shape == (4, 2) and y.tolist() == [0, 1, 1, 0]
    Q, R = D.quadratic_roots(200, seed=1)
    a, b, c = Q[:, 0].astype(float), Q[:, 1].astype(float), Q[:, 2].astype(float)
    for r in (R[:, 0], R[:, 1]):
        np.testing.assert_allclose(a * r * r + b * r + c, 0, atol=1e-5)
    assert np.all(R[:, 0] <= R[:, 1])
    S, ys = D.spirals(50, 3)
    assert S.shape == (150, 2) and np.bincount(ys).tolist() == [50] * 3


def test_augmented_loader_augments_each_batch_reproducibly():
    """``AugmentedLoader`` aplica ``fn(x, rng)`` a cada lote de entrada de un ``DataLoader`` de
    ``utils.data`` (con su generador) y deja lo demás igual: ``len``, ``dataset``, ``batch_size``."""
    import tinygrad_es as tg
    from tinygrad_es.utils.data import DataLoader, TensorDataset
    X = np.arange(10 * 6 * 6, dtype=np.float32).reshape(10, 1, 6, 6)
    y = np.arange(10)
    plain = DataLoader(TensorDataset(X, y), 4)
    aug = D.AugmentedLoader(plain, lambda x, rng: D.random_shift(x, 1, rng), tg.Generator().manual_seed(0))
    assert len(aug) == len(plain) == 3 and aug.dataset is plain.dataset and aug.batch_size == 4
    batches = list(aug)
    assert [len(xb) for xb, _ in batches] == [4, 4, 2] and batches[0][0].dtype == tg.float32
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in batches]), y)
    assert not np.array_equal(np.concatenate([xb.numpy() for xb, _ in batches]), X)  # desplazadas
    again = D.AugmentedLoader(plain, lambda x, rng: D.random_shift(x, 1, rng), tg.Generator().manual_seed(0))
    np.testing.assert_array_equal(batches[1][0].numpy(), list(again)[1][0].numpy())


def test_the_course_loader_points_to_utils_data():
    """El cargador propio (``data.DataLoader(..., seed=0)``) se fue: el de PyTorch está en utils.data."""
    for name in ("DataLoader", "TensorDataset", "random_split", "Subset"):
        with pytest.raises(ImportError, match=f"from tinygrad_es.utils.data import {name}.*generator="):
            getattr(D, name)
    with pytest.raises(AttributeError):
        D.no_existe


def test_kfold():
    seen = []
    for tri, vai in D.kfold(23, 5, seed=0):
        assert len(set(tri) & set(vai)) == 0 and len(tri) + len(vai) == 23
        seen.extend(vai.tolist())
    assert sorted(seen) == list(range(23))
    with pytest.raises(ValueError):
        list(D.kfold(3, 5))


def test_normalization_and_augmentation():
    x = np.random.default_rng(0).normal(5, 2, (50, 3))
    (xs,), (mu, sd) = D.standardize(x)
    np.testing.assert_allclose(xs.mean(0), 0, atol=1e-5)
    img = np.zeros((2, 1, 6, 6), np.float32)
    img[:, :, 2, 2] = 1
    sh = D.random_shift(img, 2, rng=np.random.default_rng(1))
    assert sh.shape == img.shape and sh.sum() == 2  # el píxel se mueve pero no se pierde (|d|≤2)
    spec = np.ones((3, 16, 40), np.float32)
    tm = D.time_mask(spec, max_width=5, rng=np.random.default_rng(0))
    fm = D.freq_mask(spec, max_width=4, rng=np.random.default_rng(0))
    assert (tm == 0).any(axis=1).sum(axis=1).max() <= 5      # columnas de tiempo anuladas
    assert np.all((tm == 0).all(axis=1) | (tm == 1).all(axis=1))
    assert np.all((fm == 0).all(axis=2) | (fm == 1).all(axis=2))
    assert spec.min() == 1  # no modifica la entrada
