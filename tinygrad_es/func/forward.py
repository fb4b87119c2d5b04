"""Las transformaciones de ``torch.func`` hacia delante: ``jvp``, ``linearize``, ``jacfwd`` y
``hessian`` (``jacfwd(jacrev(f))``).

**Cómo se calcula J·v aquí: la VJP traspuesta** (no los números duales de
``autograd.forward_ad``). Para ``y = f(x)`` el backward da la función lineal ``u ↦ Jᵀ·u``; se
ejecuta una vez con ``u`` simbólico (un tensor que pide gradiente, ``create_graph=True``) y su
gradiente respecto de ``u`` con cotangente ``v`` es

    ∂⟨Jᵀ·u, v⟩/∂u = J·v.

* ``linearize(f, x)`` construye ese grafo ``u ↦ Jᵀ·u`` **una vez** y devuelve ``jvp_fn``: cada
  llamada es un backward por ese grafo (no vuelve a ejecutar ``f``);
* ``jvp(f, primals, tangents)`` es ``linearize`` + una llamada;
* ``jacfwd(f)`` es la jacobiana **por columnas**: una llamada de ``jvp_fn`` por elemento de la
  entrada, con el vector unitario (``jacrev`` va por filas, una por elemento de la salida).

Por qué así y no con números duales: vale para toda operación con backward derivable (también
las que ``forward_ad`` no cubre, y las ``Function`` del usuario con backward derivable), se anida
sin niveles (``jvp`` de ``jvp``, ``jvp`` de ``grad``, ``jacfwd(jacrev(f))``) y ``linearize`` sale
gratis. El precio: un forward y dos backward (``forward_ad``: un forward con su tangente). Medido en
un MLP 784-128-10 con lote 64 (véase la nota del modo hacia delante): del mismo orden que
``forward_ad``.

>>> x, v = torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0])
>>> torch.func.jvp(lambda x: x.sin(), (x,), (v,))          # (sin x, cos(x)·v)
(tensor([0.0000, 0.8415]), tensor([1.0000, 0.5403]))
"""
from __future__ import annotations

import functools

import numpy as np

from .._tensor import Tensor
from .._tensor.joins import stack
from ..autograd import enable_grad
from ..autograd import grad as autograd_grad
from ..autograd.forward_ad import check_tangent
from ._pytree import flatten
from .eager import _argnums, _detach_unless, _fresh, _outer_graph, jacrev

__all__ = ["jvp", "linearize", "jacfwd", "hessian"]


