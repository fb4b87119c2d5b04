"""Las transformaciones de ``torch.func`` en modo inverso: ``grad``, ``grad_and_value``, ``vjp`` y
``jacrev`` (véase ``func/__init__.py``; las de modo hacia delante están en ``forward.py``)."""
from __future__ import annotations

import functools

import numpy as np

from .._tensor import Tensor
from ..autograd import Context, enable_grad, is_grad_enabled
from ..autograd import grad as autograd_grad
from ..autograd.engine import topo_order
from ..autograd.functional import _jacobian_rows
from ._pytree import flatten

__all__ = ["grad", "grad_and_value", "vjp", "jacrev"]


def _argnums(argnums, n, fn_name):
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    for a in nums:
        if not isinstance(a, int) or isinstance(a, bool):
            raise RuntimeError(f"{fn_name}: argnums debe ser un entero o una tupla de enteros, no {argnums!r}")
        if not -n <= a < n:
            raise RuntimeError(f"{fn_name}: argnums={a} está fuera de rango para {n} argumentos posicionales")
    return tuple(a % n for a in nums)


def _fresh(x, fn_name):
    """La copia de un nivel: unida al grafo exterior si lo tiene; si no, una hoja nueva."""
    if not isinstance(x, Tensor):
        raise RuntimeError(f"{fn_name}: se esperaba un Tensor en los argumentos a derivar, no {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{fn_name}: sólo se derivan tensores de coma flotante; éste es {x.dtype}")
    if x.requires_grad and is_grad_enabled():
        return x.clone()
    return x.detach().requires_grad_(True)


def _outer_graph(outs, fresh) -> bool:
    """¿El grafo de ``outs`` llega a algo que pide gradiente fuera de este nivel (la ``x`` de un
    ``grad`` exterior, un parámetro)? Entonces el gradiente se calcula con ``create_graph`` para que
    el nivel exterior lo pueda derivar; si no, basta el backward rápido de primer orden."""
    if not is_grad_enabled():
        return False
    if any(t._ctx is not None for t in fresh):  # copias unidas al grafo exterior
        return True
    mine = {id(t) for t in fresh}
    starts = [o._ctx or o for o in outs if isinstance(o, Tensor) and o.requires_grad]
    return any(not isinstance(n, Context) and id(n) not in mine for n in topo_order(starts))


def _grad_wrt(output, fresh, fn_name):
    create = _outer_graph([output], fresh)
    gs = autograd_grad(output, fresh, retain_graph=create, create_graph=create, allow_unused=True)
    return tuple(Tensor._wrap(np.zeros_like(f._data)) if g is None else g for g, f in zip(gs, fresh)), create


def _detach_unless(x, keep):
    return x if keep or not isinstance(x, Tensor) else x.detach()


