"""La factorización LDLᵀ de una matriz simétrica con el pivoteo de Bunch-Kaufman (la de LAPACK
``dsytf2``/``dsytrs`` con ``uplo="L"``, la que usa PyTorch), y la solución de A·X = B con ella.

Columna a columna: si |A[k,k]| ≥ α·(el mayor |valor| bajo la diagonal en la columna k),
α = (1 + √17)/8, el pivote es 1×1 (sin intercambio); si no, se mira la fila r de ese máximo y se
elige entre A[k,k] (1×1), A[r,r] (1×1, intercambiando k y r) o el bloque 2×2 de las filas k y r.
Después, el complemento de Schur: A ← A − x·D⁻¹·xᵀ. ``LD`` guarda L (con unos implícitos) bajo la
diagonal y D (bloques 1×1 y 2×2) en ella; ``pivots`` (base 1) es ``ipiv`` de LAPACK: k > 0, pivote 1×1
con la fila k intercambiada; los dos negativos de un 2×2. Un pivote nulo no se divide: ``info``
dice el primero. Con numpy en float64 (una matriz del lote tras otra); sin derivada, como en PyTorch."""
import math

import numpy as np

__all__ = ["ldl_factor_array", "ldl_solve_array"]

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _argmax(v):
    return int(np.argmax(np.abs(v))) if v.size else 0


def _sytf2(a):
    """LDLᵀ de una matriz (n, n) en float64 (se escribe sobre ``a``): ``(ipiv, info)``, base 1."""
    n = a.shape[0]
    ipiv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + _argmax(a[k + 1:, k])
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0.0 or math.isnan(absakk):
            info = info or k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                jmax = k + _argmax(a[imax, k:imax])
                rowmax = abs(a[imax, jmax])
                if imax < n - 1:
                    jmax = imax + 1 + _argmax(a[imax + 1:, imax])
                    rowmax = max(rowmax, abs(a[jmax, imax]))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:   # intercambio simétrico de kk y kp en la parte de abajo
                a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                seg = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = seg
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1.0 / a[k, k]
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= np.tril(d11 * np.outer(x, x))
                    a[k + 1:, k] *= d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = 1.0 / (d11 * d22 - 1.0)
                d21 = t / d21
                for j in range(k + 2, n):
                    wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                    wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
                    a[j:, j] -= a[j:, k] * wk + a[j:, k + 1] * wkp1
                    a[j, k] = wk
                    a[j, k + 1] = wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return ipiv, info


def ldl_factor_array(A):
    """``(LD, pivots, info)`` de un (lote de) matrices simétricas (..., n, n) (se usa su triángulo inferior)."""
    *batch, n, _ = A.shape
    nb = int(np.prod(batch))   # no -1: con n = 0 reshape no sabría deducirlo
    flat = np.array(A, dtype=np.float64).reshape(nb, n, n)
    piv = np.zeros((flat.shape[0], n), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    with np.errstate(all="ignore"):
        for i, a in enumerate(flat):
            piv[i], info[i] = _sytf2(a)
    LD = np.tril(flat).astype(A.dtype, copy=False).reshape(A.shape)
    return LD, piv.reshape(*batch, n), info.reshape(batch)


def _sytrs(a, ipiv, b):
    """X con A·X = B dada la LDLᵀ de ``_sytf2`` (se escribe sobre ``b``)."""
    n = a.shape[0]
    k = 0
    while k < n:   # L·D·Y = B
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(a[k + 1:, k], b[k])
            b[k] /= a[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            if kp != k + 1:
                b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(a[k + 2:, k], b[k]) + np.outer(a[k + 2:, k + 1], b[k + 1])
            akm1k = a[k + 1, k]
            akm1, ak = a[k, k] / akm1k, a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1.0
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:   # Lᵀ·X = Y
        if ipiv[k] > 0:
            b[k] -= a[k + 1:, k] @ b[k + 1:]
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= a[k + 1:, k] @ b[k + 1:]
            b[k - 1] -= a[k + 1:, k - 1] @ b[k + 1:]
            kp = -ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve_array(LD, pivots, B):
    """X con A·X = B para un (lote de) factorizaciones de ``ldl_factor_array`` (con broadcasting del lote)."""
    batch = np.broadcast_shapes(LD.shape[:-2], B.shape[:-2])
    n = LD.shape[-1]
    nb = int(np.prod(batch))
    LDb = np.broadcast_to(LD, (*batch, n, n)).reshape(nb, n, n).astype(np.float64)
    pb = np.broadcast_to(pivots, (*batch, n)).reshape(nb, n)
    Bb = np.array(np.broadcast_to(B, (*batch, *B.shape[-2:])), dtype=np.float64).reshape(nb, *B.shape[-2:])
    with np.errstate(all="ignore"):
        for i in range(Bb.shape[0]):
            _sytrs(LDb[i], pb[i], Bb[i])
    return Bb.reshape(*batch, *B.shape[-2:]).astype(np.result_type(LD.dtype, B.dtype), copy=False)
