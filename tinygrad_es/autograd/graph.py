"""El grafo: nodos (``Context``), el estado de un tensor (``TensorBase``), el contador de versiones,
lo que una vista sabe de su base (``ViewInfo``) y las utilidades de formas (``unbroadcast``)."""
from __future__ import annotations

import weakref

import numpy as np

from .grad_mode import enable_grad

__all__ = ["Context", "GhostTensor", "TensorBase", "VersionCounter", "ViewInfo", "unbroadcast",
           "broadcast_shape"]


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


# Nombre del grad_fn de PyTorch para las Function del paquete cuyo nombre no coincide (el resto se
# llama igual: Add, Mul, Exp, Relu, Sum...). Donde PyTorch usa varios según los argumentos (x[0] es
# SelectBackward0, x[1:] SliceBackward0), se elige el general.
_TORCH_GRAD_FN = {
    "PowScalar": "Pow", "Clip": "Clamp", "LogAddExp": "Logaddexp", "DivRounding": "Div", "LogSumExp": "Logsumexp",
    "VectorNorm": "LinalgVectorNorm", "MaxPool2d": "MaxPool2DWithIndices", "AdaptiveMaxPool2d": "AdaptiveMaxPool2D",
    "AvgPool2d": "AvgPool2D", "AdaptiveAvgPool2d": "AdaptiveAvgPool2D", "MaxUnpool2d": "MaxUnpool2D",
    "Conv2d": "Convolution", "ConvTranspose2d": "Convolution", "Logsigmoid": "LogSigmoid", "Prelu": "PreluKernel",
    "Cast": "ToCopy", "Contiguous": "Clone", "Reshape": "View", "GetItem": "Index", "SetItem": "CopySlices",
    "TakeAlong": "Gather", "Pad": "ConstantPadNd", "MatMul": "Mm", "Linear": "Addmm", "Cross": "LinalgCross",
    "Inv": "LinalgInvEx", "Det": "LinalgDet", "Solve": "LinalgSolveEx", "CrossEntropyIdx": "NllLoss",
    "BCE": "BinaryCrossEntropy", "BCEWithLogits": "BinaryCrossEntropyWithLogits", "LogCumSumExp": "Logcumsumexp",
    "MedianAll": "Median", "BatchNorm": "NativeBatchNorm", "LayerNorm": "NativeLayerNorm", "_Alias": "View",
}


# --------------------------------------------------------------------------
# vistas
# --------------------------------------------------------------------------
class ViewInfo:
    """Lo que una vista sabe de su base (el ``ViewMeta`` de PyTorch).

    Una vista (``x[0]``, ``x.T``, ``x.diagonal()``, ``x.view(...)``...) comparte la memoria y el
    contador de versiones de su **base** (el tensor que no es vista del que sale). Si se creó con
    el gradiente activado (``grad``), guarda en ``chain`` las operaciones que la sacan de la base
    (``(Function, opciones)``, en orden) para poder **re-basar** su historia: cuando la base (u
    otra vista suya) cambia in situ, la versión avanza y la próxima vez que se usa la vista su nodo
    se rehace a partir de la historia nueva de la base (``TensorBase._sync_view``). Así una vista
    antigua propaga el gradiente por lo que de verdad contiene.

    ``multi`` es el nombre de la función si la vista es una de varias salidas (``split``,
    ``unbind``...): PyTorch no deja modificarlas in situ con grafo.
    """

    __slots__ = ("base", "chain", "version", "grad", "multi")

    def __init__(self, base, chain, version, grad, multi=None):
        self.base, self.chain, self.version, self.grad, self.multi = base, chain, version, grad, multi

    def replay_array(self, a: np.ndarray) -> np.ndarray:
        """Aplica a un array con la forma de la base las mismas operaciones que dieron la vista."""
        for fn, kw in self.chain:
            a = fn.forward(Context(), a, **kw)
        return a

    def flat_index(self) -> np.ndarray:
        """Para cada elemento de la vista, su posición en la base aplanada (orden C)."""
        shape = self.base._data.shape
        return np.asarray(self.replay_array(np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)))


