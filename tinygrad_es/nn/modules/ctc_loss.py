"""La capa ``nn.CTCLoss`` (véase ``nn/functional/ctc_loss.py``)."""
from __future__ import annotations

from .. import functional as F
from .loss import _Loss

__all__ = ["CTCLoss"]


class CTCLoss(_Loss):
    """Pérdida CTC (*Connectionist Temporal Classification*): para reconocer secuencias sin alinear (voz desde
    espectrogramas, escritura), ``ℓ_n = −log Σ_alineamientos Π_t p_t(π_t)`` sobre todos los caminos que,
    quitando repeticiones y ``blank``, dan el objetivo. Derivada: la de ``F.ctc_loss``.

    Args:
        blank: índice de la etiqueta en blanco (``0``).
        reduction: ``'mean'`` (cada pérdida entre la longitud de su objetivo, luego la media), ``'sum'`` o
            ``'none'``.
        zero_infinity: las pérdidas infinitas (objetivo imposible) valen 0, sin gradiente (``False``).

    Forma: ``forward(log_probs, targets, input_lengths, target_lengths)`` con ``log_probs`` ``(T, N, C)`` (o
    ``(T, C)``), ``targets`` ``(N, S)`` o concatenadas, longitudes ``(N,)``; salida escalar, o ``(N,)``.

    Ejemplo:
        >>> lp = torch.randn(50, 4, 20).log_softmax(2)
        >>> nn.CTCLoss()(lp, torch.randint(1, 20, (4, 10)), torch.full((4,), 50), torch.full((4,), 10)).shape
        torch.Size([])

    En PyTorch: ``torch.nn.CTCLoss``; como función, ``F.ctc_loss``.
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        """Véase el docstring de la clase."""
        super().__init__(None, None, reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                          self.zero_infinity)
