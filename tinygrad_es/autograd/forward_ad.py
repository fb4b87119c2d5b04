"""``torch.autograd.forward_ad``: derivadas **hacia delante** con números duales.

Un tensor dual lleva, además de su valor (el *primal*), una **tangente** ``ṫ`` de su misma forma:
la derivada direccional del valor a lo largo de una dirección elegida al empezar. Cada operación
``y = f(x₁, …, xₙ)`` con alguna entrada dual calcula, junto a ``y``, su tangente

    ẏ = Σᵢ ∂f/∂xᵢ · ẋᵢ           (el producto jacobiano-vector, J·ẋ)

así que al terminar la tangente de la salida es J·v sin ningún backward del usuario (el estilo de
HIPS autograd: la regla JVP junto a la VJP de cada operación)::

    with dual_level():
        x = make_dual(primal, v)            # v: la dirección, con la forma de primal
        y = f(x)
        valor, jvp = unpack_dual(y)         # jvp = J·v; unpack_dual(no_dual).tangent es None

**La regla de cada operación** (J·ẋ a partir de lo que declara su ``ArrayFunction``) está en
``forward_rules.py``.

Semántica de PyTorch: un solo nivel a la vez (anidar es un ``RuntimeError``); al salir del nivel
las tangentes se olvidan (``unpack_dual`` da ``tangent=None``); la tangente de una vista es la vista
de la tangente y una operación in situ sobre un dual actualiza su tangente in situ; ``no_grad`` no
detiene el modo hacia delante; ``detach()`` sí; ``make_dual`` no pide gradiente (``requires_grad``
es el del primal) y, si el primal lo pide, la tangente de la salida es derivable respecto de él.

Equivale a ``torch.autograd.forward_ad``.
"""
from __future__ import annotations

import contextlib
from collections import namedtuple

import numpy as np

from .array_function import ArrayFunction, ForwardAD
from .forward_rules import zeros_tangent, propagate
from .graph import TensorBase

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual", "UnpackedDualTensor"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__doc__ = ("``(primal, tangent)`` de ``unpack_dual``: el valor y su tangente (``None`` si no es "
                              "dual). Equivale a ``torch.autograd.forward_ad.UnpackedDualTensor``.")


