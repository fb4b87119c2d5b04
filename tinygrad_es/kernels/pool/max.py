"""Max-pooling 2-D en numba, en paralelo por plano (imagen, canal): cada iteración del
``prange`` lee y escribe sólo su propio plano (sin carreras, también en el backward,
donde las ventanas solapadas suman en el mismo plano).

Índices: posición plana ``y·W + x`` dentro del plano de entrada, como los que devuelve
``torch.nn.functional.max_pool2d(..., return_indices=True)`` y consume ``max_unpool2d``.
Empates: gana el primer máximo en orden de filas; un NaN se propaga (el último NaN de la
ventana, como PyTorch).
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel
from .window import _adaptive_window


def _tap_ranges(size, k, s, p, d, osize):
    """Para cada tap j: el rango [lo, hi) de ventanas o cuya posición o·s − p + j·d cae
    dentro de [0, size). Es contiguo, así que cada tap es un bucle sin ramas."""
    r = np.zeros((k, 2), dtype=np.int64)
    for j in range(k):
        off = j * d - p
        lo = max(0, -(off // s))            # primer o con o·s + off ≥ 0
        hi = min(osize, -((off - size) // s))  # primer o con o·s + off ≥ size
        r[j] = lo, max(lo, hi)
    return r


MAX_POOL_ALGOS = ("2x2", "canales", "filas")


def max_pool2d_forward(x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, algo=None):
    """Máximo por ventana (con dilatación); el relleno cuenta como −inf. Devuelve
    ``(out, idx)``; una ventana sin elementos (sólo relleno) da −inf e índice −1.

    Elige el núcleo por forma (medido; ``algo=`` lo fuerza en los tests): ``"canales"``
    (canales en el bucle interior) con 8 canales o más, ``"2x2"`` para 2×2 de stride 2 sin
    relleno con menos canales, ``"filas"`` (dos pasadas separables por plano) en el resto.
    Con 2×2 y 8 canales o más, ``"canales"`` gana también en planos grandes (medido con un
    hilo, tiempo de CPU: 2,5 frente a 6,5 ms en (64, 32, 26, 26); 2,9 frente a 7,4 ms en
    (64, 32, 28, 28))."""
    n, c, h, w = x.shape
    if algo is None:
        two = (kh, kw, sh, sw, ph, pw, dh, dw) == (2, 2, 2, 2, 0, 0, 1, 1)
        if two and c < 8:
            algo = "2x2"
        elif c >= 8 and h * w < 2 ** 31:
            algo = "canales"
        else:
            algo = "filas"
    if algo == "2x2":
        return max_pool2x2_forward(x, oh, ow)
    if algo == "canales":
        return _max_pool2d_cl(x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)
    return _max_pool2d(x, _tap_ranges(h, kh, sh, ph, dh, oh), _tap_ranges(w, kw, sw, pw, dw, ow),
                       sh, sw, ph, pw, dh, dw, oh, ow)


@parallel_kernel
@njit(parallel=True, cache=True)
def _max_pool2d_cl(x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    """Con 8 canales o más: cada imagen se traspone a (H·W, C) y el bucle interior recorre
    los canales, contiguo y tan largo como C, así que LLVM lo vectoriza aunque las filas
    sean cortas (con filas de 14 el bucle por filas caía al código escalar del resto:
    3,5-6,5 ms frente a ~1 ms para (64, 32, 28, 28) 3×3 s2 p1, medido). Los taps van en
    orden de filas: gana el primer máximo y el último NaN, como PyTorch."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    idx = np.empty((n_img, c, oh, ow), dtype=np.int32)  # como el 2×2: un solo max_pool2d_backward que compilar
    for n in prange(n_img):
        xn = x[n].reshape(c, h * w)
        xt = np.empty((h * w, c), dtype=x.dtype)
        for p in range(h * w):
            row = xt[p]
            for ch in range(c):
                row[ch] = xn[ch, p]
        ot = np.empty((oh * ow, c), dtype=x.dtype)
        it = np.empty((oh * ow, c), dtype=np.int32)
        for y in range(oh):
            for xo in range(ow):
                ov = ot[y * ow + xo]
                oi = it[y * ow + xo]
                for ch in range(c):
                    ov[ch] = -np.inf
                    oi[ch] = -1
                for i in range(kh):
                    iy = y * sh - ph + i * dh
                    if iy < 0 or iy >= h:
                        continue
                    for j in range(kw):
                        ix = xo * sw - pw + j * dw
                        if ix < 0 or ix >= w:
                            continue
                        k = np.int32(iy * w + ix)
                        src = xt[k]
                        for ch in range(c):
                            v = src[ch]
                            b = ov[ch]
                            a = oi[ch]
                            take = (a < 0) | (v > b) | (v != v)
                            ov[ch] = v if take else b
                            oi[ch] = k if take else a
        on = out[n].reshape(c, oh * ow)
        inn = idx[n].reshape(c, oh * ow)
        for ch in range(c):
            for p in range(oh * ow):
                on[ch, p] = ot[p, ch]
                inn[ch, p] = it[p, ch]
    return out, idx


