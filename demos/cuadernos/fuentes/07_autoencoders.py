# %% [markdown]
# # 7. Autoencoders
#
# Un autoencoder aprende a **copiar su entrada** pasando por un cuello de botella: el
# codificador comprime la imagen de 784 píxeles en un código de 9 números y el decodificador
# la reconstruye a partir de ese código. El objetivo es la propia entrada, así que no hacen
# falta etiquetas. La red del artículo de retropropagación es 784-128-9-128-784.
#
# Con ruido en la entrada y la imagen limpia como objetivo, el mismo esquema aprende a
# **eliminar ruido**.

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Tensor, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.data import load_mnist_sample
from tinygrad_es.utils.data import DataLoader, TensorDataset
from tinygrad_es.models import AutoEncoder, add_gaussian_noise
from tinygrad_es.train import fit, predict
from tinygrad_es.viz import plots

(x, y), (xt, yt) = load_mnist_sample()
X = x.reshape(-1, 784).astype(np.float32) / 255.0
Xt = xt.reshape(-1, 784).astype(np.float32) / 255.0

torch.manual_seed(0)
ae = AutoEncoder(sizes=(784, 128, 9), activation="relu")
print(ae)

# %% [markdown]
# ## Entrenar a copiar
#
# Pérdida: error cuadrático medio entre la reconstrucción y la entrada. `fit` hace el bucle de
# entrenamiento de siempre (`zero_grad`, `backward`, `step`) y devuelve el historial.

# %%
historia = fit(ae, F.mse_loss, optim.Adam(ae.parameters(), lr=3e-3),
               DataLoader(TensorDataset(X, X), 64, shuffle=True, generator=torch.Generator().manual_seed(0)),
               epochs=6, progress=False)
reconstruccion = predict(ae, Xt[:8])
print(f"MSE de reconstrucción en test: {float(((predict(ae, Xt) - Xt) ** 2).mean()):.4f} "
      f"(predecir siempre la imagen media da {float(((X.mean(0) - Xt) ** 2).mean()):.4f})")
plots.image_rows({"original": Xt[:8], "reconstruida": reconstruccion}, title="Autoencoder 784-128-9-128-784");

# %% [markdown]
# ## El código de 9 números
#
# Cada imagen queda resumida en 9 valores. Sin haber visto nunca una etiqueta, imágenes del
# mismo dígito tienen códigos parecidos: aquí, las dos coordenadas del código que más varían.

# %%
with torch.no_grad():
    codigos = ae.encode(Tensor(Xt)).numpy()
ejes = np.argsort(codigos.var(0))[-2:]
fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
sc = ax.scatter(codigos[:, ejes[0]], codigos[:, ejes[1]], c=yt, cmap="tab10", vmin=-0.5, vmax=9.5, s=12)
fig.colorbar(sc, ax=ax, ticks=range(10), label="dígito")
ax.set_xlabel(f"código[{ejes[0]}]"); ax.set_ylabel(f"código[{ejes[1]}]")
ax.set_title("Espacio latente (test): cada punto es una imagen");

# %% [markdown]
# ## Eliminar ruido
#
# Entrada: la imagen con ruido gaussiano (desviación 0.5). Objetivo: la imagen limpia.

# %%
rng = np.random.default_rng(0)
X_ruido = add_gaussian_noise(X, 0.5, rng)
Xt_ruido = add_gaussian_noise(Xt, 0.5, rng)
torch.manual_seed(0)
dae = AutoEncoder(sizes=(784, 128, 9), activation="relu")
fit(dae, F.mse_loss, optim.Adam(dae.parameters(), lr=3e-3),
    DataLoader(TensorDataset(X_ruido, X), 64, shuffle=True, generator=torch.Generator().manual_seed(0)), epochs=6,
    progress=False, verbose=False)
limpias = predict(dae, Xt_ruido)
print(f"MSE frente a la imagen limpia: entrada con ruido {float(((Xt_ruido - Xt) ** 2).mean()):.4f}, "
      f"salida de la red {float(((limpias - Xt) ** 2).mean()):.4f}")
plots.image_rows({"original": Xt[:8], "con ruido": Xt_ruido[:8], "reconstruida": limpias[:8]},
                 title="Autoencoder de eliminación de ruido");

# %% [markdown]
# **Prueba:** cambia el tamaño del código (`sizes=(784, 128, 2)` o `(784, 128, 32)`) y compara
# el MSE y la nitidez de las reconstrucciones.
