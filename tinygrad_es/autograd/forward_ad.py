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

**De dónde sale la regla de cada operación** (``_propagate``), según lo que declara la
``ArrayFunction`` (``array_function.py``):

* ``bilinear`` (producto, matmul, lineal, convolución: ``f(a, b, sesgo) = B(a, b) + L(sesgo)``):
  ``J·(ȧ, ḃ, ṡ) = f(ȧ, b, ṡ) + f(a, ḃ, 0)``, dos forwards de la propia operación (registrados: la
  tangente se puede derivar). Es la regla más barata y la de las operaciones más caras.
* ``linear`` o ``tangent`` (jacobiano constante: sumas, vistas, reducciones, relu, max-pooling,
  indexado...): la regla ya existe, es ``tangent`` (o el propio ``forward`` si es lineal). Cuesta
  lo que un forward. El nodo que la calcula (``_Tangent``) tiene como backward el backward de la
  operación: la tangente se puede derivar en modo inverso.
* ``differentiable`` o ``takes_tensors`` (exp, tanh, división, softmax, normas...): la regla es la
  **traspuesta** de la VJP. El backward de la operación es la función lineal ``u ↦ Jᵀ·u``; se ejecuta una vez con
  ``u`` simbólico (un tensor que pide gradiente, como en ``create_graph=True``) y el gradiente de
  ``⟨Jᵀ·u, ẋ⟩`` respecto de ``u`` es ``J·ẋ``. Exacto (no hay diferencias finitas) y la derivada
  está escrita en **un** sitio (el backward), pero cuesta dos pasos de backward de esa operación.
* ninguna (la derivada segunda no está implementada: ``BatchNorm``, las recurrentes, las
  descomposiciones...): ``NotImplementedError`` que nombra la operación, como PyTorch con las
  operaciones sin fórmula hacia delante.

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
from .engine import grad as autograd_grad
from .grad_mode import enable_grad, is_grad_enabled
from .graph import TensorBase
from .higher_order import _component, _tangent, graph_backward, sum_to

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
    ForwardAD.propagate = _propagate
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
# la tangente de cada operación
# --------------------------------------------------------------------------
class _Tangent(ArrayFunction):
    """J·ẋ de una operación de jacobiano constante (``node``: su nodo; ``pos``: qué entradas son
    duales). Es lineal en las tangentes y su backward es el de la operación (Jᵀ·g)."""

    linear = True

    @staticmethod
    def forward(ctx, *dts, node=None, pos=()):
        dxs = [None] * len(node.input_meta)
        for p, d in zip(pos, dts):
            dxs[p] = d
        return np.asarray(_tangent(node, dxs)).astype(node.out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        node, pos = ctx.kwargs["node"], ctx.kwargs["pos"]
        res = node.fn.backward(node, g)
        return tuple(_component(node, res, p) for p in pos)


def _transposed_vjp(cls, ctx, out, duals, create):
    """J·ẋ = ∂⟨Jᵀ·u, ẋ⟩/∂u: el backward de la operación con ``u`` simbólico, derivado otra vez."""
    u = TensorBase._wrap(np.zeros(out._data.shape, out._data.dtype), True)
    with enable_grad():
        gs = graph_backward(ctx, u)
        pairs = []
        for i, t in duals:
            g = gs[i] if i < len(gs) else None
            if isinstance(g, TensorBase) and g._requires_grad:
                pairs.append((sum_to(g, ctx.input_meta[i][0]), t))
        if not pairs:
            return None
        (res,) = autograd_grad([g for g, _ in pairs], [u], [t for _, t in pairs], create_graph=create,
                               allow_unused=True)
    return res


def _bilinear(cls, args, kwargs, level):
    """J·ẋ de ``f(a, b, *resto) = B(a, b) + L(resto)`` (``B`` bilineal, ``L`` lineal: producto,
    matmul, lineal y convolución con su sesgo): ``f(ȧ, b, ṙesto) + f(a, ḃ, 0)``. Son dos llamadas
    al forward de la propia operación (registradas: la tangente se puede derivar)."""
    pos = [i for i, a in enumerate(args) if isinstance(a, TensorBase)]
    tans = {i: args[i]._fw[1] for i in pos if args[i]._fw is not None and args[i]._fw[0] is level}
    i0, i1 = pos[0], pos[1]

    def zero(i):
        return TensorBase._wrap(np.zeros_like(args[i]._data))

    res = None
    if any(i != i1 for i in tans):  # f(ȧ, b, ṙesto): ȧ y el resto lineal con su tangente (o 0)
        xs = [(tans[i] if i in tans else zero(i)) if (i == i0 or i in pos[2:]) else a for i, a in enumerate(args)]
        res = cls.apply(*xs, **kwargs)
    if i1 in tans:                  # f(a, ḃ, 0)
        xs = [tans[i1] if i == i1 else zero(i) if i in pos[2:] else a for i, a in enumerate(args)]
        term = cls.apply(*xs, **kwargs)
        res = term if res is None else res + term
    return res


def _zeros_like(out):
    return TensorBase._wrap(np.zeros(out._data.shape, out._data.dtype))


def _propagate(cls, ctx, args, kwargs, tensors, out) -> None:
    """La tangente de ``out = cls(tensors)`` (``ArrayFunction.apply`` la llama si alguna entrada
    es dual). Mientras se calcula, el nivel se desactiva: las cuentas de la regla no son duales."""
    level = ForwardAD.level
    duals = [(i, t._fw[1]) for i, t in enumerate(tensors) if t._fw is not None and t._fw[0] is level]
    if out._data.dtype.kind not in "fc":  # índices, máscaras: sin tangente, como en PyTorch
        return
    grad_on = is_grad_enabled()
    ForwardAD.level = None
    try:
        if cls.bilinear and sum(isinstance(a, TensorBase) for a in args) >= 2:
            res = _bilinear(cls, args, kwargs, level)
        elif cls.linear or cls.tangent is not None:
            res = _Tangent.apply(*[t for _, t in duals], node=ctx, pos=tuple(i for i, _ in duals))
        elif cls.differentiable or cls.takes_tensors:  # takes_tensors: conv, su backward ya admite tensores
            create = grad_on and (any(t._requires_grad for _, t in duals) or any(x._requires_grad for x in tensors))
            res = _transposed_vjp(cls, ctx, out, duals, create)
            if res is None:
                res = _zeros_like(out)
        else:
            raise NotImplementedError(f"se intentó usar el modo hacia delante (forward AD) con '{cls.__name__}', "
                                      f"que aún no tiene derivada hacia delante (su backward no es derivable)")
    finally:
        ForwardAD.level = level
    out._fw = (level, res)


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
        new = _zeros_like(t)
    if new._requires_grad:  # una tangente con grafo no se copia: se cuelga tal cual
        t._fw = (level, new)
        return
    v = t._view
    if old is None and v is not None and v.grad:
        base = v.base
        bt = tangent_of(base)
        if bt is None:
            bt = _zeros_like(base)
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
