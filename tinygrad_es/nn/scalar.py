"""Gemelo escalar para clase: ``Neuron``, ``Layer`` y ``MLP`` hechos de ``Value``.

Comparten la interfaz de ``Module`` (``parameters()``, ``named_parameters()``,
``zero_grad()``...), de modo que la red XOR de los apuntes se entrena con el
mismo bucle que una red de tensores.
"""
import random

from ..autograd.value import Value
from .module import Module

_ACTS = ("tanh", "sigmoid", "relu", "linear")


class Neuron(Module):
    """Una neurona: ``act(Σ wᵢ·xᵢ + b)`` con pesos uniformes en [-1, 1]."""

    def __init__(self, nin: int, activation: str = "tanh", rng: random.Random | None = None):
        super().__init__()
        if activation not in _ACTS:
            raise ValueError(f"activación desconocida {activation!r}; usa una de {_ACTS}")
        r = rng or random
        self.w = [Value(r.uniform(-1, 1), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b")
        self.activation = activation

    def forward(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()

    def extra_repr(self):
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    def __init__(self, nin: int, nout: int, activation: str = "tanh", rng=None):
        super().__init__()
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def forward(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out


class MLP(Module):
    """Perceptrón multicapa escalar, p. ej. ``MLP(2, [2, 1], activation="sigmoid")`` para XOR.
    La última capa usa ``out_activation`` (por defecto la misma que las ocultas).

    Es el ``MLP`` de micrograd: cada peso es un ``Value`` (``tinygrad_es.nn.MLP``). El de tensores,
    para MNIST, es ``tinygrad_es.models.MLP((784, 128, 10))``; PyTorch no tiene ninguno de los dos
    en ``torch.nn`` (allí se escribe con ``nn.Sequential`` de ``nn.Linear``)."""

    def __init__(self, nin: int, nouts: list, activation: str = "tanh", out_activation=None, seed=None):
        super().__init__()
        rng = random.Random(seed) if seed is not None else None
        sz = [nin] + list(nouts)
        last = out_activation or activation
        self.layers = [Layer(sz[i], sz[i + 1], activation if i < len(nouts) - 1 else last, rng)
                       for i in range(len(nouts))]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
