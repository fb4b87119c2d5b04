"""``torch.nn.utils.parametrizations``: ``weight_norm``, ``spectral_norm`` y ``orthogonal`` como
parametrizaciones (``parametrize.register_parametrization``), la forma actual de PyTorch.

* ``weight_norm``: ``w = g · v / ‖v‖`` (Salimans y Kingma, 2016). La dirección ``v`` y la longitud
  ``g`` se entrenan por separado: ``parametrizations.weight.original0`` es ``g`` y ``original1`` es ``v``.
* ``spectral_norm``: ``w = W / σ(W)``, con σ el mayor valor singular estimado por iteración de la
  potencia (Miyato et al., 2018): estabiliza el discriminador de una GAN. ``u`` y ``v`` (los
  vectores singulares aproximados) son buffers de la parametrización (``parametrizations.weight.0._u``
  y ``._v``) y avanzan ``n_power_iterations`` pasos en cada lectura del peso en modo ``train()``.

* ``orthogonal``: el peso es siempre (semi)ortogonal; los mapas están en ``_orthogonal.py``.

Las funciones ``norm_except_dim`` y ``weight_norm_value`` son también las de ``nn.utils.weight_norm``
(la versión antigua con hooks).
"""
from __future__ import annotations

from ..._tensor import Tensor
from ...autograd import no_grad
from ..functional import normalize
from ..module import Module
from . import parametrize
from ._orthogonal import MAPS, _Orthogonal

