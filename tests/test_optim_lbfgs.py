"""``optim.LBFGS`` contra ``torch.optim.LBFGS``: los mismos iterados en float64 (Rosenbrock, con y sin
búsqueda de línea de Wolfe fuerte), el mismo número de llamadas a ``closure``, el estado con la forma del de
PyTorch (y cargado de PyTorch), y los errores de uso."""
import io

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn, optim

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")

OPTIONS = [
    dict(),
    dict(line_search_fn="strong_wolfe"),
    dict(history_size=3, max_iter=7, lr=0.5),
    dict(line_search_fn="strong_wolfe", history_size=2, max_eval=9, tolerance_change=1e-5),
    dict(line_search_fn="strong_wolfe", max_iter=4, tolerance_grad=1e-3, lr=0.8),
    dict(max_iter=1),
]


A = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, 0.3], [0.5, 0.3, 1.0]])


def _rosenbrock(x):
    """Rosenbrock en n dimensiones y su gradiente (numpy): la closure es la misma en las dos bibliotecas,
    así que sólo se compara el optimizador."""
    f = np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    g = np.zeros_like(x)
    g[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return f, g


def _quadratic(x):
    """½·xᵀAx − Σx (bien condicionada: los redondeos no se amplifican)."""
    return 0.5 * x @ A @ x - x.sum(), A @ x - 1


def run(lib, x0, fun=_rosenbrock, steps=4, split=None, **kw):
    """Los iterados de ``steps`` llamadas a ``step(closure)``, las pérdidas que devuelve y cuántas veces se
    llamó a ``closure``. Con ``split``, a mitad se guarda el estado (.pt) y se carga en un optimizador nuevo."""
    T, mod = (tg, optim) if lib == "ours" else (torch, torch.optim)
    x = (nn.Parameter if lib == "ours" else torch.nn.Parameter)(T.from_numpy(np.array(x0, dtype=np.float64)))
    opt = mod.LBFGS([x], **kw)
    calls = [0]

    def closure():
        calls[0] += 1
        f, g = fun(x.detach().numpy().copy())
        x.grad = T.from_numpy(g)
        return T.tensor(float(f), dtype=T.float64)
    out, losses = [], []
    for i in range(steps):
        if i == split:
            buf = io.BytesIO()
            (tg.save if lib == "ours" else torch.save)(opt.state_dict(), buf)
            buf.seek(0)
            sd = tg.load(buf) if lib == "ours" else torch.load(buf, weights_only=True)
            opt = mod.LBFGS([x], **kw)
            opt.load_state_dict(sd)
        losses.append(float(opt.step(closure)))
        out.append(x.detach().numpy().copy())
    return np.array(out), calls[0], opt, losses


def _compare_state(o, t):
    so, st_ = o.state_dict()["state"][0], t.state_dict()["state"][0]
    assert set(so) == set(st_)
    assert so["func_evals"] == st_["func_evals"] and so["n_iter"] == st_["n_iter"]
    assert len(so["old_dirs"]) == len(st_["old_dirs"]) and len(so["ro"]) == len(st_["ro"])
    for key in ("d", "prev_flat_grad"):
        np.testing.assert_allclose(so[key].numpy(), st_[key].numpy(), rtol=1e-10, atol=1e-12)
    assert set(o.state_dict()["param_groups"][0]) == set(t.state_dict()["param_groups"][0])


@needs_torch
@pytest.mark.parametrize("kw", OPTIONS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "default")
def test_same_iterates_and_closure_calls_as_torch(kw):
    """Varios ``step`` sobre una cuadrática: los mismos iterados, pérdidas, llamadas y estado."""
    ours, n_ours, o, l_ours = run("ours", [-1.2, 1.0, 0.3], _quadratic, **kw)
    ref, n_ref, t, l_ref = run("torch", [-1.2, 1.0, 0.3], _quadratic, **kw)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(l_ours, l_ref, rtol=1e-12, atol=1e-14)
    assert n_ours == n_ref
    _compare_state(o, t)


@needs_torch
@pytest.mark.parametrize("kw", OPTIONS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "default")
def test_rosenbrock_first_iterations_like_torch(kw):
    """Rosenbrock (el valle curvo amplifica el último bit de los productos escalares: MKL en PyTorch suma
    en otro orden que numpy): las 8 primeras iteraciones dan los mismos iterados a 1e-10 y las mismas
    llamadas a ``closure``."""
    kw = {**kw, "max_iter": min(kw.get("max_iter", 8), 8)}
    ours, n_ours, o, _ = run("ours", [-1.2, 1.0, 0.3], steps=1, **kw)
    ref, n_ref, t, _ = run("torch", [-1.2, 1.0, 0.3], steps=1, **kw)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)
    assert n_ours == n_ref


