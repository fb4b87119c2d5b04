"""La descarga HTTP del paquete (``tinygrad_es/_download.py``), contra un servidor en 127.0.0.1.

La usan los tres lectores (``data``, ``vision``, ``audio``): cada uno elige su clase de error y sus
límites, pero el reloj, el tamaño máximo, los mensajes en español y el temporal atómico son uno.
"""
import hashlib
import http.server
import os
import pathlib
import socket
import threading
import time
import urllib.error

import pytest

from tinygrad_es import _download as DL
from tinygrad_es.audio.datasets import utils as AU
from tinygrad_es.data import datasets as D
from tinygrad_es.vision.datasets import utils as VU

BODY = bytes(range(256)) * 40          # 10 240 bytes


class _Handler(http.server.BaseHTTPRequestHandler):
    """/ok sirve BODY; /sin-longitud, sin Content-Length; /corto anuncia BODY y manda la mitad;
    /lento gotea 1 byte cada 0,1 s (3 s como mucho); lo demás, 404."""

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path not in ("/ok", "/sin-longitud", "/corto", "/lento"):
            self.send_error(404)
            return
        self.send_response(200)
        if self.path != "/sin-longitud":
            self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        try:
            if self.path == "/corto":
                self.wfile.write(BODY[:len(BODY) // 2])
            elif self.path == "/lento":
                for i in range(30):
                    self.wfile.write(BODY[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self.wfile.write(BODY)
        except OSError:
            pass
        self.close_connection = True


@pytest.fixture(scope="module")
def url():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _get(u, **kw):
    chunks = []
    kw.setdefault("timeout", 5.0)
    kw.setdefault("max_bytes", 1 << 20)
    n = DL.stream(u, chunks.append, deadline_at=time.monotonic() + kw.pop("deadline", 10.0), **kw)
    return n, b"".join(chunks)


def test_stream_gives_every_byte_with_and_without_content_length(url):
    assert _get(url + "/ok") == (len(BODY), BODY)
    assert _get(url + "/sin-longitud") == (len(BODY), BODY)


def test_stream_errors_are_spanish_and_of_the_callers_class(url):
    class MiError(Exception):
        pass
    cases = [(url + "/nada", {}, r"el servidor respondió 404"),
             (url + "/corto", {}, r"respuesta truncada: llegaron 5120 de 10240 bytes"),
             (url + "/ok", {"max_bytes": 1000}, r"el servidor anuncia 10240 bytes; el máximo admitido es 1000"),
             (url + "/sin-longitud", {"max_bytes": 1000}, r"la respuesta supera el máximo admitido \(1000 bytes\)"),
             (url + "/ok", {"deadline": -1.0}, r"no se intentó: se agotó el plazo total")]
    for u, kw, msg in cases:
        with pytest.raises(MiError, match=msg):
            _get(u, exc=MiError, **kw)


def test_stream_gives_up_on_a_slow_mirror_and_a_closed_port(url):
    t0 = time.monotonic()
    with pytest.raises(DL.DownloadError, match=r"el servidor es demasiado lento \(\d+ bytes/s tras"):
        _get(url + "/lento", timeout=0.3)
    assert time.monotonic() - t0 < 2.5
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                   # nadie escucha en ese puerto
    with pytest.raises(DL.DownloadError, match="no se pudo conectar"):
        _get(f"http://127.0.0.1:{port}/ok")


def test_stream_reports_progress_and_closes_the_bar(url):
    seen = []

    class Barra:
        def __init__(self, total):
            seen.append(("total", total))

        def update(self, n):
            seen.append(("n", n))

        def close(self):
            seen.append(("close", None))
    _get(url + "/ok", progress=Barra)
    assert seen[0] == ("total", len(BODY)) and seen[-1] == ("close", None)
    assert sum(n for k, n in seen if k == "n") == len(BODY)
    seen.clear()
    with pytest.raises(DL.DownloadError):
        _get(url + "/corto", progress=Barra)
    assert [k for k, _ in seen].count("close") == 1      # la línea de la barra se termina una vez


def test_download_file_is_atomic_and_verified(url, tmp_path):
    dst = tmp_path / "d" / "f.bin"
    dead = 2 ** 22 + 12345                     # un pid que no existe: su temporal es basura
    (tmp_path / "d").mkdir()
    stale = tmp_path / "d" / f".tmp-{dead}-abc123-f.bin"
    stale.write_bytes(b"a medias")

    def reject(digest):
        raise RuntimeError(f"resumen {digest} rechazado")
    with pytest.raises(RuntimeError, match="rechazado"):
        DL.download_file(url + "/ok", str(dst), timeout=5, deadline=10, max_bytes=1 << 20, verify=reject)
    assert os.listdir(tmp_path / "d") == []                 # ni el fichero, ni temporales (tampoco el viejo)
    with pytest.raises(DL.DownloadError, match="truncada"):
        DL.download_file(url + "/corto", str(dst), timeout=5, deadline=10, max_bytes=1 << 20)
    assert os.listdir(tmp_path / "d") == []
    digest = DL.download_file(url + "/ok", str(dst), timeout=5, deadline=10, max_bytes=1 << 20, hash_name="md5")
    assert digest == hashlib.md5(BODY).hexdigest() and dst.read_bytes() == BODY
    assert os.listdir(tmp_path / "d") == ["f.bin"]


def test_the_three_readers_share_it_and_keep_their_error_classes(url, tmp_path):
    with pytest.raises(D._FetchError, match="respondió 404"):
        D._fetch(url + "/nada", 5.0, time.monotonic() + 10)
    assert D._fetch(url + "/ok", 5.0, time.monotonic() + 10) == BODY
    with pytest.raises(VU.DownloadError, match="respondió 404") as e:
        VU.download_url(url + "/nada", tmp_path / "v", progress=False)
    assert isinstance(e.value, urllib.error.URLError)        # como torchvision: prueba el siguiente espejo
    with pytest.raises(AU.DownloadError, match=r"^http://127\.0\.0\.1:\d+/nada: el servidor respondió 404"):
        AU.download_url_to_file(url + "/nada", str(tmp_path / "a" / "x"))
    AU.download_url_to_file(url + "/ok", str(tmp_path / "a" / "x"), hashlib.sha256(BODY).hexdigest()[:10])
    assert (tmp_path / "a" / "x").read_bytes() == BODY


def test_only_one_module_opens_urls():
    root = pathlib.Path(DL.__file__).parent
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if "urlopen(" in p.read_text("utf-8"))
    assert users == ["_download.py"], users
