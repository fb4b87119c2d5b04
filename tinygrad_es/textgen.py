"""Modelos de lenguaje de caracteres y generación de texto: ``CharLSTM``, ``MiniGPT``, su
entrenamiento con ventanas al azar y el muestreo con temperatura y top-k.

Un modelo de lenguaje aprende P(siguiente carácter | los anteriores). Se entrena con la
entropía cruzada de predecir, en cada posición de una ventana de texto, el carácter que
viene después; se genera muestreando un carácter, añadiéndolo al contexto y repitiendo.

>>> tok = CharTokenizer(texto)
>>> modelo = MiniGPT(len(tok), block_size=128)
>>> perdidas = train_language_model(modelo, tok.encode(texto), pasos=500)
>>> print(generate(modelo, tok, "En un lugar de la Mancha", 300, temperature=0.8))
"""
from __future__ import annotations

import math
import sys
import time

import numpy as np

from . import nn, optim
from ._tensor.joins import cat
from ._random import Generator
from ._tensor import Tensor
from .autograd import no_grad
from .nn import functional as F
from .train import _progress

__all__ = ["CharLSTM", "MiniGPT", "CausalSelfAttention", "Block", "sample_next", "generate",
           "train_language_model", "evaluate_loss", "random_batch"]


class CharLSTM(nn.Module):
    """Carácter → incrustación → LSTM de ``num_layers`` capas → capa lineal a los ``vocab_size``
    logits del siguiente carácter (el char-rnn de Karpathy). ``forward(idx, state=None)`` recibe
    (B, T) índices y devuelve ``(logits (B, T, V), (h, c))``: el estado permite seguir generando."""

    def __init__(self, vocab_size, embed_dim=64, hidden_size=256, num_layers=2, dropout=0.0):
        super().__init__()
        self.vocab_size = vocab_size
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, idx, state=None):
        out, state = self.lstm(self.embed(idx), state)
        return self.head(out), state


