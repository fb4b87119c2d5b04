"""Gemelo escalar para clase: ``Neuron``, ``Layer`` y ``MLP`` hechos de ``Value``.

Comparten la interfaz de ``Module`` (``parameters()``, ``named_parameters()``,
``zero_grad()``...), de modo que la red XOR de los apuntes se entrena con el
mismo bucle que una red de tensores.
"""
import random

from ..autograd.value import Value
from .._validate import choice, integer
from .module import Module

_ACTS = ("tanh", "sigmoid", "relu", "linear")


class Neuron(Module):
    """Una neurona escalar (la de micrograd y de los apuntes): ``act(Σ wᵢ·xᵢ + b)``, con cada peso un
    ``Value`` uniforme en [−1, 1] y ``b = 0``. Se entrena con ``backward()`` y un optimizador como una
    red de tensores.

    Args:
        nin: número de entradas.
        activation: ``'tanh'`` (por defecto), ``'sigmoid'``, ``'relu'`` o ``'linear'``.
        rng: un ``random.Random`` para los pesos (``None``: el módulo ``random``).

    Forma: entrada, ``nin`` números o ``Value``; salida, un ``Value``.

    Ejemplo:
        >>> import random
        >>> n = nn.Neuron(2, activation="linear", rng=random.Random(0))
        >>> n([1.0, 2.0])                       # 0,6888·1 + 0,5159·2 + 0
        Value(data=1.72066, grad=0)

    (De tinygrad_es: PyTorch no tiene neuronas escalares; allí es ``nn.Linear(nin, 1)``.)
    """

    def __init__(self, nin: int, activation: str = "tanh", rng: random.Random | None = None):
        """Véase el docstring de la clase."""
        super().__init__()
        integer(nin, "nin (número de entradas)", "Neuron", low=0)
        choice(activation, _ACTS, "activation", "Neuron")
        r = rng or random
        self.w = [Value(r.uniform(-1, 1), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b")
        self.activation = activation

    def forward(self, x):
        x = [x] if isinstance(x, (Value, int, float)) else list(x)  # la salida de una capa de una neurona
        if len(x) != len(self.w):  # zip acortaría en silencio: sería un resultado equivocado
            raise RuntimeError(f"la neurona espera {len(self.w)} entradas y recibió {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()

    def extra_repr(self):
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """Una capa de ``nout`` neuronas escalares con las mismas ``nin`` entradas; devuelve la lista de
    salidas (o un solo ``Value`` si ``nout = 1``).

    Args:
        nin: número de entradas.
        nout: número de neuronas.
        activation: la activación de todas (``'tanh'``).
        rng: un ``random.Random`` para los pesos (``None``).

    Ejemplo:
        >>> len(nn.Layer(3, 2)([1.0, 2.0, 3.0]))
        2

    (De tinygrad_es: en PyTorch, ``nn.Linear(nin, nout)`` seguida de la activación.)
    """
    def __init__(self, nin: int, nout: int, activation: str = "tanh", rng=None):
        """Véase el docstring de la clase."""
        super().__init__()
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def forward(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out


class MLP(Module):
    """Perceptrón multicapa escalar, p. ej. ``MLP(2, [2, 1], activation="sigmoid")`` para XOR: capas de
    neuronas escalares (``Value``); la última usa ``out_activation``.

    Es el ``MLP`` de micrograd (``tinygrad_es.nn.MLP``). El de tensores, para MNIST, es
    ``tinygrad_es.models.MLP((784, 128, 10))``; PyTorch no tiene ninguno de los dos en ``torch.nn`` (allí
    se escribe con ``nn.Sequential`` de ``nn.Linear``).

    Args:
        nin: número de entradas.
        nouts: neuronas de cada capa, p. ej. ``[4, 1]``.
        activation: activación de las capas ocultas (``'tanh'``).
        out_activation: activación de la última capa (``None``: la misma).
        seed: semilla de los pesos (``None``: el generador global de ``random``).

    Ejemplo (la red XOR de los apuntes, 2-2-1):
        >>> red = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)
        >>> len(list(red.parameters()))
        9
        >>> type(red([1.0, 0.0])).__name__
        'Value'
    """

    def __init__(self, nin: int, nouts: list, activation: str = "tanh", out_activation=None, seed=None):
        """Véase el docstring de la clase."""
        super().__init__()
        rng = random.Random(seed) if seed is not None else None
        integer(nin, "nin (número de entradas)", "MLP", low=1)
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, "__iter__"):
            raise TypeError(f"MLP: nouts debe ser la lista de neuronas por capa, p. ej. [4, 1], no {nouts!r}")
        nouts = [integer(n, "nouts (neuronas de cada capa)", "MLP", low=1) for n in nouts]
        sz = [nin] + list(nouts)
        last = out_activation or activation
        self.layers = [Layer(sz[i], sz[i + 1], activation if i < len(nouts) - 1 else last, rng)
                       for i in range(len(nouts))]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
