"""Demo: CIFAR-10 en la CPU de un portátil. Una CNN del curso con BatchNorm (bloques conv 3×3 →
BatchNorm → ReLU → max-pool), aumento de datos (RandomCrop(32, padding=4) y volteo horizontal),
DataLoader(num_workers=2) que decodifica los JPEG al vuelo, SGD con Nesterov y la política de un
ciclo (OneCycleLR), y al final matriz de confusión, exactitud por clase y Grad-CAM en color.

Datos: la copia JPEG de CIFAR-10 (``cifar10-jpg.tar.gz``, en ``--root``, ``$TINYGRAD_ES_DATA``,
``~/.cache/tinygrad_es`` o ``/usr/share/datasets``); si no está, la muestra incluida en el paquete
(1 000 + 300 imágenes). ``benchmarks/cifar10.py`` mide la receta completa (épocas, tiempo y exactitud)."""
from __future__ import annotations

import time

import numpy as np

from .. import Generator, manual_seed, nn, no_grad, optim
from .. import metrics as M
from ..utils.data import DataLoader, Subset
from ..viz.interpret import class_probabilities, grad_cam
from ..vision import datasets, transforms
from ..vision.datasets.cifar import is_sample
from ._common import have_matplotlib, out_path, parse

CLASES = ["avión", "automóvil", "pájaro", "gato", "ciervo", "perro", "rana", "caballo", "barco", "camión"]
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)   # media y desviación de CIFAR-10 por canal


class CifarCNN(nn.Module):
    """CNN del curso para imágenes en color de 32×32: tres etapas (32 → 16 → 8 → 4) de convoluciones
    3×3 con BatchNorm y ReLU, y una capa lineal.

    En cada etapa, la primera convolución va seguida de max-pool 2×2 *antes* de BatchNorm y ReLU (como
    en airbench, de K. Jordan): BatchNorm y ReLU trabajan sobre un mapa 4 veces menor, y el resultado
    es casi el mismo porque el máximo conmuta con cualquier función creciente. Las demás
    convoluciones de la etapa (``convs``) trabajan ya a la resolución reducida.

    Con ``widths=(32, 64, 128)`` y ``convs=(1, 2, 2)``: ~235 000 parámetros y ~15 M de
    multiplicaciones por imagen."""

    def __init__(self, widths=(32, 64, 128), convs=(1, 2, 2), num_classes: int = 10):
        super().__init__()
        layers, c = [], 3
        for w, n in zip(widths, convs):
            for k in range(n):
                layers.append(nn.Conv2d(c, w, 3, padding=1, bias=False))
                if k == 0:
                    layers.append(nn.MaxPool2d(2))
                layers += [nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
                c = w
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c * 4 * 4, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


# La receta completa de benchmarks/cifar10.py (y de ``tinygrad-es demo cifar10 --epochs 12``)
RECIPE = {"widths": (32, 64, 128), "convs": (1, 2, 2), "epochs": 12, "batch_size": 128, "lr": 0.1}


def cifar_transforms(train: bool):
    """Las transformaciones de la receta: aumento sólo en entrenamiento."""
    base = [transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
    if not train:
        return transforms.Compose(base)
    return transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip()] + base)


def _subset(ds, n: int, seed: int):
    if not n or n >= len(ds):
        return ds
    idx = np.random.default_rng(seed).permutation(len(ds))[:n]   # las carpetas están ordenadas por clase
    return Subset(ds, idx.tolist())


def make_loaders(folder: str, batch_size: int, workers: int, limit_train: int = 0, limit_test: int = 0, seed: int = 0):
    """``ImageFolder`` de ``folder/train`` y ``folder/test`` con sus ``DataLoader``."""
    train = _subset(datasets.ImageFolder(f"{folder}/train", transform=cifar_transforms(True)), limit_train, seed)
    test = _subset(datasets.ImageFolder(f"{folder}/test", transform=cifar_transforms(False)), limit_test, seed + 1)
    kw = {"num_workers": workers, "persistent_workers": workers > 0}
    tr = DataLoader(train, batch_size=batch_size, shuffle=True, drop_last=len(train) > batch_size,
                    generator=Generator().manual_seed(seed), **kw)
    te = DataLoader(test, batch_size=500, **kw)
    return tr, te


