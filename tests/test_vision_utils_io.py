"""vision.utils (make_grid, save_image) contra la fórmula de torchvision escrita con numpy, y
vision.io (read_image/decode_image) con PNG/JPEG reales, truncados y dañados."""
import io
import zlib

import numpy as np
import pytest
from PIL import Image

import tinygrad_es as tg
from tinygrad_es.vision import io as vio
from tinygrad_es.vision.utils import make_grid, save_image

RNG = np.random.default_rng(0)


def grid_reference(a, nrow=8, padding=2, pad_value=0.0):
    """La rejilla de torchvision: nmaps imágenes en min(nrow, nmaps) columnas."""
    n, c, h, w = a.shape
    xm = min(nrow, n)
    ym = int(np.ceil(n / xm))
    g = np.full((c, (h + padding) * ym + padding, (w + padding) * xm + padding), pad_value, dtype=a.dtype)
    for k in range(n):
        y, x = divmod(k, xm)
        top, left = y * (h + padding) + padding, x * (w + padding) + padding
        g[:, top:top + h, left:left + w] = a[k]
    return g


@pytest.mark.parametrize("n, nrow, padding", [(5, 2, 2), (8, 8, 0), (3, 8, 3), (7, 3, 1)])
def test_make_grid_layout(n, nrow, padding):
    a = RNG.random((n, 3, 4, 5)).astype(np.float32)
    g = make_grid(tg.from_numpy(a), nrow=nrow, padding=padding, pad_value=0.25)
    np.testing.assert_array_equal(g.numpy(), grid_reference(a, nrow, padding, 0.25))
    assert g.dtype == tg.float32


def test_make_grid_gray_list_single_and_normalize():
    a = RNG.random((4, 1, 3, 3)).astype(np.float32) * 4 - 1
    g = make_grid(tg.from_numpy(a), nrow=2, normalize=True)
    b = np.repeat(a, 3, axis=1)
    lo, hi = np.float32(b.min()), np.float32(b.max())
    ref = (np.clip(b, lo, hi) - lo) / np.float32(hi - lo)
    np.testing.assert_array_equal(g.numpy(), grid_reference(ref, 2))
    # scale_each: cada imagen a [0, 1] por separado; value_range acota
    g2 = make_grid(tg.from_numpy(a), nrow=4, normalize=True, scale_each=True, padding=0).numpy()
    for k in range(4):
        tile = g2[:, :, 3 * k:3 * k + 3]
        assert tile.min() == 0.0 and tile.max() == 1.0
    g3 = make_grid(tg.from_numpy(a), normalize=True, value_range=(0.0, 1.0)).numpy()
    assert g3.min() >= 0 and g3.max() <= 1
    # una lista de tensores y una sola imagen (se devuelve sin rejilla, en 3 canales)
    lst = [tg.from_numpy(a[i, 0:1]) for i in range(4)]
    assert tuple(make_grid(lst, nrow=2).shape) == (3, 12, 12)
    assert tuple(make_grid(tg.from_numpy(a[0])).shape) == (3, 3, 3)
    with pytest.raises(TypeError, match="value_range"):
        make_grid(tg.from_numpy(a), normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError, match="tensor"):
        make_grid(np.zeros((2, 3, 4, 4)))


def test_make_grid_matches_torch_formula():
    torch = pytest.importorskip("torch")
    a = RNG.random((6, 3, 5, 4)).astype(np.float32)
    t = torch.from_numpy(a)
    ref = torch.full((3, 2 * 7 + 2, 4 * 6 + 2), 0.5)
    for k in range(6):
        y, x = divmod(k, 4)
        ref.narrow(1, y * 7 + 2, 5).narrow(2, x * 6 + 2, 4).copy_(t[k])
    np.testing.assert_array_equal(make_grid(tg.from_numpy(a), nrow=4, pad_value=0.5).numpy(), ref.numpy())


