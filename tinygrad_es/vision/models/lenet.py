"""LeNet-5 (LeCun et al., 1998), el del curso: C1 6@5×5 → S2 pool → C3 16@5×5 → S4 pool → C5 120 →
F6 84 → 10, con tanh y pooling medio. También es ``tinygrad_es.models.LeNet5``."""
from __future__ import annotations

from ... import nn

__all__ = ["LeNet5"]


class LeNet5(nn.Module):
    """LeNet-5 clásico (LeCun, 1998): C1 6@5×5 → S2 pool → C3 16@5×5 → S4 pool →
    C5 120 → F6 84 → 10, con tanh y pooling medio. Entrada 32×32; con
    ``image_size=28`` la primera convolución rellena con 2 (28×28 de MNIST)."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10, image_size: int = 28):
        super().__init__()
        if image_size not in (28, 32):
            raise ValueError(f"LeNet5 espera imágenes de 32×32 o 28×28, no {image_size}")
        pad = 2 if image_size == 28 else 0
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=pad), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))
