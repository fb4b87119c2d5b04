import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import Function, Tensor, no_grad
from tinygrad_es.gradcheck import GradcheckError, gradcheck, numerical_grad
from tinygrad_es.autograd import unbroadcast


def test_dtypes_and_basics():
    t = Tensor([[1, 2], [3, 4]])
    assert t.dtype == np.float32 and t.shape == (2, 2) and t.ndim == 2
    assert Tensor(np.zeros(3)).dtype == np.float32  # como torch.Tensor: el flotante por defecto
    assert tg.tensor(np.zeros(3)).dtype == np.float64  # tensor() conserva el dtype del ndarray
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64
    assert Tensor(3.5).item() == 3.5
    assert isinstance(t.detach().numpy(), np.ndarray)
    d = (Tensor([1.0], requires_grad=True) * 2).detach()
    assert not d.requires_grad and d.is_leaf
    x = Tensor([1.0]).requires_grad_()
    assert x.requires_grad and x.grad is None
    with pytest.raises(RuntimeError, match="un elemento"):
        t.item()


def test_creation_helpers_seeded():
    tg.manual_seed(123)
    a = tg.randn(2, 3)
    tg.manual_seed(123)
    b = tg.randn(2, 3)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert tg.zeros(2, 3).shape == (2, 3) and tg.ones((4,)).numpy().sum() == 4
    assert tg.rand(5).numpy().min() >= 0
    np.testing.assert_array_equal(tg.arange(4).numpy(), [0, 1, 2, 3])
    np.testing.assert_array_equal(tg.eye(2).numpy(), np.eye(2))
    assert tg.zeros_like(a).shape == (2, 3) and tg.ones_like(a).numpy().sum() == 6
    assert tg.randn_like(a).shape == (2, 3) and tg.rand_like(a).shape == (2, 3)
    g1, g2 = tg.Generator().manual_seed(5), tg.Generator().manual_seed(5)
    np.testing.assert_array_equal(tg.randn(3, generator=g1).numpy(), tg.randn(3, generator=g2).numpy())


def test_spanish_errors():
    with pytest.raises(RuntimeError, match=r"\(3, 4\).*\(5,\)"):
        Tensor(np.ones((3, 4))) + Tensor(np.ones(5))
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(4, 2\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2)))
    with pytest.raises(TypeError, match="numéricos"):
        Tensor(["a", "b"])
    with pytest.raises(RuntimeError, match="coma flotante"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="forma"):  # la clase de PyTorch para errores de forma
        Tensor(np.ones(6)).reshape(4, 2)


def test_unbroadcast_leading_axes():
    g = np.ones((2, 3, 4))
    assert unbroadcast(g, (4,)).tolist() == [6.0] * 4
    assert unbroadcast(g, (3, 1)).shape == (3, 1)
    a = Tensor(np.ones((3, 4)), requires_grad=True)
    b = Tensor(np.ones(4), requires_grad=True)
    (a + b).sum().backward()
    np.testing.assert_array_equal(b.grad, [3, 3, 3, 3])


def test_scalar_ops_keep_float32():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (2 * x + 1.5) / 3 - x ** 2
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_nonscalar_backward_needs_grad():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="escalar"):
        y.backward()
    y.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad, [2, 4, 6])
    x.grad = None
    (x * 2).backward(Tensor(np.ones(3)))
    np.testing.assert_array_equal(x.grad, [2, 2, 2])
    with pytest.raises(RuntimeError, match="forma"):
        (x * 2).backward(np.ones(4))


def test_freed_graph_and_retain_graph():
    x = Tensor(np.array([2.0]), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    x.grad = None
    z = (x * x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad, [24.0])  # 12 + 12: las hojas acumulan


def test_no_grad_context_and_decorator():
    x = Tensor(np.ones(2), requires_grad=True)
    with no_grad():
        y = x * 2
    assert not y.requires_grad and y._ctx is None

    @no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad
    assert (x * 2).requires_grad


def test_diamond_and_reuse():
    x = Tensor(np.array([1.5]), requires_grad=True)
    a = x * 2
    b = x * 3
    (a * b + a).sum().backward()  # d/dx (6x² + 2x) = 12x + 2
    np.testing.assert_allclose(x.grad, [20.0])


def test_deep_tensor_chain():
    x = Tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(20000):
        y = y + 1.0
    y.sum().backward()
    assert x.grad[0] == 1.0


def test_hooks_and_retain_grad():
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    h = x * 3
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g.clone()))
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, [6.0, -12.0])
    np.testing.assert_allclose(seen[0], [6.0, -12.0])


