"""Modelos con los nombres de ``torchvision.models``: ``alexnet``, ``vgg11``…``vgg19_bn``,
``resnet18``…``resnet152`` (mismos módulos y claves de ``state_dict`` que torchvision) y el
``LeNet5`` del curso.

>>> from tinygrad_es.vision import models
>>> m = models.resnet18(num_classes=10)          # weights=None: pesos aleatorios
>>> m.load_state_dict(torch.load("resnet18.pt"))  # un state_dict guardado con torchvision

Los pesos preentrenados no se descargan: véase ``_api.py``.
"""
from ._api import Weights, WeightsEnum
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .lenet import LeNet5
from .resnet import (BasicBlock, Bottleneck, ResNet, ResNet18_Weights, ResNet34_Weights, ResNet50_Weights,
                     ResNet101_Weights, ResNet152_Weights, resnet18, resnet34, resnet50, resnet101, resnet152)
from .vgg import (VGG, VGG11_BN_Weights, VGG11_Weights, VGG13_BN_Weights, VGG13_Weights, VGG16_BN_Weights,
                  VGG16_Weights, VGG19_BN_Weights, VGG19_Weights, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn,
                  vgg19, vgg19_bn)

_BUILDERS = {f.__name__: f for f in (alexnet, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn,
                                     resnet18, resnet34, resnet50, resnet101, resnet152)}
_WEIGHTS = {c.__name__: c for c in (AlexNet_Weights, VGG11_Weights, VGG11_BN_Weights, VGG13_Weights, VGG13_BN_Weights,
                                    VGG16_Weights, VGG16_BN_Weights, VGG19_Weights, VGG19_BN_Weights, ResNet18_Weights,
                                    ResNet34_Weights, ResNet50_Weights, ResNet101_Weights, ResNet152_Weights)}


def list_models() -> list:
    """Nombres de los modelos disponibles (``get_model(nombre)``)."""
    return sorted(_BUILDERS)


def get_model(name: str, **config):
    """``get_model("resnet18", num_classes=10)``, como ``torchvision.models.get_model``."""
    if name not in _BUILDERS:
        raise ValueError(f"modelo desconocido '{name}': los disponibles son {', '.join(list_models())}")
    return _BUILDERS[name](**config)


def get_weight(name: str):
    """``get_weight("ResNet18_Weights.IMAGENET1K_V1")``."""
    enum_name, _, value = name.partition(".")
    if enum_name not in _WEIGHTS:
        raise ValueError(f"enumeración de pesos desconocida: '{enum_name}'")
    return _WEIGHTS[enum_name].verify(value)


__all__ = ["LeNet5", "AlexNet", "alexnet", "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
           "vgg19", "vgg19_bn", "ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50", "resnet101",
           "resnet152", "Weights", "WeightsEnum", "list_models", "get_model", "get_weight"] + list(_WEIGHTS)
