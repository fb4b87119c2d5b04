"""``F.ctc_loss``: la pérdida CTC (*Connectionist Temporal Classification*, Graves et al., 2006) para
reconocer secuencias sin alinear (voz, escritura): ``−log Σ_alineamientos Π_t p_t(π_t)``, sumando sobre
todos los caminos que, quitando repeticiones y blancos, dan el objetivo.

La recursión hacia delante (α) en el espacio log se compone de operaciones de ``Tensor`` (``gather``,
``logsumexp``, ``where``), un paso por instante, con todo el lote a la vez; así la derivada respecto de
``log_probs`` (la de PyTorch: ``∂ℓ/∂log p_t(k) = p_t(k) − Σ_{s: l'_s = k} α_t(s)β_t(s)/P``) sale de esas
piezas sin escribir β (más el ``p_t(k)`` que PyTorch suma porque supone una entrada de ``log_softmax``). Los caminos imposibles llevan ``−10³⁰`` en vez de ``−∞`` (así ni ``logsumexp`` ni
su gradiente dan NaN); una pérdida que llega a ``10²⁹`` es ``inf`` (o 0 con ``zero_infinity``)."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import cat, stack, where
from ._utils import as_tensor, reduction_arg

__all__ = ["ctc_loss"]

_NEG = -1e30  # "−∞" finito


def _ints(v, op, name):
    a = v._data if isinstance(v, Tensor) else np.asarray(v)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: {name} debe ser de enteros, no {a.dtype}")
    return a.astype(np.int64)


def _labels(targets, tl, n, op):
    """Las etiquetas de cada muestra en una matriz ``(N, L_max)`` (desde ``(N, S)`` o concatenadas 1-D)."""
    lmax = int(tl.max()) if tl.size else 0
    lab = np.zeros((n, max(lmax, 1)), dtype=np.int64)
    if targets.ndim == 1:  # concatenadas (con una sola muestra es lo mismo que su fila)
        starts = np.concatenate([[0], np.cumsum(tl)[:-1]])
        if tl.sum() > targets.size:
            raise RuntimeError(f"{op}: target_lengths suman {int(tl.sum())} y targets sólo tiene {targets.size}")
        for i in range(n):
            lab[i, :tl[i]] = targets[starts[i]:starts[i] + tl[i]]
    else:
        t2 = targets.reshape(n, -1)
        if lmax > t2.shape[1]:
            raise RuntimeError(f"{op}: targets debe tener al menos {lmax} columnas (el mayor target_length), y "
                               f"tiene {t2.shape[1]}")
        for i in range(n):
            lab[i, :tl[i]] = t2[i, :tl[i]]
    return lab, lmax


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Pérdida CTC: ``ℓ_n = −log P(objetivo_n | x_n)``, con P la suma sobre todos los alineamientos de
    longitud ``input_lengths[n]`` que, al quitar repeticiones y ``blank``, dan el objetivo. La capa es
    ``nn.CTCLoss``. Derivada respecto de ``log_probs[t, n, k]``: ``p_t(k) − (1/P)·Σ_{s: l'_s = k}
    α_t(s)·β_t(s)`` (la de la recursión hacia delante y hacia atrás; aquí sale de componer la α).

    Args:
        log_probs: ``(T, N, C)`` o ``(T, C)``, log-probabilidades (la salida de ``log_softmax(2)``).
        targets: ``(N, S)`` con las etiquetas (sin ``blank``) al principio de cada fila, o 1-D con todas
            concatenadas.
        input_lengths: ``(N,)``, instantes válidos de cada muestra (≤ T).
        target_lengths: ``(N,)``, longitud de cada objetivo.
        blank: índice de la etiqueta en blanco (``0``).
        reduction: ``'mean'`` (cada pérdida entre la longitud de su objetivo y luego la media del lote),
            ``'sum'`` o ``'none'`` (``(N,)``).
        zero_infinity: si es ``True``, las pérdidas infinitas (objetivo imposible) valen 0, sin gradiente.

    Ejemplo:
        >>> lp = torch.tensor([[[0.6, 0.4]], [[0.3, 0.7]]]).log()
        >>> F.ctc_loss(lp, torch.tensor([[1]]), torch.tensor([2]), torch.tensor([1]), reduction="sum")
        tensor(0.1985)

    En PyTorch: ``torch.nn.functional.ctc_loss``.
    """
    op = "ctc_loss"
    reduction = reduction_arg(None, None, reduction, op)
    lp = as_tensor(log_probs, op, "log_probs")
    if lp.ndim not in (2, 3):
        raise RuntimeError(f"{op}: log_probs debe ser (T, N, C) o (T, C), no de forma {tuple(lp.shape)}")
    unbatched = lp.ndim == 2
    lp = lp.unsqueeze(1) if unbatched else lp
    T, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError(f"{op}: blank ({blank}) debe estar entre las {c} etiquetas")
    il = _ints(input_lengths, op, "input_lengths").reshape(-1)
    tl = _ints(target_lengths, op, "target_lengths").reshape(-1)
    if il.size != n or tl.size != n:
        raise RuntimeError(f"{op}: input_lengths y target_lengths deben tener un valor por muestra ({n}); tienen "
                           f"{il.size} y {tl.size}")
    if il.size and (il.max() > T or il.min() < 0):
        raise RuntimeError(f"{op}: input_lengths debe estar en [0, {T}], y llega a {int(il.max())}")
    if tl.size and tl.min() < 0:
        raise RuntimeError(f"{op}: target_lengths no puede ser negativo")
    lab, lmax = _labels(_ints(targets, op, "targets"), tl, n, op)
    s = 2 * lmax + 1
    ext = np.full((n, s), blank, dtype=np.int64)  # l': blanco, l1, blanco, l2, ..., blanco
    ext[:, 1::2] = lab[:, :lmax]
    if lmax and (ext.min() < 0 or ext.max() >= c):
        raise RuntimeError(f"{op}: hay etiquetas fuera de [0, {c}) en targets")
    skip = np.zeros((n, s), dtype=bool)  # se puede saltar un blanco entre dos etiquetas distintas
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    dt = lp._data.dtype
    lp = lp.double()  # la recursión en float64 (50 logsumexp seguidos en float32 pierden ~1e-4); se vuelve al final
    full = lambda shape: Tensor._wrap(np.full(shape, _NEG))  # noqa: E731
    emit = lp.gather(2, Tensor._wrap(np.broadcast_to(ext[None], (T, n, s)).copy()))  # (T, N, S)
    start = np.zeros((n, s), dtype=bool)
    start[:, :2] = True
    alpha = where(Tensor._wrap(start), emit[0], full((n, s))) if T else full((n, s))
    skip_t, neg1, neg2, negs = Tensor._wrap(skip), full((n, 1)), full((n, 2)), full((n, s))
    for t in range(1, T):
        prev1 = cat([neg1, alpha[:, :-1]], 1)
        prev2 = where(skip_t, cat([neg2, alpha[:, :-2]], 1), negs) if s > 2 else negs
        new = stack([alpha, prev1, prev2], 0).logsumexp(0) + emit[t]
        alpha = where(Tensor._wrap((t < il)[:, None]), new, alpha)  # pasada su longitud, α queda quieta
    if T == 0 or np.any(il == 0):
        alpha = where(Tensor._wrap((il == 0)[:, None]), negs, alpha)
    ends = alpha.gather(1, Tensor._wrap(np.stack([2 * tl, np.maximum(2 * tl - 1, 0)], 1)))
    ends = where(Tensor._wrap(np.stack([np.ones(n, bool), tl > 0], 1)), ends, full((n, 2)))
    loss = -ends.logsumexp(1)
    # La derivada de PyTorch es p_t(k) − αβ/P: suma el p_t(k) = exp(log_probs) de la suma de log_softmax que
    # supone (vale 0 y no cambia el valor); con entradas de log_softmax el gradiente de los logits es el mismo.
    valid = Tensor._wrap((np.arange(T)[:, None] < il[None, :]).astype(np.float64)[:, :, None])
    p = lp.exp() * valid
    loss = loss + (p - p.detach()).sum((0, 2))
    impossible = Tensor._wrap(loss.detach().numpy() > 1e29)
    loss = where(impossible, Tensor._wrap(np.array(0.0 if zero_infinity else np.inf)), loss).to(dt)
    if reduction == "none":
        return loss.reshape(()) if unbatched else loss
    if reduction == "sum":
        return loss.sum()
    return (loss / Tensor._wrap(np.maximum(tl, 1).astype(dt))).mean()
