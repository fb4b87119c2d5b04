"""Los métodos de poda de ``prune``: qué pesos se podan (al azar, menor |w|, canales de menor norma Lₙ,
una máscara dada). Cada uno define ``PRUNING_TYPE`` y ``compute_mask(t, default_mask)``."""
from __future__ import annotations

import numbers

import numpy as np

from ..._random import default_rng
from ._prune_base import BasePruningMethod, _arr, _wrap

__all__ = ["Identity", "RandomUnstructured", "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask"]


# -- comprobaciones de amount y dim (los mensajes dicen el valor) ----------------------------------
def _validate_amount_init(amount):
    if not isinstance(amount, numbers.Real) or isinstance(amount, bool):
        raise TypeError(f"amount no válido: {amount!r}; debe ser un int o un float")
    if (isinstance(amount, numbers.Integral) and amount < 0) or \
            (not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(f"amount={amount} debe ser un float en [0, 1] o un entero no negativo")


def _nprune(amount, size):
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} debe ser como mucho el número de parámetros que podar ({size})")
        return int(amount)
    return round(amount * size)


def _validate_structured(a, dim):
    if a.ndim <= 1:
        raise ValueError(f"la poda estructurada sólo vale para tensores de 2 o más ejes; éste tiene forma "
                         f"{tuple(a.shape)} ({a.ndim} ejes)")
    if dim >= a.ndim or dim < -a.ndim:
        raise IndexError(f"dim {dim} no válido para un tensor de forma {tuple(a.shape)}")


def _ln_norm(a, n, dim):
    """La norma Lₙ de cada corte de ``a`` a lo largo de ``dim`` (``n``: número, ``inf``, ``-inf`` o ``'fro'``)."""
    axes = tuple(d for d in range(a.ndim) if d != dim % a.ndim)
    x = np.abs(a.astype(np.float64))
    if n == "fro" and len(axes) <= 2:
        n = 2
    elif n in ("fro", "nuc"):  # como PyTorch: la norma de matriz necesita exactamente 2 ejes que reducir
        raise RuntimeError(f"ln_structured: la norma {n!r} es de matrices y aquí se reducen {len(axes)} ejes "
                           f"(forma {tuple(a.shape)}, dim {dim}); usa n=2")
    if n == np.inf:
        return x.max(axis=axes)
    if n == -np.inf:
        return x.min(axis=axes)
    if n == 0:
        return (x != 0).sum(axis=axes).astype(np.float64)
    return (x ** n).sum(axis=axes) ** (1.0 / n)


def _channel_mask(a, dim, keep_idx):
    mask = np.zeros_like(a)
    idx = [slice(None)] * a.ndim
    idx[dim] = keep_idx
    mask[tuple(idx)] = 1
    return mask


class Identity(BasePruningMethod):
    """No poda nada (la máscara es de unos): deja el módulo con ``weight_orig`` y ``weight_mask``."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Poda ``amount`` pesos elegidos al azar (con el generador global: ``torch.manual_seed``).
    En PyTorch: ``torch.nn.utils.prune.RandomUnstructured``."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        """Véase el docstring de la clase."""
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        a, mask = _arr(t), _arr(default_mask).copy()
        k = _nprune(self.amount, a.size)
        if k:
            prob = default_rng().random(a.size)
            mask.reshape(-1)[np.argsort(-prob, kind="stable")[:k]] = 0
        return _wrap(mask)

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Poda los ``amount`` pesos de menor valor absoluto (de ``importance_scores`` si se da)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        """Véase el docstring de la clase."""
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        a, mask = _arr(t), _arr(default_mask).copy()
        k = _nprune(self.amount, a.size)
        if k:
            mask.reshape(-1)[np.argsort(np.abs(a).reshape(-1), kind="stable")[:k]] = 0
        return _wrap(mask)

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Poda ``amount`` cortes enteros a lo largo de ``dim`` (canales, filas...) elegidos al azar."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        """Véase el docstring de la clase."""
        _validate_amount_init(amount)
        self.amount, self.dim = amount, dim

    def compute_mask(self, t, default_mask):
        a = _arr(t)
        _validate_structured(a, self.dim)
        n = a.shape[self.dim]
        k = _nprune(self.amount, n)
        if k == 0:
            return default_mask
        prob = default_rng().random(n)
        keep = prob > np.sort(prob)[k - 1]   # como kthvalue: quedan los n − k de mayor probabilidad
        return _wrap(_channel_mask(a, self.dim, keep) * _arr(default_mask).astype(a.dtype))

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Poda los ``amount`` cortes a lo largo de ``dim`` de menor norma Lₙ (``n=1``, ``2``, ``inf``...)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        """Véase el docstring de la clase."""
        _validate_amount_init(amount)
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t, default_mask):
        a = _arr(t)
        _validate_structured(a, self.dim)
        size = a.shape[self.dim]
        k = _nprune(self.amount, size)
        if k == 0:
            return default_mask
        norm = _ln_norm(a, self.n, self.dim)
        keep = np.argsort(-norm, kind="stable")[:size - k]
        return _wrap(_channel_mask(a, self.dim, keep) * _arr(default_mask).astype(a.dtype))

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """La máscara ``mask`` la da el usuario (0 = podado; se multiplica por la que ya hubiera)."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        """Véase el docstring de la clase."""
        self.mask = mask

    def compute_mask(self, t, default_mask):
        d, m = _arr(default_mask), _arr(self.mask)
        if d.shape != m.shape:
            raise AssertionError(f"la máscara tiene forma {m.shape} y el tensor {d.shape}")
        return _wrap(d * m.astype(d.dtype))

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)