class _Level:
    """Un nivel dual: las tangentes guardan el suyo y sólo valen mientras es el activo."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


# --------------------------------------------------------------------------
# niveles
# --------------------------------------------------------------------------
def enter_dual_level() -> int:
    """Abre un nivel dual y devuelve su número (0). Como en PyTorch, no se pueden anidar; ciérralo
    con ``exit_dual_level`` (o usa ``with dual_level():``). Equivale a
    ``torch.autograd.forward_ad.enter_dual_level``."""
    if ForwardAD.level is not None:
        raise RuntimeError("el modo hacia delante anidado no está soportado (ya hay un nivel dual abierto; "
                           "PyTorch tampoco lo admite)")
    ForwardAD.level = _Level(0)
    ForwardAD.propagate = propagate
    return 0


def exit_dual_level(*, level=None) -> None:
    """Cierra el nivel dual ``level`` (por defecto, el activo): sus tangentes se olvidan. Equivale a
    ``torch.autograd.forward_ad.exit_dual_level``."""
    cur = ForwardAD.level
    if cur is None:
        raise RuntimeError("exit_dual_level: no hay ningún nivel dual abierto")
    if level is not None and level != cur.index:
        raise RuntimeError(f"exit_dual_level: el nivel {level} no es el activo ({cur.index})")
    ForwardAD.level = None


class dual_level:
    """Contexto (o decorador) que abre un nivel dual y lo cierra al salir; ``as`` da su número.
    Equivale a ``torch.autograd.forward_ad.dual_level``.

    >>> fwAD = torch.autograd.forward_ad
    >>> with fwAD.dual_level():
    ...     x = fwAD.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
    ...     print(fwAD.unpack_dual(x.sin()).tangent)         # cos(x)·v
    tensor([ 0.5403, -0.4161])
    """

    def __enter__(self):
        """Abre el nivel (``enter_dual_level``) y devuelve su número."""
        return enter_dual_level()

    def __exit__(self, *exc):
        """Cierra el nivel (``exit_dual_level``): sus tangentes se olvidan."""
        exit_dual_level()
        return False

    def __call__(self, fn):
        """Como decorador: ``fn`` se ejecuta dentro de un nivel dual."""
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = getattr(fn, "__name__", "f"), fn.__doc__
        return wrapper


# --------------------------------------------------------------------------
# make_dual / unpack_dual
# --------------------------------------------------------------------------
class _Alias(ArrayFunction):
    """La misma memoria, otro tensor (una vista): lo que devuelven ``make_dual`` y ``unpack_dual``.
    ∂y/∂x = I."""

    linear = True

    @staticmethod
    def forward(ctx, x):
        return x.view()

    @staticmethod
    def backward(ctx, g):
        return g


def _alias(x):
    level = ForwardAD.level
    ForwardAD.level = None  # la vista no hereda la tangente: make_dual pone la suya
    try:
        return _Alias.apply(x)
    finally:
        ForwardAD.level = level


def check_tangent(primal, tangent) -> None:
    """La tangente debe tener la forma del primal (``RuntimeError`` como en PyTorch)."""
    if tuple(tangent._data.shape) != tuple(primal._data.shape):
        raise RuntimeError(f"se intentó poner una tangente de forma distinta a la del tensor, y eso no está "
                           f"soportado: el tensor tiene forma {list(primal._data.shape)} y la tangente "
                           f"{list(tangent._data.shape)}")


def make_dual(tensor, tangent, *, level=None):
    """Un tensor dual: una vista de ``tensor`` con tangente ``tangent`` (misma forma; se guarda tal
    cual, sin copiarla). Sólo dentro de un nivel dual (``level``: su número, por defecto el
    activo). ``requires_grad`` es el de ``tensor``. Equivale a
    ``torch.autograd.forward_ad.make_dual``.

    >>> fwAD = torch.autograd.forward_ad
    >>> with fwAD.dual_level():
    ...     d = fwAD.make_dual(torch.tensor([2.0]), torch.tensor([1.0]))
    ...     print(fwAD.unpack_dual(d ** 3))                  # (x³, 3x²·v)
    UnpackedDualTensor(primal=tensor([8.]), tangent=tensor([12.]))
    """
    cur = ForwardAD.level
    if cur is None:
        raise RuntimeError("se intentó crear un tensor dual para el modo hacia delante, pero no hay ningún nivel "
                           "dual: ábrelo primero con 'with dual_level():' o enter_dual_level()")
    if level is not None and level != cur.index:
        raise RuntimeError(f"make_dual: el nivel {level} no es el activo ({cur.index})")
    if not isinstance(tensor, TensorBase) or not isinstance(tangent, TensorBase):
        bad = tensor if not isinstance(tensor, TensorBase) else tangent
        raise TypeError(f"make_dual: se esperaban dos tensores (primal y tangente), no {type(bad).__name__}")
    if tensor._data.dtype.kind not in "fc":
        raise ValueError(f"make_dual: el primal debe ser de coma flotante o complejo, pero es {tensor.dtype}")
    if tangent._data.dtype.kind not in "fc":
        raise ValueError(f"make_dual: la tangente debe ser de coma flotante o compleja, pero es {tangent.dtype}")
    check_tangent(tensor, tangent)
    fw = tensor._fw
    if fw is not None and fw[0] is cur:
        raise RuntimeError(f"no se puede hacer dual un tensor que ya tiene tangente en el mismo nivel "
                           f"({cur.index})")
    out = _alias(tensor)
    if tangent._data.dtype != tensor._data.dtype:
        tangent = tangent.to(tensor.dtype)
    out._fw = (cur, tangent)
    return out


def tangent_of(t):
    """La tangente de ``t`` en el nivel activo, o ``None``."""
    fw = t._fw if isinstance(t, TensorBase) else None
    if fw is None or fw[0] is not ForwardAD.level:
        return None
    return fw[1]


def set_tangent(t, tangent) -> None:
    """Pone ``tangent`` como tangente de ``t`` en el nivel activo (``None``: la quita)."""
    t._fw = None if tangent is None else (ForwardAD.level, tangent)


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)``: el valor (una vista de ``tensor``, sin tangente) y su tangente en el
    nivel ``level`` (por defecto el activo; ``None`` si no es dual, o fuera del nivel en que se
    creó). Equivale a ``torch.autograd.forward_ad.unpack_dual``.

    >>> torch.autograd.forward_ad.unpack_dual(torch.tensor([1.0])).tangent is None
    True
    """
    if not isinstance(tensor, TensorBase):
        raise TypeError(f"unpack_dual: se esperaba un tensor, no {type(tensor).__name__}")
    tan = tangent_of(tensor)
    if tan is None:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_alias(tensor), tan)


