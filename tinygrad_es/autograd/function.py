"""``Function``: una operación diferenciable con ``forward`` y ``backward`` (contrato en
``autograd/__init__.py``)."""
from __future__ import annotations

import weakref

import numpy as np

from .grad_mode import is_grad_enabled
from .graph import Context, TensorBase

__all__ = ["Function"]


def _node(t: TensorBase):
    if not t.requires_grad:
        return None
    return t if t._ctx is None else t._ctx


def _record_versions(ctx: Context, tensors, out: TensorBase) -> None:
    """Anota la versión de cada tensor (entrada o salida) cuya memoria guardó la operación."""
    recs = []
    for s in ctx.saved_tensors:
        if not isinstance(s, np.ndarray):
            continue
        for t in (*tensors, out):
            d = t._data
            if s is d or (s.base is not None and np.may_share_memory(s, d)):
                recs.append((t._version, t._version.value, tuple(d.shape)))
                break
    ctx._versions = tuple(recs)


class Function:
    """Operación diferenciable: ``forward`` y ``backward`` estáticos (véase el contrato arriba)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstracto
        raise NotImplementedError("cada Function define su forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstracto
        raise NotImplementedError("cada Function define su backward(ctx, grad)")

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