class CausalSelfAttention(nn.Module):
    """Autoatención causal de ``n_head`` cabezas: una GEMM para Q, K y V, la atención de producto
    escalar con máscara triangular (cada carácter sólo ve los anteriores) y la proyección de salida.
    Con ``keep_attention=True`` guarda los pesos (B, n_head, T, T) en ``self.att`` para dibujarlos."""

    def __init__(self, n_embd, n_head, dropout=0.0):
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"n_embd ({n_embd}) debe ser divisible por n_head ({n_head})")
        self.n_head, self.n_embd, self.dropout = n_head, n_embd, dropout
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.resid_dropout = nn.Dropout(dropout)
        self.keep_attention = False
        self.att = None

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if self.keep_attention:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.n_head))
            futuro = Tensor(np.tril(np.ones((T, T)))) == 0          # True = posiciones posteriores
            att = F.softmax(att.masked_fill(futuro, float("-inf")), dim=-1)
            self.att = att.detach()
            y = att @ v
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0.0)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class Block(nn.Module):
    """Un bloque del Transformer "pre-LN" de GPT-2: x + atención(LN(x)), y después x + MLP(LN(x))."""

    def __init__(self, n_embd, n_head, dropout=0.0):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd),
                                 nn.Dropout(dropout))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class MiniGPT(nn.Module):
    """Un GPT pequeño de caracteres (sólo decodificador, como GPT-2 y nanoGPT): incrustación del
    carácter + incrustación de la posición, ``n_layer`` bloques y una capa final a los logits.
    Con los valores por defecto (128 de ancho, 5 bloques de 4 cabezas, 91 caracteres) tiene
    ~1 M de parámetros. ``forward(idx)``: (B, T) índices con T ≤ ``block_size`` → logits (B, T, V)."""

    def __init__(self, vocab_size, block_size=128, n_embd=128, n_head=4, n_layer=5, dropout=0.0):
        super().__init__()
        self.vocab_size, self.block_size = vocab_size, block_size
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([Block(n_embd, n_head, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2: las proyecciones residuales, más pequeñas
            if name.endswith("c_proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        B, T = idx.shape
        if T > self.block_size:
            raise ValueError(f"MiniGPT: la secuencia mide {T} y el contexto máximo es block_size={self.block_size}")
        pos = Tensor._wrap(np.arange(T, dtype=np.int64))
        x = self.drop(self.wte(idx) + self.wpe(pos))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))

    def attention_maps(self, idx):
        """Los pesos de atención de cada bloque: lista de (B, n_head, T, T)."""
        mods = [b.attn for b in self.blocks]
        for m in mods:
            m.keep_attention = True
        try:
            with no_grad():
                self(idx)
            return [m.att for m in mods]
        finally:
            for m in mods:
                m.keep_attention, m.att = False, None


def _logits(model, idx, state=None):
    if isinstance(model, CharLSTM):
        return model(idx, state)
    return model(idx), None


def random_batch(ids: np.ndarray, block_size: int, batch_size: int, rng: np.random.Generator):
    """Ventanas al azar (como ``get_batch`` de nanoGPT): ``x`` (B, T) y ``y`` = ``x`` desplazado uno."""
    ix = rng.integers(0, len(ids) - block_size - 1, batch_size)
    x = np.stack([ids[i:i + block_size] for i in ix])
    y = np.stack([ids[i + 1:i + block_size + 1] for i in ix])
    return Tensor._wrap(x), Tensor._wrap(y)


def _loss(model, x, y):
    logits, _ = _logits(model, x)
    B, T, V = logits.shape
    return F.cross_entropy(logits.view(B * T, V), y.view(B * T))


def evaluate_loss(model, ids, block_size=128, batch_size=32, batches=4, seed=0) -> float:
    """Entropía cruzada media (nats por carácter) en ``batches`` lotes al azar de ``ids``."""
    was = model.training
    model.eval()
    rng = np.random.default_rng(seed)
    with no_grad():
        vals = [float(_loss(model, *random_batch(np.asarray(ids), block_size, batch_size, rng)))
                for _ in range(batches)]
    model.train(was)
    return float(np.mean(vals))


def train_language_model(model, ids, steps=500, block_size=128, batch_size=32, lr=3e-3, weight_decay=0.0,
                         clip=1.0, seed=0, progress=True, log_every=100, val_ids=None, verbose=False) -> list:
    """Entrena ``model`` a predecir el siguiente carácter con AdamW en ``steps`` lotes de ventanas al
    azar de ``ids``, con la tasa de aprendizaje en coseno y recorte de la norma del gradiente a ``clip``.
    Devuelve la pérdida de cada paso (en nats por carácter; log V al principio)."""
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) < block_size + 2:
        raise ValueError(f"el texto ({len(ids)} caracteres) es más corto que una ventana de {block_size} + 2")
    rng = np.random.default_rng(seed)
    opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = optim.lr_scheduler.LambdaLR(opt, lambda s: 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    model.train()
    losses = []
    bar = _progress(range(steps), steps, "entrenando", progress)
    t0 = time.perf_counter()
    for step in bar:
        x, y = random_batch(ids, block_size, batch_size, rng)
        loss = _loss(model, x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        sched.step()
        losses.append(float(loss))
        if hasattr(bar, "set_postfix_str"):
            bar.set_postfix_str(f"pérdida {np.mean(losses[-20:]):.3f}")
        if verbose and log_every and (step + 1) % log_every == 0:
            extra = f", validación {evaluate_loss(model, val_ids, block_size, batch_size):.3f}" \
                if val_ids is not None and len(val_ids) > block_size + 2 else ""
            print(f"paso {step + 1}/{steps}: pérdida {np.mean(losses[-log_every:]):.3f}{extra} "
                  f"({time.perf_counter() - t0:.0f} s)", file=sys.stdout, flush=True)
    return losses


def sample_next(logits, temperature=1.0, top_k=None, generator=None) -> Tensor:
    """Un índice por fila de ``logits`` (B, V): softmax(logits / temperatura) y ``multinomial``.
    ``temperature`` < 1 concentra la probabilidad en lo más probable (→ 0: siempre el máximo) y > 1
    la reparte; ``top_k`` sólo deja elegir entre los k más probables."""
    if temperature < 0:
        raise ValueError(f"la temperatura debe ser ≥ 0, no {temperature}")
    if temperature == 0:
        return logits.argmax(-1, keepdim=True)
    logits = logits / temperature
    if top_k is not None:
        v, _ = logits.topk(min(int(top_k), logits.shape[-1]))
        logits = logits.masked_fill(logits < v[:, -1:], float("-inf"))
    return F.softmax(logits, dim=-1).multinomial(1, generator=generator)


def generate(model, tokenizer, prompt="", max_new_chars=300, temperature=1.0, top_k=None, seed=None) -> str:
    """Continúa ``prompt`` con ``max_new_chars`` caracteres muestreados del modelo. Los caracteres
    del ``prompt`` que no están en el vocabulario se quitan. Devuelve prompt + lo generado."""
    gen = Generator().manual_seed(seed) if seed is not None else None
    prompt = "".join(c for c in prompt if c in tokenizer.stoi) or tokenizer.itos[0]
    idx = Tensor._wrap(np.array([tokenizer.encode(prompt)], dtype=np.int64))
    out = list(idx._data[0])
    was = model.training
    model.eval()
    with no_grad():
        if isinstance(model, CharLSTM):
            logits, state = model(idx)
            for _ in range(max_new_chars):
                nxt = sample_next(logits[:, -1], temperature, top_k, gen)
                out.append(int(nxt.item()))
                logits, state = model(nxt, state)
        else:
            for _ in range(max_new_chars):
                ctx = idx[:, -model.block_size:]
                nxt = sample_next(model(ctx)[:, -1], temperature, top_k, gen)
                out.append(int(nxt.item()))
                idx = cat([idx, nxt], 1)
    model.train(was)
    return tokenizer.decode(out)
