"""``tinygrad_es.audio.load/save/info``: ida y vuelta exacta en todas las codificaciones, ficheros de
otros programas (scipy, soundfile) y ficheros malos (vacíos, truncados, comprimidos, cabeceras que
mienten) que deben dar un error en español sin leer más allá del fichero."""
import io
import os
import struct
import warnings

import numpy as np
import pytest

import tinygrad_es as tg
import tinygrad_es.audio as ta

RNG = np.random.default_rng(0)


def _pcm(bits, shape):
    if bits == 8:
        return RNG.integers(0, 256, shape).astype(np.uint8)
    if bits == 16:
        return RNG.integers(-32768, 32768, shape).astype(np.int16)
    if bits == 24:
        return (RNG.integers(-2 ** 23, 2 ** 23, shape) * 256).astype(np.int32)
    return RNG.integers(-2 ** 31, 2 ** 31, shape, dtype=np.int64).astype(np.int32)


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("bits,encoding", [(8, "PCM_U"), (16, "PCM_S"), (24, "PCM_S"), (32, "PCM_S"),
                                           (32, "PCM_F"), (64, "PCM_F")])
def test_roundtrip_bit_exact(tmp_path, channels, bits, encoding):
    n = 101   # impar: con 8 y 24 bits el trozo data necesita un byte de relleno
    if encoding == "PCM_F":
        x = RNG.uniform(-1, 1, (channels, n)).astype(np.float32 if bits == 32 else np.float64)
    else:
        x = _pcm(bits, (channels, n))
    p = tmp_path / "a.wav"
    ta.save(p, tg.tensor(x), 12345, encoding=encoding, bits_per_sample=bits)
    meta = ta.info(p)
    assert (meta.sample_rate, meta.num_frames, meta.num_channels, meta.bits_per_sample, meta.encoding) == \
        (12345, n, channels, bits, encoding)
    y, sr = ta.load(p, normalize=False)
    assert sr == 12345
    np.testing.assert_array_equal(y.numpy(), x)
    # normalize=True y vuelta a los mismos bits: mismos bytes (salvo PCM de 32 bits y float64, que no caben
    # en float32)
    if not (bits == 32 and encoding == "PCM_S") and bits != 64:
        z, _ = ta.load(p)
        assert z.dtype == tg.float32 and np.abs(z.numpy()).max() <= 1.0
        q = tmp_path / "b.wav"
        ta.save(q, z, 12345, encoding=encoding, bits_per_sample=bits)
        assert q.read_bytes() == p.read_bytes()
    assert os.path.getsize(p) % 2 == 0


def test_reads_what_scipy_writes_and_scipy_reads_ours(tmp_path):
    scipy_wav = pytest.importorskip("scipy.io.wavfile")
    for dt in (np.int16, np.int32, np.float32, np.uint8):
        x = (RNG.uniform(-1, 1, (300, 2)) * (127 if dt == np.uint8 else 1000)).astype(np.float64)
        x = (x + 128).astype(dt) if dt == np.uint8 else x.astype(dt)
        p = tmp_path / f"s_{np.dtype(dt).name}.wav"
        scipy_wav.write(p, 16000, x)
        y, sr = ta.load(p, normalize=False, channels_first=False)
        assert sr == 16000 and y.dtype == dt
        np.testing.assert_array_equal(y.numpy(), x)
        q = tmp_path / f"o_{np.dtype(dt).name}.wav"
        ta.save(q, y, sr, channels_first=False)
        sr2, back = scipy_wav.read(q)
        assert sr2 == 16000
        np.testing.assert_array_equal(back, x)


def test_soundfile_24_bit_and_extensible(tmp_path):
    sf = pytest.importorskip("soundfile")
    x = RNG.uniform(-0.9, 0.9, (200, 3))
    p = tmp_path / "sf24.wav"
    sf.write(p, x, 22050, subtype="PCM_24")        # 3 canales: WAVE_FORMAT_EXTENSIBLE
    y, sr = ta.load(p)
    ref, _ = sf.read(p, dtype="float64")
    assert sr == 22050 and y.shape == (3, 200)
    np.testing.assert_allclose(y.numpy().T, ref, atol=1e-7)
    q = tmp_path / "ours24.wav"
    ta.save(q, y, sr, bits_per_sample=24)
    np.testing.assert_allclose(sf.read(q, dtype="float64")[0], ref, atol=1e-7)


