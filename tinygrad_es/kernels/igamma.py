"""Las funciones gamma incompletas regularizadas, elemento a elemento (con broadcasting):

    P(a, x) = γ(a, x)/Γ(a) = 1/Γ(a)·∫₀ˣ t^(a−1)·e^(−t) dt      (``igamma``, ``special.gammainc``)
    Q(a, x) = 1 − P(a, x) = Γ(a, x)/Γ(a)                       (``igammac``, ``special.gammaincc``)

Bucles de numba en float64 (el resultado se redondea al dtype de la entrada). Las regiones y los
valores de frontera son los de Cephes/SciPy que sigue PyTorch (``igam.c``); se calcula siempre la
que no pierde cifras y la otra es 1 menos ella:

* la serie de potencias (DLMF 8.11.4) P = xᵃe⁻ˣ/Γ(a+1)·Σₙ xⁿ/((a+1)…(a+n)), con x < a o x ≤ 1;
* la fracción continua de Legendre (DLMF 8.9.2) para Q con x > a, x > 1,1, por el método de Lentz;
* con x ≤ 1,1 y a pequeño, la serie de Q sin cancelación (DLMF 8.7.3):
  Q = −expm1(a·log x − lgamma(a+1)) − xᵃ/Γ(a)·Σₙ≥₁ (−x)ⁿ/(n!·(a+n)).

El factor xᵃe⁻ˣ/Γ(a) se calcula, cerca de la diagonal (|x − a| ≤ 0,4·a, a ≥ 10), como
√(a/(2π))·exp(a·(log1p(σ) − σ) − c(a)) con σ = (x − a)/a y c(a) la corrección de Stirling de
log Γ (la serie de Bernoulli 1/(12a) − 1/(360a³) + …): así a·log x − x − lgamma(a), que cancela
cifras con a grande, no se forma. PyTorch usa ahí la aproximación de Lanczos y, con 20 < a y
x ≈ a, el desarrollo asintótico uniforme de Temme (DLMF 8.12); aquí la serie y la fracción
continua llegan a precisión de float64 también allí, con más iteraciones (del orden de √a).

Fronteras (como PyTorch): nan si a < 0 o x < 0; P(0, x > 0) = 1 y P(0, 0) = nan; P(a, 0) = 0;
P(inf, x) = 0 (nan si x también es inf); P(a, inf) = 1."""
import math

import numpy as np
from numba import njit

__all__ = ["igamma", "igammac"]

_EPS = 1.11022302462515654042e-16
_INV_2PI = 0.15915494309189533577
_TINY = 1e-300
# corrección de Stirling: log Γ(a) = (a − ½)·log a − a + ½·log 2π + Σ B₂ₖ/(2k(2k−1)·a^(2k−1))
_STIRLING = np.array([1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156,
                      -3617.0 / 122400])


@njit(cache=True, error_model="numpy")
def _prefactor(a, x):
    """xᵃ·e⁻ˣ/Γ(a)."""
    if a < 10.0 or abs(x - a) > 0.4 * a:
        return math.exp(a * math.log(x) - x - math.lgamma(a))
    s = (x - a) / a
    z = 1.0 / (a * a)
    corr = 0.0
    for i in range(_STIRLING.size - 1, -1, -1):
        corr = corr * z + _STIRLING[i]
    return math.sqrt(a * _INV_2PI) * math.exp(a * (math.log1p(s) - s) - corr / a)


@njit(cache=True, error_model="numpy")
def _max_iter(a):
    return 2000 + int(min(20.0 * math.sqrt(a), 1e7))


@njit(cache=True, error_model="numpy")
def _p_series(a, x):
    """P(a, x) por la serie de potencias."""
    f = _prefactor(a, x)
    if f == 0.0:
        return 0.0
    r = a
    c = 1.0
    total = 1.0
    for _ in range(_max_iter(a)):
        r += 1.0
        c *= x / r
        total += c
        if c <= _EPS * total:
            break
    return total * f / a


@njit(cache=True, error_model="numpy")
def _q_small_x(a, x):
    """Q(a, x) con x pequeño, sin restar de 1."""
    fac = 1.0
    total = 0.0
    for n in range(1, 2000):
        fac *= -x / n
        term = fac / (a + n)
        total += term
        if abs(term) <= _EPS * abs(total):
            break
    lx = math.log(x)
    return -math.expm1(a * lx - math.lgamma(1.0 + a)) - math.exp(a * lx - math.lgamma(a)) * total


@njit(cache=True, error_model="numpy")
def _q_fraction(a, x):
    """Q(a, x) por la fracción continua xᵃe⁻ˣ/Γ(a)·1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …)) (Lentz)."""
    f = _prefactor(a, x)
    if f == 0.0:
        return 0.0
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _max_iter(a)):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) <= _EPS:
            break
    return f * h


@njit(cache=True, error_model="numpy")
def _boundary(a, x, lower):
    """El valor en la frontera del dominio, o −1 si (a, x) está dentro."""
    if math.isnan(a) or math.isnan(x) or x < 0.0 or a < 0.0:
        return math.nan
    if a == 0.0:
        return (1.0 if lower else 0.0) if x > 0.0 else math.nan
    if x == 0.0:
        return 0.0 if lower else 1.0
    if math.isinf(a):
        return math.nan if math.isinf(x) else (0.0 if lower else 1.0)
    if math.isinf(x):
        return 1.0 if lower else 0.0
    return -1.0


@njit(cache=True, error_model="numpy")
def _q(a, x):
    v = _boundary(a, x, False)
    if v != -1.0:
        return v
    if x > 1.1:
        return 1.0 - _p_series(a, x) if x < a else _q_fraction(a, x)
    if x <= 0.5:
        return 1.0 - _p_series(a, x) if -0.4 / math.log(x) < a else _q_small_x(a, x)
    return 1.0 - _p_series(a, x) if x * 1.1 < a else _q_small_x(a, x)


@njit(cache=True, error_model="numpy")
def _p(a, x):
    v = _boundary(a, x, True)
    if v != -1.0:
        return v
    if x > 1.0 and x > a:
        return 1.0 - _q(a, x)
    return _p_series(a, x)


@njit(cache=True, error_model="numpy")
def _loop(a, x, out, lower):
    for i in range(a.size):
        out[i] = _p(a[i], x[i]) if lower else _q(a[i], x[i])
    return out


def _run(a, x, lower):
    a, x = np.broadcast_arrays(np.asarray(a), np.asarray(x))
    dtype = np.result_type(a.dtype, x.dtype)
    fa = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
    fx = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    out = _loop(fa, fx, np.empty_like(fa), lower)
    return out.reshape(a.shape).astype(dtype if dtype.kind == "f" else np.float32, copy=False)


def igamma(a, x):
    """P(a, x), la gamma incompleta inferior regularizada."""
    return _run(a, x, True)


def igammac(a, x):
    """Q(a, x) = 1 − P(a, x), la gamma incompleta superior regularizada."""
    return _run(a, x, False)
