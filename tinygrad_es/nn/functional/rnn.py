"""Las funciones de las capas recurrentes: una celda (un paso) y la pila de capas en el tiempo.

Dos caminos que dan lo mismo:

* **compuesto** (``rnn_tanh_cell``, ``lstm_cell``, ``gru_cell``): cada paso con operaciones de
  ``Tensor`` (``linear``, ``sigmoid``, ``tanh``, ``*``…). Es el que se lee y se dibuja: al
  desenrollar una red en el tiempo, ``draw_graph`` muestra el mismo peso usado en cada paso
  y ``explain_backward`` la retropropagación a través del tiempo. Lo usan las ``*Cell``.
* **fusionado** (``ops/rnn.py``): una capa y una dirección enteras en un nodo, con la celda
  de ``kernels/rnn.py``. Lo usan ``nn.RNN``, ``nn.LSTM`` y ``nn.GRU`` (mucho más rápido:
  sin ~15 nodos por paso).

``rnn_layers(..., fused=False)`` recorre la pila con el camino compuesto (es la referencia
de los tests, que así no necesitan PyTorch).
"""
from __future__ import annotations

import numpy as np

from ..._tensor.joins import cat, stack
from ..._tensor import Tensor
from ...ops import rnn as R
from .dropout import dropout
from .linear import linear

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "rnn_layers"]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None) -> Tensor:
    """Un paso de la RNN de Elman: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (``torch.rnn_tanh_cell``)."""
    return (linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None) -> Tensor:
    """h' = relu(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (``torch.rnn_relu_cell``)."""
    return (linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)).relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Un paso de la LSTM (``torch.lstm_cell``); ``hx = (h, c)``, devuelve ``(h', c')``::

        i, f, g, o = trozos de (x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)
        c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)        h' = σ(o) ⊙ tanh(c')
    """
    h, c = hx
    gates = linear(input, w_ih, b_ih) + linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None) -> Tensor:
    """Un paso de la GRU (``torch.gru_cell``)::

        r = σ(W_ir·x + b_ir + W_hr·h + b_hr)      z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
        n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
    """
    xr, xz, xn = linear(input, w_ih, b_ih).chunk(3, -1)
    hr, hz, hn = linear(hx, w_hh, b_hh).chunk(3, -1)
    r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * hx


# ---- una dirección de una capa -----------------------------------------------------------------
def _fused(mode, x, h0, c0, w, batch_sizes, reverse):
    """Y (T, B, P), h_T (B, P) y c_T (B, H) o None, con el nodo de ``ops/rnn.py``."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    T, B = x.shape[0], x.shape[1]
    bias = (b_ih, b_hh) if b_ih is not None else ()
    opts = dict(batch_sizes=batch_sizes, reverse=reverse)
    if mode == "LSTM":
        P, H = w_hh.shape[1], w_hh.shape[0] // 4
        extra = bias + ((w_hr,) if w_hr is not None else ())
        flat = R.LSTMLayer.apply(x, h0, c0, w_ih, w_hh, *extra, has_bias=bool(bias), **opts)
    else:
        P = H = w_hh.shape[1]
        fn = R.GRULayer if mode == "GRU" else R.RNNLayer
        if mode != "GRU":
            opts["relu"] = mode == "RNN_RELU"
        flat = fn.apply(x, h0, w_ih, w_hh, *bias, **opts)
    y = R.Piece.apply(flat, start=0, shape=(T, B, P))
    h = R.Piece.apply(flat, start=T * B * P, shape=(B, P))
    c = R.Piece.apply(flat, start=T * B * P + B * P, shape=(B, H)) if mode == "LSTM" else None
    return y, h, c


def _composed(mode, x, h0, c0, w, batch_sizes, reverse):
    """Lo mismo paso a paso con las celdas compuestas (las filas inactivas conservan su estado)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    T, B = x.shape[0], x.shape[1]
    h, c = h0, c0
    ys = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        n = B if batch_sizes is None else int(batch_sizes[t])
        xt, hp = x[t, :n], h[:n]
        if mode == "LSTM":
            hn, cn = lstm_cell(xt, (hp, c[:n]), w_ih, w_hh, b_ih, b_hh)
            if w_hr is not None:
                hn = linear(hn, w_hr)
            c = cn if n == B else cat([cn, c[n:]], 0)
        elif mode == "GRU":
            hn = gru_cell(xt, hp, w_ih, w_hh, b_ih, b_hh)
        else:
            hn = (rnn_relu_cell if mode == "RNN_RELU" else rnn_tanh_cell)(xt, hp, w_ih, w_hh, b_ih, b_hh)
        ys[t] = hn if n == B else cat([hn, _zeros_like_rows(hn, B - n)], 0)
        h = hn if n == B else cat([hn, h[n:]], 0)
    return stack(ys, 0), h, c


def _zeros_like_rows(t, rows):
    return Tensor._wrap(np.zeros((rows,) + tuple(t.shape[1:]), dtype=t._data.dtype))


def rnn_layers(mode, x, h0, c0, weights, num_layers, bidirectional, dropout_p, training, batch_sizes=None,
               fused=True):
    """La pila de capas recurrentes (lo que hace ``torch._VF.lstm``/``gru``/``rnn_tanh``).

    ``x`` (T, B, I) rellenada; ``h0`` (L·D, B, P) y ``c0`` (L·D, B, H) (sólo LSTM);
    ``weights[k]`` = (w_ih, w_hh, b_ih, b_hh, w_hr) de la capa ``k // D`` y dirección ``k % D``
    (``None`` donde no hay). Entre capas (no tras la última), dropout con probabilidad
    ``dropout_p`` en entrenamiento. Devuelve (Y (T, B, D·P), h_n (L·D, B, P), c_n o None)."""
    D = 2 if bidirectional else 1
    # los núcleos de kernels/rnn.py son para float32/float64; otro dtype (float16) va paso a paso
    run = _fused if fused and x._data.dtype in (np.float32, np.float64) else _composed
    hs, cs = [], []
    layer_in = x
    for layer in range(num_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            y, h, c = run(mode, layer_in, h0[k], c0[k] if c0 is not None else None, weights[k], batch_sizes,
                          d == 1)
            outs.append(y)
            hs.append(h)
            cs.append(c)
        layer_in = outs[0] if D == 1 else cat(outs, 2)
        if dropout_p and training and layer < num_layers - 1:
            layer_in = dropout(layer_in, dropout_p, True)
    return layer_in, stack(hs, 0), (stack(cs, 0) if mode == "LSTM" else None)
