"""Convolución traspuesta 2-D (``ConvTranspose2d``): el adjunto de la convolución.

Con ``w`` de forma (C_in, C_out/G, kh, kw) (la de PyTorch), la convolución traspuesta de
``x`` es el gradiente de la entrada de una convolución ``conv2d(·, w)`` cuya salida
tuviera la forma de ``x``:

* forward:  ``y = col2im(Wᵀ x)`` + sesgo (``conv2d_input_grad``)
* backward: ``dx = conv2d(dy, w)`` y ``dW = x · im2col(dy)ᵀ``: las dos comparten el
  mismo ``cols = im2col(dy)`` (una sola pasada de im2col).
"""
import numpy as np

from .. import gemm as G
from ..workspace import workspace
from .backward import _dw_from_cols, conv2d_input_grad
from .dispatch import ConvState, _group_matmul, _im2col, conv_output_size
from .im2col import ol_to_nol


def conv_transpose_output_size(size, k, stride, pad, dilation=1, output_padding=0):
    """Regla de PyTorch: (size − 1)·stride − 2·pad + dilation·(k − 1) + output_padding + 1."""
    return (size - 1) * stride - 2 * pad + dilation * (k - 1) + output_padding + 1


def conv_transpose2d_forward(x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                             dilation=(1, 1), groups=1, save=True):
    """``x`` (N, C_in, H, W), ``w`` (C_in, C_out/G, kh, kw) -> ``(out, state)``."""
    stride, padding, dilation = tuple(stride), tuple(padding), tuple(dilation)
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    hout = conv_transpose_output_size(h, kh, stride[0], padding[0], dilation[0], output_padding[0])
    wout = conv_transpose_output_size(wd, kw, stride[1], padding[1], dilation[1], output_padding[1])
    w = np.ascontiguousarray(w)
    out = conv2d_input_grad(np.ascontiguousarray(x), w, (n, cog * groups, hout, wout), stride, padding,
                            dilation, groups)
    if b is not None:
        out += np.asarray(b, dtype=out.dtype)[None, :, None, None]
    if not save:
        return out, None
    return out, ConvState("transpose", x.shape, w, stride, padding, dilation, groups, (hout, wout), (x,), [])


def conv_transpose2d_backward(gout, state, need_x=True, need_w=True, need_b=True):
    """Gradientes ``(dx, dw, db)`` de la convolución traspuesta."""
    (x,) = state.saved
    w = state.w
    g = np.ascontiguousarray(gout, dtype=w.dtype)
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    db = g.sum(axis=(0, 2, 3)) if need_b else None
    dx = dw = None
    if not (need_x or need_w):
        return dx, dw, db
    st, pd, dl, groups = state.stride, state.padding, state.dilation, state.groups
    # la convolución directa de dy tiene al menos H×W salidas (más si output_padding ≥ stride)
    oh = conv_output_size(g.shape[2], kh, st[0], pd[0], dl[0])
    ow = conv_output_size(g.shape[3], kw, st[1], pd[1], dl[1])
    cols = _im2col(g, kh, kw, st, pd, dl, oh, ow)
    if (oh, ow) != (h, wd):  # recorta: sólo las primeras H×W salidas corresponden a x
        cols = _crop_cols(cols, n, oh, ow, h, wd)
    if need_w:
        dw = _dw_from_cols(np.ascontiguousarray(x, dtype=w.dtype), cols, w.shape, groups)
    if need_x:
        dx = np.empty((n, cin, h, wd), g.dtype)
        if groups == 1:
            # K = C_out·kh·kw productos por salida: en float32, por bloques de K sumados por parejas
            # (gemm.matmul_k, la regla de las lineales), no en una cadena de la SGEMM; sin esto el ∂x de
            # conv_transpose3d (K = C_out·kD·kh·kw) quedaba a 0,97-1,11× el error de PyTorch.
            y = G.matmul_k(w.reshape(cin, -1), cols)
            ol_to_nol(y, n, cin, h * wd, np.zeros(cin, g.dtype), dx.reshape(n, cin, h * wd))
        else:
            y = workspace.get_rows((cin, n * h * wd), g.dtype)
            _group_matmul(w.reshape(cin, -1), cols, y, groups)
            ol_to_nol(y, n, cin, h * wd, np.zeros(cin, g.dtype), dx.reshape(n, cin, h * wd))
            workspace.put_rows(y)
    workspace.put_rows(cols)
    return dx, dw, db


def _crop_cols(cols, n, oh, ow, h, w):
    k = cols.shape[0]
    c4 = cols.reshape(k, n, oh, ow)[:, :, :h, :w]
    out = workspace.get((k, n * h * w), cols.dtype)
    out.reshape(k, n, h, w)[...] = c4
    workspace.put_rows(cols)
    return out
