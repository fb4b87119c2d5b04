"""vision.datasets: disposición en disco y atributos de torchvision, descargas contra un servidor en
127.0.0.1 (espejos, md5, progreso, escritura atómica), copias locales, la muestra sin conexión, los
pickles de CIFAR leídos sin ejecutar nada, ImageFolder y archivos maliciosos."""
import gzip
import hashlib
import http.server
import io
import os
import pickle
import struct
import tarfile
import threading

import numpy as np
import pytest
from PIL import Image

import tinygrad_es as tg
from tinygrad_es.serialization._pickle import UnpicklingError
from tinygrad_es.vision import datasets
from tinygrad_es.vision.datasets import utils as U
from tinygrad_es.vision.datasets._archive import extract_archive
from tinygrad_es.vision.transforms import ToTensor

STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


@pytest.fixture(autouse=True)
def aislado(tmp_path, monkeypatch):
    """Sin copias locales del usuario ni caché real: HOME temporal y sin TINYGRAD_ES_DATA."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    monkeypatch.delenv("TINYGRAD_ES_OFFLINE", raising=False)
    monkeypatch.setattr(U, "local_roots", lambda: [str(tmp_path / "locales")])


def idx_bytes(arr):
    arr = np.asarray(arr, dtype=np.uint8)
    return b"\x00\x00\x08" + bytes([arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes()


def fake_mnist(n=12, seed=1):
    rng = np.random.default_rng(seed)
    return {"train-images-idx3-ubyte": rng.integers(0, 256, (n, 28, 28)), "train-labels-idx1-ubyte": rng.integers(0, 10, n),
            "t10k-images-idx3-ubyte": rng.integers(0, 256, (n // 2, 28, 28)),
            "t10k-labels-idx1-ubyte": rng.integers(0, 10, n // 2)}


def write_gz_folder(folder, arrays):
    os.makedirs(folder, exist_ok=True)
    md5 = {}
    for stem, a in arrays.items():
        raw = gzip.compress(idx_bytes(a), mtime=0)
        with open(os.path.join(folder, stem + ".gz"), "wb") as f:
            f.write(raw)
        md5[stem + ".gz"] = hashlib.md5(raw).hexdigest()
    return md5


class Server:
    """Sirve una carpeta en 127.0.0.1 (puerto libre); se para al salir."""

    def __init__(self, folder):
        class H(http.server.SimpleHTTPRequestHandler):
            def __init__(s, *a, **k):
                super().__init__(*a, directory=str(folder), **k)

            def log_message(s, *a):
                pass
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.t = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()


# -- MNIST -----------------------------------------------------------------------------------------------
def test_mnist_from_torchvision_layout(tmp_path):
    arrays = fake_mnist()
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for stem, a in arrays.items():
        (raw / stem).write_bytes(idx_bytes(a))
    ds = datasets.MNIST(str(tmp_path), train=True)
    assert len(ds) == 12 and ds.data.dtype == tg.uint8 and tuple(ds.data.shape) == (12, 28, 28)
    assert ds.targets.dtype == tg.int64 and ds.targets.tolist() == arrays["train-labels-idx1-ubyte"].tolist()
    img, y = ds[3]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    assert np.array_equal(np.asarray(img), arrays["train-images-idx3-ubyte"][3]) and y == int(ds.targets[3])
    assert type(y) is int
    assert ds.classes[0] == "0 - zero" and ds.class_to_idx["9 - nine"] == 9
    assert repr(ds).splitlines()[:4] == ["Dataset MNIST", "    Number of datapoints: 12",
                                         f"    Root location: {tmp_path}", "    Split: Train"]
    test = datasets.MNIST(tmp_path, train=False, transform=ToTensor(), target_transform=lambda t: t + 100)
    x, t = test[0]
    assert tuple(x.shape) == (1, 28, 28) and t == arrays["t10k-labels-idx1-ubyte"][0] + 100
    with pytest.raises(IndexError, match="fuera de rango"):
        test[6]


def test_mnist_missing_without_download_is_runtime_error(tmp_path):
    with pytest.raises(RuntimeError, match="download=True"):
        datasets.MNIST(tmp_path)


def test_mnist_download_from_local_server_with_md5_and_progress(tmp_path, monkeypatch, capsys):
    serve = tmp_path / "srv"
    arrays = fake_mnist()
    md5 = write_gz_folder(serve, arrays)
    with Server(serve) as srv:
        monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/", srv.url])
        monkeypatch.setattr(datasets.MNIST, "resources", [(s + ".gz", md5[s + ".gz"]) for s in STEMS])
        ds = datasets.MNIST(tmp_path / "datos", download=True)
    out, err = capsys.readouterr()
    assert "Descargando http://127.0.0.1:9/train-images-idx3-ubyte.gz" in out
    assert "Falló la descarga (se prueba el siguiente espejo)" in out and "no se pudo conectar" in out
    assert "train-images-idx3-ubyte.gz:" in err and "100.0 %" in err and " de " in err   # barra de progreso
    raw = tmp_path / "datos" / "MNIST" / "raw"
    assert sorted(os.listdir(raw)) == sorted([s for s in STEMS] + [s + ".gz" for s in STEMS])  # sin temporales
    np.testing.assert_array_equal(ds.data.numpy(), arrays["train-images-idx3-ubyte"])
    datasets.MNIST(tmp_path / "datos", train=False)   # segunda vez: del disco, sin red


def test_mnist_wrong_md5_is_rejected_and_not_kept(tmp_path, monkeypatch, capsys):
    serve = tmp_path / "srv"
    md5 = write_gz_folder(serve, fake_mnist())
    md5["train-images-idx3-ubyte.gz"] = "0" * 32
    with Server(serve) as srv:
        monkeypatch.setattr(datasets.MNIST, "mirrors", [srv.url])
        monkeypatch.setattr(datasets.MNIST, "resources", [(s + ".gz", md5[s + ".gz"]) for s in STEMS])
        with pytest.raises(RuntimeError, match="md5 es [0-9a-f]{32} y debería ser 0{32}"):
            datasets.MNIST(tmp_path / "datos", download=True)
    raw = tmp_path / "datos" / "MNIST" / "raw"
    assert not [n for n in os.listdir(raw) if n.startswith("train-images")]   # ni el fichero ni su temporal


def test_mnist_offline_falls_back_to_bundled_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    ds = datasets.MNIST(tmp_path, download=True, transform=ToTensor())
    out = capsys.readouterr().out
    assert "Sin conexión" in out and "muestra de MNIST incluida" in out
    assert len(ds) == 2000 and ds.data.dtype == tg.uint8 and ds.targets.dtype == tg.int64
    assert len(datasets.MNIST(tmp_path, train=False, download=True)) == 1000
    monkeypatch.setenv("TINYGRAD_ES_OFFLINE", "1")
    assert len(datasets.MNIST(tmp_path, download=True)) == 2000
    assert "TINYGRAD_ES_OFFLINE" in capsys.readouterr().out


def test_fashion_mnist_sample_offline_and_local_copy(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    s = datasets.FashionMNIST(tmp_path / "a", download=True)   # el Quickstart de PyTorch, sin red
    assert len(s) == 1000 and "muestra de FashionMNIST incluida" in capsys.readouterr().out
    assert len(datasets.FashionMNIST(tmp_path / "a", train=False, download=True)) == 500
    monkeypatch.setattr(datasets.KMNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(RuntimeError, match="Error al descargar train-images-idx3-ubyte.gz"):
        datasets.KMNIST(tmp_path / "k", download=True)              # KMNIST no tiene muestra
    arrays = fake_mnist(8, seed=3)
    write_gz_folder(tmp_path / "locales" / "fashion-mnist", arrays)   # como /usr/share/datasets/fashion-mnist
    ds = datasets.FashionMNIST(tmp_path / "b", download=True)
    out = capsys.readouterr().out
    assert "Usando la copia local de FashionMNIST" in out and "no es el .gz oficial" in out and "tiene 8 imágenes" in out
    assert ds.classes[9] == "Ankle boot" and np.array_equal(ds.data.numpy(), arrays["train-images-idx3-ubyte"])
    assert os.path.isfile(tmp_path / "b" / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte")


def test_emnist_split_checked():
    with pytest.raises(ValueError, match="'byclass', 'bymerge'"):
        datasets.EMNIST("x", split="todas")


def test_damaged_idx_gives_spanish_error(tmp_path):
    raw = tmp_path / "KMNIST" / "raw"
    raw.mkdir(parents=True)
    for stem, a in fake_mnist().items():
        (raw / stem).write_bytes(idx_bytes(a)[:-7] if stem.startswith("train-images") else idx_bytes(a))
    with pytest.raises(ValueError, match="truncado"):
        datasets.KMNIST(tmp_path)


# -- CIFAR -----------------------------------------------------------------------------------------------
def _s(b: bytes) -> bytes:
    return (b"U" + bytes([len(b)]) + b) if len(b) < 256 else (b"T" + struct.pack("<I", len(b)) + b)


def py2_pickle(data: np.ndarray, labels, key=b"labels") -> bytes:
    """Un lote de CIFAR tal como lo escribió cPickle de Python 2 (protocolo 2)."""
    rows, cols = data.shape
    arr = (b"cnumpy.core.multiarray\n_reconstruct\nq\x01cnumpy\nndarray\nq\x02K\x00\x85U\x01b\x87R(K\x01" +
           b"M" + struct.pack("<H", rows) + b"M" + struct.pack("<H", cols) + b"\x86" +
           b"cnumpy\ndtype\nq\x03U\x02u1K\x00K\x01\x87R(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb" +
           b"\x89" + _s(data.tobytes()) + b"tb")
    lab = b"](" + b"".join(b"K" + bytes([int(v)]) for v in labels) + b"e"
    return (b"\x80\x02}q\x00(" + _s(b"data") + arr + _s(key) + lab + _s(b"batch_label") + _s(b"training batch 1 of 5")
            + b"u.")


def make_cifar10(folder, n=4, seed=0):
    rng = np.random.default_rng(seed)
    base = os.path.join(folder, "cifar-10-batches-py")
    os.makedirs(base, exist_ok=True)
    files = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, n)
        raw = py2_pickle(data, labels)
        files[name] = (data, labels, hashlib.md5(raw).hexdigest())
        with open(os.path.join(base, name), "wb") as f:
            f.write(raw)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    meta = pickle.dumps({"label_names": names, "num_vis": 3072}, protocol=2)
    with open(os.path.join(base, "batches.meta"), "wb") as f:
        f.write(meta)
    return files, hashlib.md5(meta).hexdigest()


@pytest.fixture
def cifar_md5(monkeypatch):
    def apply(files, meta_md5):
        monkeypatch.setattr(datasets.CIFAR10, "train_list", [[f"data_batch_{i}", files[f"data_batch_{i}"][2]]
                                                             for i in range(1, 6)])
        monkeypatch.setattr(datasets.CIFAR10, "test_list", [["test_batch", files["test_batch"][2]]])
        monkeypatch.setattr(datasets.CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names",
                                                        "md5": meta_md5})
    return apply


def test_cifar10_reads_python2_pickles_without_pickle_load(tmp_path, cifar_md5, monkeypatch):
    files, meta_md5 = make_cifar10(tmp_path)
    cifar_md5(files, meta_md5)
    monkeypatch.setattr(pickle, "load", None)     # si alguien llamara a pickle.load, fallaría
    monkeypatch.setattr(pickle, "loads", None)
    ds = datasets.CIFAR10(str(tmp_path), train=True)
    assert isinstance(ds.data, np.ndarray) and ds.data.dtype == np.uint8 and ds.data.shape == (20, 32, 32, 3)
    first = files["data_batch_1"][0][0].reshape(3, 32, 32).transpose(1, 2, 0)
    np.testing.assert_array_equal(ds.data[0], first)
    assert isinstance(ds.targets, list) and ds.targets[:4] == files["data_batch_1"][1].tolist()
    assert ds.classes[3] == "cat" and ds.class_to_idx["truck"] == 9
    img, y = ds[0]
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), first) and y == ds.targets[0]
    te = datasets.CIFAR10(tmp_path, train=False, transform=ToTensor())
    assert len(te) == 4 and tuple(te[1][0].shape) == (3, 32, 32)


def test_cifar_python3_pickles_also_read(tmp_path):
    from tinygrad_es.vision.datasets._numpy_pickle import load_numpy_pickle
    d = {"data": np.arange(24, dtype=np.uint8).reshape(2, 12), "fine_labels": [3, 4],
         "coarse": np.array([1.5, -2.0], dtype=">f8")}
    for proto in (2, 4):
        p = tmp_path / f"p{proto}"
        p.write_bytes(pickle.dumps(d, protocol=proto))
        out = load_numpy_pickle(str(p))
        np.testing.assert_array_equal(out["data"], d["data"])
        assert out["fine_labels"] == [3, 4] and out["coarse"].tolist() == [1.5, -2.0]


def test_pickle_that_tries_to_run_code_is_rejected_without_running(tmp_path, cifar_md5):
    marker = tmp_path / "ejecutado"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    files, meta_md5 = make_cifar10(tmp_path)
    evil = pickle.dumps({"data": Evil(), "labels": [1]}, protocol=2)
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(evil)
    files["data_batch_1"] = (None, None, hashlib.md5(evil).hexdigest())
    cifar_md5(files, meta_md5)
    with pytest.raises(pickle.UnpicklingError, match=r"'(posix|os|nt)\.system'.*No se ha ejecutado nada"):
        datasets.CIFAR10(tmp_path)
    assert not marker.exists()
    # un array que dice tener más datos de los que trae
    bad = py2_pickle(np.zeros((4, 3072), np.uint8), [0] * 4).replace(b"M\x00\x0c", b"M\x00\x0d", 1)
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(bad)
    files["data_batch_1"] = (None, None, hashlib.md5(bad).hexdigest())
    cifar_md5(files, meta_md5)
    with pytest.raises(UnpicklingError, match="trae 12288 bytes"):
        datasets.CIFAR10(tmp_path)


def test_cifar10_download_official_archive_from_local_server(tmp_path, monkeypatch, cifar_md5, capsys):
    src = tmp_path / "hecho"
    files, meta_md5 = make_cifar10(src)
    cifar_md5(files, meta_md5)
    serve = tmp_path / "srv"
    serve.mkdir()
    with tarfile.open(serve / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(src / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    md5 = hashlib.md5((serve / "cifar-10-python.tar.gz").read_bytes()).hexdigest()
    with Server(serve) as srv:
        monkeypatch.setattr(datasets.CIFAR10, "url", srv.url + "cifar-10-python.tar.gz")
        monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", md5)
        ds = datasets.CIFAR10(tmp_path / "datos", download=True)
        assert len(ds) == 20
        datasets.CIFAR10(tmp_path / "datos", download=True)
    assert "Ficheros ya descargados y verificados" in capsys.readouterr().out
    assert not os.path.exists(tmp_path / "datos" / "cifar-10-batches-py" / "..extrayendo")


def test_cifar10_corrupt_batch_says_so(tmp_path, cifar_md5):
    files, meta_md5 = make_cifar10(tmp_path)
    cifar_md5(files, meta_md5)
    p = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match="dañado"):
        datasets.CIFAR10(tmp_path)


def make_jpeg_archive(path, per_class=2, classes=("airplane", "automobile", "bird")):
    rng = np.random.default_rng(0)
    with tarfile.open(path, "w:gz") as tar:
        for split in ("train", "test"):
            for c in classes:
                for k in range(per_class):
                    buf = io.BytesIO()
                    Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(buf, format="JPEG")
                    info = tarfile.TarInfo(f"cifar10-jpg/{split}/{c}/{k:04d}.jpg")
                    info.size = len(buf.getvalue())
                    tar.addfile(info, io.BytesIO(buf.getvalue()))


def test_cifar10_offline_uses_jpeg_copy(tmp_path, monkeypatch, capsys):
    (tmp_path / "locales" / "cifar10").mkdir(parents=True)
    make_jpeg_archive(tmp_path / "locales" / "cifar10" / "cifar10-jpg.tar.gz")
    monkeypatch.setattr(datasets.CIFAR10, "url", "http://127.0.0.1:9/cifar-10-python.tar.gz")
    ds = datasets.CIFAR10(tmp_path / "datos", download=True)
    out = capsys.readouterr().out
    assert "copia JPEG" in out and "difieren un poco" in out
    assert ds.data.shape == (6, 32, 32, 3) and ds.targets == [0, 0, 1, 1, 2, 2]
    assert ds.classes == ["airplane", "automobile", "bird"]
    assert os.path.isfile(tmp_path / "datos" / "cifar10-jpg" / "train-data.npy")   # decodificado una vez
    again = datasets.CIFAR10(tmp_path / "datos", train=False)   # ya extraída en root: sin download
    assert len(again) == 6
    monkeypatch.setattr(U, "local_roots", lambda: [str(tmp_path / "nada")])
    sample = datasets.CIFAR10(tmp_path / "otro", download=True)     # ni red ni copia: la muestra incluida
    assert "muestra incluida en tinygrad_es" in capsys.readouterr().out
    assert sample.data.shape == (1000, 32, 32, 3) and sample.targets.count(3) == 100 and sample.classes[3] == "cat"
    assert len(datasets.CIFAR10(tmp_path / "otro", train=False, download=True)) == 300


# -- ImageFolder -----------------------------------------------------------------------------------------
def make_folder(root, spec):
    rng = np.random.default_rng(0)
    for cls, names in spec.items():
        d = root / cls
        d.mkdir(parents=True, exist_ok=True)
        for n in names:
            Image.fromarray(rng.integers(0, 256, (8, 9, 3), dtype=np.uint8)).save(d / n)


def test_image_folder_attributes_like_torchvision(tmp_path):
    make_folder(tmp_path, {"perro": ["b.png", "a.jpg"], "gato": ["x.jpeg"], "vacía_no": []})
    (tmp_path / "gato" / "notas.txt").write_text("no es una imagen")
    ds = datasets.ImageFolder(tmp_path, allow_empty=True)
    assert ds.classes == ["gato", "perro", "vacía_no"] and ds.class_to_idx == {"gato": 0, "perro": 1, "vacía_no": 2}
    assert [os.path.basename(p) for p, _ in ds.samples] == ["x.jpeg", "a.jpg", "b.png"]
    assert ds.targets == [0, 1, 1] and ds.imgs is ds.samples
    img, y = ds[2]
    assert img.mode == "RGB" and img.size == (9, 8) and y == 1
    only_png = datasets.ImageFolder(tmp_path, is_valid_file=lambda p: p.endswith(".png"), allow_empty=True)
    assert len(only_png) == 1
    grey = datasets.ImageFolder(tmp_path, loader=lambda p: Image.open(p).convert("L"), transform=ToTensor(),
                                allow_empty=True)
    assert tuple(grey[0][0].shape) == (1, 8, 9)
    df = datasets.DatasetFolder(tmp_path, loader=os.path.getsize, extensions=(".png",), allow_empty=True)
    assert df[0][0] > 0


def test_image_folder_missing_classes_and_bad_images(tmp_path):
    with pytest.raises(FileNotFoundError, match="no existe la carpeta"):
        datasets.ImageFolder(tmp_path / "no-existe")
    (tmp_path / "vacia").mkdir()
    with pytest.raises(FileNotFoundError, match="ninguna carpeta de clase"):
        datasets.ImageFolder(tmp_path / "vacia")
    make_folder(tmp_path / "r", {"a": ["1.png"], "b": []})
    with pytest.raises(FileNotFoundError, match="ningún fichero válido para las clases b"):
        datasets.ImageFolder(tmp_path / "r")
    with pytest.raises(ValueError, match="extensions e is_valid_file"):
        datasets.DatasetFolder(tmp_path / "r", loader=len)
    # una JPEG truncada entre otras buenas: error en español que la nombra (OSError, como PIL)
    make_folder(tmp_path / "t", {"a": ["1.jpg", "2.jpg", "3.jpg"]})
    p = tmp_path / "t" / "a" / "2.jpg"
    p.write_bytes(p.read_bytes()[:len(p.read_bytes()) // 2])
    (tmp_path / "t" / "a" / "4.jpg").write_bytes(b"esto no es una imagen")
    ds = datasets.ImageFolder(tmp_path / "t")
    ds[0]
    with pytest.raises(OSError, match=r"2\.jpg' está truncada"):
        ds[1]
    with pytest.raises(OSError, match=r"4\.jpg' no es una imagen"):
        ds[3]


def test_truncated_jpeg_in_dataloader_workers_names_the_file(tmp_path):
    from tinygrad_es.utils.data import DataLoader
    make_folder(tmp_path, {"a": [f"{i}.jpg" for i in range(6)]})
    p = tmp_path / "a" / "4.jpg"
    p.write_bytes(p.read_bytes()[:200])
    ds = datasets.ImageFolder(tmp_path, transform=ToTensor())
    with pytest.raises(OSError, match=r"4\.jpg' está truncada"):
        for _ in DataLoader(ds, batch_size=2, num_workers=2):
            pass


def test_fake_data_is_deterministic_and_leaves_global_rng_alone():
    tg.manual_seed(0)
    expect = tg.rand(3).tolist()
    tg.manual_seed(0)
    ds = datasets.FakeData(size=5, image_size=(3, 8, 6), num_classes=4, transform=ToTensor())
    a, ya = ds[2]
    b, yb = ds[2]
    assert tuple(a.shape) == (3, 8, 6) and np.array_equal(a.numpy(), b.numpy()) and ya == yb and 0 <= ya < 4
    assert tg.rand(3).tolist() == expect
    assert len(ds) == 5 and isinstance(datasets.FakeData(2)[0][0], Image.Image)
    with pytest.raises(IndexError):
        ds[5]


# -- archivos --------------------------------------------------------------------------------------------
def _tar_with(path, name, data=b"hola", kind=tarfile.REGTYPE, linkname=""):
    with tarfile.open(path, "w:gz") as tar:
        good = tarfile.TarInfo("bien/a.txt")
        good.size = 2
        tar.addfile(good, io.BytesIO(b"ok"))
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = linkname
        info.size = len(data) if kind == tarfile.REGTYPE else 0
        tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


@pytest.mark.parametrize("name, kind, link, exc, msg", [
    ("../fuera.txt", tarfile.REGTYPE, "", "OutsideDestinationError", "fuera de la carpeta de destino"),
    ("/etc/fuera.txt", tarfile.REGTYPE, "", "AbsolutePathError", "ruta absoluta"),
    ("bien/enlace", tarfile.SYMTYPE, "../../../etc/passwd", "LinkOutsideDestinationError", "apunta fuera"),
    ("bien/abs", tarfile.SYMTYPE, "/etc/passwd", "AbsoluteLinkError", "ruta absoluta"),
    ("bien/fifo", tarfile.FIFOTYPE, "", "SpecialFileError", "dispositivo o FIFO"),
])
def test_malicious_tar_is_rejected_before_writing_anything(tmp_path, name, kind, link, exc, msg):
    arch = tmp_path / "malo.tar.gz"
    _tar_with(arch, name, kind=kind, linkname=link)
    dest = tmp_path / "dest" / "sub"
    with pytest.raises(getattr(tarfile, exc), match=msg):
        extract_archive(arch, dest)
    assert os.listdir(dest) == [] and not (tmp_path / "dest" / "fuera.txt").exists()


def test_truncated_archives_and_size_limits(tmp_path, monkeypatch):
    from tinygrad_es.vision.datasets import _archive
    arch = tmp_path / "a.tar.gz"
    _tar_with(arch, "bien/b.txt", data=os.urandom(50_000))
    ok = extract_archive(arch, tmp_path / "d0")
    assert (tmp_path / "d0" / "bien" / "a.txt").read_bytes() == b"ok" and ok == str(tmp_path / "d0")
    assert sorted(os.listdir(tmp_path / "d0")) == ["bien"]   # sin la carpeta temporal de extracción
    cut = tmp_path / "corto.tar.gz"
    cut.write_bytes(arch.read_bytes()[:len(arch.read_bytes()) // 2])
    with pytest.raises(tarfile.TarError, match="truncado o dañado"):
        extract_archive(cut, tmp_path / "d1")
    monkeypatch.setattr(_archive, "MAX_TOTAL_BYTES", 10_000)
    with pytest.raises(tarfile.TarError, match="más que el máximo admitido"):
        extract_archive(arch, tmp_path / "d2")
    g = tmp_path / "x.gz"
    g.write_bytes(gzip.compress(b"a" * 20_000)[:-12])
    with pytest.raises(tarfile.TarError, match=".gz dañado o truncado"):
        extract_archive(g, tmp_path / "d3")


def test_download_url_server_errors(tmp_path):
    serve = tmp_path / "srv"
    serve.mkdir()
    (serve / "f.bin").write_bytes(b"x" * 1000)
    with Server(serve) as srv:
        with pytest.raises(U.DownloadError, match="404"):
            U.download_url(srv.url + "no.bin", tmp_path / "d", progress=False)
        with pytest.raises(U.DownloadError, match="máximo admitido"):
            U.download_url(srv.url + "f.bin", tmp_path / "d", max_bytes=100, progress=False)
        U.download_url(srv.url + "f.bin", tmp_path / "d", md5=hashlib.md5(b"x" * 1000).hexdigest(), progress=False)
    assert (tmp_path / "d" / "f.bin").read_bytes() == b"x" * 1000
    assert U.check_integrity(tmp_path / "d" / "f.bin", hashlib.md5(b"x" * 1000).hexdigest())
    assert not U.check_integrity(tmp_path / "d" / "f.bin", "0" * 32)


def test_random_transforms_in_dataloader_workers_are_seeded_per_worker(tmp_path):
    """Cada worker siembra su generador (como PyTorch): los aumentos no se repiten entre workers y
    la misma semilla del DataLoader da los mismos lotes."""
    from tinygrad_es.utils.data import DataLoader
    from tinygrad_es.vision import transforms as T
    make_folder(tmp_path, {"a": [f"{i}.png" for i in range(8)]})
    same = Image.fromarray(np.random.default_rng(5).integers(0, 256, (8, 9, 3), dtype=np.uint8))
    for i in range(8):
        same.save(tmp_path / "a" / f"{i}.png")
    ds = datasets.ImageFolder(tmp_path, transform=T.Compose([T.RandomCrop(8, padding=3), T.ToTensor()]))

    def batches(seed):
        g = tg.Generator().manual_seed(seed)
        return [x.numpy() for x, _ in DataLoader(ds, batch_size=4, num_workers=2, generator=g)]
    a, b = batches(7), batches(7)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))          # reproducible
    assert not np.array_equal(a[0], a[1])                            # worker 0 ≠ worker 1
    crops = np.concatenate(a)
    assert len({c.tobytes() for c in crops}) > 4                     # recortes distintos de la misma imagen


def test_jpeg_archive_in_a_read_only_folder_is_extracted_to_the_cache(tmp_path, monkeypatch):
    from tinygrad_es.vision.datasets import cifar
    ro = tmp_path / "solo_lectura"
    ro.mkdir()
    make_jpeg_archive(ro / "cifar10-jpg.tar.gz", per_class=1)
    real = cifar._writable
    monkeypatch.setattr(cifar, "_writable", lambda f: False if os.path.samefile(f, ro) else real(f))
    folder = datasets.prepare_cifar10_jpeg(ro)
    assert folder == os.path.join(str(tmp_path / "home"), ".cache", "tinygrad_es", "cifar10-jpg")
    assert len(datasets.ImageFolder(os.path.join(folder, "train"))) == 3 and os.listdir(ro) == ["cifar10-jpg.tar.gz"]
