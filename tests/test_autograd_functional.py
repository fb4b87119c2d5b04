"""``torch.autograd.functional`` y ``torch.func``: jacobianas, hessianas, productos con vectores,
``grad`` compuesto consigo mismo, ``vmap`` y ``functional_call``. Los valores se comparan con
fórmulas cerradas y, si PyTorch está instalado, con PyTorch (mismas funciones, mismas entradas)."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import func as tfunc
from tinygrad_es.autograd import functional as AF

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="la paridad necesita PyTorch")
rng = np.random.default_rng(0)


def T(a, grad=False):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def np_(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


# funciones escritas una vez para las dos bibliotecas (L = tinygrad_es o torch)
def f_scalar(L):
    return lambda x: (x.sin() * x ** 3).sum() + (x * x).exp().sum() / 10


def f_vec(L):
    return lambda x: L.tanh(x) * x.sum() + x ** 2


def f_two(L):
    return lambda x, y: ((x @ y).tanh() ** 2).sum() + (x * x).sum() * y.sum()


X = rng.standard_normal(3) * 0.7
A, B = rng.standard_normal((2, 3)) * 0.5, rng.standard_normal((3, 2)) * 0.5


def test_closed_forms():
    x = T([1.0, 2.0])
    np.testing.assert_allclose(np_(AF.jacobian(lambda t: t * t, x)), np.diag([2.0, 4.0]))
    np.testing.assert_allclose(np_(AF.hessian(lambda t: (t ** 3).sum(), x)), np.diag([6.0, 12.0]))
    out, v = AF.vjp(lambda t: t * t, x, T([1.0, 1.0]))
    np.testing.assert_allclose(np_(v), [2.0, 4.0])
    out, j = AF.jvp(lambda t: t * t, x, T([1.0, 0.5]))
    np.testing.assert_allclose(np_(j), [2.0, 2.0])
    out, h = AF.hvp(lambda t: (t ** 3).sum(), x, T([1.0, 1.0]))
    np.testing.assert_allclose(np_(h), [6.0, 12.0])
    out, h = AF.vhp(lambda t: (t ** 3).sum(), x, T([1.0, 1.0]))
    np.testing.assert_allclose(np_(h), [6.0, 12.0])
    assert not out.requires_grad and not x.requires_grad


def test_structure_strict_and_create_graph():
    x, y = T([1.0, 2.0]), T([3.0])
    jac = AF.jacobian(lambda a, b: (a * b, b * 2), (x, y))
    assert len(jac) == 2 and len(jac[0]) == 2 and tuple(jac[0][1].shape) == (2, 1)
    H = AF.hessian(lambda a, b: (a * a * b).sum(), (x, y))
    np.testing.assert_allclose(np_(H[0][1]), [[2.0], [4.0]])
    np.testing.assert_allclose(np_(H[1][1]), [[0.0]])
    np.testing.assert_allclose(np_(AF.jacobian(lambda a, b: a * 2, (x, y))[1]), np.zeros((2, 1)))
    with pytest.raises(RuntimeError, match="no depende de la entrada 1"):
        AF.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    xg = T([1.0, 2.0], grad=True)
    J = AF.jacobian(lambda a: a ** 3, xg, create_graph=True)
    assert J.requires_grad
    (g,) = tg.autograd.grad(J.sum(), xg)
    np.testing.assert_allclose(np_(g), [6.0, 12.0])
    with pytest.raises(RuntimeError, match="v tiene la forma|forma"):
        AF.vjp(lambda t: t * t, x, T([1.0, 2.0, 3.0]))


@needs_torch
@pytest.mark.parametrize("which", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_functional_parity_with_torch(which):
    ours = {"jacobian": (f_vec, (X,)), "hessian": (f_scalar, (X,)), "vjp": (f_vec, (X,)), "jvp": (f_vec, (X,)),
            "hvp": (f_scalar, (X,)), "vhp": (f_scalar, (X,))}[which]
    make, args = ours
    v = rng.standard_normal(3)
    ta = tuple(T(a) for a in args)
    pa = tuple(torch.tensor(a) for a in args)
    fn_o, fn_t = getattr(AF, which), getattr(torch.autograd.functional, which)
    if which in ("jacobian", "hessian"):
        got, want = fn_o(make(tg), ta[0]), fn_t(make(torch), pa[0])
        np.testing.assert_allclose(np_(got), want.numpy(), rtol=1e-10, atol=1e-12)
    else:
        got, want = fn_o(make(tg), ta[0], T(v)), fn_t(make(torch), pa[0], torch.tensor(v))
        for a, b in zip(got, want):
            np.testing.assert_allclose(np_(a), b.numpy(), rtol=1e-10, atol=1e-12)
    # dos entradas
    ga = AF.hessian(f_two(tg), (T(A), T(B)))
    wa = torch.autograd.functional.hessian(f_two(torch), (torch.tensor(A), torch.tensor(B)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(np_(ga[i][j]), wa[i][j].numpy(), rtol=1e-10, atol=1e-12)


# ---- torch.func ------------------------------------------------------------------------------
def test_grad_composes_and_matches_closed_forms():
    x = T(0.5)
    d1 = tfunc.grad(lambda t: t.sin())
    d2 = tfunc.grad(d1)
    d3 = tfunc.grad(d2)
    assert d1(x).item() == pytest.approx(np.cos(0.5))
    assert d2(x).item() == pytest.approx(-np.sin(0.5))
    assert d3(x).item() == pytest.approx(-np.cos(0.5))
    g, (val, aux) = tfunc.grad_and_value(lambda a, b: ((a * b).sum(), a * 2), argnums=(0, 1), has_aux=True)(
        T([1.0, 2.0]), T([3.0, 4.0]))
    np.testing.assert_allclose(np_(g[0]), [3.0, 4.0])
    np.testing.assert_allclose(np_(g[1]), [1.0, 2.0])
    assert val.item() == 11.0 and np_(aux).tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="escalar"):
        tfunc.grad(lambda t: t * 2)(T([1.0, 2.0]))
    # un gradiente dentro de una pérdida: derivable respecto de lo de fuera (gradient penalty)
    w = T([0.5, -1.0], grad=True)
    pen = (tfunc.grad(lambda x: (w * x).tanh().sum())(T([1.0, 2.0])) ** 2).sum()
    (gw,) = tg.autograd.grad(pen, w)
    assert gw.shape == (2,) and np.all(np.isfinite(np_(gw)))


def test_grad_of_pytree_and_vjp():
    params = {"w": T([[1.0, 2.0]]), "b": T([0.5])}
    g = tfunc.grad(lambda p, x: ((x @ p["w"].T + p["b"]) ** 2).sum())(params, T([[1.0, 1.0]]))
    assert set(g) == {"w", "b"}
    np.testing.assert_allclose(np_(g["b"]), [2 * 3.5])
    out, fn = tfunc.vjp(lambda a, b: a * b, T([1.0, 2.0]), T([3.0, 4.0]))
    ga, gb = fn(T([1.0, 1.0]))
    np.testing.assert_allclose(np_(ga), [3.0, 4.0])
    np.testing.assert_allclose(np_(gb), [1.0, 2.0])


@needs_torch
def test_jacrev_jacfwd_hessian_match_torch_func():
    x = T(X)
    tx = torch.tensor(X)
    np.testing.assert_allclose(np_(tfunc.jacrev(f_vec(tg))(x)), torch.func.jacrev(f_vec(torch))(tx).numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np_(tfunc.jacfwd(f_vec(tg))(x)), torch.func.jacfwd(f_vec(torch))(tx).numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np_(tfunc.hessian(f_scalar(tg))(x)), torch.func.hessian(f_scalar(torch))(tx).numpy(),
                               rtol=1e-10, atol=1e-12)
    got = tfunc.jacrev(f_two(tg), argnums=(0, 1))(T(A), T(B))
    want = torch.func.jacrev(f_two(torch), argnums=(0, 1))(torch.tensor(A), torch.tensor(B))
    for a, b in zip(got, want):
        np.testing.assert_allclose(np_(a), b.numpy(), rtol=1e-10, atol=1e-12)


def test_vmap_semantics():
    a, b = T(rng.standard_normal((4, 3))), T(rng.standard_normal(3))
    out = tfunc.vmap(lambda x, y: (x * y).sum(), in_dims=(0, None))(a, b)
    np.testing.assert_allclose(np_(out), np_(a) @ np_(b))
    out = tfunc.vmap(lambda x: x * 2, in_dims=1, out_dims=1)(a)
    np.testing.assert_allclose(np_(out), np_(a) * 2)
    outer = tfunc.vmap(tfunc.vmap(lambda x, y: x * y, in_dims=(None, 0)), in_dims=(0, None))(T([1.0, 2.0]),
                                                                                             T([3.0, 4.0, 5.0]))
    np.testing.assert_allclose(np_(outer), np.outer([1.0, 2.0], [3.0, 4.0, 5.0]))
    s, p = tfunc.vmap(lambda x: (x.sum(), x * x))(a)
    assert s.shape == (4,) and p.shape == (4, 3)
    with pytest.raises(ValueError, match="mismo tamaño"):
        tfunc.vmap(lambda x, y: x + y)(T(np.ones(3)), T(np.ones(4)))
    with pytest.raises(ValueError, match="fuera de rango"):
        tfunc.vmap(lambda x: x, in_dims=2)(a)
    with pytest.raises(ValueError, match="al menos un argumento"):
        tfunc.vmap(lambda x: x, in_dims=None)(a)
    tg.manual_seed(0)
    same = tfunc.vmap(lambda x: x + tg.rand(()), randomness="same")(a)
    d = np_(same) - np_(a)
    np.testing.assert_allclose(d, d[0:1].repeat(4, 0))


def test_per_sample_gradients_equal_a_python_loop():
    nn, F = tg.nn, tg.nn.functional
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    data, targets = T(rng.standard_normal((6, 4))).float(), tg.tensor(rng.integers(0, 3, 6))
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, x, y):
        return F.cross_entropy(tfunc.functional_call(model, p, (x.unsqueeze(0),)), y.unsqueeze(0))

    per = tfunc.vmap(tfunc.grad(loss), in_dims=(None, 0, 0))(params, data, targets)
    for i in range(6):
        model.zero_grad()
        F.cross_entropy(model(data[i:i + 1]), targets[i:i + 1]).backward()
        for k, p in model.named_parameters():
            np.testing.assert_allclose(np_(per[k][i]), np_(p.grad), rtol=1e-5, atol=1e-6)
    assert all(p.grad is not None for p in model.parameters())  # el modelo sigue con sus pesos
    np.testing.assert_allclose(np_(model[0].weight), np_(params["0.weight"]))


def test_functional_call():
    nn = tg.nn
    m = nn.Linear(2, 1)
    new = {"weight": T([[1.0, 2.0]]).float(), "bias": T([0.0]).float()}
    out = tfunc.functional_call(m, new, (T([[1.0, 1.0]]).float(),))
    assert out.item() == 3.0
    assert isinstance(m.weight, nn.Parameter)  # sin cambiar el módulo
    with pytest.raises(RuntimeError, match="faltan"):
        tfunc.functional_call(m, {"weight": new["weight"]}, (T([[1.0, 1.0]]).float(),), strict=True)
    with pytest.raises(RuntimeError, match="inesperadas"):
        tfunc.functional_call(m, {"peso": new["weight"]}, (T([[1.0, 1.0]]).float(),))


@needs_torch
def test_hessian_of_a_small_mlp_loss_matches_torch():
    """La hessiana de la pérdida de un MLP respecto de sus pesos (lo que el cuaderno usa para hablar de
    curvatura), con los mismos pesos y datos que PyTorch."""
    w1, b1 = rng.standard_normal((3, 2)) * 0.5, rng.standard_normal(3) * 0.1
    w2 = rng.standard_normal((1, 3)) * 0.5
    xs, ys = rng.standard_normal((5, 2)), rng.standard_normal((5, 1))

    def make(L, F):
        x, y = L.tensor(xs), L.tensor(ys)

        def loss(a, b, c):
            return F.mse_loss(F.linear(F.linear(x, a, b).tanh(), c), y)
        return loss

    ours = AF.hessian(make(tg, tg.nn.functional), (T(w1), T(b1), T(w2)))
    theirs = torch.autograd.functional.hessian(make(torch, torch.nn.functional),
                                               (torch.tensor(w1), torch.tensor(b1), torch.tensor(w2)))
    for i in range(3):
        for j in range(3):
            np.testing.assert_allclose(np_(ours[i][j]), theirs[i][j].numpy(), rtol=1e-9, atol=1e-12)


def test_readme_autograd_example_runs():
    import os
    import re
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    code = re.search(r"### Autograd, entero.*?```python\n(.*?)```", readme, re.S).group(1)
    env = {}
    exec(compile(code, "README.md", "exec"), env)
    assert env["d1"].item() == pytest.approx(6.75) and env["d2"].item() == pytest.approx(9.0)
    np.testing.assert_allclose(np_(env["H"]), np.diag([6.0, 12.0]))
    assert tuple(env["por_muestra"].shape) == (8, 3)
    y = env["MiReLU"].apply(tg.tensor([-1.0, 2.0], requires_grad=True))
    assert y.tolist() == [0.0, 2.0]
