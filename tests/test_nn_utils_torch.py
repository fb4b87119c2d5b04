"""``nn.utils`` (parametrize, weight_norm, spectral_norm, prune, fuse_*, stateless), ``nn.init`` (nombres
antiguos) y ``autograd.Variable`` frente a PyTorch con los mismos pesos: claves y valores de
``state_dict``, ``repr``, forward, gradientes respecto de los parámetros originales y máscaras de poda."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.utils.parametrize as TP  # noqa: E402
import torch.nn.utils.prune as TPR  # noqa: E402

import tinygrad_es as tg  # noqa: E402
from tinygrad_es import nn  # noqa: E402
from tinygrad_es.nn.utils import parametrize as P  # noqa: E402
from tinygrad_es.nn.utils import prune as PR  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def close(a, A, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a.detach().numpy()), A.detach().numpy(), rtol=tol, atol=tol)


def to_torch(sd):
    return {k: torch.tensor(v.numpy()) for k, v in sd.items()}


def to_tg(sd):
    return {k: tg.from_numpy(v.detach().numpy().copy()) for k, v in sd.items()}


def pair(make, make_t, seed=0):
    """La misma capa en float64 en las dos bibliotecas, con los pesos de la nuestra."""
    tg.manual_seed(seed)
    m, M = make().double(), make_t().double()
    M.load_state_dict(to_torch(m.state_dict()))
    return m, M


LAYERS = [
    (lambda: nn.Linear(5, 4), lambda: torch.nn.Linear(5, 4), (3, 5)),
    (lambda: nn.Conv2d(2, 3, 3), lambda: torch.nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    (lambda: nn.ConvTranspose2d(3, 2, 3), lambda: torch.nn.ConvTranspose2d(3, 2, 3), (2, 3, 4, 4)),
]


def run_both(m, M, shape, seed=1):
    x = np.random.default_rng(seed).standard_normal(shape)
    y, Y = m(tg.from_numpy(x)), M(torch.tensor(x))
    close(y, Y)
    (y ** 2).sum().backward()
    (Y ** 2).sum().backward()


def same_grads(m, M, tol=1e-9):
    names = [n for n, _ in m.named_parameters()]
    assert names == [n for n, _ in M.named_parameters()]
    for (n, p), (_, q) in zip(m.named_parameters(), M.named_parameters()):
        close(p.grad, q.grad, tol)


@pytest.mark.parametrize("layer", range(3))
@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrizations_weight_norm_matches_torch(layer, dim):
    make, make_t, shape = LAYERS[layer]
    m, M = pair(make, make_t)
    nn.utils.parametrizations.weight_norm(m, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(M, dim=dim)
    assert list(m.state_dict()) == list(M.state_dict())
    for k, v in M.state_dict().items():
        close(m.state_dict()[k], v)
    assert repr(m) == repr(M)
    assert type(m).__name__ == type(M).__name__
    run_both(m, M, shape)
    same_grads(m, M)


@pytest.mark.parametrize("layer", range(3))
@pytest.mark.parametrize("n_iter", [1, 3])
def test_parametrizations_spectral_norm_matches_torch(layer, n_iter):
    make, make_t, shape = LAYERS[layer]
    m, M = pair(make, make_t)
    nn.utils.parametrizations.spectral_norm(m, n_power_iterations=n_iter)
    torch.nn.utils.parametrizations.spectral_norm(M, n_power_iterations=n_iter)
    assert list(m.state_dict()) == list(M.state_dict())
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in M.named_buffers()]
    m.load_state_dict(to_tg(M.state_dict()))          # los u, v iniciales son aleatorios: los de torch
    assert repr(m) == repr(M)
    for train in (True, True, False):                 # dos pasos de la potencia y uno en eval
        m.train(train), M.train(train)
        m.zero_grad(), M.zero_grad()
        run_both(m, M, shape)
        same_grads(m, M)
        for k, v in M.state_dict().items():
            close(m.state_dict()[k], v)


def test_spectral_norm_of_1d_and_dim_errors():
    m, M = pair(lambda: nn.BatchNorm1d(4), lambda: torch.nn.BatchNorm1d(4))
    nn.utils.parametrizations.spectral_norm(m)
    torch.nn.utils.parametrizations.spectral_norm(M)
    close(m.weight, M.weight)
    with pytest.raises(IndexError):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), dim=2)
    with pytest.raises(IndexError):
        torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(2, 2), dim=2)
    for lib in (nn, torch.nn):
        with pytest.raises(ValueError):
            lib.utils.parametrizations.spectral_norm(lib.Linear(2, 2), n_power_iterations=0)
        with pytest.raises(ValueError):
            lib.utils.parametrizations.spectral_norm(lib.Linear(2, 2), name="nada")


@pytest.mark.parametrize("layer", range(3))
def test_legacy_weight_norm_matches_torch(layer):
    make, make_t, shape = LAYERS[layer]
    m, M = pair(make, make_t)
    with pytest.warns(FutureWarning):
        nn.utils.weight_norm(m)
    with pytest.warns(FutureWarning):
        torch.nn.utils.weight_norm(M)
    assert list(m.state_dict()) == list(M.state_dict()) and "weight_g" in m.state_dict()
    assert repr(m) == repr(M)
    run_both(m, M, shape)
    same_grads(m, M)
    for lib, mod in ((nn, m), (torch.nn, M)):
        with pytest.raises(RuntimeError):
            lib.utils.weight_norm(mod)
    nn.utils.remove_weight_norm(m)
    torch.nn.utils.remove_weight_norm(M)
    assert list(m.state_dict()) == list(M.state_dict())
    close(m.weight, M.weight)
    for lib, mod in ((nn, m), (torch.nn, M)):
        with pytest.raises(ValueError):
            lib.utils.remove_weight_norm(mod)


@pytest.mark.parametrize("layer", range(3))
def test_legacy_spectral_norm_matches_torch(layer):
    make, make_t, shape = LAYERS[layer]
    m, M = pair(make, make_t)
    nn.utils.spectral_norm(m, n_power_iterations=2)
    torch.nn.utils.spectral_norm(M, n_power_iterations=2)
    assert list(m.state_dict()) == list(M.state_dict()) == [k for k in M.state_dict()]
    assert list(m.state_dict())[-3:] == ["weight_orig", "weight_u", "weight_v"]
    m.load_state_dict(to_tg(M.state_dict()))
    for train in (True, True, False):
        m.train(train), M.train(train)
        m.zero_grad(), M.zero_grad()
        run_both(m, M, shape)
        same_grads(m, M)
        for k, v in M.state_dict().items():
            close(m.state_dict()[k], v)
    for lib, mod in ((nn, m), (torch.nn, M)):
        with pytest.raises(RuntimeError):
            lib.utils.spectral_norm(mod)
    nn.utils.remove_spectral_norm(m)
    torch.nn.utils.remove_spectral_norm(M)
    assert list(m.state_dict()) == list(M.state_dict())
    close(m.weight, M.weight)


def parametrizations_of(L):
    """``Sym`` (simétrica, con ``right_inverse``) y ``Scale`` (×2, sin él) para la biblioteca ``L``."""
    class Sym(L.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    class Scale(L.nn.Module):
        def forward(self, X):
            return 2 * X

    return Sym, Scale


Sym, Scale = parametrizations_of(tg)
SymT, ScaleT = parametrizations_of(torch)


def test_register_parametrization_chain_assign_and_remove_match_torch():
    m, M = pair(lambda: nn.Linear(3, 3), lambda: torch.nn.Linear(3, 3))
    P.register_parametrization(m, "weight", Sym())
    TP.register_parametrization(M, "weight", SymT())
    P.register_parametrization(m, "weight", Scale())
    TP.register_parametrization(M, "weight", ScaleT())
    assert repr(m) == repr(M)
    assert list(m.state_dict()) == list(M.state_dict())
    close(m.weight, M.weight)
    run_both(m, M, (2, 3))
    same_grads(m, M)
    w = np.arange(9.0).reshape(3, 3)
    with pytest.raises(RuntimeError):               # Scale no tiene right_inverse
        m.weight = tg.from_numpy(w)
    with pytest.raises(RuntimeError):
        M.weight = torch.tensor(w)
    P.remove_parametrizations(m, "weight", leave_parametrized=True)
    TP.remove_parametrizations(M, "weight", leave_parametrized=True)
    assert type(m) is nn.Linear and type(M) is torch.nn.Linear
    assert list(m.state_dict()) == list(M.state_dict())
    close(m.weight, M.weight)
    P.register_parametrization(m, "weight", Sym())
    TP.register_parametrization(M, "weight", SymT())
    m.weight = tg.from_numpy(w + w.T)
    M.weight = torch.tensor(w + w.T)
    close(m.parametrizations.weight.original, M.parametrizations.weight.original)
    P.remove_parametrizations(m, "weight", leave_parametrized=False)
    TP.remove_parametrizations(M, "weight", leave_parametrized=False)
    close(m.weight, M.weight)
    for lib, mod in ((P, m), (TP, M)):
        with pytest.raises(ValueError):
            lib.remove_parametrizations(mod, "weight")
        with pytest.raises(ValueError):
            lib.register_parametrization(mod, "nada", Sym() if lib is P else SymT())


def test_parametrized_buffer_and_two_tensors():
    m, M = pair(lambda: nn.BatchNorm1d(3), lambda: torch.nn.BatchNorm1d(3))
    P.register_parametrization(m, "running_var", Scale())
    TP.register_parametrization(M, "running_var", ScaleT())
    P.register_parametrization(m, "bias", Scale())
    TP.register_parametrization(M, "bias", ScaleT())
    assert list(m.state_dict()) == list(M.state_dict())
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in M.named_buffers()]
    assert P.is_parametrized(m) and P.is_parametrized(m, "bias") and not P.is_parametrized(m, "weight")
    assert P.type_before_parametrizations(m) is nn.BatchNorm1d


@pytest.mark.parametrize("amount", [0.0, 0.3, 0.5, 1.0, 4, 0])
def test_l1_unstructured_mask_matches_torch(amount):
    m, M = pair(lambda: nn.Linear(6, 4), lambda: torch.nn.Linear(6, 4))
    PR.l1_unstructured(m, "weight", amount=amount)
    TPR.l1_unstructured(M, "weight", amount=amount)
    assert list(m.state_dict()) == list(M.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in M.named_parameters()]
    close(m.weight_mask, M.weight_mask, 0)
    close(m.weight, M.weight)
    run_both(m, M, (3, 6))
    same_grads(m, M)
    PR.remove(m, "weight")
    TPR.remove(M, "weight")
    assert list(m.state_dict()) == list(M.state_dict())
    close(m.weight, M.weight)


@pytest.mark.parametrize("n", [1, 2, 3, float("inf"), -float("inf")])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_ln_structured_mask_matches_torch(n, dim):
    m, M = pair(lambda: nn.Conv2d(3, 5, 2), lambda: torch.nn.Conv2d(3, 5, 2))
    PR.ln_structured(m, "weight", amount=0.4, n=n, dim=dim)
    TPR.ln_structured(M, "weight", amount=0.4, n=n, dim=dim)
    close(m.weight_mask, M.weight_mask, 0)


def test_ln_structured_fro_and_nuc_like_torch():
    m, M = pair(lambda: nn.Linear(4, 5), lambda: torch.nn.Linear(4, 5))
    PR.ln_structured(m, "weight", amount=2, n="fro", dim=0)
    TPR.ln_structured(M, "weight", amount=2, n="fro", dim=0)
    close(m.weight_mask, M.weight_mask, 0)
    for lib, L in ((PR, nn), (TPR, torch.nn)):   # 'fro' sobre 3 ejes y 'nuc' sobre 1: la norma no existe
        with pytest.raises(RuntimeError):
            lib.ln_structured(L.Conv2d(2, 3, 2), "weight", amount=1, n="fro", dim=0)
        with pytest.raises(RuntimeError):
            lib.ln_structured(L.Linear(2, 3), "weight", amount=1, n="nuc", dim=0)


def test_iterative_pruning_container_and_importance_scores_match_torch():
    m, M = pair(lambda: nn.Conv2d(3, 6, 2), lambda: torch.nn.Conv2d(3, 6, 2))
    scores = np.random.default_rng(3).standard_normal((6, 3, 2, 2))
    PR.l1_unstructured(m, "weight", amount=0.3, importance_scores=tg.from_numpy(scores))
    TPR.l1_unstructured(M, "weight", amount=0.3, importance_scores=torch.tensor(scores))
    close(m.weight_mask, M.weight_mask, 0)
    PR.ln_structured(m, "weight", amount=2, n=2, dim=0)
    TPR.ln_structured(M, "weight", amount=2, n=2, dim=0)
    close(m.weight_mask, M.weight_mask, 0)
    PR.l1_unstructured(m, "weight", amount=5)
    TPR.l1_unstructured(M, "weight", amount=5)
    close(m.weight_mask, M.weight_mask, 0)
    assert len(list(m._forward_pre_hooks.values())[0][0]) == 3
    mask = (np.random.default_rng(4).random((6, 3, 2, 2)) > 0.5).astype(np.float64)
    PR.custom_from_mask(m, "bias", mask=tg.from_numpy(mask[:, 0, 0, 0]))
    TPR.custom_from_mask(M, "bias", mask=torch.tensor(mask[:, 0, 0, 0]))
    assert list(m.state_dict()) == list(M.state_dict())
    run_both(m, M, (1, 3, 4, 4))
    same_grads(m, M)
    assert PR.is_pruned(m) and TPR.is_pruned(M)


def test_global_unstructured_matches_torch():
    def make(L):
        L.manual_seed(0)
        return L.nn.Sequential(L.nn.Linear(4, 5), L.nn.ReLU(), L.nn.Linear(5, 3))
    m = make(tg).double()
    M = make(torch).double()
    M.load_state_dict(to_torch(m.state_dict()))
    PR.l1_unstructured(m[2], "weight", amount=0.2)
    TPR.l1_unstructured(M[2], "weight", amount=0.2)
    PR.global_unstructured([(m[0], "weight"), (m[2], "weight")], pruning_method=PR.L1Unstructured, amount=0.5)
    TPR.global_unstructured([(M[0], "weight"), (M[2], "weight")], pruning_method=TPR.L1Unstructured, amount=0.5)
    for i in (0, 2):
        close(m[i].weight_mask, M[i].weight_mask, 0)
    assert list(m.state_dict()) == list(M.state_dict())


def test_pruning_amount_errors_match_torch():
    for lib, L in ((PR, nn), (TPR, torch.nn)):
        with pytest.raises(ValueError):
            lib.l1_unstructured(L.Linear(2, 2), "weight", amount=1.5)
        with pytest.raises(ValueError):
            lib.l1_unstructured(L.Linear(2, 2), "weight", amount=-1)
        with pytest.raises(TypeError):
            lib.l1_unstructured(L.Linear(2, 2), "weight", amount="mucho")
        with pytest.raises(ValueError):
            lib.l1_unstructured(L.Linear(2, 2), "weight", amount=5)
        with pytest.raises(ValueError):
            lib.ln_structured(L.Linear(2, 2), "bias", amount=1, n=1, dim=0)
        with pytest.raises(ValueError):
            lib.remove(L.Linear(2, 2), "weight")


def test_random_pruning_counts_and_shape_rules_like_torch():
    for lib, L in ((PR, nn), (TPR, torch.nn)):
        m = L.Conv2d(4, 10, 3)
        lib.random_unstructured(m, "weight", amount=0.35)
        assert int((m.weight_mask == 0).sum()) == round(0.35 * 360)
        lib.random_structured(m, "weight", amount=3, dim=0)
        per_filter = m.weight_mask.reshape(10, -1).sum(1)
        assert int((per_filter == 0).sum()) >= 3
        assert m.weight_mask.dtype == m.weight_orig.dtype


def test_fuse_conv_and_linear_bn_match_torch():
    r = np.random.default_rng(0)
    for transpose in (False, True):
        if transpose:
            c, C = pair(lambda: nn.ConvTranspose2d(3, 4, 3), lambda: torch.nn.ConvTranspose2d(3, 4, 3))
        else:
            c, C = pair(lambda: nn.Conv2d(3, 4, 3), lambda: torch.nn.Conv2d(3, 4, 3))
        b, B = pair(lambda: nn.BatchNorm2d(4), lambda: torch.nn.BatchNorm2d(4))
        sd = {"running_mean": r.standard_normal(4), "running_var": r.uniform(0.5, 2, 4),
              "weight": r.standard_normal(4), "bias": r.standard_normal(4)}
        b.load_state_dict({k: tg.from_numpy(v) for k, v in sd.items()}, strict=False)
        B.load_state_dict({k: torch.tensor(v) for k, v in sd.items()}, strict=False)
        c.eval(), C.eval(), b.eval(), B.eval()
        f = nn.utils.fuse_conv_bn_eval(c, b, transpose=transpose)
        Fz = torch.nn.utils.fuse_conv_bn_eval(C, B, transpose=transpose)
        close(f.weight, Fz.weight)
        close(f.bias, Fz.bias)
        x = r.standard_normal((2, 3, 5, 5))
        close(f(tg.from_numpy(x)), B(C(torch.tensor(x))))
    lin, LIN = pair(lambda: nn.Linear(3, 4, bias=False), lambda: torch.nn.Linear(3, 4, bias=False))
    bn, BN = pair(lambda: nn.BatchNorm1d(4), lambda: torch.nn.BatchNorm1d(4))
    sd = {"running_mean": r.standard_normal(4), "running_var": r.uniform(0.5, 2, 4)}
    bn.load_state_dict({k: tg.from_numpy(v) for k, v in sd.items()}, strict=False)
    BN.load_state_dict({k: torch.tensor(v) for k, v in sd.items()}, strict=False)
    lin.eval(), LIN.eval(), bn.eval(), BN.eval()
    f = nn.utils.fuse_linear_bn_eval(lin, bn)
    Fz = torch.nn.utils.fuse_linear_bn_eval(LIN, BN)
    close(f.weight, Fz.weight)
    close(f.bias, Fz.bias)
    with pytest.raises(AssertionError):
        nn.utils.fuse_linear_bn_eval(lin.train(), bn)
    with pytest.raises(AssertionError):
        torch.nn.utils.fuse_linear_bn_eval(LIN.train(), BN)


@pytest.mark.parametrize("name", ["uniform", "normal", "constant", "xavier_uniform", "xavier_normal",
                                  "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse", "eye"])
def test_deprecated_init_aliases_warn_like_torch(name):
    args = {"constant": (0.5,), "sparse": (0.3,)}.get(name, ())
    for L in (tg, torch):
        t = L.empty(4, 3)
        with pytest.warns(FutureWarning, match=f"nn.init.{name}`"):
            out = getattr(L.nn.init, name)(t, *args)
        assert out is t


def test_sparse_init_zero_count_like_torch():
    for L in (tg, torch):
        w = L.nn.init.sparse_(L.empty(10, 4), sparsity=0.25, std=0.1)
        assert [int(v) for v in (w == 0).sum(0)] == [3, 3, 3, 3]
        with pytest.raises(ValueError):
            L.nn.init.sparse_(L.empty(2, 2, 2), 0.1)


def test_variable_like_torch():
    for L in (tg, torch):
        x = L.ones(2)
        v = L.autograd.Variable(x, requires_grad=True)
        assert v is not x and v.requires_grad and not x.requires_grad
        assert type(v) is L.Tensor and isinstance(x, L.autograd.Variable)
        (v * 3).sum().backward()
        assert v.grad.tolist() == [3.0, 3.0]
        with pytest.warns(UserWarning, match="volatile"):
            L.autograd.Variable(x, volatile=True)
        with pytest.raises(TypeError):
            L.autograd.Variable([1, 2])
        assert tuple(L.autograd.Variable().shape) == (0,)


def test_stateless_functional_call_warns_and_matches_torch():
    m, M = pair(lambda: nn.Linear(2, 1), lambda: torch.nn.Linear(2, 1))
    w = np.array([[1.0, 2.0]])
    x = np.array([[3.0, 4.0]])
    with pytest.warns(FutureWarning):
        y = nn.utils.stateless.functional_call(m, {"weight": tg.from_numpy(w)}, tg.from_numpy(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Y = torch.nn.utils.stateless.functional_call(M, {"weight": torch.tensor(w)}, torch.tensor(x))
    close(y, Y)


def test_skip_init_rules_like_torch():
    for L in (tg, torch):
        m = L.nn.utils.skip_init(L.nn.Linear, 5, 1)
        assert tuple(m.weight.shape) == (1, 5)
        with pytest.raises(RuntimeError):
            L.nn.utils.skip_init(L.nn.ReLU)          # no admite device
        with pytest.raises(RuntimeError):
            L.nn.utils.skip_init(int)


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)])
@pytest.mark.parametrize("omap", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("triv", [True, False])
def test_orthogonal_matches_torch(shape, omap, triv):
    m, M = pair(lambda: nn.Linear(shape[1], shape[0]), lambda: torch.nn.Linear(shape[1], shape[0]))
    nn.utils.parametrizations.orthogonal(m, orthogonal_map=omap, use_trivialization=triv)
    torch.nn.utils.parametrizations.orthogonal(M, orthogonal_map=omap, use_trivialization=triv)
    assert list(m.state_dict()) == list(M.state_dict())
    assert repr(m) == repr(M)
    if not triv and omap == "householder":   # sin azar: el mismo original (geqrf de LAPACK)
        close(m.parametrizations.weight.original, M.parametrizations.weight.original, 1e-9)
    m.load_state_dict(to_tg(M.state_dict()))
    close(m.weight, M.weight, 1e-9)
    run_both(m, M, (2, shape[1]))
    same_grads(m, M, 1e-8)
    if triv:
        q = np.linalg.qr(np.random.default_rng(0).standard_normal(shape[::-1]))[0].T if shape[0] < shape[1] \
            else np.linalg.qr(np.random.default_rng(0).standard_normal(shape))[0]
        m.weight = tg.from_numpy(q)
        M.weight = torch.tensor(q)
        close(m.weight, M.weight, 1e-9)
        close(m.weight, torch.tensor(q), 1e-9)


def test_orthogonal_errors_like_torch():
    for L in (nn, torch.nn):
        with pytest.raises(ValueError):
            L.utils.parametrizations.orthogonal(L.Linear(3, 3), orthogonal_map="qr")
        with pytest.raises(ValueError):
            L.utils.parametrizations.orthogonal(L.BatchNorm1d(3))


def test_functional_call_with_a_parametrized_name_like_torch():
    m, M = pair(lambda: nn.Linear(3, 2), lambda: torch.nn.Linear(3, 2))
    nn.utils.parametrizations.weight_norm(m)
    torch.nn.utils.parametrizations.weight_norm(M)
    w, x = np.arange(6.0).reshape(2, 3), np.ones((1, 3))
    before = m.parametrizations.weight.original1.detach().numpy().copy()
    y = tg.func.functional_call(m, {"weight": tg.from_numpy(w)}, tg.from_numpy(x))
    Y = torch.func.functional_call(M, {"weight": torch.tensor(w)}, torch.tensor(x))
    close(y, Y)
    np.testing.assert_array_equal(m.parametrizations.weight.original1.detach().numpy(), before)
    close(m(tg.from_numpy(x)), M(torch.tensor(x)))                  # la parametrización sigue ahí
    v = np.full((2, 3), 0.5)
    y = tg.func.functional_call(m, {"parametrizations.weight.original1": tg.from_numpy(v)}, tg.from_numpy(x))
    Y = torch.func.functional_call(M, {"parametrizations.weight.original1": torch.tensor(v)}, torch.tensor(x))
    close(y, Y)


BAD_INPUTS = [
    "nn.utils.parametrize.register_parametrization(nn.Linear(2, 2), 'weight', lambda x: x)",
    "nn.utils.prune.l1_unstructured(nn.Linear(2, 2), 'nada', 0.5)",
    "nn.utils.prune.custom_from_mask(nn.Linear(2, 2), 'weight', L.ones(3))",
    "nn.utils.weight_norm(nn.Linear(2, 2), name='nada')",
    "nn.utils.weight_norm(nn.Linear(2, 2), dim=5)",
    "nn.utils.spectral_norm(nn.Linear(2, 2), dim=3)",
    "nn.utils.parametrizations.weight_norm(nn.Linear(2, 2), dim=5)",
    "nn.utils.prune.random_structured(nn.Linear(2, 2), 'weight', 1, dim=5)",
    "nn.utils.fuse_conv_bn_eval(nn.Conv2d(1, 2, 1).eval(), nn.BatchNorm2d(3).eval())(L.ones(1, 1, 2, 2))",
    "L.utils.checkpoint.checkpoint(3, L.ones(2), use_reentrant=False)",
    "L.utils.checkpoint.checkpoint(nn.Linear(2, 2), L.ones(1, 2), use_reentrant=False, determinism_check='x')",
    "L.autograd.Variable(L.ones(2, dtype=L.int64), requires_grad=True)",
]


@pytest.mark.parametrize("code", BAD_INPUTS)
def test_bad_input_raises_torchs_exception_class(code):
    import torch.utils.checkpoint  # noqa: F401  (torch no lo importa solo)
    import tinygrad_es.utils.checkpoint  # noqa: F401
    classes = []
    for L in (tg, torch):
        with pytest.raises(Exception) as info:
            exec(code, {"L": L, "nn": L.nn})
        classes.append(type(info.value))
    assert issubclass(classes[0], classes[1]), classes


def test_new_weight_norm_loads_a_legacy_checkpoint_like_torch():
    old, OLD = pair(lambda: nn.Linear(3, 2), lambda: torch.nn.Linear(3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nn.utils.weight_norm(old)
        torch.nn.utils.weight_norm(OLD)
    sd, SD = old.state_dict(), OLD.state_dict()
    m, M = pair(lambda: nn.Linear(3, 2), lambda: torch.nn.Linear(3, 2), seed=5)
    nn.utils.parametrizations.weight_norm(m)
    torch.nn.utils.parametrizations.weight_norm(M)
    r, R = m.load_state_dict(sd), M.load_state_dict(SD)
    assert (r.missing_keys, r.unexpected_keys) == (R.missing_keys, R.unexpected_keys) == ([], [])
    assert "weight_g" in sd                                       # el dict del usuario no cambia
    close(m.weight, old.weight)
    close(m.weight, M.weight)


def test_load_state_dict_pre_hook_sees_prefix_and_can_rename():
    for L in (tg, torch):
        seen = []
        net = L.nn.Sequential(L.nn.Linear(2, 2))

        def hook(module, state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
            seen.append((type(module).__name__, prefix, strict))
            if prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")

        net[0].register_load_state_dict_pre_hook(hook)
        sd = {"0.w": L.ones(2, 2), "0.bias": L.zeros(2)}
        net.load_state_dict(sd)
        assert seen == [("Linear", "0.", True)] and float(net[0].weight.sum()) == 4.0
