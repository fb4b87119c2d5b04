"""Resúmenes de TensorBoard (los *protocol buffers* del paquete ``tensorboard``) a partir de números,
arrays, imágenes, texto y sonido (como ``torch.utils.tensorboard.summary``).

Cada función devuelve un ``Summary`` listo para meter en un ``Event``; ``SummaryWriter`` (en
``writer.py``) los escribe con el escritor de ficheros del propio TensorBoard.
"""
from __future__ import annotations

import struct
import time
import zlib

import numpy as np

try:
    from google.protobuf import struct_pb2
    from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
    from tensorboard.compat.proto.tensor_pb2 import TensorProto
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboard.plugins.hparams import api_pb2, metadata as hp_metadata, plugin_data_pb2
except ImportError:   # pragma: no cover - se prueba desinstalando el paquete
    raise ImportError("tinygrad_es.utils.tensorboard necesita el paquete 'tensorboard': "
                      "pip install \"tinygrad_es[tensorboard]\" (o pip install tensorboard)") from None

from ...autograd import TensorBase

__all__ = ["scalar", "histogram", "image", "text", "audio", "hparams", "make_np", "make_grid", "encode_png"]


def make_np(x) -> np.ndarray:
    """Un tensor (sin grafo), número o array como ndarray."""
    if isinstance(x, TensorBase):
        return np.asarray(x._data)
    return np.asarray(x)


def _scalar_value(v) -> float:
    a = make_np(v)
    if a.size != 1:
        raise ValueError(f"add_scalar: se esperaba un número (o un tensor de un elemento), no forma {tuple(a.shape)}")
    if a.dtype.kind not in "biuf":
        raise TypeError(f"add_scalar: el valor debe ser numérico, no {a.dtype}")
    return float(a.reshape(-1)[0])


def scalar(tag: str, value) -> Summary:
    return Summary(value=[Summary.Value(tag=tag, simple_value=_scalar_value(value))])


def _tf_bins() -> np.ndarray:
    """Los bordes de cubeta por defecto de TensorFlow: ±1e−12·1.1^k hasta 1e20, y el 0."""
    pos = [1e-12]
    while pos[-1] < 1e20:
        pos.append(pos[-1] * 1.1)
    pos = np.array(pos)
    return np.concatenate([-pos[::-1], [0.0], pos])


def histogram(tag: str, values, bins="tensorflow", max_bins=None) -> Summary:
    """Histograma de ``values`` (``bins``: "tensorflow", un número, un método de numpy o los bordes)."""
    v = make_np(values).astype(np.float64).reshape(-1)
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise ValueError(f"add_histogram: '{tag}' no tiene valores finitos")
    edges = _tf_bins() if isinstance(bins, str) and bins == "tensorflow" else bins
    counts, limits = np.histogram(v, bins=edges)
    if max_bins is not None and len(counts) > max_bins:
        k = -(-len(counts) // max_bins)
        pad = (-len(counts)) % k
        counts = np.pad(counts, (0, pad)).reshape(-1, k).sum(1)
        limits = np.concatenate([limits[:-1:k], limits[-1:]])
    nz = np.flatnonzero(counts)
    lo, hi = (nz[0], nz[-1] + 1) if nz.size else (0, len(counts))
    counts, limits = counts[lo:hi], limits[lo:hi + 1]
    hist = HistogramProto(min=float(v.min()), max=float(v.max()), num=int(v.size), sum=float(v.sum()),
                          sum_squares=float((v * v).sum()), bucket_limit=[float(x) for x in limits[1:]],
                          bucket=[float(c) for c in counts])
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def encode_png(img: np.ndarray) -> bytes:
    """PNG (sin Pillow) de una imagen (H, W, C) uint8 con C = 1, 3 o 4."""
    h, w, c = img.shape
    color = {1: 0, 3: 2, 4: 6}[c]
    raw = b"".join(b"\x00" + img[i].tobytes() for i in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def _to_hwc(img: np.ndarray, dataformats: str) -> np.ndarray:
    fmt = dataformats.upper()
    if len(fmt) != img.ndim or len(set(fmt)) != len(fmt) or not set(fmt) <= set("CHW"):
        raise ValueError(f"add_image: dataformats={dataformats!r} no encaja con una imagen de forma {tuple(img.shape)} "
                         f"(usa p. ej. 'CHW', 'HWC' o 'HW')")
    if "C" not in fmt:
        img, fmt = img[None], "C" + fmt
    img = np.transpose(img, [fmt.index(k) for k in "HWC"])
    if img.shape[2] == 2 or img.shape[2] > 4:
        raise ValueError(f"add_image: una imagen debe tener 1, 3 o 4 canales, no {img.shape[2]}")
    return img


def _to_uint8(img: np.ndarray) -> np.ndarray:
    if img.dtype == np.uint8:
        return img
    if img.dtype.kind == "b":
        return img.astype(np.uint8) * 255
    f = img.astype(np.float64)
    if img.dtype.kind == "f":
        f = f * 255.0      # como PyTorch: los flotantes se esperan en [0, 1]
    return np.clip(np.round(f), 0, 255).astype(np.uint8)


def image(tag: str, img, dataformats: str = "CHW") -> Summary:
    hwc = np.ascontiguousarray(_to_uint8(_to_hwc(make_np(img), dataformats)))
    h, w, c = hwc.shape
    im = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(hwc))
    return Summary(value=[Summary.Value(tag=tag, image=im)])


def make_grid(imgs: np.ndarray, ncols: int = 8) -> np.ndarray:
    """(N, C, H, W) → (C, filas·H, ncols·W): las imágenes en una cuadrícula (huecos a 0)."""
    n, c, h, w = imgs.shape
    if c == 1:
        imgs, c = np.repeat(imgs, 3, axis=1), 3
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    grid = np.zeros((c, nrows * h, ncols * w), dtype=imgs.dtype)
    for i in range(n):
        r, k = divmod(i, ncols)
        grid[:, r * h:(r + 1) * h, k * w:(k + 1) * w] = imgs[i]
    return grid


def text(tag: str, text_string: str) -> Summary:
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="text"))
    t = TensorProto(dtype="DT_STRING", string_val=[str(text_string).encode("utf-8")],
                    tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=t)])


