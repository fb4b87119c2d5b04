"""Winograd F(2×2, 3×3) para convoluciones 3×3 de stride 1 (sin dilatación ni grupos).

Cada tesela de salida 2×2 sale de una tesela de entrada 4×4 (solapadas de 2 en 2):

    Y = Aᵀ [ Σ_c (G g Gᵀ) ⊙ (Bᵀ d B) ] A

con 16 productos por tesela y par (o, c) en vez de 36: 2,25× menos multiplicaciones
que la convolución directa. Las 16 sumas sobre canales son 16 GEMM independientes
``M[ξ] = U[ξ] (O×C) @ V[ξ] (C×N·T)`` que hace BLAS; las transformadas (sólo sumas y
restas) son núcleos numba en paralelo por plano (imagen, canal), que leen y escriben
directamente en la disposición (N, C, H, W): sin transposiciones.

Backward (adjunto exacto del cálculo anterior, que es lineal en ``d`` y en ``g``):

    dM = A dY Aᵀ,   dV[ξ] = U[ξ]ᵀ @ dM[ξ]  ->  dx += B dV Bᵀ (teselas solapadas)
    dU[ξ] = dM[ξ] @ V[ξ]ᵀ  ->  dg = Gᵀ dU G

``V`` se guarda del forward para ``dU``. Error en float32: del orden del de la GEMM
directa (las matrices sólo tienen 0, ±1 y ±½, exactos en binario).
"""
import numpy as np
from numba import njit, prange

from ._parallel import parallel_kernel

G_MAT = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])


def tiles(oh, ow):
    """Número de teselas 2×2 (en vertical y horizontal) que cubren una salida OH×OW."""
    return (oh + 1) // 2, (ow + 1) // 2


def weight_transform(w):
    """U = G g Gᵀ para cada (o, c): (O, C, 3, 3) -> (16, O, C), contigua."""
    g = G_MAT.astype(w.dtype)
    u = np.matmul(np.matmul(g, w), g.T)  # (O, C, 4, 4)
    o, c = w.shape[:2]
    return np.ascontiguousarray(u.reshape(o, c, 16).transpose(2, 0, 1))


def weight_transform_adjoint(du, o, c):
    """dg = Gᵀ dU G: (16, O, C) -> (O, C, 3, 3)."""
    g = G_MAT.astype(du.dtype)
    d = du.transpose(1, 2, 0).reshape(o, c, 4, 4)
    return np.matmul(np.matmul(g.T, d), g)


@parallel_kernel
@njit(parallel=True, cache=True)
def input_transform(x, ph, pw, th, tw, V):
    """V[4a+b, c, n·T + ty·tw + tx] = (Bᵀ d B)[a, b] de la tesela 4×4 de la entrada
    (rellenada con ceros) que empieza en (2·ty − ph, 2·tx − pw)."""
    n_img, c_in, h, w = x.shape
    T = th * tw
    wb = 2 * tw + 2
    for p in prange(n_img * c_in):
        n = p // c_in
        c = p - n * c_in
        plane = x[n, c]
        rows = np.zeros((4, wb), dtype=x.dtype)
        s = np.empty((4, wb), dtype=x.dtype)
        base = n * T
        for ty in range(th):
            for a in range(4):
                r = 2 * ty - ph + a
                if 0 <= r < h:
                    rows[a, pw:pw + w] = plane[r]
                else:
                    rows[a, :] = 0
            r0, r1, r2, r3 = rows[0], rows[1], rows[2], rows[3]
            for q in range(wb):
                s[0, q] = r0[q] - r2[q]
                s[1, q] = r1[q] + r2[q]
                s[2, q] = r2[q] - r1[q]
                s[3, q] = r1[q] - r3[q]
            t0 = base + ty * tw
            for a in range(4):
                sa = s[a]
                v0 = V[4 * a, c, t0:t0 + tw]
                v1 = V[4 * a + 1, c, t0:t0 + tw]
                v2 = V[4 * a + 2, c, t0:t0 + tw]
                v3 = V[4 * a + 3, c, t0:t0 + tw]
                for tx in range(tw):
                    e0 = sa[2 * tx]
                    e1 = sa[2 * tx + 1]
                    e2 = sa[2 * tx + 2]
                    e3 = sa[2 * tx + 3]
                    v0[tx] = e0 - e2
                    v1[tx] = e1 + e2
                    v2[tx] = e2 - e1
                    v3[tx] = e1 - e3


@parallel_kernel
@njit(parallel=True, cache=True)
def output_transform(M, th, tw, bias, out):
    """out[n, o] = Aᵀ M A por tesela (+ sesgo), descartando lo que cae fuera de OH×OW."""
    n_img, c_out, oh, ow = out.shape
    T = th * tw
    for p in prange(n_img * c_out):
        n = p // c_out
        o = p - n * c_out
        b = bias[o]
        y0 = np.empty(2 * tw, dtype=out.dtype)
        y1 = np.empty(2 * tw, dtype=out.dtype)
        dst = out[n, o]
        for ty in range(th):
            t0 = n * T + ty * tw
            m = M[:, o, t0:t0 + tw]
            for tx in range(tw):
                u00 = m[0, tx] + m[4, tx] + m[8, tx]
                u01 = m[1, tx] + m[5, tx] + m[9, tx]
                u02 = m[2, tx] + m[6, tx] + m[10, tx]
                u03 = m[3, tx] + m[7, tx] + m[11, tx]
                u10 = m[4, tx] - m[8, tx] - m[12, tx]
                u11 = m[5, tx] - m[9, tx] - m[13, tx]
                u12 = m[6, tx] - m[10, tx] - m[14, tx]
                u13 = m[7, tx] - m[11, tx] - m[15, tx]
                y0[2 * tx] = u00 + u01 + u02 + b
                y0[2 * tx + 1] = u01 - u02 - u03 + b
                y1[2 * tx] = u10 + u11 + u12 + b
                y1[2 * tx + 1] = u11 - u12 - u13 + b
            dst[2 * ty, :] = y0[:ow]
            if 2 * ty + 1 < oh:
                dst[2 * ty + 1, :] = y1[:ow]