# --------------------------------------------------------------------------
# grad, grad_and_value, vjp
# --------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """Como ``grad``, pero devuelve ``(gradiente, valor)`` (con ``has_aux``: ``(gradiente, (valor, aux))``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args), "grad")
        args = list(args)
        trees, fresh = [], []
        with enable_grad():
            for a in nums:
                leaves, build = flatten(args[a])
                new = [_fresh(x, "grad") for x in leaves]
                fresh += new
                trees.append((build, len(new)))
                args[a] = build(new)
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): con has_aux=True, f debe devolver una tupla "
                                       "(salida, aux)")
                out, aux = out
            if not isinstance(out, Tensor) or out.numel() != 1:
                what = type(out).__name__ if not isinstance(out, Tensor) else f"un tensor de forma {tuple(out.shape)}"
                raise RuntimeError(f"grad_and_value(f)(*args): f debe devolver un tensor escalar y devolvió {what}. "
                                   f"¿Querías usar vjp o jacrev?")
            gs, create = _grad_wrt(out, fresh, "grad")
        res, k = [], 0
        for build, n in trees:
            res.append(build(list(gs[k:k + n])))
            k += n
        g = res[0] if not isinstance(argnums, tuple) else tuple(res)
        value = _detach_unless(out, create)
        return (g, (value, aux)) if has_aux else (g, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``grad(f)`` es la función que devuelve ∂f/∂(argumento ``argnums``) (``f`` devuelve un tensor
    escalar). ``argnums`` puede ser una tupla (devuelve una tupla de gradientes) y el argumento un
    pytree (devuelve la misma estructura). Con ``has_aux=True``, ``f`` devuelve ``(salida, aux)`` y
    ``grad`` devuelve ``(gradiente, aux)``.

    >>> d2 = grad(grad(lambda x: x.sin()))       # −sin
    >>> d2(tinygrad_es.tensor(0.5))
    tensor(-0.4794)
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(salida, vjp_fn)`` (con ``has_aux``: ``(salida, vjp_fn, aux)``); ``vjp_fn(v)`` devuelve una
    tupla con vᵀ·∂f/∂(cada primal)."""
    trees, fresh = [], []
    args = []
    with enable_grad():
        for p in primals:
            leaves, build = flatten(p)
            new = [_fresh(x, "vjp") for x in leaves]
            fresh += new
            trees.append((build, len(new)))
            args.append(build(new))
        out = func(*args)
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError("vjp(f, *primals): con has_aux=True, f debe devolver una tupla (salida, aux)")
        out, aux = out
    out_leaves, _ = flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"vjp(f, *primals): f debe devolver tensores (o pytrees de tensores), no "
                               f"{type(o).__name__}")
    create = _outer_graph(out_leaves, fresh)

    def vjp_fn(*cotangents):
        cots = cotangents[0] if len(cotangents) == 1 else cotangents
        cot_leaves, _ = flatten(cots)
        if len(cot_leaves) != len(out_leaves):
            raise RuntimeError(f"vjp_fn: se esperaban {len(out_leaves)} cotangentes (una por salida) y llegaron "
                               f"{len(cot_leaves)}")
        pairs = []
        for o, c in zip(out_leaves, cot_leaves):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"vjp_fn: la cotangente tiene forma {tuple(c.shape)} y la salida {tuple(o.shape)}")
            if o.requires_grad:
                pairs.append((o, c))
        if pairs:
            with enable_grad():
                gs = autograd_grad([o for o, _ in pairs], fresh, [c for _, c in pairs], retain_graph=True,
                                   create_graph=create or any(c.requires_grad for _, c in pairs), allow_unused=True)
        else:
            gs = (None,) * len(fresh)
        gs = [Tensor._wrap(np.zeros_like(f._data)) if g is None else g for g, f in zip(gs, fresh)]
        res, k = [], 0
        for build, n in trees:
            res.append(build(gs[k:k + n]))
            k += n
        return tuple(res)

    value = out if create else flatten(out)[1]([_detach_unless(o, False) for o in out_leaves])
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


# --------------------------------------------------------------------------
# jacobianas y hessiana
# --------------------------------------------------------------------------
def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _name="jacrev"):
    """``jacrev(f)`` es la función que devuelve la jacobiana de ``f`` respecto del argumento
    ``argnums``: forma ``salida.shape + entrada.shape`` (tuplas/dicts si la salida o el argumento
    lo son). Se calcula fila a fila en modo inverso."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args), _name)
        args = list(args)
        trees, fresh = [], []
        with enable_grad():
            for a in nums:
                leaves, build = flatten(args[a])
                new = [_fresh(x, _name) for x in leaves]
                fresh += new
                trees.append((build, len(new)))
                args[a] = build(new)
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(f"{_name}(f)(*args): con has_aux=True, f debe devolver (salida, aux)")
                out, aux = out
            out_leaves, out_build = flatten(out)
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{_name}(f)(*args): f debe devolver tensores, no {type(o).__name__}")
            create = _outer_graph(out_leaves, fresh)
            jac = _jacobian_rows(out_leaves, fresh, create, False, _name)
        per_out = []
        for row in jac:
            res, k = [], 0
            for build, n in trees:
                res.append(build(list(row[k:k + n])))
                k += n
            per_out.append(res[0] if not isinstance(argnums, tuple) else tuple(res))
        result = out_build(per_out)
        return (result, aux) if has_aux else result

    return wrapper
