"""La promoción de tipos de PyTorch entre operandos (tensor, número de Python o de numpy, lista,
ndarray), que vive en un solo sitio (``_tensor/_args.promote``) y usan la aritmética, ``where``,
``atan2``, ``hypot``, ``lerp``, ``%``, ``//``, ``cross``...: el dtype común es el de
``torch.result_type`` en toda la tabla, y un ndarray de un dtype que tinygrad_es no tiene o un
complejo de Python se tratan como en ``tensor()``."""
import itertools

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es._tensor._args import promote

try:
    import torch
except ImportError:  # pragma: no cover - sin PyTorch se salta la comparación
    torch = None

DTYPES = [tg.bool, tg.uint8, tg.int8, tg.int16, tg.int32, tg.int64, tg.float16, tg.float32, tg.float64]
TENSORS = [tg.tensor([1, 0], dtype=d) for d in DTYPES] + [tg.tensor(3.5, dtype=tg.float64), tg.tensor(2)]
# (np.bool_ no está: PyTorch lo trata como un float, bool_tensor + np.True_ es float32; aquí, como bool)
OTHERS = [True, 3, -1, 300, 2.5, np.float64(1.5), np.float32(1.5), np.int32(3), np.int64(2),
          [1, 2], [1.5, 2.5], [True, False], np.array([1.0, 2.0]), np.array([1, 2], np.int32),
          np.array([1, 2], np.uint8), np.array([1, 2], np.float16), np.array(2.0)]
PAIRS = ([(a, b) for a, b in itertools.product(TENSORS, TENSORS)]
         + [(t, o) for t in TENSORS for o in OTHERS] + [(o, t) for t in TENSORS for o in OTHERS])


def _torch(x):
    if isinstance(x, tg.Tensor):
        return torch.from_numpy(x.numpy().copy())
    if isinstance(x, (list, np.ndarray)):
        return torch.tensor(x)
    return x


@pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")
@pytest.mark.parametrize("float_out", [False, True])
def test_promote_gives_torch_result_type(float_out):
    for a, b in PAIRS:
        want = torch.result_type(_torch(a), _torch(b))
        if float_out and not want.is_floating_point:
            want = torch.get_default_dtype()
        got = promote(a, b, float_out=float_out)
        assert [t._data.dtype for t in got] == [torch.empty(0, dtype=want).numpy().dtype] * 2, (a, b, want)
        for t, x in zip(got, (a, b)):  # los valores, convertidos como PyTorch (un entero da la vuelta)
            np.testing.assert_array_equal(t._data, _torch(x if isinstance(x, (tg.Tensor, list, np.ndarray))
                                                          else torch.tensor(x)).to(want).numpy())


def test_out_of_range_python_int_wraps_like_torch():
    assert (tg.tensor([1, 0], dtype=tg.uint8) + (-1)).tolist() == [0, 255]
    assert (tg.tensor([1, 0], dtype=tg.int8) + 300).tolist() == [45, 44]


def test_unsupported_dtypes_follow_tensor():
    """Un ndarray uint16 (dtype que tinygrad_es no tiene) pasa a int64, como en ``tensor()``; antes,
    ``atan2``/``hypot``/``%``... creaban tensores uint16."""
    u16 = np.array([1, 2], np.uint16)
    assert tg.tensor(u16).dtype == tg.int64
    assert [t.dtype for t in promote(tg.tensor(2), u16)] == [tg.int64, tg.int64]
    assert (tg.tensor([1, 2], dtype=tg.int8) % u16).dtype == tg.int64
    assert (tg.tensor([1, 2], dtype=tg.int8) + u16).dtype == tg.int64


@pytest.mark.parametrize("bad", ["a", None, [1j], [1, "a"], object()], ids=repr)
def test_non_numeric_and_complex_operands_are_type_errors(bad):
    x = tg.tensor([1.0, 2.0])
    for fn in (lambda: x + bad, lambda: bad * x, lambda: tg.atan2(x, bad), lambda: tg.where(x > 1, x, bad)):
        with pytest.raises(TypeError, match="numéricos|complejos|debe ser un Tensor"):
            fn()


def test_complex_python_scalar_like_pytorch():
    """Un número complejo de Python con + y * da un tensor complejo (como PyTorch); atan2 exige un tensor."""
    x = tg.tensor([1.0, 2.0])
    assert (x + 1j).tolist() == [1 + 1j, 2 + 1j] and (1j * x).tolist() == [1j, 2j]
    with pytest.raises(TypeError, match="debe ser un Tensor"):
        tg.atan2(x, 1j)
