"""BatchNorm en arrays ``(N, C, L)`` (``L`` = el producto de los ejes espaciales; 1 en ``(N, C)``).

Un trabajo por canal (``prange`` sobre C): cada canal recorre sus N filas contiguas de L
elementos, así que cada hilo lee sólo su canal y el resultado no depende del número de hilos. Con
filas cortas (L < ``SHORT``: ``BatchNorm1d`` tras una capa lineal, mapas de 2×2...) un trabajo por
bloque de ``BLOCK`` canales, con los canales en el bucle interior (contiguos en memoria).

Exactitud (float32 ≈ 6·10⁻⁸ de redondeo relativo):

* Las sumas (media, varianza, Σg, Σg·x̂) se acumulan en float64 con 8 acumuladores
  independientes (orden fijo, vectorizable): en float32, sumar ~10⁵ términos pierde
  ~10⁻⁵ relativo; en float64, ~10⁻¹⁴.
* La varianza es de dos pasadas (primero la media, luego Σ(x − μ)² con la corrección
  −(Σ(x − μ))²/M, Björck/Chan): la fórmula de una pasada E[x²] − E[x]² cancela
  catastróficamente cuando la media es grande frente a la desviación (típico tras la
  primera convolución de imágenes en [0, 1]).
* La salida se calcula elemento a elemento en float64 y se redondea una sola vez:
  ``y = (x − μ)·(γ/σ) + β`` (restar antes de escalar: ``x·s + (β − μ·s)``, lo que hace
  PyTorch, pierde ``|μ|/σ`` veces más). Lo mismo en el backward,
  ``dx = (γ/σ)·(g − Σg/M − x̂·Σ(g·x̂)/M)``.

Además, una misma entrada da siempre la misma salida (sólo depende del valor y del canal): dos
posiciones empatadas siguen empatadas y el max-pooling de después elige como en float64.
"""
import numpy as np
from numba import njit, prange

from ._parallel import parallel_kernel

SHORT = 32   # filas más cortas: trabajos por bloques de canales
BLOCK = 64   # canales por trabajo con filas cortas


@njit(cache=True)
def _sum(a):
    """``Σ a[i]`` en float64, con 8 acumuladores en orden fijo."""
    n = a.shape[0]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    n8 = n - n % 8
    for i in range(0, n8, 8):
        s0 += np.float64(a[i])
        s1 += np.float64(a[i + 1])
        s2 += np.float64(a[i + 2])
        s3 += np.float64(a[i + 3])
        s4 += np.float64(a[i + 4])
        s5 += np.float64(a[i + 5])
        s6 += np.float64(a[i + 6])
        s7 += np.float64(a[i + 7])
    for i in range(n8, n):
        s0 += np.float64(a[i])
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(cache=True)
def _sum_shifted(a, shift):
    """``(Σ (a[i] − shift), Σ (a[i] − shift)²)`` en float64, con 8 acumuladores en orden fijo."""
    n = a.shape[0]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    q0 = q1 = q2 = q3 = q4 = q5 = q6 = q7 = 0.0
    n8 = n - n % 8
    for i in range(0, n8, 8):
        d0 = np.float64(a[i]) - shift
        d1 = np.float64(a[i + 1]) - shift
        d2 = np.float64(a[i + 2]) - shift
        d3 = np.float64(a[i + 3]) - shift
        d4 = np.float64(a[i + 4]) - shift
        d5 = np.float64(a[i + 5]) - shift
        d6 = np.float64(a[i + 6]) - shift
        d7 = np.float64(a[i + 7]) - shift
        s0 += d0
        s1 += d1
        s2 += d2
        s3 += d3
        s4 += d4
        s5 += d5
        s6 += d6
        s7 += d7
        q0 += d0 * d0
        q1 += d1 * d1
        q2 += d2 * d2
        q3 += d3 * d3
        q4 += d4 * d4
        q5 += d5 * d5
        q6 += d6 * d6
        q7 += d7 * d7
    for i in range(n8, n):
        d = np.float64(a[i]) - shift
        s0 += d
        q0 += d * d
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), ((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7))


