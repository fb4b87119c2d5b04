"""Lo que ``vision`` usa del ``Tensor`` del paquete, importado de los módulos que lo definen y no del
espacio de nombres ``tinygrad_es`` (que está por encima en el orden de lectura: ``vision`` va junto a
``utils.data``). Es el único fichero de ``vision`` que sabe de dónde sale cada cosa."""
from .._dtype import float32, get_default_dtype
from .._random import Generator, default_generator
from .._tensor import Tensor
from .._tensor.creation import as_tensor, empty, from_numpy, randint, randn, randperm, tensor
from .._tensor.joins import stack
from ..autograd import no_grad

__all__ = ["Tensor", "as_tensor", "empty", "from_numpy", "randint", "randn", "randperm", "tensor", "float32",
           "get_default_dtype", "stack", "Generator", "default_generator", "no_grad"]
