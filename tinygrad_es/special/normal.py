"""La normal estándar en las colas, de ``torch.special``: ``ndtri`` (la inversa de Φ), ``log_ndtr``
(log Φ sin desbordar por abajo) y ``erfcx`` (e^(x²)·erfc(x)). Derivables, con las derivadas de
PyTorch (``ops/normal.py``); los valores, en ``kernels/normal.py``.

    >>> import tinygrad_es as torch
    >>> torch.special.ndtri(torch.tensor([0.5, 0.975]))       # tensor([0.0000, 1.9600])
    >>> torch.special.log_ndtr(torch.tensor([-40.0]))         # tensor([-804.6084]); log(ndtr) da -inf
"""
from __future__ import annotations

from ..ops import normal as _N
from .._tensor.out import write_out
from ._input import real_input

__all__ = ["ndtri", "log_ndtr", "erfcx"]


def ndtri(input, *, out=None):
    """Φ⁻¹(p): el x con P(Z ≤ x) = p para Z ~ N(0, 1) (−inf en 0, inf en 1, nan fuera de [0, 1]).
    Método: el ``ndtri`` de Cephes (un cociente de polinomios en el centro y, en las colas, en
    1/√(−2·log p)). Derivada: d/dp Φ⁻¹(p) = √(2π)·e^(x²/2) con x = Φ⁻¹(p). Enteros → float32.
    En PyTorch: ``torch.special.ndtri``.

    >>> torch.special.ndtri(torch.tensor([0.0, 0.5, 1.0]))   # tensor([-inf, 0., inf])
    """
    res = _N.Ndtri.apply(real_input(input, "ndtri"))
    return res if out is None else write_out("ndtri", out, res)


def log_ndtr(input, *, out=None):
    """log Φ(x), el logaritmo de la función de distribución de la normal estándar, exacto también
    donde Φ(x) no cabe en un float (x ≪ 0): con t = x/√2, log(erfcx(−t)/2) − t² si x < −1 y
    log1p(−erfc(t)/2) si no (el método de SciPy y PyTorch). Derivada: φ(x)/Φ(x) =
    e^(−x²/2 − log Φ(x))/√(2π). En PyTorch: ``torch.special.log_ndtr``.

    >>> torch.special.log_ndtr(torch.tensor([0.0]))   # tensor([-0.6931])
    """
    res = _N.LogNdtr.apply(real_input(input, "log_ndtr"))
    return res if out is None else write_out("log_ndtr", out, res)


def erfcx(input, *, out=None):
    """erfcx(x) = e^(x²)·erfc(x), la función de error complementaria escalada (≈ 1/(x√π) con x
    grande, sin el 0·inf de calcularla así). Método: e^(x²)·erfc(x) con x² exacto en dos partes hasta
    x = 10, la fracción continua de Laplace más allá, y 2·e^(x²) − erfcx(−x) con x < 0.
    Derivada: 2x·erfcx(x) − 2/√π. En PyTorch: ``torch.special.erfcx``.

    >>> torch.special.erfcx(torch.tensor([0.0, 100.0]))   # tensor([1.0000, 0.0056])
    """
    res = _N.Erfcx.apply(real_input(input, "erfcx"))
    return res if out is None else write_out("erfcx", out, res)
