"""El Transformer de «Attention Is All You Need» con la API de PyTorch: ``TransformerEncoderLayer``,
``TransformerDecoderLayer``, ``TransformerEncoder``, ``TransformerDecoder`` y ``Transformer``.

Una capa del codificador (``norm_first=False``, el artículo original; ``True`` es la variante
"pre-LN" de GPT-2)::

    x = norm1(x + dropout1(autoatención(x)))              x = x + dropout1(autoatención(norm1(x)))
    x = norm2(x + dropout2(FF(x)))                 o      x = x + dropout2(FF(norm2(x)))

con FF(x) = linear2(dropout(activación(linear1(x)))). La del decodificador añade, entre las dos,
la atención cruzada a la salida del codificador (``memory``).
"""
from __future__ import annotations

import copy
import warnings

import numpy as np

from ... import _dtype as D
from ... import backends
from ..._tensor import Tensor
from ...autograd import is_grad_enabled
from ..functional import attention as FA
from .. import functional as F
from .. import init
from ..module import Module
from .activation import GELU, ReLU
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .normalization import LayerNorm

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]


def _generate_square_subsequent_mask(sz, device=None, dtype=None) -> Tensor:
    npd = np.float32 if dtype is None else D.np_dtype(dtype)
    return Tensor._wrap(np.triu(np.full((sz, sz), -np.inf, dtype=npd), 1))


def _get_activation_fn(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation debe ser 'relu' o 'gelu' (o una función), no {activation!r}")


def _get_clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _get_seq_len(src, batch_first):
    return src.shape[0] if src.ndim == 2 else src.shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask, is_causal=None, size=None) -> bool:
    """``is_causal`` si se dio; si no, si ``mask`` es exactamente la máscara causal (como PyTorch)."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.shape[-2]
        causal = np.triu(np.full((sz, sz), -np.inf), 1)
        m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        make_causal = m.shape == causal.shape and bool(np.all(m == causal)) if m.dtype.kind == "f" else False
    return make_causal


def _canonical(mask, name, other, other_name, dtype, check_other=True):
    if mask is not None and not isinstance(mask, Tensor):
        mask = Tensor._wrap(np.asarray(mask))
    return FA._canonical_mask(mask, name, other, other_name, dtype, check_other)


class TransformerEncoderLayer(Module):
    """Una capa del codificador del Transformer: autoatención y red de dos capas, cada una con conexión
    residual y LayerNorm (las ecuaciones, en el docstring del módulo). Mismos submódulos que PyTorch:
    ``self_attn``, ``linear1``, ``dropout``, ``linear2``, ``norm1``, ``norm2``, ``dropout1``, ``dropout2``.

    Args:
        d_model: E, dimensión del modelo.
        nhead: cabezas de atención.
        dim_feedforward: neuronas ocultas de la red de dos capas (``2048``).
        dropout: probabilidad de dropout (``0.1``).
        activation: ``F.relu`` (por defecto), ``F.gelu``, o ``'relu'``/``'gelu'``, o cualquier función.
        layer_norm_eps: eps de las LayerNorm (``1e-5``).
        batch_first: entradas ``(N, L, E)`` (``False``: ``(L, N, E)``).
        norm_first: normalización antes de cada bloque (pre-LN) (``False``).
        bias: sesgos en las lineales y las LayerNorm (``True``).
        device, dtype: ``"cpu"`` (o ``None``) y el dtype de los pesos (``float32``).

    Forma: ``src`` ``(L, N, E)`` (``(N, L, E)`` con ``batch_first``); salida, la misma. Máscaras de
    ``forward``: ``src_mask`` ``(L, L)`` y ``src_key_padding_mask`` ``(N, L)``, como en ``nn.MultiheadAttention``.

    Ejemplo:
        >>> capa = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, batch_first=True)
        >>> capa(torch.randn(2, 10, 32)).shape
        torch.Size([2, 10, 32])

    En PyTorch: ``torch.nn.TransformerEncoderLayer``.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        src_key_padding_mask = _canonical(src_key_padding_mask, "src_key_padding_mask", src_mask, "src_mask",
                                          src.dtype)
        src_mask = _canonical(src_mask, "src_mask", None, "", src.dtype, check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Una capa del decodificador del Transformer: autoatención (con máscara causal ``tgt_mask``), atención
    cruzada a ``memory`` (la salida del codificador) y red de dos capas, cada bloque con conexión residual
    y LayerNorm (``norm1``, ``norm2``, ``norm3``).

    Args:
        d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias,
            device, dtype: como en ``nn.TransformerEncoderLayer`` (mismos valores por defecto).

    Forma: ``tgt`` ``(T, N, E)``, ``memory`` ``(S, N, E)`` (con el lote primero si ``batch_first``); salida,
    la forma de ``tgt``.

    Ejemplo:
        >>> capa = nn.TransformerDecoderLayer(d_model=32, nhead=4, batch_first=True)
        >>> capa(torch.randn(2, 7, 32), torch.randn(2, 10, 32)).shape
        torch.Size([2, 7, 32])

    En PyTorch: ``torch.nn.TransformerDecoderLayer``.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, **kw)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                                 **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _get_activation_fn(activation) if isinstance(activation, str) else activation

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _why_not_nested(layer) -> str:
    """Por qué PyTorch no usaría tensores anidados con esta capa (cadena vacía si los usaría)."""
    if not isinstance(layer, TransformerEncoderLayer):
        return "encoder_layer no es un TransformerEncoderLayer"
    if layer.norm_first:
        return "encoder_layer.norm_first es True"
    if not layer.self_attn.batch_first:
        return "encoder_layer.self_attn.batch_first no es True (usa batch_first para una inferencia más rápida)"
    if not layer.self_attn._qkv_same_embed_dim:
        return "encoder_layer.self_attn._qkv_same_embed_dim no es True"
    if layer.self_attn.in_proj_bias is None:
        return "encoder_layer.self_attn se creó con bias=False"
    if not layer.activation_relu_or_gelu:
        return "la activación de encoder_layer no es relu ni gelu"
    if layer.norm1.eps != layer.norm2.eps:
        return "encoder_layer.norm1.eps no es igual a encoder_layer.norm2.eps"
    if layer.self_attn.num_heads % 2 == 1:
        return "encoder_layer.self_attn.num_heads es impar"
    return ""


