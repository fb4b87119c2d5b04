"""Recorte de gradientes (``torch.nn.utils.clip_grad_norm_`` y ``clip_grad_value_``)."""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ..._validate import number

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _params(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad for p in _params(parameters) if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """La norma de todos los tensores juntos, como si fueran un solo vector (= la norma de las normas de
    cada uno).

    Args:
        tensors: un tensor o un iterable de tensores (p. ej. los gradientes).
        norm_type: orden p de la norma (``2.0``; ``float('inf')`` para el máximo).
        error_if_nonfinite: si es ``True``, una norma ``nan``/``inf`` es un ``RuntimeError`` (``False``).
        foreach: de PyTorch (variante de implementación); sin efecto (``None``).

    Ejemplo:
        >>> nn.utils.get_total_norm([torch.tensor([3., 4.]), torch.tensor([12.])])
        tensor(13.)

    En PyTorch: ``torch.nn.utils.get_total_norm``.
    """
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
    """Escala los gradientes de ``parameters`` (in situ) por ``min(1, max_norm/(total_norm + 10⁻⁶))``, con
    una norma total ya calculada (``get_total_norm``).

    Args:
        parameters: un tensor o un iterable de parámetros (los que no tienen ``.grad`` se saltan).
        max_norm: la norma máxima.
        total_norm: la norma total de los gradientes.
        foreach: de PyTorch; sin efecto (``None``).

    Ejemplo:
        >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3., 4.])
        >>> nn.utils.clip_grads_with_norm_([w], 1.0, torch.tensor(5.)); w.grad
        tensor([0.6000, 0.8000])

    En PyTorch: ``torch.nn.utils.clip_grads_with_norm_``.
    """
    coef = float(max_norm) / (float(total_norm) + 1e-6)
    coef = min(coef, 1.0)
    for g in _grads(parameters):
        g._data *= g._data.dtype.type(coef)
        g._vc.value += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Recorte de gradientes por la norma: si la norma conjunta de todos los gradientes supera ``max_norm``,
    los escala (in situ) por ``max_norm/(norma + 10⁻⁶)``, sin cambiar su dirección. Evita la explosión
    del gradiente (RNN); se llama entre ``loss.backward()`` y ``optimizer.step()``.

    Args:
        parameters: un tensor o un iterable de parámetros (``model.parameters()``).
        max_norm: la norma máxima.
        norm_type: orden p de la norma (``2.0``; ``float('inf')``: el máximo).
        error_if_nonfinite: error si la norma es ``nan``/``inf`` (``False``).
        foreach: de PyTorch; sin efecto (``None``).

    Devuelve la norma total **antes** de recortar (como PyTorch).

    Ejemplo:
        >>> capa = nn.Linear(2, 1)
        >>> capa.weight.grad, capa.bias.grad = torch.tensor([[3., 4.]]), torch.tensor([0.])
        >>> nn.utils.clip_grad_norm_(capa.parameters(), max_norm=1.0)
        tensor(5.)
        >>> capa.weight.grad
        tensor([[0.6000, 0.8000]])

    En PyTorch: ``torch.nn.utils.clip_grad_norm_``.
    """
    number(max_norm, "max_norm", "clip_grad_norm_", nan_ok=True)
    parameters = _params(parameters)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Recorte de gradientes por valor: acota cada componente a [−clip_value, clip_value] (in situ).

    Args:
        parameters: un tensor o un iterable de parámetros.
        clip_value: el valor máximo (en valor absoluto).
        foreach: de PyTorch; sin efecto (``None``).

    Ejemplo:
        >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3., -0.5])
        >>> nn.utils.clip_grad_value_([w], 1.0); w.grad
        tensor([ 1.0000, -0.5000])

    En PyTorch: ``torch.nn.utils.clip_grad_value_``.
    """
    clip_value = float(number(clip_value, "clip_value", "clip_grad_value_"))
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc.value += 1
