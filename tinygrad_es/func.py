"""``torch.func``: transformaciones de funciones (``grad``, ``vjp``, ``jacrev``, ``jacfwd``,
``hessian``, ``vmap``, ``functional_call``), como en PyTorch y JAX.

``grad(f)`` es una función que devuelve el gradiente de ``f``; se compone consigo misma
(``grad(grad(f))`` es la derivada segunda) y con ``vmap`` (``vmap(grad(f))`` da un gradiente por
muestra). Aquí todo se construye sobre el motor de siempre:

* ``grad``/``vjp``/``jacrev`` copian las entradas (``detach().requires_grad_()``) y llaman a
  ``autograd.grad``; si la función depende de tensores de un nivel exterior (dentro de otro
  ``grad``, o de parámetros que piden gradiente), el gradiente se calcula con
  ``create_graph=True`` para que el nivel exterior lo pueda derivar;
* ``jacfwd`` da lo mismo que ``jacrev`` (se calcula en modo inverso) y ``hessian`` es
  ``jacfwd(jacrev(f))``;
* ``vmap`` recorre el lote con un bucle de Python: la semántica es la de PyTorch (``in_dims``,
  ``out_dims``, anidado), no su velocidad.

Los argumentos pueden ser "pytrees": tensores o tuplas/listas/dicts de ellos (los parámetros de un
modelo como ``dict``)::

    params = {k: v.detach() for k, v in model.named_parameters()}
    def loss(params, x, y):
        return F.cross_entropy(functional_call(model, params, (x.unsqueeze(0),)), y.unsqueeze(0))
    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)   # dict de (N, ...)
"""
from __future__ import annotations

import contextlib
import functools

import numpy as np

from . import _random
from ._tensor import Tensor
from ._tensor.joins import stack
from .autograd import Context, enable_grad, is_grad_enabled
from .autograd import grad as autograd_grad
from .autograd.engine import topo_order
from .autograd.functional import _jacobian_rows

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian", "vmap", "functional_call"]


