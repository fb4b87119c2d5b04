"""Pesos preentrenados (``weights=``) de los modelos de ``vision.models``.

tinygrad_es no descarga pesos. ``resnet18(weights="IMAGENET1K_V1")`` (o
``ResNet18_Weights.DEFAULT``) busca el fichero ``.pth`` que torchvision habría descargado
(``resnet18-f37072fd.pth``) en ``$TORCH_HOME/hub/checkpoints`` (por defecto
``~/.cache/torch/hub/checkpoints``), ``~/.cache/tinygrad_es/checkpoints`` y
``$TINYGRAD_ES_DATA/checkpoints``; si está, lo carga con ``tinygrad_es.load`` (sin ejecutar el
pickle) y ``load_state_dict``. Si no está, un ``RuntimeError`` explica dónde ponerlo o cómo
cargarlo a mano: ``modelo.load_state_dict(torch.load("resnet18-f37072fd.pth"))``.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from enum import Enum
from functools import partial

from ...serialization import load
from ..transforms._presets import ImageClassification

__all__ = ["Weights", "WeightsEnum", "checkpoint_dirs"]


@dataclass(eq=False)
class Weights:
    url: str
    transforms: object
    meta: dict = field(default_factory=dict)


class WeightsEnum(Enum):
    """Enumeración de pesos como la de torchvision: ``.url``, ``.transforms()``, ``.meta``, ``DEFAULT``."""

    @classmethod
    def verify(cls, obj):
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            name = obj.replace(cls.__name__ + ".", "")
            try:
                return cls[name]
            except KeyError:
                raise ValueError(f"pesos desconocidos '{obj}' para {cls.__name__}: los disponibles son "
                                 f"{', '.join(cls.__members__)}") from None
        raise TypeError(f"weights debe ser None, un texto o un {cls.__name__}, no {type(obj).__name__}")

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"


def checkpoint_dirs() -> list:
    torch_home = os.environ.get("TORCH_HOME", os.path.join(os.environ.get("XDG_CACHE_HOME",
                                                                           os.path.expanduser("~/.cache")), "torch"))
    dirs = [os.path.join(torch_home, "hub", "checkpoints"), os.path.expanduser("~/.cache/tinygrad_es/checkpoints")]
    if os.environ.get("TINYGRAD_ES_DATA"):
        dirs.append(os.path.join(os.path.expanduser(os.environ["TINYGRAD_ES_DATA"]), "checkpoints"))
    return dirs


def imagenet_weights(url: str, num_params: int, acc1: float):
    return Weights(url=url, transforms=partial(ImageClassification, crop_size=224),
                   meta={"num_params": num_params, "min_size": (1, 1), "_metrics": {"ImageNet-1K": {"acc@1": acc1}},
                         "categories": None})


def handle_weights(weights_enum, weights, kwargs: dict, arch: str):
    """Resuelve ``weights``/``pretrained`` y comprueba ``num_classes`` (1000 con pesos de ImageNet)."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        warnings.warn("el argumento 'pretrained' está obsoleto (también en torchvision): usa weights=", stacklevel=3)
        if pretrained and weights is None:
            weights = weights_enum.DEFAULT
    weights = weights_enum.verify(weights)
    if weights is not None:
        n = kwargs.get("num_classes")
        if n is not None and n != 1000:
            raise ValueError(f"con los pesos {weights!r}, num_classes debe valer 1000 (se recibió {n}): carga los "
                             "pesos y cambia después la última capa")
        kwargs["num_classes"] = 1000
    return weights


def load_weights(model, weights, arch: str):
    fname = os.path.basename(weights.url)
    for d in checkpoint_dirs():
        path = os.path.join(d, fname)
        if os.path.isfile(path):
            model.load_state_dict(load(path, map_location="cpu"))
            return model
    raise RuntimeError(
        f"Los pesos preentrenados {weights!r} de {arch} no se pueden descargar aquí: tinygrad_es no descarga pesos. "
        f"Si tienes el fichero {fname} (p. ej. descargado por torchvision en otro ordenador, de {weights.url}), "
        f"ponlo en {checkpoint_dirs()[0]} y vuelve a llamar a {arch}(weights=...), o cárgalo tú: "
        f"modelo = {arch}(); modelo.load_state_dict(torch.load('{fname}')). "
        f"Para entrenar desde cero usa {arch}(weights=None).")
