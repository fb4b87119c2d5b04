"""Errores claros (en español, con formas y valores) en capas y funciones de nn."""
import warnings

import numpy as np
import pytest

import tinygrad_es as tg
import tinygrad_es.nn.functional as F
from tinygrad_es import Tensor, nn, tensor
from tinygrad_es.utils.data import DataLoader, TensorDataset

X23 = Tensor(np.ones((2, 3), np.float32))


# ---- one_hot ---------------------------------------------------------------------------------
def test_one_hot_negative_class_is_an_error_not_the_last_class():
    # antes: [0, -1] marcaba la clase 2 (índice negativo de numpy)
    with pytest.raises(RuntimeError, match=r"one_hot: las clases deben ser no negativas; hay -1 en la posición 1"):
        F.one_hot(tensor([0, -1]), 3)


def test_one_hot_class_too_large_names_value_and_num_classes():
    with pytest.raises(RuntimeError, match=r"one_hot: la clase 3 no es menor que num_classes=3 \(las clases van de "
                                           r"0 a 2\)"):
        F.one_hot(tensor([3]), 3)


def test_one_hot_valid_and_inferred_num_classes():
    np.testing.assert_array_equal(F.one_hot([0, 2], 3), [[1, 0, 0], [0, 0, 1]])
    assert F.one_hot(np.array([0, 2])).shape == (2, 3)          # num_classes=-1: max+1, como torch


@pytest.mark.parametrize("fn", [lambda y: F.one_hot(y, 3), lambda y: F.cross_entropy(X23, y),
                                lambda y: F.nll_loss(X23.log_softmax(1), y)])
def test_string_labels(fn):
    with pytest.raises(TypeError, match=r"las etiquetas deben ser índices de clase enteros, no <U\d+ \(p\. ej\. "
                                        r"\['gato', 'perro'\]\); convierte el texto en índices con np\.unique"):
        fn(np.array(["gato", "perro"]))


def test_string_labels_in_dataset():
    with pytest.raises(TypeError, match=r"TensorDataset: el array 2 no es numérico \(dtype <U\d+"):
        DataLoader(TensorDataset(np.ones((2, 3)), ["gato", "perro"]))


def test_fractional_labels():
    # como PyTorch: las etiquetas de coma flotante son un error (aunque valgan 1.0), con el dtype y un ejemplo
    with pytest.raises(RuntimeError, match=r"one_hot: las etiquetas \(índices de clase\) deben ser enteros \(long\), no "
                                           r"float64 \(p\. ej\. \[0\.5, 1\.0\]\)"):
        F.one_hot(np.array([0.5, 1.0]), 3)


# ---- Linear / Conv2d ----------------------------------------------------------------------
def test_linear_on_scalar_names_shapes():
    with pytest.raises(RuntimeError, match=r"linear: la entrada es un escalar \(forma \(\)\); se esperaba forma "
                                         r"\(\.\.\., 4\) con 4 características \(pesos de forma \(2, 4\)\)"):
        nn.Linear(4, 2)(Tensor(1.0))


def test_linear_wrong_features_names_shapes():
    with pytest.raises(RuntimeError, match=r"linear: la entrada tiene 3 características \(forma \(5, 3\)\) pero la "
                                         r"capa espera 4"):
        nn.Linear(4, 2)(Tensor(np.ones((5, 3), np.float32)))


def test_zero_sized_layers_like_torch():
    # PyTorch acepta Linear(0, 10) y Conv2d(0, 2, 3) (inicializar un tensor vacío no hace nada)
    with pytest.warns(UserWarning, match="inicializar un tensor sin elementos no hace nada"):
        lin = nn.Linear(0, 10)
    out = lin(Tensor(np.ones((5, 0), np.float32)))
    assert out.shape == (5, 10) and np.all(out.detach().numpy() == 0)     # sesgo U(0, 0) como en torch
    with pytest.warns(UserWarning):
        conv = nn.Conv2d(0, 2, 3)
    assert conv.weight.shape == (2, 0, 3, 3)


