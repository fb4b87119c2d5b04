"""Convolución 2-D en arrays: ``dispatch.py`` elige el algoritmo (``choose_algo`` el del forward,
siempre el directo, equivariante por traslación; ``choose_backward`` el del backward, por forma) y
orquesta sus núcleos; cada algoritmo vive en su fichero.

* ``winograd_f2.py`` / ``winograd_f4.py``: Winograd F(2×2, 3×3) y F(4×4, 3×3) (3×3, stride 1), en el
  backward;
* ``backward.py``: los gradientes con el algoritmo elegido para cada uno;
* ``direct.py``: núcleo directo (todos los forward; en el backward, depthwise, grupos, dilatadas), y
  ``direct_weight_grad.py`` su gradiente de pesos;
* ``direct_blocked.py``: el forward de las 3×3 con muchos canales y planos pequeños (≥ 32 canales,
  ≤ 12²: 3.ª etapa de ResNet, CIFAR), con la entrada por bloques de 8 canales (NCHW8c) y el vector
  sobre los canales de salida;
* ``im2col.py`` (el lote entero) e ``im2col_image.py`` (imagen a imagen, en la caché): el caso
  general, im2col + GEMM;
* ``transpose.py``: la convolución traspuesta, el adjunto de la directa;
* ``taps.py``: ∂L/∂x tap a tap (sin transformadas) cuando el gradiente que llega no es finito.
"""
from .backward import conv2d_backward, conv2d_input_grad
from .dispatch import ALGOS, ConvState, choose_algo, choose_backward, conv2d_forward, conv_output_size, conv_release
from .im2col import col2im, im2col, pad_input
from .transpose import conv_transpose2d_backward, conv_transpose2d_forward, conv_transpose_output_size

__all__ = ["ALGOS", "ConvState", "choose_algo", "choose_backward", "conv2d_forward", "conv2d_backward",
           "conv2d_input_grad", "conv_output_size", "conv_release", "conv_transpose2d_forward",
           "conv_transpose2d_backward",
           "conv_transpose_output_size", "im2col", "col2im", "pad_input"]
