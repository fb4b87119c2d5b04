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
def _copy(typingctx, fn, m, n, a, aoff, lda, b, boff):
    """``fn(m, n, &a[aoff], lda, &b[boff])`` (las copias de OpenBLAS que empaquetan: ``blas.sgemm_packed_addresses``);
    ``a``, ``b``: arrays float32 contiguos (desplazamientos en elementos)."""
    def codegen(context, builder, sig, args):
        i64 = ir.IntType(64)
        fp = ir.FloatType().as_pointer()
        fnty = ir.FunctionType(ir.IntType(32), [i64, i64, fp, i64, fp])

        def int_(i):
            return context.cast(builder, args[i], sig.args[i], types.int64)

        def ptr(i, off):
            data = context.make_array(sig.args[i])(context, builder, args[i]).data
            return builder.gep(data, [int_(off)])

        f = builder.inttoptr(int_(0), fnty.as_pointer())
        builder.call(f, [int_(1), int_(2), ptr(3, 4), int_(5), ptr(6, 7)])
        return context.get_dummy_value()
    return types.none(fn, m, n, a, aoff, lda, b, boff), codegen


@intrinsic
def _micro(typingctx, fn, m, n, k, sa, saoff, sb, c, ldc):
    """``fn(m, n, k, 1, &sa[saoff], sb, c, ldc)``: el micronúcleo de OpenBLAS, C += A·B (columnas mayores)
    con A (m × k) y B (k × n) ya empaquetados."""
    def codegen(context, builder, sig, args):
        i64, f32 = ir.IntType(64), ir.FloatType()
        fp = f32.as_pointer()
        fnty = ir.FunctionType(ir.IntType(32), [i64, i64, i64, f32, fp, fp, fp, i64])

        def int_(i):
            return context.cast(builder, args[i], sig.args[i], types.int64)

        def data(i):
            return context.make_array(sig.args[i])(context, builder, args[i]).data

        f = builder.inttoptr(int_(0), fnty.as_pointer())
        builder.call(f, [int_(1), int_(2), int_(3), ir.Constant(f32, 1.0), builder.gep(data(4), [int_(5)]), data(6),
                         data(7), int_(8)])
        return context.get_dummy_value()
    return types.none(fn, m, n, k, sa, saoff, sb, c, ldc), codegen


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


@njit(nogil=True, cache=True, inline="always")
def _chunks(K, kmax):
    """Trozos iguales de K de como mucho ``kmax`` (lo que hace el driver de OpenBLAS con su bloque de K)."""
    nc = (K + kmax - 1) // kmax
    return nc, (K + nc - 1) // nc


@njit(nogil=True, cache=True)
def _pack_a(icopy, w, trans, kmax, sa):
    """Empaqueta ``w`` (filas × columnas, contiguo) como el A de ``_packed_gemm`` por trozos de K:
    sin ``trans``, A = w (K = columnas); con ``trans``, A = wᵀ (K = filas). El trozo c queda en
    ``sa[k0·M:]``."""
    R, Cn = w.shape
    K, M = (R, Cn) if trans else (Cn, R)
    nc, kc = _chunks(K, kmax)
    for c in range(nc):
        k0 = c * kc
        k1 = min(K, k0 + kc)
        _copy(icopy, k1 - k0, M, w, k0 * Cn if trans else k0, Cn, sa, k0 * M)


@njit(nogil=True, cache=True, inline="always")
def _packed_gemm(ocopy, micro, kmax, sa, M, x, sb, out):
    """``out`` (n × M, contiguo) = x (n × K, contiguo) · Aᵀ con A (M × K) empaquetado por ``_pack_a``: por
    trozos de K, x empaquetado en ``sb`` y el micronúcleo (que suma en ``out``, puesto antes a 0)."""
    n, K = x.shape
    nc, kc = _chunks(K, kmax)
    out[...] = 0
    for c in range(nc):
        k0 = c * kc
        k1 = min(K, k0 + kc)
        _copy(ocopy, k1 - k0, n, x, k0, K, sb, 0)
        _micro(micro, M, n, k1 - k0, sa, k0 * M, sb, out, M)