def test_save_image_png_roundtrip(tmp_path):
    a = RNG.random((2, 3, 6, 7)).astype(np.float32)
    p = tmp_path / "g.png"
    save_image(tg.from_numpy(a), p, nrow=2, padding=1)
    out = np.asarray(Image.open(p))
    ref = np.clip(grid_reference(a, 2, 1) * np.float32(255) + np.float32(0.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(out, ref.transpose(1, 2, 0))
    buf = io.BytesIO()
    save_image(tg.from_numpy(a[0]), buf, format="PNG")
    assert Image.open(io.BytesIO(buf.getvalue())).size == (7, 6)


def _encoded(a, fmt, **kw):
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_read_image_png_and_jpeg(tmp_path):
    rgb = RNG.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    (tmp_path / "a.png").write_bytes(_encoded(rgb, "PNG"))
    x = vio.read_image(str(tmp_path / "a.png"))
    assert x.dtype == tg.uint8 and tuple(x.shape) == (3, 9, 11)
    np.testing.assert_array_equal(x.numpy(), rgb.transpose(2, 0, 1))
    g = vio.read_image(tmp_path / "a.png", vio.ImageReadMode.GRAY)
    np.testing.assert_array_equal(g.numpy()[0], np.asarray(Image.fromarray(rgb).convert("L")))
    rgba = vio.read_image(tmp_path / "a.png", mode=vio.ImageReadMode.RGB_ALPHA)
    assert tuple(rgba.shape) == (4, 9, 11) and (rgba.numpy()[3] == 255).all()
    jpg = _encoded(rgb, "JPEG", quality=90)
    (tmp_path / "a.jpg").write_bytes(jpg)
    j = vio.read_image(tmp_path / "a.jpg")
    np.testing.assert_array_equal(j.numpy(), np.asarray(Image.open(io.BytesIO(jpg))).transpose(2, 0, 1))
    data = vio.read_file(tmp_path / "a.jpg")
    assert data.dtype == tg.uint8 and data.ndim == 1 and len(data) == len(jpg)
    np.testing.assert_array_equal(vio.decode_jpeg(data).numpy(), j.numpy())
    np.testing.assert_array_equal(vio.decode_image(data).numpy(), j.numpy())
    gray_png = _encoded(rgb[..., 0], "PNG")
    assert tuple(vio.decode_png(tg.from_numpy(np.frombuffer(gray_png, np.uint8).copy())).shape) == (1, 9, 11)


def test_write_and_encode_roundtrip(tmp_path):
    x = tg.from_numpy(RNG.integers(0, 256, (3, 5, 6), dtype=np.uint8))
    vio.write_png(x, tmp_path / "o.png")
    np.testing.assert_array_equal(vio.read_image(tmp_path / "o.png").numpy(), x.numpy())
    j = vio.encode_jpeg(x, quality=95)
    assert j.numpy()[:3].tolist() == [0xFF, 0xD8, 0xFF]
    with pytest.raises(RuntimeError, match="uint8"):
        vio.encode_png(x.float())


def test_bad_images_give_spanish_runtime_errors(tmp_path):
    rgb = RNG.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    jpg = _encoded(rgb, "JPEG")
    (tmp_path / "t.jpg").write_bytes(jpg[:len(jpg) // 2])
    with pytest.raises(RuntimeError, match="truncada"):
        vio.read_image(tmp_path / "t.jpg")
    png = _encoded(rgb, "PNG")
    (tmp_path / "t.png").write_bytes(png[:len(png) // 2])
    with pytest.raises(RuntimeError, match="truncada|dañada"):
        vio.read_image(tmp_path / "t.png")
    (tmp_path / "vacio.png").write_bytes(b"")
    with pytest.raises(RuntimeError, match="vacío"):
        vio.read_image(tmp_path / "vacio.png")
    (tmp_path / "texto.jpg").write_bytes(b"hola, no soy una imagen")
    with pytest.raises(RuntimeError, match="no reconocido"):
        vio.read_image(tmp_path / "texto.jpg")
    with pytest.raises(RuntimeError, match="no existe"):
        vio.read_image(tmp_path / "no.png")
    with pytest.raises(RuntimeError, match="son PNG, no JPEG"):
        vio.decode_jpeg(tg.from_numpy(np.frombuffer(png, np.uint8).copy()))
    # una cabecera PNG que anuncia 100 000 × 100 000 píxeles se rechaza antes de reservar memoria
    huge = bytearray(png)
    huge[16:24] = (100_000).to_bytes(4, "big") * 2
    huge[29:33] = zlib.crc32(bytes(huge[12:29])).to_bytes(4, "big")   # CRC de IHDR correcto: sólo miente el tamaño
    (tmp_path / "enorme.png").write_bytes(bytes(huge))
    with pytest.raises(RuntimeError, match="demasiado grande"):
        vio.read_image(tmp_path / "enorme.png")