@njit(cache=True)
def _sum_gx(g, x, shift):
    """``(Σ g, Σ g·(x − shift))`` en float64, 8 acumuladores en orden fijo."""
    n = g.shape[0]
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = 0.0
    n8 = n - n % 8
    for i in range(0, n8, 8):
        g0 = np.float64(g[i])
        g1 = np.float64(g[i + 1])
        g2 = np.float64(g[i + 2])
        g3 = np.float64(g[i + 3])
        g4 = np.float64(g[i + 4])
        g5 = np.float64(g[i + 5])
        g6 = np.float64(g[i + 6])
        g7 = np.float64(g[i + 7])
        s0 += g0
        s1 += g1
        s2 += g2
        s3 += g3
        s4 += g4
        s5 += g5
        s6 += g6
        s7 += g7
        p0 += g0 * (np.float64(x[i]) - shift)
        p1 += g1 * (np.float64(x[i + 1]) - shift)
        p2 += g2 * (np.float64(x[i + 2]) - shift)
        p3 += g3 * (np.float64(x[i + 3]) - shift)
        p4 += g4 * (np.float64(x[i + 4]) - shift)
        p5 += g5 * (np.float64(x[i + 5]) - shift)
        p6 += g6 * (np.float64(x[i + 6]) - shift)
        p7 += g7 * (np.float64(x[i + 7]) - shift)
    for i in range(n8, n):
        gi = np.float64(g[i])
        s0 += gi
        p0 += gi * (np.float64(x[i]) - shift)
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))


@njit(cache=True)
def _affine_row(x, mean, scale, shift, out):
    """``out = (x − mean)·scale + shift`` en float64, un redondeo."""
    for i in range(x.shape[0]):
        out[i] = (np.float64(x[i]) - mean) * scale + shift


@njit(cache=True)
def _channel_moments(x, ch):
    """Media y varianza sesgada (float64) del canal ``ch`` de ``x`` (N, C, L), en dos pasadas."""
    n = x.shape[0]
    m = n * x.shape[2]
    s = 0.0
    for i in range(n):
        s += _sum(x[i, ch])
    mu = s / m
    d = 0.0
    q = 0.0
    for i in range(n):
        di, qi = _sum_shifted(x[i, ch], mu)
        d += di
        q += qi
    # corrección de la segunda pasada: Σ(x − μ) no es exactamente 0 con la μ redondeada
    return mu + d / m, max((q - d * d / m) / m, 0.0)


@njit(cache=True)
def _block_moments(x, c0, c1, mean, var):
    """Como ``_channel_moments`` para los canales [c0, c1) a la vez (filas cortas): las sumas de
    cada canal, en float64 y en orden (n, l), con los canales en el bucle interior."""
    n, _, L = x.shape
    m = n * L
    k = c1 - c0
    s = np.zeros(k)
    for i in range(n):
        for j in range(k):
            row = x[i, c0 + j]
            for t in range(L):
                s[j] += row[t]
    mu = s / m
    d = np.zeros(k)
    q = np.zeros(k)
    for i in range(n):
        for j in range(k):
            row = x[i, c0 + j]
            for t in range(L):
                e = np.float64(row[t]) - mu[j]
                d[j] += e
                q[j] += e * e
    for j in range(k):
        mean[c0 + j] = mu[j] + d[j] / m
        var[c0 + j] = max((q[j] - d[j] * d[j] / m) / m, 0.0)


