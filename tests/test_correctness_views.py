"""Vistas como en PyTorch: comparten memoria y contador de versiones con su base, y una operación
in situ (sobre la base o sobre una vista) re-basa la historia de las demás.

Cada caso recibe la biblioteca ``L`` y devuelve lo que se compara con lo que da PyTorch 2.13
(escrito a mano y, con torch instalado, comprobado contra torch: ``tests/parity.py``)."""
import numpy as np
import pytest

import tinygrad_es as tg
from parity import Raises, parity_tests


def _writes_base(view_fn, shape=(2, 3)):
    """Suma 1 in situ (sin gradiente) a la vista y devuelve la base y si comparten versión."""
    def case(L):
        b = L.zeros(*shape)
        v = view_fn(b)
        with L.no_grad():
            v.add_(1)
        return b, v._version == b._version
    return case


def _ones_grad(L, n=3):
    return L.ones(n, requires_grad=True)


def _inplace_on_view_of_graph(L):
    a = _ones_grad(L)
    b = a * 2
    v = b[:2]
    v.mul_(3)
    b.sum().backward()
    return a.grad, b, b.grad_fn is not None


def _stale_view_after_inplace_on_base(L):
    a = _ones_grad(L)
    b = a * 2
    v = b[:2]
    b.mul_(3)
    v.sum().backward()
    return a.grad, v


def _view_of_view_chain(L):
    a = _ones_grad(L, 4)
    b = a * 1
    v = b.view(2, 2)
    r = v[0]
    r.mul_(5)
    b.sum().backward()
    return a.grad, v


def _other_view_sees_new_history(L):
    a = _ones_grad(L, 4)
    b = a * 1
    v1, v2 = b[:2], b[1:]
    v1.mul_(10)                      # b[1] pasa a valer 10: v2[0] también
    (v2 * v2).sum().backward()
    return a.grad, v2


def _base_gets_grad_from_inplace(L):
    b = L.zeros(3)
    v = b[:2]
    w = _ones_grad(L)
    b.add_(w)
    return v.requires_grad, v.grad_fn is not None, b.requires_grad


def _leaf_view_inplace(L):
    x = _ones_grad(L)
    x[:2].mul_(2)


def _leaf_view_inplace_no_grad(L):
    x = _ones_grad(L)
    with L.no_grad():
        x[:2].mul_(2)
    return x


def _multi_output_view(fn):
    def case(L):
        y = _ones_grad(L, 4) * 2
        fn(y)[0].mul_(2)
    return case


def _multi_output_view_no_grad(L):
    y = _ones_grad(L, 4) * 2
    with L.no_grad():
        y.split(2)[0].mul_(2)
    return y


def _no_grad_view(L):
    y = _ones_grad(L) * 2
    with L.no_grad():
        v = y[:2]
    return v.requires_grad, v.grad_fn is None


def _no_grad_view_inplace_with_grad(L):
    y = _ones_grad(L) * 2
    with L.no_grad():
        v = y[:2]
    v.mul_(2)


def _fill_keeps_graph(op):
    def case(L):
        x = _ones_grad(L)
        y = x * 2
        getattr(y, op)(*([3.0] if op == "fill_" else []))
        (y * x).sum().backward()
        return y.requires_grad, y.grad_fn is not None, x.grad, y
    return case


def _fill_with_tensor_value(L):
    x = _ones_grad(L)
    s = L.tensor(2.0, requires_grad=True)
    y = x * 1
    y.fill_(s)
    (y * L.tensor([1.0, 2.0, 3.0])).sum().backward()
    return x.grad, s.grad


def _copy_into_graph(L):
    x = _ones_grad(L)
    src = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.copy_(src)
    (y * y).sum().backward()
    return x.grad, src.grad


def _copy_broadcast_too_big(L):
    L.zeros(3).copy_(L.zeros(2, 3))


def _data_has_own_version(L):
    a = L.ones(3)
    d = a.data
    d.add_(1)
    e = a.detach()
    e.add_(1)
    return a._version, d._version, e._version, a


def _setitem_view_of_graph(L):
    a = _ones_grad(L, 4)
    b = a * 2
    r = b.view(2, 2)[1]
    r[0] = 7.0
    b.sum().backward()
    return a.grad, b


def _setitem_grad_value(L):
    a = L.zeros(4)
    v = L.tensor([2.0, 3.0], requires_grad=True)
    a[1:3] = v
    (a * a).sum().backward()
    return v.grad, a.requires_grad


def _version_of_view_checked(L):
    a = _ones_grad(L)
    b = a * 2
    c = b.exp()          # exp guarda su salida
    c[0].mul_(1)         # cambia c a través de una vista con grafo (el nodo de c pasa a ser CopySlices)
    d = b.sin()          # sin guarda su entrada b
    b[1:].add_(1)        # ... que cambia a través de una vista
    d.sum().backward()


