"""``torch.masked``: reducciones y normalizaciones que sólo miran los elementos válidos de un tensor.

``mask`` (bool, con broadcasting) marca con ``True`` los elementos que cuentan; cada operación es la de
siempre sobre ``where(mask, input, identidad)``, con la identidad de cada una (0 en la suma, 1 en el
producto, −∞ en el máximo...; véase ``_mask``). Lectura: ``_mask`` → ``reductions`` → ``normalizations``.
No hay ``MaskedTensor`` (el tipo prototipo de PyTorch): las funciones reciben la máscara con ``mask=``.

    >>> import tinygrad_es as torch
    >>> torch.masked.sum(torch.tensor([1., 2., 3.]), mask=torch.tensor([True, False, True]))   # tensor(4.)
"""
from .normalizations import *  # noqa: F401,F403
from .normalizations import __all__ as _normalizations
from .reductions import *  # noqa: F401,F403
from .reductions import __all__ as _reductions

__all__ = sorted(_reductions + _normalizations)
