"""Pytrees mínimos para ``torch.func``: tensores dentro de tuplas, listas y dicts (los parámetros
de un modelo como ``dict``)."""
from __future__ import annotations

__all__ = ["flatten", "dims_tree"]


def flatten(tree):
    """(hojas, reconstruir): las hojas en orden y la función que rehace la estructura."""
    if isinstance(tree, (tuple, list)):
        parts = [flatten(t) for t in tree]
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
        leaves, build = flatten([tree[k] for k in keys])
        return leaves, lambda xs: dict(zip(keys, build(xs)))
    return [tree], lambda xs: xs[0]


def dims_tree(in_dims, args, fn_name):
    """``in_dims`` repartido hoja a hoja sobre ``args`` (un entero o None vale para todo un subárbol)."""
    if isinstance(in_dims, int) or in_dims is None:
        return [in_dims] * len(flatten(args)[0])
    if isinstance(in_dims, (tuple, list)):
        if not isinstance(args, (tuple, list)) or len(in_dims) != len(args):
            raise ValueError(f"{fn_name}: in_dims {in_dims!r} no encaja con los argumentos (se esperaban "
                             f"{len(args) if isinstance(args, (tuple, list)) else 1} elementos)")
        return [d for sub, a in zip(in_dims, args) for d in dims_tree(sub, a, fn_name)]
    if isinstance(in_dims, dict):
        if not isinstance(args, dict) or set(in_dims) != set(args):
            raise ValueError(f"{fn_name}: in_dims {in_dims!r} no encaja con las claves de los argumentos")
        return [d for k in args for d in dims_tree(in_dims[k], args[k], fn_name)]
    raise ValueError(f"{fn_name}: in_dims debe ser un entero, None o una tupla, no {in_dims!r}")
