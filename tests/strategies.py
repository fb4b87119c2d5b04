"""Estrategias de hypothesis compartidas por todos los tests de gradiente."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


# Flotantes finitos y acotados (lejos de desbordamientos en exp, productos...)
floats = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False, width=64)
positive = st.floats(0.2, 4.0, allow_nan=False, allow_infinity=False, width=64)

small_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
matrix_shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=5)


def arrays(shape, elements=floats):
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def broadcastable_pair(draw, max_dims=3):
    """Dos formas que hacen broadcasting entre sí (a veces con ejes iniciales de más)."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=max_dims,
                                                    min_side=1, max_side=4))
    return shapes.input_shapes


@st.composite
def away_from_kinks(draw, shape, kink=0.0, margin=0.05):
    """Valores al menos a ``margin`` de un punto no derivable (relu en 0, |x| en 0...)."""
    a = draw(arrays(shape))
    d = a - kink
    side = np.where(d >= 0, 1.0, -1.0)
    return np.where(np.abs(d) < margin, a + side * 2 * margin, a)


@st.composite
def distinct_values(draw, shape, gap=0.02):
    """Array sin empates (para max/min y maximum): valores distintos separados por ``gap``."""
    n = int(np.prod(shape))
    base = draw(st.permutations(list(range(n))))
    jitter = draw(arrays((n,), st.floats(0, gap / 4, allow_nan=False)))
    vals = (np.array(base, dtype=np.float64) - n / 2) * gap * 4 / max(n, 1) * 10 + jitter
    return vals.reshape(shape)
