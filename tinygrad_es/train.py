"""Bucle de entrenamiento: ``fit``, ``evaluate``, ``predict`` y callbacks.

>>> hist = fit(model, F.cross_entropy, opt, train_loader, val_loader, epochs=5)
>>> hist["val_acc"][-1]
"""
from __future__ import annotations

import json
import math
import sys
import copy
import time

import numpy as np

from ._io import atomic_write
from .serialization.checkpoint import CheckpointError, load_state, save_state
from .utils.data import DataLoader, TensorDataset
from ._tensor import Tensor
from .autograd import no_grad

__all__ = ["fit", "evaluate", "predict", "History", "Callback", "EarlyStopping", "ModelCheckpoint",
           "save_state", "load_state", "CheckpointError"]


class History(dict):
    """Historial por época: ``loss``, ``acc``, ``val_loss``, ``val_acc``, ``time``, ``lr``."""

    def to_json(self, path):
        atomic_write(path, json.dumps(self, indent=2).encode())

    def to_csv(self, path):
        keys = list(self.keys())
        n = max((len(v) for v in self.values()), default=0)
        rows = ["epoch," + ",".join(keys)]
        for i in range(n):
            rows.append(",".join([str(i + 1)] + [_fmt(self[k][i]) if i < len(self[k]) else "" for k in keys]))
        atomic_write(path, ("\n".join(rows) + "\n").encode())


def _fmt(v):
    return "" if v is None else f"{v:.6g}" if isinstance(v, float) else str(v)


class Callback:
    def on_train_begin(self, model):
        pass

    def on_epoch_end(self, epoch: int, logs: dict, model) -> bool:
        """Devuelve ``True`` para detener el entrenamiento."""
        return False

    def on_train_end(self, model):
        pass


class EarlyStopping(Callback):
    """Para si ``monitor`` no mejora en ``patience`` épocas; con ``restore_best`` recupera
    los pesos de la mejor época."""

    def __init__(self, patience: int = 3, monitor: str = "val_loss", min_delta: float = 0.0,
                 mode: str | None = None, restore_best: bool = True):
        self.patience, self.monitor, self.min_delta = patience, monitor, min_delta
        self.mode = mode or ("max" if "acc" in monitor else "min")
        self.restore_best = restore_best
        self.best = None
        self.best_epoch = None
        self.wait = 0
        self.stopped_epoch = None
        self._best_state = None

    def _improved(self, v):
        if self.best is None:
            return True
        return v < self.best - self.min_delta if self.mode == "min" else v > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs, model):
        v = logs.get(self.monitor)
        if v is None:
            raise KeyError(f"EarlyStopping: la métrica '{self.monitor}' no está en el historial "
                           f"({sorted(logs)}); ¿falta val_loader?")
        if self._improved(v):
            self.best, self.best_epoch, self.wait = v, epoch, 0
            if self.restore_best:
                self._best_state = copy.deepcopy(model.state_dict())  # state_dict comparte memoria
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model):
        if self.restore_best and self._best_state is not None:
            model.load_state_dict(self._best_state)


class ModelCheckpoint(Callback):
    """Guarda el modelo (``.npz``) tras cada época o sólo cuando ``monitor`` mejora.
    La escritura es atómica: un corte a mitad no deja un fichero roto."""

    def __init__(self, path: str, monitor: str = "val_loss", save_best_only: bool = True, mode: str | None = None):
        self.path, self.monitor, self.save_best_only = path, monitor, save_best_only
        self.mode = mode or ("max" if "acc" in monitor else "min")
        if self.mode not in ("min", "max"):
            raise ValueError(f"ModelCheckpoint: mode debe ser 'min' o 'max', no {mode!r}")
        self.best = None
        self.saved_epochs = []

    def on_epoch_end(self, epoch, logs, model):
        v = logs.get(self.monitor)
        if self.save_best_only and v is None:
            # sin la métrica no hay "mejor": guardar cada época en silencio engañaría
            if self.monitor not in logs:
                raise KeyError(f"ModelCheckpoint: la métrica '{self.monitor}' no está en el historial "
                               f"({sorted(logs)}); ¿falta val_loader?")
            raise ValueError(f"ModelCheckpoint: la métrica '{self.monitor}' no se puede calcular en esta tarea "
                             f"(vale None); usa monitor='loss' o 'val_loss'")
        better = (self.best is None or v is None or
                  (v < self.best if self.mode == "min" else v > self.best))
        if not self.save_best_only or better:
            if v is not None:
                self.best = v
            save_state(model.state_dict(), self.path)
            self.saved_epochs.append(epoch)
        return False


def _batch_tensor(a):
    """Un array de ``(X, y)`` como tensor de lotes: los decimales en el flotante por defecto (float32)."""
    if isinstance(a, Tensor):
        return a
    a = np.asarray(a)
    return Tensor(a) if a.dtype.kind == "f" else Tensor._wrap(a)


