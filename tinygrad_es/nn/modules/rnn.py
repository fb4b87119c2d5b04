"""Capas recurrentes: ``RNN``, ``LSTM`` y ``GRU`` (sus celdas, ``RNNCell``..., están en ``rnn_cell.py``).

Mismos nombres, argumentos, formas, nombres de parámetros (``weight_ih_l0``,
``weight_hh_l0_reverse``, ``weight_hr_l0``…), inicialización U(−1/√H, 1/√H) y ecuaciones
que PyTorch: un ``state_dict`` pasa de una a otra biblioteca sin tocar nada.

Formas (L = num_layers, D = 2 si bidirectional, H = hidden_size, P = proj_size o H):

* entrada (T, B, I) (o (B, T, I) con ``batch_first``; (T, I) sin lote; o un ``PackedSequence``);
* ``h_0`` (D·L, B, P) y, en la LSTM, ``c_0`` (D·L, B, H): ceros si no se dan;
* salida (T, B, D·P): el ``h_t`` de la última capa en cada paso; ``h_n`` (D·L, B, P) el del último paso.

La capa entera (una dirección) es un nodo del grafo (``ops/rnn.py``): la retropropagación a
través del tiempo va dentro. Las celdas (``rnn_cell.py``), en cambio, son operaciones de ``Tensor`` a la vista.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._tensor import Tensor
from ..._validate import choice, integer, number
from ..functional import rnn as FR
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, packed_to_padded, padded_to_packed
from ._utils import factory_dtype

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _check_int(name, v, minimum):
    integer(v, name, low=minimum)  # TypeError si no es entero; ValueError (como PyTorch) si es pequeño


def _as_input(x, op):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, list, tuple)):
        return Tensor(x)
    raise TypeError(f"{op}: la entrada debe ser un Tensor, no {type(x).__name__}")


def _check_dtype(op, x, w):
    if x.dtype != w.dtype:
        raise ValueError(f"{op}: la entrada es {x.dtype} y los pesos {w.dtype}; convierte la entrada "
                         f"(input.to({w.dtype})) o el modelo (model.to({x.dtype}))")


class RNNBase(Module):
    """Base de ``RNN``, ``LSTM`` y ``GRU``: crea los pesos de cada capa y dirección con los nombres de
    PyTorch (``weight_ih_l0``, ``bias_hh_l1_reverse``...) y recorre la pila de capas. Se usa a través de
    sus subclases.

    Args:
        mode: ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'`` o ``'GRU'``.
        input_size: I, las características de cada paso de la entrada.
        hidden_size: H, el tamaño del estado oculto.
        num_layers: capas apiladas (``1``).
        bias: con sesgos ``b_ih`` y ``b_hh`` (``True``).
        batch_first: entrada y salida ``(N, L, ·)`` en vez de ``(L, N, ·)`` (``False``; no afecta a
            ``h_n``).
        dropout: probabilidad de dropout a la salida de cada capa salvo la última (``0.0``).
        bidirectional: recorre la secuencia también al revés y concatena (``False``).
        proj_size: sólo LSTM: proyecta h a ese tamaño (``0``: sin proyección).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Ejemplo:
        >>> nn.RNNBase("LSTM", 4, 3)
        RNNBase(4, 3)

    En PyTorch: ``torch.nn.RNNBase``.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        if mode not in _GATES:
            raise ValueError(f"modo de RNN desconocido: {mode!r} (usa 'LSTM', 'GRU', 'RNN_TANH' o 'RNN_RELU')")
        _check_int("input_size", input_size, 0)
        _check_int("hidden_size", hidden_size, 1)
        _check_int("num_layers", num_layers, 1)
        _check_int("proj_size", proj_size, 0)
        number(dropout, "dropout (probabilidad de anular cada elemento)", name, low=0.0, high=1.0,
               type_exc=ValueError)
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: el dropout se aplica entre capas (tras todas menos la última), así que con "
                          f"num_layers=1 no hace nada (dropout={dropout}, num_layers={num_layers})", UserWarning,
                          stacklevel=3)
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size sólo existe en la LSTM, no en RNN ni GRU")
        if proj_size >= hidden_size:
            raise ValueError(f"proj_size ({proj_size}) debe ser menor que hidden_size ({hidden_size})")
        dt = factory_dtype(device, dtype)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        D = 2 if bidirectional else 1
        gate = _GATES[mode] * hidden_size
        real_h = proj_size if proj_size > 0 else hidden_size
        names = []
        for layer in range(num_layers):
            for d in range(D):
                size_in = input_size if layer == 0 else real_h * D
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                shapes = [("weight_ih", (gate, size_in)), ("weight_hh", (gate, real_h))]
                if bias:
                    shapes += [("bias_ih", (gate,)), ("bias_hh", (gate,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                for base, shape in shapes:
                    setattr(self, base + sfx, Parameter(np.empty(shape, dtype=dt)))
                    names.append(base + sfx)
        self._flat_weights_names = names
        self._all_weights_names = [names[i:i + len(names) // (num_layers * D)]
                                   for i in range(0, len(names), len(names) // (num_layers * D))]
        self.reset_parameters()

    def reset_parameters(self):
        """U(−1/√H, 1/√H) para todos los pesos y sesgos (como PyTorch)."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def flatten_parameters(self):
        """No hace nada (en PyTorch compacta los pesos para cuDNN)."""

    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights_names]

    def _layer_weights(self):
        out = []
        for names in self._all_weights_names:
            d = {n.split("_l")[0]: getattr(self, n) for n in names}
            out.append((d["weight_ih"], d["weight_hh"], d.get("bias_ih"), d.get("bias_hh"), d.get("weight_hr")))
        return out

    def extra_repr(self):
        # como PyTorch: sólo lo que difiere del valor por defecto, en este orden
        defaults = (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False), ("dropout", 0),
                    ("bidirectional", False))
        return ", ".join([f"{self.input_size}, {self.hidden_size}"] +
                         [f"{k}={getattr(self, k)}" for k, d in defaults if getattr(self, k) != d])

    # -- forward ------------------------------------------------------------------------------------
    def _state_shapes(self, batch):
        D = 2 if self.bidirectional else 1
        P = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * D, batch, P), (self.num_layers * D, batch, self.hidden_size)

    def _run(self, input, hx, fused=True):
        """Devuelve (salida, h_n, c_n) con la forma de la entrada (rellenada, empaquetada o sin lote)."""
        op = type(self).__name__
        w0 = getattr(self, self._flat_weights_names[0])
        packed = isinstance(input, PackedSequence)
        is_lstm = self.mode == "LSTM"
        if packed:
            data = input.data
            _check_dtype(op, data, w0)
            if data.ndim != 2 or data.shape[-1] != self.input_size:
                raise RuntimeError(f"{op}: los datos empaquetados deben tener forma (N, {self.input_size}), no "
                                   f"{tuple(data.shape)}")
            bs = input.batch_sizes._data.astype(np.int64)
            x = packed_to_padded(data, bs)
            batch, unbatched = int(bs[0]), False
        else:
            x = _as_input(input, op)
            if x.ndim not in (2, 3):
                raise ValueError(f"{op}: se esperaba una entrada 2-D (T, I) o 3-D (T, B, I), pero tiene "
                                 f"{x.ndim} dimensiones (forma {tuple(x.shape)})")
            if x.shape[-1] != self.input_size:
                raise RuntimeError(f"{op}: la entrada tiene {x.shape[-1]} características en el último eje "
                                   f"(forma {tuple(x.shape)}) y la capa espera input_size={self.input_size}")
            _check_dtype(op, x, w0)
            unbatched = x.ndim == 2
            bs = None
            if unbatched:
                x = x.unsqueeze(1)
            elif self.batch_first:
                x = x.transpose(0, 1)
            if x.shape[0] == 0:
                raise RuntimeError(f"{op}: la secuencia tiene longitud 0 (se necesita al menos un paso)")
            batch = x.shape[1]
        x = x.contiguous()
        hshape, cshape = self._state_shapes(batch)
        h0, c0 = self._initial_state(hx, is_lstm, unbatched, hshape, cshape, x, op)
        if packed and input.sorted_indices is not None:
            h0 = h0.index_select(1, input.sorted_indices)
            c0 = c0.index_select(1, input.sorted_indices) if c0 is not None else None
        y, hn, cn = FR.rnn_layers(self.mode, x, h0, c0, self._layer_weights(), self.num_layers, self.bidirectional,
                                  self.dropout, self.training, batch_sizes=bs, fused=fused)
        if packed:
            out = PackedSequence(padded_to_packed(y, bs), input.batch_sizes, input.sorted_indices,
                                 input.unsorted_indices)
            if input.unsorted_indices is not None:
                hn = hn.index_select(1, input.unsorted_indices)
                cn = cn.index_select(1, input.unsorted_indices) if cn is not None else None
            return out, hn, cn
        if unbatched:
            return y.squeeze(1), hn.squeeze(1), (cn.squeeze(1) if cn is not None else None)
        if self.batch_first:
            y = y.transpose(0, 1)
        return y, hn, cn

    def _initial_state(self, hx, is_lstm, unbatched, hshape, cshape, x, op):
        zeros = lambda s: Tensor._wrap(np.zeros(s, dtype=x._data.dtype))  # noqa: E731
        if hx is None:
            return zeros(hshape), (zeros(cshape) if is_lstm else None)
        if is_lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{op}: hx debe ser una tupla (h_0, c_0), no {type(hx).__name__}")
            h, c = (_as_input(t, op) for t in hx)
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(f"{op}: hx debe ser un Tensor (h_0), no una tupla")
            h, c = _as_input(hx, op), None
        want = 2 if unbatched else 3
        got = [t for t in (h, c) if t is not None]
        if any(t.ndim != want for t in got):
            dims = ", ".join(f"{t.ndim}-D" for t in got)
            raise RuntimeError(f"{op}: con una entrada {'2-D sin lote' if unbatched else '3-D con lote'} el estado "
                               f"inicial también debe ser {want}-D, y es {dims}")
        if unbatched:
            h = h.unsqueeze(1)
            c = c.unsqueeze(1) if c is not None else None
        for name, t, shape in (("h_0", h, hshape), ("c_0", c, cshape)):
            if t is not None:
                if tuple(t.shape) != shape:
                    raise RuntimeError(f"{op}: {name} debe tener forma {shape} (num_layers·D, lote, tamaño) y "
                                       f"tiene {tuple(t.shape)}")
                _check_dtype(op, t, x)
        return h, c


class RNN(RNNBase):
    """RNN de Elman de ``num_layers`` capas. En cada capa y paso::

        h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)      (o ReLU con nonlinearity='relu')

    El gradiente se propaga hacia atrás en el tiempo (BPTT) por el grafo de todos los pasos.

    Args:
        input_size: I, características de cada paso.
        hidden_size: H, tamaño del estado oculto.
        num_layers: capas apiladas (``1``).
        nonlinearity: ``'tanh'`` (por defecto) o ``'relu'``.
        bias: con sesgos (``True``).
        batch_first: entrada/salida ``(N, L, ·)`` (``False``).
        dropout: dropout entre capas (``0.0``).
        bidirectional: bidireccional (``False``; D = 2).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Forma: entrada ``(L, N, I)`` (``(N, L, I)`` con ``batch_first``, ``(L, I)`` sin lote, o un
    ``PackedSequence``) y ``h_0`` opcional ``(D·num_layers, N, H)`` (ceros); salida ``(L, N, D·H)`` y
    ``h_n`` ``(D·num_layers, N, H)``.

    Parámetros: ``weight_ih_l{k}`` ``(H, I)`` en la primera capa y ``(H, D·H)`` en las demás,
    ``weight_hh_l{k}`` ``(H, H)``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` ``(H,)``, todos U(−1/√H, 1/√H); con
    sufijo ``_reverse``, la segunda dirección.

    Ejemplo:
        >>> rnn = nn.RNN(10, 20, 2)
        >>> out, h_n = rnn(torch.randn(5, 3, 10))
        >>> out.shape, h_n.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))

    En PyTorch: ``torch.nn.RNN``.
    """

    def __init__(self, *args, nonlinearity="tanh", **kwargs):
        """Véase el docstring de la clase (los argumentos posicionales van en el orden de PyTorch)."""
        if len(args) > 3:  # RNN(I, H, L, nonlinearity, bias, ...) posicional, como PyTorch
            nonlinearity, args = args[3], args[:3] + args[4:]
        choice(nonlinearity, ("tanh", "relu"), "nonlinearity", "RNN")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)
        self.nonlinearity = nonlinearity

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity}"

    def forward(self, input, hx=None):
        out, h, _ = self._run(input, hx)
        return out, h


class LSTM(RNNBase):
    """LSTM de ``num_layers`` capas. En cada capa y paso::

        i_t = σ(W_ii·x_t + b_ii + W_hi·h_{t−1} + b_hi)
        f_t = σ(W_if·x_t + b_if + W_hf·h_{t−1} + b_hf)
        g_t = tanh(W_ig·x_t + b_ig + W_hg·h_{t−1} + b_hg)
        o_t = σ(W_io·x_t + b_io + W_ho·h_{t−1} + b_ho)
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
        h_t = o_t ⊙ tanh(c_t)                       (con proj_size: h_t = W_hr·(o_t ⊙ tanh(c_t)))

    Args:
        input_size: I, características de cada paso.
        hidden_size: H, tamaño del estado oculto y de la celda.
        num_layers: capas apiladas (``1``).
        bias: con sesgos (``True``).
        batch_first: entrada/salida ``(N, L, ·)`` (``False``).
        dropout: dropout entre capas (``0.0``).
        bidirectional: bidireccional (``False``; D = 2).
        proj_size: P, tamaño de la proyección de h (``0``: sin proyección, P = H).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Forma: entrada ``(L, N, I)`` (``(N, L, I)`` con ``batch_first``, ``(L, I)`` sin lote, o un
    ``PackedSequence``) y ``(h_0, c_0)`` opcional, ``(D·num_layers, N, P)`` y ``(D·num_layers, N, H)``;
    devuelve ``salida, (h_n, c_n)`` con salida ``(L, N, D·P)``.

    Parámetros: ``weight_ih_l{k}`` = (W_ii | W_if | W_ig | W_io) de forma ``(4H, I)``,
    ``weight_hh_l{k}`` ``(4H, P)``, ``bias_ih_l{k}``/``bias_hh_l{k}`` ``(4H,)`` y ``weight_hr_l{k}``
    ``(P, H)`` si hay proyección; todos U(−1/√H, 1/√H).

    Ejemplo:
        >>> lstm = nn.LSTM(10, 20, batch_first=True)
        >>> out, (h_n, c_n) = lstm(torch.randn(3, 5, 10))
        >>> out.shape, h_n.shape, c_n.shape
        (torch.Size([3, 5, 20]), torch.Size([1, 3, 20]), torch.Size([1, 3, 20]))

    En PyTorch: ``torch.nn.LSTM``.
    """

    def __init__(self, *args, **kwargs):
        """Véase el docstring de la clase."""
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        out, h, c = self._run(input, hx)
        return out, (h, c)


class GRU(RNNBase):
    """GRU de ``num_layers`` capas. En cada capa y paso::

        r_t = σ(W_ir·x_t + b_ir + W_hr·h_{t−1} + b_hr)
        z_t = σ(W_iz·x_t + b_iz + W_hz·h_{t−1} + b_hz)
        n_t = tanh(W_in·x_t + b_in + r_t ⊙ (W_hn·h_{t−1} + b_hn))
        h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

    Args:
        input_size: I, características de cada paso.
        hidden_size: H, tamaño del estado oculto.
        num_layers: capas apiladas (``1``).
        bias: con sesgos (``True``).
        batch_first: entrada/salida ``(N, L, ·)`` (``False``).
        dropout: dropout entre capas (``0.0``).
        bidirectional: bidireccional (``False``; D = 2).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    Forma: entrada ``(L, N, I)`` (o ``(N, L, I)``, ``(L, I)``, ``PackedSequence``) y ``h_0`` opcional
    ``(D·num_layers, N, H)``; salida ``(L, N, D·H)`` y ``h_n`` ``(D·num_layers, N, H)``.

    Parámetros: ``weight_ih_l{k}`` = (W_ir | W_iz | W_in) de forma ``(3H, I)``, ``weight_hh_l{k}``
    ``(3H, H)``, sesgos ``(3H,)``; todos U(−1/√H, 1/√H).

    Ejemplo:
        >>> gru = nn.GRU(10, 20, bidirectional=True)
        >>> out, h_n = gru(torch.randn(5, 3, 10))
        >>> out.shape, h_n.shape
        (torch.Size([5, 3, 40]), torch.Size([2, 3, 20]))

    En PyTorch: ``torch.nn.GRU``.
    """

    def __init__(self, *args, **kwargs):
        """Véase el docstring de la clase."""
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        out, h, _ = self._run(input, hx)
        return out, h


# ---- celdas -------------------------------------------------------------------------------------
