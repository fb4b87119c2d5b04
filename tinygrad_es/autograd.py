"""El corazón de autograd: ``Function``, ``Context``, el modo sin gradiente y el motor de ``backward``.

El grafo se guarda como en PyTorch: cada tensor calculado apunta a su nodo (el ``Context`` de la
``Function`` que lo produjo) y cada nodo apunta a los nodos de sus entradas (otro ``Context``, una hoja
con ``requires_grad`` o nada). Los tensores intermedios **no** están en el grafo: tras ``backward()``
el nodo suelta lo que guardó y un grafo que el usuario aún referencia (``running_loss += loss``) ya
no retiene activaciones.

Contrato de una ``Function`` (véase ``ops/``):

* ``forward(ctx, *arrays, **opciones) -> ndarray``: los tensores van en posición (llegan como
  ndarrays) y las opciones como palabras clave;
* ``backward(ctx, grad) -> gradiente o tupla`` (uno por entrada tensorial, ``None`` si no hace
  falta). Puede devolverse con la forma "con broadcasting": el motor lo reduce con ``unbroadcast``;
* ``release(ctx)`` (opcional, no hace nada por defecto): devolver buffers tras ``backward``.

Lo que se guarda con ``ctx.save_for_backward`` queda vigilado por el **contador de versiones**: si el
tensor se modifica in situ antes de ``backward``, éste se niega con un ``RuntimeError`` en lugar de
dar un gradiente equivocado.
"""
from __future__ import annotations

import contextlib
import threading
import weakref

import numpy as np

__all__ = ["Function", "Context", "TensorBase", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "unbroadcast", "broadcast_shape", "observe_backward"]

# --------------------------------------------------------------------------
# modo de gradiente (por hilo, como en PyTorch)
# --------------------------------------------------------------------------
_state = threading.local()


def is_grad_enabled() -> bool:
    """``True`` si las operaciones nuevas se registran en el grafo."""
    return getattr(_state, "grad_enabled", True)


class set_grad_enabled(contextlib.ContextDecorator):
    """Activa o desactiva el registro del grafo; vale como función, contexto o decorador."""

    def __init__(self, mode: bool):
        self.prev = is_grad_enabled()
        self.mode = bool(mode)
        _state.grad_enabled = self.mode

    def __enter__(self):
        _state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class _GradMode(contextlib.ContextDecorator):
    enabled = True

    def __enter__(self):
        self.prev = is_grad_enabled()
        _state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class no_grad(_GradMode):
    """Contexto (o decorador) en el que no se registra ninguna operación.

    >>> with no_grad():
    ...     w -= lr * w.grad      # descenso de gradiente a mano, in situ
    """
    enabled = False


class enable_grad(_GradMode):
    """Vuelve a registrar el grafo dentro de un ``no_grad``."""
    enabled = True


class inference_mode(_GradMode):
    """Como ``no_grad`` (aquí no hay más optimizaciones que hacer)."""

    def __init__(self, mode: bool = True):
        self.enabled = not mode


# --------------------------------------------------------------------------
# formas
# --------------------------------------------------------------------------
def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Suma ``grad`` sobre los ejes que el broadcasting añadió o estiró, para
    devolverlo a ``shape`` (p. ej. de (3,4) a (4,) o a (3,1))."""
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def broadcast_shape(*shapes, op="operación") -> tuple:
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        desc = " y ".join(str(tuple(s)) for s in shapes)
        raise RuntimeError(f"formas incompatibles en '{op}': {desc} no se pueden combinar "
                           f"(broadcasting: cada eje debe coincidir o valer 1)") from None


# --------------------------------------------------------------------------
# contador de versiones
# --------------------------------------------------------------------------
class VersionCounter:
    """Cuántas veces se ha modificado in situ una memoria. Lo comparten un tensor, su ``.data``,
    su ``detach()`` y las vistas que lo miran (como en PyTorch)."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


