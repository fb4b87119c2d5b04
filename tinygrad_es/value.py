"""Motor escalar: ``Value`` guarda cada operación en un grafo (DAG) y
``backward()`` aplica la regla de la cadena en orden topológico inverso.

Cada operación calcula, junto a su resultado, la derivada local de la salida
respecto de cada padre (``_local``). La retropropagación es entonces un único
bucle genérico: ``padre.grad += local * salida.grad``.

Las operaciones no crean cierres (closures) ni ciclos de referencias: el grafo se
libera por conteo de referencias y el recolector cíclico de Python apenas
trabaja, lo que hace este motor varias veces más rápido que uno con cierres.
"""
from __future__ import annotations

import math
import warnings

__all__ = ["Value"]

_Number = (int, float)


def _warn(msg: str) -> None:
    warnings.warn(msg, RuntimeWarning, stacklevel=3)


def _exp(x: float) -> float:
    # Como numpy: desbordamiento -> inf, nunca OverflowError.
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _check_number(x, what="dato"):
    if isinstance(x, bool) or not isinstance(x, _Number):
        try:
            import numpy as np
            if isinstance(x, np.generic) and np.issubdtype(type(x), np.number):
                return float(x)
        except ImportError:  # pragma: no cover
            pass
        raise TypeError(f"Value espera un número real como {what}, no {type(x).__name__}: {x!r}")
    return float(x)


