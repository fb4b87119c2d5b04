"""``torch.nn.utils.weight_norm`` y ``remove_weight_norm``: la normalización de pesos antigua, con un
*forward pre-hook* (PyTorch la marca como obsoleta en favor de ``parametrizations.weight_norm``, y
aquí avisa igual; muchos tutoriales y modelos guardados la usan).

``weight_norm(capa)`` cambia el parámetro ``weight`` por dos, ``weight_g`` (la longitud, forma
``(out, 1, …)``) y ``weight_v`` (la dirección, la forma del peso), y antes de cada ``forward`` el hook
recalcula ``capa.weight = g · v / ‖v‖`` (un tensor normal, no un parámetro). Las claves de
``state_dict`` son ``weight_g`` y ``weight_v``, como en PyTorch.
"""
from __future__ import annotations

import warnings

from ..parameter import Parameter, UninitializedParameter
from .parametrizations import norm_except_dim, weight_norm_value

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


class WeightNorm:
    """El hook de ``weight_norm``: ``hook(módulo, entradas)`` pone ``módulo.<name> = g·v/‖v‖``."""

    def __init__(self, name: str, dim: int | None):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        return weight_norm_value(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name: str, dim: int | None) -> "WeightNorm":
        warnings.warn("torch.nn.utils.weight_norm está obsoleto (también en PyTorch): usa "
                      "torch.nn.utils.parametrizations.weight_norm", FutureWarning, stacklevel=3)
        for hook, _ in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"no se pueden registrar dos hooks de weight_norm sobre el mismo parámetro "
                                   f"'{name}'")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("weight_norm no admite parámetros sin inicializar (capas Lazy*): haz antes una "
                             "pasada de prueba para que tengan forma")
        if not isinstance(module.__dict__.get(name), Parameter):
            raise ValueError(f"'{name}' no es un parámetro de {type(module).__name__}")
        del module.__dict__[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        object.__setattr__(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        weight = self.compute_weight(module)
        module.__dict__.pop(self.name, None)
        del module.__dict__[self.name + "_g"]
        del module.__dict__[self.name + "_v"]
        module.register_parameter(self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        object.__setattr__(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Normalización de pesos con un hook (versión antigua; avisa con ``FutureWarning`` como PyTorch).

    Args:
        module: la capa.
        name: el parámetro (``"weight"``).
        dim: el eje que conserva su norma (``0``; ``None``: una sola ``g`` para todo el peso).

    Returns:
        ``module``, con los parámetros ``<name>_g`` y ``<name>_v``.

    Ejemplo:
        >>> m = nn.utils.weight_norm(nn.Linear(20, 40))
        >>> m.weight_g.shape, m.weight_v.shape
        (torch.Size([40, 1]), torch.Size([40, 20]))

    Errores: ``RuntimeError`` si ``name`` ya tiene weight_norm.

    En PyTorch: ``torch.nn.utils.weight_norm``.
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Quita el hook de ``weight_norm`` de ``module``: ``<name>`` vuelve a ser un parámetro (con el valor
    ``g·v/‖v‖``).

    Errores: ``ValueError`` si ``name`` no tiene weight_norm.

    En PyTorch: ``torch.nn.utils.remove_weight_norm``.
    """
    for k, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"no hay weight_norm de '{name}' en {module}")
