"""Los argumentos de ``torch.x``/``Tensor.x``, en un solo sitio.

* datos → ndarray con el dtype de PyTorch (``to_array``);
* ejes (``norm_dim``, ``norm_dims``: los de ``ops/`` llegan ya normalizados), listas de enteros (``int_list``, ``kw_arg``) e índices (``as_index``);
* entradas de coma flotante: ``float_in`` (enteros → el flotante por defecto), ``floats_only`` y
  ``float_input`` (errores de PyTorch para las funciones que no admiten enteros);
* la promoción de tipos de PyTorch entre operandos: ``promote`` (con ``dtype_of``, que deduce el
  dtype de una lista o un ndarray como ``tensor()``, y ``as_operand``, que convierte).
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import _dtype as D
from .._validate import DataError
from ..autograd import TensorBase
from ..ops.copy import Cast

__all__ = ["alpha_arg", "to_array", "check_fits", "tensor_other", "no_bool", "no_bool_input", "norm_dim",
           "norm_dims", "int_list", "kw_arg", "as_index", "torch_index", "float_in", "floats_only",
           "float_input", "is_scalar", "as_operand", "dtype_of", "promote"]


# -- datos ---------------------------------------------------------------------------------
def to_array(data, dtype=None, copy=False) -> np.ndarray:
    """ndarray para ``tensor(data)``: deduce el dtype como PyTorch (int → int64, float → float32,
    bool → bool; un ndarray conserva el suyo) y rechaza lo que no es numérico."""
    if isinstance(data, TensorBase):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
    else:
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError) as e:
            if "inhomogeneous" in str(e) or "sequence" in str(e):
                raise DataError(f"no se puede crear un tensor a partir de {type(data).__name__}: las listas "
                                f"anidadas no tienen todas la misma longitud (cada fila debe tener los mismos "
                                f"elementos)") from None
            raise DataError(f"no se puede crear un tensor a partir de {type(data).__name__}: {e}") from None
        if arr.dtype == np.float64 and not isinstance(data, np.generic) and dtype is None:
            with np.errstate(over="ignore"):  # 1e40 → inf en float32, como PyTorch
                arr = arr.astype(D.get_default_dtype().np)  # los float de Python son float32 (sin dtype=)
    if arr.dtype.kind == "c":
        raise TypeError(f"tensor() no crea tensores complejos a partir de datos ({arr.dtype}): crea los números "
                        f"complejos con torch.complex(real, imag), torch.polar(abs, angle) o "
                        f"torch.view_as_complex(x)")
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise DataError(f"un tensor necesita datos numéricos; se recibió {type(data).__name__} "
                        f"con dtype {arr.dtype}")
    if dtype is not None:
        npd = D.np_dtype(dtype)
        if not isinstance(data, (np.ndarray, TensorBase)):
            check_fits(arr, npd)
        if arr.dtype != npd:
            with np.errstate(over="ignore", invalid="ignore"):
                return arr.astype(npd)
    elif arr.dtype not in D._BY_NP:
        target = np.int64 if arr.dtype.kind in "iu" else np.float64
        arr = arr.astype(target)
    return np.array(arr, copy=True) if copy else arr


def check_fits(values, npd: np.dtype) -> None:
    """Números de Python que no caben en el tipo entero ``npd``: ``RuntimeError`` como PyTorch (que
    sí deja dar la vuelta a los negativos en los sin signo: ``tensor([-1], dtype=uint8)`` es 255)."""
    if npd.kind not in "iu":
        return
    v = np.asarray(values)
    if v.size == 0 or v.dtype.kind not in "iuf":
        return
    info = np.iinfo(npd)
    # un entero negativo da la vuelta en un tipo sin signo (−1 → 255); un decimal, no (−2.5 es un error)
    lo = -int(info.max) if npd.kind == "u" and v.dtype.kind != "f" else int(info.min)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(v) if v.dtype.kind == "f" else np.zeros(v.shape, bool)
        if v.dtype.kind == "f":
            bad |= (v < lo) | (v > float(info.max))
        else:
            bad |= (v.astype(object) < lo) | (v.astype(object) > int(info.max)) if v.dtype == np.uint64 else \
                (v < lo) | (v > int(info.max))
    if np.any(bad):
        raise RuntimeError(f"el valor {v[bad].reshape(-1)[0]} no se puede convertir a {D._BY_NP[npd]} sin desbordarse")


# -- ejes, listas de enteros e índices -----------------------------------------------------
def norm_dim(dim, ndim: int) -> int:
    """Un eje como entero positivo, con la regla y los errores de PyTorch (un 0-D admite 0 y −1)."""
    n = ndim if ndim > 1 else 1
    if dim.__class__ is int and -n <= dim < n:  # el caso común, sin las comprobaciones de tipo abstractas
        return dim % n
    if not isinstance(dim, (numbers.Integral, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"el eje debe ser un entero, no {dim!r}")
    if not -n <= dim < n:
        raise IndexError(f"eje fuera de rango: se esperaba uno en [{-n}, {n - 1}], pero se recibió {dim}")
    return int(dim) % n


def norm_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, int o tupla) como tupla ordenada de ejes positivos, con los errores de PyTorch."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (numbers.Integral, np.integer)) and not isinstance(dim, bool):
        dim = (int(dim),)
    out = [norm_dim(d, ndim) for d in dim]
    if len(set(out)) != len(out):
        raise RuntimeError(f"el eje {dim} aparece repetido en la lista de ejes")
    return tuple(sorted(out)) if ndim else ()


def int_list(args, op):
    """``f(1, 2)``, ``f((1, 2))`` o ``f([1, 2])`` como tupla de enteros."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if len(args) == 1 and isinstance(args[0], TensorBase):
        args = tuple(int(v) for v in args[0]._data.reshape(-1))
    out = []
    for a in args:
        if not isinstance(a, (numbers.Integral, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: se esperaban enteros, no {a!r}")
        out.append(int(a))
    return tuple(out)


def kw_arg(args, kw, name, op):
    """``f(1, 2)``, ``f((1, 2))`` o ``f(name=(1, 2))`` (como PyTorch) → tupla de argumentos."""
    if kw:
        if set(kw) != {name} or args:
            raise TypeError(f"{op}() recibió argumentos no válidos: {sorted(kw)} (se esperaba {name}=...)")
        return (kw[name],)
    return args


def as_index(index, op, allow_bool=False) -> np.ndarray:
    """``index`` (Tensor, lista, ndarray o entero) como ndarray de enteros."""
    a = index._data if isinstance(index, TensorBase) else np.asarray(index)
    if a.dtype.kind not in "iu" and not (allow_bool and a.dtype == np.bool_):
        if a.size == 0 and not isinstance(index, TensorBase):
            return a.astype(np.int64)
        raise RuntimeError(f"{op}(): el índice debe ser un tensor de enteros (int64 o int32), no "
                           f"{a.dtype}")
    return a


def _as_sequence_tuple(index) -> bool:
    """PyTorch trata una lista como una tupla de índices si contiene tensores, listas, cortes, ``...``
    o ``None`` (``x[[0, slice(None)]]``); si no, es un tensor de índices (``x[[0, 2]]``)."""
    if not isinstance(index, list) or len(index) >= 32:
        return False
    return any(isinstance(i, (TensorBase, list, tuple, slice, np.ndarray)) or i is None or i is Ellipsis
               for i in index)


def _index_array(item) -> np.ndarray:
    a = item._data if isinstance(item, TensorBase) else item
    if not isinstance(a, np.ndarray):
        try:
            a = np.asarray(a)
        except ValueError:
            raise IndexError(f"índice no válido: {item!r}") from None
        if a.size == 0:
            a = a.astype(np.int64)
    if a.dtype == np.uint8:  # como PyTorch (obsoleto también allí): uint8 es una máscara
        warnings.warn("indexar con un tensor uint8 está obsoleto (también en PyTorch): se usa como máscara; "
                      "usa un tensor bool", UserWarning, stacklevel=4)
        a = a.astype(bool)
    if a.dtype.kind not in "biu":
        raise IndexError(f"los tensores que se usan como índices deben ser enteros (long, int), uint8 o bool, "
                         f"no {D._BY_NP.get(a.dtype, a.dtype)}")
    return a


def torch_index(index, shape) -> tuple:
    """Un índice de PyTorch como ``(básico, avanzado)`` de numpy, con las reglas de PyTorch.

    ``básico`` (enteros, cortes, ``None``, ``...``) da siempre una vista; los enteros (también los
    tensores enteros 0-D) quitan su eje **antes** de mirar los índices avanzados. ``avanzado``
    (``None`` si no hay) se aplica a esa vista: arrays de enteros y máscaras bool, que numpy coloca
    juntos en su sitio si son contiguos y delante si los separa un corte (la regla de PyTorch, que
    con los enteros ya quitados coincide con la de numpy). Un ``True``/``False`` suelto añade un eje
    de tamaño 1 o 0."""
    if isinstance(index, tuple):
        items = list(index)
    elif _as_sequence_tuple(index):
        warnings.warn("usar una lista (no una tupla) para indexar varios ejes está obsoleto (también en "
                      "PyTorch): escribe x[tuple(lista)]", UserWarning, stacklevel=3)
        items = list(index)
    else:
        items = [index]
    ndim = len(shape)
    # cuántos ejes de la entrada consume cada elemento (para expandir ``...``)
    used, ellipsis = 0, None
    parsed = []
    for k, it in enumerate(items):
        if it is Ellipsis:
            if ellipsis is not None:
                raise IndexError("un índice sólo puede tener un '...' (Ellipsis)")
            ellipsis = k
            parsed.append(("...", None))
        elif it is None:
            parsed.append(("new", None))
        elif isinstance(it, (bool, np.bool_)):
            parsed.append(("bool", bool(it)))
        elif isinstance(it, slice):
            if it.step is not None and int(it.step) <= 0:
                raise ValueError("el paso de un corte debe ser mayor que cero (PyTorch no admite pasos "
                                 "negativos: usa .flip())")
            parsed.append(("slice", it))
            used += 1
        elif isinstance(it, (numbers.Integral, np.integer)):
            parsed.append(("int", int(it)))
            used += 1
        else:
            a = _index_array(it)
            if a.ndim == 0 and a.dtype.kind in "iu":
                parsed.append(("int", int(a)))
                used += 1
            elif a.ndim == 0:
                parsed.append(("bool", bool(a)))
            else:
                parsed.append(("array", a))
                used += a.ndim if a.dtype == np.bool_ else 1
    if used > ndim:
        raise IndexError(f"demasiados índices para un tensor de {ndim} dimensiones (se indexan {used})")
    if ellipsis is not None:
        k = parsed.index(("...", None))
        parsed[k:k + 1] = [("slice", slice(None))] * (ndim - used)
    basic, adv, has_adv, dim = [], [], False, 0
    for kind, it in parsed:
        if kind == "int":
            n = shape[dim]
            if not -n <= it < n:
                raise IndexError(f"el índice {it} está fuera de rango para el eje {dim} de tamaño {n}")
            basic.append(it)
            dim += 1
        elif kind == "slice":
            basic.append(it)
            adv.append(slice(None))
            dim += 1
        elif kind == "new":
            basic.append(None)
            adv.append(slice(None))
        elif kind == "bool":
            basic.append(None)
            adv.append(np.zeros(int(it), dtype=np.int64))
            has_adv = True
        else:
            has_adv = True
            if it.dtype == np.bool_:
                k = it.ndim
                if tuple(it.shape) != tuple(shape[dim:dim + k]):
                    raise IndexError(f"la máscara de forma {tuple(it.shape)} no coincide con los ejes "
                                     f"{dim}..{dim + k - 1} del tensor (forma {tuple(shape)})")
                basic.extend([slice(None)] * k)
                dim += k
            else:
                n = shape[dim]
                if it.size and (it.min() < -n or it.max() >= n):
                    bad = int(it.min()) if it.min() < -n else int(it.max())
                    raise IndexError(f"el índice {bad} está fuera de rango para el eje {dim} de tamaño {n}")
                basic.append(slice(None))
                dim += 1
            adv.append(it)
    basic.append(Ellipsis)  # así una selección con sólo enteros es una vista 0-D, no una copia
    return tuple(basic), (tuple(adv) if has_adv else None)


# -- coma flotante -------------------------------------------------------------------------
def float_in(t):
    """Las funciones trascendentes de enteros/bool dan el flotante por defecto (``exp(int)`` → float32)."""
    if t._data.dtype.kind == "f":
        return t
    return Cast.apply(t, dtype=D.get_default_dtype().np)


def floats_only(t, op):
    """``NotImplementedError`` si ``t`` no es de coma flotante: el error de PyTorch cuando una función
    elemento a elemento o una activación no tiene núcleo para enteros ("not implemented for 'Long'").
    (Las de ``torch.linalg`` dan ``RuntimeError``: ``float_input``.)"""
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f"'{op}' sólo está definida para tensores de coma flotante, no para "
                                  f"{D._BY_NP[t._data.dtype]} (convierte con .float())")


def float_input(x, op, dtype=None):
    """``x`` (convertido a ``dtype`` si se da) o ``RuntimeError`` (como PyTorch) si no es de coma flotante (normas)."""
    if dtype is not None:
        x = x.type(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: se esperaba un tensor de coma flotante, y es {x.dtype} (usa .float())")
    return x



# -- promoción de tipos --------------------------------------------------------------------
def is_scalar(x) -> bool:
    """Un número real de Python o de numpy (o un bool): un complejo no lo es (se rechaza al convertirlo)."""
    return (isinstance(x, (numbers.Real, np.number, np.bool_))
            and not isinstance(x, (np.ndarray, np.complexfloating)))


def tensor_other(o, op, name="other", position=2):
    """``o`` si es un tensor; si no, ``TypeError`` como PyTorch (``maximum``, ``atan2``, ``lerp``...
    no admiten un número de Python en ese argumento)."""
    if not isinstance(o, TensorBase):
        raise TypeError(f"{op}(): el argumento '{name}' (posición {position}) debe ser un Tensor, no "
                        f"{type(o).__name__} (como en PyTorch; crea uno con tinygrad_es.tensor(...))")
    return o


def no_bool(*xs, op):
    """``RuntimeError`` (como PyTorch) si algún operando de una resta es bool (tensor o ``True``)."""
    for x in xs:
        if isinstance(x, (bool, np.bool_)) or (isinstance(x, TensorBase) and x._data.dtype == np.bool_):
            raise RuntimeError(f"{op}: la resta con un tensor bool no está definida; para invertir una máscara usa "
                               f"~ o logical_not()")


def no_bool_input(t, op):
    """``NotImplementedError`` (como PyTorch) para las operaciones que no tienen versión bool (también con
    un tensor vacío: PyTorch elige el núcleo por el dtype antes de mirar el tamaño)."""
    if t._data.dtype == np.bool_:
        raise NotImplementedError(f"'{op}' no está implementada para tensores bool (tampoco en PyTorch); convierte "
                                  f"con .long() o .float()")


def alpha_arg(alpha, b, op):
    """``alpha`` de ``add``/``sub`` como tensor del dtype común, con las reglas de PyTorch: un alpha
    decimal no vale con enteros y un alpha bool sólo con un resultado bool."""
    kind = b._data.dtype.kind
    if kind in "iub" and isinstance(alpha, (float, np.floating)):
        raise RuntimeError(f"{op}: con tensores enteros, alpha no puede ser un número decimal ({alpha})")
    if kind != "b" and isinstance(alpha, (bool, np.bool_)):
        raise RuntimeError(f"{op}: un alpha bool sólo vale si el resultado es bool")
    return TensorBase._wrap(np.asarray(alpha).astype(b._data.dtype))


def as_operand(x, npd: np.dtype):
    """``x`` (Tensor, número, lista o ndarray) como tensor de dtype ``npd`` (convertir un tensor
    es una operación diferenciable)."""
    if isinstance(x, TensorBase):
        if x._data.dtype == npd:
            return x
        return Cast.apply(x, dtype=npd)
    if is_scalar(x):  # astype: un entero fuera de rango da la vuelta, como en PyTorch (uint8 + -1 → 255)
        return TensorBase._wrap(np.asarray(x).astype(npd))
    return TensorBase._wrap(to_array(x, npd))


def dtype_of(x):
    """``x`` tal cual si es un tensor o un número; si no (lista, ndarray), su ndarray (para ``result_type``)."""
    if isinstance(x, TensorBase) or is_scalar(x):
        return x
    return to_array(x)


def promote(*xs, float_out=False):
    """Los operandos (tensores, números, listas o ndarrays) convertidos al dtype común de PyTorch
    (``float_out``: enteros y bool → el flotante por defecto, como ``/`` o ``atan2``)."""
    xs = [dtype_of(x) for x in xs]
    npd = D.result_type(*xs)
    if float_out:
        npd = D.float_result(npd)
    return [as_operand(x, npd) for x in xs]
