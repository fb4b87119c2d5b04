"""``Function``: una operación diferenciable con ``forward`` y ``backward`` (contrato en
``autograd/__init__.py``)."""
from __future__ import annotations

import weakref

import numpy as np

from .grad_mode import is_grad_enabled
from .graph import Context, TensorBase, ViewInfo

__all__ = ["Function", "watch"]


def _node(t: TensorBase):
    if not t.requires_grad:  # (la propiedad pone al día una vista)
        return None
    return t if t._ctx is None else t._ctx


def _mark_view(out: TensorBase, src: TensorBase, fn, kwargs, grad: bool) -> None:
    """``out`` es una vista de ``src`` (comparte su memoria): apunta a la base y, con gradiente,
    recuerda cómo rehacerla desde ella (``ViewInfo``)."""
    sv = src._view
    if grad:
        if sv is not None and sv.grad:  # vista de una vista: la cadena sale de la base
            out._view = ViewInfo(sv.base, sv.chain + ((fn, kwargs),), out._vc.value, True)
        else:
            out._view = ViewInfo(src, ((fn, kwargs),), out._vc.value, True)
    else:
        # sin gradiente: como en PyTorch, requires_grad es el de la base pero no hay historia
        out._requires_grad = src._requires_grad
        out._view = ViewInfo(sv.base if sv is not None else src, (), None, False)


def _record_versions(ctx: Context, reads, tensors, out: TensorBase) -> None:
    """Anota la versión de cada tensor (entrada o salida) que el ``backward`` leerá: los que dice
    ``reads`` para las entradas que necesitan gradiente o, si la operación no lo declara, los que
    guardó con ``save_for_backward``. Si alguno cambia in situ antes del ``backward``, éste falla."""
    if reads == "others":  # la derivada de cada entrada lee todas las demás (einsum)
        n = len(tensors)
        picked = [tensors[j] for j in range(n) if any(need for i, need in enumerate(ctx.needs_input_grad) if i != j)]
    elif reads is not None:
        want = set()
        for i, need in enumerate(ctx.needs_input_grad):
            if need:
                want.update(reads[min(i, len(reads) - 1)])
        picked = [out if j == -1 else tensors[j] for j in sorted(want) if j < len(tensors)]
    else:
        picked = []
        for s in ctx.saved_tensors:
            if not isinstance(s, np.ndarray):
                continue
            for t in (*tensors, out):
                d = t._data
                if s is d or np.may_share_memory(s, d):
                    picked.append(t)
                    break
    ctx._versions = tuple((t._vc, t._vc.value, tuple(t._data.shape)) for t in picked)


def watch(out: TensorBase, *tensors) -> TensorBase:
    """El ``backward`` de ``out`` lee también ``tensors`` (una composición que en PyTorch es una sola
    operación que los guarda, como ``mse_loss`` con su objetivo): el contador de versiones los vigila
    desde ahora. Devuelve ``out``."""
    ctx = out._ctx
    if ctx is not None:
        ctx._versions = ctx._versions + tuple((t._vc, t._vc.value, tuple(t._data.shape))
                                              for t in tensors if isinstance(t, TensorBase))
    return out


class Function:
    """Operación diferenciable: ``forward`` y ``backward`` estáticos (véase el contrato arriba).

    ``reads`` (opcional) dice qué tensores lee la derivada de cada entrada: ``reads[i]`` es una tupla
    de posiciones de entradas (−1 es la salida; la última fila vale para las entradas que sobran).
    Son los que vigila el contador de versiones, como los que PyTorch guarda: en ``a·b``, ∂/∂a lee
    ``b`` y ∂/∂b lee ``a``, así que cambiar ``a`` in situ sólo rompe el backward si ``b`` pide
    gradiente. ``reads = "others"``: la de cada entrada lee todas las demás (``einsum``)."""

    reads = None

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
                v = a._view
                if v is not None and v.version != a._vc.value:
                    a._sync_view()  # vista de una base que cambió in situ: historia nueva
                tensors.append(a)
                arrays.append(a._data)
                needs.append(a._requires_grad)
            else:
                arrays.append(a)
        ctx = Context()
        ctx.needs_input_grad = needs = tuple(needs)
        grad_on = is_grad_enabled()
        # decidido antes del forward: una operación puede no guardar nada si no habrá backward
        ctx.requires_grad = requires = True in needs and grad_on
        out_data = cls.forward(ctx, *arrays, **kwargs)
        if out_data.__class__ is not np.ndarray:
            out_data = np.asarray(out_data)
        src = None
        if out_data.base is not None:  # una vista comparte memoria y contador con su base
            for t in tensors:
                if np.may_share_memory(out_data, t._data):
                    src = t
                    break
        out = TensorBase._wrap(out_data, requires, None if src is None else src._vc)
        if src is not None and len(tensors) == 1:
            _mark_view(out, src, cls, kwargs, grad_on)
        if requires:
            ctx.fn = cls
            parents, refs, meta = [], [], []
            for t in tensors:
                parents.append((t._ctx or t) if t._requires_grad else None)
                refs.append(weakref.ref(t))
                d = t._data
                meta.append((d.shape, d.dtype))
            ctx.parents, ctx.input_refs, ctx.input_meta = tuple(parents), tuple(refs), tuple(meta)
            ctx.out_shape, ctx.out_dtype = out_data.shape, out_data.dtype
            ctx.out_ref = weakref.ref(out)
            if cls.reads is not None or ctx.saved_tensors:
                _record_versions(ctx, cls.reads, tensors, out)
            out._ctx = ctx
        return out
