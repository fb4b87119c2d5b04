"""``torch.func.vmap``: ``f`` aplicada a cada elemento del lote, con la semántica de PyTorch
(``in_dims``, ``out_dims``, anidado, ``randomness``) y un bucle de Python por dentro."""
from __future__ import annotations

import functools

from .. import _random
from .._tensor import Tensor
from .._tensor.joins import stack
from ._pytree import dims_tree, flatten

__all__ = ["vmap"]


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``vmap(f)`` aplica ``f`` a cada elemento del lote (el eje ``in_dims`` de cada argumento; ``None``
    = el mismo para todos) y apila los resultados en el eje ``out_dims``. Se anida
    (``vmap(vmap(f))``) y se combina con ``grad`` (gradientes por muestra). ``randomness``:
    ``"error"``/``"different"`` (cada elemento con sus números aleatorios) o ``"same"`` (los mismos
    para todos)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"vmap: randomness debe ser 'error', 'different' o 'same', no {randomness!r}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if isinstance(in_dims, (tuple, list)) and len(in_dims) != len(args):
            raise ValueError(f"vmap: in_dims tiene {len(in_dims)} elementos y se pasaron {len(args)} argumentos")
        leaves, build = flatten(tuple(args))
        dims = dims_tree(in_dims, tuple(args), "vmap")
        sizes = set()
        for x, d in zip(leaves, dims):
            if d is None:
                continue
            if not isinstance(x, Tensor):
                raise ValueError(f"vmap: in_dims={d} para un argumento que no es un tensor ({type(x).__name__})")
            if not -x.ndim <= d < x.ndim:
                raise ValueError(f"vmap: in_dims={d} está fuera de rango para un tensor de {x.ndim} dimensiones "
                                 f"(forma {tuple(x.shape)})")
            sizes.add(x.shape[d])
        if not sizes:
            raise ValueError("vmap: al menos un argumento debe llevar el lote (todos los in_dims son None o no "
                             "hay tensores)")
        if len(sizes) > 1:
            raise ValueError(f"vmap: todos los tensores deben tener el mismo tamaño en el eje del lote; hay "
                             f"{sorted(sizes)}")
        n = sizes.pop()
        state = _random.default_generator.get_state() if randomness == "same" else None
        results = []
        for b in range(n):
            if state is not None:
                _random.default_generator.set_state(state)
            sliced = [x if d is None else x[(slice(None),) * (d % x.ndim) + (b,)] for x, d in zip(leaves, dims)]
            results.append(func(*build(sliced), **kwargs))
        return _stack_out(results, out_dims, n)

    return wrapper


def _stack_out(results, out_dims, n):
    leaves0, build = flatten(results[0])
    cols = [flatten(r)[0] for r in results]
    odims = [out_dims] * len(leaves0) if isinstance(out_dims, int) or out_dims is None else \
        dims_tree(out_dims, results[0] if isinstance(results[0], (tuple, list)) else (results[0],), "vmap")
    out = []
    for j, d in enumerate(odims):
        col = [c[j] for c in cols]
        if not all(isinstance(x, Tensor) for x in col):
            raise ValueError(f"vmap: la función debe devolver sólo tensores (o tuplas/dicts de tensores), no "
                             f"{type(col[0]).__name__}")
        if d is None:
            out.append(col[0])
            continue
        s = stack(col, 0)
        if d != 0:
            s = s.movedim(0, d)
        out.append(s)
    return build(out)
