# %% [markdown]
# # 14. CIFAR-10: imágenes en color en la CPU
#
# Hasta ahora, dígitos en gris de 28×28. Los apuntes de la semana 10 pasan a **CIFAR-10**: 60 000
# fotos en color de 32×32 (entrada 3×32×32) en 10 clases — avión, automóvil, pájaro, gato, ciervo,
# perro, rana, caballo, barco y camión. Es el paso de «reconocer trazos» a «reconocer objetos».
#
# En este cuaderno, con `tinygrad_es.vision` (los nombres de `torchvision`):
#
# 1. los datos: `ImageFolder` sobre las imágenes JPEG, decodificadas al vuelo por un `DataLoader`
#    con `num_workers=2`, y el **aumento de datos** (`RandomCrop(32, padding=4)`, volteo);
# 2. una CNN del curso con **BatchNorm**;
# 3. el entrenamiento con SGD + Nesterov y la política de un ciclo (`OneCycleLR`);
# 4. la matriz de confusión, la exactitud por clase y **Grad-CAM** sobre imágenes en color.
#
# Para que se ejecute en menos de un minuto se entrena con una porción pequeña; la receta completa
# está en `tinygrad-es demo cifar10` y en `benchmarks/cifar10.py`.

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es.utils.data import DataLoader
from tinygrad_es.vision import datasets, transforms
from tinygrad_es.vision.utils import make_grid
from tinygrad_es.viz import plots
from tinygrad_es.viz.interpret import class_probabilities, grad_cam
from tinygrad_es.demos.cifar10 import CLASES, MEAN, STD, CifarCNN, evaluate, make_loaders, train

# %% [markdown]
# ## Los datos
#
# `prepare_cifar10_jpeg` busca la copia en JPEG de CIFAR-10 (`cifar10-jpg.tar.gz`) en
# `$TINYGRAD_ES_DATA`, `~/.cache/tinygrad_es` o `/usr/share/datasets`, y la extrae (rechazando
# rutas que salgan de la carpeta). Si no la encuentra, usa la **muestra incluida** en el paquete:
# 100 imágenes por clase de entrenamiento y 30 de test. Hay una subcarpeta por clase, justo lo
# que espera `ImageFolder`.

# %%
carpeta = datasets.prepare_cifar10_jpeg(sample=True)
bruto = datasets.ImageFolder(f"{carpeta}/train")
print(carpeta)
print(len(bruto), "imágenes de entrenamiento; clases:", bruto.classes)
img, etiqueta = bruto[0]
print("una muestra:", img.mode, img.size, "→ clase", etiqueta, f"({CLASES[etiqueta]})")

# %% [markdown]
# Una imagen de cada clase. `make_grid` las coloca en una rejilla (como `torchvision.utils.make_grid`).

# %%
primeras = [bruto.targets.index(c) for c in range(10)]
lote = torch.stack([transforms.ToTensor()(bruto[i][0]) for i in primeras])
rejilla = make_grid(lote, nrow=10, padding=2, pad_value=1.0)
fig, ax = plt.subplots(figsize=(11, 1.8))
ax.imshow(rejilla.numpy().transpose(1, 2, 0))
ax.set_title(" · ".join(CLASES), fontsize=9)
ax.axis("off");

# %% [markdown]
# ## Aumento de datos
#
# Cada vez que el `DataLoader` pide una imagen de entrenamiento se le aplica, al azar:
#
# * `RandomCrop(32, padding=4)`: se rellena con 4 píxeles negros por lado (40×40) y se recorta un
#   trozo de 32×32 — la imagen se desplaza hasta 4 píxeles;
# * `RandomHorizontalFlip()`: espejo izquierda-derecha con probabilidad ½.
#
# La red ve así una versión distinta de cada foto en cada época, y aprende que un gato desplazado
# o mirando al otro lado sigue siendo un gato. Después, `ToTensor` (a float en [0, 1], 3×32×32) y
# `Normalize` (media 0 y desviación 1 por canal).

# %%
aumento = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
                              transforms.ToTensor()])
print(aumento)
torch.manual_seed(0)
variantes = torch.stack([aumento(bruto[primeras[3]][0]) for _ in range(8)])
fig, ax = plt.subplots(figsize=(9, 1.6))
ax.imshow(make_grid(variantes, nrow=8, pad_value=1.0).numpy().transpose(1, 2, 0))
ax.set_title("ocho variantes aleatorias de la misma imagen")
ax.axis("off");

# %% [markdown]
# ## Los `DataLoader`: JPEG decodificados al vuelo
#
# Con `num_workers=2`, dos procesos leen los JPEG, los decodifican y aplican las transformaciones
# mientras el proceso principal entrena. Para este cuaderno, 1 000 imágenes de entrenamiento y
# 300 de test.

