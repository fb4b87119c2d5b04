"""``SummaryWriter``: el registro de experimentos de PyTorch (``torch.utils.tensorboard``) sobre el
escritor de ficheros de eventos del paquete ``tensorboard``.

Cada llamada ``add_*`` añade un ``Event`` (paso, hora y resumen) a un fichero
``events.out.tfevents.*`` de ``log_dir``; ``tensorboard --logdir runs`` los dibuja mientras el
entrenamiento sigue (así se detiene a tiempo un entrenamiento que va mal).

>>> from tinygrad_es.utils.tensorboard import SummaryWriter
>>> with SummaryWriter("runs/voz") as w:
...     for epoca in range(10):
...         w.add_scalar("pérdida/entrenamiento", perdida, epoca)
"""
from __future__ import annotations

import os
import socket
import time
from datetime import datetime

import numpy as np

from . import summary as S

from tensorboard.compat.proto.event_pb2 import Event, SessionLog   # noqa: E402 (summary.py ya lo comprobó)
from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: E402

__all__ = ["SummaryWriter", "FileWriter"]


class FileWriter:
    """Escribe ``Event`` en un fichero de eventos de ``log_dir`` (el de TensorBoard)."""

    def __init__(self, log_dir: str, max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = ""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self) -> str:
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else float(walltime)
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


def _step(global_step):
    if global_step is None:
        return None
    if hasattr(global_step, "item"):
        global_step = global_step.item()
    if isinstance(global_step, bool) or not float(global_step).is_integer():
        raise TypeError(f"global_step debe ser un entero, no {global_step!r}")
    return int(global_step)


class SummaryWriter:
    """Registro de un experimento para TensorBoard (como ``torch.utils.tensorboard.SummaryWriter``).

    Args:
        log_dir: carpeta de los eventos; por defecto ``runs/FECHA_HORA_MÁQUINA`` + ``comment``.
        comment: sufijo del nombre por defecto.
        purge_step: al reanudar un entrenamiento que se cortó, los eventos con paso ≥ ``purge_step``
            escritos antes se ocultan en TensorBoard.
        max_queue, flush_secs: cuántos eventos o segundos esperar antes de escribir en disco.
        filename_suffix: sufijo del fichero de eventos.

    Se usa como gestor de contexto (``with SummaryWriter() as w:``) o cerrándolo con ``close()``.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self.purge_step = purge_step
        self.max_queue, self.flush_secs, self.filename_suffix = max_queue, flush_secs, filename_suffix
        self.file_writer = None
        self.all_writers = {}
        self._get_file_writer()

    def _get_file_writer(self) -> FileWriter:
        if self.file_writer is None or self.all_writers.get(self.log_dir) is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = _step(self.purge_step)
                self.file_writer.add_event(Event(file_version="brain.Event:2"), step)
                self.file_writer.add_event(Event(session_log=SessionLog(status=SessionLog.START)), step)
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> str:
        return self.log_dir

    # -- lo que se registra -----------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False, double_precision=False):
        """Un número (p. ej. la pérdida) en el paso ``global_step``."""
        self._get_file_writer().add_summary(S.scalar(tag, scalar_value), _step(global_step), walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Varias curvas en la misma gráfica ``main_tag`` (cada una en una subcarpeta, como PyTorch)."""
        walltime = time.time() if walltime is None else walltime
        base = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            path = os.path.join(base, main_tag.replace("/", "_") + "_" + tag)
            fw = self.all_writers.get(path)
            if fw is None:
                fw = FileWriter(path, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[path] = fw
            fw.add_summary(S.scalar(main_tag, value), _step(global_step), walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """Histograma de ``values`` (pesos, gradientes, activaciones...)."""
        self._get_file_writer().add_summary(S.histogram(tag, values, bins, max_bins), _step(global_step), walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Una imagen: flotantes en [0, 1] o uint8 en [0, 255]; ``dataformats`` "CHW", "HWC", "HW"..."""
        self._get_file_writer().add_summary(S.image(tag, img_tensor, dataformats), _step(global_step), walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Un lote de imágenes ``(N, C, H, W)`` en una cuadrícula."""
        a = S.make_np(img_tensor)
        fmt = dataformats.upper()
        if sorted(fmt) not in (sorted("NCHW"), sorted("NHW")) or a.ndim != len(fmt):
            raise ValueError(f"add_images: dataformats={dataformats!r} no encaja con la forma {tuple(a.shape)} (usa "
                             f"'NCHW', 'NHWC' o 'NHW')")
        if "C" not in fmt:
            a, fmt = a[..., None], fmt + "C"
        a = np.transpose(a, [fmt.index(k) for k in "NCHW"])
        self.add_image(tag, S.make_grid(a), global_step, walltime, dataformats="CHW")

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Una figura de matplotlib (o una lista: en cuadrícula) como imagen."""
        figs = figure if isinstance(figure, (list, tuple)) else [figure]
        imgs = []
        for fig in figs:
            fig.canvas.draw()
            imgs.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].transpose(2, 0, 1).copy())
            if close:
                import matplotlib.pyplot as plt   # opcional: sólo si ya se está usando matplotlib
                plt.close(fig)
        if len(imgs) == 1:
            self.add_image(tag, imgs[0], global_step, walltime, dataformats="CHW")
        else:
            h = max(i.shape[1] for i in imgs)
            w = max(i.shape[2] for i in imgs)
            batch = np.zeros((len(imgs), 3, h, w), np.uint8)
            for k, i in enumerate(imgs):
                batch[k, :, :i.shape[1], :i.shape[2]] = i
            self.add_images(tag, batch, global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Texto (admite markdown en TensorBoard)."""
        self._get_file_writer().add_summary(S.text(tag, text_string), _step(global_step), walltime)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Un sonido ``(L,)`` o ``(1, L)`` en [−1, 1], para escucharlo en TensorBoard."""
        self._get_file_writer().add_summary(S.audio(tag, snd_tensor, int(sample_rate)), _step(global_step), walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """Hiperparámetros y métricas finales de una ejecución, para la pestaña HPARAMS (cada llamada va
        a una subcarpeta ``run_name``, por defecto la hora, como PyTorch)."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("add_hparams: hparam_dict y metric_dict deben ser diccionarios")
        exp, ssi, sei = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        with SummaryWriter(log_dir=logdir) as w:
            for s in (exp, ssi, sei):
                w.file_writer.add_summary(s, _step(global_step))
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        raise NotImplementedError("add_graph no está en tinygrad_es: dibuja el grafo con tinygrad_es.viz "
                                  "(draw_graph) o con la página 'tinygrad-es web' (/grafo)")

    # -- fin ------------------------------------------------------------------------------------
    def flush(self):
        """Escribe en disco lo que esté en cola."""
        for w in self.all_writers.values():
            w.flush()

    def close(self):
        """Escribe lo pendiente y cierra los ficheros (después, una llamada ``add_*`` abre uno nuevo)."""
        for w in self.all_writers.values():
            w.flush()
            w.close()
        self.file_writer = None
        self.all_writers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
