"""Las ventanas del pooling, comunes al máximo y a la media: el tamaño de salida (regla de
PyTorch, con ``ceil_mode``) y la ventana i del pooling adaptativo."""
from numba import njit


def pool_output_size(size, k, stride, pad, dilation=1, ceil_mode=False):
    """Regla de PyTorch (``pooling_output_shape``): con ``ceil_mode`` la última ventana
    puede salirse por abajo/derecha, pero debe empezar dentro de la entrada o del relleno
    izquierdo."""
    num = size + 2 * pad - dilation * (k - 1) - 1
    out = (num + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


@njit(cache=True)
def _adaptive_window(i, size, osize):
    """Ventana i del pooling adaptativo (regla de PyTorch): [⌊i·size/osize⌋, ⌈(i+1)·size/osize⌉)."""
    return (i * size) // osize, -((-(i + 1) * size) // osize)
