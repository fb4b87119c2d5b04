"""Demo 7: autoencoder 784-128-9-128-784 en MNIST y su versión de eliminación de ruido
(entrada con ruido gaussiano, objetivo limpio)."""
import numpy as np

from .. import Generator, manual_seed, optim
from ..utils.data import DataLoader, TensorDataset
from ..models import AutoEncoder, add_gaussian_noise
from ..nn import functional as F
from ..train import fit, predict
from ._common import have_matplotlib, mnist_data, out_path, parse


def _mse(model, X, target):
    return float(((predict(model, X) - target) ** 2).mean())


def run(epochs: int = 20, limit_train: int = 0, noise: float = 0.5, seed: int = 0, out_dir: str = None,
        verbose: bool = True) -> dict:
    Xtr, _, Xte, _, origin = mnist_data(flatten=True, limit_train=limit_train or None, limit_test=1000, seed=seed)
    rng = np.random.default_rng(seed)
    if verbose:
        print(f"Datos: {origin}")
    res = {}
    for denoise in (False, True):
        manual_seed(seed)
        ae = AutoEncoder()
        Xin = add_gaussian_noise(Xtr, noise, rng) if denoise else Xtr
        Xte_in = add_gaussian_noise(Xte, noise, rng) if denoise else Xte
        before = _mse(ae, Xte_in, Xte)
        loader = DataLoader(TensorDataset(Xin, Xtr), 64, shuffle=True, generator=Generator().manual_seed(seed))
        fit(ae, F.mse_loss, optim.Adam(ae.parameters(), lr=1e-2), loader, epochs=epochs, verbose=False,
            progress=verbose)
        after = _mse(ae, Xte_in, Xte)
        key = "eliminacion_ruido" if denoise else "autoencoder"
        res[key] = {"mse_antes": before, "mse_despues": after}
        if denoise:
            res[key]["mse_entrada_ruidosa"] = float(((Xte_in - Xte) ** 2).mean())
        if verbose:
            name = "Autoencoder de eliminación de ruido" if denoise else "Autoencoder"
            extra = (f" (la entrada ruidosa tiene MSE {res[key]['mse_entrada_ruidosa']:.4f})" if denoise else "")
            print(f"{name} 784-128-9-128-784: MSE de reconstrucción en test {before:.4f} -> {after:.4f}{extra}")
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
    run(**parse(argv, {"epochs": 20, "limit_train": 0, "noise": 0.5, "seed": 0, "out_dir": None}, __doc__,
                prog))


if __name__ == "__main__":
    main()