__all__ = ["orthogonal", "weight_norm", "spectral_norm", "norm_except_dim", "weight_norm_value", "weight_to_matrix",
           "is_conv_transpose"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """La norma ``pow`` de ``v`` sobre todos los ejes menos ``dim`` (con ``keepdim``: forma ``(1, …, n, …, 1)``);
    ``dim=-1`` es la norma de todo el tensor (un escalar). Es ``torch.norm_except_dim``.

    Ejemplo::

        norm_except_dim(torch.ones(4, 3), 2, 0).shape      # torch.Size([4, 1])
    """
    if dim == -1:
        return v.norm(pow)
    if not -v.dim() <= dim < v.dim():
        raise IndexError(f"dim fuera de rango (se esperaba en [{-v.dim()}, {v.dim() - 1}] y es {dim})")
    d = dim % v.dim()
    return v.norm(pow, dim=[i for i in range(v.dim()) if i != d], keepdim=True)


def weight_norm_value(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``w = v · g / ‖v‖`` (la norma de ``norm_except_dim(v, 2, dim)``). Es ``torch._weight_norm``.

    Derivada: ∂w/∂g = v/‖v‖; ∂w/∂v = (g/‖v‖)(I − v̂ v̂ᵀ) por cada fila (salen de la composición).
    """
    return v * (g / norm_except_dim(v, 2, dim))


class _WeightNorm(Module):
    """La parametrización de ``weight_norm``: ``forward(g, v) = g·v/‖v‖``;
    ``right_inverse(w) = (‖w‖, w)``."""

    def __init__(self, dim: int | None = 0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_norm_value(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Reparametriza ``module.<name>`` como ``g · v / ‖v‖`` (normalización de pesos).

    Args:
        module: la capa (``nn.Linear``, ``nn.Conv2d``...).
        name: el parámetro (``"weight"``).
        dim: el eje que conserva su propia norma (``0``: una ``g`` por neurona de salida; ``None``: una
            sola ``g`` para todo el tensor).

    Returns:
        ``module``, con ``parametrizations.<name>.original0`` (``g``, forma ``(out, 1, …)``) y
        ``original1`` (``v``, la forma del peso). Al principio ``w`` vale lo mismo que antes.

    Ejemplo:
        >>> capa = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
        >>> capa.parametrizations.weight.original0.shape
        torch.Size([40, 1])

    En PyTorch: ``torch.nn.utils.parametrizations.weight_norm``.
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        # un checkpoint de nn.utils.weight_norm (el antiguo) tiene <name>_g y <name>_v: se renombran
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


def weight_to_matrix(weight: Tensor, dim: int) -> Tensor:
    """El peso como matriz ``(weight.shape[dim], resto)``: la que normaliza ``spectral_norm``."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.dim()) if d != dim))
    return weight.flatten(1)


class _SpectralNorm(Module):
    """La parametrización de ``spectral_norm``: ``forward(W) = W / σ``, σ ≈ ``uᵀ W v``."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        super().__init__()
        ndim = weight.dim()
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"dim fuera de rango (se esperaba en [{-ndim}, {ndim - 1}] y es {dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"n_power_iterations debe ser positivo y es {n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            wm = weight_to_matrix(weight.detach(), self.dim)
            h, w = wm.shape
            u = wm.new_empty(h).normal_(0, 1)
            v = wm.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=self.eps))
            self._power_method(wm, 15)  # u y v empiezan cerca de los vectores singulares

    def _power_method(self, wm: Tensor, n: int) -> None:
        """``n`` pasos de la iteración de la potencia (in situ en ``_u`` y ``_v``, sin grafo):
        u ← W v / ‖W v‖, v ← Wᵀ u / ‖Wᵀ u‖."""
        with no_grad():
            for _ in range(n):
                self._u.copy_(normalize(wm.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(normalize(wm.H.mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.dim() == 1:
            return normalize(weight, dim=0, eps=self.eps)
        wm = weight_to_matrix(weight, self.dim)
        if self.training:
            self._power_method(wm.detach(), self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = u.vdot(wm.mv(v))
        return weight / sigma

    def right_inverse(self, value):
        return value  # se guarda W sin normalizar (no se puede deshacer la división por σ)


def is_conv_transpose(module) -> bool:
    """¿Es ``module`` una ``ConvTranspose1d/2d/3d`` (o una subclase)? Su eje de salida es el 1."""
    return any(c.__name__ in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d") for c in type(module).__mro__)


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None):
    """Reparametriza ``module.<name>`` como ``W / σ(W)`` (normalización espectral).

    Args:
        module: la capa.
        name: el parámetro (``"weight"``).
        n_power_iterations: pasos de la iteración de la potencia en cada lectura en ``train()`` (``1``).
        eps: mínimo de las normas al normalizar ``u`` y ``v`` (``1e-12``).
        dim: el eje de salida (``None``: ``0``, o ``1`` en las ``ConvTranspose``).

    Returns:
        ``module``, con ``parametrizations.<name>.original`` (``W``) y los buffers ``…0._u``, ``…0._v``.
        En ``eval()`` ``u`` y ``v`` no cambian.

    Ejemplo::

        d = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
        torch.linalg.matrix_norm(d.weight, 2)              # ≈ 1 (el mayor valor singular)

    Errores: ``ValueError`` si no hay un tensor ``name``; ``ValueError`` si ``n_power_iterations ≤ 0``;
    ``IndexError`` si ``dim`` no existe.

    En PyTorch: ``torch.nn.utils.parametrizations.spectral_norm``.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"el módulo '{module}' no tiene un parámetro ni un buffer llamado '{name}'")
    if dim is None:
        dim = 1 if is_conv_transpose(module) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


def orthogonal(module, name: str = "weight", orthogonal_map: str | None = None, *, use_trivialization: bool = True):
    """Reparametriza ``module.<name>`` para que sea siempre una matriz ortogonal (o semiortogonal).

    Args:
        module: la capa.
        name: el tensor, de al menos 2 ejes (``"weight"``; los ejes de delante son un lote).
        orthogonal_map: ``"matrix_exp"``, ``"cayley"`` o ``"householder"`` (``None``: ``"matrix_exp"`` si
            la matriz es cuadrada, si no ``"householder"``).
        use_trivialization: guardar la ortogonal de partida en el buffer ``base`` (``True``).

    Returns:
        ``module``, con ``parametrizations.<name>.original`` y (con trivialización)
        ``parametrizations.<name>.0.base``. Al principio el peso es la ortogonal más cercana al de antes.

    Ejemplo:
        >>> capa = nn.utils.parametrizations.orthogonal(nn.Linear(5, 5))
        >>> torch.allclose(capa.weight.T @ capa.weight, torch.eye(5), atol=1e-5)
        True

    Errores: ``ValueError`` si no hay un tensor ``name``, si tiene menos de 2 ejes o si el mapa no existe.

    En PyTorch: ``torch.nn.utils.parametrizations.orthogonal``.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"el módulo '{module}' no tiene un parámetro ni un buffer llamado '{name}'")
    if weight.dim() < 2:
        raise ValueError(f"orthogonal espera una matriz o un lote de matrices; el tensor tiene {weight.dim()} ejes")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.dtype.is_complex else "householder"
    if orthogonal_map not in MAPS:
        raise ValueError(f'orthogonal_map debe ser "matrix_exp", "cayley" o "householder", no {orthogonal_map!r}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
