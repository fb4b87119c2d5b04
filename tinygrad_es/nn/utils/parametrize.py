"""``torch.nn.utils.parametrize``: un peso que se **calcula** a partir de otro tensor.

``register_parametrization(modelo, "weight", P())`` cambia ``modelo.weight`` por una propiedad:
cada vez que se lee vale ``P(original)``, donde ``original`` es el tensor que se entrena. Es lo que
usan ``weight_norm``, ``spectral_norm`` y ``orthogonal`` (``parametrizations.py``) y sirve para
imponer restricciones (pesos simétricos, positivos...) sin tocar el ``forward`` de la capa.

Como en PyTorch:

* el parámetro original pasa a ``modelo.parametrizations.weight.original`` (o ``original0``,
  ``original1``... si el ``right_inverse`` de la parametrización devuelve varios tensores), y ésas
  son las claves de ``state_dict`` y de ``named_parameters``;
* la clase del módulo pasa a ser ``Parametrized<Clase>`` (una subclase creada al vuelo que tiene la
  propiedad), y ``remove_parametrizations`` la devuelve a la original;
* asignar ``modelo.weight = X`` llama a ``right_inverse`` de las parametrizaciones (en orden inverso)
  y guarda el resultado en ``original``;
* dentro de ``with parametrize.cached():`` el valor calculado se reutiliza (una RNN que lee el peso
  en cada paso lo calcula una sola vez).

Ejemplo::

    class Simetrica(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    capa = nn.Linear(3, 3)
    parametrize.register_parametrization(capa, "weight", Simetrica())
    capa.weight                                  # simétrica; el gradiente llega a
    capa.parametrizations.weight.original        # ← éste, el que ve el optimizador

Derivada: la propiedad es una composición de operaciones de ``Tensor``, así que
∂L/∂original = (∂P/∂original)ᵀ · ∂L/∂weight sale del motor de siempre.
"""
from __future__ import annotations

import contextlib
import copy
import copyreg
from collections.abc import Sequence

from ..._tensor import Tensor
from ...autograd import no_grad
from ..module import Module
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations", "transfer_parametrizations_and_params"]

_cache_enabled = 0
_cache: dict = {}


@contextlib.contextmanager
def cached():
    """Dentro del bloque, cada tensor parametrizado se calcula una sola vez (la primera vez que se lee)
    y se reutiliza; al salir se olvida. Se pueden anidar.

    Ejemplo::

        with parametrize.cached():
            for x in secuencia:          # la RNN lee weight_hh_l0 en cada paso
                h = rnn_cell(x, h)

    En PyTorch: ``torch.nn.utils.parametrize.cached``.
    """
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


# -- registro de tensores (los atributos de Module están en su __dict__) -------------------
def _is_param(module, name) -> bool:
    return isinstance(module.__dict__.get(name), Parameter)


def _is_buffer(module, name) -> bool:
    return name in module.__dict__.get("_buffer_names", ()) and module.__dict__.get(name) is not None


def _register_parameter_or_buffer(module, name, x):
    if isinstance(x, Parameter):
        module.register_parameter(name, x)
    else:
        module.register_buffer(name, x)


def _delete_tensor(module, name):
    """``del module.<name>`` de un parámetro o buffer (también lo quita de la lista de buffers)."""
    module.__dict__.pop(name, None)
    if name in module.__dict__.get("_buffer_names", ()):
        module._buffer_names.remove(name)
        module._non_persistent.discard(name)


def _set_data(original, new):
    """``original.set_(new)`` de PyTorch: el mismo objeto (el optimizador lo sigue viendo) pasa a
    tener los datos de ``new``."""
    if new is not original:
        original._data = new._data
        original._vc.value += 1


def _check_tensor(x, what):
    if not isinstance(x, Tensor):
        raise ValueError(f"{what} debe devolver un tensor, no {type(x).__name__}")


def _check_same(a, b, name, what):
    """Una parametrización no puede cambiar el dtype ni la forma (salvo con ``unsafe=True``)."""
    if a.dtype != b.dtype:
        raise ValueError(f"{what} no puede cambiar el dtype del tensor (salvo con unsafe=True): "
                         f"module.{name}.dtype es {a.dtype} y el resultado {b.dtype}")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{what} no puede cambiar la forma del tensor (salvo con unsafe=True): "
                         f"module.{name} tiene forma {tuple(a.shape)} y el resultado {tuple(b.shape)}")


