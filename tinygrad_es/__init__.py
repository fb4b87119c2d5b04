"""tinygrad_es: un motor de autograd para aprender (y entrenar CNN de verdad en la CPU).

Se usa como PyTorch::

    import tinygrad_es as torch
    x = torch.tensor([1., 2.], requires_grad=True)
    (x * x).sum().backward()
    x.grad                      # tensor([2., 4.])

y también tiene el motor escalar de los apuntes: ``from tinygrad_es import Value``.

Mapa de lectura (cada capa sólo importa de las anteriores; ``tests/test_architecture.py``):

1. ``autograd/``: los motores. ``value.py`` (``Value``, el escalar), ``graph.py``/``array_function.py``/
   ``engine.py`` (el grafo de los tensores, la ``ArrayFunction`` interna y ``backward``),
   ``higher_order.py`` (derivadas de derivadas), ``function.py`` (la ``Function`` de PyTorch),
   ``gradcheck.py`` (``torch.autograd.gradcheck``), ``protocol.py`` (lo común).
2. ``ops/``: una ``ArrayFunction`` por operación sobre arrays de numpy, con su derivada en el docstring.
3. ``kernels/``: los núcleos numba/BLAS (convolución, pooling...) que usan las ``ops`` rápidas.
4. ``_tensor/``: la fachada de PyTorch: ``Tensor`` (un mixin por familia de ``ops/``), la creación,
   ``torch.x`` y ``torch.linalg``; sobre ella, ``autograd/functional.py`` (jacobianas, hessianas) y
   ``func.py`` (``torch.func``: ``grad``, ``vmap``, ``jacrev``...).
5. ``nn/``: ``Module``, capas (``modules/``) y funciones (``functional/``), ``init``, ``utils``.
6. ``optim/``; ``utils/data`` (``DataLoader``); ``data/`` (los datos del curso); ``serialization/``.
7. ``models.py``, ``train.py``, ``metrics.py``, ``gradcheck.py``.
8. ``viz/`` (grafos, explicación paso a paso, saliencia, gráficas).
9. ``cli.py``, ``web/``, ``demos/``.

Este fichero sólo reexporta: es el espacio de nombres ``torch``.
"""
from ._runtime import import_numba, prefer_threading_layer, tune_malloc

prefer_threading_layer()  # OpenMP con espera corta: hilos que no compiten con BLAS (_runtime.py)
tune_malloc()  # menos fallos de página en el entrenamiento (véase _runtime.py)
import_numba()  # sin scipy ni yaml (~37 ms; _runtime.py)

from . import _dtype as _D  # noqa: E402
from ._dtype import (dtype, get_default_dtype, set_default_dtype, float32, float64, float16,  # noqa: E402
                     int64, int32, int16, int8, uint8)
from ._random import Generator, manual_seed, seed, initial_seed, default_generator  # noqa: E402
from .autograd import (Function, no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: E402
                       is_grad_enabled, is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled,
                       is_inference_mode_enabled)
from ._tensor import Tensor, Size  # noqa: E402
from ._tensor.printing import set_printoptions  # noqa: E402
from ._tensor.creation import *  # noqa: E402,F401,F403
from ._tensor.creation import __all__ as _creation_all  # noqa: E402
from ._tensor.functions import *  # noqa: E402,F401,F403
from ._tensor.functions import METHOD_FUNCTIONS as _MF, OPS_METHOD_FUNCTIONS as _ops_all  # noqa: E402
from ._tensor.functions import INPLACE_METHOD_FUNCTIONS as _inplace_all, COPY_FUNCTIONS, UNSAFE_FUNCTIONS  # noqa: E402,E501
from ._tensor.functional import *  # noqa: E402,F401,F403
from ._tensor.decompositions import svd_lowrank, pca_lowrank  # noqa: E402
from ._tensor.joins import cat, concat, concatenate, stack, where  # noqa: E402,F401
from .kernels.threads import (set_num_threads, get_num_threads, set_num_interop_threads,  # noqa: E402
                              get_num_interop_threads)
from ._tensor.stacking import _chunk_cat  # noqa: E402,F401
from ._tensor.stacking import (atleast_1d, atleast_2d, atleast_3d, hstack, vstack, row_stack, dstack,  # noqa: E402
                               column_stack, hsplit, vsplit, dsplit, block_diag, cartesian_prod)
from ._tensor.statistics import isin, bucketize, searchsorted, cdist  # noqa: E402
from ._tensor.convert import (memory_format, preserve_format, contiguous_format, channels_last,  # noqa: E402
                              channels_last_3d)
from ._tensor.random import normal, poisson, get_rng_state, set_rng_state  # noqa: E402
from ._tensor.integration import trapezoid, trapz, cumulative_trapezoid  # noqa: E402
from ._tensor.rearrange import combinations  # noqa: E402
from ._tensor.new import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,  # noqa: E402
                          IntTensor, LongTensor, ShortTensor)
