"""Operaciones de forma (repeat, flip, diagonales, ``F.pad``, ``einsum``...): valor contra numpy,
gradiente en float64 sobre formas de hypothesis y errores como PyTorch."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import tensor
from tinygrad_es.nn.functional import pad
from strategies import arrays, small_shapes
from helpers import check


@st.composite
def array_dim(draw, min_dims=1):
    shape = draw(small_shapes.filter(lambda s: len(s) >= min_dims))
    return draw(arrays(shape)), draw(st.integers(-len(shape), len(shape) - 1))


@given(data=st.data())
def test_repeat_tile_repeat_interleave(data):
    a, dim = data.draw(array_dim())
    reps = tuple(data.draw(st.lists(st.integers(1, 3), min_size=a.ndim, max_size=a.ndim + 1)))
    np.testing.assert_array_equal(tensor(a).repeat(*reps).numpy(), np.tile(a, reps))
    check(lambda x: x.repeat(*reps), a)
    np.testing.assert_array_equal(tg.tile(tensor(a), reps[:1]).numpy(), np.tile(a, reps[:1]))
    r = np.array(data.draw(st.lists(st.integers(0, 3), min_size=a.shape[dim], max_size=a.shape[dim])))
    np.testing.assert_array_equal(tensor(a).repeat_interleave(tensor(r), dim).numpy(), np.repeat(a, r, axis=dim))
    check(lambda x: x.repeat_interleave(tensor(r), dim=dim), a)
    np.testing.assert_array_equal(tg.repeat_interleave(tensor(a), 2).numpy(), np.repeat(a.reshape(-1), 2))


@given(data=st.data())
def test_split_chunk_unbind_narrow(data):
    a, dim = data.draw(array_dim())
    n = a.shape[dim]
    size = data.draw(st.integers(1, n))
    parts = tg.split(tensor(a), size, dim)
    assert [p.shape[dim] for p in parts] == [min(size, n - i) for i in range(0, n, size)]
    np.testing.assert_array_equal(tg.cat(parts, dim).numpy(), a)
    check(lambda x: tg.cat([p * (k + 1) for k, p in enumerate(x.split(size, dim))], dim), a)
    k = data.draw(st.integers(1, 4))
    chunks = tensor(a).chunk(k, dim)
    ref = np.array_split(a, range(-(-n // k), n, -(-n // k)), axis=dim)
    assert len(chunks) == len(ref) and all(np.array_equal(c.numpy(), r) for c, r in zip(chunks, ref))
    assert [u.shape for u in tensor(a).unbind(dim)] == [np.take(a, 0, axis=dim).shape] * n
    check(lambda x: tg.stack([u * (i + 1) for i, u in enumerate(x.unbind(dim))]), a)
    start = data.draw(st.integers(-n, n - 1))
    length = data.draw(st.integers(0, n - start % n))
    np.testing.assert_array_equal(tensor(a).narrow(dim, start, length).numpy(),
                                  np.take(a, range(start % n, start % n + length), axis=dim))


@given(data=st.data())
def test_flip_roll_rot90_movedim(data):
    a, dim = data.draw(array_dim())
    np.testing.assert_array_equal(tensor(a).flip(dim).numpy(), np.flip(a, dim))
    check(lambda x: x.flip(dim), a)
    s = data.draw(st.integers(-5, 5))
    np.testing.assert_array_equal(tensor(a).roll(s, dim).numpy(), np.roll(a, s, dim))
    np.testing.assert_array_equal(tg.roll(tensor(a), s).numpy(), np.roll(a, s))
    check(lambda x: x.roll(s, dim), a)
    d2 = data.draw(st.integers(0, a.ndim - 1))
    np.testing.assert_array_equal(tensor(a).movedim(dim, d2).numpy(), np.moveaxis(a, dim, d2))
    check(lambda x: x.movedim(dim, d2), a)
    if a.ndim >= 2:
        k = data.draw(st.integers(-2, 5))
        np.testing.assert_array_equal(tensor(a).rot90(k, (0, 1)).numpy(), np.rot90(a, k, (0, 1)))
        check(lambda x: x.rot90(k, (0, 1)), a)
        np.testing.assert_array_equal(tensor(a).fliplr().numpy(), np.flip(a, 1))
    np.testing.assert_array_equal(tensor(a).flipud().numpy(), np.flip(a, 0))


@given(data=st.data())
def test_triangles_and_diagonals(data):
    a, _ = data.draw(array_dim(min_dims=2))
    k = data.draw(st.integers(-3, 3))
    np.testing.assert_array_equal(tensor(a).tril(k).numpy(), np.tril(a, k))
    np.testing.assert_array_equal(tg.triu(tensor(a), k).numpy(), np.triu(a, k))
    check(lambda x: x.tril(k) + 2 * x.triu(k + 1), a)
    d1, d2 = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=2, max_size=2, unique=True))
    np.testing.assert_array_equal(tensor(a).diagonal(k, d1, d2).numpy(), np.diagonal(a, k, d1, d2))
    check(lambda x: x.diagonal(k, d1, d2), a)
    m = a.reshape(a.shape[0], -1)
    np.testing.assert_array_equal(tg.diag(tensor(m), k).numpy(), np.diag(m, k))
    check(lambda x: x.diag(k), m)
    v = m[0]
    np.testing.assert_array_equal(tg.diag(tensor(v), k).numpy(), np.diag(v, k))
    check(lambda x: x.diag(k), v)
    emb = tg.diag_embed(tensor(a), k)
    np.testing.assert_array_equal(np.diagonal(emb.numpy(), k, -2, -1), a)
    check(lambda x: x.diag_embed(k, 0, -1), a)
    np.testing.assert_allclose(tg.trace(tensor(m)).numpy(), np.trace(m))
    check(lambda x: x.trace(), m)


@given(data=st.data())
def test_unfold_unflatten_outer_cross(data):
    a, dim = data.draw(array_dim())
    n = a.shape[dim]
    size, step = data.draw(st.integers(1, n)), data.draw(st.integers(1, 3))
    win = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim)
    ref = np.take(win, range(0, n - size + 1, step), axis=dim % a.ndim)
    np.testing.assert_array_equal(tensor(a).unfold(dim, size, step).numpy(), ref)
    check(lambda x: x.unfold(dim, size, step), a)
    np.testing.assert_array_equal(tensor(a).unflatten(dim, (1, n, 1)).numpy(), np.expand_dims(a, dim % a.ndim).reshape(
        a.shape[:dim % a.ndim] + (1, n, 1) + a.shape[dim % a.ndim + 1:]))
    u, v = a.reshape(-1), a.reshape(-1)[::-1].copy()
    np.testing.assert_allclose(tg.outer(tensor(u), tensor(v)).numpy(), np.outer(u, v))
    check(tg.outer, u, v)
    b = data.draw(arrays(a.shape[:-1] + (3,)))
    c = data.draw(arrays(a.shape[:-1] + (3,)))
    np.testing.assert_allclose(tg.linalg.cross(tensor(b), tensor(c)).numpy(), np.cross(b, c), atol=1e-12)
    check(lambda x, y: tg.cross(x, y, dim=-1), b, c)


EQUATIONS = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("i,j->ij", [(2,), (3,)]),
             ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("...ij,...jk", [(2, 3), (4, 3, 2)]), ("ijk->", [(2, 3, 4)]),
             ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("ba", [(2, 3)]), ("iij->j", [(2, 2, 3)]),
             ("bi,bi->b", [(3, 4), (3, 4)]), ("ij,j", [(2, 3), (3,)]), ("bij,bjk->bik", [(1, 2, 3), (4, 3, 2)])]


@pytest.mark.parametrize("eq, shapes", EQUATIONS)
@given(data=st.data())
def test_einsum(eq, shapes, data):
    ops = [data.draw(arrays(s)) for s in shapes]
    np.testing.assert_allclose(tg.einsum(eq, *[tensor(o) for o in ops]).numpy(), np.einsum(eq, *ops), atol=1e-12)
    check(lambda *xs: tg.einsum(eq, *xs), *ops)


@given(data=st.data())
def test_tensordot_meshgrid_broadcast(data):
    a = data.draw(arrays((2, 3, 4)))
    b = data.draw(arrays((3, 4, 2)))
    np.testing.assert_allclose(tg.tensordot(tensor(a), tensor(b), 2).numpy(), np.tensordot(a, b, 2), atol=1e-12)
    np.testing.assert_allclose(tg.tensordot(tensor(a), tensor(b), ([1, 0], [0, 2])).numpy(),
                               np.tensordot(a, b, ([1, 0], [0, 2])), atol=1e-12)
    check(lambda x, y: tg.tensordot(x, y, dims=([2], [1])), a, b)
    u, v = data.draw(arrays((2,))), data.draw(arrays((3,)))
    for indexing in ("ij", "xy"):
        got = tg.meshgrid(tensor(u), tensor(v), indexing=indexing)
        ref = np.meshgrid(u, v, indexing=indexing)
        assert all(np.array_equal(g.numpy(), r) for g, r in zip(got, ref))
    check(lambda x, y: sum(g * (i + 1) for i, g in enumerate(tg.meshgrid(x, y, indexing="xy"))), u, v)
    np.testing.assert_array_equal(tensor(u).broadcast_to((3, 2)).numpy(), np.broadcast_to(u, (3, 2)))


PADS = [(1, 2), (-1, 2), (2, -1), (0, 0, 1, 1), (1, 0, -1, 2), (-1, -1)]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("p", PADS)
@given(data=st.data())
def test_pad_modes(mode, p, data):
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(3, 4)), data.draw(st.integers(3, 5)))
    a = data.draw(arrays(shape))
    out = pad(tensor(a), p, mode=mode, value=None if mode != "constant" else 0.5)
    width = [(0, 0)] * 3
    for j in range(len(p) // 2):
        width[2 - j] = (p[2 * j], p[2 * j + 1])
    np_mode = {"replicate": "edge", "circular": "wrap"}.get(mode, mode)
    pos = [(max(lo, 0), max(hi, 0)) for lo, hi in width]
    kw = {"constant_values": 0.5} if mode == "constant" else {}
    if mode == "circular":  # PyTorch recorta primero y da la vuelta sobre lo que queda
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(width, shape))
        ref = np.pad(a[crop], pos, mode=np_mode)
    else:  # reflect/replicate reflejan sobre el borde original (como PyTorch) y luego se recorta
        full = np.pad(a, pos, mode=np_mode, **kw)
        ref = full[tuple(slice(max(-lo, 0), m - max(-hi, 0)) for (lo, hi), m in zip(width, full.shape))]
    np.testing.assert_array_equal(out.numpy(), ref)
    check(lambda x: pad(x, p, mode=mode), a)


def test_shape_errors_like_pytorch():
    x = tg.ones(2, 3)
    with pytest.raises(RuntimeError, match="repeticiones"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match="sumar"):
        x.split([1, 1], 1)
    with pytest.raises(RuntimeError, match="2 dimensiones"):
        tg.ones(3).tril()
    with pytest.raises(RuntimeError, match="1-D o 2-D"):
        tg.ones(2, 2, 2).diag()
    with pytest.raises(RuntimeError, match="tamaño 3"):
        tg.cross(tg.ones(2, 4), tg.ones(2, 4))
    with pytest.raises(RuntimeError, match="mismo dtype"):
        tg.einsum("i,i", tg.ones(2), tg.ones(2, dtype=tg.float64))
    with pytest.raises(RuntimeError, match="subíndices"):
        tg.einsum("ij", tg.ones(2))
    with pytest.raises(RuntimeError, match="par"):
        pad(x, (1, 1, 1))
    with pytest.raises(RuntimeError, match="menor"):
        pad(tg.ones(1, 2, 3), (3, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="no se admiten"):
        pad(tg.ones(3), (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match="value"):
        pad(tg.ones(1, 3), (1, 1), mode="replicate", value=2.0)
    with pytest.raises(IndexError):
        x.flip(2)
    assert pad(tensor([0, 1, 2]), (1, 1), value=2.5).tolist() == [2, 0, 1, 2, 2]
    assert x.t().contiguous().is_contiguous() and x.clone() is not x
