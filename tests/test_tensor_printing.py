"""Los tensores se imprimen como en PyTorch (``_tensor/printing.py``).

Con PyTorch instalado, el mismo ``repr`` carácter a carácter en muchos casos (anchos, notación
científica, enteros con punto, inf/nan, resúmenes con ``...``, dtypes, gradientes); sin él, los textos
de referencia escritos aquí (sacados de PyTorch 2.13).
"""
import numpy as np
import pytest

import tinygrad_es as T

# (expresión con `m` = el módulo (torch o tinygrad_es) y `np`, repr de PyTorch 2.13)
CASES = [
    ("m.tensor([-0.11, 0.2])", "tensor([-0.1100,  0.2000])"),
    ("m.tensor([1., 2.], requires_grad=True)", "tensor([1., 2.], requires_grad=True)"),
    ("m.tensor([1., 2.], requires_grad=True) * 2", "tensor([2., 4.], grad_fn=<MulBackward0>)"),
    ("m.tensor([1., 2.], requires_grad=True) + 1", "tensor([2., 3.], grad_fn=<AddBackward0>)"),
    ("m.tensor([1., 2.], requires_grad=True).sum()", "tensor(3., grad_fn=<SumBackward0>)"),
    ("m.tensor([1., 2.], requires_grad=True).mean()", "tensor(1.5000, grad_fn=<MeanBackward0>)"),
    ("m.tensor([1., -2.], requires_grad=True).relu()", "tensor([1., 0.], grad_fn=<ReluBackward0>)"),
    ("m.tensor([1., 2.], requires_grad=True).view(2, 1)", "tensor([[1.],\n        [2.]], grad_fn=<ViewBackward0>)"),
    ("m.tensor([[1., 2.]], requires_grad=True) @ m.ones(2, 3)", "tensor([[3., 3., 3.]], grad_fn=<MmBackward0>)"),
    ("m.tensor([1, 2])", "tensor([1, 2])"),
    ("m.tensor([True, False])", "tensor([ True, False])"),
    ("m.tensor(3.5)", "tensor(3.5000)"),
    ("m.tensor(-7)", "tensor(-7)"),
    ("m.tensor([])", "tensor([])"),
    ("m.zeros(0, 3)", "tensor([], size=(0, 3))"),
    ("m.tensor([], dtype=m.int64)", "tensor([], dtype=torch.int64)"),
    ("m.zeros(2, 3, dtype=m.float64)", "tensor([[0., 0., 0.],\n        [0., 0., 0.]], dtype=torch.float64)"),
    ("m.tensor([1.5, 2.25], dtype=m.float64)", "tensor([1.5000, 2.2500], dtype=torch.float64)"),
    ("m.tensor([1, 2], dtype=m.int32)", "tensor([1, 2], dtype=torch.int32)"),
    ("m.tensor([1, 200], dtype=m.uint8)", "tensor([  1, 200], dtype=torch.uint8)"),
    ("m.tensor([0.5, 1.5], dtype=m.float16)", "tensor([0.5000, 1.5000], dtype=torch.float16)"),
    ("m.tensor([1e-5, 1.0])", "tensor([1.0000e-05, 1.0000e+00])"),
    ("m.tensor([1e9, 1.0])", "tensor([1.0000e+09, 1.0000e+00])"),
    ("m.tensor([100000., 1.])", "tensor([1.0000e+05, 1.0000e+00])"),
    ("m.tensor([100., 1.])", "tensor([100.,   1.])"),
    ("m.tensor([float('inf'), -float('inf'), float('nan'), 1.5])", "tensor([   inf,   -inf,    nan, 1.5000])"),
    ("m.tensor([float('inf'), 2.])", "tensor([inf, 2.])"),
    ("m.tensor([float('nan')])", "tensor([nan])"),
    ("m.tensor([0., -0.])", "tensor([0., -0.])"),
    ("m.tensor([-1.23456789, 123.456])", "tensor([ -1.2346, 123.4560])"),
    ("m.arange(12.).reshape(2, 3, 2)",
     "tensor([[[ 0.,  1.],\n         [ 2.,  3.],\n         [ 4.,  5.]],\n\n        [[ 6.,  7.],\n         [ 8.,  9.],\n"
     "         [10., 11.]]])"),
    ("m.arange(2000)", "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    ("m.arange(2000.).reshape(40, 50) / 7",
     'tensor([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 6.7143e+00, 6.8571e+00,\n'
     '         7.0000e+00],\n'
     '        [7.1429e+00, 7.2857e+00, 7.4286e+00,  ..., 1.3857e+01, 1.4000e+01,\n'
     '         1.4143e+01],\n'
     '        [1.4286e+01, 1.4429e+01, 1.4571e+01,  ..., 2.1000e+01, 2.1143e+01,\n'
     '         2.1286e+01],\n'
     '        ...,\n'
     '        [2.6429e+02, 2.6443e+02, 2.6457e+02,  ..., 2.7100e+02, 2.7114e+02,\n'
     '         2.7129e+02],\n'
     '        [2.7143e+02, 2.7157e+02, 2.7171e+02,  ..., 2.7814e+02, 2.7829e+02,\n'
     '         2.7843e+02],\n'
     '        [2.7857e+02, 2.7871e+02, 2.7886e+02,  ..., 2.8529e+02, 2.8543e+02,\n'
     '         2.8557e+02]])'),
    ("m.arange(30.) / 3",
     "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
     "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
     "        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n"
     "        9.0000, 9.3333, 9.6667])"),
    ("m.ones(2, 40, dtype=m.float64, requires_grad=True).sum(0)",
     'tensor([2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2.,\n'
     '        2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2.,\n'
     '        2., 2., 2., 2.], dtype=torch.float64, grad_fn=<SumBackward1>)'),
    ("m.tensor([[1, -20], [300, 4]])", "tensor([[  1, -20],\n        [300,   4]])"),
    ("m.nn.Parameter(m.tensor([0.25, -1.0]))", "Parameter containing:\ntensor([ 0.2500, -1.0000], requires_grad=True)"),
    ("m.tensor([0.1, 0.2, 0.3]).double()", "tensor([0.1000, 0.2000, 0.3000], dtype=torch.float64)"),
    ("m.tensor([1.0, 2.0]).shape", "torch.Size([2])"),
    ("m.float64", "torch.float64"),
]

