"""Convolución 3-D (volúmenes: vídeo, imagen médica) con la firma de ``torch.nn.functional``:
``conv3d`` y ``conv_transpose3d``.

Se componen de operaciones de tensor que ya tienen derivada (también de orden superior), sin núcleo
propio: la profundidad se despliega en los canales y el resto es una convolución 2-D.

- ``conv3d``: las ``kD`` rodajas de profundidad que ve cada posición de salida ``od`` se apilan como
  canales, ``X'[n·D_out + od, c·kD + u] = x[n, c, od·sD − pD + u·dD]`` (forma ``(N·D_out, C·kD, H, W)``),
  y los pesos ``(O, C/G, kD, kh, kw)`` se leen como ``(O, C/G·kD, kh, kw)``: una sola ``conv2d`` con los
  mismos ``groups`` (los canales de cada grupo siguen contiguos) da ``(N·D_out, O, H_out, W_out)``.
- ``conv_transpose3d``: una ``conv_transpose2d`` por rodaja de entrada con los pesos leídos como
  ``(C_in, C_out/G·kD, kh, kw)`` da, para cada toma ``u``, lo que cae en la profundidad
  ``id·sD − pD + u·dD``; ``F.fold`` con núcleo ``(kD, 1)`` suma esas tomas en su sitio (col2im en un eje).

Derivadas: las de ``conv2d``/``conv_transpose2d``, ``fold``, y los cortes y permutaciones (que sólo
mueven el gradiente): ∂L/∂x = conv_transpose3d(∂L/∂y, w), ∂L/∂w[o, c, u, v, t] = Σ ∂L/∂y · x desplazado,
∂L/∂b = Σ ∂L/∂y, como en PyTorch.
"""
import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import stack
from ...ops.fold import Fold, blocks
from ._utils import as_tensor, int_tuple, unbatched
from .conv import _CONV_INTS, _check_groups, _conv_padding, _dtypes, conv2d, conv_transpose2d

__all__ = ["conv3d", "conv_transpose3d"]


def _rank(x, op):
    if x.ndim not in (4, 5):
        raise RuntimeError(f"{op}: se esperaba una entrada 5-D (N, C, D, H, W) o 4-D sin lote (C, D, H, W), pero "
                           f"tiene forma {tuple(x.shape)}")


def _weight(w, op, layout):
    if w.ndim != 5:
        raise RuntimeError(f"{op}: los pesos deben ser 5-D, {layout}; tienen forma {tuple(w.shape)}")


def _bias(bias, o, w, op):
    if bias is None:
        return None
    bias = as_tensor(bias, op, "bias")
    if tuple(bias.shape) != (o,):
        raise RuntimeError(f"{op}: con pesos de forma {tuple(w.shape)} el sesgo debe tener forma ({o},), no "
                           f"{tuple(bias.shape)}")
    return bias