# --------------------------------------------------------------------------
# Context: el nodo del grafo
# --------------------------------------------------------------------------
class Context:
    """Nodo del grafo: lo que una operación guarda en ``forward`` para ``backward``.

    ``parents[i]`` es el nodo de la entrada ``i`` (su ``Context``, la hoja misma o ``None`` si no
    requiere gradiente); ``out_shape``/``out_dtype`` describen la salida aunque ésta ya no exista.
    """

    __slots__ = ("saved_tensors", "needs_input_grad", "requires_grad", "parents", "fn", "freed",
                 "out_shape", "out_dtype", "out_ref", "input_refs", "input_meta", "_versions",
                 "__dict__", "__weakref__")

    def __init__(self):
        self.saved_tensors = ()
        self.freed = False
        self.out_ref = None
        self._versions = ()

    def save_for_backward(self, *arrays):
        self.saved_tensors = arrays

    # -- para PyTorch y para dibujar --------------------------------------------------
    def name(self) -> str:
        return f"{self.fn.__name__}Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def next_functions(self):
        return tuple((p, 0) for p in self.parents)

    @property
    def inputs(self) -> tuple:
        """Las entradas como tensores: el tensor si sigue vivo, si no un ``GhostTensor`` con su
        forma, su dtype y su nodo (el grafo se puede dibujar aunque ya no existan)."""
        out = []
        for ref, parent, (shape, dtype) in zip(self.input_refs, self.parents, self.input_meta):
            t = ref()
            if t is None:
                t = GhostTensor(shape, dtype, parent if isinstance(parent, Context) else None)
            out.append(t)
        return tuple(out)

    def output(self):
        """El tensor de salida si sigue vivo (si no, ``None``)."""
        return None if self.out_ref is None else self.out_ref()

    def release(self):
        """Suelta lo guardado para ``backward`` (y cualquier array guardado como atributo)."""
        release = getattr(self.fn, "release", None)
        if release is not None:
            release(self)
        self.saved_tensors = ()
        for k, v in list(self.__dict__.items()):
            if isinstance(v, np.ndarray):
                del self.__dict__[k]
        self.freed = True


class GhostTensor:
    """Lo que queda de un tensor intermedio que ya se liberó: forma, dtype y nodo."""

    __slots__ = ("shape", "dtype", "_ctx")
    grad = None
    name = ""
    requires_grad = True
    data = None

    def __init__(self, shape, dtype, ctx):
        self.shape, self.dtype, self._ctx = tuple(shape), dtype, ctx

    def numel(self) -> int:
        return int(np.prod(self.shape))

    @property
    def is_leaf(self):
        return self._ctx is None


# --------------------------------------------------------------------------
# TensorBase: el estado que el motor necesita (la fachada vive en _tensor.py)
# --------------------------------------------------------------------------
class TensorBase:
    """Estado de un tensor: ``_data`` (ndarray), ``_grad``, ``requires_grad``, su nodo ``_ctx`` y su
    contador de versiones. La subclase concreta (``Tensor``) se registra sola."""

    __slots__ = ("_data", "_grad", "requires_grad", "_ctx", "name", "_retain", "_hooks", "_version",
                 "__weakref__")
    _concrete = None

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if TensorBase._concrete is None:
            TensorBase._concrete = cls

    @staticmethod
    def _wrap(data: np.ndarray, requires_grad: bool = False, version: VersionCounter | None = None):
        t = object.__new__(TensorBase._concrete)
        t._data = data if isinstance(data, np.ndarray) else np.asarray(data)
        t._grad = None
        t.requires_grad = requires_grad
        t._ctx = None
        t.name = ""
        t._retain = False
        t._hooks = None
        t._version = VersionCounter() if version is None else version
        return t

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self):
        return self._ctx

    @property
    def _version_value(self) -> int:
        return self._version.value


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
        tensors = [a for a in args if isinstance(a, TensorBase)]
        arrays = [a._data if isinstance(a, TensorBase) else a for a in args]
        ctx = Context()
        ctx.needs_input_grad = needs = tuple(t.requires_grad for t in tensors)
        # decidido antes del forward: una operación puede no guardar nada si no habrá backward
        ctx.requires_grad = requires = is_grad_enabled() and any(needs)
        out_data = cls.forward(ctx, *arrays, **kwargs)
        if not isinstance(out_data, np.ndarray):
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
            ctx.parents = tuple(_node(t) for t in tensors)
            ctx.input_refs = tuple(weakref.ref(t) for t in tensors)
            ctx.input_meta = tuple((t._data.shape, t._data.dtype) for t in tensors)
            ctx.out_shape, ctx.out_dtype = out_data.shape, out_data.dtype
            ctx.out_ref = weakref.ref(out)
            if ctx.saved_tensors:
                _record_versions(ctx, tensors, out)
            if version is not None:
                ctx.is_view = True
            out._ctx = ctx
        return out