@parallel_kernel
@njit(parallel=True, cache=True)
def _max_pool2d(x, rows, cols, sh, sw, ph, pw, dh, dw, oh, ow):
    """Dos pasadas separables por plano, cada una un bucle contiguo sobre las ventanas
    (LLVM lo vectoriza; con un bucle corto por ventana iba 15× más lento, medido):
    1) por filas de la entrada, máximo sobre los taps horizontales; 2) máximo de esas
    filas sobre los taps verticales. Horizontal primero y vertical después da el primer
    máximo en orden de filas, como PyTorch. Sin ramas: selecciones."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    idx = np.empty((n_img, c, oh, ow), dtype=np.int64)
    for n in prange(n_img):
        H = np.empty((h, ow), dtype=x.dtype)  # una reserva por imagen, no por plano
        HA = np.empty((h, ow), dtype=np.int64)
        for ch in range(c):
            _max_plane(x[n, ch], out[n, ch], idx[n, ch], H, HA, rows, cols, sh, sw, ph, pw, dh, dw)
    return out, idx


@njit(cache=True)
def _max_plane(plane, o, oi, H, HA, rows, cols, sh, sw, ph, pw, dh, dw):
    h, w = plane.shape
    oh, ow = o.shape
    kh, kw = rows.shape[0], cols.shape[0]
    HA[:, :] = -1
    for iy in range(h):
        row = plane[iy]
        hr = H[iy]
        ha = HA[iy]
        for j in range(kw):
            off = j * dw - pw
            # stride 1 y 2 con la constante a la vista de LLVM: cargas intercaladas en vez
            # de gathers (lentos en AMD)
            if sw == 1:
                for xo in range(cols[j, 0], cols[j, 1]):
                    ix = xo + off
                    v = row[ix]
                    b = hr[xo]
                    a = ha[xo]
                    take = (a < 0) | (v > b) | (v != v)
                    hr[xo] = v if take else b
                    ha[xo] = ix if take else a
            elif sw == 2:
                for xo in range(cols[j, 0], cols[j, 1]):
                    ix = 2 * xo + off
                    v = row[ix]
                    b = hr[xo]
                    a = ha[xo]
                    take = (a < 0) | (v > b) | (v != v)
                    hr[xo] = v if take else b
                    ha[xo] = ix if take else a
            else:
                for xo in range(cols[j, 0], cols[j, 1]):
                    ix = xo * sw + off
                    v = row[ix]
                    b = hr[xo]
                    a = ha[xo]
                    take = (a < 0) | (v > b) | (v != v)
                    hr[xo] = v if take else b
                    ha[xo] = ix if take else a
    for y in range(oh):
        orow = o[y]
        irow = oi[y]
        orow[:] = -np.inf
        irow[:] = -1
        for i in range(kh):
            if y < rows[i, 0] or y >= rows[i, 1]:
                continue
            iy = y * sh + i * dh - ph
            hr = H[iy]
            ha = HA[iy]
            base = iy * w
            for xo in range(ow):
                v = hr[xo]
                a = ha[xo]
                b = orow[xo]
                take = (a >= 0) & ((irow[xo] < 0) | (v > b) | (v != v))
                orow[xo] = v if take else b
                irow[xo] = base + a if take else irow[xo]


@parallel_kernel
@njit(parallel=True, cache=True)
def max_pool2d_backward(gout, idx, h, w):
    """Suma cada gradiente en la posición de su máximo (``idx``); vale para cualquier
    pooling de máximo con índices (general, adaptativo)."""
    n_img, c, oh, ow = gout.shape
    dx = np.zeros((n_img, c, h * w), dtype=gout.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        d = dx[n, ch]
        for y in range(oh):
            for xo in range(ow):
                k = idx[n, ch, y, xo]
                if k >= 0:
                    d[k] += gout[n, ch, y, xo]
    return dx.reshape(n_img, c, h, w)


@parallel_kernel
@njit(parallel=True, cache=True)
def adaptive_max_pool2d_forward(x, oh, ow):
    """Máximo en las ventanas del pooling adaptativo; devuelve ``(out, idx)``."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    idx = np.empty((n_img, c, oh, ow), dtype=np.int64)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        plane = x[n, ch]
        for y in range(oh):
            y0, y1 = _adaptive_window(y, h, oh)
            for xo in range(ow):
                x0, x1 = _adaptive_window(xo, w, ow)
                best = plane[y0, x0]
                bi = y0 * w + x0
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        v = plane[iy, ix]
                        if v > best or v != v:
                            best = v
                            bi = iy * w + ix
                out[n, ch, y, xo] = best
                idx[n, ch, y, xo] = bi
    return out, idx