class TransformerEncoder(Module):
    """Una pila de ``num_layers`` copias (independientes) de ``encoder_layer``, con una normalización final
    opcional ``norm``.

    Como PyTorch, en evaluación sin gradiente y con ``src_key_padding_mask`` (y la capa en la
    configuración de su camino rápido: ``batch_first``, ``norm_first=False``, relu/gelu, número de
    cabezas par) la salida en las posiciones de relleno es 0 (PyTorch las procesa como tensores
    anidados y las rellena con ceros).

    Args:
        encoder_layer: la capa que se copia (``nn.TransformerEncoderLayer``).
        num_layers: cuántas copias.
        norm: normalización final (p. ej. ``nn.LayerNorm(E)``) o ``None``.
        enable_nested_tensor: permite el camino de tensores anidados descrito arriba (``True``).
        mask_check: comprueba que la máscara de relleno es de las que admite ese camino (``True``).

    Forma: la de la capa, ``(L, N, E)`` o ``(N, L, E)``; salida, la misma.

    Ejemplo:
        >>> codificador = nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, batch_first=True), num_layers=3)
        >>> codificador(torch.randn(2, 10, 32)).shape
        torch.Size([2, 10, 32])

    En PyTorch: ``torch.nn.TransformerEncoder``.
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why = _why_not_nested(encoder_layer)
        if enable_nested_tensor and why:
            warnings.warn(f"enable_nested_tensor es True, pero self.use_nested_tensor es False porque {why}",
                          UserWarning, stacklevel=2)
            self.use_nested_tensor = False

    def _nested_padding(self, src, mask, key_padding_mask):
        """La máscara (N, S) de relleno si PyTorch usaría su camino de tensores anidados."""
        first = self.layers[0]
        if (not backends.mha.get_fastpath_enabled() or not self.use_nested_tensor or first.training or src.ndim != 3 or key_padding_mask is None
                or mask is not None):
            return None
        params = [p for p in first.parameters()]
        if is_grad_enabled() and (src.requires_grad or any(p.requires_grad for p in params)):
            return None
        pad = np.isneginf(key_padding_mask._data)
        if self.mask_check and np.any(np.diff(pad.astype(np.int8), axis=1) < 0):
            return None  # relleno que no está sólo al final: PyTorch no usa el camino rápido
        return pad

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        src_key_padding_mask = _canonical(src_key_padding_mask, "src_key_padding_mask", mask, "mask", src.dtype)
        mask = _canonical(mask, "mask", None, "", src.dtype, check_other=False)
        pad = self._nested_padding(src, mask, src_key_padding_mask)
        seq_len = _get_seq_len(src, self.layers[0].self_attn.batch_first)
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        out = src
        for mod in self.layers:
            out = mod(out, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        if pad is not None:
            out = out.masked_fill(Tensor._wrap(pad[:, :, None].copy()), 0.0)
        if self.norm is not None:
            out = self.norm(out)
        return out


class TransformerDecoder(Module):
    """Una pila de ``num_layers`` copias de ``decoder_layer``, con una normalización final opcional.

    Args:
        decoder_layer: la capa que se copia (``nn.TransformerDecoderLayer``).
        num_layers: cuántas copias.
        norm: normalización final o ``None``.

    Forma: ``tgt`` ``(T, N, E)``, ``memory`` ``(S, N, E)`` (o con el lote primero); salida, la de ``tgt``.

    Ejemplo:
        >>> capa = nn.TransformerDecoderLayer(32, 4, batch_first=True)
        >>> nn.TransformerDecoder(capa, 2)(torch.randn(2, 7, 32), torch.randn(2, 10, 32)).shape
        torch.Size([2, 7, 32])

    En PyTorch: ``torch.nn.TransformerDecoder``.
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        seq_len = _get_seq_len(tgt, self.layers[0].self_attn.batch_first)
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
        out = tgt
        for mod in self.layers:
            out = mod(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        return self.norm(out) if self.norm is not None else out


class Transformer(Module):
    """El Transformer codificador-decodificador completo (Vaswani et al.; valores por defecto del artículo:
    d_model=512, nhead=8, 6 + 6 capas, dim_feedforward=2048): ``memory = encoder(src)`` y
    ``salida = decoder(tgt, memory)``. Todos los pesos de más de una dimensión se inicializan con Xavier
    uniforme.

    Args:
        d_model: E, dimensión del modelo (``512``).
        nhead: cabezas de atención (``8``).
        num_encoder_layers: capas del codificador (``6``).
        num_decoder_layers: capas del decodificador (``6``).
        custom_encoder: un codificador propio en lugar del estándar (``None``).
        custom_decoder: un decodificador propio (``None``).
        dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias, device, dtype:
            como en ``nn.TransformerEncoderLayer`` (mismos valores por defecto).

    Forma: ``src`` ``(S, N, E)``, ``tgt`` ``(T, N, E)`` (o con el lote primero); salida ``(T, N, E)``.
    ``Transformer.generate_square_subsequent_mask(T)`` da la máscara causal de ``tgt_mask``.

    Ejemplo:
        >>> t = nn.Transformer(d_model=32, nhead=4, num_encoder_layers=2, num_decoder_layers=2, batch_first=True)
        >>> tgt_mask = nn.Transformer.generate_square_subsequent_mask(7)
        >>> t(torch.randn(2, 10, 32), torch.randn(2, 7, 32), tgt_mask=tgt_mask).shape
        torch.Size([2, 7, 32])

    En PyTorch: ``torch.nn.Transformer``.
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation=F.relu, custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        common = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(TransformerEncoderLayer(*common, **kw), num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(TransformerDecoderLayer(*common, **kw), num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw))
        self._reset_parameters()
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        batched = src.ndim == 3
        b = 0 if self.batch_first else 1
        if batched and src.shape[b] != tgt.shape[b]:
            raise RuntimeError(f"Transformer: src y tgt deben tener el mismo tamaño de lote (eje {b}): src "
                               f"{tuple(src.shape)}, tgt {tuple(tgt.shape)}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"Transformer: el último eje de src y tgt debe ser d_model={self.d_model}: src "
                               f"{tuple(src.shape)}, tgt {tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None) -> Tensor:
        """Máscara causal flotante ``(sz, sz)``: 0 en y bajo la diagonal, −∞ encima (la posición i no ve las
        posteriores); ``device`` (``"cpu"`` o ``None``) y ``dtype`` (``None``: float32) como en las fábricas.
        Ejemplo: ``nn.Transformer.generate_square_subsequent_mask(3)[0]`` es ``tensor([0., -inf, -inf])``."""
        return _generate_square_subsequent_mask(sz, device, dtype)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
