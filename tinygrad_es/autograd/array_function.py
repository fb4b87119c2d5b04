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
from .graph import Context, TensorBase, ViewInfo

__all__ = ["ArrayFunction", "watch", "ForwardAD"]


class ForwardAD:
    """El enganche del modo hacia delante (``forward_ad.py`` lo rellena): ``level`` es el nivel dual
    activo (``None`` fuera de ``dual_level()``: entonces ``apply`` no mira nada más) y
    ``propagate(cls, ctx, args, kwargs, tensors, out)`` calcula la tangente de la salida."""

    level = None
    propagate = None


def _is_dual(t, level) -> bool:
    fw = t._fw
    return fw is not None and fw[0] is level


def _node(t: TensorBase):
    if not t.requires_grad:  # (la propiedad pone al día una vista)
        return None
    return t if t._ctx is None else t._ctx


def _root(a):
    """El objeto dueño de la memoria (también a través de ``as_strided``, cuya base es un envoltorio)."""
    while getattr(a, "base", None) is not None:
        a = a.base
    return a


def _shares(out: np.ndarray, inp: np.ndarray) -> bool:
    """¿``out`` mira la memoria de ``inp``? (una vista vacía no comparte bytes, pero sigue siendo
    una vista: se mira de qué array sale)."""
    if out.base is inp:  # vista directa de la entrada (reshape, .T, x[i]...): sin may_share_memory (~1,3 µs)
        return True
    if out.size:
        return np.may_share_memory(out, inp)
    return _root(out) is _root(inp)


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
        out._view = ViewInfo(sv.base if sv is not None else src, (), out._vc.value, False)


_READS: dict = {}  # (reads, needs_input_grad, nº de tensores) → posiciones que vigilar


def _record_versions(ctx: Context, reads, tensors, out: TensorBase) -> None:
    """Anota la versión de cada tensor (entrada o salida) que el ``backward`` leerá: los que dice
    ``reads`` para las entradas que necesitan gradiente o, si la operación no lo declara, los que
    guardó con ``save_for_backward``. Si alguno cambia in situ antes del ``backward``, éste falla."""
    if reads == "others":  # la derivada de cada entrada lee todas las demás (einsum)
        n = len(tensors)
        picked = [tensors[j] for j in range(n) if any(need for i, need in enumerate(ctx.needs_input_grad) if i != j)]
    elif reads is not None:
        key = (reads, ctx.needs_input_grad, len(tensors))
        idx = _READS.get(key)
        if idx is None:  # una vez por operación y combinación de entradas con gradiente
            want = set()
            for i, need in enumerate(ctx.needs_input_grad):
                if need:
                    want.update(reads[min(i, len(reads) - 1)])
            idx = _READS[key] = tuple(j for j in sorted(want) if j < len(tensors))
        picked = [out if j == -1 else tensors[j] for j in idx]
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


def _record_origins(ctx: Context, tensors, out: TensorBase) -> None:
    """De dónde viene cada array guardado: la posición de la entrada, ``-1`` la salida o ``None`` (otro
    valor). El orden superior reengancha las entradas y la salida a su grafo (``higher_order.py``)."""
    origins = []
    for s in ctx.saved_tensors:
        o = None
        if isinstance(s, np.ndarray):
            if s is out._data:
                o = -1
            else:
                for j, t in enumerate(tensors):
                    if s is t._data:
                        o = j
                        break
        origins.append(o)
    ctx._origins = tuple(origins)


def watch(out: TensorBase, *tensors) -> TensorBase:
    """El ``backward`` de ``out`` lee también ``tensors`` (una composición que en PyTorch es una sola
    operación que los guarda, como ``mse_loss`` con su objetivo): el contador de versiones los vigila
    desde ahora. Devuelve ``out``."""
    ctx = out._ctx
    if ctx is not None:
        ctx._versions = ctx._versions + tuple((t._vc, t._vc.value, tuple(t._data.shape))
                                              for t in tensors if isinstance(t, TensorBase))
    return out