class WrongSquare(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a  # falta el factor 2: gradcheck debe detectarlo


def test_gradcheck_catches_wrong_backward():
    x = Tensor(np.array([1.0, 2.0, -0.5]), requires_grad=True)
    for mode in ("full", "sample", "direction"):
        with pytest.raises(GradcheckError, match="FALLA"):
            gradcheck(lambda t: WrongSquare.apply(t), [x], mode=mode)
    rep = gradcheck(lambda t: WrongSquare.apply(t), [x], raise_exception=False)
    assert not rep.passed and rep.max_abs_err[0] > 0.1
    assert gradcheck(lambda t: t * t, [x]).passed


def test_numerical_grad_values():
    x = Tensor(np.array([1.0, 2.0]))
    (g,) = numerical_grad(lambda t: (t ** 3).sum(), [x], eps=1e-6)
    np.testing.assert_allclose(g, [3.0, 12.0], rtol=1e-8)
    # no modifica la entrada original
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])


def test_canonical_tensor_example():
    x, y, z = (Tensor(np.array(v), requires_grad=True) for v in (2.0, 3.0, 4.0))
    f = (x + y) * z
    f.backward()
    assert f.item() == 20.0
    assert (x.grad, y.grad, z.grad) == (4.0, 4.0, 5.0)


def test_malloc_tuning_applied_on_linux():
    import os
    import sys
    from tinygrad_es import _runtime
    if sys.platform.startswith("linux") and os.environ.get("TINYGRAD_ES_MALLOC", "1") != "0":
        assert _runtime.APPLIED


def test_gradcheck_accepts_value_functions():
    from tinygrad_es import Value
    g = numerical_grad(lambda x, y: x * y + x ** 3, [Value(2.0), Value(-1.5)])
    np.testing.assert_allclose([float(a) for a in g], [-1.5 + 12.0, 2.0], rtol=1e-7)
    assert gradcheck(lambda x, y, k: (x * y).tanh() + x ** k, [Value(0.5), Value(2.0), 3]).passed

    def wrong(x):  # derivada local equivocada: gradcheck debe fallar
        out = x * x
        out._la = out._lb = 1.0  # ∂(x·x)/∂x debería ser 2x
        return out
    with pytest.raises(GradcheckError):
        gradcheck(wrong, [Value(1.7)])


def test_pytorch_style_helpers_and_comparisons():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    assert t.size() == (2, 3) and t.size(1) == 3 and t.numel() == 6 and t.dim() == 2
    eq = t == Tensor(np.array([[0.0, 9, 2], [3, 4, 0]]))
    assert eq.dtype == bool and eq.detach().numpy().tolist() == [[True, False, True], [True, True, False]]
    assert (t != 1).detach().numpy().sum() == 5
    assert float(Tensor(2.5)) == 2.5 and int(Tensor(3.0)) == 3 and bool(Tensor([1.0]))
    with pytest.raises(RuntimeError, match="ambiguo"):
        bool(t)
    assert len({t, t}) == 1  # hash por identidad


def test_numpy_interop():
    t = Tensor(np.arange(4.0), requires_grad=True)
    a = np.asarray(t)
    assert isinstance(a, np.ndarray) and a.tolist() == [0, 1, 2, 3]
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    y = np.ones(4) + t  # ndarray a la izquierda: el resultado sigue siendo un Tensor con grafo
    assert isinstance(y, Tensor) and y.requires_grad


def test_numba_threading_layer_is_chosen_on_import_even_after_set_num_threads():
    """La capa preferida (omp > tbb > workqueue, véase _runtime.py) vale aunque se llame a
    numba.set_num_threads antes de la primera convolución."""
    import subprocess
    import sys
    code = ("import os; os.environ.pop('NUMBA_THREADING_LAYER', None)\n"
            "import tinygrad_es, numba\n"
            "numba.set_num_threads(2)\n"
            "import tinygrad_es.nn.functional as F\n"
            "from tinygrad_es import Tensor\n"
            "import numpy as np\n"
            "F.conv2d(Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3, 3))))\n"
            "print(numba.threading_layer())\n"
            "from numba.np.ufunc import parallel as P\n"
            "def ok(name):\n"
            "    try:\n"
            "        P._check_tbb_version_compatible() if name == 'tbb' else None\n"
            "        __import__('numba.np.ufunc.' + name + 'pool')\n"
            "        return True\n"
            "    except Exception:\n"
            "        return False\n"
            "print(next(n for n in ('omp', 'tbb', 'workqueue') if ok(n)))")
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("NUMBA_THREADING_LAYER", "NUMBA_THREADING_LAYER_PRIORITY")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    layer, expected = out.stdout.split()
    assert layer == expected


def test_python_floats_with_explicit_float64_keep_their_precision():
    """``tensor(0.975, dtype=float64)`` no pasa por float32 (como PyTorch)."""
    assert tg.tensor(0.975, dtype=tg.float64).item() == 0.975
    assert tg.tensor([0.1, 0.2], dtype=tg.float64).tolist() == [0.1, 0.2]
    assert tg.tensor(0.975).dtype == tg.float32 and tg.tensor(0.975).item() != 0.975
