"""Las celdas recurrentes, un solo paso: ``RNNCell``, ``LSTMCell`` y ``GRUCell`` (como
``torch.nn.RNNCell``...). El bucle sobre el tiempo se escribe a mano (``h = cell(x_t, h)``); las capas
que lo recorren entero son ``nn.RNN``, ``nn.LSTM`` y ``nn.GRU`` (``rnn.py``). Las ecuaciones de cada
paso están en ``nn/functional/rnn.py``."""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ..functional import rnn as FR
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._utils import factory_dtype
from .rnn import _as_input, _check_dtype, _check_int

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNCellBase(Module):
    """Base de las celdas (un solo paso): ``weight_ih`` ``(k·H, I)``, ``weight_hh`` ``(k·H, H)``,
    ``bias_ih``, ``bias_hh`` ``(k·H,)``, U(−1/√H, 1/√H), con k = 1 (RNN), 4 (LSTM) o 3 (GRU).

    Args:
        input_size: I, características de la entrada.
        hidden_size: H, tamaño del estado.
        bias: con sesgos.
        num_chunks: k, el número de bloques de los pesos.
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Ejemplo: se usa a través de ``nn.RNNCell``, ``nn.LSTMCell`` y ``nn.GRUCell``.

    En PyTorch: ``torch.nn.RNNCellBase``.
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__()
        _check_int("input_size", input_size, 0)
        _check_int("hidden_size", hidden_size, 1)
        dt = factory_dtype(device, dtype)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(np.empty((num_chunks * hidden_size, input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((num_chunks * hidden_size, hidden_size), dtype=dt))
        self.bias_ih = Parameter(np.empty(num_chunks * hidden_size, dtype=dt)) if bias else None
        self.bias_hh = Parameter(np.empty(num_chunks * hidden_size, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Vuelve a sortear pesos y sesgos en U(−1/√H, 1/√H)."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx, n_states):
        op = type(self).__name__
        x = _as_input(input, op)
        if x.ndim not in (1, 2):
            raise ValueError(f"{op}: se esperaba una entrada 1-D (I,) o 2-D (B, I), pero tiene {x.ndim} "
                             f"dimensiones (forma {tuple(x.shape)})")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{op}: la entrada tiene {x.shape[-1]} características (forma {tuple(x.shape)}) y "
                               f"la celda espera input_size={self.input_size}")
        _check_dtype(op, x, self.weight_ih)
        unbatched = x.ndim == 1
        if unbatched:
            x = x.unsqueeze(0)
        shape = (x.shape[0], self.hidden_size)
        if hx is None:
            states = [Tensor._wrap(np.zeros(shape, dtype=x._data.dtype)) for _ in range(n_states)]
        else:
            states = list(hx) if n_states == 2 else [hx]
            if n_states == 2 and len(states) != 2:
                raise TypeError(f"{op}: hx debe ser una tupla (h, c)")
            states = [_as_input(s, op) for s in states]
            want = shape[1:] if unbatched else shape
            for k, s in enumerate(states):
                if tuple(s.shape) != want:
                    raise RuntimeError(f"{op}: el estado {'hc'[k] if n_states == 2 else 'h'} tiene forma "
                                       f"{tuple(s.shape)} y debe ser {want} "
                                       f"({'hidden_size' if unbatched else 'lote, hidden_size'})")
                _check_dtype(op, s, self.weight_ih)
                states[k] = s.unsqueeze(0) if unbatched else s
        return x, states, unbatched


class RNNCell(RNNCellBase):
    """Un paso de la RNN de Elman: ``h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`` (o ReLU). El bucle sobre
    el tiempo se escribe a mano, ``h = cell(x_t, h)``.

    Args:
        input_size: I, características de la entrada.
        hidden_size: H, tamaño del estado.
        bias: con sesgos (``True``).
        nonlinearity: ``'tanh'`` (por defecto) o ``'relu'``.
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Forma: entrada ``(N, I)`` o ``(I,)``; ``hx`` opcional ``(N, H)`` (ceros); salida ``(N, H)``.

    Ejemplo:
        >>> cell = nn.RNNCell(10, 20)
        >>> cell(torch.randn(3, 10)).shape
        torch.Size([3, 20])

    En PyTorch: ``torch.nn.RNNCell``.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, (h,), unbatched = self._prepare(input, hx, 1)
        if self.nonlinearity == "tanh":
            out = FR.rnn_tanh_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        elif self.nonlinearity == "relu":
            out = FR.rnn_relu_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        else:
            raise RuntimeError(f"RNNCell: nonlinearity desconocida {self.nonlinearity!r} (usa 'tanh' o 'relu')")
        return out.squeeze(0) if unbatched else out


class LSTMCell(RNNCellBase):
    """Un paso de la LSTM (ecuaciones en ``nn.LSTM``); devuelve ``(h', c')``.

    Args:
        input_size: I, características de la entrada.
        hidden_size: H, tamaño del estado y de la celda.
        bias: con sesgos (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Forma: entrada ``(N, I)`` o ``(I,)``; ``hx`` opcional ``(h, c)``, cada uno ``(N, H)``; salida
    ``(h', c')``, cada uno ``(N, H)``.

    Ejemplo:
        >>> h, c = nn.LSTMCell(10, 20)(torch.randn(3, 10))
        >>> h.shape, c.shape
        (torch.Size([3, 20]), torch.Size([3, 20]))

    En PyTorch: ``torch.nn.LSTMCell``.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        x, (h, c), unbatched = self._prepare(input, hx, 2)
        h, c = FR.lstm_cell(x, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """Un paso de la GRU (ecuaciones en ``nn.GRU``).

    Args:
        input_size: I, características de la entrada.
        hidden_size: H, tamaño del estado.
        bias: con sesgos (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Forma: entrada ``(N, I)`` o ``(I,)``; ``hx`` opcional ``(N, H)``; salida ``(N, H)``.

    Ejemplo:
        >>> nn.GRUCell(10, 20)(torch.randn(3, 10)).shape
        torch.Size([3, 20])

    En PyTorch: ``torch.nn.GRUCell``.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        x, (h,), unbatched = self._prepare(input, hx, 1)
        out = FR.gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out.squeeze(0) if unbatched else out