CASES = {
    "diagonal_es_vista": (_writes_base(lambda b: b.diagonal(), (2, 2)),
                          (("float32", (2, 2), [1.0, 0.0, 0.0, 1.0]), True)),
    "unfold_es_vista": (_writes_base(lambda b: b.unfold(0, 2, 2), (5,)),
                        (("float32", (5,), [1.0, 1.0, 1.0, 1.0, 0.0]), True)),
    "indice_0d_es_vista": (_writes_base(lambda b: b[0, 1]), (("float32", (2, 3), [0, 1, 0, 0, 0, 0]), True)),
    "select_es_vista": (_writes_base(lambda b: b[1]), (("float32", (2, 3), [0, 0, 0, 1, 1, 1]), True)),
    "narrow_es_vista": (_writes_base(lambda b: b.narrow(1, 1, 2)), (("float32", (2, 3), [0, 1, 1, 0, 1, 1]), True)),
    "select_metodo_es_vista": (_writes_base(lambda b: b.select(1, 2)), (("float32", (2, 3), [0, 0, 1, 0, 0, 1]), True)),
    "T_es_vista": (_writes_base(lambda b: b.T[0]), (("float32", (2, 3), [1, 0, 0, 1, 0, 0]), True)),
    "mT_es_vista": (_writes_base(lambda b: b.mT[1]), (("float32", (2, 3), [0, 1, 0, 0, 1, 0]), True)),
    "permute_es_vista": (_writes_base(lambda b: b.permute(1, 0)[2]), (("float32", (2, 3), [0, 0, 1, 0, 0, 1]), True)),
    "transpose_es_vista": (_writes_base(lambda b: b.transpose(0, 1)[0]), (("float32", (2, 3), [1, 0, 0, 1, 0, 0]), True)),
    "view_es_vista": (_writes_base(lambda b: b.view(6)[4:]), (("float32", (2, 3), [0, 0, 0, 0, 1, 1]), True)),
    "reshape_es_vista": (_writes_base(lambda b: b.reshape(3, 2)[0]), (("float32", (2, 3), [1, 1, 0, 0, 0, 0]), True)),
    "flatten_es_vista": (_writes_base(lambda b: b.flatten()[:2]), (("float32", (2, 3), [1, 1, 0, 0, 0, 0]), True)),
    "unsqueeze_es_vista": (_writes_base(lambda b: b.unsqueeze(0)[0, 1]), (("float32", (2, 3), [0, 0, 0, 1, 1, 1]), True)),
    "squeeze_es_vista": (_writes_base(lambda b: b.squeeze()[0], (1, 3)), (("float32", (1, 3), [1, 0, 0]), True)),
    "split_es_vista": (_writes_base(lambda b: b.split(2, 1)[1]), (("float32", (2, 3), [0, 0, 1, 0, 0, 1]), True)),
    "chunk_es_vista": (_writes_base(lambda b: b.chunk(2, 0)[1]), (("float32", (2, 3), [0, 0, 0, 1, 1, 1]), True)),
    "unbind_es_vista": (_writes_base(lambda b: b.unbind(1)[0]), (("float32", (2, 3), [1, 0, 0, 1, 0, 0]), True)),
    "movedim_es_vista": (_writes_base(lambda b: b.movedim(0, 1)[1]), (("float32", (2, 3), [0, 1, 0, 0, 1, 0]), True)),
    "ellipsis_es_vista": (_writes_base(lambda b: b[..., 1]), (("float32", (2, 3), [0, 1, 0, 0, 1, 0]), True)),
    "inplace_en_vista_con_grafo": (_inplace_on_view_of_graph,
                                   (("float32", (3,), [6, 6, 2]), ("float32", (3,), [6, 6, 2]), True)),
    "vista_antigua_tras_inplace_en_base": (_stale_view_after_inplace_on_base,
                                           (("float32", (3,), [6, 6, 0]), ("float32", (2,), [6, 6]))),
    "vista_de_vista": (_view_of_view_chain, (("float32", (4,), [5, 5, 1, 1]), ("float32", (2, 2), [5, 5, 1, 1]))),
    "otra_vista_ve_la_historia_nueva": (_other_view_sees_new_history,
                                        (("float32", (4,), [0, 200, 2, 2]), ("float32", (3,), [10, 1, 1]))),
    "base_gana_gradiente_por_inplace": (_base_gets_grad_from_inplace, (True, True, True)),
    "vista_de_hoja_inplace": (_leaf_view_inplace, Raises("RuntimeError")),
    "vista_de_hoja_inplace_sin_grad": (_leaf_view_inplace_no_grad, ("float32", (3,), [2, 2, 1])),
    "split_inplace_con_grafo": (_multi_output_view(lambda y: y.split(2)), Raises("RuntimeError")),
    "chunk_inplace_con_grafo": (_multi_output_view(lambda y: y.chunk(2)), Raises("RuntimeError")),
    "unbind_inplace_con_grafo": (_multi_output_view(lambda y: y.unbind(0)), Raises("RuntimeError")),
    "split_inplace_sin_grad": (_multi_output_view_no_grad, ("float32", (4,), [4, 4, 2, 2])),
    "vista_creada_sin_grad": (_no_grad_view, (True, True)),
    "vista_sin_grad_inplace_con_grad": (_no_grad_view_inplace_with_grad, Raises("RuntimeError")),
    "fill_conserva_el_grafo": (_fill_keeps_graph("fill_"),
                               (True, True, ("float32", (3,), [3, 3, 3]), ("float32", (3,), [3, 3, 3]))),
    "zero_conserva_el_grafo": (_fill_keeps_graph("zero_"),
                               (True, True, ("float32", (3,), [0, 0, 0]), ("float32", (3,), [0, 0, 0]))),
    "fill_con_tensor": (_fill_with_tensor_value, (("float32", (3,), [0, 0, 0]), ("float32", (), [6.0]))),
    "copy_en_grafo": (_copy_into_graph, (("float32", (3,), [0, 0, 0]), ("float32", (3,), [2, 4, 6]))),
    "copy_no_cabe": (_copy_broadcast_too_big, Raises("RuntimeError")),
    "data_tiene_su_propia_version": (_data_has_own_version, (1, 1, 1, ("float32", (3,), [3, 3, 3]))),
    "setitem_en_vista_con_grafo": (_setitem_view_of_graph, (("float32", (4,), [2, 2, 0, 2]),
                                                            ("float32", (4,), [2, 2, 7, 2]))),
    "setitem_valor_con_grad": (_setitem_grad_value, (("float32", (2,), [4, 6]), True)),
    "version_de_vista_vigilada": (_version_of_view_checked, Raises("RuntimeError")),
}

