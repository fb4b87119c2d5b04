"""``out=`` y los nombres de PyTorch de los argumentos (``torch.matmul(input=a, other=b)``)."""
import warnings

import numpy as np
import pytest

import tinygrad_es as tg


def test_keyword_names_of_pytorch():
    a, b = tg.tensor([[1.0, 2.0], [3.0, 4.0]]), tg.tensor([[0.5, 1.0], [2.0, 1.0]])
    for got, want in [(tg.matmul(input=a, other=b), a @ b), (tg.add(input=a, other=b, alpha=2), a + 2 * b),
                      (tg.mul(a, other=b), a * b), (tg.pow(a, exponent=2), a ** 2), (tg.mm(a, mat2=b), a @ b),
                      (tg.maximum(input=a, other=b), tg.maximum(a, b)), (tg.sum(input=a, dim=1), a.sum(1))]:
        assert np.array_equal(got.numpy(), want.numpy())
    with pytest.raises(TypeError, match="input"):
        tg.add(other=b)


def test_out_writes_in_place_and_returns_out():
    a, b = tg.tensor([1.0, 2.0]), tg.tensor([3.0, 4.0])
    c = tg.empty(2)
    r = tg.add(a, b, out=c)
    assert r is c and c.tolist() == [4.0, 6.0]
    v = c._version
    tg.mul(a, b, out=c)
    assert c.tolist() == [3.0, 8.0] and c._version > v
    d = tg.empty(2, dtype=tg.float64)  # int/float → float64: se convierte
    assert tg.matmul(a, b, out=tg.empty(())).item() == 11.0
    assert tg.exp(tg.tensor([0, 1]), out=d).dtype == tg.float64
    assert tg.cat([a, b], out=tg.empty(0)).tolist() == [1.0, 2.0, 3.0, 4.0]
    assert tg.stack([a, b], out=tg.empty(2, 2)).shape == (2, 2)
    assert tg.where(a > 1, a, b, out=tg.empty(2)).tolist() == [3.0, 2.0]
    vals, idx = tg.max(tg.tensor([[1.0, 5.0], [4.0, 2.0]]), 1, out=(tg.empty(2), tg.empty(2, dtype=tg.int64)))
    assert vals.tolist() == [5.0, 4.0] and idx.tolist() == [1, 0]


def test_out_rules_like_pytorch():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradiente"):
        tg.add(a, a, out=tg.empty(2))
    with tg.no_grad():
        assert tg.add(a, a, out=tg.empty(2)).tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="dtype de out"):
        tg.add(tg.tensor([1.5]), 1, out=tg.empty(1, dtype=tg.int64))
    with pytest.raises(TypeError, match="Tensor"):
        tg.add(tg.tensor([1.0]), 1, out=[0.0])
    c = tg.empty(3)
    with pytest.warns(UserWarning, match="redimensiona"):
        tg.add(tg.tensor([1.0, 2.0]), 1, out=c)
    assert c.shape == (2,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tg.add(tg.tensor([1.0, 2.0]), 1, out=tg.empty(0))  # vacío: sin aviso


def test_out_same_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, -2.0], [3.0, 0.5]], dtype=np.float32)
    for name, args in [("add", (x, x)), ("matmul", (x, x)), ("clamp", (x,)), ("sum", (x, 0)), ("exp", (x,)),
                       ("softmax", (x, 0))]:
        kw = {"min": 0.0} if name == "clamp" else {}
        for odt in ("float32", "float64"):
            def run(lib, arr):
                return getattr(lib, name)(*[arr(a) if isinstance(a, np.ndarray) else a for a in args],
                                          out=lib.empty(0, dtype=getattr(lib, odt)), **kw)
            try:
                theirs = run(torch, torch.tensor)
            except RuntimeError:  # p. ej. matmul con out de otro dtype
                with pytest.raises(RuntimeError):
                    run(tg, tg.tensor)
                continue
            ours = run(tg, tg.tensor)
            assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
            assert np.allclose(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError):
        torch.add(torch.tensor([1.5]), 1, out=torch.empty(1, dtype=torch.int64))


def test_memory_format_and_to_flags():
    x = tg.rand(1, 2, 3, 3)
    assert repr(tg.channels_last) == "torch.channels_last"
    for y in (x.float(memory_format=tg.preserve_format), x.contiguous(memory_format=tg.channels_last),
              x.clone(memory_format=tg.contiguous_format), x.to(memory_format=tg.channels_last)):
        assert np.array_equal(y.numpy(), x.numpy())
    with pytest.raises(TypeError, match="memory_format"):
        x.float(memory_format="channels_last")
    y = x.to("cpu", tg.float32, False, True)  # to(device, dtype, non_blocking, copy): copy=True da otro tensor
    assert y is not x and np.array_equal(y.numpy(), x.numpy())
    assert x.to("cpu", tg.float32) is x and x.to(tg.float64, copy=True).dtype == tg.float64
    with pytest.raises(TypeError, match="desconocido"):
        x.to(tg.float64, sin_esto=1)