@parallel_kernel
@njit(parallel=True, cache=True)
def max_unpool2d_forward(x, idx, oh, ow):
    """Inversa parcial del max-pooling: ceros y cada valor en su índice (plano OH·OW).
    Los índices deben estar ya validados (0 ≤ idx < OH·OW)."""
    n_img, c, h, w = x.shape
    out = np.zeros((n_img, c, oh * ow), dtype=x.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        o = out[n, ch]
        for y in range(h):
            for xo in range(w):
                o[idx[n, ch, y, xo]] = x[n, ch, y, xo]
    return out.reshape(n_img, c, oh, ow)


@parallel_kernel
@njit(parallel=True, cache=True)
def max_unpool2d_backward(gout, idx):
    """Adjunto de ``max_unpool2d_forward``: recoge el gradiente de cada índice."""
    n_img, c, h, w = idx.shape
    dx = np.empty((n_img, c, h, w), dtype=gout.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        g = gout[n, ch].ravel()
        for y in range(h):
            for xo in range(w):
                dx[n, ch, y, xo] = g[idx[n, ch, y, xo]]
    return dx


@parallel_kernel
@njit(parallel=True, cache=True)
def max_pool2x2_forward(x, oh, ow):
    """Camino rápido para núcleo 2×2, stride 2 y sin relleno (el de las CNN del curso):
    sin ramas (selecciones que LLVM vectoriza), misma regla que el caso general: gana el
    primer máximo en orden de filas y un NaN se propaga. Con ``ceil_mode`` y lados
    impares, la última fila/columna de ventanas (de 1 de ancho) va aparte."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    idx = np.empty((n_img, c, oh, ow), dtype=np.int32)
    ohf, owf = min(oh, h // 2), min(ow, w // 2)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        plane = x[n, ch]
        o = out[n, ch]
        ii = idx[n, ch]
        for y in range(oh):
            if y >= ohf or ow > owf:  # ventanas recortadas por ceil_mode
                for xo in range(owf if y < ohf else 0, ow):
                    best = plane[2 * y, 2 * xo]
                    bi = 2 * y * w + 2 * xo
                    for iy in range(2 * y, min(2 * y + 2, h)):
                        for ix in range(2 * xo, min(2 * xo + 2, w)):
                            v = plane[iy, ix]
                            take = (v > best) | (v != v)
                            best = v if take else best
                            bi = iy * w + ix if take else bi
                    o[y, xo] = best
                    ii[y, xo] = bi
            if y >= ohf:
                continue
            r0 = plane[2 * y]
            r1 = plane[2 * y + 1]
            orow = o[y]
            irow = ii[y]
            base = 2 * y * w
            for xo in range(owf):
                a = r0[2 * xo]
                b = r0[2 * xo + 1]
                cc = r1[2 * xo]
                d = r1[2 * xo + 1]
                t1 = ~((b > a) | (b != b))  # se queda con a salvo b mayor o NaN (el último NaN gana)
                m1 = a if t1 else b
                k1 = 0 if t1 else 1
                t2 = ~((d > cc) | (d != d))
                m2 = cc if t2 else d
                k2 = w if t2 else w + 1
                t3 = ~((m2 > m1) | (m2 != m2))
                orow[xo] = m1 if t3 else m2
                irow[xo] = base + 2 * xo + (k1 if t3 else k2)
    return out, idx
