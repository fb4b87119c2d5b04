"""Derivadas segundas de todas las familias de operaciones: ``gradgradcheck`` en float64 (la derivada
del backward contra diferencias finitas centrales del backward) sobre formas de hypothesis.

Las tablas son las de los tests de primer orden (``test_tensor_gradcheck``, ``test_ops_*``), importadas
tal cual: cada operación que se comprueba una vez se comprueba también dos veces. Las formas son
pequeñas (la jacobiana de ``gradgradcheck`` tiene tantas columnas como elementos más vectores ``v``)
y pocos ejemplos por operación, para que la suite siga siendo rápida.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_es as tg
from tinygrad_es.autograd import gradgradcheck
import test_tensor_gradcheck as TG
import test_ops_elementwise as EL
from strategies import arrays, away_from_kinks, distinct_values

tiny_shapes = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3)
FEW = settings(max_examples=6)


def gg(f, *arrays_):
    """``gradgradcheck`` de ``f`` con hojas float64 que piden gradiente."""
    ts = [tg.tensor(a, dtype=tg.float64, requires_grad=True) for a in arrays_]
    assert gradgradcheck(f, tuple(ts), atol=1e-5, rtol=1e-4)


@st.composite
def tiny_pair(draw):
    """Dos formas que hacen broadcasting, con pocos elementos."""
    s = draw(tiny_shapes)
    t = tuple(1 if draw(st.booleans()) else n for n in s)
    if draw(st.booleans()):
        t = t[1:]
    return (s, t) if draw(st.booleans()) else (t or (1,), s)


# ---- aritmética (test_tensor_gradcheck.BINARY/UNARY, test_ops_elementwise.BINARY/UNARY) ----------
# b = 0 exacto en a ** b: la derivada respecto de a se anula con una máscara (como en PyTorch), y
# con ella su derivada respecto de b; lejos de ese punto, la derivada segunda es la de siempre
NONZERO = st.floats(-3.0, 3.0, allow_nan=False, width=64).filter(lambda v: abs(v) > 0.05)


@pytest.mark.parametrize("name", sorted(TG.BINARY))
@FEW
@given(data=st.data())
def test_binary(name, data):
    f, ea, eb = TG.BINARY[name]
    eb = NONZERO if name == "pow" else eb
    sa, sb = data.draw(tiny_pair())
    gg(f, data.draw(arrays(sa, ea)), data.draw(arrays(sb, eb)))


@pytest.mark.parametrize("name", sorted(TG.UNARY))
@FEW
@given(data=st.data())
def test_unary(name, data):
    f, elems, kink = TG.UNARY[name]
    shape = data.draw(tiny_shapes)
    if kink is None:
        a = data.draw(arrays(shape, elems))
    else:
        a = data.draw(away_from_kinks(shape, kink=kink))
        if name == "clip":
            a = data.draw(away_from_kinks(shape, kink=-1.0))
            a = np.where(np.abs(a - 1.5) < 0.05, a + 0.1, a)
    gg(f, a)


@pytest.mark.parametrize("name", sorted(TG.MAXMIN))
@FEW
@given(data=st.data())
def test_maximum_minimum(name, data):
    a = data.draw(distinct_values(data.draw(tiny_shapes)))
    fn = tg.maximum if name == "maximum" else tg.minimum
    gg(fn, a, np.flip(a[::-1].copy() + 0.013).copy())


@pytest.mark.parametrize("name", sorted(EL.UNARY))
@FEW
@given(data=st.data())
def test_unary_math(name, data):
    elems, _ = EL.UNARY[name]
    gg(lambda x: getattr(tg, name)(x), data.draw(arrays(data.draw(tiny_shapes), elems)))


@pytest.mark.parametrize("name", sorted(EL.BINARY))
@FEW
@given(data=st.data())
def test_binary_math(name, data):
    _, ea, eb = EL.BINARY[name]
    sa, sb = data.draw(tiny_pair())
    f = (lambda x, y: tg.lerp(x, y, 0.3)) if name == "lerp_scalar" else getattr(tg, name)
    gg(f, data.draw(arrays(sa, ea)), data.draw(arrays(sb, eb)))


@FEW
@given(data=st.data())
def test_lerp_tensor_weight(data):
    shape = data.draw(tiny_shapes)
    gg(lambda x, y, z: x.lerp(y, z), data.draw(arrays(shape)), data.draw(arrays(shape)),
       data.draw(arrays(shape, st.floats(-0.5, 1.5))))


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
@FEW
@given(data=st.data())
def test_remainders(name, data):
    a, b = data.draw(EL.dividend_divisor())
    gg(getattr(tg, name), a, b)
