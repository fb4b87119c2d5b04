"""``MultiheadAttention``: atención de varias cabezas con los parámetros de PyTorch
(``in_proj_weight`` o ``q_proj_weight``/``k_proj_weight``/``v_proj_weight``, ``in_proj_bias``,
``out_proj``, ``bias_k``/``bias_v``). En PyTorch vive en ``torch/nn/modules/activation.py``."""
from __future__ import annotations

import numbers

import numpy as np

from ..._tensor import Tensor
from ..functional import attention as FA
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._utils import factory_dtype
from .linear import Linear

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """Un ``Linear`` normal (el nombre es el de PyTorch, para que ``print(mha)`` coincida)."""


class MultiheadAttention(Module):
    """Atención de varias cabezas::

        MultiHead(Q, K, V) = concat(cabeza_1, …, cabeza_h)·W_Oᵀ,   cabeza_i = Atención(Q·W_Qiᵀ, K·W_Kiᵀ, V·W_Viᵀ)

    con ``Atención(Q, K, V) = softmax(Q·Kᵀ/√d + máscara)·V`` (``F.scaled_dot_product_attention``).
    ``embed_dim`` E se reparte entre ``num_heads`` cabezas de d = E/num_heads.

    Args:
        embed_dim: E, dimensión del modelo (la de ``query`` y de la salida).
        num_heads: número de cabezas (divide a E).
        dropout: probabilidad de dropout sobre los pesos de atención en entrenamiento (``0.0``).
        bias: sesgos en las proyecciones de entrada y salida (``True``).
        add_bias_kv: añade un sesgo aprendido (``bias_k``, ``bias_v``) como una clave/valor más (``False``).
        add_zero_attn: añade una clave/valor de ceros al final (``False``).
        kdim: dimensión de ``key`` (``None``: E); si difiere, los pesos de entrada van separados
            (``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``).
        vdim: dimensión de ``value`` (``None``: E).
        batch_first: entradas ``(N, L, E)`` en vez de ``(L, N, E)`` (``False``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los pesos (``float32``).

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` devuelve ``(salida, pesos)``. Máscaras:
    ``key_padding_mask`` ``(N, S)`` marca con ``True`` las claves de relleno que se ignoran;
    ``attn_mask`` ``(L, S)`` o ``(N·num_heads, L, S)`` booleana (``True`` = prohibido) o flotante (se suma).

    Forma: ``query`` ``(L, N, E)`` (``(N, L, E)`` con ``batch_first``, ``(L, E)`` sin lote), ``key``
    ``(S, N, kdim)``, ``value`` ``(S, N, vdim)``; salida ``(L, N, E)``; pesos ``(N, L, S)`` (media de las
    cabezas) o ``(N, num_heads, L, S)`` con ``average_attn_weights=False``.

    Parámetros: ``in_proj_weight`` ``(3E, E)`` (Xavier uniforme), ``in_proj_bias`` ``(3E,)`` (ceros),
    ``out_proj`` (un ``Linear(E, E)``).

    Ejemplo (autoatención):
        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = torch.randn(2, 10, 16)
        >>> out, pesos = mha(x, x, x)
        >>> out.shape, pesos.shape
        (torch.Size([2, 10, 16]), torch.Size([2, 10, 10]))

    En PyTorch: ``torch.nn.MultiheadAttention``; como función, ``F.multi_head_attention_forward``.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        """Véase el docstring de la clase."""
        for name, v in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if not isinstance(v, numbers.Integral) or isinstance(v, bool):
                raise TypeError(f"MultiheadAttention: {name} debe ser un entero, no {v!r}")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim y num_heads deben ser mayores que 0; se recibió "
                             f"embed_dim={embed_dim} y num_heads={num_heads}")
        super().__init__()
        dt = factory_dtype(device, dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError(f"MultiheadAttention: embed_dim ({embed_dim}) debe ser divisible por num_heads "
                                 f"({num_heads})")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype=dt))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype=dt))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype=dt))
            self.in_proj_weight = None
        else:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dt))
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        self.in_proj_bias = Parameter(np.empty(3 * embed_dim, dtype=dt)) if bias else None
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, embed_dim), dtype=dt))
            self.bias_v = Parameter(np.empty((1, 1, embed_dim), dtype=dt))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """Xavier uniforme en las proyecciones de entrada, sesgos a 0 y Xavier normal en bias_k/bias_v
        (como PyTorch; ``out_proj.weight`` conserva la inicialización de ``Linear``)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        q, k, v = (t if isinstance(t, Tensor) else Tensor(t) for t in (query, key, value))
        batched = q.ndim == 3
        if self.batch_first and batched:
            if k is v:
                if q is k:
                    q = k = v = q.transpose(1, 0)
                else:
                    q, k = q.transpose(1, 0), k.transpose(1, 0)
                    v = k
            else:
                q, k, v = q.transpose(1, 0), k.transpose(1, 0), v.transpose(1, 0)
        common = dict(training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
                      attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal)
        if not self._qkv_same_embed_dim:
            out, w = FA.multi_head_attention_forward(
                q, k, v, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
                self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
                use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
                v_proj_weight=self.v_proj_weight, **common)
        else:
            out, w = FA.multi_head_attention_forward(
                q, k, v, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
                self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias, **common)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, w

    def extra_repr(self):
        return ""
