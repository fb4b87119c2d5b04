"""Demo 7: el autoencoder 784-128-9-128-784 de los apuntes en MNIST y un autoencoder de eliminación
de ruido (entrada con ruido gaussiano, objetivo la imagen limpia), convolucional y con un código de 32
números. Para saber si la reconstrucción es el dígito correcto (y no sólo un borrón con poco error
cuadrático), la SimpleCNN de la página web (entrenada aparte, incluida en el paquete) clasifica cada
reconstrucción. Usa MNIST de disco si lo encuentra (--root) y, si no, la muestra incluida; sin --epochs,
las épocas se eligen según el número de imágenes."""
import math

import numpy as np

from .. import Generator, manual_seed, optim
from ..data import AugmentedLoader
from ..utils.data import DataLoader, TensorDataset
from ..models import AutoEncoder, ConvAutoEncoder, add_gaussian_noise
from ..nn import functional as F
from ..train import fit, predict
from ..web.modelo import crear_modelo
from ._common import have_matplotlib, mnist_data, out_path, parse

# Medido con la SimpleCNN de la web como juez: % de las 1 000 reconstrucciones de test (entradas con ruido
# σ = 0.5) que siguen siendo su dígito; de las entradas con ruido, sólo el 44 %. La tabla entera, con
# tiempos: benchmarks/denoising.py (benchmarks/results/denoising.json). Con la muestra incluida (2 000):
#   784-128-9-128-784, MSE, un único ruido fijo, 20 épocas (lo de antes) ........ 35 %
#   784-128-9-128-784, entropía cruzada binaria, ruido nuevo por lote, 200 ép. ... 83 %
#   convolucional con código de 32, 20 / 30 (la demo) / 40 épocas ................ 93 % / 94,4 % / 94 %
# (la demo entera con la muestra: 71 s de CPU, 3 min 46 s de pared con la máquina cargada, carga ~9).
# Con las 5 000 de /work/shared/datasets, el MLP de los apuntes se queda en el 83 % (más datos no lo mueven);
# con código de 32 números, 87 %; convolucional con código de 9, 86 %; convolucional con 32, 93 %.
AE_PRESENTATIONS = 400_000      # 200 épocas de 2 000 imágenes, como las 200 épocas de los apuntes
DENOISE_PRESENTATIONS = 60_000  # 30 épocas de la muestra, 12 de 5 000, 1 de las 60 000
AE_SIZES = (784, 128, 9)        # la red de los apuntes
DENOISE_CODE = 32
NOISE = 0.5
LR = 3e-3
ACTIVATION = "sigmoid"


def auto_epochs(presentations: int, n: int) -> int:
    """Épocas para ver ``presentations`` imágenes en total con ``n`` de entrenamiento (al menos 1)."""
    return max(1, math.ceil(presentations / max(1, n)))


def _mse(model, X, target):
    target = np.asarray(target._data if hasattr(target, "_data") else target).reshape(len(target), -1)
    return float(((predict(model, X).reshape(len(target), -1) - target) ** 2).mean())


def digit_agreement(images, labels, classifier=None) -> float:
    """Fracción de ``images`` (N, 784) que la SimpleCNN incluida (o ``classifier``) clasifica como
    ``labels``: cuántas reconstrucciones siguen siendo el dígito original."""
    cnn = classifier if classifier is not None else crear_modelo()
    x = np.asarray(images, dtype=np.float32).reshape(-1, 1, 28, 28)
    return float(np.mean(predict(cnn, x).argmax(1) == np.asarray(labels)))


def train_denoiser(Xtr, arch: str = "conv", size=DENOISE_CODE, activation: str = ACTIVATION, epochs: int = 30,
                   noise: float = NOISE, seed: int = 0, lr: float = LR, batch_size: int = 64, progress=False):
    """Entrena un autoencoder (``noise=0``) o uno de eliminación de ruido (entrada con ruido gaussiano
    nuevo en cada lote, objetivo la imagen limpia) con entropía cruzada binaria por píxel y Adam.
    ``arch="mlp"``: ``AutoEncoder(size, activation)``; ``arch="conv"``: ``ConvAutoEncoder(size)``.
    ``Xtr``: imágenes en [0, 1], (N, 784) o (N, 1, 28, 28). Devuelve el modelo entrenado."""
    manual_seed(seed)
    ae = AutoEncoder(size, activation=activation) if arch == "mlp" else ConvAutoEncoder(size)
    X = Xtr.reshape(-1, 784) if arch == "mlp" else Xtr.reshape(-1, 1, 28, 28)  # el objetivo: la forma de la salida
    loader = DataLoader(TensorDataset(X, X), batch_size, shuffle=True, generator=Generator().manual_seed(seed))
    if noise:  # ruido nuevo en cada lote: con un solo ruido fijo la red se lo aprende de memoria
        loader = AugmentedLoader(loader, lambda x, r: add_gaussian_noise(x, noise, r),
                                 Generator().manual_seed(seed + 1))
    # entropía cruzada binaria por píxel (la salida es una sigmoide en [0, 1]): con MSE el gradiente
    # de la sigmoide saturada es diminuto y la red se queda en un borrón medio
    fit(ae, F.binary_cross_entropy, optim.Adam(ae.parameters(), lr=lr), loader, epochs=epochs,
        verbose=False, progress=progress)
    return ae