# --------------------------------------------------------------------------
# operaciones in situ
# --------------------------------------------------------------------------
def inplace_tangent(t, res) -> None:
    """Tras una operación in situ que escribió ``res`` en ``t``: la tangente de ``t`` pasa a ser la
    de ``res``. Como en PyTorch se escribe **in situ** en la tangente que ya tenía ``t`` (si ``t``
    es una vista de un dual, su tangente es una vista de la de la base y la base se entera); si
    ``t`` es una vista de un tensor sin tangente, la base recibe una tangente de ceros y la vista
    escribe su región."""
    level = ForwardAD.level
    new = tangent_of(res)
    old = tangent_of(t)
    if new is None and old is None:
        return
    if new is None:
        new = zeros_tangent(t)
    if new._requires_grad:  # una tangente con grafo no se copia: se cuelga tal cual
        t._fw = (level, new)
        return
    v = t._view
    if old is None and v is not None and v.grad:
        base = v.base
        bt = tangent_of(base)
        if bt is None:
            bt = zeros_tangent(base)
            base._fw = (level, bt)
        view = v.replay_array(bt._data)
        if np.shares_memory(view, bt._data) or view.size == 0:
            old = TensorBase._wrap(view, False, bt._vc)
    if old is None or old._data.shape != new._data.shape or not old._data.flags.writeable:
        t._fw = (level, new)
        return
    np.copyto(old._data, new._data, casting="unsafe")
    old._vc.value += 1
    t._fw = (level, old)


# --------------------------------------------------------------------------
# la Function del usuario: su regla es su jvp
# --------------------------------------------------------------------------
def dual_inputs(args):
    """El nivel activo si algún argumento es un tensor dual en él; si no, ``None``."""
    level = ForwardAD.level
    if level is None or not any(isinstance(a, TensorBase) and a._fw is not None and a._fw[0] is level
                                for a in args):
        return None
    return level


@contextlib.contextmanager
def paused():
    """Durante el bloque ninguna operación calcula tangentes (el forward de una ``Function`` del
    usuario, cuya tangente la da su ``jvp``)."""
    level = ForwardAD.level
    ForwardAD.level = None
    try:
        yield
    finally:
        ForwardAD.level = level


def user_jvp(cls, ctx, args, output, level):
    """Las tangentes de las salidas de una ``Function`` del usuario: su ``jvp(ctx, *tangentes)``,
    con una tangente por argumento de ``forward`` (ceros si el tensor no es dual, ``None`` si no es
    un tensor), como PyTorch."""
    tans = []
    for a in args:
        if not isinstance(a, TensorBase):
            tans.append(None)
        elif a._fw is not None and a._fw[0] is level:
            tans.append(a._fw[1])
        else:
            tans.append(TensorBase._wrap(np.zeros_like(a._data)))
    res = cls.jvp(ctx, *tans)
    outs = output if isinstance(output, tuple) else (output,)
    res = res if isinstance(res, tuple) else (res,)
    if len(res) != len(outs):
        raise RuntimeError(f"{cls.__name__}.jvp devolvió {len(res)} tangentes y forward {len(outs)} salidas")
    for o, t in zip(outs, res):
        if isinstance(o, TensorBase) and isinstance(t, TensorBase):
            check_tangent(o, t)
    return res


def attach_tangents(output, tangents, level) -> None:
    for o, t in zip(output if isinstance(output, tuple) else (output,), tangents):
        if isinstance(o, TensorBase) and isinstance(t, TensorBase):
            o._fw = (level, t)