class _Linearized:
    """``f`` evaluada en los primales, con el grafo ``u ↦ Jᵀ·u`` listo para trasponerlo."""

    def __init__(self, func, args, nums, has_aux, fn_name):
        self.fn_name = fn_name
        args = list(args)
        self.trees, self.fresh = [], []
        with enable_grad():
            for a in nums:
                leaves, build = flatten(args[a])
                new = [_fresh(x, fn_name) for x in leaves]
                self.fresh += new
                self.trees.append((build, len(new)))
                args[a] = build(new)
            out = func(*args)
            self.aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(f"{fn_name}: con has_aux=True, la función debe devolver una tupla (salida, aux)")
                out, self.aux = out
            self.out_leaves, self.out_build = flatten(out)
            for o in self.out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{fn_name}: la función debe devolver tensores (o pytrees de tensores), no "
                                       f"{type(o).__name__}")
            self.create = _outer_graph(self.out_leaves, self.fresh)
            # Jᵀ·u con u simbólico: lineal en u, y su grafo es lo que se traspone en cada llamada
            self.us = [Tensor._wrap(np.zeros_like(o._data), requires_grad=True) for o in self.out_leaves]
            pairs = [(o, u) for o, u in zip(self.out_leaves, self.us) if o.requires_grad]
            if pairs:
                gs = autograd_grad([o for o, _ in pairs], self.fresh, [u for _, u in pairs], create_graph=True,
                                   allow_unused=True)
            else:
                gs = (None,) * len(self.fresh)
        self.gs = [g if g is not None and g.requires_grad else None for g in gs]
        self.value = out if self.create else self.out_build([o.detach() for o in self.out_leaves])
        if has_aux and not self.create:
            aux_leaves, aux_build = flatten(self.aux)
            self.aux = aux_build([_detach_unless(a, False) for a in aux_leaves])

    def apply(self, tangent_leaves):
        """J·v con ``tangent_leaves`` alineadas con ``self.fresh``: una hoja por salida."""
        pairs = [(g, t) for g, t in zip(self.gs, tangent_leaves) if g is not None]
        create = self.create or any(t.requires_grad for t in tangent_leaves)
        if pairs:
            with enable_grad():
                res = autograd_grad([g for g, _ in pairs], self.us, [t for _, t in pairs], retain_graph=True,
                                    create_graph=create, allow_unused=True)
        else:
            res = (None,) * len(self.us)
        out = [Tensor._wrap(np.zeros_like(o._data)) if r is None else _detach_unless(r, create)
               for r, o in zip(res, self.out_leaves)]
        return self.out_build(out)

    def check(self, tangent_leaves):
        if len(tangent_leaves) != len(self.fresh):
            raise RuntimeError(f"{self.fn_name}: se esperaban {len(self.fresh)} tangentes (una por primal) y "
                               f"llegaron {len(tangent_leaves)}")
        res = []
        for p, t in zip(self.fresh, tangent_leaves):
            if not isinstance(t, Tensor):
                raise RuntimeError(f"{self.fn_name}: las tangentes deben ser tensores, no {type(t).__name__}")
            check_tangent(p, t)
            res.append(t if t._data.dtype == p._data.dtype else t.to(p.dtype))
        return res


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J·tangents)``: la derivada direccional de ``func`` en ``primals`` a lo
    largo de ``tangents`` (misma estructura y formas que ``primals``; pytrees de tensores). Con
    ``has_aux=True``, ``func`` devuelve ``(salida, aux)`` y ``jvp`` devuelve ``(salida, jvp, aux)``.
    ``strict`` se acepta por compatibilidad (``True`` es un error, como en PyTorch). Equivale a
    ``torch.func.jvp``; véase el módulo para el método.

    >>> torch.func.jvp(lambda x, y: x * y, (torch.tensor(2.0), torch.tensor(3.0)),
    ...                (torch.tensor(1.0), torch.tensor(0.0)))        # ∂(xy)/∂x = y
    (tensor(6.), tensor(3.))
    """
    if strict:
        raise RuntimeError("jvp(f, primals, tangents): strict=True no está soportado (tampoco en PyTorch)")
    for what, val in (("primals", primals), ("tangents", tangents)):
        if not isinstance(val, tuple):
            raise RuntimeError(f"jvp(f, primals, tangents): {what} debe ser una tupla (p. ej. f(*primals) debe "
                               f"ser una llamada válida), no {type(val).__name__}")
    p_leaves, _ = flatten(primals)
    t_leaves, _ = flatten(tangents)
    if _structure(primals) != _structure(tangents):
        raise RuntimeError(f"jvp(f, primals, tangents): primals y tangents deben tener la misma estructura "
                           f"(p. ej. si primals es una tupla de 3 tensores, tangents también); primals tiene "
                           f"{len(p_leaves)} hojas y tangents {len(t_leaves)}")
    lin = _Linearized(func, primals, tuple(range(len(primals))), has_aux, "jvp(f, primals, tangents)")
    out = lin.apply(lin.check(t_leaves))
    return (lin.value, out, lin.aux) if has_aux else (lin.value, out)


def _structure(tree):
    if isinstance(tree, (tuple, list)):
        return (type(tree).__name__, tuple(_structure(t) for t in tree))
    if isinstance(tree, dict):
        return ("dict", tuple((k, _structure(v)) for k, v in tree.items()))
    return "*"


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` da J·tangents sin volver a ejecutar
    ``func`` (el grafo de la VJP se construye una vez y cada llamada lo recorre hacia atrás).
    Equivale a ``torch.func.linearize``.

    >>> out, jvp_fn = torch.func.linearize(lambda x: x ** 2, torch.tensor([1.0, 3.0]))
    >>> jvp_fn(torch.tensor([1.0, 1.0]))       # 2x·v
    tensor([2., 6.])
    """
    lin = _Linearized(func, primals, tuple(range(len(primals))), False, "linearize")
    structure = _structure(primals)

    def jvp_fn(*tangents):
        if _structure(tangents) != structure:
            raise RuntimeError("linearize: jvp_fn espera tangentes con la misma estructura que los primales")
        return lin.apply(lin.check(flatten(tangents)[0]))

    return lin.value, jvp_fn


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """``jacfwd(f)`` es la función que devuelve la jacobiana de ``f`` respecto del argumento
    ``argnums`` (forma ``salida.shape + entrada.shape``; tuplas/dicts si la salida o el argumento lo
    son), **por columnas**: una J·eⱼ por elemento de la entrada (``linearize``). Conviene si la
    entrada es más pequeña que la salida; si no, ``jacrev``. ``argnums``: entero o tupla; con
    ``has_aux=True``, ``func`` devuelve ``(salida, aux)`` y se devuelve ``(jacobiana, aux)``;
    ``randomness`` se acepta por compatibilidad. Equivale a ``torch.func.jacfwd``.

    >>> torch.func.jacfwd(lambda x: x.sin())(torch.tensor([0.0, 1.0]))     # diag(cos x)
    tensor([[1.0000, 0.0000],
            [0.0000, 0.5403]])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"jacfwd: randomness debe ser 'error', 'different' o 'same', no {randomness!r}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args), "jacfwd")
        lin = _Linearized(lambda *a: func(*a, **kwargs), args, nums, has_aux, "jacfwd")
        cols = [[] for _ in lin.out_leaves]   # cols[o][k]: J_o · e_k (k recorre todas las entradas)
        zeros = [Tensor._wrap(np.zeros_like(f._data)) for f in lin.fresh]
        for i, f in enumerate(lin.fresh):
            for k in range(f.numel()):
                e = np.zeros(f._data.size, f._data.dtype)
                e[k] = 1
                tan = list(zeros)
                tan[i] = Tensor._wrap(e.reshape(f._data.shape))
                col = flatten(lin.apply(tan))[0]
                for o, c in enumerate(col):
                    cols[o].append(c)
        per_out = []
        for o, out in enumerate(lin.out_leaves):
            blocks, k = [], 0
            for f in lin.fresh:
                n = f.numel()
                shape = tuple(out.shape) + tuple(f.shape)
                if n == 0:
                    blocks.append(Tensor._wrap(np.zeros(shape, out._data.dtype)))
                elif lin.create:  # con grafo (anidado, p. ej. hessian = jacfwd(jacrev(f)))
                    blocks.append(stack(cols[o][k:k + n], dim=-1).reshape(shape))
                else:
                    blocks.append(Tensor._wrap(np.stack([c._data for c in cols[o][k:k + n]], axis=-1).reshape(shape)))
                k += n
            res, j = [], 0
            for build, n in lin.trees:
                res.append(build(blocks[j:j + n]))
                j += n
            per_out.append(res[0] if not isinstance(argnums, tuple) else tuple(res))
        result = lin.out_build(per_out)
        return (result, lin.aux) if has_aux else result

    return wrapper


def hessian(func, argnums=0):
    """``hessian(func)`` = ``jacfwd(jacrev(func, argnums), argnums)``: forma ``entrada.shape +
    entrada.shape`` (hacia delante sobre el gradiente, como en PyTorch). Equivale a
    ``torch.func.hessian``.

    >>> torch.func.hessian(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))     # diag(6x)
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)
