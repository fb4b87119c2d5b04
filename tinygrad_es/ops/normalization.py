"""Normalización por lotes (BatchNorm) diferenciable en un nodo, sobre ``kernels/normalization.py``.

Compuesta con media, resta, varianza, raíz y división, BatchNorm deja ~8 nodos y ~8 arrays del
tamaño de la activación por capa; aquí es un nodo que guarda sólo la entrada y dos vectores por
canal, y calcula sus sumas en float64 (véase el núcleo: la exactitud de cada paso).
"""
import math

import numpy as np

from .. import kernels as K
from ..autograd import ArrayFunction
from ..kernels import layer_norm as KL
from ._namespace import NUMPY, namespace


def _as_ncl(a):
    """(N, C, ...) → (N, C, L) contiguo (vista si ya lo es)."""
    n, c = a.shape[0], a.shape[1]
    return np.ascontiguousarray(a).reshape(n, c, -1)


def _param(p, c, fill):
    return np.full(c, fill, np.float64) if p is None else np.asarray(p, dtype=np.float64).reshape(c)


def _blend(buf, new, momentum):
    """``buf ← (1 − m)·buf + m·new`` in situ, calculado en float64."""
    buf[...] = ((1.0 - momentum) * buf.astype(np.float64) + momentum * new).astype(buf.dtype)


class BatchNorm(ArrayFunction):
    """Normalización por canal (eje 1) de ``x`` (N, C, ...), con M = N·(resto de ejes) valores por canal:

        y = x̂·γ + β,   x̂ = (x − μ)·σ̂,   σ̂ = 1/√(σ² + ε)

    En entrenamiento μ y σ² son la media y la varianza sesgada del lote (y, si se pasan
    ``running_mean``/``running_var``, se actualizan in situ con ``momentum`` y la varianza
    insesgada σ²·M/(M − 1), como PyTorch); en evaluación son las acumuladas. Derivadas:

        ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂
        ∂L/∂x = γ·σ̂·(g − Σg/M − x̂·Σ(g·x̂)/M)     (entrenamiento: μ y σ² dependen de x)
        ∂L/∂x = γ·σ̂·g                              (evaluación)

    ``weight`` (γ) y ``bias`` (β) pueden ser ``None`` (γ = 1, β = 0)."""

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, running_mean=None, running_var=None, training=True,
                momentum=0.1, eps=1e-5):
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)
        x3 = _as_ncl(x.astype(dtype, copy=False))
        n, c, L = x3.shape
        gamma, beta = _param(weight, c, 1.0), _param(bias, c, 0.0)
        out = np.empty(x3.shape, dtype)
        mean, invstd = np.empty(c), np.empty(c)
        if training:
            var = np.empty(c)
            K.batch_norm_train_forward(x3, float(eps), gamma, beta, mean, var, invstd, out)
            m = n * L
            if running_mean is not None:
                _blend(running_mean, mean, momentum)
            if running_var is not None:
                _blend(running_var, var * (m / (m - 1)), momentum)
        else:
            mean[...] = running_mean
            invstd[...] = 1.0 / np.sqrt(np.asarray(running_var, np.float64) + eps)
            K.batch_norm_apply(x3, mean, gamma * invstd, beta, out)
        if ctx.requires_grad:
            ctx.save_for_backward(x3, weight)
            ctx.stats = (mean, invstd, gamma, training)
            ctx.has = (weight is not None, bias is not None)
            ctx.bias_dtype = None if bias is None else bias.dtype
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x3, weight = ctx.saved_tensors
        mean, invstd, gamma, training = ctx.stats
        c = x3.shape[1]
        g3 = _as_ncl(g.astype(x3.dtype, copy=False))
        need = ctx.needs_input_grad
        dx = np.empty(x3.shape, x3.dtype) if need[0] else np.empty((0, c, 0), x3.dtype)
        dgamma, dbeta = np.empty(c), np.empty(c)
        K.batch_norm_backward(g3, x3, mean, invstd, gamma, training, need[0], dx, dgamma, dbeta)
        grads = [dx.reshape(g.shape) if need[0] else None]
        if ctx.has[0]:
            grads.append(dgamma.astype(weight.dtype))
        if ctx.has[1]:
            grads.append(dbeta.astype(ctx.bias_dtype))
        return tuple(grads)

    @staticmethod
    def jvp(ctx, dx, *dparams):
        """La tangente (``forward_ad``), con ĉ = ẋ − media(ẋ) por canal:

            ẏ = γ·σ̂·(ĉ − x̂·media(x̂·ẋ)) + γ̇·x̂ + β̇      (entrenamiento)
            ẏ = γ·σ̂·ẋ + γ̇·x̂ + β̇                          (evaluación)
        """
        x3, _ = ctx.saved_tensors
        mean, invstd, gamma, training = ctx.stats
        shape = (1, -1, 1)
        xhat = (x3 - mean.reshape(shape)) * invstd.reshape(shape)
        out = np.zeros(x3.shape, np.float64)
        if dx is not None:
            d = _as_ncl(np.asarray(dx, np.float64))
            if training:
                d = d - d.mean(axis=(0, 2), keepdims=True) - xhat * (xhat * d).mean(axis=(0, 2), keepdims=True)
            out += (gamma * invstd).reshape(shape) * d
        params = list(dparams) + [None] * (2 - len(dparams))
        dgamma, dbeta = (params[0], params[1]) if ctx.has[0] else (None, params[0])
        if dgamma is not None:
            out += np.asarray(dgamma, np.float64).reshape(shape) * xhat
        if dbeta is not None:
            out += np.asarray(dbeta, np.float64).reshape(shape)
        return out.astype(x3.dtype, copy=False).reshape(ctx.out_shape)