@pytest.mark.parametrize("make, exc, pattern", [
    (lambda: nn.Conv2d(1, 2, 0), RuntimeError, r"Conv2d: kernel_size debe ser ≥ 1, no 0"),
    (lambda: nn.Conv2d(1, 2, -1), RuntimeError, r"Conv2d: kernel_size debe ser ≥ 1, no -1"),
    (lambda: nn.Conv2d(1, 2, 2.5), TypeError, r"Conv2d: kernel_size debe ser un entero o una tupla de enteros, "
                                              r"no 2\.5"),
    (lambda: nn.Conv2d(1, 2, 3, stride=0), RuntimeError, r"Conv2d: stride debe ser ≥ 1, no 0"),
    (lambda: nn.Conv2d(1, 2, 3, padding=-1), RuntimeError, r"Conv2d: padding debe ser ≥ 0, no -1"),
    (lambda: nn.Conv2d(-1, 2, 3), RuntimeError, r"Conv2d: in_channels debe ser ≥ 0, no -1"),
    (lambda: nn.Conv1d((1, 2), 2, 3), TypeError, r"Conv1d: in_channels debe ser un entero, no \(1, 2\)"),
    (lambda: nn.Linear(-1, 10), RuntimeError, r"Linear: in_features debe ser ≥ 0, no -1"),
    (lambda: nn.Linear(4, 2.5), TypeError, r"Linear: out_features debe ser un entero, no 2\.5"),
])
def test_bad_layer_sizes(make, exc, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # nunca un ZeroDivisionError ni un aviso de numpy
        with pytest.raises(exc, match=pattern):
            make()


# ---- ejes y ganchos --------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [lambda: F.softmax(X23, 3), lambda: X23.softmax(3), lambda: X23.log_softmax(-3),
                                lambda: F.log_softmax(X23, dim=2)])
def test_softmax_axis_out_of_range_is_index_error_like_torch(fn):
    with pytest.raises(IndexError, match=r"eje fuera de rango: se esperaba uno en \[-2, 1\]"):
        fn()


def test_hook_returning_wrong_shape_names_both_shapes():
    x = Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: Tensor(np.ones((5, 5), np.float32)))
    with pytest.raises(RuntimeError, match=r"gradiente de forma \(5, 5\), pero el tensor tiene forma \(4, 3\)"):
        y.sum().backward()


def test_functional_names_the_function_and_argument_that_is_not_numeric():
    """Todas las funciones de nn.functional convierten la entrada con la misma regla (la de
    ``tensor()``): lo que no son números es ``TypeError`` (como PyTorch) y dice dónde."""
    x = tg.ones(2, 3)
    with pytest.raises(TypeError, match="relu: input debe ser un Tensor, no str"):
        F.relu("a")
    with pytest.raises(TypeError, match="conv2d: weight debe ser un Tensor, no NoneType"):
        F.conv2d(tg.ones(1, 1, 3, 3), None)
    with pytest.raises(TypeError, match="mse_loss: target debe ser un Tensor, no list"):
        F.mse_loss(x, [["a"] * 3] * 2)
    assert F.relu([1.0, -2.0]).dtype == tg.float32 and F.relu(np.array([1, -2])).dtype == tg.int64


@pytest.mark.parametrize("shape,out", [((4, 0), 3), ((2, 4, 0), 3), ((4, 3), 0), ((2, 4, 3), 0), ((0, 3), 2), ((2, 0, 3), 2)])
def test_linear_with_zero_sized_features_or_rows_trains(shape, out):
    # como PyTorch: 0 entradas → y = b (∂b = Σ filas de G); 0 salidas o 0 filas → gradientes vacíos o nulos
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # inicializar un tensor vacío avisa, como en PyTorch
        layer = nn.Linear(shape[-1], out)
    x = tg.randn(*shape, requires_grad=True)
    y = layer(x)
    assert y.shape == shape[:-1] + (out,)
    (y * 1.5).sum().backward()
    assert x.grad.shape == shape and layer.weight.grad.shape == (out, shape[-1])
    rows = int(np.prod(shape[:-1]))
    np.testing.assert_array_equal(layer.bias.grad.numpy(), np.full(out, 1.5 * rows, np.float32))
    if shape[-1] == 0:
        np.testing.assert_array_equal(y.detach().numpy(), np.broadcast_to(layer.bias.detach().numpy(), y.shape))
