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

import contextlib
import math

from ._scalar_math import _check_number, _exp, _pow, _warn
from .protocol import topo_sort

__all__ = ["Value", "observe_backward", "local_values"]

_observers: list = []


@contextlib.contextmanager
def observe_backward(callback):
    """Durante el bloque, ``Value.backward()`` llama a ``callback(nodo, grad)`` en cada nodo, en
    orden topológico inverso, justo después de repartir su gradiente a sus operandos."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


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

    # Padres y derivadas locales van en ranuras (_a, _b, _la, _lb) y no en tuplas:
    # un solo objeto por nodo para el recolector de basura, el doble de rápido.
    __slots__ = ("data", "grad", "_a", "_b", "_la", "_lb", "_op", "label", "_grad_computed", "__weakref__")

    def __init__(self, data, label: str = ""):
        self.data = _check_number(data)
        self.grad = 0.0
        self._a = self._b = None
        self._la = self._lb = 0.0
        self._op = ""
        self.label = label
        self._grad_computed = False

    @classmethod
    def _node(cls, data: float, prev: tuple, local: tuple, op: str) -> "Value":
        # Constructor rápido para resultados de operaciones (sin validación).
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        out._a = prev[0]
        out._la = local[0]
        if len(prev) > 1:
            out._b = prev[1]
            out._lb = local[1]
        else:
            out._b = None
            out._lb = 0.0
        out._op = op
        out.label = ""
        out._grad_computed = False
        return out

    @property
    def _prev(self) -> tuple:
        """Padres en orden (``x + x`` tiene dos aristas al mismo nodo)."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def _local(self) -> tuple:
        """Derivada local ∂self/∂padre para cada padre, calculada en el forward."""
        return (self._la,) if self._b is None else (self._la, self._lb)

    # -- operaciones binarias ------------------------------------------------
    def __add__(self, other):
        if type(other) is not Value and not isinstance(other, Value):
            other = Value(other)
        return Value._node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        if type(other) is not Value and not isinstance(other, Value):
            other = Value(other)
        return Value._node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, other):
        if type(other) is not Value and not isinstance(other, Value):
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
        if type(other) is not Value and not isinstance(other, Value):
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
        if type(other) is not Value and not isinstance(other, Value):
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
        """Nodos del grafo en orden topológico (padres antes que hijos), sin recursión
        (``protocol.topo_sort``, el recorrido común a los dos motores)."""
        return topo_sort([self], _operands)

    # -- protocolo de grafo (protocol.py), común con Tensor ------------------------
    def graph_parents(self) -> tuple:
        return self._prev

    def graph_op(self) -> str:
        return self._op

    def graph_label(self) -> str:
        return self.label

    def graph_shape(self) -> tuple:
        return ()

    def graph_data(self) -> float:
        return self.data

    def graph_grad(self):
        """El gradiente (un número), o ``None`` si todavía no se ha llamado a ``backward()``."""
        return float(self.grad) if self._grad_computed else None

    def graph_key(self):
        return id(self)

    @property
    def is_leaf(self) -> bool:
        return self._a is None

    # -- protocolo de parámetro (protocol.ParamNode), común con Tensor: lo que usa optim ---
    param_data = graph_data
    param_grad = graph_grad

    def set_param(self, value) -> None:
        self.data = float(value)

    def zero_param_grad(self, set_to_none: bool = True) -> None:
        self.grad = 0.0

    def local_grads(self) -> tuple:
        """Derivada local ∂self/∂padre de cada operando, calculada en el forward."""
        return self._local

    def backward(self, create_graph: bool = False) -> None:
        """Calcula ``∂self/∂nodo`` para cada nodo del grafo y lo guarda en ``.grad``.

        Recorrido iterativo (no recursivo): funciona con cadenas de millones de nodos.
        Cada regla local se ejecuta una sola vez por nodo.

        Con ``create_graph=True`` cada ``.grad`` es un ``Value`` con su propio grafo (la derivada
        como expresión): se puede dibujar, explicar y derivar otra vez.

        >>> x = Value(2.0, "x")
        >>> (x ** 3).backward(create_graph=True)
        >>> d1 = x.grad                  # 3x² = 12, un Value
        >>> x.grad = 0.0
        >>> d1.backward(); x.grad        # d(3x²)/dx = 6x
        12.0
        """
        if create_graph:
            return self._backward_graph()
        order = self.topo_order()
        for node in order:
            if node._a is not None:  # intermedios: se recalculan desde cero en cada llamada
                node.grad = 0.0
        if self._a is not None:
            self.grad = 1.0
        else:  # backward sobre una hoja: dself/dself = 1, acumulado como toda hoja
            self.grad += 1.0
        if _observers:
            return self._backward_observed(order)
        for node in reversed(order):
            node._grad_computed = True
            a = node._a
            if a is not None:
                g = node.grad
                a.grad += node._la * g
                b = node._b
                if b is not None:
                    b.grad += node._lb * g

    def _backward_observed(self, order) -> None:
        # el mismo bucle, avisando tras cada paso (explain_backward cuenta el backward real)
        for node in reversed(order):
            node._grad_computed = True
            a = node._a
            if a is not None:
                g = node.grad
                a.grad += node._la * g
                b = node._b
                if b is not None:
                    b.grad += node._lb * g
            for cb in list(_observers):
                cb(node, node.grad)

    def _backward_graph(self) -> None:
        # el mismo recorrido, con Values: cada contribución local·g se registra (derivadas de derivadas)
        order = self.topo_order()
        grads = {id(self): Value(1.0)}
        for node in reversed(order):
            g = grads.pop(id(node))
            node._grad_computed = True
            if node._a is None:  # hoja: se acumula (la primera vez, el Value tal cual)
                node.grad = g if isinstance(node.grad, (int, float)) and node.grad == 0.0 else node.grad + g
            else:
                node.grad = g
                for p, local in zip(node._prev, local_values(node)):
                    c = _times(local, g)
                    prev = grads.get(id(p))
                    grads[id(p)] = c if prev is None else prev + c
            for cb in list(_observers):
                cb(node, node.grad)

    # -- utilidades -------------------------------------------------------------
    def __repr__(self):
        lab = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={float(self.grad):.6g}{lab})"

    def __float__(self):
        return float(self.data)

    def __format__(self, spec):  # f"{v:.3f}": el dato (también cuando v es un .grad con grafo)
        return format(self.data, spec) if spec else repr(self)

    # Comparaciones por valor (útiles en bucles de entrenamiento); el hash sigue
    # siendo por identidad para poder guardar nodos en conjuntos y diccionarios.
    def __lt__(self, other):
        return self.data < (other.data if isinstance(other, Value) else other)

    def __gt__(self, other):
        return self.data > (other.data if isinstance(other, Value) else other)

    __hash__ = object.__hash__


