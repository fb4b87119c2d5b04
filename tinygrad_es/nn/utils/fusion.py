"""``torch.nn.utils.fuse_conv_bn_eval``/``fuse_linear_bn_eval`` (y sus ``*_weights``): una capa
conv o lineal seguida de BatchNorm **en evaluación** es una sola capa afín.

BatchNorm en ``eval()`` es y = γ (x − μ)/√(σ² + ε) + β con μ, σ² fijos (``running_mean``/``running_var``),
así que, con s = γ/√(σ² + ε) por canal de salida:

    W' = W · s   (cada fila o filtro de salida escalado)
    b' = (b − μ) · s + β

y ``bn(conv(x)) == conv'(x)`` con un paso menos (lo que hacen las herramientas de despliegue).
"""
from __future__ import annotations

import copy

from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def _eval_only(a, b):
    if a.training or b.training:
        raise AssertionError("la fusión con BatchNorm sólo vale en evaluación: llama antes a .eval() en las dos "
                             "capas (en train() BatchNorm usa la media del lote)")
    if b.running_mean is None or b.running_var is None:
        raise AssertionError("la BatchNorm no tiene running_mean/running_var (track_running_stats=False): "
                             "no hay una media fija que fusionar")


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose: bool = False):
    """Los pesos fusionados ``(W', b')`` (dos ``Parameter``) de una conv y una BatchNorm.

    Args:
        conv_w: ``(C_out, C_in/groups, *k)`` (o ``(C_in, C_out/groups, *k)`` con ``transpose=True``).
        conv_b: ``(C_out,)`` o ``None``.
        bn_rm, bn_rv: media y varianza de la BatchNorm, ``(C_out,)``.
        bn_eps: su ε.
        bn_w, bn_b: γ y β (``None``: 1 y 0).
        transpose: la conv es ``ConvTranspose`` (el eje de salida es el 1).

    En PyTorch: ``torch.nn.utils.fuse_conv_bn_weights``.
    """
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    if conv_b is None:
        conv_b = bn_rm.new_zeros(bn_rm.shape)
    if bn_w is None:
        bn_w = bn_rm.new_ones(bn_rm.shape)
    if bn_b is None:
        bn_b = bn_rm.new_zeros(bn_rm.shape)
    rsqrt = (bn_rv + bn_eps).rsqrt()
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (conv_w.dim() - 2)
    w = (conv_w * (bn_w * rsqrt).reshape(shape)).to(dtype=w_dtype)
    b = ((conv_b - bn_rm) * rsqrt * bn_w + bn_b).to(dtype=b_dtype)
    return Parameter(w.detach(), conv_w.requires_grad), Parameter(b.detach(), conv_b.requires_grad)


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """Una copia de ``conv`` cuyo resultado es ``bn(conv(x))`` (las dos en ``eval()``); con
    ``transpose=True`` la conv es una ``ConvTranspose`` (el eje de salida del peso es el 1).

    Ejemplo:
        >>> conv, bn = nn.Conv2d(3, 8, 3).eval(), nn.BatchNorm2d(8).eval()
        >>> fused = nn.utils.fuse_conv_bn_eval(conv, bn)
        >>> x = torch.randn(1, 3, 5, 5)
        >>> torch.allclose(fused(x), bn(conv(x)), atol=1e-5)
        True

    Errores: ``AssertionError`` si alguna está en ``train()`` (como PyTorch).

    En PyTorch: ``torch.nn.utils.fuse_conv_bn_eval``.
    """
    _eval_only(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """Los pesos fusionados ``(W', b')`` de una ``Linear`` y una ``BatchNorm1d``: ``linear_w`` ``(out, in)``,
    ``linear_b`` ``(out,)`` o ``None``; ``bn_rm``, ``bn_rv`` la media y varianza; ``bn_eps`` su ε; ``bn_w``,
    ``bn_b`` γ y β.

    En PyTorch: ``torch.nn.utils.fuse_linear_bn_weights``.
    """
    w_dtype = linear_w.dtype
    b_dtype = linear_b.dtype if linear_b is not None else w_dtype
    if linear_b is None:
        linear_b = bn_rm.new_zeros(bn_rm.shape)
    scale = (bn_w if bn_w is not None else bn_rm.new_ones(bn_rm.shape)) * (bn_rv + bn_eps).rsqrt()
    shift = bn_b if bn_b is not None else bn_rm.new_zeros(bn_rm.shape)
    w = (linear_w * scale.unsqueeze(-1).to(dtype=w_dtype))
    b = ((linear_b - bn_rm) * scale + shift).to(dtype=b_dtype)
    return Parameter(w.detach(), linear_w.requires_grad), Parameter(b.detach(), linear_b.requires_grad)


def fuse_linear_bn_eval(linear, bn):
    """Una copia de ``linear`` cuyo resultado es ``bn(linear(x))`` (las dos en ``eval()``).

    Errores: ``AssertionError`` si alguna está en ``train()`` o si ``out_features`` no coincide con
    ``num_features`` (ni éste es 1).

    En PyTorch: ``torch.nn.utils.fuse_linear_bn_eval``.
    """
    _eval_only(linear, bn)
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise AssertionError(f"para fusionar, linear.out_features ({linear.out_features}) debe ser igual a "
                             f"bn.num_features ({bn.num_features}) o éste 1")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused
