"""``torch.backends`` y ``torch.accelerator`` en una CPU sin GPU: lo que los programas consultan antes
de elegir dispositivo (``torch.backends.mps.is_available()``, ``torch.accelerator.is_available()``)
y los interruptores que algunos tocan (``cudnn.deterministic``, ``mha.set_fastpath_enabled``)."""
from __future__ import annotations

from types import SimpleNamespace

__all__ = ["mps", "cudnn", "cuda", "mha", "mkldnn", "accelerator"]


def _false() -> bool:
    return False


mps = SimpleNamespace(is_available=_false, is_built=_false)
cuda = SimpleNamespace(is_built=_false, matmul=SimpleNamespace(allow_tf32=False), enable_flash_sdp=lambda b: None,
                       enable_math_sdp=lambda b: None, enable_mem_efficient_sdp=lambda b: None)
cudnn = SimpleNamespace(is_available=_false, enabled=False, deterministic=False, benchmark=False, allow_tf32=False)
mkldnn = SimpleNamespace(is_available=_false)

_FAST = {"on": True}


def _get_fastpath() -> bool:
    return _FAST["on"]


def _set_fastpath(value: bool) -> None:
    _FAST["on"] = bool(value)


# el "camino rápido" de la atención de PyTorch: aquí sólo decide si TransformerEncoder pone a 0 las
# posiciones de relleno en evaluación (lo que hacen sus tensores anidados)
mha = SimpleNamespace(get_fastpath_enabled=_get_fastpath, set_fastpath_enabled=_set_fastpath)

accelerator = SimpleNamespace(is_available=_false, current_accelerator=lambda check_available=False: None,
                              device_count=lambda: 0)