@parallel_kernel
@njit(parallel=True, cache=True)
def batch_norm_stats(x, mean, var):
    """Media y varianza sesgada (float64) de cada canal de ``x`` (N, C, L), en dos pasadas."""
    c, L = x.shape[1], x.shape[2]
    if L >= SHORT:
        for ch in prange(c):
            mean[ch], var[ch] = _channel_moments(x, ch)
    else:
        for b in prange((c + BLOCK - 1) // BLOCK):
            _block_moments(x, b * BLOCK, min(c, (b + 1) * BLOCK), mean, var)


@parallel_kernel
@njit(parallel=True, cache=True)
def batch_norm_apply(x, mean, scale, shift, out):
    """``out[:, c] = (x[:, c] − mean[c])·scale[c] + shift[c]`` (parámetros float64)."""
    n, c, L = x.shape
    for p in prange(n * c):
        i = p // c
        ch = p - i * c
        _affine_row(x[i, ch], mean[ch], scale[ch], shift[ch], out[i, ch])


@parallel_kernel
@njit(parallel=True, cache=True)
def batch_norm_train_forward(x, eps, gamma, beta, mean, var, invstd, out):
    """Forward de entrenamiento, un trabajo por canal (sus datos siguen en la caché entre pasadas):
    media y varianza sesgada (dos pasadas, float64), ``invstd = 1/√(var + eps)`` y
    ``out = (x − μ)·γ·invstd + β``. ``gamma``/``beta`` en float64 (unos y ceros sin afinidad)."""
    n, c, L = x.shape
    if L >= SHORT:
        for ch in prange(c):
            mu, v = _channel_moments(x, ch)
            inv = 1.0 / np.sqrt(v + eps)
            mean[ch] = mu
            var[ch] = v
            invstd[ch] = inv
            sc = gamma[ch] * inv
            for i in range(n):
                _affine_row(x[i, ch], mu, sc, beta[ch], out[i, ch])
    else:
        for b in prange((c + BLOCK - 1) // BLOCK):
            c0, c1 = b * BLOCK, min(c, (b + 1) * BLOCK)
            _block_moments(x, c0, c1, mean, var)
            for ch in range(c0, c1):
                invstd[ch] = 1.0 / np.sqrt(var[ch] + eps)
            for i in range(n):
                for ch in range(c0, c1):
                    _affine_row(x[i, ch], mean[ch], gamma[ch] * invstd[ch], beta[ch], out[i, ch])


@njit(cache=True)
def _dx_row(g, x, mean, k, a, b, out):
    """``out = k·(g − a − (x − mean)·b)`` en float64, un redondeo."""
    for i in range(g.shape[0]):
        out[i] = k * ((np.float64(g[i]) - a) - (np.float64(x[i]) - mean) * b)


@njit(cache=True)
def _channel_backward(g, x, ch, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta):
    n, _, L = g.shape
    m = n * L
    mu = mean[ch]
    inv = invstd[ch]
    sg = 0.0
    sgx = 0.0
    for i in range(n):
        a, b = _sum_gx(g[i, ch], x[i, ch], mu)
        sg += a
        sgx += b
    dbeta[ch] = sg
    dgamma[ch] = sgx * inv
    if need_dx:
        k = gamma[ch] * inv
        a, b = (sg / m, sgx * inv * inv / m) if training else (0.0, 0.0)
        for i in range(n):
            _dx_row(g[i, ch], x[i, ch], mu, k, a, b, dx[i, ch])


@njit(cache=True)
def _block_backward(g, x, c0, c1, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta):
    """``_channel_backward`` de los canales [c0, c1) a la vez (filas cortas)."""
    n, _, L = g.shape
    m = n * L
    k = c1 - c0
    sg = np.zeros(k)
    sgx = np.zeros(k)
    for i in range(n):
        for j in range(k):
            gr, xr, mu = g[i, c0 + j], x[i, c0 + j], mean[c0 + j]
            for t in range(L):
                gv = np.float64(gr[t])
                sg[j] += gv
                sgx[j] += gv * (np.float64(xr[t]) - mu)
    for j in range(k):
        dbeta[c0 + j] = sg[j]
        dgamma[c0 + j] = sgx[j] * invstd[c0 + j]
    if need_dx:
        for i in range(n):
            for j in range(k):
                ch = c0 + j
                inv = invstd[ch]
                a, b = (sg[j] / m, sgx[j] * inv * inv / m) if training else (0.0, 0.0)
                _dx_row(g[i, ch], x[i, ch], mean[ch], gamma[ch] * inv, a, b, dx[i, ch])


@parallel_kernel
@njit(parallel=True, cache=True)
def batch_norm_backward(g, x, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta):
    """Backward de ``y = (x − μ)·invstd·γ + β`` por canal (M = N·L elementos por canal):

    * ``dβ = Σ g``, ``dγ = Σ g·x̂`` con ``x̂ = (x − μ)·invstd`` (float64);
    * en entrenamiento (μ e invstd dependen de x): ``dx = γ·invstd·(g − dβ/M − x̂·dγ/M)``;
    * en evaluación (estadísticas fijas): ``dx = γ·invstd·g``.

    ``dx`` sólo se escribe con ``need_dx``."""
    c, L = g.shape[1], g.shape[2]
    if L >= SHORT:
        for ch in prange(c):
            _channel_backward(g, x, ch, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta)
    else:
        for b in prange((c + BLOCK - 1) // BLOCK):
            _block_backward(g, x, b * BLOCK, min(c, (b + 1) * BLOCK), mean, invstd, gamma, training, need_dx, dx,
                            dgamma, dbeta)