def _as_loader(data, batch_size=256):
    """Un cargador (cualquier iterable de lotes, p. ej. un ``DataLoader``) tal cual; una tupla
    ``(X, y)``, en un ``DataLoader`` sin barajar."""
    if isinstance(data, (tuple, list)):
        return DataLoader(TensorDataset(*[_batch_tensor(a) for a in data]), batch_size=batch_size)
    if data is None or hasattr(data, "__iter__"):
        return data
    raise TypeError(f"se esperaba un DataLoader o una tupla (X, y), no {type(data).__name__}")


def _is_one_hot(y: np.ndarray) -> bool:
    # un objetivo continuo de la misma forma (p. ej. la imagen en un autoencoder) no es una clase
    return bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all())


def _n_correct(out: Tensor, y) -> int | None:
    y = y._data if isinstance(y, Tensor) else np.asarray(y)
    o = out._data
    if o.ndim == 2 and o.shape[1] > 1 and y.ndim == 1:
        return int((o.argmax(1) == y).sum())
    if o.ndim == 2 and o.shape[1] > 1 and y.shape == o.shape and _is_one_hot(y):
        return int((o.argmax(1) == y.argmax(1)).sum())
    if o.shape == y.shape and set(np.unique(y)) <= {0, 1}:     # binaria (salida en [0, 1])
        return int(((o > 0.5) == (y > 0.5)).all(axis=tuple(range(1, o.ndim))).sum())
    return None


def _check_not_empty(loader, who: str, what: str):
    """Un conjunto vacío daría pérdida 0 y exactitud 0 sin avisar (PyTorch daría nan): error."""
    if loader is None or not hasattr(loader, "__len__") or len(loader) > 0:
        return
    ds = getattr(loader, "dataset", None)
    detail = ""
    if ds is not None and hasattr(ds, "__len__"):
        detail = f" ({len(ds)} ejemplos, batch_size={loader.batch_size}"
        detail += ", drop_last=True)" if getattr(loader, "drop_last", False) and len(ds) else ")"
    raise ValueError(f"{who}: el conjunto {what} no tiene ningún lote{detail}: no hay datos con los que calcular "
                     f"la pérdida ni la exactitud")


def evaluate(model, loader, loss_fn) -> dict:
    """Pérdida media y exactitud (si aplica) sobre ``loader``, sin gradiente y en modo eval."""
    loader = _as_loader(loader)
    _check_not_empty(loader, "evaluate", "de evaluación")
    was = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    tot, n, correct, has_acc = 0.0, 0, 0, True
    with no_grad():
        for x, y in loader:
            out = model(x)
            b = len(x)
            tot += loss_fn(out, y).item() * b
            c = _n_correct(out, y)
            has_acc = has_acc and c is not None
            correct += c or 0
            n += b
    if hasattr(model, "train"):
        model.train(was)
    if n == 0:
        raise ValueError("evaluate: el conjunto de evaluación no produjo ningún ejemplo: no se puede calcular "
                         "la pérdida ni la exactitud")
    return {"loss": tot / n, "acc": correct / n if has_acc else None}


def predict(model, X, batch_size: int = 256) -> np.ndarray:
    """Salidas del modelo para ``X`` (ndarray), por lotes, sin gradiente y en modo eval."""
    X = X._data if isinstance(X, Tensor) else np.asarray(X)
    was = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    outs = []
    with no_grad():
        for i in range(0, len(X), batch_size):
            xb = X[i:i + batch_size]
            if xb.dtype.kind in "ui":
                xb = xb.astype(np.float32)
            outs.append(model(Tensor(xb)).detach()._data)
    if hasattr(model, "train"):
        model.train(was)
    return np.concatenate(outs) if outs else np.empty((0,))


def _progress(iterable, total, desc, enabled):
    # en un terminal o un cuaderno; en ficheros y CI, sin barra (sólo la línea por época)
    if enabled and (sys.stderr.isatty() or "ipykernel" in sys.modules):
        try:
            from tqdm.auto import tqdm
            return tqdm(iterable, total=total, desc=desc, leave=False, file=sys.stderr)
        except ImportError:
            pass
    return iterable


class _FirstBatchNote:
    """Mientras corre el primer lote del primer entrenamiento del proceso (numba compila o
    carga de su caché los núcleos: de 1 a 15 s), la barra lo dice y su reloj sigue avanzando,
    para que no parezca colgada."""

    done = False  # una vez por proceso

    def __init__(self, bar):
        import threading
        self.bar = bar if (not _FirstBatchNote.done and hasattr(bar, "set_postfix_str")) else None
        self._stop = threading.Event()
        if self.bar is not None:
            self.bar.set_postfix_str("preparando los núcleos numba (la primera vez se compilan)…")
            threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self):
        bar, deadline = self.bar, time.monotonic() + 300  # nunca un hilo eterno si el lote falla
        while not self._stop.wait(0.5) and time.monotonic() < deadline:
            try:
                bar.refresh()
            except Exception:  # barra ya cerrada
                return

    def finish(self):
        if self.bar is not None:
            self._stop.set()
            _FirstBatchNote.done = True
            self.bar = None


