"""La atención de producto escalar en un solo nodo: ``softmax(Q·Kᵀ·escala + sesgo)·V``.

Compuesta con operaciones de ``Tensor`` son cinco nodos (dos ``@``, escala, máscara, softmax) y
cuatro arrays (N, L, S) de ida y vuelta; aquí uno y un solo array (N, L, S) guardado (los pesos
P). Las GEMM por lotes van por ``kernels.gemm.matmul``: BLAS de un hilo repartida entre hilos
(medido con (64, 128, 32)·(64, 32, 128) en la máquina compartida: 1,5 ms frente a 30-300 ms
con los hilos de OpenBLAS esperándose en cada una de las 64 GEMM pequeñas).

Derivadas (G = ∂L/∂salida, P = softmax, P′ = P con dropout):

    ∂V = P′ᵀ·G      ∂P′ = G·Vᵀ      ∂S = P ⊙ (∂P − Σ_j ∂P ⊙ P)      ∂Q = escala·∂S·K      ∂K = escala·∂Sᵀ·Q

Las filas sin ninguna clave permitida (todo −∞) dan P = 0, salida 0 y gradiente 0, como en PyTorch.
"""
import numba
import numpy as np

from ..autograd import ArrayFunction
from ..kernels import _parallel, gemm
from ..kernels import attention as KA

__all__ = ["ScaledDotProductAttention", "PackedSelfAttention", "softmax_rows"]

MIN_SPLIT = 1 << 17  # elementos de (N, L, S) a partir de los que las pasadas por filas se reparten entre hilos


