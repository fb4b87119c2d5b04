"""Utilidades compartidas por las demos."""
import os

import numpy as np

from ..data import DatasetNotFoundError, load_mnist, load_mnist_sample, mnist_tensors


def mnist_data(flatten=False, limit_train=None, limit_test=None, root=None, seed=0):
    """MNIST de disco si está (sin descargar), si no la muestra incluida. Devuelve
    ``(Xtr, ytr, Xte, yte, origen)`` ya en float32 [0, 1]."""
    try:
        (xtr, ytr), (xte, yte) = load_mnist(root=root, download=False)
        origin = f"MNIST en disco ({len(xtr)} de entrenamiento, {len(xte)} de test)"
    except DatasetNotFoundError:
        (xtr, ytr), (xte, yte) = load_mnist_sample()
        origin = (f"muestra de MNIST incluida en el paquete ({len(xtr)} de entrenamiento, {len(xte)} de test); "
                  f"para el conjunto completo consulta el README")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(xtr))  # el subconjunto de 5 000 viene ordenado por clase
    xtr, ytr = xtr[perm], ytr[perm]
    if limit_train:
        xtr, ytr = xtr[:limit_train], ytr[:limit_train]
    if limit_test:
        xte, yte = xte[:limit_test], yte[:limit_test]
    Xtr, ytr = mnist_tensors(xtr, ytr, flatten)
    Xte, yte = mnist_tensors(xte, yte, flatten)
    return Xtr, ytr, Xte, yte, origin


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def out_path(out_dir, name):
    if not out_dir:
        return None
    os.makedirs(out_dir, exist_ok=True)
    return os.path.join(out_dir, name)


# ayuda de cada opción de las demos; las tres primeras las aceptan todas
HELP = {
    "epochs": "número de épocas de entrenamiento",
    "seed": "semilla aleatoria (la misma semilla da el mismo resultado)",
    "out_dir": "carpeta donde guardar las figuras; sin ella no se dibuja nada",
    "limit_train": "usar sólo las N primeras imágenes de entrenamiento (0 = todas)",
    "limit_test": "usar sólo las N primeras imágenes de test (0 = todas)",
    "batch_size": "tamaño del lote",
    "lr": "tasa de aprendizaje (η)",
    "augment": "aumento de datos: desplazamientos aleatorios de hasta 2 píxeles",
    "noise": "desviación típica del ruido gaussiano de la entrada",
    "root": "carpeta con los datos (los ficheros IDX, o quijote/quijote.txt.gz para el Quijote)",
    "widths": "anchuras de la capa oculta que se comparan, separadas por comas",
    "n": "número de ecuaciones generadas",
    "k": "número de bloques de la validación cruzada",
    "workers": "procesos que decodifican las imágenes en paralelo (num_workers del DataLoader; 0 = ninguno)",
    "x": "valor de x", "y": "valor de y", "z": "valor de z",
    "modelo": "modelo: lstm (char-rnn de dos capas) o gpt (MiniGPT, ~1 M de parámetros)",
    "steps": "pasos de entrenamiento (lotes)", "inicio": "texto con el que empieza la generación",
    "chars": "caracteres que se generan", "temperature": "temperatura del muestreo (0 = el más probable)",
    "top_k": "elegir sólo entre los k caracteres más probables (0 = entre todos)",
    "descargar": "descargar el Quijote completo si no está en local",
}
COMMON = ("epochs", "seed", "out_dir")
# argumentos numéricos de las demos y su mínimo: 0 épocas o un lote de 0 no tienen sentido
_MINIMUM = {"epochs": 1, "batch_size": 1, "n": 1, "k": 2, "limit_train": 0, "limit_test": 0, "noise": 0, "workers": 0,
            "seed": 0}


def parse(argv, defaults: dict, desc: str, prog: str | None = None) -> dict:
    """Opciones de una demo a partir de los valores por defecto de su ``run``, con la ayuda
    y los errores en español. Todas aceptan ``--epochs``, ``--seed`` y ``--out-dir``; si la
    demo no usa alguna de ellas, lo dice en la ayuda y avisa si se da."""
    import argparse
    import math

    from .._argparse_es import ArgumentParser
    ap = ArgumentParser(prog=prog, description=desc, formatter_class=argparse.RawDescriptionHelpFormatter)
    unused = [k for k in COMMON if k not in defaults]
    for k, v in list(defaults.items()) + [(k, None) for k in unused]:
        flag = "--" + k.replace("_", "-")
        help_ = HELP.get(k, k.replace("_", " "))
        if k in unused:
            ap.add_argument(flag, default=None, metavar="CARPETA" if k == "out_dir" else "N",
                            help="(esta demo no lo usa)")
        elif isinstance(v, bool):  # activado por defecto: se desactiva con --no-X
            ap.add_argument(flag if not v else "--no-" + flag[2:], dest=k, action="store_false" if v else "store_true",
                            default=v, help=help_ if not v else f"sin {help_} (activado por defecto)")
        elif v is None and k in _MINIMUM:  # un número que la demo elige si no se da (p. ej. épocas según los datos)
            ap.add_argument(flag, type=int, default=None, metavar="N", help=help_ + " (por defecto: según los datos)")
        elif v is None:
            ap.add_argument(flag, default=None, metavar="CARPETA" if k in ("out_dir", "root") else None,
                            help=help_)
        else:
            meta = {int: "N", float: "VALOR"}.get(type(v), "TEXTO")
            ap.add_argument(flag, type=type(v), default=v, metavar=meta, help=help_ + " (por defecto: %(default)s)")
    args = vars(ap.parse_args(argv))
    for k, v in args.items():
        flag = "--" + k.replace("_", "-")
        if k in _MINIMUM and k in defaults and v is not None and not v >= _MINIMUM[k]:
            ap.error(f"{flag} debe ser ≥ {_MINIMUM[k]}, no {v}")
        if k == "lr" and not (math.isfinite(v) and v > 0):
            ap.error(f"{flag} debe ser un número positivo, no {v}")
    for k in unused:
        if args.pop(k) is not None:
            print(f"aviso: esta demo no usa --{k.replace('_', '-')}; se ignora")
    return args
