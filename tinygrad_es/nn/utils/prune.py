"""``torch.nn.utils.prune``: poda de pesos (poner a cero los menos importantes) con una máscara.

El esquema es el de PyTorch: podar ``capa.weight`` lo cambia por

* el parámetro ``weight_orig`` (lo que se entrena, sin tocar),
* el buffer ``weight_mask`` (1 = se queda, 0 = podado; entra en ``state_dict``),
* un *forward pre-hook* que antes de cada ``forward`` pone ``capa.weight = weight_orig * weight_mask``
  (un tensor normal, no un parámetro: el gradiente de los pesos podados es 0).

Podar otra vez el mismo tensor combina las máscaras (``PruningContainer``: la poda nueva sólo mira
los pesos que aún quedan). ``prune.remove(capa, "weight")`` hace permanente la poda: ``weight``
vuelve a ser un parámetro (el mismo objeto que ``weight_orig``) con los ceros escritos.

Métodos (clases y funciones): ``identity``, ``random_unstructured``, ``l1_unstructured`` (los de
menor |w|), ``random_structured``, ``ln_structured`` (filas/canales enteros de menor norma Lₙ),
``global_unstructured`` (un umbral común a varias capas) y ``custom_from_mask``.

``amount``: un ``float`` en [0, 1] es la fracción (se redondea: ``round(amount·n)``) y un ``int``
el número de pesos (o canales) a podar.

Ejemplo::

    capa = nn.Linear(4, 3)
    prune.l1_unstructured(capa, "weight", amount=0.5)     # 6 de los 12 pesos a 0
    capa.weight_mask.sum()                                # tensor(6.)
    prune.remove(capa, "weight")                          # poda permanente
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from ..._random import default_rng
from ..._tensor import Tensor
from ...autograd import no_grad

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
           "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured",
           "l1_unstructured", "random_structured", "ln_structured", "global_unstructured", "custom_from_mask",
           "remove", "is_pruned"]


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
        self._pruning_methods: tuple = ()
        self._tensor_name = args[0]._tensor_name if args else None
        for m in args:
            self.add_pruning_method(m)

    def add_pruning_method(self, method) -> None:
        if method is not None and not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method).__name__} no es una subclase de BasePruningMethod")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(f"este PruningContainer sólo admite podas del parámetro '{self._tensor_name}', no "
                             f"de '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
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


# -- comprobaciones de amount y dim (los mensajes dicen el valor) ----------------------------------
def _validate_amount_init(amount):
    if not isinstance(amount, numbers.Real) or isinstance(amount, bool):
        raise TypeError(f"amount no válido: {amount!r}; debe ser un int o un float")
    if (isinstance(amount, numbers.Integral) and amount < 0) or \
            (not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(f"amount={amount} debe ser un float en [0, 1] o un entero no negativo")


def _nprune(amount, size):
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} debe ser como mucho el número de parámetros que podar ({size})")
        return int(amount)
    return round(amount * size)


def _validate_structured(a, dim):
    if a.ndim <= 1:
        raise ValueError(f"la poda estructurada sólo vale para tensores de 2 o más ejes; éste tiene forma "
                         f"{tuple(a.shape)} ({a.ndim} ejes)")
    if dim >= a.ndim or dim < -a.ndim:
        raise IndexError(f"dim {dim} no válido para un tensor de forma {tuple(a.shape)}")


def _ln_norm(a, n, dim):
    """La norma Lₙ de cada corte de ``a`` a lo largo de ``dim`` (``n``: número, ``inf``, ``-inf`` o ``'fro'``)."""
    axes = tuple(d for d in range(a.ndim) if d != dim % a.ndim)
    x = np.abs(a.astype(np.float64))
    if n == "fro":
        n = 2
    if n == "nuc":
        raise ValueError("ln_structured: la norma nuclear no se puede usar por canales")
    if n == np.inf:
        return x.max(axis=axes)
    if n == -np.inf:
        return x.min(axis=axes)
    if n == 0:
        return (x != 0).sum(axis=axes).astype(np.float64)
    return (x ** n).sum(axis=axes) ** (1.0 / n)


def _channel_mask(a, dim, keep_idx):
    mask = np.zeros_like(a)
    idx = [slice(None)] * a.ndim
    idx[dim] = keep_idx
    mask[tuple(idx)] = 1
    return mask


class Identity(BasePruningMethod):
    """No poda nada (la máscara es de unos): deja el módulo con ``weight_orig`` y ``weight_mask``."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Poda ``amount`` pesos elegidos al azar (con el generador global: ``torch.manual_seed``)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        a, mask = _arr(t), _arr(default_mask).copy()
        k = _nprune(self.amount, a.size)
        if k:
            prob = default_rng().random(a.size)
            mask.reshape(-1)[np.argsort(-prob, kind="stable")[:k]] = 0
        return _wrap(mask)

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Poda los ``amount`` pesos de menor valor absoluto (de ``importance_scores`` si se da)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        a, mask = _arr(t), _arr(default_mask).copy()
        k = _nprune(self.amount, a.size)
        if k:
            mask.reshape(-1)[np.argsort(np.abs(a).reshape(-1), kind="stable")[:k]] = 0
        return _wrap(mask)

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Poda ``amount`` cortes enteros a lo largo de ``dim`` (canales, filas...) elegidos al azar."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _validate_amount_init(amount)
        self.amount, self.dim = amount, dim

    def compute_mask(self, t, default_mask):
        a = _arr(t)
        _validate_structured(a, self.dim)
        n = a.shape[self.dim]
        k = _nprune(self.amount, n)
        if k == 0:
            return default_mask
        prob = default_rng().random(n)
        keep = prob > np.sort(prob)[k - 1]   # como kthvalue: quedan los n − k de mayor probabilidad
        return _wrap(_channel_mask(a, self.dim, keep) * _arr(default_mask).astype(a.dtype))

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Poda los ``amount`` cortes a lo largo de ``dim`` de menor norma Lₙ (``n=1``, ``2``, ``inf``...)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        _validate_amount_init(amount)
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t, default_mask):
        a = _arr(t)
        _validate_structured(a, self.dim)
        size = a.shape[self.dim]
        k = _nprune(self.amount, size)
        if k == 0:
            return default_mask
        norm = _ln_norm(a, self.n, self.dim)
        keep = np.argsort(-norm, kind="stable")[:size - k]
        return _wrap(_channel_mask(a, self.dim, keep) * _arr(default_mask).astype(a.dtype))

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """La máscara la da el usuario (multiplicada por la que ya hubiera)."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        d, m = _arr(default_mask), _arr(self.mask)
        if d.shape != m.shape:
            raise AssertionError(f"la máscara tiene forma {m.shape} y el tensor {d.shape}")
        return _wrap(d * m.astype(d.dtype))

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


def identity(module, name):
    """Añade ``<name>_orig``/``<name>_mask`` (de unos) sin podar nada; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.identity``."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Poda ``amount`` pesos al azar de ``module.<name>``; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.random_unstructured``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Poda los ``amount`` pesos de menor |valor| (o de menor ``importance_scores``); devuelve ``module``.

    Ejemplo:
        >>> capa = prune.l1_unstructured(nn.Linear(4, 3), "weight", amount=0.5)
        >>> int(capa.weight_mask.sum())
        6

    Errores: ``ValueError`` si ``amount`` no está en [0, 1] (float) o es negativo o mayor que el número de
    pesos (int); ``TypeError`` si no es un número.

    En PyTorch: ``torch.nn.utils.prune.l1_unstructured``.
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Poda ``amount`` cortes al azar a lo largo de ``dim``; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.random_structured``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Poda los ``amount`` cortes a lo largo de ``dim`` de menor norma Lₙ (``dim=0`` en una conv: filtros
    enteros); devuelve ``module``. En PyTorch: ``torch.nn.utils.prune.ln_structured``."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Poda varias capas a la vez con un umbral común: ``amount`` se reparte donde están los pesos
    menos importantes de todas juntas.

    Args:
        parameters: iterable de pares ``(módulo, nombre)``.
        pruning_method: una clase no estructurada (``prune.L1Unstructured``, ``prune.RandomUnstructured``).
        importance_scores: dict ``{(módulo, nombre): tensor}`` (por defecto, los propios pesos).
        **kwargs: los del método (``amount=0.2``).

    Ejemplo::

        prune.global_unstructured([(m.fc1, "weight"), (m.fc2, "weight")],
                                  pruning_method=prune.L1Unstructured, amount=0.2)

    En PyTorch: ``torch.nn.utils.prune.global_unstructured``.
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters no es iterable")
    parameters = list(parameters)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores debe ser un dict")
    scores = np.concatenate([_arr(importance_scores.get((m, n), getattr(m, n))).reshape(-1) for m, n in parameters])
    default = np.concatenate([_arr(getattr(m, n + "_mask")).reshape(-1) if hasattr(m, n + "_mask")
                              else np.ones(_arr(getattr(m, n)).size, dtype=scores.dtype) for m, n in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f'global_unstructured sólo admite métodos de PRUNING_TYPE "unstructured"; '
                        f'{type(method).__name__} es "{method.PRUNING_TYPE}"')
    container.add_pruning_method(method)
    final = _arr(container.compute_mask(_wrap(scores), _wrap(default)))
    pointer = 0
    for m, n in parameters:
        p = getattr(m, n)
        size = _arr(p).size
        custom_from_mask(m, n, mask=_wrap(final[pointer:pointer + size].reshape(p.shape)))
        pointer += size


def custom_from_mask(module, name, mask):
    """Poda con la máscara ``mask`` (0 = podado) de la forma de ``module.<name>``; devuelve ``module``.
    En PyTorch: ``torch.nn.utils.prune.custom_from_mask``."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Hace permanente la poda de ``module.<name>`` (véase ``BasePruningMethod.remove``); devuelve ``module``.

    Errores: ``ValueError`` si ``name`` no está podado.

    En PyTorch: ``torch.nn.utils.prune.remove``.
    """
    for k, (hook, _) in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"el parámetro '{name}' de {module} tiene que estar podado antes de quitar la poda")


def is_pruned(module) -> bool:
    """¿Tiene ``module`` (o algún submódulo) un tensor podado?

    En PyTorch: ``torch.nn.utils.prune.is_pruned``.
    """
    for _, sub in module.named_modules():
        for hook, _ in sub._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False
