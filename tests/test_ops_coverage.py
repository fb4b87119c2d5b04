"""Operadores de PyTorch que la tarjeta OpInfo daba como ausentes: su derivada en float64 contra
diferencias centrales (formas de hypothesis), sus variantes in situ y de función, y sus errores.
Que coinciden con PyTorch en todas las muestras de su OpInfo lo comprueba ``tests/test_compat_opinfo.py``."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check, leaf
from strategies import arrays, small_shapes

LONG = tg.int64


def _idx(v):
    return tg.tensor(np.asarray(v, np.int64))


@given(data=st.data())
def test_index_copy_gradient(data):
    shape = data.draw(small_shapes)
    d = data.draw(st.integers(0, len(shape) - 1))
    perm = data.draw(st.permutations(range(shape[d])))
    k = data.draw(st.integers(0, shape[d]))
    idx = _idx(perm[:k])
    src_shape = shape[:d] + (k,) + shape[d + 1:]
    check(lambda x, s: x.index_copy(d, idx, s), data.draw(arrays(shape)), data.draw(arrays(src_shape)))


@given(data=st.data(), accumulate=st.booleans())
def test_index_put_and_put_gradient(data, accumulate):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    n = data.draw(st.integers(1, 5))
    rows = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=n, max_size=n))
    if not accumulate:
        rows = list(dict.fromkeys(r % shape[0] for r in rows))  # sin repetidos: PyTorch no fija cuál gana
    i = _idx(rows)
    check(lambda x, v: x.index_put((i,), v, accumulate=accumulate), data.draw(arrays(shape)),
          data.draw(arrays((len(rows), shape[1]))))
    check(lambda x, v: x.index_put((i,), v, accumulate), data.draw(arrays(shape)), data.draw(arrays((shape[1],))))
    flat = data.draw(st.lists(st.integers(0, shape[0] * shape[1] - 1), min_size=1, max_size=4, unique=True))
    check(lambda x, v: tg.put(x, _idx(flat), v, accumulate), data.draw(arrays(shape)), data.draw(arrays((len(flat),))))


def test_index_put_values_and_inplace():
    x = tg.zeros(2, 3)
    y = x.index_put((_idx([0, 0, 1]), _idx([1, 1, -1])), tg.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert y.tolist() == [[0, 3, 0], [0, 0, 3]] and x.tolist() == [[0] * 3] * 2
    m = tg.tensor([[True, False, True], [False, False, True]])
    assert tg.zeros(2, 3).index_put((m,), tg.tensor(7.0)).tolist() == [[7, 0, 7], [0, 0, 7]]
    z = tg.zeros(4)
    assert z.put_(_idx([-1, 0]), tg.tensor([5.0, 6.0])) is z and z.tolist() == [6, 0, 0, 5]
    w = tg.zeros(3, 2)
    w.index_copy_(0, _idx([2]), tg.ones(1, 2))
    assert w.tolist() == [[0, 0], [0, 0], [1, 1]]
    w.index_put_((_idx([0]),), tg.tensor([4.0, 4.0]), accumulate=True)
    assert w[0].tolist() == [4, 4]
    with pytest.raises(IndexError):
        x.index_put((_idx([2]),), tg.tensor(1.0))
    with pytest.raises(RuntimeError):
        x.index_put((_idx([0]),), tg.ones(2))
    with pytest.raises(RuntimeError):
        x.index_copy(0, _idx([0]), tg.ones(1, 3, dtype=tg.float64))
    with pytest.raises(RuntimeError):
        tg.put(x, _idx([0, 1]), tg.ones(3))


@given(data=st.data())
def test_shape_helpers_gradient(data):
    shape = data.draw(small_shapes)
    a = data.draw(arrays(shape))
    check(lambda x: x.ravel() * tg.arange(a.size, dtype=tg.float64), a)
    target = tuple(1 if data.draw(st.booleans()) else n for n in shape)[data.draw(st.integers(0, len(shape) - 1)):]
    check(lambda x: x.sum_to_size(target) ** 2, a)
    cut = data.draw(st.integers(0, shape[0]))
    check(lambda x: x.split_with_sizes([cut, shape[0] - cut])[1] * 3, a)


def test_shape_helpers_values_and_errors():
    assert tg.ones(2, 3).sum_to_size(1, 3).tolist() == [[2, 2, 2]]
    assert tg.ones(2, 3).sum_to_size((3,)).tolist() == [2, 2, 2]
    assert tg.tensor(True).sum_to_size(()).dtype == LONG  # como PyTorch: a () siempre se suma
    assert tg.tensor([[True, False]]).sum_to_size(1, 2).dtype == tg.bool
    with pytest.raises(RuntimeError):
        tg.ones(2, 3).sum_to_size(2)
    assert [t.tolist() for t in tg.split_with_sizes(tg.arange(5), [2, 3])] == [[0, 1], [2, 3, 4]]
    with pytest.raises(RuntimeError):
        tg.arange(5).split_with_sizes([2, 2])
    assert tg.ravel(tg.tensor([[1, 2], [3, 4]])).tolist() == [1, 2, 3, 4]
    assert [t.tolist() for t in tg.unravel_index(_idx([5, 7, 9, -1]), (2, 4))] == [[1, 1, 0, 1], [1, 3, 1, 3]]
    with pytest.raises(TypeError):
        tg.unravel_index(tg.tensor([1.0]), (2, 2))


@given(data=st.data())
def test_rsub_fill_renorm_gradient(data):
    shape = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 4)))
    a, b = data.draw(arrays(shape)), data.draw(arrays(shape))
    check(lambda x, y: tg.rsub(x, y, alpha=2.5), a, b)
    check(lambda x, v: tg.fill(x, v) * x, a, np.array(1.5))
    # lejos del umbral: la norma de cada fila no se acerca a maxnorm
    maxnorm = data.draw(st.floats(0.1, 3.0))
    if np.all(np.abs(np.sum(a ** 2, axis=1) ** 0.5 - maxnorm) > 0.05):
        check(lambda x: x.renorm(2, 0, maxnorm), a)
    if np.all(np.abs(np.sum(np.abs(a) ** 1.5, axis=0) ** (1 / 1.5) - maxnorm) > 0.05):
        check(lambda x: x.renorm(1.5, 1, maxnorm), a)


def test_rsub_fill_renorm_values():
    assert tg.rsub(tg.tensor([1, 2]), 3, alpha=2).tolist() == [1, -1]
    assert tg.rsub(tg.tensor([1.0, 2.0]), tg.tensor(3)).tolist() == [2.0, 1.0]
    f = tg.fill(tg.tensor([1, 2]), 2.7)
    assert f.tolist() == [2, 2] and f.dtype == LONG
    x = tg.tensor([[3.0, 4.0], [0.3, 0.4]])
    np.testing.assert_allclose(x.renorm(2, 0, 1.0).numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    x.renorm_(2, 0, 1.0)
    np.testing.assert_allclose(x.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    with pytest.raises(RuntimeError):
        x.renorm(-1, 0, 1.0)
    with pytest.raises(RuntimeError):
        tg.ones(3).renorm(2, 0, 1.0)


@given(data=st.data())
def test_trapezoid_gradient(data):
    shape = data.draw(small_shapes)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    y = data.draw(arrays(shape))
    xs = np.cumsum(data.draw(arrays((shape[d],), st.floats(0.2, 2.0))))
    check(lambda t: tg.trapezoid(t, dim=d), y)
    check(lambda t: tg.trapz(t, dx=0.7, dim=d), y)
    check(lambda t, x: tg.trapezoid(t, x, dim=d), y, xs)
    check(lambda t, x: tg.cumulative_trapezoid(t, x, dim=d), y, xs)
    check(lambda t: tg.cumulative_trapezoid(t, dx=2.0, dim=d), y)


def test_trapezoid_values():
    y = tg.tensor([1, 2, 4])
    assert tg.trapezoid(y).item() == 4.5 and tg.trapezoid(y, dx=2).item() == 9
    assert tg.trapezoid(y, tg.tensor([1, 2, 4])).item() == 7.5
    assert tg.cumulative_trapezoid(y).tolist() == [1.5, 4.5]
    with pytest.raises(RuntimeError):
        tg.trapezoid(y, tg.tensor([1.0, 2.0]))
    with pytest.raises(IndexError):
        tg.trapezoid(tg.tensor(1.0))


# ---- funciones especiales (kernels/gamma.py, ops/gamma.py) -----------------------------------
# (función, x, valor exacto); ψ⁽¹⁾ usa la serie de PyTorch (6 pasos de recurrencia y 4 términos
# asintóticos), de error relativo ~5·10⁻¹⁰ en x = 1: la misma que torch, no más precisa
SPECIAL_VALUES = [
    (lambda t: t.lgamma(), 0.5, 0.5 * np.log(np.pi)),
    (lambda t: t.lgamma(), -2.0, np.inf),
    (lambda t: t.digamma(), 1.0, -0.5772156649015329),
    (lambda t: t.digamma(), 0.5, -0.5772156649015329 - 2 * np.log(2)),
    (lambda t: t.digamma(), -3.0, np.nan),
    (lambda t: t.polygamma(1), 1.0, 1.6449340676383375),  # torch.polygamma(1, 1.) en float64 (π²/6 ± 5e-10)
    (lambda t: tg.polygamma(2, t), 1.0, -2.4041138063191885),  # −2·ζ(3)
    (lambda t: t.polygamma(3), 0.5, np.pi ** 4),
    (lambda t: t.erfinv(), 0.0, 0.0),
    (lambda t: t.erfinv(), 1.0, np.inf),
    (lambda t: t.erfinv(), 1.5, np.nan),
    (lambda t: t.i0(), 1.0, 1.2660658777520082),
    (lambda t: tg.special.i1(t), -1.0, -0.5651591039924851),
    (lambda t: tg.special.i1(t), 20.0, 42454973.385127775),  # scipy.special.i1(20.)
]


@pytest.mark.parametrize("k", range(len(SPECIAL_VALUES)))
def test_special_values(k):
    f, x, want = SPECIAL_VALUES[k]
    got = f(leaf(np.array([x]))).item()
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)


def test_special_dtypes_and_inplace():
    assert tg.lgamma(tg.tensor([1, 2])).dtype == tg.float32  # enteros → float32, como PyTorch
    assert tg.special.gammaln is tg.lgamma and tg.special.psi is tg.digamma
    x = tg.tensor([0.25, -0.5], dtype=tg.float64)
    np.testing.assert_allclose(tg.erf(x.erfinv()).numpy(), x.numpy(), rtol=1e-15)
    y = x.clone()
    assert y.erfinv_() is y and np.allclose(y.numpy(), x.erfinv().numpy())
    y = tg.tensor([2.0]).polygamma_(1)
    np.testing.assert_allclose(y.numpy(), [np.pi ** 2 / 6 - 1], rtol=1e-6)
    with pytest.raises(RuntimeError):
        x.polygamma(-1)
    # erfinv cerca de ±1 (la aproximación inicial es pobre allí: Newton sobre erfc)
    np.testing.assert_allclose(tg.erfinv(tg.tensor([1 - 1e-15], dtype=tg.float64)).item(), 5.675915739744712,
                               rtol=1e-12)


@given(data=st.data())
def test_special_gradients(data):
    shape = data.draw(small_shapes)
    pos = data.draw(arrays(shape, st.floats(0.3, 6.0)))
    check(lambda x: x.lgamma(), pos)
    check(lambda x: x.digamma(), pos)
    n = data.draw(st.integers(1, 3))
    # ψ⁽¹⁾ (la serie de PyTorch) cambia de rama en x = ½ con un salto ~1e-9: las diferencias centrales
    # que lo cruzan no miden la derivada
    check(lambda x: x.polygamma(n), np.where(np.abs(pos - 0.5) < 0.01, 0.6, pos))
    check(lambda x: x.erfinv(), data.draw(arrays(shape, st.floats(-0.9, 0.9))))
    anyx = data.draw(arrays(shape))
    check(lambda x: x.i0(), anyx)
    check(lambda x: tg.special.i1(x), anyx)


def test_special_second_derivative():
    # el backward se registra con las mismas funciones: d²/dx² lgamma = ψ⁽¹⁾, d²/dx² I₀ = I₀ − I₁/x
    x = leaf(np.array([0.7, 2.5]), grad=True)
    (g,) = tg.autograd.grad(x.lgamma().sum(), x, create_graph=True)
    (h,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), x.detach().polygamma(1).numpy(), rtol=1e-14)
    (g,) = tg.autograd.grad(x.i0().sum(), x, create_graph=True)
    (h,) = tg.autograd.grad(g.sum(), x)
    xd = x.detach()
    np.testing.assert_allclose(h.numpy(), (xd.i0() - tg.special.i1(xd) / xd).numpy(), rtol=1e-13)


# ---- ldexp, frexp, gcd/lcm, nextafter, isreal ------------------------------------------------
@given(data=st.data())
def test_ldexp_frexp_nextafter_gradient(data):
    shape = data.draw(small_shapes)
    a = data.draw(arrays(shape))
    e = _idx(data.draw(arrays(shape, st.integers(-3, 3))).astype(np.int64))
    check(lambda x: x.ldexp(e), a)
    check(lambda x, y: tg.ldexp(x, y), a, data.draw(arrays(shape)))
    # lejos de las potencias de 2 (donde la mantisa salta): ±m·2^k con m ∈ [0.55, 0.95]
    m = data.draw(arrays(shape, st.floats(0.55, 0.95))) * np.where(a < 0, -1, 1)
    check(lambda x: x.frexp().mantissa, np.ldexp(m, data.draw(arrays(shape, st.integers(-3, 3))).astype(np.int64)))
    check(lambda x: tg.nextafter(x, leaf(np.full(shape, 5.0))) * x, a)


def test_ldexp_frexp_gcd_values():
    assert tg.ldexp(tg.tensor([1.0, 3.0]), tg.tensor([2, 1])).tolist() == [4.0, 6.0]
    assert tg.ldexp(tg.tensor([1, 3]), tg.tensor([2, 1])).dtype == tg.float32
    m, e = tg.frexp(tg.tensor([8.0, -0.75, 0.0]))
    assert m.tolist() == [0.5, -0.75, 0.0] and e.tolist() == [4, 0, 0] and e.dtype == tg.int32
    assert tg.frexp(tg.tensor([3.0])).exponent.item() == 2
    with pytest.raises(RuntimeError):
        tg.frexp(tg.tensor([3]))
    assert tg.gcd(tg.tensor([12, -9, 0]), tg.tensor([18, 6, 0])).tolist() == [6, 3, 0]
    assert tg.lcm(tg.tensor([4, -6, 0]), tg.tensor([6, 4, 5])).tolist() == [12, 12, 0]
    x = tg.tensor([4, 9])
    assert x.gcd_(tg.tensor([6, 6])) is x and x.tolist() == [2, 3]
    with pytest.raises(RuntimeError):
        tg.gcd(tg.tensor([1.0]), tg.tensor([2.0]))
    one = tg.tensor([1.0])
    assert (tg.nextafter(one, tg.tensor([2.0])) - one).item() == np.spacing(np.float32(1.0))
    assert tg.nextafter(tg.tensor([-5e-324], dtype=tg.float64), tg.tensor([1.0], dtype=tg.float64)).item() == 0.0
    assert tg.isreal(tg.tensor([1.0, np.nan])).tolist() == [True, True]
    assert tg.isreal(tg.complex(tg.tensor([1.0, 1.0]), tg.tensor([0.0, 2.0]))).tolist() == [True, False]


# ---- linalg: matrix_power, multi_dot, vecdot, slogdet, logdet ---------------------------------
@given(data=st.data())
def test_linalg_compositions_gradient(data):
    m = data.draw(st.integers(1, 3))
    a = 0.3 * data.draw(arrays((m, m))) + 4 * np.eye(m)  # diagonal dominante: det > 0 lejos de 0
    n = data.draw(st.integers(-2, 3))
    check(lambda x: tg.linalg.matrix_power(x, n), a)
    b, v = data.draw(arrays((m, 2))), data.draw(arrays((2,)))
    check(lambda x, y, z: tg.linalg.multi_dot([x, y, z]), a, b, v)
    check(lambda x, y: tg.linalg.vecdot(x, y, dim=0), a, b[:, :1])
    check(lambda x: tg.linalg.slogdet(x).logabsdet + tg.logdet(x), a)


def test_linalg_compositions_values():
    A = leaf(np.array([[1.0, 1.0], [0.0, 1.0]]))
    assert tg.linalg.matrix_power(A, 3).tolist() == [[1, 3], [0, 1]]
    assert A.matrix_power(0).tolist() == [[1, 0], [0, 1]]
    np.testing.assert_allclose(tg.matrix_power(A, -2).numpy(), [[1, -2], [0, 1]])
    sign, lad = tg.linalg.slogdet(leaf(np.array([[2.0, 0.0], [0.0, -3.0]])))
    assert sign.item() == -1 and np.isclose(lad.item(), np.log(6))
    assert np.isnan(tg.logdet(leaf(np.array([[2.0, 0.0], [0.0, -3.0]]))).item())
    assert tg.logdet(leaf(np.zeros((2, 2)))).item() == -np.inf
    assert tg.linalg.vecdot(tg.tensor([[1.0, 2.0], [3.0, 4.0]]), tg.tensor([1.0, 1.0])).tolist() == [3.0, 7.0]
    assert tg.linalg.multi_dot([tg.ones(2), tg.eye(2), tg.ones(2)]).item() == 2.0
    with pytest.raises(RuntimeError):
        tg.linalg.multi_dot([tg.ones(2)])
    with pytest.raises(RuntimeError):
        tg.linalg.matrix_power(tg.ones(2, 3), 2)
    with pytest.raises(TypeError):
        tg.linalg.matrix_power(A, 1.5)


# ---- select/slice/diagonal_scatter, combinations ---------------------------------------------
@given(data=st.data())
def test_view_scatter_and_combinations_gradient(data):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)))
    a = data.draw(arrays(shape))
    d = data.draw(st.integers(0, 2))
    i = data.draw(st.integers(-shape[d], shape[d] - 1))
    cut = shape[:d] + shape[d + 1:]
    check(lambda x, s: x.select_scatter(s, d, i), a, data.draw(arrays(cut)))
    start, step = data.draw(st.integers(0, shape[d] - 1)), data.draw(st.integers(1, 2))
    k = len(range(start, shape[d], step))
    check(lambda x, s: tg.slice_scatter(x, s, d, start, None, step), a, data.draw(arrays(shape[:d] + (k,) + shape[d + 1:])))
    off = data.draw(st.integers(-1, 1))
    n_diag = np.diagonal(a, off, 0, 1).shape
    check(lambda x, s: x.diagonal_scatter(s, off, 0, 1), a, data.draw(arrays(n_diag)))
    check(lambda v: tg.combinations(v, 2, with_replacement=True) ** 2, data.draw(arrays((shape[0],))))


def test_view_scatter_and_combinations_values():
    assert tg.zeros(2, 2).select_scatter(tg.ones(2), 0, -1).tolist() == [[0, 0], [1, 1]]
    assert tg.zeros(4).slice_scatter(tg.ones(2), 0, None, None, 2).tolist() == [1, 0, 1, 0]
    assert tg.zeros(2, 3).diagonal_scatter(tg.ones(2), 1).tolist() == [[0, 1, 0], [0, 0, 1]]
    assert tg.combinations(tg.tensor([1, 2, 3])).tolist() == [[1, 2], [1, 3], [2, 3]]
    assert tg.combinations(tg.tensor([1.0, 2.0]), 0).shape == (0,)
    assert tg.combinations(tg.tensor([1.0, 2.0]), 3).shape == (0, 3)
    with pytest.raises(RuntimeError):
        tg.combinations(tg.ones(2, 2))
    with pytest.raises(RuntimeError):
        tg.zeros(2, 2).select_scatter(tg.ones(3), 0, 0)
    with pytest.raises(IndexError):
        tg.zeros(2, 2).select_scatter(tg.ones(2), 0, 2)
    with pytest.raises(RuntimeError):
        tg.zeros(2, 2).diagonal_scatter(tg.ones(3))