def _by_rows(fn, *arrays):
    """``fn(*arrays)`` con los arrays partidos por el primer eje entre los hilos de numba (cada trozo en un
    hilo; numpy suelta el GIL en cada pasada). Las operaciones van fila a fila: el resultado es el mismo."""
    n = arrays[0].shape[0]
    nk = min(numba.get_num_threads(), n) if arrays[0].ndim > 2 and arrays[0].size >= MIN_SPLIT else 1
    if nk <= 1:
        fn(*arrays)
        return
    per = -(-n // nk)
    _parallel._POOL.run(lambda k, _nk: fn(*(a[k * per:(k + 1) * per] for a in arrays)), (), nk)


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """softmax en el último eje, in situ; las filas todo −∞ quedan a 0."""
    m = scores.max(axis=-1, keepdims=True)
    dead = np.isneginf(m)
    if dead.any():
        m[dead] = 0.0
    np.subtract(scores, m, out=scores)
    np.exp(scores, out=scores)
    s = scores.sum(axis=-1, keepdims=True)
    if dead.any():
        s[dead] = 1.0  # 0/1 = 0
    scores /= s
    return scores


def _rows_kernel(fn, rows, size, *args):
    """``fn(*args, first, stop)`` sobre las filas [0, rows), repartidas entre los hilos si hay trabajo."""
    nk = min(numba.get_num_threads(), rows) if size >= MIN_SPLIT else 1
    if nk <= 1:
        fn(*args, 0, rows)
        return
    per = -(-rows // nk)
    _parallel._POOL.run(lambda k, _nk: fn(*args, k * per, min(rows, (k + 1) * per)), (), nk)


def _kernel_bias(scores, bias):
    """(sesgo (B, S), sus ``ends``) para los núcleos float32 de ``kernels/attention.py``, o None si no
    valen (otro dtype, un sesgo que hace broadcasting de otra forma)."""
    if scores.dtype != np.float32 or scores.ndim != 3 or not scores.flags.c_contiguous:
        return None
    N, L, S = scores.shape
    if bias is None:
        b = np.zeros((0, S), np.float32)
    elif bias.dtype == np.float32 and bias.shape in ((L, S), (N, L, S)):
        b = np.ascontiguousarray(bias).reshape(-1, S)
    else:
        return None
    return b, KA.row_ends(b)


def _scale_bias_softmax(scores, bias, scale):
    """softmax(escala·scores + sesgo) in situ."""
    scores *= scale
    if bias is not None:
        scores += bias
    softmax_rows(scores)


def _softmax_backward(dp, p, scale):
    """dp ← escala·P ⊙ (dp − Σ_j dp ⊙ P), in situ."""
    dp -= (dp * p).sum(axis=-1, keepdims=True)
    dp *= p
    dp *= dp.dtype.type(scale)


def _attend(ctx, q, k, v, scale, bias, keep):
    """softmax(q·kᵀ·escala + sesgo)·v (N, L, Ev); guarda en ``ctx`` lo que pide el backward."""
    scores = gemm.matmul(q, np.swapaxes(k, -1, -2))
    scale_t = scores.dtype.type(scale)
    fused = _kernel_bias(scores, bias)
    ends = None
    if fused is not None:  # float32: un núcleo por fila, sin las colas prohibidas
        b, ends = fused
        flat = scores.reshape(-1, scores.shape[-1])
        _rows_kernel(KA.softmax_rows_f32, flat.shape[0], scores.size, flat, b, ends, scale_t)
    elif bias is not None and bias.ndim == scores.ndim and bias.shape[0] == scores.shape[0]:
        # un sesgo por elemento del lote: se parte con él
        _by_rows(lambda sc, b: _scale_bias_softmax(sc, b, scale_t), scores, bias)
    else:
        _by_rows(lambda sc: _scale_bias_softmax(sc, bias, scale_t), scores)
    p = scores
    pd = p * keep if keep is not None else p
    out = gemm.matmul(pd, v)
    if ctx.requires_grad:
        ctx.p, ctx.keep, ctx.scale, ctx.ends = p, keep, scale, ends
    return out


def _attend_backward(ctx, g, q, k, v, need):
    """(∂q, ∂k, ∂v) de ``_attend`` (``None`` donde ``need`` es falso)."""
    p, keep = ctx.p, ctx.keep
    g = np.ascontiguousarray(g)
    pd = p * keep if keep is not None else p
    dv = gemm.matmul(np.swapaxes(pd, -1, -2), g) if need[2] else None
    dq = dk = None
    if need[0] or need[1]:
        dp = gemm.matmul(g, np.swapaxes(v, -1, -2))
        if keep is not None:
            dp *= keep
        if ctx.ends is not None and dp.flags.c_contiguous and p.flags.c_contiguous:
            S = dp.shape[-1]
            _rows_kernel(KA.softmax_backward_rows_f32, dp.size // S, dp.size, dp.reshape(-1, S),
                         p.reshape(-1, S), ctx.ends, dp.dtype.type(ctx.scale))
        else:
            _by_rows(lambda d, pp: _softmax_backward(d, pp, ctx.scale), dp, p)
        ds = dp
        dq = gemm.matmul(ds, k) if need[0] else None
        dk = gemm.matmul(np.swapaxes(ds, -1, -2), q) if need[1] else None
    return dq, dk, dv


class ScaledDotProductAttention(ArrayFunction):
    """``out = softmax(q·kᵀ·scale + bias)·v`` con ``q`` (N, L, E), ``k`` (N, S, E), ``v`` (N, S, Ev);
    ``bias`` (constante) hace broadcasting a (N, L, S) (−∞ = prohibido); ``keep`` (N, L, S) es la
    máscara de dropout ya escalada por 1/(1 − p) o ``None``."""

    @staticmethod
    def forward(ctx, q, k, v, scale=1.0, bias=None, keep=None):
        out = _attend(ctx, q, k, v, scale, bias, keep)
        if ctx.requires_grad:
            ctx.save_for_backward(q, k, v)
        return out

    @staticmethod
    def backward(ctx, g):
        q, k, v = ctx.saved_tensors
        return _attend_backward(ctx, g, q, k, v, ctx.needs_input_grad)


def _heads(a, B, H, L, d):
    """(L, B, H·d) (una vista con saltos) → (B·H, L, d) contigua: cada cabeza de cada ejemplo, sus L filas."""
    return np.ascontiguousarray(a.reshape(L, B, H, d).transpose(1, 2, 0, 3)).reshape(B * H, L, d)


def _unheads(a, B, H, L, d, out):
    """(B·H, L, d) → ``out`` (L, B, H·d), lo inverso de ``_heads``."""
    out.reshape(L, B, H, d)[...] = a.reshape(B, H, L, d).transpose(2, 0, 1, 3)
    return out


class PackedSelfAttention(ArrayFunction):
    """La autoatención de varias cabezas de ``nn.MultiheadAttention`` desde la proyección empaquetada:
    ``qkv`` (L, N, 3E), la salida de ``x·W_inᵀ + b_in`` con Q, K y V seguidas en el último eje; salida
    (L·N, E), las cabezas ya juntas (``concat(cabeza_1, …, cabeza_H)``), lista para ``out_proj``. Las mismas
    cuentas que ``ScaledDotProductAttention`` sobre (N·H, L, E/H) (mismos bits); en un nodo, sin los
    ``chunk``, ``reshape`` y ``transpose`` de Tensor que copiaban Q, K y V y, hacia atrás, sumaban tres
    gradientes del tamaño de ``qkv`` rellenos de ceros. ∂qkv = (∂Q, ∂K, ∂V) en su sitio del último eje."""

    @staticmethod
    def forward(ctx, qkv, heads=1, scale=1.0, bias=None, keep=None):
        L, B, E3 = qkv.shape
        E = E3 // 3
        d = E // heads
        q, k, v = (_heads(qkv[:, :, i * E:(i + 1) * E], B, heads, L, d) for i in range(3))
        out = _attend(ctx, q, k, v, scale, bias, keep)
        if ctx.requires_grad:
            ctx.save_for_backward(qkv)
            ctx.qkv_heads, ctx.heads = (q, k, v), heads
        return _unheads(out, B, heads, L, d, np.empty((L, B, E), out.dtype)).reshape(L * B, E)

    @staticmethod
    def backward(ctx, g):
        (qkv,) = ctx.saved_tensors
        L, B, E3 = qkv.shape
        E = E3 // 3
        heads = ctx.heads
        d = E // heads
        q, k, v = ctx.qkv_heads
        grads = _attend_backward(ctx, _heads(g.reshape(L, B, E), B, heads, L, d), q, k, v, (True,) * 3)
        dqkv = np.empty(qkv.shape, grads[0].dtype)
        for i, gi in enumerate(grads):
            _unheads(gi, B, heads, L, d, dqkv[:, :, i * E:(i + 1) * E])
        return dqkv
