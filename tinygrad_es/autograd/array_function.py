"""``ArrayFunction``: la base **interna** de las operaciones del motor (``ops/``): ``forward`` y
``backward`` sobre ndarrays (contrato en ``autograd/__init__.py``).

La ``Function`` pública, la de PyTorch (tensores dentro y fuera), está en ``function.py`` y se
apoya en ésta.

Cómo se deriva dos veces una ``ArrayFunction`` (``backward(create_graph=True)``, véase
``higher_order.py``), según lo que declare la clase:

* ``differentiable = True``: su ``backward`` está escrito con el espacio de nombres genérico
  (``xp = namespace(g)``: numpy con arrays, métodos de ``Tensor`` con tensores) y con operadores;
  en primer orden recibe ndarrays (rápido) y en orden superior recibe tensores, así que el grafo
  del gradiente se construye solo. La derivada está en **un** sitio.
* ``tangent`` (``tangent(ctx, *dx) -> dy``, la derivada hacia delante J·dx, con ndarrays): para
  las operaciones cuyo jacobiano no depende de las entradas (casi en todas partes): las lineales
  (``linear = True``: ``tangent`` es el propio ``forward``), las de selección (max-pooling,
  ``amax``, ``relu``...). Su backward es lineal en ``g`` y su derivada es ``tangent``: el motor
  los encadena (gradiente del gradiente = ``tangent``, y el de éste otra vez ``backward``).
* nada: la derivada segunda no está implementada; el gradiente de primer orden se calcula igual,
  y derivarlo otra vez da un ``RuntimeError`` que nombra la operación (como PyTorch).
"""
from __future__ import annotations

import weakref

import numpy as np

from .grad_mode import is_grad_enabled
from .graph import Context, TensorBase

__all__ = ["ArrayFunction"]


def _node(t: TensorBase):
    if not t.requires_grad:
        return None
    return t if t._ctx is None else t._ctx


def _record_versions(ctx: Context, tensors, out: TensorBase) -> None:
    """Anota la versión de cada tensor (entrada o salida) cuya memoria guardó la operación, y de
    dónde viene cada array guardado (``origin``: la posición de la entrada, ``-1`` la salida,
    ``None`` una vista): así el orden superior lo reengancha a su grafo (``higher_order.py``)."""
    recs = []
    for slot, s in enumerate(ctx.saved_tensors):
        if not isinstance(s, np.ndarray):
            continue
        for j, t in enumerate((*tensors, out)):
            d = t._data
            if s is d or (s.base is not None and np.may_share_memory(s, d)):
                origin = (j if j < len(tensors) else -1) if s is d else None
                recs.append((t._version, t._version.value, tuple(d.shape), slot, origin))
                break
    ctx._versions = tuple(recs)


class ArrayFunction:
    """Operación diferenciable sobre arrays: ``forward`` y ``backward`` estáticos (véase el
    contrato en ``autograd/__init__.py`` y, para el orden superior, el docstring del módulo)."""

    differentiable = False  # backward genérico: vale con ndarrays y con tensores
    linear = False          # lineal en sus entradas tensoriales: tangent = forward
    tangent = None          # J·dx con ndarrays, si el jacobiano no depende de las entradas
    takes_tensors = False   # su backward ya trabaja con tensores (la Function de PyTorch)

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstracto
        raise NotImplementedError("cada ArrayFunction define su forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstracto
        raise NotImplementedError("cada ArrayFunction define su backward(ctx, grad)")

    @staticmethod
    def release(ctx):
        """Se llama tras ``backward`` (sin ``retain_graph``); por defecto no hace nada."""

    @classmethod
    def apply(cls, *args, **kwargs):
        # un solo recorrido de los argumentos: esto se ejecuta en cada operación
        tensors, arrays, needs = [], [], []
        for a in args:
            if isinstance(a, TensorBase):
                tensors.append(a)
                arrays.append(a._data)
                needs.append(a.requires_grad)
            else:
                arrays.append(a)
        ctx = Context()
        ctx.needs_input_grad = needs = tuple(needs)
        # decidido antes del forward: una operación puede no guardar nada si no habrá backward
        ctx.requires_grad = requires = True in needs and is_grad_enabled()
        out_data = cls.forward(ctx, *arrays, **kwargs)
        if out_data.__class__ is not np.ndarray:
            out_data = np.asarray(out_data)
        version = None
        if out_data.base is not None:  # una vista comparte el contador de su base
            for t in tensors:
                if np.may_share_memory(out_data, t._data):
                    version = t._version
                    break
        out = TensorBase._wrap(out_data, requires, version)
        if requires:
            ctx.fn = cls
            ctx.kwargs = kwargs  # las opciones: el orden superior de las lineales vuelve a llamar a forward
            parents, refs, meta = [], [], []
            for t in tensors:
                parents.append((t._ctx or t) if t.requires_grad else None)
                refs.append(weakref.ref(t))
                d = t._data
                meta.append((d.shape, d.dtype))
            ctx.parents, ctx.input_refs, ctx.input_meta = tuple(parents), tuple(refs), tuple(meta)
            ctx.out_shape, ctx.out_dtype = out_data.shape, out_data.dtype
            ctx.out_ref = weakref.ref(out)
            if ctx.saved_tensors:
                _record_versions(ctx, tensors, out)
            if version is not None:
                ctx.is_view = True
            out._ctx = ctx
        return out
