"""``nn.utils.parametrize`` y ``parametrizations`` sin PyTorch: gradcheck en float64 de
``weight_norm``/``spectral_norm`` (respecto del parámetro original, a través del módulo), ``cached``,
``right_inverse``, ``unsafe``, errores, guardado y entrenamiento."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn, optim
from tinygrad_es.func import functional_call
from tinygrad_es.gradcheck import gradcheck
from tinygrad_es.nn.utils import parametrize as P
from tinygrad_es.nn.utils import parametrizations as PS


def leaf(a):
    return tg.from_numpy(np.array(a)).requires_grad_(True)


class Sym(nn.Module):
    calls = 0

    def forward(self, X):
        Sym.calls += 1
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A):
        return A.triu()


class Grow(nn.Module):
    def forward(self, X):
        return tg.cat([X, X], 0)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_gradcheck_float64_through_the_module(dim):
    tg.manual_seed(0)
    m = PS.weight_norm(nn.Conv2d(2, 3, 2).double(), dim=dim)
    x = tg.from_numpy(np.random.default_rng(0).standard_normal((1, 2, 3, 3)))
    g0, v0 = (p.detach().numpy().copy() for p in (m.parametrizations.weight.original0,
                                                   m.parametrizations.weight.original1))

    def f(g, v):
        return functional_call(m, {"parametrizations.weight.original0": g,
                                   "parametrizations.weight.original1": v}, (x,))

    assert gradcheck(f, [leaf(g0), leaf(v0)], atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(m.weight.detach().numpy(), v0, rtol=1e-12, atol=1e-12)  # al principio, w = v


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 2, 2)])
def test_spectral_norm_gradcheck_float64_and_sigma_one(shape):
    tg.manual_seed(1)
    w = np.random.default_rng(1).standard_normal(shape)
    layer = nn.Linear(3, 4) if len(shape) == 2 else nn.Conv2d(2, 3, 2)
    m = PS.spectral_norm(layer.double(), n_power_iterations=30)
    m.parametrizations.weight.original.data = tg.from_numpy(w)
    m(tg.zeros((1, 3) if len(shape) == 2 else (1, 2, 2, 2), dtype=tg.float64))     # 30 pasos más en train()
    sigma = np.linalg.svd(w.reshape(shape[0], -1), compute_uv=False)[0]
    np.testing.assert_allclose(m.weight.detach().numpy(), w / sigma, rtol=1e-6)
    m.eval()                                            # u, v fijos: una función de W derivable

    x = tg.from_numpy(np.random.default_rng(2).standard_normal((2, 3) if len(shape) == 2 else (1, 2, 3, 3)))

    def f(W):
        return functional_call(m, {"parametrizations.weight.original": W}, (x,))

    assert gradcheck(f, [leaf(w)], atol=1e-6, rtol=1e-5)


def test_spectral_norm_power_iteration_only_in_train():
    m = PS.spectral_norm(nn.Linear(3, 4))
    u = m.parametrizations.weight[0]._u.numpy().copy()
    m.weight.detach().numpy()
    assert not np.array_equal(u, m.parametrizations.weight[0]._u.numpy())  # un paso en train()
    m.eval()
    u = m.parametrizations.weight[0]._u.numpy().copy()
    m.weight
    np.testing.assert_array_equal(u, m.parametrizations.weight[0]._u.numpy())


def test_original_is_the_same_parameter_and_training_moves_it():
    lin = nn.Linear(3, 3)
    w = lin.weight
    P.register_parametrization(lin, "weight", Sym())
    assert lin.parametrizations.weight.original is w                # el optimizador lo sigue viendo
    assert type(lin).__name__ == "ParametrizedLinear" and isinstance(lin, nn.Linear)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    before = lin.weight.detach().numpy().copy()
    lin(tg.ones(2, 3)).sum().backward()
    opt.step()
    after = lin.weight.detach().numpy()
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, after.T)                      # sigue siendo simétrica


def test_cached_computes_once_and_forgets_after():
    lin = P.register_parametrization(nn.Linear(3, 3), "weight", Sym())
    Sym.calls = 0
    with P.cached():
        a = lin.weight
        b = lin.weight
        with P.cached():
            c = lin.weight
    assert a is b is c and Sym.calls == 1
    lin.weight
    assert Sym.calls == 2


def test_right_inverse_on_assignment_and_unsafe_shape_change():
    lin = P.register_parametrization(nn.Linear(3, 3), "weight", Sym())
    A = np.arange(9.0).reshape(3, 3)
    lin.weight = tg.from_numpy((A + A.T).astype(np.float32))
    np.testing.assert_allclose(lin.weight.detach().numpy(), A + A.T)
    with pytest.raises(ValueError, match="forma"):
        P.register_parametrization(nn.Linear(3, 2), "weight", Grow())
    m = P.register_parametrization(nn.Linear(3, 2), "weight", Grow(), unsafe=True)
    assert tuple(m.weight.shape) == (4, 3)
    with pytest.raises(ValueError, match="no tiene"):
        P.register_parametrization(nn.Linear(3, 2), "peso", Sym())


def test_remove_restores_class_and_keys():
    lin = nn.Linear(3, 3)
    P.register_parametrization(lin, "weight", Sym())
    P.register_parametrization(lin, "bias", nn.Identity())
    assert list(lin.state_dict()) == ["parametrizations.weight.original", "parametrizations.bias.original"]
    P.remove_parametrizations(lin, "weight")
    assert P.is_parametrized(lin) and not P.is_parametrized(lin, "weight")
    P.remove_parametrizations(lin, "bias", leave_parametrized=False)
    assert type(lin) is nn.Linear and not P.is_parametrized(lin)
    assert sorted(lin.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError):
        P.remove_parametrizations(lin, "weight")
    wn = PS.weight_norm(nn.Linear(2, 2))
    with pytest.raises(ValueError):                    # g y v: no hay un único original al que volver
        P.remove_parametrizations(wn, "weight", leave_parametrized=False)


def test_state_dict_roundtrip_deepcopy_and_pickle():
    a = PS.spectral_norm(nn.Linear(4, 3))
    b = PS.spectral_norm(nn.Linear(4, 3))
    b.load_state_dict(a.state_dict())
    a.eval(), b.eval()
    x = tg.randn(2, 4)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    c = copy.deepcopy(a)
    np.testing.assert_array_equal(a(x).detach().numpy(), c(x).detach().numpy())
    assert c.parametrizations.weight.original is not a.parametrizations.weight.original
    with pytest.raises(RuntimeError, match="state_dict"):
        pickle.dumps(a)


def test_legacy_weight_and_spectral_norm_train_and_remove():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        m = nn.utils.weight_norm(nn.Linear(3, 2), dim=None)
    assert tuple(m.weight_g.shape) == ()
    s = nn.utils.spectral_norm(nn.Linear(3, 5))
    assert [n for n, _ in s.named_buffers()] == ["weight_u", "weight_v"]
    with pytest.raises(ValueError):
        nn.utils.spectral_norm(nn.Linear(3, 5), n_power_iterations=0)
    for _ in range(40):
        s(tg.ones(1, 3))
    sigma = np.linalg.svd(s.weight_orig.detach().numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(s.weight.detach().numpy(), s.weight_orig.detach().numpy() / sigma, rtol=1e-4)
    nn.utils.remove_spectral_norm(s)
    assert isinstance(s.weight, nn.Parameter) and list(s.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError):
        nn.utils.remove_spectral_norm(s)


@pytest.mark.parametrize("omap", ["matrix_exp", "cayley", "householder"])
def test_orthogonal_is_orthogonal_and_gradcheck_float64(omap):
    tg.manual_seed(3)
    m = PS.orthogonal(nn.Linear(3, 4).double(), orthogonal_map=omap)
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w.T @ w, np.eye(3), atol=1e-12)
    X = m.parametrizations.weight.original.detach().numpy() + \
        0.1 * np.random.default_rng(0).standard_normal((4, 3))
    x = tg.from_numpy(np.random.default_rng(1).standard_normal((2, 3)))

    def f(X):
        return functional_call(m, {"parametrizations.weight.original": X}, (x,))

    assert gradcheck(f, [leaf(X)], atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError, match="forma"):
        m.weight = tg.zeros(3, 3, dtype=tg.float64)


def test_cached_does_not_mix_a_module_and_its_deepcopy():
    a = P.register_parametrization(nn.Linear(3, 3), "weight", Sym())
    b = copy.deepcopy(a)
    with tg.no_grad():
        b.parametrizations.weight.original.mul_(2)
    with P.cached():
        wa, wb = a.weight, b.weight
    np.testing.assert_allclose(wb.detach().numpy(), 2 * wa.detach().numpy())
