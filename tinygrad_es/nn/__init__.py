"""Redes neuronales: ``Module``, ``Parameter``, capas, inicialización y funciones.

>>> from tinygrad_es import nn
>>> capa = nn.Conv2d(1, 32, 3)
"""
from . import functional, init
from .layers import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, Dropout, Flatten,
                     Identity, LeakyReLU, Linear, LogSoftmax, MaxPool2d, ReLU, Sequential, Sigmoid, Softmax, Tanh)
from .module import Module, Parameter
from .scalar import Layer, MLP, Neuron

__all__ = ["Module", "Parameter", "functional", "init", "Linear", "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d",
           "AdaptiveAvgPool2d", "Flatten", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "Dropout", "BatchNorm1d", "BatchNorm2d", "Identity", "Sequential", "Neuron", "Layer", "MLP"]