@needs_torch
@pytest.mark.parametrize("strong", [False, True])
def test_rosenbrock_converges_like_torch(strong):
    """Hasta el mínimo (1, 1): las mismas llamadas a ``closure`` que PyTorch, el mismo punto final."""
    kw = dict(line_search_fn="strong_wolfe" if strong else None, max_iter=100, lr=1.0 if strong else 0.5,
              tolerance_grad=1e-10, tolerance_change=1e-14)
    ours, n_ours, _, _ = run("ours", [-1.2, 1.0], steps=3, **kw)
    ref, n_ref, _, _ = run("torch", [-1.2, 1.0], steps=3, **kw)
    assert n_ours == n_ref
    np.testing.assert_allclose(ours[-1], [1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


@needs_torch
@given(x0=st.lists(st.floats(-2, 2), min_size=3, max_size=3), strong=st.booleans(), hist=st.integers(1, 6))
def test_same_iterates_from_random_starts(x0, strong, hist):
    kw = dict(history_size=hist, max_iter=6, line_search_fn="strong_wolfe" if strong else None)
    ours, n_ours, _, _ = run("ours", x0, _quadratic, steps=2, **kw)
    ref, n_ref, _, _ = run("torch", x0, _quadratic, steps=2, **kw)
    assert n_ours == n_ref
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


def test_autograd_closure_on_a_quadratic():
    """El protocolo de siempre (``zero_grad``, pérdida, ``backward``) con el autograd de tinygrad_es."""
    x = nn.Parameter(tg.tensor([-1.2, 1.0, 0.3], dtype=tg.float64))
    At = tg.from_numpy(A)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x * (At @ x)).sum() - x.sum()
        loss.backward()
        return loss
    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(A, np.ones(3)), atol=1e-8)


@pytest.mark.parametrize("kw", OPTIONS[:4], ids=str)
def test_resume_from_pt_file_gives_same_iterates(kw):
    a, na, _, _ = run("ours", [-1.2, 1.0, 0.3], steps=4, **kw)
    b, nb, _, _ = run("ours", [-1.2, 1.0, 0.3], steps=4, split=2, **kw)
    np.testing.assert_array_equal(a, b)
    assert na == nb


