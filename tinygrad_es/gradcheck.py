"""Comprobación de gradientes por diferencias finitas centrales.

``numerical_grad`` estima ∂(Σ v·f)/∂x perturbando copias float64 contiguas de
cada entrada; ``gradcheck`` lo compara con el gradiente de ``backward()`` y
devuelve un informe (o lanza ``GradcheckError`` con los detalles).

>>> from tinygrad_es import Tensor
>>> from tinygrad_es.gradcheck import gradcheck
>>> x = Tensor([[1.0, 2.0]], dtype="float64")
>>> bool(gradcheck(lambda t: (t * t).sum(), [x]))
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._tensor import Tensor
from .autograd import ArrayFunction
from .autograd.protocol import GraphNode
from .autograd.value import Value

__all__ = ["numerical_grad", "analytic_grad", "gradcheck", "GradcheckReport", "GradcheckError"]


# Resumen de todas las comprobaciones de esta sesión (lo imprime la suite de tests).
STATS = {"calls": 0, "values_checked": 0, "max_rel_err": 0.0, "max_abs_err": 0.0}


class GradcheckError(AssertionError):
    """El gradiente analítico no coincide con el numérico."""


class _ValueGraph(ArrayFunction):
    """Envuelve una función de ``Value`` como operación de tensores 0-D: el forward
    construye el grafo escalar y el backward usa ``Value.backward()``."""

    @staticmethod
    def forward(ctx, *arrays, f=None, pattern=None):
        it = iter(arrays)
        leaves = []
        args = []
        for p in pattern:
            if p is _SLOT:
                v = Value(float(next(it)))
                leaves.append(v)
                args.append(v)
            else:
                args.append(p)
        out = f(*args)
        if not isinstance(out, Value):
            raise TypeError(f"la función debe devolver un Value, no {type(out).__name__}")
        ctx.out, ctx.leaves = out, leaves
        return np.asarray(out.data, dtype=np.float64)

    @staticmethod
    def backward(ctx, g):
        ctx.out.backward()
        return tuple(np.asarray(g * v.grad, dtype=np.float64) for v in ctx.leaves)


_SLOT = object()


def _adapt_values(f, inputs):
    """Si hay ``Value`` entre las entradas, devuelve una función y entradas equivalentes de
    tensores 0-D para que el resto del módulo trate ambos motores igual."""
    inputs = list(inputs)
    scalar = [isinstance(x, GraphNode) and not isinstance(x, Tensor) for x in inputs]
    if not any(scalar):
        return f, inputs
    pattern = [_SLOT if s else x for s, x in zip(scalar, inputs)]
    tensors = [Tensor(np.array(x.graph_data(), dtype=np.float64), dtype="float64")
               for s, x in zip(scalar, inputs) if s]
    return (lambda *ts: _ValueGraph.apply(*ts, f=f, pattern=pattern)), tensors


def _prepare(inputs):
    """Copias float64 contiguas de los tensores flotantes; el resto pasa tal cual."""
    out, idx = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and np.issubdtype(x.dtype, np.floating):
            out.append(Tensor(np.array(x.graph_data(), dtype=np.float64, order="C", copy=True), dtype="float64",
                              requires_grad=True))
            idx.append(i)
        elif isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating):
            out.append(Tensor(np.array(x, dtype=np.float64, order="C", copy=True), dtype="float64", requires_grad=True))
            idx.append(i)
        else:
            out.append(x)
    return out, idx


def _scalar(f, args, v):
    out = f(*args)
    data = out.graph_data() if isinstance(out, Tensor) else np.asarray(out)
    return float(np.sum(data.astype(np.float64) * v))


def _central(f, args, v, flat, k, eps):
    """(F(x + ε·e_k) − F(x − ε·e_k)) / 2ε, perturbando in situ el elemento k de ``flat``."""
    old = flat[k]
    flat[k] = old + eps
    fp = _scalar(f, args, v)
    flat[k] = old - eps
    fm = _scalar(f, args, v)
    flat[k] = old
    return (fp - fm) / (2 * eps)


def _upstream(f, args, seed):
    out = f(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"la función a comprobar debe devolver un Tensor, no {type(out).__name__}")
    rng = np.random.default_rng(seed)
    v = np.ones(out.shape) if out.numel() == 1 else rng.standard_normal(out.shape)
    return out, v


def numerical_grad(f, inputs, eps: float = 1e-6, grad_output=None, seed: int = 0):
    """Gradiente por diferencias centrales de ``Σ grad_output·f(*inputs)`` respecto de
    cada entrada flotante: ``(f(x+ε) − f(x−ε)) / 2ε`` elemento a elemento.

    ``grad_output`` (por defecto 1 para salidas escalares y normal aleatorio si no)
    es el gradiente "de arriba". Devuelve una lista de arrays float64. También vale para
    funciones de ``Value`` (cada ``Value`` de ``inputs`` cuenta como una entrada).
    """
    f, inputs = _adapt_values(f, inputs)
    args, idx = _prepare(inputs)
    if grad_output is None:
        _, grad_output = _upstream(f, args, seed)
    v = np.asarray(grad_output, dtype=np.float64)
    grads = []
    for i in idx:
        x = args[i].graph_data()  # el propio buffer: se perturba in situ
        g = np.zeros_like(x)
        flat, gflat = x.reshape(-1), g.reshape(-1)
        for k in range(flat.size):
            gflat[k] = _central(f, args, v, flat, k, eps)
        grads.append(g)
    return grads


def analytic_grad(f, inputs, grad_output=None, seed: int = 0):
    """Gradientes de ``backward()`` (float64) para las mismas entradas que ``numerical_grad``."""
    f, inputs = _adapt_values(f, inputs)
    args, idx = _prepare(inputs)
    out, v = _upstream(f, args, seed)
    if grad_output is not None:
        v = np.asarray(grad_output, dtype=np.float64)
    if out.requires_grad:
        out.backward(v.reshape(out.shape))
    grads = [args[i].graph_grad() for i in idx]
    return [g if g is not None else np.zeros_like(args[i].graph_data()) for g, i in zip(grads, idx)], args, idx, v


@dataclass
class GradcheckReport:
    """Resultado de ``gradcheck``: errores máximos por entrada y veredicto."""
    max_abs_err: list = field(default_factory=list)
    max_rel_err: list = field(default_factory=list)
    passed_per_input: list = field(default_factory=list)
    mode: str = "full"
    n_checked: list = field(default_factory=list)
    worst: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(self.passed_per_input)

    def __bool__(self):
        return self.passed

    def __str__(self):
        lines = [f"gradcheck (modo {self.mode}): {'CORRECTO' if self.passed else 'FALLA'}"]
        for i, (a, r, ok, n, w) in enumerate(zip(self.max_abs_err, self.max_rel_err,
                                                  self.passed_per_input, self.n_checked, self.worst)):
            lines.append(f"  entrada {i}: {n} valores comprobados, error abs. máx. {a:.3e}, "
                         f"error rel. máx. {r:.3e} -> {'ok' if ok else 'FALLA'}"
                         + ("" if ok else f" (peor índice {w[0]}: analítico {w[1]:.6g}, numérico {w[2]:.6g})"))
        return "\n".join(lines)


def gradcheck(f, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4,
              mode: str = "full", n_samples: int = 20, seed: int = 0,
              raise_exception: bool = True) -> GradcheckReport:
    """Compara el gradiente de ``backward()`` con diferencias finitas centrales.

    Modos: ``"full"`` perturba cada elemento; ``"sample"`` sólo ``n_samples``
    elementos al azar por entrada; ``"direction"`` compara la derivada
    direccional en una dirección aleatoria (dos evaluaciones por entrada).
    Criterio por elemento: ``|analítico − numérico| ≤ atol + rtol·|numérico|``.
    Acepta funciones de ``Tensor`` o de ``Value``.
    """
    f, inputs = _adapt_values(f, inputs)
    if mode not in ("full", "sample", "direction"):
        raise ValueError(f"modo de gradcheck desconocido: {mode!r} (usa 'full', 'sample' o 'direction')")
    agrads, args, idx, v = analytic_grad(f, inputs, seed=seed)
    rng = np.random.default_rng(seed + 1)
    rep = GradcheckReport(mode=mode)
    for ga, i in zip(agrads, idx):
        x = args[i].graph_data()
        flat = x.reshape(-1)
        if mode == "direction":
            u = rng.standard_normal(x.shape)
            old = x.copy()
            x[...] = old + eps * u
            fp = _scalar(f, args, v)
            x[...] = old - eps * u
            fm = _scalar(f, args, v)
            x[...] = old
            num = np.array([(fp - fm) / (2 * eps)])
            ana = np.array([float(np.sum(ga * u))])
            positions = [0]
        else:
            positions = (range(flat.size) if mode == "full"
                         else rng.choice(flat.size, size=min(n_samples, flat.size), replace=False))
            num, ana = [], []
            gflat = np.asarray(ga, dtype=np.float64).reshape(-1)
            for k in positions:
                num.append(_central(f, args, v, flat, k, eps))
                ana.append(gflat[k])
            num, ana = np.array(num), np.array(ana)
        err = np.abs(ana - num)
        # error relativo sólo donde el gradiente no es despreciable (|g| > atol): en los casi
        # nulos manda el ruido de redondeo de las diferencias finitas, ya cubierto por atol
        denom = np.maximum(np.abs(num), np.abs(ana))
        rel = np.where(denom > atol, err / np.maximum(denom, 1e-300), 0.0)
        bad = ~(err <= atol + rtol * np.abs(num))  # NaN cuenta como fallo
        rep.max_abs_err.append(float(np.max(err)) if err.size else 0.0)
        rep.max_rel_err.append(float(np.max(rel)) if err.size else 0.0)
        rep.passed_per_input.append(not bool(np.any(bad)))
        rep.n_checked.append(len(num))
        w = int(np.nanargmax(np.where(np.isnan(err), np.inf, err))) if err.size else 0
        rep.worst.append((list(positions)[w] if err.size else None,
                          float(ana[w]) if err.size else 0.0, float(num[w]) if err.size else 0.0))
    if rep.passed:
        STATS["calls"] += 1
        STATS["values_checked"] += sum(rep.n_checked)
        STATS["max_rel_err"] = max([STATS["max_rel_err"]] + rep.max_rel_err)
        STATS["max_abs_err"] = max([STATS["max_abs_err"]] + rep.max_abs_err)
    if raise_exception and not rep.passed:
        raise GradcheckError(str(rep))
    return rep