# --------------------------------------------------------------------------
# Context: el nodo del grafo
# --------------------------------------------------------------------------
class Context:
    """Nodo del grafo: lo que una operación guarda en ``forward`` para ``backward``.

    ``parents[i]`` es el nodo de la entrada ``i`` (su ``Context``, la hoja misma o ``None`` si no
    requiere gradiente); ``out_shape``/``out_dtype`` describen la salida aunque ésta ya no exista.
    """

    __slots__ = ("saved_tensors", "needs_input_grad", "requires_grad", "parents", "fn", "freed",
                 "out_shape", "out_dtype", "out_ref", "input_refs", "input_meta", "_versions", "_origins",
                 "kwargs", "__dict__", "__weakref__")

    def __init__(self):
        self.saved_tensors = ()
        self.freed = False
        self.out_ref = None
        self._versions = ()
        self._origins = ()

    def save_for_backward(self, *arrays):
        self.saved_tensors = arrays

    # -- para PyTorch y para dibujar --------------------------------------------------
    def name(self) -> str:
        """El nombre del ``grad_fn`` como en PyTorch: ``MulBackward0`` para las operaciones del
        paquete, ``MiFuncionBackward`` para una ``Function`` del usuario."""
        n = self.fn.__name__
        if not self.fn.__module__.startswith("tinygrad_es."):
            return f"{n}Backward"
        return f"{_TORCH_GRAD_FN.get(n, n)}Backward0"

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
                t = GhostTensor(shape, dtype, parent if isinstance(parent, Context) else None, parent is not None)
            out.append(t)
        return tuple(out)

    def output(self):
        """El tensor de salida si sigue vivo (si no, ``None``)."""
        return None if self.out_ref is None else self.out_ref()

    def release(self):
        """Suelta lo guardado para ``backward`` (y cualquier array guardado como atributo)."""
        self.fn.release(self)
        self.saved_tensors = ()
        self.kwargs = None
        d = self.__dict__
        if d:
            for k in [k for k, v in d.items() if isinstance(v, np.ndarray)]:
                del d[k]
        self.freed = True


class GhostTensor:
    """Lo que queda de un tensor intermedio que ya se liberó: forma, dtype y nodo."""

    __slots__ = ("shape", "dtype", "_ctx", "requires_grad")
    grad = None
    name = ""
    data = None

    def __init__(self, shape, dtype, ctx, requires_grad=True):
        self.shape, self.dtype, self._ctx = tuple(shape), dtype, ctx
        self.requires_grad = requires_grad  # una constante ya liberada (el 2 de 2·x) no lo pide

    def numel(self) -> int:
        return int(np.prod(self.shape))

    @property
    def is_leaf(self):
        return self._ctx is None

    # -- protocolo de grafo (protocol.py): como un tensor, pero sin dato ni gradiente --
    def graph_parents(self) -> tuple:
        return self._ctx.inputs if self._ctx is not None else ()

    def graph_op(self) -> str:
        return self._ctx.fn.__name__ if self._ctx is not None else ""

    def graph_label(self) -> str:
        return ""

    def graph_shape(self) -> tuple:
        return self.shape

    def graph_data(self):
        return None

    def graph_grad(self):
        return None

    def graph_key(self):
        return id(self._ctx) if self._ctx is not None else id(self)


