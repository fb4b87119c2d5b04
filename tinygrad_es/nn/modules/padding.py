"""Rellenos de 1, 2 y 3 ejes (``F.pad``): ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``,
``ReplicationPad`` y ``CircularPad`` ``1d/2d/3d``, con los argumentos, el ``repr`` y la jerarquía de
PyTorch (``ZeroPad2d`` es un ``ConstantPad2d``). Derivada: la de ``F.pad`` (cada posición de origen suma
el gradiente de sus copias)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]

_SIDES = {1: "(izq, der)", 2: "(izq, der, arriba, abajo)", 3: "(izq, der, arriba, abajo, delante, detrás)"}
_SHAPES = {1: "``(N, C, W)`` o ``(C, W)``; salida ``(N, C, W + izq + der)``",
           2: "``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H + arriba + abajo, W + izq + der)``",
           3: "``(N, C, D, H, W)`` o ``(C, D, H, W)``; salida ``(N, C, D + delante + detrás, H + arriba + abajo, "
              "W + izq + der)``"}
_WHAT = {"zero": "Rellena con ceros", "constant": "Rellena con el valor ``value``",
         "reflect": "Rellena reflejando la entrada en sus bordes, sin repetir el borde (``[a, b, c]`` con 1 a la "
                    "izquierda da ``[b, a, b, c]``; cada relleno debe ser menor que el lado)",
         "replicate": "Rellena repitiendo el valor del borde",
         "circular": "Rellena dando la vuelta: lo que sale por un lado entra por el otro (``[a, b, c]`` con 1 a "
                     "cada lado da ``[c, a, b, c, a]``; cada relleno como mucho el lado)"}
_EXAMPLES = {
    ("zero", 1): ">>> nn.ZeroPad1d((1, 2))(torch.tensor([[1., 2.]]))\n        tensor([[0., 1., 2., 0., 0.]])",
    ("constant", 1): ">>> nn.ConstantPad1d(1, 9.)(torch.tensor([[1., 2.]]))\n        tensor([[9., 1., 2., 9.]])",
    ("reflect", 1): ">>> nn.ReflectionPad1d(2)(torch.tensor([[1., 2., 3.]]))\n"
                    "        tensor([[3., 2., 1., 2., 3., 2., 1.]])",
    ("replicate", 1): ">>> nn.ReplicationPad1d((1, 2))(torch.tensor([[1., 2.]]))\n"
                      "        tensor([[1., 1., 2., 2., 2.]])",
    ("circular", 1): ">>> nn.CircularPad1d(1)(torch.tensor([[1., 2., 3.]]))\n        tensor([[3., 1., 2., 3., 1.]])",
    ("constant", 3): ">>> nn.ConstantPad3d(1, 2.)(torch.ones(1, 2, 3, 3, 3)).shape\n"
                     "        torch.Size([1, 2, 5, 5, 5])",
    ("zero", 2): ">>> nn.ZeroPad2d(1)(torch.arange(4.).reshape(1, 1, 2, 2))\n"
                 "        tensor([[[[0., 0., 0., 0.],\n                  [0., 0., 1., 0.],\n"
                 "                  [0., 2., 3., 0.],\n                  [0., 0., 0., 0.]]]])",
    ("constant", 2): ">>> nn.ConstantPad2d((1, 0, 0, 0), 9.)(torch.arange(4.).reshape(1, 1, 2, 2))\n"
                     "        tensor([[[[9., 0., 1.],\n                  [9., 2., 3.]]]])",
    ("reflect", 2): ">>> nn.ReflectionPad2d(1)(torch.arange(9.).reshape(1, 1, 3, 3)).shape\n"
                    "        torch.Size([1, 1, 5, 5])",
    ("replicate", 2): ">>> nn.ReplicationPad2d((1, 1, 0, 0))(torch.arange(4.).reshape(1, 1, 2, 2))\n"
                      "        tensor([[[[0., 0., 1., 1.],\n                  [2., 2., 3., 3.]]]])",
    ("circular", 2): ">>> nn.CircularPad2d((1, 0, 0, 1))(torch.arange(4.).reshape(1, 2, 2))\n"
                     "        tensor([[[1., 0., 1.],\n                 [3., 2., 3.],\n                 [1., 0., 1.]]])",
}


def _doc(kind, n):
    """El docstring de cada relleno (los quince comparten forma: argumentos, formas, ejemplo, PyTorch)."""
    cls = {"zero": "ZeroPad", "constant": "ConstantPad", "reflect": "ReflectionPad", "replicate": "ReplicationPad",
           "circular": "CircularPad"}[kind] + f"{n}d"
    value = "\n        value: el valor del relleno." if kind == "constant" else ""
    example = _EXAMPLES.get((kind, n), f">>> nn.{cls}(1)(torch.ones(1, 2{', 3' * n})).shape\n"
                                       f"        torch.Size([1, 2{', 5' * n}])")
    mode = {"zero": "", "constant": ", value=v", "reflect": ", mode='reflect'", "replicate": ", mode='replicate'",
            "circular": ", mode='circular'"}[kind]
    return (f"{_WHAT[kind]} los {'últimos ' + str(n) + ' ejes' if n > 1 else 'último eje'} de la entrada.\n\n"
            f"    Args:\n        padding: un entero (igual en todos los lados) o {_SIDES[n]}; los negativos "
            f"recortan en el modo constante.{value}\n\n"
            f"    Forma: entrada {_SHAPES[n]}.\n\n    Ejemplo:\n        {example}\n\n"
            f"    En PyTorch: ``torch.nn.{cls}``; como función, ``F.pad(x, padding{mode})``.\n    ")


def _ntuple(padding, n):
    """``padding`` como en PyTorch (``_ntuple``): un iterable se toma tal cual; un entero se repite."""
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * n)


class _ConstantPadNd(Module):
    """Lo común a ``ConstantPad1d/2d/3d`` (y a ``ZeroPad*``, que lo heredan)."""
    _n = 2

    def __init__(self, padding, value):
        """Guarda ``padding`` y ``value`` (véase cada relleno)."""
        super().__init__()
        self.padding = _ntuple(padding, self._n)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _PadNd(Module):
    """Lo común a los rellenos reflejados, replicados y circulares."""
    _n, _mode = 2, "reflect"

    def __init__(self, padding):
        """Guarda ``padding`` (véase cada relleno)."""
        super().__init__()
        self.padding = _ntuple(padding, self._n)

    def forward(self, input):
        if self._mode == "circular" and input.ndim not in (self._n + 1, self._n + 2):
            raise ValueError(f"{type(self).__name__}: se esperaba una entrada {self._n + 1}-D o {self._n + 2}-D "
                             f"(llegó una {input.ndim}-D de forma {tuple(input.shape)})")
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class ConstantPad1d(_ConstantPadNd):
    __doc__ = _doc("constant", 1)
    _n = 1

    def __init__(self, padding, value):
        """Véase el docstring de la clase."""
        super().__init__(padding, value)


class ConstantPad2d(_ConstantPadNd):
    __doc__ = _doc("constant", 2)

    def __init__(self, padding, value):
        """Véase el docstring de la clase."""
        super().__init__(padding, value)


class ConstantPad3d(_ConstantPadNd):
    __doc__ = _doc("constant", 3)
    _n = 3

    def __init__(self, padding, value):
        """Véase el docstring de la clase."""
        super().__init__(padding, value)


class _Zero:
    """Los ``ZeroPad*``: un ``ConstantPad*`` con ``value = 0``, con el ``repr`` sólo del relleno."""

    def __init__(self, padding):
        """Véase el docstring de la clase."""
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_Zero, ConstantPad1d):
    __doc__ = _doc("zero", 1)


class ZeroPad2d(_Zero, ConstantPad2d):
    __doc__ = _doc("zero", 2)


class ZeroPad3d(_Zero, ConstantPad3d):
    __doc__ = _doc("zero", 3)


def _family(mode, name, n):
    """Una clase de relleno no constante (``ReflectionPad2d`` = ``_family('reflect', 'ReflectionPad', 2)``)."""
    return type(f"{name}{n}d", (_PadNd,), {"__doc__": _doc(mode, n), "_n": n, "_mode": mode,
                                           "__module__": __name__, "__qualname__": f"{name}{n}d"})


ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (_family("reflect", "ReflectionPad", n) for n in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (_family("replicate", "ReplicationPad", n) for n in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (_family("circular", "CircularPad", n) for n in (1, 2, 3))