# --------------------------------------------------------------------------
# el motor de backward
# --------------------------------------------------------------------------
_observers: list = []


@contextlib.contextmanager
def observe_backward(callback):
    """Durante el bloque, ``callback(ctx, grad_out, grads_in)`` se llama en cada paso del motor
    (``explain_backward`` lo usa para contar el backward real, no una copia)."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def topo_order(roots) -> list:
    """Nodos (``Context`` u hojas) en orden topológico iterativo: padres antes que hijos."""
    order, visited = [], set()
    stack = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if isinstance(node, Context):
            for p in reversed(node.parents):
                if p is not None and id(p) not in visited:
                    stack.append((p, False))
    return order


def _apply_hooks(t, g):
    for h in t._hooks.values():
        r = h(TensorBase._wrap(g))
        if r is not None:
            r = r._data if isinstance(r, TensorBase) else np.asarray(r)
            if r.shape != g.shape:
                raise RuntimeError(f"el hook de register_hook devolvió un gradiente de forma {r.shape}, "
                                   f"pero el tensor tiene forma {g.shape}")
            g = r.astype(g.dtype, copy=False)
    return g


def _accumulate(t, g):
    if t._grad is None:
        g = np.array(g, dtype=t._data.dtype, copy=True)  # propio y escribible
        t._grad = TensorBase._wrap(g)
    else:
        t._grad._data += g
        t._grad._version.value += 1


def _check_versions(ctx):
    for counter, version, shape in ctx._versions:
        if counter.value != version:
            raise RuntimeError(
                f"una de las variables que '{ctx.fn.__name__}' guardó para calcular el gradiente se "
                f"modificó con una operación in situ: el tensor de forma {shape} está en la versión "
                f"{counter.value} y se guardó en la versión {version}. Usa una operación normal "
                f"(x = x + 1 en lugar de x += 1) o .clone() antes de modificarlo")


def run_backward(root, grad: np.ndarray, retain_graph: bool = False) -> None:
    """Propaga ``grad`` desde ``root`` hasta las hojas en orden topológico inverso y acumula
    ``.grad`` en las hojas (y en los intermedios con ``retain_grad``)."""
    start = _node(root)
    order = topo_order([start])
    grads = {id(start): grad}
    for node in reversed(order):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if not isinstance(node, Context):  # hoja
            if node._hooks:
                g = _apply_hooks(node, g)
            _accumulate(node, g)
            continue
        ctx = node
        out = ctx.output()
        if out is not None:
            if out._hooks:
                g = _apply_hooks(out, g)
            if out._retain:
                _accumulate(out, g)
        if ctx.freed:
            raise RuntimeError(f"se intenta recorrer hacia atrás el grafo de '{ctx.fn.__name__}' por "
                               f"segunda vez, pero ya se liberó lo que guardaba. Usa "
                               f"backward(retain_graph=True) la primera vez")
        if ctx._versions:
            _check_versions(ctx)
        in_grads = ctx.fn.backward(ctx, g)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        for parent, (shape, dtype), ig in zip(ctx.parents, ctx.input_meta, in_grads):
            if ig is None or parent is None:
                continue
            ig = unbroadcast(np.asarray(ig), shape)
            if ig.dtype != dtype:
                ig = ig.astype(dtype)
            key = id(parent)
            prev = grads.get(key)
            grads[key] = ig if prev is None else prev + ig
        if _observers:
            for cb in list(_observers):
                cb(ctx, g, in_grads)
        if not retain_graph:
            ctx.release()
