"""Muestreo aleatorio de PyTorch: ``multinomial``, ``bernoulli``, ``normal``, ``poisson`` y los
rellenos in situ ``bernoulli_``/``exponential_`` (todos con ``generator=``). ``torch.multinomial`` y
``torch.bernoulli`` se generan a partir de los métodos (``functions.py``).

``torch.multinomial(probs, n)`` es lo que usan los modelos de lenguaje para generar texto: elige
índices con probabilidad proporcional a los pesos de cada fila (no hace falta que sumen 1).

>>> p = torch.tensor([0.1, 0.6, 0.3])
>>> torch.multinomial(p, 5, replacement=True, generator=torch.Generator().manual_seed(0))
"""
from __future__ import annotations

import json
import numbers

import numpy as np

from .. import _dtype as D
from .._random import default_generator, default_rng
from ..autograd import TensorBase
from ..device import check_device
from .out import write_out

__all__ = ["RandomMixin", "normal", "poisson", "get_rng_state", "set_rng_state"]


def _sample_rows(p: np.ndarray, n: int, replacement: bool, rng) -> np.ndarray:
    """``n`` índices por fila de ``p`` (R, C) con probabilidad ∝ p."""
    R, C = p.shape
    if replacement:
        cdf = np.cumsum(p, axis=1, dtype=np.float64)
        cdf /= cdf[:, -1:]
        u = rng.random((R, n))
        idx = np.empty((R, n), dtype=np.int64)
        for r in range(R):
            idx[r] = np.searchsorted(cdf[r], u[r], side="right")
        return np.minimum(idx, C - 1)
    # sin reemplazo: la "carrera de exponenciales" (la clave −log(u)/p más pequeña gana); los pesos
    # nulos sólo salen cuando ya no quedan otros, por orden de índice (como PyTorch)
    with np.errstate(divide="ignore"):
        keys = -np.log(rng.random((R, C))) / p.astype(np.float64)
    return np.argsort(keys, axis=1, kind="stable")[:, :n].astype(np.int64)


class RandomMixin:
    """Métodos aleatorios de ``Tensor`` (sin gradiente: devuelven índices o muestras)."""

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        """``num_samples`` índices por fila, cada uno con probabilidad ∝ al peso de su columna.

        ``self`` (C,) o (R, C) con pesos ≥ 0 (de coma flotante; no hace falta que sumen 1) →
        (num_samples,) o (R, num_samples) int64. Sin ``replacement`` no se repite ningún índice en
        una fila."""
        p = self._data
        if p.ndim not in (1, 2):
            raise RuntimeError(f"multinomial: la entrada debe ser 1-D (C,) o 2-D (filas, C), no de forma"
                               f" {tuple(p.shape)}")
        if p.dtype.kind != "f":
            raise RuntimeError(f"multinomial: los pesos deben ser de coma flotante, no {D._BY_NP[p.dtype]}")
        if not isinstance(num_samples, numbers.Integral) or isinstance(num_samples, bool):
            raise TypeError(f"multinomial: num_samples debe ser un entero, no {num_samples!r}")
        if num_samples <= 0:
            raise RuntimeError(f"multinomial: num_samples debe ser > 0, no {num_samples}")
        C = p.shape[-1]
        if not replacement and num_samples > C:
            raise RuntimeError(f"multinomial: sin reemplazo no se pueden sacar {num_samples} muestras de {C} "
                               f"categorías (usa replacement=True)")
        p2 = p.reshape(-1, C)
        if p2.size and (not np.all(np.isfinite(p2)) or np.any(p2 < 0)):
            raise RuntimeError("multinomial: los pesos contienen inf, nan o algún valor < 0")
        if p2.size and np.any(p2.sum(axis=1) <= 0):
            bad = int(np.argmax(p2.sum(axis=1) <= 0))
            raise RuntimeError(f"multinomial: la fila {bad} no es una distribución válida (la suma de sus pesos es "
                               f"≤ 0)")
        out = _sample_rows(p2, num_samples, replacement, default_rng(generator)) if p2.shape[0] else \
            np.zeros((0, num_samples), dtype=np.int64)
        return TensorBase._wrap(out.reshape(p.shape[:-1] + (num_samples,)))

    def bernoulli(self, p=None, *, generator=None):
        """0 ó 1 con probabilidad ``self`` (o ``p`` si se da) de ser 1; mismo dtype y forma."""
        probs = self._data if p is None else np.broadcast_to(np.asarray(p, dtype=np.float64), self._data.shape)
        if probs.size and (np.any(~(probs >= 0)) or np.any(probs > 1)):
            raise RuntimeError("bernoulli: las probabilidades deben estar en [0, 1]")
        u = default_rng(generator).random(self._data.shape)
        return TensorBase._wrap((u < probs).astype(self._data.dtype))

    def bernoulli_(self, p=0.5, *, generator=None):
        """Rellena in situ con 0/1 (1 con probabilidad ``p``, número o tensor)."""
        pv = p._data if isinstance(p, TensorBase) else p
        r = default_rng(generator)
        return self._inplace("bernoulli_", lambda s: TensorBase._wrap(
            (r.random(s._data.shape) < pv).astype(s._data.dtype)))

    def random_(self, *args, generator=None, **kwargs):
        """Rellena in situ con enteros uniformes en [from, to − 1]: ``random_(to)``, ``random_(from, to)``;
        sin ``to``, hasta 2^mantisa en coma flotante (todos representables) y el máximo del tipo en enteros.
        Como PyTorch."""
        if len(args) > 2:
            raise TypeError(f"random_(): como mucho dos argumentos (from, to), y hay {len(args)}")
        from_, to = (0, args[0]) if len(args) == 1 else (tuple(args) + (0, None))[:2] if args else (0, None)
        from_, to = kwargs.pop("from", from_), kwargs.pop("to", to)
        if kwargs:
            raise TypeError(f"random_(): argumentos desconocidos {sorted(kwargs)}")
        d = self._data.dtype
        if to is None:
            to = 2 if d == np.bool_ else (2 ** (np.finfo(d).nmant + 1) + 1 if d.kind == "f" else
                                        int(np.iinfo(d).max) + 1)
        if from_ >= to:
            raise RuntimeError(f"random_: 'from' debe ser menor que 'to', y son from={from_} y to={to}")
        r = default_rng(generator)
        return self._overwrite("random_", lambda a: r.integers(from_, to, a.shape, dtype=np.int64).astype(a.dtype))

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        """Rellena in situ con muestras de Cauchy: median + sigma·tan(π(u − ½))."""
        if not sigma > 0:
            raise RuntimeError(f"cauchy_: sigma debe ser > 0, y es {sigma}")
        r = default_rng(generator)
        return self._overwrite("cauchy_", lambda a: (median + sigma * r.standard_cauchy(a.shape)).astype(a.dtype))

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        """Rellena in situ con e^N(mean, std²) (``mean``/``std``, los de la normal de debajo)."""
        if not std > 0:
            raise RuntimeError(f"log_normal_: std debe ser > 0, y es {std}")
        r = default_rng(generator)
        return self._overwrite("log_normal_", lambda a: r.lognormal(mean, std, a.shape).astype(a.dtype))

    def geometric_(self, p, *, generator=None):
        """Rellena in situ con el número de intentos hasta el primer éxito (≥ 1) con probabilidad ``p``."""
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_: p debe estar en (0, 1), y es {p}")
        r = default_rng(generator)
        return self._overwrite("geometric_", lambda a: r.geometric(p, a.shape).astype(a.dtype))

    def exponential_(self, lambd=1.0, *, generator=None):
        """Rellena in situ con muestras exponenciales de tasa ``lambd`` (media 1/λ)."""
        r = default_rng(generator)
        return self._inplace("exponential_", lambda s: TensorBase._wrap(
            r.exponential(1.0 / lambd, s._data.shape).astype(s._data.dtype)))