class ParametrizationList(ModuleList):
    """Las parametrizaciones de un tensor (``modelo.parametrizations.weight``) y el tensor original
    (``original``, u ``original0``, ``original1``... si ``right_inverse`` devuelve varios).

    Llamarla (``lista()``) da el tensor parametrizado: ``P_n(...P_1(original))``.
    ``right_inverse(valor)`` hace lo contrario y guarda el resultado en ``original``.

    Args:
        modules: las parametrizaciones (módulos), en el orden en que se aplican.
        original: el parámetro o buffer que se parametriza.
        unsafe: si es ``True`` no se comprueba que la forma y el dtype se conserven.

    En PyTorch: ``torch.nn.utils.parametrize.ParametrizationList``.
    """

    def __init__(self, modules, original, unsafe: bool = False):
        """Véase el docstring de la clase."""
        if len(modules) == 0:
            raise ValueError("ParametrizationList necesita al menos una parametrización (módulo)")
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError(f"right_inverse debe devolver un tensor o una secuencia de tensores, no "
                             f"{type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError(f"cuando right_inverse devuelve un tensor, debe tener el dtype del original: "
                                 f"original.dtype es {original.dtype} y right_inverse(original).dtype {new.dtype}")
            with no_grad():
                _set_data(original, new)
            _register_parameter_or_buffer(self, "original", original)
        else:
            for i, oi in enumerate(new):
                if not isinstance(oi, Tensor):
                    raise ValueError(f"right_inverse debe devolver tensores; el elemento {i} es un {type(oi).__name__}")
                if isinstance(original, Parameter):
                    oi = Parameter(oi, original.requires_grad)
                oi.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f"original{i}", oi)
        if not self.unsafe:
            z = self()
            _check_tensor(z, "una parametrización")
            _check_same(original, z, "original", "una parametrización")

    def _members(self):  # primero los originales (como los parámetros propios de PyTorch), luego los módulos
        d = self.__dict__
        for k in ["original"] + [f"original{i}" for i in range(d.get("ntensors", 0))]:
            if k in d:
                yield k, d[k]
        yield from super()._members()

    def _originals(self):
        if self.is_tensor:
            return (self.original,)
        return tuple(getattr(self, f"original{i}") for i in range(self.ntensors))

    def right_inverse(self, value) -> None:
        """Guarda en ``original`` el tensor que da ``value`` al parametrizarlo (aplica los
        ``right_inverse`` de las parametrizaciones en orden inverso)."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"la parametrización {type(module).__name__} no implementa right_inverse: "
                                       f"no se puede asignar el tensor parametrizado")
                value = module.right_inverse(value)
            if self.is_tensor:
                _check_tensor(value, "right_inverse")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"right_inverse devolvió dtype {value.dtype} y el original es "
                                     f"{self.original.dtype}")
                _set_data(self.original, value)
            else:
                if not isinstance(value, Sequence) or len(value) != self.ntensors:
                    raise ValueError(f"right_inverse debe devolver una secuencia de {self.ntensors} tensores, no "
                                     f"{type(value).__name__}")
                for i, (orig, t) in enumerate(zip(self._originals(), value)):
                    _check_tensor(t, f"right_inverse (elemento {i})")
                    if orig.dtype != t.dtype:
                        raise ValueError(f"right_inverse devolvió dtype {t.dtype} en el elemento {i} y el original "
                                         f"es {orig.dtype}")
                    _set_data(orig, t)

    def forward(self):
        """El tensor parametrizado: la primera parametrización recibe los originales, las demás el
        resultado de la anterior."""
        mods = list(self)
        x = mods[0](*self._originals())
        for m in mods[1:]:
            x = m(x)
        return x


def _deepcopy(self, memo):
    obj = memo.get(id(self))
    if obj is not None:
        return obj
    replica = self.__new__(self.__class__)
    memo[id(self)] = replica
    replica.__dict__ = copy.deepcopy(self.__dict__, memo)
    for name in copyreg._slotnames(self.__class__):
        if hasattr(self, name):
            setattr(replica, name, copy.deepcopy(getattr(self, name), memo))
    return replica


def _getstate(self):
    raise RuntimeError("un módulo parametrizado sólo se guarda con su state_dict(): guarda "
                       "modelo.state_dict() (o quita antes las parametrizaciones con remove_parametrizations)")


def _inject_new_class(module):
    """Cambia la clase de ``module`` por ``Parametrized<Clase>``, donde vivirán las propiedades."""
    cls = module.__class__
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,),
                            {"__getstate__": _getstate, "__deepcopy__": _deepcopy})


def _inject_property(module, tensor_name):
    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if _cache_enabled:
            key = (id(self), tensor_name)  # self, no el módulo de entonces: una deepcopy comparte la clase
            tensor = _cache.get(key)
            if tensor is None:
                tensor = _cache[key] = parametrization()
            return tensor
        return parametrization()

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def is_parametrized(module, tensor_name: str | None = None) -> bool:
    """¿Tiene ``module`` alguna parametrización (o una en ``tensor_name``)?

    En PyTorch: ``torch.nn.utils.parametrize.is_parametrized``.
    """
    p = module.__dict__.get("parametrizations")
    if p is None or not isinstance(p, ModuleDict):
        return False
    return len(p) > 0 if tensor_name is None else tensor_name in p


def register_parametrization(module, tensor_name: str, parametrization, *, unsafe: bool = False):
    """Hace que ``module.<tensor_name>`` valga ``parametrization(original)``.

    Args:
        module: el módulo (``nn.Linear``...).
        tensor_name: el parámetro o buffer que se parametriza (``"weight"``). Si ya estaba
            parametrizado, la nueva parametrización se aplica detrás de las anteriores.
        parametrization: un ``nn.Module`` cuyo ``forward(X)`` da el tensor; si tiene
            ``right_inverse(Y)``, se usa para inicializar ``original`` y al asignar ``module.weight = Y``
            (puede devolver varios tensores: quedan como ``original0``, ``original1``...).
        unsafe: no comprobar que la forma y el dtype se conservan.

    Returns:
        ``module`` (su clase pasa a ser ``Parametrized<Clase>``).

    Ejemplo (``Simetrica`` es la del docstring del módulo)::

        capa = nn.Linear(3, 3)
        parametrize.register_parametrization(capa, "weight", Simetrica())
        list(capa.state_dict())     # ['bias', 'parametrizations.weight.original']

    Errores: ``ValueError`` si el módulo no tiene ese parámetro o buffer, o si la parametrización
    cambia la forma o el dtype (sin ``unsafe``).

    En PyTorch: ``torch.nn.utils.parametrize.register_parametrization``.
    """
    if not isinstance(parametrization, Module):  # PyTorch falla al llamar a .train(): AttributeError
        raise AttributeError(f"la parametrización debe ser un nn.Module (con forward), no "
                             f"{type(parametrization).__name__}")
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            _check_tensor(x, "una parametrización")
            _check_same(y, x, tensor_name, "una parametrización")
            if hasattr(parametrization, "right_inverse"):
                try:
                    z = parametrization.right_inverse(x)
                except NotImplementedError:
                    pass
                else:
                    _check_tensor(z, "parametrization.right_inverse")
                    _check_same(y, z, tensor_name, "parametrization.right_inverse")
        plist = module.parametrizations[tensor_name]
        plist.append(parametrization)
        plist.unsafe |= unsafe
    elif _is_param(module, tensor_name) or _is_buffer(module, tensor_name):
        original = module.__dict__[tensor_name]
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        _delete_tensor(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            object.__setattr__(module, "parametrizations", ModuleDict())
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist
    else:
        raise ValueError(f"el módulo '{module}' no tiene un parámetro, un buffer ni un elemento parametrizado "
                         f"llamado '{tensor_name}'")
    return module


def remove_parametrizations(module, tensor_name: str, leave_parametrized: bool = True):
    """Quita las parametrizaciones de ``module.<tensor_name>``.

    Args:
        module: el módulo parametrizado.
        tensor_name: el tensor del que se quitan.
        leave_parametrized: ``True``: el tensor queda con su valor parametrizado actual (p. ej. el
            peso normalizado); ``False``: vuelve a ser ``original`` (sólo si es un único tensor).

    Returns:
        ``module`` (si ya no le queda ninguna parametrización, vuelve a su clase de antes). Con un
        solo ``original`` el parámetro es el mismo objeto (el optimizador lo sigue viendo).

    Errores: ``ValueError`` si ``tensor_name`` no está parametrizado.

    En PyTorch: ``torch.nn.utils.parametrize.remove_parametrizations``.
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"el módulo {module} no tiene ninguna parametrización en '{tensor_name}'")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
                _set_data(original, t)
    else:
        if not leave_parametrized:
            raise ValueError("no se puede dejar sin parametrizar (leave_parametrized=False) un tensor "
                             "parametrizado a partir de varios tensores")
        t = getattr(module, tensor_name)
        original = Parameter(t.detach(), t.requires_grad) if t.requires_grad else t.detach()
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        del module.__dict__["parametrizations"]
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module) -> type:
    """La clase de ``module`` sin las parametrizaciones (``Linear`` para un ``ParametrizedLinear``).

    En PyTorch: ``torch.nn.utils.parametrize.type_before_parametrizations``.
    """
    return module.__class__.__bases__[0] if is_parametrized(module) else type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name: str | None = None):
    """Copia a ``to_module`` las parametrizaciones de ``from_module`` (de ``tensor_name`` o de todos) y
    los valores de sus originales. Devuelve ``to_module``.

    En PyTorch: ``torch.nn.utils.parametrize.transfer_parametrizations_and_params``.
    """
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        src = from_module.parametrizations[name]
        if not hasattr(to_module, name):
            orig = src.original if src.is_tensor else getattr(from_module, name)
            with no_grad():
                to_module.register_parameter(name, Parameter(orig.detach().clone(), orig.requires_grad))
        if not is_parametrized(to_module, name):
            for p in src:
                register_parametrization(to_module, name, p)
        dst = to_module.parametrizations[name]
        with no_grad():
            for a, b in zip(dst._originals(), src._originals()):
                _set_data(a, b.detach().clone())
    return to_module
