"""Pooling 2-D en arrays: ``max.py`` (máximo, adaptativo y ``max_unpool``), ``avg.py`` (media,
fija y adaptativa) y ``window.py`` (el tamaño de salida y las ventanas adaptativas, comunes a
los dos)."""
from .avg import (adaptive_avg_pool2d_backward, adaptive_avg_pool2d_forward, avg_pool2d_backward,
                  avg_pool2d_forward, avg_pool2x2_backward, avg_pool2x2_forward)
from .max import (MAX_POOL_ALGOS, adaptive_max_pool2d_forward, max_pool2d_backward, max_pool2d_forward,
                  max_pool2x2_forward, max_unpool2d_backward, max_unpool2d_forward)
from .window import pool_output_size

__all__ = ["pool_output_size", "MAX_POOL_ALGOS", "max_pool2d_forward", "max_pool2d_backward",
           "max_pool2x2_forward", "adaptive_max_pool2d_forward", "max_unpool2d_forward", "max_unpool2d_backward",
           "avg_pool2d_forward", "avg_pool2d_backward", "avg_pool2x2_forward", "avg_pool2x2_backward",
           "adaptive_avg_pool2d_forward", "adaptive_avg_pool2d_backward"]
