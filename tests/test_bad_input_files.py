"""Ficheros hostiles para cada lector (``.npz``, ``.npy``, ``.pt``, IDX, WAV, imágenes, pickles de
CIFAR): truncados, con cabeceras que prometen más de lo que hay, firma equivocada, tipo equivocado.

Cada caso escribe un fichero pequeño, lo lee con el lector público y comprueba: un error con la
clase del lector y un mensaje en español que nombra el fichero, y que la memoria reservada
(``tracemalloc``, que ve las reservas de numpy) no pasa de unas veces el tamaño del fichero.
"""
import io
import os
import pickle
import struct
import tracemalloc
import wave
import zipfile

import numpy as np
import pytest

import tinygrad_es as tg
import tinygrad_es.audio as audio
from tinygrad_es.serialization.checkpoint import CheckpointError, load_state

PEAK_SLACK = 4 << 20   # margen fijo (intérprete, zipfile...) además de 4 × el tamaño del fichero


def npy_bytes(shape, descr="<f8", data=b"\0" * 64):
    hdr = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (descr, shape)
    hdr += " " * (63 - (len(hdr) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + data


def npz(path, members, method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", method) as z:
        for k, v in members.items():
            z.writestr(k + ".npy", v)
    return path


def _pt(tmp, numel=None, size_claim=None, cut=None):
    buf = io.BytesIO()
    tg.save({"w": tg.zeros(4)}, buf)
    raw = buf.getvalue()
    if size_claim:   # el directorio central dice que data/0 mide size_claim bytes
        i = raw.rfind(b"PK\x01\x02")
        while i >= 0:
            nlen = struct.unpack("<H", raw[i + 28:i + 30])[0]
            if raw[i + 46:i + 46 + nlen].endswith(b"data/0"):
                raw = raw[:i + 20] + struct.pack("<II", size_claim, size_claim) + raw[i + 28:]
            i = raw.rfind(b"PK\x01\x02", 0, i)
    if numel:        # el índice (data.pkl) dice numel elementos
        zin, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
        with zipfile.ZipFile(out, "w") as zo:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename.endswith("data.pkl"):
                    data = data.replace(b"K\x04", b"J" + struct.pack("<i", numel), 1)
                zo.writestr(info, data)
        raw = out.getvalue()
    if cut:
        raw = raw[:cut]
    p = tmp / "m.pt"
    p.write_bytes(raw)
    return p


def _wav(tmp, claim=None, cut=None, fmt_code=1):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.zeros(100, np.int16).tobytes())
    raw = bytearray(buf.getvalue())
    if claim is not None:
        raw[40:44] = struct.pack("<I", claim)
    if fmt_code != 1:
        raw[20:22] = struct.pack("<H", fmt_code)
    p = tmp / "a.wav"
    p.write_bytes(bytes(raw[:cut] if cut else raw))
    return p


def _png(tmp, w=2 ** 16, h=2 ** 16):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("L", (4, 4)).save(buf, format="PNG")
    raw = bytearray(buf.getvalue())
    raw[16:24] = struct.pack(">II", w, h)   # IHDR con otro tamaño (el CRC ya no cuadra)
    p = tmp / "i.png"
    p.write_bytes(bytes(raw))
    return p


def _idx(tmp, dims=(10 ** 6, 10 ** 6)):
    p = tmp / "x-idx3-ubyte"
    p.write_bytes(struct.pack(">I", 0x800 + len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + b"\0" * 64)
    return p


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/tinygrad_es_cifar_ejecutado",))


def _cifar_pickle(tmp, evil=False, claim=None):
    if evil:
        payload = pickle.dumps({"data": _Evil(), "labels": [0]}, protocol=2)
    else:
        payload = pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 1]}, protocol=2)
        if claim:  # la forma (2, 3072) pasa a (claim, 3072) sin más bytes
            payload = payload.replace(b"K\x02M\x00\x0c\x86", b"J" + struct.pack("<i", claim) + b"M\x00\x0c\x86", 1)
    p = tmp / "data_batch_1"
    p.write_bytes(payload)
    return p


def _load_image(p):
    from tinygrad_es.vision.io import read_image
    return read_image(str(p))


def _load_cifar(p):
    from tinygrad_es.vision.datasets._numpy_pickle import load_numpy_pickle
    return load_numpy_pickle(str(p))


