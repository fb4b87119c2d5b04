"""``torch.autograd.functional``: jacobianas, hessianas y productos vector-jacobiano/hessiana de
funciones de tensores, todo en modo inverso sobre ``autograd.grad``.

* ``vjp(f, x, v)`` = vᵀ·J (un backward);  ``jvp(f, x, v)`` = J·v (el truco de los dos vjp: J·v es
  el gradiente respecto de ``u`` de ``(uᵀ·J)·v``, derivable porque el backward lo es);
* ``jacobian(f, x)``: una fila de J por elemento de la salida (un backward con el vector unitario);
* ``hessian(f, x)`` = jacobiana de la jacobiana (con ``create_graph``);
  ``vhp(f, x, v)`` = vᵀ·H y ``hvp(f, x, v)`` = H·v (iguales: H es simétrica).

Las entradas se copian (``detach``) para no tocar las del usuario; con ``create_graph=True`` el
resultado conserva el grafo (se puede derivar otra vez) y con ``strict=True`` una salida que no
depende de una entrada es un error en lugar de ceros. ``vectorize`` se acepta y se calcula fila a
fila (PyTorch usaría vmap: el resultado es el mismo).

>>> f = lambda x: (x ** 3).sum()
>>> hessian(f, tinygrad_es.tensor([1.0, 2.0]))       # diag(6x)
tensor([[ 6.,  0.],
        [ 0., 12.]])
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .._tensor.joins import stack
from .engine import grad as autograd_grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


# --------------------------------------------------------------------------
# entradas y salidas (tensor o tupla de tensores, como en PyTorch)
# --------------------------------------------------------------------------
def _as_tuple(x, arg_name, fn_name):
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            what = f"el elemento {i} de {arg_name}" if is_tuple else arg_name
            raise TypeError(f"{fn_name}: {what} debe ser un Tensor, no {type(t).__name__}")
    return is_tuple, xs


def _prep(xs, create_graph, need_graph):
    """Copias de las entradas que piden gradiente; con ``create_graph`` y entradas que ya lo
    piden, una copia unida a su grafo (para derivar otra vez respecto de las originales)."""
    out = []
    for t in xs:
        if create_graph and t.requires_grad:
            out.append(t.clone())
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _post(xs, create_graph):
    return tuple(None if t is None else (t if create_graph else t.detach()) for t in xs)


def _untuple(is_tuple, xs):
    return xs if is_tuple else xs[0]


def _validate_v(v, outs, fn_name, what):
    if len(v) != len(outs):
        raise RuntimeError(f"{fn_name}: v tiene {len(v)} elementos y {what} {len(outs)}")
    for i, (a, b) in enumerate(zip(v, outs)):
        if a.shape != b.shape:
            raise RuntimeError(f"{fn_name}: el elemento {i} de v tiene forma {tuple(a.shape)} y debe tener la "
                               f"forma de {what} {i}, {tuple(b.shape)}")


def _grads(outs, ins, vs, create_graph, strict, fn_name, retain=True):
    """vᵀ·J respecto de cada entrada (ceros para las que no se usan, o error con ``strict``)."""
    pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
    if pairs:
        gs = autograd_grad([o for o, _ in pairs], ins, [v for _, v in pairs], retain_graph=retain or create_graph,
                           create_graph=create_graph, allow_unused=True)
    else:
        gs = (None,) * len(ins)
    res = []
    for i, (g, x) in enumerate(zip(gs, ins)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn_name}: la salida de la función no depende de la entrada {i}: "
                                   f"no está permitido con strict=True")
            g = Tensor._wrap(np.zeros_like(x._data))
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(f"{fn_name}: el gradiente respecto de la entrada {i} no depende de la entrada "
                               f"(la función es lineal en ella): no está permitido con strict=True y "
                               f"create_graph=True")
        res.append(g)
    return tuple(res)


def _call(func, ins, fn_name, out_name="la salida"):
    with enable_grad():
        out = func(*ins)
    is_tuple, outs = _as_tuple(out, f"{out_name} de la función", fn_name)
    return is_tuple, outs


# --------------------------------------------------------------------------
# las seis funciones
# --------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ·J)``. ``v`` tiene la forma de la salida (puede omitirse si ésta tiene un
    solo elemento)."""
    is_in, ins = _as_tuple(inputs, "inputs", "vjp")
    ins = _prep(ins, create_graph, True)
    is_out, outs = _call(func, ins, "vjp")
    if v is None:
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("vjp: v sólo se puede omitir si la función devuelve un único tensor de un elemento")
        vs = (Tensor._wrap(np.ones_like(outs[0]._data)),)
    else:
        _, vs = _as_tuple(v, "v", "vjp")
        _validate_v(vs, outs, "vjp", "la salida")
    g = _grads(outs, ins, vs, create_graph, strict, "vjp")
    return _untuple(is_out, _post(outs, create_graph)), _untuple(is_in, _post(g, create_graph))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J·v)`` con el truco de los dos vjp (véase el módulo). ``v`` tiene la forma
    de las entradas (puede omitirse si hay una sola de un elemento)."""
    is_in, ins = _as_tuple(inputs, "inputs", "jvp")
    if v is None:
        if len(ins) != 1 or ins[0].numel() != 1:
            raise RuntimeError("jvp: v sólo se puede omitir si la entrada es un único tensor de un elemento")
        vs = (Tensor._wrap(np.ones_like(ins[0]._data)),)
    else:
        _, vs = _as_tuple(v, "v", "jvp")
        _validate_v(vs, ins, "jvp", "la entrada")
    ins = _prep(ins, create_graph, True)
    is_out, outs = _call(func, ins, "jvp")
    us = tuple(Tensor._wrap(np.zeros_like(o._data), requires_grad=True) for o in outs)
    with enable_grad():
        g = _grads(outs, ins, us, True, strict, "jvp")          # uᵀ·J, lineal en u
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
        if pairs:
            res = autograd_grad([a for a, _ in pairs], us, [b for _, b in pairs], create_graph=create_graph,
                                allow_unused=True)
        else:
            res = (None,) * len(us)
    out = []
    for i, (r, o) in enumerate(zip(res, outs)):
        if r is None:
            if strict:
                raise RuntimeError(f"jvp: la salida {i} no depende de las entradas: no está permitido con strict=True")
            r = Tensor._wrap(np.zeros_like(o._data))
        out.append(r)
    return _untuple(is_out, _post(outs, create_graph)), _untuple(is_out, _post(out, create_graph))


def _jacobian_rows(outs, ins, create_graph, strict, fn_name):
    """jac[o][i] con forma salida_o.shape + entrada_i.shape (un backward por elemento de la salida)."""
    jac = []
    for o, out in enumerate(outs):
        rows = [[] for _ in ins]
        n = out.numel()
        for k in range(n):
            e = np.zeros(n, dtype=out._data.dtype)
            e[k] = 1
            gs = _grads([out], ins, [Tensor._wrap(e.reshape(out._data.shape))], create_graph, strict, fn_name)
            for i, g in enumerate(gs):
                rows[i].append(g)
        per_in = []
        for i, x in enumerate(ins):
            if n == 0:
                per_in.append(Tensor._wrap(np.zeros(tuple(out.shape) + tuple(x.shape), dtype=x._data.dtype)))
            elif create_graph:
                per_in.append(stack(rows[i]).reshape(tuple(out.shape) + tuple(x.shape)))
            else:
                per_in.append(Tensor._wrap(np.stack([r._data for r in rows[i]]).reshape(
                    tuple(out.shape) + tuple(x.shape))))
        jac.append(tuple(per_in))
    return jac


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """La jacobiana de ``func`` en ``inputs``: forma ``salida.shape + entrada.shape``. Con varias
    entradas, una tupla por entrada; con varias salidas, una tupla por salida (de tuplas por
    entrada si también hay varias entradas), como PyTorch."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy debe ser 'reverse-mode' o 'forward-mode', no {strategy!r}")
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("jacobian: strategy='forward-mode' sólo está implementado con vectorize=True")
    is_in, ins = _as_tuple(inputs, "inputs", "jacobian")
    ins = _prep(ins, create_graph, True)
    is_out, outs = _call(func, ins, "jacobian")
    jac = _jacobian_rows(outs, ins, create_graph, strict, "jacobian")
    jac = [tuple(_post(row, create_graph)) for row in jac]
    if is_out:
        return tuple(_untuple(is_in, row) for row in jac)
    return _untuple(is_in, jac[0])


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """La hessiana de ``func`` (que devuelve un tensor de un elemento) en ``inputs``: forma
    ``entrada.shape + entrada.shape``; con varias entradas, una tupla de tuplas ``H[i][j]``."""
    is_in, ins = _as_tuple(inputs, "inputs", "hessian")

    def scalar(*xs):
        out = func(*xs)
        _, outs = _as_tuple(out, "la salida de la función", "hessian")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("hessian: la función debe devolver un único tensor de un elemento")
        return outs[0].reshape(())

    def jac_func(*xs):
        j = jacobian(scalar, xs, create_graph=True, strict=strict)
        return j

    res = jacobian(jac_func, ins, create_graph=create_graph, strict=strict, vectorize=vectorize)
    return res if is_in else res[0][0]  # H[i][j]; una sola entrada: el tensor


