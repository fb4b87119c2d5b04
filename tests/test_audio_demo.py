"""La demo de voz (``tinygrad-es demo voz``) de principio a fin con la muestra incluida y pocas
épocas: partición oficial, ablación sin SpecAugment, dejar fuera a cada persona, figuras y
registro para TensorBoard. (La exactitud de verdad se mide en ``benchmarks/voz.py``.)"""
import os

import numpy as np
import pytest

from tinygrad_es.demos import DEMOS, voz


def test_voice_demo_end_to_end(tmp_path):
    r = voz.run(epochs=1, sample=True, ablation=True, loso=True, loso_epochs=1, out_dir=str(tmp_path / "fig"),
                tensorboard=str(tmp_path / "runs"), verbose=False)
    assert "muestra" in r["origen"] and (r["n_entrenamiento"], r["n_prueba"]) == (60, 60)
    for k in ("specaugment", "sin_aumento"):
        assert 0 <= r[k]["exactitud"] <= 1 and np.array(r[k]["matriz_confusion"]).sum() == 60
    assert sorted(r["loso"]) == ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
    assert r["loso_media"] == pytest.approx(np.mean(list(r["loso"].values())))
    assert {"specaugment", "sin_aumento"} <= set(os.listdir(tmp_path / "runs"))
    if r.get("figuras"):
        assert all(os.path.getsize(p) > 10_000 for p in r["figuras"])
    assert DEMOS["voz"][0] == "voz"


def test_trim_and_fit_to_one_second():
    x = np.zeros(16000, np.float32)
    x[5000:7000] = np.sin(np.arange(2000) / 3.0)
    v = voz.recortar_silencio(x)
    assert 2000 <= len(v) <= 2000 + 2 * 400 + 160          # la voz y 50 ms de margen por lado
    assert voz.recortar_silencio(np.zeros(8000)) is None
    assert voz.recortar_silencio(np.full(8000, 1e-4)) is None
    a = voz.ajustar(v)
    assert a.shape == (8000,) and np.abs(a[:2000]).max() == 0   # centrado
    assert voz.ajustar(np.ones(9000)).shape == (8000,)