# %%
entrenamiento, test = make_loaders(carpeta, batch_size=64, workers=2, limit_train=1000, limit_test=300)
x, y = next(iter(entrenamiento))
print("un lote:", tuple(x.shape), x.dtype, "etiquetas", tuple(y.shape), y.dtype)
print(f"media por canal del lote ≈ {x.numpy().mean(axis=(0, 2, 3)).round(2)} (≈ 0 tras Normalize)")

# %% [markdown]
# ## La red
#
# Tres etapas conv 3×3 → BatchNorm → ReLU → max-pool 2×2: la imagen pasa de 32×32 a 16, 8 y 4, y los
# canales de 3 a 32, 64 y 128. Al final, 128·4·4 = 2 048 características y una capa lineal a 10
# clases. BatchNorm normaliza cada canal con la media y la varianza del lote, lo que permite tasas
# de aprendizaje altas.

# %%
torch.manual_seed(0)
modelo = CifarCNN()
print(modelo)
print(f"{modelo.num_parameters()} parámetros")
formas = []
ganchos = [m.register_forward_hook(lambda mod, ent, sal: formas.append((type(mod).__name__, tuple(sal.shape))))
           for m in modelo.features if isinstance(m, torch.nn.MaxPool2d)]
modelo(x[:1])
for g in ganchos:
    g.remove()
print("tras cada max-pool:", [f for _, f in formas])

# %% [markdown]
# ## Entrenar
#
# SGD con momento de Nesterov, decaimiento de pesos 5·10⁻⁴, suavizado de etiquetas 0.1 y la
# **política de un ciclo**: la tasa sube durante el primer cuarto de los pasos y después baja hasta
# casi cero (`OneCycleLR`). `train` mide también cuánto tiempo se espera a los datos y cuánto dura
# el paso del modelo (forward + backward + optimizador).

# %%
historia = train(modelo, entrenamiento, test, epochs=4, lr=0.05, verbose=True)
plots.learning_curves(historia, title="CNN con BatchNorm en una porción de CIFAR-10", val_label="test");

# %% [markdown]
# Con 1 000 imágenes y cuatro épocas la red apenas empieza a aprender (el azar es el 10 %). Con las
# 50 000 imágenes la misma receta pasa del 80 % (véase `benchmarks/cifar10.py`).
#
# ## Matriz de confusión y exactitud por clase

# %%
pred, reales, _ = evaluate(modelo, test, tta=True)
cm = np.zeros((10, 10), dtype=int)
np.add.at(cm, (reales, pred), 1)
for c, fila in zip(CLASES, cm):
    print(f"{c:>10}: {100 * fila[CLASES.index(c)] / max(fila.sum(), 1):5.1f} %")
plots.confusion_matrix_plot(cm, labels=CLASES, normalize=True, title="Matriz de confusión (test)");

# %% [markdown]
# ## Grad-CAM en color
#
# Grad-CAM pondera cada mapa de la última capa convolucional por la media de su gradiente respecto
# de la puntuación de la clase predicha: las zonas rojas son las que más han pesado en la
# decisión. Con una red tan poco entrenada los mapas son borrosos; con la red entrenada entera se
# centran en el objeto.

# %%
xs, ys = next(iter(DataLoader(test.dataset, batch_size=300)))
elegidas = [int(np.flatnonzero(ys.numpy() == c)[0]) for c in range(0, 10, 2)]
xs, ys = xs.numpy()[elegidas], ys.numpy()[elegidas]
ultima_relu = [m for m in modelo.features if isinstance(m, torch.nn.ReLU)][-1]
mapas = grad_cam(modelo, xs, layer=ultima_relu)
probs = class_probabilities(modelo, xs)
fig, axes = plt.subplots(2, len(xs), figsize=(2 * len(xs), 4.4))
for k in range(len(xs)):
    foto = np.clip(xs[k].transpose(1, 2, 0) * np.array(STD) + np.array(MEAN), 0, 1)
    axes[0, k].imshow(foto)
    axes[0, k].set_title(f"real: {CLASES[ys[k]]}", fontsize=9)
    axes[1, k].imshow(foto)
    axes[1, k].imshow(mapas[k], cmap="jet", alpha=0.45, vmin=0, vmax=1)
    p = int(probs[k].argmax())
    axes[1, k].set_title(f"{CLASES[p]} ({100 * probs[k, p]:.0f} %)", fontsize=9)
    for a in axes[:, k]:
        a.axis("off")

# %% [markdown]
# ## La receta completa
#
# ```bash
# tinygrad-es demo cifar10 --epochs 12           # CIFAR-10 entero si está la copia JPEG
# python benchmarks/cifar10.py                    # épocas, tiempo y exactitud, con PyTorch al lado
# ```
#
# El benchmark anota también dónde se va el tiempo: decodificar los JPEG (en los procesos del
# `DataLoader`) frente al paso del modelo.