_WRITER_TAGS = {"loss": "pérdida/entrenamiento", "val_loss": "pérdida/validación", "acc": "exactitud/entrenamiento",
                "val_acc": "exactitud/validación", "lr": "tasa_de_aprendizaje", "time": "segundos_por_época"}


def _write_epoch(writer, logs: dict, epoch: int) -> None:
    for key, tag in _WRITER_TAGS.items():
        if logs.get(key) is not None:
            writer.add_scalar(tag, logs[key], epoch)
    writer.flush()


def fit(model, loss_fn, optimizer, train_loader, val_loader=None, epochs: int = 10, callbacks=(),
        scheduler=None, log_path: str | None = None, progress: bool = True, verbose: bool = True,
        writer=None) -> History:
    """Entrena ``model`` y devuelve el ``History`` (pérdida y exactitud por época, de
    entrenamiento y validación, tiempo y tasa de aprendizaje).

    ``loss_fn(salidas, objetivos)``, p. ej. ``F.cross_entropy``. ``log_path`` (``.csv`` o
    ``.json``) guarda el historial tras cada época para compararlo o dibujarlo después.
    ``writer`` (un ``SummaryWriter`` de ``tinygrad_es.utils.tensorboard``) recibe cada época las
    curvas ``pérdida/…``, ``exactitud/…`` y ``tasa_de_aprendizaje`` para verlas en TensorBoard.
    """
    train_loader, val_loader = _as_loader(train_loader, 64), _as_loader(val_loader)
    _check_not_empty(train_loader, "fit", "de entrenamiento")
    _check_not_empty(val_loader, "fit", "de validación")
    hist = History(loss=[], acc=[], val_loss=[], val_acc=[], time=[], lr=[])
    for cb in callbacks:
        cb.on_train_begin(model)
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.perf_counter()
        tot, n, correct, has_acc = 0.0, 0, 0, True
        bar = _progress(train_loader, len(train_loader), f"época {epoch}/{epochs}", progress)
        note = _FirstBatchNote(bar)
        for x, y in bar:
            out = model(x)
            loss = loss_fn(out, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            note.finish()
            lv = loss.item()
            if not math.isfinite(lv):
                raise FloatingPointError(f"la pérdida es {lv} en la época {epoch}: prueba una tasa de "
                                         f"aprendizaje menor")
            b = len(x)
            tot += lv * b
            n += b
            c = _n_correct(out, y)
            has_acc = has_acc and c is not None
            correct += c or 0
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(pérdida=f"{tot / n:.4f}")
        dt = time.perf_counter() - t0
        if n == 0:
            raise ValueError(f"fit: el conjunto de entrenamiento no produjo ningún ejemplo en la época {epoch}")
        hist["loss"].append(tot / n)
        hist["acc"].append(correct / n if has_acc else None)
        hist["time"].append(dt)
        hist["lr"].append(optimizer.param_groups[0]["lr"])
        if val_loader is not None:
            ev = evaluate(model, val_loader, loss_fn)
            hist["val_loss"].append(ev["loss"])
            hist["val_acc"].append(ev["acc"])
        if scheduler is not None:
            scheduler.step()
        logs = {k: v[-1] for k, v in hist.items() if v}
        if verbose:
            msg = f"época {epoch:>3}/{epochs}  pérdida {logs['loss']:.4f}"
            if logs.get("acc") is not None:
                msg += f"  exactitud {100 * logs['acc']:.2f} %"
            if "val_loss" in logs:
                msg += f"  | val. pérdida {logs['val_loss']:.4f}"
                if logs.get("val_acc") is not None:
                    msg += f"  val. exactitud {100 * logs['val_acc']:.2f} %"
            print(msg + f"  ({dt:.1f} s)", flush=True)
        if log_path:
            (hist.to_json if log_path.endswith(".json") else hist.to_csv)(log_path)
        if writer is not None:
            _write_epoch(writer, logs, epoch)
        stop = False
        for cb in callbacks:
            stop = cb.on_epoch_end(epoch, logs, model) or stop
        if stop:
            if verbose:
                print(f"parada temprana en la época {epoch}", flush=True)
            break
    for cb in callbacks:
        cb.on_train_end(model)
    if not hist["val_loss"]:
        del hist["val_loss"], hist["val_acc"]
    return hist
