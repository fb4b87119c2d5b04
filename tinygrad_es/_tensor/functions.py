"""Las funciones de nivel superior de PyTorch que son un método de ``Tensor``: ``torch.exp(x)`` es
``x.exp()``, ``torch.sum(x, 1)`` es ``x.sum(1)``...

Se generan a partir de dos listas (``METHOD_FUNCTIONS`` y ``OPS_METHOD_FUNCTIONS``) para que no haya
dos copias de cada operación. Las que no son un método (``einsum``, ``tensordot``, ``meshgrid``...)
están en ``functional.py`` (como ``torch/functional.py``) y ``cat``/``stack``/``where`` en
``joins.py``. Este módulo define ``sum``, ``min``, ``max``, ``abs``, ``round``...: por eso no
contiene código que use esas funciones de Python.
"""
from __future__ import annotations

import inspect

from ..autograd import TensorBase
from ._args import is_scalar
from .arithmetic import div_rounding
from .out import OPERAND_KEYWORDS, write_out
from .special import xlogy as _xlogy

# métodos de Tensor que también son funciones: torch.NOMBRE(input, *args, **kwargs)
METHOD_FUNCTIONS = (
    "sum mean var std max min amax amin argmax argmin any all logsumexp softmax log_softmax "
    "exp log sqrt abs absolute tanh sigmoid relu neg negative clamp clip maximum minimum pow "
    "add sub subtract mul multiply div divide true_divide matmul mm bmm mv dot "
    "flatten transpose swapaxes swapdims permute reshape squeeze unsqueeze t numel allclose equal "
    "lt le gt ge eq ne less less_equal greater greater_equal not_equal clone detach "
    "is_floating_point").split()


def _scaled(t, alpha):
    return t if alpha == 1 else t * alpha


# las que PyTorch acepta con un número delante (sus sobrecargas "Scalar"): torch.add(2, x)...
_SCALAR_FIRST = {
    "add": lambda a, t, alpha=1: _scaled(t, alpha).__radd__(a),
    "sub": lambda a, t, alpha=1: _scaled(t, alpha).__rsub__(a),
    "mul": lambda a, t: t.__rmul__(a),
    "div": lambda a, t, rounding_mode=None: t.__rtruediv__(a) if rounding_mode is None else div_rounding(a, t, rounding_mode),
    "pow": lambda a, t: t.__rpow__(a),
    "remainder": lambda a, t: t.__rmod__(a),
    "floor_divide": lambda a, t: t.__rfloordiv__(a),
}
_SCALAR_FIRST["xlogy"] = _xlogy
_SCALAR_FIRST.update(subtract=_SCALAR_FIRST["sub"], multiply=_SCALAR_FIRST["mul"], divide=_SCALAR_FIRST["div"],
                     true_divide=_SCALAR_FIRST["div"])


def _accepts(method, kw) -> bool:
    try:
        return kw in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return True


def _make(name):
    def fn(*args, out=None, **kwargs):
        if "input" in kwargs:  # torch.matmul(input=a, other=b): los nombres de PyTorch
            args = (kwargs.pop("input"),) + args
        if not args:
            raise TypeError(f"{name}() necesita el argumento 'input' (un Tensor)")
        input, args = args[0], args[1:]
        if not args:
            for k in OPERAND_KEYWORDS:
                if k in kwargs and not _accepts(getattr(type(input), name, None), k):
                    args = (kwargs.pop(k),)
                    break
        if not isinstance(input, TensorBase):
            if name in _SCALAR_FIRST and is_scalar(input) and args and isinstance(args[0], TensorBase):
                res = _SCALAR_FIRST[name](input, *args, **kwargs)
                return res if out is None else write_out(name, out, res)
            raise TypeError(f"{name}(): el argumento 'input' (posición 1) debe ser un Tensor, no "
                            f"{type(input).__name__} (como en PyTorch; crea uno con tinygrad_es.tensor(...))")
        res = getattr(input, name)(*args, **kwargs)
        return res if out is None else write_out(name, out, res)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``{name}(input, ..., out=None)`` es ``input.{name}(...)``; véase ``Tensor.{name}``. "
                  f"Con ``out=`` escribe el resultado en ese tensor (``_tensor/out.py``).")
    return fn


