"""Modelos de secuencias frente a PyTorch (mismos pesos, intercalado, mediana de los cocientes
por par): forward + backward de ``nn.LSTM`` y ``nn.GRU`` (secuencia 64, lote 32, 256 de entrada
y de estado) y un paso de entrenamiento completo (forward, entropía cruzada, backward, AdamW)
del MiniGPT de la demo (~1 M de parámetros, lote 16 × 128 caracteres).

    nice -n 10 python benchmarks/sequences.py [--repeat 15] [--cpu-clock] [--profile lstm|gru|gpt]

Escribe ``benchmarks/results/sequences.json`` (``sequences_cpu.json`` con ``--cpu-clock``: tiempo de CPU
de todos los hilos, más estable con la máquina compartida) con la carga al empezar y al acabar.
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import timing  # noqa: E402
from timing import interleaved  # noqa: E402

T, B, I, H = 64, 32, 256, 256


def rnn_pair(kind, seed=0):
    """Funciones forward+backward de la capa ``kind`` ('LSTM' o 'GRU') nuestra y de PyTorch."""
    import torch
    import tinygrad_es as tg
    from tinygrad_es import nn
    tg.manual_seed(seed)
    ours = getattr(nn, kind)(I, H)
    ref = getattr(torch.nn, kind)(I, H)
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(seed).standard_normal((T, B, I)).astype(np.float32)
    xt, X = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)

    def ours_step():
        y, _ = ours(xt)
        y.sum().backward()
        return float(ours.weight_hh_l0.grad.numpy()[0, 0])

    def torch_step():
        y, _ = ref(X)
        y.sum().backward()
        return float(ref.weight_hh_l0.grad[0, 0])

    def zero():
        ours.zero_grad()
        ref.zero_grad()
        xt.grad = None
        X.grad = None

    return ours_step, torch_step, zero


def torch_minigpt(ours):
    """El mismo MiniGPT escrito con torch.nn (mismos nombres de parámetros) y con los pesos de ``ours``."""
    import math
    import torch
    import torch.nn as tnn
    import torch.nn.functional as TF

    class Attn(tnn.Module):
        def __init__(self, n_embd, n_head):
            super().__init__()
            self.n_head = n_head
            self.c_attn = tnn.Linear(n_embd, 3 * n_embd)
            self.c_proj = tnn.Linear(n_embd, n_embd)
            self.resid_dropout = tnn.Dropout(0.0)

        def forward(self, x):
            Bb, Tt, C = x.shape
            q, k, v = self.c_attn(x).split(C, dim=2)
            q, k, v = (t.view(Bb, Tt, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
            y = TF.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.resid_dropout(self.c_proj(y.transpose(1, 2).contiguous().view(Bb, Tt, C)))

    class Blk(tnn.Module):
        def __init__(self, n_embd, n_head):
            super().__init__()
            self.ln_1 = tnn.LayerNorm(n_embd)
            self.attn = Attn(n_embd, n_head)
            self.ln_2 = tnn.LayerNorm(n_embd)
            self.mlp = tnn.Sequential(tnn.Linear(n_embd, 4 * n_embd), tnn.GELU(), tnn.Linear(4 * n_embd, n_embd),
                                      tnn.Dropout(0.0))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(tnn.Module):
        def __init__(self, V, block_size, n_embd, n_head, n_layer):
            super().__init__()
            self.wte = tnn.Embedding(V, n_embd)
            self.wpe = tnn.Embedding(block_size, n_embd)
            self.drop = tnn.Dropout(0.0)
            self.blocks = tnn.ModuleList([Blk(n_embd, n_head) for _ in range(n_layer)])
            self.ln_f = tnn.LayerNorm(n_embd)
            self.lm_head = tnn.Linear(n_embd, V)

        def forward(self, idx):
            x = self.drop(self.wte(idx) + self.wpe(torch.arange(idx.shape[1])))
            for b in self.blocks:
                x = b(x)
            return self.lm_head(self.ln_f(x))

    ref = GPT(ours.vocab_size, ours.block_size, ours.wte.weight.shape[1], ours.blocks[0].attn.n_head,
              len(ours.blocks))
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    assert all(torch.isfinite(p.detach()).all() for p in ref.parameters())
    return ref


def gpt_pair(batch=16, seed=0):
    import torch
    import tinygrad_es as tg
    import tinygrad_es.nn.functional as F
    from tinygrad_es import optim
    from tinygrad_es.textgen import MiniGPT
    tg.manual_seed(seed)
    V = 91
    ours = MiniGPT(V)
    ref = torch_minigpt(ours)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, V, (batch, ours.block_size))
    y = rng.integers(0, V, (batch, ours.block_size))
    xt, yt = tg.tensor(x), tg.tensor(y)
    X, Y = torch.tensor(x), torch.tensor(y)
    opt = optim.AdamW(ours.parameters(), lr=1e-3)
    topt = torch.optim.AdamW(ref.parameters(), lr=1e-3)

    def ours_step():
        logits = ours(xt)
        loss = F.cross_entropy(logits.view(-1, V), yt.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    def torch_step():
        logits = ref(X)
        loss = torch.nn.functional.cross_entropy(logits.view(-1, V), Y.view(-1))
        topt.zero_grad(set_to_none=True)
        loss.backward()
        topt.step()
        return loss.item()

    return ours_step, torch_step, None


CASES = {
    "lstm": ("LSTM f+b (T=64, B=32, 256→256)", lambda: rnn_pair("LSTM")),
    "gru": ("GRU f+b (T=64, B=32, 256→256)", lambda: rnn_pair("GRU")),
    "gpt": ("MiniGPT paso de entrenamiento (16×128)", gpt_pair),
}


def run(repeat=15, cases=("lstm", "gru", "gpt")):
    rows = []
    print(f"{'caso':<42} {'nuestro ms':>11} {'torch ms':>9} {'ratio':>6}")
    for key in cases:
        label, make = CASES[key]
        ours, theirs, zero = make()
        a, b = ours(), theirs()
        if key == "gpt":
            assert abs(a - b) < 1e-3, (a, b)  # mismos pesos: misma pérdida en el primer paso
        else:
            assert abs(a - b) < 1e-3 * max(1.0, abs(b)), (a, b)
        if zero is not None:
            ours_fn, theirs_fn = (lambda: (zero(), ours())), (lambda: (zero(), theirs()))
        else:
            ours_fn, theirs_fn = ours, theirs
        to, tt, ratio = interleaved(ours_fn, theirs_fn, repeat)
        rows.append(dict(case=key, label=label, ours_ms=to, torch_ms=tt, ratio=ratio))
        print(f"{label:<42} {to:>11.1f} {tt:>9.1f} {ratio:>6.2f}", flush=True)
    return rows


def profile(key, steps=10, top=20):
    ours, _, zero = CASES[key][1]()
    for _ in range(2):
        ours()
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(steps):
        if zero:
            zero()
        ours()
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(top)
    return s.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--cases", default="lstm,gru,gpt")
    ap.add_argument("--profile", choices=sorted(CASES))
    ap.add_argument("--cpu-clock", action="store_true",
                    help="medir tiempo de CPU del proceso (todos sus hilos) en vez de tiempo de pared")
    args = ap.parse_args()
    if args.cpu_clock:
        timing.use_cpu_clock()
    import tinygrad_es  # noqa: F401  (antes de numba: capa de hilos)
    import numba
    import torch
    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    if args.profile:
        print(profile(args.profile))
        return
    load0 = os.getloadavg()
    rows = run(args.repeat, args.cases.split(","))
    load1 = os.getloadavg()
    print(f"carga de la máquina (1, 5, 15 min): al empezar {load0}, al acabar {load1}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    name = "sequences_cpu.json" if args.cpu_clock else "sequences.json"
    with open(os.path.join(HERE, "results", name), "w") as f:
        json.dump({"threads": args.threads, "repeat": args.repeat, "clock": "cpu" if args.cpu_clock else "wall",
                   "load_start": load0, "load_end": load1, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
