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
import os

import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Tensor, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.data import load_mnist_sample
from tinygrad_es.utils.data import DataLoader, TensorDataset
from tinygrad_es.models import AutoEncoder, ConvAutoEncoder, add_gaussian_noise
from tinygrad_es.train import fit, predict
from tinygrad_es.viz import plots

# Con TINYGRAD_ES_RAPIDO=1 (los tests) se entrena menos: el cuaderno termina en segundos
RAPIDO = os.environ.get("TINYGRAD_ES_RAPIDO") == "1"

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
# Entrada: la imagen con ruido gaussiano (desviación 0.5). Objetivo: la imagen limpia. Dos detalles
# deciden si la red devuelve **el dígito correcto** o un borrón con poco error cuadrático:
#
# - **ruido nuevo en cada lote** (`AugmentedLoader`): con una sola versión ruidosa de cada imagen, la
#   red se aprende ese ruido de memoria;
# - **entropía cruzada binaria** por píxel en lugar de MSE: la salida es una sigmoide y, cuando se
#   satura, el gradiente del MSE casi desaparece.
#
# Para saber si la reconstrucción sigue siendo su dígito, la clasifica la SimpleCNN ya entrenada que
# usa la página web (`digit_agreement`).

# %%
from tinygrad_es.data import AugmentedLoader
from tinygrad_es.demos.autoencoder import digit_agreement

rng = np.random.default_rng(0)
Xt_ruido = add_gaussian_noise(Xt, 0.5, rng)
torch.manual_seed(0)
dae = AutoEncoder(sizes=(784, 128, 9))  # sigmoide, como en el artículo
ruidoso = AugmentedLoader(DataLoader(TensorDataset(X, X), 64, shuffle=True, generator=torch.Generator().manual_seed(0)),
                          lambda xb, r: add_gaussian_noise(xb, 0.5, r), torch.Generator().manual_seed(1))
fit(dae, F.binary_cross_entropy, optim.Adam(dae.parameters(), lr=3e-3), ruidoso, epochs=10 if RAPIDO else 50,
    progress=False, verbose=False)
limpias = predict(dae, Xt_ruido)
print(f"MSE frente a la imagen limpia: entrada con ruido {float(((Xt_ruido - Xt) ** 2).mean()):.4f}, "
      f"salida de la red {float(((limpias - Xt) ** 2).mean()):.4f}")
print(f"la CNN reconoce el dígito original en el {100 * digit_agreement(Xt_ruido, yt):.1f} % de las entradas "
      f"con ruido y en el {100 * digit_agreement(limpias, yt):.1f} % de las reconstrucciones")
plots.image_rows({"original": Xt[:8], "con ruido": Xt_ruido[:8], "reconstruida": limpias[:8]},
                 title="Autoencoder de eliminación de ruido 784-128-9-128-784");

# %% [markdown]
# Con 50 épocas sobre las 2 000 imágenes de la muestra, casi dos de cada tres reconstrucciones (64 %) son
# el dígito correcto; con 200 épocas, como el artículo, el 83 %. Más no se consigue: con las 5 000
# imágenes de entrenamiento del subconjunto de MNIST también se queda en el 83 %, y sin ruido en el 86 %.
# El límite es la red: cada píxel de la salida sale de 9 números a través de capas densas, que no saben
# que un trazo es una línea de píxeles vecinos.
#
# ## Un autoencoder convolucional
#
# `ConvAutoEncoder` codifica con dos convoluciones de paso 2 (28 → 14 → 7) y decodifica con dos
# convoluciones traspuestas (`nn.ConvTranspose2d`, 7 → 14 → 28): los filtros trabajan sobre vecindarios
# de píxeles, como los trazos. Con un código de 32 números, mismo ruido, misma pérdida:

# %%
torch.manual_seed(0)
cae = ConvAutoEncoder(code=32)
print(cae)
X_img = X.reshape(-1, 1, 28, 28)  # el objetivo tiene la forma de la salida: (N, 1, 28, 28)
ruidoso = AugmentedLoader(DataLoader(TensorDataset(X_img, X_img), 64, shuffle=True,
                                     generator=torch.Generator().manual_seed(0)),
                          lambda xb, r: add_gaussian_noise(xb, 0.5, r), torch.Generator().manual_seed(1))
fit(cae, F.binary_cross_entropy, optim.Adam(cae.parameters(), lr=3e-3), ruidoso, epochs=3 if RAPIDO else 20,
    progress=False, verbose=False)
limpias_conv = predict(cae, Xt_ruido).reshape(-1, 784)
print(f"la CNN reconoce el dígito original en el {100 * digit_agreement(limpias_conv, yt):.1f} % de las "
      f"reconstrucciones (la red densa de arriba: {100 * digit_agreement(limpias, yt):.1f} %)")
plots.image_rows({"original": Xt[:8], "con ruido": Xt_ruido[:8], "densa": limpias[:8],
                  "convolucional": limpias_conv[:8]}, title="Eliminación de ruido: red densa frente a convolucional");

# %% [markdown]
# Con 20 épocas (unos 25 s), el 93 % de las reconstrucciones son el dígito correcto; las entradas con ruido
# sólo lo eran en un 45 %. `tinygrad-es demo autoencoder` entrena las dos redes (la del artículo y esta) y
# `benchmarks/denoising.py` compara cada cambio por separado: la red convolucional con el código de 9
# números llega al 86 %, y la densa con un código de 32, al 87 %; hacen falta los dos.

# %% [markdown]
# **Prueba:** cambia el tamaño del código (`sizes=(784, 128, 2)` o `(784, 128, 32)`, o
# `ConvAutoEncoder(code=9)`) y compara el MSE, la nitidez de las reconstrucciones y el porcentaje de
# dígitos que la CNN reconoce.