OPS_METHOD_FUNCTIONS = (
    "sin cos tan asin acos atan arcsin arccos arctan sinh cosh asinh acosh atanh arcsinh arccosh arctanh "
    "log2 log10 log1p exp2 expm1 rsqrt reciprocal square erf erfc sign sgn floor ceil round trunc fix frac "
    "lgamma digamma erfinv i0 "
    "lerp hypot logaddexp fmod remainder floor_divide atan2 arctan2 isnan isinf isposinf isneginf isfinite "
    "isclose nan_to_num signbit logical_and logical_or logical_not logical_xor bitwise_and bitwise_or "
    "bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift "
    "gather scatter scatter_add scatter_reduce index_select index_add index_reduce index_fill index_copy index_put put "
    "masked_fill "
    "masked_select "
    "take nonzero argwhere count_nonzero "
    "nonzero_static "
    "sort argsort msort topk kthvalue median nanmedian mode unique unique_consecutive cumsum cumprod cummax "
    "cummin logcumsumexp diff prod aminmax norm "
    "tile tensor_split chunk unbind flip fliplr flipud roll rot90 tril triu diag diag_embed diagonal "
    "trace unflatten movedim moveaxis narrow select broadcast_to outer ger cross ravel split_with_sizes renorm "
    # special.py y blas.py (compuestas de otras operaciones)
    "xlogy logit sinc deg2rad rad2deg copysign float_power heaviside fmax fmin logaddexp2 clamp_min clamp_max "
    "positive addmm addmv addbmm baddbmm addr addcmul addcdiv inner vdot kron ldexp frexp gcd lcm nextafter isreal "
    "igamma igammac lu lu_solve geqrf orgqr ormqr "
    "is_same_size is_signed as_strided as_strided_scatter mvlgamma masked_scatter matrix_power slogdet logdet svd qr cholesky pinverse cholesky_solve cholesky_inverse matrix_exp triangular_solve "
    "select_scatter slice_scatter diagonal_scatter "
    # statistics.py y stacking.py
    "nansum nanmean quantile nanquantile cov corrcoef bincount dist zero_ take_along_dim diagflat "
    "multinomial bernoulli histc histogram").split()

# las in situ que PyTorch también ofrece como función: torch.exp_(x) es x.exp_()
INPLACE_METHOD_FUNCTIONS = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ atanh_ "
    "ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ exp2_ exp_ expm1_ fill_ "
    "fix_ floor_ frac_ gcd_ i0_ index_put_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ "
    "negative_ rad2deg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ "
    "trunc_ xlogy_ resize_as_").split()

# complejos y espectros (spectral.py, complex.py)
SPECTRAL_METHOD_FUNCTIONS = "stft istft angle conj conj_physical resolve_conj is_complex".split()

for _n in METHOD_FUNCTIONS + OPS_METHOD_FUNCTIONS + SPECTRAL_METHOD_FUNCTIONS + INPLACE_METHOD_FUNCTIONS:
    globals()[_n] = _make(_n)


def _slice(t, dim=0, start=None, end=None, step=1):
    return t[(slice(None),) * (dim % t.ndim) + (slice(start, end, step),)]


# torch.X_copy(input, ...) = input.X(...) con memoria propia y contigua (las vistas, copiadas)
COPY_FUNCTIONS = {"alias_copy": lambda t: t, "slice_copy": _slice}
COPY_FUNCTIONS.update({f"{m}_copy": m for m in (
    "diagonal expand permute squeeze t transpose unbind unfold unsqueeze view narrow split split_with_sizes "
    "select detach as_strided").split()})


def _make_copy(name, method):
    def fn(input, *args, out=None, **kwargs):
        if not isinstance(input, TensorBase):
            raise TypeError(f"{name}(): el argumento 'input' debe ser un Tensor, no {type(input).__name__}")
        res = method(input, *args, **kwargs) if callable(method) else getattr(input, method)(*args, **kwargs)
        res = tuple(r.clone().contiguous() for r in res) if isinstance(res, (tuple, list)) else res.clone().contiguous()
        return res if out is None else write_out(name, out, res)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}(input, ...)``: como ``input.{name[:-5]}(...)`` pero con memoria propia (una copia)."
    return fn


for _n, _m in COPY_FUNCTIONS.items():
    globals()[_n] = _make_copy(_n, _m)
# las «unsafe» de PyTorch no comprueban los usos in situ de los trozos: aquí son las normales
UNSAFE_FUNCTIONS = {"unsafe_chunk": "chunk", "unsafe_split": "split", "unsafe_split_with_sizes": "split_with_sizes"}
for _n, _m in UNSAFE_FUNCTIONS.items():
    globals()[_n] = _make(_m)
    globals()[_n].__name__ = _n

__all__ = (list(METHOD_FUNCTIONS) + list(OPS_METHOD_FUNCTIONS) + list(SPECTRAL_METHOD_FUNCTIONS)
           + list(INPLACE_METHOD_FUNCTIONS) + list(COPY_FUNCTIONS) + list(UNSAFE_FUNCTIONS))
