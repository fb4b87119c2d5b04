"""AlexNet (Krizhevsky, Sutskever y Hinton, 2012), con los nombres de torchvision.

``features`` (5 convoluciones con ReLU y 3 max-pool), ``avgpool`` adaptativo a 6×6 y
``classifier`` (Dropout-Linear-ReLU ×2 y Linear): las claves del ``state_dict`` son las de
torchvision (``features.0.weight``, ``classifier.1.weight``...), así que unos pesos guardados con
``torch.save(alexnet.state_dict())`` se cargan sin cambios. Entrada: (N, 3, 224, 224).
"""
from __future__ import annotations

from ... import nn
from ._api import WeightsEnum, handle_weights, imagenet_weights, load_weights

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.flatten(1)
        return self.classifier(x)


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", 61100840, 56.522)
    DEFAULT = IMAGENET1K_V1


def alexnet(*, weights=None, progress: bool = True, **kwargs) -> AlexNet:
    """AlexNet; ``weights=None`` (pesos aleatorios) o los de ImageNet si tienes el fichero (véase ``_api``).
    Equivale a ``torchvision.models.alexnet``."""
    weights = handle_weights(AlexNet_Weights, weights, kwargs, "alexnet")
    model = AlexNet(**kwargs)
    return load_weights(model, weights, "alexnet") if weights is not None else model
