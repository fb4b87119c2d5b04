"""Funciones de pérdida de clasificación y entre distribuciones de ``torch.nn.functional``
(``cross_entropy``, ``nll_loss``, ``binary_cross_entropy`` con y sin logits, ``kl_div``) con sus
argumentos (``weight``, ``ignore_index``, ``reduction``, ``label_smoothing``, ``pos_weight``...) y sus
fórmulas. Las de regresión (``mse_loss``, ``l1_loss``...) están en ``regression_loss.py``.

Clasificación (``cross_entropy``, ``nll_loss``): entradas ``(C,)``, ``(N, C)`` o ``(N, C, d1, ...)``;
objetivo con índices de clase (sin el eje C) o, en ``cross_entropy``, con probabilidades (misma forma
que la entrada). ``reduction='mean'`` divide por la suma de los pesos de los objetivos no ignorados:
si no queda ninguno (N = 0 o todos ignorados) el resultado es ``nan``, como en PyTorch.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import Tensor
from ..._tensor._args import promote
from ..._tensor.joins import where
from ...autograd import is_grad_enabled, watch
from ...ops import loss as L
from ..._validate import REDUCTIONS
from ._utils import as_tensor, int_labels, reduce_loss, reduction_arg, same_shape

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]


class TargetOutOfRange(IndexError, ValueError):
    """Un índice de clase fuera de [0, C) (``IndexError`` como en PyTorch; también ``ValueError``)."""


class InputOutOfRange(RuntimeError, ValueError):
    """Una probabilidad fuera de [0, 1] en ``binary_cross_entropy``."""


def _class_dim(x, op):
    if x.ndim == 0:
        raise ValueError(f"{op}: la entrada debe tener al menos una dimensión (las clases), no forma ()")
    return 0 if x.ndim == 1 else 1


def _index_dtype(target, op):
    """Como PyTorch: los índices de clase son int64 (``torch.long``) o uint8; un tensor de coma flotante,
    int32 o bool es un error (en PyTorch, ``expected target dtype to be Long or Byte``). Con arrays de
    numpy o listas se acepta cualquier entero."""
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    ok = t.dtype in (np.int64, np.uint8) if isinstance(target, Tensor) else t.dtype.kind in "iu"
    if not ok and t.dtype.kind in "biuf":
        name = target.dtype if isinstance(target, Tensor) else t.dtype
        raise RuntimeError(f"{op}: los índices de clase deben ser enteros int64 (torch.long) o uint8, no {name}; "
                           f"convierte las etiquetas con target.long() (si son probabilidades por clase, deben "
                           f"tener la misma forma que la entrada)")


def _indices(target, x, cdim, ignore_index, op, info=False):
    """Los índices de clase de ``target`` (int64, comprobados: forma y rango [0, C) salvo
    ``ignore_index``). Con ``info``, ``(t, ninguno_ignorado)``: ``True`` si hay filas y ninguna vale
    ``ignore_index`` (sale de la comprobación de rango: sin otra pasada sobre ``t``)."""
    _index_dtype(target, op)
    t = int_labels(target, op)
    xs = x._data.shape
    expected = xs[:cdim] + xs[cdim + 1:]
    if t.shape != expected:
        raise ValueError(f"{op}: los índices de clase deben tener forma {expected}, no {t.shape} "
                         f"(la entrada tiene forma {tuple(xs)})")
    c = xs[cdim]
    inside = t.size > 0
    if inside and (t.min() < 0 or t.max() >= c):  # algo fuera de [0, c): ¿sólo los ignore_index?
        inside = False
        bad = (t != ignore_index) & ((t < 0) | (t >= c))
        if np.any(bad):
            raise TargetOutOfRange(f"{op}: índice de clase fuera de rango [0, {c}): {t[bad][:5].tolist()}")
    if not info:
        return t
    return t, inside and not (0 <= ignore_index < c and bool((t == ignore_index).any()))


def _weight(weight, c, op):
    if weight is None:
        return None
    no_grad_arg(weight, "weight", op)
    w = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (c,):
        raise RuntimeError(f"{op}: weight debe tener un valor por clase, forma ({c},), no {w.shape}")
    return w


def no_grad_arg(t, name, op):
    """Como PyTorch: estas pérdidas no son derivables respecto de ``weight``/``pos_weight``."""
    if isinstance(t, Tensor) and t.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{op} no es derivable respecto de '{name}': ese tensor no puede requerir gradiente "
                           f"(usa {name}.detach())")


def _mean_by(total, denom):
    """``total / denom`` con PyTorch: si no hay nada que promediar, nan (gradiente 0)."""
    if denom == 0:
        return total * 0.0 + float("nan")
    return total / denom


def _nll(logp, t, w, ignore_index, reduction, cdim):
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    idx = Tensor._wrap(np.expand_dims(safe, cdim))
    picked = logp.gather(cdim, idx).squeeze(cdim)
    wt = (w[safe] if w is not None else np.ones(safe.shape, dtype=logp._data.dtype)) * valid
    # where (no ·0): en los ignorados el gradiente es 0 aunque llegue inf o nan, como en PyTorch
    loss = where(Tensor._wrap(valid), -picked * Tensor._wrap(wt.astype(logp._data.dtype)), 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return _mean_by(loss.sum(), float(wt.sum()))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Log-verosimilitud negativa sobre log-probabilidades: ``ℓ_n = −w[y_n]·input[n, y_n]`` (la capa es
    ``nn.NLLLoss``; allí, las formas). Derivada: ``−w[y_n]`` en la clase correcta, 0 en las demás.

    Args:
        input: log-probabilidades ``(N, C)``, ``(C,)`` o ``(N, C, d1, ...)``.
        target: índices de clase int64 en [0, C), con la forma de ``input`` sin el eje C.
        weight: ``(C,)``, peso de cada clase (``None``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        ignore_index: clase que no cuenta (``-100``).
        reduction: ``'mean'`` (entre la suma de pesos), ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> F.nll_loss(F.log_softmax(torch.tensor([[2., 1., 0.1], [0.5, 2.5, 0.3]]), 1), torch.tensor([0, 1]))
        tensor(0.3185)

    En PyTorch: ``torch.nn.functional.nll_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "nll_loss")
    input = as_tensor(input, "nll_loss")
    cdim = _class_dim(input, "nll_loss")
    t = _indices(target, input, cdim, ignore_index, "nll_loss")
    out = _nll(input, t, _weight(weight, input.shape[cdim], "nll_loss"), ignore_index, reduction, cdim)
    return watch(out, target, weight)  # como PyTorch, su backward lee target y weight


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Entropía cruzada desde **logits**: ``log_softmax`` en el eje de clases + ``nll_loss`` (la capa es
    ``nn.CrossEntropyLoss``; allí, las formas y la fórmula). Derivada respecto de los logits:
    ``(softmax(x) − objetivo)·peso`` (entre N con ``'mean'``).

    Args:
        input: logits ``(N, C)``, ``(C,)`` o ``(N, C, d1, ...)``.
        target: índices de clase int64 (``ignore_index`` se ignora) o probabilidades por clase (la forma
            de ``input``).
        weight: ``(C,)``, peso de cada clase (``None``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        ignore_index: clase que no cuenta (``-100``).
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.
        label_smoothing: ε en [0, 1] (``0.0``): el objetivo pasa a ser (1 − ε)·objetivo + ε/C.

    Ejemplo:
        >>> F.cross_entropy(torch.tensor([[2., 1., 0.1], [0.5, 2.5, 0.3]]), torch.tensor([0, 1]), reduction="none")
        tensor([0.4170, 0.2200])

    En PyTorch: ``torch.nn.functional.cross_entropy``.
    """
    if (weight is None and size_average is None and reduce is None and not label_smoothing
            and input.__class__ is Tensor and target.__class__ is Tensor
            and ignore_index.__class__ is int and ignore_index < 0
            and (reduction == "mean" or reduction == "sum" or reduction == "none")):
        # el caso de todos los entrenamientos (logits (N, C) de coma flotante e índices int64 en
        # [0, C)), sin las comprobaciones generales de debajo: ~10 µs menos por llamada
        xd, td = input._data, target._data
        if (xd.ndim == 2 and xd.dtype.kind == "f" and td.dtype == np.int64 and td.shape == xd.shape[:1]
                and td.size and td.view(np.uint64).max() < xd.shape[1]):  # (un negativo, visto sin signo, es ≥ 2⁶³)
            return watch(L.CrossEntropyIdx.apply(input, target=td.copy(), reduction=reduction,
                                                 ignore_index=ignore_index), target)
    reduction = reduction_arg(size_average, reduce, reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing debe estar en [0, 1], no {label_smoothing}")
    input = as_tensor(input, "cross_entropy")
    cdim = _class_dim(input, "cross_entropy")
    c = input.shape[cdim]
    tarr = target._data if isinstance(target, Tensor) else np.asarray(target)
    if tarr.ndim == input.ndim and tarr.dtype.kind in "fiub":  # probabilidades por clase
        if tarr.dtype.kind != "f":
            raise RuntimeError(f"cross_entropy: un objetivo con la forma de la entrada {tuple(input.shape)} son "
                               f"probabilidades por clase y debe ser de coma flotante, no {tarr.dtype}; si son "
                               f"índices de clase, deben tener forma {tuple(input.shape[:cdim] + input.shape[cdim + 1:])}")
        return _prob_target(input, target, tarr, weight, cdim, c, reduction, label_smoothing)
    w = _weight(weight, c, "cross_entropy")
    t, none_ignored = _indices(target, input, cdim, ignore_index, "cross_entropy", info=True)
    # como PyTorch (nll_loss dentro): cambiar target o weight in situ antes del backward es un error
    return watch(_cross_entropy_idx(input, t, w, cdim, c, ignore_index, reduction, label_smoothing, none_ignored),
                 target, weight)


def _cross_entropy_idx(input, t, w, cdim, c, ignore_index, reduction, label_smoothing, none_ignored=False):
    """``cross_entropy`` con índices de clase ``t`` (ndarray) y pesos ``w`` (ndarray o ``None``);
    ``none_ignored``: se sabe que hay filas y que ninguna vale ``ignore_index``."""
    if input.ndim == 2 and w is None and not label_smoothing and input._data.dtype.kind == "f":
        if reduction == "mean" and not none_ignored and not np.any(t != ignore_index):
            return _mean_by(input.sum() * 0.0, 0)
        # camino rápido (el de los entrenamientos): logsumexp y gradiente fusionados
        return L.CrossEntropyIdx.apply(input, target=t, reduction=reduction, ignore_index=ignore_index)
    logp = input.log_softmax(cdim)
    nll = _nll(logp, t, w, ignore_index, reduction, cdim)
    if not label_smoothing:
        return nll
    valid = t != ignore_index
    if w is not None:
        shape = [1] * input.ndim
        shape[cdim] = c
        smooth = -(logp * Tensor._wrap(w.reshape(shape).astype(logp._data.dtype))).sum(cdim)
    else:
        smooth = -logp.sum(cdim)
    smooth = where(Tensor._wrap(valid), smooth, 0.0)
    if reduction == "mean":
        denom = float(w[t[valid]].sum()) if w is not None else float(valid.sum())
        smooth = _mean_by(smooth.sum(), denom)
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / c)


