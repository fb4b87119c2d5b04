"""``Tensor``: arrays de numpy que recuerdan cómo se calcularon.

Cada operación diferenciable es una subclase pequeña de ``Function`` con
``forward(ctx, ...)`` y ``backward(ctx, grad)``; ``Tensor`` sólo es la fachada
que llama a ``Function.apply``. El motor de ``backward`` recorre el grafo de
forma iterativa, reduce cada gradiente a la forma de su entrada
(``unbroadcast``) y comprueba esa forma tras cada paso.
"""
from __future__ import annotations

import contextlib
import numbers
import threading

import numpy as np

__all__ = ["Tensor", "Function", "Context", "no_grad", "enable_grad", "is_grad_enabled",
           "unbroadcast", "manual_seed", "default_rng"]

# --------------------------------------------------------------------------
# estado global: modo sin gradiente y generador aleatorio sembrable
# --------------------------------------------------------------------------
_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "grad_enabled", True)


class _GradMode(contextlib.ContextDecorator):
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        self.prev = is_grad_enabled()
        _state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


def no_grad():
    """Contexto (o decorador) en el que no se registra ninguna operación.

    >>> with no_grad():
    ...     y = x * 2          # y no tiene grafo
    """
    return _GradMode(False)


def enable_grad():
    return _GradMode(True)


