"""Normalizaciones de ``torch.nn.functional``: ``batch_norm``, ``layer_norm``, ``group_norm``,
``instance_norm`` y ``normalize``. ``batch_norm`` es un nodo con núcleo propio (``ops/normalization.py``);
las demás se componen de media, varianza y división (el gradiente sale de componerlas);
``normalize`` usa ``linalg.vector_norm``."""
from __future__ import annotations

import numbers

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import cat
from ..._validate import number
from ...autograd import watch
from ..._tensor.linalg import vector_norm
from ..._tensor.out import write_out
from ...ops.normalization import BatchNorm, LayerNorm
from ._utils import as_tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "normalize", "rms_norm", "local_response_norm"]


def _buffer(buf):
    """El ndarray de un buffer de estadísticas (Tensor o array), o ``None``."""
    if buf is None:
        return None
    return buf._data if isinstance(buf, Tensor) else np.asarray(buf)


def _bump(buf):
    if isinstance(buf, Tensor):
        buf._vc.value += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalización por lotes sobre el eje de canales (1): ``(x − μ)/√(σ² + eps)·γ + β`` (la capa es
    ``nn.BatchNorm2d``; allí, el entrenamiento y la evaluación).

    Args:
        input: ``(N, C, ...)`` en coma flotante.
        running_mean, running_var: ``(C,)`` estadísticas acumuladas (o ``None``).
        weight, bias: γ y β de forma ``(C,)`` (``None``: 1 y 0).
        training: con ``True`` usa la media y la varianza sesgada del lote y actualiza in situ las
            acumuladas (``(1 − momentum)·acumulada + momentum·del lote``, la varianza insesgada,
            como PyTorch); con ``False`` (por defecto) usa las acumuladas.
        momentum: peso del lote en la actualización (``0.1``).
        eps: se suma a la varianza (``1e-5``).

    Un solo nodo (``ops.normalization.BatchNorm``, derivada en su docstring) con las sumas en
    float64 y un redondeo por elemento.

    Ejemplo:
        >>> rm, rv = torch.zeros(2), torch.ones(2)
        >>> F.batch_norm(torch.tensor([[1., 2.], [3., 6.]]), rm, rv, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> rm
        tensor([0.2000, 0.4000])

    En PyTorch: ``torch.nn.functional.batch_norm``.
    """
    x = as_tensor(input, "batch_norm")
    if x.ndim == 1 and x.numel() == 0:  # PyTorch acepta un 1-D vacío (con estadísticas vacías): una copia
        for name, buf in (("running_mean", running_mean), ("running_var", running_var)):
            if buf is not None and np.size(_buffer(buf)) != 0:
                raise RuntimeError(f"batch_norm: {name} debe tener 0 elementos para una entrada vacía de forma "
                                   f"(0,), no {np.size(_buffer(buf))}")
        return x * 1
    if x.ndim < 2:  # RuntimeError como PyTorch (que lo dice con el tamaño de running_mean)
        raise RuntimeError(f"batch_norm: se esperaba una entrada (N, C, ...), no forma {tuple(x.shape)}")
    c = x.shape[1]
    for name, buf in (("running_mean", running_mean), ("running_var", running_var)):
        if buf is not None:
            shp = tuple(np.shape(buf._data if isinstance(buf, Tensor) else buf))
            if len(shp) != 1 or shp[0] != c:
                raise RuntimeError(f"batch_norm: {name} debe ser un vector de {c} elementos (uno por "
                                   f"canal de la entrada {tuple(x.shape)}), no de forma {shp}")
    for name, t in (("weight", weight), ("bias", bias)):
        size = None if t is None else np.size(t._data if isinstance(t, Tensor) else t)
        if size is not None and size != c:
            raise RuntimeError(f"batch_norm: {name} debe tener {c} elementos (los canales de la entrada de "
                               f"forma {tuple(x.shape)}), no {size}")
    number(eps, "eps", "batch_norm", low=0.0, low_open=bool(training))  # PyTorch: eps > 0 al entrenar
    if x.numel() == 0 and (training or (running_mean is not None and running_var is not None)):
        # lote vacío (N = 0): salida vacía y estadísticas sin tocar, como PyTorch
        shape = (1, c) + (1,) * (x.ndim - 2)
        out = x * 1.0
        if weight is not None:
            out = out * as_tensor(weight).reshape(shape)
        if bias is not None:
            out = out + as_tensor(bias).reshape(shape)
        return out
    if training:
        if x.numel() // c <= 1:
            raise ValueError(f"batch_norm: se necesita más de un valor por canal en entrenamiento "
                             f"(entrada de forma {tuple(x.shape)})")
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: en evaluación (training=False) hacen falta running_mean y running_var")
    w = None if weight is None else as_tensor(weight)
    b = None if bias is None else as_tensor(bias)
    out = BatchNorm.apply(x, w, b, running_mean=_buffer(running_mean), running_var=_buffer(running_var),
                          training=bool(training), momentum=float(momentum), eps=float(eps))
    if training:
        _bump(running_mean)
        _bump(running_var)
    return out


def _normalize_over(x, axes, eps):
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(axes, keepdim=True)
    return centered / (var + eps).sqrt()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normaliza cada muestra sobre sus últimos ejes (``normalized_shape``) con la varianza sesgada:
    ``(x − μ)/√(σ² + eps)·weight + bias`` (la capa es ``nn.LayerNorm``).

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: los últimos ejes, ``D`` o ``(…, D)``.
        weight, bias: γ y β con forma ``normalized_shape`` (o ``None``).
        eps: se suma a la varianza (``1e-5``).

    Ejemplo:
        >>> F.layer_norm(torch.tensor([1., 2., 3.]), (3,))
        tensor([-1.2247,  0.0000,  1.2247])

    En PyTorch: ``torch.nn.functional.layer_norm``.
    """
    x = as_tensor(input, "layer_norm")
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or tuple(x.shape[x.ndim - k:]) != ns or x.ndim < k:
        raise RuntimeError(f"layer_norm: normalized_shape={list(ns)} espera una entrada de forma [*, "
                           f"{', '.join(map(str, ns))}], pero la entrada tiene forma {list(x.shape)}")
    if _fusable_ln(x, ns, weight, bias):  # un nodo con su núcleo (ops.normalization.LayerNorm)
        return LayerNorm.apply(x, weight, bias, k=k, eps=eps)
    out = _normalize_over(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return watch(out, x, weight, bias)  # PyTorch guarda la entrada, weight y bias


def _fusable_ln(x, ns, weight, bias):
    """float32/float64, con γ y β (si están) tensores del mismo tipo y forma ``normalized_shape``."""
    dt = x._data.dtype
    if dt not in (np.float32, np.float64) or x.numel() == 0:
        return False
    return all(p is None or (isinstance(p, Tensor) and p._data.dtype == dt and tuple(p.shape) == ns)
               for p in (weight, bias))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normaliza por grupos de canales (cada muestra y grupo por separado) y aplica γ, β por canal (la capa
    es ``nn.GroupNorm``).

    Args:
        input: ``(N, C, *)``.
        num_groups: número de grupos (divide a C).
        weight, bias: γ y β ``(C,)`` (o ``None``).
        eps: se suma a la varianza (``1e-5``).

    Ejemplo:
        >>> F.group_norm(torch.arange(8.).reshape(1, 4, 2), 2)[0, :2]
        tensor([[-1.3416, -0.4472],
                [ 0.4472,  1.3416]])

    En PyTorch: ``torch.nn.functional.group_norm``.
    """
    x = as_tensor(input, "group_norm")
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: se esperaba una entrada (N, C, ...), no forma {tuple(x.shape)}")
    n, c = x.shape[0], x.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: el número de canales ({c}) debe ser divisible por num_groups "
                           f"({num_groups})")
    g = x.reshape(n, num_groups, x.numel() // max(n * num_groups, 1))  # sin -1: vale con N = 0
    out = _normalize_over(g, (2,), eps).reshape(tuple(x.shape))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normaliza cada canal de cada muestra por separado (= ``group_norm`` con un grupo por canal).

    Args:
        input: ``(N, C, *)``.
        running_mean, running_var: ``(C,)`` estadísticas acumuladas (o ``None``). Con
            ``use_input_stats=True`` se actualizan in situ con la media sobre el lote de las de cada
            muestra (``(1 − momentum)·acumulada + momentum·media``, la varianza insesgada), como PyTorch.
        weight, bias: γ y β ``(C,)`` (o ``None``).
        use_input_stats: ``True`` (por defecto) normaliza con la media y la varianza de cada muestra;
            ``False`` con las acumuladas (que entonces hacen falta).
        momentum: peso de las estadísticas nuevas en la actualización (``0.1``).
        eps: se suma a la varianza (``1e-5``).

    Derivada: la de ``batch_norm`` sobre la entrada vista como ``(1, N·C, *)`` (así lo calcula
    PyTorch), o la de ``group_norm`` con un grupo por canal si no hay estadísticas acumuladas.

    Ejemplo:
        >>> F.instance_norm(torch.tensor([[[1., 3.], [2., 2.]]]))
        tensor([[[-1.0000,  1.0000],
                 [ 0.0000,  0.0000]]])

    En PyTorch: ``torch.nn.functional.instance_norm``.
    """
    x = as_tensor(input, "instance_norm")
    if x.ndim < 2:
        raise ValueError(f"instance_norm: se esperaba una entrada (N, C, *), no de forma {tuple(x.shape)}")
    if use_input_stats and int(np.prod(x.shape[2:])) <= 1:
        raise ValueError(f"instance_norm: se necesita más de un elemento espacial al entrenar, y la entrada "
                         f"tiene forma {tuple(x.shape)}")
    if use_input_stats and running_mean is None and running_var is None:
        return group_norm(x, x.shape[1], weight, bias, eps)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("instance_norm: con use_input_stats=False hacen falta running_mean y running_var")
    n, c = x.shape[:2]
    rm, rv = (None if b is None else Tensor._wrap(np.tile(_buffer(b), n)) for b in (running_mean, running_var))
    w, b = (None if t is None else as_tensor(t).repeat(n) for t in (weight, bias))
    out = batch_norm(x.reshape((1, n * c) + tuple(x.shape[2:])), rm, rv, w, b, training=bool(use_input_stats),
                     momentum=momentum, eps=eps)
    if use_input_stats:  # la media sobre el lote de las estadísticas de cada muestra
        for buf, new in ((running_mean, rm), (running_var, rv)):
            if buf is not None:
                _buffer(buf)[...] = new._data.reshape(n, c).mean(0)
                _bump(buf)
    return out.reshape(x.shape)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Divide por la norma: ``x / max(‖x‖_p, eps)`` a lo largo de ``dim`` (vectores unitarios).

    Args:
        input: tensor de cualquier forma.
        p: orden de la norma (``2.0``).
        dim: eje a lo largo del que se normaliza (``1``).
        eps: mínimo del divisor (``1e-12``).
        out: tensor donde escribir el resultado (sin gradiente, como ``out=`` de PyTorch).

    Ejemplo:
        >>> F.normalize(torch.tensor([[3., 4.]]))
        tensor([[0.6000, 0.8000]])

    En PyTorch: ``torch.nn.functional.normalize``.
    """
    x = as_tensor(input, "normalize")
    res = x / vector_norm(x, p, dim, keepdim=True).clamp(min=eps)  # como PyTorch: x.norm(p, dim)
    return res if out is None else write_out("normalize", out, res)


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """Normalización por la raíz de la media de los cuadrados: ``y = x / √(media(x²) + eps) · weight``
    (media sobre los últimos ejes ``normalized_shape``; sin restar la media, a diferencia de LayerNorm).
    La capa es ``nn.RMSNorm``.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: los últimos ejes, ``D`` o ``(…, D)``.
        weight: γ con forma ``normalized_shape`` (o ``None``).
        eps: ``None`` usa el épsilon del dtype (``torch.finfo(dtype).eps``), como PyTorch.

    Ejemplo:
        >>> F.rms_norm(torch.tensor([3., 4.]), (2,))
        tensor([0.8485, 1.1314])

    En PyTorch: ``torch.nn.functional.rms_norm``.
    """
    x = as_tensor(input)
    ns = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != ns:
        raise RuntimeError(f"rms_norm: normalized_shape={list(ns)} espera una entrada de forma [*, "
                           f"{', '.join(map(str, ns))}], pero la entrada tiene forma {list(x.shape)}")
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps) if x.is_floating_point() else float(np.finfo(np.float32).eps)
    dims = tuple(range(x.ndim - k, x.ndim))
    out = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalización de respuesta local (la de AlexNet): cada canal se divide entre
    ``(k + alpha · media de x² en los size canales vecinos)^beta``; la ventana va de ``c − size//2`` a
    ``c + (size−1)//2`` (con ceros fuera). Se compone de ``x·x``, una media deslizante por canales y
    ``pow``: la derivada sale de esas piezas.

    Args:
        input: ``(N, C, ...)`` con al menos 3 ejes.
        size: canales vecinos en la media.
        alpha: escala (``1e-4``).
        beta: exponente (``0.75``).
        k: constante (``1.0``; AlexNet usa 2.0).

    Ejemplo:
        >>> F.local_response_norm(torch.randn(1, 4, 2, 2), size=5, alpha=1e-4, beta=0.75, k=2.0).shape
        torch.Size([1, 4, 2, 2])

    En PyTorch: ``torch.nn.functional.local_response_norm``.
    """
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: se esperaba una entrada de 3 o más ejes (N, C, ...), y tiene "
                         f"{input.ndim} (forma {tuple(input.shape)})")
    if input.numel() == 0:
        return input
    c = input.shape[1]
    sq = (input * input).movedim(1, -1)  # canales al final para rellenar y desplazar por ellos
    zeros = Tensor._wrap(np.zeros(sq.shape[:-1] + (size // 2,), sq._data.dtype))
    tail = Tensor._wrap(np.zeros(sq.shape[:-1] + ((size - 1) // 2,), sq._data.dtype))
    padded = cat([zeros, sq, tail], -1)
    win = padded.narrow(-1, 0, c)
    for i in range(1, size):
        win = win + padded.narrow(-1, i, c)
    # con enteros la media de PyTorch (avg_pool) trunca: división entera
    mean = win // size if win._data.dtype.kind in "iu" else win / size
    div = mean.movedim(-1, 1).mul(alpha).add(k).pow(beta)
    return input / div