def poisson(input, generator=None):
    """Muestras de Poisson con tasa ``input`` (≥ 0), mismo dtype."""
    lam = input._data
    if np.any(~(lam >= 0)):
        raise RuntimeError("poisson: las tasas deben ser ≥ 0")
    return TensorBase._wrap(default_rng(generator).poisson(lam).astype(lam.dtype))


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, out=None, device=None, requires_grad=False,
           pin_memory=False, layout=None):
    """``torch.normal``: muestras de N(mean, std²). ``mean`` y ``std`` tensores (con broadcasting) o
    números; con dos números hace falta ``size`` (y entonces valen ``dtype=``, ``device=`` y
    ``requires_grad=``, como en ``torch.randn``)."""
    check_device(device)
    m = mean._data if isinstance(mean, TensorBase) else None
    s = std._data if isinstance(std, TensorBase) else None
    if m is None and s is None:
        if size is None:
            raise TypeError("normal: con mean y std números hace falta size=")
        shape, npd = tuple(size), (D.np_dtype(dtype) if dtype is not None else D.get_default_dtype().np)
    else:
        arrays = [a for a in (m, s) if a is not None]
        try:
            shape = np.broadcast_shapes(*[a.shape for a in arrays])
        except ValueError:
            raise RuntimeError(f"normal: las formas de mean y std no hacen broadcasting: "
                               f"{[a.shape for a in arrays]}") from None
        npd = np.result_type(*[a.dtype for a in arrays])
        if npd.kind != "f":
            npd = D.get_default_dtype().np
    sv = s if s is not None else np.asarray(std)
    if np.any(~(sv >= 0)):
        raise RuntimeError(f"normal: std debe ser ≥ 0, y contiene {float(np.min(sv))}")
    mv = m if m is not None else np.asarray(mean)
    z = default_rng(generator).standard_normal(shape)
    res = TensorBase._wrap((mv + sv * z).astype(npd))
    if out is not None:
        return write_out("normal", out, res)
    return res.requires_grad_(True) if requires_grad else res


def get_rng_state():
    """El estado del generador por defecto como tensor ``uint8`` (para ``set_rng_state``). Como
    ``torch.get_rng_state``; el contenido es el estado de numpy en JSON, no el de PyTorch.

    >>> s = torch.get_rng_state(); a = torch.rand(2); torch.set_rng_state(s); torch.rand(2)   # == a
    """
    blob = json.dumps(default_generator.get_state()).encode()
    return TensorBase._wrap(np.frombuffer(blob, dtype=np.uint8).copy())


def set_rng_state(new_state) -> None:
    """Restaura un estado de ``get_rng_state`` (sólo se lee JSON: un estado ajeno no ejecuta nada)."""
    if not isinstance(new_state, TensorBase) or new_state._data.dtype != np.uint8:
        raise TypeError("set_rng_state(): se esperaba el tensor uint8 de torch.get_rng_state()")
    try:
        state = json.loads(new_state._data.tobytes().decode())
        default_generator.set_state(state)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
        raise RuntimeError(f"set_rng_state(): el estado no es uno de torch.get_rng_state() de tinygrad_es ({e})") from None
