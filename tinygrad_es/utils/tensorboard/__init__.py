"""``tinygrad_es.utils.tensorboard``: ``SummaryWriter`` con la API de ``torch.utils.tensorboard``,
que escribe ficheros de eventos de TensorBoard de verdad (con el paquete ``tensorboard``, el extra
``pip install "tinygrad_es[tensorboard]"``).

>>> from tinygrad_es.utils.tensorboard import SummaryWriter
>>> w = SummaryWriter("runs/prueba")
>>> w.add_scalar("pérdida/entrenamiento", 0.5, 1)
>>> w.close()

y luego, en una terminal: ``tensorboard --logdir runs``.
"""
from .writer import FileWriter, SummaryWriter

__all__ = ["SummaryWriter", "FileWriter"]
