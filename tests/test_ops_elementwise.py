"""Funciones elemento a elemento (trigonométricas, restos, redondeos...): valor contra numpy, gradiente en float64
contra diferencias centrales (formas de hypothesis, gradiente de arriba aleatorio) y dtype del
resultado. También las operaciones lógicas y de bits, que no tienen gradiente."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import tensor
from strategies import arrays, broadcastable_pair, floats, positive, small_shapes
from helpers import check

unit = st.floats(-0.9, 0.9, allow_nan=False, width=64)
above_one = st.floats(1.2, 4.0, allow_nan=False, width=64)
_erf = np.vectorize(math.erf)


# nombre -> (dominio, referencia numpy)
UNARY = {
    "sin": (floats, np.sin), "cos": (floats, np.cos), "tan": (unit, np.tan),
    "asin": (unit, np.arcsin), "acos": (unit, np.arccos), "atan": (floats, np.arctan),
    "sinh": (floats, np.sinh), "cosh": (floats, np.cosh), "asinh": (floats, np.arcsinh),
    "acosh": (above_one, np.arccosh), "atanh": (unit, np.arctanh), "log2": (positive, np.log2),
    "log10": (positive, np.log10), "log1p": (positive, np.log1p), "exp2": (floats, np.exp2),
    "expm1": (floats, np.expm1), "rsqrt": (positive, lambda a: 1 / np.sqrt(a)),
    "reciprocal": (positive, lambda a: 1 / a), "square": (floats, np.square), "erf": (floats, _erf),
    "erfc": (floats, lambda a: 1 - _erf(a)), "arcsin": (unit, np.arcsin), "arctanh": (unit, np.arctanh),
    "nan_to_num": (floats, np.nan_to_num),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_value_and_grad(name, data):
    elems, ref = UNARY[name]
    a = data.draw(arrays(data.draw(small_shapes), elems))
    out = getattr(tensor(a), name)()
    np.testing.assert_allclose(out.numpy(), ref(a), rtol=1e-12, atol=1e-14)
    assert out.dtype == tg.float64
    check(lambda x: getattr(tg, name)(x), a)


@pytest.mark.parametrize("name", sorted(set(UNARY) - {"square", "nan_to_num"}))
def test_unary_of_ints_is_float32(name):
    x = tensor([1, 2, 3]) if name not in ("asin", "acos", "atanh", "arcsin", "arctanh") else tensor([0, 0])
    assert getattr(x, name)().dtype == tg.float32
    assert getattr(tensor([True, False]), name)().dtype == tg.float32


def test_square_and_nan_to_num_keep_ints():
    assert tensor([1, -2]).square().tolist() == [1, 4] and tensor([1, -2]).square().dtype == tg.int64
    assert tensor([True, False]).square().dtype == tg.int64
    assert tensor([3, 4]).nan_to_num().dtype == tg.int64


# ---- redondeos y signo: derivada 0, enteros intactos -------------------------------------------
off_grid = st.tuples(st.integers(-3, 3), st.floats(0.1, 0.4) | st.floats(0.6, 0.9)).map(sum)
STEP = {"floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc, "sign": np.sign,
        "fix": np.trunc, "frac": lambda a: a - np.trunc(a)}


@pytest.mark.parametrize("name", sorted(STEP))
@given(data=st.data())
def test_step_functions(name, data):
    a = data.draw(arrays(data.draw(small_shapes), off_grid))
    np.testing.assert_array_equal(getattr(tensor(a), name)().numpy(), STEP[name](a))
    check(lambda x: getattr(x, name)(), a)
    x = tensor(a, requires_grad=True)
    getattr(x, name)().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones_like(a) if name == "frac" else np.zeros_like(a))


def test_round_half_to_even_and_decimals():
    assert tensor([0.5, 1.5, 2.5, -0.5, -1.5]).round().tolist() == [0, 2, 2, -0, -2]
    np.testing.assert_allclose(tensor([1.2345, -2.5551], dtype=tg.float64).round(decimals=2).numpy(), [1.23, -2.56])
    assert tensor([12345.]).round(decimals=-2).tolist() == [12300.0]


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_step_of_ints_keeps_dtype(name):
    x = tensor(np.array([3, -2, 0], dtype=np.int32))
    out = getattr(x, name)()
    assert out.dtype == tg.int32 and out.tolist() == list(getattr(np, name)(x.numpy()))
    if name != "sign":
        with pytest.raises(NotImplementedError, match="bool"):
            getattr(tensor([True]), name)()
    with pytest.raises(NotImplementedError, match="coma flotante"):
        tensor([1, 2]).frac()


def test_sign_of_bool_and_nan_to_num_values():
    assert tensor([True, False]).sign().dtype == tg.bool
    out = tensor([np.nan, np.inf, -np.inf, 1.0]).nan_to_num(nan=1.0, posinf=2.0)
    assert out.tolist()[:2] == [1.0, 2.0] and out.tolist()[2] == np.finfo(np.float32).min
    x = tensor([np.nan, 2.0, np.inf], requires_grad=True)
    x.nan_to_num().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


# ---- binarias con broadcasting -------------------------------------------------------------------
@st.composite
def dividend_divisor(draw):
    """a = b·q con q lejos de los enteros: fmod/remainder/// son derivables allí."""
    sa, sb = draw(broadcastable_pair())
    shape = np.broadcast_shapes(sa, sb)
    b = draw(arrays(sb, st.floats(0.8, 2.0))) * draw(st.sampled_from([1.0, -1.0]))
    q = draw(arrays(shape, off_grid))
    return b * q, b


