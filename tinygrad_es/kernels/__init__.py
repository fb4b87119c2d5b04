"""Núcleos numba (código de arrays puro, sin autograd): convolución y pooling.

Se fija la capa de hilos ``workqueue`` salvo que el usuario elija otra con
``NUMBA_THREADING_LAYER``: la capa ``omp`` por defecto deja hilos girando que
compiten con BLAS por los núcleos (medido aquí: hasta 9x más lento en un par
núcleo+matmul).
"""
import os

import numba

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

from .conv import (conv2d_backward, conv2d_forward, conv_output_size, col2im, im2col, pad_input)  # noqa: E402
from .workspace import workspace  # noqa: E402
from .pool import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward, avg_pool2d_backward,  # noqa: E402
                   avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward, max_pool2x2_backward,
                   max_pool2x2_forward)

__all__ = ["workspace", "pad_input", "conv2d_forward", "conv2d_backward", "conv_output_size", "im2col", "col2im",
           "max_pool2d_forward", "max_pool2d_backward", "max_pool2x2_forward", "max_pool2x2_backward", "avg_pool2d_forward", "avg_pool2d_backward",
           "adaptive_avg_pool2d_forward", "adaptive_avg_pool2d_backward"]
