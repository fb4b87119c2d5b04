"""Núcleos numba (código de arrays puro, sin autograd): todo ``@njit`` del paquete vive aquí.

* ``conv/``: convolución (elección del algoritmo, Winograd, directa, im2col, traspuesta);
* ``pool/``: pooling máximo y medio (fijo y adaptativo);
* ``normalization.py``: BatchNorm (forward y backward por canal, sumas en float64);
* ``upsample.py`` (reescalado), ``relu.py``, ``loss.py`` (entropía cruzada),
  ``linear.py`` (∂b de las lineales sobre secuencias), ``adam.py`` (el paso
  de Adam en una pasada), ``sgd.py`` (``y += α·x`` con una FMA, el paso de SGD), ``sort.py`` (los
  algoritmos de ordenación de libstdc++ que usa PyTorch), ``special.py`` (``erf``), ``gamma.py``,
  ``normal.py`` y ``bessel.py`` (las funciones especiales de ``torch.special``, con los métodos de Cephes);
* infraestructura: ``_parallel.py`` (reescribe los ``prange``), ``_pool.py`` (los hilos y el reparto),
  ``_slices.py`` (copias de trozos con bucles),
  ``blas.py``/``gemm.py`` (OpenBLAS), ``workspace.py`` (memoria reutilizada),
  ``compile_notice.py`` (avisa en stderr cuando numba compila, la primera vez), ``cache_lock.py`` (la
  caché de numba compartida entre procesos con cerrojos), ``numba_startup.py`` (el arranque de numba
  sin scipy.linalg) y ``precompile.py`` (con la caché vacía, un
  segundo proceso compila a la vez el resto del camino de la CNN).

Todos los núcleos con ``prange`` pasan por ``_parallel.parallel_kernel``: el bucle se compila sin
el compilador paralelo de numba (la parte lenta de compilar) y sus trozos se reparten entre hilos
de Python; seguros desde varios hilos y tras un ``fork``. Los pocos que no tienen esa forma usan la
capa de hilos de numba, que se elige al importar el paquete (``_runtime.py``: OpenMP con espera
corta si está); la espera activa de OpenBLAS se acorta aquí (``blas.py``).
"""
from . import cache_lock, compile_notice, numba_startup, precompile
from ._parallel import parallel_kernel, uses_lock
from .conv import (ALGOS, ConvState, choose_algo, choose_backward, col2im, conv2d_backward, conv2d_forward,
                   conv2d_input_grad, conv_output_size, conv_release, conv_transpose2d_backward,
                   conv_transpose2d_forward,
                   conv_transpose_output_size, im2col, pad_input)
from .pool import (MAX_POOL_ALGOS, adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward,
                   adaptive_max_pool2d_forward, avg_pool2d_backward, avg_pool2d_forward, avg_pool2x2_backward,
                   avg_pool2x2_forward, max_pool2d_backward, max_pool2d_forward, max_pool2x2_forward,
                   max_unpool2d_backward, max_unpool2d_forward, pool_output_size)
from .normalization import batch_norm_apply, batch_norm_backward, batch_norm_stats, batch_norm_train_forward
from .upsample import (linear_weights, nearest_indices, resample_taps, upsample_bilinear2d_backward,
                       upsample_bilinear2d_forward, upsample_nearest2d_backward, upsample_nearest2d_forward)
from .workspace import workspace
from . import blas

numba_startup.install()  # cargar un núcleo sin importar scipy.linalg (~0,1 s; numba_startup.py)
cache_lock.install()  # la caché de numba compartida entre procesos sin pisarse (cache_lock.py)
precompile.install()  # con la caché vacía, otro proceso compila el backward de la CNN a la vez (precompile.py)
compile_notice.install()  # "compilando núcleos (primera vez)… 12,3 s" en stderr, en cualquier programa
blas.apply_default()  # hilos de OpenBLAS que giran ~0,4 ms en vez de ~100 ms tras cada GEMM (blas.py)

__all__ = ["workspace", "parallel_kernel", "uses_lock", "blas",
           "ALGOS", "ConvState", "choose_algo", "choose_backward", "conv2d_forward", "conv2d_backward",
           "conv2d_input_grad", "conv_output_size", "conv_release", "conv_transpose2d_forward",
           "conv_transpose2d_backward",
           "conv_transpose_output_size", "im2col", "col2im", "pad_input",
           "pool_output_size", "MAX_POOL_ALGOS", "max_pool2d_forward", "max_pool2d_backward", "max_pool2x2_forward",
           "adaptive_max_pool2d_forward", "max_unpool2d_forward", "max_unpool2d_backward",
           "avg_pool2d_forward", "avg_pool2d_backward", "avg_pool2x2_forward", "avg_pool2x2_backward",
           "adaptive_avg_pool2d_forward", "adaptive_avg_pool2d_backward",
           "batch_norm_stats", "batch_norm_apply", "batch_norm_train_forward", "batch_norm_backward",
           "nearest_indices", "linear_weights", "resample_taps", "upsample_nearest2d_forward",
           "upsample_nearest2d_backward",
           "upsample_bilinear2d_forward", "upsample_bilinear2d_backward"]