def evaluate(model, loader, tta: bool = False):
    """Predicciones y etiquetas de todo ``loader``; con ``tta`` promedia la imagen y su volteo."""
    model.eval()
    ys, scores = [], []
    with no_grad():
        for x, y in loader:
            out = model(x)
            if tta:
                out = out + model(x.flip(-1))
            scores.append(out.numpy())
            ys.append(y.numpy())
    model.train()
    s = np.concatenate(scores)
    return s.argmax(1), np.concatenate(ys), s


def decode_cost(folder: str, n: int = 300) -> float:
    """Segundos de CPU por imagen de leer un JPEG, decodificarlo y aplicarle las transformaciones
    (en un proceso; tiempo de CPU, que no cambia con la carga de la máquina)."""
    ds = datasets.ImageFolder(f"{folder}/train", transform=cifar_transforms(True))
    idx = np.linspace(0, len(ds) - 1, n).astype(int)
    c0 = time.process_time()
    for i in idx:
        ds[int(i)]
    return (time.process_time() - c0) / n


def train(model, train_loader, test_loader, epochs: int, lr: float, weight_decay: float = 5e-4,
          label_smoothing: float = 0.1, verbose: bool = True, tta: bool = True) -> dict:
    """Entrena con SGD (momento 0.9, Nesterov) y OneCycleLR; mide por época el tiempo esperando datos
    y el del paso del modelo (forward, backward y optimizador)."""
    crit = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs, steps_per_epoch=len(train_loader),
                                          pct_start=0.25)
    hist = {"loss": [], "acc": [], "val_acc": [], "time": [], "data_time": [], "step_time": [], "step_cpu": [],
            "eval_time": [], "eval_cpu": [], "lr": []}
    for ep in range(epochs):
        model.train()
        t_data = t_step = cpu_step = loss_sum = 0.0
        correct = seen = 0
        start = t0 = time.perf_counter()
        for x, y in train_loader:
            t1, c1 = time.perf_counter(), time.process_time()
            t_data += t1 - t0
            out = model(x)
            loss = crit(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(y)
            correct += int((out.detach().numpy().argmax(1) == y.numpy()).sum())
            seen += len(y)
            t0 = time.perf_counter()
            t_step += t0 - t1
            cpu_step += time.process_time() - c1   # CPU de todos los hilos del proceso: no depende de la carga
        t_eval, c_eval = time.perf_counter(), time.process_time()
        pred, ys, _ = evaluate(model, test_loader, tta=tta and ep == epochs - 1)
        hist["eval_time"].append(time.perf_counter() - t_eval)
        hist["eval_cpu"].append(time.process_time() - c_eval)
        hist["loss"].append(loss_sum / seen)
        hist["acc"].append(correct / seen)
        hist["val_acc"].append(float((pred == ys).mean()))
        hist["time"].append(time.perf_counter() - start)
        hist["data_time"].append(t_data)
        hist["step_time"].append(t_step)
        hist["step_cpu"].append(cpu_step)
        hist["lr"].append(opt.param_groups[0]["lr"])
        if verbose:
            print(f"época {ep + 1:>2}/{epochs}: pérdida {hist['loss'][-1]:.3f}, exactitud entrenamiento "
                  f"{100 * hist['acc'][-1]:.1f} %, test {100 * hist['val_acc'][-1]:.2f} %"
                  f"{' (con volteo)' if tta and ep == epochs - 1 else ''} · {hist['time'][-1]:.0f} s "
                  f"(esperando datos {t_data:.1f} s, paso del modelo {t_step:.0f} s)", flush=True)
    return hist


def _denorm(x: np.ndarray) -> np.ndarray:
    return np.clip(x.transpose(1, 2, 0) * np.array(STD) + np.array(MEAN), 0, 1)


def grad_cam_figure(model, xs: np.ndarray, ys: np.ndarray, path=None):
    """Grad-CAM (sobre la salida de la última ReLU) superpuesto a varias imágenes en color."""
    import matplotlib.pyplot as plt
    relus = [m for m in model.features if isinstance(m, nn.ReLU)]
    cams = grad_cam(model, xs, layer=relus[-1])
    probs = class_probabilities(model, xs)
    fig, axes = plt.subplots(2, len(xs), figsize=(1.9 * len(xs), 4.4), layout="constrained")
    for k in range(len(xs)):
        img = _denorm(xs[k])
        axes[0, k].imshow(img)
        axes[0, k].set_title(f"real: {CLASES[ys[k]]}", fontsize=8)
        axes[1, k].imshow(img)
        axes[1, k].imshow(cams[k], cmap="jet", alpha=0.45, vmin=0, vmax=1)
        p = int(probs[k].argmax())
        axes[1, k].set_title(f"{CLASES[p]} {100 * probs[k, p]:.0f} %", fontsize=8, color="green" if p == ys[k] else "red")
        for a in axes[:, k]:
            a.axis("off")
    fig.suptitle("Grad-CAM: dónde mira la red para decidir")
    if path:
        fig.savefig(path, dpi=110)
    return fig


def run(epochs: int = 2, batch_size: int = 128, lr: float = 0.1, limit_train: int = 0, limit_test: int = 0,
        workers: int = 2, seed: int = 0, out_dir: str = None, root: str = None, verbose: bool = True) -> dict:
    t_start = time.perf_counter()
    folder = datasets.prepare_cifar10_jpeg(root, sample=True)
    sample = is_sample(folder)
    tr, te = make_loaders(folder, batch_size, workers, limit_train, limit_test, seed)
    if verbose:
        what = ("la muestra incluida en el paquete (1 000 + 300 imágenes; para el conjunto completo copia "
                "cifar10-jpg.tar.gz en ~/.cache/tinygrad_es o usa --root)" if sample else folder)
        print(f"CIFAR-10 en JPEG: {what}")
        print(f"{len(tr.dataset)} imágenes de entrenamiento y {len(te.dataset)} de test, decodificadas al vuelo por "
              f"{workers} procesos (DataLoader num_workers={workers})")
    manual_seed(seed)
    model = CifarCNN()
    if verbose:
        print(f"\n{model}\n{model.num_parameters()} parámetros. SGD Nesterov, OneCycleLR hasta lr={lr}, lotes de {batch_size}, "
              f"{epochs} épocas\n")
    hist = train(model, tr, te, epochs, lr, verbose=verbose)
    pred, ys, scores = evaluate(model, te, tta=True)
    cm = M.confusion_matrix(ys, pred, labels=list(range(10)))
    per_class = cm.diagonal() / np.maximum(cm.sum(1), 1)
    res = {"accuracy": float((pred == ys).mean()), "per_class": dict(zip(CLASES, per_class.tolist())),
           "confusion": cm, "history": hist, "s_total": time.perf_counter() - t_start, "muestra": sample,
           "n_train": len(tr.dataset), "n_test": len(te.dataset)}
    if verbose:
        print(f"\nExactitud en test (con volteo): {100 * res['accuracy']:.2f} %")
        print("Exactitud por clase: " + ", ".join(f"{c} {100 * a:.0f} %" for c, a in res["per_class"].items()))
        print("\nMatriz de confusión (filas: clase real; columnas: predicha):")
        print("           " + " ".join(f"{c[:5]:>6}" for c in CLASES))
        for c, row in zip(CLASES, cm):
            print(f"{c[:10]:>10} " + " ".join(f"{v:>6}" for v in row))
        data, step = sum(hist["data_time"]), sum(hist["step_time"])
        print(f"\nTiempo: {sum(hist['time']):.0f} s de entrenamiento ({data:.1f} s esperando datos, {step:.0f} s en el "
              f"paso del modelo), {res['s_total']:.0f} s en total")
    if out_dir and have_matplotlib():
        from ..viz import plots
        import matplotlib.pyplot as plt
        plots.learning_curves(hist, path=out_path(out_dir, "curvas.png"), val_label="test")
        plots.confusion_matrix_plot(cm, labels=CLASES, normalize=True, path=out_path(out_dir, "confusion.png"))
        x, y = next(iter(DataLoader(te.dataset, batch_size=8)))
        grad_cam_figure(model, x.numpy(), y.numpy(), path=out_path(out_dir, "gradcam.png"))
        plt.close("all")
        res["figuras"] = out_dir
        if verbose:
            print(f"Figuras (curvas, matriz de confusión, Grad-CAM) en '{out_dir}/'")
    return res


def main(argv=None, prog=None):
    # desde la línea de órdenes, la receta completa (12 épocas); --epochs 2 para un vistazo rápido
    run(**parse(argv, {"epochs": RECIPE["epochs"], "batch_size": RECIPE["batch_size"], "lr": RECIPE["lr"],
                       "limit_train": 0, "limit_test": 0, "workers": 2, "seed": 0, "out_dir": "resultados_cifar10",
                       "root": None}, __doc__, prog))


if __name__ == "__main__":
    main()
