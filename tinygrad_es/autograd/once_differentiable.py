"""``once_differentiable``: el decorador del ``backward`` de una ``Function`` que sólo se puede
derivar una vez (como ``torch.autograd.function.once_differentiable``)."""
from __future__ import annotations

import functools

from .grad_mode import is_grad_enabled, no_grad
from .graph import TensorBase
from .higher_order import NotDifferentiable, input_tensor

__all__ = ["once_differentiable"]


def once_differentiable(backward):
    """Decorador del ``backward`` de una ``Function`` que sólo se puede derivar una vez (usa numpy,
    por ejemplo): se ejecuta sin registrar el grafo y, si alguien intenta derivar su resultado otra
    vez, lanza un ``RuntimeError`` que nombra la función (como PyTorch)."""

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            res = backward(ctx, *grads)
        if not is_grad_enabled():
            return res
        edges = [g for g in grads if isinstance(g, TensorBase) and g.requires_grad]
        edges += [input_tensor(ctx, i) for i, p in enumerate(ctx.parents) if p is not None]
        if not edges:
            return res
        single = not isinstance(res, tuple)
        name = f"{ctx.fn.__name__} (marcada con @once_differentiable)"
        wrapped = tuple(r if not isinstance(r, TensorBase) else
                        NotDifferentiable.apply(r._data, *edges, name=name) for r in ((res,) if single else res))
        return wrapped[0] if single else wrapped

    return wrapper
