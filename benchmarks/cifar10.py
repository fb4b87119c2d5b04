"""CIFAR-10 en la CPU: la receta de ``tinygrad-es demo cifar10`` entera, con el tiempo y la exactitud.

Receta: ``CifarCNN`` (conv 3×3 → max-pool → BatchNorm → ReLU, canales 32-64-128 con dos
convoluciones en las dos últimas etapas... véase ``--widths``/``--convs``), aumento
``RandomCrop(32, padding=4)`` + volteo horizontal, ``DataLoader(num_workers=2)`` que decodifica los
JPEG al vuelo, SGD Nesterov (momento 0.9, decaimiento 5·10⁻⁴), ``OneCycleLR`` y suavizado de
etiquetas 0.1; al final, test con volteo (TTA).

Para cada biblioteca (tinygrad_es y, si está instalado, PyTorch con *los mismos lotes*: los datos los
prepara el mismo ``DataLoader`` y sólo cambia el paso del modelo) imprime por época el tiempo, el
tiempo esperando datos y el del paso del modelo, y la exactitud; además mide lo que cuesta
decodificar y transformar una imagen en un proceso. Con ``--estimar`` entrena sólo unas épocas y
extrapola el tiempo de la receta completa. Escribe ``benchmarks/results/cifar10.json``.

Con la máquina compartida el reloj no sirve: el CPU de la receta (pasos del modelo, decodificar y
evaluar, medido con ``time.process_time``) da un mínimo en 2 núcleos libres. Con 2 hilos y la máquina
cargada, los hilos que esperan en las barreras gastan CPU; con ``NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1``
y ``--hilos 1`` se mide el trabajo en un hilo, sin esperas.

Uso::

    python benchmarks/cifar10.py                          # receta completa (tinygrad_es y PyTorch)
    python benchmarks/cifar10.py --lib tinygrad_es --epochs 15
    python benchmarks/cifar10.py --estimar 2 --limit-train 10000
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import tinygrad_es  # noqa: E402
from tinygrad_es.demos import cifar10 as C  # noqa: E402
from tinygrad_es.vision import datasets  # noqa: E402


def torch_model(widths, convs):
    """La misma ``CifarCNN`` escrita con torch (mismos módulos, mismo orden)."""
    import torch
    nn = torch.nn
    layers, c = [], 3
    for w, n in zip(widths, convs):
        for k in range(n):
            layers.append(nn.Conv2d(c, w, 3, padding=1, bias=False))
            if k == 0:
                layers.append(nn.MaxPool2d(2))
            layers += [nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            c = w

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.classifier = nn.Linear(c * 16, 10)

        def forward(self, x):
            return self.classifier(self.features(x).flatten(1))
    return Net()


def train_torch(model, train_loader, test_loader, epochs, lr, label_smoothing=0.1, weight_decay=5e-4):
    import torch
    crit = torch.nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs, steps_per_epoch=len(train_loader),
                                                pct_start=0.25)
    hist = {"loss": [], "val_acc": [], "time": [], "data_time": [], "step_time": [], "step_cpu": [], "eval_time": [],
            "eval_cpu": []}
    for ep in range(epochs):
        model.train()
        t_data = t_step = cpu_step = loss_sum = 0.0
        seen = 0
        start = t0 = time.perf_counter()
        for x, y in train_loader:
            t1, c1 = time.perf_counter(), time.process_time()
            t_data += t1 - t0
            xb, yb = torch.from_numpy(x.numpy()), torch.from_numpy(y.numpy())
            loss = crit(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(yb)
            seen += len(yb)
            t0 = time.perf_counter()
            t_step += t0 - t1
            cpu_step += time.process_time() - c1
        model.eval()
        t_eval, c_eval = time.perf_counter(), time.process_time()
        correct = total = 0
        with torch.no_grad():
            for x, y in test_loader:
                xb = torch.from_numpy(x.numpy())
                out = model(xb)
                if ep == epochs - 1:
                    out = out + model(xb.flip(-1))
                correct += int((out.argmax(1).numpy() == y.numpy()).sum())
                total += len(y)
        hist["eval_time"].append(time.perf_counter() - t_eval)
        hist["eval_cpu"].append(time.process_time() - c_eval)
        hist["loss"].append(loss_sum / seen)
        hist["val_acc"].append(correct / total)
        hist["time"].append(time.perf_counter() - start)
        hist["data_time"].append(t_data)
        hist["step_time"].append(t_step)
        hist["step_cpu"].append(cpu_step)
        print(f"  [torch] época {ep + 1:>2}/{epochs}: pérdida {hist['loss'][-1]:.3f}, test "
              f"{100 * hist['val_acc'][-1]:.2f} % · {hist['time'][-1]:.0f} s (datos {t_data:.1f} s, modelo "
              f"{t_step:.0f} s)", flush=True)
    return hist


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", choices=["ambas", "tinygrad_es", "torch"], default="ambas")
    ap.add_argument("--epochs", type=int, default=C.RECIPE["epochs"])
    ap.add_argument("--batch-size", type=int, default=C.RECIPE["batch_size"])
    ap.add_argument("--lr", type=float, default=C.RECIPE["lr"])
    ap.add_argument("--widths", default=",".join(map(str, C.RECIPE["widths"])))
    ap.add_argument("--convs", default=",".join(map(str, C.RECIPE["convs"])))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit-train", type=int, default=0)
    ap.add_argument("--limit-test", type=int, default=0)
    ap.add_argument("--estimar", type=int, default=0, metavar="K",
                    help="entrenar sólo K épocas y extrapolar el tiempo de las --epochs (la exactitud no es la final)")
    ap.add_argument("--root", default=None, help="carpeta con cifar10-jpg o cifar10-jpg.tar.gz")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hilos", type=int, default=2, help="hilos de PyTorch (los de numba: NUMBA_NUM_THREADS)")
    ap.add_argument("--json", default=os.path.join(HERE, "results", "cifar10.json"))
    a = ap.parse_args(argv)
    widths = tuple(int(v) for v in a.widths.split(","))
    convs = tuple(int(v) for v in a.convs.split(","))
    folder = datasets.prepare_cifar10_jpeg(a.root)
    run_epochs = a.estimar or a.epochs
    print(f"CIFAR-10 en JPEG: {folder}")
    decode = C.decode_cost(folder)
    print(f"Decodificar un JPEG y aplicarle RandomCrop+volteo+ToTensor+Normalize: {1e6 * decode:.0f} µs por imagen "
          f"en un proceso ({decode * 50000:.0f} s de CPU por época de 50 000)")
    out = {"recipe": {"widths": widths, "convs": convs, "epochs": a.epochs, "batch_size": a.batch_size, "lr": a.lr,
                      "optimizer": "SGD(momentum=0.9, nesterov=True, weight_decay=5e-4)", "scheduler": "OneCycleLR",
                      "label_smoothing": 0.1, "augment": "RandomCrop(32, padding=4) + RandomHorizontalFlip",
                      "tta": "volteo horizontal", "workers": a.workers},
           "threads": {"torch": a.hilos, "NUMBA_NUM_THREADS": os.environ.get("NUMBA_NUM_THREADS", "(todos)")},
           "limit_train": a.limit_train, "limit_test": a.limit_test, "estimated_from_epochs": a.estimar or None,
           "decode_s_per_image": decode, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                                     "load_1min": os.getloadavg()[0]},
           "results": {}}
    libs = ["tinygrad_es", "torch"] if a.lib == "ambas" else [a.lib]
    # los mismos DataLoader para las dos bibliotecas: sólo cambia el paso del modelo
    tr, te = C.make_loaders(folder, a.batch_size, a.workers, a.limit_train, a.limit_test, a.seed)
    n_train, n_test = len(tr.dataset), len(te.dataset)
    for lib in libs:
        if lib == "torch":
            try:
                import torch
            except ImportError:
                print("PyTorch no está instalado: se omite la comparación")
                continue
            torch.set_num_threads(a.hilos)
            torch.manual_seed(a.seed)
        print(f"\n== {lib}: {n_train} de entrenamiento, {n_test} de test, {run_epochs} épocas ==", flush=True)
        t0 = time.perf_counter()
        if lib == "tinygrad_es":
            tinygrad_es.manual_seed(a.seed)
            model = C.CifarCNN(widths, convs)
            hist = C.train(model, tr, te, run_epochs, a.lr)
        else:
            hist = train_torch(torch_model(widths, convs), tr, te, run_epochs, a.lr)
        wall = time.perf_counter() - t0
        per_epoch = float(np.median(hist["time"]))
        res = {"accuracy": hist["val_acc"][-1], "epochs_run": run_epochs, "wall_s": wall, "s_per_epoch": per_epoch,
               "data_wait_s_per_epoch": float(np.median(hist["data_time"])),
               "model_step_s_per_epoch": float(np.median(hist["step_time"])),
               "eval_s_per_epoch": float(np.median(hist["eval_time"])), "history": hist}
        # Con la máquina compartida el tiempo de reloj depende de la carga; el de CPU no. Trabajo de CPU
        # de la receta completa: pasos del modelo (todos sus hilos) + decodificar 50 000 JPEG por época
        # (en los workers) + evaluar; en 2 núcleos libres el reloj no puede bajar de la mitad.
        step_cpu_img = float(np.median(hist["step_cpu"])) / n_train
        eval_cpu_img = float(np.median(hist["eval_cpu"])) / n_test
        eval_s_img = res["eval_s_per_epoch"] / n_test
        cpu_total = a.epochs * 50000 * (step_cpu_img + decode) + (a.epochs + 1) * 10000 * (eval_cpu_img + decode)
        res["model_step_cpu_s_per_epoch_full"] = step_cpu_img * 50000
        res["decode_cpu_s_per_epoch_full"] = decode * 50000
        res["cpu_s_full_recipe"] = cpu_total
        res["wall_lower_bound_2_cores_s"] = cpu_total / 2
        if a.estimar:   # reloj: por imagen, entrenamiento sobre 50 000 y evaluación sobre 10 000
            train_s = (res["data_wait_s_per_epoch"] + res["model_step_s_per_epoch"]) / n_train * 50000
            res["estimated_full_s"] = a.epochs * (train_s + eval_s_img * 10000) + eval_s_img * 10000
        out["results"][lib] = res
    print(f"\nCarga media de la máquina al terminar: {os.getloadavg()[0]:.1f} (2 núcleos)")
    print("\n| biblioteca | épocas | s/época (reloj) | esperando datos | paso del modelo | exactitud | total (reloj) | "
          "CPU de la receta: paso + decodificar | mínimo en 2 núcleos libres |")
    print("|---|---|---|---|---|---|---|---|---|")
    for lib, r in out["results"].items():
        total = r.get("estimated_full_s", r["wall_s"])
        print(f"| {lib} | {r['epochs_run']} | {r['s_per_epoch']:.0f} | {r['data_wait_s_per_epoch']:.1f} s | "
              f"{r['model_step_s_per_epoch']:.0f} s | {100 * r['accuracy']:.2f} % | "
              f"{total / 60:.1f} min{' (estimado)' if 'estimated_full_s' in r else ''} | "
              f"{r['model_step_cpu_s_per_epoch_full']:.0f} + {r['decode_cpu_s_per_epoch_full']:.0f} s/época | "
              f"{r['wall_lower_bound_2_cores_s'] / 60:.1f} min |")
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(out, f, indent=2, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))
    print(f"\nResultados en {a.json}")


if __name__ == "__main__":
    main()