@njit(nogil=True, cache=True, error_model="numpy")
def lstm_forward_run(sgemm, yld, spin, j, nth, gx, bk, has_bias, wh, h0, Y, ck, act, cprev, tc, gh, mk, u, bits,
                     order, save, pk, sa, sb, ctl):
    """Los T pasos del forward para los bloques ``[j·nk/nth, (j+1)·nk/nth)`` (el hilo ``j`` de ``nth``):
    por paso t, gx_k += b_k (float32, lo mismo que ``gx += b`` de numpy, pero repartido y en caché),
    gh_k = h_{t−1}·W_kᵀ, la celda del bloque k y sus columnas de Y[t]; una barrera por paso.
    ``gx`` (nk, T, B, 4h), ``bk`` (nk, 4h), ``wh`` (nk, 4h, P), ``h0`` (B, P) contiguo, ``Y`` (T, B, P),
    ``ck`` (nk, B, h);
    ``act``/``cprev``/``tc`` con T pasos si ``save`` (si no, uno); ``gh``, ``mk``, ``u``, ``bits``: por
    bloque; ``order``: los t en el orden en que se recorren; ``ctl``: int64 [0] (la barrera).
    ``pk``: direcciones (copia «n», copia de B, micronúcleo, K máximo) de ``blas.sgemm_packed_addresses``, o
    ``pk[2] == 0``: entonces la SGEMM entera en cada paso; si no, W_k se empaqueta una vez en ``sa[k]`` y cada
    paso sólo empaqueta h_{t−1} (``sb[k]``)."""
    nk, _, B, gb = gx.shape
    P = h0.shape[1]
    hb = gb // 4
    lo, hi = j * nk // nth, (j + 1) * nk // nth
    packed = pk[2] != 0
    if packed:
        for k in range(lo, hi):
            _pack_a(pk[0], wh[k], False, pk[3], sa[k])
    for n in range(order.shape[0]):
        t = order[n]
        s = t if save else 0
        src = h0 if n == 0 else Y[order[n - 1]]
        for k in range(lo, hi):
            if has_bias:
                for b in range(B):
                    for q in range(gb):
                        gx[k, t, b, q] += bk[k, q]
            if packed:
                _packed_gemm(pk[1], pk[2], pk[3], sa[k], gb, src, sb[k], gh[k])
            else:
                _sgemm(sgemm, _NO_TRANS, _TRANS, B, gb, P, src, P, wh[k], P, gh[k], gb)
            lstm_step_f32(gx[k, t], gh[k], ck[k], act[k, s], cprev[k, s], tc[k, s], mk[k], u[k], bits[k])
            for b in range(B):
                for q in range(hb):
                    Y[t, b, k * hb + q] = mk[k, b, q]
        _barrier(ctl, nth * (n + 1), spin, yld)


@njit(nogil=True, cache=True, error_model="numpy")
def lstm_backward_run(sgemm, yld, spin, j, nth, gY, parts, act, cprev, tc, dck, dm, dgk, wh, dgates, order, pk, sa, sb,
                      ctl):
    """Los T pasos del backward para los bloques del hilo ``j`` de ``nth``: ∂L/∂m de sus unidades = Σ de las
    partes de ∂L/∂h (``parts[i]``, una por bloque, sumadas en float64 en orden) + ∂L/∂Y[t]; la celda
    (``rnn.lstm_backward``); su parte de ∂L/∂h_{t−1} = ∂(puertas)_k·W_k en ``parts[1 − i, k]`` (dos
    búferes alternos) y ∂(puertas)_k en ``dgates[t, :, k]``. Una barrera por paso. ``pk``, ``sa``, ``sb``: como
    en ``lstm_forward_run``, con la copia «t» (A = W_kᵀ)."""
    nk, _, B, gb = act.shape
    P = wh.shape[2]
    hb = gb // 4
    lo, hi = j * nk // nth, (j + 1) * nk // nth
    packed = pk[2] != 0
    if packed:
        for k in range(lo, hi):
            _pack_a(pk[0], wh[k], True, pk[3], sa[k])
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
            if packed:
                _packed_gemm(pk[1], pk[2], pk[3], sa[k], P, dgk[k], sb[k], parts[1 - i, k])
            else:
                _sgemm(sgemm, _NO_TRANS, _NO_TRANS, B, P, gb, dgk[k], gb, wh[k], P, parts[1 - i, k], P)
            for b in range(B):
                for q in range(gb):
                    dgates[t, b, k, q] = dgk[k, b, q]
        _barrier(ctl, nth * (n + 1), spin, yld)
