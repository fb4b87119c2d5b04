"""La LSTM float32 por bloques de unidades: el bucle en el tiempo entero dentro de un núcleo ``nogil``.

``ops/rnn_parallel.py`` reparte las unidades en bloques (cada bloque, sus cuatro puertas contiguas) y
cada hilo recorre los T pasos con sus bloques: su GEMM ``h_{t−1}·W_kᵀ`` (la SGEMM de OpenBLAS, llamada
por su dirección: ``sgemm``), su celda (``rnn.lstm_step_f32``) y una barrera por paso (un contador
atómico; espera activa con ``pause`` y, si se alarga, ``sched_yield``). Antes cada paso volvía a
Python y se repartía con la reserva de hilos (despertar un hilo dormido, el GIL para trocear arrays):
128 repartos por paso de entrenamiento, y con 2 hilos el paso apenas bajaba.

Las mismas operaciones, en el mismo orden, con uno o con varios hilos: el reparto de los bloques no
cambia ningún bit (la barrera sólo ordena).
"""
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from ._pool import _atomic_add, _atomic_load, _pause
from .rnn import lstm_backward, lstm_step_f32

__all__ = ["lstm_forward_run", "lstm_backward_run"]

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112


@intrinsic
def _sgemm(typingctx, fn, ta, tb, m, n, k, a, lda, b, ldb, c, ldc):
    """``cblas_sgemm(RowMajor, ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)`` con la función en la
    dirección ``fn`` (enteros de 64 bits: ``blas.sgemm_address``); ``a``, ``b``, ``c``: arrays float32
    (su primer elemento)."""
    def codegen(context, builder, sig, args):
        i32, i64, f32 = ir.IntType(32), ir.IntType(64), ir.FloatType()
        fp = f32.as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, f32, fp, i64, fp, i64, f32, fp, i64])

        def data(i):
            return context.make_array(sig.args[i])(context, builder, args[i]).data

        def int_(i, t):
            return context.cast(builder, args[i], sig.args[i], types.int64) if t is i64 else \
                builder.trunc(context.cast(builder, args[i], sig.args[i], types.int64), i32)

        ptr = builder.inttoptr(context.cast(builder, args[0], sig.args[0], types.int64), fnty.as_pointer())
        builder.call(ptr, [ir.Constant(i32, _ROW_MAJOR), int_(1, i32), int_(2, i32), int_(3, i64), int_(4, i64),
                           int_(5, i64), ir.Constant(f32, 1.0), data(6), int_(7, i64), data(8), int_(9, i64),
                           ir.Constant(f32, 0.0), data(10), int_(11, i64)])
        return context.get_dummy_value()
    return types.none(fn, ta, tb, m, n, k, a, lda, b, ldb, c, ldc), codegen


@intrinsic
def _call_void(typingctx, fn):
    """Llama a la función sin argumentos de la dirección ``fn`` (``sched_yield``)."""
    def codegen(context, builder, sig, args):
        fnty = ir.FunctionType(ir.IntType(32), [])
        builder.call(builder.inttoptr(context.cast(builder, args[0], sig.args[0], types.int64), fnty.as_pointer()),
                     [])
        return context.get_dummy_value()
    return types.none(fn), codegen


@njit(nogil=True, cache=True)
def _barrier(ctl, target, spin, yld):
    """Llega a la barrera (``ctl[0] += 1``) y espera a que ``ctl[0]`` valga ``target``: ``spin`` vueltas
    de ``pause`` y, si sigue faltando alguien (su CPU se la dio el sistema a otro), ``sched_yield``."""
    _atomic_add(ctl, 0, 1)
    i = 0
    while _atomic_load(ctl, 0) < target:
        _pause()
        i += 1
        if i >= spin and yld != 0:
            _call_void(yld)
            i = 0


@njit(nogil=True, cache=True, error_model="numpy")
def lstm_forward_run(sgemm, yld, spin, j, nth, gx, bk, has_bias, wh, h0, Y, ck, act, cprev, tc, gh, mk, u, bits,
                     order, save, ctl):
    """Los T pasos del forward para los bloques ``[j·nk/nth, (j+1)·nk/nth)`` (el hilo ``j`` de ``nth``):
    por paso t, gx_k += b_k (float32, lo mismo que ``gx += b`` de numpy, pero repartido y en caché),
    gh_k = h_{t−1}·W_kᵀ, la celda del bloque k y sus columnas de Y[t]; una barrera por paso.
    ``gx`` (nk, T, B, 4h), ``bk`` (nk, 4h), ``wh`` (nk, 4h, P), ``h0`` (B, P) contiguo, ``Y`` (T, B, P),
    ``ck`` (nk, B, h);
    ``act``/``cprev``/``tc`` con T pasos si ``save`` (si no, uno); ``gh``, ``mk``, ``u``, ``bits``: por
    bloque; ``order``: los t en el orden en que se recorren; ``ctl``: int64 [0] (la barrera)."""
    nk, _, B, gb = gx.shape
    P = h0.shape[1]
    hb = gb // 4
    lo, hi = j * nk // nth, (j + 1) * nk // nth
    for n in range(order.shape[0]):
        t = order[n]
        s = t if save else 0
        src = h0 if n == 0 else Y[order[n - 1]]
        for k in range(lo, hi):
            if has_bias:
                for b in range(B):
                    for q in range(gb):
                        gx[k, t, b, q] += bk[k, q]
            _sgemm(sgemm, _NO_TRANS, _TRANS, B, gb, P, src, P, wh[k], P, gh[k], gb)
            lstm_step_f32(gx[k, t], gh[k], ck[k], act[k, s], cprev[k, s], tc[k, s], mk[k], u[k], bits[k])
            for b in range(B):
                for q in range(hb):
                    Y[t, b, k * hb + q] = mk[k, b, q]
        _barrier(ctl, nth * (n + 1), spin, yld)


@njit(nogil=True, cache=True, error_model="numpy")
def lstm_backward_run(sgemm, yld, spin, j, nth, gY, parts, act, cprev, tc, dck, dm, dgk, wh, dgates, order, ctl):
    """Los T pasos del backward para los bloques del hilo ``j`` de ``nth``: ∂L/∂m de sus unidades = Σ de las
    partes de ∂L/∂h (``parts[i]``, una por bloque, sumadas en float64 en orden) + ∂L/∂Y[t]; la celda
    (``rnn.lstm_backward``); su parte de ∂L/∂h_{t−1} = ∂(puertas)_k·W_k en ``parts[1 − i, k]`` (dos
    búferes alternos) y ∂(puertas)_k en ``dgates[t, :, k]``. Una barrera por paso."""
    nk, _, B, gb = act.shape
    P = wh.shape[2]
    hb = gb // 4
    lo, hi = j * nk // nth, (j + 1) * nk // nth
    for n in range(order.shape[0]):
        t = order[n]
        i = n % 2
        for k in range(lo, hi):
            for b in range(B):
                for q in range(hb):
                    col = k * hb + q
                    acc = np.float64(parts[i, 0, b, col])
                    for p in range(1, nk):
                        acc += parts[i, p, b, col]
                    acc += gY[t, b, col]
                    dm[k, b, q] = acc
            lstm_backward(dm[k], act[k, t], cprev[k, t], tc[k, t], dck[k], dgk[k])
            _sgemm(sgemm, _NO_TRANS, _NO_TRANS, B, P, gb, dgk[k], gb, wh[k], P, parts[1 - i, k], P)
            for b in range(B):
                for q in range(gb):
                    dgates[t, b, k, q] = dgk[k, b, q]
        _barrier(ctl, nth * (n + 1), spin, yld)
