"""Redes neuronales: ``Module``, ``Parameter``, capas, inicialización y funciones."""
from .module import Module, Parameter
from .scalar import Layer, MLP, Neuron

__all__ = ["Module", "Parameter", "Neuron", "Layer", "MLP"]