def _prob_target(input, target, tarr, weight, cdim, c, reduction, eps):
    """Objetivo con probabilidades: −Σ_c w_c·y_c·log softmax(x)_c (``weight`` recibe gradiente)."""
    if tuple(tarr.shape) != tuple(input.shape):
        raise ValueError(f"cross_entropy: con probabilidades el objetivo debe tener la forma de la entrada "
                         f"{tuple(input.shape)}, no {tuple(tarr.shape)}")
    tt = target if isinstance(target, Tensor) and target._data.dtype == input._data.dtype else \
        Tensor._wrap(tarr.astype(input._data.dtype))
    if eps > 0:
        tt = tt * (1 - eps) + eps / c
    prod = input.log_softmax(cdim) * tt
    if weight is not None:
        w = as_tensor(weight)
        if tuple(w.shape) != (c,):
            raise RuntimeError(f"cross_entropy: weight debe tener un valor por clase, forma ({c},), no "
                               f"{tuple(w.shape)}")
        shape = [1] * input.ndim
        shape[cdim] = c
        prod = prod * w.type(input.dtype).reshape(shape)
    if reduction == "none":
        return -prod.sum(cdim)
    if reduction == "sum":
        return -prod.sum()
    return _mean_by(-prod.sum(), input.numel() // c if input.numel() else 0)


def _elementwise(input, target, op, weight=None, weight_same_shape=False, broadcast=False):
    input, target = as_tensor(input, op), as_tensor(target, op, "target")
    same_shape(input, target, op, broadcast)
    if broadcast and input._data.dtype != target._data.dtype:  # mse/l1/huber...: en el dtype común (bool → float)
        input, target = promote(input, target)
    if weight is not None:
        weight = as_tensor(weight, op, "weight")
        if weight_same_shape and tuple(weight.shape) != tuple(input.shape):
            raise ValueError(f"{op}: weight debe tener la forma de la entrada {tuple(input.shape)}, no "
                             f"{tuple(weight.shape)}")
    return input, target, weight


def _float_pair(input, target, op, error=NotImplementedError):
    """Las pérdidas elemento a elemento con dos enteros no existen en PyTorch (``mse_cpu`` para Long)."""
    if input._data.dtype.kind != "f" and target._data.dtype.kind != "f":
        raise error(f"{op} no está implementada para tensores enteros ({input.dtype}, {target.dtype}); usa .float()")


def _weighted(loss, weight, reduction):
    return reduce_loss(loss if weight is None else loss * weight, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Entropía cruzada binaria sobre **probabilidades** en [0, 1] (tras ``sigmoid``; la capa es
    ``nn.BCELoss``): ``−w·[y·log x + (1 − y)·log(1 − x)]``; derivada ``w·(x − y)/(x(1 − x))``.

    Args:
        input: probabilidades ``(*)``.
        target: objetivo en [0, 1], misma forma y dtype.
        weight: peso de cada elemento (``None``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> F.binary_cross_entropy(torch.tensor([0.9, 0.2, 0.6]), torch.tensor([1., 0., 1.]))
        tensor(0.2798)

    En PyTorch: ``torch.nn.functional.binary_cross_entropy``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "binary_cross_entropy")
    no_grad_arg(weight, "weight", "binary_cross_entropy")
    input, target, weight = _elementwise(input, target, "binary_cross_entropy", weight)
    x = input._data
    with np.errstate(invalid="ignore"):  # como PyTorch: nan tampoco es una probabilidad
        if not np.all((x >= 0) & (x <= 1)):
            raise InputOutOfRange("binary_cross_entropy: la entrada debe ser una probabilidad en [0, 1]; "
                                  "para logits usa binary_cross_entropy_with_logits (o BCEWithLogitsLoss)")
        t = target._data
        if not np.all((t >= 0) & (t <= 1)):
            raise InputOutOfRange("binary_cross_entropy: el objetivo (target) debe estar en [0, 1] (como en "
                                  "PyTorch); hay valores fuera, o nan")
    if target._data.dtype != x.dtype:  # PyTorch no convierte: "Found dtype Long but expected Float"
        raise RuntimeError(f"binary_cross_entropy: el objetivo es {target.dtype} y la entrada {input.dtype}; deben "
                           f"tener el mismo dtype (convierte el objetivo con .to(entrada.dtype) o .float())")
    args = (input, target) if weight is None else (input, target, weight.type(input.dtype))
    return reduce_loss(L.BCE.apply(*args), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Entropía cruzada binaria desde **logits** (sigmoid incluida, estable; la capa es
    ``nn.BCEWithLogitsLoss``); derivada ``σ(x) − y`` (sin pesos).

    Args:
        input: logits ``(*)``.
        target: objetivo de coma flotante en [0, 1], misma forma.
        weight: peso de cada elemento (``None``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.
        pos_weight: peso de los positivos, uno por clase en el último eje (``None``).

    Ejemplo:
        >>> F.binary_cross_entropy_with_logits(torch.tensor([2., -1., 0.5]), torch.tensor([1., 0., 1.]))
        tensor(0.3048)

    En PyTorch: ``torch.nn.functional.binary_cross_entropy_with_logits``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "binary_cross_entropy_with_logits")
    no_grad_arg(weight, "weight", "binary_cross_entropy_with_logits")
    no_grad_arg(pos_weight, "pos_weight", "binary_cross_entropy_with_logits")
    input, target, weight = _elementwise(input, target, "binary_cross_entropy_with_logits", weight)
    if target._data.dtype.kind != "f":  # PyTorch: "result type Float can't be cast to ... Long"
        raise RuntimeError(f"binary_cross_entropy_with_logits: el objetivo debe ser de coma flotante, no "
                           f"{target.dtype} (conviértelo con .float())")
    input, target = promote(input, target)  # float32 con un objetivo float64 da float64, como PyTorch
    if pos_weight is not None:
        pos_weight = as_tensor(pos_weight, "binary_cross_entropy_with_logits", "pos_weight").type(input.dtype)
        try:
            np.broadcast_shapes(tuple(pos_weight.shape), tuple(input.shape))
        except ValueError:
            raise RuntimeError(f"binary_cross_entropy_with_logits: pos_weight de forma {tuple(pos_weight.shape)} "
                               f"no se puede combinar con la entrada {tuple(input.shape)} (un valor por clase, "
                               f"en el último eje)") from None
        loss = L.BCEWithLogits.apply(input, target, pos_weight)
    else:
        loss = L.BCEWithLogits.apply(input, target)
    return _weighted(loss, weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Divergencia KL con ``input`` en log-probabilidades: ``target·(log target − input)`` (0 donde
    ``target = 0``; la capa es ``nn.KLDivLoss``). Derivada: ``∂/∂input = −target``.

    Args:
        input: log-probabilidades ``(*)``.
        target: probabilidades (o log-probabilidades con ``log_target``), misma forma.
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'batchmean'`` (entre el tamaño del lote: la definición matemática), ``'mean'``
            (por defecto; avisa), ``'sum'`` o ``'none'``.
        log_target: ``target`` en log-probabilidades (``False``).

    Ejemplo:
        >>> F.kl_div(torch.tensor([[0.25, 0.25, 0.5]]).log(), torch.tensor([[0.5, 0.25, 0.25]]), reduction="batchmean")
        tensor(0.1733)

    En PyTorch: ``torch.nn.functional.kl_div``.
    """
    if reduction == "mean":
        warnings.warn("kl_div: reduction='mean' divide por el número total de elementos (lote y clases); "
                      "'batchmean' divide sólo por el lote y es la definición de la divergencia KL",
                      UserWarning, stacklevel=2)
    reduction = reduction_arg(size_average, reduce, reduction, "kl_div", allowed=REDUCTIONS + ("batchmean",))
    input, target = as_tensor(input, "kl_div"), as_tensor(target, "kl_div", "target")
    if input._data.dtype.kind != "f" or target._data.dtype.kind != "f":  # antes de promover al dtype común
        raise RuntimeError("kl_div: no admite entradas enteras (como PyTorch); usa .float()")
    input, target, _ = _elementwise(input, target, "kl_div", broadcast="silent")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        safe = where(target > 0, target, 1.0)  # 0·log 0 = 0 sin nan (ni en el gradiente)
        loss = target * (safe.log() - input)
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return reduce_loss(loss, reduction)
