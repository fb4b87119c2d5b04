"""La fachada de PyTorch (como ``torch/_tensor.py``): la clase ``Tensor`` y las funciones
``torch.x``.

``tensor.py`` define ``Tensor`` a partir de un mixin por familia de operaciones, cada uno frente a
su fichero de ``ops/``:

==============  =================================================  ===========================
mixin           métodos                                            ``ops/``
==============  =================================================  ===========================
arithmetic.py   + − × ÷ ** @, comparaciones, exp/log, clamp, add_  arithmetic, unary, activation
pointwise.py    sin…erf, redondeos, %, //, lerp, lógicas y bits     arithmetic, unary
reduce.py       sum mean var max min softmax prod norm…            reduce
shape.py        reshape permute flatten expand split [] …          movement
rearrange.py    repeat flip roll tril diag cross…                  rearrange, matmul
index.py        gather scatter index_* masked_* take where         indexing
sort.py         sort topk kthvalue median mode cumsum…             sorting
convert.py      to float long clone contiguous                     copy
inplace.py      las reglas de PyTorch para x.op_() y x[i] = v      movement
==============  =================================================  ===========================

Y al lado: ``_args.py`` (las comprobaciones de argumentos y la promoción de tipos, en un solo
sitio), ``creation.py`` (``tensor``, ``zeros``, ``randn``…), ``joins.py`` (``cat``, ``stack``,
``where``), ``linalg.py`` (``torch.linalg``), ``logical.py`` (lógicas y de bits, sin gradiente) y
``functions.py`` (``torch.x(t)`` generado a partir de ``Tensor.x``). Los complejos y la STFT:
``spectral.py`` (el mixin: ``stft``, ``istft``, ``angle``... de todo tensor), ``complex.py`` (el
tensor complejo, que ``TensorBase._wrap`` elige para un ndarray complejo) y ``windows.py``
(``hann_window``...).
"""
from ._args import to_array
from .tensor import Size, Tensor
from . import complex as _complex  # noqa: E402,F401  (registra el tensor complejo)

__all__ = ["Tensor", "Size", "to_array"]
