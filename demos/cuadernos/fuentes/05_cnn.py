# %% [markdown]
# # 5. Redes convolucionales
#
# Al aplanar la imagen, el MLP pierde la vecindad entre píxeles. Una capa convolucional desliza
# un **filtro** pequeño (3×3) por la imagen: en cada posición multiplica los píxeles por los
# pesos del filtro, suma y añade el sesgo. El mismo filtro se usa en toda la imagen, así que
# detecta su patrón (un borde, una esquina) esté donde esté.
#
# En este cuaderno: la convolución a mano, tamaños con relleno y paso, la `SimpleCNN` de los
# apuntes entrenada en la muestra de MNIST, y qué ha aprendido (filtros, mapas de activación,
# saliencia y Grad-CAM).

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Tensor, nn, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.data import load_mnist_sample, mnist_tensors
from tinygrad_es.utils.data import DataLoader, TensorDataset, random_split
from tinygrad_es.models import SimpleCNN
from tinygrad_es.train import fit, predict
from tinygrad_es.viz import plots

# %% [markdown]
# ## Un filtro detector de bordes, a mano
#
# Con pesos −1 a la izquierda y +1 a la derecha, una zona uniforme da 0 y un salto de negro
# (0) a blanco (255) da un valor grande.

# %%
filtro = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=float)
uniforme = np.full((3, 3), 255.0)
borde = np.array([[0, 255, 255]] * 3, dtype=float)
print("zona uniforme:", (filtro * uniforme).sum())
print("borde negro→blanco:", (filtro * borde).sum())

# lo mismo con F.conv2d sobre una imagen de 5×5 (lote 1, canal 1)
imagen = Tensor(np.array([[0, 0, 255, 255, 255]] * 5, dtype=np.float32)[None, None])
salida = F.conv2d(imagen, Tensor(filtro[None, None].astype(np.float32)))
print("mapa de características (3×3):\n", salida.numpy()[0, 0])

# %% [markdown]
# ## Filtros de Sobel sobre un dígito
#
# El filtro vertical resalta los bordes verticales y el horizontal los horizontales. Una capa
# convolucional aprende filtros así por su cuenta, a partir de pesos aleatorios.

# %%
(x_ent, y_ent), (x_test, y_test) = load_mnist_sample()
digito = Tensor(x_test[:1, None] / 255.0)
sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
filtros = Tensor(np.stack([sobel_x, sobel_x.T])[:, None])      # 2 filtros: (2, 1, 3, 3)
mapas = F.conv2d(digito, filtros).numpy()[0]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), layout="constrained")
for ax, m, t in zip(axes, [digito.numpy()[0, 0], *mapas], ["entrada 28×28", "Sobel x (26×26)", "Sobel y (26×26)"]):
    ax.imshow(m, cmap="gray" if t.startswith("entrada") else "RdBu_r"); ax.set_title(t); ax.axis("off")

# %% [markdown]
# ## Tamaños: relleno y paso
#
# Con entrada $n$, filtro $k$, relleno $p$ y paso $s$, la salida mide
# $\lfloor (n + 2p - k)/s \rfloor + 1$. Así viaja una imagen por la `SimpleCNN`:
# 28 → conv 3×3 → 26 → pool 2 → 13 → conv 3×3 → 11 → pool 2 → 5, y se aplana en 64·5·5 = 1600.

# %%
torch.manual_seed(0)
cnn = SimpleCNN()
t = Tensor(x_test[:1, None] / 255.0)
for paso, capa in (("conv1", cnn.conv1), ("relu", F.relu), ("pool", lambda v: F.max_pool2d(v, 2)),
                   ("conv2", cnn.conv2), ("relu", F.relu), ("pool", lambda v: F.max_pool2d(v, 2))):
    t = capa(t)
    print(f"{paso:>6}: {tuple(t.shape)}")
print(f"aplanado: {tuple(t.flatten(1).shape)}")
print(F.conv2d(Tensor(np.ones((1, 1, 28, 28), np.float32)), Tensor(np.ones((1, 1, 3, 3), np.float32)),
               padding=1, stride=2).shape, "← relleno 1 y paso 2: (28 + 2 − 3)//2 + 1 = 14")

# %% [markdown]
# ## Entrenar la SimpleCNN
#
# conv 32 → ReLU → pool → conv 64 → ReLU → pool → 120 → 84 → 10. Dos épocas sobre 1 600
# imágenes (80 %) con validación en las otras 400. La primera vez numba compila los núcleos de
# la convolución (unos segundos).

# %%
X, y = mnist_tensors(x_ent, y_ent)            # (2000, 1, 28, 28) en [0, 1]
Xt, yt = mnist_tensors(x_test, y_test)
g = torch.Generator().manual_seed(0)        # el azar del reparto y del barajado, reproducible
entrenamiento, validacion = random_split(TensorDataset(X, y), [0.8, 0.2], generator=g)
torch.manual_seed(0)
cnn = SimpleCNN()
historia = fit(cnn, F.cross_entropy, optim.Adam(cnn.parameters(), lr=1e-3),
               DataLoader(entrenamiento, 64, shuffle=True, generator=g), DataLoader(validacion, 256),
               epochs=2, progress=False)
pred = predict(cnn, Xt).argmax(1)
print(f"exactitud en test: {100 * (pred == yt).mean():.1f} %")

# %% [markdown]
# ## Qué ha aprendido
#
# Los 32 filtros de la primera capa en una escala común centrada en cero (blanco = 0, rojo
# positivo, azul negativo):

# %%
plots.conv_filters(cnn.conv1, 32);

# %% [markdown]
# Los mapas de activación de un dígito tras cada convolución y su ReLU, todos con la misma
# escala de color por capa: los de `conv1` se parecen a bordes del dígito; los de `conv2`,
# más pequeños, combinan esos bordes.

# %%
i = int(np.flatnonzero((yt == 3) & (pred == 3))[0])      # un 3 bien clasificado
tres = Xt[i:i + 1]
plots.feature_map_grid(cnn, tres, 16);

# %% [markdown]
# ## Saliencia y Grad-CAM
#
# * **Saliencia**: el valor absoluto del gradiente de la puntuación de la clase predicha
#   respecto de cada píxel, $|\partial S_c / \partial I|$: qué píxeles cambiarían más la decisión.
# * **Grad-CAM**: pondera los mapas de la última convolución con la media de su gradiente y
#   se queda con la parte positiva: qué zonas usó la red.
#
# El título dice la clase predicha y su probabilidad.

# %%
plots.saliency_plot(cnn, tres);

# %%
plots.grad_cam_plot(cnn, tres, layer=cnn.conv2);

# %% [markdown]
# **Prueba:** busca una imagen de test mal clasificada (`np.flatnonzero(pred != yt)`) y mira
# su saliencia y su Grad-CAM para la clase real (`target=`) y para la predicha.
