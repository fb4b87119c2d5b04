"""La demo del Quijote (``tinygrad-es demo quijote``) con modelos diminutos: entrena, la pérdida baja,
genera texto con el vocabulario del libro y guarda lo generado y la curva; los errores de la
línea de órdenes son claros."""
import subprocess
import sys

import numpy as np
import pytest

from tinygrad_es import textgen
from tinygrad_es.data import CharTokenizer, quijote_excerpt
from tinygrad_es.demos import DEMOS, quijote


@pytest.mark.parametrize("modelo", ["lstm", "gpt"])
def test_quijote_demo_small(modelo, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # sin copia local: usa el extracto incluido
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    r = quijote.run(modelo=modelo, steps=30, chars=80, small=True, verbose=False, out_dir=str(tmp_path))
    assert "ocho primeros capítulos" in r["origen"]
    losses = r["perdidas"]
    assert len(losses) == 30 and np.mean(losses[-5:]) < np.mean(losses[:5])
    assert r["texto"].startswith("En un lugar de la Mancha") and len(r["texto"]) == len("En un lugar de la Mancha") + 80
    assert set(r["texto"]) <= set(quijote_excerpt())
    assert (tmp_path / f"quijote_{modelo}.txt").read_text(encoding="utf-8").strip() == r["texto"].strip()
    assert "quijote" in DEMOS


def test_default_models_have_the_advertised_sizes():
    tok = CharTokenizer(quijote_excerpt())
    gpt = quijote.build("gpt", 91)
    assert 0.9e6 < sum(p.numel() for p in gpt.parameters()) < 1.2e6  # "~1 M de parámetros" con 91 caracteres
    assert isinstance(quijote.build("lstm", len(tok)), textgen.CharLSTM)
    with pytest.raises(ValueError, match="lstm"):
        quijote.build("rnn", 10)


def test_sampling_helpers():
    import tinygrad_es as tg
    logits = tg.tensor([[0.0, 5.0, 1.0], [3.0, 0.0, 0.0]])
    assert textgen.sample_next(logits, temperature=0).flatten().tolist() == [1, 0]
    g = tg.Generator().manual_seed(0)
    picks = [textgen.sample_next(logits, 1.0, top_k=1, generator=g).flatten().tolist() for _ in range(20)]
    assert all(p == [1, 0] for p in picks)  # top_k=1 es el máximo
    many = np.array([textgen.sample_next(logits[:1], 5.0, generator=g).item() for _ in range(300)])
    assert len(set(many.tolist())) == 3  # con temperatura alta salen todos
    with pytest.raises(ValueError, match="temperatura"):
        textgen.sample_next(logits, -1.0)


def test_cli_rejects_unknown_model():
    out = subprocess.run([sys.executable, "-m", "tinygrad_es", "demo", "quijote", "--modelo", "rnn"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "lstm" in (out.stderr + out.stdout)
