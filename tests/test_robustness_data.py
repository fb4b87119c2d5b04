"""Robustez de las descargas y del lector IDX: servidores lentos o que cortan la respuesta,
gzip corrupto, cabeceras absurdas, etiquetas fuera de rango y ficheros que se inflan."""
import gzip
import hashlib
import http.server
import os
import struct
import threading
import time

import numpy as np
import pytest

from tinygrad_es import data as D
from tinygrad_es.data import datasets as DS


def _idx_bytes(arr):
    arr = np.asarray(arr, dtype=np.uint8)
    return b"\x00\x00\x08" + bytes([arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes()


def _fake_files(n=12):
    rng = np.random.default_rng(1)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (n, 28, 28)),
              "train-labels-idx1-ubyte": rng.integers(0, 10, n),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (n // 2, 28, 28)),
              "t10k-labels-idx1-ubyte": rng.integers(0, 10, n // 2)}
    return {stem + ".gz": gzip.compress(_idx_bytes(a), mtime=0) for stem, a in arrays.items()}


class _Handler(http.server.BaseHTTPRequestHandler):
    """/ok/F sirve F; /lento/F anuncia F entero y gotea 1 byte cada 0,5 s; /corto/F envía la
    mitad y cierra la conexión. Todos los bucles están acotados."""
    files = {}

    def log_message(self, *a):
        pass

    def do_GET(self):
        mode, _, name = self.path.strip("/").partition("/")
        body = self.files.get(name)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if mode == "ok":
                self.wfile.write(body)
            elif mode == "corto":
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
            elif mode == "lento":
                for i in range(min(len(body), 120)):     # 60 s como mucho
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def server(monkeypatch, tmp_path):
    files = _fake_files()
    md5 = {name[:-3]: hashlib.md5(b).hexdigest() for name, b in files.items()}
    monkeypatch.setitem(DS.DATASETS, "mnist", {"md5": md5, "mirrors": []})
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    handler = type("H", (_Handler,), {"files": files})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    stopper = threading.Timer(120, httpd.shutdown)   # se para solo aunque el test se cuelgue
    stopper.daemon = True
    stopper.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield base
    stopper.cancel()
    httpd.shutdown()
    httpd.server_close()


def _cache(tmp_path):
    return tmp_path / "home" / ".cache" / "tinygrad_es" / "mnist"


def test_slow_mirror_is_abandoned_and_next_mirror_used(server, tmp_path):
    t0 = time.monotonic()
    (x, y), (xt, yt) = D.load_mnist(mirrors=[server + "lento/", server + "ok/"], timeout=1)
    # sin el límite de velocidad, 1 byte cada 0,5 s tardaría horas
    assert time.monotonic() - t0 < 20
    assert x.shape == (12, 28, 28) and xt.shape == (6, 28, 28)
    assert sorted(os.listdir(_cache(tmp_path))) == sorted(s + ".gz" for s in DS._FILES)


def test_slow_mirror_hits_overall_deadline(server, tmp_path):
    t0 = time.monotonic()
    with pytest.raises(D.DatasetNotFoundError,
                       match=r"(?s)La descarga falló:.*lento/train-images-idx3-ubyte\.gz: (el servidor es "
                             r"demasiado lento|se agotó el plazo total)"):
        D.load_mnist(mirrors=[server + "lento/"], timeout=30, deadline=2)
    assert time.monotonic() - t0 < 6
    assert not [f for f in os.listdir(_cache(tmp_path)) if not f.startswith("t")]  # sin .part


def test_slow_mirror_rate_limit_message(server):
    with pytest.raises(D.DatasetNotFoundError, match=r"el servidor es demasiado lento \(\d+ bytes/s tras"):
        D.load_mnist(mirrors=[server + "lento/"], timeout=1, deadline=30)


def test_truncated_response_tries_next_mirror(server, tmp_path):
    with pytest.raises(D.DatasetNotFoundError, match=r"corto/.*: respuesta truncada: llegaron \d+ de \d+ bytes"):
        D.load_mnist(mirrors=[server + "corto/"], timeout=5)
    assert os.listdir(_cache(tmp_path)) == []          # nada a medias en la caché
    (x, _), _ = D.load_mnist(mirrors=[server + "corto/", server + "ok/"], timeout=5)
    assert x.shape == (12, 28, 28)


def test_http_error_is_spanish(server, tmp_path):
    with pytest.raises(D.DatasetNotFoundError, match=r"el servidor respondió 404"):
        D.load_mnist(mirrors=[server + "ok/no-existe/"], timeout=5)


# ---- lector IDX -----------------------------------------------------------------------------
def test_corrupt_deflate_stream_names_file(tmp_path):
    raw = bytearray(gzip.compress(_idx_bytes(np.random.default_rng(0).integers(0, 256, (50, 28, 28))),
                                  mtime=0))
    for i in range(40, 80):
        raw[i] ^= 0x5A
    p = tmp_path / "train-images-idx3-ubyte.gz"
    p.write_bytes(bytes(raw))
    with pytest.raises(D.IDXError, match=r"'train-images-idx3-ubyte\.gz' es un \.gz dañado o truncado: no se "
                                         r"puede descomprimir"):
        D.read_idx(p)


def test_truncated_gz_names_file(tmp_path):
    p = tmp_path / "t.gz"
    p.write_bytes(gzip.compress(_idx_bytes(np.arange(5000) % 256), mtime=0)[:-30])
    with pytest.raises(D.IDXError, match=r"'t\.gz' es un \.gz dañado o truncado: .*se corta antes de terminar"):
        D.read_idx(p)


@pytest.mark.parametrize("gz", [True, False])
def test_header_dimensions_that_overflow(tmp_path, gz):
    head = b"\x00\x00\x08\x03" + struct.pack(">III", 2**32 - 1, 2**32 - 1, 2**32 - 1)
    p = tmp_path / "enorme"
    p.write_bytes(gzip.compress(head + b"\x00" * 100) if gz else head + b"\x00" * 100)
    with pytest.raises(D.IDXError, match=r"'enorme': la cabecera anuncia forma \(4294967295, 4294967295, "
                                         r"4294967295\), \d+ bytes de datos, más que el máximo"):
        D.read_idx(p)


def test_label_out_of_range_rejected_by_loader(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 8)
    labels[3] = 200
    for stem, arr in (("train-images-idx3-ubyte", rng.integers(0, 256, (8, 28, 28))),
                      ("train-labels-idx1-ubyte", labels),
                      ("t10k-images-idx3-ubyte", rng.integers(0, 256, (4, 28, 28))),
                      ("t10k-labels-idx1-ubyte", rng.integers(0, 10, 4))):
        (folder / (stem + ".gz")).write_bytes(gzip.compress(_idx_bytes(arr)))
    with pytest.raises(D.IDXError, match=r"'train-labels-idx1-ubyte\.gz' contiene la etiqueta 200 en la posición 3 "
                                         r"\(1 fuera de rango\); las clases van de 0 a 9"):
        D.load_mnist(root=tmp_path, download=False)


def _gz_with_payload(path, header_shape, payload_mib):
    """Un .gz cuya cabecera IDX anuncia ``header_shape`` pero que se infla a ``payload_mib`` MiB."""
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(b"\x00\x00\x08" + bytes([len(header_shape)]) + struct.pack(">" + "I" * len(header_shape),
                                                                          *header_shape))
        zeros = bytes(1 << 20)
        for _ in range(payload_mib):
            f.write(zeros)


def _peak_mib(fn):
    import tracemalloc
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


def test_gz_bomb_is_rejected_early_with_little_memory(tmp_path):
    p = tmp_path / "bomba.gz"
    _gz_with_payload(p, (10, 28, 28), 256)     # 256 MiB inflados; la cabecera dice 7 840 bytes
    assert os.path.getsize(p) < 2 << 20

    def read():
        with pytest.raises(D.IDXError, match=r"'bomba\.gz' está sobredimensionado: la cabecera anuncia forma "
                                             r"\(10, 28, 28\) \(7840 bytes de datos\) y el fichero sigue"):
            D.read_idx(p)
    t0 = time.monotonic()
    peak = _peak_mib(read)
    assert peak < 8, f"pico de memoria {peak:.1f} MiB"     # antes: >1 GiB
    assert time.monotonic() - t0 < 3


def test_header_promising_more_than_exists_uses_little_memory(tmp_path):
    p = tmp_path / "promesa.gz"
    _gz_with_payload(p, (1000, 1000, 500), 2)   # anuncia 500 MB, trae 2 MiB

    def read():
        with pytest.raises(D.IDXError, match=r"'promesa\.gz' está truncado: la cabecera anuncia forma "
                                             r"\(1000, 1000, 500\) \(500000000 bytes de datos\) y hay 2097152"):
            D.read_idx(p)
    assert _peak_mib(read) < 16


def test_download_arguments(server, tmp_path):
    with pytest.raises(ValueError, match=r"timeout debe ser un número de segundos positivo, no 0"):
        D.load_mnist(mirrors=[server + "ok/"], timeout=0)
    with pytest.raises(ValueError, match=r"deadline debe ser un número de segundos positivo, no -1"):
        D.load_mnist(mirrors=[server + "ok/"], deadline=-1)
    (x, _), _ = D.load_mnist(mirrors=server + "ok/", timeout=5)     # un espejo sin lista también vale
    assert x.shape == (12, 28, 28)
