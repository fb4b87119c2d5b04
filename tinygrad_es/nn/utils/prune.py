"""``torch.nn.utils.prune``: poda de pesos (poner a cero los menos importantes) con una máscara.

El esquema es el de PyTorch: podar ``capa.weight`` lo cambia por

* el parámetro ``weight_orig`` (lo que se entrena, sin tocar),
* el buffer ``weight_mask`` (1 = se queda, 0 = podado; entra en ``state_dict``),
* un *forward pre-hook* que antes de cada ``forward`` pone ``capa.weight = weight_orig * weight_mask``
  (un tensor normal, no un parámetro: el gradiente de los pesos podados es 0).

Podar otra vez el mismo tensor combina las máscaras (``PruningContainer``: la poda nueva sólo mira
los pesos que aún quedan). ``prune.remove(capa, "weight")`` hace permanente la poda: ``weight``
vuelve a ser un parámetro (el mismo objeto que ``weight_orig``) con los ceros escritos.

Métodos (clases y funciones): ``identity``, ``random_unstructured``, ``l1_unstructured`` (los de
menor |w|), ``random_structured``, ``ln_structured`` (filas/canales enteros de menor norma Lₙ),
``global_unstructured`` (un umbral común a varias capas) y ``custom_from_mask``.

``amount``: un ``float`` en [0, 1] es la fracción (se redondea: ``round(amount·n)``) y un ``int``
el número de pesos (o canales) a podar.

Ejemplo::

    capa = nn.Linear(4, 3)
    prune.l1_unstructured(capa, "weight", amount=0.5)     # 6 de los 12 pesos a 0
    capa.weight_mask.sum()                                # tensor(6.)
    prune.remove(capa, "weight")                          # poda permanente
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._prune_base import BasePruningMethod, PruningContainer, _arr, _wrap
from ._prune_methods import (CustomFromMask, Identity, L1Unstructured, LnStructured, RandomStructured,
                             RandomUnstructured)

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
           "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured",
           "l1_unstructured", "random_structured", "ln_structured", "global_unstructured", "custom_from_mask",
           "remove", "is_pruned"]


def identity(module, name):
    """Añade ``<name>_orig``/``<name>_mask`` (de unos) sin podar nada; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.identity``."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Poda ``amount`` pesos al azar de ``module.<name>``; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.random_unstructured``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Poda los ``amount`` pesos de ``module.<name>`` de menor |valor| (o de menor ``importance_scores``);
    devuelve ``module``.

    Ejemplo::

        capa = prune.l1_unstructured(nn.Linear(4, 3), "weight", amount=0.5)
        int(capa.weight_mask.sum())          # 6: la mitad de los 12 pesos, los de menor |w|

    Errores: ``ValueError`` si ``amount`` no está en [0, 1] (float) o es negativo o mayor que el número de
    pesos (int); ``TypeError`` si no es un número.

    En PyTorch: ``torch.nn.utils.prune.l1_unstructured``.
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Poda ``amount`` cortes de ``module.<name>`` al azar a lo largo de ``dim``; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.random_structured``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Poda los ``amount`` cortes de ``module.<name>`` a lo largo de ``dim`` de menor norma Lₙ (``n``: 1, 2,
    ``inf``, ``-inf``, ``'fro'``...; calculada sobre ``importance_scores`` si se da). ``dim=0`` en una conv
    poda filtros enteros; devuelve ``module``. En PyTorch: ``torch.nn.utils.prune.ln_structured``."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Poda varias capas a la vez con un umbral común: ``amount`` se reparte donde están los pesos
    menos importantes de todas juntas.

    Args:
        parameters: iterable de pares ``(módulo, nombre)``.
        pruning_method: una clase no estructurada (``prune.L1Unstructured``, ``prune.RandomUnstructured``).
        importance_scores: dict ``{(módulo, nombre): tensor}`` (por defecto, los propios pesos).
        **kwargs: los del método (``amount=0.2``).

    Ejemplo::

        prune.global_unstructured([(m.fc1, "weight"), (m.fc2, "weight")],
                                  pruning_method=prune.L1Unstructured, amount=0.2)

    En PyTorch: ``torch.nn.utils.prune.global_unstructured``.
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters no es iterable")
    parameters = list(parameters)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores debe ser un dict")
    scores = np.concatenate([_arr(importance_scores.get((m, n), getattr(m, n))).reshape(-1) for m, n in parameters])
    default = np.concatenate([_arr(getattr(m, n + "_mask")).reshape(-1) if hasattr(m, n + "_mask")
                              else np.ones(_arr(getattr(m, n)).size, dtype=scores.dtype) for m, n in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f'global_unstructured sólo admite métodos de PRUNING_TYPE "unstructured"; '
                        f'{type(method).__name__} es "{method.PRUNING_TYPE}"')
    container.add_pruning_method(method)
    final = _arr(container.compute_mask(_wrap(scores), _wrap(default)))
    pointer = 0
    for m, n in parameters:
        p = getattr(m, n)
        size = _arr(p).size
        custom_from_mask(m, n, mask=_wrap(final[pointer:pointer + size].reshape(p.shape)))
        pointer += size


def custom_from_mask(module, name, mask):
    """Poda con la máscara ``mask`` (0 = podado) de la forma de ``module.<name>``; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.custom_from_mask``."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Hace permanente la poda de ``module.<name>`` (véase ``BasePruningMethod.remove``); devuelve ``module``.

    Errores: ``ValueError`` si ``name`` no está podado.

    En PyTorch: ``torch.nn.utils.prune.remove``.
    """
    for k, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"el parámetro '{name}' de {module} tiene que estar podado antes de quitar la poda")


def is_pruned(module) -> bool:
    """¿Tiene ``module`` (o algún submódulo) un tensor podado?

    En PyTorch: ``torch.nn.utils.prune.is_pruned``.
    """
    for _, sub in module.named_modules():
        for hook, _ in sub._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False
