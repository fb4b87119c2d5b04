"""Robustez de los checkpoints (.npz) y del bucle de entrenamiento ante datos vacíos."""
import errno
import io
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import tinygrad_es.nn.functional as F
from tinygrad_es import nn, optim
from tinygrad_es.serialization.checkpoint import CheckpointError, load_state, save_state
from tinygrad_es.utils.data import DataLoader, TensorDataset
from tinygrad_es.train import ModelCheckpoint, evaluate, fit


def _state():
    return {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(3, np.float32)}


# ---- lectura de checkpoints estropeados -----------------------------------------------------
def test_roundtrip(tmp_path):
    p = tmp_path / "m.npz"
    save_state(_state(), p)
    st = load_state(p)
    assert set(st) == {"w", "b"} and np.array_equal(st["w"], _state()["w"])


def test_empty_checkpoint(tmp_path):
    p = tmp_path / "vacio.npz"
    p.write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"el checkpoint 'vacio\.npz' está vacío \(0 bytes\)"):
        load_state(p)


@pytest.mark.parametrize("cut", [10, 100, -40])
def test_truncated_checkpoint(tmp_path, cut):
    p = tmp_path / "m.npz"
    save_state({"w": np.random.default_rng(0).normal(size=(50, 50))}, p)
    raw = p.read_bytes()
    p.write_bytes(raw[:cut])
    with pytest.raises(CheckpointError, match=r"'m\.npz' (está dañado o truncado|no es un checkpoint \.npz)"):
        load_state(p)


def test_random_bytes_checkpoint(tmp_path):
    p = tmp_path / "azar.npz"
    p.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(CheckpointError, match=r"'azar\.npz' no es un checkpoint \.npz .*por seguridad no se carga"):
        load_state(p)


def test_npy_instead_of_npz(tmp_path):
    p = tmp_path / "pesos.npy"
    np.save(p, np.zeros((3, 4)))
    with pytest.raises(CheckpointError, match=r"'pesos\.npy' es un \.npy con un solo array \(3, 4\), no un "
                                              r"checkpoint \.npz"):
        load_state(p)


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="no existe el checkpoint"):
        load_state(tmp_path / "no.npz")


class _Boom:
    def __reduce__(self):   # si alguien desempaquetara esto, crearía un fichero
        return (open, ("/tmp/tinygrad_es_pickle_ejecutado", "w"))


def test_pickled_object_array_is_never_executed(tmp_path):
    marker = "/tmp/tinygrad_es_pickle_ejecutado"
    if os.path.exists(marker):
        os.unlink(marker)
    p = tmp_path / "malo.npz"
    np.savez(p, w=np.zeros(3), obj=np.array([_Boom()], dtype=object))
    with pytest.raises(CheckpointError, match=r"'malo\.npz' contiene un array de objetos de Python \(pickle\); "
                                              r"por seguridad no se carga"):
        load_state(p)
    assert not os.path.exists(marker)


