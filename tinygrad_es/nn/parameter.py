"""``Parameter``: un ``Tensor`` que el modelo aprende."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._dtype import get_default_dtype
from ..device import check_device
from .._tensor import Tensor
from ..autograd import TensorBase
from ..autograd.value import Value

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "Buffer", "is_parameter"]


class Parameter(Tensor):
    """Un ``Tensor`` que el modelo aprende: ``requires_grad=True`` y, asignado como atributo de un
    ``Module``, aparece en ``parameters()`` (lo que ve el optimizador) y en ``state_dict()``. Como en
    PyTorch, ``Parameter(t)`` comparte la memoria de ``t`` (no la copia).

    Args:
        data: el tensor, array o lista de valores (``None``: un tensor vacío).
        requires_grad: si aprende (``True``); sólo los de coma flotante pueden.

    Ejemplo:
        >>> class Escala(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.escala = nn.Parameter(torch.ones(1))
        ...     def forward(self, x):
        ...         return x * self.escala
        >>> [nombre for nombre, _ in Escala().named_parameters()]
        ['escala']
        >>> nn.Parameter(torch.tensor([1., 2.]))
        Parameter containing:
        tensor([1., 2.], requires_grad=True)

    En PyTorch: ``torch.nn.Parameter``.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        """Véase el docstring de la clase."""
        version = None
        if data is None:
            arr = np.empty((0,), dtype=get_default_dtype().np)
        elif isinstance(data, TensorBase):
            arr, version = data._data, data._vc
        elif isinstance(data, np.ndarray):
            arr = data
        else:  # listas y números de Python: float32 (como torch.tensor); un escalar de numpy, su dtype
            arr = np.asarray(data)
            if arr.dtype.kind == "f" and not isinstance(data, np.generic):
                arr = arr.astype(get_default_dtype().np)
        if requires_grad and arr.dtype.kind != "f":
            raise RuntimeError(f"sólo los tensores de coma flotante pueden requerir gradiente (el dato es {arr.dtype}); "
                               f"usa Parameter(t.float()) o requires_grad=False")
        src = TensorBase._wrap(arr, False, version)
        for slot in TensorBase.__slots__[:-1]:
            object.__setattr__(self, slot, getattr(src, slot))
        self.requires_grad = bool(requires_grad)

    def __repr__(self):
        """``Parameter containing:`` y el tensor, como PyTorch."""
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        """Para ``pickle``/``copy``: se reconstruye con una copia de los datos y ``requires_grad``."""
        return (_rebuild, (self._data.copy(), self.requires_grad))


def factory_dtype(device=None, dtype=None) -> np.dtype:
    """El dtype de numpy para crear parámetros (``device`` sólo puede ser la CPU)."""
    check_device(device)
    if dtype is None:
        return D.get_default_dtype().np
    npd = D.np_dtype(dtype)
    if npd.kind != "f":
        raise TypeError(f"los parámetros de una capa deben ser de coma flotante, no {D.as_dtype(dtype)}")
    return npd


class _Uninitialized:
    """Lo común de ``UninitializedParameter`` y ``UninitializedBuffer``: un tensor sin forma todavía
    (la de las capas ``Lazy*`` antes de su primera pasada). ``materialize(forma)`` le da memoria en
    su sitio —el mismo objeto, así un optimizador creado antes lo sigue viendo— y lo convierte en
    un ``Parameter`` (o un ``Tensor``) normal."""

    __slots__ = ()
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Le da memoria (sin inicializar) con la forma ``shape`` en el mismo objeto y lo convierte en un
        ``Parameter`` (o un ``Tensor``).

        Args:
            shape: la forma, un entero o una tupla.
            device: ``"cpu"`` o ``None``.
            dtype: el dtype (``None``: el que tenía).
        """
        npd = factory_dtype(device, dtype if dtype is not None else self._data.dtype)
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
        self._data = np.empty(shape, dtype=npd)
        self._vc.value += 1
        self.__class__ = self.cls_to_become

    def _no_shape(self, what):
        raise RuntimeError(f"no se puede consultar {what} de un parámetro o buffer sin inicializar (el de una "
                           f"capa Lazy*): pasa antes una entrada por el modelo para que deduzca su forma")

    @property
    def shape(self):
        self._no_shape("la forma")

    def size(self, dim=None):
        """Error: aún no tiene forma."""
        self._no_shape("el tamaño")

    def numel(self):
        """Error: aún no tiene forma."""
        self._no_shape("el número de elementos")

    @property
    def ndim(self):
        self._no_shape("el número de ejes")

    def __repr__(self):
        """``<UninitializedParameter>`` o ``<UninitializedBuffer>``."""
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, proto):
        """Error: no se puede guardar sin forma."""
        raise RuntimeError(f"no se puede guardar un {type(self).__name__}: pasa antes una entrada por el modelo")


class UninitializedParameter(_Uninitialized, Parameter):
    """El peso de una capa ``Lazy*`` (``nn.LazyLinear``...) antes de saber su forma.
    ``materialize((3, 4))`` lo convierte en un ``Parameter`` de esa forma (sin inicializar: la capa llama
    después a ``reset_parameters``). Consultar su forma antes es un ``RuntimeError`` claro.

    Args:
        requires_grad: si aprende (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: el dtype (``None``: el por defecto, float32).

    Ejemplo:
        >>> p = nn.UninitializedParameter()
        >>> p.materialize((2, 3))
        >>> type(p).__name__, p.shape
        ('Parameter', torch.Size([2, 3]))

    En PyTorch: ``torch.nn.UninitializedParameter``.
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(np.empty((0,), dtype=factory_dtype(device, dtype)), requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """Un buffer (el ``running_mean`` de ``LazyBatchNorm2d``) sin forma todavía; ``materialize(forma)`` lo
    convierte en un ``Tensor``.

    Args:
        requires_grad: si requiere gradiente (``False``).
        device: ``"cpu"`` o ``None``.
        dtype: el dtype (``None``: float32).

    Ejemplo:
        >>> b = nn.UninitializedBuffer()
        >>> b.materialize(4)
        >>> type(b).__name__, b.shape
        ('Tensor', torch.Size([4]))

    En PyTorch: ``torch.nn.UninitializedBuffer``.
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        """Crea el buffer vacío (véase el docstring de la clase)."""
        t = Tensor._wrap(np.empty((0,), dtype=factory_dtype(device, dtype)))
        t.__class__ = cls
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None):
        """Véase el docstring de la clase."""
        pass


def _rebuild(data, requires_grad):
    return Parameter(data, requires_grad)


def is_parameter(x) -> bool:
    """¿Lo aprende el modelo? Un ``Parameter`` o una hoja ``Value`` (las neuronas escalares de
    ``nn/scalar.py``): lo que recogen ``parameters()`` y ``state_dict()``."""
    return isinstance(x, Parameter) or (isinstance(x, Value) and x.is_leaf)


class _BufferMeta(type):
    """``isinstance(t, nn.Buffer)`` es cierto para los tensores marcados por ``nn.Buffer`` (como PyTorch)."""

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """Un tensor que, asignado como atributo de un ``Module``, se registra como buffer (estado que no se
    entrena pero viaja con el modelo: ``state_dict``, ``.to()``, ``buffers()``). Asignar un ``Tensor``
    normal no lo registra; ``nn.Buffer(t)`` equivale a ``self.register_buffer(nombre, t, persistent)``.

    Args:
        data: el tensor (``None``: uno vacío). Se guarda una vista separada del grafo (``detach``) que
            conserva ``requires_grad``.
        persistent: si es ``False``, no entra en ``state_dict`` (``True``).

    Ejemplo:
        >>> class Escala(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.factor = nn.Buffer(torch.tensor([2.]))
        >>> list(Escala().state_dict())
        ['factor']

    En PyTorch: ``torch.nn.Buffer``.
    """

    def __new__(cls, data=None, *, persistent=True):
        """Devuelve ``data`` separado del grafo y marcado como buffer (véase el docstring de la clase)."""
        t = Tensor._wrap(np.empty(0, dtype=get_default_dtype().dtype)) if data is None else data
        if not isinstance(t, Tensor):
            raise TypeError(f"nn.Buffer: data debe ser un Tensor, no {type(t).__name__}")
        t = t.detach().requires_grad_(t.requires_grad)
        t.persistent, t._is_buffer = persistent, True
        return t
