# %% [markdown]
# # 4. Un MLP para MNIST
#
# Ahora la entrada es una imagen de 28×28 píxeles de un dígito escrito a mano. Una red densa no
# entiende de filas y columnas: la **aplanamos** en un vector de 784 valores. La red de los
# apuntes es 784-128-64-10 con ReLU, softmax a la salida (dentro de la entropía cruzada) y Adam.
#
# Usamos la muestra de MNIST que trae el paquete (2 000 imágenes de entrenamiento y 1 000 de
# test), así que funciona sin conexión.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Tensor, nn, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.data import load_mnist_sample
from tinygrad_es.utils.data import DataLoader, TensorDataset, random_split
from tinygrad_es.viz import plots

(x_ent, y_ent), (x_test, y_test) = load_mnist_sample()
print(f"entrenamiento: {x_ent.shape} {x_ent.dtype}, test: {x_test.shape}; píxeles de {x_ent.min()} a {x_ent.max()}")

fig, axes = plt.subplots(2, 8, figsize=(12, 3.4), layout="constrained")
for ax, img, etiqueta in zip(axes.flat, x_ent[::125], y_ent[::125]):
    ax.imshow(img, cmap="gray"); ax.set_title(str(etiqueta)); ax.axis("off")

# %% [markdown]
# ## Preparar los datos
#
# Píxeles a $[0, 1]$, imágenes aplanadas a 784 y, como en los apuntes, el 80 % para entrenar y
# el 20 % para validar (el test se reserva para el final). Un lote de 64 imágenes es una matriz
# de 64×784: cada fila, una imagen estirada.

# %%
X = Tensor(x_ent.reshape(-1, 784) / 255.0)
Xt = Tensor(x_test.reshape(-1, 784) / 255.0)
g = torch.Generator().manual_seed(0)        # el azar del reparto y del barajado, reproducible
entrenamiento, validacion = random_split(TensorDataset(X, y_ent), [0.8, 0.2], generator=g)
cargador = DataLoader(entrenamiento, batch_size=64, shuffle=True, generator=g)
imagenes, etiquetas = next(iter(cargador))
print(f"{len(entrenamiento)} para entrenar, {len(validacion)} para validar; un lote: {imagenes.shape}")

# %% [markdown]
# ## La red y el bucle de entrenamiento
#
# Es el bucle de PyTorch: hacia delante, pérdida, `zero_grad`, `backward`, `step`. Al final de
# cada época medimos la pérdida y la exactitud en validación sin construir el grafo
# (`torch.no_grad()`).

# %%
torch.manual_seed(0)
modelo = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = optim.Adam(modelo.parameters(), lr=0.003)
print(modelo)
print(f"{modelo.num_parameters()} parámetros (sólo W1 ya tiene 784·128 = {784 * 128})")

Xv = Tensor(X.numpy()[validacion.indices])
yv = y_ent[validacion.indices]
historia = {"loss": [], "acc": [], "val_loss": [], "val_acc": []}
for epoca in range(1, 6):
    t0, total, aciertos = time.perf_counter(), 0.0, 0
    modelo.train()
    for imagenes, etiquetas in cargador:
        salida = modelo(imagenes)
        loss = F.cross_entropy(salida, etiquetas)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(imagenes)
        aciertos += (salida.argmax(1) == etiquetas).sum().item()
    modelo.eval()
    with torch.no_grad():
        sv = modelo(Xv)
        historia["val_loss"].append(F.cross_entropy(sv, yv).item())
        historia["val_acc"].append(float((sv.numpy().argmax(1) == yv).mean()))
    historia["loss"].append(total / len(entrenamiento))
    historia["acc"].append(aciertos / len(entrenamiento))
    print(f"época {epoca}: pérdida {historia['loss'][-1]:.3f}, validación {100 * historia['val_acc'][-1]:.1f} % "
          f"({time.perf_counter() - t0:.1f} s)")
plots.learning_curves(historia, title="MLP 784-128-64-10 en la muestra de MNIST");

# %% [markdown]
# ## En test, y qué «piensa» la red
#
# La salida son 10 números (*logits*); softmax los convierte en probabilidades que suman 1.

# %%
with torch.no_grad():
    probs = modelo(Xt).softmax(dim=1).numpy()
print(f"exactitud en test: {100 * (probs.argmax(1) == y_test).mean():.1f} %")
i = int(np.argmax(probs.max(1) < 0.6))           # una imagen de la que la red duda
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
axes[0].imshow(x_test[i], cmap="gray"); axes[0].axis("off"); axes[0].set_title(f"etiqueta real: {y_test[i]}")
axes[1].bar(range(10), probs[i]); axes[1].set_xticks(range(10))
axes[1].set_xlabel("dígito"); axes[1].set_ylabel("probabilidad"); axes[1].set_title("softmax de la salida");

# %% [markdown]
# ## El gradiente que se desvanece
#
# La derivada de la sigmoide vale como mucho 0.25, así que al atravesar muchas capas el
# gradiente se multiplica por números pequeños y las primeras capas apenas aprenden. Con ReLU
# (derivada 1 donde está activa) llega mucho más entero. Medimos la norma del gradiente de los
# pesos de cada capa de una red de 6 capas, con una sola pasada hacia atrás:

# %%
def normas_por_capa(activacion):
    torch.manual_seed(0)
    capas = []
    for entrada, salida in [(784, 64)] + [(64, 64)] * 4:
        capas += [nn.Linear(entrada, salida), activacion()]
    red = nn.Sequential(*capas, nn.Linear(64, 10))
    F.cross_entropy(red(X[:256]), y_ent[:256]).backward()
    return [float(np.linalg.norm(m.weight.grad)) for m in red if isinstance(m, nn.Linear)]


fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
for k, (nombre, act) in enumerate((("sigmoide", nn.Sigmoid), ("ReLU", nn.ReLU))):
    ax.bar(np.arange(1, 7) + (k - 0.5) * 0.38, normas_por_capa(act), width=0.38, label=nombre)
ax.set_yscale("log"); ax.set_xlabel("capa (1 = la más cercana a la entrada)")
ax.set_ylabel("‖∂L/∂W‖"); ax.legend(); ax.set_title("Gradiente por capa en una red de 6 capas");

# %% [markdown]
# **Prueba:** añade una tercera capa oculta de 32 neuronas y cambia Adam por `optim.SGD(...,
# lr=0.1)`: ¿cómo cambian las curvas?
