"""``tinygrad_es.vision``: lo que ``torchvision`` es para ``torch``.

Un programa escrito para torchvision funciona cambiando sólo los imports::

    import tinygrad_es as torch
    from tinygrad_es.vision import datasets, transforms, models

- ``datasets``: MNIST, FashionMNIST, KMNIST, EMNIST, CIFAR10, CIFAR100, ImageFolder, FakeData;
- ``transforms``: Compose, ToTensor, Normalize, Resize, RandomCrop, ColorJitter... y ``functional``;
- ``models``: alexnet, vgg11, resnet18, resnet34 (nombres y claves de ``state_dict`` de torchvision)
  y el LeNet5 del curso;
- ``utils``: make_grid, save_image; ``io``: read_image, decode_image.
"""
from . import datasets, io, models, transforms, utils

__all__ = ["datasets", "transforms", "models", "utils", "io"]