def test_fsdd_file_roundtrips_to_identical_bytes(tmp_path):
    src = _fsdd_file(tmp_path)
    w, sr = ta.load(src)
    assert w.shape[0] == 1 and sr == 8000 and w.dtype == tg.float32
    raw = open(src, "rb").read()
    assert raw[36:40] == b"data"   # cabecera de 44 bytes: las muestras empiezan en el byte 44
    np.testing.assert_array_equal(w.numpy()[0], np.frombuffer(raw[44:], "<i2") / 32768.0)
    out = tmp_path / "copia.wav"
    ta.save(out, w, sr, encoding="PCM_S", bits_per_sample=16)
    assert out.read_bytes() == open(src, "rb").read()


def _fsdd_file(tmp_path):
    from tinygrad_es.audio.datasets import FSDD
    return FSDD.sample_files(tmp_path / "fsdd", n=1)[0]


def test_offset_frames_channels_and_file_objects(tmp_path):
    x = _pcm(16, (2, 50))
    p = tmp_path / "x.wav"
    ta.save(p, tg.tensor(x), 8000)
    y, _ = ta.load(p, frame_offset=10, num_frames=5, normalize=False)
    np.testing.assert_array_equal(y.numpy(), x[:, 10:15])
    y, _ = ta.load(p, frame_offset=45, num_frames=100, normalize=False, channels_first=False)
    np.testing.assert_array_equal(y.numpy(), x[:, 45:].T)
    assert ta.load(p, frame_offset=80)[0].shape == (2, 0)
    buf = io.BytesIO(p.read_bytes())
    np.testing.assert_array_equal(ta.load(buf, normalize=False)[0].numpy(), x)
    out = io.BytesIO()
    ta.save(out, tg.tensor(x), 8000, format="wav")
    assert out.getvalue() == p.read_bytes()
    assert ta.info(io.BytesIO(p.read_bytes())).num_frames == 50
    with pytest.raises(ValueError, match="num_frames"):
        ta.load(p, num_frames=0)
    with pytest.raises(ValueError, match="frame_offset"):
        ta.load(p, frame_offset=-1)


def _wav(fmt_code=1, channels=1, rate=8000, bits=16, data=b"\0\0" * 4, data_size=None, align=None, extra=b""):
    align = channels * bits // 8 if align is None else align
    fmt = struct.pack("<HHIIHH", fmt_code, channels, rate, rate * align, align, bits)
    size = len(data) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