test_views_as_pytorch, test_expectations_are_torchs = parity_tests(CASES)


def test_flatten_with_nothing_to_flatten_returns_self():
    x = tg.tensor([1.0, 2.0])
    assert x.flatten() is x
    y = tg.zeros(2, 3)
    assert y.flatten(1, 1) is y and y.flatten(-1) is y
    z = tg.tensor(3.0)
    assert z.flatten() is not z and z.flatten().shape == (1,)


def test_views_share_memory_numpy_level():
    b = tg.zeros(3, 4)
    for v in (b.diagonal(), b.unfold(1, 2, 1), b[0, 1], b.T, b.view(12), b.narrow(0, 1, 1), b.expand(2, 3, 4)):
        assert np.shares_memory(v._data, b._data)
        assert v._is_view() and v._base is b


def test_view_of_view_has_root_base():
    b = tg.zeros(4, 4)
    v = b[1:].T.diagonal()
    assert v._base is b


def test_inplace_on_base_then_view_grad_matches_formula():
    # b = 2a; v = b[1:]; b *= 3 (b = 6a); loss = Σ v³ → ∂/∂a_i = 3·(6a)²·6 para i ≥ 1
    a = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)
    b = a * 2
    v = b[1:]
    b.mul_(3)
    (v ** 3).sum().backward()
    av = np.array([1.0, 2.0, 3.0])
    expect = 3 * (6 * av) ** 2 * 6
    expect[0] = 0
    np.testing.assert_allclose(a.grad.numpy(), expect)


def test_repeated_inplace_on_many_views_is_linear():
    # cada vista se re-basa sólo cuando se usa: n operaciones in situ sobre n filas no hacen n² nodos
    x = tg.zeros(200, 3, requires_grad=True)
    y = x * 1
    rows = y.unbind(0)
    with tg.no_grad():
        for r in rows:
            r.add_(1)
    assert float(y.sum()) == 600.0


def test_stale_view_requires_grad_without_use():
    b = tg.zeros(3)
    v = b[:2]
    assert not v.requires_grad
    b.add_(tg.ones(3, requires_grad=True))
    assert v.requires_grad and v.grad_fn is not None and not v.is_leaf


@pytest.mark.parametrize("op", ["add_", "mul_", "sub_", "div_"])
def test_inplace_views_hypothesis_like_torch(op):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a0 = rng.standard_normal((3, 4))
    res = []
    for L in (tg, torch):
        a = L.tensor(a0, requires_grad=True)
        b = a * 1.5
        v = b[1:, ::2]
        w = b.T[1]
        getattr(v, op)(2.0)
        (w * b.sum(1)).sum().backward()
        res.append(a.grad.detach().numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12)
