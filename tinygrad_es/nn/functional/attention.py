"""Atención: ``scaled_dot_product_attention`` y ``multi_head_attention_forward``.

La atención de producto escalar (Vaswani et al., 2017) en una línea::

    Atención(Q, K, V) = softmax(Q·Kᵀ / √d + máscara) · V

Cada fila de ``softmax(…)`` son los pesos con los que una consulta (query) mezcla los
valores: cuánto "mira" a cada clave. Todo está compuesto con operaciones de ``Tensor``
(``@``, ``softmax``, ``masked_fill``), así que se puede dibujar y derivar paso a paso.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor.joins import cat
from ..._tensor import Tensor
from ..._random import default_rng
from ...autograd import TensorBase
from ...ops.attention import PackedSelfAttention as _PackedSA
from ...ops.attention import ScaledDotProductAttention as _SDPA
from .dropout import dropout as _dropout
from .linear import linear
from .padding import pad
from ._utils import as_tensor

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward", "causal_mask"]

PACKED = True  # autoatención en un nodo (``PackedSelfAttention``); False: el camino general (para comparar)


def causal_mask(L: int, S: int | None = None) -> np.ndarray:
    """Máscara booleana (L, S) de lo *permitido* en la atención causal: la consulta i ve las
    claves j ≤ i (triangular inferior, alineada arriba a la izquierda, como PyTorch)."""
    return np.tril(np.ones((L, L if S is None else S), dtype=bool))


def _check_attention_inputs(q, k, v, dropout_p):
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f"scaled_dot_product_attention: query, key y value deben tener al menos 2 dimensiones "
                           f"(…, L, E); tienen formas {tuple(q.shape)}, {tuple(k.shape)} y {tuple(v.shape)}")
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(f"scaled_dot_product_attention: query, key y value deben tener el mismo dtype, y son "
                           f"{q.dtype}, {k.dtype} y {v.dtype}")
    if not q.is_floating_point():
        raise RuntimeError(f"scaled_dot_product_attention: se necesitan tensores de coma flotante, no {q.dtype}")
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query y key deben tener la misma dimensión E (la "
                           f"última): query {tuple(q.shape)}, key {tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key y value deben tener el mismo número de pasos S "
                           f"(la penúltima dimensión): key {tuple(k.shape)}, value {tuple(v.shape)}")
    if not isinstance(dropout_p, numbers.Real) or not 0 <= dropout_p <= 1:
        raise RuntimeError(f"scaled_dot_product_attention: dropout_p debe estar en [0, 1], no {dropout_p}")


def _attention_weights(q, k, attn_mask, is_causal, scale, safe=True):
    """softmax(q·kᵀ·escala + máscara). Con ``safe`` las filas sin ninguna clave permitida dan 0 (como
    la atención de PyTorch: su salida y su gradiente son 0); sin él, NaN (como el camino de
    ``MultiheadAttention`` con ``need_weights=True``, que hace un softmax explícito)."""
    L, S = q.shape[-2], k.shape[-2]
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        scores = scores.masked_fill(Tensor._wrap(~causal_mask(L, S)), float("-inf"))
    if attn_mask is not None:
        m = attn_mask if isinstance(attn_mask, TensorBase) else Tensor(attn_mask)
        if m._data.dtype == np.bool_:
            scores = scores.masked_fill(Tensor._wrap(~m._data), float("-inf"))
        elif m.is_floating_point():
            scores = scores + m
        else:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask debe ser bool o de coma flotante, no "
                               f"{m.dtype}")
    dead = np.isneginf(scores._data).all(axis=-1, keepdims=True) if safe else None
    if safe and dead.any():  # filas sin nada que mirar: 0 (softmax de todo −∞ daría NaN)
        dead_t = Tensor._wrap(np.broadcast_to(dead, scores._data.shape).copy())
        return scores.masked_fill(dead_t, 0.0).softmax(-1).masked_fill(dead_t, 0.0)
    return scores.softmax(-1)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False) -> Tensor:
    """Atención de producto escalar::

        softmax(Q·Kᵀ · escala + máscara) · V,      escala = 1/√E por defecto

    Cada fila del softmax son los pesos con los que una consulta mezcla los valores. Una fila sin
    ninguna clave permitida da 0. La derivada es la de las piezas (producto de matrices, softmax y
    producto), calculada en un solo nodo.

    Args:
        query: ``(…, L, E)``.
        key: ``(…, S, E)``.
        value: ``(…, S, Ev)``.
        attn_mask: máscara booleana (``True`` = se puede mirar) o de coma flotante (se suma a las
            puntuaciones), difundible a ``(…, L, S)`` (``None``).
        dropout_p: dropout sobre los pesos, aplicado *siempre* (como PyTorch: pasa ``dropout_p=0`` en
            evaluación) (``0.0``).
        is_causal: usa la máscara triangular: cada posición sólo ve las anteriores y a sí misma
            (``False``; no junto con ``attn_mask``).
        scale: la escala (``None``: 1/√E).
        enable_gqa: atención de consultas agrupadas, con menos cabezas (eje −3) en ``key``/``value``
            que en ``query`` (``False``).

    Forma: salida ``(…, L, Ev)``.

    Ejemplo:
        >>> q = torch.tensor([[[1., 0.]]])
        >>> k = torch.tensor([[[1., 0.], [0., 1.]]])
        >>> v = torch.tensor([[[1., 2.], [3., 4.]]])
        >>> F.scaled_dot_product_attention(q, k, v)        # pesos softmax([1/√2, 0])
        tensor([[[1.6605, 2.6605]]])

    En PyTorch: ``torch.nn.functional.scaled_dot_product_attention``.
    """
    q, k, v = (t if isinstance(t, Tensor) else as_tensor(t) for t in (query, key, value))
    _check_attention_inputs(q, k, v, dropout_p)
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: no se puede pasar attn_mask con is_causal=True (usa una "
                           "de las dos; para combinarlas, suma tú la máscara causal a attn_mask)")
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hk == 0 or hq % hk or hq % v.shape[-3]:
            raise RuntimeError(f"scaled_dot_product_attention: con enable_gqa el número de cabezas de query ({hq}) "
                               f"debe ser múltiplo del de key ({hk}) y value ({v.shape[-3]})")
        k = k.repeat_interleave(hq // hk, dim=-3)
        v = v.repeat_interleave(hq // v.shape[-3], dim=-3)
    sc = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    if _fusable(q, k, v, attn_mask):
        return _fused_attention(q, k, v, attn_mask, dropout_p, is_causal, sc)
    w = _attention_weights(q, k, attn_mask, is_causal, sc)
    if dropout_p > 0:
        w = _dropout(w, dropout_p, True)
    return w @ v


def _fusable(q, k, v, attn_mask) -> bool:
    """¿Vale el nodo único de ``ops/attention.py``? Mismo dtype flotante, mismos ejes de lote y una
    máscara constante (una máscara que pide gradiente va por el camino compuesto)."""
    if q._data.dtype not in (np.float32, np.float64) or q.ndim < 2:
        return False
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        return False
    return attn_mask is None or not getattr(attn_mask, "requires_grad", False)


def _fused_attention(q, k, v, attn_mask, dropout_p, is_causal, scale):
    L, S, E = q.shape[-2], k.shape[-2], q.shape[-1]
    batch = tuple(q.shape[:-2])
    dt = q._data.dtype
    bias = None
    if is_causal:
        bias = np.where(causal_mask(L, S), 0, -np.inf).astype(dt)
    if attn_mask is not None:
        m = attn_mask._data if isinstance(attn_mask, TensorBase) else np.asarray(attn_mask)
        if m.dtype == np.bool_:
            mb = np.where(m, 0, -np.inf).astype(dt)
        elif m.dtype.kind == "f":
            mb = m.astype(dt, copy=False)
        else:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask debe ser bool o de coma flotante, no "
                               f"{D._BY_NP[m.dtype]}")
        try:
            np.broadcast_shapes(mb.shape, batch + (L, S))
        except ValueError:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask de forma {tuple(mb.shape)} no hace"
                               f" broadcasting "
                               f"con las puntuaciones {batch + (L, S)}") from None
        bias = mb if bias is None else mb + bias
    if bias is not None and bias.ndim > 2:
        bias = np.broadcast_to(bias, batch + (L, S)).reshape(int(np.prod(batch)), L, S)
    N = int(np.prod(batch)) if batch else 1
    keep = _dropout_keep((N, L, S), dropout_p, dt)
    qq, kk, vv = (t.reshape(N, t.shape[-2], t.shape[-1]) for t in (q, k, v))
    out = _SDPA.apply(qq, kk, vv, scale=scale, bias=bias, keep=keep)
    return out.reshape(batch + (L, v.shape[-1]))


def _dropout_keep(shape, dropout_p, dt):
    """La máscara de dropout de los pesos (N, L, S) ya escalada por 1/(1 − p), o ``None`` sin dropout."""
    if not dropout_p > 0:
        return None
    keep = (default_rng().random(shape) >= dropout_p).astype(dt)
    keep *= dt.type(1 / (1 - dropout_p)) if dropout_p < 1 else 0
    return keep


# ---- atención de varias cabezas (lo que usa nn.MultiheadAttention) -------------------------------------
def _canonical_mask(mask, name, other, other_name, target_dtype, check_other=True):
    """Máscara booleana (``True`` = ignorar) → flotante con −∞; la flotante se queda igual."""
    if mask is None:
        return None
    m = mask if isinstance(mask, Tensor) else Tensor(mask)
    kind = m._data.dtype.kind
    if kind not in "bf":
        raise AssertionError(f"{name}: sólo se admiten máscaras bool o de coma flotante, no {m.dtype}")
    if check_other and other is not None and other._data.dtype != m._data.dtype:
        warnings.warn(f"usar {name} y {other_name} de tipos distintos está obsoleto (también en PyTorch): usa "
                      f"el mismo tipo para las dos", UserWarning, stacklevel=4)
    if kind == "b":
        return Tensor._wrap(np.where(m._data, -np.inf, 0).astype(D.np_dtype(target_dtype)))
    return m


def _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"con query 3-D (con lote), key y value también deben ser 3-D; son {key.ndim}-D y "
                                 f"{value.ndim}-D")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"con query 3-D, key_padding_mask debe ser 2-D (lote, S), no "
                                 f"{key_padding_mask.ndim}-D")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"con query 3-D, attn_mask debe ser 2-D o 3-D, no {attn_mask.ndim}-D")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"con query 2-D (sin lote), key y value también deben ser 2-D; son {key.ndim}-D y "
                                 f"{value.ndim}-D")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"con query 2-D, key_padding_mask debe ser 1-D (S,), no {key_padding_mask.ndim}-D")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"con query 2-D, attn_mask debe ser 2-D o 3-D, no {attn_mask.ndim}-D")
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != (num_heads, query.shape[0], key.shape[0]):
                raise AssertionError(f"attn_mask debe tener forma {(num_heads, query.shape[0], key.shape[0])}, no "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query debe ser 2-D (L, E) sin lote o 3-D (L, N, E) con lote, no {query.ndim}-D")


def _in_projection(query, key, value, w_q, w_k, w_v, b_q, b_k, b_v):
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _in_projection_packed(q, k, v, w, b):
    """Proyecciones Q, K, V con el peso empaquetado (3E, E): una sola GEMM en la autoatención."""
    E = q.shape[-1]
    if k is v and q is k:
        return linear(q, w, b).chunk(3, -1)
    bq, bkv = (None, None) if b is None else (b[:E], b[E:])
    if k is v:
        return (linear(q, w[:E], bq),) + tuple(linear(k, w[E:], bkv).chunk(2, -1))
    bk, bv = (None, None) if b is None else (b[E:2 * E], b[2 * E:])
    return linear(q, w[:E], bq), linear(k, w[E:2 * E], bk), linear(v, w[2 * E:], bv)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """La atención de varias cabezas de ``nn.MultiheadAttention``, como función (misma firma que PyTorch).
    Cada cabeza h atiende con su trozo de E/num_heads columnas: ``cabeza_h = Atención(Q·W_q,h, K·W_k,h,
    V·W_v,h)``, y la salida es ``concat(cabezas)·W_outᵀ + b_out``.

    Args:
        query, key, value: ``(L, N, E)``, ``(S, N, kdim)``, ``(S, N, vdim)`` (o sin lote, ``(L, E)``...).
        embed_dim_to_check: E (se comprueba contra ``query``).
        num_heads: número de cabezas.
        in_proj_weight: ``(3E, E)``, las proyecciones de Q, K y V juntas (o ``None`` con
            ``use_separate_proj_weight``).
        in_proj_bias: ``(3E,)`` o ``None``.
        bias_k, bias_v: ``(1, 1, E)``, clave y valor extra aprendidos, o ``None``.
        add_zero_attn: añade una clave/valor de ceros.
        dropout_p: dropout sobre los pesos de atención (sólo con ``training``).
        out_proj_weight: ``(E, E)``, la proyección de salida.
        out_proj_bias: ``(E,)`` o ``None``.
        training: aplica el dropout (``True``).
        key_padding_mask: ``(N, S)``, ``True`` en las claves de relleno (``None``).
        need_weights: devuelve también los pesos (``True``).
        attn_mask: ``(L, S)`` o ``(N·num_heads, L, S)``, booleana (``True`` = prohibido) o flotante
            (``None``).
        use_separate_proj_weight: usa ``q_proj_weight``, ``k_proj_weight`` y ``v_proj_weight`` (``False``).
        q_proj_weight, k_proj_weight, v_proj_weight: las proyecciones separadas (``None``).
        static_k, static_v: claves/valores ya proyectados ``(N·num_heads, S, E/num_heads)`` (``None``).
        average_attn_weights: promedia los pesos sobre las cabezas (``True``).
        is_causal: pista de que ``attn_mask`` es la máscara causal (``False``).

    Devuelve ``(salida, pesos)``: salida ``(L, N, E)``; pesos ``(N, L, S)`` (media de las cabezas), o
    ``(N, num_heads, L, S)`` con ``average_attn_weights=False``, o ``None`` si ``need_weights=False``.

    Ejemplo:
        >>> mha = nn.MultiheadAttention(8, 2)
        >>> x = torch.randn(5, 1, 8)
        >>> out, w = F.multi_head_attention_forward(x, x, x, 8, 2, mha.in_proj_weight, mha.in_proj_bias, None, None,
        ...                                         False, 0.0, mha.out_proj.weight, mha.out_proj.bias)
        >>> out.shape, w.shape
        (torch.Size([5, 1, 8]), torch.Size([1, 5, 5]))

    En PyTorch: ``torch.nn.functional.multi_head_attention_forward``.
    """
    query, key, value = (t if isinstance(t, Tensor) else as_tensor(t) for t in (query, key, value))
    key_padding_mask, attn_mask = (None if m is None else m if isinstance(m, Tensor) else Tensor._wrap(np.asarray(m))
                                   for m in (key_padding_mask, attn_mask))
    is_batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("is_causal=True necesita también attn_mask (la máscara causal; puedes crearla con "
                           "nn.Transformer.generate_square_subsequent_mask)")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"se esperaba una dimensión de incrustación {embed_dim_to_check} y la entrada tiene "
                             f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} no es divisible por num_heads {num_heads}")
    if (PACKED and query is key and key is value and is_batched and not use_separate_proj_weight and bias_k is None
            and bias_v is None and not add_zero_attn and static_k is None and static_v is None and not need_weights
            and key_padding_mask is None and attn_mask is None and query._data.dtype in (np.float32, np.float64)
            and in_proj_weight._data.dtype == query._data.dtype):
        # autoatención (lo que hace un Transformer): las cabezas de la proyección empaquetada en un nodo
        dt = query._data.dtype
        bias = np.where(causal_mask(tgt_len), 0, -np.inf).astype(dt) if is_causal else None
        keep = _dropout_keep((bsz * num_heads, tgt_len, tgt_len), dropout_p if training else 0.0, dt)
        out = _PackedSA.apply(linear(query, in_proj_weight, in_proj_bias), heads=num_heads,
                              scale=1.0 / math.sqrt(head_dim), bias=bias, keep=keep)
        return linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, out_proj_weight.shape[0]), None
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key {tuple(key.shape)} y value {tuple(value.shape)} deben coincidir en pasos y lote")
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key {tuple(key.shape)} y value {tuple(value.shape)} deben tener la misma forma")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    src_len = key.shape[0]
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"la attn_mask 2-D tiene forma {tuple(attn_mask.shape)} y debe ser "
                                   f"{(tgt_len, src_len)} (L, S)")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"la attn_mask 3-D tiene forma {tuple(attn_mask.shape)} y debe ser "
                               f"{(bsz * num_heads, tgt_len, src_len)} (N·num_heads, L, S)")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias_k/bias_v no se pueden añadir a static_k/static_v")
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        attn_mask = pad(attn_mask, (0, 1)) if attn_mask is not None else None
        key_padding_mask = pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k y bias_v van juntos: uno no puede ser None sin el otro")
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:
        z = Tensor._wrap(np.zeros((bsz * num_heads, 1, head_dim), dtype=k._data.dtype))
        k, v = cat([k, z], 1), cat([v, z], 1)
        attn_mask = pad(attn_mask, (0, 1)) if attn_mask is not None else None
        key_padding_mask = pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"key_padding_mask debe tener forma {(bsz, src_len)} (N, S), no "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        w = _attention_weights(q, k, attn_mask, is_causal, 1.0 / math.sqrt(head_dim), safe=False)
        if dropout_p > 0:
            w = _dropout(w, dropout_p, True)
        out = (w @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, out_proj_weight.shape[0])
        w = w.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(1)
        if not is_batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w
    if attn_mask is not None:
        attn_mask = (attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1
                     else attn_mask.reshape(bsz, num_heads, -1, src_len))
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, out_proj_weight.shape[0])
    return (out if is_batched else out.squeeze(1)), None
