"""La normal estándar en las colas: ``ndtri``, ``log_ndtr`` y ``erfcx`` (los valores, en
``kernels/normal.py``). Sus derivadas, las de PyTorch, se escriben con la propia salida y funciones
elementales, así que con ``create_graph=True`` el backward se registra y se puede derivar otra vez:

    d/dy Φ⁻¹(y) = √(2π)·e^(x²/2)              con x = Φ⁻¹(y) (se guarda la salida)
    d/dx log Φ(x) = φ(x)/Φ(x) = e^(−x²/2 − log Φ(x))/√(2π)
    d/dx erfcx(x) = 2x·erfcx(x) − 2/√π
"""
import functools
import math

from ..kernels import normal as K
from ._util import pointwise

__all__ = ["Ndtri", "LogNdtr", "Erfcx"]

_fn = functools.partial(pointwise, module=__name__)
_SQRT_2PI = math.sqrt(2 * math.pi)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

Ndtri = _fn("Ndtri", K.ndtri, lambda xp, x: _SQRT_2PI * xp.exp(x * x / 2),
            "Φ⁻¹(y), la inversa de la normal estándar; ∂/∂y = √(2π)·e^(x²/2) con x = Φ⁻¹(y).", saves="y")
LogNdtr = _fn("LogNdtr", K.log_ndtr, lambda xp, x, y: xp.exp(-(y + x * x / 2)) / _SQRT_2PI,
              "log Φ(x); ∂/∂x = e^(−x²/2 − log Φ(x))/√(2π) = φ(x)/Φ(x).", saves="xy")
Erfcx = _fn("Erfcx", K.erfcx, lambda xp, x, y: 2 * x * y - _TWO_OVER_SQRT_PI,
            "erfcx(x) = e^(x²)·erfc(x); ∂/∂x = 2x·erfcx(x) − 2/√π.", saves="xy")
