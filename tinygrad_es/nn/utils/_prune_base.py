"""La base de ``prune``: ``BasePruningMethod`` (el esquema ``<name>_orig`` + ``<name>_mask`` + pre-hook,
``apply``/``remove``) y ``PruningContainer`` (varias podas sucesivas de un tensor)."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...autograd import no_grad

__all__ = ["BasePruningMethod", "PruningContainer"]


def _arr(t):
    return t._data if isinstance(t, Tensor) else np.asarray(t)


def _wrap(a):
    return Tensor._wrap(np.ascontiguousarray(a))


class BasePruningMethod:
    """Base de los métodos de poda: las subclases definen ``compute_mask(t, default_mask)`` (la máscara
    nueva a partir de las importancias ``t`` y de la máscara anterior) y ``PRUNING_TYPE``
    (``"unstructured"``, ``"structured"`` o ``"global"``).

    En PyTorch: ``torch.nn.utils.prune.BasePruningMethod``.
    """

    _tensor_name: str
    PRUNING_TYPE = None

    def __call__(self, module, inputs):
        """El pre-hook: ``module.<name> = <name>_orig * <name>_mask``."""
        object.__setattr__(module, self._tensor_name, self.apply_mask(module))

    def compute_mask(self, t, default_mask):
        raise NotImplementedError(f"{type(self).__name__} debe definir compute_mask(t, default_mask)")

    def apply_mask(self, module):
        """El tensor podado ``orig * mask`` (con grafo hacia ``orig``)."""
        if getattr(self, "_tensor_name", None) is None:
            raise AssertionError(f"el módulo {module} tiene que estar podado antes de aplicar la máscara")
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Poda ``module.<name>`` con un método nuevo ``cls(*args, **kwargs)`` (combinado con la poda
        que ya tuviera) y devuelve el método (o el ``PruningContainer``)."""
        old, keys = None, []
        for k, (hook, _) in module._forward_pre_hooks.items():
            if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
                old = hook
                keys.append(k)
        if len(keys) > 1:
            raise AssertionError(f"el tensor '{name}' de {module} tiene varios hooks de poda: usa un PruningContainer")
        for k in keys:
            del module._forward_pre_hooks[k]
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if old is not None:
            if isinstance(old, PruningContainer):
                old.add_pruning_method(method)
                method = old
            else:
                container = PruningContainer(old)
                container.add_pruning_method(method)
                method = container
        orig = getattr(module, name)
        if importance_scores is not None:
            if tuple(importance_scores.shape) != tuple(orig.shape):
                raise AssertionError(f"importance_scores debe tener la forma del parámetro '{name}' de {module}: "
                                     f"{tuple(orig.shape)}, no {tuple(importance_scores.shape)}")
        else:
            importance_scores = orig
        if not isinstance(method, PruningContainer):
            module.register_parameter(name + "_orig", orig)
            del module.__dict__[name]
            default_mask = _wrap(np.ones_like(_arr(orig)))
        else:
            default_mask = _wrap(_arr(getattr(module, name + "_mask")).copy())
        try:
            with no_grad():
                mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            object.__setattr__(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if not isinstance(method, PruningContainer):
                orig = module.__dict__.pop(name + "_orig")
                module.__dict__.pop(name, None)
                module.register_parameter(name, orig)
            raise
        return method

    def prune(self, t):
        """``t`` podado (``t * máscara``) sin tocar ningún módulo."""
        with no_grad():
            mask = self.compute_mask(t, default_mask=_wrap(np.ones_like(_arr(t))))
        return t * mask

    def remove(self, module) -> None:
        """Hace permanente la poda: ``<name>`` vuelve a ser el parámetro ``<name>_orig`` (el mismo
        objeto) con ``orig * mask`` dentro; desaparecen ``<name>_orig`` y ``<name>_mask``."""
        if getattr(self, "_tensor_name", None) is None:
            raise AssertionError(f"el módulo {module} tiene que estar podado antes de quitar la poda")
        name = self._tensor_name
        weight = self.apply_mask(module)
        module.__dict__.pop(name, None)
        orig = module.__dict__.pop(name + "_orig")
        orig.data = weight.detach()._data.copy()
        module.__dict__.pop(name + "_mask", None)
        module._buffer_names.remove(name + "_mask")
        module._non_persistent.discard(name + "_mask")
        module.register_parameter(name, orig)


class PruningContainer(BasePruningMethod):
    """Varias podas sucesivas del mismo tensor: la última calcula su máscara sólo sobre lo que
    dejaron las anteriores (las no estructuradas, sobre los pesos con máscara 1; las estructuradas,
    sobre los canales que aún tienen algún peso).

    En PyTorch: ``torch.nn.utils.prune.PruningContainer``.
    """

    def __init__(self, *args):
        """``PruningContainer(m1, m2, ...)``: las podas ya hechas, en orden."""
        self._pruning_methods: tuple = ()
        self._tensor_name = args[0]._tensor_name if args else None
        for m in args:
            self.add_pruning_method(m)

    def add_pruning_method(self, method) -> None:
        """Añade la poda ``method`` (del mismo tensor) al final."""
        if method is not None and not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method).__name__} no es una subclase de BasePruningMethod")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(f"este PruningContainer sólo admite podas del parámetro '{self._tensor_name}', no "
                             f"de '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        """Cuántas podas contiene."""
        return len(self._pruning_methods)

    def __iter__(self):
        """Las podas, en el orden en que se hicieron."""
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        """La poda ``idx``."""
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        method = self._pruning_methods[-1]
        a, mask = _arr(t), _arr(default_mask).astype(_arr(t).dtype, copy=True)
        if method.PRUNING_TYPE == "unstructured":
            slc = mask == 1
        elif method.PRUNING_TYPE == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError("los métodos de poda estructurada deben tener el atributo `dim`")
            dim = method.dim + a.ndim if method.dim < 0 else method.dim
            if dim < 0:
                raise IndexError(f"dim {method.dim} fuera de rango para un tensor de {a.ndim} ejes")
            keep = mask.sum(axis=tuple(d for d in range(a.ndim) if d != dim)) != 0
            slc = tuple(keep if d == dim else slice(None) for d in range(a.ndim))
        elif method.PRUNING_TYPE == "global":
            slc = tuple(slice(None) for _ in range(a.ndim))
        else:
            raise ValueError(f"PRUNING_TYPE desconocido: {method.PRUNING_TYPE!r}")
        partial = method.compute_mask(_wrap(a[slc]), default_mask=_wrap(mask[slc]))
        mask[slc] = _arr(partial).astype(mask.dtype, copy=False)
        return _wrap(mask)