def _depth_taps(x, k, d, s, n_out):
    """``(N, C, D, H, W)`` → ``(N·D_out, C·k, H, W)``: la rodaja ``od·s + u·d`` en el canal ``c·k + u``."""
    n, c, _, h, w = x.shape
    span = s * (n_out - 1) + 1
    if k == 1 and s == 1:
        taps = x[:, :, :span].unsqueeze(2)
    else:
        taps = stack([x[:, :, u * d:u * d + span:s] for u in range(k)], 2)  # (N, C, k, D_out, H, W)
    return taps.permute(0, 3, 1, 2, 4, 5).reshape(n * n_out, c * k, h, w)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 3-D (correlación cruzada, como PyTorch) sobre volúmenes; la capa es ``nn.Conv3d``.

    Args:
        input: ``(N, C, D, H, W)`` o ``(C, D, H, W)``.
        weight: los filtros, ``(O, C/groups, kD, kH, kW)``.
        bias: ``(O,)`` o ``None``.
        stride: paso, ``s`` o ``(sD, sH, sW)`` (``1``).
        padding: ceros alrededor, ``p``, ``(pD, pH, pW)``, ``'valid'`` o ``'same'`` (``0``).
        dilation: separación entre las celdas del filtro (``1``).
        groups: grupos de canales independientes (``1``).

    Forma: salida ``(N, O, D_out, H_out, W_out)`` con
    ``D_out = ⌊(D + 2·padding[0] − dilation[0]·(kD − 1) − 1) / stride[0]⌋ + 1`` (igual en H y W).

    Derivada: ``y[n, o, i, j, l] = b[o] + Σ w[o, c, u, v, t] · x[n, c, i·sD − pD + u·dD, ...]`` es lineal en
    ``x`` y en ``w``: ∂L/∂x es la convolución traspuesta de ∂L/∂y con ``w``; ∂L/∂w, la correlación de ``x``
    con ∂L/∂y; ∂L/∂b, la suma de ∂L/∂y (se obtienen de la ``conv2d`` en la que se despliega).

    Ejemplo:
        >>> F.conv3d(torch.ones(1, 1, 3, 3, 3), torch.ones(1, 1, 2, 2, 2))
        tensor([[[[[8., 8.],
                   [8., 8.]],
        <BLANKLINE>
                  [[8., 8.],
                   [8., 8.]]]]])

    En PyTorch: ``torch.nn.functional.conv3d``.
    """
    op = "conv3d"
    x, w = as_tensor(input, op), as_tensor(weight, op, "weight")
    other = _dtypes(x, w, None if bias is None else as_tensor(bias, op, "bias"), op, _CONV_INTS)
    if other is not None:
        x, w, b, back = other
        return back(conv3d(x, w, b, stride, padding, dilation, groups))
    _rank(x, op)
    _weight(w, op, "(salidas, entradas/groups, kD, kH, kW)")
    x, squeeze = unbatched(x, 5)
    s, d = int_tuple(stride, 3, "stride", op, 1), int_tuple(dilation, 3, "dilation", op, 1)
    c, o = x.shape[1], w.shape[0]
    groups = _check_groups(groups, op, c, o)
    if w.shape[1] * groups != c:
        raise RuntimeError(f"{op}: la entrada tiene {c} canales (forma {tuple(x.shape)}) pero los pesos esperan "
                           f"{w.shape[1] * groups} (forma {tuple(w.shape)}, groups={groups})")
    k = tuple(w.shape[2:])
    p, extra = _conv_padding(padding, k, d, s, op, 3)
    if any(extra):
        x = x.pad(((0, 0), (0, 0)) + tuple((0, e) for e in extra))
    padded = tuple(n + 2 * pp for n, pp in zip(x.shape[2:], p))
    eff = tuple(dd * (kk - 1) + 1 for dd, kk in zip(d, k))
    if any(e > n for e, n in zip(eff, padded)):
        raise RuntimeError(f"{op}: el núcleo {k} (efectivo {eff} con dilation {d}) es mayor que la entrada con "
                           f"relleno {padded} (entrada {tuple(x.shape[2:])}, padding {p})")
    bias = _bias(bias, o, w, op)
    if p[0]:
        x = x.pad(((0, 0), (0, 0), (p[0], p[0]), (0, 0), (0, 0)))
    n, d_out = x.shape[0], (padded[0] - eff[0]) // s[0] + 1
    taps = _depth_taps(x, k[0], d[0], s[0], d_out)
    w2 = w.reshape(o, w.shape[1] * k[0], k[1], k[2])
    y = conv2d(taps, w2, bias, s[1:], p[1:], d[1:], groups)  # (N·D_out, O, H_out, W_out)
    y = y.reshape(n, d_out, o, *y.shape[2:]).permute(0, 2, 1, 3, 4).contiguous()
    return y.squeeze(0) if squeeze else y


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """Convolución traspuesta 3-D (el adjunto de ``conv3d``, que agranda el volumen); la capa es
    ``nn.ConvTranspose3d``.

    Args:
        input: ``(N, C_in, D, H, W)`` o ``(C_in, D, H, W)``.
        weight: ``(C_in, C_out/groups, kD, kH, kW)``.
        bias: ``(C_out,)`` o ``None``.
        stride, padding, groups, dilation: como en ``nn.ConvTranspose3d``.
        output_padding: posiciones de más al final de cada eje de la salida (``0``).

    Forma: salida ``(N, C_out, D_out, H_out, W_out)`` con
    ``D_out = (D − 1)·stride[0] − 2·padding[0] + dilation[0]·(kD − 1) + output_padding[0] + 1`` (igual en H y W).

    Derivada: ``y`` es lineal en ``x`` y en ``w``: ∂L/∂x = conv3d(∂L/∂y, w) (mismos stride, padding,
    dilation y groups); ∂L/∂w[ci, o, u, v, t] = Σ x[n, ci, i, j, l] · ∂L/∂y[n, o, i·sD − pD + u·dD, ...];
    ∂L/∂b = Σ ∂L/∂y.

    Ejemplo:
        >>> F.conv_transpose3d(torch.ones(1, 2, 2, 2, 2), torch.ones(2, 1, 2, 2, 2), stride=2).shape
        torch.Size([1, 1, 4, 4, 4])

    En PyTorch: ``torch.nn.functional.conv_transpose3d``.
    """
    op = "conv_transpose3d"
    x, w = as_tensor(input, op), as_tensor(weight, op, "weight")
    other = _dtypes(x, w, None if bias is None else as_tensor(bias, op, "bias"), op, (np.int64,))
    if other is not None:
        x, w, b, back = other
        return back(conv_transpose3d(x, w, b, stride, padding, output_padding, groups, dilation))
    _rank(x, op)
    _weight(w, op, "(entradas, salidas/groups, kD, kH, kW)")
    x, squeeze = unbatched(x, 5)
    s, d = int_tuple(stride, 3, "stride", op, 1), int_tuple(dilation, 3, "dilation", op, 1)
    p, a = int_tuple(padding, 3, "padding", op, 0), int_tuple(output_padding, 3, "output_padding", op, 0)
    c = x.shape[1]
    groups = _check_groups(groups, op, c)
    if w.shape[0] != c:
        raise RuntimeError(f"{op}: la entrada tiene {c} canales (forma {tuple(x.shape)}) pero los pesos esperan "
                           f"{w.shape[0]} (forma {tuple(w.shape)})")
    if any(aa >= max(ss, dd) for aa, ss, dd in zip(a, s, d)):
        raise RuntimeError(f"{op}: output_padding {a} debe ser menor que stride {s} o que dilation {d} en cada eje")
    k = tuple(w.shape[2:])
    out = tuple((n - 1) * ss - 2 * pp + dd * (kk - 1) + aa + 1
                for n, ss, pp, dd, kk, aa in zip(x.shape[2:], s, p, d, k, a))
    if min(out) < 1:
        raise RuntimeError(f"{op}: la salida tendría tamaño {out} (entrada {tuple(x.shape[2:])}, padding {p}): "
                           f"demasiado relleno")
    o = w.shape[1] * groups
    bias = _bias(bias, o, w, op)
    n, depth = x.shape[0], x.shape[2]
    x2 = x.permute(0, 2, 1, 3, 4).reshape(n * depth, c, *x.shape[3:])
    w2 = w.reshape(c, w.shape[1] * k[0], k[1], k[2])
    z = conv_transpose2d(x2, w2, None, s[1:], p[1:], a[1:], groups, d[1:])  # (N·D, C_out·kD, H_out, W_out)
    hw = tuple(z.shape[2:])
    if s[0] == k[0] and d[0] == 1:  # tomas sin solape (el caso del U-Net, k = s): intercalarlas basta
        y = z.reshape(n, depth, o, k[0], *hw).permute(0, 2, 1, 3, 4, 5).reshape(n, o, depth * k[0], *hw)
        y = y[:, :, p[0]:p[0] + out[0]]
        if y.shape[2] < out[0]:  # output_padding más allá del relleno: ceros al final
            y = y.pad(((0, 0), (0, 0), (0, out[0] - y.shape[2]), (0, 0), (0, 0)))
        return _finish(y, bias, o, squeeze)
    cols = z.reshape(n, depth, o, k[0], *hw).permute(0, 2, 4, 5, 3, 1).reshape(n, o * hw[0] * hw[1] * k[0], depth)
    more = blocks(out[0], k[0], d[0], p[0], s[0]) - depth  # output_padding ≥ stride (con dilation) añade bloques
    if more:
        cols = cols.pad(((0, 0), (0, 0), (0, more)))
    y = Fold.apply(cols, size=(out[0], 1), kernel=(k[0], 1), dilation=(d[0], 1), padding=(p[0], 0),
                   stride=(s[0], 1))  # (N, C_out·H·W, D_out, 1)
    return _finish(y.reshape(n, o, *hw, out[0]).permute(0, 1, 4, 2, 3), bias, o, squeeze)


def _finish(y, bias, o, squeeze):
    y = y.contiguous() if bias is None else y + bias.reshape(1, o, 1, 1, 1)
    return y.squeeze(0) if squeeze else y
