"""Ganchos (hooks) de ``Module``: los de backward completos (las asas con ``remove()`` son las de
``autograd/hooks.py``, comunes con ``Tensor.register_hook``).

``register_full_backward_hook(hook)`` llama a ``hook(módulo, grad_input, grad_output)`` cuando se
conocen los gradientes respecto de las entradas y de las salidas del módulo (Grad-CAM, saliencia).
Se implementa como en PyTorch, con operaciones identidad en el grafo (``_HookPoint``): una sobre cada
entrada tensorial y otra sobre cada salida. Sus ``backward`` ven el gradiente que pasa; al ser nodos del grafo viven lo que vive el grafo, aunque el tensor intermedio ya no exista.
"""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd import ArrayFunction, TensorBase
from ..autograd.hooks import RemovableHandle, add_hook

__all__ = ["RemovableHandle", "add_hook", "BackwardHookState"]


class _HookPoint(ArrayFunction):
    """Identidad sobre una entrada (``side="in"``) o una salida (``side="out"``) del módulo: su
    backward entrega a ``state`` el gradiente que pasa por ella."""

    @staticmethod
    def forward(ctx, x, state=None, index=0, side="in"):
        ctx.receive = state.input_grad if side == "in" else state.output_grad
        ctx.index = index
        return x.view()

    @staticmethod
    def backward(ctx, g):
        return ctx.receive(ctx.index, g)


def _wrap(g):
    return None if g is None else TensorBase._wrap(g)


def _unwrap(g, like, what):
    if g is None:
        return None
    arr = g._data if isinstance(g, TensorBase) else g
    if tuple(arr.shape) != tuple(like.shape):
        raise RuntimeError(f"el hook de backward devolvió un gradiente de forma {tuple(arr.shape)} para {what} de "
                           f"forma {tuple(like.shape)}")
    return arr.astype(like.dtype, copy=False)


class BackwardHookState:
    """Estado de una llamada al módulo: gradientes recogidos y ganchos a los que avisar."""

    def __init__(self, module, full_hooks, pre_hooks):
        self.module, self.full_hooks, self.pre_hooks = module, full_hooks, pre_hooks
        self.n_in = self.n_out = 0
        self.in_req = 0
        self.grad_in, self.grad_out = [], []
        self.seen_in = self.seen_out = 0
        self.n_out_req = 0
        self.fired = False

    # -- montaje (en forward) -------------------------------------------------------------
    def wrap_inputs(self, args):
        out = list(args)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_in = len(positions)
        self.grad_in = [None] * self.n_in
        for k, i in enumerate(positions):
            if args[i].requires_grad:
                self.in_req += 1
                out[i] = _HookPoint.apply(args[i], state=self, index=k, side="in")
        return tuple(out)

    def wrap_outputs(self, out):
        if isinstance(out, Tensor):
            self.n_out, self.grad_out = 1, [None]
            return self._wrap_out(out, 0)
        if isinstance(out, (tuple, list)) and any(isinstance(o, Tensor) for o in out):
            self.n_out = len(out)
            self.grad_out = [None] * self.n_out
            res = [self._wrap_out(o, k) if isinstance(o, Tensor) else o for k, o in enumerate(out)]
            return type(out)(res) if isinstance(out, list) or type(out) is tuple else type(out)(*res)
        return out

    def _wrap_out(self, t, k):
        if not t.requires_grad:
            return t
        self.n_out_req += 1
        return _HookPoint.apply(t, state=self, index=k, side="out")

    # -- en backward ----------------------------------------------------------------------
    def output_grad(self, k, g):
        self.seen_out += 1
        self.grad_out[k] = g
        if self.seen_out == self.n_out_req:
            for hook in list(self.pre_hooks.values()):
                r = hook(self.module, tuple(_wrap(x) for x in self.grad_out))
                if r is not None:
                    r = r if isinstance(r, (tuple, list)) else (r,)
                    self.grad_out = [_unwrap(x, old, "una salida") if old is not None else None
                                     for x, old in zip(r, self.grad_out)]
            if self.in_req == 0:  # ninguna entrada requiere gradiente: el hook se llama ya
                self._fire()
        return self.grad_out[k]

    def input_grad(self, k, g):
        self.seen_in += 1
        self.grad_in[k] = g
        if self.seen_in < self.in_req:
            return g
        new = self._fire()
        return g if new is None else new[k]

    def _fire(self):
        if self.fired:
            return None
        self.fired = True
        result = None
        gi = tuple(_wrap(x) for x in self.grad_in)
        go = tuple(_wrap(x) for x in self.grad_out)
        for hook in list(self.full_hooks.values()):
            r = hook(self.module, gi, go)
            if r is None:
                continue
            r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
            if len(r) != self.n_in:
                raise RuntimeError(f"el hook de backward devolvió {len(r)} gradientes y el módulo tiene "
                                   f"{self.n_in} entradas tensoriales")
            if self.in_req > 1 and any(x is not y for x, y in zip(r, gi)):
                raise RuntimeError("tinygrad_es sólo admite cambiar grad_input en un hook de backward si el módulo "
                                   "tiene una única entrada que requiere gradiente")
            result = [_unwrap(x, old, "una entrada") if old is not None and x is not None else None
                      for x, old in zip(r, self.grad_in)]
            gi = tuple(_wrap(x) for x in result)
        return result
