"""Lo que devuelven todos los ``register_*hook`` (de ``Tensor`` y de ``Module``): ``RemovableHandle``,
con ``.remove()``, ``.id`` y uso como gestor de contexto, como ``torch.utils.hooks.RemovableHandle``."""
from __future__ import annotations

import itertools

__all__ = ["RemovableHandle", "add_hook"]

_ids = itertools.count()


class RemovableHandle:
    """``handle.remove()`` quita el gancho; también vale como gestor de contexto:
    ``with modelo.register_forward_hook(h): ...`` lo quita al salir del bloque."""

    def __init__(self, hooks: dict):
        self.hooks_dict = hooks
        self.id = next(_ids)

    def remove(self):
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(hooks: dict, value, prepend: bool = False) -> RemovableHandle:
    """Añade ``value`` al diccionario ordenado ``hooks`` (al principio con ``prepend``) y devuelve su asa."""
    handle = RemovableHandle(hooks)
    hooks[handle.id] = value
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks[handle.id] = value
        hooks.update((k, v) for k, v in items if k != handle.id)
    return handle
