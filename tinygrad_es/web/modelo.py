"""El modelo de la página: una SimpleCNN, sus pesos y la predicción de un dibujo."""
from __future__ import annotations

import os
import threading

import numpy as np

from .. import Tensor, load, no_grad
from ..models import SimpleCNN
from ..serialization.checkpoint import load_state
from ..viz.interpret import grad_cam
from .preproceso import preprocesar

__all__ = ["PESOS", "ErrorModelo", "cargar_state_dict", "crear_modelo", "Clasificador"]

# Pesos entrenados con tinygrad_es.web.entrenar (SimpleCNN, MNIST preprocesado).
PESOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pesos", "simplecnn_mnist.npz")


class ErrorModelo(ValueError):
    """El fichero de modelo no existe, no se puede leer o no es un state_dict de SimpleCNN."""


def cargar_state_dict(ruta: str) -> dict:
    """Lee un ``state_dict`` de disco: ``.pt``/``.pth`` (``tinygrad_es.save`` o ``torch.save``, con el
    intérprete restringido de ``load``) o ``.npz`` (``np.savez``, ``ModelCheckpoint``)."""
    ruta = os.path.expanduser(str(ruta))
    if not os.path.isfile(ruta):
        raise ErrorModelo(f"no existe el fichero de modelo '{ruta}'")
    ext = os.path.splitext(ruta)[1].lower()
    if ext == ".npz":
        try:
            return load_state(ruta)  # sin pickle y con los tamaños comprobados antes de reservar
        except (OSError, ValueError) as e:
            raise ErrorModelo(f"'{ruta}' no es un .npz válido ({e})") from None
    if ext in (".pt", ".pth"):
        try:
            estado = load(ruta)
        except Exception as e:  # load ya explica en español qué le pasa al fichero
            raise ErrorModelo(f"'{ruta}' no se pudo leer: {e}") from None
        if isinstance(estado, dict) and isinstance(estado.get("model_state_dict", estado.get("state_dict")), dict):
            estado = estado.get("model_state_dict", estado.get("state_dict"))  # un checkpoint de entrenamiento
        if not isinstance(estado, dict):
            raise ErrorModelo(f"'{ruta}' no contiene un state_dict (un dict de tensores), sino {type(estado).__name__}")
        return estado
    raise ErrorModelo(f"formato de modelo no soportado '{ext or ruta}': usa un .pt (tinygrad_es.save("
                      f"modelo.state_dict(), ruta)) o un .npz con el state_dict")


def crear_modelo(ruta: str | None = None) -> SimpleCNN:
    """SimpleCNN en modo evaluación con los pesos de ``ruta`` (por defecto, los del paquete)."""
    estado = cargar_state_dict(ruta or PESOS)
    modelo = SimpleCNN()
    try:
        modelo.load_state_dict(estado)
    except (KeyError, ValueError) as e:
        msg = e.args[0] if e.args else str(e)
        raise ErrorModelo(f"'{ruta or PESOS}' no es un state_dict de SimpleCNN: {msg}") from None
    modelo.eval()
    return modelo


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


class Clasificador:
    """Preprocesa un dibujo, lo clasifica y calcula su mapa Grad-CAM.

    Un cerrojo deja pasar una predicción cada vez: el modelo guarda estado del
    último forward (para Grad-CAM) y los núcleos paralelos de numba no admiten
    llamadas simultáneas desde varios hilos."""

    def __init__(self, modelo):
        self.modelo = modelo
        self._cerrojo = threading.Lock()

    def predecir(self, imagen: np.ndarray) -> dict:
        pre = preprocesar(imagen)
        x = pre.entrada[None, None]
        with self._cerrojo:
            with no_grad():
                logits = np.asarray(self.modelo(Tensor(x)).data, dtype=np.float64)[0]
            clase = int(logits.argmax())
            mapa = grad_cam(self.modelo, x, target=clase)[0]
        return {
            "clase": clase,
            "probabilidades": [round(float(p), 6) for p in _softmax(logits)],
            "entrada": np.round(pre.entrada, 3).tolist(),
            "mapa": np.round(mapa, 3).tolist(),
            "caja": [round(v, 3) for v in pre.caja],
        }
