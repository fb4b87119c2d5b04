"""``torch.nn.utils.spectral_norm`` y ``remove_spectral_norm``: la normalización espectral antigua,
con un *forward pre-hook* (la actual es ``parametrizations.spectral_norm``).

``spectral_norm(capa)`` guarda el peso sin normalizar como parámetro ``weight_orig`` y los vectores
de la iteración de la potencia como buffers ``weight_u`` (forma ``(out,)``) y ``weight_v`` (forma
``(resto,)``): son las claves de ``state_dict`` de PyTorch. Antes de cada ``forward`` el hook hace
(en ``train()``) ``n_power_iterations`` pasos v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖ y pone
``capa.weight = W / (uᵀ W v)`` (un tensor normal, no un parámetro).

Derivada: σ = uᵀWv con u, v constantes, así que ∂σ/∂W = u vᵀ y
∂(W/σ)/∂W · G = G/σ − (⟨G, W⟩/σ²) u vᵀ (sale de la composición).
"""
from __future__ import annotations

from ...autograd import no_grad
from ..functional import normalize
from ..parameter import Parameter
from .parametrizations import is_conv_transpose, weight_to_matrix

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]


class SpectralNorm:
    """El hook de ``spectral_norm``: ``hook(módulo, entradas)`` pone ``módulo.<name> = W / σ``."""

    _version = 1

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError(f"n_power_iterations debe ser positivo y es {n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        if not -weight.dim() <= self.dim < weight.dim():
            raise RuntimeError(f"spectral_norm: dim={self.dim} no existe en un peso de forma {tuple(weight.shape)}")
        return weight_to_matrix(weight, self.dim % weight.dim())

    def compute_weight(self, module, do_power_iteration: bool):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        wm = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                w = wm.detach()
                for _ in range(self.n_power_iterations):
                    v.copy_(normalize(w.t().mv(u), dim=0, eps=self.eps))
                    u.copy_(normalize(w.mv(v), dim=0, eps=self.eps))
                u, v = u.clone(), v.clone()
        sigma = u.dot(wm.mv(v))
        return weight / sigma

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            module.__dict__.pop(self.name + suffix, None)
        for suffix in ("_u", "_v"):
            if self.name + suffix in module._buffer_names:
                module._buffer_names.remove(self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        object.__setattr__(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name: str, n_power_iterations: int, dim: int, eps: float) -> "SpectralNorm":
        for hook, _ in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"no se pueden registrar dos hooks de spectral_norm sobre el mismo parámetro "
                                   f"'{name}'")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module.__dict__.get(name)
        if not isinstance(weight, Parameter):
            raise ValueError(f"'{name}' no es un parámetro de {type(module).__name__}")
        with no_grad():
            wm = fn.reshape_weight_to_matrix(weight)
            h, w = wm.shape
            u = normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        del module.__dict__[name]
        module.register_parameter(name + "_orig", weight)
        object.__setattr__(module, name, weight.data)
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None):
    """Normalización espectral con un hook (versión antigua): ``weight = weight_orig / σ``.

    Args:
        module: la capa.
        name: el parámetro (``"weight"``).
        n_power_iterations: pasos de la iteración de la potencia por ``forward`` en ``train()`` (``1``).
        eps: mínimo de las normas (``1e-12``).
        dim: eje de salida (``None``: ``0``, o ``1`` en las ``ConvTranspose``).

    Returns:
        ``module``, con el parámetro ``<name>_orig`` y los buffers ``<name>_u`` y ``<name>_v``.

    Ejemplo:
        >>> m = nn.utils.spectral_norm(nn.Linear(20, 40))
        >>> list(m.state_dict())
        ['bias', 'weight_orig', 'weight_u', 'weight_v']

    Errores: ``RuntimeError`` si ``name`` ya tiene spectral_norm; ``ValueError`` si
    ``n_power_iterations ≤ 0``.

    En PyTorch: ``torch.nn.utils.spectral_norm``.
    """
    if dim is None:
        dim = 1 if is_conv_transpose(module) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name: str = "weight"):
    """Quita el hook de ``spectral_norm`` de ``module``: ``<name>`` vuelve a ser un parámetro (con el valor ``W/σ``).

    Errores: ``ValueError`` si ``name`` no tiene spectral_norm.

    En PyTorch: ``torch.nn.utils.remove_spectral_norm``.
    """
    for k, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"no hay spectral_norm de '{name}' en {module}")
