"""Retropropagación a través del tiempo (BPTT), a la vista.

Una red recurrente desenrollada en T pasos es una red profunda de T capas que **comparten los
pesos**: la misma ``W_hh`` se usa en cada paso, así que su gradiente es la suma de lo que le
llega de cada uno::

    ∂L/∂W_hh = Σ_t ∂L/∂W_hh⁽ᵗ⁾          ∂L/∂h_{t−1} = ∂L/∂h_t · ∂h_t/∂h_{t−1}

y el gradiente que llega a un paso lejano es un producto de T − t jacobianos: si sus normas
son < 1 se desvanece (y si son > 1 explota). ``backprop_through_time`` desenrolla una celda
(``nn.RNNCell``, ``nn.GRUCell`` o ``nn.LSTMCell``) con operaciones de ``Tensor`` a la vista, hace el
backward real y devuelve ‖∂L/∂h_t‖ para cada t y la aportación de cada paso al gradiente de
cada peso (observando el motor, sin copias).

>>> celda = nn.RNNCell(3, 8)
>>> informe = backprop_through_time(celda, torch.randn(20, 1, 3))
>>> informe.grad_norms          # ‖∂L/∂h_t‖, t = 1…20: decrece hacia el principio
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._tensor import Tensor
from ..autograd import observe_backward, unbroadcast
from ..nn.functional import rnn as FR
from ..nn.modules.rnn_cell import GRUCell, LSTMCell, RNNCell

__all__ = ["unroll", "backprop_through_time", "BPTTReport"]


def _step(cell, xt, state):
    w = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    if isinstance(cell, LSTMCell):
        return FR.lstm_cell(xt, state, *w)
    if isinstance(cell, GRUCell):
        return FR.gru_cell(xt, state, *w)
    if isinstance(cell, RNNCell):
        fn = FR.rnn_relu_cell if cell.nonlinearity == "relu" else FR.rnn_tanh_cell
        return fn(xt, state, *w)
    raise TypeError(f"unroll espera una nn.RNNCell, nn.GRUCell o nn.LSTMCell, no {type(cell).__name__}")


def unroll(cell, x, h0=None):
    """Aplica ``cell`` paso a paso sobre ``x`` (T, B, I) (o (T, I)) y devuelve la lista de estados
    ``[h_1, …, h_T]`` (en la LSTM, pares ``(h_t, c_t)``). Cada paso son operaciones de ``Tensor``:
    ``draw_graph(h_T)`` dibuja la red desenrollada, con los pesos compartidos por todos los pasos."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.ndim == 2:
        x = x.unsqueeze(1)
    B, H = x.shape[1], cell.hidden_size
    if h0 is None:
        z = Tensor._wrap(np.zeros((B, H), dtype=cell.weight_ih._data.dtype))
        h0 = (z, z) if isinstance(cell, LSTMCell) else z
    state, states = h0, []
    for t in range(x.shape[0]):
        state = _step(cell, x[t], state)
        states.append(state)
    return states


@dataclass
class BPTTReport:
    """Lo que pasó en el backward de una celda desenrollada.

    ``grad_norms[t]`` = ‖∂L/∂h_{t+1}‖ (t = 0…T−1); ``weight_grads[nombre][t]`` la aportación del paso
    t + 1 al gradiente del parámetro (su suma es ``param.grad``); ``weight_norms`` sus normas."""
    loss: Tensor
    hidden: list
    grad_norms: np.ndarray
    weight_grads: dict = field(default_factory=dict)

    @property
    def weight_norms(self) -> dict:
        return {k: np.array([np.linalg.norm(g) for g in v]) for k, v in self.weight_grads.items()}

    @property
    def steps(self) -> int:
        return len(self.hidden)


def backprop_through_time(cell, x, h0=None, loss="last", seed: int = 0) -> BPTTReport:
    """Desenrolla ``cell`` sobre ``x``, hace ``loss.backward()`` y mide el gradiente paso a paso.

    ``loss``: ``"last"`` (por defecto) usa sólo el último estado, L = Σ v ⊙ h_T con ``v`` aleatorio
    fijo (así se ve cómo llega el gradiente a los pasos anteriores); ``"all"`` suma la de todos los
    pasos; o una función ``f(lista de h_t) -> Tensor escalar``. Los ``.grad`` de la celda se ponen a
    cero antes y quedan con el total."""
    states = unroll(cell, x, h0)
    hs = [s[0] if isinstance(s, tuple) else s for s in states]
    for h in hs:
        h.retain_grad()
    if callable(loss):
        L = loss(hs)
    elif loss in ("last", "all"):
        v = Tensor._wrap(np.random.default_rng(seed).standard_normal(tuple(hs[-1].shape))
                         .astype(hs[-1]._data.dtype))
        L = (hs[-1] * v).sum() if loss == "last" else sum(((h * v).sum() for h in hs[1:]), (hs[0] * v).sum())
    else:
        raise ValueError(f"loss debe ser 'last', 'all' o una función, no {loss!r}")
    params = dict(cell.named_parameters())
    by_id = {id(p): name for name, p in params.items()}
    contrib = {name: [] for name in params}

    def watch(ctx, grad_out, grads_in):
        for parent, g in zip(ctx.parents, grads_in):
            name = by_id.get(id(parent))
            if name is not None and g is not None:
                contrib[name].append(np.array(unbroadcast(np.asarray(g), tuple(params[name].shape))))

    cell.zero_grad()
    with observe_backward(watch):
        L.backward()
    norms = np.array([np.linalg.norm(h.grad.numpy()) if h.grad is not None else 0.0 for h in hs])
    # en orden topológico inverso: el último paso llega primero
    weight_grads = {k: v[::-1] for k, v in contrib.items() if len(v) == len(hs)}
    return BPTTReport(loss=L, hidden=hs, grad_norms=norms, weight_grads=weight_grads)
