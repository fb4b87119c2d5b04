"""``Function``: la operación diferenciable **de PyTorch**, la que escribe el usuario
(``torch.autograd.Function``): tensores dentro y fuera.

::

    class MiReLU(Function):
        @staticmethod
        def forward(ctx, x):                  # x es un Tensor
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, g):                 # g es un Tensor: ∂L/∂salida
            (x,) = ctx.saved_tensors
            return g * (x > 0)                # ∂L/∂x

    y = MiReLU.apply(x)                       # y.grad_fn es <MiReLUBackward>

También el estilo nuevo (``forward(*args)`` sin ``ctx`` + ``setup_context(ctx, inputs, output)``),
varias salidas, argumentos que no son tensores, ``ctx.needs_input_grad``, ``mark_dirty``,
``mark_non_differentiable``, ``set_materialize_grads`` y ``once_differentiable``. El ``backward``
recibe y devuelve tensores, así que si usa operaciones diferenciables se puede derivar otra vez
(``create_graph=True``).

Por dentro, el nodo del grafo es un ``FunctionCtx`` (el ``ctx``) cuyo ``fn`` es una
``ArrayFunction`` con el nombre de la clase del usuario (así la ven ``draw_graph`` y
``explain_backward``), que pasa los gradientes de ndarrays a tensores y comprueba lo que devuelve el
``backward`` del usuario con los errores de PyTorch.
"""
from __future__ import annotations

import weakref

import numpy as np

from .. import _dtype as D
from .array_function import ArrayFunction
from .forward_ad import attach_tangents, dual_inputs, paused, user_jvp
from .grad_mode import is_grad_enabled, no_grad, set_grad_enabled
from .graph import Context, TensorBase, broadcast_shape
from .higher_order import OutputGrads, sum_to
from .once_differentiable import once_differentiable  # (torch.autograd.function.once_differentiable)

__all__ = ["Function", "FunctionCtx", "once_differentiable", "InplaceFunction"]


