"""Lo que comparten las funciones de ``nn.functional``: conversión de la entrada a tensor
(``as_tensor``), enteros y tuplas de enteros (``int_tuple``), rangos de la entrada
(``check_rank``, ``unbatched``), etiquetas de clase (``int_labels``) y la reducción de las pérdidas
(``reduction_arg``, ``reduce_loss``, ``same_shape``)."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..._tensor import Tensor, to_array

__all__ = ["as_tensor", "int_tuple", "check_rank", "unbatched", "int_labels", "reduce_loss",
           "reduction_arg", "same_shape", "integer_input"]


def as_tensor(x, op=None, name="input") -> Tensor:
    """``x`` como tensor: un Tensor tal cual; un ndarray sin copiar (con su dtype); una lista o un
    número con el dtype que deduce ``tensor()`` (float → float32, int → int64). Si no son números,
    ``TypeError`` con el nombre de la función (``op``) y del argumento."""
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor._wrap(to_array(x))
    except TypeError as e:
        raise TypeError(f"{op or 'nn.functional'}: {name} debe ser un Tensor, no {type(x).__name__} ({e})") from None


def reduction_arg(size_average, reduce, reduction):
    """Los argumentos antiguos ``size_average``/``reduce`` (obsoletos también en PyTorch) → ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average y reduce están obsoletos (también en PyTorch): usa reduction='mean', 'sum' o "
                  "'none'", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction debe ser 'mean', 'sum' o 'none', no {reduction!r}")


def same_shape(a: Tensor, b: Tensor, op: str, broadcast: bool = False):
    """La predicción y el objetivo con la misma forma. Con ``broadcast`` (``mse_loss``, ``l1_loss``...,
    como PyTorch) formas distintas sólo avisan y hacen broadcasting, casi siempre un error: salida
    (N, 1) y objetivo (N,) da una pérdida de (N, N); si no (``binary_cross_entropy``), ``ValueError``."""
    if tuple(a.shape) == tuple(b.shape):
        return
    msg = (f"{op}: la predicción tiene forma {tuple(a.shape)} y el objetivo {tuple(b.shape)}; con broadcasting el "
           f"resultado casi nunca es el que se busca (p. ej. salida (N, 1) y objetivo (N,): usa .squeeze(1) o "
           f".view(-1, 1))")
    if not broadcast:
        raise ValueError(msg)
    try:
        np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise RuntimeError(f"{op}: la predicción de forma {tuple(a.shape)} y el objetivo de forma {tuple(b.shape)} "
                           f"no se pueden combinar (broadcasting)") from None
    if broadcast != "silent":  # kl_div no avisa en PyTorch
        warnings.warn(msg, UserWarning, stacklevel=4)


def int_tuple(v, n, name, op, minimum=None):
    """Un entero o una tupla de ``n`` enteros -> tupla de ``n`` enteros (≥ ``minimum``)."""
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    if len(vals) == 1:
        vals = vals * n
    if not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in vals):
        raise TypeError(f"{op}: {name} debe ser un entero o una tupla de {n} enteros, no {v!r}")
    if len(vals) != n:
        raise RuntimeError(f"{op}: {name} debe ser un entero o una tupla de {n} enteros, no {v!r}")
    vals = tuple(int(a) for a in vals)
    if minimum is not None and min(vals) < minimum:
        what = "negativo" if minimum == 0 else f"menor que {minimum}"
        raise RuntimeError(f"{op}: {name} no puede ser {what} (se recibió {v!r})")
    return vals


def check_rank(x, ranks, op, layout):
    """``RuntimeError`` (como PyTorch) si la entrada no tiene uno de los rangos ``ranks`` (``layout`` la describe)."""
    if x.ndim not in ranks:
        raise RuntimeError(f"{op}: se esperaba una entrada {layout} ({' o '.join(f'{r}-D' for r in ranks)}), "
                         f"pero tiene forma {tuple(x.shape)}")


def unbatched(x, full_rank):
    """Entrada sin la dimensión del lote (como acepta PyTorch): se añade y se quita."""
    return (x.unsqueeze(0), True) if x.ndim == full_rank - 1 else (x, False)


def int_labels(labels, op):
    """Etiquetas como array int64; texto u objetos → TypeError claro (no 'invalid literal for int')."""
    t = labels._data if isinstance(labels, Tensor) else np.asarray(labels)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{op}: las etiquetas deben ser índices de clase enteros, no {t.dtype} "
                        f"(p. ej. {t.reshape(-1)[:3].tolist()}); convierte el texto en índices con "
                        f"np.unique(y, return_inverse=True)")
    if t.dtype.kind == "f":
        raise RuntimeError(f"{op}: las etiquetas (índices de clase) deben ser enteros (long), no {t.dtype} "
                           f"(p. ej. {t.reshape(-1)[:3].tolist()}); usa target.long()")
    return t.astype(np.int64)


def integer_input(x, op, allowed=(), error=NotImplementedError):
    """Los núcleos de pooling y reescalado calculan en coma flotante. Para una entrada entera o bool
    devuelve ``(x en float64, vuelta)``, donde ``vuelta(y)`` da el resultado en el dtype de ``x``
    (sin gradiente: los enteros no lo tienen) si ``x.dtype`` está en ``allowed``, como en PyTorch; si
    no, lanza ``error`` (la clase que da PyTorch). Una entrada de coma flotante pasa tal cual."""
    npd = x._data.dtype
    if npd.kind == "f":
        return x, None
    if npd not in [np.dtype(a) for a in allowed]:
        raise error(f"{op} no está implementada para tensores {npd} (tampoco en PyTorch); conviértelo con "
                    f".float()")

    def back(y, rounding=np.trunc):
        with np.errstate(invalid="ignore", over="ignore"):
            return Tensor._wrap(rounding(y._data).astype(npd))
    return Tensor._wrap(x._data.astype(np.float64)), back