# PyTorch numera las variantes de una operación (sum() es SumBackward0, sum(0) SumBackward1); aquí todas
# son ...Backward0: lo único que se compara distinto
_OURS = {"SumBackward1": "SumBackward0"}


def _ours(expected):
    for k, v in _OURS.items():
        expected = expected.replace(k, v)
    return expected


@pytest.mark.parametrize("expr,expected", CASES, ids=[c[0] for c in CASES])
def test_repr_matches_pytorch(expr, expected):
    assert repr(eval(expr, {"m": T, "np": np})) == _ours(expected)
    assert str(eval(expr, {"m": T, "np": np})) == _ours(expected)


def test_reference_texts_are_pytorch_output():
    torch = pytest.importorskip("torch")
    for expr, expected in CASES:
        assert repr(eval(expr, {"m": torch, "np": np})) == expected, expr


def test_random_tensors_print_like_pytorch():
    """Tensores al azar de muchas formas, escalas y dtypes: el mismo texto que PyTorch."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for i in range(300):
        ndim = int(rng.integers(0, 4))
        shape = tuple(int(s) for s in rng.integers(1, 7 if i % 10 else 40, size=ndim))
        scale = 10.0 ** rng.integers(-6, 10)
        a = np.asarray(rng.standard_normal(shape) * scale)
        kind = i % 5
        if kind == 1:
            a = np.asarray(np.round(a))
        if kind == 2 and a.size:
            a.reshape(-1)[rng.integers(0, a.size)] = rng.choice([np.inf, -np.inf, np.nan, 0.0])
        dtype = [np.float32, np.float64, np.float32, np.int64, np.float32][kind]
        a = np.asarray(a.astype(dtype) if kind != 3 else np.clip(a, -1e15, 1e15).astype(np.int64))
        assert repr(T.from_numpy(a.copy())) == repr(torch.from_numpy(a.copy())), (a.dtype, a.shape, scale)


def test_set_printoptions_match_torch_repr():
    torch = pytest.importorskip("torch")
    exprs = ["m.tensor([1.123456, 2.5])", "m.arange(10.)", "m.tensor([1e-5, 1.0])", "m.arange(30.).reshape(5, 6)",
             "m.tensor([1e9, 1.0])", "m.zeros(3)", "m.arange(2000.)", "m.tensor([0.5, 1e-7], dtype=m.float64)"]
    options = [dict(precision=2), dict(sci_mode=True), dict(sci_mode=False), dict(threshold=5),
               dict(edgeitems=1, threshold=5), dict(linewidth=20), dict(profile="short"), dict(precision=6, sci_mode=True)]
    try:
        for opts in options:
            torch.set_printoptions(**opts)
            T.set_printoptions(**opts)
            for e in exprs:
                assert repr(eval(e, {"m": T})) == repr(eval(e, {"m": torch})), (opts, e)
    finally:
        torch.set_printoptions(profile="default")
        T.set_printoptions(profile="default")


def test_set_printoptions_like_pytorch():
    try:
        T.set_printoptions(precision=2)
        assert repr(T.tensor([1.23456, 2.0])) == "tensor([1.23, 2.00])"
        T.set_printoptions(profile="full")
        assert "..." not in repr(T.arange(2000))
        T.set_printoptions(profile="short")
        assert repr(T.arange(2000)) == "tensor([   0,    1,  ..., 1998, 1999])"
        T.set_printoptions(profile="default", sci_mode=True)
        assert repr(T.tensor([1.5])) == "tensor([1.5000e+00])"
        # la notación pedida decide el ancho (PyTorch 2.13): en científica, enteros de 10 caracteres que se
        # reparten en líneas de 80; sin ella, tampoco se rellenan al ancho de la científica
        assert repr(T.arange(10.)) == ("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00, 3.0000e+00, 4.0000e+00, "
                                       "5.0000e+00,\n        6.0000e+00, 7.0000e+00, 8.0000e+00, 9.0000e+00])")
        assert repr(T.zeros(2)) == "tensor([0., 0.])"   # sin valores distintos de cero no hay notación
        T.set_printoptions(sci_mode=False)
        assert repr(T.tensor([1e-5, 1.0])) == "tensor([0.0000, 1.0000])"
        assert repr(T.tensor([1e9, 1.0])) == "tensor([1000000000.,          1.])"
        with pytest.raises(ValueError, match="perfil"):
            T.set_printoptions(profile="largo")
    finally:
        T.set_printoptions(profile="default")
    assert repr(T.tensor([1.23456])) == "tensor([1.2346])"


COMPLEX_CASES = [([1 + 0.5j, -2 + 3j], "tensor([ 1.+0.5000j, -2.+3.0000j])"),
                 ([0.1 + 1j, 1e-5 - 2j], "tensor([1.0000e-01+1.j, 1.0000e-05-2.j])"),
                 ([1j, -1j, 0j], "tensor([0.+1.j, -0.-1.j, 0.+0.j])"),
                 ([[1.5 + 2j, 3 - 1j], [0, 1]],
                  "tensor([[1.5000+2.j, 3.0000-1.j],\n        [0.0000+0.j, 1.0000+0.j]])")]


@pytest.mark.parametrize("values,expected", COMPLEX_CASES)
def test_complex_like_pytorch(values, expected):
    """Parte real e imaginaria con su propio formato; complex64 (el complejo por defecto) sin sufijo."""
    v = np.array(values, dtype=np.complex64)
    z = T.complex(T.tensor(v.real), T.tensor(v.imag))
    assert repr(z) == expected
    assert repr(z.to(T.complex128)) == expected[:-1] + ", dtype=torch.complex128)"
    torch = pytest.importorskip("torch")
    assert repr(torch.tensor(v)) == expected


def test_shape_formats_and_slices_like_torch_size():
    s = T.zeros(2, 3).shape
    assert f"{s}" == str(s) == repr(s) == "{}".format(s) == "torch.Size([2, 3])"
    assert f"{T.zeros(4, 5).size()}" == "torch.Size([4, 5])"
    for got, want in ((s[1:], "torch.Size([3])"), (s + (4,), "torch.Size([2, 3, 4])"),
                      ((1,) + s, "torch.Size([1, 2, 3])"), (s * 2, "torch.Size([2, 3, 2, 3])"),
                      (s[::-1], "torch.Size([3, 2])")):
        assert isinstance(got, T.Size) and repr(got) == want
    assert s[0] == 2 and type(s[-1]) is int and s == (2, 3) and hash(s) == hash((2, 3))
    with pytest.raises(TypeError):  # como torch.Size: no admite especificación de formato
        f"{s:>20}"
    # los mensajes de error siguen mostrando la forma como tupla
    with pytest.raises(RuntimeError, match=r"\(2, 3\)"):
        T.zeros(2, 3) @ T.zeros(2, 3)


def test_shape_format_matches_torch():
    torch = pytest.importorskip("torch")
    for shape in [(), (0,), (2, 3), (1, 2, 3, 4)]:
        a, b = T.zeros(shape), torch.zeros(shape)
        assert f"{a.shape}" == f"{b.shape}" and f"{a.shape[1:]}" == f"{b.shape[1:]}"
        assert f"Shape of X [N, C, H, W]: {a.shape}" == f"Shape of X [N, C, H, W]: {b.shape}"
