"""Conversiones y normalización: ``ToTensor``, ``PILToTensor``, ``ToPILImage``,
``ConvertImageDtype`` y ``Normalize``."""
from __future__ import annotations

from ...nn import Module
from . import functional as F

__all__ = ["ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype", "Normalize"]


class ToTensor:
    """Imagen PIL o ndarray H×W×C en [0, 255] → tensor float32 C×H×W en [0, 1].

    Sólo escala si los datos son uint8 (modos L, LA, P, RGB, RGBA, CMYK, YCbCr, 1); un array
    float se convierte sin tocar sus valores. Ejemplo: ``ToTensor()(img).shape == (1, 28, 28)``
    para un dígito de MNIST. Equivale a ``torchvision.transforms.ToTensor``."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class PILToTensor:
    """Imagen PIL → tensor C×H×W del mismo tipo (uint8), sin escalar."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class ConvertImageDtype(Module):
    """Convierte un tensor-imagen a ``dtype`` reescalando sus valores (uint8 ↔ float)."""

    def __init__(self, dtype) -> None:
        super().__init__()
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class ToPILImage:
    """Tensor C×H×W o ndarray H×W×C → imagen PIL (``mode`` opcional: L, RGB, RGBA, F...)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        s = f"{self.__class__.__name__}("
        if self.mode is not None:
            s += f"mode={self.mode}"
        return s + ")"


class Normalize(Module):
    """``salida[c] = (entrada[c] − mean[c]) / std[c]`` para cada canal de un tensor float (…, C, H, W).

    Args:
        mean, std: una media y una desviación por canal (p. ej. ``(0.1307,)`` y ``(0.3081,)`` en MNIST).
        inplace: si ``True``, modifica el tensor de entrada.

    Equivale a ``torchvision.transforms.Normalize`` (mismo resultado, bit a bit, en float32)."""

    def __init__(self, mean, std, inplace: bool = False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"