BAD = {
    "vacío": (b"", "vacío"),
    "cabecera truncada": (b"RIFF\x10\0\0\0WA", "truncado"),
    "datos truncados": (_wav(data=b"\1\0" * 10, data_size=400), "truncado"),
    "cabecera enorme": (_wav(data=b"\1\0" * 10, data_size=0xFFFF0000), "cabecera miente"),
    "mp3": (b"ID3\x03\0\0\0\0\0\0" + b"\0" * 100, "MP3"),
    "mp3 sin ID3": (b"\xff\xfb\x90\x64" + b"\0" * 100, "MP3"),
    "flac": (b"fLaC\0\0\0\x22" + b"\0" * 100, "FLAC"),
    "ogg": (b"OggS\0\x02" + b"\0" * 100, "Ogg"),
    "m4a": (b"\0\0\0\x20ftypM4A " + b"\0" * 100, "MP4"),
    "a-law": (_wav(fmt_code=6, bits=8), "A-law"),
    "μ-law": (_wav(fmt_code=7, bits=8), "μ-law"),
    "adpcm": (_wav(fmt_code=2, bits=4, align=256), "ADPCM"),
    "texto": (b"hola, esto no es audio" * 3, "no es un fichero WAV"),
    "rifx": (b"RIFX" + _wav()[4:], "big-endian"),
    "avi": (b"RIFF\x10\0\0\0AVI LIST" + b"\0" * 20, "no WAVE"),
    "12 bits": (_wav(bits=12, align=2), "12 bits"),
    "block_align": (_wav(align=7), "incoherente"),
    "sin canales": (_wav(channels=0, align=0), "canales"),
    "fmt gigante": (b"RIFF\xff\xff\xff\xffWAVEfmt \xff\xff\xff\x7f" + b"\0" * 30, "fmt"),
    "sin data": (b"RIFF" + struct.pack("<I", 28) + b"WAVEfmt " + struct.pack("<I", 16)
                 + struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16), "no tiene trozo data"),
    "trozo enorme": (b"RIFF\xff\xff\xff\xffWAVELIST\xff\xff\xff\x7f" + b"\0" * 30, "truncado"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_give_spanish_errors(tmp_path, name):
    data, pattern = BAD[name]
    p = tmp_path / "malo.wav"
    p.write_bytes(data)
    for call in (lambda: ta.load(p), lambda: ta.info(p), lambda: ta.load(io.BytesIO(data))):
        with pytest.raises(RuntimeError, match=pattern):
            call()


def test_unseekable_stream_and_streaming_size():
    class Flujo:   # sólo read(): como una respuesta HTTP
        def __init__(self, data):
            self.b = io.BytesIO(data)

        def read(self, n=-1):
            return self.b.read(n)

    x = _pcm(16, (1, 30))
    buf = io.BytesIO()
    ta.save(buf, tg.tensor(x), 8000)
    np.testing.assert_array_equal(ta.load(Flujo(buf.getvalue()), normalize=False)[0].numpy(), x)
    with pytest.raises(RuntimeError, match="truncado"):
        ta.load(Flujo(buf.getvalue()[:-10]))
    with pytest.raises(RuntimeError, match="truncado"):   # dice 4 GB y trae 60 bytes: no se reservan 4 GB
        ta.load(Flujo(_wav(data=x.tobytes(), data_size=0xFFFF0000)))
    streaming = _wav(data=x.tobytes(), data_size=0xFFFFFFFF)   # tamaño "desconocido": hasta el final
    np.testing.assert_array_equal(ta.load(io.BytesIO(streaming), normalize=False)[0].numpy(), x)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        ta.load(tmp_path / "no_existe.wav")
    with pytest.raises(RuntimeError, match="no existe"):
        ta.load(tmp_path / "no_existe.wav")
    with pytest.raises(RuntimeError, match="carpeta"):
        ta.load(tmp_path)


def test_save_errors_and_conversions(tmp_path):
    p = tmp_path / "x.wav"
    with pytest.raises(ValueError, match="2D"):
        ta.save(p, tg.randn(100), 8000)
    with pytest.raises(RuntimeError, match="WAV"):
        ta.save(tmp_path / "x.mp3", tg.randn(1, 100), 8000)
    with pytest.raises(ValueError, match="encoding"):
        ta.save(p, tg.randn(1, 100), 8000, encoding="ULAW")
    with pytest.raises(ValueError, match="bits"):
        ta.save(p, tg.randn(1, 100), 8000, encoding="PCM_S", bits_per_sample=8)
    with pytest.raises(ValueError, match="NaN"):
        ta.save(p, tg.tensor([[0.0, float("nan")]]), 8000, bits_per_sample=16)
    with pytest.raises(ValueError, match="sample_rate"):
        ta.save(p, tg.randn(1, 10), 0)
    with pytest.warns(UserWarning, match="recortan"):
        ta.save(p, tg.tensor([[0.5, 2.0, -3.0]]), 8000, bits_per_sample=16)
    np.testing.assert_array_equal(ta.load(p, normalize=False)[0].numpy(), [[16384, 32767, -32768]])
    # entero → otro ancho: sin pérdida al ensanchar
    x = _pcm(16, (1, 20))
    ta.save(p, tg.tensor(x), 8000, bits_per_sample=24)
    np.testing.assert_array_equal(ta.load(p, normalize=False)[0].numpy(), x.astype(np.int32) << 16)
    ta.save(p, tg.tensor(x), 8000, bits_per_sample=8)
    np.testing.assert_array_equal(ta.load(p, normalize=False)[0].numpy().astype(int) - 128, x >> 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ta.save(p, tg.randn(2, 10, requires_grad=True) * 0.1, 8000)   # un tensor con grafo se guarda igual
    assert ta.info(p).encoding == "PCM_F"
