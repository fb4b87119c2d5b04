"""Texto para modelos de lenguaje: el extracto del Quijote incluido, la búsqueda local, la descarga
verificada contra un servidor en 127.0.0.1 (copia exacta por SHA-256 y edición de Gutenberg),
los ficheros malos, el vocabulario de caracteres y las ventanas."""
import gzip
import hashlib
import http.server
import os
import threading

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es.data import text as TX
from tinygrad_es.data import CharDataset, CharTokenizer, DatasetNotFoundError, load_quijote, quijote_excerpt
from tinygrad_es.utils.data import DataLoader


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """Un HOME vacío y sin TINYGRAD_ES_DATA: nada local salvo lo que ponga el test."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    monkeypatch.setattr(TX, "search_paths", lambda root=None: [str(p) for p in
                                                                ([root] if root else []) +
                                                                ([os.environ["TINYGRAD_ES_DATA"]]
                                                                 if os.environ.get("TINYGRAD_ES_DATA") else []) +
                                                                [tmp_path / "home" / ".cache" / "tinygrad_es"]])
    return tmp_path


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


def fake_full_text():
    """~2 M caracteres que empiezan como el Quijote (el extracto repetido)."""
    ex = quijote_excerpt()
    return ex * 20


def test_excerpt_is_bundled_and_exact():
    ex = quijote_excerpt()
    assert len(ex) == 99045 and ex.startswith("Primera parte del ingenioso hidalgo")
    assert TX._INCIPIT in ex and "molinos de viento" in ex
    assert hashlib.sha256(ex.encode()).hexdigest() == TX.QUIJOTE["excerpt_sha256"]
    assert os.path.getsize(TX._EMBEDDED) < 60_000


def test_local_search_order_and_formats(no_data, monkeypatch):
    text = "En un lugar de la Mancha…\n"
    d = no_data / "datos" / "quijote"
    d.mkdir(parents=True)
    (d / "quijote.txt").write_text(text, encoding="utf-8")
    monkeypatch.setenv("TINYGRAD_ES_DATA", str(no_data / "datos"))
    assert load_quijote(download=False) == text
    gz = no_data / "otro" / "quijote.txt.gz"
    gz.parent.mkdir()
    gz.write_bytes(gzip.compress("otro texto\r\n".encode()))
    assert load_quijote(root=no_data / "otro", download=False) == "otro texto\n"  # root manda; \r\n → \n
    assert load_quijote(root=gz, download=False) == "otro texto\n"  # root puede ser el propio fichero
    monkeypatch.delenv("TINYGRAD_ES_DATA")
    with pytest.raises(DatasetNotFoundError, match="quijote_excerpt"):
        load_quijote(download=False)


def test_bad_local_files_are_clear_errors(no_data):
    d = no_data / "malo"
    d.mkdir()
    (d / "quijote.txt").write_bytes(b"hola \xff\xfe")
    with pytest.raises(TX.TextFormatError, match="UTF-8"):
        load_quijote(root=d, download=False)
    (d / "quijote.txt").unlink()
    (d / "quijote.txt.gz").write_bytes(b"\x1f\x8b no es gzip")
    with pytest.raises(TX.TextFormatError, match="gzip"):
        load_quijote(root=d, download=False)
    (d / "quijote.txt.gz").write_bytes(gzip.compress(b"\0" * (TX._MAX_BYTES + 10)))  # bomba: 16 MB → 16 KB
    with pytest.raises(TX.TextFormatError, match="MB"):
        load_quijote(root=d, download=False)


def test_download_exact_copy_verified_and_cached(no_data, monkeypatch):
    full = fake_full_text()
    serve = no_data / "srv"
    serve.mkdir()
    (serve / "quijote.txt.gz").write_bytes(gzip.compress(full.encode()))
    (serve / "otro.txt.gz").write_bytes(gzip.compress((full + "x").encode()))
    monkeypatch.setitem(TX.QUIJOTE, "sha256", hashlib.sha256(full.encode()).hexdigest())
    monkeypatch.setitem(TX.QUIJOTE, "gutenberg", [])
    with _Server(serve) as srv:
        with pytest.raises(DatasetNotFoundError) as e:
            load_quijote(mirrors=[srv.url + "otro.txt.gz", "http://127.0.0.1:9/quijote.txt.gz"], timeout=2)
        assert "SHA-256" in str(e.value) and "no se pudo conectar" in str(e.value)
        assert load_quijote(mirrors=srv.url + "quijote.txt.gz", timeout=5) == full
    cached = no_data / "home" / ".cache" / "tinygrad_es" / "quijote"
    assert os.listdir(cached) == ["quijote.txt.gz"]  # sin temporales
    assert load_quijote(download=False) == full  # segunda vez, desde la caché


def test_download_gutenberg_edition(no_data, monkeypatch):
    body = fake_full_text()
    page = ("The Project Gutenberg eBook of Don Quijote\r\n\r\n*** START OF THE PROJECT GUTENBERG EBOOK DON "
            "QUIJOTE ***\r\n" + body.replace("\n", "\r\n") + "\r\n*** END OF THE PROJECT GUTENBERG EBOOK DON "
            "QUIJOTE ***\r\nLicencia…\r\n")
    serve = no_data / "srv"
    serve.mkdir()
    (serve / "pg2000.txt").write_text(page, encoding="utf-8")
    (serve / "corto.txt").write_text("*** START OF X ***\nEn un lugar\n*** END OF X ***", encoding="utf-8")
    with _Server(serve) as srv:
        monkeypatch.setitem(TX.QUIJOTE, "gutenberg", [srv.url + "corto.txt", srv.url + "pg2000.txt"])
        text = load_quijote(timeout=5)
    assert text == body.strip() + "\n" and "Licencia" not in text and "\r" not in text


def test_char_tokenizer():
    tok = CharTokenizer("¿Hola, señor? ¡Sí!")
    assert tok.itos == sorted(set("¿Hola, señor? ¡Sí!")) and len(tok) == tok.vocab_size
    ids = tok.encode("señor")
    assert tok.decode(ids) == "señor" and tok.decode(tg.tensor(ids)) == "señor"
    assert tok.decode(np.array([[tok.stoi["S"], tok.stoi["í"]]])) == "Sí"
    with pytest.raises(KeyError, match="'x'"):
        tok.encode("x")
    with pytest.raises(IndexError):
        tok.decode([len(tok)])
    assert CharTokenizer(chars=["a", "b"]).encode("ba") == [1, 0]


def test_char_dataset_windows():
    ids = list(range(20))
    d = CharDataset(ids, block_size=4)
    assert len(d) == 16
    x, y = d[3]
    assert x.tolist() == [3, 4, 5, 6] and y.tolist() == [4, 5, 6, 7] and x.dtype == tg.int64
    assert d[-1][1].tolist() == [16, 17, 18, 19]
    dn = CharDataset(ids, block_size=4, target="next", stride=4)
    assert len(dn) == 4 and dn[1][0].tolist() == [4, 5, 6, 7] and dn[1][1].item() == 8
    xb, yb = next(iter(DataLoader(d, batch_size=5)))
    assert tuple(xb.shape) == (5, 4) and tuple(yb.shape) == (5, 4)
    with pytest.raises(ValueError, match="más corto"):
        CharDataset([1, 2, 3], block_size=3)
    with pytest.raises(ValueError, match="block_size"):
        CharDataset(ids, block_size=0)
    with pytest.raises(IndexError):
        d[16]
