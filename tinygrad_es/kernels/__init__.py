"""Núcleos numba (código de arrays puro, sin autograd): convolución (directa, Winograd,
im2col, traspuesta), pooling y reescalado.

La capa de hilos ``workqueue`` se elige al importar el paquete (``_runtime.py``):
la capa ``omp`` deja hilos girando que compiten con BLAS por los núcleos (medido
aquí: hasta 9x más lento en un par núcleo+matmul).
"""
import os
import warnings

import numba

def _warn_if_omp_already_running():
    """Si numba ya arrancó sus hilos con OpenMP antes de importar tinygrad_es (p. ej. tras
    ``numba.set_num_threads``), la capa elegida aquí ya no se aplica: avisar, porque los
    hilos OpenMP en espera activa le roban los núcleos a BLAS (medido: paso 4x más lento)."""
    try:
        layer = numba.threading_layer()
    except ValueError:  # aún no inicializado: se usará workqueue
        return
    if layer == "omp" and os.environ.get("OMP_WAIT_POLICY", "").lower() != "passive":
        warnings.warn("numba ya usa la capa de hilos 'omp' (se inicializó antes de importar tinygrad_es); "
                      "las convoluciones pueden ir varias veces más lentas. Importa tinygrad_es antes de "
                      "llamar a numba.set_num_threads, o define NUMBA_THREADING_LAYER=workqueue u "
                      "OMP_WAIT_POLICY=passive", RuntimeWarning, stacklevel=3)


_warn_if_omp_already_running()

from ._parallel import parallel_kernel, uses_lock  # noqa: E402
from .conv import (ALGOS, ConvState, choose_algo, conv2d_backward, conv2d_forward, conv2d_input_grad,  # noqa: E402
                   conv_output_size, conv_release)
from .conv_transpose import (conv_transpose2d_backward, conv_transpose2d_forward,  # noqa: E402
                             conv_transpose_output_size)
from .im2col import col2im, im2col, pad_input  # noqa: E402
from .pool import (adaptive_max_pool2d_forward, max_pool2d_backward, max_pool2d_forward,  # noqa: E402
                   max_pool2x2_backward, max_pool2x2_forward, max_unpool2d_backward, max_unpool2d_forward,
                   pool_output_size)
from .pool_avg import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward, avg_pool2d_backward,  # noqa: E402
                       avg_pool2d_forward, avg_pool2x2_backward, avg_pool2x2_forward)
from .upsample import (linear_weights, nearest_indices, upsample_bilinear2d_backward,  # noqa: E402
                       upsample_bilinear2d_forward, upsample_nearest2d_backward, upsample_nearest2d_forward)
from .workspace import workspace  # noqa: E402
from . import blas  # noqa: E402

blas.apply_default()  # hilos de OpenBLAS que giran ~1,5 ms en vez de ~100 ms tras cada GEMM (blas.py)

__all__ = ["workspace", "parallel_kernel", "uses_lock", "blas",
           "ALGOS", "ConvState", "choose_algo", "conv2d_forward", "conv2d_backward", "conv2d_input_grad",
           "conv_output_size", "conv_release", "conv_transpose2d_forward", "conv_transpose2d_backward",
           "conv_transpose_output_size", "im2col", "col2im", "pad_input",
           "pool_output_size", "max_pool2d_forward", "max_pool2d_backward", "max_pool2x2_forward",
           "max_pool2x2_backward", "adaptive_max_pool2d_forward", "max_unpool2d_forward", "max_unpool2d_backward",
           "avg_pool2d_forward", "avg_pool2d_backward", "avg_pool2x2_forward", "avg_pool2x2_backward",
           "adaptive_avg_pool2d_forward", "adaptive_avg_pool2d_backward",
           "nearest_indices", "linear_weights", "upsample_nearest2d_forward", "upsample_nearest2d_backward",
           "upsample_bilinear2d_forward", "upsample_bilinear2d_backward"]
