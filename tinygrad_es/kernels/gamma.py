"""Funciones especiales elemento a elemento que numpy no trae: ``lgamma``, ``digamma``, ``polygamma``
(con la zeta de Hurwitz), ``erfinv`` y las de Bessel modificadas ``i0``/``i1``. Bucles de numba en
float64 (compilados la primera vez que se usan y guardados en caché) con los algoritmos de Cephes que
también usa PyTorch; el resultado se redondea al dtype de la entrada."""
import math

import numpy as np
from numba import njit

__all__ = ["lgamma", "digamma", "polygamma", "erfinv", "i0", "i1", "i0e", "i1e", "zeta"]

_MACHEP = 1.11022302462515654042e-16
_PSI_10 = 2.25175258906672110764
# coeficientes de la serie asintótica de ψ (Cephes psi.c), del grado más alto al más bajo
_PSI_A = np.array([8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
                   -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
                   8.33333333333333333333e-2])
# números de Bernoulli de la fórmula de Euler-Maclaurin de la zeta de Hurwitz (Cephes zeta.c)
_ZETA_A = np.array([12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
                    -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
                    1.8152105401943546773e17, -7.1661652561756670113e18])


@njit(cache=True, error_model="numpy")
def _digamma1(x, A):
    if x == 0.0:
        return -math.copysign(math.inf, x)  # ψ(±0) = ∓inf, como PyTorch
    if x < 0.0:
        if x == math.floor(x):
            return math.nan
        r = x - math.trunc(x)
        return _digamma1(1.0 - x, A) - math.pi / math.tan(math.pi * r)
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    if x == 10.0:
        return result + _PSI_10
    y = 0.0
    if x < 1.0e17:
        z = 1.0 / (x * x)
        p = 0.0
        for c in A:
            p = p * z + c
        y = z * p
    return result + math.log(x) - 0.5 / x - y


@njit(cache=True, error_model="numpy")
def _zeta1(s, q, A):
    """ζ(s, q) = Σ_{k≥0} (k + q)^(−s) (Hurwitz)."""
    if s == 1.0:
        return math.inf
    if s < 1.0:
        return math.nan
    if q <= 0.0:
        if q == math.floor(q):
            return math.inf
        if s != math.floor(s):
            return math.nan
    total = q ** -s
    a = q
    i = 0
    b = 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a ** -s
        total += b
        if abs(b / total) < _MACHEP:
            return total
    w = a
    total += b * w / (s - 1.0)
    total -= 0.5 * b
    f = 1.0
    k = 0.0
    for j in range(12):
        f *= s + k
        b /= w
        t = f * b / A[j]
        total += t
        if abs(t / total) < _MACHEP:
            return total
        k += 1.0
        f *= s + k
        b /= w
        k += 1.0
    return total


@njit(cache=True, error_model="numpy")
def _trigamma1(x):
    sign = 1.0
    result = 0.0
    if x < 0.5:
        sign = -1.0
        s = math.sin(math.pi * x)
        result -= math.pi * math.pi / (s * s)
        x = 1.0 - x
    for _ in range(6):
        result += 1.0 / (x * x)
        x += 1.0
    ixx = 1.0 / (x * x)
    result += (1.0 + 1.0 / (2.0 * x) + ixx * (1.0 / 6.0 - ixx * (1.0 / 30.0 - ixx * (1.0 / 42.0)))) / x
    return sign * result


@njit(cache=True, error_model="numpy")
def _trigamma1_f32(x):
    """La misma serie en la aritmética float32 de PyTorch (la reflexión π²/sin²(πx) cerca de un entero
    negativo depende de cómo se redondea πx)."""
    f = np.float32
    x = f(x)
    pi = f(math.pi)
    sign = f(1.0)
    result = f(0.0)
    if x < f(0.5):
        sign = f(-1.0)
        s = f(math.sin(f(pi * x)))
        result = f(result - f(f(pi * pi) / f(s * s)))
        x = f(f(1.0) - x)
    for _ in range(6):
        result = f(result + f(f(1.0) / f(x * x)))
        x = f(x + f(1.0))
    ixx = f(f(1.0) / f(x * x))
    tail = (1.0 + np.float64(f(f(1.0) / f(f(2.0) * x))) + ixx * (1.0 / 6.0 - ixx * (1.0 / 30.0 - ixx * (1.0 / 42.0)))) / x
    result = f(result + tail)
    return sign * result