def _load_idx(p):
    from tinygrad_es.data.idx import read_idx
    return read_idx(str(p))


CASES = [
    # (id, escribe(tmp) -> ruta, lee(ruta), clase de error)
    ("npz-cabecera-74GiB", lambda t: npz(t / "a.npz", {"w": npy_bytes((100000, 100000))}), load_state,
     CheckpointError),
    ("npz-deflate-74GiB", lambda t: npz(t / "a.npz", {"w": npy_bytes((100000, 100000))}, zipfile.ZIP_DEFLATED),
     load_state, CheckpointError),
    ("npz-truncado", lambda t: npz(t / "a.npz", {"w": npy_bytes((100,), data=b"\0" * 16)}), load_state,
     CheckpointError),
    ("npz-objetos", lambda t: npz(t / "a.npz", {"w": npy_bytes((2,), "|O", b"\0" * 16)}), load_state,
     CheckpointError),
    ("npz-texto", lambda t: npz(t / "a.npz", {"w": npy_bytes((2,), "<U1", b"a\0\0\0b\0\0\0")}), load_state,
     CheckpointError),
    ("npz-forma-negativa", lambda t: npz(t / "a.npz", {"w": npy_bytes((-1,))}), load_state, CheckpointError),
    ("npz-cabecera-codigo", lambda t: npz(t / "a.npz", {"w": npy_bytes((2,), "<f8'}) or __import__('os'), {'x", )}),
     load_state, CheckpointError),
    ("pt-indice-miente", lambda t: _pt(t, numel=10 ** 9), tg.load, RuntimeError),
    ("pt-zip-miente", lambda t: _pt(t, size_claim=2 ** 31), tg.load, RuntimeError),
    ("pt-truncado", lambda t: _pt(t, cut=300), tg.load, RuntimeError),
    ("wav-data-miente", lambda t: _wav(t, claim=2 ** 31), audio.load, RuntimeError),
    ("wav-truncado", lambda t: _wav(t, cut=30), audio.load, RuntimeError),
    ("wav-comprimido", lambda t: _wav(t, fmt_code=0x55), audio.load, RuntimeError),
    ("png-65536x65536", _png, _load_image, RuntimeError),
    ("idx-10^12-elementos", _idx, _load_idx, ValueError),
    ("cifar-pickle-ejecuta", lambda t: _cifar_pickle(t, evil=True), _load_cifar, pickle.UnpicklingError),
    ("cifar-pickle-forma-miente", lambda t: _cifar_pickle(t, claim=10 ** 8), _load_cifar, pickle.UnpicklingError),
]


@pytest.mark.parametrize("write, read, exc", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_file(tmp_path, write, read, exc):
    path = write(tmp_path)
    size = os.path.getsize(path)
    tracemalloc.start()
    try:
        with pytest.raises(exc) as info:
            read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * size + PEAK_SLACK, f"reservó {peak} bytes para un fichero de {size}"
    msg = str(info.value)
    assert path.name in msg or str(path) in msg, f"el mensaje no nombra el fichero: {msg}"
    assert not os.path.exists("/tmp/tinygrad_es_cifar_ejecutado")


def test_npz_good_roundtrip_still_works(tmp_path):
    p = tmp_path / "ok.npz"
    np.savez_compressed(p, w=np.arange(12.0).reshape(3, 4), f=np.asfortranarray(np.ones((2, 3), np.float32)))
    st = load_state(p)
    np.testing.assert_array_equal(st["w"], np.arange(12.0).reshape(3, 4))
    assert st["f"].shape == (2, 3) and st["f"].dtype == np.float32


def test_pt_good_roundtrip_still_works(tmp_path):
    p = tmp_path / "ok.pt"
    tg.save({"w": tg.arange(6.0).reshape(2, 3)}, p)
    np.testing.assert_array_equal(tg.load(p)["w"].numpy(), np.arange(6.0).reshape(2, 3))


def test_torch_checkpoint_still_loads(tmp_path):
    torch = pytest.importorskip("torch")
    p = tmp_path / "t.pt"
    torch.save({"w": torch.arange(6.0).reshape(2, 3), "h": torch.ones(3, dtype=torch.bfloat16)}, p)
    st = tg.load(p)
    np.testing.assert_array_equal(st["w"].numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(st["h"].float().numpy(), np.ones(3))