BINARY = {
    "atan2": (lambda a, b: np.arctan2(a, b), floats, positive),
    "hypot": (np.hypot, positive, floats),
    "logaddexp": (np.logaddexp, floats, floats),
    "lerp_scalar": (lambda a, b: a + 0.3 * (b - a), floats, floats),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_broadcast(name, data):
    ref, ea, eb = BINARY[name]
    sa, sb = data.draw(broadcastable_pair())
    a, b = data.draw(arrays(sa, ea)), data.draw(arrays(sb, eb))
    f = (lambda x, y: tg.lerp(x, y, 0.3)) if name == "lerp_scalar" else getattr(tg, name)
    np.testing.assert_allclose(f(tensor(a), tensor(b)).numpy(), ref(a, b), rtol=1e-12, atol=1e-14)
    check(f, a, b)


@given(data=st.data())
def test_lerp_tensor_weight(data):
    shape = data.draw(small_shapes)
    a, b = data.draw(arrays(shape)), data.draw(arrays(shape))
    w = data.draw(arrays(shape, st.floats(-0.5, 1.5)))
    np.testing.assert_allclose(tg.lerp(tensor(a), tensor(b), tensor(w)).numpy(), a + w * (b - a), atol=1e-12)
    check(lambda x, y, z: x.lerp(y, z), a, b, w)


@pytest.mark.parametrize("name, ref", [("fmod", np.fmod), ("remainder", np.remainder),
                                       ("floor_divide", np.floor_divide)])
@given(data=st.data())
def test_remainders(name, ref, data):
    a, b = data.draw(dividend_divisor())
    np.testing.assert_allclose(getattr(tg, name)(tensor(a), tensor(b)).numpy(), ref(a, b), atol=1e-12)
    if name != "floor_divide":
        check(getattr(tg, name), a, b)
        return
    # floor_divide (//) no tiene derivada en PyTorch: la salida pide gradiente, pero backward() lanza
    x, y = tensor(a, requires_grad=True), tensor(b, requires_grad=True)
    out = x // y
    assert out.requires_grad
    with pytest.raises(RuntimeError, match="floor_divide"):
        out.sum().backward()


@pytest.mark.parametrize("mode", ["trunc", "floor"])
@given(data=st.data())
def test_div_rounding_mode(mode, data):
    a, b = data.draw(dividend_divisor())
    ref = np.trunc(a / b) if mode == "trunc" else np.floor_divide(a, b)
    np.testing.assert_allclose(tg.div(tensor(a), tensor(b), rounding_mode=mode).numpy(), ref)
    check(lambda x, y: x.div(y, rounding_mode=mode), a, b)


def test_integer_division_and_remainder_like_python():
    a, b = tensor([7, -7, 7, -7]), tensor([2, 2, -2, -2])
    assert (a // b).tolist() == [7 // 2, -7 // 2, 7 // -2, -7 // -2] and (a // b).dtype == tg.int64
    assert (a % b).tolist() == [7 % 2, -7 % 2, 7 % -2, -7 % -2]
    assert tg.fmod(a, b).tolist() == [math.fmod(7, 2), math.fmod(-7, 2), math.fmod(7, -2), math.fmod(-7, -2)]
    assert a.div(b, rounding_mode="trunc").tolist() == [3, -3, -3, 3]
    assert (5 // tensor([2, -3])).tolist() == [2, -2] and (5 % tensor([2, -3])).tolist() == [1, -1]
    assert (tensor([5, 6]) // 2.0).dtype == tg.float32 and (tensor([5]) % 2.5).tolist() == [0.0]
    for op in (lambda: a // 0, lambda: a % 0, lambda: tg.fmod(a, 0)):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            op()
    with pytest.raises(RuntimeError, match="rounding_mode"):
        a.div(b, rounding_mode="round")
    assert tg.atan2(tensor([1, 0]), tensor([0, 1])).dtype == tg.float32
    for name in ("hypot", "logaddexp"):
        with pytest.raises(NotImplementedError, match="coma flotante"):
            getattr(tg, name)(a, b)


def test_atan2_zero_grad_at_origin_and_inplace_variants():
    x = tensor([0.0, 1.0], requires_grad=True)
    tg.atan2(x, tensor([0.0, 0.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    y = tensor([0.5, 1.5])
    y.sin_()
    np.testing.assert_allclose(y.numpy(), np.sin([0.5, 1.5]).astype(np.float32))
    y.floor_()
    assert y.tolist() == [0.0, 0.0]
    z = tensor([7, 8])
    z %= 3
    assert z.tolist() == [1, 2]
    with pytest.raises(RuntimeError):
        tensor([1, 2]).sin_()  # float32 no cabe in situ en int64


# ---- comprobaciones de valores ---------------------------------------------------------------
def test_isnan_isinf_isfinite_isclose():
    a = np.array([np.nan, np.inf, -np.inf, 1.0, -0.0])
    for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"):
        out = getattr(tensor(a), name)()
        assert out.dtype == tg.bool and out.tolist() == getattr(np, name)(a).tolist()
        assert getattr(tensor([1, 2]), name)().dtype == tg.bool
    x, y = tensor([1.0, np.nan, np.inf, 1.0]), tensor([1.0 + 1e-9, np.nan, np.inf, 1.1])
    assert tg.isclose(x, y).tolist() == [True, False, True, False]
    assert tg.isclose(x, y, equal_nan=True, rtol=0.2).tolist() == [True, True, True, True]
    with pytest.raises(RuntimeError, match="dtype"):
        tg.isclose(tensor([1]), tensor([1.0]))


# ---- lógicas y de bits ------------------------------------------------------------------------
ints = st.integers(-50, 50)


@given(data=st.data())
def test_logical_and_bitwise_match_numpy(data):
    sa, sb = data.draw(broadcastable_pair())
    a = data.draw(arrays(sa, ints)).astype(np.int64)
    b = data.draw(arrays(sb, ints)).astype(np.int64)
    ta, tb = tensor(a), tensor(b)
    for name in ("logical_and", "logical_or", "logical_xor"):
        out = getattr(tg, name)(ta, tb)
        assert out.dtype == tg.bool and np.array_equal(out.numpy(), getattr(np, name)(a, b))
    for op, ref in ((lambda x, y: x & y, np.bitwise_and), (lambda x, y: x | y, np.bitwise_or),
                    (lambda x, y: x ^ y, np.bitwise_xor)):
        out = op(ta, tb)
        assert out.dtype == tg.int64 and np.array_equal(out.numpy(), ref(a, b))
    s = np.abs(b) % 8
    assert np.array_equal((ta << tensor(s)).numpy(), a << s) and np.array_equal((ta >> tensor(s)).numpy(), a >> s)
    assert np.array_equal((~ta).numpy(), ~a) and np.array_equal(tg.logical_not(ta).numpy(), a == 0)


def test_bitwise_dtypes_scalars_and_errors():
    b, i = tensor([True, False, True]), tensor([6, 3, -2])
    assert (b & tensor([True, True, False])).dtype == tg.bool and (~b).tolist() == [False, True, False]
    assert (i & b).dtype == tg.int64 and (tensor([7, 3, -1]) & b).tolist() == [1, 0, 1]
    assert (3 & i).tolist() == [2, 3, 2] and (True ^ b).tolist() == [False, True, False]
    assert (1 << tensor([0, 3])).tolist() == [1, 8] and (b << 1).dtype == tg.int64
    assert (tensor(np.array([200], np.uint8)) >> 1).tolist() == [100]
    f = tensor([1.5])
    for op in (lambda: f & f, lambda: f | i, lambda: i ^ 2.0, lambda: f << 1, lambda: i >> f):
        with pytest.raises(NotImplementedError, match="bool o enteros"):
            op()
    with pytest.raises(TypeError, match="enteros o bool"):
        ~f
    assert tg.logical_and(f, tensor([0])).tolist() == [False]
    x = tensor([5, 6])
    x &= 4
    x |= 1
    x ^= 2
    assert x.tolist() == [7, 7]


def test_in_place_on_the_output_follows_what_torch_saves():
    """Las unarias guardan lo que guarda PyTorch: ``sin`` guarda la entrada (cambiar la salida in
    situ no rompe su backward), ``tan`` guarda la salida (y el contador de versiones lo detecta)."""
    x = tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = (x * 1).sin()
    y.add_(1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos([0.5, 1.0]))
    for name in ("tan", "exp2", "expm1", "rsqrt", "reciprocal"):
        y = getattr(x * 1, name)()
        y.add_(1)
        with pytest.raises(RuntimeError, match="in situ"):
            y.sum().backward()
    z = tensor(np.array([1.5, -2.25]), requires_grad=True)
    w = z * 1
    out = w.frac()
    w.mul_(3)  # frac no guarda nada (∂ = 1): como PyTorch, modificar la entrada no importa
    out.sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), [1.0, 1.0])
