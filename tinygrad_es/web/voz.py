"""La página «Di un dígito»: el audio que llega del micrófono (o de un .wav) se valida, se recorta el
silencio, se lleva a 8 kHz y se clasifica con la ``RedVoz`` de la demo de voz (los mismos pasos con que
se entrenó: ``demos/voz.py``).

``POST /api/voz`` acepta:

* un WAV (``Content-Type: audio/wav``): PCM de 8/16/24/32 bits o coma flotante, mono o estéreo;
* muestras crudas (``Content-Type: application/octet-stream`` o ``audio/pcm``) float32 little-endian
  mono, con la frecuencia en la URL: ``/api/voz?sr=48000`` (y ``&formato=s16`` para enteros de 16 bits).

Límites: 1 MB, entre 0,1 y 5 s, de 4 000 a 96 000 Hz (y una frecuencia «habitual»: la razón con 8 kHz,
simplificada, de términos ≤ 1 000, para que el núcleo del remuestreo no ocupe gigabytes). Cada petición incorrecta es un JSON
``{"error": "…"}`` con un código 4xx (400, 413, 415 o 422) que dice qué está mal.
"""
from __future__ import annotations

import io
import math
import os
import threading
import time

import numpy as np

from .. import Tensor, no_grad
from ..audio import WavError, load
from ..audio.transforms import Resample
from ..demos.voz import SAMPLE_RATE, LogMel, RedVoz, ajustar, recortar_silencio
from .modelo import ErrorModelo, cargar_state_dict
from .peticion import PeticionIncorrecta

__all__ = ["PESOS_VOZ", "ClasificadorVoz", "crear_clasificador_voz", "leer_audio", "MIN_S", "MAX_S"]

PESOS_VOZ = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pesos", "redvoz_fsdd.npz")
MIN_S, MAX_S = 0.1, 5.0
MIN_SR, MAX_SR = 4000, 96000
MAX_RAZON = 1000            # sr/mcd(sr, 8000) y 8000/mcd como mucho: el núcleo de Resample cabe en unos MB
_CACHE_REMUESTREO = 8
_WAV = ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave")
_RAW = ("application/octet-stream", "audio/pcm")


def leer_audio(cuerpo: bytes, tipo: str, consulta) -> tuple:
    """(señal mono float32, frecuencia) del cuerpo de la petición, o ``PeticionIncorrecta``."""
    tipo = (tipo or "").split(";")[0].strip().lower()
    if not cuerpo:
        raise PeticionIncorrecta("el cuerpo de la petición está vacío: envía un WAV (Content-Type: audio/wav)")
    if tipo in _WAV:
        try:
            w, sr = load(io.BytesIO(cuerpo))
        except WavError as e:
            raise PeticionIncorrecta(f"el audio no se puede leer: {e}", 415 if "comprimido" in str(e) or
                                     "no es un fichero WAV" in str(e) else 400) from None
        x = w.numpy().mean(axis=0) if w.shape[0] > 1 else w.numpy()[0]
    elif tipo in _RAW:
        sr_txt = consulta.get("sr")
        if sr_txt is None or not sr_txt.isdigit():
            raise PeticionIncorrecta("con muestras crudas hay que indicar la frecuencia en la URL: /api/voz?sr=48000")
        sr = int(sr_txt)
        formato = consulta.get("formato", "f32")
        if formato not in ("f32", "s16"):
            raise PeticionIncorrecta(f"formato {formato!r} desconocido: usa f32 (float32) o s16 (int16)")
        ancho = 4 if formato == "f32" else 2
        if len(cuerpo) % ancho:
            raise PeticionIncorrecta(f"el cuerpo tiene {len(cuerpo)} bytes, que no es un número entero de "
                                     f"muestras de {ancho} bytes ({formato})")
        x = (np.frombuffer(cuerpo, "<f4") if formato == "f32" else np.frombuffer(cuerpo, "<i2") / 32768.0)
        x = x.astype(np.float32)
    else:
        raise PeticionIncorrecta(f"tipo de contenido {tipo or '(ninguno)'!r} no admitido: envía audio/wav o "
                                 f"application/octet-stream (float32) con ?sr=", 415)
    if not MIN_SR <= sr <= MAX_SR:
        raise PeticionIncorrecta(f"frecuencia de muestreo de {sr} Hz fuera de los límites ({MIN_SR}–{MAX_SR} Hz)")
    g = math.gcd(sr, SAMPLE_RATE)
    if sr // g > MAX_RAZON or SAMPLE_RATE // g > MAX_RAZON:
        # el núcleo del remuestreo tiene (8000/mcd) × (sr/mcd) coeficientes: con frecuencias casi primas
        # entre sí ocuparía gigabytes
        raise PeticionIncorrecta(f"frecuencia de muestreo de {sr} Hz no admitida: usa una habitual (8000, 11025, "
                                 f"16000, 22050, 32000, 44100, 48000 o 96000 Hz)")
    dur = len(x) / sr
    if dur < MIN_S:
        raise PeticionIncorrecta(f"el audio dura {dur:.3f} s: hacen falta al menos {MIN_S} s", 422)
    if dur > MAX_S:
        raise PeticionIncorrecta(f"el audio dura {dur:.1f} s: como mucho {MAX_S:g} s (di un solo dígito)", 413)
    if not np.isfinite(x).all():
        raise PeticionIncorrecta("el audio contiene valores NaN o infinitos", 422)
    if np.abs(x).max() > 1.0 + 1e-6:
        raise PeticionIncorrecta(f"las muestras deben estar en [−1, 1] y llegan hasta {np.abs(x).max():.3g}", 422)
    return x, sr