@njit(cache=True, error_model="numpy")
def _loop(kind, n, a, out, A, Z, single):
    for i in range(a.size):
        x = np.float64(a[i])
        if kind == 0:
            out[i] = math.lgamma(x) if not (x <= 0.0 and x == math.floor(x)) else math.inf
        elif kind == 1:
            if n == 0:
                out[i] = _digamma1(x, A)
            elif n == 1:
                out[i] = _trigamma1_f32(a[i]) if single else _trigamma1(x)
            else:  # ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹·n!·ζ(n + 1, x)
                out[i] = (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * _zeta1(n + 1.0, x, Z)
        elif kind == 2:
            out[i] = _erfinv1(x)
        elif kind <= 4:
            out[i] = _bessel1(x, kind == 4)
        else:
            out[i] = _bessel_e(x, kind == 6)
    return out


@njit(cache=True, error_model="numpy")
def _erfinv1(y):
    if math.isnan(y) or y < -1.0 or y > 1.0:
        return math.nan
    if y == 1.0 or y == -1.0:
        return math.copysign(math.inf, y)
    # primera aproximación (M. Giles, 2010) y pasos de Newton; con |y| > ½ sobre erfc(x) = 1 − |y|
    # (1 − |y| es exacto), para no perder cifras cerca de ±1
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5.0:
        w -= 2.5
        p = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):
            p = c + p * w
    else:
        w = math.sqrt(w) - 3.0
        p = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):
            p = c + p * w
    x = p * y
    ay = abs(y)
    s = 1.0 if y >= 0 else -1.0
    x = abs(x)
    for _ in range(100):  # Newton hasta que el paso no cuenta (cerca de ±1 la primera aproximación es pobre)
        d = 1.1283791670955126 * math.exp(-x * x)  # erf'(x) = 2/√π·e^(−x²)
        if d == 0.0:
            break
        step = -(math.erfc(x) - (1.0 - ay)) / d if ay > 0.5 else (math.erf(x) - ay) / d
        x -= step
        if abs(step) <= 1e-16 * abs(x):
            break
    return s * x


@njit(cache=True, error_model="numpy")
def _bessel1(x, first):
    """I₀(x) = Σ (x²/4)ᵏ/(k!)² o I₁(x) = Σ (x/2)^(2k+1)/(k!(k+1)!): términos positivos (sin
    cancelación), hasta que dejan de contar."""
    if math.isnan(x):
        return x
    ax = abs(x)
    if ax > 713.0:
        return math.inf if not first or x > 0 else -math.inf
    q = 0.25 * ax * ax
    t = 0.5 * ax if first else 1.0
    total = t
    k = 0
    while True:
        k += 1
        t *= q / (k * (k + 1.0)) if first else q / (k * k)
        total += t
        if t <= total * 1e-17:
            break
    return -total if first and x < 0 else total


@njit(cache=True, error_model="numpy")
def _bessel_e(x, first):
    """e^(−|x|)·I₀(x) o e^(−|x|)·I₁(x): la serie por e^(−|x|) hasta |x| = 700 y, más allá (donde I₀ ya
    no cabe en un float64), el desarrollo asintótico 1/√(2π|x|)·Σ (−1)ᵏ aₖ(ν)/|x|ᵏ."""
    if math.isnan(x):
        return x
    ax = abs(x)
    if ax <= 700.0:
        return _bessel1(x, first) * math.exp(-ax)
    mu = 4.0 if first else 0.0
    term, total = 1.0, 1.0
    for k in range(1, 30):
        term *= -(mu - (2.0 * k - 1.0) ** 2) / (k * 8.0 * ax)
        total += term
        if abs(term) < 1e-17 * abs(total):
            break
    val = total / math.sqrt(2.0 * math.pi * ax)
    return -val if first and x < 0 else val


@njit(cache=True, error_model="numpy")
def _zeta_loop(s, q, out, Z):
    for i in range(s.size):
        out[i] = _zeta1(s[i], q[i], Z)
    return out


def zeta(s, q):
    """ζ(s, q) = Σ_{k≥0} (k + q)^(−s), la zeta de Hurwitz (elemento a elemento, con broadcasting)."""
    s, q = np.broadcast_arrays(np.asarray(s), np.asarray(q))
    dtype = np.result_type(s.dtype, q.dtype)
    flat_s = np.ascontiguousarray(s, dtype=np.float64).reshape(-1)
    flat_q = np.ascontiguousarray(q, dtype=np.float64).reshape(-1)
    out = _zeta_loop(flat_s, flat_q, np.empty_like(flat_s), _ZETA_A)
    return out.reshape(s.shape).astype(dtype if dtype.kind == "f" else np.float64, copy=False)


def _run(kind, a, n=0):
    a = np.asarray(a)
    flat = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
    out = _loop(kind, n, flat, np.empty_like(flat), _PSI_A, _ZETA_A, a.dtype == np.float32)
    return out.reshape(a.shape).astype(a.dtype if a.dtype.kind == "f" else np.float64, copy=False)


def lgamma(a):
    """ln|Γ(a)| (inf en 0, −1, −2...)."""
    return _run(0, a)


def digamma(a):
    """ψ(a) = Γ'(a)/Γ(a)."""
    return _run(1, a, 0)


def polygamma(n, a):
    """ψ⁽ⁿ⁾(a), la n-ésima derivada de ψ."""
    return _run(1, a, int(n))


def erfinv(a):
    """La inversa de erf en (−1, 1) (±inf en ±1, nan fuera)."""
    return _run(2, a)


def i0(a):
    """Bessel modificada de primera especie de orden 0."""
    return _run(3, a)


def i1(a):
    """Bessel modificada de primera especie de orden 1."""
    return _run(4, a)


def i0e(a):
    """e^(−|x|)·I₀(x) (la de orden 0 escalada: no desborda)."""
    return _run(5, a)


def i1e(a):
    """e^(−|x|)·I₁(x)."""
    return _run(6, a)
