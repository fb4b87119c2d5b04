"""Winograd F(2×2, 3×3) para convoluciones 3×3 de stride 1 (sin dilatación ni grupos).

Cada tesela de salida 2×2 sale de una tesela de entrada 4×4 (solapadas de 2 en 2):

    Y = Aᵀ [ Σ_c (G g Gᵀ) ⊙ (Bᵀ d B) ] A

con 16 productos por tesela y par (o, c) en vez de 36: 2,25× menos multiplicaciones
que la convolución directa. Las 16 sumas sobre canales son 16 GEMM independientes
``M[ξ] = U[ξ] (O×C) @ V[ξ] (C×N·T)`` que hace BLAS; las transformadas (sólo sumas y
restas) son núcleos numba en paralelo por canal: cada iteración recorre todas las
imágenes y escribe filas largas y contiguas de ``V[ξ, c, :]``; leen y escriben
directamente la disposición (N, C, H, W): sin transposiciones. Las 16 filas ``ξ`` que
se escriben a la vez se separan con relleno (``workspace.get_rows``) para que no
compitan por el mismo conjunto de la caché L1 (medido: 3-4× más lento sin él).

Backward (adjunto exacto del cálculo anterior, que es lineal en ``d`` y en ``g``):

    dM = A dY Aᵀ,   dV[ξ] = U[ξ]ᵀ @ dM[ξ]  ->  dx += B dV Bᵀ (teselas solapadas)
    dU[ξ] = dM[ξ] @ V[ξ]ᵀ  ->  dg = Gᵀ dU G

``V`` se guarda del forward para ``dU``. Error en float32: del orden del de la GEMM
directa (las matrices sólo tienen 0, ±1 y ±½, exactos en binario).
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel
from .._slices import copy2

G_MAT = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])


def tiles(oh, ow):
    """Número de teselas 2×2 (en vertical y horizontal) que cubren una salida OH×OW."""
    return (oh + 1) // 2, (ow + 1) // 2


def kron_weight_transform(kron, w):
    """U = G g Gᵀ para cada (o, c), en float64, con ``kron = G ⊗ G`` (ξ×9): (O, C, 3, 3) -> (ξ, O, C).
    U[ξ = a·m + b] = Σ_ij G[a, i]·G[b, j]·g[i, j]: una GEMM (ξ×9)·(9×O·C). Con np.matmul por
    lotes de matrices pequeñas costaba 0,2-0,6 ms por llamada (2 048 pares (o, c))."""
    o, c = w.shape[:2]
    u = kron @ w.reshape(o * c, 9).T.astype(np.float64)
    return np.ascontiguousarray(u.reshape(kron.shape[0], o, c), dtype=w.dtype)


def kron_weight_transform_adjoint(kron, du, o, c):
    """dg = Gᵀ dU G (el adjunto), en float64: (ξ, O, C) -> (O, C, 3, 3)."""
    d = du.reshape(kron.shape[0], o * c).T.astype(np.float64) @ kron
    return d.astype(du.dtype).reshape(o, c, 3, 3)


_KRON = np.kron(G_MAT, G_MAT)


def weight_transform(w):
    """U = G g Gᵀ: (O, C, 3, 3) -> (16, O, C), contigua."""
    return kron_weight_transform(_KRON, w)


def weight_transform_adjoint(du, o, c):
    """dg = Gᵀ dU G: (16, O, C) -> (O, C, 3, 3)."""
    return kron_weight_transform_adjoint(_KRON, du, o, c)


@parallel_kernel
@njit(parallel=True, cache=True)
def input_transform(x, ph, pw, th, tw, V):
    """V[4a+b, c, n·T + ty·tw + tx] = (Bᵀ d B)[a, b] de la tesela 4×4 de la entrada
    (rellenada con ceros) que empieza en (2·ty − ph, 2·tx − pw)."""
    n_img, c_in, h, w = x.shape
    T = th * tw
    hb, wb = min(h, 2 * th + 2 - ph), min(w, 2 * tw + 2 - pw)
    for c in prange(c_in):
        P = np.zeros((2 * th + 2, 2 * tw + 2), dtype=x.dtype)  # plano con relleno (bordes a 0)
        Vc = V[:, c, :]
        for n in range(n_img):
            copy2(P[ph:ph + hb, pw:pw + wb], x[n, c, :hb, :wb])
            for ty in range(th):
                r0 = P[2 * ty]
                r1 = P[2 * ty + 1]
                r2 = P[2 * ty + 2]
                r3 = P[2 * ty + 3]
                base = n * T + ty * tw
                for tx in range(tw):
                    j = 2 * tx
                    t = base + tx
                    # filas: Bᵀ d (s_a = combinación de las 4 filas), luego columnas: s_a B
                    s00 = r0[j] - r2[j]
                    s01 = r0[j + 1] - r2[j + 1]
                    s02 = r0[j + 2] - r2[j + 2]
                    s03 = r0[j + 3] - r2[j + 3]
                    s10 = r1[j] + r2[j]
                    s11 = r1[j + 1] + r2[j + 1]
                    s12 = r1[j + 2] + r2[j + 2]
                    s13 = r1[j + 3] + r2[j + 3]
                    s20 = r2[j] - r1[j]
                    s21 = r2[j + 1] - r1[j + 1]
                    s22 = r2[j + 2] - r1[j + 2]
                    s23 = r2[j + 3] - r1[j + 3]
                    s30 = r1[j] - r3[j]
                    s31 = r1[j + 1] - r3[j + 1]
                    s32 = r1[j + 2] - r3[j + 2]
                    s33 = r1[j + 3] - r3[j + 3]
                    Vc[0, t] = s00 - s02
                    Vc[1, t] = s01 + s02
                    Vc[2, t] = s02 - s01
                    Vc[3, t] = s01 - s03
                    Vc[4, t] = s10 - s12
                    Vc[5, t] = s11 + s12
                    Vc[6, t] = s12 - s11
                    Vc[7, t] = s11 - s13
                    Vc[8, t] = s20 - s22
                    Vc[9, t] = s21 + s22
                    Vc[10, t] = s22 - s21
                    Vc[11, t] = s21 - s23
                    Vc[12, t] = s30 - s32
                    Vc[13, t] = s31 + s32
                    Vc[14, t] = s32 - s31
                    Vc[15, t] = s31 - s33


@parallel_kernel
@njit(parallel=True, cache=True)
def output_transform(M, th, tw, bias, out):
    """out[n, o] = Aᵀ M A por tesela (+ sesgo), descartando lo que cae fuera de OH×OW."""
    n_img, c_out, oh, ow = out.shape
    T = th * tw
    for o in prange(c_out):
        b = bias[o]
        Y = np.empty((2 * th, 2 * tw), dtype=out.dtype)
        Mo = M[:, o, :]
        for n in range(n_img):
            for ty in range(th):
                y0 = Y[2 * ty]
                y1 = Y[2 * ty + 1]
                base = n * T + ty * tw
                for tx in range(tw):
                    t = base + tx
                    u00 = Mo[0, t] + Mo[4, t] + Mo[8, t]
                    u01 = Mo[1, t] + Mo[5, t] + Mo[9, t]
                    u02 = Mo[2, t] + Mo[6, t] + Mo[10, t]
                    u03 = Mo[3, t] + Mo[7, t] + Mo[11, t]
                    u10 = Mo[4, t] - Mo[8, t] - Mo[12, t]
                    u11 = Mo[5, t] - Mo[9, t] - Mo[13, t]
                    u12 = Mo[6, t] - Mo[10, t] - Mo[14, t]
                    u13 = Mo[7, t] - Mo[11, t] - Mo[15, t]
                    y0[2 * tx] = u00 + u01 + u02 + b
                    y0[2 * tx + 1] = u01 - u02 - u03 + b
                    y1[2 * tx] = u10 + u11 + u12 + b
                    y1[2 * tx + 1] = u11 - u12 - u13 + b
            out[n, o] = Y[:oh, :ow]


@parallel_kernel
@njit(parallel=True, cache=True)
def grad_output_transform(g, th, tw, dM):
    """dM[:, o, tesela] = A dY Aᵀ (la tesela 2×2 de dY, con ceros fuera de OH×OW)."""
    n_img, c_out, oh, ow = g.shape
    T = th * tw
    for o in prange(c_out):
        G = np.zeros((2 * th, 2 * tw), dtype=g.dtype)  # filas/columnas de más a cero
        Mo = dM[:, o, :]
        for n in range(n_img):
            copy2(G[:oh, :ow], g[n, o])
            for ty in range(th):
                r0 = G[2 * ty]
                r1 = G[2 * ty + 1]
                base = n * T + ty * tw
                for tx in range(tw):
                    t = base + tx
                    a0 = r0[2 * tx]
                    a1 = r0[2 * tx + 1]
                    b0 = r1[2 * tx]
                    b1 = r1[2 * tx + 1]
                    # filas de A dY: f0, f0 + f1, f0 − f1, −f1; luego lo mismo por columnas
                    v10 = a0 + b0
                    v11 = a1 + b1
                    v20 = a0 - b0
                    v21 = a1 - b1
                    Mo[0, t] = a0
                    Mo[1, t] = a0 + a1
                    Mo[2, t] = a0 - a1
                    Mo[3, t] = -a1
                    Mo[4, t] = v10
                    Mo[5, t] = v10 + v11
                    Mo[6, t] = v10 - v11
                    Mo[7, t] = -v11
                    Mo[8, t] = v20
                    Mo[9, t] = v20 + v21
                    Mo[10, t] = v20 - v21
                    Mo[11, t] = -v21
                    Mo[12, t] = -b0
                    Mo[13, t] = -(b0 + b1)
                    Mo[14, t] = b1 - b0
                    Mo[15, t] = b1
    return dM


@parallel_kernel
@njit(parallel=True, cache=True)
def input_transform_adjoint(dV, n_img, h, w, ph, pw, th, tw):
    """dx = Σ_teselas B dV Bᵀ colocado en su sitio (teselas solapadas: cada canal acumula
    en su propio plano con relleno y se recorta al final)."""
    c_in = dV.shape[1]
    T = th * tw
    hb, wb = min(h, 2 * th + 2 - ph), min(w, 2 * tw + 2 - pw)
    dx = np.zeros((n_img, c_in, h, w), dtype=dV.dtype)
    for c in prange(c_in):
        acc = np.empty((2 * th + 2, 2 * tw + 2), dtype=dV.dtype)
        v = dV[:, c, :]
        for n in range(n_img):
            acc[:, :] = 0
            for ty in range(th):
                ra = acc[2 * ty]
                rb = acc[2 * ty + 1]
                rc = acc[2 * ty + 2]
                rd = acc[2 * ty + 3]
                base = n * T + ty * tw
                for tx in range(tw):
                    t = base + tx
                    x0 = 2 * tx
                    # columnas de Bᵀ aplicadas a las filas de dV (q_i) y luego a las columnas
                    q10 = v[4, t] - v[8, t] + v[12, t]
                    q11 = v[5, t] - v[9, t] + v[13, t]
                    q12 = v[6, t] - v[10, t] + v[14, t]
                    q13 = v[7, t] - v[11, t] + v[15, t]
                    q20 = v[4, t] + v[8, t] - v[0, t]
                    q21 = v[5, t] + v[9, t] - v[1, t]
                    q22 = v[6, t] + v[10, t] - v[2, t]
                    q23 = v[7, t] + v[11, t] - v[3, t]
                    _acc_row(ra, x0, v[0, t], v[1, t], v[2, t], v[3, t])
                    _acc_row(rb, x0, q10, q11, q12, q13)
                    _acc_row(rc, x0, q20, q21, q22, q23)
                    _acc_row(rd, x0, -v[12, t], -v[13, t], -v[14, t], -v[15, t])
            copy2(dx[n, c, :hb, :wb], acc[ph:ph + hb, pw:pw + wb])
    return dx


@njit(cache=True, inline="always")
def _acc_row(row, x0, q0, q1, q2, q3):
    row[x0] += q0
    row[x0 + 1] += q1 - q2 + q3
    row[x0 + 2] += q1 + q2 - q0
    row[x0 + 3] -= q3