def _hvp_common(func, inputs, v, create_graph, strict, fn_name):
    is_in, ins = _as_tuple(inputs, "inputs", fn_name)
    if v is None:
        if len(ins) != 1 or ins[0].numel() != 1:
            raise RuntimeError(f"{fn_name}: v sólo se puede omitir si la entrada es un único tensor de un elemento")
        vs = (Tensor._wrap(np.ones_like(ins[0]._data)),)
    else:
        _, vs = _as_tuple(v, "v", fn_name)
        _validate_v(vs, ins, fn_name, "la entrada")
    ins = _prep(ins, create_graph, True)
    _, outs = _call(func, ins, fn_name)
    if len(outs) != 1 or outs[0].numel() != 1:
        raise RuntimeError(f"{fn_name}: la función debe devolver un único tensor de un elemento")
    out = outs[0]
    with enable_grad():
        g = _grads([out], ins, [Tensor._wrap(np.ones_like(out._data))], True, strict, fn_name)
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
        if pairs:
            h = autograd_grad([a for a, _ in pairs], ins, [b for _, b in pairs], create_graph=create_graph,
                              allow_unused=True)
        else:
            h = (None,) * len(ins)
    res = []
    for i, (r, x) in enumerate(zip(h, ins)):
        if r is None:
            if strict:
                raise RuntimeError(f"{fn_name}: el gradiente no depende de la entrada {i}: no está permitido "
                                   f"con strict=True")
            r = Tensor._wrap(np.zeros_like(x._data))
        res.append(r)
    return _post((out,), create_graph)[0], _untuple(is_in, _post(res, create_graph))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ·H)``: el gradiente de ``∇f·v``."""
    return _hvp_common(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H·v)`` (igual que ``vhp``: la hessiana es simétrica si f es C²)."""
    return _hvp_common(func, inputs, v, create_graph, strict, "hvp")