def audio(tag: str, snd, sample_rate: int) -> Summary:
    """Un sonido en [−1, 1] (L,) o (1, L) como WAV de 16 bits."""
    a = make_np(snd).astype(np.float64).squeeze()
    if a.ndim != 1:
        raise ValueError(f"add_audio: se esperaba un sonido 1D (o (1, L)), no forma {make_np(snd).shape}")
    pcm = np.clip(np.round(np.clip(a, -1, 1) * 32767), -32768, 32767).astype("<i2")
    data = pcm.tobytes()
    header = (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate,
                                                                                        2 * sample_rate, 2, 16)
              + b"data" + struct.pack("<I", len(data)))
    au = Summary.Audio(sample_rate=float(sample_rate), num_channels=1, length_frames=len(pcm),
                       encoded_audio_string=header + data, content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=au)])


def _hp_value(v):
    if isinstance(v, bool):
        return api_pb2.DATA_TYPE_BOOL, {"bool_value": v}
    if isinstance(v, (int, float, np.integer, np.floating)):
        return api_pb2.DATA_TYPE_FLOAT64, {"number_value": float(v)}
    if isinstance(v, TensorBase):
        return api_pb2.DATA_TYPE_FLOAT64, {"number_value": _scalar_value(v)}
    if isinstance(v, str):
        return api_pb2.DATA_TYPE_STRING, {"string_value": v}
    raise ValueError(f"add_hparams: el valor de un hiperparámetro debe ser int, float, str, bool o un tensor de un "
                     f"elemento, no {type(v).__name__}")


def hparams(hparam_dict: dict, metric_dict: dict, hparam_domain_discrete=None):
    """Los tres resúmenes del plugin de hiperparámetros: experimento, inicio y fin de la sesión."""
    hparam_domain_discrete = hparam_domain_discrete or {}
    infos, values = [], {}
    for k, v in hparam_dict.items():
        dtype, val = _hp_value(v)
        values[k] = struct_pb2.Value(**val)
        info = api_pb2.HParamInfo(name=k, type=dtype)
        if k in hparam_domain_discrete:
            dom = struct_pb2.ListValue()
            for d in hparam_domain_discrete[k]:
                dom.values.add().CopyFrom(struct_pb2.Value(**_hp_value(d)[1]))
            info.domain_discrete.CopyFrom(dom)
        infos.append(info)
    metrics = [api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict]
    exp = plugin_data_pb2.HParamsPluginData(version=hp_metadata.PLUGIN_DATA_VERSION,
                                            experiment=api_pb2.Experiment(hparam_infos=infos, metric_infos=metrics))
    start = plugin_data_pb2.HParamsPluginData(version=hp_metadata.PLUGIN_DATA_VERSION,
                                              session_start_info=plugin_data_pb2.SessionStartInfo(
                                                  hparams=values, start_time_secs=time.time()))
    end = plugin_data_pb2.HParamsPluginData(version=hp_metadata.PLUGIN_DATA_VERSION,
                                            session_end_info=plugin_data_pb2.SessionEndInfo(
                                                status=api_pb2.STATUS_SUCCESS))

    def summ(tag, data):
        return Summary(value=[Summary.Value(tag=tag, metadata=hp_metadata.create_summary_metadata(data),
                                            tensor=hp_metadata.NULL_TENSOR)])
    return (summ(hp_metadata.EXPERIMENT_TAG, exp), summ(hp_metadata.SESSION_START_INFO_TAG, start),
            summ(hp_metadata.SESSION_END_INFO_TAG, end))
