"""Las funciones de nivel superior de PyTorch que son un método de ``Tensor``: ``torch.exp(x)`` es
``x.exp()``, ``torch.sum(x, 1)`` es ``x.sum(1)``...

Se generan a partir de dos listas (``METHOD_FUNCTIONS`` y ``OPS_METHOD_FUNCTIONS``) para que no haya
dos copias de cada operación. Las que no son un método (``einsum``, ``tensordot``, ``meshgrid``...)
están en ``functional.py`` (como ``torch/functional.py``) y ``cat``/``stack``/``where`` en
``joins.py``. Este módulo define ``sum``, ``min``, ``max``, ``abs``, ``round``...: por eso no
contiene código que use esas funciones de Python.
"""
from __future__ import annotations

from ..autograd import TensorBase
from .creation import tensor

# métodos de Tensor que también son funciones: torch.NOMBRE(input, *args, **kwargs)
METHOD_FUNCTIONS = (
    "sum mean var std max min amax amin argmax argmin any all logsumexp softmax log_softmax "
    "exp log sqrt abs absolute tanh sigmoid relu neg negative clamp clip maximum minimum pow "
    "add sub subtract mul multiply div divide true_divide matmul mm bmm mv dot "
    "flatten transpose swapaxes swapdims permute reshape squeeze unsqueeze t numel allclose equal "
    "lt le gt ge eq ne less less_equal greater greater_equal not_equal clone detach "
    "is_floating_point").split()


def _make(name):
    def fn(input, *args, **kwargs):
        if not isinstance(input, TensorBase):
            input = tensor(input)
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}(input, ...)`` es ``input.{name}(...)``; véase ``Tensor.{name}``."
    return fn


OPS_METHOD_FUNCTIONS = (
    "sin cos tan asin acos atan arcsin arccos arctan sinh cosh asinh acosh atanh arcsinh arccosh arctanh "
    "log2 log10 log1p exp2 expm1 rsqrt reciprocal square erf erfc sign sgn floor ceil round trunc fix frac "
    "lerp hypot logaddexp fmod remainder floor_divide atan2 arctan2 isnan isinf isposinf isneginf isfinite "
    "isclose nan_to_num signbit logical_and logical_or logical_not logical_xor bitwise_and bitwise_or "
    "bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift "
    "gather scatter scatter_add scatter_reduce index_select index_add index_fill masked_fill masked_select "
    "take nonzero argwhere count_nonzero "
    "sort argsort msort topk kthvalue median nanmedian mode unique unique_consecutive cumsum cumprod cummax "
    "cummin logcumsumexp diff prod aminmax norm "
    "tile tensor_split chunk unbind flip fliplr flipud roll rot90 tril triu diag diag_embed diagonal "
    "trace unflatten movedim moveaxis narrow broadcast_to outer ger cross").split()

for _n in METHOD_FUNCTIONS + OPS_METHOD_FUNCTIONS:
    globals()[_n] = _make(_n)

__all__ = list(METHOD_FUNCTIONS) + list(OPS_METHOD_FUNCTIONS)
