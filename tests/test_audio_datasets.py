"""``audio.datasets``: FSDD (muestra incluida, carpetas, archivo, descarga verificada) y
SPEECHCOMMANDS con la estructura y las listas de torchaudio, descargados de un servidor en
127.0.0.1 a partir de archivos pequeños que el test construye con esa misma estructura."""
import functools
import hashlib
import http.server
import io
import os
import tarfile
import threading

import numpy as np
import pytest

import tinygrad_es as tg
import tinygrad_es.audio as ta
from tinygrad_es.audio.datasets import FSDD, SPEECHCOMMANDS
from tinygrad_es.audio.datasets import fsdd as fsdd_mod, speechcommands as sc_mod
from tinygrad_es.audio.datasets.utils import extract_archive
from tinygrad_es.data.datasets import DatasetNotFoundError

OFFICIAL = "/work/shared/datasets/fsdd/fsdd-recordings.tar.gz"


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """Sin caché ni TINYGRAD_ES_DATA: que no se encuentre nada por casualidad."""
    monkeypatch.setenv("HOME", str(tmp_path / "casa"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    return tmp_path


@pytest.fixture
def server(tmp_path):
    """Un servidor HTTP en 127.0.0.1 que sirve ``tmp_path/www``."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_Quiet, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def _tar(path, members):
    with tarfile.open(path, "w:gz") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


# ---- FSDD ---------------------------------------------------------------------------------------
def test_sample_split_items_and_metadata():
    train, test = FSDD(sample=True, subset="training"), FSDD(sample=True, subset="testing")
    assert len(train) == len(test) == 60 and len(FSDD(sample=True)) == 120
    assert train.speakers == test.speakers == sorted(fsdd_mod.FSDD_SPEAKERS)
    assert all(train.get_metadata(i)[4] >= 5 for i in range(60)) and all(test.get_metadata(i)[4] < 5 for i in range(60))
    w, sr, label, speaker, idx = test[7]
    name = test.get_metadata(7)[0]
    assert name == f"{label}_{speaker}_{idx}.wav" and sr == 8000
    assert w.dtype == tg.float32 and w.ndim == 2 and w.shape[0] == 1 and np.abs(w.numpy()).max() <= 1
    assert sorted({test.get_metadata(i)[2] for i in range(60)}) == list(range(10))
    with pytest.raises(ValueError, match="subset"):
        FSDD(sample=True, subset="validation")


def test_sample_is_byte_identical_to_official_recordings():
    if not os.path.exists(OFFICIAL):
        pytest.skip("no está el archivo oficial del FSDD en esta máquina")
    official = fsdd_mod._read_archive(OFFICIAL)
    assert fsdd_mod.content_sha256(official) == fsdd_mod.CONTENT_SHA256
    sample = fsdd_mod._read_archive(fsdd_mod._SAMPLE)
    assert all(sample[n] == official[n] for n in sample)


def test_found_in_root_folder_archive_and_env(empty_home, monkeypatch):
    tmp = empty_home
    rec = tmp / "datos" / "fsdd" / "recordings"
    paths = FSDD.sample_files(rec, n=30)
    ds = FSDD(tmp / "datos", subset="testing")
    assert ds.source == str(rec) and len(ds) == 15     # 30 primeras: índices 0 y 5 de 15 pares (dígito, persona)
    assert np.array_equal(ds[0][0].numpy(), ta.load(paths[0])[0].numpy())
    arch = tmp / "otra" / "fsdd-recordings.tar.gz"
    arch.parent.mkdir()
    _tar(arch, {"recordings/" + os.path.basename(p): open(p, "rb").read() for p in paths[:10]})
    monkeypatch.setenv("TINYGRAD_ES_DATA", str(tmp / "otra"))
    ds = FSDD()                                         # por la variable de entorno, leyendo el archivo
    assert ds.source == str(arch) and len(ds) == 10
    monkeypatch.delenv("TINYGRAD_ES_DATA")
    with pytest.raises(DatasetNotFoundError, match="download=True"):
        FSDD(tmp / "nada")


def test_download_checks_content_and_uses_mirrors(empty_home, server, monkeypatch):
    www, url = server
    files = fsdd_mod._read_archive(fsdd_mod._SAMPLE)
    names = sorted(files)[:8]
    _tar(www / "fsdd.tar.gz", {f"free-spoken-digit-dataset-26eb9aa/recordings/{n}": files[n] for n in names})
    monkeypatch.setattr(fsdd_mod, "MIRRORS", [url + "/no_esta.tar.gz", url + "/fsdd.tar.gz"])
    monkeypatch.setattr(fsdd_mod, "CONTENT_SHA256", fsdd_mod.content_sha256({n: files[n] for n in names}))
    ds = FSDD(empty_home / "raiz", download=True)
    assert len(ds) == 8 and os.path.isfile(empty_home / "raiz" / "fsdd" / "fsdd.tar.gz")
    assert FSDD(empty_home / "raiz").source.endswith("fsdd.tar.gz")   # la segunda vez, sin red
    monkeypatch.setattr(fsdd_mod, "CONTENT_SHA256", "0" * 64)
    with pytest.raises(DatasetNotFoundError, match="rechazada"):
        FSDD(empty_home / "otra_raiz", download=True)
    assert not os.path.exists(empty_home / "otra_raiz" / "fsdd" / "fsdd.tar.gz")
    monkeypatch.setattr(fsdd_mod, "MIRRORS", [url + "/no_esta.tar.gz"])
    with pytest.raises(DatasetNotFoundError, match="404"):
        FSDD(empty_home / "tercera", download=True)


def test_bad_archive_is_a_clear_error(tmp_path):
    bad = tmp_path / "fsdd-recordings.tar.gz"
    bad.write_bytes(b"\x1f\x8b" + b"basura" * 20)
    with pytest.raises(RuntimeError, match="tar.gz"):
        FSDD(tmp_path)


# ---- Speech Commands ----------------------------------------------------------------------------
def _wav_bytes(n=16000, sr=16000, seed=0):
    x = (np.random.default_rng(seed).uniform(-0.3, 0.3, (1, n))).astype(np.float32)
    buf = io.BytesIO()
    ta.save(buf, tg.tensor(x), sr, format="wav", encoding="PCM_S", bits_per_sample=16)
    return buf.getvalue()


def _speech_commands_archive(path):
    m = {}
    for w, word in enumerate(["yes", "no", "house"]):
        for s, spk in enumerate(["0a7c2a8d", "1b4c9b89", "c1d39ce8"]):
            for k in range(2):
                m[f"./{word}/{spk}_nohash_{k}.wav"] = _wav_bytes(seed=w * 10 + s * 2 + k)
    m["./_background_noise_/white_noise.wav"] = _wav_bytes(32000)
    m["./validation_list.txt"] = b"yes/1b4c9b89_nohash_0.wav\nno/1b4c9b89_nohash_1.wav\n"
    m["./testing_list.txt"] = b"house/c1d39ce8_nohash_0.wav\nyes/c1d39ce8_nohash_1.wav\nno/c1d39ce8_nohash_0.wav\n"
    m["./LICENSE"] = b"CC BY 4.0"
    _tar(path, m)


def test_speechcommands_layout_download_and_subsets(tmp_path, server):
    www, url = server
    _speech_commands_archive(www / "speech_commands_v0.02.tar.gz")
    root = tmp_path / "raiz"
    full = SPEECHCOMMANDS(root, url=url + "/speech_commands_v0.02.tar.gz", download=True)
    assert os.path.isdir(root / "SpeechCommands" / "speech_commands_v0.02" / "yes")
    assert len(full) == 18                                   # sin _background_noise_
    train = SPEECHCOMMANDS(root, url=url + "/speech_commands_v0.02.tar.gz", subset="training")
    val = SPEECHCOMMANDS(root, url=url + "/speech_commands_v0.02.tar.gz", subset="validation")
    test = SPEECHCOMMANDS(root, url=url + "/speech_commands_v0.02.tar.gz", subset="testing")
    assert (len(train), len(val), len(test)) == (13, 2, 3)
    meta = [train.get_metadata(i) for i in range(len(train))]
    assert not {(m[2], m[3], m[4]) for m in meta} & {("yes", "1b4c9b89", 0), ("house", "c1d39ce8", 0)}
    assert val.get_metadata(0) == (os.path.join("speech_commands_v0.02", "yes", "1b4c9b89_nohash_0.wav"), 16000,
                                   "yes", "1b4c9b89", 0)
    w, sr, label, spk, n = test[0]
    assert w.shape == (1, 16000) and sr == 16000 and (label, spk, n) == ("house", "c1d39ce8", 0)
    with pytest.raises(ValueError, match="subset"):
        SPEECHCOMMANDS(root, subset="train")
    with pytest.raises(RuntimeError, match="download=True"):
        SPEECHCOMMANDS(tmp_path / "vacio")


def test_speechcommands_checksum_rejected(tmp_path, server, monkeypatch):
    www, url = server
    _speech_commands_archive(www / "speech_commands_v0.02.tar.gz")
    good = hashlib.sha256((www / "speech_commands_v0.02.tar.gz").read_bytes()).hexdigest()
    monkeypatch.setitem(sc_mod._CHECKSUMS, url + "/speech_commands_v0.02.tar.gz", "f" * 64)
    with pytest.raises(RuntimeError, match="sha256"):
        SPEECHCOMMANDS(tmp_path / "r", url=url + "/speech_commands_v0.02.tar.gz", download=True)
    leftovers = [p.name for p in (tmp_path / "r").iterdir()]
    assert not any(n.endswith((".tar.gz", ".part")) or n.startswith(".tmp-") for n in leftovers), leftovers
    monkeypatch.setitem(sc_mod._CHECKSUMS, url + "/speech_commands_v0.02.tar.gz", good)
    assert len(SPEECHCOMMANDS(tmp_path / "r", url=url + "/speech_commands_v0.02.tar.gz", download=True)) == 18


def test_extract_refuses_paths_outside(tmp_path):
    evil = tmp_path / "malo.tar.gz"
    _tar(evil, {"../fuera.txt": b"x"})
    with pytest.raises(RuntimeError, match="peligrosa"):
        extract_archive(str(evil), str(tmp_path / "dest"))
    assert not (tmp_path / "fuera.txt").exists()
    with tarfile.open(tmp_path / "enlace.tar", "w") as t:
        info = tarfile.TarInfo("enlace")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        t.addfile(info)
    with pytest.raises(RuntimeError, match="enlace"):
        extract_archive(str(tmp_path / "enlace.tar"), str(tmp_path / "dest2"))