@parallel_kernel
@njit(parallel=True, cache=True)
def grad_output_transform(g, th, tw, dM):
    """dM[:, o, tesela] = A dY Aᵀ (la tesela 2×2 de dY, con ceros fuera de OH×OW)."""
    n_img, c_out, oh, ow = g.shape
    T = th * tw
    for p in prange(n_img * c_out):
        n = p // c_out
        o = p - n * c_out
        r0 = np.zeros(2 * tw, dtype=g.dtype)
        r1 = np.zeros(2 * tw, dtype=g.dtype)
        src = g[n, o]
        for ty in range(th):
            r0[:ow] = src[2 * ty]
            if 2 * ty + 1 < oh:
                r1[:ow] = src[2 * ty + 1]
            else:
                r1[:] = 0
            t0 = n * T + ty * tw
            m = dM[:, o, t0:t0 + tw]
            for tx in range(tw):
                a0 = r0[2 * tx]
                a1 = r0[2 * tx + 1]
                b0 = r1[2 * tx]
                b1 = r1[2 * tx + 1]
                # v_a = combinaciones de filas: v0 = fila0, v1 = f0 + f1, v2 = f0 − f1, v3 = −f1
                v10 = a0 + b0
                v11 = a1 + b1
                v20 = a0 - b0
                v21 = a1 - b1
                m[0, tx] = a0
                m[1, tx] = a0 + a1
                m[2, tx] = a0 - a1
                m[3, tx] = -a1
                m[4, tx] = v10
                m[5, tx] = v10 + v11
                m[6, tx] = v10 - v11
                m[7, tx] = -v11
                m[8, tx] = v20
                m[9, tx] = v20 + v21
                m[10, tx] = v20 - v21
                m[11, tx] = -v21
                m[12, tx] = -b0
                m[13, tx] = -(b0 + b1)
                m[14, tx] = b1 - b0
                m[15, tx] = b1
    return dM


@parallel_kernel
@njit(parallel=True, cache=True)
def input_transform_adjoint(dV, n_img, h, w, ph, pw, th, tw):
    """dx = Σ_teselas B dV Bᵀ colocado en su sitio (teselas solapadas: cada plano acumula
    en su propio buffer con relleno y se recorta al final)."""
    c_in = dV.shape[1]
    T = th * tw
    dx = np.empty((n_img, c_in, h, w), dtype=dV.dtype)
    for p in prange(n_img * c_in):
        n = p // c_in
        c = p - n * c_in
        acc = np.zeros((2 * th + 2, 2 * tw + 2), dtype=dV.dtype)
        for ty in range(th):
            t0 = n * T + ty * tw
            v = dV[:, c, t0:t0 + tw]
            ra = acc[2 * ty]
            rb = acc[2 * ty + 1]
            rc = acc[2 * ty + 2]
            rd = acc[2 * ty + 3]
            for tx in range(tw):
                x0 = 2 * tx
                # columnas de Bᵀ aplicadas a las filas de dV (q_i) y luego a las columnas
                q00, q01, q02, q03 = v[0, tx], v[1, tx], v[2, tx], v[3, tx]
                q10 = v[4, tx] - v[8, tx] + v[12, tx]
                q11 = v[5, tx] - v[9, tx] + v[13, tx]
                q12 = v[6, tx] - v[10, tx] + v[14, tx]
                q13 = v[7, tx] - v[11, tx] + v[15, tx]
                q20 = v[4, tx] + v[8, tx] - v[0, tx]
                q21 = v[5, tx] + v[9, tx] - v[1, tx]
                q22 = v[6, tx] + v[10, tx] - v[2, tx]
                q23 = v[7, tx] + v[11, tx] - v[3, tx]
                q30, q31, q32, q33 = -v[12, tx], -v[13, tx], -v[14, tx], -v[15, tx]
                _acc_row(ra, x0, q00, q01, q02, q03)
                _acc_row(rb, x0, q10, q11, q12, q13)
                _acc_row(rc, x0, q20, q21, q22, q23)
                _acc_row(rd, x0, q30, q31, q32, q33)
        for y in range(h):
            dx[n, c, y, :] = acc[y + ph, pw:pw + w]
    return dx


@njit(cache=True, inline="always")
def _acc_row(row, x0, q0, q1, q2, q3):
    row[x0] += q0
    row[x0 + 1] += q1 - q2 + q3
    row[x0 + 2] += q1 + q2 - q0
    row[x0 + 3] -= q3