# --------------------------------------------------------------------------
# pytrees mínimos: tensores dentro de tuplas, listas y dicts
# --------------------------------------------------------------------------
def _flatten(tree):
    """(hojas, reconstruir): las hojas en orden y la función que rehace la estructura."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]
        sizes = [len(p[0]) for p in parts]

        def build(xs, parts=parts, sizes=sizes, kind=type(tree)):
            out, k = [], 0
            for (_, b), n in zip(parts, sizes):
                out.append(b(xs[k:k + n]))
                k += n
            return kind(out) if kind in (tuple, list) else kind(*out)
        return leaves, build
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, build = _flatten([tree[k] for k in keys])
        return leaves, lambda xs: dict(zip(keys, build(xs)))
    return [tree], lambda xs: xs[0]


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
                leaves, build = _flatten(args[a])
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
            leaves, build = _flatten(p)
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
    out_leaves, _ = _flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"vjp(f, *primals): f debe devolver tensores (o pytrees de tensores), no "
                               f"{type(o).__name__}")
    create = _outer_graph(out_leaves, fresh)

    def vjp_fn(*cotangents):
        cots = cotangents[0] if len(cotangents) == 1 else cotangents
        cot_leaves, _ = _flatten(cots)
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

    value = out if create else _flatten(out)[1]([_detach_unless(o, False) for o in out_leaves])
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
                leaves, build = _flatten(args[a])
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
            out_leaves, out_build = _flatten(out)
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


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """La misma jacobiana que ``jacrev`` (aquí también se calcula en modo inverso)."""
    return jacrev(func, argnums, has_aux=has_aux, _name="jacfwd")


def hessian(func, argnums=0):
    """``hessian(f)`` = ``jacfwd(jacrev(f))``: forma ``entrada.shape + entrada.shape``."""
    return jacfwd(jacrev(func, argnums), argnums)


# --------------------------------------------------------------------------
# vmap
# --------------------------------------------------------------------------
def _dims_tree(in_dims, args, fn_name):
    """``in_dims`` repartido hoja a hoja sobre ``args`` (un entero o None vale para todo un subárbol)."""
    if isinstance(in_dims, int) or in_dims is None:
        return [in_dims] * len(_flatten(args)[0])
    if isinstance(in_dims, (tuple, list)):
        if not isinstance(args, (tuple, list)) or len(in_dims) != len(args):
            raise ValueError(f"{fn_name}: in_dims {in_dims!r} no encaja con los argumentos (se esperaban "
                             f"{len(args) if isinstance(args, (tuple, list)) else 1} elementos)")
        return [d for sub, a in zip(in_dims, args) for d in _dims_tree(sub, a, fn_name)]
    if isinstance(in_dims, dict):
        if not isinstance(args, dict) or set(in_dims) != set(args):
            raise ValueError(f"{fn_name}: in_dims {in_dims!r} no encaja con las claves de los argumentos")
        return [d for k in args for d in _dims_tree(in_dims[k], args[k], fn_name)]
    raise ValueError(f"{fn_name}: in_dims debe ser un entero, None o una tupla, no {in_dims!r}")


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
        leaves, build = _flatten(tuple(args))
        dims = _dims_tree(in_dims, tuple(args), "vmap")
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
    leaves0, build = _flatten(results[0])
    cols = [_flatten(r)[0] for r in results]
    odims = [out_dims] * len(leaves0) if isinstance(out_dims, int) or out_dims is None else \
        _dims_tree(out_dims, results[0] if isinstance(results[0], (tuple, list)) else (results[0],), "vmap")
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


# --------------------------------------------------------------------------
# functional_call
# --------------------------------------------------------------------------
def _resolve(module, name):
    """(contenedor, clave) del atributo ``name`` (con puntos) de ``module``."""
    obj = module
    parts = name.split(".")
    for p in parts[:-1]:
        if isinstance(obj, (list, tuple)):
            obj = obj[int(p)]
        elif isinstance(obj, dict):
            obj = obj[p]
        else:
            obj = obj.__dict__[p] if p in obj.__dict__ else getattr(obj, p)
    return obj, parts[-1]


def _get(cont, key):
    if isinstance(cont, (list, tuple)):
        return cont[int(key)]
    if isinstance(cont, dict):
        return cont[key]
    return cont.__dict__.get(key)


def _set(cont, key, value):
    if isinstance(cont, list):
        cont[int(key)] = value
    elif isinstance(cont, dict):
        cont[key] = value
    else:
        object.__setattr__(cont, key, value)  # sin la comprobación de nn.Parameter de Module.__setattr__


@contextlib.contextmanager
def _swapped(module, values: dict):
    olds = []
    try:
        for name, v in values.items():
            cont, key = _resolve(module, name)
            olds.append((cont, key, _get(cont, key)))
            _set(cont, key, v)
        yield
    finally:
        for cont, key, old in reversed(olds):
            _set(cont, key, old)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Llama a ``module`` con los parámetros y buffers de ``parameter_and_buffer_dicts`` (un dict
    nombre→tensor o una tupla de dicts) en lugar de los suyos, sin cambiar el módulo. ``args`` es
    un tensor o una tupla. Con ``strict=True`` hay que dar todos y sólo ellos; ``tie_weights``:
    un parámetro compartido cambia en todos sus nombres."""
    dicts = parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (tuple, list)) \
        else (parameter_and_buffer_dicts,)
    values = {}
    for d in dicts:
        for k, v in d.items():
            if k in values:
                raise ValueError(f"functional_call: la clave '{k}' aparece en más de un diccionario")
            values[k] = v
    known = dict(module.named_parameters(remove_duplicate=False))
    known.update(dict(module.named_buffers(remove_duplicate=False)))
    unexpected = [k for k in values if k not in known]
    missing = [k for k in known if k not in values]
    if tie_weights:
        by_id = {}
        for k, t in known.items():
            by_id.setdefault(id(t), []).append(k)
        for names in by_id.values():
            given = [k for k in names if k in values]
            for k in names:
                if k not in values and given:
                    values[k] = values[given[0]]
                    missing.remove(k)
    if unexpected or (strict and missing):
        parts = []
        if unexpected:
            parts.append("claves inesperadas: " + ", ".join(repr(k) for k in unexpected))
        if strict and missing:
            parts.append("faltan las claves: " + ", ".join(repr(k) for k in missing))
        raise RuntimeError(f"functional_call de {type(module).__name__}: " + "; ".join(parts))
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))

