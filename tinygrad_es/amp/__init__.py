"""``torch.amp`` (precisión mixta): ``autocast`` y ``GradScaler``, para que los programas escritos para
GPU se ejecuten tal cual.

* ``autocast``: en PyTorch calcula algunas operaciones en float16/bfloat16. tinygrad_es no tiene esos
  tipos en sus núcleos: el bloque se ejecuta en float32 (con ``device_type="cuda"``, como PyTorch sin
  GPU, avisa y se desactiva).
* ``GradScaler``: multiplica la pérdida por una escala antes de ``backward``, divide los gradientes antes
  del paso del optimizador, salta el paso si alguno no es finito y ajusta la escala (``update``). En CPU
  funciona de verdad (como ``torch.amp.GradScaler("cpu")``); con ``"cuda"`` avisa y se desactiva (todo
  pasa tal cual), como PyTorch sin GPU.

>>> scaler = torch.amp.GradScaler("cpu")
>>> scaler.scale(perdida).backward(); scaler.step(opt); scaler.update()
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from ..autograd import TensorBase, no_grad

__all__ = ["autocast", "GradScaler"]


class autocast:
    """Contexto (o decorador) de precisión mixta: aquí el bloque se calcula en float32 (véase el módulo).

    Args:
        device_type: ``"cpu"`` o ``"cuda"`` (sin GPU: aviso y desactivado, como PyTorch).
        dtype: el tipo reducido pedido (``torch.bfloat16``/``float16``); se acepta y no se usa.
        enabled: ``False`` lo desactiva.
    """

    def __init__(self, device_type="cpu", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"autocast: device_type debe ser un str ('cpu' o 'cuda'), no {type(device_type).__name__}")
        self.device_type, self.dtype, self.enabled = device_type, dtype, bool(enabled)
        if self.enabled and device_type == "cuda":
            warnings.warn("autocast: no hay GPU (cuda.is_available() es False): se desactiva, como en PyTorch",
                          UserWarning, stacklevel=2)
            self.enabled = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class GradScaler:
    """Escalado de la pérdida contra el desbordamiento de los gradientes en precisión reducida (como
    ``torch.amp.GradScaler``).

    Args:
        device: ``"cpu"`` (funciona) o ``"cuda"`` (sin GPU: aviso y desactivado).
        init_scale: escala inicial (2¹⁶). growth_factor / backoff_factor: por cuánto se multiplica tras
            ``growth_interval`` pasos buenos / tras un paso con gradientes no finitos.
        enabled: ``False``: todo pasa tal cual.
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        if enabled and device == "cuda":
            warnings.warn("GradScaler: no hay GPU (cuda.is_available() es False): se desactiva, como en PyTorch",
                          UserWarning, stacklevel=2)
            enabled = False
        if growth_factor <= 1.0:
            raise ValueError(f"GradScaler: growth_factor debe ser > 1, y es {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"GradScaler: backoff_factor debe estar en (0, 1), y es {backoff_factor}")
        self._enabled = bool(enabled)
        self._scale, self._growth_factor, self._backoff_factor = float(init_scale), growth_factor, backoff_factor
        self._growth_interval, self._growth_tracker = int(growth_interval), 0
        self._per_optimizer = {}  # id(opt) → {"unscaled": bool, "found_inf": bool}

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def get_growth_interval(self):
        return self._growth_interval

    def scale(self, outputs):
        """``outputs`` (un tensor o una lista/tupla de ellos) por la escala."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, TensorBase):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise ValueError(f"GradScaler.scale: se esperaba un tensor o una lista de tensores, no {type(outputs).__name__}")

    def _state(self, optimizer):
        return self._per_optimizer.setdefault(id(optimizer), {"unscaled": False, "found_inf": False})

    def unscale_(self, optimizer):
        """Divide in situ los gradientes de ``optimizer`` por la escala (una vez por paso) y anota si alguno
        no es finito."""
        if not self._enabled:
            return
        st = self._state(optimizer)
        if st["unscaled"]:
            raise RuntimeError("GradScaler.unscale_: ya se llamó para este optimizador desde el último update()")
        inv = 1.0 / self._scale
        found = False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.grad.mul_(inv)
                    found = found or not bool(np.isfinite(p.grad._data).all())
        st["unscaled"], st["found_inf"] = True, found

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step()`` con los gradientes ya sin escala, o nada si alguno no es finito."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        st = self._state(optimizer)
        if not st["unscaled"]:
            self.unscale_(optimizer)
        if st["found_inf"]:
            return None
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        """Ajusta la escala: ×``backoff_factor`` si algún paso tuvo gradientes no finitos, ×``growth_factor``
        tras ``growth_interval`` pasos buenos seguidos (o la ``new_scale`` dada)."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale.item() if isinstance(new_scale, TensorBase) else new_scale)
        elif any(st["found_inf"] for st in self._per_optimizer.values()):
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        if not math.isfinite(self._scale):
            self._scale = 2.0 ** 16
        self._per_optimizer = {}

    def state_dict(self):
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor, "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if not state_dict:
            raise RuntimeError("GradScaler.load_state_dict: el estado está vacío (¿se guardó con el escalado "
                               "desactivado?)")
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
