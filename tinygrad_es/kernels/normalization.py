"""BatchNorm en arrays ``(N, C, L)`` (``L`` = el producto de los ejes espaciales; 1 en ``(N, C)``).

Un trabajo por canal (``prange`` sobre C): cada canal recorre sus N filas contiguas de L
elementos, así que cada hilo lee sólo su canal y el resultado no depende del número de hilos. Con
filas cortas (L < ``SHORT``: ``BatchNorm1d`` tras una capa lineal, mapas de 2×2...) un trabajo por
bloque de ``BLOCK`` canales, con los canales en el bucle interior (contiguos en memoria).

Exactitud (float32 ≈ 6·10⁻⁸ de redondeo relativo):

* Las sumas (media, varianza, Σg, Σg·x̂) se acumulan en float64, reasociadas en los
  acumuladores de los carriles SIMD (orden fijo): en float32, sumar ~10⁵ términos pierde
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


# Las sumas se reasocian (``fastmath`` ``reassoc``: sin él LLVM no vectoriza una suma en coma
# flotante): el orden lo fija el código compilado (acumuladores por carril SIMD), no los hilos, y cada
# canal lo suma un solo hilo. ``contract`` deja fusionar ``s + g·d`` (un redondeo menos, en float64).
@njit(cache=True, fastmath={"reassoc", "contract"})
def _sum(a):
    """``Σ a[i]`` en float64 (orden fijo)."""
    s = 0.0
    for i in range(a.shape[0]):
        s += np.float64(a[i])
    return s


@njit(cache=True, fastmath={"reassoc", "contract"})
def _sum_shifted(a, shift):
    """``(Σ (a[i] − shift), Σ (a[i] − shift)²)`` en float64 (orden fijo)."""
    s = 0.0
    q = 0.0
    for i in range(a.shape[0]):
        d = np.float64(a[i]) - shift
        s += d
        q += d * d
    return s, q


@njit(cache=True, fastmath={"reassoc", "contract"})
def _sum_gx(g, x, shift):
    """``(Σ g, Σ g·(x − shift))`` en float64 (orden fijo)."""
    s = 0.0
    p = 0.0
    for i in range(g.shape[0]):
        gi = np.float64(g[i])
        s += gi
        p += gi * (np.float64(x[i]) - shift)
    return s, p


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


@njit(cache=True)
def _train_forward_job(x, c0, c1, eps, gamma, beta, mean, var, invstd, out):
    """Forward de entrenamiento de los canales [c0, c1): uno solo con filas largas (sus datos siguen
    en la caché entre pasadas), un bloque con filas cortas (canales en el bucle interior)."""
    n, _, L = x.shape
    if L >= SHORT:
        for ch in range(c0, c1):
            mu, v = _channel_moments(x, ch)
            mean[ch] = mu
            var[ch] = v
    else:
        _block_moments(x, c0, c1, mean, var)
    for ch in range(c0, c1):
        invstd[ch] = 1.0 / np.sqrt(var[ch] + eps)
    for i in range(n):
        for ch in range(c0, c1):
            _affine_row(x[i, ch], mean[ch], gamma[ch] * invstd[ch], beta[ch], out[i, ch])


@parallel_kernel
@njit(parallel=True, cache=True)
def batch_norm_train_forward(x, eps, gamma, beta, mean, var, invstd, out):
    """Forward de entrenamiento, un trabajo por canal (o por bloque de ``BLOCK`` canales con filas
    cortas): media y varianza sesgada (dos pasadas, float64), ``invstd = 1/√(var + eps)`` y
    ``out = (x − μ)·γ·invstd + β``. ``gamma``/``beta`` en float64 (unos y ceros sin afinidad)."""
    c = x.shape[1]
    blk = 1 if x.shape[2] >= SHORT else BLOCK
    for b in prange((c + blk - 1) // blk):
        _train_forward_job(x, b * blk, min(c, (b + 1) * blk), eps, gamma, beta, mean, var, invstd, out)


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


@njit(cache=True)
def _backward_job(g, x, c0, c1, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta):
    if g.shape[2] >= SHORT:
        for ch in range(c0, c1):
            _channel_backward(g, x, ch, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta)
    else:
        _block_backward(g, x, c0, c1, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta)


@parallel_kernel
@njit(parallel=True, cache=True)
def batch_norm_backward(g, x, mean, invstd, gamma, training, need_dx, dx, dgamma, dbeta):
    """Backward de ``y = (x − μ)·invstd·γ + β`` por canal (M = N·L elementos por canal):

    * ``dβ = Σ g``, ``dγ = Σ g·x̂`` con ``x̂ = (x − μ)·invstd`` (float64);
    * en entrenamiento (μ e invstd dependen de x): ``dx = γ·invstd·(g − dβ/M − x̂·dγ/M)``;
    * en evaluación (estadísticas fijas): ``dx = γ·invstd·g``.

    ``dx`` sólo se escribe con ``need_dx``. Un trabajo por canal (o por bloque de ``BLOCK`` canales
    con filas cortas)."""
    c = g.shape[1]
    blk = 1 if g.shape[2] >= SHORT else BLOCK
    for b in prange((c + blk - 1) // blk):
        _backward_job(g, x, b * blk, min(c, (b + 1) * blk), mean, invstd, gamma, training, need_dx, dx,
                      dgamma, dbeta)
