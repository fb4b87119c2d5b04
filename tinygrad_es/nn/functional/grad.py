"""``torch.nn.grad`` (también ``F.grad``): el gradiente de una convolución respecto de su entrada o de sus
pesos, dado el gradiente de la salida, sin construir la convolución a mano. Es lo que calcula el paso
backward de ``conv1d/2d/3d`` y sirve para escribir un ``autograd.Function`` propio.

Si ``y = conv(x, w)`` y ``g = ∂L/∂y``:

- ``convNd_input(x.shape, w, g)`` = ∂L/∂x = ``conv_transposeNd(g, w)`` (la traspuesta reparte cada
  gradiente por la ventana que lo produjo; ``output_padding`` recupera las filas que el paso se saltó).
- ``convNd_weight(x, w.shape, g)`` = ∂L/∂w: la correlación de ``x`` con ``g`` (cada peso acumula
  entrada × gradiente en todas las posiciones donde se aplicó). Se obtiene con el motor de autograd sobre
  ``conv(x, w)``, así que también es derivable (``create_graph``).

Ambos son lineales en ``g`` y en el otro argumento; el resultado es derivable respecto de los dos.
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...autograd import enable_grad, grad as autograd_grad
from ._utils import as_tensor, int_tuple
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .conv3d import conv3d, conv_transpose3d

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input", "conv3d_weight"]

_CONV = {1: (conv1d, conv_transpose1d), 2: (conv2d, conv_transpose2d), 3: (conv3d, conv_transpose3d)}


def _size(size, n, what, op):
    try:
        size = tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"{op}: {what} debe ser una forma (tupla de enteros), no {type(size).__name__}") from None
    if len(size) not in (n + 1, n + 2):
        raise ValueError(f"{op}: {what} debe tener {n + 2} dimensiones (o {n + 1} sin lote), no {size}")
    return size


def _input(n, input_size, weight, grad_output, stride, padding, dilation, groups):
    op = f"conv{n}d_input"
    weight, grad_output = as_tensor(weight, op, "weight"), as_tensor(grad_output, op, "grad_output")
    input_size = _size(input_size, n, "input_size", op)
    stride, padding = int_tuple(stride, n, "stride", op, 1), int_tuple(padding, n, "padding", op, 0)
    dilation = int_tuple(dilation, n, "dilation", op, 1)
    go = grad_output.shape[-n:]
    kernel = weight.shape[-n:]
    lo = [(go[d] - 1) * stride[d] - 2 * padding[d] + dilation[d] * (kernel[d] - 1) + 1 for d in range(n)]
    want = input_size[-n:]
    extra = [w - m for w, m in zip(want, lo)]
    if any(e < 0 or e >= max(stride[d], dilation[d]) for d, e in enumerate(extra)):
        hi = tuple(m + max(s, dl) - 1 for m, s, dl in zip(lo, stride, dilation))
        raise ValueError(f"{op}: input_size pide una entrada de {tuple(want)} pero, con grad_output de "
                         f"{tuple(go)}, las válidas van de {tuple(lo)} a {hi}")
    gx = _CONV[n][1](grad_output, weight, None, stride, padding, tuple(extra), groups, dilation)
    if tuple(gx.shape) != input_size:
        raise RuntimeError(f"{op}: el gradiente sale de forma {tuple(gx.shape)} y input_size es {input_size}")
    return gx


def _weight(n, input, weight_size, grad_output, stride, padding, dilation, groups):
    op = f"conv{n}d_weight"
    input, grad_output = as_tensor(input, op, "input"), as_tensor(grad_output, op, "grad_output")
    weight_size = _size(weight_size, n, "weight_size", op)
    if len(weight_size) != n + 2:
        raise ValueError(f"{op}: weight_size debe tener {n + 2} dimensiones, no {weight_size}")
    w = Tensor._wrap(np.zeros(weight_size, dtype=input._data.dtype)).requires_grad_()
    with enable_grad():
        y = _CONV[n][0](input, w, None, stride, padding, dilation, groups)
        if tuple(y.shape) != tuple(grad_output.shape):
            raise RuntimeError(f"{op}: grad_output tiene forma {tuple(grad_output.shape)} pero la convolución de "
                               f"input {tuple(input.shape)} con pesos {weight_size} da {tuple(y.shape)}")
        create = input.requires_grad or grad_output.requires_grad
        (gw,) = autograd_grad(y, w, grad_output, create_graph=create)
    return gw


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """∂L/∂x de ``conv1d``: ``input_size`` la forma de la entrada ``(N, C_in, L)``, ``weight``
    ``(C_out, C_in/groups, k)``, ``grad_output`` ``(N, C_out, L_out)``; ``stride``, ``padding``, ``dilation``
    y ``groups`` como en ``F.conv1d``.

    >>> w, g = torch.ones(1, 1, 2), torch.ones(1, 1, 3)
    >>> torch.nn.grad.conv1d_input((1, 1, 4), w, g)
    tensor([[[1., 2., 2., 1.]]])

    En PyTorch: ``torch.nn.grad.conv1d_input``."""
    return _input(1, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """∂L/∂w de ``conv1d``: ``input`` ``(N, C_in, L)``, ``weight_size`` la forma de los pesos
    ``(C_out, C_in/groups, k)``, ``grad_output`` ``(N, C_out, L_out)``; ``stride``, ``padding``, ``dilation`` y
    ``groups`` como en ``F.conv1d``.

    >>> x, g = torch.tensor([[[1., 2., 3., 4.]]]), torch.ones(1, 1, 3)
    >>> torch.nn.grad.conv1d_weight(x, (1, 1, 2), g)
    tensor([[[6., 9.]]])

    En PyTorch: ``torch.nn.grad.conv1d_weight``."""
    return _weight(1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """∂L/∂x de ``conv2d`` (lo que calcula su backward): ``input_size`` ``(N, C_in, H, W)``, ``weight``
    ``(C_out, C_in/groups, kH, kW)``, ``grad_output`` ``(N, C_out, H_out, W_out)``; ``stride``, ``padding``,
    ``dilation`` y ``groups`` como en ``F.conv2d``.

    En PyTorch: ``torch.nn.grad.conv2d_input``."""
    return _input(2, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """∂L/∂w de ``conv2d``: ``input`` ``(N, C_in, H, W)``, ``weight_size`` ``(C_out, C_in/groups, kH, kW)``,
    ``grad_output`` ``(N, C_out, H_out, W_out)``; ``stride``, ``padding``,
    ``dilation`` y ``groups`` como en ``F.conv2d``.

    En PyTorch: ``torch.nn.grad.conv2d_weight``."""
    return _weight(2, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """∂L/∂x de ``conv3d``: ``input_size`` ``(N, C_in, D, H, W)``, ``weight`` ``(C_out, C_in/groups, kD, kH,
    kW)``, ``grad_output`` ``(N, C_out, D_out, H_out, W_out)``; ``stride``, ``padding``,
    ``dilation`` y ``groups`` como en ``F.conv3d``.

    En PyTorch: ``torch.nn.grad.conv3d_input``."""
    return _input(3, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """∂L/∂w de ``conv3d``: ``input`` ``(N, C_in, D, H, W)``, ``weight_size`` ``(C_out, C_in/groups, kD, kH,
    kW)``, ``grad_output`` ``(N, C_out, D_out, H_out, W_out)``; ``stride``, ``padding``,
    ``dilation`` y ``groups`` como en ``F.conv3d``.

    En PyTorch: ``torch.nn.grad.conv3d_weight``."""
    return _weight(3, input, weight_size, grad_output, stride, padding, dilation, groups)
