"""Recorte de gradientes (``torch.nn.utils.clip_grad_norm_`` y ``clip_grad_value_``)."""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _params(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad for p in _params(parameters) if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Norma de todos los tensores juntos (la norma de las normas de cada uno)."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._wrap(np.array(0.0, dtype=np.float32))
    dt = np.result_type(*[t._data.dtype for t in tensors])
    if norm_type == math.inf:
        norms = [np.abs(t._data).max() if t._data.size else 0.0 for t in tensors]
        total = max(norms)
    else:
        norms = [np.linalg.norm(t._data.reshape(-1).astype(dt, copy=False), norm_type) for t in tensors]
        total = np.linalg.norm(np.asarray(norms, dtype=dt), norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"la norma total de los gradientes (orden {norm_type}) no es finita ({total}); "
                           f"quita error_if_nonfinite=True para recortar de todos modos")
    return Tensor._wrap(np.asarray(total, dtype=dt))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Escala los gradientes por ``min(1, max_norm / (total_norm + 10⁻⁶))``."""
    coef = float(max_norm) / (float(total_norm) + 1e-6)
    coef = min(coef, 1.0)
    for g in _grads(parameters):
        g._data *= g._data.dtype.type(coef)
        g._vc.value += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Si la norma conjunta de los gradientes supera ``max_norm``, los escala (in situ) para que la
    norma sea ``max_norm``; devuelve la norma total **antes** de recortar (como PyTorch)."""
    parameters = _params(parameters)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Acota cada componente de los gradientes a [−clip_value, clip_value] (in situ)."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc.value += 1