# --------------------------------------------------------------------------
# el ctx
# --------------------------------------------------------------------------
class FunctionCtx(Context):
    """El ``ctx`` de una ``Function``: guarda lo necesario para el ``backward`` y admite cualquier
    atributo (``ctx.k = 3``). Es también el nodo del grafo (``y.grad_fn``)."""

    def __init__(self):
        self.freed = False
        self.out_ref = None
        self._versions = ()
        self._origins = ()
        self.kwargs = None
        self._to_save = ()
        self._saved = None
        self._dirty = ()
        self._non_diff = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        """Guarda tensores (o ``None``) para el ``backward``; se recuperan con ``ctx.saved_tensors``,
        que comprueba que no se modificaron in situ entre medias."""
        for t in tensors:
            if t is not None and not isinstance(t, TensorBase):
                raise TypeError(f"save_for_backward sólo admite tensores o None, no {type(t).__name__}; "
                                f"guarda lo demás como atributo (ctx.valor = ...)")
        self._to_save = tensors

    def save_for_forward(self, *tensors):  # el modo hacia delante no existe aquí: se acepta y se ignora
        self.save_for_backward(*tensors)

    @property
    def saved_tensors(self) -> tuple:
        """Los tensores de ``save_for_backward``, con su grafo (``grad_fn``), tras comprobar su versión."""
        if self.freed:
            raise RuntimeError(f"se intenta recorrer hacia atrás el grafo de '{self.fn.__name__}' por segunda vez "
                               f"(o leer ctx.saved_tensors después de liberarlo). Usa "
                               f"backward(retain_graph=True) la primera vez")
        if self._saved is None:  # aún en forward o sin grafo: tal cual
            return tuple(self._to_save)
        out = []
        for entry in self._saved:
            if entry is None:
                out.append(None)
                continue
            kind, obj, counter, version, shape = entry
            if counter.value != version:
                raise RuntimeError(
                    f"una de las variables que '{self.fn.__name__}' guardó para calcular el gradiente se "
                    f"modificó con una operación in situ: el tensor de forma {tuple(shape)} está en la versión "
                    f"{counter.value} y se guardó en la versión {version}. Usa una operación normal "
                    f"(x = x + 1 en lugar de x += 1) o .clone() antes de modificarlo")
            if kind == "in":
                out.append(obj)
            else:  # una salida: sin ciclo ctx → salida → ctx, se rehace con su nodo
                k, data, ref = obj
                t = ref()
                if t is None:
                    t = TensorBase._wrap(data, self._linked[k], counter)
                    if self._linked[k]:
                        sel = self._selectors[k]() if self._n_out > 1 else self
                        if sel is None:  # la salida ya no existe: un nodo nuevo hacia la misma posición
                            sel = _selector(self.fn.user, self, k, t)
                        t._ctx = sel
                out.append(t)
        return tuple(out)

    saved_variables = saved_tensors

    def mark_dirty(self, *tensors):
        """Declara las entradas que ``forward`` modificó in situ (y devuelve)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        """Declara salidas que no son derivables (índices, máscaras): no requieren gradiente y su
        gradiente en ``backward`` llega como ceros."""
        self._non_diff = tensors

    def set_materialize_grads(self, value: bool):
        """Con ``False``, los gradientes de salidas que no se usaron llegan como ``None`` en vez de ceros."""
        self.materialize_grads = bool(value)

    def release(self):
        self._saved = ()
        self._to_save = ()
        self.freed = True


class _OutputCtx(Context):
    """El nodo de la salida ``k`` de una ``Function`` de varias salidas: pasa su gradiente, en su
    posición, al nodo de la función. Se dibuja como la propia función (sus entradas son las de ella)."""

    @property
    def inputs(self) -> tuple:
        return self.parents[0].inputs


class _Select(ArrayFunction):
    takes_tensors = True

    @staticmethod
    def backward(ctx, g):
        return (OutputGrads.one(ctx.n_out, ctx.index, g),)


# --------------------------------------------------------------------------
# la Function de PyTorch
# --------------------------------------------------------------------------
def _check_grad(fn_name, i, g, shape, dtype):
    """El gradiente ``i`` que devolvió el backward del usuario, con la forma y el dtype de la entrada
    (las formas que hacen broadcasting a la de la entrada se suman, como en PyTorch)."""
    if not isinstance(g, TensorBase):
        raise TypeError(f"la función {fn_name}Backward devolvió en la posición {i} un {type(g).__name__}: "
                        f"se esperaba un tensor o None")
    gs = tuple(g._data.shape)
    if gs != tuple(shape):
        try:
            ok = broadcast_shape(shape, gs) == gs
        except RuntimeError:
            ok = False
        if not ok:
            raise RuntimeError(f"la función {fn_name}Backward devolvió un gradiente no válido en la posición {i}: "
                               f"tiene forma {gs}, pero se esperaba una forma compatible con {tuple(shape)} "
                               f"(la de esa entrada)")
        g = sum_to(g, shape)
    if g._data.dtype != dtype:
        g = g.to(D._BY_NP[dtype])
    return g


class _UserBackward(ArrayFunction):
    """El nodo de una ``Function`` del usuario (una subclase por clase, con su nombre)."""

    takes_tensors = True
    user = None

    @staticmethod
    def backward(ctx, g):
        grads = list(g) if isinstance(g, OutputGrads) else [g]
        graph = any(isinstance(x, TensorBase) for x in grads)  # orden superior: llegan tensores
        tensors = []
        for k, x in enumerate(grads):
            if x is None:
                if ctx.materialize_grads and ctx._out_meta[k] is not None:
                    shape, dtype = ctx._out_meta[k]
                    x = TensorBase._wrap(np.zeros(shape, dtype))
            elif not isinstance(x, TensorBase):
                x = TensorBase._wrap(x)
            tensors.append(x)
        cls = ctx.fn.user
        bw = cls.backward if cls.backward is not Function.backward else cls.vjp
        with set_grad_enabled(graph):
            res = bw(ctx, *tensors)
        return _map_grads(ctx, res, graph)


def _map_grads(ctx, res, graph):
    """Lo que devolvió el ``backward`` del usuario (uno por argumento de ``forward``) → uno por
    entrada tensorial, comprobado; ndarrays en primer orden, tensores en orden superior."""
    name = ctx.fn.__name__
    if not isinstance(res, tuple):
        res = (res,)
    n_args = ctx._n_args
    if len(res) != n_args:
        extra_ok = len(res) > n_args and all(r is None for r in res[n_args:])
        if not extra_ok:
            raise RuntimeError(f"la función {name}Backward devolvió un número incorrecto de gradientes "
                               f"(se esperaban {n_args}, uno por argumento de forward; llegaron {len(res)})")
    pos = ctx._tensor_pos
    out = []
    for i, r in enumerate(res[:n_args]):
        if i not in pos:
            if r is not None:
                raise RuntimeError(f"la función {name}Backward devolvió un gradiente distinto de None en la "
                                   f"posición {i}, pero ese argumento de forward no era un tensor")
    for j, i in enumerate(pos):
        r = res[i]
        if r is None or ctx.parents[j] is None:
            out.append(None)
            continue
        shape, dtype = ctx.input_meta[j]
        r = _check_grad(name, i, r, shape, dtype)
        out.append(r if graph else r._data)
    return tuple(out)


_ADAPTERS: dict = {}


def _adapter(cls, base=_UserBackward):
    key = (cls, base)
    a = _ADAPTERS.get(key)
    if a is None:
        a = _ADAPTERS[key] = type(cls.__name__, (base,), {"user": cls, "__module__": cls.__module__,
                                                          "__qualname__": cls.__qualname__})
    return a


class Function:
    """Base de las operaciones diferenciables del usuario (``torch.autograd.Function``).

    Define ``forward(ctx, *args)`` (o ``forward(*args)`` + ``setup_context(ctx, inputs, output)``) y
    ``backward(ctx, *grad_outputs)`` como métodos estáticos, y úsala con ``MiFuncion.apply(...)``.
    ``backward`` devuelve un gradiente (tensor o ``None``) por argumento de ``forward``.

    >>> class Cubo(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return g * 3 * x ** 2
    >>> x = tinygrad_es.tensor(2.0, requires_grad=True)
    >>> Cubo.apply(x).backward(); x.grad
    tensor(12.)
    """

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__}: una Function no se instancia; usa {type(self).__name__}.apply(...)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("tu Function debe definir forward (método estático)")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context no está definido")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("tu Function debe definir backward (o vjp) para poder derivarse")

    @staticmethod
    def jvp(ctx, *grad_inputs):  # la regla de forward_ad: una tangente por argumento de forward → las de las salidas
        raise NotImplementedError("para usar el modo hacia delante (forward AD) con una Function del usuario hay "
                                  "que definir su método estático jvp(ctx, *tangentes)")

    @staticmethod
    def vmap(info, in_dims, *args):
        raise NotImplementedError("vmap de una Function: tinygrad_es la recorre elemento a elemento")

    @staticmethod
    def vjp(ctx, *grad_outputs):
        raise NotImplementedError("tu Function debe definir backward (o vjp) para poder derivarse")

    @classmethod
    def apply(cls, *args, **kwargs):
        new_style = cls.setup_context is not Function.setup_context
        needs = tuple(isinstance(a, TensorBase) and a.requires_grad for a in args)
        requires = True in needs and is_grad_enabled()
        ctx = FunctionCtx()
        ctx.needs_input_grad = needs
        ctx.requires_grad = requires
        level = dual_inputs(args)  # el nivel dual activo si alguna entrada es dual (forward_ad.py)
        # como en PyTorch: el forward no se registra y ve los primales (la tangente la da jvp)
        with paused(), no_grad():
            if new_style:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
            tangents = None if level is None else user_jvp(cls, ctx, args, output, level)
        if requires:
            output = _link(cls, ctx, args, output)
        if tangents is not None:
            attach_tangents(output, tangents, level)
        return output


def _selector(cls, ctx, k, o):
    """El nodo de la salida ``k`` (de ``n``) de ``ctx``."""
    sel = _OutputCtx()
    sel.fn = _adapter(cls, _Select)
    sel.n_out, sel.index = ctx._n_out, k
    sel.needs_input_grad, sel.requires_grad = (True,), True
    sel.parents, sel.input_meta = (ctx,), ((o._data.shape, o._data.dtype),)
    sel.input_refs = (weakref.ref(o),)
    sel.out_shape, sel.out_dtype = o._data.shape, o._data.dtype
    sel.out_ref = weakref.ref(o)
    return sel


def _link(cls, ctx, args, output):
    """Cuelga las salidas de ``ctx`` (el nodo) y guarda lo de ``save_for_backward``."""
    single = not isinstance(output, tuple)
    outs = [output] if single else list(output)
    tensors = [a for a in args if isinstance(a, TensorBase)]
    ctx._tensor_pos = tuple(i for i, a in enumerate(args) if isinstance(a, TensorBase))
    ctx._n_args = len(args)
    ctx.fn = _adapter(cls)
    ctx.parents = tuple((t._ctx or t) if t.requires_grad else None for t in tensors)
    ctx.input_refs = tuple(weakref.ref(t) for t in tensors)
    ctx.input_meta = tuple((t._data.shape, t._data.dtype) for t in tensors)
    n = len(outs)
    ctx._n_out = n
    dirty = {id(t) for t in ctx._dirty}
    non_diff = {id(t) for t in ctx._non_diff}
    input_ids = {id(t) for t in tensors}
    ctx._out_meta = []
    ctx._selectors = [None] * n  # weakref al nodo de cada salida (varias salidas)
    ctx._linked = [False] * n
    for k, o in enumerate(outs):
        if not isinstance(o, TensorBase):
            ctx._out_meta.append(None)
            continue
        ctx._out_meta.append((o._data.shape, o._data.dtype))
        if id(o) in dirty:
            if o._ctx is None and o.requires_grad:
                raise RuntimeError(f"{cls.__name__}: una hoja que requiere gradiente se modificó in situ "
                                   f"(mark_dirty); usa una copia (x.clone()) o trabaja bajo no_grad()")
        elif id(o) in input_ids:  # una entrada devuelta tal cual: un alias (una vista) de ella
            o = TensorBase._wrap(o._data, False, o._vc)
            outs[k] = o
        if id(o) in non_diff or o._data.dtype.kind not in "fc":
            o._ctx, o.requires_grad = None, False
            continue
        o.requires_grad = True
        ctx._linked[k] = True
        if n == 1:
            o._ctx = ctx
            ctx.out_ref = weakref.ref(o)
            ctx.out_shape, ctx.out_dtype = o._data.shape, o._data.dtype
        else:
            sel = _selector(cls, ctx, k, o)
            o._ctx = sel
            ctx._selectors[k] = weakref.ref(sel)  # débil: el nodo de la salida ya apunta a ctx
    if n > 1:
        ctx.out_shape, ctx.out_dtype = (), None
    # lo guardado: entradas tal cual; salidas sin referencia fuerte (no hay ciclo ctx → salida → ctx)
    saved = []
    for t in ctx._to_save:
        if t is None:
            saved.append(None)
            continue
        k = next((k for k, o in enumerate(outs) if o is t), None)
        if k is None:
            saved.append(("in", t, t._vc, t._vc.value, tuple(t._data.shape)))
        else:
            saved.append(("out", (k, t._data, weakref.ref(t)), t._vc, t._vc.value,
                          tuple(t._data.shape)))
    ctx._saved = tuple(saved)
    ctx._to_save = ()
    return outs[0] if single else tuple(outs)


class InplaceFunction(Function):
    """Como en PyTorch: una ``Function`` con un indicador ``inplace`` (no cambia nada más)."""

    def __init__(self, inplace=False):  # pragma: no cover - forma antigua
        self.inplace = inplace
