"""Demo Quijote: un modelo de lenguaje de caracteres que aprende a escribir en castellano del
Siglo de Oro. --modelo lstm entrena una LSTM de dos capas (char-rnn); --modelo gpt, un
Transformer pequeño sólo decodificador (MiniGPT, ~1 M de parámetros). Al terminar genera
texto a partir de --inicio con la temperatura dada (más baja: más conservador).

Usa el Quijote completo si lo encuentra (--root, TINYGRAD_ES_DATA o ~/.cache/tinygrad_es;
con --descargar lo baja) y si no, los ocho capítulos incluidos en el paquete."""
from __future__ import annotations

import os
import time

import numpy as np

from .. import manual_seed
from ..data import CharTokenizer, DatasetNotFoundError, load_quijote, quijote_excerpt
from ..textgen import CharLSTM, MiniGPT, evaluate_loss, generate, train_language_model
from ._common import have_matplotlib, out_path, parse

MODELOS = ("lstm", "gpt")
# (tamaños, pasos, lote, contexto, tasa) que entrenan en unos minutos en una CPU de 2 núcleos
CONFIG = {
    "lstm": dict(model=dict(embed_dim=64, hidden_size=256, num_layers=2), block_size=100, batch_size=32, lr=3e-3),
    "gpt": dict(model=dict(block_size=128, n_embd=128, n_head=4, n_layer=5), block_size=128, batch_size=16,
                lr=1e-3),
}


def text_and_origin(root=None, download=False):
    """El texto completo si está (o se descarga), si no el extracto incluido; y de dónde salió."""
    try:
        text = load_quijote(root=root, download=download)
        return text, f"el Quijote completo ({len(text):_} caracteres)".replace("_", ".")
    except DatasetNotFoundError:
        text = quijote_excerpt()
        return text, (f"los ocho primeros capítulos incluidos en el paquete ({len(text):_} caracteres); "
                      f"el texto completo da mejores resultados (véase --root y --descargar)").replace("_", ".")


def build(modelo: str, vocab_size: int, small: bool = False):
    """El modelo de la demo (``small``: una versión diminuta para los tests)."""
    if modelo not in MODELOS:
        raise ValueError(f"modelo desconocido {modelo!r}: usa 'lstm' o 'gpt'")
    if modelo == "lstm":
        kw = dict(embed_dim=16, hidden_size=32, num_layers=1) if small else CONFIG["lstm"]["model"]
        return CharLSTM(vocab_size, **kw)
    kw = dict(block_size=32, n_embd=32, n_head=2, n_layer=1) if small else CONFIG["gpt"]["model"]
    return MiniGPT(vocab_size, **kw)


def run(modelo: str = "lstm", steps: int = 1000, inicio: str = "En un lugar de la Mancha", chars: int = 400,
        temperature: float = 0.8, top_k: int = 0, seed: int = 0, root: str = None, descargar: bool = False,
        out_dir: str = None, verbose: bool = True, small: bool = False) -> dict:
    text, origin = text_and_origin(root, descargar)
    tok = CharTokenizer(text)
    ids = np.array(tok.encode(text), dtype=np.int64)
    n_val = max(len(ids) // 20, 300)
    train_ids, val_ids = ids[:-n_val], ids[-n_val:]
    manual_seed(seed)
    model = build(modelo, len(tok), small)
    cfg = CONFIG[modelo]
    block = model.block_size if modelo == "gpt" else (16 if small else cfg["block_size"])
    batch = 8 if small else cfg["batch_size"]
    n_params = sum(p.numel() for p in model.parameters())
    if verbose:
        print(f"Datos: {origin}; {len(tok)} caracteres distintos")
        print(f"Modelo: {type(model).__name__} con {n_params:_} parámetros".replace("_", "."))
        print(f"Entrenando {steps} pasos (lotes de {batch} ventanas de {block} caracteres)…")
    t0 = time.perf_counter()
    losses = train_language_model(model, train_ids, steps=steps, block_size=block, batch_size=batch, lr=cfg["lr"],
                                  seed=seed, progress=verbose, verbose=verbose, val_ids=val_ids,
                                  log_every=max(steps // 5, 1))
    seconds = time.perf_counter() - t0
    val = evaluate_loss(model, val_ids, block, batch, batches=2 if small else 8)
    sample = generate(model, tok, inicio, chars, temperature=temperature, top_k=top_k or None, seed=seed)
    if verbose:
        print(f"\nPérdida de validación: {val:.3f} nats por carácter (al azar: ln {len(tok)} = {np.log(len(tok)):.2f}) "
              f"en {seconds:.0f} s")
        print(f"\nTexto generado (temperatura {temperature}):\n\n{sample}\n")
    res = {"modelo": modelo, "parametros": n_params, "perdidas": losses, "val_loss": val, "texto": sample,
           "segundos": seconds, "origen": origin}
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, f"quijote_{modelo}.txt"), "w", encoding="utf-8") as f:
            f.write(sample + "\n")
        path = out_path(out_dir, f"quijote_{modelo}_perdida.png")
        if path and have_matplotlib():
            from ..viz.plots import _plt
            plt = _plt()
            fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
            ax.plot(losses, lw=0.8, label="entrenamiento (cada paso)")
            ax.axhline(val, color="C3", ls="--", label=f"validación al final ({val:.2f})")
            ax.set_xlabel("paso")
            ax.set_ylabel("entropía cruzada (nats/carácter)")
            ax.set_title(f"{type(model).__name__} en el Quijote")
            ax.legend()
            fig.savefig(path, dpi=120)
            plt.close(fig)
            res["figura"] = path
    return res


def main(argv=None, prog=None):
    args = parse(argv, {"modelo": "lstm", "steps": 1000, "inicio": "En un lugar de la Mancha", "chars": 400,
                        "temperature": 0.8, "top_k": 0, "seed": 0, "root": None, "descargar": False,
                        "out_dir": None}, __doc__, prog)
    if args["modelo"] not in MODELOS:
        raise SystemExit(f"error: --modelo debe ser 'lstm' o 'gpt', no {args['modelo']!r}")
    if args["temperature"] < 0 or args["top_k"] < 0 or args["steps"] < 1 or args["chars"] < 0:
        raise SystemExit("error: --temperature, --top-k y --chars deben ser ≥ 0 y --steps ≥ 1")
    run(**args)


if __name__ == "__main__":
    main()