def run(epochs: int = None, limit_train: int = 0, noise: float = NOISE, seed: int = 0, out_dir: str = None,
        root: str = None, verbose: bool = True) -> dict:
    Xtr, _, Xte, yte, origin = mnist_data(flatten=True, limit_train=limit_train or None, limit_test=1000,
                                          root=root, seed=seed)
    cnn = crear_modelo()
    rng = np.random.default_rng(seed)
    n = len(Xtr)
    plans = (("autoencoder", "Autoencoder 784-128-9-128-784 (el de los apuntes)", "mlp", AE_SIZES, 0.0,
              epochs or auto_epochs(AE_PRESENTATIONS, n)),
             ("eliminacion_ruido", f"Autoencoder convolucional de eliminación de ruido (código de {DENOISE_CODE})",
              "conv", DENOISE_CODE, noise, epochs or auto_epochs(DENOISE_PRESENTATIONS, n)))
    if verbose:
        print(f"Datos: {origin}")
    res = {}
    for key, name, arch, size, sigma, ep in plans:
        denoise = sigma > 0
        Xte_in = add_gaussian_noise(Xte, sigma, rng) if denoise else Xte
        if verbose:
            print(f"{name}: {ep} épocas con {n} imágenes"
                  + (f", ruido σ = {sigma} nuevo en cada lote" if denoise else ""))
        manual_seed(seed)
        untrained = AutoEncoder(size, activation=ACTIVATION) if arch == "mlp" else ConvAutoEncoder(size)
        before = _mse(untrained, Xte_in, Xte)
        ae = train_denoiser(Xtr, arch=arch, size=size, epochs=ep, noise=sigma, seed=seed, progress=verbose)
        rec = predict(ae, Xte_in).reshape(-1, 784)
        after = _mse(ae, Xte_in, Xte)
        same = digit_agreement(rec, yte, cnn)
        res[key] = {"mse_antes": before, "mse_despues": after, "mismo_digito": same, "epocas": ep, "n_train": n}
        if denoise:
            res[key]["mse_entrada_ruidosa"] = float(((Xte_in - Xte) ** 2).mean())
            res[key]["mismo_digito_entrada_ruidosa"] = digit_agreement(Xte_in, yte, cnn)
        if verbose:
            extra = (f" (la entrada ruidosa tiene MSE {res[key]['mse_entrada_ruidosa']:.4f})" if denoise else "")
            print(f"  MSE de reconstrucción en test {before:.4f} -> {after:.4f}{extra}")
            extra = (f" (de las entradas con ruido, el {100 * res[key]['mismo_digito_entrada_ruidosa']:.1f} %)"
                     if denoise else "")
            print(f"  la SimpleCNN reconoce el dígito original en el {100 * same:.1f} % de las {len(yte)} "
                  f"reconstrucciones{extra}")
        path = out_path(out_dir, f"{key}.png")
        if path and have_matplotlib():
            from ..viz.plots import image_rows
            rows = {"original": Xte[:8], "con ruido": Xte_in[:8], "reconstruida": rec[:8]} if denoise else \
                {"original": Xte[:8], "reconstruida": rec[:8]}
            image_rows(rows, path=path, title=f"{name} (MSE en test {after:.4f}, {100 * same:.0f} % el mismo dígito)")
            import matplotlib.pyplot as plt
            plt.close("all")
    return res


def main(argv=None, prog=None):
    run(**parse(argv, {"epochs": None, "limit_train": 0, "noise": NOISE, "seed": 0, "out_dir": None,
                       "root": None}, __doc__, prog))


if __name__ == "__main__":
    main()