class ArrayFunction:
    """Operación diferenciable sobre arrays: ``forward`` y ``backward`` estáticos (véase el contrato
    en ``autograd/__init__.py`` y, para el orden superior, el docstring del módulo).

    ``reads`` (opcional) dice qué tensores lee la derivada de cada entrada: ``reads[i]`` es una tupla
    de posiciones de entradas (−1 es la salida; la última fila vale para las entradas que sobran).
    Son los que vigila el contador de versiones, como los que PyTorch guarda: en ``a·b``, ∂/∂a lee
    ``b`` y ∂/∂b lee ``a``, así que cambiar ``a`` in situ sólo rompe el backward si ``b`` pide
    gradiente. ``reads = "others"``: la de cada entrada lee todas las demás (``einsum``)."""

    reads = None
    differentiable = False  # backward genérico: vale con ndarrays y con tensores
    linear = False          # lineal en sus entradas tensoriales: tangent = forward
    bilinear = False        # f(a, b, *resto) = B(a, b) + L(resto): la tangente son dos forwards (forward_ad.py)
    jvp = None              # jvp(ctx, *dx) -> J·dx con ndarrays, para forward_ad (sin grafo: no se deriva otra vez)
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
        grad_on = is_grad_enabled()
        for a in args:
            if isinstance(a, TensorBase):
                v = a._view
                if v is not None and grad_on and v.version != a._vc.value:
                    a._sync_view()  # vista de una base que cambió in situ: historia nueva
                tensors.append(a)
                arrays.append(a._data)
                needs.append(a._requires_grad)
            else:
                arrays.append(a)
        ctx = Context()
        # decidido antes del forward: una operación puede no guardar nada si no habrá backward
        requires = True in needs and grad_on
        level = ForwardAD.level
        dual = level is not None and any(_is_dual(t, level) for t in tensors)
        if dual:  # la tangente necesita lo que guarda el forward para el backward (véase forward_ad.py)
            needs = [n or _is_dual(t, level) for n, t in zip(needs, tensors)]
        ctx.needs_input_grad = needs = tuple(needs)
        ctx.requires_grad = requires or dual
        res = out_data = cls.forward(ctx, *arrays, **kwargs)
        if out_data.__class__ is not np.ndarray:
            out_data = np.asarray(out_data)
            if ctx.saved_tensors:  # un escalar de numpy guardado es la salida: que lo vigile el contador
                ctx.saved_tensors = tuple(out_data if s is res else s for s in ctx.saved_tensors)
        src = None
        if out_data.base is not None:  # una vista comparte memoria y contador con su base
            for t in tensors:
                if _shares(out_data, t._data):
                    src = t
                    break
        out = TensorBase._wrap(out_data, requires, None if src is None else src._vc)
        if src is not None and len(tensors) == 1:
            _mark_view(out, src, cls, kwargs, grad_on)
        if requires or dual:
            ctx.fn = cls
            ctx.kwargs = kwargs  # las opciones: el orden superior de las lineales vuelve a llamar a forward
            parents, refs, meta = [], [], []
            for t in tensors:
                parents.append((t._ctx or t) if t._requires_grad else None)
                refs.append(weakref.ref(t))
                d = t._data
                meta.append((d.shape, d.dtype))
            ctx.parents, ctx.input_refs, ctx.input_meta = tuple(parents), tuple(refs), tuple(meta)
            ctx.out_shape, ctx.out_dtype = out_data.shape, out_data.dtype
            ctx.out_ref = weakref.ref(out)
            if ctx.saved_tensors:
                _record_origins(ctx, tensors, out)
            if cls.reads is not None or ctx.saved_tensors:
                _record_versions(ctx, cls.reads, tensors, out)
            if requires:
                out._ctx = ctx
            if dual:
                ForwardAD.propagate(cls, ctx, args, kwargs, tensors, out)
        return out
