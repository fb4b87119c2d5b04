"""``Tensor``: un array de numpy que recuerda cómo se calculó.

Es una fachada fina: el estado y el motor de ``backward`` están en ``autograd/``; cada operación
es una ``ArrayFunction`` de ``ops/`` y los métodos que la llaman están en los mixins de este paquete, uno
por familia (``arithmetic.py``, ``pointwise.py``, ``reduce.py``, ``shape.py``, ``rearrange.py``,
``index.py``, ``sort.py``, ``convert.py``, ``inplace.py``). Aquí queda lo propio del objeto:
creación, forma, ``.grad``/``.data``, conversión a números de Python, hooks y ``backward``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from ..autograd import GhostTensor, TensorBase, is_grad_enabled, run_backward
from ..autograd import backward as autograd_backward
from ..autograd.forward_ad import tangent_of
from ..autograd.higher_order import in_strict_graph
from ..autograd.hooks import add_hook
from ..device import device
from ._args import norm_dim, to_array
from .joins import stack
from .arithmetic import ArithmeticMixin
from .blas import BlasMixin
from .convert import ConvertMixin
from .index import IndexMixin
from .inplace import InplaceMixin
from .pointwise import PointwiseMixin
from .printing import tensor_repr
from .rearrange import RearrangeMixin
from .reduce import ReduceMixin
from .shape import ShapeMixin
from .sort import SortMixin
from .storage import StorageMixin
from .special import SpecialMixin
from .stacking import StackingMixin
from .statistics import StatisticsMixin
from .spectral import SpectralMixin
from .histogram import HistogramMixin
from .new import NewMixin
from .random import RandomMixin

__all__ = ["Tensor", "Size"]


class Size(tuple):
    """Forma de un tensor (como ``torch.Size``): una tupla con ``numel()``."""

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    def __repr__(self):  # print(x.shape) como en PyTorch
        return f"torch.Size({list(self)})"

    __str__ = __repr__  # también f"{x.shape}" (los mensajes de error usan tuple(x.shape): (3, 4))

    # como torch.Size: cortar, concatenar y repetir dan otra Size (x.shape[1:] es torch.Size([3]))
    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other))) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


class Tensor(TensorBase, ArithmeticMixin, ReduceMixin, ShapeMixin, InplaceMixin, ConvertMixin, PointwiseMixin,
             IndexMixin, SortMixin, RearrangeMixin, SpectralMixin, RandomMixin, NewMixin, HistogramMixin,
             SpecialMixin, BlasMixin, StackingMixin, StatisticsMixin, StorageMixin):
    """Array con gradiente automático (como ``torch.Tensor``).

    ``Tensor(datos)`` crea un tensor de coma flotante (float32, como ``torch.Tensor``);
    ``Tensor(2, 3)`` uno de forma (2, 3) con ceros. Para deducir el dtype (enteros → int64) usa
    ``tinygrad_es.tensor(datos)``. ``.grad`` es un Tensor (o ``None``); ``.data`` un Tensor sin
    grafo que comparte memoria.
    """

    __slots__ = ()
    __array_priority__ = 1000  # para que ndarray + Tensor llame a Tensor.__radd__

    def __init__(self, *args, dtype=None, requires_grad: bool = False, name: str = ""):
        """Crea un tensor (véase el docstring de la clase); mejor ``torch.tensor(datos)`` o ``torch.zeros(...)``."""
        if len(args) == 1 and not isinstance(args[0], (bool, np.bool_)) and isinstance(args[0], numbers.Integral):
            args = ((int(args[0]),),)
            data = np.zeros(args[0], dtype=D.np_dtype(dtype or D.get_default_dtype()))
        elif len(args) > 1 or (len(args) == 1 and isinstance(args[0], Size)):
            shape = args[0] if len(args) == 1 else args
            if not all(isinstance(s, numbers.Integral) and s >= 0 for s in shape):
                raise TypeError(f"Tensor(*forma): cada dimensión debe ser un entero ≥ 0, no {tuple(shape)}")
            data = np.zeros(tuple(int(s) for s in shape), dtype=D.np_dtype(dtype or D.get_default_dtype()))
        elif not args:
            data = np.zeros((0,), dtype=D.np_dtype(dtype or D.get_default_dtype()))
        else:
            data = to_array(args[0], dtype or D.get_default_dtype())
            if data is getattr(args[0], "_data", args[0]) and isinstance(args[0], (np.ndarray, TensorBase)):
                data = data.copy()
        src = TensorBase._wrap(data)
        for slot in TensorBase.__slots__[:-1]:
            object.__setattr__(self, slot, getattr(src, slot))
        self.name = name
        if requires_grad:
            self.requires_grad_(True)

    # -- propiedades --------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def dtype(self):
        return D._BY_NP[self._data.dtype]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def device(self):
        return device("cpu")

    is_cuda = False

    def size(self, dim=None):
        """Forma (como ``torch.Tensor.size()``) o el tamaño del eje ``dim``."""
        if dim is None:
            return self.shape
        return self._data.shape[self._dim(dim)]

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def dim(self) -> int:
        return self._data.ndim

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def _is_view(self) -> bool:
        """``True`` si comparte la memoria de otro tensor del que es una vista (``x[0]``, ``x.T``...)."""
        return self._view is not None

    @property
    def _base(self):
        """La base de una vista (el tensor cuya memoria comparte) o ``None``."""
        return None if self._view is None else self._view.base

    def _dim(self, dim) -> int:
        """Normaliza un eje con la regla de PyTorch (un 0-D admite 0 y −1)."""
        return norm_dim(dim, self._data.ndim)

    # -- grad y data como en PyTorch ---------------------------------------------------
    @property
    def grad(self):
        """Gradiente acumulado (Tensor) o ``None``."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is None:
            self._grad = None
            return
        if not isinstance(value, TensorBase):
            value = Tensor(value, dtype=self.dtype)
        if value._data.shape != self._data.shape:
            raise RuntimeError(f"el gradiente asignado tiene forma {tuple(value._data.shape)} y el tensor"
                               f" {tuple(self._data.shape)}")
        if value._data.dtype != self._data.dtype:
            raise RuntimeError(f"el gradiente asignado es {value._data.dtype} y el tensor {self._data.dtype}")
        self._grad = value

    @property
    def data(self) -> "Tensor":
        """El mismo dato sin grafo; comparte la memoria pero **no** el contador de versiones (como
        en PyTorch: lo que se cambie a través de ``.data`` no lo vigila autograd; ``detach()`` sí)."""
        return TensorBase._wrap(self._data, False)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, TensorBase) else to_array(value)

    @property
    def retains_grad(self) -> bool:
        return self._retain

    def detach(self) -> "Tensor":
        """Mismo dato (compartido), sin grafo ni gradiente."""
        return TensorBase._wrap(self._data, False, self._vc)

    def detach_(self) -> "Tensor":
        if self._view is not None and self._view.grad:
            raise RuntimeError("detach_() no se puede usar en una vista; usa detach(), que no modifica el tensor")
        self._ctx = None
        self._requires_grad = False
        return self

    def numpy(self) -> np.ndarray:
        """El ndarray (comparte memoria). Como en PyTorch, falla si el tensor tiene grafo."""
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError("no se puede llamar a numpy() en un tensor que requiere gradiente; "
                               "usa tensor.detach().numpy()")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad and in_strict_graph():
            raise RuntimeError("un backward de orden superior intentó convertir en ndarray un tensor que "
                               "requiere gradiente: su derivada se perdería (error interno de la operación)")
        a = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return a.copy() if copy else a

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"item() sólo vale para tensores de un elemento; la forma es "
                               f"{tuple(self._data.shape)}")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() no está definido para un tensor 0-D")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("no se puede iterar sobre un tensor 0-D")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"el valor de verdad de un tensor de {self._data.size} elementos es ambiguo "
                               f"(forma {tuple(self._data.shape)}); usa .any() o .all()")
        return bool(self._data.reshape(-1)[0])

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("sólo un tensor entero de un elemento se puede usar como índice")
        return int(self._data.reshape(-1)[0])

    def __hash__(self):
        """Por identidad (``id``), como PyTorch: un tensor sirve de clave de un dict (el estado del optimizador)."""
        return id(self)

    def __format__(self, spec):
        # f"{loss:.4f}" vale para tensores de un elemento, como en PyTorch
        """``f"{loss:.4f}"``: con formato, un tensor de un elemento se formatea como su número (como PyTorch)."""
        if spec and self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    def __repr__(self):
        """Como PyTorch (``_tensor/printing.py``): ``tensor([-0.1100,  0.2000], requires_grad=True)``."""
        tan = tangent_of(self)  # un tensor dual muestra su tangente, como PyTorch
        return tensor_repr(self._data, self.dtype, self._ctx.name() if self._ctx is not None else None,
                           self.requires_grad, tangent=None if tan is None else repr(tan))

    # -- gradiente ----------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Activa (o desactiva) el registro de operaciones para el gradiente, in situ, y devuelve el tensor;
        sólo en hojas de coma flotante.
        """
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(f"sólo los tensores de coma flotante pueden requerir gradiente; "
                               f"este es {self.dtype} (usa .float() o dtype=tinygrad_es.float32)")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("sólo se puede cambiar requires_grad en hojas; usa .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Conserva ``.grad`` también en un tensor intermedio (como en PyTorch)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() en un tensor que no requiere gradiente")
        if self._ctx is not None:
            self._retain = True

    def register_hook(self, hook):
        """``hook(grad)`` se llama con el gradiente (un Tensor) de este tensor durante ``backward``;
        si devuelve un tensor, lo sustituye. Devuelve un ``RemovableHandle`` (``.remove()``, ``.id``)."""
        if not self.requires_grad:
            raise RuntimeError("no se puede registrar un hook en un tensor que no requiere gradiente")
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Calcula los gradientes de este tensor respecto de las hojas con ``requires_grad=True`` y
        los acumula en su ``.grad``. Sin ``gradient`` sólo vale para salidas de un elemento.
        Libera lo guardado por las operaciones salvo con ``retain_graph=True``.

        ``create_graph=True`` deja en ``.grad`` tensores con grafo, que se pueden derivar otra vez
        (derivadas de orden superior; ``retain_graph`` pasa a ser ``True``). ``inputs``: acumular
        sólo en esos tensores (como ``torch.Tensor.backward``).

        >>> x = tensor(2.0, requires_grad=True)
        >>> (x ** 3).backward(create_graph=True)     # x.grad = 3x² = 12, con grafo
        >>> g = x.grad; x.grad = None
        >>> g.backward(); x.grad                      # d(3x²)/dx = 6x = 12
        tensor(12.)
        """
        v = self._view
        if v is not None and v.version != self._vc.value:
            self._sync_view()  # vista cuya base cambió in situ: historia nueva (o RuntimeError, como PyTorch)
        if not self.requires_grad:
            raise RuntimeError("este tensor no requiere gradiente ni tiene grafo (grad_fn): crea las "
                               "hojas con requires_grad=True y no calcules dentro de no_grad()")
        if gradient is None and self._data.size != 1:
            raise RuntimeError(f"backward() sin argumento sólo vale para una salida escalar; ésta tiene "
                               f"forma {tuple(self._data.shape)}. Pasa gradient= con esa forma o "
                               f"reduce antes (p. ej. .sum() o .mean())")
        if gradient is not None and not isinstance(gradient, (TensorBase, np.ndarray, int, float)):
            raise TypeError(f"backward: gradient debe ser un Tensor (con la forma de la salida) o None, no "
                            f"{type(gradient).__name__}")
        if inputs is None and not create_graph:  # el camino de siempre, sin rodeos
            if gradient is None:
                g = np.ones_like(self._data)
            else:
                g = gradient._data if isinstance(gradient, TensorBase) else np.asarray(gradient)
                if g.shape != self._data.shape:
                    raise RuntimeError(f"el gradiente dado tiene forma {tuple(g.shape)} y la salida "
                                       f"{tuple(self._data.shape)}")
                g = g.astype(self._data.dtype, copy=False)
            run_backward(self, g, bool(retain_graph))
            return
        autograd_backward(self, gradient, retain_graph, create_graph, inputs)


TensorBase._register(Tensor, stack)  # _wrap y ArrayFunction.apply crean Tensor
# ctx.inputs devuelve GhostTensor para las entradas ya liberadas: que se parezcan a un Tensor
GhostTensor.size = lambda self, dim=None: Size(self.shape) if dim is None else self.shape[dim]