@needs_torch
@pytest.mark.parametrize("strong", [False, True])
def test_state_dict_from_torch_continues_like_torch(strong):
    """El estado de ``torch.optim.LBFGS`` (guardado con torch.save, cargado con tg.load) sigue igual aquí."""
    kw = dict(history_size=2, max_iter=3, line_search_fn="strong_wolfe" if strong else None)
    ref, _, t, _ = run("torch", [-1.2, 1.0, 0.3], _quadratic, steps=1, **kw)
    buf = io.BytesIO()
    torch.save(t.state_dict(), buf)
    buf.seek(0)
    x = nn.Parameter(tg.from_numpy(ref[-1].copy()))
    o = optim.LBFGS([x], **kw)
    o.load_state_dict(tg.load(buf))
    assert isinstance(o.state[x]["old_dirs"][0], tg.Tensor)
    xt = t.param_groups[0]["params"][0]

    def make(T, p):
        def closure():
            f, g = _quadratic(p.detach().numpy().copy())
            p.grad = T.from_numpy(g)
            return T.tensor(float(f))
        return closure
    for _ in range(2):
        o.step(make(tg, x))
        t.step(make(torch, xt))
    np.testing.assert_allclose(x.detach().numpy(), xt.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert o.state[x]["func_evals"] == t.state[xt]["func_evals"]


@needs_torch
def test_float32_follows_torch_on_a_model():
    """Un ajuste por mínimos cuadrados de una ``nn.Linear`` en float32: float32 redondea distinto dentro de
    los productos escalares (MKL en PyTorch), así que sólo se pide la misma solución (no los mismos bits)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 3)).astype(np.float32)
    Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    res = []
    for T, mod, N in ((tg, optim, nn), (torch, torch.optim, torch.nn)):
        T.manual_seed(0)
        lin = N.Linear(3, 1)
        with T.no_grad():
            lin.weight.copy_(T.from_numpy(np.array([[0.1, 0.2, 0.3]], np.float32)))
            lin.bias.zero_()
        opt = mod.LBFGS(lin.parameters(), line_search_fn="strong_wolfe")
        x, y = T.from_numpy(X), T.from_numpy(Y)

        def closure():
            opt.zero_grad()
            loss = ((lin(x) - y) ** 2).mean()
            loss.backward()
            return loss
        for _ in range(3):
            opt.step(closure)
        res.append(np.concatenate([lin.weight.detach().numpy().ravel(), lin.bias.detach().numpy()]))
    assert res[0].dtype == np.float32
    np.testing.assert_allclose(res[0], res[1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(res[0], [1.0, -2.0, 0.5, 0.3], atol=1e-4)


def test_values_of_the_scalar_engine():
    a, b = tg.Value(-1.0), tg.Value(2.0)
    opt = optim.LBFGS([a, b], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (a - 3) ** 2 + (b + 1) ** 2 + a * b * 0.5
        loss.backward()
        return loss
    for _ in range(3):
        opt.step(closure)
    # mínimo de la cuadrática: 2(a−3) + b/2 = 0, 2(b+1) + a/2 = 0
    sol = np.linalg.solve([[2, 0.5], [0.5, 2]], [6, -2])
    np.testing.assert_allclose([a.data, b.data], sol, atol=1e-6)


def test_usage_errors_are_clear():
    p = nn.Parameter(tg.zeros(2))
    opt = optim.LBFGS([p])
    with pytest.raises(TypeError, match="closure"):
        opt.step()
    with pytest.raises(ValueError, match="un solo grupo|opciones propias"):
        optim.LBFGS([{"params": [p]}, {"params": [nn.Parameter(tg.zeros(1))], "lr": 0.1}])
    with pytest.raises(ValueError, match="lr"):
        optim.LBFGS([p], lr=-1)
    with pytest.raises(RuntimeError, match="strong_wolfe"):
        optim.LBFGS([p], line_search_fn="armijo")
    with pytest.raises(ValueError, match="history_size"):
        optim.LBFGS([p], history_size=0)


def test_already_optimal_returns_after_one_call():
    p = nn.Parameter(tg.ones(3))
    opt = optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss
    assert float(opt.step(closure)) == 0.0
    assert len(calls) == 1 and opt.state[p]["func_evals"] == 1


class _Sequence:
    """El modelo de ``time_sequence_prediction`` de pytorch/examples (dos LSTMCell de 51 y una Linear,
    en float64), escrito una vez para las dos bibliotecas."""

    @staticmethod
    def build(T):
        class Sequence(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm1 = T.nn.LSTMCell(1, 51)
                self.lstm2 = T.nn.LSTMCell(51, 51)
                self.linear = T.nn.Linear(51, 1)

            def forward(self, input):
                h_t = c_t = h_t2 = c_t2 = T.zeros(input.size(0), 51, dtype=T.double)
                outputs = []
                for input_t in input.split(1, dim=1):
                    h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                    h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                    outputs += [self.linear(h_t2)]
                return T.cat(outputs, dim=1)
        return Sequence().double()


@needs_torch
def test_time_sequence_prediction_like_torch():
    """pytorch/examples ``time_sequence_prediction`` (LBFGS con lr=0.8 sobre dos LSTMCell, closure con
    ``zero_grad``/``MSELoss``/``backward``), con los pesos de PyTorch: las mismas pérdidas en cada llamada
    a ``closure`` (hasta ~1e-12 relativo: el último bit de las LSTM) y el mismo número de llamadas."""
    rng = np.random.RandomState(2)
    x = np.arange(12) + rng.randint(-80, 80, 4).reshape(4, 1)
    data = np.sin(x / 20.0)
    torch.manual_seed(0)
    sd = {k: v.detach().numpy().copy() for k, v in _Sequence.build(torch).state_dict().items()}
    res = []
    for T in (tg, torch):
        m = _Sequence.build(T)
        m.load_state_dict({k: T.from_numpy(v.copy()) for k, v in sd.items()})
        opt = T.optim.LBFGS(m.parameters(), lr=0.8, max_iter=6)
        inp, tgt, crit, losses = T.from_numpy(data[:, :-1]), T.from_numpy(data[:, 1:]), T.nn.MSELoss(), []

        def closure():
            opt.zero_grad()
            loss = crit(m(inp), tgt)
            losses.append(loss.item())
            loss.backward()
            return loss
        opt.step(closure)
        res.append(losses)
    assert len(res[0]) == len(res[1]) == 6
    np.testing.assert_allclose(res[0], res[1], rtol=1e-10)
    assert res[0][-1] < res[0][0] / 2
