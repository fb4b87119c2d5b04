"""Convolución con la firma de ``torch.nn.functional``: ``conv1d``, ``conv2d`` y
``conv_transpose2d``.

Mismos nombres, argumentos y valores por defecto que PyTorch; argumentos erróneos dan un error en
español que nombra el problema. Las comprobaciones están aquí; el cálculo y el gradiente, en
``ops/conv.py`` (y sus núcleos, en ``kernels/conv/``). ``nn.Conv2d``... (``nn/modules/conv.py``) se
construyen sobre estas funciones.
"""
import numbers

import numpy as np

from ..._tensor import Tensor
from ...ops.conv import Conv2d, ConvTranspose2d
from ._utils import as_tensor, check_rank, int_tuple, unbatched

__all__ = ["conv1d", "conv2d", "conv_transpose2d", "conv_transpose1d"]


def _conv_padding(padding, k, dilation, stride, op, n=2):
    """(relleno a cada lado, relleno de más al final) por eje: 'same' con un núcleo efectivo
    par es asimétrico y PyTorch pone el relleno sobrante al final."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * n, (0,) * n
        if padding != "same":
            raise RuntimeError(f"{op}: padding debe ser un entero, una tupla, 'same' o 'valid', no {padding!r}")
        if any(s != 1 for s in stride):
            raise RuntimeError(f"{op}: padding='same' no admite stride distinto de 1 (stride={stride})")
        total = [d * (kk - 1) for d, kk in zip(dilation, k)]
        return tuple(t // 2 for t in total), tuple(t % 2 for t in total)
    return int_tuple(padding, n, "padding", op, 0), (0,) * n


_CONV_INTS = (np.int64, np.int32, np.int16, np.int8, np.uint8)


def _dtypes(x, w, bias, op, ints):
    """Las reglas de tipos de PyTorch: entrada, pesos y sesgo del mismo dtype (``RuntimeError``); los
    enteros de ``ints`` dan el mismo entero (sin gradiente); float16 se calcula en float32. Devuelve
    ``None`` (nada que hacer) o ``(x, w, bias, vuelta)`` para calcular en otro dtype."""
    dt = x._data.dtype
    for t, name in ((w, "los pesos"), (bias, "el sesgo")):
        if isinstance(t, Tensor) and t._data.dtype != dt:
            raise RuntimeError(f"{op}: la entrada es {x.dtype} y {name} {t.dtype}: deben tener el mismo dtype "
                               f"(convierte con .float() o .to(x.dtype))")
    if dt in (np.float32, np.float64):
        return None
    if dt == np.float16:
        return x.float(), w.float(), None if bias is None else bias.float(), lambda y: y.half()
    if dt not in [np.dtype(i) for i in ints]:
        raise NotImplementedError(f"{op} no está implementada para tensores {x.dtype} (tampoco en PyTorch)")
    def back(y):  # sumas exactas en float64; el entero da la vuelta como en PyTorch
        return Tensor._wrap(np.rint(y._data).astype(np.int64).astype(dt))
    f = lambda t: None if t is None else Tensor._wrap(t._data.astype(np.float64))  # noqa: E731
    return f(x), f(w), f(bias), back


def _check_groups(groups, op, c, o=None) -> int:
    """``groups``: un entero ≥ 1 que divide los canales de entrada ``c`` (y los de salida ``o``)."""
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise RuntimeError(f"{op}: groups debe ser un entero ≥ 1, no {groups!r}")
    if c % groups or (o is not None and o % groups):
        which = f"de entrada ({c})" if o is None else f"de entrada ({c}) y de salida ({o})"
        raise RuntimeError(f"{op}: groups={groups} debe dividir los canales {which}")
    return int(groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 2-D (correlación cruzada, como PyTorch); la capa es ``nn.Conv2d``.

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        weight: los filtros, ``(O, C/groups, kh, kw)``.
        bias: ``(O,)`` o ``None``.
        stride: paso, ``s`` o ``(sh, sw)`` (``1``).
        padding: ceros alrededor, ``p``, ``(ph, pw)``, ``'valid'`` o ``'same'`` (``0``).
        dilation: separación entre las celdas del filtro (``1``).
        groups: grupos de canales independientes (``1``).

    Forma: salida ``(N, O, H_out, W_out)`` con
    ``H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1`` (igual para ``W_out``).

    Ejemplo (un filtro de Sobel, como en los apuntes):
        >>> sobel = torch.tensor([[[[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]]])
        >>> imagen = torch.tensor([[[[0., 0., 1., 1.]] * 4]])
        >>> F.conv2d(imagen, sobel)
        tensor([[[[4., 4.],
                  [4., 4.]]]])

    En PyTorch: ``torch.nn.functional.conv2d``.
    """
    op = "conv2d"
    x, w = as_tensor(input, op), as_tensor(weight, op, "weight")
    other = _dtypes(x, w, None if bias is None else as_tensor(bias, op, "bias"), op, _CONV_INTS)
    if other is not None:
        x, w, b, back = other
        return back(conv2d(x, w, b, stride, padding, dilation, groups))
    check_rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    if w.ndim != 4:
        raise RuntimeError(f"{op}: los pesos deben tener forma (salidas, entradas/groups, kh, kw); tienen "
                         f"{tuple(w.shape)}")
    x, squeeze = unbatched(x, 4)
    s, d = int_tuple(stride, 2, "stride", op, 1), int_tuple(dilation, 2, "dilation", op, 1)
    c, o = x.shape[1], w.shape[0]
    groups = _check_groups(groups, op, c, o)
    if w.shape[1] * groups != c:
        raise RuntimeError(f"{op}: la entrada tiene {c} canales (forma {tuple(x.shape)}) pero los pesos esperan "
                         f"{w.shape[1] * groups} (forma {tuple(w.shape)}, groups={groups})")
    k = tuple(w.shape[2:])
    (ph, pw), extra = _conv_padding(padding, k, d, s, op)
    if extra != (0, 0):
        x = x.pad(((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    hp, wp = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    eff = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    if eff[0] > hp or eff[1] > wp:
        raise RuntimeError(f"{op}: el núcleo {k} (efectivo {eff} con dilation {d}) es mayor que la entrada con "
                         f"relleno ({hp}, {wp}) (entrada {tuple(x.shape[2:])}, padding {(ph, pw)})")
    if bias is not None:
        bias = as_tensor(bias, op, "bias")
        if tuple(bias.shape) != (o,):
            raise RuntimeError(f"{op}: el sesgo debe tener forma ({o},), no {tuple(bias.shape)}")
    args = (x, w) if bias is None else (x, w, bias)
    out = Conv2d.apply(*args, stride=s, padding=(ph, pw), dilation=d, groups=int(groups))
    return out.squeeze(0) if squeeze else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 1-D (hecha como ``conv2d`` de altura 1); la capa es ``nn.Conv1d``.

    Args:
        input: ``(N, C, L)`` o ``(C, L)``.
        weight: ``(O, C/groups, k)``.
        bias: ``(O,)`` o ``None``.
        stride, padding, dilation, groups: como en ``conv2d``, con un solo número.

    Forma: salida ``(N, O, L_out)`` con ``L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1``.

    Ejemplo:
        >>> F.conv1d(torch.tensor([[[1., 2., 3., 4.]]]), torch.tensor([[[1., -1.]]]))
        tensor([[[-1., -1., -1.]]])

    En PyTorch: ``torch.nn.functional.conv1d``.
    """
    op = "conv1d"
    x, w = as_tensor(input, op), as_tensor(weight, op, "weight")
    check_rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    if w.ndim != 3:
        raise RuntimeError(f"{op}: los pesos deben tener forma (salidas, entradas/groups, k); tienen {tuple(w.shape)}")
    x, squeeze = unbatched(x, 3)
    (s,), (d,) = int_tuple(stride, 1, "stride", op, 1), int_tuple(dilation, 1, "dilation", op, 1)
    pad = padding if isinstance(padding, str) else (0, int_tuple(padding, 1, "padding", op, 0)[0])
    out = conv2d(x.unsqueeze(2), w.unsqueeze(2), bias, (1, s), pad, (1, d), groups).squeeze(2)
    return out.squeeze(0) if squeeze else out


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """Convolución traspuesta 2-D (el adjunto de ``conv2d``, que agranda); la capa es ``nn.ConvTranspose2d``.

    Args:
        input: ``(N, C_in, H, W)`` o ``(C_in, H, W)``.
        weight: ``(C_in, C_out/groups, kh, kw)``.
        bias: ``(C_out,)`` o ``None``.
        stride, padding, groups, dilation: como en ``nn.ConvTranspose2d``.
        output_padding: filas/columnas de más en un lado de la salida (``0``).

    Forma: salida ``(N, C_out, H_out, W_out)`` con
    ``H_out = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1``.

    Ejemplo:
        >>> F.conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), stride=2).shape
        torch.Size([1, 1, 4, 4])

    En PyTorch: ``torch.nn.functional.conv_transpose2d``.
    """
    op = "conv_transpose2d"
    x, w = as_tensor(input, op), as_tensor(weight, op, "weight")
    other = _dtypes(x, w, None if bias is None else as_tensor(bias, op, "bias"), op, (np.int64,))
    if other is not None:
        x, w, b, back = other
        return back(conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation))
    check_rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    if w.ndim != 4:
        raise RuntimeError(f"{op}: los pesos deben tener forma (entradas, salidas/groups, kh, kw); tienen "
                         f"{tuple(w.shape)}")
    x, squeeze = unbatched(x, 4)
    s, d = int_tuple(stride, 2, "stride", op, 1), int_tuple(dilation, 2, "dilation", op, 1)
    p, op_ = int_tuple(padding, 2, "padding", op, 0), int_tuple(output_padding, 2, "output_padding", op, 0)
    c = x.shape[1]
    groups = _check_groups(groups, op, c)
    if w.shape[0] != c:
        raise RuntimeError(f"{op}: la entrada tiene {c} canales (forma {tuple(x.shape)}) pero los pesos esperan "
                         f"{w.shape[0]} (forma {tuple(w.shape)})")
    for a, b, e in zip(op_, s, d):
        if a >= max(b, e):
            raise RuntimeError(f"{op}: output_padding {op_} debe ser menor que stride {s} o que dilation {d}")
    hout = [(n - 1) * b - 2 * pp + e * (k - 1) + a + 1
            for n, b, pp, e, k, a in zip(x.shape[2:], s, p, d, w.shape[2:], op_)]
    if min(hout) < 1:
        raise RuntimeError(f"{op}: la salida tendría tamaño {tuple(hout)} (entrada {tuple(x.shape[2:])}, "
                         f"padding {p}): demasiado relleno")
    o = w.shape[1] * groups
    if bias is not None:
        bias = as_tensor(bias, op, "bias")
        if tuple(bias.shape) != (o,):
            raise RuntimeError(f"{op}: el sesgo debe tener forma ({o},), no {tuple(bias.shape)}")
    args = (x, w) if bias is None else (x, w, bias)
    out = ConvTranspose2d.apply(*args, stride=s, padding=p, output_padding=op_, dilation=d, groups=int(groups))
    return out.squeeze(0) if squeeze else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """Convolución traspuesta 1-D, hecha como ``conv_transpose2d`` de altura 1 (la derivada es la de ésa).

    Args:
        input: ``(N, C_in, L)`` o ``(C_in, L)``.
        weight: ``(C_in, C_out/groups, k)``.
        bias: ``(C_out,)`` o ``None``.
        stride, padding, output_padding, groups, dilation: como en ``conv_transpose2d``, con un solo número.

    Forma: salida ``(N, C_out, L_out)`` con
    ``L_out = (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1``.

    Ejemplo:
        >>> F.conv_transpose1d(torch.ones(1, 1, 3), torch.ones(1, 1, 2), stride=2).shape
        torch.Size([1, 1, 6])

    En PyTorch: ``torch.nn.functional.conv_transpose1d``.
    """
    op = "conv_transpose1d"
    x, w = as_tensor(input, op), as_tensor(weight, op, "weight")
    check_rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    if w.ndim != 3:
        raise RuntimeError(f"{op}: los pesos deben tener forma (entradas, salidas/groups, k); tienen "
                           f"{tuple(w.shape)}")
    x, squeeze = unbatched(x, 3)
    (s,), (d,) = int_tuple(stride, 1, "stride", op, 1), int_tuple(dilation, 1, "dilation", op, 1)
    (p,), (a,) = int_tuple(padding, 1, "padding", op, 0), int_tuple(output_padding, 1, "output_padding", op, 0)
    out = conv_transpose2d(x.unsqueeze(2), w.unsqueeze(2), bias, (1, s), (0, p), (0, a), groups, (1, d)).squeeze(2)
    return out.squeeze(0) if squeeze else out