def test_save_refuses_object_arrays(tmp_path):
    with pytest.raises(TypeError, match=r"'obj' no es un array numérico \(dtype object\)"):
        save_state({"obj": np.array([{"a": 1}], dtype=object)}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


# ---- escritura: disco lleno y temporales huérfanos ------------------------------------------
class _FullDisk(io.BufferedWriter):
    """Escribe unos bytes y después falla como un disco lleno."""

    def write(self, b):
        super().write(bytes(b)[:100])
        raise OSError(errno.ENOSPC, "No space left on device")


def test_enospc_keeps_previous_checkpoint_and_no_partial_file(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.npz"
    save_state(_state(), p)
    before = p.read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: _FullDisk(real_fdopen(fd, "wb", buffering=0)))
    with pytest.raises(OSError, match=r"no se pudo guardar '.*ckpt\.npz': no queda espacio en el disco\. No quedó "
                                      r"ningún fichero a medias; el anterior sigue intacto") as ei:
        save_state({"w": np.zeros((100, 100))}, p)
    assert ei.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert p.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["ckpt.npz"]


def test_model_checkpoint_enospc_spanish(tmp_path, monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: _FullDisk(real_fdopen(fd, "wb", buffering=0)))
    X = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
    y = np.arange(16) % 3
    m = nn.Linear(4, 3)
    ck = ModelCheckpoint(str(tmp_path / "best.npz"), monitor="loss")
    with pytest.raises(OSError, match="no queda espacio en el disco"):
        fit(m, F.cross_entropy, optim.SGD(m.parameters(), lr=0.1), (X, y), epochs=1, callbacks=[ck],
            progress=False, verbose=False)
    assert os.listdir(tmp_path) == []


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_are_cleaned_on_next_save(tmp_path):
    p = tmp_path / "ckpt.npz"
    dead = _dead_pid()
    stale = tmp_path / f".tmp-{dead}-abc123-ckpt.npz"                # de un guardado matado
    stale.write_bytes(b"x" * 1000)
    old_format = tmp_path / ".tmp-zz9_ckpt.npz"                      # formato antiguo, viejo
    old_format.write_bytes(b"x")
    os.utime(old_format, (time.time() - 7200, time.time() - 7200))
    live = tmp_path / f".tmp-{os.getppid()}-def456-ckpt.npz"         # de un proceso vivo: no se toca
    live.write_bytes(b"x")
    recent = tmp_path / ".tmp-yy8_ckpt.npz"                          # sin pid y reciente: no se toca
    recent.write_bytes(b"x")
    other = tmp_path / f".tmp-{dead}-abc-bestckpt.npz"               # de otro fichero: no se toca
    other.write_bytes(b"x")
    save_state(_state(), p)
    left = sorted(os.listdir(tmp_path))
    assert stale.name not in left and old_format.name not in left
    assert {live.name, recent.name, other.name, "ckpt.npz"} == set(left)


def test_kill_during_save_then_next_save_cleans(tmp_path):
    """Un proceso que muere con SIGKILL a mitad de guardar deja su temporal; el siguiente
    guardado lo borra y el checkpoint sigue siendo legible."""
    p = tmp_path / "ckpt.npz"
    save_state(_state(), p)
    code = ("import os, sys\n"
            "import tinygrad_es.serialization.checkpoint as C\n"
            "real = os.fdopen\n"
            "class W:\n"
            "    def __init__(s, f): s.f = f\n"
            "    def __enter__(s): return s\n"
            "    def __exit__(s, *a): pass\n"
            "    def write(s, b): s.f.write(b[:50]); s.f.flush(); os.kill(os.getpid(), 9)\n"
            "os.fdopen = lambda fd, *a, **k: W(real(fd, 'wb'))\n"
            f"C.save_state({{'w': __import__('numpy').zeros(1000)}}, {str(p)!r})\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, "-c", code], cwd=root, timeout=60)
    assert r.returncode == -9
    temps = [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")]
    assert len(temps) == 1
    assert set(load_state(p)) == {"w", "b"}            # el anterior sigue intacto
    save_state(_state(), p)
    assert os.listdir(tmp_path) == ["ckpt.npz"]


# ---- fit / evaluate con datos vacíos --------------------------------------------------------
def test_fit_and_evaluate_refuse_empty_data():
    m = nn.Linear(4, 3)
    opt = optim.SGD(m.parameters(), lr=0.1)
    empty = (np.zeros((0, 4), np.float32), np.zeros(0, np.int64))
    with pytest.raises(ValueError, match=r"fit: el conjunto de entrenamiento no tiene ningún lote \(0 ejemplos"):
        fit(m, F.cross_entropy, opt, empty, epochs=1, progress=False, verbose=False)
    with pytest.raises(ValueError, match=r"evaluate: el conjunto de evaluación no tiene ningún lote \(0 ejemplos"):
        evaluate(m, empty, F.cross_entropy)
    X, y = np.zeros((3, 4), np.float32), np.zeros(3, np.int64)
    small = DataLoader(TensorDataset(X, y), batch_size=8, drop_last=True)
    with pytest.raises(ValueError, match=r"de validación no tiene ningún lote \(3 ejemplos, batch_size=8, "
                                         r"drop_last=True\)"):
        fit(m, F.cross_entropy, opt, (X, y), small, epochs=1, progress=False, verbose=False)


def test_model_checkpoint_needs_its_metric(tmp_path):
    X = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
    y = np.arange(16) % 3
    m = nn.Linear(4, 3)
    opt = optim.SGD(m.parameters(), lr=0.1)
    ck = ModelCheckpoint(str(tmp_path / "best.npz"))          # val_loss, pero no hay validación
    with pytest.raises(KeyError, match=r"ModelCheckpoint: la métrica 'val_loss' no está en el historial"):
        fit(m, F.cross_entropy, opt, (X, y), epochs=1, callbacks=[ck], progress=False, verbose=False)
    reg = nn.Linear(4, 1)
    ck = ModelCheckpoint(str(tmp_path / "best.npz"), monitor="acc")   # regresión: sin exactitud
    with pytest.raises(ValueError, match=r"la métrica 'acc' no se puede calcular en esta tarea"):
        fit(reg, F.mse_loss, optim.SGD(reg.parameters(), lr=0.01), (X, X[:, :1] * 2), epochs=1, callbacks=[ck],
            progress=False, verbose=False)
    assert not os.path.exists(tmp_path / "best.npz")
    with pytest.raises(ValueError, match=r"mode debe ser 'min' o 'max', no 'mejor'"):
        ModelCheckpoint("x.npz", mode="mejor")
