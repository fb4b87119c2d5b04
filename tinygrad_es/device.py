"""Dispositivos: tinygrad_es calcula sólo en la CPU (``device("cpu")``; ``cuda.is_available()`` es
``False``). ``.to("cpu")`` no hace nada y pedir una GPU da un error claro en español."""
from __future__ import annotations

__all__ = ["device", "check_device", "cuda", "set_default_device", "get_default_device"]


class device:
    """Como ``torch.device``: ``device("cpu")``; ``device("cuda")`` se puede crear, pero mover algo
    a él da un error."""

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        text = str(type)
        if ":" in text:
            text, idx = text.split(":", 1)
            index = int(idx)
        self.type, self.index = text, index

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


def check_device(d) -> None:
    """Acepta la CPU; cualquier otro dispositivo es un error en español."""
    if d is None:
        return
    if isinstance(d, int):
        d = "cuda"
    try:
        dev = device(d)
    except (TypeError, ValueError):
        raise RuntimeError(f"dispositivo no válido: {d!r} (tinygrad_es sólo usa 'cpu')") from None
    if dev.type != "cpu":
        raise RuntimeError(f"tinygrad_es no tiene soporte de GPU: sólo calcula en la CPU (se pidió "
                           f"'{dev}'). Usa .to('cpu') o quita la llamada; cuda.is_available() es False")


class _Cuda:
    """``tinygrad_es.cuda``: no hay GPU."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed):
        pass

    manual_seed_all = manual_seed


cuda = _Cuda()


def set_default_device(d) -> None:
    """``torch.set_default_device``: sólo se admite la CPU (cualquier otro dispositivo es un error)."""
    check_device(d)


def get_default_device():
    return device("cpu")
