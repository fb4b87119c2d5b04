"""Winograd F(4×4, 3×3): teselas de salida 4×4 desde teselas de entrada 6×6.

36 productos por tesela y par (o, c) en vez de 144: 4× menos multiplicaciones que la
convolución directa (F(2×2, 3×3) da 2,25×). Mismo esquema que ``winograd_f2.py`` (36 GEMM
en BLAS, transformadas numba por canal, backward por el adjunto exacto), con las
matrices de Lavin y Gray (puntos 0, ±1, ±2, ∞):

    Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0], [0, 4, −4, −1, 1, 0],
          [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]]
    G  = [[¼, 0, 0], [−⅙, −⅙, −⅙], [−⅙, ⅙, −⅙], [1/24, 1/12, ⅙], [1/24, −1/12, ⅙], [0, 0, 1]]
    Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0], [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]]

Precio: error en float32 ~15× el de F(2×2) (medido: 4·10⁻⁶ relativo al máximo frente
a 2·10⁻⁷, del orden de sumar 600 productos en float32); en float64 ~10⁻¹⁵.
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel
from .._slices import copy2
from .winograd_f2 import kron_weight_transform, kron_weight_transform_adjoint

G4 = np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6],
               [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]])


def tiles(oh, ow):
    return (oh + 3) // 4, (ow + 3) // 4


_KRON = np.kron(G4, G4)


def weight_transform(w):
    """U = G g Gᵀ (en float64): (O, C, 3, 3) -> (36, O, C), contigua."""
    return kron_weight_transform(_KRON, w)


def weight_transform_adjoint(du, o, c):
    """dg = Gᵀ dU G (en float64): (36, O, C) -> (O, C, 3, 3)."""
    return kron_weight_transform_adjoint(_KRON, du, o, c)


# Los productos por 2, 4, 8 y 5 se escriben como sumas: con un literal entero numba
# pasaría a float64 (y las tuplas dejarían de ser homogéneas); x + x es exacto.
@njit(cache=True, inline="always")
def _x2(a):
    return a + a


@njit(cache=True, inline="always")
def _x4(a):
    b = a + a
    return b + b


@njit(cache=True, inline="always")
def _bt(d0, d1, d2, d3, d4, d5):
    c = _x2(d3 - d1)
    return (_x4(d0) - (_x4(d2) + d2) + d4, d3 + d4 - _x4(d1 + d2), _x4(d1 - d2) + d4 - d3,
            c + d4 - d2, (d4 - d2) - c, _x4(d1) - (_x4(d3) + d3) + d5)


@njit(cache=True, inline="always")
def _b(v0, v1, v2, v3, v4, v5):
    # adjunto de _bt (B = (Bᵀ)ᵀ)
    return (_x4(v0), _x4(v2 - v1 + v5) + _x2(v4 - v3), -(_x4(v0) + v0) - _x4(v1 + v2) - v3 - v4,
            v1 - v2 + _x2(v3 - v4) - (_x4(v5) + v5), v0 + v1 + v2 + v3 + v4, v5)


@njit(cache=True, inline="always")
def _at(m0, m1, m2, m3, m4, m5):
    d = m3 - m4
    return (m0 + m1 + m2 + m3 + m4, m1 - m2 + _x2(d), m1 + m2 + _x4(m3 + m4), m1 - m2 + _x2(_x4(d)) + m5)


@njit(cache=True, inline="always")
def _a(y0, y1, y2, y3):
    # adjunto de _at (A = (Aᵀ)ᵀ)
    e = _x4(y2)
    f = _x2(y1) + _x2(_x4(y3))
    return (y0, y0 + y1 + y2 + y3, y0 - y1 + y2 - y3, y0 + e + f, y0 + e - f, y3)


@parallel_kernel
@njit(parallel=True, cache=True)
def input_transform(x, ph, pw, th, tw, V):
    """V[6a+b, c, n·T + ty·tw + tx] = (Bᵀ d B)[a, b], d = tesela 6×6 en (4·ty − ph, 4·tx − pw)."""
    n_img, c_in, h, w = x.shape
    T = th * tw
    hb, wb = min(h, 4 * th + 2 - ph), min(w, 4 * tw + 2 - pw)
    for c in prange(c_in):
        P = np.zeros((4 * th + 2, 4 * tw + 2), dtype=x.dtype)
        E = np.empty((6, 4 * tw + 2), dtype=x.dtype)
        Vc = V[:, c, :]
        for n in range(n_img):
            copy2(P[ph:ph + hb, pw:pw + wb], x[n, c, :hb, :wb])
            for ty in range(th):
                r = 4 * ty
                # Bᵀ sobre las 6 filas de la tesela, a lo ancho de toda la fila (vectorizable)
                for j in range(4 * tw + 2):
                    e0, e1, e2, e3, e4, e5 = _bt(P[r, j], P[r + 1, j], P[r + 2, j], P[r + 3, j], P[r + 4, j],
                                                 P[r + 5, j])
                    E[0, j] = e0
                    E[1, j] = e1
                    E[2, j] = e2
                    E[3, j] = e3
                    E[4, j] = e4
                    E[5, j] = e5
                base = n * T + ty * tw
                for a in range(6):
                    ea = E[a]
                    for tx in range(tw):
                        j = 4 * tx
                        v = _bt(ea[j], ea[j + 1], ea[j + 2], ea[j + 3], ea[j + 4], ea[j + 5])
                        t = base + tx
                        Vc[6 * a, t] = v[0]
                        Vc[6 * a + 1, t] = v[1]
                        Vc[6 * a + 2, t] = v[2]
                        Vc[6 * a + 3, t] = v[3]
                        Vc[6 * a + 4, t] = v[4]
                        Vc[6 * a + 5, t] = v[5]


@parallel_kernel
@njit(parallel=True, cache=True)
def output_transform(M, th, tw, bias, out):
    """out[n, o] = Aᵀ M A por tesela (+ sesgo), recortado a OH×OW."""
    n_img, c_out, oh, ow = out.shape
    T = th * tw
    for o in prange(c_out):
        b = bias[o]
        Y = np.empty((4 * th, 4 * tw), dtype=out.dtype)
        Mo = M[:, o, :]
        for n in range(n_img):
            for ty in range(th):
                base = n * T + ty * tw
                for tx in range(tw):
                    t = base + tx
                    # Aᵀ por columnas (b) de M: u[i][b], luego por filas
                    u0 = _at(Mo[0, t], Mo[6, t], Mo[12, t], Mo[18, t], Mo[24, t], Mo[30, t])
                    u1 = _at(Mo[1, t], Mo[7, t], Mo[13, t], Mo[19, t], Mo[25, t], Mo[31, t])
                    u2 = _at(Mo[2, t], Mo[8, t], Mo[14, t], Mo[20, t], Mo[26, t], Mo[32, t])
                    u3 = _at(Mo[3, t], Mo[9, t], Mo[15, t], Mo[21, t], Mo[27, t], Mo[33, t])
                    u4 = _at(Mo[4, t], Mo[10, t], Mo[16, t], Mo[22, t], Mo[28, t], Mo[34, t])
                    u5 = _at(Mo[5, t], Mo[11, t], Mo[17, t], Mo[23, t], Mo[29, t], Mo[35, t])
                    y0, y1, y2, y3 = _at(u0[0], u1[0], u2[0], u3[0], u4[0], u5[0])
                    row = Y[4 * ty + 0]
                    row[4 * tx] = y0 + b
                    row[4 * tx + 1] = y1 + b
                    row[4 * tx + 2] = y2 + b
                    row[4 * tx + 3] = y3 + b
                    y0, y1, y2, y3 = _at(u0[1], u1[1], u2[1], u3[1], u4[1], u5[1])
                    row = Y[4 * ty + 1]
                    row[4 * tx] = y0 + b
                    row[4 * tx + 1] = y1 + b
                    row[4 * tx + 2] = y2 + b
                    row[4 * tx + 3] = y3 + b
                    y0, y1, y2, y3 = _at(u0[2], u1[2], u2[2], u3[2], u4[2], u5[2])
                    row = Y[4 * ty + 2]
                    row[4 * tx] = y0 + b
                    row[4 * tx + 1] = y1 + b
                    row[4 * tx + 2] = y2 + b
                    row[4 * tx + 3] = y3 + b
                    y0, y1, y2, y3 = _at(u0[3], u1[3], u2[3], u3[3], u4[3], u5[3])
                    row = Y[4 * ty + 3]
                    row[4 * tx] = y0 + b
                    row[4 * tx + 1] = y1 + b
                    row[4 * tx + 2] = y2 + b
                    row[4 * tx + 3] = y3 + b
            out[n, o] = Y[:oh, :ow]


@parallel_kernel
@njit(parallel=True, cache=True)
def grad_output_transform(g, th, tw, dM):
    """dM[:, o, tesela] = A dY Aᵀ (tesela 4×4 de dY con ceros fuera de OH×OW)."""
    n_img, c_out, oh, ow = g.shape
    T = th * tw
    for o in prange(c_out):
        Gp = np.zeros((4 * th, 4 * tw), dtype=g.dtype)
        Mo = dM[:, o, :]
        for n in range(n_img):
            copy2(Gp[:oh, :ow], g[n, o])
            for ty in range(th):
                r = 4 * ty
                base = n * T + ty * tw
                for tx in range(tw):
                    j = 4 * tx
                    t = base + tx
                    # A sobre las 4 filas, columna a columna (c_k[a] = fila a de A dY en la columna k)
                    c0 = _a(Gp[r, j], Gp[r + 1, j], Gp[r + 2, j], Gp[r + 3, j])
                    c1 = _a(Gp[r, j + 1], Gp[r + 1, j + 1], Gp[r + 2, j + 1], Gp[r + 3, j + 1])
                    c2 = _a(Gp[r, j + 2], Gp[r + 1, j + 2], Gp[r + 2, j + 2], Gp[r + 3, j + 2])
                    c3 = _a(Gp[r, j + 3], Gp[r + 1, j + 3], Gp[r + 2, j + 3], Gp[r + 3, j + 3])
                    m0, m1, m2, m3, m4, m5 = _a(c0[0], c1[0], c2[0], c3[0])
                    Mo[0, t] = m0
                    Mo[1, t] = m1
                    Mo[2, t] = m2
                    Mo[3, t] = m3
                    Mo[4, t] = m4
                    Mo[5, t] = m5
                    m0, m1, m2, m3, m4, m5 = _a(c0[1], c1[1], c2[1], c3[1])
                    Mo[6, t] = m0
                    Mo[7, t] = m1
                    Mo[8, t] = m2
                    Mo[9, t] = m3
                    Mo[10, t] = m4
                    Mo[11, t] = m5
                    m0, m1, m2, m3, m4, m5 = _a(c0[2], c1[2], c2[2], c3[2])
                    Mo[12, t] = m0
                    Mo[13, t] = m1
                    Mo[14, t] = m2
                    Mo[15, t] = m3
                    Mo[16, t] = m4
                    Mo[17, t] = m5
                    m0, m1, m2, m3, m4, m5 = _a(c0[3], c1[3], c2[3], c3[3])
                    Mo[18, t] = m0
                    Mo[19, t] = m1
                    Mo[20, t] = m2
                    Mo[21, t] = m3
                    Mo[22, t] = m4
                    Mo[23, t] = m5
                    m0, m1, m2, m3, m4, m5 = _a(c0[4], c1[4], c2[4], c3[4])
                    Mo[24, t] = m0
                    Mo[25, t] = m1
                    Mo[26, t] = m2
                    Mo[27, t] = m3
                    Mo[28, t] = m4
                    Mo[29, t] = m5
                    m0, m1, m2, m3, m4, m5 = _a(c0[5], c1[5], c2[5], c3[5])
                    Mo[30, t] = m0
                    Mo[31, t] = m1
                    Mo[32, t] = m2
                    Mo[33, t] = m3
                    Mo[34, t] = m4
                    Mo[35, t] = m5
    return dM


@parallel_kernel
@njit(parallel=True, cache=True)
def input_transform_adjoint(dV, n_img, h, w, ph, pw, th, tw):
    """dx = Σ_teselas B dV Bᵀ en su sitio (teselas 6×6 solapadas de 2 en 2)."""
    c_in = dV.shape[1]
    T = th * tw
    hb, wb = min(h, 4 * th + 2 - ph), min(w, 4 * tw + 2 - pw)
    dx = np.zeros((n_img, c_in, h, w), dtype=dV.dtype)
    for c in prange(c_in):
        acc = np.empty((4 * th + 2, 4 * tw + 2), dtype=dV.dtype)
        v = dV[:, c, :]
        for n in range(n_img):
            acc[:, :] = 0
            for ty in range(th):
                r = 4 * ty
                base = n * T + ty * tw
                for tx in range(tw):
                    t = base + tx
                    j = 4 * tx
                    # B por columnas de dV (q_k[i]), luego B por filas
                    q0 = _b(v[0, t], v[6, t], v[12, t], v[18, t], v[24, t], v[30, t])
                    q1 = _b(v[1, t], v[7, t], v[13, t], v[19, t], v[25, t], v[31, t])
                    q2 = _b(v[2, t], v[8, t], v[14, t], v[20, t], v[26, t], v[32, t])
                    q3 = _b(v[3, t], v[9, t], v[15, t], v[21, t], v[27, t], v[33, t])
                    q4 = _b(v[4, t], v[10, t], v[16, t], v[22, t], v[28, t], v[34, t])
                    q5 = _b(v[5, t], v[11, t], v[17, t], v[23, t], v[29, t], v[35, t])
                    d0, d1, d2, d3, d4, d5 = _b(q0[0], q1[0], q2[0], q3[0], q4[0], q5[0])
                    row = acc[r + 0]
                    row[j] += d0
                    row[j + 1] += d1
                    row[j + 2] += d2
                    row[j + 3] += d3
                    row[j + 4] += d4
                    row[j + 5] += d5
                    d0, d1, d2, d3, d4, d5 = _b(q0[1], q1[1], q2[1], q3[1], q4[1], q5[1])
                    row = acc[r + 1]
                    row[j] += d0
                    row[j + 1] += d1
                    row[j + 2] += d2
                    row[j + 3] += d3
                    row[j + 4] += d4
                    row[j + 5] += d5
                    d0, d1, d2, d3, d4, d5 = _b(q0[2], q1[2], q2[2], q3[2], q4[2], q5[2])
                    row = acc[r + 2]
                    row[j] += d0
                    row[j + 1] += d1
                    row[j + 2] += d2
                    row[j + 3] += d3
                    row[j + 4] += d4
                    row[j + 5] += d5
                    d0, d1, d2, d3, d4, d5 = _b(q0[3], q1[3], q2[3], q3[3], q4[3], q5[3])
                    row = acc[r + 3]
                    row[j] += d0
                    row[j + 1] += d1
                    row[j + 2] += d2
                    row[j + 3] += d3
                    row[j + 4] += d4
                    row[j + 5] += d5
                    d0, d1, d2, d3, d4, d5 = _b(q0[4], q1[4], q2[4], q3[4], q4[4], q5[4])
                    row = acc[r + 4]
                    row[j] += d0
                    row[j + 1] += d1
                    row[j + 2] += d2
                    row[j + 3] += d3
                    row[j + 4] += d4
                    row[j + 5] += d5
                    d0, d1, d2, d3, d4, d5 = _b(q0[5], q1[5], q2[5], q3[5], q4[5], q5[5])
                    row = acc[r + 5]
                    row[j] += d0
                    row[j + 1] += d1
                    row[j + 2] += d2
                    row[j + 3] += d3
                    row[j + 4] += d4
                    row[j + 5] += d5
            copy2(dx[n, c, :hb, :wb], acc[ph:ph + hb, pw:pw + wb])
    return dx
