"""Demo 7: autoencoder 784-128-9-128-784 en MNIST y su versión de eliminación de ruido
(entrada con ruido gaussiano, objetivo limpio). Para saber si la reconstrucción es el dígito
correcto (y no sólo un borrón con poco error cuadrático), la SimpleCNN de la página web (entrenada
aparte, incluida en el paquete) clasifica cada reconstrucción."""
import numpy as np

from .. import Generator, manual_seed, optim
from ..data import AugmentedLoader
from ..utils.data import DataLoader, TensorDataset
from ..models import AutoEncoder, add_gaussian_noise
from ..nn import functional as F
from ..train import fit, predict
from ..web.modelo import crear_modelo
from ._common import have_matplotlib, mnist_data, out_path, parse

# Medido con la muestra incluida (2 000 imágenes) y la SimpleCNN de la web como juez (% de las 1 000
# reconstrucciones de test que siguen siendo su dígito; las entradas con ruido 0.5 sólo lo son en un 43 %):
#   MSE, un único ruido fijo, 20 épocas, lr 1e-2 (lo de antes) ........... 35 %
#   MSE, ruido nuevo en cada lote, 100 épocas ........................... 57 %
#   entropía cruzada binaria, ruido nuevo en cada lote, 100 / 200 épocas .. 77 % / 84 %
# (con ruido 0.3: 81 % a las 100 épocas, pero la entrada ruidosa ya se reconoce en un 78 %). La demo tal
# cual: 83,4 % (entradas con ruido: 44,7 %); el autoencoder sin ruido, 85,7 %: el techo lo pone el código
# de 9 números aprendido con 2 000 imágenes, no el ruido.
EPOCHS = 200        # como en los apuntes
NOISE = 0.5
LR = 3e-3
ACTIVATION = "sigmoid"


def _mse(model, X, target):
    return float(((predict(model, X) - target) ** 2).mean())


def digit_agreement(images, labels, classifier=None) -> float:
    """Fracción de ``images`` (N, 784) que la SimpleCNN incluida (o ``classifier``) clasifica como
    ``labels``: cuántas reconstrucciones siguen siendo el dígito original."""
    cnn = classifier if classifier is not None else crear_modelo()
    x = np.asarray(images, dtype=np.float32).reshape(-1, 1, 28, 28)
    return float(np.mean(predict(cnn, x).argmax(1) == np.asarray(labels)))


def run(epochs: int = EPOCHS, limit_train: int = 0, noise: float = NOISE, seed: int = 0, out_dir: str = None,
        root: str = None, verbose: bool = True) -> dict:
    Xtr, _, Xte, yte, origin = mnist_data(flatten=True, limit_train=limit_train or None, limit_test=1000,
                                          root=root, seed=seed)
    cnn = crear_modelo()
    rng = np.random.default_rng(seed)
    if verbose:
        print(f"Datos: {origin}")
    res = {}
    for denoise in (False, True):
        manual_seed(seed)
        ae = AutoEncoder(activation=ACTIVATION)
        Xte_in = add_gaussian_noise(Xte, noise, rng) if denoise else Xte
        before = _mse(ae, Xte_in, Xte)
        loader = DataLoader(TensorDataset(Xtr, Xtr), 64, shuffle=True, generator=Generator().manual_seed(seed))
        if denoise:  # ruido nuevo en cada lote: con un solo ruido fijo la red se lo aprende de memoria
            loader = AugmentedLoader(loader, lambda x, r: add_gaussian_noise(x, noise, r),
                                     Generator().manual_seed(seed + 1))
        # entropía cruzada binaria por píxel (la salida es una sigmoide en [0, 1]): con MSE el gradiente
        # de la sigmoide saturada es diminuto y la red se queda en un borrón medio (medido abajo)
        fit(ae, F.binary_cross_entropy, optim.Adam(ae.parameters(), lr=LR), loader, epochs=epochs,
            verbose=False, progress=verbose)
        after = _mse(ae, Xte_in, Xte)
        key = "eliminacion_ruido" if denoise else "autoencoder"
        same = digit_agreement(predict(ae, Xte_in), yte, cnn)
        res[key] = {"mse_antes": before, "mse_despues": after, "mismo_digito": same}
        if denoise:
            res[key]["mse_entrada_ruidosa"] = float(((Xte_in - Xte) ** 2).mean())
            res[key]["mismo_digito_entrada_ruidosa"] = digit_agreement(Xte_in, yte, cnn)
        if verbose:
            name = "Autoencoder de eliminación de ruido" if denoise else "Autoencoder"
            extra = (f" (la entrada ruidosa tiene MSE {res[key]['mse_entrada_ruidosa']:.4f})" if denoise else "")
            print(f"{name} 784-128-9-128-784: MSE de reconstrucción en test {before:.4f} -> {after:.4f}{extra}")
            extra = (f" (de las entradas con ruido, el {100 * res[key]['mismo_digito_entrada_ruidosa']:.1f} %)"
                     if denoise else "")
            print(f"  la SimpleCNN reconoce el dígito original en el {100 * same:.1f} % de las {len(yte)} "
                  f"reconstrucciones{extra}")
        path = out_path(out_dir, f"{key}.png")
        if path and have_matplotlib():
            from ..viz.plots import image_rows
            rec = predict(ae, Xte_in[:8])
            rows = {"original": Xte[:8], "con ruido": Xte_in[:8], "reconstruida": rec} if denoise else \
                {"original": Xte[:8], "reconstruida": rec}
            image_rows(rows, path=path, title=("Autoencoder de eliminación de ruido" if denoise else "Autoencoder")
                       + f" 784-128-9-128-784 (MSE en test {after:.4f})")
            import matplotlib.pyplot as plt
            plt.close("all")
    return res


def main(argv=None, prog=None):
    run(**parse(argv, {"epochs": EPOCHS, "limit_train": 0, "noise": NOISE, "seed": 0, "out_dir": None,
                       "root": None}, __doc__, prog))


if __name__ == "__main__":
    main()