from . import linalg  # noqa: E402,F401  (tinygrad_es.linalg como torch.linalg)
from .device import device, cuda, get_default_device, set_default_device  # noqa: E402
from . import backends  # noqa: E402,F401  (torch.backends: sin GPU)
from .backends import accelerator  # noqa: E402,F401
from . import return_types  # noqa: E402,F401
from .autograd.value import Value  # noqa: E402
from ._dtype import finfo, iinfo, promote_types, can_cast  # noqa: E402
from ._tensor.storage import strided  # noqa: E402
from ._tensor.interop import asarray, frombuffer, range, scalar_tensor, empty_strided, cond, while_loop  # noqa: E402,A004,E501
from .func import vmap  # noqa: E402
from ._settings import (use_deterministic_algorithms, are_deterministic_algorithms_enabled,  # noqa: E402
                        is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode,
                        get_deterministic_debug_mode, set_float32_matmul_precision, get_float32_matmul_precision,
                        compile, set_warn_always, is_warn_always_enabled, set_flush_denormal)

bool = _D.bool_  # noqa: A001 - tinygrad_es.bool, como torch.bool
float, double, half = float32, float64, float16  # noqa: A001
long, int, short = int64, int32, int16  # noqa: A001

__version__ = "0.2.0"

from .serialization import load, save  # noqa: E402
from . import nn, optim, utils  # noqa: E402,F401  (tinygrad_es.nn como torch.nn, .optim, .utils.data)
from . import amp  # noqa: E402,F401  (torch.amp: autocast y GradScaler)
from .amp import autocast  # noqa: E402
cuda.amp = amp  # torch.cuda.amp.autocast / GradScaler (la forma antigua)
from .nn.functional._torch_level import *  # noqa: E402,F401,F403  (torch.conv2d, torch.dropout...)
from .nn.functional._torch_level import __all__ as _torch_level_all  # noqa: E402
from . import testing, special  # noqa: E402,F401  (torch.testing: assert_close; torch.special)
# complejos, ventanas, stft/istft (en _tensor/functions.py) y torch.fft: el audio se apoya en ellos
from ._dtype import complex64, complex128  # noqa: E402
from ._tensor.complex import view_as_real, view_as_complex, complex, polar, real, imag  # noqa: E402
from ._tensor.functions import SPECTRAL_METHOD_FUNCTIONS as _spectral  # noqa: E402
from ._tensor.windows import (hann_window, hamming_window, blackman_window, bartlett_window,  # noqa: E402
                              kaiser_window)
from . import fft  # noqa: E402,F401  (tinygrad_es.fft como torch.fft)
from . import signal  # noqa: E402,F401  (tinygrad_es.signal.windows como torch.signal.windows)
cfloat, cdouble = complex64, complex128
from . import func  # noqa: E402,F401  (torch.func)
from . import masked  # noqa: E402,F401  (torch.masked: reducciones con mask=)
from ._tensor.interop import empty_permuted  # noqa: E402
from ._tensor.finite_diff import gradient  # noqa: E402  (torch.gradient: diferencias finitas)
from ._tensor.histogram import histogramdd  # noqa: E402
from .autograd import functional as _autograd_functional  # noqa: E402,F401  (torch.autograd.functional)

__all__ = (["Value", "Tensor", "Size", "Function", "no_grad", "enable_grad", "set_grad_enabled",
            "inference_mode", "is_grad_enabled", "manual_seed", "seed", "initial_seed", "Generator",
            "default_generator", "dtype", "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool", "float", "double", "half", "long", "int", "short", "get_default_dtype", "set_default_dtype", "device", "cuda",
            "cat", "concat", "stack", "where", "set_printoptions", "memory_format", "preserve_format", "contiguous_format",
            "channels_last", "channels_last_3d", "atleast_1d", "atleast_2d", "atleast_3d", "hstack",
            "vstack", "row_stack", "dstack", "column_stack", "hsplit", "vsplit", "dsplit", "block_diag",
            "cartesian_prod", "isin", "bucketize", "searchsorted", "cdist", "set_num_threads", "get_num_threads",
            "set_num_interop_threads", "get_num_interop_threads", "testing", "special", "nn", "optim", "utils", "save", "load", "linalg"] + list(_creation_all) + list(_MF)
           + list(_ops_all) + list(_inplace_all) + list(_torch_level_all) + list(COPY_FUNCTIONS) + list(UNSAFE_FUNCTIONS) + ["einsum", "tensordot", "meshgrid", "std_mean", "var_mean", "broadcast_tensors",
                               "broadcast_shapes", "repeat_interleave", "det", "inverse", "split",
                               "rsub", "fill", "unravel_index", "trapezoid", "trapz", "cumulative_trapezoid",
                               "combinations", "finfo", "iinfo", "promote_types", "can_cast", "get_rng_state",
                               "set_rng_state", "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
                               "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
                               "get_deterministic_debug_mode", "set_float32_matmul_precision",
                               "get_float32_matmul_precision", "compile", "set_warn_always", "is_warn_always_enabled",
                               "set_flush_denormal", "autocast", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
                               "set_anomaly_enabled", "is_inference_mode_enabled", "strided", "asarray", "frombuffer", "range", "scalar_tensor", "empty_strided",
                               "cond", "while_loop", "vmap", "svd_lowrank", "pca_lowrank", "result_type", "lu_unpack"]
           + list(_spectral) + ["complex64", "complex128", "cfloat", "cdouble", "view_as_real", "view_as_complex",
                                "complex", "polar", "real", "imag", "hann_window", "hamming_window",
                                "blackman_window", "bartlett_window", "kaiser_window", "fft"]
           + ["normal", "poisson", "distributions", "LongTensor", "FloatTensor", "DoubleTensor", "IntTensor",
              "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "HalfTensor", "backends", "accelerator",
              "set_default_device", "get_default_device"]
           + ["empty_permuted", "gradient", "histogramdd"])
