"""Tipos y dispositivo de un ``Module``: ``to``, ``float``, ``double``, ``half``, ``type``, ``cpu``, ``cuda``.

Sólo hay CPU, así que cambiar de dispositivo no hace nada (``cuda`` lo explica con un error) y cambiar
de dtype convierte in situ los datos de parámetros y buffers: los ``Parameter`` siguen siendo los mismos
objetos y un optimizador creado antes sigue valiendo.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..device import check_device

__all__ = ["ConvertMixin"]


class ConvertMixin:
    """Conversión de tipo y dispositivo de los parámetros y buffers (parte de ``Module``)."""

    def _apply(self, convert, floating_only=True):
        for t in list(self.parameters()) + list(self.buffers()):
            if not isinstance(t, Tensor) or (floating_only and t._data.dtype.kind != "f"):
                continue
            new = convert(t._data)
            if new is not t._data:
                t._data = new
                t._vc.value += 1
                if t.grad is not None:
                    t.grad._data = convert(t.grad._data)
        return self

    def to(self, *args, **kwargs):
        """``to('cpu')``, ``to(torch.float64)``, ``to(tensor)``: sólo hay CPU, así que sólo cambia el
        dtype de parámetros y buffers de coma flotante (in situ: los optimizadores siguen valiendo)."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None), kwargs.pop("memory_format", None), kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to() no admite los argumentos {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (D.dtype, np.dtype, type)) and not isinstance(a, bool):
                dtype = a
            elif isinstance(a, bool):
                continue
            else:
                device = a
        check_device(device)
        if dtype is not None:
            npd = D.np_dtype(dtype)
            if npd.kind != "f":
                raise TypeError(f"Module.to sólo admite dtypes de coma flotante, no {D.as_dtype(dtype)}")
            self._apply(lambda a: a.astype(npd, copy=False) if a.dtype != npd else a)
        return self

    def cpu(self):
        """No hace nada: sólo hay CPU. Devuelve ``self``."""
        return self

    def cuda(self, device=None):
        """Error en español: tinygrad_es sólo usa la CPU (``device`` no cambia nada)."""
        check_device("cuda")

    def float(self):
        """Parámetros y buffers de coma flotante a float32 (in situ)."""
        return self.to(np.float32)

    def double(self):
        """Parámetros y buffers de coma flotante a float64 (in situ; para ``gradcheck``)."""
        return self.to(np.float64)

    def half(self):
        """Parámetros y buffers de coma flotante a float16 (in situ)."""
        return self.to(np.float16)

    def type(self, dst_type):
        """Todos los parámetros y buffers al dtype ``dst_type`` (in situ)."""
        npd = D.np_dtype(dst_type)
        return self._apply(lambda a: a.astype(npd, copy=False), floating_only=False)

    def to_empty(self, *, device, recurse: bool = True):
        """Parámetros y buffers (y sus gradientes) a memoria nueva sin inicializar en ``device`` (sólo
        ``'cpu'``), como ``torch.nn.Module.to_empty``: los valores son basura hasta que los inicialices
        (``reset_parameters()``, ``load_state_dict``). Con ``recurse=False``, sólo los de este módulo.
        Devuelve ``self``."""
        check_device(device)
        for t in list(self.parameters(recurse)) + list(self.buffers(recurse)):
            if isinstance(t, Tensor):
                t._data = np.empty_like(t._data)
                t._vc.value += 1
                if t.grad is not None:
                    t.grad._data = np.empty_like(t.grad._data)
        return self

    def share_memory(self):
        """No hace nada (los workers del DataLoader comparten memoria con ``fork``). Devuelve ``self``."""
        return self
