"""Visualización: grafos de cómputo, retropropagación paso a paso y gráficas del curso.

Las gráficas (``tinygrad_es.viz.plots``) necesitan matplotlib (extra ``viz``).
"""
from .explain import Explanation, explain_backward
from .graph import GraphvizNotInstalled, draw_graph, save

__all__ = ["draw_graph", "save", "explain_backward", "Explanation", "GraphvizNotInstalled"]
