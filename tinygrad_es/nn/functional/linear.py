"""Capas lineales de ``torch.nn.functional``: ``linear`` (un nodo ``ops.matmul.Linear`` cuando los
dtypes coinciden), ``bilinear``, ``flatten`` y ``unflatten``."""
from __future__ import annotations

from ..._dtype import float32, float64
from ..._tensor import Tensor
from ...ops.matmul import Linear as _Linear
from ._utils import as_tensor as _t

__all__ = ["linear", "bilinear", "flatten", "unflatten"]


# ---- capas lineales y convolucionales -----------------------------------------------------
def linear(input, weight, bias=None) -> Tensor:
    """Transformación lineal ``y = input·weightᵀ + bias`` (la capa es ``nn.Linear``).

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features,)`` o ``None``.

    Forma: salida ``(*, out_features)``.

    Ejemplo:
        >>> F.linear(torch.ones(2, 3), torch.ones(4, 3), torch.zeros(4))
        tensor([[3., 3., 3., 3.],
                [3., 3., 3., 3.]])

    En PyTorch: ``torch.nn.functional.linear``.
    """
    # el caso de todas las capas (tensores flotantes del mismo dtype y formas que encajan), con los
    # arrays directamente: cada propiedad (shape, dtype) cuesta una llamada en cada paso
    if isinstance(input, Tensor) and isinstance(weight, Tensor) and (bias is None or isinstance(bias, Tensor)):
        xd, wd = input._data, weight._data
        if (wd.ndim == 2 and xd.ndim >= 1 and xd.shape[-1] == wd.shape[1] and xd.dtype == wd.dtype
                and xd.dtype.char in "fd"
                and (bias is None or (bias._data.dtype == xd.dtype and bias._data.shape == wd.shape[:1]))):
            return _Linear.apply(input, weight, bias)
    x = _t(input, "linear")
    weight = _t(weight, "linear", "weight")  # un texto o None: TypeError en español, no 'no attribute shape'
    if x.ndim == 0:
        raise RuntimeError(f"linear: la entrada es un escalar (forma ()); se esperaba forma (..., {weight.shape[-1]}) "
                         f"con {weight.shape[-1]} características (pesos de forma {tuple(weight.shape)})")
    if x.shape[-1] != weight.shape[-1]:
        raise RuntimeError(f"linear: la entrada tiene {x.shape[-1]} características (forma {tuple(x.shape)}) "
                         f"pero la capa espera {weight.shape[-1]} (pesos de forma {tuple(weight.shape)})")
    for t, name in ((weight, "los pesos"), (bias, "el sesgo")):
        if isinstance(t, Tensor) and t.dtype != x.dtype:
            raise RuntimeError(f"linear: la entrada es {x.dtype} y {name} {t.dtype}: deben tener el mismo dtype")
    if (isinstance(weight, Tensor) and x.dtype == weight.dtype and x.dtype in (float32, float64)
            and (bias is None or (isinstance(bias, Tensor) and bias.dtype == x.dtype and bias.shape == weight.shape[:1]))
            and weight.ndim == 2):
        return _Linear.apply(x, weight, bias)  # un nodo; ∂L/∂W contiguo
    out = x @ weight.T
    return out + bias if bias is not None else out


def flatten(input, start_dim=1, end_dim=-1) -> Tensor:
    """Aplana los ejes de ``start_dim`` a ``end_dim`` de ``input`` en uno (por defecto, todo salvo el lote).

    Ejemplo:
        >>> F.flatten(torch.zeros(64, 32, 5, 5)).shape
        torch.Size([64, 800])

    En PyTorch: ``torch.flatten(input, start_dim=1)`` (la capa es ``nn.Flatten``).
    """
    return _t(input, "flatten").flatten(start_dim, end_dim)


def unflatten(input, dim, sizes) -> Tensor:
    """El eje ``dim`` de ``input`` pasa a tener la forma ``sizes`` (su producto debe ser su tamaño).

    Ejemplo:
        >>> F.unflatten(torch.zeros(64, 784), 1, (1, 28, 28)).shape
        torch.Size([64, 1, 28, 28])

    En PyTorch: ``torch.unflatten`` (la capa es ``nn.Unflatten``).
    """
    x = _t(input, "unflatten")
    d = x._dim(dim)
    return x.reshape(tuple(x.shape[:d]) + tuple(sizes) + tuple(x.shape[d + 1:]))


def bilinear(input1, input2, weight, bias=None) -> Tensor:
    """Transformación bilineal ``y_k = input1ᵀ·W_k·input2 + b_k`` (la capa es ``nn.Bilinear``).

    Args:
        input1: ``(*, in1)``.
        input2: ``(*, in2)``.
        weight: ``(out, in1, in2)``.
        bias: ``(out,)`` o ``None``.

    Ejemplo:
        >>> F.bilinear(torch.ones(1, 2), torch.ones(1, 3), torch.ones(4, 2, 3)).shape
        torch.Size([1, 4])

    En PyTorch: ``torch.nn.functional.bilinear``.
    """
    x1, x2 = _t(input1, "bilinear", "input1"), _t(input2, "bilinear", "input2")
    out, in1, in2 = weight.shape
    flat = weight.permute(1, 0, 2).reshape(in1, out * in2)
    y = (x1 @ flat).reshape(tuple(x1.shape[:-1]) + (out, in2))
    y = (y * x2.unsqueeze(-2)).sum(-1)
    return y + bias if bias is not None else y
