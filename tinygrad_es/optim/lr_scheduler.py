"""``torch.optim.lr_scheduler`` en tinygrad_es: la tasa de aprendizaje a lo largo del entrenamiento::

    sched = StepLR(optimizer, step_size=1, gamma=0.7)
    for epoch in range(epochs):
        train(...)            # optimizer.step() en cada lote
        sched.step()          # una vez por época
"""
from ._lr_base import LRScheduler, _LRScheduler
from ._lr_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from ._lr_formula import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR,
                          MultiStepLR, PolynomialLR, StepLR)
from ._lr_stateful import ChainedScheduler, ReduceLROnPlateau, SequentialLR

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "SequentialLR", "PolynomialLR", "CosineAnnealingLR", "ChainedScheduler",
           "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "_LRScheduler"]