def local_values(n: Value) -> tuple:
    """Las derivadas locales de ``n`` respecto de sus operandos **como Values** (en función de los
    operandos y de ``n``): lo que usa ``backward(create_graph=True)``. Son las mismas que ``_local``
    calcula como números en el forward (un test lo comprueba operación a operación); las
    constantes (1, −1, las pendientes de relu) se quedan en números."""
    op, a, b = n._op, n._a, n._b
    if op == "+":
        return 1.0, 1.0
    if op == "-":
        return 1.0, -1.0
    if op == "*":
        return b, a
    if op == "/":
        return 1.0 / b, -a / (b * b)
    if op == "**":
        da = b * a ** (b - 1.0) if b.data != 0.0 else 0.0
        if a.data > 0:
            db = n * a.log()
        else:
            db = 0.0 if a.data == 0 and b.data > 0 else math.nan
        return da, db
    if op == "neg":
        return (-1.0,)
    if op == "exp":
        return (n,)
    if op == "log":
        return (1.0 / a,) if a.data > 0 else (n._la,)
    if op == "tanh":
        return (1.0 - n * n,)
    if op == "sigmoid":
        return (n * (1.0 - n),)
    return n._local  # relu, leaky_relu: constantes a trozos (derivada segunda 0)


def _times(local, g):
    """local·g sin nodos de más cuando la derivada local es la constante ±1."""
    if isinstance(local, Value):
        return local * g
    if local == 1.0:
        return g
    if local == -1.0:
        return -g
    return g * local


def _operands(v: Value) -> tuple:
    return (v._a, v._b)  # los None (sin operando) los salta topo_sort
