"""Validación de lo que llega a la API: cada error es un ``PeticionIncorrecta`` con su
código HTTP y un mensaje en español que dice qué está mal."""
from __future__ import annotations

import json
import math

import numpy as np

__all__ = ["PeticionIncorrecta", "MAX_BYTES", "MIN_LADO", "MAX_LADO", "leer_json", "leer_imagen"]

MAX_BYTES = 1_000_000      # 1 MB por petición
MIN_LADO, MAX_LADO = 8, 1024


class PeticionIncorrecta(Exception):
    def __init__(self, mensaje: str, estado: int = 400):
        super().__init__(mensaje)
        self.mensaje, self.estado = mensaje, estado


def _rechazar_constante(nombre):
    raise PeticionIncorrecta(f"el JSON contiene {nombre}: sólo se admiten números finitos")


def leer_json(cuerpo: bytes) -> dict:
    """Decodifica el cuerpo (UTF-8 estricto) como un objeto JSON."""
    if not cuerpo:
        raise PeticionIncorrecta("el cuerpo de la petición está vacío: envía un JSON {\"imagen\": [[...], ...]}")
    try:
        texto = cuerpo.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PeticionIncorrecta(f"el cuerpo no es UTF-8 válido (byte {e.start})") from None
    try:
        datos = json.loads(texto, parse_constant=_rechazar_constante)
    except RecursionError:
        raise PeticionIncorrecta("el JSON está demasiado anidado") from None
    except json.JSONDecodeError as e:
        raise PeticionIncorrecta(f"el cuerpo no es JSON válido (línea {e.lineno}, columna {e.colno})") from None
    except (ValueError, MemoryError):  # p. ej. un entero con demasiadas cifras
        raise PeticionIncorrecta("el cuerpo no es JSON válido") from None
    if not isinstance(datos, dict):
        raise PeticionIncorrecta(f"se esperaba un objeto JSON {{...}}, no {_tipo(datos)}")
    return datos


def _tipo(v) -> str:
    if isinstance(v, bool):
        return "un booleano"
    return {dict: "un objeto", list: "una lista", str: "un texto", int: "un número", float: "un número",
            type(None): "null"}.get(type(v), type(v).__name__)


def leer_imagen(datos: dict) -> np.ndarray:
    """Comprueba ``datos["imagen"]``: lista de filas de igual longitud, entre 8×8 y
    1024×1024, de números finitos en [0, 1]. Devuelve un array float64."""
    if "imagen" not in datos:
        raise PeticionIncorrecta("falta el campo \"imagen\": envía {\"imagen\": [[...], ...]} "
                                 "(una lista de filas con valores en [0, 1])")
    img = datos["imagen"]
    if not isinstance(img, list):
        raise PeticionIncorrecta(f"\"imagen\" debe ser una lista de filas, no {_tipo(img)}")
    alto = len(img)
    if not MIN_LADO <= alto <= MAX_LADO:
        raise PeticionIncorrecta(f"la imagen tiene {alto} fila{'' if alto == 1 else 's'}: deben ser entre "
                                 f"{MIN_LADO} y {MAX_LADO}")
    if not isinstance(img[0], list):
        raise PeticionIncorrecta(f"la fila 0 debe ser una lista de números, no {_tipo(img[0])}")
    ancho = len(img[0])
    if not MIN_LADO <= ancho <= MAX_LADO:
        raise PeticionIncorrecta(f"la imagen tiene {ancho} columna{'' if ancho == 1 else 's'}: deben ser entre "
                                 f"{MIN_LADO} y {MAX_LADO}")
    for i, fila in enumerate(img):
        if not isinstance(fila, list):
            raise PeticionIncorrecta(f"la fila {i} debe ser una lista de números, no {_tipo(fila)}")
        if len(fila) != ancho:
            raise PeticionIncorrecta(f"las filas tienen longitudes distintas: la fila 0 tiene {ancho} "
                                     f"valores y la fila {i} tiene {len(fila)}")
        # type() exacto: un booleano es un int para Python, pero no es un número en la imagen
        tipos = set(map(type, fila))
        if not tipos <= {int, float}:
            j = next(j for j, v in enumerate(fila) if type(v) not in (int, float))
            raise PeticionIncorrecta(f"el valor [{i}][{j}] es {_tipo(fila[j])}: deben ser números en [0, 1]")
    try:
        a = np.array(img, dtype=np.float64)
    except OverflowError:
        raise PeticionIncorrecta("hay un número demasiado grande: los valores deben estar en [0, 1]") from None
    malos = ~np.isfinite(a) | (a < 0) | (a > 1)
    if malos.any():
        i, j = np.argwhere(malos)[0]
        v = img[i][j]
        desc = f"{v!r}" if math.isfinite(float(v)) else "infinito"
        raise PeticionIncorrecta(f"el valor [{i}][{j}] = {desc} está fuera de [0, 1]")
    return a