class LayerNorm(ArrayFunction):
    """Normalización de cada muestra sobre sus ``k`` últimos ejes (D valores):

        y = x̂·γ + β,   x̂ = (x − μ)·σ̂,   σ̂ = 1/√(σ² + ε)   (μ, σ² de cada fila; varianza sesgada)

    Derivadas (medias sobre los D valores de la fila):

        ∂L/∂x = σ̂·(g·γ − media(g·γ) − x̂·media(g·γ·x̂)),   ∂L/∂γ = Σ_filas g·x̂,   ∂L/∂β = Σ_filas g

    En primer orden, un núcleo (``kernels/layer_norm.py``, sumas en float64); con ``create_graph`` la
    misma fórmula con tensores (se puede derivar otra vez)."""

    differentiable = True

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, k=1, eps=1e-5):
        d = math.prod(x.shape[x.ndim - k:])
        x2 = np.ascontiguousarray(x).reshape(-1, d)
        w = np.ones(d) if weight is None else weight.reshape(d)
        b = np.zeros(d) if bias is None else bias.reshape(d)
        y = np.empty(x2.shape, x.dtype)
        mean, rstd = np.empty(x2.shape[0]), np.empty(x2.shape[0])
        KL.layer_norm_forward(x2, w, b, float(eps), y, mean, rstd)
        ctx.save_for_backward(x, weight)
        ctx.cfg = (k, eps, bias is not None)
        ctx.stats = (mean, rstd)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        k, eps, has_bias = ctx.cfg
        xp = namespace(g)
        if xp is NUMPY:
            d = math.prod(x.shape[x.ndim - k:])
            x2 = np.ascontiguousarray(x).reshape(-1, d)
            w = np.ones(d) if weight is None else weight.reshape(d)
            dx = np.empty(x2.shape, x.dtype)
            dw, db = np.zeros(d), np.zeros(d)
            KL.layer_norm_backward(np.ascontiguousarray(g).reshape(x2.shape), x2, w, *ctx.stats, dx, dw, db)
            out = [dx.reshape(x.shape)]
            if weight is not None:
                out.append(dw.astype(weight.dtype).reshape(weight.shape))
            if has_bias:
                out.append(db.astype(x.dtype).reshape(x.shape[x.ndim - k:]))
            return tuple(out)
        axes = tuple(range(x.ndim - k, x.ndim))
        lead = tuple(range(x.ndim - k))
        d = math.prod(x.shape[x.ndim - k:])
        mean = xp.sum(x, axis=axes, keepdims=True) / d
        xc = x - mean
        rstd = 1 / xp.sqrt(xp.sum(xc * xc, axis=axes, keepdims=True) / d + eps)
        xh = xc * rstd
        gw = g if weight is None else g * weight
        dx = rstd * (gw - xp.sum(gw, axis=axes, keepdims=True) / d
                     - xh * (xp.sum(gw * xh, axis=axes, keepdims=True) / d))
        out = [dx]
        if weight is not None:
            out.append(xp.sum(g * xh, axis=lead) if lead else g * xh)
        if has_bias:
            out.append(xp.sum(g, axis=lead) if lead else g)
        return tuple(out)