class Value:
    """Un escalar que recuerda cómo se calculó.

    >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (20.0, 4.0, 4.0, 5.0)

    ``grad`` vale 0.0 hasta que se llama a ``backward()`` (``_grad_computed``
    distingue "cero" de "sin calcular" para los dibujos).

    Llamar varias veces a ``backward()`` sigue la semántica de PyTorch: el
    gradiente de las hojas (nodos sin padres) se acumula entre llamadas; los
    gradientes de los nodos intermedios se recalculan desde cero en cada
    llamada, de modo que nunca se cuentan dos veces.
    """

    __slots__ = ("data", "grad", "_prev", "_local", "_op", "label", "_grad_computed", "__weakref__")

    def __init__(self, data, label: str = "", _prev: tuple = (), _local: tuple = (), _op: str = ""):
        self.data = _check_number(data)
        self.grad = 0.0
        self._prev = _prev
        self._local = _local
        self._op = _op
        self.label = label
        self._grad_computed = False

    @classmethod
    def _node(cls, data: float, prev: tuple, local: tuple, op: str) -> "Value":
        # Constructor rápido para resultados de operaciones (sin validación).
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        out._prev = prev
        out._local = local
        out._op = op
        out.label = ""
        out._grad_computed = False
        return out

    # -- operaciones binarias ------------------------------------------------
    def __add__(self, other):
        if type(other) is not Value:
            other = Value(other)
        return Value._node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        if type(other) is not Value:
            other = Value(other)
        return Value._node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, other):
        if type(other) is not Value:
            other = Value(other)
        a, b = self.data, other.data
        out = _pow(a, b)
        # d(a^b)/da = b·a^(b-1);  d(a^b)/db = a^b·ln(a) (sólo definida para a > 0)
        da = b * _pow(a, b - 1.0) if b != 0.0 else 0.0
        if a > 0:
            db = out * math.log(a)
        elif a == 0 and b > 0:
            db = 0.0
        else:
            db = math.nan
        return Value._node(out, (self, other), (da, db), "**")

    def __truediv__(self, other):
        if type(other) is not Value:
            other = Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            _warn("división por cero en Value: el resultado es inf/nan (como en numpy)")
            q = math.copysign(math.inf, a) * math.copysign(1.0, b) if a != 0 else math.nan
            inv = math.copysign(math.inf, b)
            return Value._node(q, (self, other), (inv, -q * inv), "/")
        return Value._node(a / b, (self, other), (1.0 / b, -a / (b * b)), "/")

    def __neg__(self):
        return Value._node(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other):
        if type(other) is not Value:
            other = Value(other)
        return Value._node(self.data - other.data, (self, other), (1.0, -1.0), "-")

    # formas reflejadas: 2 * x, 1 - x, 2 ** x, ...
    def __radd__(self, other):
        return Value(other) + self

    def __rmul__(self, other):
        return Value(other) * self

    def __rsub__(self, other):
        return Value(other) - self

    def __rtruediv__(self, other):
        return Value(other) / self

    def __rpow__(self, other):
        return Value(other) ** self

    # -- funciones elementales -----------------------------------------------
    def exp(self):
        e = _exp(self.data)
        return Value._node(e, (self,), (e,), "exp")

    def log(self):
        a = self.data
        if a > 0:
            return Value._node(math.log(a), (self,), (1.0 / a,), "log")
        if a == 0:
            _warn("log(0) en Value: el resultado es -inf (como en numpy)")
            return Value._node(-math.inf, (self,), (math.inf,), "log")
        _warn(f"log de un número negativo ({a}) en Value: el resultado es nan (como en numpy)")
        return Value._node(math.nan, (self,), (math.nan,), "log")

    def tanh(self):
        t = math.tanh(self.data)  # math.tanh satura a ±1, no desborda
        return Value._node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self):
        a = self.data
        # forma estable: nunca se evalúa exp de un número grande y positivo
        if a >= 0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return Value._node(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self):
        a = self.data
        return Value._node(a if a > 0 else 0.0, (self,), (1.0 if a > 0 else 0.0,), "relu")

    def leaky_relu(self, negative_slope: float = 0.01):
        a = self.data
        k = 1.0 if a > 0 else float(negative_slope)
        return Value._node(a * k, (self,), (k,), "leaky_relu")

    # -- retropropagación ------------------------------------------------------
    def topo_order(self) -> list:
        """Nodos del grafo en orden topológico (padres antes que hijos), sin recursión."""
        order, visited = [], set()
        stack = [(self, False)]
        push, pop = stack.append, stack.pop
        while stack:
            node, expanded = pop()
            if expanded:
                order.append(node)
                continue
            nid = id(node)
            if nid in visited:
                continue
            visited.add(nid)
            push((node, True))
            for p in reversed(node._prev):
                if id(p) not in visited:
                    push((p, False))
        return order

    def backward(self) -> None:
        """Calcula ``∂self/∂nodo`` para cada nodo del grafo y lo guarda en ``.grad``.

        Recorrido iterativo (no recursivo): funciona con cadenas de millones de nodos.
        Cada regla local se ejecuta una sola vez por nodo.
        """
        order = self.topo_order()
        for node in order:
            if node._prev:  # intermedios: se recalculan desde cero en cada llamada
                node.grad = 0.0
        if self._prev:
            self.grad = 1.0
        else:  # backward sobre una hoja: dself/dself = 1, acumulado como toda hoja
            self.grad += 1.0
        for node in reversed(order):
            node._grad_computed = True
            g = node.grad
            for p, local in zip(node._prev, node._local):
                p.grad += local * g
                p._grad_computed = True

    # -- utilidades -------------------------------------------------------------
    def __repr__(self):
        lab = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{lab})"

    def __float__(self):
        return float(self.data)

    # Comparaciones por valor (útiles en bucles de entrenamiento); el hash sigue
    # siendo por identidad para poder guardar nodos en conjuntos y diccionarios.
    def __lt__(self, other):
        return self.data < (other.data if isinstance(other, Value) else other)

    def __gt__(self, other):
        return self.data > (other.data if isinstance(other, Value) else other)

    __hash__ = object.__hash__


def _pow(a: float, b: float) -> float:
    """a**b con la semántica de numpy (inf/nan + aviso) en lugar de excepciones."""
    try:
        r = a ** b
    except OverflowError:
        if a < 0 and float(b).is_integer() and int(b) % 2 == 1:
            return -math.inf
        return math.inf
    except ZeroDivisionError:
        _warn(f"0 elevado a un exponente negativo ({b}) en Value: el resultado es inf (como en numpy)")
        return math.inf
    if isinstance(r, complex):
        _warn(f"base negativa ({a}) con exponente no entero ({b}) en Value: el resultado es nan (como en numpy)")
        return math.nan
    return float(r)
