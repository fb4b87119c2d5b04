"""La normal estándar en las colas: ``ndtri`` (la inversa de Φ), ``erfcx`` (e^(x²)·erfc(x)) y
``log_ndtr`` (log Φ(x)). Bucles de numba en float64; el resultado se redondea al dtype de la entrada.

* ``ndtri`` (Cephes ``ndtri.c``, S. L. Moshier, BSD de 3 cláusulas; el mismo que usa PyTorch): en el
  centro (|y − ½| ≤ ½ − e⁻²) un cociente de polinomios en (y − ½)², y en las colas, con
  z = √(−2·log y), x = z − log(z)/z − R(1/z) (dos cocientes: z < 8 y 8 ≤ z ≤ 64). La cola derecha se
  calcula sobre 1 − y.
* ``erfcx``: para 0 ≤ x < 10, e^(x²)·erfc(x) con x² partido en una parte alta y otra baja exactas
  (Dekker), para que el redondeo de x² (que en x = 10 vale 100·2⁻⁵³ de error relativo en la
  exponencial) no cuente; desde 10, la fracción continua de Laplace
  erfcx(x) = 1/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) con 12 pisos (medido contra mpmath con 40
  cifras: desde x = 10, 10 pisos ya dan 1 ulp);
  con x < 0, 2·e^(x²) − erfcx(−x) (inf por debajo de −26,7, como PyTorch). PyTorch usa la de
  S. G. Johnson (Faddeeva), 100 polinomios de Chebyshev por tramos: otro método, mismo resultado a
  precisión de float64.
* ``log_ndtr`` (como SciPy y PyTorch): con t = x/√2, log(erfcx(−t)/2) − t² si x < −1 (sin
  desbordar por abajo: Φ(−40) ≈ 10⁻³⁴⁹ no cabe en un float64, su logaritmo sí) y
  log1p(−erfc(t)/2) si no."""
import math

import numpy as np
from numba import njit

__all__ = ["ndtri", "erfcx", "log_ndtr"]

_P0 = np.array([-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
                1.39312609387279679503E1, -1.23916583867381258016E0])
_Q0 = np.array([1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
                -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
                1.59056225126211695515E1, -1.18331621121330003142E0])
_P1 = np.array([4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
                4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
                -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4])
_Q1 = np.array([1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
                1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
                -3.80806407691578277194E-2, -9.33259480895457427372E-4])
_P2 = np.array([3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
                1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
                3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9])
_Q2 = np.array([1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
                2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
                2.89247864745380683936E-6, 6.79019408009981274425E-9])
_EXP_M2 = 0.13533528323661269189   # e⁻²
_SQRT_2PI = 2.50662827463100050242
_INV_SQRT_PI = 0.56418958354775628694807945156
_SPLIT = 134217729.0                # 2²⁷ + 1 (Dekker)


@njit(cache=True, inline="always")
def _horner(x, c):
    r = 0.0
    for v in c:
        r = r * x + v
    return r


@njit(cache=True, error_model="numpy")
def _ndtri(y0):
    if y0 == 0.0:
        return -math.inf
    if y0 == 1.0:
        return math.inf
    if not (0.0 < y0 < 1.0):
        return math.nan
    lower = True
    y = y0
    if y > 1.0 - _EXP_M2:
        y = 1.0 - y
        lower = False
    if y > _EXP_M2:
        y -= 0.5
        y2 = y * y
        return (y + y * (y2 * _horner(y2, _P0) / _horner(y2, _Q0))) * _SQRT_2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _horner(z, _P1) / _horner(z, _Q1)
    else:
        x1 = z * _horner(z, _P2) / _horner(z, _Q2)
    x = x0 - x1
    return -x if lower else x


@njit(cache=True, error_model="numpy")
def _exp_square(x):
    """e^(x²) con x² = hi + lo exactos (lo ≤ ½ ulp de hi, así que e^lo = 1 + lo)."""
    hi = x * x
    c = _SPLIT * x
    xh = c - (c - x)
    xl = x - xh
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return math.exp(hi) * (1.0 + lo)


@njit(cache=True, error_model="numpy")
def _erfcx(x):
    if math.isnan(x):
        return x
    if x < 0.0:
        if x < -26.7:
            return math.inf
        if x < -6.1:   # erfcx(−x) < 0,1 frente a 2·e^(x²) > 10¹⁶: no cuenta
            return 2.0 * _exp_square(x)
        return 2.0 * _exp_square(x) - _erfcx(-x)
    if x < 10.0:
        return _exp_square(x) * math.erfc(x)
    if x > 5e7:
        return _INV_SQRT_PI / x
    f = x
    for k in range(12, 0, -1):
        f = x + 0.5 * k / f
    return _INV_SQRT_PI / f


@njit(cache=True, error_model="numpy")
def _log_ndtr(x):
    t = x * 0.7071067811865476
    if x < -1.0:
        return math.log(_erfcx(-t) / 2.0) - t * t
    return math.log1p(-math.erfc(t) / 2.0)


@njit(cache=True, error_model="numpy")
def _loop(kind, a, out):
    for i in range(a.size):
        x = np.float64(a[i])
        if kind == 0:
            out[i] = _ndtri(x)
        elif kind == 1:
            out[i] = _erfcx(x)
        else:
            out[i] = _log_ndtr(x)
    return out


def _run(kind, a):
    a = np.asarray(a)
    flat = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
    out = _loop(kind, flat, np.empty_like(flat))
    return out.reshape(a.shape).astype(a.dtype if a.dtype.kind == "f" else np.float32, copy=False)


def ndtri(a):
    """Φ⁻¹(y): el x con Φ(x) = y (−inf en 0, inf en 1, nan fuera de [0, 1])."""
    return _run(0, a)


def erfcx(a):
    """e^(x²)·erfc(x), sin desbordar con x grande."""
    return _run(1, a)


def log_ndtr(a):
    """log Φ(x), exacto también en la cola izquierda."""
    return _run(2, a)