def crear_clasificador_voz(ruta: str | None = None) -> "ClasificadorVoz":
    estado = cargar_state_dict(ruta or PESOS_VOZ)
    modelo = RedVoz()
    try:
        modelo.load_state_dict(estado)
    except (KeyError, ValueError) as e:
        msg = e.args[0] if e.args else str(e)
        raise ErrorModelo(f"'{ruta or PESOS_VOZ}' no es un state_dict de RedVoz: {msg}") from None
    modelo.eval()
    return ClasificadorVoz(modelo)


class ClasificadorVoz:
    """Audio → dígito: recorta el silencio, remuestrea a 8 kHz, centra en 1 s, log-mel y ``RedVoz``.
    Un cerrojo deja pasar una predicción cada vez (los núcleos de numba no son reentrantes)."""

    def __init__(self, modelo):
        self.modelo = modelo
        self.logmel = LogMel()
        self._remuestreo = {}
        self._cerrojo = threading.Lock()

    def _a_8k(self, x: np.ndarray, sr: int) -> np.ndarray:
        if sr == SAMPLE_RATE:
            return x
        if sr not in self._remuestreo:
            if len(self._remuestreo) >= _CACHE_REMUESTREO:    # como mucho unos pocos núcleos en memoria
                self._remuestreo.pop(next(iter(self._remuestreo)))
            self._remuestreo[sr] = Resample(sr, SAMPLE_RATE)
        with no_grad():
            return self._remuestreo[sr](Tensor(x[None])).numpy()[0]

    def predecir(self, x: np.ndarray, sr: int) -> dict:
        t0 = time.perf_counter()
        with self._cerrojo:
            y = self._a_8k(np.asarray(x, np.float32), sr)
            voz = recortar_silencio(y)
            if voz is None:
                raise PeticionIncorrecta("no se oye nada: el audio es silencio (habla más cerca del micrófono)", 422)
            entrada = ajustar(voz)
            with no_grad():
                espectro = self.logmel(Tensor(entrada[None]))
                logits = self.modelo(espectro).numpy()[0].astype(np.float64)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return {
            "clase": int(p.argmax()),
            "probabilidades": [round(float(v), 6) for v in p],
            "espectrograma": np.round(espectro.numpy()[0, 0], 2).tolist(),
            "duracion_voz": round(len(voz) / SAMPLE_RATE, 3),
            "duracion": round(len(x) / sr, 3),
            "frecuencia": sr,
            "ms": round(1000 * (time.perf_counter() - t0), 1),
        }