_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Fija la semilla del generador que usan ``randn``, ``rand``, la inicialización, Dropout..."""
    global _rng
    _rng = np.random.default_rng(seed)


def default_rng() -> np.random.Generator:
    return _rng


# --------------------------------------------------------------------------
# utilidades de formas
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
        raise ValueError(f"formas incompatibles en '{op}': {desc} no se pueden combinar "
                         f"(broadcasting: cada eje debe coincidir o valer 1)") from None


# --------------------------------------------------------------------------
# Function y su contexto
# --------------------------------------------------------------------------
class Context:
    """Lo que una operación guarda en ``forward`` para usarlo en ``backward``."""

    __slots__ = ("saved_tensors", "needs_input_grad", "requires_grad", "inputs", "fn", "freed", "__dict__")

    def __init__(self):
        self.saved_tensors = ()
        self.freed = False

    def save_for_backward(self, *arrays):
        self.saved_tensors = arrays


class Function:
    """Operación diferenciable. Las subclases implementan dos métodos estáticos:

    ``forward(ctx, *arrays, **opciones) -> ndarray`` y
    ``backward(ctx, grad) -> gradiente o tupla de gradientes`` (uno por
    entrada tensorial, ``None`` si no hace falta). Los gradientes pueden tener
    la forma "con broadcasting": el motor los reduce con ``unbroadcast``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstracto
        raise NotImplementedError("cada Function define su forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstracto
        raise NotImplementedError("cada Function define su backward(ctx, grad)")

    @classmethod
    def apply(cls, *args, **kwargs) -> "Tensor":
        tensors = [a for a in args if isinstance(a, Tensor)]
        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        ctx = Context()
        ctx.needs_input_grad = tuple(t.requires_grad for t in tensors)
        # decidido antes del forward: una operación puede no guardar nada si no habrá backward
        ctx.requires_grad = requires = is_grad_enabled() and any(ctx.needs_input_grad)
        out_data = cls.forward(ctx, *arrays, **kwargs)
        out = Tensor._wrap(out_data, requires)
        if requires:
            ctx.inputs = tuple(tensors)
            ctx.fn = cls
            out._ctx = ctx
        return out


# --------------------------------------------------------------------------
# Tensor
# --------------------------------------------------------------------------
def _to_array(data, dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
    given64 = isinstance(data, (np.ndarray, np.floating)) and data.dtype == np.float64
    try:
        if isinstance(data, np.ndarray):
            arr = data
        else:
            arr = np.asarray(data)
    except (ValueError, TypeError) as e:
        raise TypeError(f"no se puede crear un Tensor a partir de {type(data).__name__}: {e}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"Tensor necesita datos numéricos; se recibió {type(data).__name__} "
                        f"con dtype {arr.dtype}")
    if dtype is None:
        dtype = np.float64 if given64 else np.float32
    return np.asarray(arr, dtype=dtype)


class Tensor:
    """Array de numpy con gradiente automático.

    ``Tensor(datos, requires_grad=False, dtype=None)``: por defecto float32;
    los arrays float64 se mantienen en float64. ``.grad`` es un ndarray (o
    ``None`` si aún no se ha calculado).
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "name", "_retain", "_hooks", "__weakref__")
    __array_priority__ = 1000  # para que ndarray + Tensor llame a Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str = ""):
        self.data = _to_array(data, dtype)
        self.grad = None
        self._ctx = None
        self.name = name
        self._retain = False
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data: np.ndarray, requires_grad: bool) -> "Tensor":
        t = cls.__new__(cls)
        t.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        t.grad = None
        t._ctx = None
        t.name = ""
        t._retain = False
        t._hooks = None
        t.requires_grad = requires_grad
        return t

    # -- propiedades --------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def size(self, dim=None):
        """Forma (como ``torch.Tensor.size()``) o el tamaño del eje ``dim``."""
        return self.shape if dim is None else self.shape[dim]

    def numel(self) -> int:
        return int(self.data.size)

    def dim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self):
        return None if self._ctx is None else self._ctx.fn

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() no está definido para un tensor 0-D")
        return len(self.data)

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(f"el valor de verdad de un tensor de {self.data.size} elementos es ambiguo "
                             f"(forma {self.shape}); usa .any() o .all()")
        return bool(self.data.reshape(-1)[0])

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def any(self):
        return bool(self.data.any())

    def all(self):
        return bool(self.data.all())

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None, copy=None):
        # np.asarray(tensor), matplotlib, etc. ven el ndarray (sin grafo)
        a = self.data if dtype is None else self.data.astype(dtype, copy=False)
        return a.copy() if copy else a

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item() sólo vale para tensores de un elemento; la forma es {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> "Tensor":
        """Mismo dato, sin grafo ni gradiente."""
        return Tensor._wrap(self.data, False)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(f"sólo los tensores de coma flotante pueden pedir gradiente; "
                            f"este tiene dtype {self.data.dtype} (usa dtype=np.float32 o float64)")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> "Tensor":
        """Conserva ``.grad`` también en un tensor intermedio (como en PyTorch)."""
        self._retain = True
        return self

    def register_hook(self, hook) -> None:
        """``hook(grad)`` se llama con el gradiente de este tensor durante ``backward``
        (útil para Grad-CAM); si devuelve algo, sustituye al gradiente."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)

    def astype(self, dtype) -> "Tensor":
        from .ops.elementwise import Cast
        return Cast.apply(self, dtype=np.dtype(dtype))

    def float(self):
        return self.astype(np.float32)

    def double(self):
        return self.astype(np.float64)

    def __repr__(self):
        extra = ""
        if self._ctx is not None:
            extra = f", grad_fn={self._ctx.fn.__name__}"
        elif self.requires_grad:
            extra = ", requires_grad=True"
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        return f"Tensor({body}, dtype={self.dtype}{extra})"

    __hash__ = object.__hash__

    # -- retropropagación -----------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Calcula los gradientes de este tensor respecto de las hojas con
        ``requires_grad=True`` y los acumula en su ``.grad``.

        Sin ``grad`` sólo vale para salidas escalares; si no, ``grad`` (ndarray o
        Tensor con la forma de la salida) es el gradiente que llega desde arriba.
        Libera lo guardado por las operaciones salvo con ``retain_graph=True``.
        """
        if not self.requires_grad:
            raise RuntimeError("este tensor no requiere gradiente ni tiene grafo: "
                               "crea las hojas con requires_grad=True")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward() sin argumento sólo vale para una salida escalar; "
                                   f"esta tiene forma {self.shape}. Pasa grad= con esa forma "
                                   f"o reduce antes (p. ej. .sum() o .mean())")
            grad = np.ones_like(self.data)
        else:
            grad = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
            if grad.shape != self.shape:
                raise ValueError(f"el gradiente dado tiene forma {grad.shape} y la salida {self.shape}")
            grad = grad.astype(self.dtype, copy=False)

        order = _topo_order(self)
        grads = {id(self): grad}
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._hooks:
                for h in node._hooks:
                    r = h(g)
                    if r is not None:
                        g = r.data if isinstance(r, Tensor) else np.asarray(r)
            ctx = node._ctx
            if ctx is None or node._retain:
                node.grad = g.copy() if node.grad is None else node.grad + g
            if ctx is None:
                continue
            if ctx.freed:
                raise RuntimeError(f"se intenta recorrer hacia atrás el grafo de '{ctx.fn.__name__}' por "
                                   f"segunda vez, pero ya se liberó lo que guardaba. Usa "
                                   f"backward(retain_graph=True) la primera vez")
            in_grads = ctx.fn.backward(ctx, g)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            for inp, ig in zip(ctx.inputs, in_grads):
                if ig is None or not inp.requires_grad:
                    continue
                ig = unbroadcast(np.asarray(ig), inp.shape)
                assert ig.shape == inp.shape, (
                    f"error interno en {ctx.fn.__name__}.backward: gradiente de forma {ig.shape} "
                    f"para una entrada de forma {inp.shape}")
                if ig.dtype != inp.dtype:
                    ig = ig.astype(inp.dtype)
                key = id(inp)
                prev = grads.get(key)
                grads[key] = ig if prev is None else prev + ig
            if not retain_graph:
                release = getattr(ctx.fn, "release", None)
                if release is not None:  # p. ej. devolver buffers reutilizables
                    release(ctx)
                ctx.saved_tensors = ()
                ctx.freed = True

    # -- creación -----------------------------------------------------------------
    @staticmethod
    def zeros(*shape, dtype=np.float32, requires_grad=False):
        return Tensor(np.zeros(_shape(shape), dtype=dtype), requires_grad=requires_grad)

    @staticmethod
    def ones(*shape, dtype=np.float32, requires_grad=False):
        return Tensor(np.ones(_shape(shape), dtype=dtype), requires_grad=requires_grad)

    @staticmethod
    def full(shape, value, dtype=np.float32, requires_grad=False):
        return Tensor(np.full(_shape((shape,)), value, dtype=dtype), requires_grad=requires_grad)

    @staticmethod
    def randn(*shape, dtype=np.float32, requires_grad=False, rng=None):
        r = rng if rng is not None else _rng
        return Tensor(r.standard_normal(_shape(shape)).astype(dtype), requires_grad=requires_grad)

    @staticmethod
    def rand(*shape, dtype=np.float32, requires_grad=False, rng=None):
        r = rng if rng is not None else _rng
        return Tensor(r.random(_shape(shape)).astype(dtype), requires_grad=requires_grad)

    @staticmethod
    def arange(*args, dtype=np.float32, requires_grad=False):
        return Tensor(np.arange(*args, dtype=dtype), requires_grad=requires_grad)

    @staticmethod
    def eye(n, m=None, dtype=np.float32, requires_grad=False):
        return Tensor(np.eye(n, m, dtype=dtype), requires_grad=requires_grad)

    @staticmethod
    def zeros_like(t, requires_grad=False):
        return Tensor(np.zeros_like(_arr(t)), requires_grad=requires_grad)

    @staticmethod
    def ones_like(t, requires_grad=False):
        return Tensor(np.ones_like(_arr(t)), requires_grad=requires_grad)

    @staticmethod
    def randn_like(t, requires_grad=False, rng=None):
        a = _arr(t)
        return Tensor.randn(*a.shape, dtype=a.dtype, requires_grad=requires_grad, rng=rng)

    @staticmethod
    def rand_like(t, requires_grad=False, rng=None):
        a = _arr(t)
        return Tensor.rand(*a.shape, dtype=a.dtype, requires_grad=requires_grad, rng=rng)


    # -- fachada de operaciones (cada una delega en una Function de ops/) ------------
    def _other(self, x):
        if isinstance(x, Tensor):
            return x
        if isinstance(x, (numbers.Number, np.number)) and not isinstance(x, (bool, np.bool_)):
            return Tensor._wrap(np.asarray(x, dtype=self.dtype), False)
        return Tensor(x, dtype=self.dtype if not isinstance(x, np.ndarray) else None)

    def __add__(self, o):
        return _E.Add.apply(self, self._other(o))

    def __radd__(self, o):
        return _E.Add.apply(self._other(o), self)

    def __sub__(self, o):
        return _E.Sub.apply(self, self._other(o))

    def __rsub__(self, o):
        return _E.Sub.apply(self._other(o), self)

    def __mul__(self, o):
        return _E.Mul.apply(self, self._other(o))

    def __rmul__(self, o):
        return _E.Mul.apply(self._other(o), self)

    def __truediv__(self, o):
        return _E.Div.apply(self, self._other(o))

    def __rtruediv__(self, o):
        return _E.Div.apply(self._other(o), self)

    def __pow__(self, o):
        if isinstance(o, (numbers.Number, np.number)) and not isinstance(o, Tensor):
            return _E.PowScalar.apply(self, p=float(o))
        return _E.Pow.apply(self, self._other(o))

    def __rpow__(self, o):
        return _E.Pow.apply(self._other(o), self)

    def __neg__(self):
        return _E.Neg.apply(self)

    def __matmul__(self, o):
        return _MM.MatMul.apply(self, self._other(o))

    def __rmatmul__(self, o):
        return _MM.MatMul.apply(self._other(o), self)

    def __getitem__(self, index):
        return _M.GetItem.apply(self, index=_M._norm_index(index))

    # comparaciones: devuelven Tensor booleano sin gradiente
    def _cmp(self, o, fn):
        o = o.data if isinstance(o, Tensor) else o
        return Tensor._wrap(fn(self.data, o), False)

    def __lt__(self, o):
        return self._cmp(o, np.less)

    def __le__(self, o):
        return self._cmp(o, np.less_equal)

    def __gt__(self, o):
        return self._cmp(o, np.greater)

    def __ge__(self, o):
        return self._cmp(o, np.greater_equal)

    def __eq__(self, o):  # elemento a elemento, como PyTorch (el hash sigue siendo por identidad)
        return self._cmp(o, np.equal)

    def __ne__(self, o):
        return self._cmp(o, np.not_equal)

    eq = __eq__
    ne = __ne__

    def add(self, o):
        return self + o

    def sub(self, o):
        return self - o

    def mul(self, o):
        return self * o

    def div(self, o):
        return self / o

    def pow(self, o):
        return self ** o

    def matmul(self, o):
        return self @ o

    def neg(self):
        return -self

    def exp(self):
        return _E.Exp.apply(self)

    def log(self):
        return _E.Log.apply(self)

    def sqrt(self):
        return _E.Sqrt.apply(self)

    def abs(self):
        return _E.Abs.apply(self)

    def tanh(self):
        return _E.Tanh.apply(self)

    def sigmoid(self):
        return _E.Sigmoid.apply(self)

    def relu(self):
        return _E.Relu.apply(self)

    def leaky_relu(self, negative_slope=0.01):
        return _E.LeakyRelu.apply(self, negative_slope=float(negative_slope))

    def clip(self, min=None, max=None):
        return _E.Clip.apply(self, lo=min, hi=max)

    clamp = clip

    def maximum(self, o):
        return _E.Maximum.apply(self, self._other(o))

    def minimum(self, o):
        return _E.Minimum.apply(self, self._other(o))

    # reducciones (axis/keepdims como numpy; dim/keepdim como PyTorch también valen)
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _axis_args(axis, keepdims, dim, keepdim)
        return _R.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _axis_args(axis, keepdims, dim, keepdim)
        return _R.Mean.apply(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims=False, correction=1, *, dim=None, keepdim=None, unbiased=None):
        axis, keepdims = _axis_args(axis, keepdims, dim, keepdim)
        if unbiased is not None:
            correction = 1 if unbiased else 0
        return _R.Var.apply(self, axis=axis, keepdims=keepdims, correction=correction)

    def std(self, axis=None, keepdims=False, correction=1, *, dim=None, keepdim=None):
        return self.var(axis, keepdims, correction, dim=dim, keepdim=keepdim).sqrt()

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Máximo; el gradiente va entero al primer elemento máximo (empates)."""
        axis, keepdims = _axis_args(axis, keepdims, dim, keepdim)
        return _R.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Mínimo; el gradiente va entero al primer elemento mínimo (empates)."""
        axis, keepdims = _axis_args(axis, keepdims, dim, keepdim)
        return _R.Min.apply(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None):
        return Tensor._wrap(np.argmax(self.data, axis=axis), False)

    def argmin(self, axis=None):
        return Tensor._wrap(np.argmin(self.data, axis=axis), False)

    def logsumexp(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _axis_args(axis, keepdims, dim, keepdim)
        return _R.LogSumExp.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis=-1, *, dim=None):
        return _R.Softmax.apply(self, axis=axis if dim is None else dim)

    def log_softmax(self, axis=-1, *, dim=None):
        return _R.LogSoftmax.apply(self, axis=axis if dim is None else dim)

    # movimiento
    def reshape(self, *shape):
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return _M.Reshape.apply(self, shape=shape)

    view = reshape

    def permute(self, *dims):
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return _M.Permute.apply(self, dims=dims)

    def transpose(self, dim0=-2, dim1=-1):
        """Intercambia dos ejes (por defecto, los dos últimos)."""
        if self.ndim < 2:
            return self
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(dims)

    @property
    def T(self):
        return self.permute(tuple(reversed(range(self.ndim))))

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        s, e = start_dim % self.ndim, end_dim % self.ndim
        shape = self.shape[:s] + (int(np.prod(self.shape[s:e + 1])),) + self.shape[e + 1:]
        return self.reshape(shape)

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            d = dim % self.ndim
            shape = self.shape if self.shape[d] != 1 else self.shape[:d] + self.shape[d + 1:]
        return self.reshape(shape)

    def unsqueeze(self, dim):
        d = dim % (self.ndim + 1)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def expand(self, *shape):
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        shape = tuple(self.shape[i - (len(shape) - self.ndim)] if n == -1 else n for i, n in enumerate(shape))
        return _M.Expand.apply(self, shape=shape)

    def pad(self, pad_width, value=0.0):
        return _M.Pad.apply(self, pad_width=pad_width, value=value)

    # capas de redes (delegan en nn.functional, sobre los núcleos numba)
    def conv2d(self, w, b=None, stride=1, padding=0):
        from .nn import functional as F
        return F.conv2d(self, w, b, stride, padding)

    def conv1d(self, w, b=None, stride=1, padding=0):
        from .nn import functional as F
        return F.conv1d(self, w, b, stride, padding)

    def max_pool2d(self, kernel_size=2, stride=None, padding=0):
        from .nn import functional as F
        return F.max_pool2d(self, kernel_size, stride, padding)

    def avg_pool2d(self, kernel_size=2, stride=None, padding=0):
        from .nn import functional as F
        return F.avg_pool2d(self, kernel_size, stride, padding)



def _axis_args(axis, keepdims, dim, keepdim):
    return (axis if dim is None else dim), (keepdims if keepdim is None else keepdim)


def where(cond, a, b) -> Tensor:
    """Elige ``a`` donde ``cond`` es cierto y ``b`` donde no (con broadcasting)."""
    cond = np.asarray(cond.data if isinstance(cond, Tensor) else cond, dtype=bool)
    ref = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else Tensor(a)
    return _E.Where.apply(ref._other(a), ref._other(b), cond=cond)


def _as_tensors(tensors):
    ts = list(tensors)
    if not ts:
        raise ValueError("se necesita al menos un tensor")
    ref = next((t for t in ts if isinstance(t, Tensor)), None)
    if ref is None:
        ref = Tensor(ts[0])
    return [ref._other(t) for t in ts]


def cat(tensors, axis=0, *, dim=None) -> Tensor:
    return _M.Cat.apply(*_as_tensors(tensors), axis=axis if dim is None else dim)


def stack(tensors, axis=0, *, dim=None) -> Tensor:
    return _M.Stack.apply(*_as_tensors(tensors), axis=axis if dim is None else dim)


def maximum(a, b) -> Tensor:
    return (a if isinstance(a, Tensor) else Tensor(a)).maximum(b)


def minimum(a, b) -> Tensor:
    return (a if isinstance(a, Tensor) else Tensor(a)).minimum(b)


from .ops import elementwise as _E, matmul as _MM, movement as _M, reduce as _R  # noqa: E402

def _arr(t):
    return t.data if isinstance(t, Tensor) else np.asarray(t)


def _shape(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"forma no válida {shape}: cada dimensión debe ser un entero ≥ 0")
    return tuple(int(s) for s in shape)


def _topo_order(root: Tensor, only_grad: bool = True) -> list:
    """Orden topológico iterativo (padres antes que hijos), con los padres en el orden de
    los operandos; con ``only_grad`` sólo los nodos que requieren gradiente."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if node._ctx is not None:
            for p in reversed(node._ctx.inputs):
                if (p.requires_grad or not only_grad) and id(p) not in visited:
                    stack.append((p, False))
    return order


