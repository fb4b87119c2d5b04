"""El protocolo de grafo que comparten ``Value`` (motor escalar) y ``Tensor``.

Cualquier nodo de un grafo de cómputo (un ``Value``, un ``Tensor`` o lo que queda de un
tensor intermedio ya liberado) responde a lo mismo:

==========================  ===========================================================
``graph_parents()``          operandos en orden (``x + x`` da ``(x, x)``); ``()`` en una hoja
``graph_op()``               nombre de la operación (``"*"``, ``"tanh"``, ``"MatMul"``...); ``""`` en una hoja
``graph_label()``            nombre que le dio el usuario (``Value(2, "x")``, ``t.name``) o ``""``
``graph_shape()``            forma (``()`` en un escalar)
``graph_data()``             valor (float o ndarray); ``None`` si ya se liberó
``graph_grad()``             gradiente (float o ndarray) o ``None`` si aún no se ha calculado
``graph_key()``              identidad del nodo (dos vistas del mismo nodo comparten clave)
``is_leaf``                  ``True`` si no viene de ninguna operación
==========================  ===========================================================

Con eso, ``graph(raíz)`` da los nodos en orden topológico y las aristas, y el dibujo, la
explicación paso a paso, ``gradcheck`` y la línea de órdenes tratan igual los dos motores.
``topo_sort`` es el único recorrido topológico del paquete: lo usan también el ``backward`` de
``Value`` y el motor de tensores.

Los parámetros (un ``Tensor`` o una hoja ``Value``) cumplen además ``ParamNode``: ``param_data()``,
``param_grad()``, ``set_param(nuevo)`` y ``zero_param_grad()``, lo único que ven los optimizadores.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["GraphNode", "ParamNode", "topo_sort", "graph", "graph_order"]


@runtime_checkable
class GraphNode(Protocol):
    """Lo que un nodo de grafo ofrece al dibujo, a la explicación y a ``gradcheck``."""

    is_leaf: bool

    def graph_parents(self) -> tuple: ...

    def graph_op(self) -> str: ...

    def graph_label(self) -> str: ...

    def graph_shape(self) -> tuple: ...

    def graph_data(self): ...

    def graph_grad(self): ...

    def graph_key(self): ...


@runtime_checkable
class ParamNode(Protocol):
    """Lo que un optimizador necesita de un parámetro (un ``Tensor``/``Parameter`` o una hoja
    ``Value``): su dato, su gradiente (``None`` si no lo hay), escribir el dato nuevo y borrar el
    gradiente. Así ``optim`` se lee como los apuntes: ``p ← p − lr·g``."""

    def param_data(self): ...

    def param_grad(self): ...

    def set_param(self, value) -> None: ...

    def zero_param_grad(self, set_to_none: bool = True) -> None: ...


def topo_sort(roots, parents, key=id, memo: dict | None = None) -> list:
    """Orden topológico iterativo (padres antes que hijos, sin recursión: vale para cadenas de
    millones de nodos) de todo lo que alcanzan ``roots``.

    ``parents(nodo)`` da los padres en orden (los ``None`` se ignoran); ``key(nodo)`` identifica
    un nodo (por defecto ``id``). Con ``memo`` (un dict) guarda ``{clave: padres}`` para no
    volver a pedirlos."""
    if key is id and memo is None:  # el caso de los dos backward: el bucle más corto posible
        # el mismo recorrido en profundidad (el mismo orden), con un iterador de padres por nodo en la
        # pila: cada nodo entra una vez y sale una vez (~25 % menos en el grafo del MLP)
        order, seen = [], set()
        for root in roots:
            if id(root) in seen:
                continue
            seen.add(id(root))
            stack = [(root, iter(parents(root)))]
            while stack:
                node, it = stack[-1]
                for p in it:
                    if p is not None and id(p) not in seen:
                        seen.add(id(p))
                        stack.append((p, iter(parents(p))))
                        break
                else:
                    stack.pop()
                    order.append(node)
        return order
    order, entered, done = [], set(), set()
    stack = list(reversed(roots))
    while stack:
        node = stack[-1]
        k = key(node)
        if k in entered:
            stack.pop()
            if k not in done:
                done.add(k)
                order.append(node)
            continue
        entered.add(k)
        ps = parents(node)
        if memo is not None:
            memo[k] = ps
        for p in reversed(ps):
            if p is not None and key(p) not in entered:
                stack.append(p)
    return order


def _parents(n):
    return n.graph_parents()


def _key(n):
    return n.graph_key()


def graph(root):
    """Nodos del grafo de ``root`` (orden topológico; un nodo por clave) y aristas
    ``(padre, hijo, posición)`` en el orden de los operandos."""
    if not isinstance(root, GraphNode):
        raise TypeError(f"se esperaba un Value o un Tensor, no {type(root).__name__}")
    memo = {}
    order = topo_sort([root], _parents, _key, memo)
    canon = {n.graph_key(): n for n in order}
    edges = [(canon[p.graph_key()], n, i) for n in order for i, p in enumerate(memo[n.graph_key()])]
    return order, edges


def graph_order(root) -> list:
    """Sólo los nodos de ``graph(root)``, en orden topológico."""
    return graph(root)[0]
