"""Pérdidas con su propio nodo: la entropía cruzada desde logits (fusionada y estable), las dos
entropías cruzadas binarias (sobre probabilidades y sobre logits) y smooth L1 / Huber. Las firmas de PyTorch
(``reduction``, ``weight``...) están en ``nn/functional/loss.py``.
"""
import numpy as np

from ..autograd import ArrayFunction
from ..kernels import loss as K
from ._namespace import namespace

__all__ = ["CrossEntropyIdx", "BCE", "BCEWithLogits", "SmoothL1"]


class CrossEntropyIdx(ArrayFunction):
    """Entropía cruzada desde logits (N, C) e índices de clase (N,), fusionada y estable:
    ``loss = logsumexp(z) − z[y]`` (0 en las filas con ``ignore_index``).
    ∂/∂z = (softmax(z) − onehot(y))·g en las filas válidas y 0 en las ignoradas."""

    differentiable = True
    reads = ((),)  # como log_softmax + nll de PyTorch: no vigila z (el orden superior sí lo usa)

    @staticmethod
    def forward(ctx, z, target=None, reduction="mean", ignore_index=-100):
        # en float64 por dentro, fila a fila (kernels/loss.py): un redondeo al final
        dtype = z.dtype
        zk = np.ascontiguousarray(z if dtype.char in "fd" else z.astype(np.float64))
        n = z.shape[0]
        valid = target != ignore_index
        n_valid = int(np.count_nonzero(valid))
        t = target if n_valid == n else np.where(valid, target, 0)
        p = np.empty(z.shape)
        losses = np.empty(n)
        K.cross_entropy_forward(zk, t, valid, p, losses)
        n_valid = max(n_valid, 1)
        ctx.p = p  # softmax(z) en float64: el primer orden lo usa tal cual (se suelta con release)
        ctx.save_for_backward(z, t, valid)
        ctx.reduction, ctx.n, ctx.dtype = reduction, n_valid, dtype
        if reduction == "mean":
            return np.asarray(losses.sum() / n_valid, dtype=dtype)
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype=dtype)
        return losses.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        # el camino de PyTorch (nll y luego log_softmax): ∂/∂logp = −g en la clase correcta de cada
        # fila válida y 0 (elegido, no multiplicado) en las ignoradas; ∂/∂z = gl − p·Σgl
        z, t, valid = ctx.saved_tensors
        if isinstance(g, np.ndarray):  # primer orden: en float64, un redondeo al final
            # gl tiene un solo término por fila, −c en la clase t (c = el gradiente de la fila, 0 en
            # las ignoradas), así que gl − p·Σgl = p·c − c·onehot(t)
            g = g.astype(np.float64)
            if ctx.reduction == "mean":
                g = g / ctx.n
            c = np.where(valid, g, 0.0)
            out = ctx.dtype if ctx.dtype.char in "fd" else np.float64
            dz = np.empty(ctx.p.shape, out)
            K.cross_entropy_backward(ctx.p, t, c, dz)
            return dz.astype(ctx.dtype, copy=False)
        rows = np.arange(len(t))
        # orden superior: la misma fórmula con softmax(z) registrado
        p = namespace(g).softmax(z, 1)
        sel = np.zeros(tuple(z.shape), z._data.dtype)
        sel[rows, t] = valid
        col = g / ctx.n if ctx.reduction == "mean" else g if ctx.reduction == "sum" else g.reshape((-1, 1))
        gl = -sel * col
        return gl - p * gl.sum(axis=1, keepdims=True)


class BCE(ArrayFunction):
    """``−w·[t·log x + (1 − t)·log(1 − x)]`` con los logaritmos acotados en −100 (PyTorch).
    ∂/∂x = w·(x − t) / max(x(1 − x), 10⁻¹²);  ∂/∂t = w·(log(1 − x) − log x)."""

    differentiable = True

    @staticmethod
    def forward(ctx, x, t, w=None):
        with np.errstate(divide="ignore", invalid="ignore"):
            lx, l1x = np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)
        loss = (t - 1) * l1x - t * lx
        ctx.save_for_backward(x, t, w)
        ctx.lx, ctx.l1x = lx, l1x  # primer orden (arrays: release los suelta)
        return (loss if w is None else loss * w).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        xp = namespace(g)
        if isinstance(g, np.ndarray):
            lx, l1x = ctx.lx, ctx.l1x
        else:  # orden superior: los logaritmos acotados, con su grafo
            lx, l1x = xp.maximum(xp.log(x), -100.0), xp.maximum(xp.log1p(-x), -100.0)
        ww = g if w is None else g * w
        gx = ww * (x - t) / xp.maximum((1 - x) * x, 1e-12)
        gt = ww * (l1x - lx) if ctx.needs_input_grad[1] else None
        gw = g * ((t - 1) * l1x - t * lx) if w is not None and ctx.needs_input_grad[2] else None
        return gx, gt, gw


class BCEWithLogits(ArrayFunction):
    """``(1 − t)·x + l·softplus(−x)`` con ``l = (p − 1)·t + 1`` (``p = pos_weight``, 1 si no hay),
    estable para logits grandes. ∂/∂x = l·σ(x) − p·t (sin p: σ(x) − t); ∂/∂t = −x + (p − 1)·softplus(−x);
    ∂/∂p = t·softplus(−x)."""

    differentiable = True

    @staticmethod
    def forward(ctx, x, t, pw=None):
        sp = np.logaddexp(0, -x)  # softplus(−x) = log(1 + e^(−x)), estable
        lw = 1 if pw is None else (pw - 1) * t + 1
        ctx.save_for_backward(x, t, pw)
        ctx.sp = sp  # primer orden (se suelta con release)
        return ((1 - t) * x + lw * sp).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t, pw = ctx.saved_tensors
        if isinstance(g, np.ndarray):
            sp = ctx.sp
            sig = np.exp(-np.logaddexp(0, -x))  # σ(x), estable
        else:  # orden superior: softplus(−x) y σ(x) estables, con su grafo
            xp = namespace(g)
            sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0.0)
            sig = xp.sigmoid(x)
        if pw is None:
            gx = g * (sig - t)
            gt = g * -x if ctx.needs_input_grad[1] else None
            return gx, gt
        lw = (pw - 1) * t + 1
        gx = g * (lw * sig - pw * t)
        gt = g * (-x + (pw - 1) * sp) if ctx.needs_input_grad[1] else None
        gp = g * t * sp if ctx.needs_input_grad[2] else None
        return gx, gt, gp


class SmoothL1(ArrayFunction):
    """Smooth L1 de ``d = a − b`` por elementos, multiplicada por ``scale``: ``½d²/β`` si ``|d| < β``,
    si no ``|d| − ½β`` (Huber con δ es ``scale = β = δ``). Derivadas (las de PyTorch, que eligen
    el tramo: un ``d`` infinito da ±1, no nan):
    ∂/∂a = −∂/∂b = scale·g·(−1 si d < −β; 1 si d > β; d/β si no)."""

    differentiable = True
    reads = ((0, 1),)

    @staticmethod
    def forward(ctx, a, b, beta=1.0, scale=1.0):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.scale = beta, scale
        with np.errstate(invalid="ignore", over="ignore"):
            d = a - b
            ad = np.abs(d)
            out = np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
        return np.asarray(out * scale if scale != 1 else out, dtype=np.result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = namespace(g)
        beta, scale = ctx.beta, ctx.scale
        with np.errstate(invalid="ignore", over="ignore"):
            d = a - b
            gd = xp.where(d < -beta, -g, xp.where(d > beta, g, g * d / beta))
            if scale != 1:
                gd = gd * scale
        return gd, -gd