# --------------------------------------------------------------------------
# TensorBase: el estado que el motor necesita (la fachada vive en _tensor/tensor.py)
# --------------------------------------------------------------------------
class TensorBase:
    """Estado de un tensor: ``_data`` (ndarray), ``_grad``, ``requires_grad``, su nodo ``_ctx``, su
    contador de versiones ``_vc`` (compartido con sus vistas; ``_version`` es su valor) y, si es una
    vista, ``_view`` (``ViewInfo``). ``_wrap`` crea la subclase
    concreta, que ``_tensor/tensor.py`` registra con ``TensorBase._register(Tensor)``."""

    __slots__ = ("_data", "_grad", "_requires_grad", "_ctx", "name", "_retain", "_hooks", "_vc", "_view",
                 "_fw", "__weakref__")
    _concrete = None
    _complex = None   # la subclase de los tensores complejos (_tensor_complex.py) se registra aquí

    @staticmethod
    def _register(cls, stack) -> None:
        """La clase de los tensores que crean ``_wrap`` y ``ArrayFunction.apply`` (``Tensor``) y su
        ``stack`` (lo usa ``autograd.grad(is_grads_batched=True)``)."""
        TensorBase._concrete = cls
        TensorBase._stack = staticmethod(stack)

    @staticmethod
    def _wrap(data: np.ndarray, requires_grad: bool = False, version: VersionCounter | None = None):
        if not isinstance(data, np.ndarray):
            data = np.asarray(data)
        t = object.__new__(TensorBase._complex if data.dtype.kind == "c" else TensorBase._concrete)
        t._data = data
        t._grad = None
        t._requires_grad = requires_grad
        t._ctx = None
        t.name = ""
        t._retain = False
        t._hooks = None
        t._vc = VersionCounter() if version is None else version
        t._view = None
        t._fw = None  # (nivel, tangente) si es un tensor dual del modo hacia delante (forward_ad.py)
        return t

    _OLD_SLOTS = {"_version": "_vc", "requires_grad": "_requires_grad"}  # nombres de pickles antiguos

    def __setstate__(self, state):
        """Carga un pickle (también los de versiones anteriores, con ``_version``/``requires_grad``)."""
        d = dict(state[0] or {}) if isinstance(state, tuple) else dict(state or {})
        if isinstance(state, tuple):
            d.update(state[1] or {})
        for slot, default in (("_view", None), ("_fw", None), ("_hooks", None), ("_retain", False), ("name", ""),
                              ("_grad", None), ("_ctx", None)):
            d.setdefault(slot, default)
        for k, v in d.items():
            object.__setattr__(self, self._OLD_SLOTS.get(k, k), v)
        if "_vc" not in d and "_version" not in d:
            object.__setattr__(self, "_vc", VersionCounter())

    # -- requires_grad, grad_fn e is_leaf: en una vista, al día con su base --------------------
    @property
    def requires_grad(self) -> bool:
        v = self._view
        if v is not None and v.version != self._vc.value:
            self._sync_view(strict=False)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value) -> None:
        self._requires_grad = bool(value)

    @property
    def is_leaf(self) -> bool:
        v = self._view
        if v is not None and v.version != self._vc.value:
            self._sync_view()
        return self._ctx is None

    @property
    def grad_fn(self):
        v = self._view
        if v is not None and v.version != self._vc.value:
            self._sync_view()
        return self._ctx

    def _sync_view(self, strict: bool = True) -> None:
        """Rehace el nodo de una vista desde la historia actual de su base (tras un cambio in
        situ de la base o de otra vista suya): la vista es ``chain`` aplicado a la base, así que
        su gradiente vuelve por la operación in situ que la cambió (re-basado de PyTorch).

        Como PyTorch, no se re-basan (``strict``: ``RuntimeError`` al usarlas con gradiente) las
        vistas de varias salidas (``split``, ``unbind``...) ni las creadas en ``no_grad`` cuando su
        base pide gradiente."""
        v = self._view
        if (not v.grad or v.multi) and v.base._requires_grad:
            if strict:
                what = (f"es una de las vistas que devuelve {v.multi}()" if v.grad else "se creó dentro de no_grad()")
                raise RuntimeError(f"este tensor {what} y su base (u otra vista de ella) se modificó in situ "
                                   f"después: PyTorch no permite seguir usándolo con gradiente. Haz la operación "
                                   f"in situ antes de crear la vista, o usa .clone()")
            return
        v.version = self._vc.value
        if not v.grad:  # una vista creada sin gradiente de una base sin gradiente: nada que rehacer
            return
        t = v.base
        with enable_grad():
            for fn, kw in v.chain:
                t = fn.apply(t, **kw)
        self._ctx, self._requires_grad = t._ctx, t._requires_grad
        if t._ctx is not None:
            t._ctx.out_ref = weakref.ref(self)

    @property
    def _version(self) -> int:
        """Cuántas veces se ha modificado in situ su memoria (como ``x._version`` de PyTorch)."""
        return self._vc.value

    # -- protocolo de grafo (protocol.py), común con Value ---------------------------------
    def graph_parents(self) -> tuple:
        """Entradas de la operación que produjo el tensor (las liberadas, como ``GhostTensor``)."""
        return self._ctx.inputs if self._ctx is not None else ()

    def graph_op(self) -> str:
        return self._ctx.fn.__name__ if self._ctx is not None else ""

    def graph_label(self) -> str:
        return self.name

    def graph_shape(self) -> tuple:
        return tuple(self._data.shape)

    def graph_data(self):
        return self._data

    def graph_grad(self):
        return None if self._grad is None else self._grad._data

    def graph_key(self):
        # el nodo de un intermedio es su Context: el tensor y su fantasma comparten clave
        return id(self._ctx) if self._ctx is not None else id(self)

    # -- protocolo de parámetro (protocol.ParamNode), común con Value: lo que usa optim ------
    param_data = graph_data   # el ndarray del parámetro (optim lo actualiza in situ)
    param_grad = graph_grad

    def set_param(self, value) -> None:
        """Escribe ``value`` en el dato, in situ (los optimizadores): avanza la versión."""
        if value is not self._data:
            self._data[...] = value
        self._vc.value += 1

    def zero_param_grad(self, set_to_none: bool = True) -> None:
        if set_to_none:
            self._grad = None
        elif self._grad is not None:
            self._grad._data[...] = 0
            self._grad._vc.value += 1
